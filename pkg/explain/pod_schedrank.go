package explain

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// schedPart is one reason of a scheduler verdict, explained: the finding
// it would be alone, and the short phrase it is beside other reasons.
type schedPart struct {
	g     *schedGroup
	f     Finding
	short string // without the node count: "too small for 24Gi memory (...)"
	// exclusion: the reason is the pod's own choice of nodes (nodeSelector,
	// required node affinity), not a node that is full, tainted or
	// unavailable.
	exclusion bool
	// excludesAll: the exclusion leaves no node at all.
	excludesAll bool
}

// tier ranks a part: an exclusion that leaves no node is the cause; else
// what blocks the nodes the pod may use; exclusions that leave some nodes
// only say where the pod may not go.
func (p schedPart) tier() int {
	switch {
	case p.exclusion && p.excludesAll:
		return 0
	case !p.exclusion:
		return 1
	}
	return 2
}

// rankSchedParts orders the reasons by what actually blocks the pod: the
// scheduler's filters run in order (node name, unschedulable, taints, node
// affinity, ports, resources, volumes, topology, inter-pod affinity) and
// each node is counted under the first one it fails, so "1 Insufficient
// memory, 7 node(s) didn't match Pod's node affinity/selector" means the
// one node the selector allows is too small: memory is the cause.
func rankSchedParts(parts []schedPart) {
	slices.SortStableFunc(parts, func(a, b schedPart) int {
		return cmp.Or(cmp.Compare(a.tier(), b.tier()), cmp.Compare(b.g.nodes, a.g.nodes))
	})
}

// mergeSchedParts makes one finding of the verdict: the code of the
// ranked first reason, a cause that names every reason with its node
// count, and the facts and next steps of each (the first one's first).
func mergeSchedParts(parts []schedPart, total int) Finding {
	f := parts[0].f
	if parts[0].g.nodes > 0 {
		f.Facts["nodes"] = strconv.Itoa(parts[0].g.nodes)
	}
	if len(parts) == 1 {
		return f
	}
	facts := map[string]string{}
	var phrases []string
	for _, p := range parts {
		phrase := p.short
		if p.g.nodes > 0 {
			phrase = strconv.Itoa(p.g.nodes) + " " + phrase
		}
		phrases = append(phrases, phrase)
		maps.Copy(facts, p.f.Facts)
		if p.f.Code != f.Code {
			f.Evidence = append(f.Evidence, p.f.Evidence...)
		}
		f.Next = append(f.Next, p.f.Next...)
	}
	maps.Copy(facts, f.Facts) // the first reason's facts win
	f.Facts = facts
	f.Next = dedupeStrings(f.Next)
	switch {
	case total > 0:
		f.Cause = fmt.Sprintf("none of the %d nodes fits the pod: %s", total, strings.Join(phrases, ", "))
	default:
		f.Cause = "no node fits the pod: " + strings.Join(phrases, ", ")
	}
	return f
}

// schedPart explains one group of reasons.
func (c *PodContext) schedPart(g *schedGroup, total int, nodes []corev1.Node) (schedPart, bool) {
	p := schedPart{g: g}
	switch g.code {
	case CodeInsufficientResources:
		p.f = c.schedInsufficient(g, total, nodes)
		p.short = insufficientShort(p.f.Facts)
	case CodeUntoleratedTaint:
		p.f = c.schedTaints(g, total, nodes)
		taints := p.f.Facts["taints"]
		p.short = "tainted " + strings.ReplaceAll(taints, ",", ", ")
		if taints == "" {
			p.short = "with taints it does not tolerate"
		}
	case CodeNoNodesAvailable:
		p.f = c.finding(CodeNoNodesAvailable, "", fmt.Sprintf("%s cordoned (unschedulable), so the scheduler skips them", ofNodes(g.nodes, total, "is", "are")))
		if g.nodes == total && total > 0 {
			p.f.Cause = "every node is cordoned (unschedulable), so no node can take the pod"
		}
		p.f.Next = []string{"kubectl get nodes", "kubectl uncordon NODE"}
		p.short = "cordoned"
		var cordoned []string
		for i := range nodes {
			if nodes[i].Spec.Unschedulable {
				cordoned = append(cordoned, nodes[i].Name)
			}
		}
		if len(cordoned) > 0 {
			p.f.Facts["cordoned"] = strings.Join(cordoned, ",")
			p.short += " (" + listWords(cordoned) + ")"
		}
	case CodeNodeSelectorMismatch:
		p.f = c.schedSelector(g, total, nodes)
		p.short = "not matching " + selectorWords(p.f.Facts)
		p.exclusion = true
		terms := requiredTerms(c.Pod)
		p.excludesAll = (total > 0 && g.nodes >= total) || (len(nodes) > 0 && countNodes(nodes, func(n *corev1.Node) bool {
			return matchesSelector(n, c.Pod.Spec.NodeSelector) && (len(terms) == 0 || matchesAnyTerm(n, terms))
		}) == 0)
	case CodeVolumeNodeAffinityConflict:
		p.f = c.schedVolumeAffinity(g, total)
		p.short = "outside the node affinity of the pod's PersistentVolumes"
	case CodePodAffinityConflict:
		p.f = c.schedPodAffinity(g, total)
		p.short = podAffinityShort(g.key)
	case CodePVCNotFound:
		p.f = c.claimMissing(g.key)
		p.short = "waiting for PersistentVolumeClaim " + g.key + ", which does not exist"
	case CodePVCUnbound:
		p.f = c.finding(CodePVCUnbound, "", fmt.Sprintf("%s no PersistentVolume the pod's claims can bind to", ofNodes(g.nodes, total, "has", "have")))
		p.f.Next = []string{fmt.Sprintf("kubectl get pvc%s", nsFlag(c.Pod.Namespace)), c.cmdDescribe()}
		p.short = "without a PersistentVolume its claims can bind to"
	default:
		p.f = c.finding(CodeUnschedulable, "", schedGenericCause(g, total))
		p.f.Facts["reason"] = g.key
		p.f.Next = []string{c.cmdDescribe()}
		p.short = schedGenericShort(g.key)
	}
	return p, p.f.Code != ""
}

