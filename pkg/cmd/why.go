// Package cmd wires the kubectl why command: flags become options, options
// are completed and validated, and Run chains collect -> graph -> explain ->
// printers. Nothing here decides a verdict.
package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/collect"
	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"github.com/kubectl-why/kubectl-why/pkg/graph"
	"github.com/kubectl-why/kubectl-why/pkg/printers"
	"github.com/kubectl-why/kubectl-why/pkg/version"
	"github.com/spf13/cobra"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
)

// Exit codes, documented in --help and the README.
const (
	ExitReady       = 0 // every target is Ready (a Succeeded pod reads Completed)
	ExitError       = 1 // bad input, unreachable cluster, or another error
	ExitNotReady    = 2 // some target is not Ready: replicas missing or unavailable, a failed rollout, Job, CronJob run or pod
	ExitUnknown     = 3 // some target could not be judged (RBAC): never reported as Ready
	ExitProgressing = 4 // every desired replica serves, but a rollout is not finished
)

// ExitError carries an exit code through cobra without printing an error.
type ExitCodeError struct{ Code int }

func (e *ExitCodeError) Error() string { return fmt.Sprintf("exit %d", e.Code) }

var whyLong = `Explain why a workload or pod is not Ready: a deployment, replicaset,
statefulset, daemonset, job, cronjob or pod.

kubectl why walks from the object down to its ReplicaSets, ordinals, nodes or
Jobs, its pods, their containers, events and nodes, and says what blocks
readiness: the cause first, the evidence verbatim, and the next command to run.
TYPE is resolved as kubectl resolves it (deploy, deployments.apps,
deployment.v1.apps, deploy,job); "all" means every kind kubectl why explains.

Kinds: ` + collect.AcceptedKinds + `.

Verdicts come from each object's own status first, as kubectl rollout status
reads it; pods, events and nodes explain the verdict, they never overturn it.

Exit status (the worst verdict of all targets):
  0  Ready: every target is Ready (a Succeeded pod reads Completed); a Ready
     target that restarts or left failed pods behind is Ready with a warning
  1  error (bad input, cluster unreachable, object not found)
  2  NotReady: replicas missing or unavailable, or a rollout, Job, CronJob
     run or pod that failed
  3  Unknown: something could not be read (RBAC), so it is never called Ready
  4  Progressing: every desired replica serves and nothing is broken, but a
     rollout is under way, paused mid-way or held by a partition; a Job is
     running or suspended`

var whyExample = `  # Why is this deployment not Ready? (a tree, the cause first)
  kubectl why deploy/my-app

  # Everything in the cluster that is broken, as a table
  kubectl why all -A --failing

  # Every pod in the cluster that is not Ready
  kubectl why pod -A --failing

  # A daemonset, a job, the last run of a cronjob
  kubectl why ds/node-agent -n kube-system
  kubectl why job/migrate cj/backup -n shop

  # A statefulset, for scripts: JSON, and the exit code says Ready or not
  kubectl why sts/db -o json

  # Several objects, a label selector, another namespace
  kubectl why deployment web api -n shop
  kubectl why pod -l app=web

  # Wait until the rollout is Ready, or fail fast on a permanent cause
  kubectl why deploy/my-app --wait --timeout 5m

  # Explain saved objects without a cluster
  kubectl get deploy,rs,pods,events -o yaml > state.yaml
  kubectl why -f state.yaml deploy/my-app`

// Options is everything one run needs.
type Options struct {
	configFlags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams

	Args          []string
	Targets       []collect.Target
	Namespace     string
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

	stats *collect.Stats
	// fileNamespace is for saved objects without one: -n, or the context's.
	fileNamespace string
	// newClient builds the API client; tests replace it with a fake.
	newClient func() (kubernetes.Interface, string, error)

	now func() time.Time
}

// NewCmdWhy builds the root command.
func NewCmdWhy(streams genericiooptions.IOStreams) *cobra.Command {
	return newCmdWhy(&Options{
		configFlags: genericclioptions.NewConfigFlags(true),
		IOStreams:   streams,
		now:         time.Now,
	})
}

