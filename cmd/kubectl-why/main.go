// Command kubectl-why is the kubectl plugin that explains why a workload is
// not Ready. Installed on PATH, it runs as `kubectl why`.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/kubectl-why/kubectl-why/pkg/cmd"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	_ "k8s.io/client-go/plugin/pkg/client/auth" // cloud auth providers, as kubectl has
)

func main() {
	root := cmd.NewCmdWhy(genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr})
	root.SilenceErrors = true
	if err := root.Execute(); err != nil {
		var exit *cmd.ExitCodeError
		if errors.As(err, &exit) {
			os.Exit(exit.Code)
		}
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(cmd.ExitError)
	}
}
