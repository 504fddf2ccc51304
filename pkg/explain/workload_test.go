package explain

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// The workload fixtures were captured from the local control plane
// (kubectl get deploy,rs,sts,pods,events,pvc -o yaml, and the nodes), so
// the controllers' conditions and admission messages are the real ones.
func loadWorkload(t testing.TB, name string) *graph.Graph {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "workloads", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := loadSnapshot(data)
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return graph.New(s)
}

func explainOnly(t testing.TB, g *graph.Graph) Result {
	t.Helper()
	var targets []Ref
	for i := range g.Snap.Deployments {
		targets = append(targets, deployRef(&g.Snap.Deployments[i]))
	}
	for i := range g.Snap.StatefulSets {
		targets = append(targets, stsRef(&g.Snap.StatefulSets[i]))
	}
	for i := range g.Snap.DaemonSets {
		targets = append(targets, dsRef(&g.Snap.DaemonSets[i]))
	}
	// A CronJob's Jobs are explained through it; a Job alone on its own.
	for i := range g.Snap.CronJobs {
		targets = append(targets, cronRef(&g.Snap.CronJobs[i]))
	}
	if len(g.Snap.CronJobs) == 0 {
		for i := range g.Snap.Jobs {
			targets = append(targets, jobRef(&g.Snap.Jobs[i]))
		}
	}
	rep := Explain(g, targets)
	if len(rep.Items) != 1 {
		t.Fatalf("want one target, got %d", len(rep.Items))
	}
	return rep.Items[0]
}

