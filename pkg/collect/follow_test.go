package collect

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"github.com/kubectl-why/kubectl-why/pkg/graph"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	apitypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"
)

func fastFollow(t *testing.T) context.Context {
	t.Helper()
	s, p := settleTime, pollInterval
	settleTime, pollInterval = 20*time.Millisecond, 50*time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(func() { cancel(); settleTime, pollInterval = s, p })
	return ctx
}

// countLists counts the LISTs of resource.
func countLists(cs *fake.Clientset, resource string) *atomic.Int32 {
	var n atomic.Int32
	cs.PrependReactor("list", resource, func(k8stesting.Action) (bool, runtime.Object, error) {
		n.Add(1)
		return false, nil, nil
	})
	return &n
}

// nextUntil reads snapshots until ok holds on one.
func nextUntil(t *testing.T, ctx context.Context, f *Follower, ok func(*graph.Snapshot) bool) *graph.Snapshot {
	t.Helper()
	for {
		snap, err := f.Next(ctx)
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if ok(snap) {
			return snap
		}
	}
}

func podReady(snap *graph.Snapshot, name string) bool {
	for _, p := range snap.Pods {
		if p.Name == name && p.Status.Phase == corev1.PodRunning {
			return true
		}
	}
	return false
}

// A pod turning Ready is seen through the watch: one LIST by the collect,
// one by the informer, and none after.
func TestFollowSeesAChangeThroughTheWatch(t *testing.T) {
	ctx := fastFollow(t)
	cs := fake.NewClientset(pendingPod("a", "web"))
	lists := countLists(cs, "pods")
	watches := make(chan *watch.FakeWatcher, 4)
	cs.PrependWatchReactor("pods", func(k8stesting.Action) (bool, watch.Interface, error) {
		w := watch.NewFake()
		watches <- w
		return true, w, nil
	})
	f, err := (&Live{Client: cs}).Follow(ctx, Request{Targets: []Target{{Kind: explain.KindPod, Name: "web"}}, Namespace: "a"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	if snap, err := f.Next(ctx); err != nil || podReady(snap, "web") || len(snap.Pods) != 1 {
		t.Fatalf("first snapshot: %v %+v", err, snap)
	}
	w := <-watches
	w.Modify(readyPod("a", "web", 0))
	snap := nextUntil(t, ctx, f, func(s *graph.Snapshot) bool { return podReady(s, "web") })
	if len(snap.Pods) != 1 || !snap.Collected[graph.ResPods] {
		t.Fatalf("pods = %d, collected %v", len(snap.Pods), snap.Collected)
	}
	if n := lists.Load(); n != 2 {
		t.Fatalf("pod LISTs = %d, want 2 (the collect and the informer)", n)
	}
}

// A kind that may be listed but not watched is polled; one that may not
// be listed stays a gap, as in a LIST.
func TestFollowForbiddenWatchPolls(t *testing.T) {
	ctx := fastFollow(t)
	cs := fake.NewClientset(pendingPod("a", "web"))
	lists := countLists(cs, "pods")
	cs.PrependWatchReactor("pods", func(k8stesting.Action) (bool, watch.Interface, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("cannot watch pods"))
	})
	cs.PrependReactor("list", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "nodes"}, "", errors.New("cannot list nodes"))
	})
	f, err := (&Live{Client: cs}).Follow(ctx, Request{Targets: []Target{{Kind: explain.KindPod, Name: "web"}}, Namespace: "a"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	if _, err := f.Next(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Pods("a").UpdateStatus(ctx, readyPod("a", "web", 0), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	snap := nextUntil(t, ctx, f, func(s *graph.Snapshot) bool { return podReady(s, "web") })
	if snap.Gaps[graph.ResNodes] == "" || snap.Gaps[graph.ResPods] != "" {
		t.Fatalf("gaps = %v, want nodes only", snap.Gaps)
	}
	if n := lists.Load(); n < 3 {
		t.Fatalf("pod LISTs = %d, want polling", n)
	}
}

// A CronJob's pods are listed by its Jobs' uids: a new Job needs another
// pod LIST, so the follower collects afresh and watches that.
func TestFollowStaleReadsCollectAgain(t *testing.T) {
	ctx := fastFollow(t)
	cj := &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "backup", UID: "cj"}}
	job := func(name string) *batchv1.Job {
		return &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: name, UID: apitypes.UID("uid-" + name),
			OwnerReferences: []metav1.OwnerReference{{Kind: explain.KindCronJob, Name: "backup", UID: "cj", Controller: ptr.To(true)}}}}
	}
	cs := fake.NewClientset(cj, job("backup-1"))
	lists := countLists(cs, "jobs")
	f, err := (&Live{Client: cs}).Follow(ctx, Request{Targets: []Target{{Kind: explain.KindCronJob, Name: "backup"}}, Namespace: "a"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	if snap, err := f.Next(ctx); err != nil || len(snap.Jobs) != 1 {
		t.Fatalf("first snapshot: %v %+v", err, snap)
	}
	if _, err := cs.BatchV1().Jobs("a").Create(ctx, job("backup-2"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	nextUntil(t, ctx, f, func(s *graph.Snapshot) bool { return len(s.Jobs) == 2 })
	if n := lists.Load(); n < 3 {
		t.Fatalf("job LISTs = %d: want a fresh collect (1 + 1 informer + 1 again)", n)
	}
	var sel string
	for _, src := range f.sources {
		if src.kind.key == graph.ResPods {
			sel = src.label
		}
	}
	if want := batchv1.ControllerUidLabel + " in (uid-backup-1,uid-backup-2)"; sel != want {
		t.Fatalf("pods watched by %q, want %q", sel, want)
	}
}

// Under --wait nodes and events are read by scope, not narrowed to the
// objects in question: a pod moving to another node needs no new LIST.
func TestFollowReadsNodesAndEventsByScope(t *testing.T) {
	ctx := fastFollow(t)
	cs := fake.NewClientset(pendingPod("a", "web"))
	f, err := (&Live{Client: cs}).Follow(ctx, Request{Targets: []Target{{Kind: explain.KindPod, Name: "web"}}, Namespace: "a"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	got := map[string]string{}
	for _, src := range f.sources {
		got[src.kind.key] = src.ns + " " + src.field
	}
	if got[graph.ResNodes] != " " || got[graph.ResEvents] != "a "+graph.RoutineEventSelector() {
		t.Fatalf("watched %q, want nodes and events by scope", got)
	}
}

// With nothing changing, the answer is read again from the stores now and
// then, with no request: a deadline may pass with no object changing.
func TestFollowRefreshesWithoutRequests(t *testing.T) {
	ctx := fastFollow(t)
	defer func(d time.Duration) { refreshEvery = d }(refreshEvery)
	refreshEvery = 50 * time.Millisecond
	cs := fake.NewClientset(pendingPod("a", "web"))
	f, err := (&Live{Client: cs, Now: time.Now}).Follow(ctx, Request{Targets: []Target{{Kind: explain.KindPod, Name: "web"}}, Namespace: "a"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	var last time.Time
	for range 4 {
		snap, err := f.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		last = snap.Now
	}
	requests := len(cs.Actions())
	snap, err := f.Next(ctx)
	if err != nil || !snap.Now.After(last) || len(snap.Pods) != 1 {
		t.Fatalf("refresh: %v, now %s after %s", err, snap.Now, last)
	}
	if n := len(cs.Actions()); n != requests {
		t.Fatalf("a refresh made %d requests", n-requests)
	}
}
