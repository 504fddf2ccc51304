package collect

import (
	"fmt"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// NewClient builds the client that collects, from the kubeconfig flags'
// config: protobuf, no client-side rate limit, stats counting every request
// when not nil, and each request given up after timeout when not 0. It
// returns the server's address too, which errors name.
func NewClient(config func() (*rest.Config, error), stats *Stats, timeout time.Duration) (kubernetes.Interface, string, error) {
	cfg, err := config()
	if err != nil {
		return nil, "", fmt.Errorf("read kubeconfig: %w", err)
	}
	// A handful of lists should never wait on a client-side rate limiter,
	// and protobuf decodes several times faster than JSON.
	cfg.QPS = -1
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	if timeout > 0 {
		cfg.Timeout = timeout
	}
	if stats != nil {
		cfg.Wrap(stats.Wrap)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, "", fmt.Errorf("create client: %w", err)
	}
	return cs, cfg.Host, nil
}
