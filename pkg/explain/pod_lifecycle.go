package explain

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	corev1 "k8s.io/api/core/v1"
)

var (
	reEvictResource  = regexp.MustCompile(`The node was low on resource: ([^.\s]+)\.`)
	reEvictThreshold = regexp.MustCompile(`Threshold quantity: ([^,\s]+), available: ([^.\s]+)\.`)
	reEvictUsage     = regexp.MustCompile(`(Container|Pod) (\S+) was using (\S+), request is (\S+), has larger consumption of ([^.\s]+)\.`)
	reEvictEphemeral = regexp.MustCompile(`Container (\S+) exceeded its local ephemeral storage limit "([^"]+)"`)
	reEvictPodES     = regexp.MustCompile(`Pod ephemeral local storage usage exceeds the total limit of containers (\S+?)\.?\s*$`)
	reEvictEmptyDir  = regexp.MustCompile(`Usage of EmptyDir volume "([^"]+)" exceeds the limit "([^"]+)"`)
	reEvictCondition = regexp.MustCompile(`The node had condition: \[?([^\].]+)\]?\.`)
	reSysctl         = regexp.MustCompile(`forbidden sysctl: "?([^"\s]+)"?`)
)

// ruleEvicted: the kubelet evicted the pod because its node ran short of
// memory, disk or PIDs; the message says which and who used the most.
func ruleEvicted(c *PodContext) []Finding {
	p := c.Pod
	if p.Status.Reason != "Evicted" {
		return nil
	}
	msg := p.Status.Message
	node := orUnknown(p.Spec.NodeName)
	f := c.finding(CodeEvicted, "", "")
	f.Facts["node"] = p.Spec.NodeName
	f.Evidence = []Evidence{{Source: "status.reason", Message: p.Status.Reason}, {Source: "status.message", Message: msg}}
	var cause string
	switch {
	case reEvictResource.MatchString(msg):
		res := reEvictResource.FindStringSubmatch(msg)[1]
		f.Facts["resource"] = res
		cause = fmt.Sprintf("the kubelet evicted the pod because node %s ran low on %s", node, res)
		if m := reEvictThreshold.FindStringSubmatch(msg); m != nil {
			f.Facts["threshold"], f.Facts["available"] = m[1], m[2]
		}
		if ms := reEvictUsage.FindAllStringSubmatch(msg, -1); len(ms) > 0 {
			m := ms[0]
			if m[1] == "Container" {
				f.Facts["container"] = m[2]
			}
			f.Facts["usage"], f.Facts["request"] = m[3], m[4]
			cause += fmt.Sprintf(", and %s %s used %s against a request of %s: pods using more than they request are evicted first", strings.ToLower(m[1]), m[2], m[3], m[4])
		}
	case reEvictEphemeral.MatchString(msg):
		m := reEvictEphemeral.FindStringSubmatch(msg)
		f.Facts["resource"], f.Facts["container"], f.Facts["limit"] = "ephemeral-storage", m[1], m[2]
		cause = fmt.Sprintf("the kubelet evicted the pod because container %s wrote more to its local disk than its ephemeral-storage limit of %s", m[1], m[2])
	case reEvictPodES.MatchString(msg):
		m := reEvictPodES.FindStringSubmatch(msg)
		f.Facts["resource"], f.Facts["limit"] = "ephemeral-storage", m[1]
		cause = fmt.Sprintf("the kubelet evicted the pod because it wrote more to local disk than its containers' total ephemeral-storage limit of %s", m[1])
	case reEvictEmptyDir.MatchString(msg):
		m := reEvictEmptyDir.FindStringSubmatch(msg)
		f.Facts["resource"], f.Facts["volume"], f.Facts["limit"] = "ephemeral-storage", m[1], m[2]
		cause = fmt.Sprintf("the kubelet evicted the pod because emptyDir volume %s grew past its sizeLimit of %s", m[1], m[2])
	case reEvictCondition.MatchString(msg):
		cond := reEvictCondition.FindStringSubmatch(msg)[1]
		f.Facts["condition"] = cond
		cause = fmt.Sprintf("node %s had condition %s and refused or evicted the pod", node, cond)
	default:
		cause = fmt.Sprintf("the kubelet on node %s evicted the pod: %s", node, firstLine(msg))
	}
	f.Cause = cause
	if p.Spec.NodeName != "" {
		f.Next = append(f.Next, cmdDescribeNode(p.Spec.NodeName))
	}
	f.Next = append(f.Next, fmt.Sprintf("kubectl get pod %s%s -o jsonpath='{.spec.containers[*].resources}'", p.Name, nsFlag(p.Namespace)))
	return []Finding{f}
}

