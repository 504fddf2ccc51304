// Command gendocs prints docs/codes.md, the table of stable codes, from
// the code table in pkg/explain: go run ./hack/gendocs > docs/codes.md.
package main

import (
	"fmt"
	"os"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
)

func main() {
	if _, err := os.Stdout.Write(explain.CodesMarkdown()); err != nil {
		fmt.Fprintf(os.Stderr, "gendocs: write docs: %v\n", err)
		os.Exit(1)
	}
}
