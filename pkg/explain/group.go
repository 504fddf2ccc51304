package explain

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	"k8s.io/apimachinery/pkg/types"
)

// groupPods folds pod findings that say the same thing about pods of one
// owner into one finding with a count and the pods' names: twelve replicas
// that cannot pull one image are one cause, not twelve. When only some of
// the owner's pods fail, it says what sets the failing ones apart.
func groupPods(g *graph.Graph, fs []Finding) []Finding {
	type key struct {
		owner     types.UID
		code      Code
		container string
		msg       string
	}
	var out []Finding
	index := map[key]int{}
	grouped := map[int]bool{}
	for _, f := range fs {
		if f.Object.Kind != KindPod {
			out = append(out, f)
			continue
		}
		p := g.Pod(f.Object.UID)
		if p == nil {
			out = append(out, f)
			continue
		}
		owner := graph.ControllerOf(p)
		if owner == nil {
			out = append(out, f)
			continue
		}
		k := key{owner.UID, f.Code, f.Container, normalise(groupText(f), p.Name, string(p.UID))}
		if i, ok := index[k]; ok {
			out[i].Pods = append(out[i].Pods, f.Object.Name)
			continue
		}
		f.Pods = []string{f.Object.Name}
		index[k] = len(out)
		grouped[len(out)] = true
		out = append(out, f)
	}
	for i := range out {
		f := &out[i]
		if !grouped[i] {
			continue
		}
		if len(f.Pods) == 1 {
			f.Pods = nil
			continue
		}
		p := g.Pod(f.Object.UID)
		owner := graph.ControllerOf(p)
		f.Count = len(f.Pods)
		f.Object = Ref{Kind: owner.Kind, Namespace: p.Namespace, Name: owner.Name, UID: owner.UID}
		f.Cause = fmt.Sprintf("%d pods: %s", f.Count, f.Cause)
		sort.Strings(f.Pods)
		setApart(g, f, owner.UID)
	}
	return out
}

// groupText is what must match for two findings to be one: the evidence
// messages, with pod-specific parts removed by normalise.
func groupText(f Finding) string {
	var b strings.Builder
	for _, e := range f.Evidence {
		b.WriteString(e.Message)
		b.WriteByte('\n')
	}
	for _, k := range []string{"image", "exitCode", "reason", "signal", "claim", "configMap", "secret", "volume"} {
		b.WriteString(f.Facts[k])
		b.WriteByte('|')
	}
	return b.String()
}

var (
	reUID    = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	reIP     = regexp.MustCompile(`\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b`)
	reNumber = regexp.MustCompile(`\d+`)
	reHashed = regexp.MustCompile(`-[a-z0-9]{5,10}-[a-z0-9]{5}\b`)
)

// normalise strips what differs between replicas failing the same way:
// their names, UIDs, IPs, counts and durations.
func normalise(s, podName, uid string) string {
	s = strings.ReplaceAll(s, podName, "POD")
	s = strings.ReplaceAll(s, uid, "UID")
	s = reUID.ReplaceAllString(s, "UID")
	s = reIP.ReplaceAllString(s, "IP")
	s = reHashed.ReplaceAllString(s, "-HASH")
	return reNumber.ReplaceAllString(s, "#")
}

// setApart looks at where the failing pods run compared with the owner's
// healthy ones, and says so when one node or zone explains the difference.
func setApart(g *graph.Graph, f *Finding, owner types.UID) {
	failing := map[string]bool{}
	for _, n := range f.Pods {
		failing[n] = true
	}
	var healthyNodes, failNodes, healthyZones, failZones []string
	for _, p := range g.PodsOf(owner) {
		node := p.Spec.NodeName
		zone := ""
		if n := g.Node(node); n != nil {
			zone = n.Labels["topology.kubernetes.io/zone"]
		}
		if failing[p.Name] {
			failNodes, failZones = append(failNodes, node), append(failZones, zone)
		} else if PodReady(p) {
			healthyNodes, healthyZones = append(healthyNodes, node), append(healthyZones, zone)
		}
	}
	if len(healthyNodes) == 0 {
		return // all fail: nothing sets them apart
	}
	if f.Facts == nil {
		f.Facts = map[string]string{}
	}
	if n := single(failNodes); n != "" && !containsString(healthyNodes, n) {
		f.Facts["onlyNode"] = n
		f.Cause += fmt.Sprintf(" (only on node %s; the same pods run elsewhere)", n)
		return
	}
	if z := single(failZones); z != "" && !containsString(healthyZones, z) {
		f.Facts["onlyZone"] = z
		f.Cause += fmt.Sprintf(" (only in zone %s; the same pods run in other zones)", z)
	}
}

// single returns the one value all of vs share, or "".
func single(vs []string) string {
	if len(vs) == 0 || vs[0] == "" {
		return ""
	}
	for _, v := range vs[1:] {
		if v != vs[0] {
			return ""
		}
	}
	return vs[0]
}
