package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"github.com/kubectl-why/kubectl-why/pkg/graph"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		want    []Target
		wantErr string
	}{
		{"type/name", []string{"deploy/web"}, []Target{{Kind: explain.KindDeployment, Name: "web"}}, ""},
		{"several type/name", []string{"sts/db", "po/x"}, []Target{{Kind: explain.KindStatefulSet, Name: "db"}, {Kind: explain.KindPod, Name: "x"}}, ""},
		{"type names", []string{"deployment", "a", "b"}, []Target{{Kind: explain.KindDeployment, Name: "a"}, {Kind: explain.KindDeployment, Name: "b"}}, ""},
		{"type only", []string{"pods"}, []Target{{Kind: explain.KindPod}}, ""},
		{"grouped name", []string{"deployments.apps/web"}, []Target{{Kind: explain.KindDeployment, Name: "web"}}, ""},
		{"kind.version.group", []string{"deployment.v1.apps/web"}, []Target{{Kind: explain.KindDeployment, Name: "web"}}, ""},
		{"resource.group then name", []string{"deployments.apps", "web"}, []Target{{Kind: explain.KindDeployment, Name: "web"}}, ""},
		{"kind as kubectl accepts it", []string{"Deployment/web"}, []Target{{Kind: explain.KindDeployment, Name: "web"}}, ""},
		{"singular batch", []string{"cronjob.batch/x"}, []Target{{Kind: explain.KindCronJob, Name: "x"}}, ""},
		{"short names of the new kinds", []string{"ds/x", "job/y", "cj/z"}, []Target{{Kind: explain.KindDaemonSet, Name: "x"}, {Kind: explain.KindJob, Name: "y"}, {Kind: explain.KindCronJob, Name: "z"}}, ""},
		{"comma types", []string{"deploy,sts"}, []Target{{Kind: explain.KindDeployment}, {Kind: explain.KindStatefulSet}}, ""},
		{"comma types with names", []string{"deploy,job", "web", "once"}, []Target{
			{Kind: explain.KindDeployment, Name: "web", AnyOf: []string{explain.KindDeployment, explain.KindJob}}, {Kind: explain.KindJob, Name: "web", AnyOf: []string{explain.KindDeployment, explain.KindJob}},
			{Kind: explain.KindDeployment, Name: "once", AnyOf: []string{explain.KindDeployment, explain.KindJob}}, {Kind: explain.KindJob, Name: "once", AnyOf: []string{explain.KindDeployment, explain.KindJob}}}, ""},
		{"all", []string{"all"}, []Target{{Kind: explain.KindDeployment, All: true}, {Kind: explain.KindStatefulSet, All: true}, {Kind: explain.KindDaemonSet, All: true},
			{Kind: explain.KindCronJob, All: true}, {Kind: explain.KindJob, All: true}, {Kind: explain.KindReplicaSet, All: true}, {Kind: explain.KindPod, All: true}}, ""},
		{"all and a kind named outright", []string{"pod,all"}, []Target{{Kind: explain.KindPod}, {Kind: explain.KindDeployment, All: true}, {Kind: explain.KindStatefulSet, All: true}, {Kind: explain.KindDaemonSet, All: true},
			{Kind: explain.KindCronJob, All: true}, {Kind: explain.KindJob, All: true}, {Kind: explain.KindReplicaSet, All: true}}, ""},
		{"short names", []string{"rs", "x"}, []Target{{Kind: explain.KindReplicaSet, Name: "x"}}, ""},
		{"unknown kind", []string{"deploymnt/x"}, nil, `did you mean "deployment"`},
		{"unsupported kind", []string{"service/x"}, nil, `resource type "service" (services) is not supported: kubectl why explains pod (po)`},
		{"unsupported short name is not a typo", []string{"svc/x"}, nil, `resource type "svc" (services) is not supported`},
		{"unsupported grouped kind", []string{"ingresses.networking.k8s.io"}, nil, `resource type "ingresses.networking.k8s.io" (ingresses.networking.k8s.io) is not supported`},
		{"all is not a type", []string{"all/x"}, nil, "all is a category"},
		{"mixed forms", []string{"deploy/a", "b"}, nil, "mix of TYPE/NAME"},
		{"type then type/name", []string{"deploy", "sts/b"}, nil, "no need to specify a resource type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseArgs(tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	got := Suggest("web-frontnd", []string{"web-frontend", "api", "web-backend", "db"})
	if len(got) == 0 || got[0] != `"web-frontend"` {
		t.Fatalf("got %v, want web-frontend first", got)
	}
	if got := Suggest("zzz", []string{"web", "api"}); len(got) != 0 {
		t.Fatalf("got %v, want none", got)
	}
}

func readyPod(ns, name string, restarts int32) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(ns + "-" + name), Labels: map[string]string{"app": "web"}},
		Status: corev1.PodStatus{
			Phase:             corev1.PodRunning,
			Conditions:        []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Ready: true, RestartCount: restarts}},
		},
	}
}

