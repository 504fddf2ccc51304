package explain

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestPlainlyHealthy(t *testing.T) {
	running := func(restarts, sidecarRestarts int32, ready ...corev1.ConditionStatus) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "p"}, Status: corev1.PodStatus{
			Phase:                 corev1.PodRunning,
			ContainerStatuses:     []corev1.ContainerStatus{{Name: "app", Ready: true, RestartCount: restarts}},
			InitContainerStatuses: []corev1.ContainerStatus{{Name: "proxy", Ready: true, RestartCount: sidecarRestarts}},
		}}
		for _, s := range ready {
			p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: corev1.PodReady, Status: s})
		}
		return p
	}
	isCtl := true
	jobPod := func(kind string) *corev1.Pod {
		p := running(0, 0)
		p.Status.Phase = corev1.PodSucceeded
		p.OwnerReferences = []metav1.OwnerReference{{Kind: kind, Name: "o", UID: "o", Controller: &isCtl}}
		return p
	}
	terminating := running(0, 0, corev1.ConditionTrue)
	terminating.DeletionTimestamp = &metav1.Time{Time: time.Unix(1, 0)}
	pending := running(0, 0)
	pending.Status.Phase = corev1.PodPending
	for _, tc := range []struct {
		name string
		pod  *corev1.Pod
		want bool
	}{
		{"running and ready", running(0, 0, corev1.ConditionTrue), true},
		{"restarted", running(1, 0, corev1.ConditionTrue), false},
		{"sidecar restarted", running(0, 2, corev1.ConditionTrue), false},
		{"not ready", running(0, 0, corev1.ConditionFalse), false},
		{"no ready condition", running(0, 0), false},
		// The verdict reads the first Ready condition (PodReady).
		{"first Ready condition false", running(0, 0, corev1.ConditionFalse, corev1.ConditionTrue), false},
		{"pending", pending, false},
		{"terminating", terminating, false},
		{"completed Job pod", jobPod(KindJob), true},
		{"completed under a ReplicaSet", jobPod(KindReplicaSet), false},
	} {
		if got := PlainlyHealthy(tc.pod); got != tc.want {
			t.Errorf("%s: PlainlyHealthy = %v, want %v", tc.name, got, tc.want)
		}
	}
}
