//go:build e2e

package e2e

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
)

// Each workload cause here is produced by the real controllers and
// admission plugins of the local control plane, not by fixtures.

func TestLimitRangeRejectsPods(t *testing.T) {
	ns := setup(t,
		`apiVersion: v1
kind: LimitRange
metadata:
  name: max-mem
spec:
  limits:
  - type: Container
    max:
      memory: 1Gi
`,
		deployment("big", "nginx:1.27", 1, nil, `        resources:
          limits:
            memory: 2Gi
`),
	)
	r := waitCode(t, 90*time.Second, explain.CodeLimitRangeViolation, "deploy/big", ns)
	if !strings.Contains(evidence(t, r), "maximum memory usage per Container is 1Gi, but limit is 2Gi") {
		t.Errorf("want the LimitRanger's message verbatim:\n%s", r.Stdout)
	}
}

func TestPodSecurityRestricted(t *testing.T) {
	t.Parallel()
	ns := namespace(t, "pod-security.kubernetes.io/enforce=restricted")
	apply(t, ns, deployment("priv", "nginx:1.27", 1, nil, `        securityContext:
          privileged: true
`))
	r := waitCode(t, 90*time.Second, explain.CodePodSecurityViolation, "deploy/priv", ns)
	if !strings.Contains(evidence(t, r), `violates PodSecurity "restricted:latest"`) {
		t.Errorf("want the PodSecurity admission message verbatim:\n%s", r.Stdout)
	}
}

func TestMissingServiceAccount(t *testing.T) {
	ns := setup(t, deployment("nosa", "nginx:1.27", 1, nil, "")+"      serviceAccountName: ghost\n")
	waitCode(t, 90*time.Second, explain.CodeServiceAccountNotFound, "deploy/nosa", ns)
}

func TestProgressDeadlineExceeded(t *testing.T) {
	ns := setup(t)
	m := strings.Replace(deployment("slow", "registry.example/app:v2", 1, map[string]string{"why.test/fault": "image-not-found"}, ""),
		"spec:\n  replicas: 1", "spec:\n  progressDeadlineSeconds: 5\n  replicas: 1", 1)
	apply(t, ns, m)
	r := waitCode(t, 120*time.Second, explain.CodeProgressDeadlineExceeded, "deploy/slow", ns)
	// The deadline is the workload's symptom; the pod's own cause is named too.
	if !hasCode(t, r, explain.CodeImageNotFound) {
		t.Errorf("want the blocking pod's cause (ImageNotFound) beside the deadline:\n%s", r.Stdout)
	}
}

func TestPausedRollout(t *testing.T) {
	ns := setup(t, deployment("paused", "nginx:1.27", 1, nil, ""))
	waitReady(t, 90*time.Second, "deploy/paused", ns)
	kubectl(t, "", "rollout", "pause", "deploy/paused", "-n", ns)
	kubectl(t, "", "set", "image", "deploy/paused", "app=nginx:1.28", "-n", ns)
	waitCode(t, 60*time.Second, explain.CodeRolloutPaused, "deploy/paused", ns)
}

func TestStatefulSetBlockedAtOrdinalZero(t *testing.T) {
	ns := setup(t, statefulset("db", "postgres:17", 3, "", "        resources:\n          requests:\n            cpu: \"100\"\n"))
	r := waitCode(t, 90*time.Second, explain.CodeOrderedStartBlocked, "sts/db", ns)
	f := finding(t, r, explain.CodeOrderedStartBlocked)
	if !strings.Contains(f.Cause+strings.Join(f.Pods, " ")+r.Stdout, "db-0") {
		t.Errorf("want the blocking ordinal db-0 named:\n%s", r.Stdout)
	}
	if !hasCode(t, r, explain.CodeUnschedulable) && !hasCode(t, r, explain.CodeInsufficientResources) {
		t.Errorf("want db-0's own cause (the scheduler's verdict):\n%s", r.Stdout)
	}
}

func TestStatefulSetPartition(t *testing.T) {
	ns := setup(t, statefulset("cache", "redis:7", 2, "  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate:\n      partition: 2\n", ""))
	waitReady(t, 90*time.Second, "sts/cache", ns)
	kubectl(t, "", "set", "image", "sts/cache", "cache=redis:8", "-n", ns)
	waitCode(t, 60*time.Second, explain.CodePartitionHolding, "sts/cache", ns)
}

func TestNewRevisionFailsWhileOldServes(t *testing.T) {
	ns := setup(t, deployment("api", "nginx:1.27", 2, nil, ""))
	waitReady(t, 90*time.Second, "deploy/api", ns)
	apply(t, ns, deployment("api", "registry.example/app:v2", 2, map[string]string{"why.test/fault": "image-not-found"}, ""))
	r := waitCode(t, 90*time.Second, explain.CodeRolloutStuck, "deploy/api", ns)
	f := finding(t, r, explain.CodeRolloutStuck)
	text := f.Cause + " " + strings.Join(slices.Collect(maps.Values(f.Facts)), " ")
	for _, want := range []string{"nginx:1.27", "registry.example/app:v2"} {
		if !strings.Contains(text, want) {
			t.Errorf("RolloutStuck should name what differs (%s): %+v", want, f)
		}
	}
	if r.Code != 2 {
		t.Errorf("exit = %d, want 2", r.Code)
	}
}

func TestHealthyRolloutIsNotAFailure(t *testing.T) {
	ns := setup(t, deployment("roll", "nginx:1.27", 4, nil, ""))
	waitReady(t, 90*time.Second, "deploy/roll", ns)
	// Slow the rollout down so there is a moment to look at it mid-way.
	kubectl(t, "", "patch", "deploy/roll", "-n", ns, "--type=merge", "-p", `{"spec":{"minReadySeconds":20,"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}`)
	waitReady(t, 60*time.Second, "deploy/roll", ns)
	kubectl(t, "", "set", "image", "deploy/roll", "app=nginx:1.28", "-n", ns)
	time.Sleep(3 * time.Second)
	r := why(t, "deploy/roll", "-n", ns, "-o", "json")
	rep := decode(t, r)
	if len(rep.Items) != 1 {
		t.Fatalf("want one item:\n%s", r)
	}
	it := rep.Items[0]
	// maxUnavailable 0: every desired replica serves all along. A check
	// that runs every minute must not alarm on this deploy: Progressing,
	// exit 4, and not listed by --failing.
	if it.Verdict != explain.VerdictProgressing || r.Code != 4 {
		t.Fatalf("a healthy rollout in progress is Progressing, exit 4: exit %d %+v", r.Code, it)
	}
	for _, f := range it.Findings {
		if f.Severity == explain.SeverityError {
			t.Errorf("error finding on a healthy rollout: %+v", f)
		}
	}
	if f := why(t, "deploy", "-n", ns, "--failing"); strings.Contains(f.Stdout, "deployment/roll") {
		t.Errorf("--failing lists a healthy rollout:\n%s", f)
	}
}
