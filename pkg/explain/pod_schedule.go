package explain

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// schedReason is one reason of a scheduler verdict with the number of
// nodes it rejected (Count is the whole cluster for a PreFilter reason).
type schedReason struct {
	Count int
	Text  string
}

// schedMessage is a FailedScheduling message taken apart:
// "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated
// taint {dedicated: gpu}. preemption: 0/3 nodes are available: ...".
type schedMessage struct {
	Total      int // nodes the scheduler considered; -1 when the message does not say
	Reasons    []schedReason
	Filter     string // the reasons part, verbatim
	Preemption string // the preemption part, verbatim
	NoNodes    bool   // "no nodes available to schedule pods", or 0/0
}

var (
	reSchedTotal = regexp.MustCompile(`^0/(\d+) nodes are available:?`)
	reSchedItem  = regexp.MustCompile(`(?:^|, )(\d+) `)
	reTaintBrace = regexp.MustCompile(`\{([^:{}]+):\s*([^{}]*)\}`)
	reClaimName  = regexp.MustCompile(`persistentvolumeclaim "([^"]+)"`)
)

// parseSchedulingMessage reads the scheduler's FitError format (see
// FitError.Error in k8s.io/kubernetes/pkg/scheduler/framework/types.go).
func parseSchedulingMessage(msg string) schedMessage {
	msg = strings.TrimSpace(msg)
	sm := schedMessage{Total: -1}
	if strings.Contains(strings.ToLower(msg), "no nodes available to schedule pods") {
		sm.NoNodes, sm.Total = true, 0
		return sm
	}
	m := reSchedTotal.FindStringSubmatchIndex(msg)
	if m == nil {
		if msg != "" {
			sm.Reasons = []schedReason{{Count: -1, Text: strings.TrimRight(msg, ". ")}}
			sm.Filter = msg
		}
		return sm
	}
	sm.Total, _ = strconv.Atoi(msg[m[2]:m[3]])
	rest := msg[m[1]:]
	if i := strings.Index(rest, "preemption:"); i >= 0 {
		head := rest[:i]
		head = strings.TrimSuffix(head, "pod group ")
		sm.Preemption = strings.TrimSpace(rest[len(head):])
		rest = head
	}
	rest = strings.TrimRight(strings.TrimSpace(rest), ". ")
	sm.Filter = rest
	if sm.Total == 0 {
		sm.NoNodes = true
	}
	if rest == "" {
		return sm
	}
	items := reSchedItem.FindAllStringSubmatchIndex(rest, -1)
	if len(items) == 0 || items[0][0] != 0 {
		// A PreFilter reason applies to every node and carries no count.
		end := len(rest)
		if len(items) > 0 {
			end = items[0][0]
		}
		sm.Reasons = append(sm.Reasons, schedReason{Count: sm.Total, Text: strings.TrimRight(rest[:end], ".,; ")})
	}
	for k, it := range items {
		n, _ := strconv.Atoi(rest[it[2]:it[3]])
		end := len(rest)
		if k+1 < len(items) {
			end = items[k+1][0]
		}
		text := strings.TrimRight(rest[it[1]:end], ".,; ")
		if text == "" {
			continue
		}
		sm.Reasons = append(sm.Reasons, schedReason{Count: n, Text: text})
	}
	return sm
}

