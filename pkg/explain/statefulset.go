package explain

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// stsView is one StatefulSet with its pods by ordinal and what its own
// status says, read once; the statefulset rules and the verdict read it.
type stsView struct {
	g         *graph.Graph
	s         *appsv1.StatefulSet
	ref       Ref
	desired   int32
	start     int32 // spec.ordinals.start
	pods      []*corev1.Pod
	byOrdinal map[int32]*corev1.Pod
	// live pods' findings by pod name; terminal pods apart.
	podFindings map[string][]Finding
	live        []*corev1.Pod
	leftover    []*corev1.Pod
	broken      int
	ordered     bool // OrderedReady
	pending     bool // currentRevision != updateRevision
}

func newSTSView(g *graph.Graph, s *appsv1.StatefulSet) *stsView {
	v := &stsView{g: g, s: s, ref: stsRef(s), desired: replicas(s.Spec.Replicas, 1),
		byOrdinal: map[int32]*corev1.Pod{}, podFindings: map[string][]Finding{},
		ordered: s.Spec.PodManagementPolicy != appsv1.ParallelPodManagement,
		pending: s.Status.UpdateRevision != "" && s.Status.CurrentRevision != s.Status.UpdateRevision}
	if s.Spec.Ordinals != nil {
		v.start = s.Spec.Ordinals.Start
	}
	v.pods = g.PodsOf(s.UID)
	for _, p := range v.pods {
		if o, ok := ordinalOf(s.Name, p.Name); ok {
			v.byOrdinal[o] = p
		}
	}
	sort.Slice(v.pods, func(i, j int) bool {
		oi, _ := ordinalOf(s.Name, v.pods[i].Name)
		oj, _ := ordinalOf(s.Name, v.pods[j].Name)
		return oi < oj
	})
	for _, p := range v.pods {
		op := diagnose(g, []*corev1.Pod{p})
		if len(op.leftover) > 0 {
			v.leftover = append(v.leftover, p)
			continue
		}
		v.live = append(v.live, p)
		v.podFindings[p.Name] = op.findings
		v.broken += op.broken
	}
	return v
}

// statefulSetRules are the StatefulSet's own failure modes, each one
// code; they speak above the findings of its pods.
var statefulSetRules = []func(v *stsView) []Finding{
	ruleSTSFailedCreate,   // QuotaExceeded, PodSecurityViolation, ... FailedCreate
	ruleSTSOrderedBlocked, // OrderedStartBlocked
	ruleSTSUpdate,         // OnDeleteUpdatePending, BrokenPodNotReplaced, PartitionHolding, UpdateRevisionPending
	ruleSTSClaims,         // VolumeClaimTemplatePending
	ruleSTSLeftovers,      // LeftoverPods
}

// ExplainStatefulSet walks statefulset -> pods by ordinal. The verdict is
// the StatefulSet's status; its rules and pods explain it.
func ExplainStatefulSet(g *graph.Graph, s *appsv1.StatefulSet) Result {
	v := newSTSView(g, s)
	st := s.Status
	r := Result{Target: v.ref, Ready: fmt.Sprintf("%d/%d", st.ReadyReplicas, v.desired), Created: s.CreationTimestamp.Time}
	root := &Node{Ref: v.ref, Status: fmt.Sprintf("%d/%d ready", st.ReadyReplicas, v.desired), Children: podNodes(v.pods)}
	r.Tree = root

	var live []Finding
	for _, p := range v.live {
		live = append(live, v.podFindings[p.Name]...)
	}
	fs := runRules(v, statefulSetRules, live)
	r.Verdict = v.verdict(fs)
	if unexplained(r.Verdict, fs) {
		fs = append(fs, startingFinding(v.ref, "they are starting in order, and none is failing", st.AvailableReplicas, v.desired,
			"kubectl rollout status statefulset/"+s.Name+nsFlag(s.Namespace)))
	}
	if r.Verdict != VerdictNotReady {
		demote(fs)
	}
	if r.Verdict == VerdictProgressing && !v.pending && len(fs) == 0 {
		fs = append(fs, Finding{Code: CodeUpdateRevisionPending, Severity: SeverityInfo, Object: v.ref,
			Cause: fmt.Sprintf("the statefulset controller has not yet caught up: it last saw generation %d of %d, %d pods for %d desired", st.ObservedGeneration, s.Generation, st.Replicas, v.desired),
			Facts: revFacts(s)})
	}
	fs = quietStarts(groupPods(g, fs))
	r.setFindings(fs)
	switch r.Verdict {
	case VerdictReady:
		r.Summary = readySummary(fmt.Sprintf("%d/%d", st.ReadyReplicas, v.desired), fs)
		if v.desired == 0 {
			r.Summary = "scaled to zero"
		}
	case VerdictProgressing:
		r.Summary = stateAndCause("", fs)
	default:
		r.Summary = stateAndCause(replicasUnavailable.state(v.desired-st.AvailableReplicas, v.desired), fs)
	}
	root.Ready = r.Verdict == VerdictReady
	return r
}

