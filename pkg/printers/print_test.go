package printers

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
)

// TestPrint: the format picks the printer; results go to out, and the
// empty answer and a table's notes to errOut, as kubectl does; a tree,
// JSON and YAML keep the notes inside.
func TestPrint(t *testing.T) {
	withNote := func(r explain.Report) explain.Report { r.Notes = []string{"events were not checked"}; return r }
	empty := withNote(report())
	full := withNote(report(crashLoopPod()))
	for _, tc := range []struct {
		name            string
		rep             explain.Report
		c               Choice
		outHas, errWant string
	}{
		{"named: a tree, notes inside", full, Choice{Named: true}, "  note: events were not checked\n", ""},
		{"not named: a table", full, Choice{}, "OBJECT ", "note: events were not checked\n"},
		{"named but wide: a wide table", full, Choice{Named: true, Format: "wide"}, "EVIDENCE", "note: events were not checked\n"},
		{"json", full, Choice{Format: "json"}, `"notes": [`, ""},
		{"yaml", empty, Choice{Format: "yaml", Namespace: "shop"}, "items: []", ""},
		{"nothing found in the namespace", empty, Choice{Namespace: "shop"}, "",
			"No resources found in shop namespace.\nnote: events were not checked\n"},
		{"nothing failing anywhere", report(), Choice{Failing: true, Namespace: "shop", Options: Options{AllNamespaces: true}}, "",
			"Nothing is failing.\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			tc.c.Now = now
			if err := Print(&out, &errOut, tc.rep, tc.c); err != nil {
				t.Fatal(err)
			}
			if tc.outHas == "" && out.Len() > 0 || !strings.Contains(out.String(), tc.outHas) {
				t.Errorf("out = %q, want it to hold %q", out.String(), tc.outHas)
			}
			if errOut.String() != tc.errWant {
				t.Errorf("errOut = %q, want %q", errOut.String(), tc.errWant)
			}
		})
	}
	if err := CheckFormat("toml"); err == nil || err.Error() != `--output "toml" is not supported: use wide, json or yaml` {
		t.Errorf("CheckFormat(toml) = %v", err)
	}
	for _, f := range []string{"", "wide", "json", "yaml"} {
		if err := CheckFormat(f); err != nil {
			t.Errorf("CheckFormat(%q) = %v", f, err)
		}
	}
}
