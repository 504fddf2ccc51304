package collect

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
)

// Names lists the names of kind in ns, for shell completion and for "did
// you mean" suggestions. Only metadata is needed, but the typed list is one
// request either way and completion lists are small (opts.Limit).
func Names(ctx context.Context, cs kubernetes.Interface, kind, ns string, opts metav1.ListOptions) ([]string, error) {
	k := kindOf(kind)
	if k == nil || !k.explained {
		return nil, fmt.Errorf("no names for kind %q", kind)
	}
	l, err := k.list(cs, ns)(ctx, opts)
	if err != nil {
		return nil, err
	}
	var names []string
	err = meta.EachListItem(l, func(o runtime.Object) error {
		m, err := meta.Accessor(o)
		if err != nil {
			return err
		}
		names = append(names, m.GetName())
		return nil
	})
	return names, err
}