// isAdmissionReason tells the status reasons of a pod the kubelet refused
// (pkg/kubelet/lifecycle/predicate.go and the admit handlers).
func isAdmissionReason(r string) bool {
	switch r {
	case "NodeAffinity", "UnexpectedAdmissionError", "UnexpectedPredicateFailureType", "InvalidNodeInfo",
		"PodOSSelectorNodeLabelDoesNotMatch", "PodOSNotSupported", "SupplementalGroupsPolicyNotSupported",
		"TopologyAffinityError", "UnknownReason", "NodePorts", "NodeName", "TaintToleration",
		"FailedNodeDeclaredFeaturesCheck", "NodeDeclaredFeatures", "SysctlForbidden", "AppArmor", "ProcMount":
		return true
	}
	return strings.HasPrefix(r, "OutOf")
}

// ruleAdmissionRejected: the pod reached its node, and the kubelet refused
// to run it (phase Failed, reason OutOfcpu, NodeAffinity, ...).
func ruleAdmissionRejected(c *PodContext) []Finding {
	p := c.Pod
	r := p.Status.Reason
	if p.Status.Phase != corev1.PodFailed || !isAdmissionReason(r) {
		return nil
	}
	node := orUnknown(p.Spec.NodeName)
	code := CodeKubeletAdmissionRejected
	var cause string
	f := c.finding(code, "", "")
	switch {
	case r == "SysctlForbidden":
		f.Code = CodeSysctlForbidden
		f.Severity = SeverityError
		names := []string{}
		if m := reSysctl.FindStringSubmatch(p.Status.Message); m != nil {
			names = append(names, m[1])
		} else if sc := p.Spec.SecurityContext; sc != nil {
			for _, s := range sc.Sysctls {
				names = append(names, s.Name)
			}
		}
		f.Facts["sysctl"] = strings.Join(names, ",")
		if len(names) > 0 {
			cause = fmt.Sprintf("the pod sets sysctl %s, which the kubelet on node %s does not allow (unsafe sysctls need --allowed-unsafe-sysctls)", listWords(names), node)
		} else {
			cause = fmt.Sprintf("the pod sets a sysctl the kubelet on node %s does not allow", node)
		}
	case strings.HasPrefix(r, "OutOf"):
		res := strings.TrimPrefix(r, "OutOf")
		f.Facts["resource"] = res
		cause = fmt.Sprintf("the kubelet on node %s refused the pod for lack of %s (%s): the node filled up between scheduling and start, often with static or DaemonSet pods", node, res, r)
	case r == "NodeAffinity":
		cause = fmt.Sprintf("the kubelet on node %s refused the pod: the node's labels no longer match its nodeSelector or affinity", node)
	case r == "UnexpectedAdmissionError":
		cause = fmt.Sprintf("the kubelet on node %s hit an unexpected error admitting the pod (often a device plugin not ready)", node)
	case r == "TopologyAffinityError":
		cause = fmt.Sprintf("the topology manager of node %s could not align the pod's CPUs and devices on one NUMA node", node)
	default:
		cause = fmt.Sprintf("the kubelet on node %s refused to run the pod (%s)", node, r)
	}
	f.Cause = cause + "; it will not be retried there"
	f.Evidence = []Evidence{{Source: "status.reason", Message: r}}
	if p.Status.Message != "" {
		f.Evidence = append(f.Evidence, Evidence{Source: "status.message", Message: p.Status.Message})
	}
	f.Facts["reason"] = r
	f.Facts["node"] = p.Spec.NodeName
	if p.Spec.NodeName != "" {
		f.Next = append(f.Next, cmdDescribeNode(p.Spec.NodeName))
	}
	f.Next = append(f.Next, c.cmdDescribe())
	return []Finding{f}
}

