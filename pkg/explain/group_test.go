package explain

import (
	"strings"
	"testing"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	corev1 "k8s.io/api/core/v1"
)

// TestGroupPodFixtures folds the findings of every pod of a fixture as a
// workload does: one cause is one finding, whatever the moment each pod was
// read in, and what sets the failing replicas apart is said.
func TestGroupPodFixtures(t *testing.T) {
	tests := []struct {
		fixture string
		code    Code
		pods    []string
		facts   map[string]string
		inCause []string
	}{
		// One replica between tries (ErrImagePull), the other backing off.
		{fixture: "image-two-replicas", code: CodeImageNotFound,
			pods:    []string{"web-6b8f7d9c4-q7m2z", "web-6b8f7d9c4-r4t8n"},
			inCause: []string{"2 pods: image registry.example/shop/web:2.0.0 does not exist"}},
		// 2 of 6 fail, both on node-c, whose disk is full.
		{fixture: "image-disk-full", code: CodeNodeDiskFull,
			pods:    []string{"web-7d4b9c6f5-2xk8p", "web-7d4b9c6f5-h9t7c"},
			facts:   map[string]string{"onlyNode": "node-c", "node": "node-c"},
			inCause: []string{"node node-c has no disk space left", "only on node node-c; the 4 healthy replicas run on other nodes"}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			g := loadFixture(t, tt.fixture)
			var fs []Finding
			for i := range g.Snap.Pods {
				fs = append(fs, DiagnosePod(g, &g.Snap.Pods[i])...)
			}
			got := groupPods(g, fs)
			if len(got) != 1 {
				t.Fatalf("want one finding, got %d: %v", len(got), codes(got))
			}
			f := got[0]
			if f.Code != tt.code || f.Count != len(tt.pods) || strings.Join(f.Pods, ",") != strings.Join(tt.pods, ",") {
				t.Errorf("got %s for %d pods %v, want %s for %v", f.Code, f.Count, f.Pods, tt.code, tt.pods)
			}
			if f.Object.Kind != KindReplicaSet {
				t.Errorf("object = %v, want the replicaset", f.Object)
			}
			for k, v := range tt.facts {
				if f.Facts[k] != v {
					t.Errorf("fact %s = %q, want %q", k, f.Facts[k], v)
				}
			}
			for _, w := range tt.inCause {
				if !strings.Contains(f.Cause, w) {
					t.Errorf("cause %q lacks %q", f.Cause, w)
				}
			}
		})
	}
}

// A tag moved: the two failing replicas run another digest than the
// healthy one, on the same node. The digest is what sets them apart.
func TestSetApartByImageDigest(t *testing.T) {
	s := loadWorkload(t, "healthy").Snap
	if len(s.Pods) < 3 {
		t.Fatalf("fixture has %d pods, want 3", len(s.Pods))
	}
	for i := range s.Pods {
		p := &s.Pods[i]
		p.Spec.NodeName = "kwok-node-0"
		p.Status.ContainerStatuses[0].ImageID = "docker.io/library/nginx@sha256:aaaa"
		if i == 0 {
			continue
		}
		p.Status.ContainerStatuses[0].ImageID = "docker.io/library/nginx@sha256:bbbb"
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse}}
		p.Status.ContainerStatuses[0].Ready = false
		p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{
			Reason: "CreateContainerConfigError", Message: `secret "db" not found`}}
	}
	g := graph.New(s)
	var fs []Finding
	for i := range s.Pods {
		fs = append(fs, DiagnosePod(g, &s.Pods[i])...)
	}
	got := groupPods(g, fs)
	if len(got) != 1 || got[0].Count != 2 || got[0].Facts["onlyImageDigest"] != "sha256:bbbb" || got[0].Facts["onlyNode"] != "" {
		t.Fatalf("want 2 pods set apart by digest, got %+v", got)
	}
	if !strings.Contains(got[0].Cause, "image digest sha256:bbbb") {
		t.Errorf("cause %q does not name the digest", got[0].Cause)
	}
}
