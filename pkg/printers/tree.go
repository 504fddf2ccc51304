package printers

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"k8s.io/apimachinery/pkg/util/duration"
)

// maxPodNames bounds the names a grouped finding lists: the count says how
// many, -o json has them all, and a hundred names is a wall, not a clue.
const maxPodNames = 5

// Tree writes each result the way a person reads a diagnosis, in the order
// they need it:
//
//	deployment/web  NotReady  1/3 ready — ImageNotFound: image ... does not exist
//	  part of ...                               (owner chain, if any)
//
//	  Error    ImageNotFound  2 pods of replicaset/web-6b8f7d9c4 (container app): ...
//	    event Warning Failed (x4 over 5m): Failed to pull image ...
//
//	  deployment/web                  1/3 ready
//	  └─ replicaset/web-6b8f7d9c4     0/2 ready  revision 2
//
//	  note: ...                                 (what could not be checked)
//	  → kubectl describe pod ...                (the next command, last)
//
// Nothing wraps: a long message stays on its line, verbatim.
func Tree(w io.Writer, rep explain.Report, o Options) error {
	bw := bufio.NewWriter(w)
	t := treeWriter{w: bw, p: painter{on: o.Color}, now: o.now()}
	for i, r := range rep.Items {
		if i > 0 {
			t.line("")
		}
		notes := r.Notes
		// With one target, the run's notes are that target's notes, and
		// the next command must still come last.
		if len(rep.Items) == 1 {
			notes = append(append([]string(nil), notes...), rep.Notes...)
		}
		t.result(r, notes)
	}
	if len(rep.Items) != 1 && len(rep.Notes) > 0 {
		if len(rep.Items) > 0 {
			t.line("")
		}
		for _, n := range rep.Notes {
			t.line(t.p.yellow("note: " + n))
		}
	}
	return bw.Flush()
}

type treeWriter struct {
	w   *bufio.Writer
	p   painter
	now time.Time
}

func (t treeWriter) line(s string) {
	// bufio.Writer keeps the first error and Flush returns it.
	t.w.WriteString(s)
	t.w.WriteByte('\n')
}

func (t treeWriter) result(r explain.Result, notes []string) {
	p := t.p
	h, said := headline(r)
	t.line(p.bold(r.Target.String()) + "  " + p.verdict(r, verdictText(r)) + "  " + t.headRest(r, h))
	if len(r.Owners) > 0 {
		t.line("  " + p.dim("part of") + " " + strings.Join(r.Owners, " in "))
	}

	if len(r.Findings) > 0 {
		t.line("")
		t.findings(r, said)
	}
	// A tree of the target alone repeats the first line: draw it only
	// when it shows something below the target.
	if r.Tree != nil && (len(r.Tree.Children) > 0 || !sameRef(r.Tree.Ref, r.Target)) {
		t.line("")
		t.tree(r.Tree)
	}

	next := nextCommands(r)
	if len(notes) > 0 || len(next) > 0 {
		t.line("")
	}
	for _, n := range notes {
		t.line("  " + p.yellow("note: "+n))
	}
	for _, n := range next {
		t.line("  " + p.paint(sgrCyan, "→") + " " + n)
	}
}

// head is the first line after the verdict: the READY count, then the
// cause in words, led by its code, unless the count already says it all.
type head struct {
	ready   string
	code    string
	sev     explain.Severity
	summary string
}

// headline builds the head of r; said is the summary it shows, so the
// findings do not print the same sentence twice.
func headline(r explain.Result) (head, string) {
	h := head{}
	// A Completed pod's "0/1 ready" is kubectl's, but beside the word
	// Completed it reads as a contradiction: its summary says it all.
	if r.Ready != "" && !r.Completed {
		h.ready = r.Ready + " ready"
	}
	if r.Summary == "" || r.Summary == h.ready {
		return h, ""
	}
	h.summary = r.Summary
	// "2/3 ready, rollout in progress" after "2/3 ready" says it twice.
	if h.ready != "" && strings.HasPrefix(h.summary, h.ready) {
		h.summary = strings.TrimLeft(strings.TrimPrefix(h.summary, h.ready), ",;: ")
	}
	if f := r.Cause(); f != nil && h.summary != "" && !strings.HasPrefix(h.summary, string(f.Code)) {
		h.code, h.sev = string(f.Code), f.Severity
	}
	return h, r.Summary
}

func (t treeWriter) headRest(r explain.Result, h head) string {
	s := h.ready
	if h.summary == "" {
		return s
	}
	if s != "" {
		s += " — "
	}
	if h.code != "" {
		s += t.p.severity(h.sev, h.code) + ": "
	}
	return s + h.summary
}

// findings prints each finding as "Severity  Code  cause", what it is
// about under it (the pods it groups, the container), then its evidence
// verbatim. A cause the headline already gave is not repeated: the line
// names what it is about instead.
func (t treeWriter) findings(r explain.Result, said string) {
	p := t.p
	sevW, codeW := 0, 0
	for _, f := range r.Findings {
		sevW = max(sevW, len(f.Severity))
		codeW = max(codeW, len(f.Code))
	}
	for _, f := range r.Findings {
		subj := subject(r, f)
		text := f.Cause
		// The headline may carry the cause whole ("Ready, but " + cause):
		// then the line names what it is about instead of repeating it.
		if f.Cause != "" && strings.HasSuffix(said, f.Cause) {
			text, subj = subj, ""
		}
		l := "  " + p.severity(f.Severity, pad(string(f.Severity), sevW)) + "  " + p.bold(pad(string(f.Code), codeW))
		if text != "" {
			l += "  " + text
		}
		t.line(strings.TrimRight(l, " "))
		if subj != "" {
			t.line("    " + subj)
		}
		for _, e := range f.Evidence {
			t.evidence(e)
		}
	}
}