// rulePreempted: the scheduler (for a higher-priority pod) or the kubelet
// (for a critical pod) took the pod's place.
func rulePreempted(c *PodContext) []Finding {
	p := c.Pod
	dt := podCondition(p, corev1.DisruptionTarget)
	byScheduler := dt != nil && dt.Status == corev1.ConditionTrue && dt.Reason == corev1.PodReasonPreemptionByScheduler
	byKubelet := p.Status.Reason == "Preempting"
	ev := latestEvent(c.eventsFor("", "Preempted", "Preempting"))
	if !byScheduler && !byKubelet && ev == nil {
		return nil
	}
	// An old Preempted event about a pod that runs fine is history.
	if !byScheduler && !byKubelet && !c.ended() && p.DeletionTimestamp == nil {
		return nil
	}
	prio := ""
	if p.Spec.Priority != nil {
		prio = fmt.Sprint(*p.Spec.Priority)
	}
	var cause string
	if byKubelet || (ev != nil && ev.Reason == "Preempting") {
		cause = fmt.Sprintf("the kubelet on node %s preempted the pod to admit a critical pod", orUnknown(p.Spec.NodeName))
	} else {
		cause = "the scheduler preempted the pod to make room for a higher-priority pod"
		if prio != "" {
			cause += " (this pod's priority is " + prio + ")"
		}
	}
	f := c.finding(CodePreempted, "", cause)
	if dt != nil && dt.Status == corev1.ConditionTrue {
		f.Evidence = append(f.Evidence, Evidence{Source: "status.conditions[DisruptionTarget]", Message: joinNonEmpty(": ", dt.Reason, dt.Message)})
	}
	if byKubelet {
		f.Evidence = append(f.Evidence, Evidence{Source: "status.message", Message: p.Status.Message})
	}
	if ev != nil {
		f.Evidence = append(f.Evidence, eventEvidence(ev))
	}
	f.Facts["priority"] = prio
	f.Facts["priorityClassName"] = p.Spec.PriorityClassName
	if byKubelet {
		f.Facts["by"] = "kubelet"
	} else {
		f.Facts["by"] = "scheduler"
	}
	f.Next = []string{"kubectl get priorityclass", c.cmdEvents()}
	return []Finding{f}
}

// ruleNodeShutdown: graceful node shutdown stopped the pod, or refused it
// while the node was going down.
func ruleNodeShutdown(c *PodContext) []Finding {
	p := c.Pod
	msg := strings.ToLower(p.Status.Message)
	shut := p.Status.Phase == corev1.PodFailed &&
		(p.Status.Reason == "NodeShutdown" || p.Status.Reason == "Shutdown" ||
			(p.Status.Reason == "Terminated" && strings.Contains(msg, "shutdown")))
	if !shut {
		if dt := podCondition(p, corev1.DisruptionTarget); dt != nil && dt.Status == corev1.ConditionTrue &&
			dt.Reason == corev1.PodReasonTerminationByKubelet && strings.Contains(strings.ToLower(dt.Message), "shutdown") {
			shut = true
		}
	}
	if !shut {
		return nil
	}
	node := orUnknown(p.Spec.NodeName)
	cause := fmt.Sprintf("the pod was stopped because node %s shut down", node)
	if p.Status.Reason == "NodeShutdown" {
		cause = fmt.Sprintf("node %s was shutting down and refused to start the pod", node)
	}
	f := c.finding(CodeNodeShutdown, "", cause)
	f.Evidence = []Evidence{{Source: "status.reason", Message: p.Status.Reason}}
	if p.Status.Message != "" {
		f.Evidence = append(f.Evidence, Evidence{Source: "status.message", Message: p.Status.Message})
	}
	f.Facts["node"] = p.Spec.NodeName
	f.Facts["reason"] = p.Status.Reason
	if p.Spec.NodeName != "" {
		f.Next = []string{cmdDescribeNode(p.Spec.NodeName)}
	}
	return []Finding{f}
}

