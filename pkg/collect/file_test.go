package collect

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"github.com/kubectl-why/kubectl-why/pkg/graph"
)

// fileNow is after every timestamp in testdata and before the files' own
// modification times, so that the snapshot's moment is fileNow itself.
var fileNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func files(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, filepath.Join("testdata", "files", n))
	}
	return out
}

// TestFromFilesBadInput: every malformed or empty input is one line that
// starts with "read -f" and names what is wrong and where.
func TestFromFilesBadInput(t *testing.T) {
	emptyDir := t.TempDir()
	txtDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(txtDir, "notes.txt"), []byte("not yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	badDir := t.TempDir()
	for _, f := range []string{"malformed-flow.yaml", "malformed.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "files", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(badDir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		files []string
		want  string
	}{
		// Line numbers count from the start of the file, not of the document.
		{"yaml error in the second document", files("malformed-second-doc.yaml"), "malformed-second-doc.yaml:16: invalid YAML: mapping values are not allowed in this context"},
		{"unclosed flow sequence", files("malformed-flow.yaml"), "malformed-flow.yaml:5: invalid YAML: did not find expected ',' or ']'"},
		{"json syntax error", files("malformed.json"), "malformed.json:8: invalid JSON: invalid character '\"' after object key:value pair"},
		{"text after a separator", files("bad-separator.yaml"), "bad-separator.yaml:6: invalid YAML: a document separator (---) may be followed only by a comment"},
		{"a list, not an object", files("not-an-object.yaml"), "not-an-object.yaml:2: not a Kubernetes object: a document must be a mapping with apiVersion and kind, not a list"},
		{"second document has no kind", files("no-kind.yaml"), "no-kind.yaml:7: not a Kubernetes object: no kind"},
		{"list item has no kind", files("list-item-no-kind.json"), `list-item-no-kind.json: an object with no kind (metadata.name "b")`},
		{"no metadata.name", files("nameless.yaml"), "nameless.yaml: a Deployment with no metadata.name"},
		{"field of the wrong type", files("wrong-field-type.json"), "wrong-field-type.json: Pod shop/b: "},
		{"empty file", files("empty.yaml"), "no Kubernetes objects found: the files are empty or hold only empty Lists"},
		{"comments only", files("comments-only.yaml"), "no Kubernetes objects found"},
		{"empty List", files("empty-list.yaml"), "no Kubernetes objects found"},
		{"empty PodList", files("empty-podlist.json"), "no Kubernetes objects found"},
		{"empty directory", []string{emptyDir}, "holds no .json, .yaml, .yml files"},
		{"directory of other files", []string{txtDir}, "holds no .json, .yaml, .yml files"},
		{"only kinds kubectl why does not explain", files("only-unsupported.yaml"), "nothing to explain: no pods, deployments, replicasets or statefulsets (found 1 ConfigMap, 1 Event, 1 Service)"},
		{"missing file", files("does-not-exist.yaml"), `does-not-exist.yaml" does not exist`},
		{"two bad files in a directory", []string{badDir}, "malformed-flow.yaml:5: invalid YAML"},
		{"stdin twice", []string{"-", "-"}, `"-" (standard input) can be given only once`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			withStdin(t, "")
			snap, _, err := FromFiles(tc.files, fileNow)
			if err == nil {
				t.Fatalf("no error; snapshot has %d pods", len(snap.Pods))
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "read -f ") || !strings.Contains(msg, tc.want) {
				t.Fatalf("error:\n  %s\nwant it to start with \"read -f \" and contain\n  %s", msg, tc.want)
			}
			if strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error is not one line: %q", msg)
			}
		})
	}
}

func TestFromFilesBadInputNamesEveryFile(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"malformed-flow.yaml", "malformed.json"} {
		data, _ := os.ReadFile(filepath.Join("testdata", "files", f))
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := FromFiles([]string{dir}, fileNow)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"malformed-flow.yaml:5:", "malformed.json:8:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func withStdin(t *testing.T, s string) {
	t.Helper()
	old := stdin
	stdin = strings.NewReader(s)
	t.Cleanup(func() { stdin = old })
}

