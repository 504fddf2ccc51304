package explain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"
)

// startingWindow is how long a pod may sit in Pending or ContainerCreating,
// with no warning event, before it is no longer "starting normally".
const startingWindow = 2 * time.Minute

// recentWindow bounds "recent" for restarts: a container that last died
// within it is flapping, not healthy.
const recentWindow = time.Hour

// podContainer is one container of the pod with its spec and its status.
type podContainer struct {
	Name    string
	Init    bool // an init container (Sidecar ones included)
	Sidecar bool // an init container with restartPolicy Always
	Spec    *corev1.Container
	Status  *corev1.ContainerStatus // nil until the kubelet reports it
}

// what names the container in a sentence.
func (pc podContainer) what() string {
	switch {
	case pc.Sidecar:
		return "sidecar container " + pc.Name
	case pc.Init:
		return "init container " + pc.Name
	}
	return "container " + pc.Name
}

// statusPath is the machine-stable path of the container's status.
func (pc podContainer) statusPath() string {
	if pc.Init {
		return fmt.Sprintf("status.initContainerStatuses[%s]", pc.Name)
	}
	return fmt.Sprintf("status.containerStatuses[%s]", pc.Name)
}

// specPath is the machine-stable path of the container's spec.
func (pc podContainer) specPath() string {
	if pc.Init {
		return fmt.Sprintf("spec.initContainers[%s]", pc.Name)
	}
	return fmt.Sprintf("spec.containers[%s]", pc.Name)
}

// status is the container's status, empty when the kubelet reported none.
func (pc podContainer) status() *corev1.ContainerStatus {
	if pc.Status == nil {
		return &corev1.ContainerStatus{}
	}
	return pc.Status
}

func (pc podContainer) waiting() *corev1.ContainerStateWaiting { return pc.status().State.Waiting }

func (pc podContainer) running() *corev1.ContainerStateRunning { return pc.status().State.Running }

func (pc podContainer) terminated() *corev1.ContainerStateTerminated {
	return pc.status().State.Terminated
}

func (pc podContainer) lastTerminated() *corev1.ContainerStateTerminated {
	return pc.status().LastTerminationState.Terminated
}

func (pc podContainer) restarts() int32 {
	if pc.Status == nil {
		return 0
	}
	return pc.Status.RestartCount
}

func (pc podContainer) ready() bool { return pc.Status != nil && pc.Status.Ready }

func (pc podContainer) waitingReason() string {
	if w := pc.waiting(); w != nil {
		return w.Reason
	}
	return ""
}

// containers lists the pod's init containers, then its app containers, each
// with its status. Ephemeral (debug) containers never gate readiness and
// are left out.
func (c *PodContext) containers() []podContainer {
	if c.cs != nil {
		return c.cs
	}
	p := c.Pod
	out := []podContainer{}
	for i := range p.Spec.InitContainers {
		s := &p.Spec.InitContainers[i]
		out = append(out, podContainer{
			Name:    s.Name,
			Init:    true,
			Sidecar: s.RestartPolicy != nil && *s.RestartPolicy == corev1.ContainerRestartPolicyAlways,
			Spec:    s,
			Status:  findStatus(p.Status.InitContainerStatuses, s.Name),
		})
	}
	for i := range p.Spec.Containers {
		s := &p.Spec.Containers[i]
		out = append(out, podContainer{Name: s.Name, Spec: s, Status: findStatus(p.Status.ContainerStatuses, s.Name)})
	}
	c.cs = out
	return out
}

func findStatus(ss []corev1.ContainerStatus, name string) *corev1.ContainerStatus {
	return firstOf(ss, func(s corev1.ContainerStatus) bool { return s.Name == name })
}

func podCondition(p *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	return firstOf(p.Status.Conditions, func(c corev1.PodCondition) bool { return c.Type == t })
}

// firstOf points at the first element of s that matches, or is nil.
func firstOf[T any](s []T, match func(T) bool) *T {
	if i := slices.IndexFunc(s, match); i >= 0 {
		return &s[i]
	}
	return nil
}

// finding starts a finding about the pod with the code's default severity.
func (c *PodContext) finding(code Code, container, cause string) Finding {
	sev := SeverityError
	if i, ok := Info(code); ok {
		sev = i.Severity
	}
	return Finding{Code: code, Severity: sev, Object: podRef(c.Pod), Container: container, Cause: cause, Facts: map[string]string{}}
}

// explained reports whether an earlier rule already explained the container
// ("" = any finding about the pod, Info ones excepted).
func (c *PodContext) explained(container string) bool {
	for _, f := range c.found {
		if f.Severity == SeverityInfo {
			continue
		}
		if container == "" || f.Container == container {
			return true
		}
	}
	return false
}

// age is how long the pod has existed.
func (c *PodContext) age() time.Duration {
	if c.Pod.CreationTimestamp.IsZero() {
		return 0
	}
	return c.Now.Sub(c.Pod.CreationTimestamp.Time)
}

// ago renders the time since t, "" for a zero t.
func (c *PodContext) ago(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return humanDuration(c.Now.Sub(t))
}

// ended reports a pod that will not run again (Succeeded or Failed).
func (c *PodContext) ended() bool {
	return c.Pod.Status.Phase == corev1.PodSucceeded || c.Pod.Status.Phase == corev1.PodFailed
}

// Next-step commands, pasted as they are.

func (c *PodContext) cmdDescribe() string {
	return fmt.Sprintf("kubectl describe pod %s%s", c.Pod.Name, nsFlag(c.Pod.Namespace))
}

