// Package completion completes the command line of kubectl why in shells
// and for kubectl_complete-why, as kubectl completes its own: kinds, then
// names of that kind in the namespace, -n with the cluster's namespaces,
// --context and --cluster with the kubeconfig's.
package completion

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/collect"
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// timeout bounds every request of shell completion: a TAB must not hang.
const timeout = 5 * time.Second

// Register adds completion to cmd. resolver resolves TYPE arguments as the
// command does.
func Register(cmd *cobra.Command, config *genericclioptions.ConfigFlags, resolver func() collect.Resolver) {
	c := completer{config: config, resolver: resolver}
	cmd.ValidArgsFunction = c.args
	_ = cmd.RegisterFlagCompletionFunc("namespace", c.namespaces)
	_ = cmd.RegisterFlagCompletionFunc("context", c.fromConfig(func(c *clientcmdapi.Config) []string { return slices.Sorted(maps.Keys(c.Contexts)) }))
	_ = cmd.RegisterFlagCompletionFunc("cluster", c.fromConfig(func(c *clientcmdapi.Config) []string { return slices.Sorted(maps.Keys(c.Clusters)) }))
}

type completer struct {
	config   *genericclioptions.ConfigFlags
	resolver func() collect.Resolver
}

const noFiles = cobra.ShellCompDirectiveNoFileComp

// args completes kinds, then names of that kind in the namespace.
func (c completer) args(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) == 0 && !strings.Contains(toComplete, "/") {
		return collect.CompletionKinds, noFiles
	}
	kindArg, typed := "", ""
	if typ, name, ok := strings.Cut(toComplete, "/"); ok {
		kindArg, typed, toComplete = typ, typ+"/", name
	} else if len(args) > 0 && !strings.Contains(args[0], "/") {
		kindArg = args[0]
	}
	// The same resolution as the command's: "deployments.apps web" and
	// "deploy,job we<TAB>" complete names of every kind they name.
	targets, err := c.resolver().ParseArgs([]string{kindArg})
	cs, _, cerr := collect.NewClient(c.config.ToRESTConfig, nil, timeout)
	if err != nil || cerr != nil {
		return nil, noFiles
	}
	ns, _, _ := c.config.ToRawKubeConfigLoader().Namespace()
	var out []string
	for _, n := range collect.CompleteNames(context.Background(), cs, targets, ns, toComplete) {
		out = append(out, typed+n)
	}
	return out, noFiles
}

func (c completer) namespaces(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	cs, _, err := collect.NewClient(c.config.ToRESTConfig, nil, timeout)
	if err != nil {
		return nil, noFiles
	}
	names, _ := collect.NamespaceNames(context.Background(), cs)
	return names, noFiles
}

func (c completer) fromConfig(pick func(*clientcmdapi.Config) []string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		raw, err := c.config.ToRawKubeConfigLoader().RawConfig()
		if err != nil {
			return nil, noFiles
		}
		return pick(&raw), noFiles
	}
}
