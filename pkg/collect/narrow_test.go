package collect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// listsOf records the field selector of every LIST of nodes and events,
// and the names of the nodes read one by one.
type listsOf struct {
	mu                      sync.Mutex
	nodes, events, nodeGets []string
}

func (l *listsOf) watch(cs *fake.Clientset) {
	cs.PrependReactor("get", "nodes", func(a k8stesting.Action) (bool, runtime.Object, error) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.nodeGets = append(l.nodeGets, a.(k8stesting.GetAction).GetName())
		return false, nil, nil
	})
	for _, res := range []string{"nodes", "events"} {
		cs.PrependReactor("list", res, func(a k8stesting.Action) (bool, runtime.Object, error) {
			l.mu.Lock()
			defer l.mu.Unlock()
			sel := a.(k8stesting.ListActionImpl).GetListRestrictions().Fields.String()
			if res == "nodes" {
				l.nodes = append(l.nodes, sel)
			} else {
				l.events = append(l.events, sel)
			}
			return false, nil, nil
		})
	}
}

// narrowCluster is a deployment "web" in namespace a with a pod on each of
// nodes, beside 20 other nodes.
func narrowCluster(nodes ...string) *fake.Clientset {
	var objs []runtime.Object
	for i := range 20 {
		objs = append(objs, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("other-%d", i)}})
	}
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	objs = append(objs, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "web", UID: "d"}, Spec: appsv1.DeploymentSpec{Selector: sel}})
	for i, n := range nodes {
		p := readyPod("a", fmt.Sprintf("web-%d", i), 0)
		p.Spec.NodeName = n
		if n == "" {
			p.Status = corev1.PodStatus{Phase: corev1.PodPending}
		}
		objs = append(objs, p)
	}
	return fake.NewClientset(objs...)
}

func TestNarrowReadsNodesAndEventsOfTheObjectsInQuestion(t *testing.T) {
	cs := narrowCluster("n1", "n2", "n1")
	var got listsOf
	got.watch(cs)
	req := Request{Targets: []Target{{Kind: explain.KindDeployment, Name: "web"}}, Namespace: "a"}
	snap, err := (&Live{Client: cs}).Collect(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got.nodeGets)
	if want := []string{"n1", "n2"}; len(got.nodes) > 0 || !slices.Equal(got.nodeGets, want) {
		t.Errorf("node lists %q and gets %q, want one get per node the pods run on: %q", got.nodes, got.nodeGets, want)
	}
	if len(got.events) != 3 {
		t.Errorf("event lists %q, want one per pod (a Deployment's own events are not read)", got.events)
	}
	for _, sel := range got.events {
		if !strings.HasPrefix(sel, "involvedObject.kind=Pod,involvedObject.name=web-") || !strings.Contains(sel, "reason!=Scheduled") {
			t.Errorf("event list %q: want a pod's events without the routine ones", sel)
		}
	}
	if !snap.Collected["nodes"] || !snap.Collected["events"] {
		t.Errorf("collected %v: nodes and events read by name count as read", snap.Collected)
	}
}

func TestNarrowFallsBackToOneList(t *testing.T) {
	many := make([]string, maxNarrowNodes+1)
	for i := range many {
		many[i] = fmt.Sprintf("n%d", i)
	}
	for _, tc := range []struct {
		name  string
		nodes []string
		req   Request
		// eventsByObject: the events are still few objects' own.
		eventsByObject bool
	}{
		{"an unscheduled pod weighs every node", []string{"n1", ""}, Request{Targets: []Target{{Kind: explain.KindDeployment, Name: "web"}}, Namespace: "a"}, true},
		{"more nodes and pods than the limits", many, Request{Targets: []Target{{Kind: explain.KindDeployment, Name: "web"}}, Namespace: "a"}, false},
		{"every namespace", []string{"n1"}, Request{Targets: []Target{{Kind: explain.KindPod}}, AllNamespaces: true}, false},
		{"a selector", []string{"n1"}, Request{Targets: []Target{{Kind: explain.KindPod}}, Namespace: "a", Selector: "app=web"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := narrowCluster(tc.nodes...)
			var got listsOf
			got.watch(cs)
			if _, err := (&Live{Client: cs}).Collect(context.Background(), tc.req); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.nodes, []string{""}) || len(got.nodeGets) > 0 {
				t.Errorf("node lists %q and gets %q, want one LIST of every node", got.nodes, got.nodeGets)
			}
			if !tc.eventsByObject && (len(got.events) != 1 || strings.Contains(got.events[0], "involvedObject")) {
				t.Errorf("event lists %q, want one LIST of the scope", got.events)
			}
		})
	}
}

// TestOwnersListedAlongsidePods: for every pod of a scope the owners are
// listed with the pods, once each, even when no pod turns out to need
// them; with a selector, only when a pod does. (The fake clientset runs one
// request at a time, so the overlap itself shows in the benchmark's
// profile, not here.)
func TestOwnersListedAlongsidePods(t *testing.T) {
	for _, tc := range []struct {
		req  Request
		want int
	}{
		{Request{Targets: []Target{{Kind: explain.KindPod}}, AllNamespaces: true, FailingOnly: true}, 1},
		{Request{Targets: []Target{{Kind: explain.KindPod}}, Namespace: "a", Selector: "app=web"}, 0},
		// "all": the owners are targets, listed once as such.
		{Request{Targets: []Target{{Kind: explain.KindDeployment, All: true}, {Kind: explain.KindReplicaSet, All: true}, {Kind: explain.KindPod, All: true}}, AllNamespaces: true, FailingOnly: true}, 1},
	} {
		cs := narrowCluster("n1", "n2")
		var mu sync.Mutex
		lists := map[string]int{}
		cs.PrependReactor("list", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
			mu.Lock()
			defer mu.Unlock()
			lists[a.GetResource().Resource]++
			return false, nil, nil
		})
		if _, err := (&Live{Client: cs}).Collect(context.Background(), tc.req); err != nil {
			t.Fatal(err)
		}
		if lists["replicasets"] != tc.want || lists["deployments"] != tc.want {
			t.Errorf("%+v: lists %v, want replicasets and deployments listed %d times", tc.req, lists, tc.want)
		}
	}
}

// TestNarrowNodeGoneOrForbidden: a node that is gone is read as gone (the
// rules say so), one that may not be read is a gap, never an error.
func TestNarrowNodeGoneOrForbidden(t *testing.T) {
	req := Request{Targets: []Target{{Kind: explain.KindDeployment, Name: "web"}}, Namespace: "a"}
	cs := narrowCluster("gone")
	snap, err := (&Live{Client: cs}).Collect(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Nodes) != 0 || !snap.Collected["nodes"] || snap.Gaps["nodes"] != "" {
		t.Errorf("a gone node: nodes %d, collected %v, gaps %v; want read, none there", len(snap.Nodes), snap.Collected, snap.Gaps)
	}
	cs = narrowCluster("n1")
	cs.PrependReactor("get", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "nodes"}, "n1", errors.New("no"))
	})
	if snap, err = (&Live{Client: cs}).Collect(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if snap.Gaps["nodes"] == "" {
		t.Errorf("a forbidden node: gaps %v, want nodes", snap.Gaps)
	}
}
