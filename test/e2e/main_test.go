//go:build e2e

// Package e2e runs the built plugin through `kubectl why` against the local
// control plane of hack/cluster.sh: a real kube-apiserver, controller-manager
// and scheduler, with kwok playing the kubelets. Nothing here is mocked.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

var (
	repoRoot   string
	kubeconfig string // the cluster admin's, for setting up
	readerKube string // the plugin's own: a ServiceAccount bound to --print-rbac only
	binDir     string
	client     kubernetes.Interface
)

// readerSA is the identity the plugin runs as in every e2e test, so that the
// audit log can tell its requests apart and the suite proves --print-rbac
// is enough.
const readerSA = "why-reader"

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	wd, _ := os.Getwd()
	repoRoot = filepath.Clean(filepath.Join(wd, "..", ".."))
	kubeconfig = os.Getenv("WHY_KUBECONFIG")
	if kubeconfig == "" {
		dir := os.Getenv("WHY_CLUSTER_DIR")
		if dir == "" {
			dir = filepath.Join(repoRoot, "_output", "cluster")
		}
		kubeconfig = filepath.Join(dir, "kubeconfig")
	}
	if _, err := os.Stat(kubeconfig); err != nil {
		// Not a skip: `make e2e` starts the cluster, and a run that quietly
		// skipped every e2e test would pass for the wrong reason.
		fmt.Fprintf(os.Stderr, "e2e: no kubeconfig at %s: start the local control plane with hack/cluster.sh up\n", kubeconfig)
		return 1
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	client = kubernetes.NewForConfigOrDie(cfg)

	// Build the plugin once; kubectl finds it on PATH as kubectl-why.
	tmp, err := os.MkdirTemp("", "why-e2e-bin-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	binDir = tmp
	build := exec.Command("go", "build", "-o", filepath.Join(binDir, "kubectl-why"), "./cmd/kubectl-why")
	build.Dir = repoRoot
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: build kubectl-why: %v\n", err)
		return 1
	}
	readerKube = filepath.Join(binDir, "reader.kubeconfig")
	if err := makeReader(readerKube); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: set up the reader ServiceAccount: %v\n", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: running against the local control plane (kubeconfig %s)\n", kubeconfig)
	code := m.Run()
	if code == 0 && !answersAreShort() {
		return 1
	}
	return code
}

// The brevity promise of docs/output.md: the median answer a person reads
// (the tree of one named target) is at most 12 non-blank lines. Every
// answer a test waited for is read again as a person would, and counted.
const maxMedianLines = 12

var (
	answersMu sync.Mutex
	answers   []int
)

// measureAnswer reruns a waited-for `kubectl why TARGET ...` in the form a
// person reads (the tree, no -o) and records its length.
func measureAnswer(t *testing.T, args []string) {
	t.Helper()
	var plain []string
	named := false
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-o" || a == "--output":
			i++
		case strings.HasPrefix(a, "-o") || strings.HasPrefix(a, "--output="):
		case a == "--failing" || a == "-A" || a == "--all-namespaces" || a == "-l" || a == "--selector":
			return // a table, not one answer
		default:
			plain = append(plain, a)
			named = named || strings.Contains(a, "/")
		}
	}
	if !named {
		return
	}
	r := why(t, plain...)
	if r.Code == 1 || strings.HasPrefix(r.Stdout, "OBJECT ") || strings.HasPrefix(r.Stdout, "NAMESPACE ") {
		return
	}
	n := 0
	for _, l := range strings.Split(r.Stdout, "\n") {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	answersMu.Lock()
	answers = append(answers, n)
	answersMu.Unlock()
}

// answersAreShort prints the measured lengths and holds the median.
func answersAreShort() bool {
	answersMu.Lock()
	defer answersMu.Unlock()
	if len(answers) == 0 {
		return true // a -run that waited for nothing
	}
	slices.Sort(answers)
	median := answers[len(answers)/2]
	if len(answers)%2 == 0 {
		median = (answers[len(answers)/2-1] + answers[len(answers)/2]) / 2
	}
	fmt.Fprintf(os.Stderr, "e2e: answers as printed: median %d non-blank lines over %d (min %d, max %d)\n", median, len(answers), answers[0], answers[len(answers)-1])
	if median > maxMedianLines {
		fmt.Fprintf(os.Stderr, "e2e: FAIL: the median answer is longer than %d lines\n", maxMedianLines)
		return false
	}
	return true
}

// result is one run of kubectl why.
type result struct {
	Stdout, Stderr string
	Code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.Code, r.Stdout, r.Stderr)
}