// schedClass sorts a scheduler reason into a failure mode. key tells
// findings of one mode apart (the resource, the claim...).
func schedClass(text string) (code Code, key string) {
	l := strings.ToLower(text)
	switch {
	case strings.HasPrefix(text, "Insufficient "):
		return CodeInsufficientResources, strings.TrimSpace(strings.TrimPrefix(text, "Insufficient "))
	case strings.HasPrefix(l, "too many pods"):
		return CodeInsufficientResources, string(corev1.ResourcePods)
	case strings.Contains(l, "were unschedulable"):
		return CodeNoNodesAvailable, ""
	case strings.Contains(l, "taint"):
		if m := reTaintBrace.FindStringSubmatch(text); m != nil && strings.TrimSpace(m[1]) == corev1.TaintNodeUnschedulable {
			return CodeNoNodesAvailable, ""
		}
		return CodeUntoleratedTaint, ""
	case strings.Contains(l, "existing pods anti-affinity"):
		return CodePodAffinityConflict, podExistingAntiAffinity
	case strings.Contains(l, "pod anti-affinity"):
		return CodePodAffinityConflict, podAntiAffinity
	case strings.Contains(l, "pod affinity rules"):
		return CodePodAffinityConflict, podAffinityRequired
	case strings.Contains(l, "persistentvolume's node affinity"), strings.Contains(l, "volume node affinity conflict"):
		return CodeVolumeNodeAffinityConflict, ""
	case strings.Contains(l, "node affinity"), strings.Contains(l, "node selector"), strings.Contains(l, "nodeselector"):
		return CodeNodeSelectorMismatch, ""
	// Unbound before not found: kube-scheduler v1.37 writes "pod has
	// unbound immediate PersistentVolumeClaims. not found" for a claim
	// that exists and is Pending.
	case strings.Contains(l, "unbound immediate persistentvolumeclaims"), strings.Contains(l, "available persistent volumes to bind"):
		return CodePVCUnbound, ""
	case strings.Contains(l, "persistentvolumeclaim") && strings.Contains(l, "not found"):
		claim := ""
		if m := reClaimName.FindStringSubmatch(text); m != nil {
			claim = m[1]
		}
		return CodePVCNotFound, claim
	}
	return CodeUnschedulable, text
}

// schedGroup is the reasons of one mode with their node counts.
type schedGroup struct {
	code    Code
	key     string
	nodes   int
	reasons []schedReason
}

// ruleSchedulingGated: spec.schedulingGates keeps the scheduler away until
// something (a controller, a quota system) removes them.
func ruleSchedulingGated(c *PodContext) []Finding {
	p := c.Pod
	if p.Spec.NodeName != "" || c.ended() {
		return nil
	}
	cond := podCondition(p, corev1.PodScheduled)
	gated := cond != nil && cond.Status != corev1.ConditionTrue && cond.Reason == corev1.PodReasonSchedulingGated
	if len(p.Spec.SchedulingGates) == 0 && !gated {
		return nil
	}
	var names []string
	for _, g := range p.Spec.SchedulingGates {
		names = append(names, g.Name)
	}
	cause := "the pod is held back from scheduling by its scheduling gates"
	if len(names) > 0 {
		cause = fmt.Sprintf("the pod waits for its scheduling %s %s to be removed before the scheduler looks at it",
			map[bool]string{true: "gate", false: "gates"}[len(names) == 1], listWords(names))
	}
	f := c.finding(CodeSchedulingGated, "", cause)
	if len(names) > 0 {
		f.Evidence = append(f.Evidence, Evidence{Source: "spec.schedulingGates", Message: strings.Join(names, ", ")})
	}
	if cond != nil && cond.Reason != "" {
		f.Evidence = append(f.Evidence, Evidence{Source: "status.conditions[PodScheduled]", Message: joinNonEmpty(": ", cond.Reason, cond.Message)})
	}
	f.Facts["gates"] = strings.Join(names, ",")
	f.Next = []string{
		fmt.Sprintf("kubectl get pod %s%s -o jsonpath='{.spec.schedulingGates}'", p.Name, nsFlag(p.Namespace)),
		c.cmdDescribe(),
	}
	return []Finding{f}
}