// evidence prints one quoted fact: where it came from, how often and when
// for events, and the text as the API gave it. A multi-line text (a log
// tail) keeps its lines, each behind a gutter so it reads as a quote.
func (t treeWriter) evidence(e explain.Evidence) {
	p := t.p
	src := e.Source + t.occurrences(e)
	if !strings.Contains(e.Message, "\n") {
		t.line("    " + p.dim(src+":") + " " + e.Message)
		return
	}
	t.line("    " + p.dim(src+":"))
	for _, l := range strings.Split(strings.TrimRight(e.Message, "\n"), "\n") {
		if strings.HasPrefix(l, "> ") {
			l = p.red(l)
		}
		t.line(strings.TrimRight("      "+p.dim("│")+" "+l, " "))
	}
}

// occurrences is kubectl describe's "(x12 over 5m)": how many times an
// event fired since it first did. Without the first time it says when it
// last fired instead.
func (t treeWriter) occurrences(e explain.Evidence) string {
	since := func(at *time.Time) string { return duration.HumanDuration(t.now.Sub(*at)) }
	switch {
	case e.Count > 1 && e.FirstSeen != nil:
		return fmt.Sprintf(" (x%d over %s)", e.Count, since(e.FirstSeen))
	case e.Count > 1 && e.LastSeen != nil:
		return fmt.Sprintf(" (x%d, last %s ago)", e.Count, since(e.LastSeen))
	case e.Count > 1:
		return fmt.Sprintf(" (x%d)", e.Count)
	case e.LastSeen != nil:
		return fmt.Sprintf(" (%s ago)", since(e.LastSeen))
	case e.FirstSeen != nil:
		return fmt.Sprintf(" (%s ago)", since(e.FirstSeen))
	}
	return ""
}

// subject says what a finding is about when it is not the target itself:
// "3 pods of replicaset/web-6b8f7d9c4 (container app): a, b, c",
// "pod/web-x, container app".
func subject(r explain.Result, f explain.Finding) string {
	var s string
	if len(f.Pods) > 0 {
		n := f.Count
		if n == 0 {
			n = len(f.Pods)
		}
		s = fmt.Sprintf("%d pods", n)
		if n == 1 {
			s = "1 pod"
		}
		if f.Object.Name != "" && !sameRef(f.Object, r.Target) {
			s += " of " + f.Object.String()
		}
		if f.Container != "" {
			s += " (container " + f.Container + ")"
		}
		names := f.Pods
		more := 0
		if len(names) > maxPodNames {
			names, more = names[:maxPodNames], n-maxPodNames
		}
		s += ": " + strings.Join(names, ", ")
		if more > 0 {
			s += fmt.Sprintf(" and %d more", more)
		}
	} else if f.Object.Name != "" && !sameRef(f.Object, r.Target) {
		s = f.Object.String()
	}
	if f.Container != "" && len(f.Pods) == 0 {
		if s != "" {
			s += ", "
		}
		s += "container " + f.Container
	}
	return s
}

func sameRef(a, b explain.Ref) bool {
	return strings.EqualFold(a.Kind, b.Kind) && a.Namespace == b.Namespace && a.Name == b.Name
}

// maxNext bounds the next steps a tree shows: the first few, from the most
// severe finding down, are what a person types; -o json has them all.
const maxNext = 3

// nextCommands gathers the findings' next steps, most severe finding
// first, each command once, at most maxNext.
func nextCommands(r explain.Result) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range r.Findings {
		for _, n := range f.Next {
			if n == "" || seen[n] {
				continue
			}
			seen[n] = true
			out = append(out, n)
		}
	}
	return out[:min(len(out), maxNext)]
}

// tree prints the object tree like kubectl tree: connectors on the left,
// the status of every object in one aligned column, green when Ready, red
// when not.
func (t treeWriter) tree(root *explain.Node) {
	type row struct {
		left  string
		node  *explain.Node
		width int
	}
	var rows []row
	var walk func(n *explain.Node, prefix, connector string)
	walk = func(n *explain.Node, prefix, connector string) {
		left := prefix + connector + n.Ref.String()
		rows = append(rows, row{left: left, node: n, width: utf8.RuneCountInString(left)})
		childPrefix := prefix
		switch connector {
		case "├─ ":
			childPrefix += "│  "
		case "└─ ":
			childPrefix += "   "
		}
		var kids []*explain.Node
		for _, c := range n.Children {
			if c != nil {
				kids = append(kids, c)
			}
		}
		for i, c := range kids {
			conn := "├─ "
			if i == len(kids)-1 {
				conn = "└─ "
			}
			walk(c, childPrefix, conn)
		}
	}
	walk(root, "", "")
	w := 0
	for _, r := range rows {
		w = max(w, r.width)
	}
	for _, r := range rows {
		status := r.node.Status
		if r.node.Ready {
			status = t.p.green(status)
		} else {
			status = t.p.red(status)
		}
		l := "  " + t.p.dim(r.left[:len(r.left)-len(r.node.Ref.String())]) + r.node.Ref.String() +
			strings.Repeat(" ", w-r.width) + "  " + status
		if r.node.Note != "" {
			l += "  " + t.p.dim(r.node.Note)
		}
		t.line(strings.TrimRight(l, " "))
	}
}

// pad fills s with spaces to n columns.
func pad(s string, n int) string {
	if w := utf8.RuneCountInString(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}
