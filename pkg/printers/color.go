package printers

import (
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"golang.org/x/term"
)

// UseColor decides --color: always, never, or auto, which colors only
// when NO_COLOR is unset, TERM is not dumb and out is a terminal.
func UseColor(mode string, out io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if _, ok := os.LookupEnv("NO_COLOR"); ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	return IsTerminal(out)
}

// IsTerminal says whether w is a terminal. A character device is not
// enough: /dev/null is one, and output sent there is not read by a person.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// CheckColor rejects a --color value UseColor does not know.
func CheckColor(mode string) error {
	if slices.Contains([]string{"auto", "always", "never"}, mode) {
		return nil
	}
	return fmt.Errorf("--color %q is not supported: use auto, always or never", mode)
}

// Plain SGR escape codes: eight colors cover every terminal worth
// supporting, and a dependency for them would cost more than this file.
const (
	sgrReset  = "\x1b[0m"
	sgrBold   = "\x1b[1m"
	sgrDim    = "\x1b[2m"
	sgrRed    = "\x1b[31m"
	sgrGreen  = "\x1b[32m"
	sgrYellow = "\x1b[33m"
	sgrCyan   = "\x1b[36m"
)

// painter wraps text in escape codes only when color is on, so no caller
// can write raw ANSI by accident.
type painter struct{ on bool }

func (p painter) paint(code, s string) string {
	if !p.on || s == "" {
		return s
	}
	return code + s + sgrReset
}

func (p painter) bold(s string) string   { return p.paint(sgrBold, s) }
func (p painter) dim(s string) string    { return p.paint(sgrDim, s) }
func (p painter) red(s string) string    { return p.paint(sgrRed, s) }
func (p painter) green(s string) string  { return p.paint(sgrGreen, s) }
func (p painter) yellow(s string) string { return p.paint(sgrYellow, s) }

// severity colors a word by how bad the finding is.
func (p painter) severity(sev explain.Severity, s string) string {
	switch sev {
	case explain.SeverityError:
		return p.paint(sgrRed, s)
	case explain.SeverityWarning:
		return p.paint(sgrYellow, s)
	case explain.SeverityInfo:
		return p.paint(sgrCyan, s)
	}
	return s
}

// verdict colors a verdict word: green Ready, red NotReady, cyan for a
// healthy rollout under way, yellow when it could not be judged or is
// Ready but restarting.
func (p painter) verdict(r explain.Result, s string) string {
	switch {
	case r.Suspicious():
		return p.paint(sgrYellow, s)
	case r.Verdict == explain.VerdictReady:
		return p.paint(sgrGreen, s)
	case r.Verdict == explain.VerdictNotReady:
		return p.paint(sgrRed, s)
	case r.Verdict == explain.VerdictProgressing:
		return p.paint(sgrCyan, s)
	}
	return p.paint(sgrYellow, s)
}