// why runs `kubectl why ARGS...` through kubectl's plugin mechanism.
func why(t *testing.T, args ...string) result {
	t.Helper()
	return whyEnv(t, nil, args...)
}

func whyEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return runWhy(t, nil, env, args...)
}

// runWhy runs `kubectl why ARGS...` as the least-privilege reader, with
// stdin (nil for none) and env added to the test's own environment.
func runWhy(t *testing.T, stdin io.Reader, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "kubectl", append([]string{"why"}, args...)...)
	cmd.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"), "KUBECONFIG="+readerKube, "NO_COLOR=1")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{Stdout: out.String(), Stderr: errb.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.Code = exit.ExitCode()
	default:
		t.Fatalf("run kubectl why %v: %v", args, err)
	}
	if stdin != nil {
		t.Logf("kubectl why %s < stdin\n%s", strings.Join(args, " "), r)
	} else {
		t.Logf("kubectl why %s\n%s", strings.Join(args, " "), r)
	}
	return r
}

// kubectl runs kubectl as the cluster admin and fails the test on error.
func kubectl(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, err := kubectlErr(stdin, args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func kubectlErr(stdin string, args ...string) (string, error) {
	cmd := exec.Command("kubectl", append([]string{"--kubeconfig", kubeconfig}, args...)...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// namespace creates a fresh namespace for one test and deletes it after.
func namespace(t *testing.T, labels ...string) string {
	t.Helper()
	name := fmt.Sprintf("e2e-%s-%04d", strings.ToLower(sanitize(t.Name())), rand.IntN(10000))
	if len(name) > 60 {
		name = name[:55] + fmt.Sprintf("-%04d", rand.IntN(10000))
	}
	kubectl(t, "", "create", "namespace", name)
	if len(labels) > 0 {
		kubectl(t, "", append([]string{"label", "namespace", name}, labels...)...)
	}
	waitFor(t, 30*time.Second, "default serviceaccount in "+name, func() bool {
		_, err := kubectlErr("", "get", "serviceaccount", "default", "-n", name)
		return err == nil
	})
	t.Cleanup(func() {
		if os.Getenv("WHY_E2E_KEEP") == "" {
			_, _ = kubectlErr("", "delete", "namespace", name, "--wait=false")
		}
	})
	return name
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteRune('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// apply applies a manifest in ns.
func apply(t *testing.T, ns, manifest string) {
	t.Helper()
	kubectl(t, manifest, "apply", "-n", ns, "-f", "-")
}

// waitFor polls cond every 500ms until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
}

// waitWhy polls kubectl why until match holds on its result.
func waitWhy(t *testing.T, timeout time.Duration, what string, match func(result) bool, args ...string) result {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last result
	for {
		last = why(t, args...)
		if match(last) {
			measureAnswer(t, args)
			return last
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s; last run:\n%s", timeout, what, last)
		}
		time.Sleep(2 * time.Second)
	}
}

// waitCode polls kubectl why TARGET -n ns -o json until a finding has code.
func waitCode(t *testing.T, timeout time.Duration, code explain.Code, target, ns string) result {
	t.Helper()
	return waitWhy(t, timeout, string(code), func(r result) bool { return hasCode(t, r, code) }, target, "-n", ns, "-o", "json")
}

// wantEvidence checks that some finding quotes sub verbatim; what says
// whose message it is.
func wantEvidence(t *testing.T, r result, sub, what string) {
	t.Helper()
	if !strings.Contains(evidence(t, r), sub) {
		t.Errorf("%s (%q):\n%s", what, sub, r.Stdout)
	}
}

func contains(sub ...string) func(result) bool {
	return func(r result) bool {
		for _, s := range sub {
			if !strings.Contains(r.Stdout, s) {
				return false
			}
		}
		return true
	}
}

// deployment renders a Deployment manifest.
func deployment(name, image string, replicas int, podAnnotations map[string]string, extraSpec string) string {
	ann := ""
	if len(podAnnotations) > 0 {
		ann = "      annotations:\n"
		for k, v := range podAnnotations {
			ann += fmt.Sprintf("        %s: %q\n", k, v)
		}
	}
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
spec:
  replicas: %[3]d
  selector:
    matchLabels:
      app: %[1]s
  template:
    metadata:
      labels:
        app: %[1]s
%[4]s    spec:
      containers:
      - name: app
        image: %[2]s
%[5]s`, name, image, replicas, ann, extraSpec)
}

// job renders a Job whose one container runs image once.
func job(name, container, image string) string {
	return fmt.Sprintf(`apiVersion: batch/v1
kind: Job
metadata:
  name: %s
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: %s, image: %s}]
`, name, container, image)
}

// statefulset renders a StatefulSet whose one container (named as the set)
// runs image. specExtra is added to its spec (2-space indent: an
// updateStrategy, volumeClaimTemplates), containerExtra to its container
// (8-space indent: resources).
func statefulset(name, image string, replicas int, specExtra, containerExtra string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: %[1]s
spec:
  serviceName: %[1]s
  replicas: %[3]d
%[4]s  selector:
    matchLabels: {app: %[1]s}
  template:
    metadata:
      labels: {app: %[1]s}
    spec:
      containers:
      - name: %[1]s
        image: %[2]s
%[5]s`, name, image, replicas, specExtra, containerExtra)
}

// makeReader binds a ServiceAccount to the ClusterRole the plugin prints
// with --print-rbac and writes a kubeconfig that uses its token.
func makeReader(path string) error {
	rbac, err := exec.Command(filepath.Join(binDir, "kubectl-why"), "--print-rbac").Output()
	if err != nil {
		return fmt.Errorf("kubectl-why --print-rbac: %w", err)
	}
	steps := []struct {
		stdin string
		args  []string
	}{
		{string(rbac), []string{"apply", "-f", "-"}},
		{"", []string{"create", "serviceaccount", readerSA, "-n", "kube-system"}},
		{"", []string{"create", "clusterrolebinding", readerSA, "--clusterrole=kubectl-why", "--serviceaccount=kube-system:" + readerSA}},
	}
	for _, st := range steps {
		if out, err := kubectlErr(st.stdin, st.args...); err != nil && !strings.Contains(out, "AlreadyExists") && !strings.Contains(out, "already exists") {
			return fmt.Errorf("kubectl %s: %v: %s", strings.Join(st.args, " "), err, out)
		}
	}
	token, err := kubectlErr("", "create", "token", readerSA, "-n", "kube-system", "--duration=2h")
	if err != nil {
		return fmt.Errorf("create token: %v: %s", err, token)
	}
	return writeTokenKubeconfig(path, strings.TrimSpace(token))
}

// writeTokenKubeconfig copies the admin kubeconfig's cluster and uses token.
func writeTokenKubeconfig(path, token string) error {
	cfg, err := clientcmd.LoadFromFile(kubeconfig)
	if err != nil {
		return err
	}
	ctx := cfg.Contexts[cfg.CurrentContext]
	if ctx == nil {
		return fmt.Errorf("kubeconfig %s has no current context", kubeconfig)
	}
	for name := range cfg.AuthInfos {
		delete(cfg.AuthInfos, name)
	}
	cfg.AuthInfos["reader"] = clientcmdapi.NewAuthInfo()
	cfg.AuthInfos["reader"].Token = token
	ctx.AuthInfo = "reader"
	ctx.Namespace = "default"
	return clientcmd.WriteToFile(*cfg, path)
}

// tokenKubeconfig makes a kubeconfig for a new ServiceAccount in ns bound
// to the given rules, for the least-privilege tests.
func tokenKubeconfig(t *testing.T, ns, name, role string) string {
	t.Helper()
	kubectl(t, role, "apply", "-n", ns, "-f", "-")
	kubectl(t, "", "create", "serviceaccount", name, "-n", ns)
	kubectl(t, "", "create", "rolebinding", name, "-n", ns, "--role="+name, "--serviceaccount="+ns+":"+name)
	token := strings.TrimSpace(kubectl(t, "", "create", "token", name, "-n", ns, "--duration=1h"))
	path := filepath.Join(t.TempDir(), name+".kubeconfig")
	if err := writeTokenKubeconfig(path, token); err != nil {
		t.Fatal(err)
	}
	return path
}

// setup makes t a parallel test with a fresh namespace, with manifests
// applied in it, and returns the namespace.
func setup(t *testing.T, manifests ...string) string {
	t.Helper()
	t.Parallel()
	ns := namespace(t)
	for _, m := range manifests {
		apply(t, ns, m)
	}
	return ns
}

// waitReady polls kubectl why TARGET -n ns ARGS... until it exits 0.
func waitReady(t *testing.T, timeout time.Duration, target, ns string, args ...string) result {
	t.Helper()
	return waitWhy(t, timeout, target+" Ready", func(r result) bool { return r.Code == 0 }, append([]string{target, "-n", ns}, args...)...)
}
