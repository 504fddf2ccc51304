package explain

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// crashRecent is how recent a restart must be for a running, not-ready
// container to count as crash-looping between two back-offs.
const crashRecent = 10 * time.Minute

// restartAlways reports whether the kubelet restarts the container when it
// exits 0: app containers under restartPolicy Always, and sidecars.
func (c *PodContext) restartAlways(pc podContainer) bool {
	if pc.Sidecar {
		return true
	}
	if pc.Init {
		return false
	}
	return c.Pod.Spec.RestartPolicy == "" || c.Pod.Spec.RestartPolicy == corev1.RestartPolicyAlways
}

// endedByPod reports a pod the kubelet stopped for a pod-level reason
// (evicted, rejected, preempted, shut down): its containers' exits are a
// consequence, not a cause.
func (c *PodContext) endedByPod() bool {
	return c.Pod.Status.Phase == corev1.PodFailed && c.Pod.Status.Reason != ""
}

// ruleCrash explains containers that start and die: crash loops (with the
// exit code read, how long the run lasted and the log tail), OOM kills,
// exit 0 under restartPolicy Always, containers that terminated with an
// error and will not restart, and containers the node lost.
func ruleCrash(c *PodContext) []Finding {
	if c.Pod.Status.Phase == corev1.PodSucceeded {
		return nil
	}
	var out []Finding
	for _, pc := range c.containers() {
		if c.explained(pc.Name) {
			continue
		}
		w, t, last := pc.waiting(), pc.terminated(), pc.lastTerminated()
		switch {
		case t != nil && t.Reason == "ContainerStatusUnknown":
			if !c.endedByPod() {
				out = append(out, c.statusUnknownFinding(pc, t))
			}
		case w != nil && w.Reason == "CrashLoopBackOff":
			if last == nil {
				f := c.finding(CodeCrashLoopBackOff, pc.Name, fmt.Sprintf("%s keeps crashing (%s); its last exit is no longer recorded", pc.what(), plural(int(pc.restarts()), "restart", "restarts")))
				f.Evidence = []Evidence{waitingEvidence(pc)}
				f.Facts["restarts"] = fmt.Sprint(pc.restarts())
				f.Next = []string{c.cmdLogs(pc.Name, true), c.cmdDescribe()}
				out = append(out, f)
				continue
			}
			out = append(out, c.crashFinding(pc, last, ".lastState.terminated", true))
		case t != nil:
			// Stopped by its pod's end or deletion, not by itself.
			if c.endedByPod() || c.Pod.DeletionTimestamp != nil {
				continue
			}
			always := c.restartAlways(pc)
			if t.ExitCode == 0 && t.Reason != "OOMKilled" && !always {
				continue // done, as it should be
			}
			// Terminated under Always means a restart is coming: it loops.
			out = append(out, c.crashFinding(pc, t, ".state.terminated", always && pc.restarts() > 0))
		case pc.running() != nil && !pc.ready() && last != nil && pc.restarts() >= 2 &&
			!last.FinishedAt.IsZero() && c.Now.Sub(last.FinishedAt.Time) < crashRecent && !c.ended():
			// Caught between two crashes: running again, not ready yet.
			out = append(out, c.crashFinding(pc, last, ".lastState.terminated", true))
		}
	}
	return out
}

// crashCode decides which failure mode a terminated run is: killed for
// memory, a clean exit where a long-running process is expected, a binary
// for another architecture, a crash loop, or a plain termination.
func (c *PodContext) crashCode(pc podContainer, t *corev1.ContainerStateTerminated, always, looping bool) Code {
	if t.Reason == "OOMKilled" {
		return CodeOOMKilled
	}
	// A binary for another architecture dies at once with exit 1 and says
	// so only in its log or termination message.
	logText := ""
	if c.G != nil && c.G.Snap != nil {
		logText = c.G.Snap.Logs[c.Pod.Namespace+"/"+c.Pod.Name+"/"+pc.Name]
	}
	switch {
	case strings.Contains(t.Message+"\n"+logText, "exec format error"):
		return CodeExecFormatError
	case t.ExitCode == 0 && always:
		return CodeContainerExitedZero
	case looping:
		return CodeCrashLoopBackOff
	}
	return CodeContainerTerminated
}