func pendingPod(ns, name string) *corev1.Pod {
	p := readyPod(ns, name, 0)
	p.Status = corev1.PodStatus{Phase: corev1.PodPending}
	return p
}

func TestCollectFailingOnlyDropsHealthyPods(t *testing.T) {
	cs := fake.NewClientset(readyPod("a", "ok", 0), readyPod("a", "flappy", 4), pendingPod("b", "stuck"))
	l := &Live{Client: cs, Now: func() time.Time { return time.Unix(0, 0) }}
	snap, err := l.Collect(context.Background(), Request{Targets: []Target{{Kind: explain.KindPod}}, AllNamespaces: true, FailingOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range snap.Pods {
		names = append(names, p.Name)
	}
	if !reflect.DeepEqual(names, []string{"flappy", "stuck"}) && !reflect.DeepEqual(names, []string{"stuck", "flappy"}) {
		t.Fatalf("kept %v, want flappy and stuck (healthy pod dropped, restarting one kept)", names)
	}
}

func TestCollectForbiddenBecomesGap(t *testing.T) {
	cs := fake.NewClientset(pendingPod("a", "stuck"))
	cs.PrependReactor("list", "events", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "events"}, "", errors.New(`User "sa" cannot list resource "events" in API group "" in the namespace "a"`))
	})
	cs.PrependReactor("list", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "nodes"}, "", errors.New("cannot list nodes"))
	})
	l := &Live{Client: cs}
	snap, err := l.Collect(context.Background(), Request{Targets: []Target{{Kind: explain.KindPod, Name: "stuck"}}, Namespace: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(snap.Gaps[graph.ResEvents], "forbidden") || snap.Gaps[graph.ResNodes] == "" {
		t.Fatalf("gaps = %v, want events and nodes forbidden", snap.Gaps)
	}
	if len(snap.Pods) != 1 {
		t.Fatalf("the rest of the answer must still come: pods = %d", len(snap.Pods))
	}
}

func TestCollectNotFoundSuggests(t *testing.T) {
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "web-frontend"}}
	cs := fake.NewClientset(d)
	// The fake clientset ignores field selectors: emulate the apiserver.
	cs.PrependReactor("list", "deployments", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if fs := a.(k8stesting.ListAction).GetListRestrictions().Fields.String(); fs == "metadata.name=web-frontnd" {
			return true, &appsv1.DeploymentList{}, nil
		}
		return true, &appsv1.DeploymentList{Items: []appsv1.Deployment{*d}}, nil
	})
	l := &Live{Client: cs}
	_, err := l.Collect(context.Background(), Request{Targets: []Target{{Kind: explain.KindDeployment, Name: "web-frontnd"}}, Namespace: "a"})
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v, want NotFoundError", err)
	}
	if want := `deployments.apps "web-frontnd" not found in namespace "a"; did you mean "web-frontend"?`; err.Error() != want {
		t.Fatalf("err = %q\nwant %q", err, want)
	}
}

func TestCollectExpiredContinueRestartsList(t *testing.T) {
	cs := fake.NewClientset()
	var calls atomic.Int32
	cs.PrependReactor("list", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		n := calls.Add(1)
		switch n {
		case 1: // first page, with a continue token
			return true, &corev1.PodList{ListMeta: metav1.ListMeta{Continue: "tok"}, Items: []corev1.Pod{*pendingPod("a", "p1")}}, nil
		case 2: // the token has expired
			return true, nil, apierrors.NewResourceExpired("The provided continue parameter is too old")
		default: // the restarted list, in one page
			return true, &corev1.PodList{Items: []corev1.Pod{*pendingPod("a", "p1"), *pendingPod("a", "p2")}}, nil
		}
	})
	l := &Live{Client: cs}
	snap, err := l.Collect(context.Background(), Request{Targets: []Target{{Kind: explain.KindPod}}, Namespace: "a", ChunkSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Pods) != 2 {
		t.Fatalf("pods = %d, want 2 (no duplicates from the first page)", len(snap.Pods))
	}
}

