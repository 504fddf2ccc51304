package explain

import (
	"testing"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// endedPod is a pod the kubelet failed with reason and message.
func endedPod(reason, message string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "shop", UID: "u1", CreationTimestamp: metav1.NewTime(fixtureNow.Add(-3600e9))},
		Spec:       corev1.PodSpec{NodeName: "node-a", Containers: []corev1.Container{{Name: "app", Image: "web:1"}}},
		Status:     corev1.PodStatus{Phase: corev1.PodFailed, Reason: reason, Message: message},
	}
}

func diagnoseOne(p *corev1.Pod, nodes ...corev1.Node) []Finding {
	s := &graph.Snapshot{Pods: []corev1.Pod{*p}, Nodes: nodes, Now: fixtureNow}
	s.MarkCollected(graph.ResPods)
	s.MarkCollected(graph.ResEvents)
	s.MarkCollected(graph.ResNodes)
	g := graph.New(s)
	return DiagnosePod(g, &s.Pods[0])
}

// TestPodEndedMessages covers the message variants of evictions and
// kubelet rejections (pkg/kubelet/eviction/helpers.go, lifecycle/predicate.go).
func TestPodEndedMessages(t *testing.T) {
	node := corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-a"}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}
	tests := []struct {
		name   string
		reason string
		msg    string
		code   Code
		facts  map[string]string
	}{
		{"eviction, pod-level usage", "Evicted", "The node was low on resource: memory. Threshold quantity: 100Mi, available: 90Mi. Pod web-1 was using 3Gi, request is 1Gi, has larger consumption of memory. ",
			CodeEvicted, map[string]string{"resource": "memory", "usage": "3Gi", "request": "1Gi"}},
		{"eviction, disk", "Evicted", "The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, available: 9Gi. ",
			CodeEvicted, map[string]string{"resource": "ephemeral-storage", "threshold": "10Gi", "available": "9Gi"}},
		{"eviction, container ephemeral limit", "Evicted", `Container app exceeded its local ephemeral storage limit "1Gi". `,
			CodeEvicted, map[string]string{"resource": "ephemeral-storage", "container": "app", "limit": "1Gi"}},
		{"eviction, pod ephemeral limit", "Evicted", "Pod ephemeral local storage usage exceeds the total limit of containers 2Gi. ",
			CodeEvicted, map[string]string{"resource": "ephemeral-storage", "limit": "2Gi"}},
		{"eviction, emptyDir", "Evicted", `Usage of EmptyDir volume "cache" exceeds the limit "500Mi". `,
			CodeEvicted, map[string]string{"volume": "cache", "limit": "500Mi"}},
		{"admission refused under pressure", "Evicted", "The node had condition: [DiskPressure]. ",
			CodeEvicted, map[string]string{"condition": "DiskPressure"}},
		{"out of memory at admission", "OutOfmemory", "Pod was rejected: Node didn't have enough resource: memory, requested: 2147483648, used: 15032385536, capacity: 16106127360",
			CodeKubeletAdmissionRejected, map[string]string{"resource": "memory", "reason": "OutOfmemory"}},
		{"out of pods", "OutOfpods", "Pod was rejected: Node didn't have enough resource: pods, requested: 1, used: 110, capacity: 110",
			CodeKubeletAdmissionRejected, map[string]string{"resource": "pods"}},
		{"node affinity at admission", "NodeAffinity", "Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector",
			CodeKubeletAdmissionRejected, map[string]string{"reason": "NodeAffinity"}},
		{"unexpected admission error", "UnexpectedAdmissionError", "Pod was rejected: Allocate failed due to no healthy devices present; cannot allocate unhealthy devices nvidia.com/gpu, which is unexpected",
			CodeKubeletAdmissionRejected, map[string]string{"reason": "UnexpectedAdmissionError"}},
		{"refused while shutting down", "NodeShutdown", "Pod was rejected as the node is shutting down.",
			CodeNodeShutdown, map[string]string{"reason": "NodeShutdown"}},
		{"preempted by the kubelet", "Preempting", "Preempted in order to admit critical pod",
			CodePreempted, map[string]string{"by": "kubelet"}},
		{"other failure", "UnknownThing", "something happened",
			CodePodFailed, map[string]string{"reason": "UnknownThing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := diagnoseOne(endedPod(tt.reason, tt.msg), node)
			if len(fs) == 0 || fs[0].Code != tt.code {
				t.Fatalf("findings = %+v, want first %s", fs, tt.code)
			}
			for k, want := range tt.facts {
				if got := fs[0].Facts[k]; got != want {
					t.Errorf("fact %s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

// TestPodOnMissingNode: a pod bound to a node that no longer exists.
func TestPodOnMissingNode(t *testing.T) {
	p := endedPod("", "")
	p.Status.Phase = corev1.PodRunning
	other := corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-b"}}
	fs := diagnoseOne(p, other)
	if len(fs) == 0 || fs[0].Code != CodeNodeNotReady || fs[0].Facts["condition"] != "NotFound" {
		t.Fatalf("findings = %+v, want NodeNotReady for a missing node", fs)
	}
}

// TestStartingOnlyWhenQuiet: a young pod with a warning is not "starting
// normally".
func TestStartingOnlyWhenQuiet(t *testing.T) {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "shop", UID: "u1", CreationTimestamp: metav1.NewTime(fixtureNow.Add(-30e9))},
		Spec:       corev1.PodSpec{NodeName: "node-a", Containers: []corev1.Container{{Name: "app", Image: "web:1"}}},
		Status: corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{{Name: "app",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}}}},
	}
	nodeA := corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-a"}}
	if fs := diagnoseOne(p, nodeA); len(fs) != 1 || fs[0].Code != CodeStarting {
		t.Fatalf("quiet young pod: findings = %+v, want only Starting", fs)
	}
	ev := corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: "e1", Namespace: "shop"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "shop", Name: "web-1", UID: "u1"},
		Type:           corev1.EventTypeWarning, Reason: "FailedMount", Count: 2,
		Message:       `MountVolume.SetUp failed for volume "cfg" : configmap "cfg" not found`,
		LastTimestamp: metav1.NewTime(fixtureNow.Add(-5e9)),
	}
	s := &graph.Snapshot{Pods: []corev1.Pod{*p}, Events: []corev1.Event{ev}, Now: fixtureNow}
	s.MarkCollected(graph.ResEvents)
	g := graph.New(s)
	fs := DiagnosePod(g, &s.Pods[0])
	if len(fs) == 0 || fs[0].Code != CodeConfigMapNotFound || hasCode(fs, CodeStarting) {
		t.Fatalf("young pod with a warning: findings = %+v, want ConfigMapNotFound and no Starting", fs)
	}
}
