package explain

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// dsView is one DaemonSet with what its own status says, read once; the
// daemonset rules and the verdict read it. A DaemonSet wants one pod on
// every node its nodeSelector, affinity and tolerations allow
// (desiredNumberScheduled), so a pod that fails is a node's problem as
// often as the template's: its pods are looked at node by node.
type dsView struct {
	g   *graph.Graph
	ds  *appsv1.DaemonSet
	ref Ref
	st  appsv1.DaemonSetStatus
	// byNode are the DaemonSet's live pods by the node they are for.
	byNode map[string]*corev1.Pod
	pods   ownerPods
	// failing are the nodes whose pod has an Error finding, sorted.
	failing []string
	// healthy are the nodes whose pod is Ready.
	healthy []string
	created []Finding
}

func newDSView(g *graph.Graph, ds *appsv1.DaemonSet) *dsView {
	v := &dsView{g: g, ds: ds, ref: dsRef(ds), st: ds.Status, byNode: map[string]*corev1.Pod{}}
	pods := g.PodsOf(ds.UID)
	v.pods = diagnose(g, pods)
	for _, p := range pods {
		if p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded {
			continue
		}
		node := daemonPodNode(p)
		v.byNode[node] = p
		switch {
		case PodReady(p):
			v.healthy = append(v.healthy, node)
		case hasSeverity(DiagnosePod(g, p), SeverityError):
			v.failing = append(v.failing, node)
		}
	}
	sort.Strings(v.failing)
	sort.Strings(v.healthy)
	if v.st.CurrentNumberScheduled < v.st.DesiredNumberScheduled {
		v.created = failedCreate(g, v.ref, "")
	}
	return v
}

// daemonPodNode is the node a DaemonSet's pod is for: where it runs, or,
// before it is bound, the node the controller pinned it to with a
// required node affinity on metadata.name.
func daemonPodNode(p *corev1.Pod) string {
	if p.Spec.NodeName != "" {
		return p.Spec.NodeName
	}
	for _, t := range requiredTerms(p) {
		for _, f := range t.MatchFields {
			if f.Key == "metadata.name" && f.Operator == corev1.NodeSelectorOpIn && len(f.Values) == 1 {
				return f.Values[0]
			}
		}
	}
	return ""
}

func (v *dsView) observed() bool { return v.st.ObservedGeneration >= v.ds.Generation }

// complete is the DaemonSet's own "done", as kubectl rollout status reads
// it: every desired pod scheduled, updated, ready and available.
func (v *dsView) complete() bool {
	st, d := v.st, v.st.DesiredNumberScheduled
	return v.observed() && st.CurrentNumberScheduled == d && st.UpdatedNumberScheduled >= d && st.NumberReady >= d && st.NumberAvailable >= d
}

// rolling: the template is not on every node's pod yet, or the controller
// has not yet seen the spec.
func (v *dsView) rolling() bool {
	return !v.observed() || v.st.UpdatedNumberScheduled < v.st.DesiredNumberScheduled
}

// maxUnavailable is the rollout's budget of unavailable pods (1 by default).
func (v *dsView) maxUnavailable() int32 {
	if ru := v.ds.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.MaxUnavailable != nil {
		if n, err := intstrValue(ru.MaxUnavailable, v.st.DesiredNumberScheduled); err == nil {
			return max(n, 1) // a maxSurge rollout keeps every pod available, but one may be starting
		}
	}
	return 1
}

func (v *dsView) onDelete() bool {
	return v.ds.Spec.UpdateStrategy.Type == appsv1.OnDeleteDaemonSetStrategyType
}

// daemonSetRules are the DaemonSet's own failure modes, each one code.
var daemonSetRules = []func(v *dsView) []Finding{
	ruleDSFailedCreate,    // QuotaExceeded, PodSecurityViolation, ... FailedCreate
	ruleDSNodeFailing,     // DaemonPodFailingOnNode
	ruleDSMisscheduled,    // DaemonSetMisscheduled
	ruleDSOnDelete,        // OnDeleteUpdatePending
	ruleDSProgressing,     // RolloutInProgress
	ruleDSReplicasMissing, // ReplicasMissing
	ruleDSLeftovers,       // LeftoverPods
}

