package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/cmd"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// ProfileRun is one in-process run of the plugin's root command.
type ProfileRun struct {
	Wall time.Duration `json:"wallNs"`
	// CPU is user+system time of this process during the run (all cores).
	CPU time.Duration `json:"cpuNs"`
	// Alloc is the bytes the run allocated (runtime.MemStats.TotalAlloc).
	Alloc uint64 `json:"allocBytes"`
	// InFlight is the time at least one of its requests was being served,
	// from the audit log: requestReceived to the response's completion.
	InFlight time.Duration `json:"inFlightNs"`
	// FirstRequest is when the first request reached the apiserver, after
	// the run started (flag parsing, kubeconfig, discovery from cache).
	FirstRequest time.Duration `json:"firstRequestNs"`
	// AfterLast is from the last response's completion to the run's end:
	// decoding what is left, indexing, explaining and printing.
	AfterLast time.Duration  `json:"afterLastNs"`
	Requests  []AuditRequest `json:"requests"`
	StatsLine string         `json:"statsLine"`
}

// AuditRequest is one request as the apiserver's audit log saw it.
type AuditRequest struct {
	Verb     string        `json:"verb"`
	URI      string        `json:"uri"`
	Start    time.Duration `json:"startNs"` // after the run started
	Duration time.Duration `json:"durationNs"`
}

func cmdProfile(args []string) error {
	fs := flag.NewFlagSet("profile", flag.ExitOnError)
	kubeconfig := fs.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the benchmark cluster")
	audit := fs.String("audit", "", "the apiserver's audit log")
	runs := fs.Int("runs", 5, "runs under the profiler")
	dir := fs.String("dir", "profile", "write cpu.pprof, allocs.pprof and profile.json here")
	md := fs.String("md", "", "write the markdown section here")
	_ = fs.Parse(args)
	whyArgs := append([]string{"--kubeconfig", *kubeconfig, "--stats"}, fs.Args()...)
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}

	// A warm-up, unprofiled: discovery cache, connection, page cache.
	if _, err := runWhy(whyArgs); err != nil {
		return err
	}
	cpuFile, err := os.Create(filepath.Join(*dir, "cpu.pprof"))
	if err != nil {
		return err
	}
	runtime.MemProfileRate = 64 << 10
	if err := pprof.StartCPUProfile(cpuFile); err != nil {
		return err
	}
	var out []ProfileRun
	for i := 0; i < *runs; i++ {
		off := fileSize(*audit)
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		cpu0 := cpuTime()
		startWall := time.Now()
		stats, err := runWhy(whyArgs)
		if err != nil {
			pprof.StopCPUProfile()
			return err
		}
		r := ProfileRun{Wall: time.Since(startWall), CPU: cpuTime() - cpu0, StatsLine: stats}
		runtime.ReadMemStats(&ms1)
		r.Alloc = ms1.TotalAlloc - ms0.TotalAlloc
		time.Sleep(2500 * time.Millisecond) // the audit log's batch
		if r.Requests, err = auditRequests(*audit, off, startWall); err != nil {
			pprof.StopCPUProfile()
			return err
		}
		r.InFlight, r.FirstRequest, r.AfterLast = timeline(r.Requests, r.Wall)
		out = append(out, r)
		fmt.Fprintf(os.Stderr, "bench: profile run %d/%d: %s wall, %s CPU, %d requests\n", i+1, *runs, r.Wall.Round(time.Millisecond), r.CPU.Round(time.Millisecond), len(r.Requests))
	}
	pprof.StopCPUProfile()
	cpuFile.Close()
	allocFile, err := os.Create(filepath.Join(*dir, "allocs.pprof"))
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(allocFile, 0); err != nil {
		return err
	}
	allocFile.Close()
	return writeResult(filepath.Join(*dir, "profile.json"), out, *md, ProfileMarkdown(strings.Join(fs.Args(), " "), out, *dir))
}

