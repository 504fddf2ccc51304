//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
)

// Each workload cause here is produced by the real controllers and
// admission plugins of the local control plane, not by fixtures.

func TestLimitRangeRejectsPods(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, `apiVersion: v1
kind: LimitRange
metadata:
  name: max-mem
spec:
  limits:
  - type: Container
    max:
      memory: 1Gi
`)
	apply(t, ns, deployment("big", "nginx:1.27", 1, nil, `        resources:
          limits:
            memory: 2Gi
`))
	r := waitWhy(t, 90*time.Second, "LimitRangeViolation", func(r result) bool { return hasCode(t, r, explain.CodeLimitRangeViolation) },
		"deploy/big", "-n", ns, "-o", "json")
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
	r := waitWhy(t, 90*time.Second, "PodSecurityViolation", func(r result) bool { return hasCode(t, r, explain.CodePodSecurityViolation) },
		"deploy/priv", "-n", ns, "-o", "json")
	if !strings.Contains(evidence(t, r), `violates PodSecurity "restricted:latest"`) {
		t.Errorf("want the PodSecurity admission message verbatim:\n%s", r.Stdout)
	}
}

func TestMissingServiceAccount(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, deployment("nosa", "nginx:1.27", 1, nil, "")+"      serviceAccountName: ghost\n")
	waitWhy(t, 90*time.Second, "ServiceAccountNotFound", func(r result) bool { return hasCode(t, r, explain.CodeServiceAccountNotFound) },
		"deploy/nosa", "-n", ns, "-o", "json")
}

func TestProgressDeadlineExceeded(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	m := strings.Replace(deployment("slow", "registry.example/app:v2", 1, map[string]string{"why.test/fault": "image-not-found"}, ""),
		"spec:\n  replicas: 1", "spec:\n  progressDeadlineSeconds: 5\n  replicas: 1", 1)
	apply(t, ns, m)
	r := waitWhy(t, 120*time.Second, "ProgressDeadlineExceeded", func(r result) bool { return hasCode(t, r, explain.CodeProgressDeadlineExceeded) },
		"deploy/slow", "-n", ns, "-o", "json")
	// The deadline is the workload's symptom; the pod's own cause is named too.
	if !hasCode(t, r, explain.CodeImageNotFound) {
		t.Errorf("want the blocking pod's cause (ImageNotFound) beside the deadline:\n%s", r.Stdout)
	}
}

func TestPausedRollout(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, deployment("paused", "nginx:1.27", 1, nil, ""))
	waitWhy(t, 90*time.Second, "Ready first", func(r result) bool { return r.Code == 0 }, "deploy/paused", "-n", ns)
	kubectl(t, "", "rollout", "pause", "deploy/paused", "-n", ns)
	kubectl(t, "", "set", "image", "deploy/paused", "app=nginx:1.28", "-n", ns)
	waitWhy(t, 60*time.Second, "RolloutPaused", func(r result) bool { return hasCode(t, r, explain.CodeRolloutPaused) },
		"deploy/paused", "-n", ns, "-o", "json")
}

func TestStatefulSetBlockedAtOrdinalZero(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, statefulset("db", "postgres:17", 3, "", "        resources:\n          requests:\n            cpu: \"100\"\n"))
	r := waitWhy(t, 90*time.Second, "OrderedStartBlocked", func(r result) bool { return hasCode(t, r, explain.CodeOrderedStartBlocked) },
		"sts/db", "-n", ns, "-o", "json")
	f := finding(t, r, explain.CodeOrderedStartBlocked)
	if !strings.Contains(f.Cause+strings.Join(f.Pods, " ")+r.Stdout, "db-0") {
		t.Errorf("want the blocking ordinal db-0 named:\n%s", r.Stdout)
	}
	if !hasCode(t, r, explain.CodeUnschedulable) && !hasCode(t, r, explain.CodeInsufficientResources) {
		t.Errorf("want db-0's own cause (the scheduler's verdict):\n%s", r.Stdout)
	}
}

func TestStatefulSetPartition(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, statefulset("cache", "redis:7", 2, "  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate:\n      partition: 2\n", ""))
	waitWhy(t, 90*time.Second, "cache Ready", func(r result) bool { return r.Code == 0 }, "sts/cache", "-n", ns)
	kubectl(t, "", "set", "image", "sts/cache", "cache=redis:8", "-n", ns)
	waitWhy(t, 60*time.Second, "PartitionHolding", func(r result) bool { return hasCode(t, r, explain.CodePartitionHolding) },
		"sts/cache", "-n", ns, "-o", "json")
}

func TestNewRevisionFailsWhileOldServes(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, deployment("api", "nginx:1.27", 2, nil, ""))
	waitWhy(t, 90*time.Second, "api Ready", func(r result) bool { return r.Code == 0 }, "deploy/api", "-n", ns)
	apply(t, ns, deployment("api", "registry.example/app:v2", 2, map[string]string{"why.test/fault": "image-not-found"}, ""))
	r := waitWhy(t, 90*time.Second, "RolloutStuck", func(r result) bool { return hasCode(t, r, explain.CodeRolloutStuck) },
		"deploy/api", "-n", ns, "-o", "json")
	f := finding(t, r, explain.CodeRolloutStuck)
	text := f.Cause + " " + strings.Join(mapValues(f.Facts), " ")
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
	t.Parallel()
	ns := namespace(t)
	apply(t, ns, deployment("roll", "nginx:1.27", 4, nil, ""))
	waitWhy(t, 90*time.Second, "roll Ready", func(r result) bool { return r.Code == 0 }, "deploy/roll", "-n", ns)
	// Slow the rollout down so there is a moment to look at it mid-way.
	kubectl(t, "", "patch", "deploy/roll", "-n", ns, "--type=merge", "-p", `{"spec":{"minReadySeconds":20,"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}`)
	waitWhy(t, 60*time.Second, "Ready after patch", func(r result) bool { return r.Code == 0 }, "deploy/roll", "-n", ns)
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

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