func newCmdWhy(o *Options) *cobra.Command {
	streams := o.IOStreams
	cmd := &cobra.Command{
		Use:          "why (TYPE[.VERSION][.GROUP] [NAME ...] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]",
		Short:        "Explain why a workload or pod is not Ready",
		Long:         whyLong,
		Example:      whyExample,
		SilenceUsage: true,
		// Arguments are TYPE/NAME, never subcommands: without this cobra
		// would call "deploy/x" an unknown command.
		Args:        cobra.ArbitraryArgs,
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl why"},
		RunE: func(c *cobra.Command, args []string) error {
			quietKlog()
			if o.PrintRBAC {
				_, err := fmt.Fprint(o.Out, RBAC)
				return err
			}
			if err := o.Complete(args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(c.Context())
		},
	}
	f := cmd.Flags()
	o.configFlags.AddFlags(f)
	f.BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "Look in every namespace.")
	f.StringVarP(&o.Selector, "selector", "l", "", "Label selector (e.g. -l app=web), as kubectl get.")
	f.StringSliceVarP(&o.Filenames, "filename", "f", nil, "Explain saved objects (files, directories such as a cluster-info dump, or - for stdin) instead of a live cluster.")
	f.StringVar(&o.AsOf, "as-of", "", "With -f: explain the saved objects as of this time, RFC 3339 (2026-03-01T12:00:00Z) or a date (2026-03-01, midnight UTC). Default: the newest time they record.")
	f.BoolVar(&o.Failing, "failing", false, "Show only what is NotReady or Unknown, and what is Ready with a warning (restarting, failed pods left behind); not a healthy rollout in progress.")
	f.StringVarP(&o.Output, "output", "o", "", "Output format: wide, json or yaml. Default: a tree for named objects, a table otherwise.")
	f.StringVar(&o.Color, "color", "auto", "Color the severity: auto, always or never. auto honours NO_COLOR, TERM=dumb and non-terminal output.")
	f.BoolVar(&o.Logs, "logs", false, "Add the tail of the previous log of crashed containers (what kubectl logs --previous shows).")
	f.Int64Var(&o.LogLines, "tail", 20, "Lines of previous log to show with --logs.")
	f.BoolVar(&o.Stats, "stats", false, "Print how many API requests were made and how long they took, on stderr.")
	// 1000, not kubectl's 500: at 10,000 pods it measured fastest of 500,
	// 1000, 5000 and one request (docs/benchmarks.md), for 10 MiB more.
	f.Int64Var(&o.ChunkSize, "chunk-size", 1000, "Return large lists in chunks of this size, as kubectl does; 0 lists in one request.")
	f.BoolVar(&o.Wait, "wait", false, "Re-evaluate until every target is Ready (exit 0), a permanent cause appears (exit 2), or --timeout passes (the verdict's exit code then).")
	f.DurationVar(&o.Timeout, "timeout", 5*time.Minute, "With --wait: how long to wait.")
	f.BoolVar(&o.PrintRBAC, "print-rbac", false, "Print the least-privilege ClusterRole kubectl why needs, and exit.")
	addKlogFlags(cmd)
	cmd.ValidArgsFunction = o.completeArgs
	o.registerFlagCompletion(cmd)

	cmd.AddCommand(newCmdVersion(streams))
	return cmd
}

func newCmdVersion(streams genericiooptions.IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of kubectl why",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(streams.Out, version.String())
			return err
		},
	}
}

// Complete turns arguments and flags into targets.
func (o *Options) Complete(args []string) error {
	o.Args = args
	targets, err := o.resolver().ParseArgs(args)
	if err != nil {
		return err
	}
	o.Targets = targets
	if len(o.Filenames) == 0 {
		ns, _, err := o.configFlags.ToRawKubeConfigLoader().Namespace()
		if err != nil {
			return fmt.Errorf("read kubeconfig: %w", err)
		}
		o.Namespace = ns
	} else if o.configFlags.Namespace != nil && *o.configFlags.Namespace != "" {
		o.Namespace = *o.configFlags.Namespace
		o.fileNamespace = o.Namespace
	} else {
		// Saved objects without a namespace are in the context's, as
		// kubectl reads -f; with no kubeconfig at all, in "default".
		ns, _, err := o.configFlags.ToRawKubeConfigLoader().Namespace()
		if err != nil && !clientcmd.IsEmptyConfig(err) {
			return fmt.Errorf("read kubeconfig for the namespace of saved objects without one (or give -n): %w", err)
		}
		o.fileNamespace = cmp.Or(ns, metav1.NamespaceDefault)
	}
	return nil
}

