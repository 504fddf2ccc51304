package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Case is one command measured side by side with the others.
type Case struct {
	Key   string   `json:"key"`
	Label string   `json:"label"` // as a user would type it
	Tool  string   `json:"tool"`  // curl, kubectl or why
	Argv  []string `json:"argv"`
	// CountArgv is Argv with what makes the command report its requests
	// (--stats, -v=6); it runs once, untimed.
	CountArgv []string `json:"countArgv"`
	// Agent is the User-Agent prefix of the command's requests in the audit log.
	Agent string `json:"agent"`
	// Timeout bounds each run (0: ten minutes); a run past it is recorded
	// as "did not finish" and the case is not run again.
	Timeout time.Duration `json:"timeoutNs,omitempty"`
	// Scope is the namespace the command asks about ("" every namespace):
	// the failing pods it should name are those in it.
	Scope string `json:"scope,omitempty"`
	// Names says how to read the failing objects off the command's output
	// (see names.go); "" counts nothing (curl, kubectl get).
	Names string `json:"names,omitempty"`
	// Missing, for a competitor that is not built here, says why; the
	// case is reported and never run.
	Missing string `json:"missing,omitempty"`
	// Version of a competitor, for the report.
	Version string `json:"version,omitempty"`
}

// Run is one timed execution.
type Run struct {
	Wall     time.Duration `json:"wallNs"`
	MaxRSSKB int64         `json:"maxRssKiB"`
	Exit     int           `json:"exit"`
	DNF      bool          `json:"didNotFinish,omitempty"` // killed at the case's Timeout
}

// CaseResult is a case's runs and counts.
type CaseResult struct {
	Case
	Runs         []Run          `json:"runs"`
	MedianWall   time.Duration  `json:"medianWallNs"`
	MinWall      time.Duration  `json:"minWallNs"`
	MaxWall      time.Duration  `json:"maxWallNs"`
	MedianRSSKB  int64          `json:"medianRssKiB"`
	AuditCount   int            `json:"auditRequests"`
	AuditByVerb  map[string]int `json:"auditByVerb"`
	SelfCount    int            `json:"selfReportedRequests"` // --stats or -v=6 lines; -1 if none
	StatsLine    string         `json:"statsLine,omitempty"`
	OutputLines  int            `json:"outputLines"`
	CountRunWall time.Duration  `json:"countRunWallNs"`
	// DNF: a run passed the case's Timeout; Failed: a competitor exited
	// with an error (Err holds its last words). Either stops the case.
	DNF    bool   `json:"didNotFinish,omitempty"`
	Failed bool   `json:"failed,omitempty"`
	Err    string `json:"error,omitempty"`
	// Named is what the counting run's output said about the benchmark's
	// pods (see names.go); nil when the case names nothing.
	Named *Named `json:"named,omitempty"`
}

