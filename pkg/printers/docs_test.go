package printers

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
)

const outputDoc = "../../docs/output.md"

// docExample is the Report docs/output.md shows.
func docExample() explain.Report {
	rep := report(notReadyDeployment())
	rep.Notes = []string{nodesDenied}
	return rep
}

// TestOutputDoc keeps docs/output.md true: its examples are the printers'
// real output (rewritten by -update), the JSON example decodes strictly
// into explain.Report, and every JSON field of the schema is documented.
func TestOutputDoc(t *testing.T) {
	doc, err := os.ReadFile(outputDoc)
	if err != nil {
		t.Fatal(err)
	}
	var js bytes.Buffer
	if err := JSON(&js, docExample()); err != nil {
		t.Fatal(err)
	}
	blocks := map[string]string{"example": "json\n" + js.String()}
	for name, file := range map[string]string{"tree": "tree-deployment-notready.txt", "table": "table-all-namespaces.txt"} {
		b, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		blocks[name] = "\n" + string(b)
	}

	got := string(doc)
	for name, body := range blocks {
		re := regexp.MustCompile("(?s)(<!-- BEGIN " + name + ":[^\n]*-->\n```)(.*?)(```\n<!-- END " + name + " -->)")
		m := re.FindStringSubmatch(got)
		if m == nil {
			t.Fatalf("%s: no %q block between BEGIN/END markers", outputDoc, name)
		}
		if *update {
			got = strings.Replace(got, m[0], m[1]+body+m[3], 1)
			continue
		}
		if m[2] != body {
			t.Errorf("%s: the %s block is out of date (go test ./pkg/printers/ -update):\n--- doc\n%s\n--- printer\n%s", outputDoc, name, m[2], body)
		}
	}
	if *update && got != string(doc) {
		if err := os.WriteFile(outputDoc, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The example is a valid document of the current schema.
	ex := regexp.MustCompile("(?s)```json\n(.*?)```").FindStringSubmatch(got)
	if ex == nil {
		t.Fatal("no json example")
	}
	dec := json.NewDecoder(strings.NewReader(ex[1]))
	dec.DisallowUnknownFields()
	var rep explain.Report
	if err := dec.Decode(&rep); err != nil {
		t.Errorf("the JSON example does not decode into explain.Report: %v", err)
	}

	for _, typ := range []any{explain.Report{}, explain.Result{}, explain.Finding{}, explain.Evidence{}, explain.Node{}, explain.Ref{}} {
		for _, field := range jsonFields(reflect.TypeOf(typ)) {
			if !strings.Contains(got, "| `"+field+"` |") {
				t.Errorf("%s: field %s.%s is not documented (add a row \"| `%s` | ...\")", outputDoc, reflect.TypeOf(typ).Name(), field, field)
			}
		}
	}
}

func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		tag := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]
		if tag != "" && tag != "-" {
			out = append(out, tag)
		}
	}
	return out
}
