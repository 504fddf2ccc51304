package printers

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// detailWidth is how much of DETAIL a normal table shows: enough for the
// cause's first clause on a wide terminal, the rest is -o wide or the tree.
const detailWidth = 80

// columnGap is kubectl get's: its tabwriter pads every column with three
// spaces.
const columnGap = "   "

// Table writes one row per result, borderless and left aligned like
// kubectl get: NAMESPACE (with AllNamespaces), OBJECT, READY, STATUS (the
// verdict), CAUSE, DETAIL, AGE, and with Wide also NODE, RESTARTS and
// EVIDENCE.
func Table(w io.Writer, rep explain.Report, o Options) error {
	p := painter{on: o.Color}
	now := o.now()

	header := []string{"OBJECT", "READY", "STATUS", "CAUSE", "DETAIL", "AGE"}
	if o.Wide {
		header = append(header, "NODE", "RESTARTS", "EVIDENCE")
	}
	if o.AllNamespaces {
		header = append([]string{"NAMESPACE"}, header...)
	}

	var buf bytes.Buffer
	t := newKubectlTable(&buf, len(header))
	t.Header(header)
	for _, r := range rep.Items {
		row := tableRow(r, o, p, now)
		if err := t.Append(row); err != nil {
			return fmt.Errorf("add row for %s: %w", r.Target, err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("render table: %w", err)
	}
	return writeTrimmed(w, buf.Bytes())
}

func tableRow(r explain.Result, o Options, p painter, now time.Time) []string {
	cause := "<none>"
	if f := r.Cause(); f != nil {
		cause = p.severity(f.Severity, string(f.Code))
	}
	detail := oneLine(r.Summary)
	if !o.Wide {
		detail = truncate(detail, detailWidth)
	}
	row := []string{r.Target.String(), orNone(r.Ready), p.verdict(r, verdictText(r)), cause, orNone(detail), age(now, r.Created)}
	if o.Wide {
		node := r.NodeName
		if node == "" {
			node = "<none>"
		}
		row = append(row, node, strconv.Itoa(int(r.Restarts)), orNone(firstEvidence(r)))
	}
	if o.AllNamespaces {
		row = append([]string{orNone(r.Target.Namespace)}, row...)
	}
	return row
}

// firstEvidence is the EVIDENCE column of -o wide: the first quoted fact
// of the cause, on one line.
func firstEvidence(r explain.Result) string {
	f := r.Cause()
	if f == nil || len(f.Evidence) == 0 {
		return ""
	}
	return firstLine(f.Evidence[0].Message)
}

// oneLine keeps a cell on one row: a table row that wraps is two rows to
// awk and grep.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// orNone is kubectl's placeholder for an empty cell, so columns stay
// countable by awk.
func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

// newKubectlTable is tablewriter set up to look like kubectl get: no
// borders, no lines, headers as given, left aligned, three spaces between
// columns and none after the last.
func newKubectlTable(w io.Writer, columns int) *tablewriter.Table {
	pad := make([]tw.Padding, columns)
	for i := range pad {
		pad[i] = tw.Padding{Right: columnGap, Overwrite: true}
	}
	pad[columns-1] = tw.PaddingNone
	return tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.Separators{ShowHeader: tw.Off, ShowFooter: tw.Off, BetweenRows: tw.Off, BetweenColumns: tw.Off},
				Lines:      tw.Lines{ShowTop: tw.Off, ShowBottom: tw.Off, ShowHeaderLine: tw.Off, ShowFooterLine: tw.Off},
			},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithHeaderPaddingPerColumn(pad),
		tablewriter.WithRowPaddingPerColumn(pad),
	)
}

// writeTrimmed drops the spaces tablewriter pads the last column with:
// kubectl's lines end at their last character.
func writeTrimmed(w io.Writer, b []byte) error {
	lines := bytes.SplitAfter(b, []byte("\n"))
	for _, l := range lines {
		if len(l) == 0 {
			continue
		}
		nl := bytes.HasSuffix(l, []byte("\n"))
		l = bytes.TrimRight(l, " \n")
		if nl {
			l = append(l, '\n')
		}
		if _, err := w.Write(l); err != nil {
			return err
		}
	}
	return nil
}
