// Package printers owns how a report looks: the tree for one target, the
// table for many, JSON and YAML for scripts, and color. Printers never
// decide anything: every word of a verdict comes from package explain.
package printers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"k8s.io/apimachinery/pkg/util/duration"
	"sigs.k8s.io/yaml"
)

// Options shape the human output. JSON and YAML ignore them.
type Options struct {
	// Color turns on ANSI colors. The command decides it from --color,
	// NO_COLOR, TERM=dumb and whether Out is a terminal; printers only obey.
	Color bool
	// Wide is -o wide: the table gains NODE, RESTARTS and EVIDENCE and
	// keeps DETAIL whole.
	Wide bool
	// AllNamespaces adds the NAMESPACE column, as kubectl get -A does.
	AllNamespaces bool
	// Now is the instant ages are measured from (the snapshot's time, so
	// tests and -f files give stable output). Zero means time.Now().
	Now time.Time
}

func (o Options) now() time.Time {
	if o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

// JSON writes the report as JSON indented by 4 spaces, like kubectl -o json.
// HTML escaping is off so messages such as "<none>" stay verbatim.
func JSON(w io.Writer, rep explain.Report) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(document(rep)); err != nil {
		return fmt.Errorf("encode report as json: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// YAML writes the report as YAML with the same keys as JSON (sorted, as
// kubectl -o yaml prints them).
func YAML(w io.Writer, rep explain.Report) error {
	b, err := yaml.Marshal(document(rep))
	if err != nil {
		return fmt.Errorf("encode report as yaml: %w", err)
	}
	_, err = w.Write(b)
	return err
}

// document makes the schema's promises hold whatever the caller built:
// apiVersion and kind are always set, and items is a list, never null.
func document(rep explain.Report) explain.Report {
	if rep.APIVersion == "" {
		rep.APIVersion = explain.ReportAPIVersion
	}
	if rep.Kind == "" {
		rep.Kind = explain.ReportKind
	}
	if rep.Items == nil {
		rep.Items = []explain.Result{}
	}
	return rep
}

// age is kubectl's AGE: "45s", "5m30s", "3h", "2d4h", "<unknown>" when the
// time is not known.
func age(now, t time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(now.Sub(t))
}

// verdictText is the verdict as a person reads it: a Succeeded pod reads
// Completed, a Ready target that keeps restarting or carries another
// warning says so.
func verdictText(r explain.Result) string {
	switch {
	case r.Completed:
		return "Completed"
	case r.Verdict == explain.VerdictReady && r.Flapping:
		return "Ready (restarting)"
	case r.Suspicious():
		return "Ready (warning)"
	}
	if r.Verdict == "" {
		return string(explain.VerdictUnknown)
	}
	return string(r.Verdict)
}

// firstLine cuts s at its first newline and marks the cut, for places that
// have one line to give (table cells).
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimRight(s[:i], " \r") + " …"
	}
	return s
}

// truncate shortens s to at most n runes, ending in "…" when cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}
