package explain

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
)

// eventIdents are the names rules give an event they compare by Reason.
var eventIdents = []string{"e", "ev"}

// TestEventReasonsRead parses the rule files for the event reasons they
// read and checks them against EventReasonsRead, and that list against the
// routine reasons the collector filters out.
func TestEventReasonsRead(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]string{} // reason -> where
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				fn, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || (fn.Sel.Name != "eventsFor" && fn.Sel.Name != "lastEvent") {
					return true
				}
				args := n.Args
				if fn.Sel.Name == "eventsFor" && len(args) > 0 {
					args = args[1:] // the container
				}
				for _, a := range args {
					if s, ok := stringLit(a); ok {
						read[s] = fset.Position(a.Pos()).String()
					}
				}
			case *ast.BinaryExpr:
				sel, ok := n.X.(*ast.SelectorExpr)
				if !ok || n.Op != token.EQL || sel.Sel.Name != "Reason" {
					return true
				}
				if id, ok := sel.X.(*ast.Ident); ok && slices.Contains(eventIdents, id.Name) {
					if s, ok := stringLit(n.Y); ok {
						read[s] = fset.Position(n.Pos()).String()
					}
				}
			}
			return true
		})
	}
	if len(read) < 10 {
		t.Fatalf("found only %d reasons read: the parse no longer sees the rules", len(read))
	}
	for r, where := range read {
		if !slices.Contains(EventReasonsRead, r) {
			t.Errorf("%s reads event reason %q: add it to EventReasonsRead", where, r)
		}
	}
	for _, r := range EventReasonsRead {
		if _, ok := read[r]; !ok {
			t.Errorf("EventReasonsRead lists %q, which no rule reads", r)
		}
		if graph.RoutineEvent(r) {
			t.Errorf("%q is read by a rule but filtered as routine (graph.RoutineEventReasons)", r)
		}
	}
}

func stringLit(e ast.Expr) (string, bool) {
	l, ok := e.(*ast.BasicLit)
	if !ok || l.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(l.Value)
	return s, err == nil
}