// terminatingSlack is how long past deletionTimestamp a pod may take to
// go before it is called stuck: the kubelet reports a little late.
const terminatingSlack = 30 * time.Second

// ruleStuckTerminating: the pod was deleted and is still there past its
// grace period (deletionTimestamp is already "request time + grace").
func ruleStuckTerminating(c *PodContext) []Finding {
	p := c.Pod
	if p.DeletionTimestamp == nil {
		return nil
	}
	over := c.Now.Sub(p.DeletionTimestamp.Time)
	if over < terminatingSlack {
		if c.explained("") {
			return nil // preempted, evicted...: that says why it goes
		}
		return []Finding{c.terminatingFinding(-over)}
	}
	node := p.Spec.NodeName
	nodeDown := ""
	if node != "" {
		if c.Node == nil && c.G != nil && c.G.Has(graph.ResNodes) {
			nodeDown = "no longer exists"
		} else if c.Node != nil {
			if rc := nodeCondition(c.Node, corev1.NodeReady); rc != nil && rc.Status != corev1.ConditionTrue {
				nodeDown = "is " + readyWord(rc.Status)
			}
		}
	}
	f := c.finding(CodeStuckTerminating, "", "")
	grace := int64(30)
	if p.DeletionGracePeriodSeconds != nil {
		grace = *p.DeletionGracePeriodSeconds
	}
	switch {
	case len(p.Finalizers) > 0:
		f.Cause = fmt.Sprintf("the pod was deleted but is kept %s past its grace period by finalizers %s, which their controller has not removed", humanDuration(over), strings.Join(p.Finalizers, ", "))
		f.Next = []string{fmt.Sprintf("kubectl get pod %s%s -o jsonpath='{.metadata.finalizers}'", p.Name, nsFlag(p.Namespace))}
	case nodeDown != "":
		f.Cause = fmt.Sprintf("the pod was deleted %s past its grace period, but its node %s %s, so nothing can confirm its containers stopped", humanDuration(over), node, nodeDown)
		f.Next = []string{cmdDescribeNode(node), fmt.Sprintf("kubectl delete pod %s%s --grace-period=0 --force", p.Name, nsFlag(p.Namespace))}
	case node == "":
		f.Cause = fmt.Sprintf("the pod was deleted %s past its grace period and is still there", humanDuration(over))
		f.Next = []string{c.cmdDescribe()}
	default:
		f.Cause = fmt.Sprintf("the pod was deleted %s past its grace period, and the kubelet on node %s has not confirmed its containers stopped", humanDuration(over), node)
		f.Next = []string{c.cmdDescribe(), cmdDescribeNode(node)}
	}
	f.Evidence = []Evidence{{Source: "metadata.deletionTimestamp", Message: p.DeletionTimestamp.UTC().Format(time.RFC3339)}}
	if len(p.Finalizers) > 0 {
		f.Evidence = append(f.Evidence, Evidence{Source: "metadata.finalizers", Message: strings.Join(p.Finalizers, ", ")})
	}
	if len(p.Finalizers) > 0 {
		f.Facts["finalizers"] = strings.Join(p.Finalizers, ",")
	}
	f.Facts["node"] = node
	f.Facts["overdue"] = humanDuration(over)
	f.Facts["gracePeriodSeconds"] = fmt.Sprint(grace)
	return []Finding{f}
}

