package collect

import (
	"context"
	"fmt"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

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

// Levenshtein is the edit distance between a and b.
func Levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