// ruleUnschedulable reads the scheduler's verdict (PodScheduled=False and
// the FailedScheduling event) and explains each reason with what the
// snapshot knows: requests against the largest node, the taints, the
// selector that matches nothing, the claims and their phase.
func ruleUnschedulable(c *PodContext) []Finding {
	p := c.Pod
	if p.Spec.NodeName != "" || c.ended() || len(p.Spec.SchedulingGates) > 0 {
		return nil
	}
	cond := podCondition(p, corev1.PodScheduled)
	if cond != nil && (cond.Status == corev1.ConditionTrue || cond.Reason == corev1.PodReasonSchedulingGated) {
		return nil
	}
	ev := latestEvent(c.eventsFor("", "FailedScheduling"))
	condFailed := cond != nil && cond.Status == corev1.ConditionFalse
	if !condFailed && ev == nil {
		return nil
	}
	msg, evidence := schedulerWords(cond, condFailed, ev)
	if msg == "" {
		f := c.finding(CodeUnschedulable, "", "the scheduler found no node for the pod and did not say why")
		f.Evidence = []Evidence{{Source: "status.conditions[PodScheduled]", Message: cond.Reason}}
		f.Facts["reason"] = cond.Reason
		f.Next = []string{c.cmdDescribe(), c.cmdEvents()}
		return []Finding{f}
	}
	sm := parseSchedulingMessage(msg)
	nodes, _ := c.nodes()
	total := sm.Total
	if sm.NoNodes {
		return []Finding{c.noNodesFinding(nodes, evidence)}
	}
	groups := groupSchedReasons(sm.Reasons)

	// A claim the scheduler waits on is explained claim by claim.
	if len(groups) == 1 && groups[0].code == CodePVCUnbound {
		if fs := c.claimsUnbound(true); len(fs) > 0 {
			for i := range fs {
				fs[i].Evidence = append(append([]Evidence(nil), evidence...), fs[i].Evidence...)
				fs[i].Facts["reasons"] = sm.Filter
			}
			return fs
		}
	}

	var parts []schedPart
	for _, g := range groups {
		if p, ok := c.schedPart(g, total, nodes); ok {
			parts = append(parts, p)
		}
	}
	rankSchedParts(parts)
	var out []Finding
	if len(parts) > 0 {
		f := mergeSchedParts(parts, total)
		f.Evidence = append(append([]Evidence(nil), evidence...), f.Evidence...)
		if total >= 0 {
			f.Facts["nodesTotal"] = strconv.Itoa(total)
		}
		f.Facts["reasons"] = sm.Filter
		out = append(out, f)
	}
	// When the message explained nothing, the claims may: a missing claim
	// blocks the pod whatever the scheduler last said.
	generic := true
	for _, f := range out {
		if f.Code != CodeUnschedulable {
			generic = false
		}
	}
	if generic {
		for _, f := range c.claimsMissing() {
			f.Evidence = append(append([]Evidence(nil), evidence...), f.Evidence...)
			out = append(out, f)
		}
	}
	if !hasCode(out, CodePVCUnbound) {
		out = append(out, c.claimsUnbound(false)...)
	}
	return out
}

// schedulerWords is the scheduler's last message about the pod and the
// evidence that carries it: the PodScheduled condition and the latest
// FailedScheduling event. The event repeats the condition's words with a
// count and a time: the message is quoted once, from the event, when they
// agree.
func schedulerWords(cond *corev1.PodCondition, condFailed bool, ev *corev1.Event) (string, []Evidence) {
	var msg string
	var evidence []Evidence
	if condFailed && cond.Message != "" {
		msg = cond.Message
		if ev == nil || strings.TrimSpace(ev.Message) != strings.TrimSpace(cond.Message) {
			evidence = append(evidence, Evidence{Source: "status.conditions[PodScheduled]", Message: cond.Message})
		}
	}
	if ev != nil {
		if msg == "" {
			msg = ev.Message
		}
		evidence = append(evidence, eventEvidence(ev))
	}
	return msg, evidence
}

// noNodesFinding is NoNodesAvailable: the scheduler saw no node at all.
func (c *PodContext) noNodesFinding(nodes []corev1.Node, evidence []Evidence) Finding {
	cause := "the cluster has no nodes the scheduler can use"
	if len(nodes) > 0 {
		cause = fmt.Sprintf("the scheduler saw no nodes it can use, though %s exist", plural(len(nodes), "node", "nodes"))
	}
	f := c.finding(CodeNoNodesAvailable, "", cause)
	f.Evidence = evidence
	f.Facts["nodesTotal"] = "0"
	f.Next = []string{"kubectl get nodes", c.cmdDescribe()}
	return f
}

// groupSchedReasons groups the scheduler's reasons by failure mode (code
// and key), in the order they first appear, adding up their node counts.
func groupSchedReasons(reasons []schedReason) []*schedGroup {
	var groups []*schedGroup
	byKey := map[string]*schedGroup{}
	for _, r := range reasons {
		code, key := schedClass(r.Text)
		k := string(code) + "/" + key
		g := byKey[k]
		if g == nil {
			g = &schedGroup{code: code, key: key}
			byKey[k] = g
			groups = append(groups, g)
		}
		if r.Count > 0 {
			g.nodes += r.Count
		}
		g.reasons = append(g.reasons, r)
	}
	return groups
}

