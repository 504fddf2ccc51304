package printers

import (
	"fmt"
	"io"
	"slices"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
)

// Choice is how one answer is shown.
type Choice struct {
	Options
	Format    string // --output: "", "wide", "json" or "yaml"
	Named     bool   // objects were asked for by name: a tree, unless wide
	Failing   bool   // --failing: an empty answer reads "Nothing is failing"
	Namespace string // the namespace in scope, named by an empty answer
}

// CheckFormat rejects an --output value Print does not know.
func CheckFormat(format string) error {
	if slices.Contains([]string{"", "wide", "json", "yaml"}, format) {
		return nil
	}
	return fmt.Errorf("--output %q is not supported: use wide, json or yaml", format)
}

// Print writes rep to out as c chooses: JSON or YAML whole (notes inside);
// otherwise a tree for named objects or a table, with the notes on errOut,
// and an empty answer said on errOut as kubectl says it ("No resources
// found in default namespace.").
func Print(out, errOut io.Writer, rep explain.Report, c Choice) error {
	c.Wide = c.Format == "wide"
	switch {
	case c.Format == "json":
		return JSON(out, rep)
	case c.Format == "yaml":
		return YAML(out, rep)
	case len(rep.Items) == 0:
		fmt.Fprintln(errOut, c.nothingFound())
	case c.Named && !c.Wide:
		return Tree(out, rep, c.Options)
	default:
		if err := Table(out, rep, c.Options); err != nil {
			return err
		}
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(errOut, "note: %s\n", n)
	}
	return nil
}

func (c Choice) nothingFound() string {
	what := "No resources found"
	if c.Failing {
		what = "Nothing is failing"
	}
	if c.AllNamespaces || c.Namespace == "" {
		return what + "."
	}
	return fmt.Sprintf("%s in %s namespace.", what, c.Namespace)
}
