package collect

import (
	"context"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"github.com/kubectl-why/kubectl-why/pkg/graph"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/kubernetes"
)

// Live collects from an API server.
type Live struct {
	Client kubernetes.Interface
	// Progress, when set, receives a line when a LIST takes long (slow
	// apiservers, huge clusters) so the user knows it is not hung.
	Progress io.Writer
	// Now stamps the snapshot (tests fix it; nil means time.Now).
	Now func() time.Time
}

// Collect lists what req needs. Phase one lists the targets; phase two lists,
// concurrently, what lies below them; events, nodes and claims are listed
// alongside both. Forbidden lists become gaps in the snapshot; any other
// error ends the run.
func (l *Live) Collect(ctx context.Context, req Request) (*graph.Snapshot, error) {
	c, err := l.collect(ctx, req, nil)
	if err != nil {
		return nil, err
	}
	return c.snap, nil
}

// collect runs one collect, from the API server or, with from, from the
// stores that watch its LISTs.
func (l *Live) collect(ctx context.Context, req Request, from func(spec, sink, func(*corev1.Pod) bool) error) (*collector, error) {
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	snap := &graph.Snapshot{Now: now()}
	c := &collector{l: l, req: req, snap: snap, from: from}

	// Events, nodes and claims depend only on the scope, so they are
	// listed while the targets and then their children are: the slowest
	// of them (a busy namespace's events) is then off the critical path.
	// For a few named objects they are read after the pods instead, for
	// those objects alone (narrow.go).
	scope := req.scope()
	narrow := req.narrow()
	tasks := []func() error{
		func() error {
			// Phase one: the targets themselves; phase two: their
			// children and owners.
			if err := c.targets(ctx); err != nil {
				return err
			}
			if err := c.surroundings(ctx); err != nil || !narrow {
				return err
			}
			return c.readNarrow(ctx)
		},
		func() error { return c.listPVCs(ctx, scope) },
	}
	if !narrow {
		tasks = append(tasks, func() error { return c.listEvents(ctx, scope) }, func() error { return c.listNodes(ctx) })
	}
	if owners := req.ownersAhead(); len(owners) > 0 {
		c.ahead = make(chan struct{})
		tasks = append(tasks, func() error {
			defer close(c.ahead)
			var lists []func() error
			for _, kind := range owners {
				lists = append(lists, func() error { return c.list(ctx, kind, scope, "", "", nil) })
			}
			return runAll(lists)
		})
	}
	err := runAll(tasks)
	if err != nil {
		return nil, err
	}
	if req.Logs {
		if err := c.previousLogs(ctx); err != nil {
			return nil, err
		}
	}
	return c, nil
}

type collector struct {
	l    *Live
	req  Request
	snap *graph.Snapshot
	mu   sync.Mutex
	// specs are the LISTs run, with their outcome (--wait watches them).
	specs []listed
	// from, when set, answers each LIST from watched stores (follow.go).
	from func(sp spec, s sink, keepPod func(*corev1.Pod) bool) error
	// ahead, when set, is closed once the owners listed alongside the
	// pods are in (ownersAhead).
	ahead chan struct{}
}

