package collect

import (
	"context"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"github.com/kubectl-why/kubectl-why/pkg/graph"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/pager"
)

// kindInfo is one kind collect reads, from the API server or from files:
// where it lives in the API, how its typed client lists it, and where its
// objects go in the snapshot. The live lister, the names of completion and
// the file reader (decoding, by GroupKind) all work from this one table.
type kindInfo struct {
	schema.GroupKind
	// key is the kind's entry in the snapshot's Gaps and Collected, and
	// its resource in the API.
	key        string
	namespaced bool
	// explained: a workload or a pod, what an answer can be about.
	explained bool
	// list is its typed client's LIST as a page function for client-go's
	// pager; nil for kinds read only from files.
	list func(cs kubernetes.Interface, ns string) pager.ListPageFunc
	// watch is its typed client's WATCH, for --wait.
	watch func(cs kubernetes.Interface, ns string) watchFunc
	// slot moves objects into the snapshot.
	slot slot
}

var kinds = []kindInfo{
	{
		GroupKind: schema.GroupKind{Kind: explain.KindPod}, key: graph.ResPods, namespaced: true, explained: true,
		list:  func(cs kubernetes.Interface, ns string) pager.ListPageFunc { return pageOf(cs.CoreV1().Pods(ns).List) },
		watch: func(cs kubernetes.Interface, ns string) watchFunc { return cs.CoreV1().Pods(ns).Watch },
		slot:  slotOf(func(s *graph.Snapshot) *[]corev1.Pod { return &s.Pods }),
	},
	{
		GroupKind: schema.GroupKind{Group: "apps", Kind: explain.KindDeployment}, key: graph.ResDeployments, namespaced: true, explained: true,
		list: func(cs kubernetes.Interface, ns string) pager.ListPageFunc {
			return pageOf(cs.AppsV1().Deployments(ns).List)
		},
		watch: func(cs kubernetes.Interface, ns string) watchFunc { return cs.AppsV1().Deployments(ns).Watch },
		slot:  slotOf(func(s *graph.Snapshot) *[]appsv1.Deployment { return &s.Deployments }),
	},
	{
		GroupKind: schema.GroupKind{Group: "apps", Kind: explain.KindReplicaSet}, key: graph.ResReplicaSets, namespaced: true, explained: true,
		list: func(cs kubernetes.Interface, ns string) pager.ListPageFunc {
			return pageOf(cs.AppsV1().ReplicaSets(ns).List)
		},
		watch: func(cs kubernetes.Interface, ns string) watchFunc { return cs.AppsV1().ReplicaSets(ns).Watch },
		slot:  slotOf(func(s *graph.Snapshot) *[]appsv1.ReplicaSet { return &s.ReplicaSets }),
	},
	{
		GroupKind: schema.GroupKind{Group: "apps", Kind: explain.KindStatefulSet}, key: graph.ResStatefulSets, namespaced: true, explained: true,
		list: func(cs kubernetes.Interface, ns string) pager.ListPageFunc {
			return pageOf(cs.AppsV1().StatefulSets(ns).List)
		},
		watch: func(cs kubernetes.Interface, ns string) watchFunc { return cs.AppsV1().StatefulSets(ns).Watch },
		slot:  slotOf(func(s *graph.Snapshot) *[]appsv1.StatefulSet { return &s.StatefulSets }),
	},
	{
		GroupKind: schema.GroupKind{Group: "apps", Kind: explain.KindDaemonSet}, key: graph.ResDaemonSets, namespaced: true, explained: true,
		list: func(cs kubernetes.Interface, ns string) pager.ListPageFunc {
			return pageOf(cs.AppsV1().DaemonSets(ns).List)
		},
		watch: func(cs kubernetes.Interface, ns string) watchFunc { return cs.AppsV1().DaemonSets(ns).Watch },
		slot:  slotOf(func(s *graph.Snapshot) *[]appsv1.DaemonSet { return &s.DaemonSets }),
	},
	{
		GroupKind: schema.GroupKind{Group: "batch", Kind: explain.KindJob}, key: graph.ResJobs, namespaced: true, explained: true,
		list:  func(cs kubernetes.Interface, ns string) pager.ListPageFunc { return pageOf(cs.BatchV1().Jobs(ns).List) },
		watch: func(cs kubernetes.Interface, ns string) watchFunc { return cs.BatchV1().Jobs(ns).Watch },
		slot:  slotOf(func(s *graph.Snapshot) *[]batchv1.Job { return &s.Jobs }),
	},
	{
		GroupKind: schema.GroupKind{Group: "batch", Kind: explain.KindCronJob}, key: graph.ResCronJobs, namespaced: true, explained: true,
		list: func(cs kubernetes.Interface, ns string) pager.ListPageFunc {
			return pageOf(cs.BatchV1().CronJobs(ns).List)
		},
		watch: func(cs kubernetes.Interface, ns string) watchFunc { return cs.BatchV1().CronJobs(ns).Watch },
		slot:  slotOf(func(s *graph.Snapshot) *[]batchv1.CronJob { return &s.CronJobs }),
	},
	{
		GroupKind: schema.GroupKind{Kind: kindEvent}, key: graph.ResEvents, namespaced: true, explained: false,
		list: func(cs kubernetes.Interface, ns string) pager.ListPageFunc {
			return pageOf(cs.CoreV1().Events(ns).List)
		},
		watch: func(cs kubernetes.Interface, ns string) watchFunc { return cs.CoreV1().Events(ns).Watch },
		slot:  slotOf(func(s *graph.Snapshot) *[]corev1.Event { return &s.Events }),
	},
	{
		GroupKind: schema.GroupKind{Kind: kindNode}, key: graph.ResNodes, namespaced: false, explained: false,
		list:  func(cs kubernetes.Interface, _ string) pager.ListPageFunc { return pageOf(cs.CoreV1().Nodes().List) },
		watch: func(cs kubernetes.Interface, _ string) watchFunc { return cs.CoreV1().Nodes().Watch },
		slot:  slotOf(func(s *graph.Snapshot) *[]corev1.Node { return &s.Nodes }),
	},
	{
		GroupKind: schema.GroupKind{Kind: kindPVC}, key: graph.ResPVCs, namespaced: true, explained: false,
		list: func(cs kubernetes.Interface, ns string) pager.ListPageFunc {
			return pageOf(cs.CoreV1().PersistentVolumeClaims(ns).List)
		},
		watch: func(cs kubernetes.Interface, ns string) watchFunc {
			return cs.CoreV1().PersistentVolumeClaims(ns).Watch
		},
		slot: slotOf(func(s *graph.Snapshot) *[]corev1.PersistentVolumeClaim { return &s.PVCs }),
	},
	{
		GroupKind: schema.GroupKind{Kind: "ResourceQuota"}, key: graph.ResResourceQuotas, namespaced: true, explained: false,
		slot: slotOf(func(s *graph.Snapshot) *[]corev1.ResourceQuota { return &s.ResourceQuotas }),
	},
	{
		GroupKind: schema.GroupKind{Kind: "LimitRange"}, key: graph.ResLimitRanges, namespaced: true, explained: false,
		slot: slotOf(func(s *graph.Snapshot) *[]corev1.LimitRange { return &s.LimitRanges }),
	},
}

