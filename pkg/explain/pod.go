package explain

import (
	"fmt"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	corev1 "k8s.io/api/core/v1"
)

// PodContext is everything the pod rules look at for one pod.
type PodContext struct {
	G      *graph.Graph
	Pod    *corev1.Pod
	Events []*corev1.Event
	Node   *corev1.Node // nil when unscheduled, unknown or nodes not readable
	Now    time.Time

	cs    []podContainer // containers(), computed once
	found []Finding      // what the rules before this one found
}

// podRule is one failure mode: it returns nothing when the mode is absent.
type podRule func(c *PodContext) []Finding

// podRules run in order; every rule sees the same context. Each rule
// recognises one failure mode. The order matters only for the fallbacks at
// the end, which speak when nothing before them explained the pod, and for
// which of several errors is shown first.
var podRules = []podRule{
	// The pod as a whole: ended, going away, or its node in trouble.
	ruleEvicted,
	ruleAdmissionRejected,
	rulePreempted,
	ruleNodeShutdown,
	ruleStuckTerminating,
	ruleNodeTrouble,
	ruleCompletedUnderController,
	// Not placed on a node.
	ruleSchedulingGated,
	ruleUnschedulable,
	// Placed, but its containers cannot be created.
	ruleSandboxFailed,
	ruleVolumeFailed,
	ruleImagePull,
	ruleCreateConfig,
	ruleRuntimeRefused,
	// Its containers start and die, or run without becoming ready.
	ruleProbeKilled,
	ruleCrash,
	ruleReadinessProbe,
	ruleReadinessGates,
	ruleFlapping,
	// Fallbacks: said only when nothing above explained the pod.
	ruleInitRunningLong,
	ruleCreatingSlow,
	ruleNotReadyNoCause,
	ruleNotScheduled,
	rulePodFailed,
	ruleStarting,
	ruleEventsMissing,
}

// DiagnosePod returns the findings for one pod, most severe first. A pod
// that is Ready and healthy, or a Job pod that completed, has none.
func DiagnosePod(g *graph.Graph, p *corev1.Pod) []Finding {
	c := &PodContext{G: g, Pod: p, Now: g.Snap.Now}
	c.Events = g.EventsFor(KindPod, p.Namespace, p.Name, p.UID)
	if p.Spec.NodeName != "" {
		c.Node = g.Node(p.Spec.NodeName)
	}
	for _, r := range podRules {
		c.found = append(c.found, r(c)...)
	}
	out := dedupeFindings(c.found)
	sortFindings(out)
	return out
}

// dedupeFindings keeps one finding per code, container and cause: rules
// are written not to overlap, and this makes sure of it.
func dedupeFindings(fs []Finding) []Finding {
	seen := map[string]bool{}
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		k := string(f.Code) + "\x00" + f.Container + "\x00" + f.Cause
		if seen[k] {
			continue
		}
		seen[k] = true
		if len(f.Facts) == 0 {
			f.Facts = nil
		}
		out = append(out, f)
	}
	return out
}

// PodReady reports the pod's Ready condition.
func PodReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// PodRestarts sums the restart counts of the pod's containers.
func PodRestarts(p *corev1.Pod) int32 {
	var n int32
	for _, s := range p.Status.ContainerStatuses {
		n += s.RestartCount
	}
	for _, s := range p.Status.InitContainerStatuses {
		n += s.RestartCount
	}
	return n
}

func readyCount(p *corev1.Pod) string {
	ready := 0
	for _, s := range p.Status.ContainerStatuses {
		if s.Ready {
			ready++
		}
	}
	return fmt.Sprintf("%d/%d", ready, len(p.Spec.Containers))
}

// PodStatusText is the STATUS column of kubectl get pods, computed the same
// way (init progress, waiting reason, terminated reason, Terminating).
func PodStatusText(p *corev1.Pod) string {
	reason := string(p.Status.Phase)
	if p.Status.Reason != "" {
		reason = p.Status.Reason
	}
	initializing := false
	for i, s := range p.Status.InitContainerStatuses {
		switch {
		case s.State.Terminated != nil && s.State.Terminated.ExitCode == 0:
			continue
		case s.State.Terminated != nil:
			if s.State.Terminated.Reason != "" {
				reason = "Init:" + s.State.Terminated.Reason
			} else {
				reason = fmt.Sprintf("Init:ExitCode:%d", s.State.Terminated.ExitCode)
			}
			initializing = true
		case s.State.Waiting != nil && s.State.Waiting.Reason != "" && s.State.Waiting.Reason != "PodInitializing":
			reason = "Init:" + s.State.Waiting.Reason
			initializing = true
		default:
			reason = fmt.Sprintf("Init:%d/%d", i, len(p.Spec.InitContainers))
			initializing = true
		}
		break
	}
	if !initializing {
		hasRunning := false
		for i := len(p.Status.ContainerStatuses) - 1; i >= 0; i-- {
			s := p.Status.ContainerStatuses[i]
			switch {
			case s.State.Waiting != nil && s.State.Waiting.Reason != "":
				reason = s.State.Waiting.Reason
			case s.State.Terminated != nil && s.State.Terminated.Reason != "":
				reason = s.State.Terminated.Reason
			case s.State.Terminated != nil:
				reason = fmt.Sprintf("ExitCode:%d", s.State.Terminated.ExitCode)
			case s.Ready && s.State.Running != nil:
				hasRunning = true
			}
		}
		if reason == "Completed" && hasRunning {
			reason = "Running"
		}
	}
	if p.DeletionTimestamp != nil {
		reason = "Terminating"
	}
	return reason
}

