package cmd

import (
	"fmt"

	"k8s.io/apimachinery/pkg/labels"
)

func parseSelector(s string) (labels.Selector, error) {
	if s == "" {
		return labels.Everything(), nil
	}
	sel, err := labels.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("--selector %q: %w", s, err)
	}
	return sel, nil
}

func labelSet(m map[string]string) labels.Set { return labels.Set(m) }
