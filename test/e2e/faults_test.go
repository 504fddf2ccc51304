//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"k8s.io/client-go/tools/clientcmd"
)

// The tests here break the path between the plugin and a real apiserver,
// or feed it bad input, and hold it to one promise: it is never wrong in a
// dangerous way. It answers correctly, or it fails with one line and exit
// status 1 in bounded time; it never hangs past --request-timeout, never
// panics, and never reports Ready for want of data.

// faultProxy forwards TCP from a loopback port to the apiserver. TLS passes
// through untouched (the apiserver's certificate names 127.0.0.1), so a
// kubeconfig only needs --server pointed at the proxy. Faults are switched
// on while connections are open: a delay on every read, a complete stall,
// or every connection dropped.
type faultProxy struct {
	t       *testing.T
	ln      net.Listener
	target  string
	delay   atomic.Int64 // nanoseconds before each chunk is forwarded
	stalled atomic.Bool  // forward nothing; keep connections open
	closed  atomic.Bool
	reads   atomic.Int64 // chunks read from clients: roughly, requests

	mu    sync.Mutex
	conns []net.Conn
}

func startProxy(t *testing.T) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{t: t, ln: ln, target: apiserverAddr(t)}
	go p.serve()
	t.Cleanup(p.close)
	return p
}

// URL is what --server should say.
func (p *faultProxy) URL() string { return "https://" + p.ln.Addr().String() }

func (p *faultProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go p.pipe(up, c, true)
		go p.pipe(c, up, false)
	}
}

// pipe copies src to dst a chunk at a time, applying the faults.
func (p *faultProxy) pipe(dst, src net.Conn, fromClient bool) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if fromClient {
				p.reads.Add(1)
			}
			for p.stalled.Load() && !p.closed.Load() {
				time.Sleep(20 * time.Millisecond)
			}
			if d := time.Duration(p.delay.Load()); d > 0 {
				time.Sleep(d)
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// dropAll closes every open connection, as a restarting apiserver or a
// flapping load balancer does. New connections are still accepted.
func (p *faultProxy) dropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *faultProxy) close() {
	p.closed.Store(true)
	p.ln.Close()
	p.dropAll()
}

// apiserverAddr reads host:port of the local apiserver from the kubeconfig.
func apiserverAddr(t *testing.T) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	ctx := cfg.Contexts[cfg.CurrentContext]
	if ctx == nil || cfg.Clusters[ctx.Cluster] == nil {
		t.Fatalf("kubeconfig %s: no current cluster", kubeconfig)
	}
	u, err := url.Parse(cfg.Clusters[ctx.Cluster].Server)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// timedWhy runs kubectl why and says how long it took.
func timedWhy(t *testing.T, args ...string) (result, time.Duration) {
	t.Helper()
	start := time.Now()
	r := why(t, args...)
	d := time.Since(start)
	t.Logf("took %s", d.Round(time.Millisecond))
	return r, d
}

// errorLine checks that a failed run exited 1 and said why on exactly one
// line of stderr beginning "error: " (progress lines may come before it),
// and returns that line.
func errorLine(t *testing.T, r result) string {
	t.Helper()
	if r.Code != 1 {
		t.Fatalf("exit code = %d, want 1\n%s", r.Code, r)
	}
	var errs []string
	for _, l := range strings.Split(strings.TrimSpace(r.Stderr), "\n") {
		if strings.HasPrefix(l, "error: ") {
			errs = append(errs, l)
		} else if !strings.HasPrefix(l, "listing ") {
			t.Errorf("unexpected stderr line %q", l)
		}
	}
	if len(errs) != 1 {
		t.Fatalf("want exactly one error line, got %d:\n%s", len(errs), r.Stderr)
	}
	if strings.Contains(r.Stderr, "panic") || strings.Contains(r.Stderr, "goroutine ") {
		t.Fatalf("panic:\n%s", r.Stderr)
	}
	return errs[0]
}