// verdict reads the StatefulSet's own status first; fs only tell an update
// that fails from one that moves or is held on purpose.
func (v *stsView) verdict(fs []Finding) Verdict {
	s, st := v.s, v.s.Status
	complete := st.ObservedGeneration >= s.Generation && st.Replicas == v.desired && st.ReadyReplicas >= v.desired &&
		st.AvailableReplicas >= v.desired && !v.pending
	// While an update rolls, the controller takes down up to maxUnavailable
	// pods (1 by default) at a time: that dip is the rollout, not a fault.
	maxUnavailable := int32(1)
	if ru := s.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.MaxUnavailable != nil {
		if n, err := intstrValue(ru.MaxUnavailable, v.desired); err == nil && n > 0 {
			maxUnavailable = n
		}
	}
	rolling := v.pending && s.Spec.UpdateStrategy.Type != appsv1.OnDeleteStatefulSetStrategyType
	withinBudget := rolling && v.desired-st.AvailableReplicas <= maxUnavailable && !hasSeverity(fs, SeverityError)
	switch {
	case v.desired == 0 && st.Replicas == 0, complete:
		return VerdictReady
	case st.AvailableReplicas < v.desired && !withinBudget, hasSeverity(fs, SeverityError):
		return VerdictNotReady
	}
	// Every replica serves; the update is held (partition, OnDelete) or
	// still rolling.
	return VerdictProgressing
}

// intstrValue reads maxUnavailable ("25%" or 2) against desired, rounding
// a percentage down as the controller does.
func intstrValue(v *intstr.IntOrString, desired int32) (int32, error) {
	n, err := intstr.GetScaledValueFromIntOrPercent(v, int(desired), false)
	return int32(n), err
}

// ruleSTSFailedCreate: a FailedCreate explains the statefulset only while
// it is short of pods.
func ruleSTSFailedCreate(v *stsView) []Finding {
	if v.s.Status.Replicas >= v.desired {
		return nil
	}
	return failedCreate(v.g, v.ref, "")
}

// ruleSTSOrderedBlocked: with OrderedReady, the first ordinal that is not
// Ready holds back the creation of the rest.
func ruleSTSOrderedBlocked(v *stsView) []Finding {
	s := v.s
	var missing []string
	for o := v.start; o < v.start+v.desired; o++ {
		if v.byOrdinal[o] == nil {
			missing = append(missing, fmt.Sprintf("%s-%d", s.Name, o))
		}
	}
	if !v.ordered || len(missing) == 0 {
		return nil
	}
	for o := v.start; o < v.start+v.desired; o++ {
		p := v.byOrdinal[o]
		if p == nil || PodReady(p) {
			continue
		}
		cause := "it is not Ready"
		if pf := v.podFindings[p.Name]; len(pf) > 0 {
			cause = pf[0].Cause
		}
		return []Finding{{Code: CodeOrderedStartBlocked, Severity: SeverityError, Object: v.ref,
			Cause: fmt.Sprintf("ordered start is blocked at %s (ordinal %d): %s; %s not created until it is Ready",
				p.Name, o, cause, plural(len(missing), "pod is", "pods are")),
			Pods:  []string{p.Name},
			Facts: map[string]string{"blockingPod": p.Name, "blockingOrdinal": strconv.Itoa(int(o)), "notCreated": strings.Join(missing, ",")},
			Evidence: []Evidence{{Source: "spec.podManagementPolicy", Message: policyName(s.Spec.PodManagementPolicy)},
				{Source: "pods not created", Message: strings.Join(missing, ", ")}},
			Next: []string{"kubectl why pod/" + p.Name + nsFlag(s.Namespace)},
		}}
	}
	return nil
}

