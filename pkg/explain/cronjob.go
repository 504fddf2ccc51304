package explain

import (
	"fmt"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// A CronJob is never finished and never "ready" in the way a Deployment
// is: what it has to show is its runs. Its verdict therefore is its
// newest Job's, walked down to the pods: NotReady when that run failed or
// its pods fail, or when the controller cannot start runs at all (a
// schedule or time zone it cannot use, runs missed with none started
// since); Ready otherwise, including while a healthy run is under way
// (the CronJob is doing its work) and when suspended (deliberate: an Info
// finding says so, and a failed last run is still said, as a warning).
// The decision is documented in docs/output.md.

type cronView struct {
	g      *graph.Graph
	cj     *batchv1.CronJob
	ref    Ref
	jobs   []*batchv1.Job // newest first
	newest *Result        // the newest Job, explained
	events []*corev1.Event
}

func newCronView(g *graph.Graph, cj *batchv1.CronJob) *cronView {
	v := &cronView{g: g, cj: cj, ref: cronRef(cj), jobs: g.JobsOf(cj.UID)}
	if len(v.jobs) > 0 {
		r := ExplainJob(g, v.jobs[0])
		v.newest = &r
	}
	v.events = g.EventsFor(KindCronJob, cj.Namespace, cj.Name, cj.UID)
	return v
}

func (v *cronView) suspended() bool { return v.cj.Spec.Suspend != nil && *v.cj.Spec.Suspend }

// lastSchedule is status.lastScheduleTime (zero when it never ran).
func (v *cronView) lastSchedule() time.Time {
	if t := v.cj.Status.LastScheduleTime; t != nil {
		return t.Time
	}
	return time.Time{}
}

// lastEvent is the newest event of one of reasons, or nil.
func (v *cronView) lastEvent(reasons ...string) *corev1.Event {
	var out *corev1.Event
	for _, e := range v.events {
		for _, r := range reasons {
			if e.Reason == r {
				out = e // events are sorted oldest first
			}
		}
	}
	return out
}

var cronJobRules = []func(v *cronView) []Finding{
	ruleCronInvalidSchedule, // CronJobInvalidSchedule
	ruleCronFailedCreate,    // QuotaExceeded, ... FailedCreate
	ruleCronSuspended,       // CronJobSuspended
	ruleCronLastRun,         // CronJobLastRunFailed, and the newest Job's own findings
	ruleCronForbidBlocked,   // CronJobConcurrencyBlocked
	ruleCronMissed,          // CronJobMissedSchedule
}

// cronJobsShown is how many of a CronJob's Jobs the tree lists; older ones
// are shown only when they failed.
const cronJobsShown = 3

// ExplainCronJob walks cronjob -> its newest Job -> pods.
func ExplainCronJob(g *graph.Graph, cj *batchv1.CronJob) Result {
	v := newCronView(g, cj)
	r := Result{Target: v.ref, Ready: "0/0", Created: cj.CreationTimestamp.Time}
	root := &Node{Ref: v.ref, Status: cronStatusText(v)}
	if v.newest != nil {
		r.Ready = v.newest.Ready
	}
	for i, j := range v.jobs {
		if i >= cronJobsShown && jobCondition(j, batchv1.JobFailed) == nil {
			continue
		}
		var n *Node
		if i == 0 {
			n = v.newest.Tree
		} else {
			n = &Node{Ref: jobRef(j), Status: jobStatusText(newJobView(g, j)), Ready: jobCondition(j, batchv1.JobComplete) != nil}
		}
		n.Note = "scheduled " + humanDuration(g.Snap.Now.Sub(graph.JobScheduled(j))) + " ago"
		root.Children = append(root.Children, n)
	}
	r.Tree = root

	fs := runRules(v, cronJobRules, nil)
	switch {
	case g.Gap(graph.ResJobs) != "":
		r.Verdict = VerdictUnknown
	case v.suspended():
		r.Verdict = VerdictReady
	case hasSeverity(fs, SeverityError):
		r.Verdict = VerdictNotReady
	default:
		r.Verdict = VerdictReady
	}
	if r.Verdict == VerdictReady {
		demote(fs)
	}
	fs = groupPods(g, fs)
	r.setFindings(fs)
	r.Notes = append(r.Notes, v.timesNote())
	switch r.Verdict {
	case VerdictUnknown:
		r.Summary = "jobs could not be read, so its runs could not be checked: " + g.Gap(graph.ResJobs)
	case VerdictNotReady:
		r.Summary = stateAndCause("", fs)
	default:
		r.Summary = v.readySummary(fs)
	}
	root.Ready = r.Verdict == VerdictReady
	return r
}

func cronStatusText(v *cronView) string {
	switch {
	case v.suspended():
		return "Suspended"
	case len(v.cj.Status.Active) > 0:
		return fmt.Sprintf("%d active", len(v.cj.Status.Active))
	}
	return "schedule " + v.cj.Spec.Schedule
}

// timesNote is kubectl get cronjob's LAST SCHEDULE, with the last success.
func (v *cronView) timesNote() string {
	ago := func(t time.Time) string { return humanDuration(v.g.Snap.Now.Sub(t)) + " ago" }
	s := fmt.Sprintf("schedule %q", v.cj.Spec.Schedule)
	if tz := v.cj.Spec.TimeZone; tz != nil {
		s += " (" + *tz + ")"
	}
	if t := v.lastSchedule(); !t.IsZero() {
		s += "; last scheduled " + ago(t)
	} else {
		s += "; never scheduled yet"
	}
	if t := v.cj.Status.LastSuccessfulTime; t != nil {
		s += "; last successful " + ago(t.Time)
	} else {
		s += "; no successful run recorded"
	}
	return s
}

func (v *cronView) readySummary(fs []Finding) string {
	var s string
	switch {
	case v.suspended():
		s = "suspended"
	case v.newest == nil:
		s = "no run yet"
	case v.newest.Completed:
		s = fmt.Sprintf("the last run, job/%s, succeeded", v.jobs[0].Name)
	case v.newest.Verdict == VerdictNotReady:
		s = fmt.Sprintf("the last run, job/%s, failed", v.jobs[0].Name)
	default:
		s = fmt.Sprintf("job/%s is running", v.jobs[0].Name)
	}
	for _, f := range fs {
		if f.Severity == SeverityWarning {
			return s + ", but " + f.Cause
		}
	}
	return s
}

// ruleCronInvalidSchedule: the controller says it cannot use the schedule
// or the time zone, and nothing has been scheduled since.
func ruleCronInvalidSchedule(v *cronView) []Finding {
	e := v.lastEvent("UnparseableSchedule", "InvalidSchedule", "UnknownTimeZone", "UnParseableCronJobSchedule")
	if e == nil || !v.lastSchedule().Before(graph.EventTime(e).Time) {
		return nil
	}
	what := "schedule " + fmt.Sprintf("%q", v.cj.Spec.Schedule)
	if e.Reason == "UnknownTimeZone" && v.cj.Spec.TimeZone != nil {
		what = fmt.Sprintf("time zone %q (the controller's tz database lacks it)", *v.cj.Spec.TimeZone)
	}
	return []Finding{{Code: CodeCronJobInvalidSchedule, Severity: SeverityError, Object: v.ref,
		Cause:    fmt.Sprintf("the cronjob controller cannot use its %s: no job is ever started", what),
		Evidence: []Evidence{eventEvidence(e)},
		Facts:    map[string]string{"reason": e.Reason, "schedule": v.cj.Spec.Schedule},
		Next:     []string{"kubectl describe cronjob " + v.cj.Name + nsFlag(v.cj.Namespace)},
	}}
}

// ruleCronFailedCreate: the controller could not create the Job of the
// last schedule (quota, admission), and has not created one since.
func ruleCronFailedCreate(v *cronView) []Finding {
	e := v.lastEvent("FailedCreate")
	if e == nil || !v.lastSchedule().Before(graph.EventTime(e).Time) {
		return nil
	}
	return failedCreate(v.g, v.ref, "")
}

func ruleCronSuspended(v *cronView) []Finding {
	if !v.suspended() {
		return nil
	}
	return []Finding{{Code: CodeCronJobSuspended, Severity: SeverityInfo, Object: v.ref,
		Cause:    "the cronjob is suspended: no job is started until it is resumed",
		Evidence: []Evidence{{Source: "spec.suspend", Message: "true"}},
		Next:     []string{fmt.Sprintf(`kubectl patch cronjob/%s%s --type=merge -p '{"spec":{"suspend":false}}'`, v.cj.Name, nsFlag(v.cj.Namespace))},
	}}
}

// ruleCronLastRun: the newest Job, walked down. When it failed, one
// finding names it and its cause; its own findings follow.
func ruleCronLastRun(v *cronView) []Finding {
	if v.newest == nil {
		return nil
	}
	n, j := v.newest, v.jobs[0]
	fs := append([]Finding(nil), n.Findings...)
	if jobCondition(j, batchv1.JobFailed) == nil && jobCondition(j, batchv1.JobFailureTarget) == nil {
		return fs
	}
	f := Finding{Code: CodeCronJobLastRunFailed, Severity: SeverityError, Object: v.ref,
		Cause: fmt.Sprintf("the last run, job/%s (scheduled %s ago), failed: %s", j.Name, humanDuration(v.g.Snap.Now.Sub(graph.JobScheduled(j))), firstCause(n.Findings, n.Summary)),
		Facts: map[string]string{"job": j.Name},
		Next:  []string{"kubectl why job/" + j.Name + nsFlag(j.Namespace)},
	}
	if c := n.Cause(); c != nil {
		f.Facts["reason"] = string(c.Code)
		if len(c.Evidence) > 0 {
			f.Evidence = append(f.Evidence, Evidence{Source: "job/" + j.Name + " " + c.Evidence[0].Source, Message: c.Evidence[0].Message})
		}
		if p := c.Fact("lastFailedPod"); p != "" {
			f.Facts["lastFailedPod"] = p
		}
	}
	return append([]Finding{f}, fs...)
}

// ruleCronForbidBlocked: a run was skipped because the previous one is
// still running and concurrencyPolicy is Forbid.
func ruleCronForbidBlocked(v *cronView) []Finding {
	if v.cj.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent || len(v.cj.Status.Active) == 0 {
		return nil
	}
	e := v.lastEvent("JobAlreadyActive")
	if e == nil || !v.lastSchedule().Before(graph.EventTime(e).Time) {
		return nil
	}
	active := v.cj.Status.Active[0].Name
	cause := fmt.Sprintf("runs are skipped: job/%s is still running and concurrencyPolicy is Forbid", active)
	for _, j := range v.jobs {
		if j.Name == active && j.Status.StartTime != nil {
			cause = fmt.Sprintf("runs are skipped: job/%s, running for %s, is not finished and concurrencyPolicy is Forbid", active, humanDuration(v.g.Snap.Now.Sub(j.Status.StartTime.Time)))
		}
	}
	return []Finding{{Code: CodeCronJobConcurrencyBlocked, Severity: SeverityWarning, Object: v.ref, Cause: cause,
		Evidence: []Evidence{eventEvidence(e)},
		Facts:    map[string]string{"activeJob": active},
		Next:     []string{"kubectl why job/" + active + nsFlag(v.cj.Namespace)},
	}}
}

// ruleCronMissed: the controller missed start times. While no run has
// started since the last miss, the schedule in effect never fires (a
// startingDeadlineSeconds shorter than the controller's delay, a
// controller that was down): an error. Once a run started, a warning.
func ruleCronMissed(v *cronView) []Finding {
	e := v.lastEvent("MissSchedule", "TooManyMissedTimes")
	if e == nil {
		return nil
	}
	sev := SeverityWarning
	since := "; a run has started since"
	if v.lastSchedule().Before(graph.EventTime(e).Time) {
		sev, since = SeverityError, "; no run has started since"
	}
	var cause string
	deadline := ""
	if d := v.cj.Spec.StartingDeadlineSeconds; d != nil {
		deadline = fmt.Sprintf(" (startingDeadlineSeconds %d)", *d)
	}
	if e.Reason == "TooManyMissedTimes" {
		cause = "more than 100 start times were missed: the controller was stopped, the clock skewed, or startingDeadlineSeconds is unset or too long" + deadline
	} else {
		cause = "scheduled runs were missed: the controller could not start them within their starting deadline" + deadline
	}
	return []Finding{{Code: CodeCronJobMissedSchedule, Severity: sev, Object: v.ref, Cause: cause + since,
		Evidence: []Evidence{eventEvidence(e)},
		Facts:    map[string]string{"reason": e.Reason},
		Next:     []string{"kubectl describe cronjob " + v.cj.Name + nsFlag(v.cj.Namespace)},
	}}
}

func cronRef(cj *batchv1.CronJob) Ref {
	return Ref{Kind: KindCronJob, Namespace: cj.Namespace, Name: cj.Name, UID: cj.UID}
}
