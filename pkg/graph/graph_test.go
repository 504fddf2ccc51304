package graph

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func controlledBy(kind, name string, uid types.UID) []metav1.OwnerReference {
	yes := true
	return []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: name, UID: uid, Controller: &yes}}
}

func rs(name string, uid types.UID, revision string, created time.Time, owner types.UID) appsv1.ReplicaSet {
	r := appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name, UID: uid,
		CreationTimestamp: metav1.NewTime(created), OwnerReferences: controlledBy("Deployment", "web", owner)}}
	if revision != "" {
		r.Annotations = map[string]string{"deployment.kubernetes.io/revision": revision}
	}
	return r
}

func pod(name string, uid types.UID, owners []metav1.OwnerReference) corev1.Pod {
	return corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name, UID: uid, OwnerReferences: owners}}
}

// names joins the objects' names in their order.
func names[T metav1.Object](objs []T) string {
	var out []string
	for _, o := range objs {
		out = append(out, o.GetName())
	}
	return strings.Join(out, " ")
}

// TestOwnerIndex: pods and replicasets are found under their controller
// only (an owner reference without controller=true is not a controller),
// pods by name, replicasets newest revision first.
func TestOwnerIndex(t *testing.T) {
	notController := []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "web-1", UID: "rs-1"}}
	s := &Snapshot{
		Deployments: []appsv1.Deployment{{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web", UID: "d"}}},
		ReplicaSets: []appsv1.ReplicaSet{
			rs("web-9", "rs-9", "9", t0, "d"),
			rs("web-10", "rs-10", "10", t0.Add(-time.Hour), "d"), // 10 > 9, whatever the names or times say
			rs("web-x", "rs-x", "", t0.Add(time.Hour), "d"),      // no revision: oldest
			rs("other", "rs-o", "11", t0, "someone-else"),
		},
		Pods: []corev1.Pod{
			pod("web-10-b", "p2", controlledBy("ReplicaSet", "web-10", "rs-10")),
			pod("web-10-a", "p1", controlledBy("ReplicaSet", "web-10", "rs-10")),
			pod("adopted-not", "p3", notController),
			pod("orphan", "p4", nil),
		},
	}
	g := New(s)
	if got := names(g.ReplicaSetsOf("d")); got != "web-10 web-9 web-x" {
		t.Errorf("ReplicaSetsOf = %s, want newest revision first: web-10 web-9 web-x", got)
	}
	if got := names(g.PodsOf("rs-10")); got != "web-10-a web-10-b" {
		t.Errorf("PodsOf = %s, want the controlled pods by name", got)
	}
	if len(g.PodsOf("rs-1")) != 0 {
		t.Error("an owner reference without controller=true is not a controller")
	}
	if !g.WalkedFromController(&s.Pods[0]) || g.WalkedFromController(&s.Pods[3]) {
		t.Error("a pod of a saved ReplicaSet is walked from it; an orphan is not")
	}
	if g.Pod("p4") == nil || g.ReplicaSet("rs-9") == nil || g.Deployment("d") == nil || g.Pod("nope") != nil {
		t.Error("lookups by UID")
	}
}

// TestEventsFor: events are found by UID, and by kind/namespace/name when
// they carry no UID, never those of an older object of the same name;
// routine events are not indexed; the newest comes last.
func TestEventsFor(t *testing.T) {
	ev := func(name, reason string, uid types.UID, last time.Time) corev1.Event {
		return corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name}, Reason: reason,
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "shop", Name: "web-a", UID: uid},
			LastTimestamp:  metav1.NewTime(last)}
	}
	s := &Snapshot{Events: []corev1.Event{
		ev("later", "BackOff", "p1", t0.Add(2*time.Minute)),
		ev("earlier", "Failed", "p1", t0),
		ev("no-uid", "FailedMount", "", t0.Add(time.Minute)),
		ev("old-pod", "Failed", "p0", t0),            // the pod of the same name before it
		ev("routine", "Scheduled", "p1", t0),         // not a cause
		ev("series", "Unhealthy", "p1", time.Time{}), // series time only
	}}
	s.Events[5].Series = &corev1.EventSeries{Count: 7, LastObservedTime: metav1.NewMicroTime(t0.Add(3 * time.Minute))}
	g := New(s)
	if got := names(g.EventsFor("Pod", "shop", "web-a", "p1")); got != "earlier no-uid later series" {
		t.Errorf("EventsFor = %s, want earlier no-uid later series", got)
	}
	if n := EventCount(&s.Events[5]); n != 7 {
		t.Errorf("EventCount of a series = %d, want 7", n)
	}
	if n := EventCount(&s.Events[2]); n != 1 {
		t.Errorf("EventCount with no count = %d, want 1", n)
	}
}

