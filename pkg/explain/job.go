package explain

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// jobView is one Job with what its own status says, read once. A Job is
// meant to finish: its conditions (Complete, SuccessCriteriaMet, Failed,
// FailureTarget, Suspended) are the verdict, and its pods explain it. A
// failed pod of a Job is not a leftover, as a ReplicaSet's is: it is what
// counts against backoffLimit, and the last one is the cause of a failed
// Job.
type jobView struct {
	g   *graph.Graph
	j   *batchv1.Job
	ref Ref
	// live are the pods that have not ended; failed those that failed,
	// the last to end first.
	live, failed []*corev1.Pod
	pods         ownerPods
	done         *batchv1.JobCondition // Complete or SuccessCriteriaMet
	failure      *batchv1.JobCondition // Failed, or FailureTarget while pods stop
	created      []Finding
}

func newJobView(g *graph.Graph, j *batchv1.Job) *jobView {
	v := &jobView{g: g, j: j, ref: jobRef(j)}
	for _, p := range g.PodsOf(j.UID) {
		switch {
		case p.Status.Phase == corev1.PodFailed:
			v.failed = append(v.failed, p)
		case p.Status.Phase == corev1.PodSucceeded:
		default:
			v.live = append(v.live, p)
		}
	}
	sort.SliceStable(v.failed, func(a, b int) bool { return endedAt(v.failed[a]).After(endedAt(v.failed[b])) })
	v.pods = diagnose(g, v.live)
	for _, t := range []batchv1.JobConditionType{batchv1.JobFailed, batchv1.JobFailureTarget} {
		if c := jobCondition(j, t); c != nil && v.failure == nil {
			v.failure = c
		}
	}
	for _, t := range []batchv1.JobConditionType{batchv1.JobComplete, batchv1.JobSuccessCriteriaMet} {
		if c := jobCondition(j, t); c != nil && v.done == nil {
			v.done = c
		}
	}
	if !v.finished() && j.Status.Active < v.parallelism() {
		v.created = failedCreate(g, v.ref, "")
	}
	return v
}

// jobCondition returns the condition of type t when it is True.
func jobCondition(j *batchv1.Job, t batchv1.JobConditionType) *batchv1.JobCondition {
	return firstOf(j.Status.Conditions, func(c batchv1.JobCondition) bool { return c.Type == t && c.Status == corev1.ConditionTrue })
}

func (v *jobView) finished() bool { return v.done != nil || v.failure != nil }

func (v *jobView) suspended() bool {
	return v.j.Spec.Suspend != nil && *v.j.Spec.Suspend || jobCondition(v.j, batchv1.JobSuspended) != nil
}

// parallelism is how many pods should be active now.
func (v *jobView) parallelism() int32 {
	p := replicas(v.j.Spec.Parallelism, 1)
	if v.j.Spec.Completions != nil {
		p = min(p, max(0, *v.j.Spec.Completions-v.j.Status.Succeeded))
	}
	if v.suspended() {
		return 0
	}
	return p
}

// completions is the READY column's denominator: spec.completions, or for
// a work queue (none set) what succeeded, at least 1.
func (v *jobView) completions() int32 {
	if v.j.Spec.Completions != nil {
		return *v.j.Spec.Completions
	}
	return max(1, v.j.Status.Succeeded)
}

// lastFailure is the last failed pod's own cause, from the pod rules.
func (v *jobView) lastFailure() (*corev1.Pod, []Finding) {
	if len(v.failed) == 0 {
		return nil, nil
	}
	p := v.failed[0]
	return p, DiagnosePod(v.g, p)
}

// jobRules are the Job's own states and failure modes, each one code.
var jobRules = []func(v *jobView) []Finding{
	ruleJobFailed,       // BackoffLimitExceeded, JobDeadlineExceeded, JobPodFailurePolicy, MaxFailedIndexesExceeded, JobFailed
	ruleJobFailedCreate, // QuotaExceeded, PodSecurityViolation, ... FailedCreate
	ruleJobSuspended,    // JobSuspended
	ruleJobRetrying,     // JobRetrying
	ruleJobRunning,      // JobRunning
}

