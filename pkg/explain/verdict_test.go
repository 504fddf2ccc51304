package explain

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// checkAgrees holds the promise of the verdict: the word, the findings'
// severity and the summary never contradict each other.
func checkAgrees(t testing.TB, what string, r Result) {
	t.Helper()
	errs := hasSeverity(r.Findings, SeverityError)
	switch r.Verdict {
	case VerdictReady, VerdictProgressing:
		if errs {
			t.Errorf("%s: %s with an Error finding %v: the verdict and the findings disagree\n%s", what, r.Verdict, codes(r.Findings), renderResult(r))
		}
	case VerdictNotReady:
		if len(r.Findings) == 0 || r.Findings[0].Severity == SeverityInfo {
			t.Errorf("%s: NotReady, but no finding says why (first %v)\n%s", what, codes(r.Findings), renderResult(r))
		}
	case VerdictUnknown:
	default:
		t.Errorf("%s: verdict %q is not one of Ready, Progressing, NotReady, Unknown", what, r.Verdict)
	}
	if r.Summary == "" {
		t.Errorf("%s: no summary", what)
	}
	if r.Completed && r.Verdict != VerdictReady {
		t.Errorf("%s: Completed but %s", what, r.Verdict)
	}
	if r.Flapping && !hasCode(r.Findings, CodeFlapping) {
		t.Errorf("%s: flapping without a Flapping finding", what)
	}
	if r.Target.Kind == KindJob && r.Verdict == VerdictReady && !r.Completed {
		t.Errorf("%s: a Job is Ready only when it completed", what)
	}
	// A replica count says Ready: every desired replica ready. A Job's
	// count is what succeeded (SuccessCriteriaMet may end it early), and
	// a CronJob's is its newest run's, which says nothing of its verdict.
	if r.Verdict == VerdictReady && r.Target.Kind != KindPod && r.Target.Kind != KindCronJob && !r.Completed {
		var ready, desired int
		if _, err := fmt.Sscanf(r.Ready, "%d/%d", &ready, &desired); err != nil || ready < desired {
			t.Errorf("%s: Ready with %q ready: the word and the count disagree", what, r.Ready)
		}
	}
}

func TestVerdictsAgreeOnEveryFixture(t *testing.T) {
	for _, name := range fixtureNames(t) {
		g := loadFixture(t, name)
		for i := range g.Snap.Pods {
			checkAgrees(t, "pod fixture "+name, ExplainPod(g, &g.Snap.Pods[i]))
		}
	}
	for _, name := range workloadNames(t) {
		checkAgrees(t, "workload fixture "+name, explainOnly(t, loadWorkload(t, name)))
	}
}

// TestSatisfiedWorkloadIsReady puts every pod fixture, whatever it shows
// (crash loops, evictions, a stuck deletion, a node gone), under a
// Deployment and a StatefulSet whose own status says complete: the verdict
// stays Ready. Pods explain a workload; they never overturn its status.
func TestSatisfiedWorkloadIsReady(t *testing.T) {
	for _, wl := range []string{"healthy", "partition"} {
		for _, name := range fixtureNames(t) {
			g := loadWorkload(t, wl)
			s := g.Snap
			complete(s)
			graft(s, loadFixture(t, name).Snap)
			r := explainOnly(t, graph.New(s))
			if r.Verdict != VerdictReady {
				t.Errorf("%s with pod fixture %s: verdict %s, want Ready: its status says complete\n%s", wl, name, r.Verdict, renderResult(r))
			}
			checkAgrees(t, wl+"+"+name, r)
		}
	}
}