// verdicts maps each target of a -o json run to its verdict and sorted codes.
func verdicts(t *testing.T, r result) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, it := range decode(t, r).Items {
		seen := map[string]bool{}
		var codes []string
		for _, f := range it.Findings {
			if !seen[string(f.Code)] {
				seen[string(f.Code)] = true
				codes = append(codes, string(f.Code))
			}
		}
		sort.Strings(codes)
		out[strings.ToLower(it.Target.Kind)+"/"+it.Target.Name] = string(it.Verdict) + " " + strings.Join(codes, ",")
	}
	return out
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestFaultUnreachable(t *testing.T) {
	t.Parallel()
	t.Run("connection refused", func(t *testing.T) {
		r, took := timedWhy(t, "deploy/x", "-n", "default", "--server", "https://"+freePort(t), "--request-timeout", "5s")
		line := errorLine(t, r)
		for _, want := range []string{"is unreachable (check --context, --kubeconfig or --server)", "connection refused"} {
			if !strings.Contains(line, want) {
				t.Errorf("error line lacks %q: %s", want, line)
			}
		}
		if took > 5*time.Second {
			t.Errorf("took %s to report a refused connection", took)
		}
	})
	t.Run("accepts and never answers", func(t *testing.T) {
		// A listener that completes TCP handshakes and then says nothing:
		// a hung apiserver or a black-holing firewall.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		var held []net.Conn
		var mu sync.Mutex
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				mu.Lock()
				held = append(held, c)
				mu.Unlock()
			}
		}()
		defer func() {
			mu.Lock()
			for _, c := range held {
				c.Close()
			}
			mu.Unlock()
		}()
		r, took := timedWhy(t, "deploy/x", "-n", "default", "--server", "https://"+ln.Addr().String(), "--request-timeout", "2s")
		line := errorLine(t, r)
		if !strings.Contains(line, "is unreachable: it did not answer within --request-timeout 2s") {
			t.Errorf("error line does not say the cluster did not answer in time: %s", line)
		}
		if took < 2*time.Second || took > 5*time.Second {
			t.Errorf("took %s with --request-timeout 2s, want 2s to 5s", took)
		}
	})
}

// slowNamespace makes a namespace whose deployment "slow" has n pods that
// fail to pull their image: a stable answer to compare through faults.
func slowNamespace(t *testing.T, n int) string {
	t.Helper()
	ns := namespace(t)
	apply(t, ns, deployment("slow", "registry.example/app:v2", n, map[string]string{"why.test/fault": "image-not-found"}, ""))
	waitWhy(t, 120*time.Second, "every pod failing to pull", func(r result) bool {
		it := decode(t, r).Items
		return len(it) == 1 && len(it[0].Findings) > 0 && it[0].Findings[0].Code == explain.CodeImageNotFound && it[0].Findings[0].Count == n
	}, "deploy/slow", "-n", ns, "-o", "json")
	return ns
}

func TestFaultSlowAPIServer(t *testing.T) {
	t.Parallel()
	const pods = 24
	ns := slowNamespace(t, pods)
	direct := why(t, "pod", "-n", ns, "-o", "json")
	want := verdicts(t, direct)
	if len(want) != pods {
		t.Fatalf("direct run: %d pods, want %d", len(want), pods)
	}

	p := startProxy(t)
	p.delay.Store(int64(150 * time.Millisecond))
	// Pages of 4: the pods LIST alone takes 6 round trips of 2-3 delayed
	// reads each, well past the 2 s after which progress is shown.
	r, took := timedWhy(t, "pod", "-n", ns, "-o", "json", "--chunk-size", "4", "--server", p.URL())
	if r.Code != direct.Code {
		t.Fatalf("exit code through a slow apiserver = %d, direct %d", r.Code, direct.Code)
	}
	if got := verdicts(t, r); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("answer through a slow apiserver differs:\n got %v\nwant %v", got, want)
	}
	if !strings.Contains(r.Stderr, "listing pods: ") || !strings.Contains(r.Stderr, " so far...") {
		t.Errorf("no progress on stderr during a %s walk:\n%s", took.Round(time.Millisecond), r.Stderr)
	}
	// Progress is for people: stdout stays one JSON document.
	if !json.Valid([]byte(r.Stdout)) {
		t.Errorf("stdout is not valid JSON:\n%s", r.Stdout)
	}
	t.Logf("slow walk: %d reads through the proxy in %s", p.reads.Load(), took.Round(time.Millisecond))
}