// resolver resolves TYPE arguments as kubectl does. Offline (-f) it uses
// the built-in mapping alone; live, the cluster's REST mapper (discovery
// behind kubectl's disk cache) is asked about a TYPE the built-in mapping
// does not know, so that a custom resource reads "not supported" and a
// typo "doesn't have a resource type", as kubectl words it.
func (o *Options) resolver() collect.Resolver {
	if len(o.Filenames) > 0 || o.configFlags == nil {
		return collect.Resolver{}
	}
	return collect.Resolver{Server: o.configFlags.ToRESTMapper}
}

// Validate rejects contradictory or malformed input with one line naming the flag.
func (o *Options) Validate() error {
	switch o.Output {
	case "", "wide", "json", "yaml":
	default:
		return fmt.Errorf("--output %q is not supported: use wide, json or yaml", o.Output)
	}
	switch o.Color {
	case "auto", "always", "never":
	default:
		return fmt.Errorf("--color %q is not supported: use auto, always or never", o.Color)
	}
	if len(o.Targets) == 0 && len(o.Filenames) == 0 {
		return fmt.Errorf("name what to explain, e.g. kubectl why deploy/my-app or kubectl why pod -A --failing (kinds: %s)", collect.AcceptedKinds)
	}
	if o.AllNamespaces && o.hasNames() {
		return errors.New("a resource cannot be retrieved by name across all namespaces: drop -A or the names")
	}
	if o.Selector != "" && o.hasNames() {
		return errors.New("--selector cannot be combined with names: drop -l or the names")
	}
	if _, err := parseSelector(o.Selector); err != nil {
		return err
	}
	if o.ChunkSize < 0 {
		return fmt.Errorf("--chunk-size %d: must be 0 or more", o.ChunkSize)
	}
	if _, err := parseAsOf(o.AsOf); err != nil {
		return err
	}
	if o.AsOf != "" && len(o.Filenames) == 0 {
		return errors.New("--as-of can be used only with -f: a live cluster is explained as of now")
	}
	if o.Wait && len(o.Filenames) > 0 {
		return errors.New("--wait cannot be used with -f: saved objects do not change")
	}
	if o.Wait && o.Timeout <= 0 {
		return fmt.Errorf("--timeout %s: must be positive", o.Timeout)
	}
	return nil
}

func (o *Options) hasNames() bool {
	for _, t := range o.Targets {
		if t.Name != "" {
			return true
		}
	}
	return false
}

// Run collects, explains and prints, and returns an *ExitCodeError when the
// answer is not all Ready.
func (o *Options) Run(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.Stats || klog.V(4).Enabled() {
		o.stats = collect.NewStats()
		defer func() { fmt.Fprintln(o.ErrOut, o.stats.String()) }()
	}
	if o.Wait {
		return o.runWait(ctx)
	}
	rep, now, err := o.evaluate(ctx)
	if err != nil {
		return err
	}
	if err := o.print(rep, now); err != nil {
		return err
	}
	return exitFor(rep)
}

// evaluate is one pass: collect, index, explain.
func (o *Options) evaluate(ctx context.Context) (explain.Report, time.Time, error) {
	snap, notes, err := o.snapshot(ctx)
	if err != nil {
		return explain.Report{}, time.Time{}, err
	}
	g := graph.New(snap)
	targets, err := o.selectTargets(g)
	if err != nil {
		return explain.Report{}, time.Time{}, err
	}
	rep := explain.Explain(g, targets)
	rep.Notes = append(notes, rep.Notes...)
	if o.Failing {
		rep.Items = failingOnly(rep.Items)
	}
	return rep, snap.Now, nil
}