// complete sets the workloads of s to what their controllers report when
// a rollout is done: observed, every desired replica updated, ready and
// available, one revision.
func complete(s *graph.Snapshot) {
	for i := range s.Deployments {
		d := &s.Deployments[i]
		n := replicas(d.Spec.Replicas, 1)
		d.Spec.Paused = false
		d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: n, UpdatedReplicas: n, ReadyReplicas: n, AvailableReplicas: n,
			Conditions: []appsv1.DeploymentCondition{
				{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"},
				{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable"},
			}}
	}
	for i := range s.StatefulSets {
		st := &s.StatefulSets[i]
		n := replicas(st.Spec.Replicas, 1)
		st.Status = appsv1.StatefulSetStatus{ObservedGeneration: st.Generation, Replicas: n, ReadyReplicas: n, AvailableReplicas: n,
			CurrentReplicas: n, UpdatedReplicas: n, CurrentRevision: "rev-1", UpdateRevision: "rev-1"}
	}
}

// graft adds the pods (and their events, nodes and claims) of from to s,
// owned by s's newest ReplicaSet or its StatefulSet.
func graft(s, from *graph.Snapshot) {
	var owner metav1.OwnerReference
	switch {
	case len(s.StatefulSets) > 0:
		st := s.StatefulSets[0]
		owner = metav1.OwnerReference{APIVersion: "apps/v1", Kind: KindStatefulSet, Name: st.Name, UID: st.UID, Controller: ptrTrue()}
	default:
		rs := graph.New(s).ReplicaSetsOf(s.Deployments[0].UID)[0]
		owner = metav1.OwnerReference{APIVersion: "apps/v1", Kind: KindReplicaSet, Name: rs.Name, UID: rs.UID, Controller: ptrTrue()}
	}
	ns := owner.Name
	if len(s.Pods) > 0 {
		ns = s.Pods[0].Namespace
	}
	for _, p := range from.Pods {
		p.Namespace = ns
		p.OwnerReferences = []metav1.OwnerReference{owner}
		s.Pods = append(s.Pods, p)
	}
	for _, e := range from.Events {
		e.Namespace, e.InvolvedObject.Namespace = ns, ns
		s.Events = append(s.Events, e)
	}
	s.Nodes = append(s.Nodes, from.Nodes...)
	for _, c := range from.PVCs {
		c.Namespace = ns
		s.PVCs = append(s.PVCs, c)
	}
}

func ptrTrue() *bool { b := true; return &b }

// FuzzDeploymentVerdict fuzzes a Deployment's status counts and
// conditions, with the pods of one pod fixture under it: the verdict
// always agrees with its findings and count, and a status that says
// complete is always Ready.
func FuzzDeploymentVerdict(f *testing.F) {
	f.Add(uint8(0), int8(3), int8(3), int8(3), int8(3), int8(3), true, uint8(1), false, false)
	f.Add(uint8(5), int8(4), int8(5), int8(2), int8(4), int8(4), true, uint8(1), false, false)
	f.Add(uint8(9), int8(3), int8(1), int8(1), int8(1), int8(1), true, uint8(2), true, true)
	base := loadWorkload(f, "healthy").Snap
	var pods []*graph.Snapshot
	for _, name := range fixtureNames(f) {
		pods = append(pods, loadFixture(f, name).Snap)
	}
	f.Fuzz(func(t *testing.T, fixture uint8, desired, replicas, updated, ready, available int8, observed bool, avail uint8, deadline, paused bool) {
		s := cloneSnap(base)
		graft(s, cloneSnap(pods[int(fixture)%len(pods)]))
		d := &s.Deployments[0]
		n := int32(desired) & 15
		d.Spec.Replicas = &n
		d.Spec.Paused = paused
		d.Generation = 2
		st := appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: int32(replicas) & 15, UpdatedReplicas: int32(updated) & 15,
			ReadyReplicas: int32(ready) & 15, AvailableReplicas: int32(available) & 15}
		if observed {
			st.ObservedGeneration = 2
		}
		if c := []corev1.ConditionStatus{"", corev1.ConditionTrue, corev1.ConditionFalse}[avail%3]; c != "" {
			st.Conditions = append(st.Conditions, appsv1.DeploymentCondition{Type: appsv1.DeploymentAvailable, Status: c})
		}
		if deadline {
			st.Conditions = append(st.Conditions, appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"})
		}
		d.Status = st
		r := explainOnly(t, graph.New(s))
		checkAgrees(t, "fuzzed deployment", r)
		done := observed && st.UpdatedReplicas >= n && st.Replicas == n && st.ReadyReplicas >= n && st.AvailableReplicas >= n && avail%3 != 2 && !deadline
		if done && r.Verdict != VerdictReady {
			t.Errorf("status says complete, verdict %s\n%s", r.Verdict, renderResult(r))
		}
	})
}

// FuzzDaemonSetVerdict fuzzes a DaemonSet's status counts over its
// captured pods: the verdict always agrees with its findings and count,
// and a status that says complete is always Ready.
func FuzzDaemonSetVerdict(f *testing.F) {
	f.Add(int8(3), int8(3), int8(3), int8(3), int8(3), int8(0), true, false)
	f.Add(int8(3), int8(3), int8(2), int8(1), int8(2), int8(0), true, false)
	f.Add(int8(3), int8(2), int8(2), int8(3), int8(2), int8(1), false, true)
	bases := []*graph.Snapshot{loadWorkload(f, "ds-rolling").Snap, loadWorkload(f, "ds-node-failing").Snap}
	f.Fuzz(func(t *testing.T, desired, current, ready, updated, available, misscheduled int8, observed, onDelete bool) {
		for _, base := range bases {
			s := cloneSnap(base)
			ds := &s.DaemonSets[0]
			ds.Generation = 2
			if onDelete {
				ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
			}
			st := appsv1.DaemonSetStatus{ObservedGeneration: 1, DesiredNumberScheduled: int32(desired) & 15, CurrentNumberScheduled: int32(current) & 15,
				NumberReady: int32(ready) & 15, UpdatedNumberScheduled: int32(updated) & 15, NumberAvailable: int32(available) & 15, NumberMisscheduled: int32(misscheduled) & 3}
			if observed {
				st.ObservedGeneration = 2
			}
			ds.Status = st
			r := explainOnly(t, graph.New(s))
			checkAgrees(t, "fuzzed daemonset", r)
			d := st.DesiredNumberScheduled
			if observed && st.CurrentNumberScheduled == d && st.UpdatedNumberScheduled >= d && st.NumberReady >= d && st.NumberAvailable >= d && r.Verdict != VerdictReady {
				t.Errorf("status says complete, verdict %s\n%s", r.Verdict, renderResult(r))
			}
		}
	})
}

// FuzzJobVerdict fuzzes a Job's conditions and counts over its captured
// pods: Complete is Ready (Completed), Failed is NotReady, and the verdict
// always agrees with its findings.
func FuzzJobVerdict(f *testing.F) {
	f.Add(uint8(0), int8(1), int8(0), int8(0), false)
	f.Add(uint8(1), int8(0), int8(0), int8(2), false)
	f.Add(uint8(2), int8(0), int8(1), int8(0), true)
	bases := []*graph.Snapshot{loadWorkload(f, "job-backoff").Snap, loadWorkload(f, "job-running").Snap, loadWorkload(f, "job-complete").Snap}
	conds := []batchv1.JobConditionType{"", batchv1.JobComplete, batchv1.JobFailed, batchv1.JobSuspended, batchv1.JobFailureTarget, batchv1.JobSuccessCriteriaMet}
	f.Fuzz(func(t *testing.T, cond uint8, active, succeeded, failed int8, suspend bool) {
		for _, base := range bases {
			s := cloneSnap(base)
			j := &s.Jobs[0]
			j.Spec.Suspend = &suspend
			j.Status.Active, j.Status.Succeeded, j.Status.Failed = int32(active)&7, int32(succeeded)&7, int32(failed)&7
			j.Status.Conditions = nil
			c := conds[int(cond)%len(conds)]
			if c != "" {
				j.Status.Conditions = []batchv1.JobCondition{{Type: c, Status: corev1.ConditionTrue, Reason: "Fuzzed"}}
			}
			r := explainOnly(t, graph.New(s))
			checkAgrees(t, "fuzzed job", r)
			switch c {
			case batchv1.JobFailed, batchv1.JobFailureTarget:
				if r.Verdict != VerdictNotReady {
					t.Errorf("Failed, verdict %s\n%s", r.Verdict, renderResult(r))
				}
			case batchv1.JobComplete, batchv1.JobSuccessCriteriaMet:
				if r.Verdict != VerdictReady || !r.Completed {
					t.Errorf("Complete, verdict %s completed=%v\n%s", r.Verdict, r.Completed, renderResult(r))
				}
			}
		}
	})
}

// cloneSnap deep-copies the objects of a snapshot, so a fuzz iteration can
// change them without reading its fixture again.
func cloneSnap(s *graph.Snapshot) *graph.Snapshot {
	c := *s
	c.Pods = deepCopies(s.Pods, (*corev1.Pod).DeepCopy)
	c.ReplicaSets = deepCopies(s.ReplicaSets, (*appsv1.ReplicaSet).DeepCopy)
	c.Deployments = deepCopies(s.Deployments, (*appsv1.Deployment).DeepCopy)
	c.StatefulSets = deepCopies(s.StatefulSets, (*appsv1.StatefulSet).DeepCopy)
	c.DaemonSets = deepCopies(s.DaemonSets, (*appsv1.DaemonSet).DeepCopy)
	c.Jobs = deepCopies(s.Jobs, (*batchv1.Job).DeepCopy)
	c.CronJobs = deepCopies(s.CronJobs, (*batchv1.CronJob).DeepCopy)
	c.Events = deepCopies(s.Events, (*corev1.Event).DeepCopy)
	c.Nodes = deepCopies(s.Nodes, (*corev1.Node).DeepCopy)
	c.PVCs = deepCopies(s.PVCs, (*corev1.PersistentVolumeClaim).DeepCopy)
	c.Gaps, c.Collected, c.Logs = maps.Clone(s.Gaps), maps.Clone(s.Collected), maps.Clone(s.Logs)
	return &c
}

func deepCopies[T any](in []T, cp func(*T) *T) []T {
	out := make([]T, len(in))
	for i := range in {
		out[i] = *cp(&in[i])
	}
	return out
}

// TestEveryCodeHasAFixture: every code in the table shows in the golden
// output of at least one pod or workload fixture ("[Code]" heads a finding
// there), so its words are reviewed, and grepping a code finds its fixture:
// testdata/*/golden/NAME.txt is the output of testdata/*/NAME.yaml.
func TestEveryCodeHasAFixture(t *testing.T) {
	goldens, err := filepath.Glob(filepath.Join("testdata", "*", "golden", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, g := range goldens {
		// A golden whose fixture is gone is no longer checked: it proves nothing.
		fixture := filepath.Join(filepath.Dir(filepath.Dir(g)), strings.TrimSuffix(filepath.Base(g), ".txt")+".yaml")
		if _, err := os.Stat(fixture); err != nil {
			t.Errorf("golden %s has no fixture %s: delete it", g, fixture)
			continue
		}
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	text := all.String()
	for _, c := range Codes {
		if !strings.Contains(text, "["+string(c.Code)+"]") {
			t.Errorf("code %s shows in no golden file: add a fixture under testdata/pods or testdata/workloads whose answer carries it (or remove the code)", c.Code)
		}
	}
}
