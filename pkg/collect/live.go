package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
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

// NotFoundError is a named target that does not exist, worded like kubectl.
type NotFoundError struct {
	Kind, Namespace, Name string
	Suggestions           []string
}

func (e *NotFoundError) Error() string {
	res := resourceOf(e.Kind)
	msg := fmt.Sprintf("%s %q not found", res, e.Name)
	if e.Namespace != "" {
		msg += fmt.Sprintf(" in namespace %q", e.Namespace)
	}
	if len(e.Suggestions) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", strings.Join(e.Suggestions, " or "))
	}
	return msg
}

// resourceOf is kubectl's name of a kind's resource in messages:
// "pods", "deployments.apps", "jobs.batch".
func resourceOf(kind string) string {
	for _, r := range explainedResources {
		if r.kind == kind {
			if r.group == "" {
				return r.resource
			}
			return r.resource + "." + r.group
		}
	}
	return strings.ToLower(kind)
}

// snapKey is the key of a kind in the snapshot's Gaps and Collected.
var snapKey = map[string]string{
	KindPod: graph.ResPods, KindDeployment: graph.ResDeployments, KindReplicaSet: graph.ResReplicaSets,
	KindStatefulSet: graph.ResStatefulSets, KindDaemonSet: graph.ResDaemonSets, KindJob: graph.ResJobs, KindCronJob: graph.ResCronJobs,
}

// Collect lists what req needs. Phase one lists the targets; phase two lists,
// concurrently, what lies below them; events, nodes and claims are listed
// alongside both. Forbidden lists become gaps in the snapshot; any other
// error ends the run.
func (l *Live) Collect(ctx context.Context, req Request) (*graph.Snapshot, error) {
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	snap := &graph.Snapshot{Now: now()}
	c := &collector{l: l, req: req, snap: snap}

	// Events, nodes and claims depend only on the scope, so they are
	// listed while the targets and then their children are: the slowest
	// of them (a busy namespace's events) is then off the critical path.
	scope := req.scope()
	err := runAll([]func() error{
		func() error {
			// Phase one: the targets themselves; phase two: their
			// children and owners.
			if err := c.targets(ctx); err != nil {
				return err
			}
			return c.surroundings(ctx)
		},
		func() error { return c.listEvents(ctx, scope) },
		func() error { return c.listNodes(ctx) },
		func() error { return c.listPVCs(ctx, scope) },
	})
	if err != nil {
		return nil, err
	}
	if req.Logs {
		if err := c.previousLogs(ctx); err != nil {
			return nil, err
		}
	}
	return snap, nil
}

type collector struct {
	l    *Live
	req  Request
	snap *graph.Snapshot
	mu   sync.Mutex
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
		for _, n := range dedupe(names) {
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
			if c.gap(snapKey[k]) || all[k] || c.has(k, t.Name) {
				found = true
			}
		}
		if !found {
			return &NotFoundError{Kind: kinds[0], Namespace: c.req.Namespace, Name: t.Name, Suggestions: c.suggest(ctx, kinds[0], t.Name)}
		}
	}
	return nil
}

// suggest names objects of kind close to a misspelt name, like a shell's
// "did you mean". It costs one LIST, only on the error path.
func (c *collector) suggest(ctx context.Context, kind, name string) []string {
	names, err := Names(ctx, c.l.Client, kind, c.req.Namespace, metav1.ListOptions{Limit: 1000})
	if err != nil {
		return nil
	}
	return Suggest(name, names)
}

// Suggest returns up to three of candidates within a small edit distance of
// name, or sharing its prefix, closest first.
func Suggest(name string, candidates []string) []string {
	type scored struct {
		n string
		d int
	}
	var out []scored
	limit := max(2, len(name)/4)
	for _, cand := range candidates {
		d := Levenshtein(name, cand)
		if d <= limit || (len(name) >= 3 && strings.HasPrefix(cand, name)) {
			out = append(out, scored{cand, d})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].d != out[j].d {
			return out[i].d < out[j].d
		}
		return out[i].n < out[j].n
	})
	var names []string
	for i := 0; i < len(out) && i < 3; i++ {
		names = append(names, fmt.Sprintf("%q", out[i].n))
	}
	return names
}