// ExplainDaemonSet walks daemonset -> pods, node by node. The verdict is
// the DaemonSet's status; the rules and the pods explain it.
func ExplainDaemonSet(g *graph.Graph, ds *appsv1.DaemonSet) Result {
	v := newDSView(g, ds)
	st := v.st
	desired := st.DesiredNumberScheduled
	r := Result{Target: v.ref, Ready: fmt.Sprintf("%d/%d", st.NumberReady, desired), Created: ds.CreationTimestamp.Time}
	root := &Node{Ref: v.ref, Status: fmt.Sprintf("%d/%d ready", st.NumberReady, desired)}
	pods := g.PodsOf(ds.UID)
	root.Children = podNodes(pods)
	for _, n := range root.Children {
		if p := findPod(pods, n.Ref.Name); p != nil && daemonPodNode(p) != "" {
			n.Note = "node " + daemonPodNode(p)
		}
	}
	r.Tree = root

	fs := runRules(v, daemonSetRules, v.pods.findings)
	r.Verdict = v.verdict(fs)
	if unexplained(r.Verdict, fs) {
		fs = append(fs, startingFinding(v.ref, "they are starting, and none is failing", st.NumberAvailable, desired,
			"kubectl rollout status daemonset/"+ds.Name+nsFlag(ds.Namespace)))
	}
	if r.Verdict == VerdictReady || r.Verdict == VerdictProgressing {
		demote(fs)
	}
	fs = groupPods(g, fs)
	r.setFindings(fs)
	if note := v.leftOutNote(); note != "" {
		r.Notes = append(r.Notes, note)
	}
	count := fmt.Sprintf("%d/%d", st.NumberReady, desired)
	switch r.Verdict {
	case VerdictReady:
		r.Summary = readySummary(count, fs)
		if desired == 0 {
			r.Summary = "no node to run on: 0 nodes match its nodeSelector, affinity and tolerations"
		}
	case VerdictProgressing:
		r.Summary = stateAndCause("", fs)
	case VerdictUnknown:
		r.Summary = "nodes could not be read"
	default:
		r.Summary = stateAndCause(nodesUnavailable.state(desired-st.NumberAvailable, desired), fs)
	}
	root.Ready = r.Verdict == VerdictReady
	return r
}