// ownersAhead are the kinds of the pods' owners to list alongside the pods
// rather than after them: for every pod of a scope, most are owned by
// ReplicaSets of Deployments, and waiting for the last page of pods before
// asking for them cost 131 of 525 ms at 1,000 pods (docs/benchmarks.md).
// A kind that is itself a target of the scope ("all") is listed as one.
func (r Request) ownersAhead() []string {
	every := func(kind string) bool {
		return slices.ContainsFunc(r.Targets, func(t Target) bool { return t.Kind == kind && t.Name == "" })
	}
	if r.Selector != "" || !every(explain.KindPod) {
		return nil
	}
	var kinds []string
	for _, k := range []string{explain.KindReplicaSet, explain.KindDeployment} {
		if !every(k) {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// gap and collected read the snapshot's bookkeeping under the lock:
// the lists that run alongside write it.
func (c *collector) gap(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.snap.Gaps[key]
	return ok
}

func (c *collector) collected(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snap.Collected[key]
}

func (c *collector) targets(ctx context.Context) error {
	byKind := map[string][]string{}
	all := map[string]bool{}
	var order []string
	for _, t := range c.req.Targets {
		if _, seen := byKind[t.Kind]; !seen && !all[t.Kind] {
			order = append(order, t.Kind)
		}
		if t.Name == "" {
			all[t.Kind] = true
			byKind[t.Kind] = nil
			continue
		}
		if !all[t.Kind] {
			byKind[t.Kind] = append(byKind[t.Kind], t.Name)
		}
	}
	var tasks []func() error
	for _, kind := range order {
		kind := kind
		names := byKind[kind]
		if all[kind] || len(names) == 0 {
			tasks = append(tasks, func() error {
				return c.list(ctx, kind, c.req.scope(), c.req.Selector, "", c.keepFor(kind))
			})
			continue
		}
		for _, n := range sets.List(sets.New(names...)) {
			n := n
			tasks = append(tasks, func() error {
				return c.list(ctx, kind, c.req.Namespace, "", "metadata.name="+n, nil)
			})
		}
	}
	if err := runAll(tasks); err != nil {
		return err
	}
	// A named target that is not there is an error, like kubectl get's;
	// a name given with several types needs to be there as one of them.
	for _, t := range c.req.Targets {
		if t.Name == "" || all[t.Kind] {
			continue
		}
		kinds := t.AnyOf
		if len(kinds) == 0 {
			kinds = []string{t.Kind}
		}
		found := false
		for _, k := range kinds {
			if c.gap(kindOf(k).key) || all[k] || c.has(k, t.Name) {
				found = true
			}
		}
		if !found {
			return &NotFoundError{Kind: kinds[0], Namespace: c.req.Namespace, Name: t.Name, Suggestions: c.suggest(ctx, kinds[0], t.Name)}
		}
	}
	return nil
}

// keepFor drops plainly healthy pods page by page when only failing ones
// are wanted; workloads need all their pods, so nothing is dropped for them.
func (c *collector) keepFor(kind string) func(*corev1.Pod) bool {
	if kind != explain.KindPod || !c.req.FailingOnly {
		return nil
	}
	return notPlainlyHealthy
}

// notPlainlyHealthy keeps the pods that explain's rules may have
// something to say about.
func notPlainlyHealthy(p *corev1.Pod) bool { return !explain.PlainlyHealthy(p) }

func (c *collector) has(kind, name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Contains(c.snap.Names(kind), name)
}

// surroundings lists what the targets need to be explained.
func (c *collector) surroundings(ctx context.Context) error {
	if c.ahead != nil {
		select {
		case <-c.ahead:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	s := c.snap
	scope := c.req.scope()
	// When one namespace-scoped workload is asked for, its selector narrows
	// the pods and replicasets listed: a deployment in a namespace of 5,000
	// other pods costs the same as in an empty one.
	owners := len(s.Deployments) + len(s.StatefulSets) + len(s.ReplicaSets) + len(s.DaemonSets) + len(s.Jobs) + len(s.CronJobs)
	podSel, rsSel := "", ""
	single := owners == 1 && len(s.Pods) == 0
	if single {
		switch {
		case len(s.Deployments) == 1:
			podSel = selectorString(s.Deployments[0].Spec.Selector)
			rsSel = podSel
		case len(s.StatefulSets) == 1:
			podSel = selectorString(s.StatefulSets[0].Spec.Selector)
		case len(s.ReplicaSets) == 1:
			podSel = selectorString(s.ReplicaSets[0].Spec.Selector)
		case len(s.DaemonSets) == 1:
			podSel = selectorString(s.DaemonSets[0].Spec.Selector)
		case len(s.Jobs) == 1:
			podSel = selectorString(s.Jobs[0].Spec.Selector)
		}
	}
	nsOf := scope

	// A CronJob's pods are its Jobs' pods: the Jobs come first, so that
	// one CronJob's pods can be listed by their Jobs' controller-uid.
	if len(s.CronJobs) > 0 && !c.collected(graph.ResJobs) {
		if err := c.list(ctx, explain.KindJob, nsOf, "", "", nil); err != nil {
			return err
		}
		if single {
			podSel = jobPodSelector(s.CronJobs[0].UID, s.Jobs)
		}
	}

	var tasks []func() error
	wantRS := len(s.Deployments) > 0 && !c.collected(graph.ResReplicaSets)
	wantPods := owners > 0 && !c.collected(graph.ResPods) && podSel != noPods
	podOwnersRS := false
	for i := range s.Pods {
		if oc := metav1.GetControllerOfNoCopy(&s.Pods[i]); oc != nil && oc.Kind == explain.KindReplicaSet {
			podOwnersRS = true
		}
	}
	if wantRS || (podOwnersRS && !c.collected(graph.ResReplicaSets)) {
		tasks = append(tasks, func() error { return c.list(ctx, explain.KindReplicaSet, nsOf, rsSel, "", nil) })
	}
	if wantPods {
		// With --failing only the table is printed, and a workload's
		// verdict comes from its status: its plainly healthy pods add
		// nothing, so they are dropped page by page as for pod targets.
		var keep func(*corev1.Pod) bool
		if c.req.FailingOnly && !c.req.named() {
			keep = notPlainlyHealthy
		}
		tasks = append(tasks, func() error { return c.list(ctx, explain.KindPod, nsOf, podSel, "", keep) })
	} else if podSel == noPods {
		c.mu.Lock()
		c.snap.MarkCollected(graph.ResPods) // no Jobs: no pods to list
		c.mu.Unlock()
	}
	if podOwnersRS && !c.collected(graph.ResDeployments) {
		tasks = append(tasks, func() error { return c.list(ctx, explain.KindDeployment, nsOf, "", "", nil) })
	}
	if err := runAll(tasks); err != nil {
		return err
	}
	// Pods listed by a workload's selector may include pods of another
	// owner with overlapping labels: the graph keys on owner UID, so they
	// are simply not walked.
	return nil
}

// noPods is the pod selector of a CronJob that has no Jobs.
const noPods = "\x00none"

// jobPodSelector selects the pods of the CronJob's Jobs by the label the
// Job controller puts on them (batch.kubernetes.io/controller-uid).
func jobPodSelector(cronJob types.UID, jobs []batchv1.Job) string {
	var uids []string
	for i := range jobs {
		if c := metav1.GetControllerOfNoCopy(&jobs[i]); c != nil && c.UID == cronJob {
			uids = append(uids, string(jobs[i].UID))
		}
	}
	if len(uids) == 0 {
		return noPods
	}
	sort.Strings(uids)
	return batchv1.ControllerUidLabel + " in (" + strings.Join(uids, ",") + ")"
}

func selectorString(ls *metav1.LabelSelector) string {
	if ls == nil {
		return ""
	}
	sel, err := metav1.LabelSelectorAsSelector(ls)
	if err != nil || sel.Empty() {
		return ""
	}
	return sel.String()
}

// runAll runs tasks concurrently and returns the first error, in task order
// so that the message is stable.
func runAll(tasks []func() error) error {
	errs := make([]error, len(tasks))
	var wg sync.WaitGroup
	for i, t := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = t()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
