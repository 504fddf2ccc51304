package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// WaitResult is what `kubectl why deploy/one --wait` cost over its whole
// wait: deploy/one crash-loops, which is not a permanent cause, so it
// waits until --timeout.
type WaitResult struct {
	Size        int            `json:"size"`
	Seconds     int            `json:"seconds"`
	Argv        []string       `json:"argv"`
	Run         Run            `json:"run"`
	AuditCount  int            `json:"auditRequests"`
	AuditByVerb map[string]int `json:"auditByVerb"`
	StatsLine   string         `json:"statsLine"`
	LoadAvg     []string       `json:"loadAvg"`
}

func cmdWait(args []string) error {
	fs := flag.NewFlagSet("wait", flag.ExitOnError)
	kubeconfig := fs.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the benchmark cluster")
	audit := fs.String("audit", "", "the apiserver's audit log")
	plugin := fs.String("plugin", "bin/kubectl-why", "the kubectl-why binary")
	seconds := fs.Int("seconds", 120, "how long --wait waits (its --timeout)")
	size := fs.Int("size", 0, "pods in the cluster, for the report")
	out := fs.String("out", "", "write the result (JSON) here")
	md := fs.String("md", "", "write the markdown section here")
	_ = fs.Parse(args)

	argv := []string{*plugin, "--kubeconfig", *kubeconfig, "deploy/" + OneName, "-n", BigNS,
		"--wait", "--timeout", fmt.Sprintf("%ds", *seconds), "--stats"}
	c := Case{Key: "wait", Label: "kubectl why deploy/one --wait", Tool: "why", Timeout: time.Duration(*seconds+60) * time.Second}
	r := WaitResult{Size: *size, Seconds: *seconds, Argv: argv[1:], LoadAvg: []string{loadAvg()}}
	off := fileSize(*audit)
	res, stderr, err := run(context.Background(), c, argv, &bytes.Buffer{})
	if err != nil {
		return err
	}
	if res.DNF {
		return fmt.Errorf("%s did not return within %s", strings.Join(argv, " "), c.Timeout)
	}
	r.Run = res
	r.LoadAvg = append(r.LoadAvg, loadAvg())
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "stats: ") {
			r.StatsLine = l
		}
	}
	time.Sleep(2500 * time.Millisecond) // the audit log's batch
	if r.AuditCount, r.AuditByVerb, err = auditCount(*audit, off, "kubectl-why/"); err != nil {
		return err
	}
	return writeResult(*out, r, *md, WaitMarkdown(r))
}

// WaitMarkdown renders a --wait measurement for docs/benchmarks.md.
func WaitMarkdown(r WaitResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#### `why deploy/one --wait` for %d s beside %s pods\n\n", r.Seconds, thousands(r.Size))
	fmt.Fprintf(&b, "`kubectl why %s` (deploy/one crash-loops, which is not permanent: it waits the whole %d s). Load average before and after: %s.\n\n",
		strings.Join(r.Argv[2:], " "), r.Seconds, strings.Join(r.LoadAvg, " · "))
	fmt.Fprintf(&b, "| wall time | exit | API requests (audit log) | received (--stats) | requests per minute | peak RSS |\n|---|---|---|---|---|---|\n")
	perMin := float64(r.AuditCount) / r.Run.Wall.Minutes()
	fmt.Fprintf(&b, "| %s | %d | %d | %s | %.0f | %s |\n\n", ms(r.Run.Wall), r.Run.Exit, r.AuditCount, received(r.StatsLine), perMin, mib(r.Run.MaxRSSKB))
	fmt.Fprintf(&b, "By verb and resource (audit log): %s.\n\n```\n%s\n```\n\n", byVerb(r.AuditByVerb), r.StatsLine)
	return b.String()
}
