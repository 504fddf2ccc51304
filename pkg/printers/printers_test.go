package printers

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the current output")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test ./pkg/printers/ -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (rerun with -update and review the diff):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestTreeGolden(t *testing.T) {
	withRunNote := report(notReadyDeployment())
	withRunNote.Notes = []string{nodesDenied}
	tests := []struct {
		name  string
		rep   explain.Report
		color bool
	}{
		{"tree-deployment-notready", withRunNote, false},
		{"tree-deployment-notready.color", withRunNote, true},
		{"tree-deployment-ready", report(readyDeployment()), false},
		{"tree-deployment-progressing", report(progressingDeployment()), false},
		{"tree-pod-crashloop", report(crashLoopPod()), false},
		{"tree-pod-crashloop.color", report(crashLoopPod()), true},
		{"tree-pod-flapping", report(flappingPod()), false},
		{"tree-two-targets", manyNotes(report(crashLoopPod(), readyDeployment())), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Tree(&b, tc.rep, Options{Color: tc.color, Now: now}); err != nil {
				t.Fatal(err)
			}
			checkLines(t, b.String())
			golden(t, tc.name+".txt", b.Bytes())
		})
	}
}

func manyNotes(r explain.Report) explain.Report {
	r.Notes = []string{nodesDenied}
	return r
}

func TestTableGolden(t *testing.T) {
	tests := []struct {
		name string
		o    Options
	}{
		{"table", Options{}},
		{"table-wide", Options{Wide: true}},
		{"table-all-namespaces", Options{AllNamespaces: true}},
		{"table-all-namespaces-wide", Options{AllNamespaces: true, Wide: true}},
		{"table-all-namespaces.color", Options{AllNamespaces: true, Color: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Now = now
			var b bytes.Buffer
			if err := Table(&b, manyRows(), tc.o); err != nil {
				t.Fatal(err)
			}
			checkLines(t, b.String())
			golden(t, tc.name+".txt", b.Bytes())
		})
	}
}

// checkLines holds every human output to the house rules: no trailing
// spaces, no tabs, no empty last line.
func checkLines(t *testing.T, s string) {
	t.Helper()
	if !strings.HasSuffix(s, "\n") || strings.HasSuffix(s, "\n\n") {
		t.Errorf("output must end in exactly one newline: %q", s[max(0, len(s)-20):])
	}
	for i, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if strings.HasSuffix(l, " ") || strings.Contains(l, "\t") {
			t.Errorf("line %d has trailing space or a tab: %q", i+1, l)
		}
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestTableColumns checks the plain table reads like kubectl get to awk:
// the header is exact, every column starts where its header does, and
// cells are separated by at least three spaces.
func TestTableColumns(t *testing.T) {
	for _, o := range []Options{{}, {Wide: true}, {AllNamespaces: true}, {AllNamespaces: true, Wide: true}, {AllNamespaces: true, Color: true}} {
		o.Now = now
		var b bytes.Buffer
		if err := Table(&b, manyRows(), o); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(ansi.ReplaceAllString(b.String(), ""), "\n"), "\n")
		want := "OBJECT READY STATUS CAUSE DETAIL AGE"
		if o.Wide {
			want += " NODE RESTARTS EVIDENCE"
		}
		if o.AllNamespaces {
			want = "NAMESPACE " + want
		}
		if got := strings.Join(strings.Fields(lines[0]), " "); got != want {
			t.Fatalf("%+v: header = %q, want %q", o, got, want)
		}
		if len(lines) != len(manyRows().Items)+1 {
			t.Fatalf("%+v: %d lines, want one per item and a header", o, len(lines))
		}
		starts := columnStarts(lines[0])
		for _, l := range lines[1:] {
			for i, s := range starts[1:] {
				r := []rune(l)
				if len(r) <= s || r[s] == ' ' || string(r[s-3:s]) != "   " {
					t.Errorf("%+v: column %d does not start at rune %d after three spaces: %q", o, i+2, s, l)
				}
			}
		}
	}
}