func findPod(pods []*corev1.Pod, name string) *corev1.Pod {
	for _, p := range pods {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// verdict reads the DaemonSet's own status first; fs only tell a rollout
// that fails from one that moves.
func (v *dsView) verdict(fs []Finding) Verdict {
	st, d := v.st, v.st.DesiredNumberScheduled
	switch {
	case d == 0 && st.CurrentNumberScheduled == 0 && st.NumberMisscheduled == 0 && v.observed():
		return VerdictReady
	case v.complete():
		return VerdictReady
	case st.NumberAvailable < d && !(v.rolling() && !v.onDelete() && d-st.NumberAvailable <= v.maxUnavailable() && !hasSeverity(fs, SeverityError)):
		return VerdictNotReady
	case hasSeverity(fs, SeverityError):
		return VerdictNotReady
	}
	return VerdictProgressing
}

func ruleDSFailedCreate(v *dsView) []Finding { return v.created }

// ruleDSNodeFailing: the pods fail on some nodes and run Ready on others,
// so the nodes are the story: which, with the pods' cause, and what those
// nodes have that the others do not.
func ruleDSNodeFailing(v *dsView) []Finding {
	// Ready pods may have been dropped unread (--failing): the status
	// still counts them.
	healthy := max(len(v.healthy), int(v.st.NumberReady))
	if len(v.failing) == 0 || healthy == 0 {
		return nil // none fails, or all do: the template, not a node
	}
	first := v.byNode[v.failing[0]]
	pf := DiagnosePod(v.g, first)
	cause := "it is not Ready"
	for _, f := range pf {
		if f.Severity == SeverityError {
			cause = f.Cause
			break
		}
	}
	var where string
	if len(v.failing) == 1 {
		where = fmt.Sprintf("the pod on node %s (%s) fails: %s; it runs Ready on %s", v.failing[0], first.Name, cause, plural(healthy, "other node", "other nodes"))
	} else {
		where = fmt.Sprintf("the pods on %d nodes (%s) fail, the first (%s) with: %s; they run Ready on %s", len(v.failing), strings.Join(v.failing, ", "), first.Name, cause, plural(healthy, "other node", "other nodes"))
	}
	f := Finding{Code: CodeDaemonPodFailingOnNode, Severity: SeverityError, Object: v.ref, Cause: where,
		Facts: map[string]string{"nodes": strings.Join(v.failing, ","), "pod": first.Name},
	}
	for _, n := range v.failing {
		f.Pods = append(f.Pods, v.byNode[n].Name)
	}
	if diff := v.nodeDiff(v.failing); len(diff) > 0 {
		who := "node " + v.failing[0] + " differs"
		if len(v.failing) > 1 {
			who = "these nodes differ"
		}
		f.Cause += "; " + who + " from the others: " + strings.Join(diff, "; ")
		f.Facts["differs"] = strings.Join(diff, "; ")
	}
	for _, e := range v.g.EventsFor(KindDaemonSet, v.ds.Namespace, v.ds.Name, v.ds.UID) {
		if e.Reason == "FailedDaemonPod" && slices.ContainsFunc(v.failing, func(n string) bool { return strings.HasSuffix(e.Message, " on node "+n+", will try to kill it") }) {
			f.Evidence = append(f.Evidence, eventEvidence(e))
		}
	}
	f.Next = []string{"kubectl why pod/" + first.Name + nsFlag(v.ds.Namespace)}
	if v.failing[0] != "" {
		f.Next = append(f.Next, cmdDescribeNode(v.failing[0]))
	}
	return []Finding{f}
}

// nodeDiff says what the failing nodes share that no healthy node has:
// conditions, taints, labels, capacity, kubelet and runtime versions.
func (v *dsView) nodeDiff(failing []string) []string {
	fail, ok := v.nodesNamed(failing), v.nodesNamed(v.healthy)
	if len(v.healthy) == 0 {
		// Ready pods not read: compare with the other nodes it runs on,
		// those its selector and tolerations admit.
		pod := &corev1.Pod{Spec: v.ds.Spec.Template.Spec}
		for _, n := range usableNodes(v.g.Nodes(), pod) {
			if !slices.Contains(failing, n.Name) {
				ok = append(ok, n)
			}
		}
	}
	if len(fail) == 0 || len(ok) == 0 {
		return nil
	}
	return traitsSettingApart(traitsOf(fail), traitsOf(ok))
}

// nodesNamed are the nodes of the snapshot with those names.
func (v *dsView) nodesNamed(names []string) []*corev1.Node {
	var out []*corev1.Node
	for _, n := range names {
		if node := v.g.Node(n); node != nil {
			out = append(out, node)
		}
	}
	return out
}

func traitsOf(nodes []*corev1.Node) []map[string]string {
	out := make([]map[string]string, len(nodes))
	for i, n := range nodes {
		out[i] = nodeTraits(n)
	}
	return out
}

// traitsSettingApart returns the traits that set the failing nodes apart: those
// they share one value of while every healthy node has one other value
// (a zone label that differs on every node says nothing).
func traitsSettingApart(failT, okT []map[string]string) []string {
	keys := map[string]bool{}
	for _, t := range append(append([]map[string]string(nil), failT...), okT...) {
		for k := range t {
			keys[k] = true
		}
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		fv := failT[0][k]
		same := fv != ""
		for _, t := range failT[1:] {
			same = same && t[k] == fv
		}
		hv := okT[0][k]
		agree := hv != fv
		for _, t := range okT[1:] {
			agree = agree && t[k] == hv
		}
		if same && agree {
			out = append(out, fv)
		}
	}
	return out
}

// nodeTraits are a node's traits, keyed by what they are about, worded
// as the answer names them: cordoned, conditions, taints, labels, versions,
// allocatable resources.
func nodeTraits(n *corev1.Node) map[string]string {
	t := map[string]string{}
	if n.Spec.Unschedulable {
		t["spec.unschedulable"] = "cordoned (spec.unschedulable)"
	}
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady && c.Status != corev1.ConditionTrue || c.Type != corev1.NodeReady && c.Status == corev1.ConditionTrue {
			t["condition "+string(c.Type)] = "condition " + conditionText(&c)
		}
	}
	for _, taint := range n.Spec.Taints {
		t["taint "+taint.Key+":"+string(taint.Effect)] = "taint " + taint.ToString()
	}
	for k, val := range n.Labels {
		if k != corev1.LabelHostname {
			t["label "+k] = "label " + k + "=" + val
		}
	}
	info := n.Status.NodeInfo
	for _, kv := range [][2]string{{"kubelet", info.KubeletVersion}, {"container runtime", info.ContainerRuntimeVersion}, {"OS image", info.OSImage}, {"architecture", info.Architecture}} {
		if kv[1] != "" {
			t[kv[0]] = kv[0] + " " + kv[1]
		}
	}
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourcePods} {
		if q, ok := n.Status.Allocatable[res]; ok {
			t["allocatable "+string(res)] = fmt.Sprintf("allocatable %s %s", res, q.String())
		}
	}
	return t
}

