package explain

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Kinds of targets, as Ref.Kind carries them.
const (
	KindPod         = "Pod"
	KindReplicaSet  = "ReplicaSet"
	KindDeployment  = "Deployment"
	KindStatefulSet = "StatefulSet"
	KindDaemonSet   = "DaemonSet"
	KindJob         = "Job"
	KindCronJob     = "CronJob"
	KindNode        = "Node"
)

// Explain answers for every target. Targets that are not in the snapshot
// are the caller's business (it reports NotFound before calling).
func Explain(g *graph.Graph, targets []Ref) Report {
	rep := Report{APIVersion: ReportAPIVersion, Kind: ReportKind, Items: []Result{}}
	for _, t := range targets {
		explain := explainers[t.Kind]
		if explain == nil {
			continue
		}
		r := explain(g, t.UID)
		if r.Target.Kind == "" {
			continue
		}
		finish(g, &r)
		rep.Items = append(rep.Items, r)
	}
	rep.Notes = gapNotes(g)
	return rep
}

// Answer explains what q selects in snap: the answer of one run, with
// only what --failing shows when failing. missing are the named wants that
// are not in snap.
func Answer(snap *graph.Snapshot, q graph.Query, failing bool) (rep Report, missing []graph.Want) {
	g := graph.New(snap)
	selected, missing := g.Select(q)
	refs := make([]Ref, len(selected))
	for i, s := range selected {
		refs[i] = Ref(s)
	}
	if rep = Explain(g, refs); failing {
		rep = rep.FailingOnly()
	}
	return rep, missing
}

// explainers is the one entry per kind: it finds the target in the graph
// by UID and explains it, or returns no Result when it is not there.
var explainers = map[string]func(g *graph.Graph, uid types.UID) Result{
	KindPod:         explainer((*graph.Graph).Pod, ExplainPod),
	KindReplicaSet:  explainer((*graph.Graph).ReplicaSet, ExplainReplicaSet),
	KindDeployment:  explainer((*graph.Graph).Deployment, ExplainDeployment),
	KindStatefulSet: explainer((*graph.Graph).StatefulSet, ExplainStatefulSet),
	KindDaemonSet:   explainer((*graph.Graph).DaemonSet, ExplainDaemonSet),
	KindJob:         explainer((*graph.Graph).Job, ExplainJob),
	KindCronJob:     explainer((*graph.Graph).CronJob, ExplainCronJob),
}

func explainer[T any](get func(*graph.Graph, types.UID) *T, explain func(*graph.Graph, *T) Result) func(*graph.Graph, types.UID) Result {
	return func(g *graph.Graph, uid types.UID) Result {
		if o := get(g, uid); o != nil {
			return explain(g, o)
		}
		return Result{}
	}
}

// finish sorts findings (most severe first) and makes sure a verdict that
// rests on data that could not be read is never Ready, and that an Unknown
// one says first what could not be read.
func finish(g *graph.Graph, r *Result) {
	sortFindings(r.Findings)
	if r.Verdict == VerdictReady && g.Gap(graph.ResPods) != "" {
		r.Verdict = VerdictUnknown
		r.Summary = "pods could not be read: " + g.Gap(graph.ResPods)
	}
	if r.Verdict == VerdictUnknown && !hasCode(r.Findings, CodeAccessForbidden) {
		r.Findings = append([]Finding{accessForbidden(g, r)}, r.Findings...)
	}
}

// accessForbidden is the finding of an Unknown verdict: what could not be
// read, quoted, and how to check the access.
func accessForbidden(g *graph.Graph, r *Result) Finding {
	f := Finding{Code: CodeAccessForbidden, Severity: SeverityWarning, Object: r.Target, Cause: r.Summary}
	for _, res := range slices.Sorted(maps.Keys(g.Snap.Gaps)) {
		f.Evidence = append(f.Evidence, Evidence{Source: "list " + res, Message: g.Snap.Gaps[res]})
		if len(f.Next) == 0 {
			f.Next = append(f.Next, "kubectl auth can-i list "+res+nsFlag(r.Target.Namespace))
		}
	}
	f.Next = append(f.Next, "kubectl why --print-rbac")
	return f
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if a, b := fs[i].Severity.rank(), fs[j].Severity.rank(); a != b {
			return a < b
		}
		return rootness(fs[i]) < rootness(fs[j])
	})
}

// rootness orders findings of one severity so that the cause comes before
// its symptoms: what stops pods being created, then what breaks the pods,
// then what the owner shows because of it (a passed deadline, a stuck
// rollout).
func rootness(f Finding) int {
	switch f.Code {
	case CodeProgressDeadlineExceeded, CodeRolloutStuck, CodeReplicasMissing:
		return 2
	}
	if f.Object.Kind == KindPod || f.Count > 0 {
		return 1
	}
	return 0
}

// gapNotes turns what could not be read into one note per resource, naming
// what was therefore not checked.
func gapNotes(g *graph.Graph) []string {
	what := map[string]string{
		graph.ResEvents:         "events were not checked (scheduler, kubelet and controller messages are missing)",
		graph.ResNodes:          "nodes were not checked (node conditions, taints and allocatable are missing)",
		graph.ResReplicaSets:    "replicasets were not checked (revisions and FailedCreate are missing)",
		graph.ResDeployments:    "deployments were not checked (owners above replicasets are missing)",
		graph.ResStatefulSets:   "statefulsets were not checked",
		graph.ResDaemonSets:     "daemonsets were not checked",
		graph.ResJobs:           "jobs were not checked (the runs of cronjobs are missing)",
		graph.ResCronJobs:       "cronjobs were not checked",
		graph.ResPods:           "pods were not checked: no verdict can be Ready",
		graph.ResPVCs:           "persistentvolumeclaims were not checked",
		graph.ResResourceQuotas: "resourcequotas were not checked",
		graph.ResLimitRanges:    "limitranges were not checked",
		graph.ResPodLogs:        "container logs were not read",
	}
	var notes []string
	for _, k := range slices.Sorted(maps.Keys(g.Snap.Gaps)) {
		w := what[k]
		if w == "" {
			w = k + " were not checked"
		}
		notes = append(notes, fmt.Sprintf("%s: %s", w, g.Snap.Gaps[k]))
	}
	return notes
}

func podRef(p *corev1.Pod) Ref {
	return Ref{Kind: KindPod, Namespace: p.Namespace, Name: p.Name, UID: p.UID}
}

func rsRef(rs *appsv1.ReplicaSet) Ref {
	return Ref{Kind: KindReplicaSet, Namespace: rs.Namespace, Name: rs.Name, UID: rs.UID}
}

func deployRef(d *appsv1.Deployment) Ref {
	return Ref{Kind: KindDeployment, Namespace: d.Namespace, Name: d.Name, UID: d.UID}
}

func stsRef(s *appsv1.StatefulSet) Ref {
	return Ref{Kind: KindStatefulSet, Namespace: s.Namespace, Name: s.Name, UID: s.UID}
}

// nsFlag renders "-n NS" for next-step commands.
func nsFlag(ns string) string {
	if ns == "" {
		return ""
	}
	return " -n " + ns
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