func columnStarts(header string) []int {
	var out []int
	prev := ' '
	for i, r := range []rune(header) {
		if r != ' ' && prev == ' ' {
			out = append(out, i)
		}
		prev = r
	}
	return out
}

func TestDetailTruncation(t *testing.T) {
	r := notReadyDeployment()
	for _, tc := range []struct {
		name string
		wide bool
		want string
	}{
		{"normal cuts at 80 runes", false, truncate(r.Summary, detailWidth)},
		{"wide keeps it whole", true, r.Summary},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Table(&b, report(r), Options{Wide: tc.wide, Now: now}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), tc.want) {
				t.Fatalf("table lacks %q:\n%s", tc.want, b.String())
			}
			if !tc.wide && (utf8.RuneCountInString(tc.want) != detailWidth || !strings.HasSuffix(tc.want, "…")) {
				t.Fatalf("cut detail %q is not %d runes ending in …", tc.want, detailWidth)
			}
		})
	}
}

// TestColor: escape codes appear exactly when asked for, and never in
// JSON or YAML.
func TestColor(t *testing.T) {
	rep := manyRows()
	render := map[string]func(o Options) []byte{
		"tree": func(o Options) []byte {
			var b bytes.Buffer
			if err := Tree(&b, rep, o); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		},
		"table": func(o Options) []byte {
			var b bytes.Buffer
			if err := Table(&b, rep, o); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		},
	}
	for name, f := range render {
		t.Run(name, func(t *testing.T) {
			off := f(Options{Now: now, AllNamespaces: true, Wide: true})
			if bytes.IndexByte(off, 0x1b) >= 0 {
				t.Errorf("Color=false wrote an escape byte:\n%q", off)
			}
			on := f(Options{Now: now, AllNamespaces: true, Wide: true, Color: true})
			if bytes.IndexByte(on, 0x1b) < 0 {
				t.Errorf("Color=true wrote no escape byte")
			}
			if got := ansi.ReplaceAllString(string(on), ""); got != string(off) {
				t.Errorf("color must only add escapes, not change text:\n--- on, stripped\n%s\n--- off\n%s", got, off)
			}
		})
	}
	for name, f := range map[string]func(*bytes.Buffer) error{
		"json": func(b *bytes.Buffer) error { return JSON(b, rep) },
		"yaml": func(b *bytes.Buffer) error { return YAML(b, rep) },
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := f(&b); err != nil {
				t.Fatal(err)
			}
			if bytes.IndexByte(b.Bytes(), 0x1b) >= 0 {
				t.Errorf("%s contains an escape byte", name)
			}
		})
	}
}

func jsonReport() explain.Report {
	rep := report(notReadyDeployment(), crashLoopPod())
	rep.Notes = []string{nodesDenied}
	return rep
}

func TestJSONGolden(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, jsonReport()); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.json", b.Bytes())
	if !strings.Contains(b.String(), "\n    \"apiVersion\": \"why.kubectl.dev/v1alpha1\",\n") {
		t.Errorf("JSON is not indented by 4 spaces or lacks apiVersion:\n%s", b.String()[:200])
	}
	if strings.Contains(b.String(), `\u003c`) || strings.Contains(b.String(), `\u0026`) {
		t.Errorf("JSON escapes HTML characters; messages must stay verbatim")
	}
}

func TestYAMLGolden(t *testing.T) {
	var b bytes.Buffer
	if err := YAML(&b, jsonReport()); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.yaml", b.Bytes())
}