func ruleDSMisscheduled(v *dsView) []Finding {
	n := v.st.NumberMisscheduled
	if n == 0 {
		return nil
	}
	return []Finding{{Code: CodeDaemonSetMisscheduled, Severity: SeverityWarning, Object: v.ref,
		Cause:    fmt.Sprintf("%s on nodes it should no longer run on (its nodeSelector, affinity or tolerations no longer match them); the controller removes them", plural(int(n), "pod runs", "pods run")),
		Evidence: []Evidence{{Source: "status.numberMisscheduled", Message: fmt.Sprint(n)}},
		Facts:    map[string]string{"misscheduled": fmt.Sprint(n)},
		Next:     []string{"kubectl get pods" + nsFlag(v.ds.Namespace) + " -o wide -l " + selectorOf(v.ds)},
	}}
}

func selectorOf(ds *appsv1.DaemonSet) string {
	if ds.Spec.Selector == nil {
		return ""
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(ds.Spec.Selector.MatchLabels)) {
		parts = append(parts, k+"="+ds.Spec.Selector.MatchLabels[k])
	}
	return strings.Join(parts, ",")
}

// ruleDSOnDelete: updateStrategy OnDelete with pods on the old template.
func ruleDSOnDelete(v *dsView) []Finding {
	st := v.st
	if !v.onDelete() || !v.observed() || st.UpdatedNumberScheduled >= st.DesiredNumberScheduled {
		return nil
	}
	old := st.DesiredNumberScheduled - st.UpdatedNumberScheduled
	return []Finding{{Code: CodeOnDeleteUpdatePending, Severity: SeverityWarning, Object: v.ref,
		Cause: fmt.Sprintf("updateStrategy is OnDelete: %s keep the old template until deleted by hand", plural(int(old), "pod", "pods")),
		Facts: map[string]string{"updated": fmt.Sprint(st.UpdatedNumberScheduled), "desired": fmt.Sprint(st.DesiredNumberScheduled)},
		Next:  []string{"kubectl get pods" + nsFlag(v.ds.Namespace) + " -o wide -l " + selectorOf(v.ds)},
	}}
}

