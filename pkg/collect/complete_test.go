package collect

import (
	"context"
	"slices"
	"testing"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func TestCompleteNames(t *testing.T) {
	meta := func(ns, name string) metav1.ObjectMeta { return metav1.ObjectMeta{Namespace: ns, Name: name} }
	cs := fake.NewClientset(
		&appsv1.Deployment{ObjectMeta: meta("shop", "web")},
		&appsv1.Deployment{ObjectMeta: meta("shop", "api")},
		&appsv1.Deployment{ObjectMeta: meta("other", "webhook")},
		&batchv1.Job{ObjectMeta: meta("shop", "web")},
		&batchv1.Job{ObjectMeta: meta("shop", "webmigrate")},
		&corev1.Namespace{ObjectMeta: meta("", "shop")},
		&corev1.Namespace{ObjectMeta: meta("", "other")},
	)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		targets []Target
		prefix  string
		want    []string
	}{
		{"one kind", []Target{{Kind: explain.KindDeployment}}, "", []string{"api", "web"}},
		{"a prefix, in the namespace only", []Target{{Kind: explain.KindDeployment}}, "we", []string{"web"}},
		{"two kinds, a name once", []Target{{Kind: explain.KindDeployment}, {Kind: explain.KindJob}}, "web", []string{"web", "webmigrate"}},
		{"nothing to list", nil, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CompleteNames(ctx, cs, tc.targets, "shop", tc.prefix)
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("CompleteNames = %q, want %q", got, tc.want)
			}
		})
	}
	ns, err := NamespaceNames(ctx, cs)
	slices.Sort(ns)
	if err != nil || !slices.Equal(ns, []string{"other", "shop"}) {
		t.Errorf("NamespaceNames = %q, %v", ns, err)
	}
}