// crashCause words the failure mode crashCode decided; ran is "after 5m "
// or "", meaning how the exit reads.
func (c *PodContext) crashCause(code Code, pc podContainer, ran, meaning, limit string, looping bool) string {
	restarts := int(pc.restarts())
	switch code {
	case CodeOOMKilled:
		cause := fmt.Sprintf("%s was OOM-killed %swithout a memory limit of its own: the pod or the node ran out of memory", pc.what(), ran)
		if limit != "" {
			cause = fmt.Sprintf("%s was killed %sfor using more memory than its limit of %s (OOMKilled)", pc.what(), ran, limit)
		}
		if looping || restarts > 0 {
			cause += fmt.Sprintf("; %s", plural(restarts, "restart", "restarts"))
		}
		return cause
	case CodeContainerExitedZero:
		return fmt.Sprintf("%s exits with code 0 %sand is restarted (%s): a one-shot command, but restartPolicy Always expects a process that keeps running", pc.what(), ran, plural(restarts, "restart", "restarts"))
	case CodeExecFormatError:
		return fmt.Sprintf("the binary of %s is built for another CPU architecture than node %s (exec format error)", pc.what(), orUnknown(c.Pod.Spec.NodeName))
	case CodeCrashLoopBackOff:
		return fmt.Sprintf("%s keeps crashing (%s): the last run ended %swith %s", pc.what(), plural(restarts, "restart", "restarts"), ran, meaning)
	}
	cause := fmt.Sprintf("%s terminated %swith %s", pc.what(), ran, meaning)
	if pc.Init && !pc.Sidecar {
		cause = fmt.Sprintf("%s failed %swith %s", pc.what(), ran, meaning)
	}
	if c.Pod.Spec.RestartPolicy == corev1.RestartPolicyNever {
		cause += "; restartPolicy Never, so it is not restarted"
	}
	return cause
}

// crashFinding explains one terminated run of a container.
func (c *PodContext) crashFinding(pc podContainer, t *corev1.ContainerStateTerminated, field string, looping bool) Finding {
	always := c.restartAlways(pc)
	read := readExit(t.ExitCode, t.Reason, t.Signal, always)
	d := lived(t)
	livedText := ""
	if d > 0 || (!t.StartedAt.IsZero() && !t.FinishedAt.IsZero()) {
		livedText = humanDuration(d)
	}
	restarts := pc.restarts()
	limit := memoryLimit(pc.Spec)
	code := c.crashCode(pc, t, always, looping)
	ran := ""
	if livedText != "" {
		ran = "after " + livedText + " "
	}
	f := c.finding(code, pc.Name, c.crashCause(code, pc, ran, read.Meaning, limit, looping))
	if w := pc.waiting(); w != nil && w.Reason != "" {
		f.Evidence = append(f.Evidence, waitingEvidence(pc))
	}
	f.Evidence = append(f.Evidence, Evidence{Source: pc.statusPath() + field, Message: terminatedText(t)})
	if bo := latestEvent(eventsMatching(c.eventsFor(pc.Name, "BackOff"), func(m string) bool {
		return strings.HasPrefix(m, "Back-off restarting failed container")
	})); bo != nil {
		f.Evidence = append(f.Evidence, eventEvidence(bo))
	}
	if code == CodeOOMKilled && limit != "" {
		f.Evidence = append(f.Evidence, Evidence{Source: pc.specPath() + ".resources.limits.memory", Message: limit})
	}
	if ev, ok := c.logEvidence(pc.Name); ok {
		f.Evidence = append(f.Evidence, ev)
	}

	f.Facts["exitCode"] = fmt.Sprint(t.ExitCode)
	if read.Signal != "" {
		f.Facts["signal"] = read.Signal
	}
	if t.Reason != "" {
		f.Facts["reason"] = t.Reason
	}
	f.Facts["restarts"] = fmt.Sprint(restarts)
	if livedText != "" {
		f.Facts["lived"] = livedText
	}
	if !t.FinishedAt.IsZero() {
		f.Facts["finishedAt"] = t.FinishedAt.UTC().Format(time.RFC3339)
	}
	if code == CodeOOMKilled {
		f.Facts["memoryLimit"] = limit
		if pc.Spec != nil {
			if q, ok := pc.Spec.Resources.Requests[corev1.ResourceMemory]; ok {
				f.Facts["memoryRequest"] = q.String()
			}
		}
	}
	if pc.Init {
		f.Facts["init"] = "true"
	}
	f.Facts["image"] = imageOf(pc)
	if code == CodeExecFormatError && c.Node != nil {
		f.Facts["nodeArch"] = c.Node.Status.NodeInfo.Architecture
	}

	previous := field == ".lastState.terminated"
	f.Next = []string{c.cmdLogs(pc.Name, previous)}
	if code == CodeOOMKilled {
		f.Next = append(f.Next, fmt.Sprintf("kubectl top pod %s%s --containers", c.Pod.Name, nsFlag(c.Pod.Namespace)))
	}
	f.Next = append(f.Next, c.cmdDescribe())
	return f
}

