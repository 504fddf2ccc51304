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

// ExplainStatefulSet walks statefulset -> pods by ordinal, and adds the
// statefulset's own causes: ordered start, partition, OnDelete, storage.
func ExplainStatefulSet(g *graph.Graph, s *appsv1.StatefulSet) Result {
	desired := replicas(s.Spec.Replicas, 1)
	ref := stsRef(s)
	r := Result{
		Target:  ref,
		Ready:   fmt.Sprintf("%d/%d", s.Status.ReadyReplicas, desired),
		Created: s.CreationTimestamp.Time,
	}
	root := &Node{Ref: ref, Status: fmt.Sprintf("%d/%d ready", s.Status.ReadyReplicas, desired)}
	r.Tree = root
	start := int32(0)
	if s.Spec.Ordinals != nil {
		start = s.Spec.Ordinals.Start
	}
	pods := g.PodsOf(s.UID)
	byOrdinal := map[int32]*corev1.Pod{}
	for _, p := range pods {
		if o, ok := ordinalOf(s.Name, p.Name); ok {
			byOrdinal[o] = p
		}
	}
	sort.Slice(pods, func(i, j int) bool {
		oi, _ := ordinalOf(s.Name, pods[i].Name)
		oj, _ := ordinalOf(s.Name, pods[j].Name)
		return oi < oj
	})
	root.Children = podNodes(pods)

	var fs []Finding
	var live []*corev1.Pod
	podFindings := map[string][]Finding{}
	broken := 0
	var leftover []*corev1.Pod
	for _, p := range pods {
		op := diagnose(g, []*corev1.Pod{p})
		if len(op.leftover) > 0 {
			leftover = append(leftover, p)
			continue
		}
		live = append(live, p)
		podFindings[p.Name] = op.findings
		broken += op.broken
		fs = append(fs, op.findings...)
	}
	// A FailedCreate explains the statefulset only while it is short of pods.
	if s.Status.Replicas < desired {
		fs = append(fs, failedCreate(g, ref, "")...)
	}

	// Ordered start: the first ordinal that is not Ready holds back the rest.
	ordered := s.Spec.PodManagementPolicy != appsv1.ParallelPodManagement
	var missing []string
	for o := start; o < start+desired; o++ {
		if byOrdinal[o] == nil {
			missing = append(missing, fmt.Sprintf("%s-%d", s.Name, o))
		}
	}
	if ordered && len(missing) > 0 {
		for o := start; o < start+desired; o++ {
			p := byOrdinal[o]
			if p == nil || PodReady(p) {
				continue
			}
			cause := "it is not Ready"
			if pf := podFindings[p.Name]; len(pf) > 0 {
				cause = pf[0].Cause
			}
			fs = append(fs, Finding{Code: CodeSTSOrderedBlocked, Severity: SeverityError, Object: ref,
				Cause: fmt.Sprintf("ordered start is blocked at %s (ordinal %d): %s; %s not created until it is Ready",
					p.Name, o, cause, plural(len(missing), "pod is", "pods are")),
				Pods:  []string{p.Name},
				Facts: map[string]string{"blockingPod": p.Name, "blockingOrdinal": strconv.Itoa(int(o)), "notCreated": strings.Join(missing, ",")},
				Evidence: []Evidence{{Source: "spec.podManagementPolicy", Message: policyName(s.Spec.PodManagementPolicy)},
					{Source: "pods not created", Message: strings.Join(missing, ", ")}},
				Next: []string{"kubectl why pod/" + p.Name + nsFlag(s.Namespace)},
			})
			break
		}
	}

	// Updates.
	pending := s.Status.UpdateRevision != "" && s.Status.CurrentRevision != s.Status.UpdateRevision
	if pending {
		var oldPods, brokenOld []string
		for _, p := range live {
			if p.Labels[appsv1.ControllerRevisionHashLabelKey] != s.Status.UpdateRevision {
				oldPods = append(oldPods, p.Name)
				if p.DeletionTimestamp == nil && hasSeverity(podFindings[p.Name], SeverityError) {
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
			fs = append(fs, Finding{Code: CodeSTSOnDelete, Severity: SeverityWarning, Object: ref,
				Cause: fmt.Sprintf("updateStrategy is OnDelete: %s keep the old revision until deleted by hand", plural(len(oldPods), "pod", "pods")),
				Pods:  oldPods, Facts: revFacts(s),
				Next: []string{"kubectl delete pod " + strings.Join(oldPods, " ") + nsFlag(s.Namespace)}})
		case len(brokenOld) > 0 && ordered:
			fs = append(fs, Finding{Code: CodeSTSBrokenPodTrap, Severity: SeverityError, Object: ref,
				Cause: fmt.Sprintf("%s is broken on the old revision: the controller waits for it to become Ready before updating it, so a fixed template never reaches it; delete it", brokenOld[0]),
				Pods:  brokenOld, Facts: revFacts(s),
				Next: []string{"kubectl delete pod " + brokenOld[0] + nsFlag(s.Namespace)}})
		case partition > 0:
			fs = append(fs, Finding{Code: CodeSTSPartition, Severity: SeverityInfo, Object: ref,
				Cause: fmt.Sprintf("rollingUpdate.partition is %d: ordinals below %d stay on the old revision (%s)", partition, partition, strings.Join(oldPods, ", ")),
				Pods:  oldPods, Facts: revFacts(s),
				Next: []string{fmt.Sprintf(`kubectl patch statefulset/%s%s -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}'`, s.Name, nsFlag(s.Namespace))}})
		default:
			fs = append(fs, Finding{Code: CodeSTSRevisionPending, Severity: SeverityWarning, Object: ref,
				Cause: fmt.Sprintf("an update is rolling out: %d of %d pods on the new revision", s.Status.UpdatedReplicas, desired),
				Facts: revFacts(s)})
		}
	}

	// Storage from volumeClaimTemplates.
	for _, t := range s.Spec.VolumeClaimTemplates {
		for o := start; o < start+desired; o++ {
			name := fmt.Sprintf("%s-%s-%d", t.Name, s.Name, o)
			c := g.PVC(s.Namespace, name)
			if c == nil || c.Status.Phase != corev1.ClaimPending {
				continue
			}
			_, sc := claimPhaseClass(c)
			fs = append(fs, Finding{Code: CodeSTSPVCPending, Severity: SeverityError, Object: ref,
				Cause:    fmt.Sprintf("PersistentVolumeClaim %s (from volumeClaimTemplate %s) is %s", name, t.Name, claimNotBound(c, claimWarning(g, c) != nil)),
				Evidence: []Evidence{{Source: "persistentvolumeclaim/" + name + " status.phase", Message: string(c.Status.Phase)}},
				Facts:    map[string]string{"claim": name, "storageClass": sc},
				Next:     []string{"kubectl describe pvc " + name + nsFlag(s.Namespace)}})
		}
	}

	st := s.Status
	fs = append(fs, leftovers(g, ref, leftover, st.AvailableReplicas < desired)...)

	observed := st.ObservedGeneration >= s.Generation
	available := st.AvailableReplicas
	complete := observed && st.Replicas == desired && st.ReadyReplicas >= desired && available >= desired && !pending
	// While an update rolls, the controller takes down up to maxUnavailable
	// pods (1 by default) at a time: that dip is the rollout, not a fault.
	maxUnavailable := int32(1)
	if ru := s.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.MaxUnavailable != nil {
		if n, err := intstrValue(ru.MaxUnavailable, desired); err == nil && n > 0 {
			maxUnavailable = n
		}
	}
	rolling := pending && s.Spec.UpdateStrategy.Type != appsv1.OnDeleteStatefulSetStrategyType
	withinBudget := rolling && desired-available <= maxUnavailable && broken == 0 && !hasSeverity(fs, SeverityError)
	switch {
	case desired == 0 && st.Replicas == 0:
		r.Verdict = VerdictReady
	case complete:
		r.Verdict = VerdictReady
	case available < desired && !withinBudget:
		r.Verdict = VerdictNotReady
	case broken > 0 || hasSeverity(fs, SeverityError):
		r.Verdict = VerdictNotReady
	default:
		// Every replica serves; the update is held (partition, OnDelete)
		// or still rolling.
		r.Verdict = VerdictProgressing
	}
	if r.Verdict == VerdictNotReady && !hasSeverity(fs, SeverityError) && !hasSeverity(fs, SeverityWarning) {
		fs = append(fs, Finding{Code: CodeReplicasUnavailable, Severity: SeverityWarning, Object: ref,
			Cause: "they are starting in order, and none is failing",
			Facts: map[string]string{"available": fmt.Sprint(available), "desired": fmt.Sprint(desired)},
			Next:  []string{"kubectl rollout status statefulset/" + s.Name + nsFlag(s.Namespace)}})
	}
	if r.Verdict != VerdictNotReady {
		demote(fs)
	}
	if r.Verdict == VerdictProgressing && !pending && len(fs) == 0 {
		fs = append(fs, Finding{Code: CodeSTSRevisionPending, Severity: SeverityInfo, Object: ref,
			Cause: fmt.Sprintf("the statefulset controller has not yet caught up: it last saw generation %d of %d, %d pods for %d desired", st.ObservedGeneration, s.Generation, st.Replicas, desired),
			Facts: revFacts(s)})
	}
	fs = quietStarts(groupPods(g, fs))
	sortFindings(fs)
	r.Findings = fs
	r.Flapping = hasCode(fs, CodeFlapping)
	count := fmt.Sprintf("%d/%d", st.ReadyReplicas, desired)
	switch r.Verdict {
	case VerdictReady:
		r.Summary = readySummary(count, fs)
		if desired == 0 {
			r.Summary = "scaled to zero"
		}
	case VerdictProgressing:
		r.Summary = stateAndCause("", fs)
	default:
		r.Summary = stateAndCause(unavailableState(desired-available, desired), fs)
	}
	root.Ready = r.Verdict == VerdictReady
	return r
}

// intstrValue reads maxUnavailable ("25%" or 2) against desired, rounding
// a percentage down as the controller does.
func intstrValue(v *intstr.IntOrString, desired int32) (int32, error) {
	n, err := intstr.GetScaledValueFromIntOrPercent(v, int(desired), false)
	return int32(n), err
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
