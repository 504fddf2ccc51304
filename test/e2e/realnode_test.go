//go:build e2e

package e2e

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
)

// The tests here run on the real node of hack/cluster.sh (hack/realnode):
// a kubelet, containerd and runc, pulling images built from
// hack/realnode/testapp out of two loopback registries. Every state is
// produced for real, and `kubectl why` must explain it from the kubelet's
// own words: no kwok Stage is involved. The node is tainted so that no
// other test lands there; these pods tolerate the taint and select it.

const realNode = "why-real-node"

// realCluster is what the real-node tests need to know of the cluster.
type realCluster struct {
	open, auth string // host:port of the open and the htpasswd registries
}

// testapp is the test image in the open registry.
func (c realCluster) testapp() string { return c.open + "/why/testapp:v1" }

// needRealNode reads the registries' ports and checks the node is Ready.
// A cluster without it fails the test, loudly: `make test` starts it, and a
// skipped real-node test would pass for the wrong reason.
func needRealNode(t *testing.T) realCluster {
	t.Helper()
	ports := filepath.Join(filepath.Dir(kubeconfig), "ports")
	data, err := os.ReadFile(ports)
	if err != nil {
		t.Fatalf("read %s: %v (hack/cluster.sh up writes it)", ports, err)
	}
	var c realCluster
	for _, line := range strings.Split(string(data), "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "registry_open":
			c.open = v
		case "registry_auth":
			c.auth = v
		}
	}
	if c.open == "" || c.auth == "" {
		t.Fatalf("%s names no registries: the cluster was started without the real node (WHY_REAL_NODE=0?)", ports)
	}
	out, err := kubectlErr("", "get", "node", realNode, "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].status}`)
	if err != nil || strings.TrimSpace(out) != "True" {
		t.Fatalf("the real node %s is not Ready (%v): %s; see the kubelet's log in %s", realNode, err, out, filepath.Join(filepath.Dir(kubeconfig), "logs", "kubelet.log"))
	}
	return c
}

// onRealNode is the pod spec (6-space indent, as in deployment()) that
// places a pod on the real node and nowhere else.
const onRealNode = `      nodeSelector:
        why.test/node: real
      tolerations:
      - {key: why.test/real-node, operator: Exists, effect: NoSchedule}
      terminationGracePeriodSeconds: 2
`

// realDeployment is a one-replica Deployment on the real node whose
// container "app" runs image with args; container adds lines to the
// container (8-space indent), spec to the pod spec (6-space indent).
func realDeployment(name, image string, args []string, container, spec string) string {
	c := ""
	if len(args) > 0 {
		c = fmt.Sprintf("        args: [%s]\n", quoteAll(args))
	}
	return deployment(name, image, 1, nil, c+container) + onRealNode + spec
}

// realCase is one state produced on the real node.
type realCase struct {
	name      string
	image     string // "" for the test image
	args      []string
	container string // container lines (8-space indent)
	spec      string // pod spec lines (6-space indent)
	pre       string // a manifest applied first (a ConfigMap, ...)
	code      explain.Code
	evidence  string            // the real words, quoted verbatim somewhere in the findings
	facts     map[string]string // facts the finding must carry
	init      string            // the init (or sidecar) container the finding must name
}

// checkReal waits until kubectl why says NotReady (exit 2) with the case's
// code first and the real words in its findings, in -o json and on the
// first line of the tree alike, then checks the facts. It polls both together because a
// crash-looping container is Ready for the moment it runs: the answer
// between two crashes is, rightly, Ready with a warning.
func checkReal(t *testing.T, ns string, tc realCase, timeout time.Duration) {
	t.Helper()
	target := "deploy/" + tc.name
	deadline := time.Now().Add(timeout)
	var r, tree result
	var problems []string
	for {
		problems = nil
		r = why(t, target, "-n", ns, "-o", "json")
		rep, ok := tryDecode(r)
		switch {
		case !ok || len(rep.Items) != 1 || len(rep.Items[0].Findings) == 0:
			problems = append(problems, "no finding")
		case rep.Items[0].Verdict != explain.VerdictNotReady || r.Code != 2:
			problems = append(problems, fmt.Sprintf("verdict %s, exit %d; want NotReady, 2", rep.Items[0].Verdict, r.Code))
		case rep.Items[0].Findings[0].Code != tc.code:
			problems = append(problems, fmt.Sprintf("first code %s, want %s", rep.Items[0].Findings[0].Code, tc.code))
		case tc.evidence != "" && !strings.Contains(evidence(t, r), tc.evidence):
			// The kubelet's event may come a little after the state.
			problems = append(problems, fmt.Sprintf("the real words %q are not in the findings yet", tc.evidence))
		}
		if problems == nil {
			tree = why(t, target, "-n", ns)
			first, _, _ := strings.Cut(tree.Stdout, "\n")
			for _, want := range []string{"deployment/" + tc.name, "NotReady", string(tc.code)} {
				if !strings.Contains(first, want) {
					problems = append(problems, fmt.Sprintf("first line %q lacks %q", first, want))
				}
			}
		}
		if problems == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for NotReady with %s first: %s", timeout, tc.code, strings.Join(problems, "; "))
		}
		time.Sleep(2 * time.Second)
	}
	f := decode(t, r).Items[0].Findings[0]
	for k, v := range tc.facts {
		if f.Facts[k] != v {
			t.Errorf("fact %s = %q, want %q: %+v", k, f.Facts[k], v, f)
		}
	}
	if tc.init != "" && f.Container != tc.init {
		t.Errorf("the first finding must be about %s: %+v", tc.init, f)
	}
}

