package collect

import (
	"cmp"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
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

// Namespaces finds the namespace of a run as kubectl does. Live, it is -n
// or the context's. Offline (-f), ns is -n when given (it then also
// filters the saved objects) and "" otherwise, and fileNS is where saved
// objects without a namespace are: -n, else the context's, else "default"
// when there is no kubeconfig at all.
func Namespaces(config clientcmd.ClientConfig, flagNS string, offline bool) (ns, fileNS string, err error) {
	ctxNS, _, err := config.Namespace()
	switch {
	case !offline && err != nil:
		return "", "", fmt.Errorf("read kubeconfig: %w", err)
	case !offline:
		return ctxNS, "", nil
	case flagNS != "":
		return flagNS, flagNS, nil
	case err != nil && !clientcmd.IsEmptyConfig(err):
		return "", "", fmt.Errorf("read kubeconfig for the namespace of saved objects without one (or give -n): %w", err)
	}
	return "", cmp.Or(ctxNS, metav1.NamespaceDefault), nil
}
