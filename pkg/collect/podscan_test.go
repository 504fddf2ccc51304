package collect

import (
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"github.com/kubectl-why/kubectl-why/pkg/graph"
	"google.golang.org/protobuf/encoding/protowire"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// fixtureSnapshots are the saved states of pkg/explain's fixtures and of
// this package's testdata, read as -f reads them: real failure states, as
// the kubelet, the scheduler and the controllers write them, with the
// events and nodes saved beside them. Files that hold no pod are left out.
func fixtureSnapshots(t testing.TB) map[string]*graph.Snapshot {
	t.Helper()
	snaps := map[string]*graph.Snapshot{}
	var paths []string
	for _, glob := range []string{
		filepath.Join("..", "explain", "testdata", "pods", "*.yaml"),
		filepath.Join("..", "explain", "testdata", "workloads", "*.yaml"),
		filepath.Join("testdata", "files", "*"),
	} {
		m, err := filepath.Glob(glob)
		if err != nil || len(m) == 0 {
			t.Fatalf("no fixtures in %s: %v", glob, err)
		}
		paths = append(paths, m...)
	}
	paths = append(paths, filepath.Join("testdata", "dump"))
	for _, f := range paths {
		snap, _, err := FromFiles([]string{f}, FileOptions{Now: time.Unix(0, 0)})
		if err != nil || len(snap.Pods) == 0 {
			continue // files that are bad on purpose, or hold no pod
		}
		snaps[f] = snap
	}
	return snaps
}

// fixturePods are the pods of fixtureSnapshots, in the order of their files.
func fixturePods(t testing.TB) []corev1.Pod {
	t.Helper()
	var pods []corev1.Pod
	snaps := fixtureSnapshots(t)
	for _, f := range slices.Sorted(maps.Keys(snaps)) {
		pods = append(pods, snaps[f].Pods...)
	}
	if len(pods) < 50 {
		t.Fatalf("only %d fixture pods", len(pods))
	}
	return pods
}

func marshal(t testing.TB, p *corev1.Pod) []byte {
	t.Helper()
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func healthy(name string) corev1.Pod {
	return *readyPod("a", name, 0)
}

// The wire scan, explain's predicate and explain's pod rules agree on
// every fixture pod: on the wire a running pod is healthy exactly when
// explain.PlainlyHealthy says so, and a pod the predicate calls healthy
// gets no finding from the pod rules (DiagnosePod, with the events and
// nodes saved beside it) about the pod itself. What the rules say about
// its node (aboutTheNode) the predicate cannot see: pods are judged page
// by page while the nodes are still being listed.
func TestHealthyOnWireAgreesWithExplain(t *testing.T) {
	sawHealthy, sawKept, nodeOnly := 0, 0, 0
	for file, snap := range fixtureSnapshots(t) {
		g := graph.New(snap)
		for i := range snap.Pods {
			p := &snap.Pods[i]
			wire, typed := healthyOnWire(marshal(t, p)), explain.PlainlyHealthy(p)
			if wire && !typed {
				t.Errorf("%s: %s/%s: healthy on the wire, but explain.PlainlyHealthy keeps it: a failing pod would be hidden", file, p.Namespace, p.Name)
			}
			if p.Status.Phase == corev1.PodRunning && wire != typed {
				t.Errorf("%s: %s/%s: running pod, on the wire %v, explain.PlainlyHealthy %v", file, p.Namespace, p.Name, wire, typed)
			}
			if typed {
				for _, f := range explain.DiagnosePod(g, p) {
					if aboutTheNode(f, p) {
						nodeOnly++
						continue
					}
					t.Errorf("%s: %s/%s is plainly healthy, but explain finds %s: %s", file, p.Namespace, p.Name, f.Code, f.Cause)
				}
			}
			if wire {
				sawHealthy++
			} else if !typed {
				sawKept++
			}
		}
	}
	if sawHealthy < 3 || sawKept < 40 {
		t.Fatalf("%d pods healthy on the wire, %d kept: the test did not exercise both", sawHealthy, sawKept)
	}
	t.Logf("%d findings about the node of a plainly healthy pod", nodeOnly)
}

// aboutTheNode is a finding about the state of the pod's node (NotReady,
// tainted, under pressure), not about the pod: with --failing a Ready pod
// on such a node is dropped all the same, and its verdict stays Ready.
func aboutTheNode(f explain.Finding, p *corev1.Pod) bool {
	return (f.Code == explain.CodeNodePressure || f.Code == explain.CodeNodeNotReady) && f.Fact("node") == p.Spec.NodeName
}

// healthyOnWire must say "healthy" exactly when explain.PlainlyHealthy does
// for running pods, and never when it would keep the pod: pods made to sit
// on each edge of the predicate.
func TestHealthyOnWireEdges(t *testing.T) {
	deleting := healthy("deleting")
	deleting.DeletionTimestamp = &metav1.Time{Time: time.Unix(1, 0)}
	restarted := healthy("restarted")
	restarted.Status.ContainerStatuses = append(restarted.Status.ContainerStatuses, corev1.ContainerStatus{Name: "sidecar", RestartCount: 1})
	notReady := healthy("not-ready")
	notReady.Status.Conditions = []corev1.PodCondition{{Type: corev1.ContainersReady, Status: corev1.ConditionTrue}, {Type: corev1.PodReady, Status: corev1.ConditionFalse}}
	firstNotReady := healthy("first-ready-false")
	firstNotReady.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse}, {Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	jobDone := healthy("job-done")
	jobDone.Status.Phase = corev1.PodSucceeded
	jobDone.OwnerReferences = []metav1.OwnerReference{{Kind: "Job", Name: "j", Controller: new(bool)}}
	*jobDone.OwnerReferences[0].Controller = true
	sidecar := healthy("sidecar-restarted")
	sidecar.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "proxy", Ready: true, RestartCount: 4}}
	withManaged := healthy("managed")
	withManaged.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "kubelet"}}

	for _, tc := range []struct {
		pod        corev1.Pod
		wire, want bool
	}{
		{healthy("ok"), true, true},
		{withManaged, true, true},
		{deleting, false, false},
		{restarted, false, false},
		{sidecar, false, false},
		{notReady, false, false},
		{firstNotReady, false, false},
		{*pendingPod("a", "pending"), false, false},
		// The wire scan reads only running pods; a Job's completed pod
		// is decoded and dropped by the predicate.
		{jobDone, false, true},
	} {
		p := &tc.pod
		if wire, typed := healthyOnWire(marshal(t, p)), explain.PlainlyHealthy(p); wire != tc.wire || typed != tc.want {
			t.Errorf("%s: on the wire %v, explain.PlainlyHealthy %v; want %v, %v", p.Name, wire, typed, tc.wire, tc.want)
		}
	}
}

