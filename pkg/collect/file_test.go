package collect

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"github.com/kubectl-why/kubectl-why/pkg/graph"
	"github.com/kubectl-why/kubectl-why/pkg/printers"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/resource"
)

// fileNow is the wall clock: after every time that testdata/files records.
var fileNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func files(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, filepath.Join("testdata", "files", n))
	}
	return out
}

// dirOf is a new directory holding copies of the named testdata/files.
func dirOf(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join("testdata", "files", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestFromFilesBadInput: every malformed or empty input is one line that
// starts with "read -f" and names what is wrong and where.
func TestFromFilesBadInput(t *testing.T) {
	emptyDir := t.TempDir()
	txtDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(txtDir, "notes.txt"), []byte("not yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	badDir := dirOf(t, "malformed-flow.yaml", "malformed.json")
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
		{"only kinds kubectl why does not explain", files("only-unsupported.yaml"), "nothing to explain: no pods, deployments, replicasets, statefulsets, daemonsets, jobs or cronjobs (found 1 ConfigMap, 1 Event, 1 Service)"},
		{"missing file", files("does-not-exist.yaml"), `does-not-exist.yaml" does not exist`},
		{"two bad files in a directory", []string{badDir}, "malformed-flow.yaml:5: invalid YAML"},
		{"stdin twice", []string{"-", "-"}, `"-" (standard input) can be given only once`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			withStdin(t, "")
			snap, _, err := FromFiles(tc.files, FileOptions{Now: fileNow})
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
	_, _, err := FromFiles([]string{dirOf(t, "malformed-flow.yaml", "malformed.json")}, FileOptions{Now: fileNow})
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
	snap, notes, err := FromFiles([]string{"-"}, FileOptions{Now: fileNow})
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
	_, _, err = FromFiles([]string{"-"}, FileOptions{Now: fileNow})
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
				"saved objects explained as of 2026-03-01T11:00:05Z (the newest time they record); use --as-of to change it",
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
				"saved objects record no time: explained as of now (2026-03-01T12:00:00Z); use --as-of to change it",
			},
			collected: []string{graph.ResDeployments},
		},
		{
			name:      "pods without events or nodes",
			files:     files("pods-only.yaml"),
			wantNotes: []string{"saved objects explained as of 2026-03-01T11:50:00Z (the newest time they record); use --as-of to change it"},
			wantGaps:  []string{graph.ResEvents + "=the files hold no events", graph.ResNodes + "=the files hold no nodes"},
			collected: []string{graph.ResPods},
		},
		{
			name:  "owners, nodes and claims not saved",
			files: files("orphans.yaml"),
			wantNotes: []string{
				"2 pod(s) belong to owners that are not in the files (replicaset/web-7d4b9c6f5, statefulset/db): their rollout is not checked",
				"saved objects explained as of 2026-03-01T11:42:00Z (the newest time they record); use --as-of to change it",
			},
			wantGaps:  []string{graph.ResNodes + "=the files hold no nodes", graph.ResPVCs + "=the files hold no persistentvolumeclaims"},
			collected: []string{graph.ResPods, graph.ResReplicaSets, graph.ResEvents},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap, notes, err := FromFiles(tc.files, FileOptions{Now: fileNow})
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
	snap, _, err := FromFiles(files("orphans.yaml"), FileOptions{Now: fileNow})
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
	if web.Verdict == explain.VerdictReady || !hasFindingCode(web, explain.CodeCrashLoopBackOff) {
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
	snap, notes, err := FromFiles([]string{filepath.Join("testdata", "dump")}, FileOptions{Now: now})
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
	if !reflect.DeepEqual(notes, []string{"skipped 1 Service: kubectl why does not use these kinds",
		"saved objects explained as of 2026-11-23T05:04:25Z (the newest time they record); use --as-of to change it"}) {
		t.Errorf("notes = %q", notes)
	}
	g := graph.New(snap)
	d := snap.Deployments[0]
	rep := explain.Explain(g, []explain.Ref{{Kind: explain.KindDeployment, Namespace: d.Namespace, Name: d.Name, UID: d.UID}})
	if len(rep.Items) != 1 || !hasFindingCode(rep.Items[0], explain.CodeImageNotFound) {
		t.Fatalf("deployment/web from the dump: want ImageNotFound, got %+v", rep.Items)
	}
}

// TestFromFilesNamespace: objects saved without a namespace are placed in
// the one given, as kubectl places them with -f, and so are the objects
// their events are about; cluster-scoped ones stay without.
func TestFromFilesNamespace(t *testing.T) {
	const pod = "web-7d4b9c6f5-x2k9p"
	for _, tc := range []struct {
		name, namespace string
		want            string // the pod's namespace, and its events'
		wantNote        string
	}{
		{"-n or the context's namespace", "shop", "shop",
			"4 object(s) saved without metadata.namespace are read as in namespace shop, as kubectl reads -f (-n, or the context's namespace)"},
		{"none given: left without", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap, notes, err := FromFiles(files("no-namespace.yaml"), FileOptions{Namespace: tc.namespace, Now: fileNow})
			if err != nil {
				t.Fatal(err)
			}
			if got := snap.Pods[0].Namespace; got != tc.want {
				t.Errorf("pod namespace %q, want %q", got, tc.want)
			}
			for _, e := range snap.Events {
				wantInvolved := tc.want
				if e.InvolvedObject.Kind == "Node" {
					wantInvolved = ""
				}
				if e.Namespace != tc.want || e.InvolvedObject.Namespace != wantInvolved {
					t.Errorf("event %s in %q about %s in %q, want %q and %q", e.Name, e.Namespace, e.InvolvedObject.Kind, e.InvolvedObject.Namespace, tc.want, wantInvolved)
				}
			}
			if ns := snap.Nodes[0].Namespace; ns != "" {
				t.Errorf("node placed in namespace %q", ns)
			}
			if placed := slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, "without metadata.namespace") }); placed != (tc.wantNote != "") || tc.wantNote != "" && !slices.Contains(notes, tc.wantNote) {
				t.Errorf("notes %q, want %q", notes, tc.wantNote)
			}
			// The mount failure is told only by the events, which carry no
			// involvedObject.uid: they match the pod by namespace and name.
			p := snap.Pods[0]
			rep := explain.Explain(graph.New(snap), []explain.Ref{{Kind: explain.KindPod, Namespace: p.Namespace, Name: pod, UID: p.UID}})
			if !hasFindingCode(rep.Items[0], explain.CodeConfigMapNotFound) {
				t.Errorf("want ConfigMapNotFound from the events, got %v", codesOf(rep.Items[0]))
			}
		})
	}
	// Objects saved with a namespace keep it.
	snap, notes, err := FromFiles(files("orphans.yaml"), FileOptions{Namespace: "other", Now: fileNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range snap.Pods {
		if p.Namespace != "shop" {
			t.Errorf("pod %s moved to %q", p.Name, p.Namespace)
		}
	}
	if strings.Contains(strings.Join(notes, "\n"), "without metadata.namespace") {
		t.Errorf("notes %q say objects were placed", notes)
	}
}

// TestFromFilesAsOf: the snapshot stands for the newest moment the saved
// objects record, wherever and whenever they are read; the files'
// modification time and the clock count only when the objects record no
// time, and --as-of overrides all.
func TestFromFilesAsOf(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "files", "orphans.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// A pod that records no time: a hand-written or stripped file.
	timeless := []byte("apiVersion: v1\nkind: Pod\nmetadata: {name: bare, namespace: shop}\nspec: {containers: [{name: app, image: nginx}]}\nstatus: {phase: Pending}\n")
	latest := time.Date(2026, 3, 1, 11, 42, 0, 0, time.UTC) // the newest time orphans.yaml records
	yearLater := latest.AddDate(1, 0, 0)
	asOf := time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		data     []byte
		stdin    bool
		mtime    time.Time
		opts     FileOptions
		want     time.Time
		wantNote string
	}{
		{"read the day it was saved", data, false, latest.Add(time.Minute), FileOptions{Now: latest.Add(2 * time.Minute)}, latest,
			"saved objects explained as of 2026-03-01T11:42:00Z (the newest time they record); use --as-of to change it"},
		{"copied a year later", data, false, yearLater, FileOptions{Now: yearLater}, latest,
			"saved objects explained as of 2026-03-01T11:42:00Z (the newest time they record); use --as-of to change it"},
		{"mtime before the content", data, false, latest.Add(-time.Hour), FileOptions{Now: yearLater}, latest,
			"saved objects explained as of 2026-03-01T11:42:00Z (the newest time they record); use --as-of to change it"},
		{"standard input a year later", data, true, time.Time{}, FileOptions{Now: yearLater}, latest,
			"saved objects explained as of 2026-03-01T11:42:00Z (the newest time they record); use --as-of to change it"},
		{"--as-of", data, false, yearLater, FileOptions{Now: yearLater, AsOf: asOf}, asOf,
			"saved objects explained as of 2026-02-28T00:00:00Z (--as-of)"},
		{"content later than the clock", data, false, latest, FileOptions{Now: latest.Add(-time.Minute)}, latest.Add(-time.Minute),
			"saved objects record times up to 2026-03-01T11:42:00Z, later than this machine's clock: explained as of now (2026-03-01T11:41:00Z); use --as-of to change it"},
		{"no time recorded: the modification time", timeless, false, latest, FileOptions{Now: yearLater}, latest,
			"saved objects record no time: explained as of 2026-03-01T11:42:00Z (the files' modification time); use --as-of to change it"},
		{"no time recorded, modified after now: now", timeless, false, yearLater, FileOptions{Now: latest}, latest,
			"saved objects record no time: explained as of now (2026-03-01T11:42:00Z); use --as-of to change it"},
		{"no time recorded, standard input: now", timeless, true, time.Time{}, FileOptions{Now: latest}, latest,
			"saved objects record no time: explained as of now (2026-03-01T11:42:00Z); use --as-of to change it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-"}
			withStdin(t, string(tc.data))
			if !tc.stdin {
				args = []string{filepath.Join(t.TempDir(), "state.yaml")}
				writeWithMtime(t, args[0], tc.data, tc.mtime)
			}
			snap, notes, err := FromFiles(args, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !snap.Now.Equal(tc.want) {
				t.Errorf("Now = %s, want %s", snap.Now, tc.want)
			}
			if !slices.Contains(notes, tc.wantNote) {
				t.Errorf("no note %q in %q", tc.wantNote, notes)
			}
		})
	}
}

