package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// maxMedianLines is the brevity promise: half of all answers fit in 12
// lines, the cause first and the next command last (docs/output.md).
const maxMedianLines = 12

// TestAnswerLength runs the whole command on every fixture of
// pkg/explain/testdata, as `kubectl why -f FILE KIND/NAME` prints it for a
// person, and holds the median answer to maxMedianLines non-blank lines.
// `go test ./pkg/cmd -run TestAnswerLength -v` lists every figure.
func TestAnswerLength(t *testing.T) {
	var counts []int
	for _, dir := range []string{"pods", "workloads"} {
		files, err := filepath.Glob(filepath.Join("..", "explain", "testdata", dir, "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			target, ns, asOf, file := fixtureTarget(t, f)
			if target == "" {
				continue
			}
			out, _, err := run(t, nil, target, "-n", ns, "-f", file, "--as-of", asOf, "--color", "never")
			if c := exitCode(err); c == ExitError {
				t.Fatalf("%s: %v", f, err)
			}
			n := nonBlankLines(out)
			counts = append(counts, n)
			t.Logf("%3d lines  %s/%s", n, dir, filepath.Base(f))
		}
	}
	slices.Sort(counts)
	median := counts[len(counts)/2]
	if len(counts)%2 == 0 {
		median = (counts[len(counts)/2-1] + counts[len(counts)/2]) / 2
	}
	t.Logf("median %d lines over %d answers (min %d, max %d)", median, len(counts), counts[0], counts[len(counts)-1])
	if median > maxMedianLines {
		t.Errorf("median answer is %d lines, more than %d", median, maxMedianLines)
	}
}

func nonBlankLines(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n
}

// fixtureObject is what fixtureTarget reads of each object of a fixture.
type fixtureObject struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name, Namespace string
	} `json:"metadata"`
}

// fixtureTarget reads a fixture: its first Deployment or StatefulSet (else
// its first Pod), the moment it stands for, and a copy without the
// test-only Fixture document, as a user's saved file would be.
func fixtureTarget(t *testing.T, path string) (target, ns, asOf, file string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	asOf = "2026-03-01T12:00:00Z" // pkg/explain's fixtureNow
	var kept [][]byte             // as JSON, which -f reads as YAML
	var pod string
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var doc json.RawMessage
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(doc) == 0 || string(doc) == "null" {
			continue // an empty document
		}
		var d struct {
			fixtureObject
			Now   string          `json:"now"`
			Items []fixtureObject `json:"items"`
		}
		if err := json.Unmarshal(doc, &d); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if d.Kind == "Fixture" {
			if d.Now != "" {
				asOf = d.Now
			}
			continue
		}
		kept = append(kept, doc)
		objs := d.Items
		if d.Kind != "List" {
			objs = append(objs, d.fixtureObject)
		}
		for _, o := range objs {
			switch {
			case target == "" && (o.Kind == "Deployment" || o.Kind == "StatefulSet"):
				target, ns = strings.ToLower(o.Kind)+"/"+o.Metadata.Name, o.Metadata.Namespace
			case pod == "" && o.Kind == "Pod":
				pod, ns = "pod/"+o.Metadata.Name, o.Metadata.Namespace
			}
		}
	}
	if target == "" {
		target = pod
	}
	if _, err := time.Parse(time.RFC3339, asOf); err != nil {
		t.Fatalf("%s: now %q: %v", path, asOf, err)
	}
	file = filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(file, bytes.Join(kept, []byte("\n---\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return target, ns, asOf, file
}