func TestWorkloads(t *testing.T) {
	for _, tc := range []struct {
		fixture  string
		verdict  Verdict
		first    Code              // the cause shown first
		also     []Code            // also present
		facts    map[string]string // facts of the first finding
		inCause  []string          // words of the first cause
		noErrors bool
	}{
		{fixture: "healthy", verdict: VerdictReady, noErrors: true},
		{fixture: "zero", verdict: VerdictReady, first: CodeScaledToZero, noErrors: true},
		{fixture: "rolling", verdict: VerdictProgressing, first: CodeRolloutInProgress, noErrors: true, inCause: []string{"revision 2"}},
		{fixture: "quota", verdict: VerdictNotReady, first: CodeQuotaExceeded,
			facts: map[string]string{"quota": "compute", "requested": "limits.memory=2Gi", "limited": "limits.memory=3Gi"}},
		{fixture: "quota-limits", verdict: VerdictNotReady, first: CodeQuotaRequiresLimits, inCause: []string{"limits.cpu"}},
		{fixture: "limitrange", verdict: VerdictNotReady, first: CodeLimitRangeViolation, inCause: []string{"maximum memory usage per Container is 1Gi, but limit is 2Gi"}},
		{fixture: "psa", verdict: VerdictNotReady, first: CodePodSecurityViolation, facts: map[string]string{"level": "restricted:latest"}, inCause: []string{"privileged"}},
		{fixture: "sa", verdict: VerdictNotReady, first: CodeServiceAccountNotFound, facts: map[string]string{"serviceAccount": "ghost"}},
		{fixture: "deadline", verdict: VerdictNotReady, first: CodeImageNotFound, also: []Code{CodeProgressDeadlineExceeded}},
		// Paused mid-way with every replica serving: not finished, not failed.
		{fixture: "paused", verdict: VerdictProgressing, first: CodeRolloutPaused, noErrors: true},
		// Paused after the rollout completed: Ready, with a note.
		{fixture: "paused-complete", verdict: VerdictReady, noErrors: true},
		{fixture: "stuck", verdict: VerdictNotReady, first: CodeImageNotFound, also: []Code{CodeRolloutStuck}},
		{fixture: "group", verdict: VerdictNotReady, first: CodeImageNotFound, inCause: []string{"3 pods:"}},
		// A satisfied deployment is Ready whatever its pods' leftovers say.
		{fixture: "leftover-evicted", verdict: VerdictReady, first: CodeLeftoverPods, noErrors: true,
			facts: map[string]string{"reasons": "1 Evicted"}},
		{fixture: "stuck-terminating", verdict: VerdictReady, first: CodeStuckTerminating, noErrors: true},
		{fixture: "flapping-rollup", verdict: VerdictReady, first: CodeFlapping, noErrors: true,
			facts: map[string]string{"restarts": "12", "exitCode": "1"}},
		// The quota was raised: the old FailedCreate events describe the past.
		{fixture: "quota-recovered", verdict: VerdictReady, noErrors: true},
		// ...but a ReplicaFailure condition still set is said, as a warning.
		{fixture: "replicafailure-ready", verdict: VerdictReady, first: CodeQuotaExceeded, noErrors: true},
		{fixture: "not-observed", verdict: VerdictProgressing, first: CodeRolloutInProgress, noErrors: true, inCause: []string{"generation 2"}},
		{fixture: "starting", verdict: VerdictNotReady, first: CodeReplicasUnavailable, noErrors: true},
		{fixture: "replicas-missing", verdict: VerdictNotReady, first: CodeReplicasMissing, facts: map[string]string{"have": "2", "want": "3"}},
		{fixture: "partition", verdict: VerdictProgressing, first: CodePartitionHolding, noErrors: true},
		{fixture: "sts-ondelete", verdict: VerdictProgressing, first: CodeOnDeleteUpdatePending, noErrors: true},
		{fixture: "sts-rolling", verdict: VerdictProgressing, first: CodeUpdateRevisionPending, noErrors: true},
		{fixture: "sts-broken-trap", verdict: VerdictNotReady, first: CodeBrokenPodNotReplaced, also: []Code{CodeCrashLoopBackOff}},
		{fixture: "webhook-denied", verdict: VerdictNotReady, first: CodeAdmissionWebhookDenied, facts: map[string]string{"webhook": "policy.example.com"}},
		{fixture: "webhook-unreachable", verdict: VerdictNotReady, first: CodeAdmissionWebhookUnreachable, facts: map[string]string{"webhook": "policy.example.com"}},
		{fixture: "failedcreate-other", verdict: VerdictNotReady, first: CodeFailedCreate},
		// Ready pods that wait out minReadySeconds are not available yet:
		// NotReady, said as a wait, not as an error.
		{fixture: "min-ready", verdict: VerdictNotReady, first: CodeNotYetAvailable, noErrors: true, inCause: []string{"minReadySeconds is 300s"}},
		{fixture: "rs-forbidden", verdict: VerdictUnknown, first: CodeAccessForbidden, noErrors: true, inCause: []string{"replicasets could not be read"}},
		{fixture: "sts-pvc-pending", verdict: VerdictNotReady, first: CodeOrderedStartBlocked, also: []Code{CodeVolumeClaimTemplatePending}},
		// The controller's own Available=False is the verdict, whatever the counts.
		{fixture: "available-false", verdict: VerdictNotReady, first: CodeReplicasUnavailable, noErrors: true, inCause: []string{"Available condition is False"}},
		{fixture: "scaling-down", verdict: VerdictProgressing, first: CodeRolloutInProgress, noErrors: true, inCause: []string{"scaling down: 1 pod more than desired"}},
		// A DaemonSet failing on one node names the node; a rollout within
		// maxUnavailable is Progressing; misscheduled pods are a warning.
		{fixture: "ds-node-failing", verdict: VerdictNotReady, first: CodeDaemonPodFailingOnNode, also: []Code{CodeUnschedulable},
			facts: map[string]string{"nodes": "kwok-node-1"}, inCause: []string{"node kwok-node-1", "host port"}},
		{fixture: "ds-rolling", verdict: VerdictProgressing, first: CodeRolloutInProgress, noErrors: true},
		{fixture: "ds-misscheduled", verdict: VerdictReady, first: CodeDaemonSetMisscheduled, noErrors: true},
		// Jobs: the conditions are the verdict; a failed Job names its last pod's cause.
		{fixture: "job-backoff", verdict: VerdictNotReady, first: CodeBackoffLimitExceeded, also: []Code{CodeContainerTerminated},
			facts: map[string]string{"failed": "2", "backoffLimit": "1"}, inCause: []string{"exit code 1"}},
		{fixture: "job-deadline", verdict: VerdictNotReady, first: CodeJobDeadlineExceeded, inCause: []string{"activeDeadlineSeconds (5s)"}},
		{fixture: "job-pod-failure-policy", verdict: VerdictNotReady, first: CodeJobPodFailurePolicy, inCause: []string{"exit code 42"}},
		{fixture: "job-max-failed-indexes", verdict: VerdictNotReady, first: CodeMaxFailedIndexesExceeded},
		{fixture: "job-failed-indexes", verdict: VerdictNotReady, first: CodeJobFailed, facts: map[string]string{"reason": "FailedIndexes"}},
		{fixture: "job-suspended", verdict: VerdictProgressing, first: CodeJobSuspended, noErrors: true},
		{fixture: "job-running", verdict: VerdictProgressing, first: CodeJobRunning, noErrors: true},
		{fixture: "job-retrying", verdict: VerdictProgressing, first: CodeJobRetrying, noErrors: true, facts: map[string]string{"failed": "1", "backoffLimit": "3"}},
		{fixture: "job-complete", verdict: VerdictReady, noErrors: true},
		// CronJobs: the newest run's verdict, or the controller's own word.
		{fixture: "cj-last-run-failed", verdict: VerdictNotReady, first: CodeCronJobLastRunFailed, also: []Code{CodeBackoffLimitExceeded, CodeContainerTerminated},
			facts: map[string]string{"job": "backup-29937246", "reason": "BackoffLimitExceeded"}},
		{fixture: "cj-suspended", verdict: VerdictReady, first: CodeCronJobSuspended, noErrors: true},
		{fixture: "cj-invalid-timezone", verdict: VerdictNotReady, first: CodeCronJobInvalidSchedule},
		{fixture: "cj-missed-schedule", verdict: VerdictNotReady, first: CodeCronJobMissedSchedule},
		{fixture: "cj-forbid-blocked", verdict: VerdictReady, first: CodeCronJobConcurrencyBlocked, noErrors: true},
		{fixture: "sts", verdict: VerdictNotReady, first: CodeOrderedStartBlocked,
			facts:   map[string]string{"blockingPod": "db-0", "notCreated": "db-1,db-2"},
			inCause: []string{"100 cpu"}},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			r := explainOnly(t, loadWorkload(t, tc.fixture))
			if r.Verdict != tc.verdict {
				t.Errorf("verdict = %s, want %s (%s)", r.Verdict, tc.verdict, r.Summary)
			}
			if tc.first != "" {
				if len(r.Findings) == 0 || r.Findings[0].Code != tc.first {
					t.Fatalf("first finding = %v, want %s", codes(r.Findings), tc.first)
				}
				for k, v := range tc.facts {
					if got := r.Findings[0].Facts[k]; got != v {
						t.Errorf("fact %s = %q, want %q", k, got, v)
					}
				}
				for _, w := range tc.inCause {
					if !strings.Contains(r.Findings[0].Cause, w) {
						t.Errorf("cause %q lacks %q", r.Findings[0].Cause, w)
					}
				}
			}
			for _, c := range tc.also {
				if !hasCode(r.Findings, c) {
					t.Errorf("findings %v lack %s", codes(r.Findings), c)
				}
			}
			if tc.noErrors && hasSeverity(r.Findings, SeverityError) {
				t.Errorf("no error expected, got %v", codes(r.Findings))
			}
			if r.Tree == nil {
				t.Error("no tree")
			}
		})
	}
}