// TestWireFieldNumbers checks the scanner's field numbers against the
// generated core/v1 types: each field, set alone in a marshalled pod, is
// found where the constants say.
func TestWireFieldNumbers(t *testing.T) {
	find := func(msg []byte, path ...protowire.Number) ([]byte, uint64, bool) {
		var v []byte
		var x uint64
		found := false
		var descend func(m []byte, path []protowire.Number) error
		descend = func(m []byte, path []protowire.Number) error {
			return walk(m, func(num protowire.Number, b []byte, n uint64) error {
				if num != path[0] {
					return nil
				}
				if len(path) == 1 {
					v, x, found = b, n, true
					return nil
				}
				return descend(b, path[1:])
			})
		}
		if err := descend(msg, path); err != nil {
			t.Fatal(err)
		}
		return v, x, found
	}
	p := corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &metav1.Time{Time: time.Unix(7, 0)}},
		Status: corev1.PodStatus{
			Phase:                 corev1.PodRunning,
			Conditions:            []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
			ContainerStatuses:     []corev1.ContainerStatus{{Name: "app", RestartCount: 3}},
			InitContainerStatuses: []corev1.ContainerStatus{{Name: "proxy", RestartCount: 5}},
		},
	}
	b := marshal(t, &p)
	if _, _, ok := find(b, fPodMetadata, fMetaDeletion); !ok {
		t.Error("ObjectMeta.deletionTimestamp is not at the field number the scanner reads")
	}
	if v, _, _ := find(b, fPodStatus, fStatusPhase); string(v) != "Running" {
		t.Errorf("PodStatus.phase = %q at its field number", v)
	}
	if v, _, _ := find(b, fPodStatus, fStatusConds, fCondType); string(v) != "Ready" {
		t.Errorf("PodCondition.type = %q at its field number", v)
	}
	if v, _, _ := find(b, fPodStatus, fStatusConds, fCondStatus); string(v) != "True" {
		t.Errorf("PodCondition.status = %q at its field number", v)
	}
	if _, x, _ := find(b, fPodStatus, fStatusCtrs, fCtrRestartCnt); x != 3 {
		t.Errorf("containerStatuses restartCount = %d at its field number", x)
	}
	if _, x, _ := find(b, fPodStatus, fStatusInit, fCtrRestartCnt); x != 5 {
		t.Errorf("initContainerStatuses restartCount = %d at its field number", x)
	}
}

