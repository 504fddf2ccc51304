package explain

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	corev1 "k8s.io/api/core/v1"
)

// Probe defaults, as the API server fills them in; used when a saved
// object lacks them.
const (
	defProbeTimeout   = 1
	defProbePeriod    = 10
	defProbeSuccess   = 1
	defProbeThreshold = 3
)

func orDefault(v, def int32) int32 {
	if v <= 0 {
		return def
	}
	return v
}

// describeProbe renders a probe as kubectl describe does:
// "http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3".
func describeProbe(p *corev1.Probe) string {
	if p == nil {
		return ""
	}
	attrs := fmt.Sprintf("delay=%ds timeout=%ds period=%ds #success=%d #failure=%d", p.InitialDelaySeconds,
		orDefault(p.TimeoutSeconds, defProbeTimeout), orDefault(p.PeriodSeconds, defProbePeriod),
		orDefault(p.SuccessThreshold, defProbeSuccess), orDefault(p.FailureThreshold, defProbeThreshold))
	switch {
	case p.Exec != nil:
		return fmt.Sprintf("exec %v %s", p.Exec.Command, attrs)
	case p.HTTPGet != nil:
		scheme := strings.ToLower(string(p.HTTPGet.Scheme))
		if scheme == "" {
			scheme = "http"
		}
		u := &url.URL{Scheme: scheme, Host: net.JoinHostPort(p.HTTPGet.Host, p.HTTPGet.Port.String()), Path: p.HTTPGet.Path}
		return fmt.Sprintf("http-get %s %s", u.String(), attrs)
	case p.TCPSocket != nil:
		return fmt.Sprintf("tcp-socket %s:%s %s", p.TCPSocket.Host, p.TCPSocket.Port.String(), attrs)
	case p.GRPC != nil:
		svc := ""
		if p.GRPC.Service != nil {
			svc = *p.GRPC.Service
		}
		return fmt.Sprintf("grpc <pod>:%d %s %s", p.GRPC.Port, svc, attrs)
	}
	return "unknown " + attrs
}

// probeType names the probe's handler for Facts.
func probeType(p *corev1.Probe) string {
	switch {
	case p == nil:
		return ""
	case p.Exec != nil:
		return "exec"
	case p.HTTPGet != nil:
		return "httpGet"
	case p.TCPSocket != nil:
		return "tcpSocket"
	case p.GRPC != nil:
		return "grpc"
	}
	return "unknown"
}

// probeBudget is how long a probe may fail before it acts:
// failureThreshold × periodSeconds (after initialDelaySeconds).
func probeBudget(p *corev1.Probe) time.Duration {
	if p == nil {
		return 0
	}
	return time.Duration(orDefault(p.FailureThreshold, defProbeThreshold)*orDefault(p.PeriodSeconds, defProbePeriod)) * time.Second
}

// probeFacts adds the probe's definition to a finding.
func probeFacts(f *Finding, kind string, p *corev1.Probe) {
	if p == nil {
		return
	}
	f.Facts["probe"] = kind
	f.Facts["probeType"] = probeType(p)
	f.Facts["probeSpec"] = describeProbe(p)
	f.Facts["failureThreshold"] = strconv.Itoa(int(orDefault(p.FailureThreshold, defProbeThreshold)))
	f.Facts["periodSeconds"] = strconv.Itoa(int(orDefault(p.PeriodSeconds, defProbePeriod)))
}

// probeFailure strips "Readiness probe failed: " from an Unhealthy message,
// keeping the probe's own words (first line, bounded).
func probeFailure(msg string) string {
	if i := strings.Index(msg, "probe failed: "); i >= 0 {
		msg = msg[i+len("probe failed: "):]
	}
	msg = firstLine(msg)
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	if msg == "" {
		msg = "no output"
	}
	return msg
}

