package explain

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// usableNodes are the nodes the pod could be placed on but for their free
// resources: schedulable, tolerated, matching its selector and affinity.
func usableNodes(nodes []corev1.Node, p *corev1.Pod) []*corev1.Node {
	var out []*corev1.Node
	terms := requiredTerms(p)
	for i := range nodes {
		n := &nodes[i]
		if n.Spec.Unschedulable || untoleratedTaint(n, p) != nil || !matchesSelector(n, p.Spec.NodeSelector) {
			continue
		}
		if len(terms) > 0 && !matchesAnyTerm(n, terms) {
			continue
		}
		out = append(out, n)
	}
	return out
}

// untoleratedTaint returns the first NoSchedule/NoExecute taint of the node
// that the pod does not tolerate, as the scheduler's filter does.
func untoleratedTaint(n *corev1.Node, p *corev1.Pod) *corev1.Taint {
	for i := range n.Spec.Taints {
		t := &n.Spec.Taints[i]
		if t.Effect != corev1.TaintEffectNoSchedule && t.Effect != corev1.TaintEffectNoExecute {
			continue
		}
		tolerated := false
		for j := range p.Spec.Tolerations {
			if tolerates(&p.Spec.Tolerations[j], t) {
				tolerated = true
				break
			}
		}
		if !tolerated {
			return t
		}
	}
	return nil
}

// tolerates is corev1.Toleration.ToleratesTaint without the numeric
// operators (alpha) and without needing a logger.
func tolerates(tol *corev1.Toleration, t *corev1.Taint) bool {
	if tol.Effect != "" && tol.Effect != t.Effect {
		return false
	}
	if tol.Key != "" && tol.Key != t.Key {
		return false
	}
	switch tol.Operator {
	case "", corev1.TolerationOpEqual:
		return tol.Value == t.Value
	case corev1.TolerationOpExists:
		return true
	}
	return false
}

func requiredTerms(p *corev1.Pod) []corev1.NodeSelectorTerm {
	a := p.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return nil
	}
	return a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
}

func describeTerm(t corev1.NodeSelectorTerm) string {
	var parts []string
	for _, e := range t.MatchExpressions {
		switch e.Operator {
		case corev1.NodeSelectorOpExists, corev1.NodeSelectorOpDoesNotExist:
			parts = append(parts, fmt.Sprintf("%s %s", e.Key, e.Operator))
		default:
			parts = append(parts, fmt.Sprintf("%s %s [%s]", e.Key, e.Operator, strings.Join(e.Values, ",")))
		}
	}
	for _, e := range t.MatchFields {
		parts = append(parts, fmt.Sprintf("field %s %s [%s]", e.Key, e.Operator, strings.Join(e.Values, ",")))
	}
	return strings.Join(parts, " AND ")
}

func matchesSelector(n *corev1.Node, sel map[string]string) bool {
	for k, v := range sel {
		if l, ok := n.Labels[k]; !ok || l != v {
			return false
		}
	}
	return true
}

// matchesAnyTerm evaluates required node affinity: terms are ORed, the
// expressions of a term ANDed; an empty term matches nothing.
func matchesAnyTerm(n *corev1.Node, terms []corev1.NodeSelectorTerm) bool {
	for _, t := range terms {
		if len(t.MatchExpressions) == 0 && len(t.MatchFields) == 0 {
			continue
		}
		ok := true
		for _, e := range t.MatchExpressions {
			if !matchExpr(n.Labels, e) {
				ok = false
				break
			}
		}
		for _, e := range t.MatchFields {
			if !matchExpr(map[string]string{"metadata.name": n.Name}, e) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func matchExpr(labels map[string]string, e corev1.NodeSelectorRequirement) bool {
	v, has := labels[e.Key]
	switch e.Operator {
	case corev1.NodeSelectorOpIn:
		return has && slices.Contains(e.Values, v)
	case corev1.NodeSelectorOpNotIn:
		return !has || !slices.Contains(e.Values, v)
	case corev1.NodeSelectorOpExists:
		return has
	case corev1.NodeSelectorOpDoesNotExist:
		return !has
	case corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt:
		if !has || len(e.Values) != 1 {
			return false
		}
		a, err1 := strconv.ParseInt(v, 10, 64)
		b, err2 := strconv.ParseInt(e.Values[0], 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		if e.Operator == corev1.NodeSelectorOpGt {
			return a > b
		}
		return a < b
	}
	return false
}

func countNodes(nodes []corev1.Node, pred func(*corev1.Node) bool) int {
	n := 0
	for i := range nodes {
		if pred(&nodes[i]) {
			n++
		}
	}
	return n
}
