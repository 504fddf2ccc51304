package explain

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// treeSameShown is how many pods in one state a tree lists by name under
// one owner before it counts them instead.
const treeSameShown = 2

func replicas(p *int32, def int32) int32 {
	if p == nil {
		return def
	}
	return *p
}

// runRules is what a workload's own rules find about v, in their order,
// after the findings of its pods (which it copies, never appends to).
func runRules[V any](v V, rules []func(V) []Finding, pods []Finding) []Finding {
	fs := append([]Finding(nil), pods...)
	for _, rule := range rules {
		fs = append(fs, rule(v)...)
	}
	return fs
}

// setFindings sorts fs into r; one flapping container makes r Flapping.
func (r *Result) setFindings(fs []Finding) {
	sortFindings(fs)
	r.Findings = fs
	r.Flapping = hasCode(fs, CodeFlapping)
}

func revisionNote(rs *appsv1.ReplicaSet) string {
	if rs == nil {
		return ""
	}
	if rev := graph.Revision(rs); rev > 0 {
		return fmt.Sprintf(" to revision %d", rev)
	}
	return ""
}

// rolloutStuck names both revisions and what differs between them.
func rolloutStuck(d *appsv1.Deployment, newRS *appsv1.ReplicaSet, old []*appsv1.ReplicaSet, broken, oldReady int) Finding {
	var prev *appsv1.ReplicaSet
	for _, rs := range old {
		if rs.Status.ReadyReplicas > 0 {
			prev = rs
			break
		}
	}
	if prev == nil {
		prev = old[0]
	}
	diff := templateDiff(&prev.Spec.Template.Spec, &newRS.Spec.Template.Spec)
	f := Finding{Code: CodeRolloutStuck, Severity: SeverityError, Object: deployRef(d),
		Cause: fmt.Sprintf("the new revision %d (replicaset/%s) fails while revision %d (replicaset/%s) still serves %s; what changed: %s",
			graph.Revision(newRS), newRS.Name, graph.Revision(prev), prev.Name, plural(oldReady, "pod", "pods"), diff),
		Facts: map[string]string{
			"newRevision": fmt.Sprint(graph.Revision(newRS)), "newReplicaSet": newRS.Name,
			"oldRevision": fmt.Sprint(graph.Revision(prev)), "oldReplicaSet": prev.Name, "changed": diff,
			"failingNewPods": fmt.Sprint(broken),
		},
		Next: []string{
			"kubectl rollout undo deployment/" + d.Name + nsFlag(d.Namespace),
			fmt.Sprintf("kubectl rollout history deployment/%s --revision=%d%s", d.Name, graph.Revision(newRS), nsFlag(d.Namespace)),
		},
	}
	return f
}

// templateDiff says what differs between two pod templates, images first.
func templateDiff(a, b *corev1.PodSpec) string {
	var parts []string
	imgs := func(s *corev1.PodSpec) map[string]string {
		m := map[string]string{}
		for _, c := range append(append([]corev1.Container(nil), s.InitContainers...), s.Containers...) {
			m[c.Name] = c.Image
		}
		return m
	}
	ia, ib := imgs(a), imgs(b)
	for _, n := range slices.Sorted(maps.Keys(ib)) {
		if ia[n] != ib[n] {
			if ia[n] == "" {
				parts = append(parts, fmt.Sprintf("container %s added (%s)", n, ib[n]))
			} else {
				parts = append(parts, fmt.Sprintf("image of %s %s -> %s", n, ia[n], ib[n]))
			}
		}
	}
	if len(parts) == 0 {
		ca, cb := containerFields(a), containerFields(b)
		for _, k := range []string{"command/args", "env", "resources", "probes", "volumes", "securityContext", "serviceAccount", "nodeSelector/affinity"} {
			if ca[k] != cb[k] {
				parts = append(parts, k)
			}
		}
		if len(parts) == 0 {
			return "the pod template (not the images)"
		}
		return "the pod template's " + strings.Join(parts, ", ")
	}
	return strings.Join(parts, "; ")
}

