package collect

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/resource"
)

// FromFiles reads saved objects (kubectl get -o yaml|json output, Lists,
// several files, directories such as a `kubectl cluster-info dump`, or "-"
// for standard input) into a snapshot, through cli-runtime's resource
// builder exactly as kubectl reads -f. Kinds the plugin does not use are
// skipped and counted in the returned notes. now stamps the snapshot.
func FromFiles(filenames []string, now time.Time) (*graph.Snapshot, []string, error) {
	r := resource.NewLocalBuilder().
		Unstructured().
		ContinueOnError().
		FilenameParam(false, &resource.FilenameOptions{Filenames: filenames, Recursive: true}).
		Flatten().
		Do()
	if err := r.Err(); err != nil {
		return nil, nil, fmt.Errorf("read -f %s: %w", strings.Join(filenames, ","), err)
	}
	snap := &graph.Snapshot{Now: now}
	skipped := map[string]int{}
	count := 0
	err := r.Visit(func(info *resource.Info, err error) error {
		if err != nil {
			return err
		}
		u, ok := info.Object.(*unstructured.Unstructured)
		if !ok {
			return nil
		}
		count++
		if err := addObject(snap, u); err != nil {
			if _, unsupported := err.(unsupportedKind); unsupported {
				skipped[u.GetKind()]++
				return nil
			}
			return fmt.Errorf("%s: %s %s/%s: %w", info.Source, u.GetKind(), u.GetNamespace(), u.GetName(), err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read -f %s: %w", strings.Join(filenames, ","), err)
	}
	if count == 0 {
		return nil, nil, fmt.Errorf("read -f %s: no Kubernetes objects found", strings.Join(filenames, ","))
	}
	// Offline, everything in the files is everything there is: mark the
	// kinds collected so that "no events" means none were saved.
	for _, res := range []string{graph.ResPods, graph.ResReplicaSets, graph.ResDeployments, graph.ResStatefulSets, graph.ResEvents, graph.ResNodes, graph.ResPVCs} {
		snap.MarkCollected(res)
	}
	if len(snap.Nodes) == 0 {
		snap.Collected[graph.ResNodes] = false
	}
	var notes []string
	var kinds []string
	for k := range skipped {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		notes = append(notes, fmt.Sprintf("skipped %d %s object(s): kubectl why does not use that kind", skipped[k], k))
	}
	return snap, notes, nil
}

type unsupportedKind string

func (u unsupportedKind) Error() string { return "unsupported kind " + string(u) }

func addObject(s *graph.Snapshot, u *unstructured.Unstructured) error {
	conv := runtime.DefaultUnstructuredConverter
	gv := u.GroupVersionKind()
	switch {
	case gv.Group == "" && gv.Kind == "Pod":
		var o corev1.Pod
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.Pods = append(s.Pods, o)
	case gv.Group == "apps" && gv.Kind == "Deployment":
		var o appsv1.Deployment
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.Deployments = append(s.Deployments, o)
	case gv.Group == "apps" && gv.Kind == "ReplicaSet":
		var o appsv1.ReplicaSet
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.ReplicaSets = append(s.ReplicaSets, o)
	case gv.Group == "apps" && gv.Kind == "StatefulSet":
		var o appsv1.StatefulSet
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.StatefulSets = append(s.StatefulSets, o)
	case gv.Group == "" && gv.Kind == "Event":
		var o corev1.Event
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.Events = append(s.Events, o)
	case gv.Group == "" && gv.Kind == "Node":
		var o corev1.Node
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.Nodes = append(s.Nodes, o)
	case gv.Group == "" && gv.Kind == "PersistentVolumeClaim":
		var o corev1.PersistentVolumeClaim
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.PVCs = append(s.PVCs, o)
	case gv.Group == "" && gv.Kind == "ResourceQuota":
		var o corev1.ResourceQuota
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.ResourceQuotas = append(s.ResourceQuotas, o)
	case gv.Group == "" && gv.Kind == "LimitRange":
		var o corev1.LimitRange
		if err := conv.FromUnstructured(u.Object, &o); err != nil {
			return err
		}
		s.LimitRanges = append(s.LimitRanges, o)
	default:
		return unsupportedKind(gv.Kind)
	}
	return nil
}
