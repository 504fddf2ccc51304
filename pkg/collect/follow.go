package collect

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/pager"
	"k8s.io/klog/v2"
)

// A spec is one LIST a collect ran: a kind in a scope, narrowed by selectors.
type spec struct {
	kind         *kindInfo
	ns           string
	label, field string
}

func (s spec) key() string { return s.kind.key + "\x00" + s.ns + "\x00" + s.label + "\x00" + s.field }

// listed is a spec and its LIST's outcome (nil, or the error of a gap).
type listed struct {
	spec
	err error
}

// errStale: a collect replayed from the watches needs a LIST that is not
// watched (a CronJob's new Job selects other pods).
var errStale = errors.New("the reads the targets need have changed")

// Tests shorten these.
var (
	// settleTime is how quiet the watches must be before a change is
	// answered: a rollout's burst of updates is one answer, not twenty.
	settleTime = 300 * time.Millisecond
	// maxSettle answers a stream of changes that never goes quiet.
	maxSettle = 2 * time.Second
	// refreshEvery answers again from the stores when nothing changed.
	refreshEvery = 30 * time.Second
	// pollInterval is how often a kind that may be listed but not watched
	// is listed again.
	pollInterval = 2 * time.Second
)

// Follower keeps the answer to a request current for --wait, as kubectl
// wait does: one collect, then one informer per LIST it ran, with the same
// selectors; each change is a snapshot replayed from the informers' stores
// by the same code that collects, so objects, gaps and the LISTs' narrowing
// are as a fresh collect would have them, without its LISTs.
type Follower struct {
	l       *Live
	req     Request
	first   *graph.Snapshot
	changed chan struct{}
	sources map[string]*source
	stop    context.CancelFunc
	running sync.WaitGroup // the informers and pollers
}

// source is the watched state of one spec.
type source struct {
	spec
	inf cache.SharedIndexInformer // nil when the first LIST was refused (a gap)

	mu      sync.Mutex
	err     error // the last LIST's error: a gap when forbidden, else transient
	polling bool  // the watch was forbidden: polled holds the last LIST
	polled  []any
	pollHas bool // polled holds a LIST (the informer's, or a poll's)
}

// settle records a LIST's outcome as a collect would: a refusal (forbidden,
// an API not served) is a gap; another error leaves the last LIST standing
// while the reflector or the next poll tries again. It reports whether
// the outcome was recorded.
func (src *source) settle(err error) bool {
	if err != nil && !apierrors.IsForbidden(err) && !apierrors.IsNotFound(err) {
		klog.V(2).Infof("wait: list %s: %v", src.kind.resource(), err)
		return false
	}
	src.mu.Lock()
	src.err = err
	src.mu.Unlock()
	return true
}

// Follow collects req and starts watching what it read. Next returns the
// snapshots; Stop ends the watches.
func (l *Live) Follow(ctx context.Context, req Request) (*Follower, error) {
	req.Wait = true
	f := &Follower{l: l, req: req, changed: make(chan struct{}, 1)}
	if err := f.start(ctx); err != nil {
		return nil, err
	}
	return f, nil
}

// Stop ends the watches and waits for them to end.
func (f *Follower) Stop() {
	if f.stop != nil {
		f.stop()
	}
	f.running.Wait()
}

// reads is the request without the logs: they are read for the final answer only (Logs).
func (f *Follower) reads() Request {
	r := f.req
	r.Logs = false
	return r
}

// start collects and watches each LIST the collect ran.
func (f *Follower) start(ctx context.Context) error {
	c, err := f.l.collect(ctx, f.reads(), nil)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithCancel(ctx)
	f.first, f.stop, f.sources = c.snap, cancel, map[string]*source{}
	for _, ls := range c.specs {
		if _, dup := f.sources[ls.key()]; dup {
			continue
		}
		src := &source{spec: ls.spec, err: ls.err}
		f.sources[ls.key()] = src
		if ls.err == nil { // a refused LIST stays a gap, unwatched
			f.watch(wctx, src)
		}
	}
	return nil
}

// Next returns the first collect, then blocks until the watches saw a
// change and went quiet, and returns the snapshot after it. When the
// targets need other LISTs than those watched, it collects and watches
// afresh. It returns ctx's error when ctx ends first.
func (f *Follower) Next(ctx context.Context) (*graph.Snapshot, error) {
	for f.first == nil {
		if err := f.settle(ctx); err != nil {
			return nil, err
		}
		if !f.synced() {
			continue
		}
		c, err := f.l.collect(ctx, f.reads(), f.from)
		if err == nil {
			return c.snap, nil
		}
		// Stale reads, or a replay that failed (a named target gone):
		// a fresh collect says what is true now.
		klog.V(2).Infof("wait: %v: collecting again", err)
		f.Stop()
		if err := f.start(ctx); err != nil {
			return nil, err
		}
	}
	s := f.first
	f.first = nil
	return s, nil
}

// Logs reads the previous logs of snap's crashed containers, when the
// request asks for them: once, for the answer printed, which may come
// after ctx ended (--timeout): logsTimeout bounds them then.
func (f *Follower) Logs(ctx context.Context, snap *graph.Snapshot) error {
	if !f.req.Logs {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), logsTimeout)
	defer cancel()
	c := &collector{l: f.l, req: f.req, snap: snap}
	return c.previousLogs(ctx)
}

