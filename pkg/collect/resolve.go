package collect

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/restmapper"
)

// Resolution of TYPE arguments, as kubectl's resource builder does it:
// schema.ParseResourceArg splits "deployment.v1.apps" and
// "deployments.apps" into the resource, version and group they may mean,
// and a REST mapper turns that into a kind, plural or singular, with short
// names expanded. The mapper is built from a static description of the
// built-in API (what discovery would answer for it), so resolution costs
// no request and is the same with -f as against a cluster; a live server
// is asked only for a name the static mapping does not know (a custom
// resource), to tell "not supported" from "does not exist".

// apiResource describes one built-in resource the way discovery does.
type apiResource struct {
	group, version, kind, resource string
	short                          []string
	namespaced                     bool
}

// explainedResources are the kinds kubectl why explains, in the order of
// AcceptedKinds.
var explainedResources = []apiResource{
	{"", "v1", explain.KindPod, "pods", []string{"po"}, true},
	{"apps", "v1", explain.KindDeployment, "deployments", []string{"deploy"}, true},
	{"apps", "v1", explain.KindReplicaSet, "replicasets", []string{"rs"}, true},
	{"apps", "v1", explain.KindStatefulSet, "statefulsets", []string{"sts"}, true},
	{"apps", "v1", explain.KindDaemonSet, "daemonsets", []string{"ds"}, true},
	{"batch", "v1", explain.KindJob, "jobs", nil, true},
	{"batch", "v1", explain.KindCronJob, "cronjobs", []string{"cj"}, true},
}