func containerFields(s *corev1.PodSpec) map[string]string {
	m := map[string]string{}
	for _, c := range s.Containers {
		m["command/args"] += fmt.Sprint(c.Command, c.Args)
		m["env"] += fmt.Sprint(c.Env, c.EnvFrom)
		m["resources"] += c.Resources.String()
		m["probes"] += fmt.Sprint(c.LivenessProbe, c.ReadinessProbe, c.StartupProbe)
		m["securityContext"] += fmt.Sprint(c.SecurityContext)
	}
	m["volumes"] = fmt.Sprint(s.Volumes)
	m["serviceAccount"] = s.ServiceAccountName
	m["nodeSelector/affinity"] = fmt.Sprint(s.NodeSelector, s.Affinity, s.Tolerations)
	return m
}

func deployCondition(d *appsv1.Deployment, t appsv1.DeploymentConditionType) *appsv1.DeploymentCondition {
	return firstOf(d.Status.Conditions, func(c appsv1.DeploymentCondition) bool { return c.Type == t })
}

func replicaFailure(rs *appsv1.ReplicaSet) string {
	for _, c := range rs.Status.Conditions {
		if c.Type == appsv1.ReplicaSetReplicaFailure && c.Status == corev1.ConditionTrue {
			return c.Message
		}
	}
	return ""
}

// ExplainReplicaSet walks replicaset -> pods. Like a Deployment, its
// verdict is its own status: every desired replica ready and available.
func ExplainReplicaSet(g *graph.Graph, rs *appsv1.ReplicaSet) Result {
	desired := replicas(rs.Spec.Replicas, 1)
	ref := rsRef(rs)
	st := rs.Status
	r := Result{
		Target:  ref,
		Ready:   fmt.Sprintf("%d/%d", st.ReadyReplicas, desired),
		Created: rs.CreationTimestamp.Time,
	}
	if dc := graph.ControllerOf(rs); dc != nil {
		owner := strings.ToLower(dc.Kind) + "/" + dc.Name
		if rev := graph.Revision(rs); rev > 0 {
			owner += fmt.Sprintf(" (this is revision %d)", rev)
		}
		r.Owners = []string{owner}
	}
	r.Tree = rsNode(g, rs)
	if r.Tree == nil {
		r.Tree = &Node{Ref: ref, Status: fmt.Sprintf("%d/%d ready", st.ReadyReplicas, desired)}
	}
	pods := diagnose(g, g.PodsOf(rs.UID))
	created := rsFailedCreate(g, rs)
	fs := append(append([]Finding(nil), created...), pods.findings...)
	if len(created) == 0 {
		if f, ok := replicasMissing(g, rs); ok {
			fs = append(fs, f)
		}
	}
	fs = append(fs, leftovers(g, ref, pods.leftover, st.AvailableReplicas < desired)...)
	complete := st.ObservedGeneration >= rs.Generation && st.Replicas == desired && st.ReadyReplicas >= desired && st.AvailableReplicas >= desired
	count := fmt.Sprintf("%d/%d", st.ReadyReplicas, desired)
	switch {
	case desired == 0 && st.Replicas == 0:
		r.Verdict = VerdictReady
	case complete:
		r.Verdict = VerdictReady
	case st.AvailableReplicas < desired || pods.broken > 0 || hasSeverity(created, SeverityError):
		r.Verdict = VerdictNotReady
	default:
		// Every replica available, more pods than desired still stopping.
		r.Verdict = VerdictProgressing
	}
	if unexplained(r.Verdict, fs) {
		fs = append(fs, startingFinding(ref, "they are starting, and none is failing", st.AvailableReplicas, desired))
	}
	if r.Verdict != VerdictNotReady {
		demote(fs)
	}
	fs = quietStarts(groupPods(g, fs))
	r.setFindings(fs)
	switch {
	case desired == 0 && r.Verdict == VerdictReady:
		r.Summary = "scaled to zero"
	case r.Verdict == VerdictReady:
		r.Summary = readySummary(count, fs)
	case r.Verdict == VerdictProgressing && st.Replicas > desired:
		r.Summary = fmt.Sprintf("every replica available; %s more than desired still to stop", plural(int(st.Replicas-desired), "pod", "pods"))
	case r.Verdict == VerdictProgressing:
		r.Summary = fmt.Sprintf("the replicaset controller has not yet caught up with generation %d", rs.Generation)
	default:
		r.Summary = stateAndCause(replicasUnavailable.state(desired-st.AvailableReplicas, desired), fs)
	}
	r.Tree.Ready = r.Verdict == VerdictReady
	return r
}

