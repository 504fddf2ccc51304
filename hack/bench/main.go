// Command bench is the benchmark behind hack/bench.sh and
// docs/benchmarks.md: it creates a cluster's worth of Deployments (a few of
// them failing in the ways hack/kwok reproduces), waits until every pod shows
// its state, then times kubectl why next to the raw LIST and kubectl itself.
//
//	bench create  -kubeconfig K -size N [-direct] -out create.json
//	bench measure -kubeconfig K -pki DIR -audit FILE -plugin BIN -create create.json -out result.json -md result.md
//	bench wait    -kubeconfig K -audit FILE -plugin BIN -seconds 120 -out wait.json -md wait.md
//	bench profile -kubeconfig K -audit FILE -dir DIR -md profile.md -- pod -A --failing
//	bench nodes   result-nodes-100.json result-nodes-5000.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bench create|measure|wait|profile|nodes [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "create":
		err = cmdCreate(os.Args[2:])
	case "measure":
		err = cmdMeasure(os.Args[2:])
	case "wait":
		err = cmdWait(os.Args[2:])
	case "profile":
		err = cmdProfile(os.Args[2:])
	case "nodes":
		err = cmdNodes(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q: use create, measure, wait, profile or nodes", os.Args[1])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

func client(kubeconfig string) (kubernetes.Interface, string, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, "", fmt.Errorf("read kubeconfig %s: %w", kubeconfig, err)
	}
	// Creation is a few hundred requests; waiting polls. Neither should
	// queue behind client-side rate limits.
	cfg.QPS, cfg.Burst = 500, 1000
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, "", fmt.Errorf("create client: %w", err)
	}
	return cs, cfg.Host, nil
}

func cmdCreate(args []string) error {
	fs := flag.NewFlagSet("create", flag.ExitOnError)
	kubeconfig := fs.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the benchmark cluster")
	size := fs.Int("size", 1000, "pods to create")
	direct := fs.Bool("direct", false, "pin healthy pods to nodes (spec.nodeName), bypassing the scheduler")
	timeout := fs.Duration("timeout", 45*time.Minute, "how long to wait for the pods")
	out := fs.String("out", "", "write the creation result (JSON) here")
	onStall := fs.String("on-stall", "", "command (run by bash) when no pod settles for a while, e.g. hack/cluster.sh restart-kwok")
	nodes := fs.Int("nodes", 0, "first make sure this many kwok nodes exist and are Ready (0: those of hack/cluster.sh)")
	_ = fs.Parse(args)
	p, err := NewPlan(*size)
	if err != nil {
		return err
	}
	cs, _, err := client(*kubeconfig)
	if err != nil {
		return err
	}
	if *nodes > 0 {
		if err := EnsureNodes(context.Background(), cs, *nodes, 5*time.Minute, os.Stderr); err != nil {
			return err
		}
	}
	var stall func() error
	if *onStall != "" {
		stall = func() error {
			cmd := exec.Command("bash", "-c", *onStall)
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			return cmd.Run()
		}
	}
	res, err := Create(context.Background(), cs, p, *direct, *timeout, stall, os.Stderr)
	if err != nil {
		return err
	}
	return writeJSON(*out, res)
}

func cmdMeasure(args []string) error {
	fs := flag.NewFlagSet("measure", flag.ExitOnError)
	kubeconfig := fs.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the benchmark cluster")
	pki := fs.String("pki", "", "directory holding ca.crt, admin.crt and admin.key (for curl)")
	audit := fs.String("audit", "", "the apiserver's audit log")
	plugin := fs.String("plugin", "bin/kubectl-why", "the kubectl-why binary")
	kubectl := fs.String("kubectl", "kubectl", "the kubectl binary")
	cacheDir := fs.String("cache-dir", "", "kubectl's discovery cache (kept apart from ~/.kube)")
	runs := fs.Int("runs", 5, "timed runs of each case")
	chunks := fs.String("chunks", "", "comma-separated --chunk-size values to try for pod -A --failing")
	extra := fs.Bool("extra", false, "add diagnostic cases (--disable-compression, pod -A without --failing)")
	createIn := fs.String("create", "", "the creation result written by bench create")
	out := fs.String("out", "", "write the measurement (JSON) here")
	md := fs.String("md", "", "write the markdown section here")
	etcdVersion := fs.String("etcd-version", "", "the etcd server's version, for the report")
	comps := fs.String("competitors", "", "directory of the competitors' binaries (hack/bench/competitors.sh); empty: leave them out")
	compTimeout := fs.Duration("competitor-timeout", 120*time.Second, "time limit of each competitor run")
	only := fs.String("only", "", "comma-separated case keys to run (default: all)")
	_ = fs.Parse(args)

	var cr CreateResult
	if *createIn != "" {
		b, err := os.ReadFile(*createIn)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &cr); err != nil {
			return fmt.Errorf("read %s: %w", *createIn, err)
		}
	}
	cs, host, err := client(*kubeconfig)
	if err != nil {
		return err
	}
	var sizes []int
	for _, s := range strings.Split(*chunks, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("-chunks %q: %w", *chunks, err)
		}
		sizes = append(sizes, n)
	}
	if *cacheDir == "" {
		*cacheDir = os.TempDir() + "/why-bench-kubectl-cache"
	}
	e := Env{Kubeconfig: *kubeconfig, PKI: *pki, Server: host, Audit: *audit, Plugin: *plugin, Kubectl: *kubectl, CacheDir: *cacheDir,
		Competitors: *comps, CompetitorTimeout: *compTimeout}
	cases := Cases(e, sizes, *extra)
	if *only != "" {
		keep := map[string]bool{}
		for _, k := range strings.Split(*only, ",") {
			keep[strings.TrimSpace(k)] = true
		}
		cases = slices.DeleteFunc(cases, func(c Case) bool { return !keep[c.Key] })
	}
	truth, err := ListTruth(context.Background(), cs)
	if err != nil {
		return err
	}
	m, err := Measure(context.Background(), e, cases, truth, *runs, os.Stderr)
	if err != nil {
		return err
	}
	m.Create = cr
	m.Machine = machine(*kubectl)
	if v, err := cs.Discovery().ServerVersion(); err == nil {
		m.Machine.ServerVersion = v.GitVersion
	}
	m.Machine.EtcdVersion = *etcdVersion
	return writeResult(*out, m, *md, Markdown(m))
}

// writeResult writes a result as JSON (when jsonPath is set) and its
// markdown section to mdPath (when set) and to stdout.
func writeResult(jsonPath string, v any, mdPath, text string) error {
	if err := writeJSON(jsonPath, v); err != nil {
		return err
	}
	if mdPath != "" {
		if err := os.WriteFile(mdPath, []byte(text), 0o644); err != nil {
			return err
		}
	}
	fmt.Print(text)
	return nil
}

func writeJSON(path string, v any) error {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func machine(kubectl string) Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "MemTotal:") {
				kb, _ := strconv.Atoi(strings.Fields(l)[1])
				m.MemTotal = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	if b, err := exec.Command(kubectl, "version", "--client", "-o", "json").Output(); err == nil {
		var v struct {
			ClientVersion struct {
				GitVersion string `json:"gitVersion"`
			} `json:"clientVersion"`
		}
		if json.Unmarshal(b, &v) == nil {
			m.KubectlVer = v.ClientVersion.GitVersion
		}
	}
	if b, err := exec.Command("curl", "--version").Output(); err == nil {
		m.CurlVersion = strings.SplitN(string(b), "\n", 2)[0]
	}
	return m
}
