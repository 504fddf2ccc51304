package explain

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"testing"
)

// TestCodesDocUpToDate fails when docs/codes.md no longer matches the
// code table: run `make docs` (go run ./hack/gendocs > docs/codes.md).
func TestCodesDocUpToDate(t *testing.T) {
	got, err := os.ReadFile("../../docs/codes.md")
	if err != nil {
		t.Fatalf("read docs/codes.md: %v (generate it with: go run ./hack/gendocs > docs/codes.md)", err)
	}
	if want := CodesMarkdown(); !bytes.Equal(got, want) {
		t.Errorf("docs/codes.md is stale: regenerate it with `go run ./hack/gendocs > docs/codes.md` (make docs)")
	}
}

// TestCodesTable keeps the table sound: unique codes, an area, a summary
// and a known severity for each.
func TestCodesTable(t *testing.T) {
	seen := map[Code]bool{}
	for _, c := range Codes {
		if seen[c.Code] {
			t.Errorf("code %s listed twice", c.Code)
		}
		seen[c.Code] = true
		if c.Area == "" || c.Summary == "" {
			t.Errorf("code %s lacks an area or a summary", c.Code)
		}
		switch c.Severity {
		case SeverityError, SeverityWarning, SeverityInfo:
		default:
			t.Errorf("code %s has severity %q", c.Code, c.Severity)
		}
	}
}

// TestCodeConstantNames: every constant of type Code in codes.go is named
// "Code" + its value, so that the code a user reads (ImagePullBackOff)
// finds its constant (CodeImagePullBackOff), and so its rule, in one search.
func TestCodeConstantNames(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "codes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if typ, ok := vs.Type.(*ast.Ident); !ok || typ.Name != "Code" {
				continue
			}
			for i, name := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Errorf("constant %s: its value is not a string literal", name.Name)
					continue
				}
				v, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				n++
				if name.Name != "Code"+v {
					t.Errorf("constant %s has value %q: name it Code%s", name.Name, v, v)
				}
			}
		}
	}
	if n != len(Codes) {
		t.Errorf("codes.go declares %d Code constants, the table lists %d: every code has one row", n, len(Codes))
	}
}