func writeWithMtime(t *testing.T, path string, data []byte, mtime time.Time) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// TestRecordedTimes: which fields say that something happened before the
// objects were saved, and which may lie ahead of that moment.
func TestRecordedTimes(t *testing.T) {
	const before, after = "2026-03-01T11:00:00Z", "2026-03-01T12:30:00Z"
	for _, tc := range []struct {
		name string
		obj  string
		want string // "" for none
	}{
		{"creation", `{"kind":"ConfigMap","metadata":{"creationTimestamp":"` + before + `"}}`, before},
		{"deletion minus the grace period", `{"kind":"Pod","metadata":{"deletionTimestamp":"2026-03-01T11:00:30Z","deletionGracePeriodSeconds":30}}`, before},
		{"deletion without a grace period is not read", `{"kind":"Pod","metadata":{"deletionTimestamp":"` + after + `"}}`, ""},
		{"managed fields", `{"kind":"Deployment","metadata":{"managedFields":[{"manager":"kube-controller-manager","time":"` + before + `"}]}}`, before},
		{"node heartbeat", `{"kind":"Node","status":{"conditions":[{"type":"Ready","lastHeartbeatTime":"` + before + `"}]}}`, before},
		{"condition update", `{"kind":"Deployment","status":{"conditions":[{"type":"Progressing","lastUpdateTime":"` + before + `"}]}}`, before},
		{"event series", `{"kind":"Event","series":{"count":3,"lastObservedTime":"2026-03-01T11:00:00.000000Z"}}`, before},
		{"event time", `{"kind":"Event","eventTime":"2026-03-01T11:00:00.000000Z"}`, before},
		{"container finished", `{"kind":"Pod","status":{"containerStatuses":[{"lastState":{"terminated":{"finishedAt":"` + before + `"}}}]}}`, before},
		{"init container started", `{"kind":"Pod","status":{"initContainerStatuses":[{"state":{"running":{"startedAt":"` + before + `"}}}]}}`, before},
		{"lease renewal", `{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","spec":{"renewTime":"2026-03-01T11:00:00.000000Z"}}`, before},
		{"the newest of several", `{"kind":"Pod","metadata":{"creationTimestamp":"2026-03-01T10:00:00Z"},"status":{"startTime":"` + before + `"}}`, before},
		{"data is not a record", `{"kind":"ConfigMap","data":{"lastTimestamp":"` + after + `"}}`, ""},
		{"a custom resource's spec is not a record", `{"apiVersion":"example.com/v1","kind":"Maintenance","spec":{"startTime":"` + after + `","time":"` + after + `"}}`, ""},
		{"a pod's spec is not a record", `{"kind":"Pod","spec":{"containers":[{"name":"app","env":[{"name":"lastTimestamp","value":"` + after + `"}]}]}}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var u unstructured.Unstructured
			obj := tc.obj
			if !strings.Contains(obj, `"apiVersion"`) {
				obj = strings.Replace(obj, "{", `{"apiVersion":"v1",`, 1)
			}
			if err := u.UnmarshalJSON([]byte(obj)); err != nil {
				t.Fatal(err)
			}
			rd := &fileReader{}
			rd.record(&u)
			got := ""
			if !rd.latest.IsZero() {
				got = rd.latest.UTC().Format(time.RFC3339)
			}
			if got != tc.want {
				t.Errorf("latest = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestFromFilesSameAnswerLater is issue #12's check: saved objects read
// the day they were taken, copied a year later (modification time and
// clock a year on), extracted a year later with their modification time
// kept, and piped on standard input a year later give the same report: the
// same causes, codes, ages and notes, in every output format.
func TestFromFilesSameAnswerLater(t *testing.T) {
	for _, tc := range []struct {
		name  string
		path  string    // a file, or a directory such as a cluster-info dump
		taken time.Time // when the objects were saved
		// what the answer says the day they were taken
		codes []explain.Code
		cause string
	}{
		{"cluster-info dump", filepath.Join("testdata", "dump"), time.Date(2026, 11, 23, 5, 5, 0, 0, time.UTC),
			[]explain.Code{explain.CodeImageNotFound}, "does not exist"},
		{"rollout in progress", filepath.Join("..", "explain", "testdata", "workloads", "rolling.yaml"), time.Date(2026, 11, 23, 5, 10, 33, 0, time.UTC),
			[]explain.Code{explain.CodeRolloutInProgress}, "9m59s left before the progress deadline"},
		{"deleted, held by a finalizer", filepath.Join("..", "explain", "testdata", "pods", "stuck-terminating-finalizer.yaml"), fileNow,
			[]explain.Code{explain.CodeStuckTerminating}, "19m past its grace period"},
		{"creating", filepath.Join("..", "explain", "testdata", "pods", "creating-pulling.yaml"), fileNow,
			[]explain.Code{explain.CodeStarting}, "created 60s ago"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			later := tc.taken.AddDate(1, 0, 0)
			dayOf := reportOf(t, copyWithMtime(t, tc.path, tc.taken), tc.taken)
			for _, c := range tc.codes {
				if !strings.Contains(dayOf, `"code": "`+string(c)+`"`) {
					t.Errorf("the day it was taken: no %s in\n%s", c, dayOf)
				}
			}
			if !strings.Contains(dayOf, tc.cause) {
				t.Errorf("the day it was taken: no %q in\n%s", tc.cause, dayOf)
			}
			withStdin(t, string(concatenated(t, tc.path)))
			for name, args := range map[string][]string{
				"copied a year later":                  copyWithMtime(t, tc.path, later),
				"extracted a year later, mtime kept":   copyWithMtime(t, tc.path, tc.taken),
				"piped on standard input a year later": {"-"},
			} {
				if got := reportOf(t, args, later); got != dayOf {
					t.Errorf("%s: the report differs from the day it was taken:\n%s\nwant\n%s", name, got, dayOf)
				}
			}
		})
	}
}

// reportOf reads args with the clock at now and renders the report as the
// command does: JSON, then the tree and the wide table.
func reportOf(t *testing.T, args []string, now time.Time) string {
	t.Helper()
	snap, notes, err := FromFiles(args, FileOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	rep := explain.Explain(graph.New(snap), allRefs(snap))
	rep.Notes = append(notes, rep.Notes...)
	var b strings.Builder
	popts := printers.Options{Now: snap.Now, Wide: true, AllNamespaces: true}
	for _, err := range []error{printers.JSON(&b, rep), printers.Tree(&b, rep, popts), printers.Table(&b, rep, popts)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// copyWithMtime copies a file, or a directory's files, into a new
// directory and sets their modification times to mtime.
func copyWithMtime(t *testing.T, path string, mtime time.Time) []string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(path, p)
		if err != nil || rel == "." {
			rel = filepath.Base(p)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		writeWithMtime(t, to, data, mtime)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return []string{dst}
}

// concatenated is what `cat` of the files -f reads in path gives: JSON
// values one after another, or YAML documents.
func concatenated(t *testing.T, path string) []byte {
	t.Helper()
	var out []byte
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !slices.Contains(resource.FileExtensions, filepath.Ext(p)) {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if len(out) > 0 && filepath.Ext(p) != ".json" {
			out = append(out, "\n---\n"...)
		}
		out = append(out, data...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// splitDocuments numbers the first line of each document the YAMLReader
// returns, in the file: separators (one or several, with comments; the
// reader keeps a "---" that starts a document in it), blank documents,
// CRLF line ends and a last line without its newline.
func TestSplitDocuments(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		lines []int
		bad   int
	}{
		{"separators, comments, a refused separator", "# c\n---\na: 1\n--- # comment\n\nb: 2\n---\n--- x\nc: 3\n", []int{1, 3, 5}, 8},
		{"leading and repeated separators", "---\n---\na: 1\n---\n---\n---\nb: 2", []int{1, 3, 5, 7}, 0},
		{"CRLF", "a: 1\r\n---\r\nb: 2\r\n", []int{1, 3}, 0},
		{"refused at once", "--- a: 1\nb: 2\n", nil, 1},
		{"refused after a document", "a: 1\nb: 2\n---x\n", []int{1}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs, bad := splitDocuments([]byte(tc.in))
			var lines []int
			for _, d := range docs {
				lines = append(lines, d.line)
			}
			if !reflect.DeepEqual(lines, tc.lines) || bad != tc.bad {
				t.Fatalf("document lines %v, bad separator %d; want %v and %d", lines, bad, tc.lines, tc.bad)
			}
		})
	}
}
