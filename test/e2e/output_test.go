//go:build e2e

package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
)

func TestWaitReturnsZeroWhenReady(t *testing.T) {
	ns := setup(t, deployment("soon", "nginx:1.27", 2, nil, ""))
	start := time.Now()
	r := why(t, "deploy/soon", "-n", ns, "--wait", "--timeout", "90s")
	if r.Code != 0 {
		t.Fatalf("--wait on a deployment that becomes Ready: exit %d, want 0\n%s", r.Code, r)
	}
	t.Logf("Ready after %s", time.Since(start).Round(time.Second))
}

// TestWaitWatchesInsteadOfListing: --wait reads once and then follows
// the deployment with watches: a rollout that fixes it, seconds later,
// ends the wait with exit 0 after at most 2 pod LISTs (the first read's
// and the informer's), where re-reading every 2 s made one per pass.
func TestWaitWatchesInsteadOfListing(t *testing.T) {
	ns := setup(t, deployment("fixed", "nginx:1.27", 2, map[string]string{"why.test/fault": "readiness-fail"}, ""))
	go func() {
		time.Sleep(6 * time.Second)
		if out, err := kubectlErr("", "-n", ns, "patch", "deploy/fixed", "--type=json", "-p",
			`[{"op":"remove","path":"/spec/template/metadata/annotations"}]`); err != nil {
			t.Errorf("patch: %v\n%s", err, out)
		}
	}()
	r := why(t, "deploy/fixed", "-n", ns, "--wait", "--timeout", "90s", "--stats")
	if r.Code != 0 || !strings.Contains(r.Stderr, "waiting: ") {
		t.Fatalf("--wait on a deployment fixed while it waits: exit %d, want 0 after a progress line\n%s", r.Code, r)
	}
	m := regexp.MustCompile(`list pods=(\d+)`).FindStringSubmatch(r.Stderr)
	if m == nil {
		t.Fatalf("no pod LIST in the stats:\n%s", r.Stderr)
	}
	if n, _ := strconv.Atoi(m[1]); n > 2 {
		t.Fatalf("%d pod LISTs, want at most 2: --wait must follow with watches\n%s", n, r.Stderr)
	}
	if !strings.Contains(r.Stderr, "watch pods=") {
		t.Errorf("no pod watch in the stats:\n%s", r.Stderr)
	}
}

func TestWaitStopsFastOnPermanentCause(t *testing.T) {
	ns := setup(t, deployment("never", "registry.example/app:v2", 1, map[string]string{"why.test/fault": "image-not-found"}, ""))
	start := time.Now()
	r := why(t, "deploy/never", "-n", ns, "--wait", "--timeout", "3m")
	took := time.Since(start)
	if r.Code != 2 {
		t.Fatalf("exit %d, want 2\n%s", r.Code, r)
	}
	if took > time.Minute {
		t.Errorf("--wait took %s: a permanent cause must stop it long before the 3m timeout", took)
	}
	if !strings.Contains(r.Stderr, "stopped waiting: ImageNotFound") || !strings.Contains(r.Stdout, "registry.example/app:v2") {
		t.Errorf("want the permanent cause named:\n%s", r)
	}
	t.Logf("stopped after %s", took.Round(time.Second))
}

func TestWaitTimesOut(t *testing.T) {
	ns := setup(t, deployment("stuck", "nginx:1.27", 1, map[string]string{"why.test/fault": "readiness-fail"}, ""))
	r := why(t, "deploy/stuck", "-n", ns, "--wait", "--timeout", "8s")
	if r.Code != 2 || !strings.Contains(r.Stderr, "timed out after 8s") {
		t.Fatalf("want exit 2 and the timeout named:\n%s", r)
	}
}

func TestFailingTableAcrossNamespaces(t *testing.T) {
	ns := setup(t,
		deployment("good", "nginx:1.27", 1, nil, ""),
		deployment("bad", "registry.example/app:v2", 1, map[string]string{"why.test/fault": "image-not-found"}, ""),
	)
	// The good pod must be Ready first: a pod still starting is rightly
	// listed by --failing, and the test would then race kwok.
	waitReady(t, 90*time.Second, "deploy/good", ns)
	r := waitWhy(t, 90*time.Second, "the bad pod in the table", func(r result) bool {
		return strings.Contains(r.Stdout, ns) && strings.Contains(r.Stdout, "ImageNotFound")
	}, "pod", "-A", "--failing")
	if r.Code != 2 {
		t.Errorf("exit %d, want 2", r.Code)
	}
	header := strings.Fields(strings.SplitN(r.Stdout, "\n", 2)[0])
	if strings.Join(header, " ") != "NAMESPACE OBJECT READY STATUS CAUSE DETAIL AGE" {
		t.Errorf("header = %v", header)
	}
	for _, line := range strings.Split(r.Stdout, "\n") {
		if strings.Contains(line, ns) && strings.Contains(line, "pod/good-") {
			t.Errorf("--failing listed a Ready pod: %s", line)
		}
	}
	if strings.Contains(r.Stdout, "\x1b[") {
		t.Errorf("NO_COLOR is set: no escape codes expected")
	}
}

func TestJSONParsesBackAndColorIsOptOut(t *testing.T) {
	ns := setup(t, deployment("web", "nginx:1.27", 1, nil, ""))
	waitReady(t, 90*time.Second, "deploy/web", ns)
	rep := decode(t, why(t, "deploy/web", "-n", ns, "-o", "json"))
	if rep.APIVersion != explain.ReportAPIVersion || rep.Kind != explain.ReportKind || len(rep.Items) != 1 {
		t.Fatalf("report = %+v", rep)
	}
	// --color=always colors; NO_COLOR (set by whyEnv) wins over auto only.
	colored := why(t, "deploy/web", "-n", ns, "--color=always")
	if !strings.Contains(colored.Stdout, "\x1b[") {
		t.Errorf("--color=always must color:\n%q", colored.Stdout)
	}
	plain := why(t, "deploy/web", "-n", ns)
	if strings.Contains(plain.Stdout, "\x1b[") {
		t.Errorf("NO_COLOR must be honoured:\n%q", plain.Stdout)
	}
	dumb := whyEnv(t, []string{"NO_COLOR=", "TERM=dumb"}, "deploy/web", "-n", ns, "--color=auto")
	if strings.Contains(dumb.Stdout, "\x1b[") {
		t.Errorf("auto must not color a pipe or TERM=dumb:\n%q", dumb.Stdout)
	}
}