func TestScanPodListKeepsOnlyWhatKeepAccepts(t *testing.T) {
	l := corev1.PodList{
		ListMeta: metav1.ListMeta{Continue: "next-page", ResourceVersion: "42"},
		Items:    []corev1.Pod{healthy("a"), *pendingPod("a", "stuck"), *readyPod("a", "flappy", 3), healthy("b")},
	}
	b, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	keep := func(p *corev1.Pod) bool { return !explain.PlainlyHealthy(p) }
	items, meta, err := scanPodList(b, keep)
	if err != nil {
		t.Fatal(err)
	}
	if meta.Continue != "next-page" || meta.ResourceVersion != "42" {
		t.Errorf("list meta = %+v, want the continue token and resourceVersion", meta)
	}
	var names []string
	for _, p := range items {
		names = append(names, p.Name)
	}
	if len(names) != 2 || names[0] != "stuck" || names[1] != "flappy" {
		t.Fatalf("kept %v, want [stuck flappy]", names)
	}
	if items[1].Status.ContainerStatuses[0].RestartCount != 3 {
		t.Errorf("kept pods must be decoded whole: %+v", items[1].Status)
	}
	if _, _, err := scanPodList(b[:len(b)-3], keep); err == nil {
		t.Error("a truncated page must be an error, not fewer pods")
	}
}

// Whatever the bytes, a pod called healthy on the wire either does not
// decode (the whole page would fail) or is PlainlyHealthy: the shortcut can
// never hide a failing pod.
func FuzzHealthyOnWire(f *testing.F) {
	for _, p := range fixturePods(f) {
		f.Add(marshal(f, &p))
	}
	ok := healthy("ok")
	f.Add(marshal(f, &ok))
	f.Fuzz(func(t *testing.T, b []byte) {
		if !healthyOnWire(b) {
			return
		}
		var p corev1.Pod
		if err := p.Unmarshal(b); err != nil {
			return
		}
		if !explain.PlainlyHealthy(&p) {
			t.Fatalf("healthy on the wire, but PlainlyHealthy keeps it: %+v", p.Status)
		}
	})
}

// benchPods are n pods: 98% healthy copies of a Running pod with a
// bench-like spec and status, 2% fixture pods (failures).
func benchPods(b *testing.B, n int) []corev1.Pod {
	b.Helper()
	fails := fixturePods(b)
	ok := healthy("web")
	ok.Labels["pod-template-hash"] = "7d4b9c6f5"
	ok.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-7d4b9c6f5", UID: "b6747e72"}}
	ok.Spec = corev1.PodSpec{NodeName: "kwok-node-7", Containers: []corev1.Container{{Name: "app", Image: "registry.example/web:1.2.3",
		Ports: []corev1.ContainerPort{{ContainerPort: 8080}}, Env: []corev1.EnvVar{{Name: "MODE", Value: "prod"}}}}}
	ok.Status.PodIP, ok.Status.HostIP = "10.0.3.17", "10.1.0.7"
	pods := make([]corev1.Pod, n)
	for i := range pods {
		pods[i] = ok
		if i%50 == 0 {
			pods[i] = fails[i/50%len(fails)]
		}
	}
	return pods
}

// benchPage is a 1,000-pod PodList of benchPods.
func benchPage(b *testing.B) []byte {
	b.Helper()
	l := corev1.PodList{Items: benchPods(b, 1000)}
	raw, err := l.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

// BenchmarkPodPage compares decoding a whole page (what the typed client
// does) with walking it and decoding only the pods kept.
func BenchmarkPodPage(b *testing.B) {
	raw := benchPage(b)
	keep := func(p *corev1.Pod) bool { return !explain.PlainlyHealthy(p) }
	b.Run("decode-all", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for i := 0; i < b.N; i++ {
			var l corev1.PodList
			if err := l.Unmarshal(raw); err != nil {
				b.Fatal(err)
			}
			_ = filterPods(l.Items, keep)
		}
	})
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for i := 0; i < b.N; i++ {
			if _, _, err := scanPodList(raw, keep); err != nil {
				b.Fatal(err)
			}
		}
	})
}
