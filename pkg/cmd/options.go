package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/collect"
	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"github.com/kubectl-why/kubectl-why/pkg/graph"
	"github.com/kubectl-why/kubectl-why/pkg/printers"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
)

// Options is everything one run needs: the flags, and what ToOptions
// resolved and parsed from them.
type Options struct {
	*WhyFlags

	Targets   []collect.Target
	Namespace string
	// fileNamespace is for saved objects without one: -n, or the context's.
	fileNamespace string
	selector      labels.Selector
	asOf          time.Time

	stats     *collect.Stats
	newClient func() (kubernetes.Interface, string, error)
}

// Validate rejects contradictory or malformed input with one line naming the flag.
func (o *Options) Validate() error {
	named := o.named()
	switch err := cmp.Or(printers.CheckFormat(o.Output), printers.CheckColor(o.Color)); {
	case err != nil:
		return err
	case len(o.Targets) == 0:
		return fmt.Errorf("name what to explain, e.g. kubectl why deploy/my-app or kubectl why pod -A --failing (kinds: %s)", collect.AcceptedKinds)
	case o.AllNamespaces && named:
		return errors.New("a resource cannot be retrieved by name across all namespaces: drop -A or the names")
	case o.Selector != "" && named:
		return errors.New("--selector cannot be combined with names: drop -l or the names")
	case o.ChunkSize < 0:
		return fmt.Errorf("--chunk-size %d: must be 0 or more", o.ChunkSize)
	case o.AsOf != "" && len(o.Filenames) == 0:
		return errors.New("--as-of can be used only with -f: a live cluster is explained as of now")
	case o.Wait && len(o.Filenames) > 0:
		return errors.New("--wait cannot be used with -f: saved objects do not change")
	case o.Wait && o.Timeout <= 0:
		return fmt.Errorf("--timeout %s: must be positive", o.Timeout)
	}
	return nil
}

// Run collects, explains and prints, and returns an *ExitCodeError when the
// answer is not all Ready.
func (o *Options) Run(ctx context.Context) error {
	if o.Stats || klog.V(4).Enabled() {
		o.stats = collect.NewStats()
		defer func() { fmt.Fprintln(o.ErrOut, o.stats.String()) }()
	}
	if o.Wait {
		return o.runWait(ctx)
	}
	snap, notes, err := o.snapshot(ctx)
	if err != nil {
		return err
	}
	rep, now, err := o.report(snap, notes)
	if err == nil {
		err = o.print(rep, now)
	}
	if err != nil {
		return err
	}
	return exitFor(rep)
}

// report explains the targets in a snapshot.
func (o *Options) report(snap *graph.Snapshot, notes []string) (explain.Report, time.Time, error) {
	q := graph.Query{Wants: o.Targets, Namespace: o.Namespace, AllNamespaces: o.AllNamespaces, Selector: o.selector}
	rep, missing := explain.Answer(snap, q, o.Failing)
	if len(missing) > 0 && len(o.Filenames) > 0 {
		// Offline, a named object missing from the files is NotFound too.
		return explain.Report{}, time.Time{}, &collect.NotFoundError{Kind: missing[0].Kind, Namespace: o.Namespace, Name: missing[0].Name}
	}
	rep.Notes = append(notes, rep.Notes...)
	return rep, snap.Now, nil
}

// snapshot reads the saved objects, with notes on how they were read, or
// collects from the cluster.
func (o *Options) snapshot(ctx context.Context) (*graph.Snapshot, []string, error) {
	if len(o.Filenames) > 0 {
		return collect.FromFiles(o.Filenames, collect.FileOptions{Namespace: o.fileNamespace, AsOf: o.asOf, Now: o.now()})
	}
	live, host, err := o.live()
	if err != nil {
		return nil, nil, err
	}
	snap, err := live.Collect(ctx, o.request())
	if err != nil {
		return nil, nil, collect.FriendlyError(err, host, *o.configFlags.Timeout)
	}
	return snap, nil, nil
}

// live is the collector of the cluster the flags name, and its address.
func (o *Options) live() (*collect.Live, string, error) {
	cs, host, err := o.newClient()
	if err != nil {
		return nil, "", err
	}
	return &collect.Live{Client: cs, Progress: o.ErrOut, Now: o.now}, host, nil
}

// request is what the flags ask to collect.
func (o *Options) request() collect.Request {
	req := collect.Request{Targets: o.Targets, Namespace: o.Namespace, AllNamespaces: o.AllNamespaces, Selector: o.Selector,
		FailingOnly: o.Failing, ChunkSize: o.ChunkSize, Logs: o.Logs, LogLines: o.LogLines, Wait: o.Wait}
	klog.V(4).Infof("collect %+v", req)
	return req
}

// named says whether some target names an object.
func (o *Options) named() bool {
	return slices.ContainsFunc(o.Targets, func(t collect.Target) bool { return t.Name != "" })
}

// print shows one answer as --output, --color and the targets choose.
func (o *Options) print(rep explain.Report, now time.Time) error {
	allNamespaces := o.AllNamespaces || len(o.Filenames) > 0 && o.Namespace == ""
	return printers.Print(o.Out, o.ErrOut, rep, printers.Choice{
		Options:   printers.Options{Color: printers.UseColor(o.Color, o.Out), Now: now, AllNamespaces: allNamespaces},
		Format:    o.Output,
		Named:     o.named(),
		Failing:   o.Failing,
		Namespace: o.Namespace,
	})
}