func TestHasAndGap(t *testing.T) {
	s := &Snapshot{}
	s.MarkCollected(ResPods)
	s.MarkCollected(ResEvents)
	s.AddGap(ResEvents, "forbidden")
	g := New(s)
	if !g.Has(ResPods) || g.Has(ResEvents) || g.Has(ResNodes) {
		t.Errorf("Has: pods collected, events refused, nodes not asked")
	}
	if g.Gap(ResEvents) != "forbidden" {
		t.Errorf("Gap = %q", g.Gap(ResEvents))
	}
}

// TestReplicaSetOrderTies: of two ReplicaSets with the same revision (or
// none), the newer by creation comes first.
func TestReplicaSetOrderTies(t *testing.T) {
	s := &Snapshot{ReplicaSets: []appsv1.ReplicaSet{
		rs("old", "a", "3", t0, "d"),
		rs("new", "b", "3", t0.Add(time.Minute), "d"),
		rs("bare-old", "c", "", t0, "d"),
		rs("bare-new", "e", "", t0.Add(time.Minute), "d"),
	}}
	if got := names(New(s).ReplicaSetsOf("d")); got != "new old bare-new bare-old" {
		t.Errorf("ReplicaSetsOf = %s, want new old bare-new bare-old", got)
	}
}

// TestJobsOf: a CronJob's Jobs, newest scheduled run first; the
// controller's scheduled-timestamp annotation wins over creation time.
func TestJobsOf(t *testing.T) {
	job := func(name string, created time.Time, scheduled string) batchv1.Job {
		j := batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name, UID: types.UID(name),
			CreationTimestamp: metav1.NewTime(created), OwnerReferences: controlledBy("CronJob", "backup", "cj")}}
		if scheduled != "" {
			j.Annotations = map[string]string{batchv1.CronJobScheduledTimestampAnnotation: scheduled}
		}
		return j
	}
	s := &Snapshot{
		CronJobs: []batchv1.CronJob{{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "backup", UID: "cj"}}},
		Jobs: []batchv1.Job{
			job("backup-1", t0.Add(time.Hour), t0.Format(time.RFC3339)), // created late, scheduled early
			job("backup-2", t0.Add(time.Minute), ""),
			job("backup-3", t0.Add(time.Minute), ""), // same time: by name, descending
			job("manual", t0.Add(2*time.Hour), "not a time"),
		},
	}
	g := New(s)
	if got := names(g.JobsOf("cj")); got != "manual backup-3 backup-2 backup-1" {
		t.Errorf("JobsOf = %s, want manual backup-3 backup-2 backup-1", got)
	}
	if g.CronJob("cj") == nil || g.Job("backup-1") == nil {
		t.Error("lookups by UID")
	}
}