func insufficientShort(facts map[string]string) string {
	res, req := facts["resource"], facts["requested"]
	largest, node := facts["largestAllocatable"], facts["largestNode"]
	switch {
	case res == string(corev1.ResourcePods):
		return "already holding as many pods as allowed (allocatable pods)"
	case node != "" && facts["fitsEmptyNode"] == "false":
		return fmt.Sprintf("too small for %s %s (the largest it may use, %s, has %s)", req, res, node, largest)
	case node != "":
		return fmt.Sprintf("without %s %s free (the largest it may use, %s, has %s allocatable; other pods use it)", req, res, node, largest)
	case facts["fitsEmptyNode"] == "false":
		return fmt.Sprintf("offering no %s", res)
	}
	return fmt.Sprintf("without %s %s free", req, res)
}

func selectorWords(facts map[string]string) string {
	if u := facts["unmatched"]; u != "" {
		return u
	}
	var w []string
	if s := facts["nodeSelector"]; s != "" {
		w = append(w, "nodeSelector "+s)
	}
	if a := facts["nodeAffinity"]; a != "" {
		w = append(w, "node affinity "+a)
	}
	if len(w) == 0 {
		return "the pod's nodeSelector/affinity"
	}
	return strings.Join(w, " and ")
}

func schedGenericShort(reason string) string {
	if w, ok := schedGenericWords(reason); ok {
		return w.short
	}
	return "rejected: " + strings.TrimPrefix(reason, "node(s) ")
}

// Kinds of inter-pod affinity reasons (interpodaffinity/filtering.go).
const (
	podAntiAffinity         = "antiAffinity"         // the pod's own anti-affinity
	podExistingAntiAffinity = "existingAntiAffinity" // other pods' anti-affinity
	podAffinityRequired     = "affinity"             // the pod's affinity finds no pod
)

func podAffinityShort(kind string) string {
	switch kind {
	case podExistingAntiAffinity:
		return "running pods whose anti-affinity keeps it away"
	case podAffinityRequired:
		return "running no pod its affinity requires"
	}
	return "running a pod its anti-affinity excludes"
}

// schedPodAffinity explains inter-pod affinity reasons with the pod's
// required terms: the topology key and the pods they select.
func (c *PodContext) schedPodAffinity(g *schedGroup, total int) Finding {
	p := c.Pod
	f := c.finding(CodePodAffinityConflict, "", "")
	var terms []corev1.PodAffinityTerm
	path := "podAntiAffinity"
	switch g.key {
	case podExistingAntiAffinity:
		f.Cause = fmt.Sprintf("%s pods whose anti-affinity rules keep this pod away", ofNodes(g.nodes, total, "runs", "run"))
	case podAffinityRequired:
		f.Cause = fmt.Sprintf("%s no pod that the pod's affinity rules require", ofNodes(g.nodes, total, "runs", "run"))
		path = "podAffinity"
		if a := p.Spec.Affinity; a != nil && a.PodAffinity != nil {
			terms = a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution
		}
	default:
		f.Cause = fmt.Sprintf("%s a pod that the pod's anti-affinity rules exclude", ofNodes(g.nodes, total, "runs", "run"))
		if a := p.Spec.Affinity; a != nil && a.PodAntiAffinity != nil {
			terms = a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
		}
	}
	f.Facts["kind"] = g.key
	var keys, sels []string
	for _, t := range terms {
		keys = append(keys, t.TopologyKey)
		if t.LabelSelector != nil {
			sels = append(sels, metav1.FormatLabelSelector(t.LabelSelector))
		}
	}
	if len(keys) > 0 {
		f.Facts["topologyKey"] = strings.Join(dedupeStrings(keys), ",")
		f.Cause += fmt.Sprintf(" (topologyKey %s)", strings.Join(dedupeStrings(keys), ", "))
	}
	if len(sels) > 0 {
		f.Facts["labelSelector"] = strings.Join(sels, "; ")
		f.Next = append(f.Next, fmt.Sprintf("kubectl get pods%s -l %s -o wide", nsFlag(p.Namespace), sels[0]))
	}
	f.Next = append(f.Next, fmt.Sprintf("kubectl get pod %s%s -o jsonpath='{.spec.affinity.%s}'", p.Name, nsFlag(p.Namespace), path))
	return f
}