// probeHint reads a probe failure in plain words.
func probeHint(msg string) string {
	l := strings.ToLower(msg)
	switch {
	case strings.Contains(l, "connection refused"):
		return "nothing listens on the probed port"
	case strings.Contains(l, "statuscode: "):
		i := strings.Index(l, "statuscode: ")
		return "the endpoint answers HTTP " + strings.TrimSpace(msg[i+len("statuscode: "):])
	case strings.Contains(l, "deadline exceeded"), strings.Contains(l, "timeout"), strings.Contains(l, "timed out"):
		return "the endpoint does not answer within timeoutSeconds"
	case strings.Contains(l, "no route to host"), strings.Contains(l, "network is unreachable"):
		return "the pod's address is unreachable from the node"
	}
	return ""
}

// probeEvents returns the Unhealthy events of one probe kind ("Liveness",
// "Readiness", "Startup") for the container, and its Killing events.
func (c *PodContext) probeEvents(container, kind string) (unhealthy, killing []*corev1.Event) {
	unhealthy = eventsMatching(c.eventsFor(container, "Unhealthy"), func(m string) bool { return strings.HasPrefix(m, kind+" probe failed") })
	killing = eventsMatching(c.eventsFor(container, "Killing"), func(m string) bool {
		return strings.Contains(m, "failed "+strings.ToLower(kind)+" probe")
	})
	return unhealthy, killing
}

// duringRun reports whether an event was seen during or after the run
// that started at start (events are second-precise: a minute of slack).
func duringRun(e *corev1.Event, start time.Time) bool {
	if e == nil {
		return false
	}
	t := eventTime(e)
	return start.IsZero() || t.IsZero() || !t.Before(start.Add(-time.Minute))
}

// ruleProbeKilled: the kubelet kills the container because its liveness
// (or startup) probe fails; the container then restarts, so this is said
// instead of a bare crash loop.
func ruleProbeKilled(c *PodContext) []Finding {
	if c.ended() {
		return nil
	}
	var out []Finding
	for _, pc := range c.containers() {
		if pc.Spec == nil || c.explained(pc.Name) || (pc.Init && !pc.Sidecar) {
			continue
		}
		last := pc.lastTerminated()
		runStart := time.Time{}
		if last != nil {
			runStart = last.StartedAt.Time
		} else if r := pc.running(); r != nil {
			runStart = r.StartedAt.Time
		}
		// Startup first: while it fails, liveness and readiness do not run.
		if p := pc.Spec.StartupProbe; p != nil {
			uh, kill := c.probeEvents(pc.Name, "Startup")
			started := pc.Status != nil && pc.Status.Started != nil && *pc.Status.Started
			switch {
			case len(kill) > 0 && duringRun(latestEvent(kill), runStart):
				out = append(out, c.probeFinding(pc, CodeStartupProbeFailed, "Startup", p, uh, kill))
				continue
			case !started && pc.running() != nil && !pc.ready():
				// Not passed yet: starting while within its budget,
				// failing once past it.
				out = append(out, c.startupPending(pc, p, uh))
				continue
			}
		}
		if p := pc.Spec.LivenessProbe; p != nil && !pc.ready() {
			uh, kill := c.probeEvents(pc.Name, "Liveness")
			if (len(kill) > 0 && duringRun(latestEvent(kill), runStart)) || (len(uh) > 0 && duringRun(latestEvent(uh), runStart) && pc.restarts() > 0) {
				out = append(out, c.probeFinding(pc, CodeLivenessProbeFailed, "Liveness", p, uh, kill))
			}
		}
	}
	return out
}

// startupBudget is how long a startup probe may go without succeeding
// before the kubelet restarts the container: initialDelaySeconds plus
// failureThreshold × periodSeconds.
func startupBudget(p *corev1.Probe) time.Duration {
	return time.Duration(p.InitialDelaySeconds)*time.Second + probeBudget(p)
}

