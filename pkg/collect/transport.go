package collect

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
)

// FriendlyError rewrites transport errors into one line a person can act on:
// whether the cluster could not be reached or did not answer in time, and
// which flags point at it (host is the server, timeout --request-timeout as given, "" or "0" when unset). Anything else, an API error included, is left
// as it is.
func FriendlyError(err error, host, timeout string) error {
	switch {
	case timedOut(err):
		within := "in time"
		if timeout != "" && timeout != "0" {
			within = "within --request-timeout " + timeout
		}
		return fmt.Errorf("the cluster at %s is unreachable: it did not answer %s (check --context, --kubeconfig or --server): %w", host, within, err)
	case unreachable(err):
		return fmt.Errorf("the cluster at %s is unreachable (check --context, --kubeconfig or --server): %w", host, err)
	}
	return err
}

// timedOut is a request that got no answer in time, whichever layer gave
// up: a context deadline, the http.Client's timeout (a *url.Error), a TLS
// handshake or a dial or read that timed out (a *net.OpError).
func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// unreachable is a connection that could not be made: refused, no route,
// or a name that does not resolve. Every such failure is a dial error; the
// errnos are named too for errors that come without one.
func unreachable(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &op) && op.Op == "dial" || errors.As(err, &dns) && dns.IsNotFound ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH)
}