// ExplainPod answers for a pod target: its verdict, findings and owners.
func ExplainPod(g *graph.Graph, p *corev1.Pod) Result {
	r := Result{
		Target:   podRef(p),
		Ready:    readyCount(p),
		NodeName: p.Spec.NodeName,
		Restarts: PodRestarts(p),
		Created:  p.CreationTimestamp.Time,
		Owners:   OwnerChain(g, p),
	}
	r.Findings = DiagnosePod(g, p)
	r.Verdict, r.Summary = podVerdict(p, r.Findings)
	if r.Verdict == VerdictReady {
		// The pod's own Ready condition is the verdict: what the rules
		// found beside it (a node gone quiet) degrades it, it does not
		// block it.
		demote(r.Findings)
	}
	r.Flapping = hasCode(r.Findings, CodeFlapping)
	r.Completed = r.Verdict == VerdictReady && p.Status.Phase == corev1.PodSucceeded
	r.Tree = &Node{Ref: r.Target, Status: PodStatusText(p), Ready: r.Verdict == VerdictReady}
	return r
}

// podVerdict reads the pod's own status first: a pod being deleted will
// not serve again, a Ready one is Ready, a Succeeded one Completed (unless
// its owner wants it running). Only a pod that is none of these is judged
// by its findings: a cause makes it NotReady, a normal start Progressing.
func podVerdict(p *corev1.Pod, fs []Finding) (Verdict, string) {
	blocking := len(fs) > 0 && fs[0].Severity != SeverityInfo
	switch {
	case p.DeletionTimestamp != nil && blocking:
		return VerdictNotReady, fs[0].Cause
	case p.DeletionTimestamp != nil:
		// Deleted and within its grace period: going away as asked.
		if len(fs) > 0 && fs[0].Code == CodeTerminating {
			return VerdictProgressing, fs[0].Cause
		}
		return VerdictProgressing, "terminating"
	case PodReady(p):
		// A stale Ready (node gone quiet) or a restarting container is
		// still Ready; say what is wrong with it.
		if blocking {
			return VerdictReady, "Ready, but " + fs[0].Cause
		}
		return VerdictReady, "Ready"
	case p.Status.Phase == corev1.PodSucceeded:
		if hasCode(fs, CodeCompletedUnderController) {
			return VerdictNotReady, fs[0].Cause
		}
		return VerdictReady, "Completed: every container exited with code 0"
	case blocking:
		return VerdictNotReady, fs[0].Cause
	case len(fs) > 0 && fs[0].Code == CodeStarting:
		return VerdictProgressing, fs[0].Cause
	}
	return VerdictNotReady, "not Ready: " + PodStatusText(p)
}

// demote lowers Error findings to Warning where the object's own status
// says it is Ready: they explain a risk, they do not block it.
func demote(fs []Finding) {
	for i := range fs {
		if fs[i].Severity == SeverityError {
			fs[i].Severity = SeverityWarning
		}
	}
}

func hasCode(fs []Finding, c Code) bool {
	for _, f := range fs {
		if f.Code == c {
			return true
		}
	}
	return false
}

// OwnerChain names the pod's owners upward, nearest first:
// "replicaset/web-7d4 (revision 3)", "deployment/web".
func OwnerChain(g *graph.Graph, p *corev1.Pod) []string {
	c := graph.ControllerOf(p)
	if c == nil {
		return nil
	}
	var out []string
	switch c.Kind {
	case KindReplicaSet:
		rs := g.ReplicaSet(c.UID)
		if rs == nil {
			return []string{"replicaset/" + c.Name}
		}
		s := "replicaset/" + rs.Name
		if rev := graph.Revision(rs); rev > 0 {
			s += fmt.Sprintf(" (revision %d)", rev)
		}
		out = append(out, s)
		if dc := graph.ControllerOf(rs); dc != nil {
			out = append(out, "deployment/"+dc.Name)
		}
	case KindJob:
		out = append(out, "job/"+c.Name)
		// A CronJob's run: the owner above is the CronJob, when the Job
		// was read.
		if j := g.Job(c.UID); j != nil {
			if cc := graph.ControllerOf(j); cc != nil {
				out = append(out, strings.ToLower(cc.Kind)+"/"+cc.Name)
			}
		}
	default:
		out = append(out, fmt.Sprintf("%s/%s", strings.ToLower(c.Kind), c.Name))
	}
	return out
}