// ruleDSProgressing: a rollout under way that nothing blocks, or a
// controller that has not caught up with its counts.
func ruleDSProgressing(v *dsView) []Finding {
	st, d := v.st, v.st.DesiredNumberScheduled
	if v.complete() || v.pods.broken > 0 || hasSeverity(v.created, SeverityError) {
		return nil
	}
	if v.onDelete() && v.observed() && st.UpdatedNumberScheduled < d {
		return nil // OnDeleteUpdatePending says it
	}
	f := Finding{Code: CodeRolloutInProgress, Severity: SeverityInfo, Object: v.ref,
		Next: []string{"kubectl rollout status daemonset/" + v.ds.Name + nsFlag(v.ds.Namespace)}}
	switch {
	case !v.observed():
		f.Cause = fmt.Sprintf("the daemonset controller has not yet seen generation %d (it last saw %d)", v.ds.Generation, st.ObservedGeneration)
	case st.UpdatedNumberScheduled < d:
		f.Cause = fmt.Sprintf("rollout in progress: %d of %d nodes' pods updated, %d available (maxUnavailable %d)", st.UpdatedNumberScheduled, d, st.NumberAvailable, v.maxUnavailable())
	case st.CurrentNumberScheduled > d:
		f.Cause = fmt.Sprintf("rollout nearly done: every node's pod updated, %s still to stop", plural(int(st.CurrentNumberScheduled-d), "surplus pod", "surplus pods"))
	default:
		f.Cause = fmt.Sprintf("the daemonset controller has not caught up: %d of %d nodes have its pod, %d ready, %d available", st.CurrentNumberScheduled, d, st.NumberReady, st.NumberAvailable)
	}
	return []Finding{f}
}

// ruleDSReplicasMissing: fewer pods than nodes to run on, for a while,
// with no FailedCreate and no pod failing: the controller is not making
// them.
func ruleDSReplicasMissing(v *dsView) []Finding {
	st := v.st
	if len(v.created) > 0 || st.CurrentNumberScheduled >= st.DesiredNumberScheduled || !v.observed() {
		return nil
	}
	if v.g.Snap.Now.Sub(v.ds.CreationTimestamp.Time) < replicasMissingAfter {
		return nil
	}
	return []Finding{{Code: CodeReplicasMissing, Severity: SeverityError, Object: v.ref,
		Cause: fmt.Sprintf("daemonset/%s has pods on %d of %d nodes and nothing says why: no FailedCreate event; is kube-controller-manager running?", v.ds.Name, st.CurrentNumberScheduled, st.DesiredNumberScheduled),
		Evidence: []Evidence{{Source: "status.currentNumberScheduled", Message: fmt.Sprint(st.CurrentNumberScheduled)},
			{Source: "status.desiredNumberScheduled", Message: fmt.Sprint(st.DesiredNumberScheduled)}},
		Facts: map[string]string{"have": fmt.Sprint(st.CurrentNumberScheduled), "want": fmt.Sprint(st.DesiredNumberScheduled)},
		Next:  []string{"kubectl describe daemonset " + v.ds.Name + nsFlag(v.ds.Namespace)},
	}}
}

func ruleDSLeftovers(v *dsView) []Finding {
	return leftovers(v.g, v.ref, v.pods.leftover, v.st.NumberAvailable < v.st.DesiredNumberScheduled)
}

// leftOutNote counts the nodes that do not run the DaemonSet and says why:
// its nodeSelector or affinity, or their taints. Not a failure.
func (v *dsView) leftOutNote() string {
	if !v.g.Has(graph.ResNodes) {
		return ""
	}
	nodes := v.g.Nodes()
	pod := &corev1.Pod{Spec: v.ds.Spec.Template.Spec}
	selector, taint := 0, map[string]int{}
	for i := range nodes {
		n := &nodes[i]
		if _, runs := v.byNode[n.Name]; runs {
			continue
		}
		switch {
		case !matchesSelector(n, pod.Spec.NodeSelector) || len(requiredTerms(pod)) > 0 && !matchesAnyTerm(n, requiredTerms(pod)):
			selector++
		default:
			if t := untoleratedTaint(n, pod); t != nil {
				taint[t.ToString()]++
			}
		}
	}
	var parts []string
	if selector > 0 {
		parts = append(parts, fmt.Sprintf("%s by its nodeSelector or affinity", plural(selector, "node", "nodes")))
	}
	for _, k := range slices.Sorted(maps.Keys(taint)) {
		parts = append(parts, fmt.Sprintf("%s by the untolerated taint %s", plural(taint[k], "node", "nodes"), k))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d nodes are left out, as intended (not a failure): %s", selector+sum(taint), len(nodes), strings.Join(parts, ", "))
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func dsRef(ds *appsv1.DaemonSet) Ref {
	return Ref{Kind: KindDaemonSet, Namespace: ds.Namespace, Name: ds.Name, UID: ds.UID}
}
