package graph

import (
	"sort"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Graph indexes a Snapshot by UID and by owner UID. Building it is one pass
// over the snapshot; every lookup afterwards is a map access.
type Graph struct {
	Snap *Snapshot

	children map[types.UID][]metav1.Object
	pods     map[types.UID]*corev1.Pod
	rss      map[types.UID]*appsv1.ReplicaSet
	deploys  map[types.UID]*appsv1.Deployment
	stss     map[types.UID]*appsv1.StatefulSet
	dss      map[types.UID]*appsv1.DaemonSet
	jobs     map[types.UID]*batchv1.Job
	cjs      map[types.UID]*batchv1.CronJob
	nodes    map[string]*corev1.Node
	// walkable holds the kind of every object a walk starts from, by UID.
	walkable map[types.UID]string
	// events by the involved object's UID, and by kind/ns/name for events
	// whose involvedObject.uid is empty (some controllers omit it).
	eventsByUID  map[types.UID][]*corev1.Event
	eventsByName map[string][]*corev1.Event
}

// New indexes s.
func New(s *Snapshot) *Graph {
	g := &Graph{
		Snap:         s,
		children:     map[types.UID][]metav1.Object{},
		nodes:        map[string]*corev1.Node{},
		walkable:     map[types.UID]string{},
		eventsByUID:  map[types.UID][]*corev1.Event{},
		eventsByName: map[string][]*corev1.Event{},
	}
	// Pods, ReplicaSets and Jobs are also linked under their owners: they
	// are the children a walk goes down to.
	// Every kind but pods is one a walk starts from.
	g.pods = byUID(g, s.Pods, true, "")
	g.rss = byUID(g, s.ReplicaSets, true, "ReplicaSet")
	g.jobs = byUID(g, s.Jobs, true, "Job")
	g.deploys = byUID(g, s.Deployments, false, "Deployment")
	g.stss = byUID(g, s.StatefulSets, false, "StatefulSet")
	g.dss = byUID(g, s.DaemonSets, false, "DaemonSet")
	g.cjs = byUID(g, s.CronJobs, false, "CronJob")
	for i := range s.Nodes {
		n := &s.Nodes[i]
		g.nodes[n.Name] = n
	}
	for i := range s.Events {
		e := &s.Events[i]
		if RoutineEvent(e.Reason) {
			continue
		}
		if e.InvolvedObject.UID != "" {
			g.eventsByUID[e.InvolvedObject.UID] = append(g.eventsByUID[e.InvolvedObject.UID], e)
		}
		k := nameKey(e.InvolvedObject.Kind, e.InvolvedObject.Namespace, e.InvolvedObject.Name)
		g.eventsByName[k] = append(g.eventsByName[k], e)
	}
	return g
}

// byUID indexes objs by UID; with link, also under their owners' UIDs;
// with a walkable kind, as objects of that kind a walk starts from.
func byUID[T any, P interface {
	*T
	metav1.Object
}](g *Graph, objs []T, link bool, walkable string) map[types.UID]*T {
	m := make(map[types.UID]*T, len(objs))
	for i := range objs {
		o := P(&objs[i])
		m[o.GetUID()] = &objs[i]
		if link {
			g.link(o)
		}
		if walkable != "" {
			g.walkable[o.GetUID()] = walkable
		}
	}
	return m
}

func nameKey(kind, ns, name string) string { return kind + "/" + ns + "/" + name }

func (g *Graph) link(o metav1.Object) {
	for _, ref := range o.GetOwnerReferences() {
		g.children[ref.UID] = append(g.children[ref.UID], o)
	}
}

// ControllerOf returns the controlling owner reference of o, if any.
func ControllerOf(o metav1.Object) *metav1.OwnerReference {
	return metav1.GetControllerOfNoCopy(o)
}

// WalkedFromController says whether o's controller is in the snapshot as a
// kind the walk starts from (ReplicaSet, Deployment, StatefulSet,
// DaemonSet, Job, CronJob), so that o is explained as part of it. A pod
// whose ReplicaSet was not saved, or whose owner is a kind that is not
// walked (a ReplicationController), is not: it must be explained on its
// own, not dropped from the answer.
func (g *Graph) WalkedFromController(o metav1.Object) bool {
	c := ControllerOf(o)
	return c != nil && g.walkable[c.UID] == c.Kind
}

// PodsOf returns the pods whose controller is owner, sorted by name.
func (g *Graph) PodsOf(owner types.UID) []*corev1.Pod {
	out := controlled[*corev1.Pod](g, owner)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ReplicaSetsOf returns the ReplicaSets controlled by the deployment, newest
// revision first.
func (g *Graph) ReplicaSetsOf(owner types.UID) []*appsv1.ReplicaSet {
	out := controlled[*appsv1.ReplicaSet](g, owner)
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := Revision(out[i]), Revision(out[j])
		if ri != rj {
			return ri > rj
		}
		return out[i].CreationTimestamp.After(out[j].CreationTimestamp.Time)
	})
	return out
}

// controlled returns owner's children of type T whose controller it is.
func controlled[T metav1.Object](g *Graph, owner types.UID) []T {
	var out []T
	for _, c := range g.children[owner] {
		if o, ok := c.(T); ok && isControlledBy(o, owner) {
			out = append(out, o)
		}
	}
	return out
}