// startupPending explains a running container whose startup probe has not
// succeeded yet: within its budget it is starting (Info, with the time
// left), past it the probe has failed (Error).
func (c *PodContext) startupPending(pc podContainer, p *corev1.Probe, unhealthy []*corev1.Event) Finding {
	r := pc.running()
	// Only this run's failures count against its budget.
	unhealthy = slices.DeleteFunc(slices.Clone(unhealthy), func(e *corev1.Event) bool { return !duringRun(e, r.StartedAt.Time) })
	budget := startupBudget(p)
	elapsed := time.Duration(0)
	if !r.StartedAt.IsZero() {
		elapsed = c.Now.Sub(r.StartedAt.Time)
	}
	of := fmt.Sprintf("failureThreshold %d × periodSeconds %d", orDefault(p.FailureThreshold, defProbeThreshold), orDefault(p.PeriodSeconds, defProbePeriod))
	if p.InitialDelaySeconds > 0 {
		of = fmt.Sprintf("initialDelaySeconds %d + %s", p.InitialDelaySeconds, of)
	}
	status := Evidence{Source: pc.statusPath(), Message: fmt.Sprintf("started=false, ready=false, running since %s", r.StartedAt.UTC().Format(time.RFC3339))}
	if elapsed >= budget {
		f := c.probeFinding(pc, CodeStartupProbeFailed, "Startup", p, unhealthy, nil)
		f.Evidence = append([]Evidence{status}, f.Evidence...)
		f.Cause = fmt.Sprintf("the startup probe of %s has not succeeded within its budget of %s (%s): the container has run %s, %s past it",
			pc.what(), budget, of, humanDuration(elapsed), humanDuration(elapsed-budget))
		if last := latestEvent(unhealthy); last != nil {
			f.Cause += ", last failure: " + probeFailure(last.Message)
		} else {
			f.Cause += ", and no probe event says why"
		}
		f.Facts["running"] = humanDuration(elapsed)
		return f
	}
	left := budget - elapsed
	cause := fmt.Sprintf("%s is starting: its startup probe has not succeeded yet, %s of its %s budget (%s) used, %s left before the kubelet restarts it",
		pc.what(), humanDuration(elapsed), budget, of, humanDuration(left))
	if last := latestEvent(unhealthy); last != nil {
		cause += fmt.Sprintf(" (%s so far, the last: %s)", plural(int(graph.EventCount(last)), "failure", "failures"), probeFailure(last.Message))
	}
	f := c.finding(CodeStarting, pc.Name, cause)
	f.Evidence = []Evidence{status, {Source: pc.specPath() + ".startupProbe", Message: describeProbe(p)}}
	if last := latestEvent(unhealthy); last != nil {
		f.Evidence = append(f.Evidence, eventEvidence(last))
	}
	probeFacts(&f, "startup", p)
	f.Facts["budget"] = budget.String()
	f.Facts["running"] = humanDuration(elapsed)
	f.Facts["left"] = humanDuration(left)
	if last := latestEvent(unhealthy); last != nil {
		f.Facts["lastFailure"] = probeFailure(last.Message)
	}
	f.Next = []string{c.cmdLogs(pc.Name, false)}
	return f
}

// ruleReadinessProbe: the container runs, but its readiness probe fails.
func ruleReadinessProbe(c *PodContext) []Finding {
	if c.ended() || c.Pod.DeletionTimestamp != nil {
		return nil
	}
	var out []Finding
	for _, pc := range c.containers() {
		r := pc.running()
		if pc.Spec == nil || pc.Spec.ReadinessProbe == nil || r == nil || pc.ready() || c.explained(pc.Name) {
			continue
		}
		uh, _ := c.probeEvents(pc.Name, "Readiness")
		if len(uh) == 0 || !duringRun(latestEvent(uh), r.StartedAt.Time) {
			continue
		}
		out = append(out, c.probeFinding(pc, CodeReadinessProbeFailed, "Readiness", pc.Spec.ReadinessProbe, uh, nil))
	}
	return out
}