func codes(fs []Finding) []Code {
	var out []Code
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func TestRolloutStuckNamesWhatChanged(t *testing.T) {
	r := explainOnly(t, loadWorkload(t, "stuck"))
	for _, f := range r.Findings {
		if f.Code != CodeRolloutStuck {
			continue
		}
		if !strings.Contains(f.Facts["changed"], "nginx:1.27 -> registry.example/app:v2") {
			t.Errorf("changed = %q", f.Facts["changed"])
		}
		if f.Facts["newRevision"] != "2" || f.Facts["oldRevision"] != "1" {
			t.Errorf("revisions = %v", f.Facts)
		}
		return
	}
	t.Fatal("no RolloutStuck")
}

func TestGroupingCountsPods(t *testing.T) {
	r := explainOnly(t, loadWorkload(t, "group"))
	f := r.Findings[0]
	if f.Count != 3 || len(f.Pods) != 3 || f.Object.Kind != KindReplicaSet {
		t.Fatalf("want one finding for 3 pods of the replicaset, got count=%d pods=%v object=%v", f.Count, f.Pods, f.Object)
	}
	for _, other := range r.Findings[1:] {
		if other.Code == CodeImageNotFound {
			t.Errorf("the same cause is reported twice: %+v", other)
		}
	}
}

// When only some replicas fail and they share a node that the healthy ones
// do not, the finding says so.
func TestGroupingSaysWhatSetsFailingPodsApart(t *testing.T) {
	g := loadWorkload(t, "healthy")
	s := g.Snap
	// Break two of the three healthy pods the same way, both on one node.
	broken := 0
	for i := range s.Pods {
		p := &s.Pods[i]
		if broken == 2 {
			p.Spec.NodeName = "kwok-node-2"
			continue
		}
		p.Spec.NodeName = "kwok-node-0"
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse}}
		p.Status.ContainerStatuses[0].Ready = false
		p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{
			Reason: "CreateContainerConfigError", Message: `secret "db" not found`}}
		broken++
	}
	s.Deployments[0].Status.ReadyReplicas = 1
	r := explainOnly(t, graph.New(s))
	f := r.Findings[0]
	if f.Count != 2 || f.Facts["onlyNode"] != "kwok-node-0" || !strings.Contains(f.Cause, "only on node kwok-node-0") {
		t.Fatalf("want 2 pods set apart by node kwok-node-0, got %+v", f)
	}
}