func (c *PodContext) cmdEvents() string {
	return fmt.Sprintf("kubectl get events%s --field-selector involvedObject.name=%s", nsFlag(c.Pod.Namespace), c.Pod.Name)
}

func (c *PodContext) cmdLogs(container string, previous bool) string {
	s := fmt.Sprintf("kubectl logs %s -c %s%s", c.Pod.Name, container, nsFlag(c.Pod.Namespace))
	if previous {
		s += " --previous"
	}
	return s
}

func cmdDescribeNode(node string) string { return "kubectl describe node " + node }

// Events.

// containerOfEvent returns the container an event is about, from its
// involvedObject.fieldPath ("spec.containers{app}"), or "".
func containerOfEvent(e *corev1.Event) string {
	fp := e.InvolvedObject.FieldPath
	i := strings.IndexByte(fp, '{')
	if i < 0 || !strings.HasSuffix(fp, "}") {
		return ""
	}
	return fp[i+1 : len(fp)-1]
}

// eventsFor returns the pod's events with one of the reasons (any reason
// when none is given) about container ("" = about any or no container),
// oldest first.
func (c *PodContext) eventsFor(container string, reasons ...string) []*corev1.Event {
	var out []*corev1.Event
	for _, e := range c.Events {
		if e == nil {
			continue
		}
		// An event without a fieldPath names no container (some emitters
		// leave it out): it may be about any of them, so it is kept.
		if ec := containerOfEvent(e); container != "" && ec != "" && ec != container {
			continue
		}
		if len(reasons) > 0 && !slices.Contains(reasons, e.Reason) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// eventsMatching filters events by a predicate on their message.
func eventsMatching(evs []*corev1.Event, pred func(msg string) bool) []*corev1.Event {
	var out []*corev1.Event
	for _, e := range evs {
		if pred(e.Message) {
			out = append(out, e)
		}
	}
	return out
}

// latestEvent is the last one seen (events are sorted oldest first).
func latestEvent(evs []*corev1.Event) *corev1.Event {
	if len(evs) == 0 {
		return nil
	}
	return evs[len(evs)-1]
}

// hasWarnings reports whether any Warning event was seen for the pod.
func (c *PodContext) hasWarnings() bool {
	for _, e := range c.Events {
		if e != nil && e.Type == corev1.EventTypeWarning {
			return true
		}
	}
	return false
}

// eventEvidence quotes an event; Source stays machine-stable, the count
// and the time go in their own fields.
func eventEvidence(e *corev1.Event) Evidence {
	t := graph.EventTime(e).Time
	ev := Evidence{Source: fmt.Sprintf("event %s %s", e.Type, e.Reason), Message: e.Message, Count: graph.EventCount(e)}
	if !t.IsZero() {
		ev.LastSeen = &t
	}
	// The first occurrence: firstTimestamp, or eventTime for events.k8s.io
	// series (the scheduler's).
	first := e.FirstTimestamp.Time
	if first.IsZero() {
		first = e.EventTime.Time
	}
	if !first.IsZero() && !first.After(t) {
		ev.FirstSeen = &first
	}
	return ev
}

func eventTime(e *corev1.Event) time.Time { return graph.EventTime(e).Time }

// Status evidence.

func waitingEvidence(pc podContainer) Evidence {
	w := pc.waiting()
	return Evidence{Source: pc.statusPath() + ".state.waiting", Message: joinNonEmpty(": ", w.Reason, w.Message)}
}

// terminatedText renders a terminated state compactly, keeping the
// reason, exit code, times and message verbatim.
func terminatedText(t *corev1.ContainerStateTerminated) string {
	parts := []string{}
	if t.Reason != "" {
		parts = append(parts, "reason="+t.Reason)
	}
	parts = append(parts, fmt.Sprintf("exitCode=%d", t.ExitCode))
	if t.Signal != 0 {
		parts = append(parts, fmt.Sprintf("signal=%d", t.Signal))
	}
	if !t.StartedAt.IsZero() {
		parts = append(parts, "startedAt="+t.StartedAt.UTC().Format(time.RFC3339))
	}
	if !t.FinishedAt.IsZero() {
		parts = append(parts, "finishedAt="+t.FinishedAt.UTC().Format(time.RFC3339))
	}
	s := strings.Join(parts, " ")
	if m := strings.TrimSpace(t.Message); m != "" {
		s += ": " + m
	}
	return s
}

// lived is how long a terminated run lasted, 0 when unknown.
func lived(t *corev1.ContainerStateTerminated) time.Duration {
	if t == nil || t.StartedAt.IsZero() || t.FinishedAt.IsZero() {
		return 0
	}
	d := t.FinishedAt.Sub(t.StartedAt.Time)
	if d < 0 {
		return 0
	}
	return d
}

// Quantities.

// podRequest is what the scheduler counts for the pod: component-helpers'
// PodRequests, the scheduler's own arithmetic (app containers and
// sidecars, the largest init container, pod overhead, pod-level
// resources when set).
func podRequest(p *corev1.Pod, name corev1.ResourceName) resource.Quantity {
	return resourcehelper.PodRequests(p, resourcehelper.PodResourcesOptions{})[name]
}

// memoryLimit is the container's memory limit, "" when it has none.
func memoryLimit(spec *corev1.Container) string {
	if spec == nil {
		return ""
	}
	if q, ok := spec.Resources.Limits[corev1.ResourceMemory]; ok {
		return q.String()
	}
	return ""
}

// listWords renders a list of names for a sentence: "a", "a and b", "a, b and c".
func listWords(ws []string) string {
	switch len(ws) {
	case 0:
		return ""
	case 1:
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}