// ruleSTSUpdate: an update that has not reached every ordinal, and why.
func ruleSTSUpdate(v *stsView) []Finding {
	s := v.s
	if !v.pending {
		return nil
	}
	var oldPods, brokenOld []string
	for _, p := range v.live {
		if p.Labels[appsv1.ControllerRevisionHashLabelKey] != s.Status.UpdateRevision {
			oldPods = append(oldPods, p.Name)
			if p.DeletionTimestamp == nil && hasSeverity(v.podFindings[p.Name], SeverityError) {
				brokenOld = append(brokenOld, p.Name)
			}
		}
	}
	partition := int32(0)
	if ru := s.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil {
		partition = *ru.Partition
	}
	switch {
	case s.Spec.UpdateStrategy.Type == appsv1.OnDeleteStatefulSetStrategyType:
		return []Finding{{Code: CodeOnDeleteUpdatePending, Severity: SeverityWarning, Object: v.ref,
			Cause: fmt.Sprintf("updateStrategy is OnDelete: %s keep the old revision until deleted by hand", plural(len(oldPods), "pod", "pods")),
			Pods:  oldPods, Facts: revFacts(s),
			Next: []string{"kubectl delete pod " + strings.Join(oldPods, " ") + nsFlag(s.Namespace)}}}
	case len(brokenOld) > 0 && v.ordered:
		return []Finding{{Code: CodeBrokenPodNotReplaced, Severity: SeverityError, Object: v.ref,
			Cause: fmt.Sprintf("%s is broken on the old revision: the controller waits for it to become Ready before updating it, so a fixed template never reaches it; delete it", brokenOld[0]),
			Pods:  brokenOld, Facts: revFacts(s),
			Next: []string{"kubectl delete pod " + brokenOld[0] + nsFlag(s.Namespace)}}}
	case partition > 0:
		return []Finding{{Code: CodePartitionHolding, Severity: SeverityInfo, Object: v.ref,
			Cause: fmt.Sprintf("rollingUpdate.partition is %d: ordinals below %d stay on the old revision (%s)", partition, partition, strings.Join(oldPods, ", ")),
			Pods:  oldPods, Facts: revFacts(s),
			Next: []string{fmt.Sprintf(`kubectl patch statefulset/%s%s -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}'`, s.Name, nsFlag(s.Namespace))}}}
	}
	return []Finding{{Code: CodeUpdateRevisionPending, Severity: SeverityWarning, Object: v.ref,
		Cause: fmt.Sprintf("an update is rolling out: %d of %d pods on the new revision", s.Status.UpdatedReplicas, v.desired),
		Facts: revFacts(s)}}
}

// ruleSTSClaims: claims from volumeClaimTemplates that are Pending.
func ruleSTSClaims(v *stsView) []Finding {
	s := v.s
	var fs []Finding
	for _, t := range s.Spec.VolumeClaimTemplates {
		for o := v.start; o < v.start+v.desired; o++ {
			name := fmt.Sprintf("%s-%s-%d", t.Name, s.Name, o)
			c := v.g.PVC(s.Namespace, name)
			if c == nil || c.Status.Phase != corev1.ClaimPending {
				continue
			}
			_, sc := claimPhaseClass(c)
			fs = append(fs, Finding{Code: CodeVolumeClaimTemplatePending, Severity: SeverityError, Object: v.ref,
				Cause:    fmt.Sprintf("PersistentVolumeClaim %s (from volumeClaimTemplate %s) is %s", name, t.Name, claimNotBound(c, claimWarning(v.g, c) != nil)),
				Evidence: []Evidence{{Source: "persistentvolumeclaim/" + name + " status.phase", Message: string(c.Status.Phase)}},
				Facts:    map[string]string{"claim": name, "storageClass": sc},
				Next:     []string{"kubectl describe pvc " + name + nsFlag(s.Namespace)}})
		}
	}
	return fs
}

func ruleSTSLeftovers(v *stsView) []Finding {
	return leftovers(v.g, v.ref, v.leftover, v.s.Status.AvailableReplicas < v.desired)
}

func revFacts(s *appsv1.StatefulSet) map[string]string {
	return map[string]string{"currentRevision": s.Status.CurrentRevision, "updateRevision": s.Status.UpdateRevision}
}

// ordinalOf reads N from "<sts>-N".
func ordinalOf(sts, pod string) (int32, bool) {
	rest, ok := strings.CutPrefix(pod, sts+"-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 32)
	if err != nil || n < 0 {
		return 0, false
	}
	return int32(n), true
}

func policyName(p appsv1.PodManagementPolicyType) string {
	if p == "" {
		return string(appsv1.OrderedReadyPodManagement)
	}
	return string(p)
}
