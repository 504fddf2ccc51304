package explain

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// fixtureNow is the moment every pod fixture stands for: ages, "x ago"
// and deadlines are computed against it.
var fixtureNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const podFixtureDir = "testdata/pods"

// fixtureOptions is an optional document of kind Fixture in a fixture
// file: what the collector could not read, and the logs --logs collected.
type fixtureOptions struct {
	Kind         string            `json:"kind"`
	Now          *time.Time        `json:"now,omitempty"`
	Gaps         map[string]string `json:"gaps,omitempty"`
	NotCollected []string          `json:"notCollected,omitempty"`
	Logs         map[string]string `json:"logs,omitempty"`
	LogErrors    map[string]string `json:"logErrors,omitempty"`
}

// loadSnapshot reads a multi-document YAML file (or v1 Lists) of pods,
// events, nodes and claims into a snapshot. Pods, events and claims count
// as collected (none found means none exist); nodes only when the file
// has some, as with -f.
func loadSnapshot(data []byte) (*graph.Snapshot, error) {
	s := &graph.Snapshot{Now: fixtureNow}
	var opts fixtureOptions
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("split documents: %w", err)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		if err := addDoc(s, &opts, doc); err != nil {
			return nil, err
		}
	}
	if opts.Now != nil {
		s.Now = *opts.Now
	}
	for _, res := range []string{graph.ResPods, graph.ResEvents, graph.ResPVCs, graph.ResReplicaSets, graph.ResDeployments, graph.ResStatefulSets,
		graph.ResDaemonSets, graph.ResJobs, graph.ResCronJobs} {
		s.MarkCollected(res)
	}
	if len(s.Nodes) > 0 {
		s.MarkCollected(graph.ResNodes)
	}
	for _, res := range opts.NotCollected {
		s.Collected[res] = false
	}
	for res, why := range opts.Gaps {
		s.AddGap(res, why)
	}
	if len(opts.Logs) > 0 || len(opts.LogErrors) > 0 {
		s.Logs, s.LogErrors = opts.Logs, opts.LogErrors
		s.MarkCollected(graph.ResPodLogs)
	}
	return s, nil
}

func addDoc(s *graph.Snapshot, opts *fixtureOptions, doc []byte) error {
	var meta struct {
		Kind  string            `json:"kind"`
		Items []json.RawMessage `json:"items"`
	}
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		return fmt.Errorf("read kind: %w", err)
	}
	var probe map[string]any
	if err := yaml.Unmarshal(doc, &probe); err != nil {
		return fmt.Errorf("read document: %w", err)
	}
	if probe == nil {
		return nil // only comments
	}
	var into any
	switch meta.Kind {
	case "List", "PodList", "EventList", "NodeList", "PersistentVolumeClaimList":
		for _, it := range meta.Items {
			if err := addDoc(s, opts, it); err != nil {
				return err
			}
		}
		return nil
	case "Fixture":
		into = opts
	default:
		add := fixtureKinds[meta.Kind]
		if add == nil {
			return fmt.Errorf("unsupported kind %q in fixture", meta.Kind)
		}
		into = add(s)
	}
	if err := yaml.UnmarshalStrict(doc, into); err != nil {
		return fmt.Errorf("decode %s: %w", meta.Kind, err)
	}
	return nil
}

// fixtureKinds appends an empty object of each kind a fixture may hold to
// its list in the snapshot, and returns it to decode into.
var fixtureKinds = map[string]func(s *graph.Snapshot) any{
	"Pod":                   func(s *graph.Snapshot) any { return appendZero(&s.Pods) },
	"Event":                 func(s *graph.Snapshot) any { return appendZero(&s.Events) },
	"Node":                  func(s *graph.Snapshot) any { return appendZero(&s.Nodes) },
	"PersistentVolumeClaim": func(s *graph.Snapshot) any { return appendZero(&s.PVCs) },
	"Deployment":            func(s *graph.Snapshot) any { return appendZero(&s.Deployments) },
	"ReplicaSet":            func(s *graph.Snapshot) any { return appendZero(&s.ReplicaSets) },
	"StatefulSet":           func(s *graph.Snapshot) any { return appendZero(&s.StatefulSets) },
	"DaemonSet":             func(s *graph.Snapshot) any { return appendZero(&s.DaemonSets) },
	"Job":                   func(s *graph.Snapshot) any { return appendZero(&s.Jobs) },
	"CronJob":               func(s *graph.Snapshot) any { return appendZero(&s.CronJobs) },
}

func appendZero[T any](list *[]T) *T {
	*list = append(*list, *new(T))
	return &(*list)[len(*list)-1]
}

// loadFixture reads testdata/pods/NAME.yaml into an indexed graph.
func loadFixture(t testing.TB, name string) *graph.Graph {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(podFixtureDir, name+".yaml"))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	s, err := loadSnapshot(data)
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	if len(s.Pods) == 0 {
		t.Fatalf("fixture %s has no pod", name)
	}
	return graph.New(s)
}

// fixtureNames lists every pod fixture, sorted.
func fixtureNames(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(podFixtureDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		out = append(out, strings.TrimSuffix(filepath.Base(f), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// renderResult is the golden form of a result: what a person reads, and
// the facts scripts read.
func renderResult(r Result) string {
	var b strings.Builder
	verdict := string(r.Verdict)
	if r.Completed {
		verdict += "(Completed)"
	}
	if r.Flapping {
		verdict += "(restarting)"
	}
	fmt.Fprintf(&b, "%s %s %s: %s\n", r.Target, verdict, r.Ready, r.Summary)
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "[%s] %s", f.Code, f.Severity)
		if f.Count > 0 {
			fmt.Fprintf(&b, " pods=%d", f.Count)
		}
		if f.Container != "" {
			fmt.Fprintf(&b, " container=%s", f.Container)
		}
		fmt.Fprintf(&b, "\n  cause: %s\n", f.Cause)
		for _, e := range f.Evidence {
			extra := ""
			if e.Count > 0 {
				extra += fmt.Sprintf(" (x%d", e.Count)
				if e.LastSeen != nil {
					extra += ", " + humanDuration(fixtureNow.Sub(*e.LastSeen)) + " ago"
				}
				extra += ")"
			}
			fmt.Fprintf(&b, "  evidence %s%s: %s\n", e.Source, extra, strings.ReplaceAll(e.Message, "\n", "\n    | "))
		}
		for _, n := range f.Next {
			fmt.Fprintf(&b, "  next: %s\n", n)
		}
		for _, k := range slices.Sorted(maps.Keys(f.Facts)) {
			fmt.Fprintf(&b, "  fact %s=%s\n", k, f.Facts[k])
		}
	}
	return b.String()
}