func TestFromFilesStdin(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "files", "mixed-kinds.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	withStdin(t, string(data))
	snap, notes, err := FromFiles([]string{"-"}, fileNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Pods) != 1 || snap.Pods[0].Name != "solo" {
		t.Fatalf("pods = %v", podNames(snap))
	}
	if len(notes) == 0 || !strings.Contains(notes[0], "skipped") {
		t.Fatalf("notes = %q", notes)
	}

	bad, _ := os.ReadFile(filepath.Join("testdata", "files", "malformed-second-doc.yaml"))
	withStdin(t, string(bad))
	_, _, err = FromFiles([]string{"-"}, fileNow)
	if err == nil || !strings.Contains(err.Error(), "STDIN:16: invalid YAML") {
		t.Fatalf("err = %v, want STDIN:16", err)
	}
}

func podNames(s *graph.Snapshot) []string {
	var out []string
	for _, p := range s.Pods {
		out = append(out, p.Name)
	}
	sort.Strings(out)
	return out
}

// TestFromFilesNotes: what the files lack or hold beyond what kubectl why
// reads is said, counted, and never silently treated as "none".
func TestFromFilesNotes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		files     []string
		wantNotes []string
		wantGaps  []string
		collected []string
	}{
		{
			name:  "kinds skipped, counted by kind and group",
			files: files("mixed-kinds.yaml"),
			wantNotes: []string{
				"skipped 2 ConfigMap, 1 Event.events.k8s.io, 1 Service: kubectl why does not use these kinds",
			},
			// An empty EventList and NodeList say that events and nodes
			// were saved and there were none.
			collected: []string{graph.ResPods, graph.ResEvents, graph.ResNodes},
		},
		{
			name:  "a manifest is not saved state",
			files: files("manifest.yaml"),
			wantNotes: []string{
				"1 object(s) have no status (deployment/web): they look like manifests, not saved state; save the live objects with kubectl get -o yaml",
			},
			collected: []string{graph.ResDeployments},
		},
		{
			name:      "pods without events or nodes",
			files:     files("pods-only.yaml"),
			wantGaps:  []string{graph.ResEvents + "=the files hold no events", graph.ResNodes + "=the files hold no nodes"},
			collected: []string{graph.ResPods},
		},
		{
			name:  "owners, nodes and claims not saved",
			files: files("orphans.yaml"),
			wantNotes: []string{
				"2 pod(s) belong to owners that are not in the files (replicaset/web-7d4b9c6f5, statefulset/db): their rollout is not checked",
			},
			wantGaps:  []string{graph.ResNodes + "=the files hold no nodes", graph.ResPVCs + "=the files hold no persistentvolumeclaims"},
			collected: []string{graph.ResPods, graph.ResReplicaSets, graph.ResEvents},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap, notes, err := FromFiles(tc.files, fileNow)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(notes, tc.wantNotes) {
				t.Errorf("notes:\n  %q\nwant\n  %q", notes, tc.wantNotes)
			}
			for _, g := range tc.wantGaps {
				res, reason, _ := strings.Cut(g, "=")
				got, ok := snap.Gaps[res]
				if !ok || !strings.HasPrefix(got, reason) {
					t.Errorf("gap %s = %q (present %v), want it to start with %q", res, got, ok, reason)
				}
			}
			if len(snap.Gaps) != len(tc.wantGaps) {
				t.Errorf("gaps = %v, want %d", snap.Gaps, len(tc.wantGaps))
			}
			for _, res := range tc.collected {
				if !snap.Collected[res] {
					t.Errorf("%s not marked collected (collected: %v)", res, snap.Collected)
				}
			}
		})
	}
}

// TestFromFilesOrphansNeverPanic explains everything in a file of pods
// whose owners, nodes, claims and events' objects are absent, as a live
// walk sees when objects are deleted between two LISTs.
func TestFromFilesOrphansNeverPanic(t *testing.T) {
	snap, _, err := FromFiles(files("orphans.yaml"), fileNow)
	if err != nil {
		t.Fatal(err)
	}
	// The file holds pods and a replicaset, no workload above them.
	rep := explain.Explain(graph.New(snap), allRefs(snap))
	if len(rep.Items) != 3 {
		t.Fatalf("want 3 results, got %d", len(rep.Items))
	}
	byName := map[string]explain.Result{}
	for _, r := range rep.Items {
		byName[r.Target.Name] = r
	}
	web := byName["web-7d4b9c6f5-x2k9p"]
	if !reflect.DeepEqual(web.Owners, []string{"replicaset/web-7d4b9c6f5"}) {
		t.Errorf("owners of a pod whose replicaset is absent = %q, want the owner reference's name", web.Owners)
	}
	if web.Verdict == explain.VerdictReady || !hasFindingCode(web, explain.CodeCrashLoop) {
		t.Errorf("crashlooping pod without its owner: verdict %s, findings %v", web.Verdict, codesOf(web))
	}
	if db := byName["db-0"]; db.Verdict == explain.VerdictReady {
		t.Errorf("unschedulable pod without its owner is Ready")
	}
	if api := byName["api-5f6d7c8b9"]; api.Verdict == explain.VerdictReady {
		t.Errorf("replicaset with 0 of 1 pods and no deployment is Ready")
	}
}

