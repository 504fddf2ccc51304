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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
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
func (o *Options) completeArgs(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) == 0 && !strings.Contains(toComplete, "/") {
		return completionKinds, cobra.ShellCompDirectiveNoFileComp
	}
	kindArg, prefix := "", ""
	if typ, name, ok := strings.Cut(toComplete, "/"); ok {
		kindArg, prefix = typ, typ+"/"
		toComplete = name
	} else if len(args) > 0 && !strings.Contains(args[0], "/") {
		kindArg = args[0]
	}
	// The same resolution as the command's: "deployments.apps web" and
	// "deploy,job we<TAB>" complete names of every kind they name.
	targets, err := o.resolver().ParseArgs([]string{kindArg})
	if err != nil || len(targets) == 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	cs, err := o.completionClient()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	ns, _, _ := o.configFlags.ToRawKubeConfigLoader().Namespace()
	var out []string
	for _, t := range targets {
		names, err := collect.Names(context.Background(), cs, t.Kind, ns, metav1.ListOptions{Limit: 500})
		if err != nil {
			continue
		}
		for _, n := range names {
			if strings.HasPrefix(n, toComplete) && !slices.Contains(out, prefix+n) {
				out = append(out, prefix+n)
			}
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completionClient is a client for shell completion: a TAB must not hang,
// so every request gives up after 5 seconds.
func (o *Options) completionClient() (kubernetes.Interface, error) {
	cfg, err := o.configFlags.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	cfg.Timeout = 5 * time.Second
	return kubernetes.NewForConfig(cfg)
}

// completionKinds are the TYPE words offered first: the kinds, their short
// names, and "all".
var completionKinds = []string{"all", "pod", "deployment", "replicaset", "statefulset", "daemonset", "job", "cronjob", "po", "deploy", "rs", "sts", "ds", "cj"}

// registerFlagCompletion completes -n with the cluster's namespaces and
// --context and --cluster with the kubeconfig's, as kubectl does.
func (o *Options) registerFlagCompletion(cmd *cobra.Command) {
	_ = cmd.RegisterFlagCompletionFunc("namespace", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		cs, err := o.completionClient()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		l, err := cs.CoreV1().Namespaces().List(context.Background(), metav1.ListOptions{Limit: 500})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, n := range l.Items {
			out = append(out, n.Name)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	fromConfig := func(pick func(*clientcmdapi.Config) []string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			raw, err := o.configFlags.ToRawKubeConfigLoader().RawConfig()
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			out := pick(&raw)
			slices.Sort(out)
			return out, cobra.ShellCompDirectiveNoFileComp
		}
	}
	_ = cmd.RegisterFlagCompletionFunc("context", fromConfig(func(c *clientcmdapi.Config) []string { return slices.Collect(maps.Keys(c.Contexts)) }))
	_ = cmd.RegisterFlagCompletionFunc("cluster", fromConfig(func(c *clientcmdapi.Config) []string { return slices.Collect(maps.Keys(c.Clusters)) }))
}