// Measurement is the whole result of one size.
type Measurement struct {
	Create   CreateResult  `json:"create"`
	Machine  Machine       `json:"machine"`
	Runs     int           `json:"runs"`
	Cases    []*CaseResult `json:"cases"`
	LoadAvg  []string      `json:"loadAvg"` // /proc/loadavg before each round and at the end
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"durationNs"`
}

// Machine describes where the numbers come from.
type Machine struct {
	CPUs          int    `json:"cpus"`
	CPUModel      string `json:"cpuModel"`
	MemTotal      string `json:"memTotal"`
	GoVersion     string `json:"goVersion"`
	KubectlVer    string `json:"kubectlVersion"`
	ServerVersion string `json:"serverVersion"`
	EtcdVersion   string `json:"etcdVersion"`
	CurlVersion   string `json:"curlVersion"`
}

// Env is what the cases need to know about the cluster and the binaries.
type Env struct {
	Kubeconfig, PKI, Server, Audit, Plugin, Kubectl, CacheDir string
	// Competitors is where hack/bench/competitors.sh leaves the other
	// tools' binaries ("" leaves them out of the run).
	Competitors string
	// CompetitorTimeout bounds each of their runs.
	CompetitorTimeout time.Duration
}

// DefaultChunkSize is kubectl why's own --chunk-size default (pkg/cmd).
const DefaultChunkSize = 1000

// curlCase reads path with curl: the apiserver's own time to serve it.
func curlCase(e Env, key, path, accept string) Case {
	argv := []string{"curl", "-sSf", "-o", "/dev/null", "--cacert", e.PKI + "/ca.crt", "--cert", e.PKI + "/admin.crt", "--key", e.PKI + "/admin.key",
		"-H", "Accept: " + accept, e.Server + path}
	return Case{Key: key, Label: "curl " + path + " (" + strings.TrimPrefix(accept, "application/") + ")", Tool: "curl", Argv: argv, CountArgv: argv, Agent: "curl/"}
}

// Cases builds the side-by-side list. chunks adds `why pod -A --failing
// --chunk-size X` for each X other than the default; extra adds
// diagnostics (no compression, no --failing).
func Cases(e Env, chunks []int, extra bool) []Case {
	curl := func(key, accept string) Case { return curlCase(e, key, "/api/v1/pods", accept) }
	kubectl := func(key string, args ...string) Case {
		base := []string{e.Kubectl, "--kubeconfig", e.Kubeconfig, "--cache-dir", e.CacheDir}
		argv := append(append([]string{}, base...), args...)
		count := append(append([]string{}, argv...), "-v=6")
		return Case{Key: key, Label: "kubectl " + strings.Join(args, " "), Tool: "kubectl", Argv: argv, CountArgv: count, Agent: "kubectl/"}
	}
	why := func(key string, args ...string) Case {
		argv := append([]string{e.Plugin, "--kubeconfig", e.Kubeconfig}, args...)
		count := append(append([]string{}, argv...), "--stats")
		return Case{Key: key, Label: "kubectl why " + strings.Join(args, " "), Tool: "why", Argv: argv, CountArgv: count, Agent: "kubectl-why/",
			Names: "why", Scope: scopeOf(args)}
	}
	cs := []Case{
		curl("raw-protobuf", "application/vnd.kubernetes.protobuf"),
		curl("raw-json", "application/json"),
		kubectl("get-json", "get", "pods", "-A", "-o", "json"),
		why("pod-failing", "pod", "-A", "--failing"),
		why("deploy-failing", "deploy", "-A", "--failing"),
		// Issue 13's target: everything that is broken, within 1.5x of pods alone.
		why("all-failing", "all", "-A", "--failing"),
		why("one-big", "deploy/"+OneName, "-n", BigNS),
		kubectl("describe-big", "describe", "deploy/"+OneName, "-n", BigNS),
		why("one-solo", "deploy/"+OneName, "-n", SoloNS),
		kubectl("describe-solo", "describe", "deploy/"+OneName, "-n", SoloNS),
	}
	cs = append(cs, CompetitorCases(e)...)
	// For the nodes scenario (-only): what one list of every node costs.
	cs = append(cs, curlCase(e, "raw-nodes", "/api/v1/nodes", "application/vnd.kubernetes.protobuf"))
	for _, c := range chunks {
		if c == DefaultChunkSize {
			continue // the default: pod-failing
		}
		cs = append(cs, why(fmt.Sprintf("pod-failing-chunk-%d", c), "pod", "-A", "--failing", "--chunk-size", strconv.Itoa(c)))
	}
	if extra {
		cs = append(cs,
			why("pod-failing-nogzip", "pod", "-A", "--failing", "--disable-compression"),
			why("pod-all", "pod", "-A"),
		)
	}
	return cs
}

// Measure runs every case once to warm caches, once to count its requests,
// then runs rounds of every case in turn, so that a burst of load from the
// neighbours lands on all cases rather than on one. A competitor that does
// not finish within its time limit, or fails, is recorded as such and not
// run again; kubectl why, kubectl and curl must succeed.
func Measure(ctx context.Context, e Env, cases []Case, truth []PodTruth, runs int, log io.Writer) (*Measurement, error) {
	m := &Measurement{Runs: runs, Started: time.Now()}
	for i := range cases {
		m.Cases = append(m.Cases, &CaseResult{Case: cases[i], AuditByVerb: map[string]int{}, SelfCount: -1})
	}
	active := func(cr *CaseResult) bool { return cr.Missing == "" && !cr.DNF && !cr.Failed }
	for _, cr := range m.Cases {
		if cr.Missing != "" {
			fmt.Fprintf(log, "bench: %-50s %s\n", cr.Label, cr.Missing)
			continue
		}
		off := fileSize(e.Audit)
		res, stderr, err := run(ctx, cr.Case, cr.Argv, nil)
		if err := cr.record(res, stderr, err); err != nil {
			return nil, fmt.Errorf("warm-up of %s: %w", cr.Label, err)
		}
		if cr.DNF {
			// Not run again: count what it asked for before it was stopped.
			time.Sleep(2500 * time.Millisecond)
			if cr.AuditCount, cr.AuditByVerb, err = auditCount(e.Audit, off, cr.Agent); err != nil {
				return nil, err
			}
			fmt.Fprintf(log, "bench: %-50s did not finish in %s: %d requests before it was stopped\n", cr.Label, cr.Timeout, cr.AuditCount)
		}
	}
	for _, cr := range m.Cases {
		if !active(cr) {
			continue
		}
		if err := count(ctx, e, cr, truth); err != nil {
			return nil, err
		}
		if cr.Failed {
			fmt.Fprintf(log, "bench: %-50s failed: %s\n", cr.Label, cr.Err)
			continue
		}
		fmt.Fprintf(log, "bench: %-50s %4d requests (audit log)%s%s\n", cr.Label, cr.AuditCount, selfNote(cr), namedNote(cr))
	}
	for r := 0; r < runs; r++ {
		m.LoadAvg = append(m.LoadAvg, loadAvg())
		for _, cr := range m.Cases {
			if !active(cr) {
				continue
			}
			res, stderr, err := run(ctx, cr.Case, cr.Argv, nil)
			if err := cr.record(res, stderr, err); err != nil {
				return nil, fmt.Errorf("run %d of %s: %w", r+1, cr.Label, err)
			}
		}
		fmt.Fprintf(log, "bench: round %d/%d done (load %s)\n", r+1, runs, m.LoadAvg[len(m.LoadAvg)-1])
	}
	m.LoadAvg = append(m.LoadAvg, loadAvg())
	for _, cr := range m.Cases {
		summarize(cr)
	}
	m.Duration = time.Since(m.Started)
	return m, nil
}

// record keeps a run's result. Ours must succeed; a competitor's failure
// or time-out is a result, which stops that case.
func (cr *CaseResult) record(res Run, stderr string, err error) error {
	switch {
	case res.DNF:
		cr.DNF = true
		cr.Runs = append(cr.Runs, res)
		return nil
	case err != nil && cr.Tool == "competitor":
		cr.Failed, cr.Err = true, err.Error()
		return nil
	case err != nil:
		return err
	}
	cr.Runs = append(cr.Runs, res)
	return nil
}

func selfNote(cr *CaseResult) string {
	switch cr.Tool {
	case "why":
		return fmt.Sprintf(", %d (--stats)", cr.SelfCount)
	case "kubectl":
		return fmt.Sprintf(", %d (-v=6)", cr.SelfCount)
	}
	return ""
}

// timeBin is GNU time, which reports the peak RSS of the command alone.
// ru_maxrss from Go's own wait4 cannot: Go starts children with
// CLONE_VM|CLONE_VFORK, and Linux carries the parent's high-water RSS
// into the child's at exec, so every command measured from here would
// read at least this program's own size (64 MiB for curl, seen here).
const timeBin = "/usr/bin/time"

// run executes argv with stdout to out (nil: /dev/null) and returns its wall
// time and peak RSS ("Maximum resident set size", from GNU time). The wall
// time includes GNU time's own fork and exec, a fraction of a millisecond.
// Past the case's Timeout the whole process group is killed (GNU time and
// the command under it) and the run is marked DNF.
func run(ctx context.Context, c Case, argv []string, out io.Writer) (Run, string, error) {
	limit := c.Timeout
	if limit == 0 {
		limit = 10 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	rssFile, err := os.CreateTemp("", "bench-rss-")
	if err != nil {
		return Run{}, "", err
	}
	rssFile.Close()
	defer os.Remove(rssFile.Name())
	cmd := exec.CommandContext(ctx, timeBin, append([]string{"-f", "%M", "-o", rssFile.Name(), "--"}, argv...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	if out == nil {
		devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return Run{}, "", err
		}
		defer devnull.Close()
		cmd.Stdout = devnull
	} else {
		cmd.Stdout = out
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	r := Run{Wall: wall}
	if ctx.Err() == context.DeadlineExceeded {
		r.DNF = true
		return r, stderr.String(), nil
	}
	if cmd.ProcessState != nil {
		r.Exit = cmd.ProcessState.ExitCode()
	}
	// GNU time writes "Command exited with non-zero status N" before the
	// figure when the command fails: the figure is the last line.
	if b, rerr := os.ReadFile(rssFile.Name()); rerr == nil {
		lines := strings.Fields(strings.TrimSpace(string(b)))
		if len(lines) > 0 {
			r.MaxRSSKB, _ = strconv.ParseInt(lines[len(lines)-1], 10, 64)
		}
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return r, stderr.String(), fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	if !exitOK(c, r.Exit) {
		return r, stderr.String(), fmt.Errorf("%s: exit %d: %s", strings.Join(argv, " "), r.Exit, lastLines(stderr.String(), 5))
	}
	return r, stderr.String(), nil
}

// exitOK says whether a command's exit code means it answered. kubectl why
// exits 2 when something is not Ready, which is the point; so do the
// health checkers: kube-health 1-3 (warning, error, unknown; +8 while
// progressing, 128 for its own errors). The others exit 0 when they answer
// (popeye with --force-exit-zero).
func exitOK(c Case, code int) bool {
	switch {
	case code == 0:
		return true
	case c.Tool == "why":
		return code == 2 || code == 3 || code == 4
	case c.Tool == "competitor":
		return code > 0 && code < 16 && strings.HasPrefix(c.Key, "kube-health")
	}
	return false
}

var (
	statsRe = regexp.MustCompile(`stats: (\d+) API requests`)
	// kubectl -v=6 logs one line per response, in the structured format of
	// recent versions or the older "GET https://... 200 OK" one.
	v6Re = regexp.MustCompile(`"Response" verb=|\] (GET|POST|PUT|PATCH|DELETE) https?://`)
)

// count runs the case's counting variant and reads its requests from the
// audit log (the server's truth) and from the command itself.
func count(ctx context.Context, e Env, cr *CaseResult, truth []PodTruth) error {
	off := fileSize(e.Audit)
	var out bytes.Buffer
	res, stderr, err := run(ctx, cr.Case, cr.CountArgv, &out)
	switch {
	case res.DNF:
		// The requests it made before it was stopped are still counted.
		cr.DNF = true
	case err != nil && cr.Tool == "competitor":
		cr.Failed, cr.Err = true, err.Error()
		return nil
	case err != nil:
		return fmt.Errorf("counting run of %s: %w", cr.Label, err)
	}
	cr.CountRunWall = res.Wall
	cr.OutputLines = strings.Count(out.String(), "\n")
	if cr.Names != "" && !res.DNF {
		n := CountNamed(cr.Names, out.String(), cr.Scope, truth)
		cr.Named = &n
	}
	switch cr.Tool {
	case "why":
		if m := statsRe.FindStringSubmatch(stderr); m != nil {
			cr.SelfCount, _ = strconv.Atoi(m[1])
			for _, l := range strings.Split(stderr, "\n") {
				if strings.HasPrefix(l, "stats: ") {
					cr.StatsLine = l
				}
			}
		}
	case "kubectl":
		n := 0
		for _, l := range strings.Split(stderr, "\n") {
			if v6Re.MatchString(l) {
				n++
			}
		}
		cr.SelfCount = n
	}
	// The apiserver writes the audit log in batches at least every second.
	time.Sleep(2500 * time.Millisecond)
	n, byVerb, err := auditCount(e.Audit, off, cr.Agent)
	if err != nil {
		return err
	}
	cr.AuditCount, cr.AuditByVerb = n, byVerb
	return nil
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// auditCount counts the completed requests whose User-Agent starts with
// agent, in the audit log from offset on.
func auditCount(path string, off int64, agent string) (int, map[string]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, nil, fmt.Errorf("open audit log: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() < off {
		off = 0 // rotated
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return 0, nil, err
	}
	by := map[string]int{}
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.Contains(line, []byte(`"userAgent":"`+agent)) {
			continue
		}
		var ev struct {
			Stage     string `json:"stage"`
			Verb      string `json:"verb"`
			UserAgent string `json:"userAgent"`
			ObjectRef struct {
				Resource    string `json:"resource"`
				Subresource string `json:"subresource"`
			} `json:"objectRef"`
			RequestURI string `json:"requestURI"`
		}
		if err := json.Unmarshal(line, &ev); err != nil || ev.Stage != "ResponseComplete" || !strings.HasPrefix(ev.UserAgent, agent) {
			continue
		}
		n++
		res := ev.ObjectRef.Resource
		if ev.ObjectRef.Subresource != "" {
			res += "/" + ev.ObjectRef.Subresource
		}
		if res == "" {
			res = strings.SplitN(ev.RequestURI, "?", 2)[0]
		}
		by[ev.Verb+" "+res]++
	}
	return n, by, sc.Err()
}

func summarize(cr *CaseResult) {
	walls := make([]time.Duration, len(cr.Runs))
	rss := make([]int64, len(cr.Runs))
	for i, r := range cr.Runs {
		walls[i], rss[i] = r.Wall, r.MaxRSSKB
	}
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	sort.Slice(rss, func(i, j int) bool { return rss[i] < rss[j] })
	if len(walls) == 0 {
		return
	}
	cr.MinWall, cr.MaxWall = walls[0], walls[len(walls)-1]
	cr.MedianWall = walls[len(walls)/2]
	cr.MedianRSSKB = rss[len(rss)/2]
	if len(walls)%2 == 0 {
		cr.MedianWall = (walls[len(walls)/2-1] + walls[len(walls)/2]) / 2
		cr.MedianRSSKB = (rss[len(rss)/2-1] + rss[len(rss)/2]) / 2
	}
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