// ofNodes renders "2 of 3 nodes are" (or "2 nodes are" when the total is
// unknown).
func ofNodes(n, total int, one, many string) string {
	verb := many
	if n == 1 {
		verb = one
	}
	switch {
	case total == 1 && n == 1:
		return "the only node " + one
	case total > 1 && n == total:
		return fmt.Sprintf("all %d nodes %s", n, many)
	case total > 0 && n > 0:
		return fmt.Sprintf("%d of %d nodes %s", n, total, verb)
	}
	noun := "nodes"
	if n == 1 {
		noun = "node"
	}
	if n > 0 {
		return fmt.Sprintf("%d %s %s", n, noun, verb)
	}
	return "nodes " + many
}

// nodes returns the snapshot's nodes; ok is false when they were not read
// (none read is not the same as none there).
func (c *PodContext) nodes() (nodes []corev1.Node, ok bool) {
	if c.G == nil || !c.G.Has(graph.ResNodes) {
		return nil, false
	}
	return c.G.Nodes(), true
}

func (c *PodContext) schedInsufficient(g *schedGroup, total int, nodes []corev1.Node) Finding {
	res := corev1.ResourceName(g.key)
	f := c.finding(CodeInsufficientResources, "", "")
	f.Facts["resource"] = g.key
	if res == corev1.ResourcePods {
		f.Cause = fmt.Sprintf("%s already running as many pods as they allow", ofNodes(g.nodes, total, "is", "are"))
		f.Next = []string{"kubectl get nodes -o custom-columns=NAME:.metadata.name,PODS:.status.allocatable.pods", c.cmdDescribe()}
		return f
	}
	req := podRequest(c.Pod, res)
	reqText := req.String()
	f.Facts["requested"] = reqText
	// Compare with the nodes the pod could otherwise use: a big node it
	// does not tolerate is no answer.
	usable := usableNodes(nodes, c.Pod)
	if len(usable) == 0 {
		for i := range nodes {
			usable = append(usable, &nodes[i])
		}
	}
	var largest resource.Quantity
	largestNode := ""
	for i := range usable {
		if q, ok := usable[i].Status.Allocatable[res]; ok && (largestNode == "" || q.Cmp(largest) > 0) {
			largest, largestNode = q, usable[i].Name
		}
	}
	switch {
	case largestNode != "" && req.Cmp(largest) > 0:
		f.Cause = fmt.Sprintf("the pod requests %s %s, more than any node has: the largest, %s, has %s allocatable", reqText, res, largestNode, largest.String())
		f.Facts["fitsEmptyNode"] = "false"
	case largestNode != "":
		f.Cause = fmt.Sprintf("%s too little free %s for the pod's request of %s: the nodes could hold it (the largest, %s, has %s allocatable) but other pods use it",
			ofNodes(g.nodes, total, "has", "have"), res, reqText, largestNode, largest.String())
		f.Facts["fitsEmptyNode"] = "true"
	case len(nodes) > 0:
		f.Cause = fmt.Sprintf("the pod requests %s %s, and no node offers any", reqText, res)
		f.Facts["fitsEmptyNode"] = "false"
	default:
		f.Cause = fmt.Sprintf("%s too little free %s for the pod's request of %s", ofNodes(g.nodes, total, "has", "have"), res, reqText)
	}
	if largestNode != "" {
		f.Facts["largestAllocatable"] = largest.String()
		f.Facts["largestNode"] = largestNode
		f.Next = append(f.Next, cmdDescribeNode(largestNode))
	}
	f.Next = append(f.Next, fmt.Sprintf("kubectl get pod %s%s -o jsonpath='{.spec.containers[*].resources}'", c.Pod.Name, nsFlag(c.Pod.Namespace)))
	return f
}

