package explain

import (
	"fmt"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// ExplainDeployment walks deployment -> replicasets -> pods.
func ExplainDeployment(g *graph.Graph, d *appsv1.Deployment) Result {
	desired := int32(1)
	if d.Spec.Replicas != nil {
		desired = *d.Spec.Replicas
	}
	r := Result{
		Target:  deployRef(d),
		Ready:   fmt.Sprintf("%d/%d", d.Status.ReadyReplicas, desired),
		Created: d.CreationTimestamp.Time,
	}
	root := &Node{Ref: r.Target, Status: fmt.Sprintf("%d/%d ready", d.Status.ReadyReplicas, desired)}
	var podFindings []Finding
	for _, rs := range g.ReplicaSetsOf(d.UID) {
		rsNode, fs := walkReplicaSet(g, rs)
		if rsNode != nil {
			root.Children = append(root.Children, rsNode)
		}
		podFindings = append(podFindings, fs...)
	}
	r.Findings = podFindings
	r.Tree = root
	r.Verdict, r.Summary = workloadVerdict(desired, d.Status.ReadyReplicas, d.Status.UpdatedReplicas, r.Findings)
	root.Ready = r.Verdict == VerdictReady
	return r
}

// ExplainReplicaSet walks replicaset -> pods.
func ExplainReplicaSet(g *graph.Graph, rs *appsv1.ReplicaSet) Result {
	desired := int32(1)
	if rs.Spec.Replicas != nil {
		desired = *rs.Spec.Replicas
	}
	r := Result{
		Target:  rsRef(rs),
		Ready:   fmt.Sprintf("%d/%d", rs.Status.ReadyReplicas, desired),
		Created: rs.CreationTimestamp.Time,
	}
	if dc := graph.ControllerOf(rs); dc != nil {
		r.Owners = []string{lower(dc.Kind) + "/" + dc.Name}
	}
	node, fs := walkReplicaSet(g, rs)
	r.Tree = node
	r.Findings = fs
	r.Verdict, r.Summary = workloadVerdict(desired, rs.Status.ReadyReplicas, desired, fs)
	return r
}

// ExplainStatefulSet walks statefulset -> pods.
func ExplainStatefulSet(g *graph.Graph, s *appsv1.StatefulSet) Result {
	desired := int32(1)
	if s.Spec.Replicas != nil {
		desired = *s.Spec.Replicas
	}
	r := Result{
		Target:  stsRef(s),
		Ready:   fmt.Sprintf("%d/%d", s.Status.ReadyReplicas, desired),
		Created: s.CreationTimestamp.Time,
	}
	root := &Node{Ref: r.Target, Status: fmt.Sprintf("%d/%d ready", s.Status.ReadyReplicas, desired)}
	for _, p := range g.PodsOf(s.UID) {
		root.Children = append(root.Children, podNode(p))
		r.Findings = append(r.Findings, DiagnosePod(g, p)...)
	}
	r.Tree = root
	r.Verdict, r.Summary = workloadVerdict(desired, s.Status.ReadyReplicas, s.Status.UpdatedReplicas, r.Findings)
	root.Ready = r.Verdict == VerdictReady
	return r
}

func walkReplicaSet(g *graph.Graph, rs *appsv1.ReplicaSet) (*Node, []Finding) {
	pods := g.PodsOf(rs.UID)
	desired := int32(0)
	if rs.Spec.Replicas != nil {
		desired = *rs.Spec.Replicas
	}
	// Old, empty ReplicaSets are history, not part of the answer.
	if desired == 0 && len(pods) == 0 {
		return nil, nil
	}
	n := &Node{Ref: rsRef(rs), Status: fmt.Sprintf("%d/%d ready", rs.Status.ReadyReplicas, desired), Ready: rs.Status.ReadyReplicas >= desired}
	if rev := graph.Revision(rs); rev > 0 {
		n.Note = fmt.Sprintf("revision %d", rev)
	}
	var fs []Finding
	for _, p := range pods {
		n.Children = append(n.Children, podNode(p))
		fs = append(fs, DiagnosePod(g, p)...)
	}
	return n, fs
}

func podNode(p *corev1.Pod) *Node {
	return &Node{Ref: podRef(p), Status: PodStatusText(p), Ready: PodReady(p)}
}

func workloadVerdict(desired, ready, updated int32, fs []Finding) (Verdict, string) {
	var firstErr *Finding
	for i := range fs {
		if fs[i].Severity == SeverityError {
			firstErr = &fs[i]
			break
		}
	}
	switch {
	case desired == 0:
		return VerdictReady, "scaled to zero"
	case ready >= desired && updated >= desired && firstErr == nil:
		return VerdictReady, fmt.Sprintf("%d/%d ready", ready, desired)
	case firstErr != nil:
		return VerdictNotReady, firstErr.Cause
	}
	return VerdictProgressing, fmt.Sprintf("%d/%d ready, rollout in progress", ready, desired)
}
