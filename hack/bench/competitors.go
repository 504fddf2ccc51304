package main

import (
	"os"
	"path/filepath"
	"strings"
)

// A competitor is a tool a user would run instead of kubectl why, built by
// hack/bench/competitors.sh from its source (never committed here).
type competitor struct {
	bin   string // binary in Env.Competitors, and its User-Agent
	cases []Case // Argv without the binary and --kubeconfig
}

// competitors are run the way their READMEs show, asked the nearest
// question to `why pod -A --failing` and `why deploy/one`:
//   - kubectl-status prints every object it is given, healthy or not;
//   - k8sgpt analyze without --explain needs no AI backend; with no
//     --namespace it reads every namespace;
//   - kube-health resolves its arguments like kubectl but has no
//     --all-namespaces, so it is asked about BigNS (5,000 pods at most);
//   - popeye lints pods (-s po) in every namespace; --force-exit-zero, as
//     it exits 1 whenever it finds an error.
var competitors = []competitor{
	{"kubectl-status", []Case{
		{Key: "status-pods", Label: "kubectl status pods -A", Argv: []string{"pods", "-A"}},
		{Key: "status-one", Label: "kubectl status deploy/one -n " + BigNS, Argv: []string{"deploy/" + OneName, "-n", BigNS}, Scope: BigNS + "/" + OneName},
	}},
	{"k8sgpt", []Case{
		{Key: "k8sgpt", Label: "k8sgpt analyze --filter Pod", Argv: []string{"analyze", "--filter", "Pod"}},
	}},
	{"kube-health", []Case{
		{Key: "kube-health-ns", Label: "kube-health pods -n " + BigNS, Argv: []string{"pods", "-n", BigNS}, Scope: BigNS},
		{Key: "kube-health-one", Label: "kube-health deploy/one -n " + BigNS, Argv: []string{"deploy/" + OneName, "-n", BigNS}, Scope: BigNS + "/" + OneName},
	}},
	{"popeye", []Case{
		{Key: "popeye", Label: "popeye -A -s po", Argv: []string{"-A", "-s", "po", "--force-exit-zero"}},
	}},
}

// CompetitorCases are the competitors' cases: runnable when
// competitors.sh built the binary, otherwise marked Missing with its
// reason ("not built", or the build's error) for the report.
func CompetitorCases(e Env) []Case {
	if e.Competitors == "" {
		return nil
	}
	var cs []Case
	for _, c := range competitors {
		bin := filepath.Join(e.Competitors, c.bin)
		info := readInfo(filepath.Join(e.Competitors, c.bin+".txt"))
		missing := ""
		if _, err := os.Stat(bin); err != nil {
			missing = "not built"
			if info["status"] == "failed" {
				missing = "build failed: " + info["error"]
			}
		}
		for _, k := range c.cases {
			k.Tool, k.Agent, k.Names, k.Missing = "competitor", c.bin+"/", c.bin, missing
			k.Version = strings.TrimSpace(info["version"])
			k.Timeout = e.CompetitorTimeout
			k.Argv = append([]string{bin, "--kubeconfig", e.Kubeconfig}, k.Argv...)
			k.CountArgv = k.Argv
			cs = append(cs, k)
		}
	}
	return cs
}

// readInfo reads competitors.sh's key=value file; a missing file is empty.
func readInfo(path string) map[string]string {
	m := map[string]string{}
	b, err := os.ReadFile(path)
	if err != nil {
		return m
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			m[k] = v
		}
	}
	return m
}

// scopeOf is what a kubectl-style argument list asks about: a namespace
// ("" all of them), or "namespace/deployment" for deploy/NAME.
func scopeOf(args []string) string {
	ns, deploy := "", ""
	for i, a := range args {
		switch {
		case (a == "-n" || a == "--namespace") && i+1 < len(args):
			ns = args[i+1]
		case strings.HasPrefix(a, "deploy/"):
			deploy = strings.TrimPrefix(a, "deploy/")
		}
	}
	if deploy != "" {
		return ns + "/" + deploy
	}
	return ns
}