func TestRealNodeImagePulls(t *testing.T) {
	c, ns := realSetup(t)
	runReal(t, c, ns, []realCase{
		{name: "not-found", image: c.open + "/why/nothere:v1", code: explain.CodeImageNotFound,
			evidence: c.open + "/why/nothere:v1: not found"},
		// The htpasswd registry, and no imagePullSecret.
		{name: "unauthorized", image: c.auth + "/why/private:v1", code: explain.CodeImagePullUnauthorized,
			evidence: "authorization failed: no basic auth credentials"},
		// Nothing listens on port 1 of loopback.
		{name: "refused", image: "127.0.0.1:1/why/testapp:v1", code: explain.CodeImagePullNetworkError,
			evidence: "dial tcp 127.0.0.1:1: connect: connection refused"},
		{name: "invalid", image: c.open + "/why/Not-Lower:v1", code: explain.CodeInvalidImageName},
		{name: "never", image: c.open + "/why/never-pulled:v1", code: explain.CodeErrImageNeverPull,
			container: "        imagePullPolicy: Never\n"},
	}, 2*time.Minute)
}

func TestRealNodeCrashes(t *testing.T) {
	c, ns := realSetup(t)
	crash := func(code string) []string { return []string{"-exit", code, "-after", "1s"} }
	runReal(t, c, ns, []realCase{
		{name: "exit-1", args: crash("1"), code: explain.CodeCrashLoopBackOff, facts: map[string]string{"exitCode": "1"}},
		{name: "exit-2", args: []string{"-log", "starting", "-panic", "boom", "-after", "1s"}, code: explain.CodeCrashLoopBackOff, facts: map[string]string{"exitCode": "2"}},
		{name: "exit-126", args: crash("126"), code: explain.CodeCrashLoopBackOff, facts: map[string]string{"exitCode": "126"}},
		{name: "exit-127", args: crash("127"), code: explain.CodeCrashLoopBackOff, facts: map[string]string{"exitCode": "127"}},
		// A real segmentation fault: the kernel kills it with SIGSEGV.
		{name: "exit-139", args: []string{"-segv", "-after", "1s"}, code: explain.CodeCrashLoopBackOff, facts: map[string]string{"exitCode": "139"}},
		{name: "exit-143", args: crash("143"), code: explain.CodeCrashLoopBackOff, facts: map[string]string{"exitCode": "143"}},
		// A command that is not in the image: runc refuses to start it.
		{name: "no-exec", container: "        command: [\"/app/server\"]\n", code: explain.CodeExecutableNotFound,
			evidence: `exec: "/app/server": stat /app/server: no such file or directory`},
		{name: "oom", args: []string{"-alloc", "200"}, container: "        resources:\n          limits: {memory: 48Mi}\n",
			code: explain.CodeOOMKilled, facts: map[string]string{"exitCode": "137"}},
		// The process exits 0, and a Deployment restarts it: the kubelet
		// says Completed, and the pod never reaches phase Succeeded.
		{name: "completed", args: crash("0"), code: explain.CodeContainerExitedZero, facts: map[string]string{"exitCode": "0", "reason": "Completed"}},
	}, 3*time.Minute)
}

