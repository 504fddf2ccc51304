package graph

import (
	"cmp"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
)

// Want is one kind the user asked about, as the command line names it:
// every object of Kind, or the one called Name.
type Want struct {
	Kind string
	Name string
	// AnyOf, for a name given with several types ("deploy,job web"),
	// holds all of them: the name must exist as one, not as each.
	AnyOf []string
	// All: the kind came from the "all" category, which leaves out what a
	// workload in the snapshot walks to (see StandsAlone).
	All bool
}

// Query picks targets out of a snapshot.
type Query struct {
	Wants []Want
	// Namespace is the one namespace in scope; "" with AllNamespaces
	// false is every namespace too (saved objects read without -n).
	Namespace     string
	AllNamespaces bool
	Selector      labels.Selector // nil: everything
}

// Selected is one target, in the snapshot.
type Selected struct {
	Kind, Namespace, Name string
	UID                   types.UID
}

// Select returns the objects q asks about, once each, sorted by namespace,
// kind and name, and the named wants that matched nothing (which a caller
// reading saved objects reports as not found).
func (g *Graph) Select(q Query) (out []Selected, missing []Want) {
	sel := q.Selector
	if sel == nil {
		sel = labels.Everything()
	}
	seen := map[Selected]bool{}
	for _, w := range q.Wants {
		for _, obj := range g.Snap.Objects(w.Kind) {
			s := Selected{Kind: w.Kind, Namespace: obj.GetNamespace(), Name: obj.GetName(), UID: obj.GetUID()}
			switch {
			case w.All && !g.StandsAlone(w.Kind, obj), w.Name != "" && w.Name != s.Name,
				!q.AllNamespaces && q.Namespace != "" && s.Namespace != q.Namespace,
				!sel.Matches(labels.Set(obj.GetLabels())), seen[s]:
				continue
			}
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, w := range q.Wants {
		kinds := w.AnyOf
		if len(kinds) == 0 {
			kinds = []string{w.Kind}
		}
		if w.Name != "" && !slices.ContainsFunc(out, func(s Selected) bool { return s.Name == w.Name && slices.Contains(kinds, s.Kind) }) {
			missing = append(missing, w)
		}
	}
	slices.SortStableFunc(out, func(a, b Selected) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
	return out, missing
}

// StandsAlone says whether obj is a target of its own under "all": pods,
// replicasets and jobs that a workload in the snapshot walks to are
// explained as part of it, and old revisions scaled to zero are history.
func (g *Graph) StandsAlone(kind string, obj metav1.Object) bool {
	switch kind {
	case "Pod", "Job":
		return !g.WalkedFromController(obj)
	case "ReplicaSet":
		rs := obj.(*appsv1.ReplicaSet)
		return !g.WalkedFromController(rs) && !(rs.Spec.Replicas != nil && *rs.Spec.Replicas == 0 && len(g.PodsOf(rs.UID)) == 0)
	}
	return true
}