func (c *PodContext) probeFinding(pc podContainer, code Code, kind string, p *corev1.Probe, unhealthy, killing []*corev1.Event) Finding {
	lastUH := latestEvent(unhealthy)
	fail := ""
	if lastUH != nil {
		fail = probeFailure(lastUH.Message)
	}
	what := fmt.Sprintf("the %s probe of %s", strings.ToLower(kind), pc.what())
	detail := ""
	if fail != "" {
		detail = " (" + fail + ")"
		if h := probeHint(fail); h != "" {
			detail = fmt.Sprintf(" (%s: %s)", fail, h)
		}
	}
	var cause string
	switch code {
	case CodeLivenessProbeFailed:
		cause = fmt.Sprintf("%s fails%s, so the kubelet kills and restarts it (%s)", what, detail, plural(int(pc.restarts()), "restart", "restarts"))
	case CodeStartupProbeFailed:
		cause = fmt.Sprintf("%s has not passed%s; the kubelet kills the container when its budget of %s (failureThreshold %d × periodSeconds %d) runs out",
			what, detail, probeBudget(p)+time.Duration(p.InitialDelaySeconds)*time.Second, orDefault(p.FailureThreshold, defProbeThreshold), orDefault(p.PeriodSeconds, defProbePeriod))
	default:
		cause = fmt.Sprintf("%s fails%s, so the pod is not Ready and gets no traffic", what, detail)
	}
	f := c.finding(code, pc.Name, cause)
	f.Evidence = []Evidence{{Source: pc.specPath() + "." + strings.ToLower(kind) + "Probe", Message: describeProbe(p)}}
	if lastUH != nil {
		f.Evidence = append(f.Evidence, eventEvidence(lastUH))
	}
	if k := latestEvent(killing); k != nil {
		f.Evidence = append(f.Evidence, eventEvidence(k))
	}
	if last := pc.lastTerminated(); last != nil && code != CodeReadinessProbeFailed {
		f.Evidence = append(f.Evidence, Evidence{Source: pc.statusPath() + ".lastState.terminated", Message: terminatedText(last)})
		f.Facts["exitCode"] = fmt.Sprint(last.ExitCode)
	}
	if code != CodeReadinessProbeFailed {
		if ev, ok := c.logEvidence(pc.Name); ok {
			f.Evidence = append(f.Evidence, ev)
		}
	}
	probeFacts(&f, strings.ToLower(kind), p)
	if code == CodeStartupProbeFailed {
		f.Facts["budget"] = (probeBudget(p) + time.Duration(p.InitialDelaySeconds)*time.Second).String()
	}
	if fail != "" {
		f.Facts["lastFailure"] = fail
	}
	f.Facts["restarts"] = fmt.Sprint(pc.restarts())
	if code == CodeReadinessProbeFailed {
		f.Next = []string{c.cmdLogs(pc.Name, false), c.cmdDescribe()}
	} else {
		f.Next = []string{c.cmdLogs(pc.Name, pc.restarts() > 0), c.cmdDescribe()}
	}
	return f
}

// ruleReadinessGates: every container is ready, but a condition named in
// spec.readinessGates is not True (set by a load balancer controller,
// usually).
func ruleReadinessGates(c *PodContext) []Finding {
	p := c.Pod
	if len(p.Spec.ReadinessGates) == 0 || PodReady(p) || c.ended() {
		return nil
	}
	if cr := podCondition(p, corev1.ContainersReady); cr == nil || cr.Status != corev1.ConditionTrue {
		return nil // the containers are the cause, not the gate
	}
	var out []Finding
	for _, g := range p.Spec.ReadinessGates {
		cond := podCondition(p, g.ConditionType)
		if cond != nil && cond.Status == corev1.ConditionTrue {
			continue
		}
		status := "missing"
		if cond != nil {
			status = string(cond.Status)
		}
		f := c.finding(CodeReadinessGatePending, "", fmt.Sprintf("the containers are ready, but readiness gate %s is %s: the controller that owns it has not marked the pod ready", g.ConditionType, strings.ToLower(status)))
		msg := "condition not set"
		if cond != nil {
			msg = joinNonEmpty(": ", string(cond.Status), cond.Reason, cond.Message)
		}
		f.Evidence = []Evidence{{Source: fmt.Sprintf("status.conditions[%s]", g.ConditionType), Message: msg}}
		f.Facts["gate"] = string(g.ConditionType)
		f.Facts["status"] = status
		f.Next = []string{fmt.Sprintf("kubectl get pod %s%s -o jsonpath='{.status.conditions}'", p.Name, nsFlag(p.Namespace)), c.cmdDescribe()}
		out = append(out, f)
	}
	return out
}