// keepFor drops plainly healthy pods page by page when only failing ones
// are wanted; workloads need all their pods, so nothing is dropped for them.
func (c *collector) keepFor(kind string) func(*corev1.Pod) bool {
	if kind != KindPod || !c.req.FailingOnly {
		return nil
	}
	return func(p *corev1.Pod) bool { return !PlainlyHealthy(p) }
}

// PlainlyHealthy is a pod no rule could have anything to say about:
// Running and Ready, never restarted, not being deleted; or a completed pod
// owned by a Job. Dropping these early is what keeps -A --failing small.
func PlainlyHealthy(p *corev1.Pod) bool {
	if p.DeletionTimestamp != nil {
		return false
	}
	if p.Status.Phase == corev1.PodSucceeded {
		if c := metav1.GetControllerOfNoCopy(p); c != nil && c.Kind == "Job" {
			return true
		}
		return false
	}
	if p.Status.Phase != corev1.PodRunning {
		return false
	}
	ready := false
	for _, cond := range p.Status.Conditions {
		if cond.Type == corev1.PodReady && cond.Status == corev1.ConditionTrue {
			ready = true
		}
	}
	if !ready {
		return false
	}
	// A restarting sidecar is an init container that runs beside the app:
	// its restarts count like the app's.
	for _, s := range append(p.Status.InitContainerStatuses, p.Status.ContainerStatuses...) {
		if s.RestartCount > 0 {
			return false
		}
	}
	return true
}

func (c *collector) has(kind, name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Contains(c.snap.Names(kind), name)
}