// terminatingFinding: deleted, and still within its grace period (plus a
// little slack for the kubelet to report): going away as asked.
func (c *PodContext) terminatingFinding(left time.Duration) Finding {
	p := c.Pod
	what := "its grace period has passed; the kubelet is confirming its containers stopped"
	if left > 0 {
		what = fmt.Sprintf("%s left of its grace period", humanDuration(left))
	}
	f := c.finding(CodeTerminating, "", "the pod is being deleted: "+what)
	f.Evidence = []Evidence{{Source: "metadata.deletionTimestamp", Message: p.DeletionTimestamp.UTC().Format(time.RFC3339)}}
	f.Next = []string{fmt.Sprintf("kubectl get pod %s%s --watch", p.Name, nsFlag(p.Namespace))}
	return f
}

// longRunningOwners are the controllers whose pods must not complete.
var longRunningOwners = map[string]bool{KindReplicaSet: true, KindStatefulSet: true, "DaemonSet": true, "ReplicationController": true}

// ruleCompletedUnderController: Succeeded under a controller that expects
// the process to run forever (a Job's pods are supposed to complete).
func ruleCompletedUnderController(c *PodContext) []Finding {
	p := c.Pod
	if p.Status.Phase != corev1.PodSucceeded || p.DeletionTimestamp != nil {
		return nil // a deleted pod exits 0 because it was asked to
	}
	o := graph.ControllerOf(p)
	if o == nil || !longRunningOwners[o.Kind] {
		return nil
	}
	owner := strings.ToLower(o.Kind) + "/" + o.Name
	f := c.finding(CodeCompletedUnderController, "", fmt.Sprintf("every container of the pod exited with code 0, but its owner %s expects a process that keeps running", owner))
	f.Evidence = []Evidence{{Source: "status.phase", Message: string(p.Status.Phase)}}
	for _, pc := range c.containers() {
		if t := pc.terminated(); t != nil && !pc.Init {
			f.Evidence = append(f.Evidence, Evidence{Source: pc.statusPath() + ".state.terminated", Message: terminatedText(t)})
		}
	}
	f.Facts["owner"] = owner
	if len(p.Spec.Containers) > 0 {
		f.Next = []string{c.cmdLogs(p.Spec.Containers[0].Name, false)}
	}
	f.Next = append(f.Next, c.cmdDescribe())
	return []Finding{f}
}

// rulePodFailed: phase Failed and nothing more specific explained it
// (activeDeadlineSeconds, a reason no rule knows).
func rulePodFailed(c *PodContext) []Finding {
	p := c.Pod
	if p.Status.Phase != corev1.PodFailed || c.explained("") {
		return nil
	}
	var cause string
	switch p.Status.Reason {
	case "DeadlineExceeded":
		d := ""
		if p.Spec.ActiveDeadlineSeconds != nil {
			d = fmt.Sprintf(" of %ds", *p.Spec.ActiveDeadlineSeconds)
		}
		cause = fmt.Sprintf("the pod ran past its activeDeadlineSeconds%s and was stopped", d)
	case "":
		cause = "the pod failed"
		if p.Status.Message != "" {
			cause += ": " + firstLine(p.Status.Message)
		}
	default:
		cause = fmt.Sprintf("the pod failed (%s)", p.Status.Reason)
		if p.Status.Message != "" {
			cause += ": " + firstLine(p.Status.Message)
		}
	}
	f := c.finding(CodePodFailed, "", cause)
	f.Evidence = []Evidence{{Source: "status.phase", Message: string(p.Status.Phase)}}
	if p.Status.Reason != "" {
		f.Evidence = append(f.Evidence, Evidence{Source: "status.reason", Message: p.Status.Reason})
	}
	if p.Status.Message != "" {
		f.Evidence = append(f.Evidence, Evidence{Source: "status.message", Message: p.Status.Message})
	}
	f.Facts["reason"] = p.Status.Reason
	f.Next = []string{c.cmdDescribe()}
	return []Finding{f}
}

// activeWarnings are the warning events that still matter: a
// FailedScheduling before the pod got its node is history.
func (c *PodContext) activeWarnings() []*corev1.Event {
	var out []*corev1.Event
	for _, e := range c.Events {
		if e == nil || e.Type != corev1.EventTypeWarning {
			continue
		}
		if e.Reason == "FailedScheduling" && c.Pod.Spec.NodeName != "" {
			continue
		}
		out = append(out, e)
	}
	return out
}