// rsNode is the replicaset's line of the tree with its pods under it, or
// nil for an old, empty ReplicaSet (history, not part of the answer).
func rsNode(g *graph.Graph, rs *appsv1.ReplicaSet) *Node {
	pods := g.PodsOf(rs.UID)
	desired := replicas(rs.Spec.Replicas, 0)
	if desired == 0 && len(pods) == 0 {
		return nil
	}
	n := &Node{Ref: rsRef(rs), Status: fmt.Sprintf("%d/%d ready", rs.Status.ReadyReplicas, desired), Ready: rs.Status.ReadyReplicas >= desired}
	if rev := graph.Revision(rs); rev > 0 {
		n.Note = fmt.Sprintf("revision %d", rev)
	}
	n.Children = podNodes(pods)
	return n
}

// podNodes lists an owner's pods for the tree: one line per pod, except
// that more than treeSameShown pods in the same state are one line ("3
// pods  Running"): the findings name the failing ones, and a tree of 100
// identical lines hides the one that differs.
func podNodes(pods []*corev1.Pod) []*Node {
	type group struct {
		status string
		ready  bool
		pods   []*corev1.Pod
	}
	var groups []*group
	index := map[string]*group{}
	for _, p := range pods {
		st, ready := PodStatusText(p), PodReady(p)
		k := fmt.Sprint(st, ready)
		g := index[k]
		if g == nil {
			g = &group{status: st, ready: ready}
			index[k] = g
			groups = append(groups, g)
		}
		g.pods = append(g.pods, p)
	}
	var out []*Node
	for _, g := range groups {
		if len(g.pods) <= treeSameShown {
			for _, p := range g.pods {
				out = append(out, podNode(p))
			}
			continue
		}
		out = append(out, &Node{Ref: Ref{Name: fmt.Sprintf("%d pods", len(g.pods))}, Status: g.status, Ready: g.ready})
	}
	return out
}

func podNode(p *corev1.Pod) *Node {
	return &Node{Ref: podRef(p), Status: PodStatusText(p), Ready: PodReady(p)}
}

func hasSeverity(fs []Finding, s Severity) bool {
	for _, f := range fs {
		if f.Severity == s {
			return true
		}
	}
	return false
}

// minReadyFinding: pods are Ready and wait out minReadySeconds before they
// count as Available. It says how long until the next one does, from the
// time its Ready condition turned True.
func minReadyFinding(g *graph.Graph, d *appsv1.Deployment, newRS *appsv1.ReplicaSet, desired int32) Finding {
	waiting := desired - d.Status.AvailableReplicas
	f := Finding{Code: CodeNotYetAvailable, Severity: SeverityWarning, Object: deployRef(d),
		Facts: map[string]string{"minReadySeconds": fmt.Sprint(d.Spec.MinReadySeconds)}}
	f.Cause = fmt.Sprintf("%s Ready but not yet Available: minReadySeconds is %ds", plural(int(waiting), "pod is", "pods are"), d.Spec.MinReadySeconds)
	if newRS == nil {
		return f
	}
	min := time.Duration(d.Spec.MinReadySeconds) * time.Second
	var next time.Duration = -1
	for _, p := range g.PodsOf(newRS.UID) {
		c := podCondition(p, corev1.PodReady)
		if c == nil || c.Status != corev1.ConditionTrue || c.LastTransitionTime.IsZero() {
			continue
		}
		left := c.LastTransitionTime.Add(min).Sub(g.Snap.Now)
		if left > 0 && (next < 0 || left < next) {
			next = left
		}
	}
	if next > 0 {
		f.Cause += fmt.Sprintf("; the next becomes Available in %s", humanDuration(next))
		f.Facts["nextAvailableIn"] = humanDuration(next)
	}
	return f
}