func (c *PodContext) statusUnknownFinding(pc podContainer, t *corev1.ContainerStateTerminated) Finding {
	node := orUnknown(c.Pod.Spec.NodeName)
	f := c.finding(CodeContainerStatusUnknown, pc.Name, fmt.Sprintf("node %s lost track of %s (ContainerStatusUnknown): the node went away or was restarted while it ran", node, pc.what()))
	f.Evidence = []Evidence{{Source: pc.statusPath() + ".state.terminated", Message: terminatedText(t)}}
	f.Facts["exitCode"] = fmt.Sprint(t.ExitCode)
	f.Facts["reason"] = t.Reason
	f.Facts["node"] = c.Pod.Spec.NodeName
	if c.Pod.Spec.NodeName != "" {
		f.Next = append(f.Next, cmdDescribeNode(c.Pod.Spec.NodeName))
	}
	f.Next = append(f.Next, c.cmdDescribe())
	return f
}

// Restarts of a Ready container worth a warning: any within the last
// hour, or many, or steadily: a pod at 140 restarts in 46 days whose last
// crash was three hours ago is unstable, one that restarted once last
// month is not.
const (
	flappingMany     = 10
	flappingSteady   = 3
	flappingInterval = 7 * 24 * time.Hour // one restart a week or more often
)

// restartsWorthSaying decides whether n restarts over the container's
// life, the last `ago` ago, make a Ready container unstable.
func restartsWorthSaying(n int32, ago, life time.Duration) bool {
	switch {
	case n <= 0:
		return false
	case ago <= recentWindow, n >= flappingMany:
		return true
	}
	return n >= flappingSteady && life > 0 && life/time.Duration(n) <= flappingInterval
}

// restartRate says how often: "in 46d (about 3 a day)".
func restartRate(n int32, life time.Duration) string {
	if life <= 0 || n < 2 {
		return ""
	}
	days := life.Hours() / 24
	switch perDay := float64(n) / days; {
	case days < 1:
		return " in " + humanDuration(life)
	case perDay >= 1:
		return fmt.Sprintf(" in %s (about %.0f a day)", humanDuration(life), perDay)
	default:
		return fmt.Sprintf(" in %s (about one every %s)", humanDuration(life), humanDuration(life/time.Duration(n)))
	}
}

// ruleFlapping: the pod is Ready, but a container restarts (recently,
// often or steadily). Not a failure yet, a warning that it will be one
// again.
func ruleFlapping(c *PodContext) []Finding {
	if !PodReady(c.Pod) || c.Pod.DeletionTimestamp != nil {
		return nil
	}
	var out []Finding
	for _, pc := range c.containers() {
		last := pc.lastTerminated()
		if c.explained(pc.Name) || !pc.ready() || pc.restarts() == 0 || last == nil || last.FinishedAt.IsZero() {
			continue
		}
		ago := c.Now.Sub(last.FinishedAt.Time)
		life := c.age()
		if st := c.Pod.Status.StartTime; st != nil && !st.IsZero() {
			life = c.Now.Sub(st.Time)
		}
		if !restartsWorthSaying(pc.restarts(), ago, life) {
			continue
		}
		read := readExit(last.ExitCode, last.Reason, last.Signal, c.restartAlways(pc))
		how := read.Meaning
		if k := latestEvent(eventsMatching(c.eventsFor(pc.Name, "Killing"), func(m string) bool { return strings.Contains(m, "failed liveness probe") })); k != nil {
			if kt := eventTime(k); kt.IsZero() || !kt.Before(last.StartedAt.Time.Add(-time.Minute)) {
				how = read.Meaning + ", killed by its liveness probe"
			}
		}
		f := c.finding(CodeFlapping, pc.Name, fmt.Sprintf("%s is unstable: it restarted %s%s, the last %s ago with %s",
			pc.what(), plural(int(pc.restarts()), "time", "times"), restartRate(pc.restarts(), life), humanDuration(ago), how))
		f.Evidence = []Evidence{{Source: pc.statusPath() + ".lastState.terminated", Message: terminatedText(last)}}
		if ev, ok := c.logEvidence(pc.Name); ok {
			f.Evidence = append(f.Evidence, ev)
		}
		f.Facts["restarts"] = fmt.Sprint(pc.restarts())
		f.Facts["exitCode"] = fmt.Sprint(last.ExitCode)
		if last.Reason != "" {
			f.Facts["reason"] = last.Reason
		}
		if read.Signal != "" {
			f.Facts["signal"] = read.Signal
		}
		f.Facts["lastRestart"] = humanDuration(ago)
		f.Next = []string{c.cmdLogs(pc.Name, true), c.cmdDescribe()}
		out = append(out, f)
	}
	return out
}
