package cmd

import (
	"context"
	"flag"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"github.com/kubectl-why/kubectl-why/pkg/collect"
	"github.com/spf13/cobra"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/klog/v2"
)

// addKlogFlags exposes -v like kubectl: -v=4 traces requests and prints
// the request statistics.
func addKlogFlags(cmd *cobra.Command) {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	if v := fs.Lookup("v"); v != nil {
		cmd.PersistentFlags().AddGoFlag(v)
	}
}

// quietKlog silences client-go's own log lines unless -v is given. Without
// it, a dropped connection prints "Unexpected error when reading response
// body" on stderr although the page is retried and the answer is whole; a
// failure that matters comes back as the one "error:" line instead.
func quietKlog() {
	if !klog.V(1).Enabled() {
		klog.SetLogger(logr.Discard())
	}
}

// completeArgs completes kinds, then names of that kind in the namespace,
// for shells and for kubectl_complete-why.
func (f *WhyFlags) completeArgs(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) == 0 && !strings.Contains(toComplete, "/") {
		return collect.CompletionKinds, cobra.ShellCompDirectiveNoFileComp
	}
	kindArg, typed := "", ""
	if typ, name, ok := strings.Cut(toComplete, "/"); ok {
		kindArg, typed, toComplete = typ, typ+"/", name
	} else if len(args) > 0 && !strings.Contains(args[0], "/") {
		kindArg = args[0]
	}
	// The same resolution as the command's: "deployments.apps web" and
	// "deploy,job we<TAB>" complete names of every kind they name.
	targets, err := f.resolver().ParseArgs([]string{kindArg})
	cs, _, cerr := collect.NewClient(f.configFlags.ToRESTConfig, nil, completionTimeout)
	if err != nil || cerr != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	ns, _, _ := f.configFlags.ToRawKubeConfigLoader().Namespace()
	var out []string
	for _, n := range collect.CompleteNames(context.Background(), cs, targets, ns, toComplete) {
		out = append(out, typed+n)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completionTimeout bounds every request of shell completion: a TAB must
// not hang.
const completionTimeout = 5 * time.Second

// registerCompletion completes TYPE and NAME arguments, -n with the
// cluster's namespaces and --context and --cluster with the kubeconfig's,
// as kubectl does.
func (f *WhyFlags) registerCompletion(cmd *cobra.Command) {
	cmd.ValidArgsFunction = f.completeArgs
	_ = cmd.RegisterFlagCompletionFunc("namespace", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		cs, _, err := collect.NewClient(f.configFlags.ToRESTConfig, nil, completionTimeout)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		names, _ := collect.NamespaceNames(context.Background(), cs)
		return names, cobra.ShellCompDirectiveNoFileComp
	})
	fromConfig := func(pick func(*clientcmdapi.Config) []string) cobra.CompletionFunc {
		return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			raw, err := f.configFlags.ToRawKubeConfigLoader().RawConfig()
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return pick(&raw), cobra.ShellCompDirectiveNoFileComp
		}
	}
	_ = cmd.RegisterFlagCompletionFunc("context", fromConfig(func(c *clientcmdapi.Config) []string { return slices.Sorted(maps.Keys(c.Contexts)) }))
	_ = cmd.RegisterFlagCompletionFunc("cluster", fromConfig(func(c *clientcmdapi.Config) []string { return slices.Sorted(maps.Keys(c.Clusters)) }))
}
