package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"
)

// NotFoundError is a named target that does not exist, worded like kubectl.
type NotFoundError struct {
	Kind, Namespace, Name string
	Suggestions           []string
}

func (e *NotFoundError) Error() string {
	res := resourceOf(e.Kind)
	msg := fmt.Sprintf("%s %q not found", res, e.Name)
	if e.Namespace != "" {
		msg += fmt.Sprintf(" in namespace %q", e.Namespace)
	}
	if len(e.Suggestions) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", strings.Join(e.Suggestions, " or "))
	}
	return msg
}

// resourceOf is kubectl's name of a kind's resource in messages:
// "pods", "deployments.apps", "jobs.batch".
func resourceOf(kind string) string {
	if k := kindOf(kind); k != nil {
		return k.resource()
	}
	return strings.ToLower(kind)
}

// settle records a LIST's outcome: collected, a gap (forbidden), or an error.
func (c *collector) settle(key, res, ns string, err error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil {
		c.snap.MarkCollected(key)
		return nil
	}
	if apierrors.IsForbidden(err) {
		c.snap.AddGap(key, forbiddenReason(err))
		return nil
	}
	if apierrors.IsNotFound(err) && key != graph.ResPods {
		// The API itself is missing (an old or trimmed cluster).
		c.snap.AddGap(key, "the API server does not serve "+res)
		return nil
	}
	where := "in all namespaces"
	if ns != "" {
		where = fmt.Sprintf("in namespace %q", ns)
	}
	return fmt.Errorf("list %s %s: %w", res, where, err)
}

func forbiddenReason(err error) string {
	if st, ok := err.(apierrors.APIStatus); ok {
		if m := st.Status().Message; m != "" {
			return "forbidden: " + trimForbidden(m)
		}
	}
	return "forbidden"
}

// trimForbidden keeps the useful part of the apiserver's message:
// `User "x" cannot list resource "events" in API group "" in the namespace "y"`.
func trimForbidden(m string) string {
	if i := strings.Index(m, "is forbidden: "); i >= 0 {
		return m[i+len("is forbidden: "):]
	}
	return m
}

// maxDropRetries bounds how often a LIST asks again for one page whose
// connection was dropped, so an apiserver that never completes a page
// still ends in an error.
const maxDropRetries = 3

// dropBackoff spaces those retries: 200 ms, 400 ms, 800 ms (tests shorten it).
var dropBackoff = wait.Backoff{Duration: 200 * time.Millisecond, Factor: 2, Jitter: 0.1, Steps: maxDropRetries + 1}

// droppedConnection is a page lost with its connection, not refused: worth
// asking for again. Timeouts are not: repeating them would multiply the
// wait past --request-timeout.
func droppedConnection(err error) bool {
	return utilnet.IsProbableEOF(err) || utilnet.IsConnectionReset(err) || errors.Is(err, io.ErrUnexpectedEOF)
}

// askAgain calls page, and again after a dropped connection: a LIST is
// safe to repeat, and a restarting apiserver or a load balancer cutting
// idle streams loses a page now and then. It is client-go's retry.OnError
// with the context honoured: OnError waits with wait.ExponentialBackoff,
// whose time.Sleep a cancelled context (Ctrl-C, --request-timeout) does
// not cut short, so the same loop runs here on
// wait.ExponentialBackoffWithContext.
func askAgain(ctx context.Context, res string, page func() (runtime.Object, error)) (runtime.Object, error) {
	var obj runtime.Object
	var dropped error
	err := wait.ExponentialBackoffWithContext(ctx, dropBackoff, func(context.Context) (bool, error) {
		var err error
		obj, err = page()
		switch {
		case err == nil:
			return true, nil
		case droppedConnection(err):
			klog.V(2).Infof("list %s: connection dropped (%v), asking for the page again", res, err)
			dropped = err
			return false, nil
		}
		return false, err
	})
	switch {
	case err == nil:
		return obj, nil
	case dropped != nil && ctx.Err() != nil:
		return nil, fmt.Errorf("%w (while asking again for a page lost with its connection: %v)", ctx.Err(), dropped)
	case dropped != nil && wait.Interrupted(err):
		return nil, dropped // every try was dropped
	}
	return nil, err
}
