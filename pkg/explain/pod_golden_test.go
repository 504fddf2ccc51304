package explain

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/*/golden from the current output")

// TestPodGolden renders every pod fixture (verdict, findings, evidence,
// next steps, facts) and compares it with testdata/pods/golden/NAME.txt:
// the words are reviewed there, the codes asserted in TestPodRules.
func TestPodGolden(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			g := loadFixture(t, name)
			var got string
			for i := range g.Snap.Pods {
				got += renderResult(ExplainPod(g, &g.Snap.Pods[i]))
			}
			checkGolden(t, filepath.Join(podFixtureDir, "golden", name+".txt"), got)
		})
	}
}

// TestWorkloadGolden does the same for every workload fixture: the
// deployment or statefulset it holds, walked down to its pods.
func TestWorkloadGolden(t *testing.T) {
	for _, name := range workloadNames(t) {
		t.Run(name, func(t *testing.T) {
			got := renderResult(explainOnly(t, loadWorkload(t, name)))
			checkGolden(t, filepath.Join("testdata", "workloads", "golden", name+".txt"), got)
		})
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test ./pkg/explain/ -run Golden -update): %v", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (rerun with -update and review the diff):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// workloadNames lists every workload fixture, sorted.
func workloadNames(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "workloads", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		out = append(out, strings.TrimSuffix(filepath.Base(f), ".yaml"))
	}
	return out
}