func TestReplicaSetsForbiddenIsUnknown(t *testing.T) {
	g := loadWorkload(t, "healthy")
	g.Snap.ReplicaSets = nil
	g.Snap.AddGap(graph.ResReplicaSets, "forbidden")
	r := explainOnly(t, graph.New(g.Snap))
	if r.Verdict != VerdictUnknown {
		t.Fatalf("verdict = %s, want Unknown: a deployment whose pods cannot be found is never Ready", r.Verdict)
	}
}

func TestStatefulSetOrdinalsStart(t *testing.T) {
	if o, ok := ordinalOf("db", "db-12"); !ok || o != 12 {
		t.Fatalf("ordinalOf = %d %v", o, ok)
	}
	if _, ok := ordinalOf("db", "dbx-1"); ok {
		t.Fatal("dbx-1 is not an ordinal of db")
	}
	g := loadWorkload(t, "sts")
	st := &g.Snap.StatefulSets[0]
	st.Spec.Ordinals = &appsv1.StatefulSetOrdinals{Start: 5}
	r := explainOnly(t, graph.New(g.Snap))
	for _, f := range r.Findings {
		if f.Code == CodeOrderedStartBlocked {
			t.Fatalf("with ordinals.start 5, db-0 is not an ordinal of the set: %+v", f)
		}
	}
}

func TestPSASummary(t *testing.T) {
	got := psaSummary(`privileged (container "app" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)`)
	if got != "privileged, allowPrivilegeEscalation != false" {
		t.Fatalf("got %q", got)
	}
}