func TestRealNodeProbes(t *testing.T) {
	c, ns := realSetup(t)
	serve := []string{"-http", ":8080", "-fail", "/healthz"}
	probe := func(kind string) string {
		return fmt.Sprintf("        %s:\n          httpGet: {path: /healthz, port: 8080}\n          periodSeconds: 2\n          failureThreshold: 2\n", kind)
	}
	runReal(t, c, ns, []realCase{
		{name: "liveness", args: serve, container: probe("livenessProbe"), code: explain.CodeLivenessProbeFailed,
			evidence: "HTTP probe failed with statuscode: 503"},
		{name: "readiness", args: serve, container: probe("readinessProbe"), code: explain.CodeReadinessProbeFailed,
			evidence: "HTTP probe failed with statuscode: 503"},
		{name: "startup", args: serve, container: probe("startupProbe"), code: explain.CodeStartupProbeFailed,
			evidence: "HTTP probe failed with statuscode: 503"},
	}, 3*time.Minute)
}

func TestRealNodeConfig(t *testing.T) {
	c, ns := realSetup(t)
	apply(t, ns, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: present\ndata:\n  other: x\n")
	runReal(t, c, ns, []realCase{
		{name: "configmap", container: "        envFrom:\n        - configMapRef: {name: app-config}\n",
			code: explain.CodeConfigMapNotFound, evidence: `configmap "app-config" not found`},
		{name: "secret", container: "        envFrom:\n        - secretRef: {name: app-secret}\n",
			code: explain.CodeSecretNotFound, evidence: `secret "app-secret" not found`},
		{name: "key", container: "        env:\n        - name: MODE\n          valueFrom:\n            configMapKeyRef: {name: present, key: mode}\n",
			code: explain.CodeConfigKeyNotFound, evidence: `couldn't find key mode in ConfigMap`},
		// A Secret volume: the kubelet cannot mount it, and says so in events.
		{name: "mount", container: "        volumeMounts:\n        - {name: creds, mountPath: /creds}\n",
			spec: "      volumes:\n      - name: creds\n        secret: {secretName: db-creds}\n",
			code: explain.CodeSecretNotFound, evidence: `secret "db-creds" not found`},
	}, 2*time.Minute)
}

func TestRealNodeInitAndSidecar(t *testing.T) {
	c, ns := realSetup(t)
	initc := func(name, extra string) string {
		return fmt.Sprintf("      initContainers:\n      - name: %s\n        image: %s\n        args: [\"-exit\", \"1\", \"-after\", \"1s\"]\n%s",
			name, c.testapp(), extra)
	}
	runReal(t, c, ns, []realCase{
		{name: "init", spec: initc("migrate", ""), code: explain.CodeCrashLoopBackOff, init: "migrate",
			facts: map[string]string{"init": "true", "exitCode": "1"}},
		// A sidecar is an init container with restartPolicy Always.
		{name: "sidecar", spec: initc("proxy", "        restartPolicy: Always\n"), code: explain.CodeCrashLoopBackOff, init: "proxy",
			facts: map[string]string{"exitCode": "1"}},
	}, 3*time.Minute)
}

// TestRealNodePreviousLog: --logs quotes the crashed run's real log, read
// through the apiserver from the kubelet, with the panic line marked.
func TestRealNodePreviousLog(t *testing.T) {
	c, ns := realSetup(t)
	apply(t, ns, realDeployment("logs", c.testapp(), []string{"-log", "connecting to db", "-panic", "db unreachable", "-after", "1s"}, "", ""))
	// The log, NotReady and CrashLoopBackOff on the first line, together: for
	// the second it runs, the container is Ready (see checkReal).
	waitWhy(t, 3*time.Minute, "NotReady, CrashLoopBackOff and the previous log", func(r result) bool {
		first, _, _ := strings.Cut(r.Stdout, "\n")
		return strings.Contains(first, "NotReady") && strings.Contains(first, string(explain.CodeCrashLoopBackOff)) &&
			contains("> panic: db unreachable", "  connecting to db")(r)
	}, "deploy/logs", "-n", ns, "--logs")
}

// realSetup makes t a parallel test on the real node, with a fresh
// namespace.
func realSetup(t *testing.T) (realCluster, string) {
	t.Helper()
	t.Parallel()
	c := needRealNode(t)
	return c, namespace(t)
}

// runReal runs each case as a parallel subtest: its deployment on the real
// node in ns, checked by checkReal within timeout.
func runReal(t *testing.T, c realCluster, ns string, cases []realCase, timeout time.Duration) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			apply(t, ns, realDeployment(tc.name, cmp.Or(tc.image, c.testapp()), tc.args, tc.container, tc.spec))
			checkReal(t, ns, tc, timeout)
		})
	}
}

// tryDecode is decode for polling: a run that printed no report is not yet
// the answer.
func tryDecode(r result) (explain.Report, bool) {
	var rep explain.Report
	err := json.Unmarshal([]byte(r.Stdout), &rep)
	return rep, err == nil
}
