package collect

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Names lists the names of kind in ns, for shell completion and for "did
// you mean" suggestions. Only metadata is needed, but the typed list is one
// request either way and completion lists are small (opts.Limit).
func Names(ctx context.Context, cs kubernetes.Interface, kind, ns string, opts metav1.ListOptions) ([]string, error) {
	var names []string
	add := func(items []metav1.ObjectMeta) {
		for _, m := range items {
			names = append(names, m.Name)
		}
	}
	var metas []metav1.ObjectMeta
	switch kind {
	case KindPod:
		l, err := cs.CoreV1().Pods(ns).List(ctx, opts)
		if err != nil {
			return nil, err
		}
		for _, o := range l.Items {
			metas = append(metas, o.ObjectMeta)
		}
	case KindDeployment:
		l, err := cs.AppsV1().Deployments(ns).List(ctx, opts)
		if err != nil {
			return nil, err
		}
		for _, o := range l.Items {
			metas = append(metas, o.ObjectMeta)
		}
	case KindReplicaSet:
		l, err := cs.AppsV1().ReplicaSets(ns).List(ctx, opts)
		if err != nil {
			return nil, err
		}
		for _, o := range l.Items {
			metas = append(metas, o.ObjectMeta)
		}
	case KindStatefulSet:
		l, err := cs.AppsV1().StatefulSets(ns).List(ctx, opts)
		if err != nil {
			return nil, err
		}
		for _, o := range l.Items {
			metas = append(metas, o.ObjectMeta)
		}
	case KindDaemonSet:
		l, err := cs.AppsV1().DaemonSets(ns).List(ctx, opts)
		if err != nil {
			return nil, err
		}
		for _, o := range l.Items {
			metas = append(metas, o.ObjectMeta)
		}
	case KindJob:
		l, err := cs.BatchV1().Jobs(ns).List(ctx, opts)
		if err != nil {
			return nil, err
		}
		for _, o := range l.Items {
			metas = append(metas, o.ObjectMeta)
		}
	case KindCronJob:
		l, err := cs.BatchV1().CronJobs(ns).List(ctx, opts)
		if err != nil {
			return nil, err
		}
		for _, o := range l.Items {
			metas = append(metas, o.ObjectMeta)
		}
	default:
		return nil, fmt.Errorf("no names for kind %q", kind)
	}
	add(metas)
	return names, nil
}