// withDropBackoff sets how the retries of a dropped page wait, for one test.
func withDropBackoff(t *testing.T, b wait.Backoff) {
	old := dropBackoff
	dropBackoff = b
	t.Cleanup(func() { dropBackoff = old })
}

func TestCollectDroppedConnectionAsksForThePageAgain(t *testing.T) {
	withDropBackoff(t, wait.Backoff{Duration: time.Millisecond, Factor: 2, Steps: maxDropRetries + 1})
	unexpectedEOF := fmt.Errorf("unexpected error when reading response body. Please retry. Original error: %w", io.ErrUnexpectedEOF)
	for _, tc := range []struct {
		name    string
		drops   int32 // pages lost before the apiserver answers
		wantErr string
	}{
		{"dropped twice then answered", 2, ""},
		{"dropped every time", 100, "Original error: unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := fake.NewClientset()
			var calls atomic.Int32
			cs.PrependReactor("list", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
				n := calls.Add(1)
				switch {
				case n == 1:
					return true, &corev1.PodList{ListMeta: metav1.ListMeta{Continue: "tok"}, Items: []corev1.Pod{*pendingPod("a", "p1")}}, nil
				case n <= 1+tc.drops:
					if got := a.(k8stesting.ListActionImpl).ListOptions.Continue; got != "tok" {
						t.Errorf("retry asked for continue %q, want the same page (tok)", got)
					}
					return true, nil, unexpectedEOF
				default:
					return true, &corev1.PodList{Items: []corev1.Pod{*pendingPod("a", "p2")}}, nil
				}
			})
			snap, err := (&Live{Client: cs}).Collect(context.Background(), Request{Targets: []Target{{Kind: explain.KindPod}}, Namespace: "a", ChunkSize: 1})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if got := calls.Load(); got != 1+maxDropRetries+1 {
					t.Errorf("calls = %d, want %d: the retries are bounded", got, 1+maxDropRetries+1)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(snap.Pods) != 2 {
				t.Fatalf("pods = %d, want 2", len(snap.Pods))
			}
		})
	}
}

// A cancelled context (Ctrl-C, a deadline) ends the wait between two
// tries at once, not after the backoff.
func TestCollectCancelStopsTheRetryWait(t *testing.T) {
	withDropBackoff(t, wait.Backoff{Duration: time.Hour, Factor: 1, Steps: maxDropRetries + 1})
	cs := fake.NewClientset()
	var calls atomic.Int32
	dropped := make(chan struct{})
	cs.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		if calls.Add(1) == 1 {
			close(dropped)
		}
		return true, nil, io.ErrUnexpectedEOF
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-dropped
		cancel()
	}()
	start := time.Now()
	_, err := (&Live{Client: cs}).Collect(ctx, Request{Targets: []Target{{Kind: explain.KindPod}}, Namespace: "a"})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Fatalf("err = %v, want context.Canceled that names the dropped connection", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("Collect returned after %s: the wait did not end with the context", d)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("pods listed %d times, want 1: no try after the context ended", n)
	}
}

func TestCollectOtherErrorsEndTheRun(t *testing.T) {
	cs := fake.NewClientset()
	cs.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewInternalError(errors.New("etcd is down"))
	})
	_, err := (&Live{Client: cs}).Collect(context.Background(), Request{Targets: []Target{{Kind: explain.KindPod}}, Namespace: "a"})
	if err == nil || !strings.Contains(err.Error(), `list pods in namespace "a"`) {
		t.Fatalf("err = %v, want it to name the list and namespace", err)
	}
}

func TestCollectEventsLeaveOutRoutineReasons(t *testing.T) {
	cs := fake.NewClientset()
	var sel atomic.Value
	cs.PrependReactor("list", "events", func(a k8stesting.Action) (bool, runtime.Object, error) {
		sel.Store(a.(k8stesting.ListActionImpl).GetListRestrictions().Fields.String())
		return true, &corev1.EventList{}, nil
	})
	if _, err := (&Live{Client: cs}).Collect(context.Background(), Request{Targets: []Target{{Kind: explain.KindPod}}, Namespace: "a"}); err != nil {
		t.Fatal(err)
	}
	got, _ := sel.Load().(string)
	for _, r := range []string{"Scheduled", "SuccessfulCreate", "ScalingReplicaSet"} {
		if !strings.Contains(got, "reason!="+r) {
			t.Errorf("events field selector %q does not leave out %s", got, r)
		}
	}
}