// ExplainJob walks job -> pods. The verdict is the Job's conditions:
// Complete is Ready (Completed), Failed is NotReady with the last failed
// pod's cause, a Job still running is Progressing unless its live pods
// fail.
func ExplainJob(g *graph.Graph, j *batchv1.Job) Result {
	v := newJobView(g, j)
	st := j.Status
	r := Result{Target: v.ref, Ready: fmt.Sprintf("%d/%d", st.Succeeded, v.completions()), Created: j.CreationTimestamp.Time}
	if c := graph.ControllerOf(j); c != nil {
		r.Owners = []string{strings.ToLower(c.Kind) + "/" + c.Name}
	}
	root := &Node{Ref: v.ref, Status: jobStatusText(v)}
	root.Children = podNodes(g.PodsOf(j.UID))
	r.Tree = root

	var live []Finding
	if !v.finished() {
		live = v.pods.findings
	}
	fs := runRules(v, jobRules, live)
	switch {
	case v.failure != nil:
		r.Verdict = VerdictNotReady
	case v.done != nil:
		r.Verdict = VerdictReady
		r.Completed = true
	case hasSeverity(fs, SeverityError):
		r.Verdict = VerdictNotReady
	default:
		r.Verdict = VerdictProgressing
	}
	if r.Verdict != VerdictNotReady {
		demote(fs)
	}
	fs = groupPods(g, fs)
	r.setFindings(fs)
	switch r.Verdict {
	case VerdictReady:
		r.Summary = "completed: " + plural(int(st.Succeeded), "pod", "pods") + " succeeded"
		if st.StartTime != nil && st.CompletionTime != nil {
			r.Summary += " in " + humanDuration(st.CompletionTime.Sub(st.StartTime.Time))
		}
		if st.CompletionTime != nil {
			r.Summary += ", " + humanDuration(g.Snap.Now.Sub(st.CompletionTime.Time)) + " ago"
		}
	case VerdictNotReady:
		r.Summary = stateAndCause("", fs)
		if v.failure == nil {
			r.Summary = stateAndCause("its pods fail", fs)
		}
	default:
		r.Summary = stateAndCause("", fs)
	}
	root.Ready = r.Verdict == VerdictReady
	return r
}

func jobStatusText(v *jobView) string {
	switch {
	case v.failure != nil:
		return "Failed"
	case v.done != nil:
		return "Complete"
	case v.suspended():
		return "Suspended"
	}
	return "Running"
}

// jobFailureCodes maps the Failed condition's reason to its code.
var jobFailureCodes = map[string]Code{
	batchv1.JobReasonBackoffLimitExceeded:     CodeBackoffLimitExceeded,
	batchv1.JobReasonDeadlineExceeded:         CodeJobDeadlineExceeded,
	batchv1.JobReasonPodFailurePolicy:         CodeJobPodFailurePolicy,
	batchv1.JobReasonMaxFailedIndexesExceeded: CodeMaxFailedIndexesExceeded,
}

func ruleJobFailed(v *jobView) []Finding {
	c := v.failure
	if c == nil {
		return nil
	}
	j, st := v.j, v.j.Status
	code, ok := jobFailureCodes[c.Reason]
	if !ok {
		code = CodeJobFailed
	}
	backoff := replicas(j.Spec.BackoffLimit, 6)
	var cause string
	switch code {
	case CodeBackoffLimitExceeded:
		cause = fmt.Sprintf("the job failed: its pods failed %s, more than backoffLimit %d allows", plural(int(st.Failed), "time", "times"), backoff)
	case CodeJobDeadlineExceeded:
		cause = fmt.Sprintf("the job failed: it was active longer than activeDeadlineSeconds (%ds)", replicas64(j.Spec.ActiveDeadlineSeconds))
	case CodeJobPodFailurePolicy:
		cause = "the job failed: a pod failure matched a FailJob rule of its podFailurePolicy"
	case CodeMaxFailedIndexesExceeded:
		cause = fmt.Sprintf("the job failed: more indexes failed than maxFailedIndexes (%d) allows", replicas(j.Spec.MaxFailedIndexes, 0))
	default:
		cause = "the job failed (" + c.Reason + ")"
	}
	f := Finding{Code: code, Severity: SeverityError, Object: v.ref,
		Evidence: []Evidence{{Source: "status.conditions[" + string(c.Type) + "]", Message: joinNonEmpty(": ", string(c.Status), c.Reason, c.Message)}},
		Facts:    map[string]string{"reason": c.Reason, "failed": fmt.Sprint(st.Failed)},
		Next:     []string{"kubectl describe job " + j.Name + nsFlag(j.Namespace)},
	}
	if j.Spec.BackoffLimitPerIndex == nil {
		f.Facts["backoffLimit"] = fmt.Sprint(backoff)
	}
	if p, pf := v.lastFailure(); p != nil {
		cause += fmt.Sprintf("; the last failed pod, %s: %s", p.Name, firstCause(pf, "it failed"))
		f.Facts["lastFailedPod"] = p.Name
		f.Pods = []string{p.Name}
		f.Next = append([]string{"kubectl logs " + p.Name + nsFlag(j.Namespace)}, f.Next...)
	} else if code == CodeJobDeadlineExceeded {
		cause += "; its pods were stopped at the deadline"
	} else if st.Failed > 0 {
		cause += "; its failed pods are gone (deleted, or removed by the pod garbage collector), so their own cause cannot be read"
	}
	f.Cause = cause
	out := []Finding{f}
	// The last failed pod IS the cause: its own findings speak as errors.
	if _, pf := v.lastFailure(); len(pf) > 0 {
		out = append(out, pf...)
	}
	return out
}

