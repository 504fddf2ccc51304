package explain

import (
	"strings"
	"testing"
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
