package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Markdown renders one size's measurement as a section of docs/benchmarks.md.
func Markdown(m *Measurement) string {
	var b strings.Builder
	p := m.Create.Plan
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }

	w("### %s pods\n\n", thousands(p.Size))
	if p.Size > 0 {
		sched := "placed by kube-scheduler"
		if m.Create.Direct {
			sched = "healthy ones pinned with spec.nodeName (no scheduler), failing ones placed by kube-scheduler"
		}
		w("Workload: %s pods in %d deployments across %d namespaces on %d kwok nodes (%s); %d failing (%s); %s other pods next to deploy/one in %s, none in %s. %s events in the cluster%s.\n\n",
			thousands(p.Pods()), len(p.Deploys), len(p.Namespaces), m.Create.Nodes, sched, p.Failing, faultMix(p),
			thousands(p.BigOthers), BigNS, SoloNS, thousands(m.Create.Events), topReasons(m.Create.EventsByReason, 5))
		restarts := ""
		if n := m.Create.KwokRestarts; n > 0 {
			restarts = fmt.Sprintf(" (kwok was restarted %d time(s) when pods stopped settling: its watch had missed them)", n)
		}
		w("Creation: deployments posted in %s; every pod created after %s; every pod Ready or showing its failure after %s%s.\n\n",
			secs(m.Create.Objects), secs(m.Create.PodsExist), secs(m.Create.Settled), restarts)
	}
	if m.Machine.ServerVersion != "" || m.Machine.EtcdVersion != "" {
		w("Control plane: kube-apiserver %s, etcd %s.\n\n", m.Machine.ServerVersion, m.Machine.EtcdVersion)
	}
	w("Load average (1, 5, 15 min) before each round: %s; after the last: %s.\n\n", strings.Join(m.LoadAvg[:len(m.LoadAvg)-1], " · "), m.LoadAvg[len(m.LoadAvg)-1])

	raw := m.find("raw-protobuf")
	w("| command | wall time, median of %d (min–max) | × raw protobuf list | API requests (audit log) | peak RSS, median | failing pods named | false alarms |\n", m.Runs)
	w("|---|---|---|---|---|---|---|\n")
	var notes []string
	for _, c := range m.Cases {
		label := c.Label
		if c.Version != "" {
			label += " (" + c.Version + ")"
		}
		switch {
		case c.Missing != "":
			w("| `%s` | not built | – | – | – | – | – |\n", c.Label)
			if c.Missing != "not built" {
				notes = append(notes, fmt.Sprintf("`%s`: %s", c.Label, c.Missing))
			}
			continue
		case c.Failed:
			w("| `%s` | failed | – | – | – | – | – |\n", label)
			notes = append(notes, fmt.Sprintf("`%s`: %s", c.Label, c.Err))
			continue
		case c.DNF && len(c.Runs) <= 1:
			w("| `%s` | did not finish in %s | – | %s | – | – | – |\n", label, secs(c.Timeout), partialReqs(c))
			continue
		}
		ratio := "–"
		if raw != nil && raw.MedianWall > 0 {
			ratio = fmt.Sprintf("%.1f×", float64(c.MedianWall)/float64(raw.MedianWall))
		}
		reqs := fmt.Sprint(c.AuditCount)
		if c.SelfCount >= 0 && c.SelfCount != c.AuditCount {
			src := "--stats"
			if c.Tool == "kubectl" {
				src = "-v=6"
			}
			reqs += fmt.Sprintf(" (%s: %d)", src, c.SelfCount)
		}
		wall := fmt.Sprintf("%s (%s–%s)", ms(c.MedianWall), ms(c.MinWall), ms(c.MaxWall))
		if c.DNF {
			wall += fmt.Sprintf(", then did not finish in %s", secs(c.Timeout))
		}
		named, alarms := "–", "–"
		if c.Named != nil {
			named = fmt.Sprintf("%d of %d", c.Named.FailingNamed, c.Named.FailingTotal)
			alarms = fmt.Sprint(c.Named.FalseAlarms)
		}
		w("| `%s` | %s | %s | %s | %s | %s | %s |\n", label, wall, ratio, reqs, mib(c.MedianRSSKB), named, alarms)
	}
	w("\n")
	if len(notes) > 0 {
		w("Competitors that could not run:\n\n")
		for _, n := range notes {
			w("- %s\n", n)
		}
		w("\n")
	}

	w("Requests by verb and resource (audit log, one run each):\n\n")
	for _, c := range m.Cases {
		if c.Tool == "curl" || c.Missing != "" || c.Failed || len(c.AuditByVerb) == 0 {
			continue
		}
		w("- `%s`: %s\n", c.Label, byVerb(c.AuditByVerb))
	}
	w("\n")
	if pf := m.find("pod-failing"); pf != nil {
		w("`kubectl why pod -A --failing` printed %d lines (a header and one row per result) for %d failing pods.\n\n", pf.OutputLines, p.Failing)
	}
	w("The plugin's own `--stats` lines (counting run):\n\n```\n")
	for _, c := range m.Cases {
		if c.Tool == "why" && c.StatsLine != "" {
			w("%-45s %s\n", strings.TrimPrefix(c.Label, "kubectl why ")+":", strings.TrimPrefix(c.StatsLine, "stats: "))
		}
	}
	w("```\n\n")

	w("Targets at this size:\n\n")
	if pf, rawp := m.find("pod-failing"), raw; pf != nil && rawp != nil {
		r := float64(pf.MedianWall) / float64(rawp.MedianWall)
		w("- `why pod -A --failing` / raw protobuf list: %s / %s = %.1f× (target ≤ 3×): %s\n", ms(pf.MedianWall), ms(rawp.MedianWall), r, met(r <= 3))
	}
	if all, pf := m.find("all-failing"), m.find("pod-failing"); all != nil && pf != nil {
		r := float64(all.MedianWall) / float64(pf.MedianWall)
		w("- `why all -A --failing` / `why pod -A --failing`: %s / %s = %.2f× (target ≤ 1.5×): %s\n", ms(all.MedianWall), ms(pf.MedianWall), r, met(r <= 1.5))
	}
	if pf, get := m.find("pod-failing"), m.find("get-json"); pf != nil && get != nil {
		w("- peak RSS `why pod -A --failing` %s vs `kubectl get pods -A -o json` %s: %s\n", mib(pf.MedianRSSKB), mib(get.MedianRSSKB), met(pf.MedianRSSKB < get.MedianRSSKB))
	}
	for _, pair := range [][2]string{{"one-big", "describe-big"}, {"one-solo", "describe-solo"}} {
		a, d := m.find(pair[0]), m.find(pair[1])
		if a == nil || d == nil {
			continue
		}
		r := float64(a.MedianWall) / float64(d.MedianWall)
		w("- `%s` / `%s`: %s / %s = %.2f× (target ≤ 1.2×): %s\n", strings.TrimPrefix(a.Label, "kubectl "), strings.TrimPrefix(d.Label, "kubectl "), ms(a.MedianWall), ms(d.MedianWall), r, met(r <= 1.2))
	}
	if big, solo := m.find("one-big"), m.find("one-solo"); big != nil && solo != nil {
		w("- `why deploy/one` next to %s other pods vs alone: %s vs %s, %d vs %d requests, %s vs %s received\n",
			thousands(p.BigOthers), ms(big.MedianWall), ms(solo.MedianWall), big.AuditCount, solo.AuditCount, received(big.StatsLine), received(solo.StatsLine))
	}
	var chunks []*CaseResult
	for _, c := range m.Cases {
		if c.Key == "pod-failing" || strings.HasPrefix(c.Key, "pod-failing-chunk-") {
			chunks = append(chunks, c)
		}
	}
	if len(chunks) > 1 {
		sort.Slice(chunks, func(i, j int) bool { return chunks[i].MedianWall < chunks[j].MedianWall })
		w("- `--chunk-size`, fastest first:")
		for i, c := range chunks {
			cs := strconv.Itoa(DefaultChunkSize)
			if c.Key != "pod-failing" {
				cs = strings.TrimPrefix(c.Key, "pod-failing-chunk-")
			}
			sep := ","
			if i == 0 {
				sep = ""
			}
			w("%s %s: %s (%s, %d requests)", sep, cs, ms(c.MedianWall), mib(c.MedianRSSKB), c.AuditCount)
		}
		w("\n")
	}
	w("\n")
	return b.String()
}

