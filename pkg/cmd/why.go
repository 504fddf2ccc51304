// Package cmd wires the kubectl why command: flags become options, options
// are validated, and Run chains collect -> graph -> explain -> printers.
// Nothing here decides a verdict.
package cmd

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/kubectl-why/kubectl-why/pkg/collect"
	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"github.com/kubectl-why/kubectl-why/pkg/version"
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// Exit codes, documented in --help and the README.
const (
	ExitReady       = 0 // every target is Ready (a Succeeded pod reads Completed)
	ExitError       = 1 // bad input, unreachable cluster, or another error
	ExitNotReady    = 2 // some target is not Ready: replicas missing or unavailable, a failed rollout, Job, CronJob run or pod
	ExitUnknown     = 3 // some target could not be judged (RBAC): never reported as Ready
	ExitProgressing = 4 // every desired replica serves, but a rollout is not finished
)

// ExitCodeError carries an exit code through cobra without printing an error.
type ExitCodeError struct{ Code int }

func (e *ExitCodeError) Error() string { return fmt.Sprintf("exit %d", e.Code) }

// exitFor is the exit code of the worst verdict of the run.
func exitFor(rep explain.Report) error {
	if code := rep.Worst().ExitCode(); code != ExitReady {
		return &ExitCodeError{Code: code}
	}
	return nil
}

// The help is prose, kept in text files beside this one; the kinds are
// filled in from collect's list.
var (
	//go:embed why_long.txt
	whyLongText string
	//go:embed why_example.txt
	whyExample string
)

// NewCmdWhy builds the root command.
func NewCmdWhy(streams genericiooptions.IOStreams) *cobra.Command {
	return newCmdWhy(NewWhyFlags(streams))
}

// newCmdWhy builds the command on flags whose test hooks may be set.
func newCmdWhy(flags *WhyFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:          "why (TYPE[.VERSION][.GROUP] [NAME ...] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]",
		Short:        "Explain why a workload or pod is not Ready",
		Long:         fmt.Sprintf(strings.TrimSuffix(whyLongText, "\n"), collect.AcceptedKinds),
		Example:      strings.TrimSuffix(whyExample, "\n"),
		SilenceUsage: true,
		// Arguments are TYPE/NAME, never subcommands: without this cobra
		// would call "deploy/x" an unknown command.
		Args:        cobra.ArbitraryArgs,
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl why"},
		RunE: func(c *cobra.Command, args []string) error {
			quietKlog()
			if flags.PrintRBAC {
				_, err := fmt.Fprint(flags.Out, collect.RBAC)
				return err
			}
			o, err := flags.ToOptions(args)
			if err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(c.Context())
		},
	}
	flags.AddFlags(cmd)
	cmd.AddCommand(version.NewCmd(flags.Out))
	return cmd
}
