package explain

import (
	"fmt"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	corev1 "k8s.io/api/core/v1"
)

func nodeCondition(n *corev1.Node, t corev1.NodeConditionType) *corev1.NodeCondition {
	return firstOf(n.Status.Conditions, func(c corev1.NodeCondition) bool { return c.Type == t })
}

func readyWord(s corev1.ConditionStatus) string {
	switch s {
	case corev1.ConditionFalse:
		return "NotReady"
	case corev1.ConditionTrue:
		return "Ready"
	}
	return "not reporting (Ready=Unknown)"
}

func conditionText(c *corev1.NodeCondition) string {
	s := fmt.Sprintf("%s=%s", c.Type, c.Status)
	if c.Reason != "" {
		s += " " + c.Reason
	}
	if c.Message != "" {
		s += ": " + c.Message
	}
	if !c.LastTransitionTime.IsZero() {
		s += " (since " + c.LastTransitionTime.UTC().Format(time.RFC3339) + ")"
	}
	return s
}

// ruleNodeTrouble: the node the pod runs on is NotReady, unreachable, gone,
// or under memory/disk/PID pressure. The pod's own status is then stale or
// about to change, so this is said first.
func ruleNodeTrouble(c *PodContext) []Finding {
	if c.Pod.Spec.NodeName == "" || c.ended() {
		return nil
	}
	if c.Node == nil {
		return c.nodeGone()
	}
	var out []Finding
	out = append(out, c.nodeNotReady()...)
	out = append(out, c.nodeNetworkUnavailable()...)
	return append(out, c.nodePressure()...)
}

// nodeGone: the pod names a node that is not in the (readable) node list.
func (c *PodContext) nodeGone() []Finding {
	if c.G == nil || !c.G.Has(graph.ResNodes) {
		return nil
	}
	node := c.Pod.Spec.NodeName
	f := c.finding(CodeNodeNotReady, "", fmt.Sprintf("the pod's node %s no longer exists; the pod is an orphan the garbage collector will remove", node))
	f.Evidence = []Evidence{{Source: "spec.nodeName", Message: node}}
	f.Facts["node"] = node
	f.Facts["condition"] = "NotFound"
	f.Next = []string{"kubectl get nodes", c.cmdDescribe()}
	return []Finding{f}
}

// nodeNotReady: the node's Ready condition is not True, or the node
// controller tainted it unreachable or not-ready.
func (c *PodContext) nodeNotReady() []Finding {
	n, node := c.Node, c.Pod.Spec.NodeName
	rc := nodeCondition(n, corev1.NodeReady)
	var taints []string
	for _, t := range n.Spec.Taints {
		if t.Key == corev1.TaintNodeUnreachable || t.Key == corev1.TaintNodeNotReady {
			taints = append(taints, t.ToString())
		}
	}
	if (rc == nil || rc.Status == corev1.ConditionTrue) && len(taints) == 0 {
		return nil
	}
	status := corev1.ConditionUnknown
	if rc != nil {
		status = rc.Status
	}
	cause := fmt.Sprintf("the pod's node %s is %s", node, readyWord(status))
	if status == corev1.ConditionUnknown {
		cause += ": its kubelet stopped reporting, so the pod's status is stale and it will be evicted"
	} else {
		cause += ": the kubelet cannot run the pod's containers there"
	}
	if status == corev1.ConditionTrue {
		cause = fmt.Sprintf("the pod's node %s is tainted %s", node, strings.Join(taints, ", "))
	}
	f := c.finding(CodeNodeNotReady, "", cause)
	if rc != nil {
		f.Evidence = append(f.Evidence, Evidence{Source: fmt.Sprintf("node/%s status.conditions[Ready]", node), Message: conditionText(rc)})
		if !rc.LastTransitionTime.IsZero() {
			f.Facts["since"] = humanDuration(c.Now.Sub(rc.LastTransitionTime.Time))
		}
	}
	if len(taints) > 0 {
		f.Evidence = append(f.Evidence, Evidence{Source: fmt.Sprintf("node/%s spec.taints", node), Message: strings.Join(taints, ", ")})
		f.Facts["taints"] = strings.Join(taints, ",")
	}
	f.Facts["node"] = node
	f.Facts["condition"] = "Ready=" + string(status)
	f.Next = []string{cmdDescribeNode(node), "kubectl get nodes"}
	return []Finding{f}
}

// nodeNetworkUnavailable: the node's pod network is not set up.
func (c *PodContext) nodeNetworkUnavailable() []Finding {
	node := c.Pod.Spec.NodeName
	nu := nodeCondition(c.Node, corev1.NodeNetworkUnavailable)
	if nu == nil || nu.Status != corev1.ConditionTrue {
		return nil
	}
	f := c.finding(CodeNodeNotReady, "", fmt.Sprintf("the pod's node %s reports NetworkUnavailable: its pod network is not set up", node))
	f.Evidence = []Evidence{{Source: fmt.Sprintf("node/%s status.conditions[NetworkUnavailable]", node), Message: conditionText(nu)}}
	f.Facts["node"] = node
	f.Facts["condition"] = "NetworkUnavailable=True"
	f.Next = []string{cmdDescribeNode(node)}
	return []Finding{f}
}

// nodePressure: memory, disk or PID pressure, one finding for them all.
func (c *PodContext) nodePressure() []Finding {
	node := c.Pod.Spec.NodeName
	var pressure []string
	var ev []Evidence
	for _, t := range []corev1.NodeConditionType{corev1.NodeMemoryPressure, corev1.NodeDiskPressure, corev1.NodePIDPressure} {
		if pc := nodeCondition(c.Node, t); pc != nil && pc.Status == corev1.ConditionTrue {
			pressure = append(pressure, string(t))
			ev = append(ev, Evidence{Source: fmt.Sprintf("node/%s status.conditions[%s]", node, t), Message: conditionText(pc)})
		}
	}
	if len(pressure) == 0 {
		return nil
	}
	f := c.finding(CodeNodePressure, "", fmt.Sprintf("the pod's node %s reports %s: the kubelet may evict pods from it", node, listWords(pressure)))
	f.Evidence = ev
	f.Facts["node"] = node
	f.Facts["conditions"] = strings.Join(pressure, ",")
	f.Next = []string{cmdDescribeNode(node)}
	return []Finding{f}
}
