package explain

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	corev1 "k8s.io/api/core/v1"
)

// Workload verdicts come from the workload's own status first, as kstatus
// and Argo CD read it: a Deployment or StatefulSet whose controller has
// observed its spec and reports every desired replica updated, ready and
// available is Ready, whatever its pods' events say. Pods explain a
// workload that is not Ready; they never make a satisfied one NotReady.

// ownerPods is what an owner's pods say, split the way a verdict needs it.
type ownerPods struct {
	// findings are the live pods' findings, ungrouped.
	findings []Finding
	// broken counts live pods with an Error finding.
	broken int
	// leftover are Failed or Succeeded pods: their controller has
	// replaced them (or will), they stay until the terminated-pod GC.
	leftover []*corev1.Pod
}

// diagnose runs the pod rules over pods, keeping terminal ones apart.
func diagnose(g *graph.Graph, pods []*corev1.Pod) ownerPods {
	var op ownerPods
	for _, p := range pods {
		if p.DeletionTimestamp == nil && (p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded) {
			op.leftover = append(op.leftover, p)
			continue
		}
		pf := DiagnosePod(g, p)
		if hasSeverity(pf, SeverityError) {
			op.broken++
		}
		op.findings = append(op.findings, pf...)
	}
	return op
}

func (op *ownerPods) add(o ownerPods) {
	op.findings = append(op.findings, o.findings...)
	op.broken += o.broken
	op.leftover = append(op.leftover, o.leftover...)
}

// leftovers speaks for an owner's terminal pods. While the owner is short
// of available replicas, the pods that ended within the last hour are the
// story (replicas evicted one after another): their own findings are
// causes. Otherwise, and for older ones, they are history: one warning.
func leftovers(g *graph.Graph, owner Ref, pods []*corev1.Pod, short bool) []Finding {
	var fs []Finding
	var old []*corev1.Pod
	for _, p := range pods {
		if short && g.Snap.Now.Sub(endedAt(p)) <= recentWindow {
			fs = append(fs, DiagnosePod(g, p)...)
			continue
		}
		old = append(old, p)
	}
	return append(fs, leftoverFinding(owner, old)...)
}

// endedAt is when a terminal pod last changed: the latest container end or
// condition change, else its creation.
func endedAt(p *corev1.Pod) time.Time {
	t := p.CreationTimestamp.Time
	for _, c := range p.Status.Conditions {
		if c.LastTransitionTime.After(t) {
			t = c.LastTransitionTime.Time
		}
	}
	for _, s := range append(append([]corev1.ContainerStatus(nil), p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		if tm := s.State.Terminated; tm != nil && tm.FinishedAt.After(t) {
			t = tm.FinishedAt.Time
		}
	}
	return t
}

// leftoverFinding says in one line what the terminal pods of an owner are:
// "2 pods left behind (1 Evicted, 1 OutOfcpu), already replaced". They
// explain history, never the verdict: a Failed pod of a ReplicaSet or
// StatefulSet is replaced by its controller and kept only until the
// terminated-pod garbage collector (kube-controller-manager
// --terminated-pod-gc-threshold, 12500 by default) removes it.
func leftoverFinding(owner Ref, pods []*corev1.Pod) []Finding {
	if len(pods) == 0 {
		return nil
	}
	byReason := map[string]int{}
	var names []string
	for _, p := range pods {
		byReason[leftoverReason(p)]++
		names = append(names, p.Name)
	}
	sort.Strings(names)
	reasons := make([]string, 0, len(byReason))
	for _, k := range slices.Sorted(maps.Keys(byReason)) {
		reasons = append(reasons, fmt.Sprintf("%d %s", byReason[k], k))
	}
	newest := pods[0]
	for _, p := range pods[1:] {
		if p.CreationTimestamp.After(newest.CreationTimestamp.Time) {
			newest = p
		}
	}
	what := plural(len(pods), "pod", "pods")
	f := Finding{Code: CodeLeftoverPods, Severity: SeverityWarning, Object: owner, Pods: names, Count: len(pods),
		Cause: fmt.Sprintf("%s left behind (%s), already replaced: they do not affect readiness", what, strings.Join(reasons, ", ")),
		Facts: map[string]string{"reasons": strings.Join(reasons, ", ")},
	}
	if msg := newest.Status.Message; msg != "" {
		f.Evidence = []Evidence{{Source: "pod/" + newest.Name + " status.message", Message: msg}}
	}
	f.Next = []string{fmt.Sprintf("kubectl get pods%s --field-selector=status.phase=%s", nsFlag(owner.Namespace), newest.Status.Phase)}
	if newest.Spec.NodeName != "" && newest.Status.Reason == "Evicted" {
		f.Next = append(f.Next, cmdDescribeNode(newest.Spec.NodeName))
	}
	return []Finding{f}
}

// leftoverReason is the word kubectl get pods shows for a terminal pod.
func leftoverReason(p *corev1.Pod) string {
	if p.Status.Reason != "" {
		return p.Status.Reason
	}
	if p.Status.Phase == corev1.PodSucceeded {
		return "Completed"
	}
	return PodStatusText(p)
}

// quietStarts drops the pods "starting normally" from an owner's answer
// when something fails: beside a cause they are noise, alone they are the
// answer.
func quietStarts(fs []Finding) []Finding {
	if !hasSeverity(fs, SeverityError) {
		return fs
	}
	return slices.DeleteFunc(fs, func(f Finding) bool { return f.Code == CodeStarting })
}

// stateAndCause is the first line of a workload that is not Ready: its
// state in words, then the root cause (the first finding that blocks or
// warns), so a person reads both at once: "rollout to revision 2 failed:
// image ... does not exist".
func stateAndCause(state string, fs []Finding) string {
	for _, f := range fs {
		if f.Severity == SeverityInfo {
			continue
		}
		if state == "" || strings.HasPrefix(f.Cause, state) {
			return f.Cause
		}
		return state + ": " + f.Cause
	}
	if state == "" && len(fs) > 0 {
		return fs[0].Cause
	}
	return state
}

// readySummary is the first line of a Ready workload: the count, and the
// warning a person should still read, with the pod it is about.
func readySummary(count string, fs []Finding) string {
	for _, f := range fs {
		if f.Severity != SeverityWarning {
			continue
		}
		if f.Object.Kind == KindPod {
			return count + " ready, but " + f.Object.String() + ": " + f.Cause
		}
		return count + " ready, but " + f.Cause
	}
	return count + " ready"
}

// unavailableWords word "N of M unavailable" for the first line, in the
// unit of the workload: replicas, or a DaemonSet's nodes.
type unavailableWords struct{ one, all, some string }

var (
	replicasUnavailable = unavailableWords{"its one replica is unavailable", "all %d replicas unavailable", "%d of %d replicas unavailable"}
	nodesUnavailable    = unavailableWords{"its one pod is unavailable", "unavailable on all %d nodes", "unavailable on %d of %d nodes"}
)

func (w unavailableWords) state(missing, desired int32) string {
	switch {
	case desired == 1:
		return w.one
	case missing >= desired:
		return fmt.Sprintf(w.all, desired)
	}
	return fmt.Sprintf(w.some, missing, desired)
}