func (o *Options) snapshot(ctx context.Context) (*graph.Snapshot, []string, error) {
	if len(o.Filenames) > 0 {
		asOf, _ := parseAsOf(o.AsOf) // checked by Validate
		return collect.FromFiles(o.Filenames, collect.FileOptions{Namespace: o.fileNamespace, AsOf: asOf, Now: o.now()})
	}
	newClient := o.newClient
	if newClient == nil {
		newClient = o.restClient
	}
	cs, host, err := newClient()
	if err != nil {
		return nil, nil, err
	}
	live := &collect.Live{Client: cs, Progress: o.ErrOut, Now: o.now}
	req := collect.Request{
		Targets:       o.Targets,
		Namespace:     o.Namespace,
		AllNamespaces: o.AllNamespaces,
		Selector:      o.Selector,
		FailingOnly:   o.Failing,
		ChunkSize:     o.ChunkSize,
		Logs:          o.Logs,
		LogLines:      o.LogLines,
	}
	klog.V(4).Infof("collect %+v", req)
	snap, err := live.Collect(ctx, req)
	if err != nil {
		return nil, nil, friendly(err, host, o.requestTimeout())
	}
	return snap, nil, nil
}

// restClient builds the real client from the kubeconfig flags.
func (o *Options) restClient() (kubernetes.Interface, string, error) {
	cfg, err := o.configFlags.ToRESTConfig()
	if err != nil {
		return nil, "", fmt.Errorf("read kubeconfig: %w", err)
	}
	// A handful of lists should never wait on a client-side rate limiter,
	// and protobuf decodes several times faster than JSON.
	cfg.QPS = -1
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	if o.stats != nil {
		cfg.Wrap(o.stats.Wrap)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, "", fmt.Errorf("create client: %w", err)
	}
	return cs, cfg.Host, nil
}

