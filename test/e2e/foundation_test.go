//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
)

func TestHealthyDeploymentIsReady(t *testing.T) {
	ns := setup(t, deployment("web", "nginx:1.27", 2, nil, ""))
	r := waitReady(t, 90*time.Second, "deploy/web", ns)
	if !strings.Contains(r.Stdout, "Ready") {
		t.Fatalf("want Ready in output:\n%s", r)
	}
	j := why(t, "deploy/web", "-n", ns, "-o", "json")
	rep := decode(t, j)
	if len(rep.Items) != 1 || rep.Items[0].Verdict != explain.VerdictReady {
		t.Fatalf("want one Ready item, got %+v", rep.Items)
	}
	for _, f := range rep.Items[0].Findings {
		if f.Severity == explain.SeverityError {
			t.Errorf("healthy deployment has an error finding: %+v", f)
		}
	}
}

func TestImageCannotBePulled(t *testing.T) {
	ns := setup(t, deployment("broken", "registry.example/app:v2", 1, map[string]string{"why.test/fault": "image-not-found"}, ""))
	r := waitCode(t, 90*time.Second, explain.CodeImageNotFound, "deploy/broken", ns)
	if r.Code != 2 {
		t.Errorf("exit code = %d, want 2 (not Ready)", r.Code)
	}
	tree := why(t, "deploy/broken", "-n", ns)
	for _, want := range []string{"registry.example/app:v2", "ImageNotFound"} {
		if !strings.Contains(tree.Stdout, want) {
			t.Errorf("tree output lacks %q:\n%s", want, tree.Stdout)
		}
	}
}

func TestCrashLoop(t *testing.T) {
	ns := setup(t, deployment("crashy", "busybox:1.36", 1, map[string]string{"why.test/fault": "crashloop"}, ""))
	r := waitCode(t, 90*time.Second, explain.CodeCrashLoopBackOff, "deploy/crashy", ns)
	f := finding(t, r, explain.CodeCrashLoopBackOff)
	if f.Container != "app" {
		t.Errorf("container = %q, want app", f.Container)
	}
}

func TestUnschedulableRealScheduler(t *testing.T) {
	ns := setup(t, deployment("huge", "nginx:1.27", 1, nil, `        resources:
          requests:
            cpu: "100"
`))
	r := waitWhy(t, 90*time.Second, "Unschedulable from the real scheduler",
		func(r result) bool {
			return hasCode(t, r, explain.CodeUnschedulable) || hasCode(t, r, explain.CodeInsufficientResources)
		}, "deploy/huge", "-n", ns, "-o", "json")
	if !strings.Contains(evidence(t, r), "Insufficient cpu") {
		t.Errorf("want the scheduler's own message (Insufficient cpu) as evidence:\n%s", r.Stdout)
	}
}

func TestQuotaBlocksDeployment(t *testing.T) {
	ns := setup(t)
	podsQuota(t, ns, 1)
	apply(t, ns, deployment("many", "nginx:1.27", 3, nil, ""))
	r := waitCode(t, 90*time.Second, explain.CodeQuotaExceeded, "deploy/many", ns)
	if !strings.Contains(evidence(t, r), "exceeded quota: pods-max") {
		t.Errorf("want the controller's FailedCreate message verbatim:\n%s", r.Stdout)
	}
}

// podsQuota puts a ResourceQuota pods-max of n pods in ns and waits for the
// quota controller to compute it, so that the pods that follow are counted.
func podsQuota(t *testing.T, ns string, n int) {
	t.Helper()
	apply(t, ns, fmt.Sprintf("apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: pods-max\nspec:\n  hard:\n    pods: \"%d\"\n", n))
	waitFor(t, 30*time.Second, "quota status", func() bool {
		out, _ := kubectlErr("", "get", "resourcequota", "pods-max", "-n", ns, "-o", "jsonpath={.status.hard.pods}")
		return out == fmt.Sprint(n)
	})
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown kind", []string{"deploymnt/x"}, "deployment"},
		{"missing object", []string{"deploy/does-not-exist", "-n", "default"}, `"does-not-exist" not found`},
		{"malformed file", []string{"-f", "testdata/malformed.yaml"}, "malformed.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := why(t, tc.args...)
			if r.Code != 1 {
				t.Errorf("exit code = %d, want 1", r.Code)
			}
			if !strings.Contains(r.Stderr, tc.want) || strings.Count(strings.TrimSpace(r.Stderr), "\n") > 0 {
				t.Errorf("want one line naming %q, got:\n%s", tc.want, r.Stderr)
			}
		})
	}
	t.Run("unreachable cluster", func(t *testing.T) {
		r := why(t, "deploy/x", "--server", "https://127.0.0.1:1", "--request-timeout", "5s")
		if r.Code != 1 || !strings.Contains(r.Stderr, "unreachable") {
			t.Errorf("want exit 1 and 'unreachable', got:\n%s", r)
		}
	})
}

func decode(t *testing.T, r result) explain.Report {
	t.Helper()
	var rep explain.Report
	if err := json.Unmarshal([]byte(r.Stdout), &rep); err != nil {
		t.Fatalf("decode -o json: %v\n%s", err, r)
	}
	return rep
}

func hasCode(t *testing.T, r result, c explain.Code) bool {
	t.Helper()
	var rep explain.Report
	if json.Unmarshal([]byte(r.Stdout), &rep) != nil {
		return false
	}
	for _, it := range rep.Items {
		for _, f := range it.Findings {
			if f.Code == c {
				return true
			}
		}
	}
	return false
}

func finding(t *testing.T, r result, c explain.Code) explain.Finding {
	t.Helper()
	for _, it := range decode(t, r).Items {
		for _, f := range it.Findings {
			if f.Code == c {
				return f
			}
		}
	}
	t.Fatalf("no finding %s in:\n%s", c, r)
	return explain.Finding{}
}

// evidence joins every evidence message and cause of a -o json result,
// decoded, so tests can look for the components' own words verbatim.
func evidence(t *testing.T, r result) string {
	t.Helper()
	var b strings.Builder
	for _, it := range decode(t, r).Items {
		for _, f := range it.Findings {
			b.WriteString(f.Cause + "\n")
			for _, e := range f.Evidence {
				b.WriteString(e.Message + "\n")
			}
		}
	}
	return b.String()
}