// surroundings lists what the targets need to be explained.
func (c *collector) surroundings(ctx context.Context) error {
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
		if err := c.list(ctx, KindJob, nsOf, "", "", nil); err != nil {
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
		if oc := metav1.GetControllerOfNoCopy(&s.Pods[i]); oc != nil && oc.Kind == KindReplicaSet {
			podOwnersRS = true
		}
	}
	if wantRS || (podOwnersRS && !c.collected(graph.ResReplicaSets)) {
		tasks = append(tasks, func() error { return c.list(ctx, KindReplicaSet, nsOf, rsSel, "", nil) })
	}
	if wantPods {
		// With --failing only the table is printed, and a workload's
		// verdict comes from its status: its plainly healthy pods add
		// nothing, so they are dropped page by page as for pod targets.
		var keep func(*corev1.Pod) bool
		if c.req.FailingOnly && !c.req.named() {
			keep = func(p *corev1.Pod) bool { return !PlainlyHealthy(p) }
		}
		tasks = append(tasks, func() error { return c.list(ctx, KindPod, nsOf, podSel, "", keep) })
	} else if podSel == noPods {
		c.mu.Lock()
		c.snap.MarkCollected(graph.ResPods) // no Jobs: no pods to list
		c.mu.Unlock()
	}
	if podOwnersRS && !c.collected(graph.ResDeployments) {
		tasks = append(tasks, func() error { return c.list(ctx, KindDeployment, nsOf, "", "", nil) })
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

// list runs one paged LIST of kind and appends the result to the snapshot.
func (c *collector) list(ctx context.Context, kind, ns, labelSel, fieldSel string, keepPod func(*corev1.Pod) bool) error {
	cs := c.l.Client
	opts := metav1.ListOptions{LabelSelector: labelSel, FieldSelector: fieldSel, Limit: c.req.ChunkSize}
	res := resourceOf(kind)
	key := snapKey[kind]
	var err error
	switch kind {
	case KindPod:
		var items []corev1.Pod
		rc := rawPodsClient(c)
		items, err = pages(ctx, c, res, opts, func(ctx context.Context, o metav1.ListOptions) ([]corev1.Pod, metav1.ListMeta, error) {
			if keepPod != nil && rc != nil {
				return listPodsRaw(ctx, rc, ns, o, keepPod)
			}
			l, err := cs.CoreV1().Pods(ns).List(ctx, o)
			if err != nil {
				return nil, metav1.ListMeta{}, err
			}
			if keepPod != nil {
				return filterPods(l.Items, keepPod), l.ListMeta, nil
			}
			return l.Items, l.ListMeta, nil
		})
		c.mu.Lock()
		c.snap.Pods = appendPods(c.snap.Pods, items)
		c.mu.Unlock()
	case KindDeployment:
		var items []appsv1.Deployment
		items, err = pages(ctx, c, res, opts, func(ctx context.Context, o metav1.ListOptions) ([]appsv1.Deployment, metav1.ListMeta, error) {
			l, err := cs.AppsV1().Deployments(ns).List(ctx, o)
			if err != nil {
				return nil, metav1.ListMeta{}, err
			}
			return l.Items, l.ListMeta, nil
		})
		c.mu.Lock()
		c.snap.Deployments = appendUnique(c.snap.Deployments, items, func(d *appsv1.Deployment) string { return string(d.UID) })
		c.mu.Unlock()
	case KindReplicaSet:
		var items []appsv1.ReplicaSet
		items, err = pages(ctx, c, res, opts, func(ctx context.Context, o metav1.ListOptions) ([]appsv1.ReplicaSet, metav1.ListMeta, error) {
			l, err := cs.AppsV1().ReplicaSets(ns).List(ctx, o)
			if err != nil {
				return nil, metav1.ListMeta{}, err
			}
			return l.Items, l.ListMeta, nil
		})
		c.mu.Lock()
		c.snap.ReplicaSets = appendUnique(c.snap.ReplicaSets, items, func(d *appsv1.ReplicaSet) string { return string(d.UID) })
		c.mu.Unlock()
	case KindStatefulSet:
		var items []appsv1.StatefulSet
		items, err = pages(ctx, c, res, opts, func(ctx context.Context, o metav1.ListOptions) ([]appsv1.StatefulSet, metav1.ListMeta, error) {
			l, err := cs.AppsV1().StatefulSets(ns).List(ctx, o)
			if err != nil {
				return nil, metav1.ListMeta{}, err
			}
			return l.Items, l.ListMeta, nil
		})
		c.mu.Lock()
		c.snap.StatefulSets = appendUnique(c.snap.StatefulSets, items, func(d *appsv1.StatefulSet) string { return string(d.UID) })
		c.mu.Unlock()
	case KindDaemonSet:
		var items []appsv1.DaemonSet
		items, err = pages(ctx, c, res, opts, func(ctx context.Context, o metav1.ListOptions) ([]appsv1.DaemonSet, metav1.ListMeta, error) {
			l, err := cs.AppsV1().DaemonSets(ns).List(ctx, o)
			if err != nil {
				return nil, metav1.ListMeta{}, err
			}
			return l.Items, l.ListMeta, nil
		})
		c.mu.Lock()
		c.snap.DaemonSets = appendUnique(c.snap.DaemonSets, items, func(d *appsv1.DaemonSet) string { return string(d.UID) })
		c.mu.Unlock()
	case KindJob:
		var items []batchv1.Job
		items, err = pages(ctx, c, res, opts, func(ctx context.Context, o metav1.ListOptions) ([]batchv1.Job, metav1.ListMeta, error) {
			l, err := cs.BatchV1().Jobs(ns).List(ctx, o)
			if err != nil {
				return nil, metav1.ListMeta{}, err
			}
			return l.Items, l.ListMeta, nil
		})
		c.mu.Lock()
		c.snap.Jobs = appendUnique(c.snap.Jobs, items, func(d *batchv1.Job) string { return string(d.UID) })
		c.mu.Unlock()
	case KindCronJob:
		var items []batchv1.CronJob
		items, err = pages(ctx, c, res, opts, func(ctx context.Context, o metav1.ListOptions) ([]batchv1.CronJob, metav1.ListMeta, error) {
			l, err := cs.BatchV1().CronJobs(ns).List(ctx, o)
			if err != nil {
				return nil, metav1.ListMeta{}, err
			}
			return l.Items, l.ListMeta, nil
		})
		c.mu.Lock()
		c.snap.CronJobs = appendUnique(c.snap.CronJobs, items, func(d *batchv1.CronJob) string { return string(d.UID) })
		c.mu.Unlock()
	default:
		return fmt.Errorf("internal: no lister for kind %q", kind)
	}
	return c.settle(key, res, ns, err)
}

// settle records a LIST's outcome: collected, a gap (forbidden), or an error.
func (c *collector) settle(key, res, ns string, err error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil {
		c.snap.MarkCollected(key)
		return nil
	}
	if apierrors.IsForbidden(err) {
		c.snap.AddGap(key, forbiddenReason(err))
		return nil
	}
	if apierrors.IsNotFound(err) && key != graph.ResPods {
		// The API itself is missing (an old or trimmed cluster).
		c.snap.AddGap(key, "the API server does not serve "+res)
		return nil
	}
	where := "in all namespaces"
	if ns != "" {
		where = fmt.Sprintf("in namespace %q", ns)
	}
	return fmt.Errorf("list %s %s: %w", res, where, err)
}

func forbiddenReason(err error) string {
	if st, ok := err.(apierrors.APIStatus); ok {
		if m := st.Status().Message; m != "" {
			return "forbidden: " + trimForbidden(m)
		}
	}
	return "forbidden"
}

// trimForbidden keeps the useful part of the apiserver's message:
// `User "x" cannot list resource "events" in API group "" in the namespace "y"`.
func trimForbidden(m string) string {
	if i := strings.Index(m, "is forbidden: "); i >= 0 {
		return m[i+len("is forbidden: "):]
	}
	return m
}

// maxDropRetries bounds how often a LIST asks again for one page whose
// connection was dropped, so an apiserver that never completes a page
// still ends in an error.
const maxDropRetries = 3

// droppedConnection is a page lost with its connection, not refused: worth
// asking for again. Timeouts are not: repeating them would multiply the
// wait past --request-timeout.
func droppedConnection(err error) bool {
	return utilnet.IsProbableEOF(err) || utilnet.IsConnectionReset(err) || errors.Is(err, io.ErrUnexpectedEOF)
}

// pages runs a paged list to the end. A continue token that expired (410
// Gone) restarts the list from the beginning, once, as kubectl does.
func pages[T any](ctx context.Context, c *collector, res string, opts metav1.ListOptions,
	one func(context.Context, metav1.ListOptions) ([]T, metav1.ListMeta, error)) ([]T, error) {
	var out []T
	restarted := false
	start := time.Now()
	reported := false
	dropped := 0
	read := 0 // pages read: with --failing most pods are dropped, so len(out) says little
	for {
		items, meta, err := one(ctx, opts)
		if err != nil {
			if dropped < maxDropRetries && droppedConnection(err) && ctx.Err() == nil {
				// A LIST is safe to repeat: ask for the same page again
				// on a new connection (a restarting apiserver, a load
				// balancer cutting idle streams).
				dropped++
				klog.V(2).Infof("list %s: connection dropped (%v), asking for the page again", res, err)
				time.Sleep(time.Duration(dropped) * 200 * time.Millisecond)
				continue
			}
			if apierrors.IsResourceExpired(err) && opts.Continue != "" && !restarted {
				klog.V(2).Infof("list %s: continue token expired, listing again from the start", res)
				restarted = true
				out, read = nil, 0
				opts.Continue = ""
				continue
			}
			return nil, err
		}
		dropped = 0
		read++
		trim(items)
		out = append(out, items...)
		if meta.Continue == "" {
			return out, nil
		}
		opts.Continue = meta.Continue
		if c.l.Progress != nil && ((!reported && time.Since(start) > 2*time.Second) || (reported && read%10 == 0)) {
			fmt.Fprintf(c.l.Progress, "listing %s: %d pages of %d so far...\n", res, read, opts.Limit)
			reported = true
		}
	}
}

// trim drops what no rule reads and costs memory for every object kept:
// managedFields (about half of a pod's or node's bytes) and a node's image
// list (up to 50 names per node). The output never shows raw objects.
func trim[T any](items []T) {
	for i := range items {
		switch o := any(&items[i]).(type) {
		case *corev1.Node:
			o.ManagedFields = nil
			o.Status.Images = nil
		case metav1.Object:
			o.SetManagedFields(nil)
		}
	}
}

func appendPods(dst, src []corev1.Pod) []corev1.Pod {
	return appendUnique(dst, src, func(p *corev1.Pod) string { return string(p.UID) })
}

func appendUnique[T any](dst, src []T, key func(*T) string) []T {
	if len(dst) == 0 {
		return append(dst, src...)
	}
	seen := sets.New[string]()
	for i := range dst {
		seen.Insert(key(&dst[i]))
	}
	for i := range src {
		if !seen.Has(key(&src[i])) {
			dst = append(dst, src[i])
		}
	}
	return dst
}

func (c *collector) listEvents(ctx context.Context, ns string) error {
	// Routine events (one Scheduled per pod, ...) are most of a busy
	// namespace's events and no rule reads them: the apiserver drops them.
	opts := metav1.ListOptions{Limit: c.req.ChunkSize, FieldSelector: graph.RoutineEventSelector()}
	items, err := pages(ctx, c, "events", opts, func(ctx context.Context, o metav1.ListOptions) ([]corev1.Event, metav1.ListMeta, error) {
		l, err := c.l.Client.CoreV1().Events(ns).List(ctx, o)
		if err != nil {
			return nil, metav1.ListMeta{}, err
		}
		return l.Items, l.ListMeta, nil
	})
	c.mu.Lock()
	c.snap.Events = append(c.snap.Events, items...)
	c.mu.Unlock()
	return c.settle(graph.ResEvents, "events", ns, err)
}

func (c *collector) listNodes(ctx context.Context) error {
	opts := metav1.ListOptions{Limit: c.req.ChunkSize}
	items, err := pages(ctx, c, "nodes", opts, func(ctx context.Context, o metav1.ListOptions) ([]corev1.Node, metav1.ListMeta, error) {
		l, err := c.l.Client.CoreV1().Nodes().List(ctx, o)
		if err != nil {
			return nil, metav1.ListMeta{}, err
		}
		return l.Items, l.ListMeta, nil
	})
	c.mu.Lock()
	c.snap.Nodes = items
	c.mu.Unlock()
	return c.settle(graph.ResNodes, "nodes", "", err)
}

func (c *collector) listPVCs(ctx context.Context, ns string) error {
	items, err := pages(ctx, c, "persistentvolumeclaims", metav1.ListOptions{Limit: c.req.ChunkSize}, func(ctx context.Context, o metav1.ListOptions) ([]corev1.PersistentVolumeClaim, metav1.ListMeta, error) {
		l, err := c.l.Client.CoreV1().PersistentVolumeClaims(ns).List(ctx, o)
		if err != nil {
			return nil, metav1.ListMeta{}, err
		}
		return l.Items, l.ListMeta, nil
	})
	c.mu.Lock()
	c.snap.PVCs = items
	c.mu.Unlock()
	return c.settle(graph.ResPVCs, "persistentvolumeclaims", ns, err)
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

func dedupe(in []string) []string {
	s := sets.New(in...)
	out := s.UnsortedList()
	sort.Strings(out)
	return out
}