// TestWalkedFromController: a pod is walked from its controller only when
// that controller is in the snapshot as a kind the walk starts from.
func TestWalkedFromController(t *testing.T) {
	s := &Snapshot{
		StatefulSets: []appsv1.StatefulSet{{ObjectMeta: metav1.ObjectMeta{Name: "db", UID: "sts"}}},
		DaemonSets:   []appsv1.DaemonSet{{ObjectMeta: metav1.ObjectMeta{Name: "agent", UID: "ds"}}},
		Jobs:         []batchv1.Job{{ObjectMeta: metav1.ObjectMeta{Name: "migrate", UID: "job"}}},
	}
	g := New(s)
	for _, tc := range []struct {
		kind string
		uid  types.UID
		want bool
	}{
		{"StatefulSet", "sts", true},
		{"DaemonSet", "ds", true},
		{"Job", "job", true},
		{"StatefulSet", "gone", false},         // its owner was not saved
		{"ReplicationController", "rc", false}, // a kind that is not walked
		{"DaemonSet", "sts", false},            // the UID of another kind
	} {
		p := pod("p", "p", controlledBy(tc.kind, "x", tc.uid))
		if got := g.WalkedFromController(&p); got != tc.want {
			t.Errorf("pod controlled by %s %s: walked = %v, want %v", tc.kind, tc.uid, got, tc.want)
		}
	}
	if g.StatefulSet("sts") == nil || g.DaemonSet("ds") == nil || g.DaemonSet("sts") != nil {
		t.Error("lookups by UID")
	}
}

// TestEventsForKeepsKindsApart: an event without UID about a ReplicaSet
// is not an event of the pod of the same name.
func TestEventsForKeepsKindsApart(t *testing.T) {
	s := &Snapshot{Events: []corev1.Event{{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "rs-event"}, Reason: "FailedCreate",
		InvolvedObject: corev1.ObjectReference{Kind: "ReplicaSet", Namespace: "shop", Name: "web"}}}}
	g := New(s)
	if n := len(g.EventsFor("Pod", "shop", "web", "p1")); n != 0 {
		t.Errorf("a pod called web got %d events of the ReplicaSet web", n)
	}
	if n := len(g.EventsFor("ReplicaSet", "shop", "web", "rs-1")); n != 1 {
		t.Errorf("the ReplicaSet got %d events by name, want 1", n)
	}
}

// TestEventTime: the last time an event was seen, whichever field its
// emitter set, newest field first.
func TestEventTime(t *testing.T) {
	at := func(d time.Duration) metav1.Time { return metav1.NewTime(t0.Add(d)) }
	for name, tc := range map[string]struct {
		e    corev1.Event
		want metav1.Time
	}{
		"lastTimestamp":  {corev1.Event{LastTimestamp: at(3), FirstTimestamp: at(1), EventTime: metav1.NewMicroTime(t0.Add(2))}, at(3)},
		"series":         {corev1.Event{Series: &corev1.EventSeries{LastObservedTime: metav1.NewMicroTime(t0.Add(4))}, EventTime: metav1.NewMicroTime(t0.Add(2))}, at(4)},
		"eventTime":      {corev1.Event{EventTime: metav1.NewMicroTime(t0.Add(2)), FirstTimestamp: at(1)}, at(2)},
		"firstTimestamp": {corev1.Event{FirstTimestamp: at(1), ObjectMeta: metav1.ObjectMeta{CreationTimestamp: at(0)}}, at(1)},
		"creation":       {corev1.Event{ObjectMeta: metav1.ObjectMeta{CreationTimestamp: at(5)}}, at(5)},
	} {
		if got := EventTime(&tc.e); !got.Equal(&tc.want) {
			t.Errorf("%s: EventTime = %v, want %v", name, got, tc.want)
		}
	}
}

func TestNodeAndPVC(t *testing.T) {
	s := &Snapshot{
		Nodes: []corev1.Node{{ObjectMeta: metav1.ObjectMeta{Name: "n1"}}},
		PVCs: []corev1.PersistentVolumeClaim{
			{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "data"}},
			{ObjectMeta: metav1.ObjectMeta{Namespace: "other", Name: "data"}},
		},
	}
	g := New(s)
	if g.Node("n1") == nil || g.Node("n2") != nil {
		t.Error("Node by name")
	}
	if c := g.PVC("other", "data"); c == nil || c.Namespace != "other" {
		t.Errorf("PVC(other, data) = %v: claims are looked up in their namespace", c)
	}
	if g.PVC("shop", "logs") != nil {
		t.Error("PVC of a claim that does not exist")
	}
}