const logsTimeout = 10 * time.Second

func (f *Follower) notify() {
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// settle waits for a change, then for settleTime without one (maxSettle at
// most); or for refreshEvery without any, since some verdicts change with
// time alone (a deadline passing): that answer is read from the stores.
func (f *Follower) settle(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(refreshEvery):
		return nil
	case <-f.changed:
	}
	quiet := time.NewTimer(settleTime)
	defer quiet.Stop()
	most := time.NewTimer(maxSettle)
	defer most.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-f.changed:
			quiet.Reset(settleTime)
		case <-quiet.C:
			return nil
		case <-most.C:
			return nil
		}
	}
}

// synced: every store holds a complete LIST (or its refusal).
func (f *Follower) synced() bool {
	for _, src := range f.sources {
		src.mu.Lock()
		ok := src.inf == nil || src.err != nil || (src.polling && src.pollHas) || (!src.polling && src.inf.HasSynced())
		src.mu.Unlock()
		if !ok {
			return false
		}
	}
	return true
}

// from answers a replayed LIST from its spec's store.
func (f *Follower) from(sp spec, s sink, keepPod func(*corev1.Pod) bool) error {
	src := f.sources[sp.key()]
	if src == nil {
		return errStale
	}
	src.mu.Lock()
	err, items := src.err, src.polled
	if !src.polling && src.inf != nil {
		items = src.inf.GetStore().List()
	}
	src.mu.Unlock()
	if err != nil {
		return err
	}
	for _, o := range items {
		if p, ok := o.(*corev1.Pod); ok && keepPod != nil && !keepPod(p) {
			continue
		}
		s.add(o.(runtime.Object))
	}
	return nil
}

// watch starts an informer on src's LIST. Its reflector lists, watches,
// and lists again when the watch expires (410 Gone); a watch that is
// forbidden turns the source to polling.
func (f *Follower) watch(ctx context.Context, src *source) {
	ictx, cancel := context.WithCancel(ctx)
	cs, k := f.l.Client, src.kind
	narrow := func(o *metav1.ListOptions) { o.LabelSelector, o.FieldSelector = src.label, src.field }
	list, open := k.list(cs, src.ns), k.watch(cs, src.ns)
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			narrow(&o)
			obj, err := list(ctx, o)
			if ctx.Err() != nil { // stopped: the reflector has moved on
				return obj, err
			}
			if src.settle(err) && err != nil {
				f.notify()
			}
			return obj, err
		},
		WatchFuncWithContext: func(wctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			narrow(&o)
			w, err := open(wctx, o)
			if apierrors.IsForbidden(err) {
				klog.V(2).Infof("wait: watch %s forbidden, listing it every %s instead", k.resource(), pollInterval)
				cancel()
				f.poll(ctx, src)
			}
			return w, err
		},
	}
	// The fake clientset of unit tests says it cannot do WatchList.
	inf := cache.NewSharedIndexInformerWithOptions(cache.ToListWatcherWithWatchListSemantics(lw, cs), nil, cache.SharedIndexInformerOptions{ObjectDescription: k.resource()})
	_ = inf.SetTransform(func(o any) (any, error) {
		if m, ok := o.(metav1.Object); ok {
			trim(m)
		}
		return o, nil
	})
	changed := func(any) { f.notify() }
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: changed, DeleteFunc: changed, UpdateFunc: func(_, o any) { changed(o) },
	})
	src.inf = inf
	f.running.Go(func() { inf.RunWithContext(ictx) })
	f.running.Go(func() {
		// An empty LIST adds nothing: say when the store is complete.
		if wait.PollUntilContextCancel(ictx, 50*time.Millisecond, true, func(context.Context) (bool, error) { return inf.HasSynced(), nil }) == nil {
			f.notify()
		}
	})
}

// poll lists src every pollInterval from now on, until ctx ends, starting
// from what its informer had.
func (f *Follower) poll(ctx context.Context, src *source) {
	src.mu.Lock()
	if src.polling {
		src.mu.Unlock()
		return
	}
	// A first watch (WatchList) may be refused before any LIST.
	src.polling, src.pollHas = true, src.inf.HasSynced()
	if src.pollHas {
		src.polled = src.inf.GetStore().List()
	}
	src.mu.Unlock()
	f.running.Go(func() { wait.UntilWithContext(ctx, f.pollOnce(src), pollInterval) })
}

// pollOnce is one LIST of a polled source.
func (f *Follower) pollOnce(src *source) func(context.Context) {
	p := pager.New(src.kind.list(f.l.Client, src.ns))
	p.PageSize = f.req.ChunkSize
	return func(ctx context.Context) {
		var items []any
		err := p.EachListItem(ctx, metav1.ListOptions{LabelSelector: src.label, FieldSelector: src.field}, func(o runtime.Object) error {
			trim(o.(metav1.Object))
			items = append(items, o)
			return nil
		})
		if ctx.Err() != nil {
			return
		}
		if src.settle(err) {
			src.mu.Lock()
			if err == nil {
				src.polled, src.pollHas = items, true
			}
			src.mu.Unlock()
			f.notify()
		}
	}
}
