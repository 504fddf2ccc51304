package collect

import (
	"context"
	"slices"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"github.com/kubectl-why/kubectl-why/pkg/graph"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
)

// Narrow reads: a question about a few named objects should cost the same
// on a 5,000-node cluster as on a 100-node one. When every target is named
// in one namespace, nodes and events are read after the pods, for the
// objects in question only: the nodes the pods run on by name, the events
// of the pods and their owners by involvedObject. Beyond these limits one
// LIST of the scope costs less than the requests one by one.
const (
	maxNarrowNodes  = 10
	maxNarrowEvents = 5
)

// narrow says whether req names every target in one namespace, so that
// what lies around them can be read by name.
func (r Request) narrow() bool {
	return !r.Wait && !r.AllNamespaces && r.Selector == "" && len(r.Targets) > 0 &&
		!slices.ContainsFunc(r.Targets, func(t Target) bool { return t.Name == "" })
}

// readNarrow reads the nodes and events of what the targets walked to.
func (c *collector) readNarrow(ctx context.Context) error {
	return runAll([]func() error{
		func() error { return c.nodesOfPods(ctx) },
		func() error { return c.eventsOfObjects(ctx) },
	})
}

// nodesOfPods reads the nodes the snapshot's pods run on, one GET each: a
// LIST with a metadata.name field selector would have the apiserver read
// every node to select one (from etcd when its watch cache cannot serve
// consistent reads), which measured 116 -> 336 ms beside 5,000 nodes. Every
// node is read when a rule compares nodes: for a pod not yet scheduled
// (which nodes fit) and for a DaemonSet (what its failing nodes share).
func (c *collector) nodesOfPods(ctx context.Context) error {
	names, all := neededNodes(c.snap)
	if all || len(names) > maxNarrowNodes {
		return c.listNodes(ctx)
	}
	k := kindOf(kindNode)
	var tasks []func() error
	for _, n := range names {
		tasks = append(tasks, func() error { return c.getNode(ctx, k, n) })
	}
	if len(tasks) == 0 {
		// No pod runs anywhere: every node in question was read.
		return c.settle(k.key, k.resource(), "", nil)
	}
	return runAll(tasks)
}

// getNode reads one node into the snapshot. A node that is gone is not an
// error: the rules say its pods' node no longer exists.
func (c *collector) getNode(ctx context.Context, k *kindInfo, name string) error {
	obj, err := askAgain(ctx, k.resource(), func() (runtime.Object, error) {
		return c.l.Client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	})
	switch {
	case apierrors.IsNotFound(err):
		err = nil
	case err == nil:
		s := k.slot.gather()
		s.add(obj)
		c.mu.Lock()
		s.into(c.snap)
		c.mu.Unlock()
	}
	return c.settle(k.key, k.resource(), "", err)
}

// neededNodes names the nodes the pods run on, or says that every node is
// needed.
func neededNodes(s *graph.Snapshot) (names []string, all bool) {
	if len(s.DaemonSets) > 0 {
		return nil, true
	}
	set := sets.New[string]()
	for i := range s.Pods {
		p := &s.Pods[i]
		switch {
		case p.Spec.NodeName != "":
			set.Insert(p.Spec.NodeName)
		case p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed:
			return nil, true // unscheduled: the scheduling rules weigh every node
		}
	}
	return sets.List(set), false
}

// eventsOfObjects reads the events of the objects whose events rules read
// (explain.EventObjectKinds), one request each, or the namespace's events
// when there are more of them than that is worth.
func (c *collector) eventsOfObjects(ctx context.Context) error {
	objs := eventObjects(c.snap)
	if len(objs) > maxNarrowEvents {
		return c.listEvents(ctx, c.req.Namespace)
	}
	k := kindOf(kindEvent)
	var tasks []func() error
	for _, o := range objs {
		sel := "involvedObject.kind=" + o.kind + ",involvedObject.name=" + o.name + "," + graph.RoutineEventSelector()
		tasks = append(tasks, func() error {
			return c.listInto(ctx, k, c.req.Namespace, metav1.ListOptions{FieldSelector: sel}, k.list(c.l.Client, c.req.Namespace), nil)
		})
	}
	if len(tasks) == 0 {
		return c.settle(k.key, k.resource(), "", nil) // nothing whose events a rule reads
	}
	return runAll(tasks)
}

type objectName struct{ kind, name string }

// eventObjects are the objects in the snapshot whose events a rule may
// read: the workloads and pods, and the claims the pods mount.
func eventObjects(s *graph.Snapshot) []objectName {
	var out []objectName
	for _, kind := range explain.EventObjectKinds {
		for _, o := range s.Objects(kind) {
			out = append(out, objectName{kind, o.GetName()})
		}
	}
	claims := sets.New[string]()
	for i := range s.Pods {
		claims.Insert(explain.PodClaims(&s.Pods[i])...)
	}
	for _, n := range sets.List(claims) {
		out = append(out, objectName{kindPVC, n})
	}
	return out
}
