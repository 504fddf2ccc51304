package cmd

import (
	"fmt"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/collect"
	"github.com/kubectl-why/kubectl-why/pkg/completion"
	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
)

// WhyFlags are the command line as given; ToOptions turns them into the
// Options of one run.
type WhyFlags struct {
	configFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	AllNamespaces bool
	Selector      string
	Filenames     []string
	AsOf          string
	Failing       bool
	Output        string
	Color         string
	Logs          bool
	LogLines      int64
	Stats         bool
	ChunkSize     int64
	Wait          bool
	Timeout       time.Duration
	PrintRBAC     bool

	// Test hooks: the API client (nil: from the kubeconfig) and the clock.
	newClient func() (kubernetes.Interface, string, error)
	now       func() time.Time
}

// NewWhyFlags returns the flags with kubectl's kubeconfig flags.
func NewWhyFlags(streams genericiooptions.IOStreams) *WhyFlags {
	return &WhyFlags{configFlags: genericclioptions.NewConfigFlags(true), IOStreams: streams, now: time.Now}
}

// AddFlags registers the flags, -v and shell completion on cmd.
func (f *WhyFlags) AddFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	f.configFlags.AddFlags(fs)
	fs.BoolVarP(&f.AllNamespaces, "all-namespaces", "A", false, "Look in every namespace.")
	fs.StringVarP(&f.Selector, "selector", "l", "", "Label selector (e.g. -l app=web), as kubectl get.")
	fs.StringSliceVarP(&f.Filenames, "filename", "f", nil, "Explain saved objects (files, directories such as a cluster-info dump, or - for stdin) instead of a live cluster.")
	fs.StringVar(&f.AsOf, "as-of", "", "With -f: explain the saved objects as of this time, RFC 3339 (2026-03-01T12:00:00Z) or a date (2026-03-01, midnight UTC). Default: the newest time they record.")
	fs.BoolVar(&f.Failing, "failing", false, "Show only what is NotReady or Unknown, and what is Ready with a warning (restarting, failed pods left behind); not a healthy rollout in progress.")
	fs.StringVarP(&f.Output, "output", "o", "", "Output format: wide, json or yaml. Default: a tree for named objects, a table otherwise.")
	fs.StringVar(&f.Color, "color", "auto", "Color the severity: auto, always or never. auto honours NO_COLOR, TERM=dumb and non-terminal output.")
	fs.BoolVar(&f.Logs, "logs", false, "Add the tail of the previous log of crashed containers (what kubectl logs --previous shows).")
	fs.Int64Var(&f.LogLines, "tail", 20, "Lines of previous log to show with --logs.")
	fs.BoolVar(&f.Stats, "stats", false, "Print how many API requests were made and how long they took, on stderr.")
	// 1000, not kubectl's 500: at 10,000 pods it measured fastest of 500,
	// 1000, 5000 and one request (docs/benchmarks.md), for 10 MiB more.
	fs.Int64Var(&f.ChunkSize, "chunk-size", 1000, "Return large lists in chunks of this size, as kubectl does; 0 lists in one request.")
	fs.BoolVar(&f.Wait, "wait", false, "Watch and re-explain until every target is Ready (exit 0), a permanent cause appears (exit 2), or --timeout passes (the verdict's exit code then).")
	fs.DurationVar(&f.Timeout, "timeout", 5*time.Minute, "With --wait: how long to wait.")
	fs.BoolVar(&f.PrintRBAC, "print-rbac", false, "Print the least-privilege ClusterRole kubectl why needs, and exit.")
	addKlogFlags(cmd)
	completion.Register(cmd, f.configFlags, f.resolver)
}

// resolver resolves TYPE arguments as kubectl does. Offline (-f) it uses
// the built-in mapping alone; live, the cluster's REST mapper (discovery
// behind kubectl's disk cache) is asked about a TYPE the built-in mapping
// does not know, so that a custom resource reads "not supported" and a
// typo "doesn't have a resource type", as kubectl words it.
func (f *WhyFlags) resolver() collect.Resolver {
	if len(f.Filenames) > 0 {
		return collect.Resolver{}
	}
	return collect.Resolver{Server: f.configFlags.ToRESTMapper}
}

// ToOptions resolves the arguments into targets, finds the namespace and
// parses what has a syntax; Validate then checks that it all fits together.
func (f *WhyFlags) ToOptions(args []string) (*Options, error) {
	o := &Options{WhyFlags: f, newClient: f.newClient}
	var err error
	if o.Targets, err = f.resolver().ParseArgs(args); err != nil {
		return nil, err
	}
	if len(args) == 0 && len(f.Filenames) > 0 {
		// -f with no arguments reads as "all": every workload in the files,
		// and the replicasets, jobs and pods no workload in them walks to.
		o.Targets, _ = collect.Resolver{}.ParseArgs([]string{"all"})
	}
	if o.selector, err = labels.Parse(f.Selector); err != nil {
		return nil, fmt.Errorf("--selector %q: %w", f.Selector, err)
	}
	if o.asOf, err = collect.ParseAsOf(f.AsOf); err != nil {
		return nil, err
	}
	if o.Namespace, o.fileNamespace, err = collect.Namespaces(f.configFlags.ToRawKubeConfigLoader(), *f.configFlags.Namespace, len(f.Filenames) > 0); err != nil {
		return nil, err
	}
	if o.newClient == nil {
		o.newClient = func() (kubernetes.Interface, string, error) {
			return collect.NewClient(f.configFlags.ToRESTConfig, o.stats, 0)
		}
	}
	return o, nil
}
