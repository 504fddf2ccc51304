//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
)

// The verdict comes from the workload's own status; pods and events explain
// it, they never overturn it. Each test below is a case users reported as
// a false alarm, produced by the real controllers.

// A quota that refused pods and was raised since: the deployment reaches
// 3/3 while the old FailedCreate events still live. Ready, exit 0.
func TestQuotaRaisedSinceIsReady(t *testing.T) {
	ns := setup(t)
	podsQuota(t, ns, 1)
	apply(t, ns, deployment("grow", "nginx:1.27", 3, nil, ""))
	waitCode(t, 90*time.Second, explain.CodeQuotaExceeded, "deploy/grow", ns)
	kubectl(t, "", "patch", "resourcequota", "pods-max", "-n", ns, "--type=merge", "-p", `{"spec":{"hard":{"pods":"10"}}}`)
	r := waitReady(t, 120*time.Second, "deploy/grow", ns, "-o", "json")
	if hasCode(t, r, explain.CodeQuotaExceeded) {
		t.Errorf("a FailedCreate event from before the quota was raised is not a cause:\n%s", r)
	}
	if ev := kubectl(t, "", "get", "events", "-n", ns, "--field-selector", "reason=FailedCreate", "-o", "name"); strings.TrimSpace(ev) == "" {
		t.Errorf("the test meant to keep the old FailedCreate events alive, found none")
	}
}

// Paused after the rollout completed: nothing is pending. Ready, with a note.
func TestPausedAfterRolloutIsReady(t *testing.T) {
	ns := setup(t, deployment("still", "nginx:1.27", 2, nil, ""))
	waitReady(t, 90*time.Second, "deploy/still", ns)
	kubectl(t, "", "rollout", "pause", "deploy/still", "-n", ns)
	r := waitWhy(t, 30*time.Second, "the paused note", contains("paused"), "deploy/still", "-n", ns)
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "deployment/still  Ready") {
		t.Errorf("paused with nothing pending is Ready, exit 0:\n%s", r)
	}
}

// A deployment whose first pods were evicted, fixed since: the new pods
// serve, the evicted ones stay listed until the terminated-pod GC. Ready,
// with one LeftoverPods warning, exit 0; --failing shows it.
func TestEvictedPodsLeftBehindAreAWarning(t *testing.T) {
	ns := setup(t, deployment("evict", "nginx:1.27", 2, map[string]string{"why.test/fault": "evicted"}, ""))
	r := waitCode(t, 90*time.Second, explain.CodeEvicted, "deploy/evict", ns)
	if r.Code != 2 {
		t.Errorf("pods evicted one after another keep the deployment NotReady:\n%s", r)
	}
	// A new revision without the fault: its pods run, the evicted stay.
	kubectl(t, "", "patch", "deploy/evict", "-n", ns, "--type=json", "-p", `[{"op":"remove","path":"/spec/template/metadata/annotations"}]`)
	r = waitReady(t, 90*time.Second, "deploy/evict", ns, "-o", "json")
	it := decode(t, r).Items[0]
	if it.Verdict != explain.VerdictReady || len(it.Findings) == 0 || it.Findings[0].Code != explain.CodeLeftoverPods || it.Findings[0].Severity != explain.SeverityWarning {
		t.Errorf("want Ready with a LeftoverPods warning first:\n%s", r)
	}
	if f := why(t, "deploy", "-n", ns, "--failing"); f.Code != 0 || !strings.Contains(f.Stdout, "Ready (warning)") {
		t.Errorf("--failing shows a Ready deployment with a warning, exit 0:\n%s", f)
	}
}

// A pod deleted and held by a finalizer beside a deployment whose
// replacement serves: the pod is NotReady (StuckTerminating), the
// deployment Ready with the stuck pod as a warning.
func TestStuckTerminatingPod(t *testing.T) {
	ns := setup(t, deployment("held", "nginx:1.27", 1, nil, "      terminationGracePeriodSeconds: 1\n"))
	waitReady(t, 90*time.Second, "deploy/held", ns)
	pod := strings.TrimSpace(kubectl(t, "", "get", "pods", "-n", ns, "-l", "app=held", "-o", "jsonpath={.items[0].metadata.name}"))
	kubectl(t, "", "patch", "pod", pod, "-n", ns, "--type=merge", "-p", `{"metadata":{"finalizers":["example.com/hold"]}}`)
	t.Cleanup(func() {
		kubectlErr("", "patch", "pod", pod, "-n", ns, "--type=merge", "-p", `{"metadata":{"finalizers":null}}`)
	})
	kubectl(t, "", "delete", "pod", pod, "-n", ns, "--wait=false")
	r := waitCode(t, 120*time.Second, explain.CodeStuckTerminating, "pod/"+pod, ns)
	if it := decode(t, r).Items[0]; it.Verdict != explain.VerdictNotReady || r.Code != 2 {
		t.Errorf("a pod held past its grace period is never Ready: exit %d %+v", r.Code, it)
	}
	r = waitWhy(t, 60*time.Second, "the deployment Ready with the stuck pod said", func(r result) bool { return r.Code == 0 && hasCode(t, r, explain.CodeStuckTerminating) },
		"deploy/held", "-n", ns, "-o", "json")
	if f := finding(t, r, explain.CodeStuckTerminating); f.Severity != explain.SeverityWarning {
		t.Errorf("beside a satisfied deployment the stuck pod is a warning: %+v", f)
	}
}