// selectTargets picks the objects the user asked about out of the snapshot.
func (o *Options) selectTargets(g *graph.Graph) ([]explain.Ref, error) {
	s := g.Snap
	want := o.Targets
	if len(want) == 0 {
		// -f with no arguments: as "all": every workload in the files,
		// and the replicasets, jobs and pods that no workload in the files
		// walks to.
		for _, k := range collect.AllKinds {
			want = append(want, collect.Target{Kind: k, All: true})
		}
	}
	sel, err := parseSelector(o.Selector)
	if err != nil {
		return nil, err
	}
	inScope := func(ns string) bool {
		return o.AllNamespaces || len(o.Filenames) > 0 && o.Namespace == "" || ns == o.Namespace
	}
	var out []explain.Ref
	seen := map[string]bool{}
	add := func(r explain.Ref, lbls map[string]string) {
		if !inScope(r.Namespace) || !sel.Matches(labelSet(lbls)) || seen[string(r.UID)+r.Name] {
			return
		}
		seen[string(r.UID)+r.Name] = true
		out = append(out, r)
	}
	for _, t := range want {
		for _, obj := range s.Objects(t.Kind) {
			if t.All && !standsAlone(g, t.Kind, obj) {
				continue
			}
			if t.Name == "" || t.Name == obj.GetName() {
				add(explain.Ref{Kind: t.Kind, Namespace: obj.GetNamespace(), Name: obj.GetName(), UID: obj.GetUID()}, obj.GetLabels())
			}
		}
	}
	// Offline, a named object missing from the files is NotFound too.
	if len(o.Filenames) > 0 {
		for _, t := range o.Targets {
			if t.Name == "" {
				continue
			}
			kinds := t.AnyOf
			if len(kinds) == 0 {
				kinds = []string{t.Kind}
			}
			found := false
			for _, r := range out {
				if slices.Contains(kinds, r.Kind) && r.Name == t.Name {
					found = true
				}
			}
			if !found {
				return nil, &collect.NotFoundError{Kind: t.Kind, Namespace: o.Namespace, Name: t.Name}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// failingOnly keeps what needs a look: NotReady and Unknown targets, and
// Ready ones with a warning. A healthy rollout in progress is left out.
// standsAlone says whether obj is a target of its own under "all": pods,
// replicasets and jobs that a workload in the snapshot walks to are
// explained as part of it, and old revisions scaled to zero are history.
func standsAlone(g *graph.Graph, kind string, obj metav1.Object) bool {
	switch kind {
	case collect.KindPod, collect.KindJob:
		return !g.WalkedFromController(obj)
	case collect.KindReplicaSet:
		rs := obj.(*appsv1.ReplicaSet)
		return !g.WalkedFromController(rs) && !(rs.Spec.Replicas != nil && *rs.Spec.Replicas == 0 && len(g.PodsOf(rs.UID)) == 0)
	}
	return true
}

func failingOnly(items []explain.Result) []explain.Result {
	var out []explain.Result
	for _, r := range items {
		if r.Verdict == explain.VerdictNotReady || r.Verdict == explain.VerdictUnknown || r.Suspicious() {
			out = append(out, r)
		}
	}
	return out
}

func (o *Options) print(rep explain.Report, now time.Time) error {
	popts := printers.Options{Color: o.useColor(), Wide: o.Output == "wide", Now: now, AllNamespaces: o.AllNamespaces || len(o.Filenames) > 0 && o.Namespace == ""}
	switch o.Output {
	case "json":
		return printers.JSON(o.Out, rep)
	case "yaml":
		return printers.YAML(o.Out, rep)
	}
	if len(rep.Items) == 0 {
		fmt.Fprintln(o.ErrOut, o.nothingFound())
		for _, n := range rep.Notes {
			fmt.Fprintf(o.ErrOut, "note: %s\n", n)
		}
		return nil
	}
	if o.hasNames() && o.Output != "wide" {
		return printers.Tree(o.Out, rep, popts)
	}
	if err := printers.Table(o.Out, rep, popts); err != nil {
		return err
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(o.ErrOut, "note: %s\n", n)
	}
	return nil
}

func (o *Options) nothingFound() string {
	what := "No resources found"
	if o.Failing {
		what = "Nothing is failing"
	}
	switch {
	case o.AllNamespaces:
		return what + "."
	case o.Namespace != "":
		return fmt.Sprintf("%s in %s namespace.", what, o.Namespace)
	}
	return what + "."
}

func (o *Options) useColor() bool {
	switch o.Color {
	case "always":
		return true
	case "never":
		return false
	}
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return false
	}
	if os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := o.Out.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// exitFor is the exit code of the worst verdict of the run.
func exitFor(rep explain.Report) error {
	switch rep.Worst() {
	case explain.VerdictReady:
		return nil
	case explain.VerdictProgressing:
		return &ExitCodeError{Code: ExitProgressing}
	case explain.VerdictUnknown:
		return &ExitCodeError{Code: ExitUnknown}
	}
	return &ExitCodeError{Code: ExitNotReady}
}

// requestTimeout is --request-timeout as given ("" when unset or 0).
func (o *Options) requestTimeout() string {
	if o.configFlags == nil || o.configFlags.Timeout == nil {
		return ""
	}
	if t := *o.configFlags.Timeout; t != "" && t != "0" {
		return t
	}
	return ""
}

// friendly rewrites transport errors into one line a person can act on:
// whether the cluster refused, could not be found, or did not answer in
// time, and which flags point at it.
func friendly(err error, host, timeout string) error {
	var nf *collect.NotFoundError
	if errors.As(err, &nf) {
		return err
	}
	msg := err.Error()
	switch {
	case isTimeout(err):
		within := "in time"
		if timeout != "" {
			within = "within --request-timeout " + timeout
		}
		return fmt.Errorf("the cluster at %s is unreachable: it did not answer %s (check --context, --kubeconfig or --server): %w", host, within, err)
	case strings.Contains(msg, "connection refused"), strings.Contains(msg, "no such host"),
		strings.Contains(msg, "network is unreachable"), strings.Contains(msg, "no route to host"):
		return fmt.Errorf("the cluster at %s is unreachable (check --context, --kubeconfig or --server): %w", host, err)
	}
	return err
}

// isTimeout is a request that got no answer in time, however the transport
// words it: the http.Client's own timeout, a context deadline, a TLS
// handshake or a dial that timed out.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "Client.Timeout exceeded") || strings.Contains(msg, "TLS handshake timeout") ||
		strings.Contains(msg, "i/o timeout") || strings.Contains(msg, "context deadline exceeded")
}
