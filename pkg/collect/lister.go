package collect

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"github.com/kubectl-why/kubectl-why/pkg/graph"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/tools/pager"
	"k8s.io/klog/v2"
)

// list runs one paged LIST of kind and adds the result to the snapshot.
// keepPod, for pods only, drops the pods it refuses as each page arrives.
func (c *collector) list(ctx context.Context, kind, ns, labelSel, fieldSel string, keepPod func(*corev1.Pod) bool) error {
	k := kindOf(kind)
	if k == nil || k.list == nil {
		return fmt.Errorf("internal: no lister for kind %q", kind)
	}
	page := k.list(c.l.Client, ns)
	if keepPod != nil && kind == explain.KindPod {
		page = c.podPages(ns, page, keepPod)
	}
	return c.listInto(ctx, k, ns, metav1.ListOptions{LabelSelector: labelSel, FieldSelector: fieldSel}, page, keepPod)
}

// podPages reads pages of pods and keeps those keep accepts. Against a
// real apiserver the pages are read raw and plainly healthy pods are
// recognised on the wire, never decoded (podscan.go); the page still goes
// through the pager as a PodList of the pods kept, with its continue token.
func (c *collector) podPages(ns string, typed pager.ListPageFunc, keep func(*corev1.Pod) bool) pager.ListPageFunc {
	if rc := rawPodsClient(c); rc != nil {
		return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			items, meta, err := listPodsRaw(ctx, rc, ns, o, keep)
			if err != nil {
				return nil, err
			}
			return &corev1.PodList{ListMeta: meta, Items: items}, nil
		}
	}
	return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
		obj, err := typed(ctx, o)
		if err != nil {
			return nil, err
		}
		l := obj.(*corev1.PodList)
		l.Items = filterPods(l.Items, keep)
		return l, nil
	}
}

// listInto runs page through the pager and settles the outcome: the items
// in the snapshot, a gap, or an error. Each LIST is recorded as a spec,
// for --wait to watch; when the collector replays watched stores
// (c.from), the spec's store answers instead of the API server.
func (c *collector) listInto(ctx context.Context, k *kindInfo, ns string, opts metav1.ListOptions, page pager.ListPageFunc, keepPod func(*corev1.Pod) bool) error {
	sp := spec{kind: k, ns: ns, label: opts.LabelSelector, field: opts.FieldSelector}
	opts.Limit = c.req.ChunkSize
	s := k.slot.gather()
	var err error
	if c.from != nil {
		err = c.from(sp, s, keepPod)
	} else {
		err = c.pages(ctx, k.resource(), opts, page, s)
	}
	if errors.Is(err, errStale) {
		return err
	}
	c.mu.Lock()
	c.specs = append(c.specs, listed{spec: sp, err: err})
	c.mu.Unlock()
	if err == nil {
		c.mu.Lock()
		s.into(c.snap)
		c.mu.Unlock()
	}
	return c.settle(k.key, k.resource(), ns, err)
}

// pages runs a paged LIST to the end with client-go's pager, handing each
// item to s. A page whose connection was dropped is asked for again
// (askAgain); a continue token that expired (410 Gone) restarts the list
// from the beginning, once, as a paged list again. (The pager's own
// List would fall back to one unpaged LIST of everything, and keep every
// page until the end.)
func (c *collector) pages(ctx context.Context, res string, opts metav1.ListOptions, page pager.ListPageFunc, s sink) error {
	start := time.Now()
	reported := false
	read := 0 // pages read: with --failing most pods are dropped, so the items say little
	p := pager.New(func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
		obj, err := askAgain(ctx, res, func() (runtime.Object, error) { return page(ctx, o) })
		if err != nil {
			return nil, err
		}
		read++
		if l, err := meta.ListAccessor(obj); err == nil && l.GetContinue() != "" && c.l.Progress != nil &&
			((!reported && time.Since(start) > 2*time.Second) || (reported && read%10 == 0)) {
			fmt.Fprintf(c.l.Progress, "listing %s: %d pages of %d so far...\n", res, read, o.Limit)
			reported = true
		}
		return obj, nil
	})
	// --chunk-size 0 is one request. The pager fetches the next page
	// while the items of one are copied out, never more: memory holds
	// two pages at most.
	p.PageSize = opts.Limit
	p.PageBufferSize = 0
	add := func(o runtime.Object) error { s.add(o); return nil }
	err := p.EachListItem(ctx, opts, add)
	if apierrors.IsResourceExpired(err) && read > 0 {
		klog.V(2).Infof("list %s: continue token expired, listing again from the start", res)
		s.reset()
		err = p.EachListItem(ctx, opts, add)
	}
	return err
}

// trim drops what no rule reads and costs memory for every object kept:
// managedFields (about half of a pod's or node's bytes) and a node's image
// list (up to 50 names per node). The output never shows raw objects.
// Objects of --wait's stores are trimmed already, and read concurrently:
// only what is there is written.
func trim(o metav1.Object) {
	if o.GetManagedFields() != nil {
		o.SetManagedFields(nil)
	}
	if n, ok := o.(*corev1.Node); ok && n.Status.Images != nil {
		n.Status.Images = nil
	}
}

func appendUnique[T any](dst, src []T, key func(*T) string) []T {
	if len(dst) == 0 {
		return append(dst, src...)
	}
	seen := sets.New[string]()
	for i := range dst {
		seen.Insert(key(&dst[i]))
	}
	for i := range src {
		if !seen.Has(key(&src[i])) {
			dst = append(dst, src[i])
		}
	}
	return dst
}

func (c *collector) listEvents(ctx context.Context, ns string) error {
	// Routine events (one Scheduled per pod, ...) are most of a busy
	// namespace's events and no rule reads them: the apiserver drops them.
	k := kindOf(kindEvent)
	return c.listInto(ctx, k, ns, metav1.ListOptions{FieldSelector: graph.RoutineEventSelector()}, k.list(c.l.Client, ns), nil)
}

func (c *collector) listNodes(ctx context.Context) error {
	k := kindOf(kindNode)
	return c.listInto(ctx, k, "", metav1.ListOptions{}, k.list(c.l.Client, ""), nil)
}

func (c *collector) listPVCs(ctx context.Context, ns string) error {
	return c.list(ctx, kindPVC, ns, "", "", nil)
}
