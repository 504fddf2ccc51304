package graph

import (
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

// selMeta is the metadata of an object in selectSnapshot, controlled by
// owner (a kind and UID) when owner is not empty.
func selMeta(ns, name string, uid types.UID, app string, ownerKind string, owner types.UID) metav1.ObjectMeta {
	m := metav1.ObjectMeta{Namespace: ns, Name: name, UID: uid, Labels: map[string]string{"app": app}}
	if owner != "" {
		m.OwnerReferences = []metav1.OwnerReference{{Kind: ownerKind, Name: "owner", UID: owner, Controller: ptr.To(true)}}
	}
	return m
}

// selectSnapshot: in shop, deployment web with its current replicaset and
// pod and an old revision scaled to zero; a bare pod; a replicaset whose
// deployment was not collected. In other, a deployment also called web.
func selectSnapshot() *Graph {
	return New(&Snapshot{
		Deployments: []appsv1.Deployment{
			{ObjectMeta: selMeta("shop", "web", "d1", "web", "", "")},
			{ObjectMeta: selMeta("other", "web", "d2", "web", "", "")},
		},
		ReplicaSets: []appsv1.ReplicaSet{
			{ObjectMeta: selMeta("shop", "web-new", "rs1", "web", "Deployment", "d1"), Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](1)}},
			{ObjectMeta: selMeta("shop", "web-old", "rs0", "web", "Deployment", "d1"), Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](0)}},
			{ObjectMeta: selMeta("shop", "orphan-rs", "rs9", "batch", "Deployment", "gone"), Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](0)}},
		},
		Pods: []corev1.Pod{
			{ObjectMeta: selMeta("shop", "web-new-x", "p1", "web", "ReplicaSet", "rs1")},
			{ObjectMeta: selMeta("shop", "bare", "p2", "batch", "", "")},
		},
	})
}

func TestSelect(t *testing.T) {
	g := selectSnapshot()
	all := []Want{{Kind: "Deployment", All: true}, {Kind: "ReplicaSet", All: true}, {Kind: "Pod", All: true}}
	for _, tc := range []struct {
		name    string
		q       Query
		want    []string // kind/namespace/name, in order
		missing []string // names of the wants that matched nothing
	}{
		{"all stands alone: no walked-to replicaset or pod, no empty old revision", Query{Wants: all, Namespace: "shop"},
			[]string{"Deployment/shop/web", "Pod/shop/bare"}, nil},
		{"every namespace, sorted by namespace first", Query{Wants: all, AllNamespaces: true},
			[]string{"Deployment/other/web", "Deployment/shop/web", "Pod/shop/bare"}, nil},
		{"no namespace is every namespace (saved objects)", Query{Wants: []Want{{Kind: "Deployment", Name: "web"}}},
			[]string{"Deployment/other/web", "Deployment/shop/web"}, nil},
		{"a kind without All keeps what a workload walks to", Query{Wants: []Want{{Kind: "ReplicaSet"}}, Namespace: "shop"},
			[]string{"ReplicaSet/shop/orphan-rs", "ReplicaSet/shop/web-new", "ReplicaSet/shop/web-old"}, nil},
		{"a label selector", Query{Wants: []Want{{Kind: "Pod"}, {Kind: "ReplicaSet"}}, Namespace: "shop", Selector: labels.SelectorFromSet(labels.Set{"app": "batch"})},
			[]string{"Pod/shop/bare", "ReplicaSet/shop/orphan-rs"}, nil},
		{"a name asked twice is one target", Query{Wants: []Want{{Kind: "Pod", Name: "bare"}, {Kind: "Pod", Name: "bare"}}, Namespace: "shop"},
			[]string{"Pod/shop/bare"}, nil},
		{"a name in the wrong namespace is missing", Query{Wants: []Want{{Kind: "Pod", Name: "bare"}}, Namespace: "other"},
			nil, []string{"bare"}},
		{"a name found as one of several kinds is not missing", Query{Wants: []Want{
			{Kind: "Deployment", Name: "bare", AnyOf: []string{"Deployment", "Pod"}}, {Kind: "Pod", Name: "bare", AnyOf: []string{"Deployment", "Pod"}}}, Namespace: "shop"},
			[]string{"Pod/shop/bare"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			selected, missing := g.Select(tc.q)
			var got, gotMissing []string
			for _, s := range selected {
				got = append(got, s.Kind+"/"+s.Namespace+"/"+s.Name)
				if s.UID == "" {
					t.Errorf("%s/%s selected without its UID", s.Kind, s.Name)
				}
			}
			for _, w := range missing {
				gotMissing = append(gotMissing, w.Name)
			}
			if !slices.Equal(got, tc.want) || !slices.Equal(gotMissing, tc.missing) {
				t.Errorf("Select = %q, missing %q; want %q, missing %q", got, gotMissing, tc.want, tc.missing)
			}
		})
	}
}

func TestStandsAlone(t *testing.T) {
	g := selectSnapshot()
	for _, tc := range []struct {
		kind string
		obj  metav1.Object
		want bool
	}{
		{"Deployment", &g.Snap.Deployments[0], true},
		{"ReplicaSet", &g.Snap.ReplicaSets[0], false}, // walked to from its deployment
		{"ReplicaSet", &g.Snap.ReplicaSets[1], false}, // walked to, and history anyway
		{"ReplicaSet", &g.Snap.ReplicaSets[2], false}, // its deployment is gone, but scaled to zero with no pods
		{"Pod", &g.Snap.Pods[0], false},
		{"Pod", &g.Snap.Pods[1], true},
	} {
		if got := g.StandsAlone(tc.kind, tc.obj); got != tc.want {
			t.Errorf("StandsAlone(%s %s) = %v, want %v", tc.kind, tc.obj.GetName(), got, tc.want)
		}
	}
}