// ruleInitRunningLong: an init container runs, and runs, and the app
// containers wait for it ("Init:0/2" for long).
func ruleInitRunningLong(c *PodContext) []Finding {
	p := c.Pod
	if c.ended() || p.DeletionTimestamp != nil {
		return nil
	}
	total := 0
	for _, pc := range c.containers() {
		if pc.Init && !pc.Sidecar {
			total++
		}
	}
	i := 0
	for _, pc := range c.containers() {
		if !pc.Init || pc.Sidecar {
			continue
		}
		if t := pc.terminated(); t != nil && t.ExitCode == 0 {
			i++
			continue
		}
		// The first init container that has not completed blocks the rest.
		r := pc.running()
		if r == nil || c.explained(pc.Name) {
			return nil
		}
		since := r.StartedAt.Time
		if since.IsZero() || c.Now.Sub(since) < startingWindow {
			return nil
		}
		f := c.finding(CodeInitContainerBlocked, pc.Name, fmt.Sprintf("init container %s (%d of %d) has been running for %s without completing; the app containers start only after it exits 0",
			pc.Name, i+1, total, humanDuration(c.Now.Sub(since))))
		f.Evidence = []Evidence{{Source: pc.statusPath() + ".state.running", Message: "startedAt=" + since.UTC().Format(time.RFC3339)}}
		if pc.Spec != nil && len(pc.Spec.Command)+len(pc.Spec.Args) > 0 {
			f.Evidence = append(f.Evidence, Evidence{Source: pc.specPath() + ".command", Message: strings.Join(append(append([]string{}, pc.Spec.Command...), pc.Spec.Args...), " ")})
		}
		f.Facts["init"] = "true"
		f.Facts["running"] = humanDuration(c.Now.Sub(since))
		f.Facts["progress"] = fmt.Sprintf("%d/%d", i, total)
		f.Next = []string{c.cmdLogs(pc.Name, false), c.cmdDescribe()}
		return []Finding{f}
	}
	return nil
}

// ruleCreatingSlow: scheduled, nothing started, past the starting window,
// and no event said why (volumes, sandbox and images have their rules).
func ruleCreatingSlow(c *PodContext) []Finding {
	p := c.Pod
	if p.Spec.NodeName == "" || p.Status.Phase != corev1.PodPending || p.DeletionTimestamp != nil || c.explained("") {
		return nil
	}
	for _, pc := range c.containers() {
		if pc.running() != nil {
			return nil // an init container runs: ruleInitRunningLong
		}
	}
	since := p.CreationTimestamp.Time
	if cond := podCondition(p, corev1.PodScheduled); cond != nil && cond.Status == corev1.ConditionTrue && !cond.LastTransitionTime.IsZero() {
		since = cond.LastTransitionTime.Time
	}
	if since.IsZero() || c.Now.Sub(since) < startingWindow {
		return nil
	}
	waited := humanDuration(c.Now.Sub(since))
	// A big image being pulled is slow, not broken: say which.
	for _, pc := range c.containers() {
		if pc.Status != nil && pc.Status.State.Waiting == nil {
			continue
		}
		pulling := latestEvent(c.eventsFor(pc.Name, "Pulling"))
		if pulling == nil {
			continue
		}
		pulled := latestEvent(c.eventsFor(pc.Name, "Pulled"))
		if pulled != nil && !eventTime(pulled).Before(eventTime(pulling)) {
			continue
		}
		f := c.finding(CodeContainerCreatingSlow, pc.Name, fmt.Sprintf("%s has waited %s for image %s, which is still being pulled", pc.what(), waited, imageOf(pc)))
		f.Evidence = []Evidence{eventEvidence(pulling)}
		f.Facts["image"] = imageOf(pc)
		f.Facts["waiting"] = waited
		f.Next = []string{c.cmdEvents()}
		if p.Spec.NodeName != "" {
			f.Next = append(f.Next, cmdDescribeNode(p.Spec.NodeName))
		}
		return []Finding{f}
	}
	name := ""
	what := "the pod's containers have"
	for _, pc := range c.containers() {
		if pc.Status == nil || pc.waiting() != nil {
			name, what = pc.Name, pc.what()+" has"
			break
		}
	}
	why := "and no event says why"
	if c.G != nil && c.G.Gap(graph.ResEvents) != "" {
		why = "and events could not be read to say why"
	}
	f := c.finding(CodeContainerCreatingSlow, name, fmt.Sprintf("%s been creating for %s on node %s %s (volumes, network or the runtime)", what, waited, p.Spec.NodeName, why))
	f.Evidence = []Evidence{{Source: "status.phase", Message: string(p.Status.Phase)}}
	for _, pc := range c.containers() {
		if w := pc.waiting(); w != nil && w.Reason != "" {
			f.Evidence = append(f.Evidence, waitingEvidence(pc))
			break
		}
	}
	f.Facts["waiting"] = waited
	f.Facts["node"] = p.Spec.NodeName
	f.Next = []string{c.cmdDescribe(), cmdDescribeNode(p.Spec.NodeName)}
	return []Finding{f}
}

