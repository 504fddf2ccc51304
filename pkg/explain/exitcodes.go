package explain

import "fmt"

// signalNames are the Linux signal numbers a container is usually killed
// with; exit code 128+N means "killed by signal N".
var signalNames = map[int32]string{
	1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT",
	7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2",
	13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
}

// exitReading is what an exit code means, in context.
type exitReading struct {
	Signal string // "SIGKILL" when the code is 128+N (or the runtime reported the signal)
	// Meaning names the exit and reads it, to follow "ended with":
	// "exit code 137 (SIGKILL): out of memory, a failed liveness probe, or
	// killed when the stop grace period ran out".
	Meaning string
}

// readExit explains an exit code. reason is the terminated reason
// (OOMKilled, Error, Completed...), always tells whether the kubelet
// restarts the container after exit 0 (restartPolicy Always, sidecars),
// signal is the runtime's own signal number when it set one.
func readExit(code int32, reason string, signal int32, always bool) exitReading {
	r := exitReading{}
	if code > 128 && code <= 128+64 {
		signal = code - 128
	}
	if signal > 0 {
		r.Signal = signalNames[signal]
		if r.Signal == "" {
			r.Signal = fmt.Sprintf("signal %d", signal)
		}
	}
	n := fmt.Sprintf("exit code %d", code)
	switch {
	case reason == "OOMKilled":
		r.Meaning = fmt.Sprintf("OOMKilled (%s): the kernel killed it for using more memory than its limit", n)
	case code == 0 && always:
		r.Meaning = n + ": the process ended on its own, but restartPolicy Always expects it to keep running"
	case code == 0:
		r.Meaning = n + ": success"
	case code == 1:
		r.Meaning = n + ", an application error: its logs say why"
	case code == 2:
		r.Meaning = n + ", a misused shell builtin or an argument or configuration the application rejected"
	case code == 126:
		r.Meaning = n + ": the command was found but cannot be executed (permissions or format)"
	case code == 127:
		r.Meaning = n + ": command not found (a missing binary or a typo in command/args)"
	case code == 128:
		r.Meaning = n + ": the runtime could not start the process, or it exited with an invalid status"
	case signal == 2:
		r.Meaning = n + " (SIGINT): interrupted"
	case signal == 6:
		r.Meaning = n + " (SIGABRT): the process aborted itself (a failed assertion or a fatal runtime error)"
	case signal == 9:
		r.Meaning = n + " (SIGKILL): out of memory, a failed liveness probe, or killed when the stop grace period ran out"
	case signal == 11:
		r.Meaning = n + " (SIGSEGV): a segmentation fault, the process touched invalid memory"
	case signal == 15:
		r.Meaning = n + " (SIGTERM): something asked it to stop (a probe, a rollout, a drain) and it exited"
	case signal > 0:
		r.Meaning = fmt.Sprintf("%s (%s): killed by a signal", n, r.Signal)
	case code == 255:
		r.Meaning = n + ": the application exited with -1 or an out-of-range status"
	default:
		r.Meaning = n + ", whose meaning only the application defines"
	}
	return r
}
