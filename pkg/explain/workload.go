package explain

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// treeHealthyShown bounds how many Ready pods a tree lists under one owner:
// a 100-replica deployment shows its failing pods and "95 more Ready".
const treeHealthyShown = 3

func replicas(p *int32, def int32) int32 {
	if p == nil {
		return def
	}
	return *p
}

// ExplainDeployment walks deployment -> replicasets -> pods and adds the
// rollout's own causes (deadline, paused, quota...) above the pods'.
func ExplainDeployment(g *graph.Graph, d *appsv1.Deployment) Result {
	desired := replicas(d.Spec.Replicas, 1)
	ref := deployRef(d)
	r := Result{
		Target:  ref,
		Ready:   fmt.Sprintf("%d/%d", d.Status.ReadyReplicas, desired),
		Created: d.CreationTimestamp.Time,
	}
	root := &Node{Ref: ref, Status: fmt.Sprintf("%d/%d ready", d.Status.ReadyReplicas, desired)}
	r.Tree = root

	rss := g.ReplicaSetsOf(d.UID)
	var newRS *appsv1.ReplicaSet
	if len(rss) > 0 {
		newRS = rss[0]
	}
	var fs []Finding
	var newBroken, oldReady int
	for i, rs := range rss {
		node, podFs, broken, ready := walkReplicaSet(g, rs)
		if node != nil {
			root.Children = append(root.Children, node)
		}
		if i == 0 {
			newBroken = broken
			fs = append(fs, failedCreate(g, rsRef(rs), replicaFailure(rs))...)
		} else {
			oldReady += ready
		}
		fs = append(fs, podFs...)
	}

	progressing := deployCondition(d, appsv1.DeploymentProgressing)
	if progressing != nil && progressing.Status == corev1.ConditionFalse && progressing.Reason == "ProgressDeadlineExceeded" {
		f := Finding{Code: CodeProgressDeadline, Severity: SeverityError, Object: ref,
			Cause:    fmt.Sprintf("the rollout made no progress within progressDeadlineSeconds (%ds)%s", replicas(d.Spec.ProgressDeadlineSeconds, 600), revisionNote(newRS)),
			Evidence: []Evidence{{Source: "status.conditions[Progressing]", Message: joinNonEmpty(": ", string(progressing.Status), progressing.Reason, progressing.Message)}},
			Next:     []string{"kubectl rollout status deployment/" + d.Name + nsFlag(d.Namespace), "kubectl rollout undo deployment/" + d.Name + nsFlag(d.Namespace)},
		}
		fs = append(fs, f)
	}
	if d.Spec.Paused {
		fs = append(fs, Finding{Code: CodePaused, Severity: SeverityWarning, Object: ref,
			Cause:    "the rollout is paused: template changes are not rolled out until it is resumed",
			Evidence: []Evidence{{Source: "spec.paused", Message: "true"}},
			Next:     []string{"kubectl rollout resume deployment/" + d.Name + nsFlag(d.Namespace)},
		})
	}
	if newRS != nil && newBroken > 0 && oldReady > 0 && len(rss) > 1 {
		fs = append(fs, rolloutStuck(d, newRS, rss[1:], newBroken, oldReady))
	}

	errs := hasSeverity(fs, SeverityError)
	gapped := g.Gap(graph.ResReplicaSets) != ""
	done := d.Status.ReadyReplicas >= desired && d.Status.UpdatedReplicas >= desired &&
		d.Status.AvailableReplicas >= desired && d.Status.Replicas <= desired && d.Status.ObservedGeneration >= d.Generation
	switch {
	case desired == 0:
		fs = append(fs, Finding{Code: CodeScaledToZero, Severity: SeverityInfo, Object: ref,
			Cause: "scaled to zero replicas: Ready by definition, nothing runs",
			Next:  []string{"kubectl scale deployment/" + d.Name + " --replicas=1" + nsFlag(d.Namespace)}})
		r.Verdict, r.Summary = VerdictReady, "scaled to zero"
	case gapped:
		r.Verdict, r.Summary = VerdictUnknown, "replicasets could not be read, so the pods of this deployment could not be found: "+g.Gap(graph.ResReplicaSets)
	case errs:
		r.Verdict = VerdictNotReady
	case done && !d.Spec.Paused:
		r.Verdict, r.Summary = VerdictReady, fmt.Sprintf("%d/%d ready", d.Status.ReadyReplicas, desired)
	case d.Status.ReadyReplicas >= desired && d.Status.AvailableReplicas < desired && d.Spec.MinReadySeconds > 0:
		fs = append(fs, minReadyFinding(g, d, newRS, desired))
		r.Verdict = VerdictProgressing
	default:
		if !d.Spec.Paused {
			fs = append(fs, progressingFinding(g, d, newRS, desired))
		}
		r.Verdict = VerdictProgressing
		if d.Spec.Paused {
			r.Verdict = VerdictNotReady
		}
	}
	fs = groupPods(g, fs)
	sortFindings(fs)
	r.Findings = fs
	if r.Summary == "" {
		if len(fs) > 0 {
			r.Summary = fs[0].Cause
		} else {
			r.Summary = fmt.Sprintf("%d/%d ready", d.Status.ReadyReplicas, desired)
		}
	}
	root.Ready = r.Verdict == VerdictReady
	return r
}

