// Package layers holds the test that keeps the rooms of docs/ARCHITECTURE.md
// apart: which package of this module may import which.
package layers

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/kubectl-why/kubectl-why/"

// rooms says, for each package of the program, the packages of this module
// it may import. Data flows cmd -> collect -> graph -> explain -> printers;
// explain and printers never reach the API server, and graph imports none
// of the others. A new package must be given its room here and in
// docs/ARCHITECTURE.md.
var rooms = map[string][]string{
	"cmd/kubectl-why": {"pkg/cmd"},
	"pkg/cmd":         {"pkg/collect", "pkg/completion", "pkg/graph", "pkg/explain", "pkg/printers", "pkg/version"},
	"pkg/completion":  {"pkg/collect"},
	"pkg/collect":     {"pkg/graph", "pkg/explain"},
	"pkg/graph":       {},
	"pkg/explain":     {"pkg/graph"},
	"pkg/printers":    {"pkg/explain"},
	"pkg/version":     {},
}

// pure are the rooms that never talk to the API server, not even through a
// dependency: their dependencies hold no client.
var pure = []string{"pkg/graph", "pkg/explain", "pkg/printers"}

func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps=false", "-f", "{{.ImportPath}}|{{join .Imports \" \"}}", module+"cmd/...", module+"pkg/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, imports, _ := strings.Cut(line, "|")
		pkg := strings.TrimPrefix(path, module)
		allowed, ok := rooms[pkg]
		if !ok {
			t.Errorf("package %s has no room: add it to rooms in test/layers and to docs/ARCHITECTURE.md", pkg)
			continue
		}
		for _, imp := range strings.Fields(imports) {
			if dep, ours := strings.CutPrefix(imp, module); ours && !slices.Contains(allowed, dep) {
				t.Errorf("%s imports %s: it may import only %v (docs/ARCHITECTURE.md)", pkg, dep, allowed)
			}
		}
	}
}

func TestPureRoomsHoldNoClient(t *testing.T) {
	for _, pkg := range pure {
		out, err := exec.Command("go", "list", "-deps", module+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "k8s.io/client-go/") || strings.HasPrefix(dep, "k8s.io/cli-runtime/") {
				t.Errorf("%s depends on %s: only collect and cmd talk to the API server", pkg, dep)
				break
			}
		}
	}
}