func hasFindingCode(r explain.Result, c explain.Code) bool {
	for _, f := range r.Findings {
		if f.Code == c {
			return true
		}
	}
	return false
}

func codesOf(r explain.Result) []explain.Code {
	var out []explain.Code
	for _, f := range r.Findings {
		out = append(out, f.Code)
	}
	return out
}

// TestFromFilesClusterInfoDump reads a `kubectl cluster-info dump
// --namespaces shop --output-directory` taken from the local control plane:
// JSON lists per kind and namespace, and logs.txt files that are ignored.
func TestFromFilesClusterInfoDump(t *testing.T) {
	now := time.Date(2026, 11, 23, 5, 5, 0, 0, time.UTC)
	snap, notes, err := FromFiles([]string{filepath.Join("testdata", "dump")}, now)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{"pods": len(snap.Pods), "replicasets": len(snap.ReplicaSets), "deployments": len(snap.Deployments),
		"events": len(snap.Events), "nodes": len(snap.Nodes)}
	want := map[string]int{"pods": 2, "replicasets": 1, "deployments": 1, "events": 7, "nodes": 3}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("counts = %v, want %v", got, want)
	}
	if len(snap.Gaps) != 0 {
		t.Errorf("gaps = %v, want none: the dump holds events and nodes", snap.Gaps)
	}
	if !reflect.DeepEqual(notes, []string{"skipped 1 Service: kubectl why does not use these kinds"}) {
		t.Errorf("notes = %q", notes)
	}
	g := graph.New(snap)
	d := snap.Deployments[0]
	rep := explain.Explain(g, []explain.Ref{{Kind: explain.KindDeployment, Namespace: d.Namespace, Name: d.Name, UID: d.UID}})
	if len(rep.Items) != 1 || !hasFindingCode(rep.Items[0], explain.CodeImageNotFound) {
		t.Fatalf("deployment/web from the dump: want ImageNotFound, got %+v", rep.Items)
	}
}

// TestFromFilesSavedAt: the snapshot stands for the moment the files were
// saved, so that an old dump is read as it was, with a note saying so.
func TestFromFilesSavedAt(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "files", "orphans.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	latest := time.Date(2026, 3, 1, 11, 42, 0, 0, time.UTC) // the newest time inside the file
	for _, tc := range []struct {
		name     string
		mtime    time.Time
		now      time.Time
		want     time.Time
		wantNote string
	}{
		{"saved a day ago", latest.Add(time.Minute), latest.Add(25 * time.Hour), latest.Add(time.Minute), "the files were saved about 24h ago (2026-03-01T11:43:00Z): ages and deadlines are as of then"},
		{"saved just now", fileNow, fileNow, fileNow, ""},
		{"copied later: mtime after now", fileNow.Add(time.Hour), fileNow, fileNow, ""},
		{"mtime before the content: the content wins", latest.Add(-time.Hour), latest.Add(time.Minute), latest, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.yaml")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(path, tc.mtime, tc.mtime); err != nil {
				t.Fatal(err)
			}
			snap, notes, err := FromFiles([]string{path}, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			if !snap.Now.Equal(tc.want) {
				t.Errorf("Now = %s, want %s", snap.Now, tc.want)
			}
			found := tc.wantNote == ""
			for _, n := range notes {
				if strings.HasPrefix(n, "the files were saved") {
					if n != tc.wantNote {
						t.Errorf("note %q, want %q", n, tc.wantNote)
					}
					found = true
				}
			}
			if !found {
				t.Errorf("no note %q in %q", tc.wantNote, notes)
			}
		})
	}
}

func TestSplitDocuments(t *testing.T) {
	docs, bad := splitDocuments([]byte("# c\n---\na: 1\n--- # comment\n\nb: 2\n---\n--- x\nc: 3\n"))
	var lines []int
	for _, d := range docs {
		lines = append(lines, d.line)
	}
	if !reflect.DeepEqual(lines, []int{1, 3, 5}) || bad != 8 {
		t.Fatalf("document lines %v, bad separator %d; want [1 3 5] and 8", lines, bad)
	}
}