// otherResources are built-in kinds kubectl why does not explain: known,
// so that "svc" gets "not supported" rather than a near-miss suggestion.
var otherResources = []apiResource{
	{"", "v1", "Service", "services", []string{"svc"}, true},
	{"", "v1", "Node", "nodes", []string{"no"}, false},
	{"", "v1", "Namespace", "namespaces", []string{"ns"}, false},
	{"", "v1", "ConfigMap", "configmaps", []string{"cm"}, true},
	{"", "v1", "Secret", "secrets", nil, true},
	{"", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", []string{"pvc"}, true},
	{"", "v1", "PersistentVolume", "persistentvolumes", []string{"pv"}, false},
	{"", "v1", "Event", "events", []string{"ev"}, true},
	{"", "v1", "Endpoints", "endpoints", []string{"ep"}, true},
	{"", "v1", "ServiceAccount", "serviceaccounts", []string{"sa"}, true},
	{"", "v1", "ReplicationController", "replicationcontrollers", []string{"rc"}, true},
	{"", "v1", "ResourceQuota", "resourcequotas", []string{"quota"}, true},
	{"", "v1", "LimitRange", "limitranges", []string{"limits"}, true},
	{"apps", "v1", "ControllerRevision", "controllerrevisions", nil, true},
	{"networking.k8s.io", "v1", "Ingress", "ingresses", []string{"ing"}, true},
	{"networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", []string{"netpol"}, true},
	{"autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", []string{"hpa"}, true},
	{"policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", []string{"pdb"}, true},
	{"storage.k8s.io", "v1", "StorageClass", "storageclasses", []string{"sc"}, false},
	{"events.k8s.io", "v1", "Event", "events", []string{"ev"}, true},
}

// AcceptedKinds lists the kinds for error messages and help.
const AcceptedKinds = "pod (po), deployment (deploy), replicaset (rs), statefulset (sts), daemonset (ds), job, cronjob (cj), or all"

// CategoryAll is kubectl's "all" category, here every kind kubectl why
// explains: the workloads, and the replicasets, jobs and pods that none of
// the listed workloads walks to.
const CategoryAll = "all"

// AllKinds are the kinds of the "all" category, owners before what they own.
var AllKinds = []string{explain.KindDeployment, explain.KindStatefulSet, explain.KindDaemonSet, explain.KindCronJob, explain.KindJob, explain.KindReplicaSet, explain.KindPod}

// staticMapper is the REST mapper of the built-in API, with short names.
var staticMapper = func() meta.RESTMapper {
	groups := map[string]*restmapper.APIGroupResources{}
	var order []string
	for _, r := range slices.Concat(explainedResources, otherResources) {
		g := groups[r.group]
		if g == nil {
			g = &restmapper.APIGroupResources{
				Group:              metav1.APIGroup{Name: r.group, PreferredVersion: metav1.GroupVersionForDiscovery{GroupVersion: gv(r.group, r.version), Version: r.version}},
				VersionedResources: map[string][]metav1.APIResource{},
			}
			g.Group.Versions = []metav1.GroupVersionForDiscovery{g.Group.PreferredVersion}
			groups[r.group] = g
			order = append(order, r.group)
		}
		g.VersionedResources[r.version] = append(g.VersionedResources[r.version], metav1.APIResource{
			Name: r.resource, SingularName: strings.ToLower(r.kind), Kind: r.kind, Namespaced: r.namespaced, ShortNames: r.short,
			Verbs: metav1.Verbs{"get", "list", "watch"},
		})
	}
	var list []*restmapper.APIGroupResources
	for _, name := range order {
		list = append(list, groups[name])
	}
	return restmapper.NewDiscoveryRESTMapper(list)
}()

func gv(group, version string) string {
	if group == "" {
		return version
	}
	return group + "/" + version
}

// Resolver turns kubectl's TYPE arguments into the kinds kubectl why
// explains.
type Resolver struct {
	// Server, when set, gives the cluster's REST mapper (kubectl's:
	// discovery behind a disk cache, with short names); it is called, and
	// the mapper asked, only about a TYPE the built-in mapping does not
	// know, so resolving a built-in kind costs no request.
	Server func() (meta.RESTMapper, error)
}

// expandShortName turns a short name into its resource, as kubectl's
// shortcut expander does with the short names discovery lists.
func expandShortName(gr schema.GroupResource) schema.GroupResource {
	for _, r := range slices.Concat(explainedResources, otherResources) {
		if slices.Contains(r.short, gr.Resource) && (gr.Group == "" || gr.Group == r.group) {
			return schema.GroupResource{Group: r.group, Resource: r.resource}
		}
	}
	return gr
}

// kindFor resolves one TYPE the way kubectl's builder (mappingFor) does:
// first as resource.version.group, then as resource.group, then as
// Kind.version.group or Kind.group.
func kindFor(mapper meta.RESTMapper, arg string, expand bool) (schema.GroupVersionKind, error) {
	fullGVR, gr := schema.ParseResourceArg(arg)
	if fullGVR != nil {
		r := *fullGVR
		if expand {
			r = expandShortName(r.GroupResource()).WithVersion(r.Version)
		}
		if gvk, err := mapper.KindFor(r); err == nil && !gvk.Empty() {
			return gvk, nil
		}
	}
	if expand {
		gr = expandShortName(gr)
	}
	gvk, err := mapper.KindFor(gr.WithVersion(""))
	if err == nil && !gvk.Empty() {
		return gvk, nil
	}
	fullGVK, gk := schema.ParseKindArg(arg)
	if fullGVK != nil {
		if m, err := mapper.RESTMapping(fullGVK.GroupKind(), fullGVK.Version); err == nil {
			return m.GroupVersionKind, nil
		}
	}
	if m, kerr := mapper.RESTMapping(gk); kerr == nil {
		return m.GroupVersionKind, nil
	}
	return schema.GroupVersionKind{}, err
}

// Kind maps one kubectl TYPE ("deploy", "deployments.apps",
// "deployment.v1.apps", "Deployment") to the kind kubectl why explains,
// or says which kinds it accepts.
func (r Resolver) Kind(arg string) (string, error) {
	s := strings.TrimSpace(arg)
	if s == "" {
		return "", fmt.Errorf("empty resource type: kubectl why explains %s", AcceptedKinds)
	}
	gvk, err := kindFor(staticMapper, s, true)
	if err == nil {
		if explained(gvk) {
			return gvk.Kind, nil
		}
		return "", notSupported(s, gvk)
	}
	msg := fmt.Sprintf("unknown resource type %q: kubectl why explains %s", s, AcceptedKinds)
	if r.Server != nil {
		// A server that cannot be asked (unreachable, discovery refused)
		// leaves the built-in answer: the TYPE is not one kubectl why
		// explains either way.
		if mapper, merr := r.Server(); merr == nil {
			gvk, serr := kindFor(mapper, s, false)
			switch {
			case serr == nil && explained(gvk):
				return gvk.Kind, nil
			case serr == nil:
				if m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err == nil {
					return "", fmt.Errorf("resource type %q (%s) is not supported: kubectl why explains %s", s, m.Resource.GroupResource(), AcceptedKinds)
				}
				return "", notSupported(s, gvk)
			case meta.IsNoMatchError(serr) || isNotFoundMatch(serr):
				msg = fmt.Sprintf("the server doesn't have a resource type %q: kubectl why explains %s", s, AcceptedKinds)
			}
		}
	}
	if near := nearestKind(strings.ToLower(s)); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	return "", errors.New(msg)
}

// isNotFoundMatch is a mapper's "no match" in any of its forms (the
// deferred mapper wraps them).
func isNotFoundMatch(err error) bool {
	var nm *meta.NoResourceMatchError
	var nk *meta.NoKindMatchError
	return errors.As(err, &nm) || errors.As(err, &nk)
}

func explained(gvk schema.GroupVersionKind) bool {
	for _, r := range explainedResources {
		if r.group == gvk.Group && r.kind == gvk.Kind {
			return true
		}
	}
	return false
}

// notSupported is a real kind, not a typo: "did you mean sts?" for svc
// would mislead.
func notSupported(arg string, gvk schema.GroupVersionKind) error {
	res := strings.ToLower(gvk.Kind)
	for _, r := range otherResources {
		if r.group == gvk.Group && r.kind == gvk.Kind {
			res = r.resource
		}
	}
	if gvk.Group != "" {
		res += "." + gvk.Group
	}
	return fmt.Errorf("resource type %q (%s) is not supported: kubectl why explains %s", arg, res, AcceptedKinds)
}

// ResolveKind resolves one TYPE without a server (see Resolver.Kind).
func ResolveKind(s string) (string, error) { return Resolver{}.Kind(s) }

// ParseArgs reads kubectl-style arguments without a server; see
// Resolver.ParseArgs.
func ParseArgs(args []string) ([]Target, error) { return Resolver{}.ParseArgs(args) }

// ParseArgs reads kubectl-style arguments as kubectl's
// ResourceTypeOrNameArgs does: "TYPE/NAME ..." or "TYPE[,TYPE...] [NAME
// ...]", where TYPE may be "all". A name given with several types must
// exist as one of them (Target.AnyOf), not as each.
func (r Resolver) ParseArgs(args []string) ([]Target, error) {
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
			if strings.EqualFold(typ, CategoryAll) {
				return nil, fmt.Errorf("argument %q: all is a category, not a type: use kubectl why all %s", a, name)
			}
			kind, err := r.Kind(typ)
			if err != nil {
				return nil, err
			}
			out = append(out, Target{Kind: kind, Name: name})
		}
		return out, nil
	}
	var kinds []string
	all := false
	for _, t := range strings.Split(args[0], ",") {
		if strings.EqualFold(strings.TrimSpace(t), CategoryAll) {
			all = true
			for _, k := range AllKinds {
				if !slices.Contains(kinds, k) {
					kinds = append(kinds, k)
				}
			}
			continue
		}
		kind, err := r.Kind(t)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(kinds, kind) {
			kinds = append(kinds, kind)
		}
	}
	names := args[1:]
	for _, n := range names {
		if strings.Contains(n, "/") {
			return nil, fmt.Errorf("argument %q: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form", n)
		}
	}
	var out []Target
	if len(names) == 0 {
		for _, k := range kinds {
			// "all" leaves out what a listed workload walks to; a kind
			// named outright ("deploy,pod") keeps every object.
			out = append(out, Target{Kind: k, All: all && !explicitly(args[0], k)})
		}
		return out, nil
	}
	for _, n := range names {
		for _, k := range kinds {
			t := Target{Kind: k, Name: n}
			if len(kinds) > 1 {
				t.AnyOf = kinds
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// explicitly says whether kind was named in types other than through "all".
func explicitly(types, kind string) bool {
	for _, t := range strings.Split(types, ",") {
		if strings.EqualFold(strings.TrimSpace(t), CategoryAll) {
			continue
		}
		if k, err := ResolveKind(t); err == nil && k == kind {
			return true
		}
	}
	return false
}

// nearestKind suggests the name closest to a misspelt kind, like kubectl's
// "did you mean".
func nearestKind(s string) string {
	best, bestD := "", 3
	for _, r := range explainedResources {
		for _, a := range append([]string{strings.ToLower(r.kind), r.resource}, r.short...) {
			if d := Levenshtein(s, a); d < bestD || (d == bestD && a < best) {
				best, bestD = a, d
			}
		}
	}
	return best
}

// ResourceOf is the plural resource of an explained kind ("deployments").
func ResourceOf(kind string) string {
	for _, r := range explainedResources {
		if r.kind == kind {
			return r.resource
		}
	}
	return strings.ToLower(kind) + "s"
}
