// Package version holds the build's version, commit and date, stamped by
// the linker: -X github.com/kubectl-why/kubectl-why/pkg/version.Version=v1.2.3
package version

import (
	"fmt"
	"io"
	"runtime"

	"github.com/spf13/cobra"
)

// Stamped at build time by -ldflags "-X ...".
var (
	Version = "dev"
	Commit  = "none"
	Date    = "unknown"
)

// String is the one line `kubectl why version` prints.
func String() string {
	return fmt.Sprintf("kubectl-why %s (commit %s, built %s, %s, %s/%s)", Version, Commit, Date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// NewCmd is the version subcommand, printing String to out.
func NewCmd(out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of kubectl why",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(out, String())
			return err
		},
	}
}