// progressingFinding says a rollout is moving, and how long it has left.
func progressingFinding(g *graph.Graph, d *appsv1.Deployment, newRS *appsv1.ReplicaSet, desired int32) Finding {
	f := Finding{Code: CodeRolloutProgressing, Severity: SeverityInfo, Object: deployRef(d),
		Cause: fmt.Sprintf("rollout in progress%s: %d of %d pods updated, %d ready", revisionNote(newRS), d.Status.UpdatedReplicas, desired, d.Status.ReadyReplicas),
		Next:  []string{"kubectl why deployment/" + d.Name + nsFlag(d.Namespace) + " --wait"}}
	if c := deployCondition(d, appsv1.DeploymentProgressing); c != nil && c.Status == corev1.ConditionTrue && d.Spec.ProgressDeadlineSeconds != nil {
		deadline := c.LastUpdateTime.Add(time.Duration(*d.Spec.ProgressDeadlineSeconds) * time.Second)
		left := deadline.Sub(g.Snap.Now)
		f.Cause += fmt.Sprintf("; %s left before the progress deadline", HumanDuration(left))
		f.Facts = map[string]string{"deadlineIn": left.Round(time.Second).String()}
	}
	return f
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
	var names []string
	for n := range ib {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
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
	for i := range d.Status.Conditions {
		if d.Status.Conditions[i].Type == t {
			return &d.Status.Conditions[i]
		}
	}
	return nil
}

func replicaFailure(rs *appsv1.ReplicaSet) string {
	for _, c := range rs.Status.Conditions {
		if c.Type == appsv1.ReplicaSetReplicaFailure && c.Status == corev1.ConditionTrue {
			return c.Message
		}
	}
	return ""
}

// ExplainReplicaSet walks replicaset -> pods.
func ExplainReplicaSet(g *graph.Graph, rs *appsv1.ReplicaSet) Result {
	desired := replicas(rs.Spec.Replicas, 1)
	ref := rsRef(rs)
	r := Result{
		Target:  ref,
		Ready:   fmt.Sprintf("%d/%d", rs.Status.ReadyReplicas, desired),
		Created: rs.CreationTimestamp.Time,
	}
	if dc := graph.ControllerOf(rs); dc != nil {
		owner := lower(dc.Kind) + "/" + dc.Name
		if rev := graph.Revision(rs); rev > 0 {
			owner += fmt.Sprintf(" (this is revision %d)", rev)
		}
		r.Owners = []string{owner}
	}
	node, fs, _, _ := walkReplicaSet(g, rs)
	if node == nil {
		node = &Node{Ref: ref, Status: fmt.Sprintf("%d/%d ready", rs.Status.ReadyReplicas, desired)}
	}
	r.Tree = node
	fs = append(failedCreate(g, ref, replicaFailure(rs)), fs...)
	fs = groupPods(g, fs)
	sortFindings(fs)
	r.Findings = fs
	switch {
	case desired == 0:
		r.Verdict, r.Summary = VerdictReady, "scaled to zero"
	case hasSeverity(fs, SeverityError):
		r.Verdict, r.Summary = VerdictNotReady, fs[0].Cause
	case rs.Status.ReadyReplicas >= desired:
		r.Verdict, r.Summary = VerdictReady, fmt.Sprintf("%d/%d ready", rs.Status.ReadyReplicas, desired)
	default:
		r.Verdict, r.Summary = VerdictProgressing, fmt.Sprintf("%d/%d ready, pods starting", rs.Status.ReadyReplicas, desired)
	}
	return r
}

// walkReplicaSet returns the replicaset's tree node, its pods' findings,
// and how many of its pods are broken (an Error finding) and Ready.
func walkReplicaSet(g *graph.Graph, rs *appsv1.ReplicaSet) (*Node, []Finding, int, int) {
	pods := g.PodsOf(rs.UID)
	desired := replicas(rs.Spec.Replicas, 0)
	// Old, empty ReplicaSets are history, not part of the answer.
	if desired == 0 && len(pods) == 0 {
		return nil, nil, 0, 0
	}
	n := &Node{Ref: rsRef(rs), Status: fmt.Sprintf("%d/%d ready", rs.Status.ReadyReplicas, desired), Ready: rs.Status.ReadyReplicas >= desired}
	if rev := graph.Revision(rs); rev > 0 {
		n.Note = fmt.Sprintf("revision %d", rev)
	}
	var fs []Finding
	broken := 0
	for _, p := range pods {
		pf := DiagnosePod(g, p)
		if hasSeverity(pf, SeverityError) {
			broken++
		}
		fs = append(fs, pf...)
	}
	// From the status, not the pods: with --failing the healthy pods are
	// not collected.
	ready := int(rs.Status.ReadyReplicas)
	n.Children = podNodes(pods)
	return n, fs, broken, ready
}

// podNodes lists the pods that are not Ready and summarises the rest.
func podNodes(pods []*corev1.Pod) []*Node {
	var out []*Node
	readyShown, readyHidden := 0, 0
	for _, p := range pods {
		if PodReady(p) {
			if readyShown >= treeHealthyShown {
				readyHidden++
				continue
			}
			readyShown++
		}
		out = append(out, podNode(p))
	}
	if readyHidden > 0 {
		out = append(out, &Node{Ref: Ref{Kind: KindPod, Name: fmt.Sprintf("(%d more)", readyHidden)}, Status: "Ready", Ready: true})
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
	f := Finding{Code: CodeMinReadySeconds, Severity: SeverityInfo, Object: deployRef(d),
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