func TestFaultStalledAPIServer(t *testing.T) {
	t.Parallel()
	t.Run("stalled from the start", func(t *testing.T) {
		p := startProxy(t)
		p.stalled.Store(true)
		r, took := timedWhy(t, "deploy/x", "-n", "default", "--server", p.URL(), "--request-timeout", "2s")
		line := errorLine(t, r)
		if !strings.Contains(line, "did not answer within --request-timeout 2s") {
			t.Errorf("error line does not say the request timed out: %s", line)
		}
		if took > 5*time.Second {
			t.Errorf("took %s with --request-timeout 2s", took)
		}
	})
	t.Run("stalls in the middle of a paged list", func(t *testing.T) {
		ns := slowNamespace(t, 12)
		p := startProxy(t)
		p.delay.Store(int64(100 * time.Millisecond))
		time.AfterFunc(1500*time.Millisecond, func() { p.stalled.Store(true) })
		r, took := timedWhy(t, "pod", "-n", ns, "-o", "json", "--chunk-size", "1", "--server", p.URL(), "--request-timeout", "2s")
		line := errorLine(t, r)
		if !strings.Contains(line, "list pods in namespace") || !strings.Contains(line, "did not answer within --request-timeout 2s") {
			t.Errorf("error line does not name the list that timed out: %s", line)
		}
		if r.Stdout != "" {
			t.Errorf("a partial answer was printed:\n%s", r.Stdout)
		}
		// The stall comes at 1.5 s; one request then waits 2 s.
		if took > 8*time.Second {
			t.Errorf("took %s to give up with --request-timeout 2s", took)
		}
	})
}

// TestFaultConnectionsDropped drops every connection while the plugin
// pages through a list. client-go may retry; either way the answer is the
// direct one or one line and exit 1, never a partial answer.
func TestFaultConnectionsDropped(t *testing.T) {
	t.Parallel()
	ns := slowNamespace(t, 12)
	want := verdicts(t, why(t, "pod", "-n", ns, "-o", "json"))
	p := startProxy(t)
	p.delay.Store(int64(50 * time.Millisecond))
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(700 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				p.dropAll()
			}
		}
	}()
	r, _ := timedWhy(t, "pod", "-n", ns, "-o", "json", "--chunk-size", "1", "--server", p.URL(), "--request-timeout", "5s")
	if r.Code == 1 {
		t.Logf("gave up: %s", errorLine(t, r))
		return
	}
	if got := verdicts(t, r); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("answer with dropped connections differs:\n got %v\nwant %v", got, want)
	}
}

// TestFaultObjectsDeletedMidWalk deletes what the plugin is walking while
// it walks (slowed down by the proxy so that the deletion lands between its
// LISTs). Whatever it saw, it must not crash, and must not call a workload
// whose pods vanished Ready.
func TestFaultObjectsDeletedMidWalk(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		delete []string
	}{
		{"pods deleted", []string{"delete", "pods", "-l", "app=slow", "--wait=false"}},
		{"deployment deleted", []string{"delete", "deployment", "slow", "--wait=false"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns := slowNamespace(t, 8)
			p := startProxy(t)
			p.delay.Store(int64(150 * time.Millisecond))
			done := make(chan result, 1)
			go func() {
				done <- why(t, "deploy/slow", "-n", ns, "-o", "json", "--chunk-size", "1", "--server", p.URL())
			}()
			time.Sleep(1200 * time.Millisecond)
			kubectl(t, "", append(tc.delete, "-n", ns)...)
			var r result
			select {
			case r = <-done:
			case <-time.After(2 * time.Minute):
				t.Fatal("kubectl why did not finish within 2 minutes")
			}
			if strings.Contains(r.Stderr, "panic") || strings.Contains(r.Stderr, "goroutine ") {
				t.Fatalf("panic:\n%s", r.Stderr)
			}
			switch r.Code {
			case 1:
				errorLine(t, r)
			case 2:
				if !json.Valid([]byte(r.Stdout)) {
					t.Fatalf("stdout is not JSON:\n%s", r)
				}
			default:
				t.Fatalf("exit code %d: a deployment whose pods fail to pull cannot be Ready\n%s", r.Code, r)
			}
		})
	}
}