// Kinds collect reads besides those it explains.
const (
	kindEvent = "Event"
	kindNode  = "Node"
	kindPVC   = "PersistentVolumeClaim"
)

// kindOf finds a kind by its name: the core and named groups hold no two
// kinds of one name that collect reads.
func kindOf(kind string) *kindInfo {
	for i := range kinds {
		if kinds[i].Kind == kind {
			return &kinds[i]
		}
	}
	return nil
}

// kindOfGroup finds a kind of a saved object, group included: an
// events.k8s.io Event is not a core Event.
func kindOfGroup(gk schema.GroupKind) *kindInfo {
	if k := kindOf(gk.Kind); k != nil && k.Group == gk.Group {
		return k
	}
	return nil
}

// resource is the kind's resource as kubectl names it in messages:
// "pods", "deployments.apps".
func (k *kindInfo) resource() string {
	if k.Group == "" {
		return k.key
	}
	return k.key + "." + k.Group
}

// watchFunc opens a watch, as cache.ListWatch wants it.
type watchFunc = func(context.Context, metav1.ListOptions) (watch.Interface, error)

// pageOf turns a typed client's List into a page function.
func pageOf[L runtime.Object](list func(context.Context, metav1.ListOptions) (L, error)) pager.ListPageFunc {
	return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
		l, err := list(ctx, o)
		if err != nil {
			return nil, err
		}
		return l, nil
	}
}

// A slot is where a kind's objects go in the snapshot.
type slot interface {
	// decode converts one saved object and appends it (files).
	decode(s *graph.Snapshot, obj map[string]any) error
	// gather starts collecting the items of one LIST (live).
	gather() sink
	// len counts the kind's objects in the snapshot.
	len(s *graph.Snapshot) int
}

// A sink keeps the items of one LIST as its pages arrive, copied out of
// the page so that the page can be freed, and hands them to the snapshot
// at the end.
type sink interface {
	add(item runtime.Object)
	reset() // the LIST starts again from the beginning
	into(s *graph.Snapshot)
}

// object is what every listed item is: a pointer to a typed API object.
type object[T any] interface {
	*T
	metav1.Object
	runtime.Object
}

// slotOf is the slot of the snapshot field that field points to.
func slotOf[T any, P object[T]](field func(*graph.Snapshot) *[]T) slot { return fieldSlot[T, P](field) }

type fieldSlot[T any, P object[T]] func(*graph.Snapshot) *[]T

func (f fieldSlot[T, P]) decode(s *graph.Snapshot, obj map[string]any) error {
	var o T
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj, &o); err != nil {
		return err
	}
	dst := f(s)
	*dst = append(*dst, o)
	return nil
}

func (f fieldSlot[T, P]) len(s *graph.Snapshot) int { return len(*f(s)) }

func (f fieldSlot[T, P]) gather() sink { return &fieldSink[T, P]{field: f} }

type fieldSink[T any, P object[T]] struct {
	field fieldSlot[T, P]
	items []T
}

func (k *fieldSink[T, P]) add(item runtime.Object) {
	o := item.(P)
	trim(o)
	k.items = append(k.items, *o)
}

func (k *fieldSink[T, P]) reset() { k.items = nil }

// into appends the items that are not there yet: the targets' own LIST
// and the one of their surroundings may both return an object.
func (k *fieldSink[T, P]) into(s *graph.Snapshot) {
	dst := k.field(s)
	*dst = appendUnique(*dst, k.items, func(o *T) string { return string(P(o).GetUID()) })
}
