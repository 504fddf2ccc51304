package explain

import (
	"fmt"
	"maps"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// deployView is one Deployment with what its own status says, read once;
// the deployment rules and the verdict read it.
type deployView struct {
	g       *graph.Graph
	d       *appsv1.Deployment
	ref     Ref
	desired int32
	rss     []*appsv1.ReplicaSet // newest revision first
	newRS   *appsv1.ReplicaSet   // nil before the controller made one
	pods    ownerPods
	// newBroken counts the newest ReplicaSet's pods with an Error finding.
	newBroken int
	// deadline is Progressing=False ProgressDeadlineExceeded: the
	// controller itself says the rollout failed.
	deadline *appsv1.DeploymentCondition
	// created holds the FailedCreate findings of the newest ReplicaSet,
	// only while it is short of pods.
	created []Finding
	// left speaks for its terminal pods (see leftovers).
	left []Finding
}

func newDeployView(g *graph.Graph, d *appsv1.Deployment) *deployView {
	v := &deployView{g: g, d: d, ref: deployRef(d), desired: replicas(d.Spec.Replicas, 1), rss: g.ReplicaSetsOf(d.UID)}
	if len(v.rss) > 0 {
		v.newRS = v.rss[0]
	}
	if c := deployCondition(d, appsv1.DeploymentProgressing); c != nil && c.Status == corev1.ConditionFalse && c.Reason == "ProgressDeadlineExceeded" {
		v.deadline = c
	}
	for i, rs := range v.rss {
		op := diagnose(g, g.PodsOf(rs.UID))
		if i == 0 {
			v.newBroken = op.broken
		}
		v.pods.add(op)
	}
	if v.newRS != nil {
		v.created = rsFailedCreate(g, v.newRS)
	}
	v.left = leftovers(g, v.ref, v.pods.leftover, d.Status.AvailableReplicas < v.desired)
	return v
}

// observed: the controller has seen the current spec, so the counts in
// the status are about it.
func (v *deployView) observed() bool { return v.d.Status.ObservedGeneration >= v.d.Generation }

// complete is the Deployment's own "done": every desired replica updated,
// ready and available, nothing else running, and the controller agrees.
func (v *deployView) complete() bool {
	st := v.d.Status
	if c := deployCondition(v.d, appsv1.DeploymentAvailable); c != nil && c.Status == corev1.ConditionFalse {
		return false
	}
	return v.observed() && st.UpdatedReplicas >= v.desired && st.Replicas == v.desired &&
		st.ReadyReplicas >= v.desired && st.AvailableReplicas >= v.desired
}

// saysUnavailable: the controller's own Available condition is False, for
// the spec it has observed.
func (v *deployView) saysUnavailable() bool {
	c := deployCondition(v.d, appsv1.DeploymentAvailable)
	return v.observed() && c != nil && c.Status == corev1.ConditionFalse
}

// rolling: a rollout (or a scale) is under way: the new template is not on
// every replica yet, old replicas are still being scaled down, or the
// controller has not yet seen the spec.
func (v *deployView) rolling() bool {
	st := v.d.Status
	return !v.observed() || st.UpdatedReplicas < v.desired || st.Replicas > v.desired
}

// withinBudget: fewer replicas are available than desired, but the
// Deployment itself says it is Available (maxUnavailable allows the dip
// while it rolls), and nothing is failing.
func (v *deployView) withinBudget(fs []Finding) bool {
	c := deployCondition(v.d, appsv1.DeploymentAvailable)
	return v.rolling() && c != nil && c.Status == corev1.ConditionTrue && !hasSeverity(fs, SeverityError)
}

// deploymentRules are the Deployment's own failure modes, each one code;
// they speak above the findings of its pods.
var deploymentRules = []func(v *deployView) []Finding{
	ruleDeployScaledToZero,    // ScaledToZero
	ruleDeployFailedCreate,    // QuotaExceeded, PodSecurityViolation, ... FailedCreate
	ruleDeployDeadline,        // ProgressDeadlineExceeded
	ruleDeployRolloutStuck,    // RolloutStuck
	ruleDeployPaused,          // RolloutPaused
	ruleDeployMinReady,        // NotYetAvailable
	ruleDeployReplicasMissing, // ReplicasMissing
	ruleDeployProgressing,     // RolloutInProgress
	ruleDeployLeftovers,       // LeftoverPods
}

// ExplainDeployment walks deployment -> replicasets -> pods. The verdict
// is the Deployment's status; the rules and the pods explain it.
func ExplainDeployment(g *graph.Graph, d *appsv1.Deployment) Result {
	v := newDeployView(g, d)
	st := d.Status
	r := Result{
		Target:  v.ref,
		Ready:   fmt.Sprintf("%d/%d", st.ReadyReplicas, v.desired),
		Created: d.CreationTimestamp.Time,
	}
	root := &Node{Ref: v.ref, Status: fmt.Sprintf("%d/%d ready", st.ReadyReplicas, v.desired)}
	for _, rs := range v.rss {
		if n := rsNode(g, rs); n != nil {
			root.Children = append(root.Children, n)
		}
	}
	r.Tree = root

	fs := runRules(v, deploymentRules, v.pods.findings)
	r.Verdict = v.verdict(fs)
	if unexplained(r.Verdict, fs) {
		fs = v.unavailable(fs)
	}
	if r.Verdict == VerdictReady || r.Verdict == VerdictProgressing {
		// The status says it serves: what the pods show beside it is a
		// risk to read, not a block.
		demote(fs)
	}
	fs = quietStarts(groupPods(g, fs))
	r.setFindings(fs)
	if d.Spec.Paused && r.Verdict == VerdictReady {
		r.Notes = append(r.Notes, "the deployment is paused: its rollout is complete, and template changes wait for kubectl rollout resume deployment/"+d.Name+nsFlag(d.Namespace))
	}
	r.Summary = v.summary(r.Verdict, fs)
	root.Ready = r.Verdict == VerdictReady
	return r
}

// verdict reads the Deployment's own status first; fs (its pods' and its
// rules' findings) only tell a rollout that fails from one that moves.
func (v *deployView) verdict(fs []Finding) Verdict {
	st := v.d.Status
	switch {
	case v.g.Gap(graph.ResReplicaSets) != "":
		return VerdictUnknown
	case v.desired == 0 && st.Replicas == 0:
		return VerdictReady
	case v.deadline != nil:
		return VerdictNotReady
	case v.complete():
		return VerdictReady
	case (st.AvailableReplicas < v.desired || v.saysUnavailable()) && !v.withinBudget(fs):
		return VerdictNotReady
	case hasSeverity(fs, SeverityError):
		// Every replica serves, but the rollout's new pods fail.
		return VerdictNotReady
	}
	return VerdictProgressing
}

// summary is the first line: the state of the Deployment and, when it is
// not Ready, the root cause.
func (v *deployView) summary(verdict Verdict, fs []Finding) string {
	d, st := v.d, v.d.Status
	count := fmt.Sprintf("%d/%d", st.ReadyReplicas, v.desired)
	switch verdict {
	case VerdictUnknown:
		return "replicasets could not be read, so the pods of this deployment could not be found: " + v.g.Gap(graph.ResReplicaSets)
	case VerdictReady:
		if v.desired == 0 {
			return "scaled to zero"
		}
		return readySummary(count, fs)
	case VerdictProgressing:
		return stateAndCause("", fs)
	}
	rev := revisionNote(v.newRS)
	var state string
	switch old := v.oldServing(); {
	case v.deadline != nil && old > 0:
		state = fmt.Sprintf("rollout%s failed (no progress within %ds); %s of the previous revision still serve", rev, replicas(d.Spec.ProgressDeadlineSeconds, 600), plural(old, "pod", "pods"))
	case v.deadline != nil:
		state = fmt.Sprintf("rollout%s failed (no progress within %ds)", rev, replicas(d.Spec.ProgressDeadlineSeconds, 600))
	case st.AvailableReplicas >= v.desired && old > 0:
		state = fmt.Sprintf("rollout%s is failing; %s of the previous revision still serve", rev, plural(old, "pod", "pods"))
	case st.AvailableReplicas < v.desired:
		state = replicasUnavailable.state(v.desired-st.AvailableReplicas, v.desired)
	case v.saysUnavailable():
		state = "the deployment reports itself unavailable (Available=False)"
	}
	return stateAndCause(state, fs)
}

// oldServing counts the Ready pods of revisions before the newest.
func (v *deployView) oldServing() int {
	n := 0
	for _, rs := range v.rss[min(1, len(v.rss)):] {
		n += int(rs.Status.ReadyReplicas)
	}
	return n
}

// unavailable says why a Deployment is NotReady when nothing is failing:
// replicas are still starting. The rollout's progress, if said, folds
// into it: one finding, not two.
func (v *deployView) unavailable(fs []Finding) []Finding {
	f := v.unavailableFinding()
	if st := v.d.Status; st.AvailableReplicas >= v.desired {
		f.Cause = fmt.Sprintf("its Available condition is False while its counts say %d of %d available: the status is between two updates; ask again", st.AvailableReplicas, v.desired)
		return append(fs, f)
	}
	out := fs[:0]
	for _, g := range fs {
		if g.Code == CodeRolloutInProgress {
			f.Cause += "; " + g.Cause
			f.Facts = mergeFacts(f.Facts, g.Facts)
			continue
		}
		out = append(out, g)
	}
	return append(out, f)
}

func mergeFacts(a, b map[string]string) map[string]string {
	if a == nil {
		a = map[string]string{}
	}
	maps.Copy(a, b)
	return a
}

// startingFinding is ReplicasUnavailable: the workload is NotReady and no
// finding says why, so its replicas are starting.
func startingFinding(ref Ref, cause string, available, desired int32, next ...string) Finding {
	return Finding{Code: CodeReplicasUnavailable, Severity: SeverityWarning, Object: ref, Cause: cause,
		Facts: map[string]string{"available": fmt.Sprint(available), "desired": fmt.Sprint(desired)}, Next: next}
}

// unexplained says that a NotReady verdict has no Error or Warning
// finding to say why.
func unexplained(v Verdict, fs []Finding) bool {
	return v == VerdictNotReady && !hasSeverity(fs, SeverityError) && !hasSeverity(fs, SeverityWarning)
}

// unavailableFinding is ReplicasUnavailable for the Deployment.
func (v *deployView) unavailableFinding() Finding {
	st := v.d.Status
	f := startingFinding(v.ref, "they are starting, and none is failing", st.AvailableReplicas, v.desired,
		"kubectl rollout status deployment/"+v.d.Name+nsFlag(v.d.Namespace))
	if c := deployCondition(v.d, appsv1.DeploymentAvailable); c != nil {
		f.Evidence = []Evidence{conditionEvidence("Available", string(c.Status), c.Reason, c.Message)}
	}
	return f
}

func conditionEvidence(typ, status, reason, msg string) Evidence {
	return Evidence{Source: "status.conditions[" + typ + "]", Message: joinNonEmpty(": ", status, reason, msg)}
}

func ruleDeployScaledToZero(v *deployView) []Finding {
	if v.desired != 0 {
		return nil
	}
	cause := "scaled to zero replicas: Ready by definition, nothing runs"
	if n := v.d.Status.Replicas; n > 0 {
		cause = fmt.Sprintf("scaling to zero: %s still to stop", plural(int(n), "pod", "pods"))
	}
	return []Finding{{Code: CodeScaledToZero, Severity: SeverityInfo, Object: v.ref, Cause: cause,
		Next: []string{"kubectl scale deployment/" + v.d.Name + " --replicas=1" + nsFlag(v.d.Namespace)}}}
}

// ruleDeployFailedCreate: the newest ReplicaSet cannot create pods (quota,
// admission, service account...).
func ruleDeployFailedCreate(v *deployView) []Finding { return v.created }

func ruleDeployDeadline(v *deployView) []Finding {
	c := v.deadline
	if c == nil {
		return nil
	}
	d := v.d
	f := Finding{Code: CodeProgressDeadlineExceeded, Severity: SeverityError, Object: v.ref,
		Cause:    fmt.Sprintf("the rollout made no progress within progressDeadlineSeconds (%ds)%s", replicas(d.Spec.ProgressDeadlineSeconds, 600), revisionNote(v.newRS)),
		Evidence: []Evidence{conditionEvidence("Progressing", string(c.Status), c.Reason, c.Message)},
		Next:     []string{"kubectl rollout status deployment/" + d.Name + nsFlag(d.Namespace)},
	}
	if undo := v.undo(); undo != "" {
		f.Next = append(f.Next, undo)
	}
	return []Finding{f}
}

// undo is `kubectl rollout undo` when there is a revision to go back to.
func (v *deployView) undo() string {
	if len(v.rss) < 2 {
		return ""
	}
	return "kubectl rollout undo deployment/" + v.d.Name + nsFlag(v.d.Namespace)
}

// ruleDeployRolloutStuck: the new revision's pods fail while an older one
// still serves.
func ruleDeployRolloutStuck(v *deployView) []Finding {
	if v.newRS == nil || len(v.rss) < 2 || v.oldServing() == 0 {
		return nil
	}
	if v.newBroken == 0 {
		return nil
	}
	return []Finding{rolloutStuck(v.d, v.newRS, v.rss[1:], v.newBroken, v.oldServing())}
}

// ruleDeployPaused: paused with the rollout not finished. Paused after it
// completed is Ready, with a note.
func ruleDeployPaused(v *deployView) []Finding {
	d := v.d
	if !d.Spec.Paused || v.complete() {
		return nil
	}
	st := d.Status
	return []Finding{{Code: CodeRolloutPaused, Severity: SeverityWarning, Object: v.ref,
		Cause:    fmt.Sprintf("the rollout is paused mid-way: %d of %d replicas updated; the rest wait until it is resumed", st.UpdatedReplicas, v.desired),
		Evidence: []Evidence{{Source: "spec.paused", Message: "true"}},
		Next:     []string{"kubectl rollout resume deployment/" + d.Name + nsFlag(d.Namespace)},
	}}
}

func ruleDeployMinReady(v *deployView) []Finding {
	st := v.d.Status
	if v.d.Spec.MinReadySeconds <= 0 || st.ReadyReplicas < v.desired || st.AvailableReplicas >= v.desired {
		return nil
	}
	return []Finding{minReadyFinding(v.g, v.d, v.newRS, v.desired)}
}

// replicasMissingAfter is how long a ReplicaSet may be short of pods with
// no word from its controller before that is a cause of its own.
const replicasMissingAfter = time.Minute

// ruleDeployReplicasMissing: the newest ReplicaSet has had fewer pods than
// it wants for a while and nothing says why (no FailedCreate, no pod
// failing): its controller is not creating them.
func ruleDeployReplicasMissing(v *deployView) []Finding {
	if v.newRS == nil || len(v.created) > 0 {
		return nil
	}
	f, ok := replicasMissing(v.g, v.newRS)
	if !ok {
		return nil
	}
	return []Finding{f}
}

// replicasMissing: a ReplicaSet short of pods for longer than
// replicasMissingAfter since it last changed, with no FailedCreate.
func replicasMissing(g *graph.Graph, rs *appsv1.ReplicaSet) (Finding, bool) {
	want := replicas(rs.Spec.Replicas, 1)
	have := rs.Status.Replicas
	if have >= want || rs.Status.ObservedGeneration < rs.Generation {
		return Finding{}, false
	}
	since := rs.CreationTimestamp.Time
	for _, c := range rs.Status.Conditions {
		if c.LastTransitionTime.After(since) {
			since = c.LastTransitionTime.Time
		}
	}
	if g.Snap.Now.Sub(since) < replicasMissingAfter {
		return Finding{}, false
	}
	f := Finding{Code: CodeReplicasMissing, Severity: SeverityError, Object: rsRef(rs),
		Cause: fmt.Sprintf("replicaset/%s has %d of %d pods and nothing says why: no FailedCreate event or condition; is kube-controller-manager running?", rs.Name, have, want),
		Evidence: []Evidence{{Source: "replicaset/" + rs.Name + " status.replicas", Message: fmt.Sprint(have)},
			{Source: "replicaset/" + rs.Name + " spec.replicas", Message: fmt.Sprint(want)}},
		Facts: map[string]string{"have": fmt.Sprint(have), "want": fmt.Sprint(want)},
		Next:  []string{"kubectl describe replicaset " + rs.Name + nsFlag(rs.Namespace), "kubectl get events" + nsFlag(rs.Namespace) + " --field-selector involvedObject.name=" + rs.Name},
	}
	return f, true
}

// ruleDeployProgressing: a rollout or scale under way that nothing blocks.
func ruleDeployProgressing(v *deployView) []Finding {
	if v.desired == 0 || v.deadline != nil || v.complete() || v.d.Spec.Paused {
		return nil
	}
	if v.pods.broken > 0 || hasSeverity(v.created, SeverityError) || hasSeverity(v.left, SeverityError) {
		return nil
	}
	if v.newRS != nil {
		if _, missing := replicasMissing(v.g, v.newRS); missing {
			return nil
		}
	}
	st := v.d.Status
	if st.ReadyReplicas >= v.desired && st.AvailableReplicas < v.desired && v.d.Spec.MinReadySeconds > 0 {
		return nil // NotYetAvailable says it
	}
	return []Finding{progressingFinding(v.g, v.d, v.newRS, v.desired)}
}

func ruleDeployLeftovers(v *deployView) []Finding { return v.left }

// progressingFinding says a rollout is moving, and how long it has left.
func progressingFinding(g *graph.Graph, d *appsv1.Deployment, newRS *appsv1.ReplicaSet, desired int32) Finding {
	st := d.Status
	f := Finding{Code: CodeRolloutInProgress, Severity: SeverityInfo, Object: deployRef(d),
		Next: []string{"kubectl rollout status deployment/" + d.Name + nsFlag(d.Namespace)}}
	switch {
	case st.ObservedGeneration < d.Generation:
		f.Cause = fmt.Sprintf("the deployment controller has not yet seen generation %d (it last saw %d)", d.Generation, st.ObservedGeneration)
	case st.UpdatedReplicas >= desired && st.Replicas > desired && len(g.ReplicaSetsOf(d.UID)) < 2:
		f.Cause = fmt.Sprintf("scaling down: %s more than desired still to stop", plural(int(st.Replicas-desired), "pod", "pods"))
	case st.UpdatedReplicas >= desired && st.Replicas > desired:
		f.Cause = fmt.Sprintf("rollout%s nearly done: every pod updated, %s still to stop", revisionNote(newRS), plural(int(st.Replicas-desired), "old pod", "old pods"))
	default:
		f.Cause = fmt.Sprintf("rollout in progress%s: %d of %d pods updated, %d available", revisionNote(newRS), st.UpdatedReplicas, desired, st.AvailableReplicas)
	}
	// The deadline runs while a new ReplicaSet is progressing, not after it
	// became available (NewReplicaSetAvailable).
	if c := deployCondition(d, appsv1.DeploymentProgressing); c != nil && c.Status == corev1.ConditionTrue && c.Reason != "NewReplicaSetAvailable" && d.Spec.ProgressDeadlineSeconds != nil {
		deadline := c.LastUpdateTime.Add(time.Duration(*d.Spec.ProgressDeadlineSeconds) * time.Second)
		if left := deadline.Sub(g.Snap.Now); left > 0 {
			f.Cause += fmt.Sprintf("; %s left before the progress deadline", humanDuration(left))
			f.Facts = map[string]string{"deadlineIn": left.Round(time.Second).String()}
		}
	}
	return f
}

// rsFailedCreate is the FailedCreate cause of a ReplicaSet, only while it
// describes the present: the ReplicaSet has ReplicaFailure=True or fewer
// pods than it wants. An old FailedCreate event (a quota raised since,
// a webhook back up) explains nothing once the pods exist.
func rsFailedCreate(g *graph.Graph, rs *appsv1.ReplicaSet) []Finding {
	cond := replicaFailure(rs)
	if cond == "" && rs.Status.Replicas >= replicas(rs.Spec.Replicas, 1) {
		return nil
	}
	return failedCreate(g, rsRef(rs), cond)
}