func TestGraphIgnoresRoutineEventsInFiles(t *testing.T) {
	pod := pendingPod("a", "p")
	ev := func(reason string) corev1.Event {
		return corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e-" + reason, Namespace: "a"}, Reason: reason,
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "a", Name: "p", UID: pod.UID}}
	}
	g := graph.New(&graph.Snapshot{Pods: []corev1.Pod{*pod}, Events: []corev1.Event{ev("Scheduled"), ev("FailedMount")}})
	evs := g.EventsFor("Pod", "a", "p", pod.UID)
	if len(evs) != 1 || evs[0].Reason != "FailedMount" {
		t.Fatalf("events = %v, want only FailedMount: -f must read the same events as live", evs)
	}
}

func TestTrimDropsManagedFieldsAndNodeImages(t *testing.T) {
	mf := []metav1.ManagedFieldsEntry{{Manager: "kube-scheduler", Operation: metav1.ManagedFieldsOperationUpdate}}
	pods := []corev1.Pod{*pendingPod("a", "stuck")}
	pods[0].ManagedFields = mf
	nodes := []corev1.Node{{ObjectMeta: metav1.ObjectMeta{Name: "n1", ManagedFields: mf},
		Status: corev1.NodeStatus{Images: []corev1.ContainerImage{{Names: []string{"registry.k8s.io/pause:3.10"}}}}}}
	events := []corev1.Event{{ObjectMeta: metav1.ObjectMeta{Name: "e", ManagedFields: mf}, Reason: "FailedScheduling"}}
	trim(&pods[0])
	trim(&nodes[0])
	trim(&events[0])
	if pods[0].ManagedFields != nil || nodes[0].ManagedFields != nil || events[0].ManagedFields != nil {
		t.Error("managedFields kept")
	}
	if nodes[0].Status.Images != nil {
		t.Error("node images kept")
	}
	if pods[0].Name != "stuck" || pods[0].Status.Phase != corev1.PodPending || nodes[0].Name != "n1" || events[0].Reason != "FailedScheduling" {
		t.Error("trim touched more than managedFields and images")
	}
}

// The lists go through trim page by page (the fake clientset keeps no
// managedFields of its own, so node images show it).
func TestCollectTrimsEachPage(t *testing.T) {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"},
		Status: corev1.NodeStatus{Images: []corev1.ContainerImage{{Names: []string{"registry.k8s.io/pause:3.10"}}}}}
	l := &Live{Client: fake.NewClientset(pendingPod("a", "stuck"), n)}
	snap, err := l.Collect(context.Background(), Request{Targets: []Target{{Kind: explain.KindPod}}, Namespace: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Nodes) != 1 || snap.Nodes[0].Status.Images != nil {
		t.Fatalf("nodes = %+v, want n1 without its images", snap.Nodes)
	}
}

// The cluster's mapper is asked only about a TYPE the built-in mapping does
// not know: a custom resource is "not supported", a typo "doesn't have".
func TestResolverAsksServerOnlyForUnknown(t *testing.T) {
	calls := 0
	crd := meta.NewDefaultRESTMapper(nil)
	crd.Add(schema.GroupVersionKind{Group: "argoproj.io", Version: "v1alpha1", Kind: "Rollout"}, meta.RESTScopeNamespace)
	r := Resolver{Server: func() (meta.RESTMapper, error) { calls++; return crd, nil }}
	for _, typ := range []string{"deploy", "deployments.apps", "deployment.v1.apps", "ds", "cj", "jobs.batch", "svc"} {
		_, _ = r.Kind(typ)
	}
	if calls != 0 {
		t.Fatalf("built-in TYPEs asked the server %d times", calls)
	}
	if _, err := r.Kind("rollouts"); err == nil || !strings.Contains(err.Error(), `(rollouts.argoproj.io) is not supported`) {
		t.Errorf("custom resource: err = %v", err)
	}
	if _, err := r.Kind("deploymnt"); err == nil || !strings.Contains(err.Error(), `the server doesn't have a resource type "deploymnt"`) || !strings.Contains(err.Error(), `did you mean "deployment"`) {
		t.Errorf("typo: err = %v", err)
	}
	down := Resolver{Server: func() (meta.RESTMapper, error) { return nil, errors.New("connection refused") }}
	if _, err := down.Kind("deploymnt"); err == nil || !strings.Contains(err.Error(), `unknown resource type "deploymnt"`) {
		t.Errorf("server down: err = %v", err)
	}
}