// runWhy runs the plugin's root command in this process, as main does,
// and returns its --stats line.
func runWhy(args []string) (string, error) {
	var errOut bytes.Buffer
	root := cmd.NewCmdWhy(genericiooptions.IOStreams{In: os.Stdin, Out: io.Discard, ErrOut: &errOut})
	root.SilenceErrors = true
	root.SetArgs(args)
	err := root.Execute()
	var exit *cmd.ExitCodeError
	if err != nil && !errors.As(err, &exit) {
		return "", fmt.Errorf("kubectl why %s: %w", strings.Join(args, " "), err)
	}
	for _, l := range strings.Split(errOut.String(), "\n") {
		if strings.HasPrefix(l, "stats: ") {
			return l, nil
		}
	}
	return "", nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// auditRequests reads this process's requests (User-Agent bench/, the
// binary's name) from the audit log after off, timed against start.
func auditRequests(path string, off int64, start time.Time) ([]AuditRequest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return nil, err
	}
	var out []AuditRequest
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.Contains(line, []byte(`"userAgent":"bench/`)) {
			continue
		}
		var ev struct {
			Stage    string    `json:"stage"`
			Verb     string    `json:"verb"`
			URI      string    `json:"requestURI"`
			Received time.Time `json:"requestReceivedTimestamp"`
			Done     time.Time `json:"stageTimestamp"`
		}
		if err := json.Unmarshal(line, &ev); err != nil || ev.Stage != "ResponseComplete" {
			continue
		}
		out = append(out, AuditRequest{Verb: ev.Verb, URI: ev.URI, Start: ev.Received.Sub(start), Duration: ev.Done.Sub(ev.Received)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out, sc.Err()
}

// timeline splits a run's wall time: the time some request was in flight
// at the apiserver (the union of their intervals), before the first, and
// after the last.
func timeline(reqs []AuditRequest, wall time.Duration) (inFlight, first, afterLast time.Duration) {
	if len(reqs) == 0 {
		return 0, wall, 0
	}
	first = reqs[0].Start
	var end time.Duration = -1 << 62
	curStart, curEnd := reqs[0].Start, reqs[0].Start+reqs[0].Duration
	for _, r := range reqs[1:] {
		if r.Start > curEnd {
			inFlight += curEnd - curStart
			curStart = r.Start
		}
		curEnd = max(curEnd, r.Start+r.Duration)
	}
	inFlight += curEnd - curStart
	for _, r := range reqs {
		end = max(end, r.Start+r.Duration)
	}
	return inFlight, first, wall - end
}

// ProfileMarkdown renders the breakdown and the profile's top entries.
func ProfileMarkdown(args string, runs []ProfileRun, dir string) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	med := func(f func(ProfileRun) time.Duration) time.Duration {
		v := make([]time.Duration, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
		return v[len(v)/2]
	}
	w("#### Where `why %s` spends its time (in-process, %d runs under pprof)\n\n", args, len(runs))
	w("Medians per run. \"In flight\" is the time at least one of its requests was being served by the apiserver (audit log, received to completed); \"before the first\" is start-up (flags, kubeconfig, discovery from the cache); \"after the last\" is what the client does once every response is in (the rest of decoding, indexing, explaining, printing). CPU is this process's user+system time, on 2 cores.\n\n")
	w("| wall | before the first request | in flight | between requests | after the last response | client CPU | allocated |\n|---|---|---|---|---|---|---|\n")
	allocs := make([]uint64, len(runs))
	for i, r := range runs {
		allocs[i] = r.Alloc
	}
	sort.Slice(allocs, func(i, j int) bool { return allocs[i] < allocs[j] })
	w("| %s | %s | %s | %s | %s | %s | %.0f MiB |\n\n", ms(med(func(r ProfileRun) time.Duration { return r.Wall })),
		ms(med(func(r ProfileRun) time.Duration { return r.FirstRequest })), ms(med(func(r ProfileRun) time.Duration { return r.InFlight })),
		ms(med(func(r ProfileRun) time.Duration { return r.Wall - r.FirstRequest - r.InFlight - r.AfterLast })),
		ms(med(func(r ProfileRun) time.Duration { return r.AfterLast })), ms(med(func(r ProfileRun) time.Duration { return r.CPU })), float64(allocs[len(allocs)/2])/(1<<20))
	// The requests of the median run, as the apiserver saw them.
	sorted := append([]ProfileRun{}, runs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Wall < sorted[j].Wall })
	mr := sorted[len(sorted)/2]
	w("The requests of the median run (%s wall), from its start:\n\n| starts at | served in | request |\n|---|---|---|\n", ms(mr.Wall))
	for _, r := range mr.Requests {
		w("| %s | %s | %s `%s` |\n", ms(r.Start), ms(r.Duration), r.Verb, shortURI(r.URI))
	}
	w("\n`%s`\n\n", mr.StatsLine)
	w("CPU by package (flat, all runs; `go tool pprof -top %s/cpu.pprof`):\n\n```\n%s```\n\n", filepath.Base(dir), byPackage(filepath.Join(dir, "cpu.pprof"), "", 14))
	w("Allocations by package (flat, alloc_space):\n\n```\n%s```\n\n", byPackage(filepath.Join(dir, "allocs.pprof"), "alloc_space", 10))
	return b.String()
}

func shortURI(u string) string {
	if len(u) > 110 {
		return u[:107] + "..."
	}
	return u
}

// byPackage sums a profile's flat figures by Go package, from go tool
// pprof's -top listing of every function.
func byPackage(file, sampleIndex string, n int) string {
	args := []string{"tool", "pprof", "-top", "-nodecount=100000"}
	if sampleIndex != "" {
		args = append(args, "-sample_index="+sampleIndex)
	}
	outp, err := exec.Command("go", append(args, file)...).Output()
	if err != nil {
		return fmt.Sprintf("go tool pprof: %v\n", err)
	}
	type kv struct {
		pkg  string
		flat float64
	}
	sums := map[string]float64{}
	total := 0.0
	unit := ""
	for _, l := range strings.Split(string(outp), "\n") {
		f := strings.Fields(l)
		if len(f) < 6 || !strings.HasSuffix(f[1], "%") {
			continue
		}
		v, u := splitUnit(f[0])
		if u == "" {
			continue
		}
		unit = u
		fn := strings.Join(f[5:], " ")
		sums[pkgOf(fn)] += v
		total += v
	}
	var all []kv
	for k, v := range sums {
		all = append(all, kv{k, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].flat > all[j].flat })
	var b strings.Builder
	for i, e := range all {
		if i == n {
			break
		}
		fmt.Fprintf(&b, "%5.1f%%  %8.2f%s  %s\n", 100*e.flat/total, e.flat, unit, e.pkg)
	}
	return b.String()
}

func splitUnit(s string) (float64, string) {
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i <= 0 {
		return 0, ""
	}
	v, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, ""
	}
	// Normalise to the largest unit pprof uses for this kind.
	switch s[i:] {
	case "ms":
		return v / 1000, "s"
	case "s":
		return v, "s"
	case "us", "µs":
		return v / 1e6, "s"
	case "ns":
		return v / 1e9, "s"
	case "B":
		return v / (1 << 20), "MB"
	case "kB":
		return v / 1024, "MB"
	case "MB":
		return v, "MB"
	case "GB":
		return v * 1024, "MB"
	}
	return v, s[i:]
}

// pkgOf is the package path of a function name as pprof prints it:
// k8s.io/apimachinery/pkg/runtime.(*Scheme).Convert -> k8s.io/apimachinery/pkg/runtime.
func pkgOf(fn string) string {
	if i := strings.Index(fn, "["); i >= 0 { // type parameters
		fn = fn[:i]
	}
	slash := strings.LastIndex(fn, "/")
	dot := strings.Index(fn[slash+1:], ".")
	if dot < 0 {
		return fn
	}
	return fn[:slash+1+dot]
}
