package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// maxLogReads bounds --logs: a namespace of crash-looping pods must not
// turn one diagnosis into hundreds of log requests.
const maxLogReads = 20

// kubeletNoLog starts what the kubelet sends, with status 200, as the log
// of a container it has removed: not a line the container wrote.
const kubeletNoLog = "unable to retrieve container logs for "

// previousLogs reads the tail of the last run of each crashed container
// (what `kubectl logs --previous` shows, or `kubectl logs` while the
// crashed run is still the current container), for --logs only. It is the one
// place that reads per pod, and it is opt-in and bounded.
func (c *collector) previousLogs(ctx context.Context) error {
	reads := 0
	for i := range c.snap.Pods {
		p := &c.snap.Pods[i]
		for _, s := range append(append([]corev1.ContainerStatus(nil), p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
			// Between a crash and the restart the crashed run is the
			// current container (state.terminated), and the kubelet has
			// already removed the one before it: read the current log then.
			// Else the run that crashed is the previous one.
			previous := s.State.Terminated == nil
			if previous && (s.LastTerminationState.Terminated == nil || s.RestartCount == 0) {
				continue
			}
			if reads >= maxLogReads {
				c.snap.AddGap(graph.ResPodLogs, fmt.Sprintf("read the logs of the first %d crashed containers only", maxLogReads))
				return nil
			}
			reads++
			tail := c.req.LogLines
			req := c.l.Client.CoreV1().Pods(p.Namespace).GetLogs(p.Name, &corev1.PodLogOptions{Container: s.Name, Previous: previous, TailLines: &tail})
			rc, err := req.Stream(ctx)
			if err != nil {
				if apierrors.IsForbidden(err) {
					c.snap.AddGap(graph.ResPodLogs, forbiddenReason(err))
					return nil
				}
				// A log that is gone (node lost, container removed) is not
				// fatal; the answer says it could not be read, and why.
				c.logError(p, s.Name, err)
				continue
			}
			b, err := io.ReadAll(io.LimitReader(rc, 64<<10))
			rc.Close()
			if err == nil && strings.HasPrefix(string(b), kubeletNoLog) {
				err = errors.New(strings.TrimSpace(string(b)))
			}
			if err != nil {
				c.logError(p, s.Name, err)
				continue
			}
			if c.snap.Logs == nil {
				c.snap.Logs = map[string]string{}
			}
			c.snap.Logs[p.Namespace+"/"+p.Name+"/"+s.Name] = string(b)
		}
	}
	c.snap.MarkCollected(graph.ResPodLogs)
	return nil
}

func (c *collector) logError(p *corev1.Pod, container string, err error) {
	if c.snap.LogErrors == nil {
		c.snap.LogErrors = map[string]string{}
	}
	c.snap.LogErrors[p.Namespace+"/"+p.Name+"/"+container] = err.Error()
}