// readyGrace is how long a running container may take to become ready
// before it is explained as a failure: its startup budget plus readiness
// initial delay and failure budget, and at least the starting window.
func readyGrace(pc podContainer) time.Duration {
	g := startingWindow
	if pc.Spec == nil {
		return g
	}
	var d time.Duration
	if p := pc.Spec.StartupProbe; p != nil {
		d += time.Duration(p.InitialDelaySeconds)*time.Second + probeBudget(p)
	}
	if p := pc.Spec.ReadinessProbe; p != nil {
		d += time.Duration(p.InitialDelaySeconds)*time.Second + probeBudget(p)
	}
	if d > g {
		return d
	}
	return g
}

// ruleNotReadyNoCause: a running container that is not ready and no rule
// explained why; or a container waiting for a reason no rule knows.
func ruleNotReadyNoCause(c *PodContext) []Finding {
	p := c.Pod
	if c.ended() || p.DeletionTimestamp != nil || PodReady(p) || hasCode(c.found, CodeNodeNotReady) {
		return nil
	}
	var out []Finding
	for _, pc := range c.containers() {
		if c.explained(pc.Name) || (pc.Init && !pc.Sidecar) {
			continue
		}
		if w := pc.waiting(); w != nil && w.Reason != "" && w.Reason != "ContainerCreating" && w.Reason != "PodInitializing" {
			f := c.finding(CodeRunContainerError, pc.Name, fmt.Sprintf("%s is waiting: %s", pc.what(), joinNonEmpty(": ", w.Reason, firstLine(w.Message))))
			f.Evidence = []Evidence{waitingEvidence(pc)}
			f.Facts["reason"] = w.Reason
			f.Next = []string{c.cmdDescribe(), c.cmdEvents()}
			out = append(out, f)
			continue
		}
		r := pc.running()
		if r == nil || pc.ready() {
			continue
		}
		if !r.StartedAt.IsZero() && c.Now.Sub(r.StartedAt.Time) < readyGrace(pc) {
			continue // still within its probes' budget: ruleStarting says it
		}
		rp := pc.Spec.ReadinessProbe
		why := "and no probe event says why"
		if c.G != nil && c.G.Has("events") {
			why += " (events may have expired)"
		}
		var cause string
		if rp != nil {
			cause = fmt.Sprintf("%s runs but is not ready, %s; its readiness probe is %s", pc.what(), why, describeProbe(rp))
		} else {
			cause = fmt.Sprintf("%s runs but is not ready, though it has no readiness probe, %s", pc.what(), why)
		}
		f := c.finding(CodeContainerNotReady, pc.Name, cause)
		f.Evidence = []Evidence{{Source: pc.statusPath(), Message: fmt.Sprintf("ready=false, running since %s", r.StartedAt.UTC().Format(time.RFC3339))}}
		if rp != nil {
			f.Evidence = append(f.Evidence, Evidence{Source: pc.specPath() + ".readinessProbe", Message: describeProbe(rp)})
			probeFacts(&f, "readiness", rp)
		}
		if !r.StartedAt.IsZero() {
			f.Facts["running"] = humanDuration(c.Now.Sub(r.StartedAt.Time))
		}
		f.Next = []string{c.cmdLogs(pc.Name, false), c.cmdDescribe()}
		out = append(out, f)
	}
	return out
}