// TestRoundTrip: what scripts read back is what was printed, field for
// field, through both encodings.
func TestRoundTrip(t *testing.T) {
	want := jsonReport()
	for _, tc := range []struct {
		name   string
		print  func(*bytes.Buffer) error
		decode func([]byte, any) error
	}{
		{"json", func(b *bytes.Buffer) error { return JSON(b, want) }, func(b []byte, v any) error {
			d := json.NewDecoder(bytes.NewReader(b))
			d.DisallowUnknownFields()
			return d.Decode(v)
		}},
		{"yaml", func(b *bytes.Buffer) error { return YAML(b, want) }, func(b []byte, v any) error {
			return yaml.UnmarshalStrict(b, v)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.print(&b); err != nil {
				t.Fatal(err)
			}
			var got explain.Report
			if err := tc.decode(b.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip differs:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestEmptyReport: the schema promises a list, and apiVersion and kind,
// whatever the caller filled in.
func TestEmptyReport(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, explain.Report{}); err != nil {
		t.Fatal(err)
	}
	want := "{\n    \"apiVersion\": \"why.kubectl.dev/v1alpha1\",\n    \"kind\": \"Report\",\n    \"items\": []\n}\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestAge(t *testing.T) {
	for _, tc := range []struct {
		name string
		ago  string
		want string
	}{
		{"seconds", "45s", "45s"},
		{"minutes and seconds under ten minutes", "5m30s", "5m30s"},
		{"minutes", "42m", "42m"},
		{"hours", "3h12m", "3h12m"},
		{"days", "50h", "2d2h"},
		{"long ago", "9600h", "400d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := time.ParseDuration(tc.ago)
			if err != nil {
				t.Fatal(err)
			}
			if got := age(now, now.Add(-d)); got != tc.want {
				t.Errorf("age(%s) = %q, want %q", tc.ago, got, tc.want)
			}
		})
	}
	if got := age(now, time.Time{}); got != "<unknown>" {
		t.Errorf("age of an unknown time = %q, want <unknown>", got)
	}
}

func TestSubject(t *testing.T) {
	target := ref(explain.KindDeployment, "shop", "web")
	rs := ref(explain.KindReplicaSet, "shop", "web-6b8f7d9c4")
	pods := []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7"}
	for _, tc := range []struct {
		name string
		f    explain.Finding
		want string
	}{
		{"the target itself", explain.Finding{Object: target}, ""},
		{"the target's container", explain.Finding{Object: target, Container: "app"}, "container app"},
		{"another object", explain.Finding{Object: ref(explain.KindPod, "shop", "web-x"), Container: "app"}, "pod/web-x, container app"},
		{"one pod", explain.Finding{Object: rs, Pods: pods[:1], Count: 1}, "1 pod of replicaset/web-6b8f7d9c4: p1"},
		{"a group", explain.Finding{Object: rs, Container: "app", Pods: pods[:3], Count: 3}, "3 pods of replicaset/web-6b8f7d9c4 (container app): p1, p2, p3"},
		{"a long group is cut", explain.Finding{Object: target, Pods: pods, Count: 7}, "7 pods: p1, p2, p3, p4, p5 and 2 more"},
		{"count defaults to the names", explain.Finding{Object: target, Pods: pods[:2]}, "2 pods: p1, p2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := subject(explain.Result{Target: target}, tc.f); got != tc.want {
				t.Errorf("subject = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestOccurrences(t *testing.T) {
	tw := treeWriter{now: now}
	for _, tc := range []struct {
		name string
		e    explain.Evidence
		want string
	}{
		{"status field", explain.Evidence{Source: "status.phase"}, ""},
		{"repeated event with its first time", explain.Evidence{Count: 12, FirstSeen: ago(5 * time.Minute), LastSeen: ago(time.Second)}, " (x12 over 5m)"},
		{"repeated event, last time only", explain.Evidence{Count: 3, LastSeen: ago(2 * time.Hour)}, " (x3, last 120m ago)"},
		{"repeated event, no time", explain.Evidence{Count: 3}, " (x3)"},
		{"single event", explain.Evidence{Count: 1, LastSeen: ago(30 * time.Second)}, " (30s ago)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tw.occurrences(tc.e); got != tc.want {
				t.Errorf("occurrences = %q, want %q", got, tc.want)
			}
		})
	}
}