func (c *PodContext) schedTaints(g *schedGroup, total int, nodes []corev1.Node) Finding {
	f := c.finding(CodeUntoleratedTaint, "", "")
	// The key and value come from the message when the scheduler names
	// them (older schedulers do: "{dedicated: gpu}"), else from the nodes.
	counts := map[string]int{}
	for _, r := range g.reasons {
		if m := reTaintBrace.FindStringSubmatch(r.Text); m != nil {
			t := strings.TrimSpace(m[1])
			if v := strings.TrimSpace(m[2]); v != "" {
				t += "=" + v
			}
			counts[t] += r.Count
		}
	}
	if len(counts) == 0 {
		for i := range nodes {
			if t := untoleratedTaint(&nodes[i], c.Pod); t != nil {
				counts[t.ToString()]++
			}
		}
	}
	taints := slices.Sorted(maps.Keys(counts))
	sort.SliceStable(taints, func(i, j int) bool { return counts[taints[i]] > counts[taints[j]] })
	var parts []string
	for _, t := range taints {
		parts = append(parts, fmt.Sprintf("%s (%s)", t, plural(counts[t], "node", "nodes")))
	}
	notReady := len(taints) > 0
	for _, t := range taints {
		if !strings.HasPrefix(t, corev1.TaintNodeNotReady) && !strings.HasPrefix(t, corev1.TaintNodeUnreachable) {
			notReady = false
		}
	}
	switch {
	case notReady:
		f.Cause = fmt.Sprintf("%s not ready (tainted %s), and the pod does not tolerate that", ofNodes(g.nodes, total, "is", "are"), strings.Join(parts, ", "))
	case len(taints) > 0:
		f.Cause = fmt.Sprintf("%s taints the pod does not tolerate: %s", ofNodes(g.nodes, total, "has", "have"), strings.Join(parts, ", "))
	default:
		f.Cause = fmt.Sprintf("%s taints the pod does not tolerate", ofNodes(g.nodes, total, "has", "have"))
	}
	if len(taints) > 0 {
		f.Facts["taint"] = taints[0]
		f.Facts["taints"] = strings.Join(taints, ",")
	}
	f.Next = []string{"kubectl get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints",
		fmt.Sprintf("kubectl get pod %s%s -o jsonpath='{.spec.tolerations}'", c.Pod.Name, nsFlag(c.Pod.Namespace))}
	return f
}

func (c *PodContext) schedSelector(g *schedGroup, total int, nodes []corev1.Node) Finding {
	p := c.Pod
	f := c.finding(CodeNodeSelectorMismatch, "", "")
	var sel []string
	for _, k := range slices.Sorted(maps.Keys(p.Spec.NodeSelector)) {
		sel = append(sel, k+"="+p.Spec.NodeSelector[k])
	}
	terms := requiredTerms(p)
	var termText []string
	for _, t := range terms {
		termText = append(termText, describeTerm(t))
	}
	if len(sel) > 0 {
		f.Facts["nodeSelector"] = strings.Join(sel, ",")
	}
	if len(termText) > 0 {
		f.Facts["nodeAffinity"] = strings.Join(termText, " OR ")
	}
	// Which part matches no node, when the nodes are known.
	var unmatched []string
	if len(nodes) > 0 {
		for _, s := range sel {
			k, v, _ := strings.Cut(s, "=")
			if countNodes(nodes, func(n *corev1.Node) bool { l, ok := n.Labels[k]; return ok && l == v }) == 0 {
				unmatched = append(unmatched, "nodeSelector "+s)
			}
		}
		if len(terms) > 0 && countNodes(nodes, func(n *corev1.Node) bool { return matchesAnyTerm(n, terms) }) == 0 {
			unmatched = append(unmatched, "node affinity "+strings.Join(termText, " OR "))
		}
		if len(unmatched) == 0 && len(sel) > 1 && countNodes(nodes, func(n *corev1.Node) bool { return matchesSelector(n, p.Spec.NodeSelector) }) == 0 {
			unmatched = append(unmatched, "nodeSelector "+strings.Join(sel, ",")+" (each label exists, but on different nodes)")
		}
	}
	if len(unmatched) > 0 {
		f.Facts["unmatched"] = strings.Join(unmatched, "; ")
	}
	what := "the pod's nodeSelector/affinity"
	switch {
	case len(sel) > 0 && len(terms) == 0:
		what = "the pod's nodeSelector " + strings.Join(sel, ",")
	case len(sel) == 0 && len(terms) > 0:
		what = "the pod's node affinity " + strings.Join(termText, " OR ")
	}
	switch {
	case len(unmatched) > 0:
		f.Cause = fmt.Sprintf("no node matches %s", listWords(unmatched))
	default:
		f.Cause = fmt.Sprintf("%s not match %s", ofNodes(g.nodes, total, "does", "do"), what)
	}
	var keys []string
	for _, s := range sel {
		k, _, _ := strings.Cut(s, "=")
		keys = append(keys, k)
	}
	for _, t := range terms {
		for _, e := range t.MatchExpressions {
			keys = append(keys, e.Key)
		}
	}
	if len(keys) > 0 {
		f.Next = append(f.Next, "kubectl get nodes -L "+strings.Join(dedupeStrings(keys), ","))
	} else {
		f.Next = append(f.Next, "kubectl get nodes --show-labels")
	}
	f.Next = append(f.Next, fmt.Sprintf("kubectl get pod %s%s -o jsonpath='{.spec.nodeSelector}{\"\\n\"}{.spec.affinity.nodeAffinity}'", p.Name, nsFlag(p.Namespace)))
	return f
}

