package explain

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/pods/golden from the current output")

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
			path := filepath.Join(podFixtureDir, "golden", name+".txt")
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
				t.Fatalf("read golden (run go test ./pkg/explain/ -run TestPodGolden -update): %v", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (rerun with -update and review the diff):\n--- got\n%s\n--- want\n%s", path, got, want)
			}
		})
	}
}
