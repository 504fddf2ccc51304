package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// cmdNodes compares the nodes scenario's results (one per node count):
// what a question about one deployment costs must not grow with the nodes.
func cmdNodes(files []string) error {
	var ms []*Measurement
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var m Measurement
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("read %s: %w", f, err)
		}
		ms = append(ms, &m)
	}
	fmt.Print(NodesMarkdown(ms))
	return nil
}

// NodesMarkdown is the side-by-side table of the nodes scenario.
func NodesMarkdown(results []*Measurement) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("#### `why deploy/one` beside 100 vs 5,000 nodes\n\n")
	w("| nodes | command | wall time, median (min–max) | API requests (audit log) | received (--stats) | peak RSS |\n|---|---|---|---|---|---|\n")
	for _, key := range []string{"one-big", "describe-big", "one-solo", "describe-solo", "raw-nodes"} {
		for _, m := range results {
			c := m.find(key)
			if c == nil {
				continue
			}
			recv := "–"
			if c.Tool == "why" {
				recv = received(c.StatsLine)
			}
			w("| %s | `%s` | %s (%s–%s) | %d | %s | %s |\n", thousands(m.Create.Nodes), c.Label, ms(c.MedianWall), ms(c.MinWall), ms(c.MaxWall), c.AuditCount, recv, mib(c.MedianRSSKB))
		}
	}
	w("\n")
	for _, m := range results {
		if c := m.find("one-big"); c != nil {
			w("- %s nodes, `%s`: %s\n", thousands(m.Create.Nodes), c.Label, byVerb(c.AuditByVerb))
		}
	}
	w("\n")
	return b.String()
}
