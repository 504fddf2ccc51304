package explain

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PlainlyHealthy is a pod that no pod rule can find anything wrong with
// from the pod alone: Running and Ready (by PodReady, as the verdict
// reads it), no container restarted, sidecars and init containers
// included (ruleFlapping counts them all), not being
// deleted; or a completed pod owned by a Job. The collector drops such
// pods as each page arrives with --failing, which is what keeps
// "-A --failing" small. It lives here, beside the rules, so that the two
// cannot drift apart; collect's wire scan (podscan.go) must agree with it,
// and its tests check both.
//
// The pod's node is not looked at (the nodes are listed alongside the
// pods, not before them): with --failing a Ready pod on a node under
// pressure is dropped, though "why pod/NAME" warns about its node.
func PlainlyHealthy(p *corev1.Pod) bool {
	if p.DeletionTimestamp != nil {
		return false
	}
	switch p.Status.Phase {
	case corev1.PodSucceeded:
		c := metav1.GetControllerOfNoCopy(p)
		return c != nil && c.Kind == KindJob
	case corev1.PodRunning:
		return PodReady(p) && !restarted(p.Status.InitContainerStatuses) && !restarted(p.Status.ContainerStatuses)
	}
	return false
}

// restarted: any container restarted (a count, not PodRestarts' sum,
// which could wrap around to zero).
func restarted(ss []corev1.ContainerStatus) bool {
	for _, s := range ss {
		if s.RestartCount != 0 {
			return true
		}
	}
	return false
}
