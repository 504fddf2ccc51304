package explain

import (
	"bytes"
	"os"
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