func isControlledBy(o metav1.Object, owner types.UID) bool {
	c := metav1.GetControllerOfNoCopy(o)
	return c != nil && c.UID == owner
}

// Revision reads deployment.kubernetes.io/revision from o (0 when absent).
func Revision(o metav1.Object) int64 {
	v, err := strconv.ParseInt(o.GetAnnotations()["deployment.kubernetes.io/revision"], 10, 64)
	if err != nil {
		return 0
	}
	return v
}

// JobsOf returns the Jobs controlled by the CronJob, newest first (by
// the time they were scheduled for, else created).
func (g *Graph) JobsOf(owner types.UID) []*batchv1.Job {
	out := controlled[*batchv1.Job](g, owner)
	sort.SliceStable(out, func(i, j int) bool {
		ti, tj := JobScheduled(out[i]), JobScheduled(out[j])
		if !ti.Equal(tj) {
			return ti.After(tj)
		}
		return out[i].Name > out[j].Name
	})
	return out
}

// JobScheduled is when a CronJob's Job was scheduled to run: the
// controller's batch.kubernetes.io/cronjob-scheduled-timestamp
// annotation, else the Job's creation.
func JobScheduled(j *batchv1.Job) time.Time {
	if v := j.Annotations[batchv1.CronJobScheduledTimestampAnnotation]; v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t
		}
	}
	return j.CreationTimestamp.Time
}

// DaemonSet returns the DaemonSet with uid, or nil.
func (g *Graph) DaemonSet(uid types.UID) *appsv1.DaemonSet { return g.dss[uid] }

// Job returns the Job with uid, or nil.
func (g *Graph) Job(uid types.UID) *batchv1.Job { return g.jobs[uid] }

// CronJob returns the CronJob with uid, or nil.
func (g *Graph) CronJob(uid types.UID) *batchv1.CronJob { return g.cjs[uid] }

// ReplicaSet returns the ReplicaSet with uid, or nil.
func (g *Graph) ReplicaSet(uid types.UID) *appsv1.ReplicaSet { return g.rss[uid] }

// Deployment returns the Deployment with uid, or nil.
func (g *Graph) Deployment(uid types.UID) *appsv1.Deployment { return g.deploys[uid] }

// StatefulSet returns the StatefulSet with uid, or nil.
func (g *Graph) StatefulSet(uid types.UID) *appsv1.StatefulSet { return g.stss[uid] }

// Pod returns the pod with uid, or nil.
func (g *Graph) Pod(uid types.UID) *corev1.Pod { return g.pods[uid] }

// Node returns the node called name, or nil (unknown, or nodes not readable).
func (g *Graph) Node(name string) *corev1.Node { return g.nodes[name] }

// EventsFor returns the events about the object, oldest last-seen first.
// Events are matched by UID and, for events that carry none, by kind and name.
func (g *Graph) EventsFor(kind, namespace, name string, uid types.UID) []*corev1.Event {
	seen := map[*corev1.Event]bool{}
	var out []*corev1.Event
	for _, e := range g.eventsByUID[uid] {
		seen[e] = true
		out = append(out, e)
	}
	for _, e := range g.eventsByName[nameKey(kind, namespace, name)] {
		// An event for an older object of the same name carries another UID.
		if seen[e] || (e.InvolvedObject.UID != "" && uid != "" && e.InvolvedObject.UID != uid) {
			continue
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { ti, tj := EventTime(out[i]), EventTime(out[j]); return ti.Before(&tj) })
	return out
}

// EventTime is when the event was last seen, whichever field the emitter set.
func EventTime(e *corev1.Event) metav1.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp
	case e.Series != nil && !e.Series.LastObservedTime.IsZero():
		return metav1.NewTime(e.Series.LastObservedTime.Time)
	case !e.EventTime.IsZero():
		return metav1.NewTime(e.EventTime.Time)
	case !e.FirstTimestamp.IsZero():
		return e.FirstTimestamp
	}
	return e.CreationTimestamp
}

// EventCount is how many times the event happened (at least 1).
func EventCount(e *corev1.Event) int32 {
	if e.Series != nil && e.Series.Count > e.Count {
		return e.Series.Count
	}
	if e.Count < 1 {
		return 1
	}
	return e.Count
}

// Has reports whether resource was collected without a gap.
func (g *Graph) Has(resource string) bool {
	_, gap := g.Snap.Gaps[resource]
	return !gap && g.Snap.Collected[resource]
}

// Gap returns why resource could not be read, or "".
func (g *Graph) Gap(resource string) string { return g.Snap.Gaps[resource] }

// Nodes returns every node in the snapshot.
func (g *Graph) Nodes() []corev1.Node { return g.Snap.Nodes }

// PVC returns the claim ns/name, or nil.
func (g *Graph) PVC(ns, name string) *corev1.PersistentVolumeClaim {
	for i := range g.Snap.PVCs {
		c := &g.Snap.PVCs[i]
		if c.Namespace == ns && c.Name == name {
			return c
		}
	}
	return nil
}