// partialReqs is what the audit log saw of a run stopped at its time limit.
func partialReqs(c *CaseResult) string {
	if c.AuditCount == 0 {
		return "–"
	}
	return fmt.Sprintf("%d before it was stopped", c.AuditCount)
}

// namedNote is the counting run's score, for the log.
func namedNote(c *CaseResult) string {
	if c.Named == nil {
		return ""
	}
	return fmt.Sprintf("; named %d of %d failing pods, %d false alarms", c.Named.FailingNamed, c.Named.FailingTotal, c.Named.FalseAlarms)
}

func (m *Measurement) find(key string) *CaseResult {
	for _, c := range m.Cases {
		if c.Key == key {
			return c
		}
	}
	return nil
}

func met(ok bool) string {
	if ok {
		return "**met**"
	}
	return "**not met**"
}

func faultMix(p Plan) string {
	n := map[string]int{}
	for _, d := range p.Deploys {
		if d.Fault != "" {
			n[d.Fault] += d.Replicas
		}
	}
	var parts []string
	for _, f := range Faults {
		parts = append(parts, fmt.Sprintf("%s %d", f, n[f]))
	}
	return strings.Join(parts, ", ")
}

func topReasons(by map[string]int, k int) string {
	type kv struct {
		k string
		v int
	}
	var all []kv
	for r, n := range by {
		all = append(all, kv{r, n})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].v != all[j].v {
			return all[i].v > all[j].v
		}
		return all[i].k < all[j].k
	})
	var parts []string
	for i := 0; i < len(all) && i < k; i++ {
		parts = append(parts, fmt.Sprintf("%s %d", all[i].k, all[i].v))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func byVerb(by map[string]int) string {
	var keys []string
	for k := range by {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, by[k]))
	}
	return strings.Join(parts, ", ")
}

// received pulls "1.2 MiB received" out of a --stats line.
func received(stats string) string {
	if i := strings.Index(stats, " received"); i > 0 {
		j := strings.LastIndex(stats[:i], ", ")
		if j >= 0 {
			return stats[j+2 : i]
		}
	}
	return "?"
}

func ms(d time.Duration) string {
	if d >= 10*time.Second {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

func secs(d time.Duration) string { return fmt.Sprintf("%.0f s", d.Seconds()) }

func mib(kb int64) string { return fmt.Sprintf("%.0f MiB", float64(kb)/1024) }

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