// schedGenericReasons are the scheduler reasons that no rule of their own
// reads but that still have plain words: the phrase the reason contains,
// the verb after a node count for one node and for many ("2 of 3 nodes
// are"), what those nodes are, and the short phrase used beside other
// reasons (schedGenericShort). The first row whose phrase matches wins.
var schedGenericReasons = []schedGenericReason{
	{"free ports", "is", "are", "already using the host port the pod asks for", "already using the host port the pod asks for"},
	{"topology spread", "would", "would", "break the pod's topology spread constraints", "breaking its topology spread constraints"},
	{"max volume count", "has", "have", "reached their limit of attached volumes", "at their limit of attached volumes"},
	{"enough free storage", "has", "have", "too little free local storage for the pod's volumes", "without enough free local storage"},
	{"volume zone", "is", "are", "in another zone than the pod's volumes", "in another zone than its volumes"},
}

type schedGenericReason struct {
	phrase, one, many, cause, short string
}

// schedGenericWords is reason's row of schedGenericReasons, if any.
func schedGenericWords(reason string) (schedGenericReason, bool) {
	l := strings.ToLower(reason)
	for _, w := range schedGenericReasons {
		if strings.Contains(l, w.phrase) {
			return w, true
		}
	}
	return schedGenericReason{}, false
}

func schedGenericCause(g *schedGroup, total int) string {
	if g.nodes <= 0 || total < 0 {
		return "the scheduler found no node for the pod: " + g.key
	}
	if w, ok := schedGenericWords(g.key); ok {
		return ofNodes(g.nodes, total, w.one, w.many) + " " + w.cause
	}
	return fmt.Sprintf("%s rejected by the scheduler: %s", ofNodes(g.nodes, total, "was", "were"), g.key)
}

// ruleNotScheduled: Pending with no scheduler verdict at all. Either no
// scheduler has looked at the pod (a schedulerName nobody serves) or its
// verdict and events are gone.
func ruleNotScheduled(c *PodContext) []Finding {
	p := c.Pod
	if p.Spec.NodeName != "" || c.ended() || c.explained("") || len(p.Spec.SchedulingGates) > 0 {
		return nil
	}
	if p.Status.Phase != corev1.PodPending && p.Status.Phase != "" {
		return nil
	}
	if cond := podCondition(p, corev1.PodScheduled); cond != nil && cond.Status == corev1.ConditionTrue {
		return nil
	}
	if c.age() < startingWindow && !c.hasWarnings() {
		return nil // ruleStarting says it
	}
	if nodes, ok := c.nodes(); ok && len(nodes) == 0 {
		f := c.finding(CodeNoNodesAvailable, "", "the cluster has no nodes, so nothing can run the pod")
		f.Facts["nodesTotal"] = "0"
		f.Next = []string{"kubectl get nodes"}
		return []Finding{f}
	}
	sched := p.Spec.SchedulerName
	f := c.finding(CodeNotScheduled, "", "")
	f.Facts["schedulerName"] = sched
	f.Facts["age"] = humanDuration(c.age())
	switch {
	case sched != "" && sched != corev1.DefaultSchedulerName:
		f.Cause = fmt.Sprintf("no scheduler has placed the pod in %s: it asks for scheduler %q, which may not be running", humanDuration(c.age()), sched)
	case c.G != nil && c.G.Gap(graph.ResEvents) != "":
		f.Cause = fmt.Sprintf("the pod has waited %s without a scheduling decision, and its events could not be read to say why", humanDuration(c.age()))
	default:
		f.Cause = fmt.Sprintf("the pod has waited %s without a scheduling decision or event: the scheduler may not be running, or its events expired", humanDuration(c.age()))
	}
	f.Evidence = []Evidence{{Source: "status.phase", Message: string(corev1.PodPending)}}
	if sched != "" {
		f.Evidence = append(f.Evidence, Evidence{Source: "spec.schedulerName", Message: sched})
	}
	f.Next = []string{c.cmdEvents(), "kubectl get pods -n kube-system -l component=kube-scheduler"}
	return []Finding{f}
}

func dedupeStrings(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
