// Package graph owns the in-memory picture of the cluster that one run of
// kubectl why reasons over: the raw objects as collected (a Snapshot) and an
// index by owner UID that walks Deployment -> ReplicaSets -> Pods,
// StatefulSet -> Pods, DaemonSet -> Pods and CronJob -> Jobs -> Pods, and
// back up from a pod to its owners.
package graph

import (
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Snapshot is everything one run saw, from a live cluster or from files.
// Collectors fill it; nothing below this package talks to the API server.
type Snapshot struct {
	Pods           []corev1.Pod
	ReplicaSets    []appsv1.ReplicaSet
	Deployments    []appsv1.Deployment
	StatefulSets   []appsv1.StatefulSet
	DaemonSets     []appsv1.DaemonSet
	Jobs           []batchv1.Job
	CronJobs       []batchv1.CronJob
	Events         []corev1.Event
	Nodes          []corev1.Node
	PVCs           []corev1.PersistentVolumeClaim
	ResourceQuotas []corev1.ResourceQuota
	LimitRanges    []corev1.LimitRange

	// Gaps names what could not be read and why, keyed by resource
	// ("events", "nodes", ...). A gap is reported as a note, and no verdict
	// that depends on the missing data is ever Ready.
	Gaps map[string]string

	// Collected records which resources were actually asked for, so that
	// "no events" can be told apart from "events not collected".
	Collected map[string]bool

	// Logs holds the previous-container log tail per "ns/pod/container",
	// filled only with --logs.
	Logs map[string]string
	// LogErrors says, per "ns/pod/container", why its previous log could
	// not be read (the container was removed, the node is gone...).
	LogErrors map[string]string

	// Now is the moment the snapshot stands for: ages and deadlines are
	// computed against it so that tests and offline dumps are deterministic.
	Now time.Time
}

// Resource names used as keys of Gaps and Collected.
const (
	ResPods           = "pods"
	ResReplicaSets    = "replicasets"
	ResDeployments    = "deployments"
	ResStatefulSets   = "statefulsets"
	ResDaemonSets     = "daemonsets"
	ResJobs           = "jobs"
	ResCronJobs       = "cronjobs"
	ResEvents         = "events"
	ResNodes          = "nodes"
	ResPVCs           = "persistentvolumeclaims"
	ResResourceQuotas = "resourcequotas"
	ResLimitRanges    = "limitranges"
	ResPodLogs        = "pods/log"
)

// AddGap records that resource could not be read.
func (s *Snapshot) AddGap(resource, reason string) {
	if s.Gaps == nil {
		s.Gaps = map[string]string{}
	}
	s.Gaps[resource] = reason
}

// MarkCollected records that resource was read (possibly as an empty list).
func (s *Snapshot) MarkCollected(resource string) {
	if s.Collected == nil {
		s.Collected = map[string]bool{}
	}
	s.Collected[resource] = true
}

// RoutineEventReasons are the Normal events that every healthy pod,
// rollout, Job and node produces, one or more per pod or per step, and that
// no rule reads: the kubelet's Created, Started and SandboxChanged of every
// container start (again at every restart), the controllers' Scheduled,
// SuccessfulCreate, SuccessfulDelete, ScalingReplicaSet, Completed and
// SawCompletedJob, the CNI's AddedInterface, and the node lifecycle's
// RegisteredNode, Starting, NodeReady and the "sufficient" conditions.
// On a busy cluster they are nine events in ten (docs/benchmarks.md), so
// the live collector asks the apiserver to leave them out, and the graph
// ignores them in saved files, so that live and -f answers rest on the same
// events. Pulling and Pulled stay: a pod stuck in ContainerCreating is
// explained by them. explain.EventReasonsRead is the list rules do read,
// and its test keeps the two apart.
var RoutineEventReasons = []string{
	"Scheduled", "SuccessfulCreate", "ScalingReplicaSet", "SuccessfulDelete",
	"Created", "Started", "SandboxChanged", "AddedInterface", "SuccessfulAttachVolume",
	"Completed", "SawCompletedJob",
	"RegisteredNode", "RemovingNode", "Starting", "NodeReady", "NodeAllocatableEnforced",
	"NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID",
}

// RoutineEvent says whether reason is one of RoutineEventReasons.
func RoutineEvent(reason string) bool { return slices.Contains(RoutineEventReasons, reason) }

// RoutineEventSelector is the field selector that leaves them out:
// reason!=Scheduled,reason!=SuccessfulCreate,...
func RoutineEventSelector() string {
	parts := make([]string, len(RoutineEventReasons))
	for i, r := range RoutineEventReasons {
		parts[i] = "reason!=" + r
	}
	return strings.Join(parts, ",")
}

// objectLists says where the snapshot keeps the objects of each kind that
// can be a target.
var objectLists = map[string]func(s *Snapshot) []metav1.Object{
	"Pod":         func(s *Snapshot) []metav1.Object { return pointers(s.Pods) },
	"Deployment":  func(s *Snapshot) []metav1.Object { return pointers(s.Deployments) },
	"ReplicaSet":  func(s *Snapshot) []metav1.Object { return pointers(s.ReplicaSets) },
	"StatefulSet": func(s *Snapshot) []metav1.Object { return pointers(s.StatefulSets) },
	"DaemonSet":   func(s *Snapshot) []metav1.Object { return pointers(s.DaemonSets) },
	"Job":         func(s *Snapshot) []metav1.Object { return pointers(s.Jobs) },
	"CronJob":     func(s *Snapshot) []metav1.Object { return pointers(s.CronJobs) },
}

// Objects lists the objects of kind ("Pod", "Deployment", ...) in the
// snapshot, as pointers into it; nil for a kind that is not a target.
func (s *Snapshot) Objects(kind string) []metav1.Object {
	if list := objectLists[kind]; list != nil {
		return list(s)
	}
	return nil
}

// pointers returns &items[i] for each item, as metav1.Objects.
func pointers[T any, P interface {
	*T
	metav1.Object
}](items []T) []metav1.Object {
	out := make([]metav1.Object, len(items))
	for i := range items {
		out[i] = P(&items[i])
	}
	return out
}

// Names lists the names of the objects of kind in the snapshot.
func (s *Snapshot) Names(kind string) []string {
	var out []string
	for _, o := range s.Objects(kind) {
		out = append(out, o.GetName())
	}
	return out
}
