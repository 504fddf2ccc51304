// Package printers owns how a report looks: the tree for one target, the
// table for many, JSON and YAML for scripts, and color. Printers never
// decide anything: every word of a verdict comes from package explain.
package printers

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	"sigs.k8s.io/yaml"
)

// Options shape the human output.
type Options struct {
	Color bool
	Wide  bool
	Now   time.Time
}

// JSON writes the report as indented JSON.
func JSON(w io.Writer, rep explain.Report) error {
	b, err := json.MarshalIndent(rep, "", "    ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

// YAML writes the report as YAML.
func YAML(w io.Writer, rep explain.Report) error {
	b, err := yaml.Marshal(rep)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// Tree writes each result as a tree: verdict and cause first, evidence
// under it, the next command last.
func Tree(w io.Writer, rep explain.Report, o Options) error {
	for i, r := range rep.Items {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s %s: %s\n", r.Target, r.Verdict, r.Summary)
		if len(r.Owners) > 0 {
			fmt.Fprintf(w, "  part of %s\n", strings.Join(r.Owners, " <- "))
		}
		for _, f := range r.Findings {
			fmt.Fprintf(w, "  [%s] %s %s: %s\n", f.Code, f.Severity, f.Object, f.Cause)
			for _, e := range f.Evidence {
				fmt.Fprintf(w, "      %s: %s\n", e.Source, e.Message)
			}
			for _, n := range f.Next {
				fmt.Fprintf(w, "      next: %s\n", n)
			}
		}
		if r.Tree != nil {
			printNode(w, r.Tree, "  ")
		}
		for _, n := range r.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	return nil
}

func printNode(w io.Writer, n *explain.Node, indent string) {
	fmt.Fprintf(w, "%s%s  %s\n", indent, n.Ref, n.Status)
	for _, c := range n.Children {
		printNode(w, c, indent+"  ")
	}
}

// Table writes one row per result, like kubectl get.
func Table(w io.Writer, rep explain.Report, o Options) error {
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.Off},
			},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
	t.Header([]string{"NAMESPACE", "OBJECT", "READY", "CAUSE", "DETAIL", "AGE"})
	for _, r := range rep.Items {
		cause, detail := string(r.Verdict), r.Summary
		if f := r.Cause(); f != nil {
			cause = string(f.Code)
		}
		age := ""
		if !r.Created.IsZero() {
			age = explain.HumanDuration(o.Now.Sub(r.Created))
		}
		if err := t.Append([]string{r.Target.Namespace, r.Target.String(), r.Ready, cause, detail, age}); err != nil {
			return err
		}
	}
	return t.Render()
}
