// Package collect is the only code that talks to the API server (or reads
// -f files): it turns a Request into a graph.Snapshot with one paged LIST per
// kind and scope, run concurrently, and never a GET per pod.
package collect

import (
	"fmt"
	"strings"
)

// Kinds the plugin explains, as graph and explain name them.
const (
	KindPod         = "Pod"
	KindReplicaSet  = "ReplicaSet"
	KindDeployment  = "Deployment"
	KindStatefulSet = "StatefulSet"
)

// Target is what the user asked about: a kind and, optionally, a name.
type Target struct {
	Kind string
	Name string // empty: every object of Kind in scope (narrowed by Selector)
}

// Request says what to collect.
type Request struct {
	Targets       []Target
	Namespace     string
	AllNamespaces bool
	Selector      string
	// FailingOnly lets the collector drop pods that are plainly healthy as
	// each page arrives (pod targets only): memory then grows with the
	// failing pods, not with all pods.
	FailingOnly bool
	// ChunkSize is the page size of every LIST (0: no paging).
	ChunkSize int64
	// Logs asks for the previous container's log tail of crashed containers.
	Logs     bool
	LogLines int64
}

// named reports whether any target names an object (a tree is printed).
func (r Request) named() bool {
	for _, t := range r.Targets {
		if t.Name != "" {
			return true
		}
	}
	return false
}

// scope is the namespace a LIST runs in ("" = all namespaces).
func (r Request) scope() string {
	if r.AllNamespaces {
		return ""
	}
	return r.Namespace
}

// kindAliases are the names kubectl accepts for each kind, short names
// included. Resolving them here (rather than through discovery) costs no
// request and works the same offline.
var kindAliases = map[string]string{
	"pod": KindPod, "pods": KindPod, "po": KindPod,
	"deployment": KindDeployment, "deployments": KindDeployment, "deploy": KindDeployment,
	"deployment.apps": KindDeployment, "deployments.apps": KindDeployment,
	"replicaset": KindReplicaSet, "replicasets": KindReplicaSet, "rs": KindReplicaSet,
	"replicaset.apps": KindReplicaSet, "replicasets.apps": KindReplicaSet,
	"statefulset": KindStatefulSet, "statefulsets": KindStatefulSet, "sts": KindStatefulSet,
	"statefulset.apps": KindStatefulSet, "statefulsets.apps": KindStatefulSet,
}

// AcceptedKinds lists the kinds for error messages and help.
const AcceptedKinds = "pod (po), deployment (deploy), replicaset (rs), statefulset (sts)"

// ResolveKind maps a kubectl resource name ("deploy", "pods", "sts.apps"...)
// to a Kind, or explains which kinds are accepted.
func ResolveKind(s string) (string, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	k = strings.TrimSuffix(k, "/v1")
	if kind, ok := kindAliases[k]; ok {
		return kind, nil
	}
	if kind, ok := kindAliases[strings.TrimSuffix(k, ".apps")]; ok {
		return kind, nil
	}
	if other, ok := otherKinds[strings.TrimSuffix(strings.TrimSuffix(k, ".apps"), ".batch")]; ok {
		// A real kind, not a typo: "did you mean sts?" for svc would mislead.
		return "", fmt.Errorf("resource type %q (%s) is not supported yet: kubectl why explains %s", s, other, AcceptedKinds)
	}
	msg := fmt.Sprintf("unknown resource type %q: kubectl why explains %s", s, AcceptedKinds)
	if near := nearestKind(k); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	return "", fmt.Errorf("%s", msg)
}

// otherKinds are kubectl's names for kinds kubectl why does not walk, so
// that they get a plain "not supported" instead of a near-miss suggestion.
var otherKinds = func() map[string]string {
	m := map[string]string{}
	for plural, names := range map[string][]string{
		"daemonsets":             {"ds", "daemonset", "daemonsets"},
		"jobs":                   {"job", "jobs"},
		"cronjobs":               {"cj", "cronjob", "cronjobs"},
		"services":               {"svc", "service", "services"},
		"nodes":                  {"no", "node", "nodes"},
		"namespaces":             {"ns", "namespace", "namespaces"},
		"configmaps":             {"cm", "configmap", "configmaps"},
		"secrets":                {"secret", "secrets"},
		"ingresses":              {"ing", "ingress", "ingresses"},
		"persistentvolumeclaims": {"pvc", "persistentvolumeclaim", "persistentvolumeclaims"},
		"events":                 {"ev", "event", "events"},
	} {
		for _, n := range names {
			m[n] = plural
		}
	}
	return m
}()

// ParseArgs reads kubectl-style arguments: "TYPE/NAME ..." or
// "TYPE[,TYPE] [NAME ...]".
func ParseArgs(args []string) ([]Target, error) {
	if len(args) == 0 {
		return nil, nil
	}
	if strings.Contains(args[0], "/") {
		var out []Target
		for _, a := range args {
			typ, name, ok := strings.Cut(a, "/")
			if !ok || name == "" || typ == "" {
				return nil, fmt.Errorf("argument %q: mix of TYPE/NAME and TYPE NAME forms; use one, e.g. deploy/web sts/db", a)
			}
			kind, err := ResolveKind(typ)
			if err != nil {
				return nil, err
			}
			out = append(out, Target{Kind: kind, Name: name})
		}
		return out, nil
	}
	var kinds []string
	for _, t := range strings.Split(args[0], ",") {
		kind, err := ResolveKind(t)
		if err != nil {
			return nil, err
		}
		kinds = append(kinds, kind)
	}
	names := args[1:]
	for _, n := range names {
		if strings.Contains(n, "/") {
			return nil, fmt.Errorf("argument %q: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form", n)
		}
	}
	if len(names) > 0 && len(kinds) > 1 {
		return nil, fmt.Errorf("names given with several types %q: name one type, or use TYPE/NAME", args[0])
	}
	var out []Target
	for _, k := range kinds {
		if len(names) == 0 {
			out = append(out, Target{Kind: k})
			continue
		}
		for _, n := range names {
			out = append(out, Target{Kind: k, Name: n})
		}
	}
	return out, nil
}

// nearestKind suggests the alias closest to a misspelt kind, like kubectl's
// "did you mean".
func nearestKind(s string) string {
	best, bestD := "", 3
	for a := range kindAliases {
		if strings.Contains(a, ".") {
			continue
		}
		if d := Levenshtein(s, a); d < bestD || (d == bestD && a < best) {
			best, bestD = a, d
		}
	}
	return best
}

// Levenshtein is the edit distance between a and b.
func Levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