// TestOfflineDumpMatchesLive: offline, on a dump taken from the local
// cluster, kubectl why names the same causes as live. Two forms of saved
// state are tried: `kubectl cluster-info dump` (a directory of JSON lists
// per namespace, with logs.txt files beside them) and the documented
// `kubectl get deploy,rs,pods,events -o yaml`.
func TestOfflineDumpMatchesLive(t *testing.T) {
	ns := setup(t,
		deployment("pull", "registry.example/app:v2", 2, map[string]string{"why.test/fault": "image-not-found"}, ""),
		deployment("huge", "nginx:1.27", 1, nil, `        resources:
          requests:
            cpu: "100"
`),
		deployment("crash", "busybox:1.36", 1, map[string]string{"why.test/fault": "crashloop"}, ""),
		deployment("fine", "nginx:1.27", 1, nil, ""),
	)
	targets := []string{"deploy/pull", "deploy/huge", "deploy/crash", "deploy/fine"}
	waitWhy(t, 150*time.Second, "every cause visible live", func(r result) bool {
		v := verdicts(t, r)
		return strings.Contains(v["deployment/pull"], string(explain.CodeImageNotFound)) &&
			strings.HasPrefix(v["deployment/huge"], "NotReady") &&
			strings.Contains(v["deployment/crash"], string(explain.CodeCrashLoopBackOff)) &&
			strings.HasPrefix(v["deployment/fine"], "Ready")
	}, append([]string{"-n", ns, "-o", "json"}, targets...)...)

	live := why(t, append([]string{"-n", ns, "-o", "json"}, targets...)...)
	dir := filepath.Join(t.TempDir(), "dump")
	kubectl(t, "", "cluster-info", "dump", "--namespaces", ns, "--output-directory", dir)
	state := filepath.Join(t.TempDir(), "state.yaml")
	if err := os.WriteFile(state, []byte(kubectl(t, "", "get", "deploy,rs,pods,events", "-n", ns, "-o", "yaml")), 0o644); err != nil {
		t.Fatal(err)
	}
	liveAfter := why(t, append([]string{"-n", ns, "-o", "json"}, targets...)...)
	want := verdicts(t, live)
	if fmt.Sprint(want) != fmt.Sprint(verdicts(t, liveAfter)) {
		// The cluster moved while the dump was taken (a crash loop's
		// restart, most likely): the comparison would prove nothing.
		t.Skipf("live answer changed during the dump:\n before %v\n after  %v", want, verdicts(t, liveAfter))
	}
	for _, src := range []string{dir, state} {
		t.Run(filepath.Base(src), func(t *testing.T) {
			// No cluster at all: offline must not need one.
			off := whyEnv(t, []string{"KUBECONFIG=" + filepath.Join(t.TempDir(), "none")},
				append([]string{"-f", src, "-n", ns, "-o", "json"}, targets...)...)
			if off.Code != live.Code {
				t.Errorf("exit code offline %d, live %d", off.Code, live.Code)
			}
			if got := verdicts(t, off); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("offline answer differs from live:\n offline %v\n live    %v", got, want)
			}
			// With no arguments, every workload in the files is explained.
			all := whyEnv(t, []string{"KUBECONFIG=" + filepath.Join(t.TempDir(), "none")}, "-f", src, "-o", "json")
			if got := verdicts(t, all); len(got) != len(targets) {
				t.Errorf("-f with no arguments explained %v, want the %d deployments", got, len(targets))
			}
		})
	}
}