// firstCause is the cause of the first finding that is not Info.
func firstCause(fs []Finding, def string) string {
	for _, f := range fs {
		if f.Severity != SeverityInfo {
			return f.Cause
		}
	}
	return def
}

func replicas64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func ruleJobFailedCreate(v *jobView) []Finding { return v.created }

func ruleJobSuspended(v *jobView) []Finding {
	if v.finished() || !v.suspended() {
		return nil
	}
	f := Finding{Code: CodeJobSuspended, Severity: SeverityWarning, Object: v.ref,
		Cause: "the job is suspended: no pods run until it is resumed",
		Next:  []string{fmt.Sprintf(`kubectl patch job/%s%s --type=merge -p '{"spec":{"suspend":false}}'`, v.j.Name, nsFlag(v.j.Namespace))},
	}
	if c := jobCondition(v.j, batchv1.JobSuspended); c != nil {
		f.Evidence = []Evidence{{Source: "status.conditions[Suspended]", Message: joinNonEmpty(": ", string(c.Status), c.Reason, c.Message)}}
	} else {
		f.Evidence = []Evidence{{Source: "spec.suspend", Message: "true"}}
	}
	return []Finding{f}
}

// ruleJobRetrying: pods failed while the Job runs on; each failure counts
// against backoffLimit.
func ruleJobRetrying(v *jobView) []Finding {
	st := v.j.Status
	if v.finished() || st.Failed == 0 {
		return nil
	}
	backoff := replicas(v.j.Spec.BackoffLimit, 6)
	f := Finding{Code: CodeJobRetrying, Severity: SeverityWarning, Object: v.ref,
		Cause: fmt.Sprintf("%s failed so far, of backoffLimit %d", plural(int(st.Failed), "pod", "pods"), backoff),
		Facts: map[string]string{"failed": fmt.Sprint(st.Failed), "backoffLimit": fmt.Sprint(backoff)},
	}
	if p, pf := v.lastFailure(); p != nil {
		f.Cause += fmt.Sprintf("; the last, %s: %s", p.Name, firstCause(pf, "it failed"))
		f.Facts["lastFailedPod"] = p.Name
		f.Next = []string{"kubectl logs " + p.Name + nsFlag(v.j.Namespace)}
	}
	return []Finding{f}
}

// ruleJobRunning: active, nothing failing.
func ruleJobRunning(v *jobView) []Finding {
	if v.finished() || v.suspended() || v.pods.broken > 0 || hasSeverity(v.created, SeverityError) {
		return nil
	}
	st := v.j.Status
	ready := int32(0)
	if st.Ready != nil {
		ready = *st.Ready
	}
	cause := fmt.Sprintf("running: %d active (%d ready), %d of %d succeeded", st.Active, ready, st.Succeeded, v.completions())
	f := Finding{Code: CodeJobRunning, Severity: SeverityInfo, Object: v.ref,
		Facts: map[string]string{"active": fmt.Sprint(st.Active), "succeeded": fmt.Sprint(st.Succeeded)}}
	if d := v.j.Spec.ActiveDeadlineSeconds; d != nil && st.StartTime != nil {
		if left := st.StartTime.Add(time.Duration(*d) * time.Second).Sub(v.g.Snap.Now); left > 0 {
			cause += fmt.Sprintf("; %s left before activeDeadlineSeconds", humanDuration(left))
		}
	}
	f.Cause = cause
	return []Finding{f}
}

func jobRef(j *batchv1.Job) Ref {
	return Ref{Kind: KindJob, Namespace: j.Namespace, Name: j.Name, UID: j.UID}
}
