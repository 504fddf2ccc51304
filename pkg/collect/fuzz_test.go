package collect

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"github.com/kubectl-why/kubectl-why/pkg/graph"
)

// Ways the fuzzed bytes reach FromFiles.
const (
	viaFile  = iota // -f FILE
	viaStdin        // -f -
	viaDir          // -f DIR, the bytes in DIR/ns/pods.json
	viaCount
)

// FuzzFromFiles feeds arbitrary bytes to the -f reader, seeded with every
// pod fixture of pkg/explain and every file of testdata. Whatever the bytes,
// FromFiles must not panic, an error must be one line that says it is about
// -f, and a snapshot it accepts must go through the graph and every rule
// without a panic and with known codes only.
func FuzzFromFiles(f *testing.F) {
	var seeds []string
	for _, glob := range []string{
		filepath.Join("..", "explain", "testdata", "pods", "*.yaml"),
		filepath.Join("testdata", "files", "*"),
	} {
		m, err := filepath.Glob(glob)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, m...)
	}
	_ = filepath.WalkDir(filepath.Join("testdata", "dump"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".json") {
			seeds = append(seeds, p)
		}
		return nil
	})
	if len(seeds) < 20 {
		f.Fatalf("only %d seed files: are the fixtures where they were?", len(seeds))
	}
	for i, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(i%viaCount))
	}

	f.Fuzz(func(t *testing.T, data []byte, via uint8) {
		if len(data) > 1<<20 {
			return // size is not what is fuzzed
		}
		dir := t.TempDir()
		var args []string
		switch via % viaCount {
		case viaFile:
			p := filepath.Join(dir, "state.yaml")
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			args = []string{p}
		case viaStdin:
			old := stdin
			stdin = strings.NewReader(string(data))
			defer func() { stdin = old }()
			args = []string{"-"}
		case viaDir:
			if err := os.MkdirAll(filepath.Join(dir, "ns"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "ns", "pods.json"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			args = []string{dir}
		}
		snap, notes, err := FromFiles(args, FileOptions{Now: fileNow})
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "read -f ") || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error is not one line about -f: %q", msg)
			}
			return
		}
		if snap == nil {
			t.Fatal("no error and no snapshot")
		}
		for _, n := range notes {
			if strings.ContainsAny(n, "\n\r") {
				t.Fatalf("note is not one line: %q", n)
			}
		}
		if len(snap.Pods) > 16 || len(snap.Events) > 128 {
			return // keep each run fast
		}
		explainAll(t, snap)
	})
}

// explainAll runs every rule over every object of snap.
func explainAll(t *testing.T, snap *graph.Snapshot) {
	t.Helper()
	rep := explain.Explain(graph.New(snap), allRefs(snap))
	for _, r := range rep.Items {
		for _, fd := range r.Findings {
			if _, ok := explain.Info(fd.Code); !ok {
				t.Fatalf("%s/%s: unknown code %q", r.Target.Kind, r.Target.Name, fd.Code)
			}
		}
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Fatalf("marshal report: %v", err)
	}
}

// allRefs names every pod, replicaset, deployment and statefulset of snap
// as a target.
func allRefs(snap *graph.Snapshot) []explain.Ref {
	var refs []explain.Ref
	for _, o := range snap.Pods {
		refs = append(refs, explain.Ref{Kind: explain.KindPod, Namespace: o.Namespace, Name: o.Name, UID: o.UID})
	}
	for _, o := range snap.ReplicaSets {
		refs = append(refs, explain.Ref{Kind: explain.KindReplicaSet, Namespace: o.Namespace, Name: o.Name, UID: o.UID})
	}
	for _, o := range snap.Deployments {
		refs = append(refs, explain.Ref{Kind: explain.KindDeployment, Namespace: o.Namespace, Name: o.Name, UID: o.UID})
	}
	for _, o := range snap.StatefulSets {
		refs = append(refs, explain.Ref{Kind: explain.KindStatefulSet, Namespace: o.Namespace, Name: o.Name, UID: o.UID})
	}
	return refs
}