func TestBadInputFiles(t *testing.T) {
	t.Parallel()
	emptyDir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string // the whole error line, after "error: "
	}{
		{"yaml error in the second document", []string{"-f", "testdata/two-docs-bad-second.yaml"},
			"read -f testdata/two-docs-bad-second.yaml: testdata/two-docs-bad-second.yaml:15: invalid YAML: mapping values are not allowed in this context"},
		{"json syntax error", []string{"-f", "testdata/bad.json"},
			`read -f testdata/bad.json: testdata/bad.json:7: invalid JSON: invalid character '"' after object key:value pair`},
		{"empty file", []string{"-f", "testdata/empty.yaml"},
			"read -f testdata/empty.yaml: no Kubernetes objects found: the files are empty or hold only empty Lists"},
		{"empty List", []string{"-f", "testdata/empty-list.yaml"},
			"read -f testdata/empty-list.yaml: no Kubernetes objects found: the files are empty or hold only empty Lists"},
		{"empty directory", []string{"-f", emptyDir},
			fmt.Sprintf("read -f %[1]s: directory %[1]s holds no .json, .yaml, .yml files", emptyDir)},
		{"only kinds kubectl why does not explain", []string{"-f", "testdata/services.yaml"},
			"read -f testdata/services.yaml: nothing to explain: no pods, deployments, replicasets, statefulsets, daemonsets, jobs or cronjobs (found 1 ConfigMap, 1 Service)"},
		{"not a Kubernetes object", []string{"-f", "testdata/not-an-object.yaml"},
			"read -f testdata/not-an-object.yaml: testdata/not-an-object.yaml:1: not a Kubernetes object: a document must be a mapping with apiVersion and kind, not a string"},
		{"missing file", []string{"-f", "testdata/nope.yaml"},
			`read -f testdata/nope.yaml: the path "testdata/nope.yaml" does not exist`},
		{"named object not in the files", []string{"-f", "testdata/mixed.yaml", "deploy/web", "-n", "shop"},
			`deployments.apps "web" not found in namespace "shop"`},
		{"--wait with -f", []string{"-f", "testdata/mixed.yaml", "--wait"},
			"--wait cannot be used with -f: saved objects do not change"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := why(t, tc.args...)
			if line := errorLine(t, r); line != "error: "+tc.want {
				t.Errorf("error line:\n got %s\nwant error: %s", line, tc.want)
			}
		})
	}
	t.Run("unsupported kinds are skipped and counted", func(t *testing.T) {
		r := why(t, "-f", "testdata/mixed.yaml")
		if r.Code != 0 {
			t.Errorf("exit code = %d, want 0 (the one pod is Ready)", r.Code)
		}
		if !strings.Contains(r.Stderr, "note: skipped 2 ConfigMap, 1 Secret, 1 Service: kubectl why does not use these kinds") {
			t.Errorf("no note counting the skipped kinds:\n%s", r.Stderr)
		}
		if !strings.Contains(r.Stdout, "pod/solo") {
			t.Errorf("the pod is not explained:\n%s", r.Stdout)
		}
	})
	t.Run("standard input", func(t *testing.T) {
		data, err := os.ReadFile("testdata/two-docs-bad-second.yaml")
		if err != nil {
			t.Fatal(err)
		}
		r := whyStdin(t, string(data), "-f", "-")
		if line := errorLine(t, r); !strings.Contains(line, "STDIN:15: invalid YAML") {
			t.Errorf("error line does not locate the error in standard input: %s", line)
		}
	})
}

// whyStdin runs kubectl why as why() does, with stdin.
func whyStdin(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runWhy(t, strings.NewReader(stdin), nil, args...)
}
