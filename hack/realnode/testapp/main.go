// Command testapp is the one program in the real node's test images
// (hack/realnode/images builds them; nothing comes from outside). Each flag
// makes it fail, or serve, the way a real application does, so that the
// kubelet, containerd and runc report it in their own words:
//
//	testapp -exit 1 -after 2s           exit with code 1 after 2 seconds
//	testapp -log "starting" -panic boom print a line, then panic (exit 2)
//	testapp -segv                       die of a real SIGSEGV (exit 139)
//	testapp -alloc 64                   allocate and touch 64 MiB, then idle
//	testapp -http :8080 -fail /healthz  serve HTTP; /healthz answers 503
//
// With no flag it idles until SIGTERM. It exits 143 on SIGTERM, as a shell
// does: as PID 1 nothing else would stop it before the grace period, and
// every test pod would take 30 s to delete.
//
// Installed as /pause it is the sandbox (pause) image: it idles, reaps
// children and exits 0 on SIGTERM or SIGINT.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

func main() {
	if filepath.Base(os.Args[0]) == "pause" {
		pause()
		return
	}
	exit := flag.Int("exit", -1, "exit with this code (after -after)")
	after := flag.Duration("after", 0, "wait this long before -exit, -panic or -segv")
	logLine := flag.String("log", "", "print this line to stdout first")
	panicMsg := flag.String("panic", "", "panic with this message (after -after)")
	segv := flag.Bool("segv", false, "die of a real segmentation fault (after -after)")
	allocMiB := flag.Int("alloc", 0, "allocate and touch this many MiB, and keep them")
	listen := flag.String("http", "", "serve HTTP on this address: 200 on every path but -fail's")
	fail := flag.String("fail", "", "comma-separated paths that answer 503 (failing probes)")
	flag.Parse()

	if *logLine != "" {
		fmt.Println(*logLine)
	}
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM, syscall.SIGINT)

	if *allocMiB > 0 {
		hold = make([][]byte, 0, *allocMiB)
		for i := 0; i < *allocMiB; i++ {
			b := make([]byte, 1<<20)
			for j := range b {
				b[j] = byte(j) // touch every page: resident, charged to the cgroup
			}
			hold = append(hold, b)
		}
		fmt.Printf("allocated %d MiB\n", *allocMiB)
	}
	if *listen != "" {
		go serve(*listen, *fail)
	}
	if *exit >= 0 || *panicMsg != "" || *segv {
		select {
		case <-time.After(*after):
		case <-term:
			os.Exit(143)
		}
		switch {
		case *segv:
			segfault()
		case *panicMsg != "":
			panic(*panicMsg)
		default:
			os.Exit(*exit)
		}
	}
	<-term
	os.Exit(143)
}

var hold [][]byte

func serve(addr, fail string) {
	failing := map[string]bool{}
	for _, p := range strings.Split(fail, ",") {
		if p != "" {
			failing[p] = true
		}
	}
	err := http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing[r.URL.Path] {
			http.Error(w, "failing on purpose: "+r.URL.Path, http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	}))
	fmt.Fprintln(os.Stderr, "testapp:", err)
	os.Exit(1)
}

// segfault restores the default action of SIGSEGV (the Go runtime turns a
// fault into a panic, exit 2) and then faults, so the kernel kills the
// process with the signal and the runtime reports 128+11.
func segfault() {
	type sigaction struct {
		handler  uintptr
		flags    uint64
		restorer uintptr
		mask     uint64
	}
	var sa sigaction // handler 0 is SIG_DFL
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(syscall.SIGSEGV), uintptr(unsafe.Pointer(&sa)), 0, 8, 0, 0); errno != 0 {
		fmt.Fprintln(os.Stderr, "testapp: rt_sigaction:", errno)
		os.Exit(1)
	}
	var p *int
	*p = 1 //nolint:govet // the fault is the point
}

// pause is the sandbox: PID 1 of the pod, which holds its namespaces.
func pause() {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for s := range sigs {
		if s == syscall.SIGCHLD {
			for {
				var ws syscall.WaitStatus
				pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
				if pid <= 0 || err != nil {
					break
				}
			}
			continue
		}
		os.Exit(0)
	}
}
