package collect

import (
	"context"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// CompletionKinds are the TYPE words shell completion offers first: the
// kinds, their short names, and "all".
var CompletionKinds = []string{"all", "pod", "deployment", "replicaset", "statefulset", "daemonset", "job", "cronjob", "po", "deploy", "rs", "sts", "ds", "cj"}

// completionList is the most a TAB lists of one kind.
var completionList = metav1.ListOptions{Limit: 500}

// CompleteNames lists the names starting with prefix of every target's
// kind in ns, once each, for shell completion. A kind that cannot be
// listed offers nothing.
func CompleteNames(ctx context.Context, cs kubernetes.Interface, targets []Target, ns, prefix string) []string {
	var out []string
	for _, t := range targets {
		names, _ := Names(ctx, cs, t.Kind, ns, completionList)
		for _, n := range names {
			if strings.HasPrefix(n, prefix) && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// NamespaceNames lists the namespaces, for completing -n.
func NamespaceNames(ctx context.Context, cs kubernetes.Interface) ([]string, error) {
	l, err := cs.CoreV1().Namespaces().List(ctx, completionList)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(l.Items))
	for i, n := range l.Items {
		out[i] = n.Name
	}
	return out, nil
}