// ruleStarting: a young pod with no warning and nothing else to say is
// starting normally. The verdict is then Progressing, not a failure.
func ruleStarting(c *PodContext) []Finding {
	p := c.Pod
	if PodReady(p) || c.ended() || p.DeletionTimestamp != nil || c.explained("") || len(c.activeWarnings()) > 0 {
		return nil
	}
	if hasCode(c.found, CodeStarting) {
		return nil // a container already said how far its start is
	}
	young := c.age() < startingWindow
	// A container still within its probes' budget is starting too.
	probing := false
	allRunning := len(p.Spec.Containers) > 0
	for _, pc := range c.containers() {
		if pc.Init && !pc.Sidecar {
			continue
		}
		r := pc.running()
		if r == nil {
			allRunning = false
			continue
		}
		if !pc.ready() && !r.StartedAt.IsZero() && c.Now.Sub(r.StartedAt.Time) < readyGrace(pc) {
			probing = true
		}
	}
	if !young && !(allRunning && probing) {
		return nil
	}
	status := PodStatusText(p)
	cause := fmt.Sprintf("the pod is starting normally (%s, created %s ago)", status, humanDuration(c.age()))
	if !young {
		cause = fmt.Sprintf("the pod is starting normally: its containers run and their probes have not yet had time to pass (created %s ago)", humanDuration(c.age()))
	}
	f := c.finding(CodeStarting, "", cause)
	f.Evidence = []Evidence{{Source: "status.phase", Message: string(p.Status.Phase)}}
	f.Facts["status"] = status
	f.Facts["age"] = humanDuration(c.age())
	return []Finding{f}
}

// defaultEventTTL is kube-apiserver's --event-ttl default.
const defaultEventTTL = time.Hour

// ruleEventsMissing: the pod is not Ready, has lived longer than events
// do, and has no events left. Events expire (kube-apiserver --event-ttl, 1h
// by default), so the answer rests on status alone. Routine events (one
// Scheduled per pod) are not read at all (graph.RoutineEventReasons), so a
// younger pod with none of the others has not lost any: it is not said
// then. Nor when events could not be read: that is a gap, reported as a
// note.
func ruleEventsMissing(c *PodContext) []Finding {
	p := c.Pod
	if c.G == nil || !c.G.Has(graph.ResEvents) || len(c.Events) > 0 || PodReady(p) || p.Status.Phase == corev1.PodSucceeded {
		return nil
	}
	if c.age() < defaultEventTTL {
		return nil
	}
	// A starting pod may have none yet; a gated one gets none by design.
	if hasCode(c.found, CodeStarting) || hasCode(c.found, CodeSchedulingGated) {
		return nil
	}
	f := c.finding(CodeEventsMissing, "", "no events were found for the pod: they may have expired (the API server keeps them 1 hour by default), so this is read from status alone")
	f.Facts["events"] = "0"
	return []Finding{f}
}
