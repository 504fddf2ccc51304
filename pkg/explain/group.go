package explain

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
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
//
// A container's waiting state is left out when other evidence carries the
// cause: it is the moment the pod was read in ("ErrImagePull" between two
// tries, "ImagePullBackOff" while waiting), and replicas failing the same
// way are seldom caught at the same moment.
func groupText(f Finding) string {
	var b strings.Builder
	steady := slices.ContainsFunc(f.Evidence, func(e Evidence) bool { return !isWaitingState(e) })
	for _, e := range f.Evidence {
		if steady && isWaitingState(e) {
			continue
		}
		b.WriteString(e.Message)
		b.WriteByte('\n')
	}
	for _, k := range []string{"image", "exitCode", "reason", "signal", "claim", "configMap", "secret", "volume"} {
		v := f.Facts[k]
		if k == "reason" && steady && momentaryReasons[v] {
			v = ""
		}
		b.WriteString(v)
		b.WriteByte('|')
	}
	return b.String()
}

// momentaryReasons are waiting reasons a container passes through while
// its cause stays the same.
var momentaryReasons = map[string]bool{"ErrImagePull": true, "ImagePullBackOff": true}

func isWaitingState(e Evidence) bool { return strings.HasSuffix(e.Source, ".state.waiting") }

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

// setApart compares the failing pods with the owner's healthy ones, and
// says what they alone share: a node, a zone, a revision (pod-template-hash
// or controller-revision-hash), an image digest. Each difference found is
// a fact; the cause names the first, the most specific.
func setApart(g *graph.Graph, f *Finding, owner types.UID) {
	failing := map[string]bool{}
	for _, n := range f.Pods {
		failing[n] = true
	}
	type traits struct{ node, zone, revision, digest string }
	var fail, healthy []traits
	for _, p := range g.PodsOf(owner) {
		t := traits{node: p.Spec.NodeName, revision: podRevision(p), digest: imageDigest(p, f.Container)}
		if n := g.Node(t.node); n != nil {
			t.zone = n.Labels[corev1.LabelTopologyZone]
		}
		if failing[p.Name] {
			fail = append(fail, t)
		} else if PodReady(p) {
			healthy = append(healthy, t)
		}
	}
	if len(healthy) == 0 {
		return // all fail: nothing sets them apart
	}
	if f.Facts == nil {
		f.Facts = map[string]string{}
	}
	replicas := fmt.Sprintf("the %d healthy %s", len(healthy), map[bool]string{true: "replica runs", false: "replicas run"}[len(healthy) == 1])
	var said bool
	for _, d := range []struct {
		fact string
		get  func(traits) string
		say  func(v string) string
	}{
		{"onlyNode", func(t traits) string { return t.node }, func(v string) string {
			return fmt.Sprintf(" (only on node %s; %s on other nodes)", v, replicas)
		}},
		{"onlyZone", func(t traits) string { return t.zone }, func(v string) string {
			return fmt.Sprintf(" (only in zone %s; %s in other zones)", v, replicas)
		}},
		{"onlyRevision", func(t traits) string { return t.revision }, func(v string) string {
			return fmt.Sprintf(" (only pods of revision hash %s; %s another revision)", v, replicas)
		}},
		{"onlyImageDigest", func(t traits) string { return t.digest }, func(v string) string {
			return fmt.Sprintf(" (only pods running image digest %s; %s another digest of the same tag)", v, replicas)
		}},
	} {
		var fv, hv []string
		for _, t := range fail {
			fv = append(fv, d.get(t))
		}
		for _, t := range healthy {
			hv = append(hv, d.get(t))
		}
		v := single(fv)
		if v == "" || slices.Contains(hv, v) {
			continue
		}
		f.Facts[d.fact] = v
		if !said {
			f.Cause += d.say(v)
			said = true
		}
	}
}

// podRevision is the revision label its controller stamps on the pod.
func podRevision(p *corev1.Pod) string {
	if h := p.Labels[appsv1.DefaultDeploymentUniqueLabelKey]; h != "" {
		return h
	}
	return p.Labels[appsv1.ControllerRevisionHashLabelKey]
}

// imageDigest is the digest the container runs ("" before it is pulled);
// with no container named, the pod's containers' digests together.
func imageDigest(p *corev1.Pod, container string) string {
	var ds []string
	for _, s := range p.Status.ContainerStatuses {
		if container != "" && s.Name != container {
			continue
		}
		if _, d, ok := strings.Cut(s.ImageID, "@"); ok {
			ds = append(ds, d)
		} else if s.ImageID != "" {
			ds = append(ds, s.ImageID)
		}
	}
	return strings.Join(ds, ",")
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
