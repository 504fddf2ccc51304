package collect

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// listen opens a loopback listener that accepts connections and never
// answers on them; closed, its address refuses connections.
func listen(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return l
}

// get makes one request with client and returns its error, wrapped as
// collect wraps a failed list.
func get(t *testing.T, client *http.Client, url string) error {
	t.Helper()
	resp, err := client.Get(url)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("GET %s answered %s, want an error", url, resp.Status)
	}
	return fmt.Errorf("list pods in namespace %q: %w", "default", err)
}

// TestFriendlyTransportErrors classifies real transport errors, as the
// client returns them, by their types, whatever their text says.
func TestFriendlyTransportErrors(t *testing.T) {
	const host = "https://10.0.0.1:6443"
	const unreachable = "the cluster at https://10.0.0.1:6443 is unreachable (check --context, --kubeconfig or --server): "
	const slow = "the cluster at https://10.0.0.1:6443 is unreachable: it did not answer %s (check --context, --kubeconfig or --server): "
	quick := &http.Client{Timeout: 100 * time.Millisecond}
	tlsQuick := &http.Client{Transport: &http.Transport{TLSHandshakeTimeout: 100 * time.Millisecond, TLSClientConfig: &tls.Config{}}}
	for _, tc := range []struct {
		name    string
		err     func(*testing.T) error
		timeout string
		want    string // the start of the rewritten message; "" keeps err as it is
	}{
		{"refused", func(t *testing.T) error {
			l := listen(t)
			l.Close()
			return get(t, http.DefaultClient, "http://"+l.Addr().String()+"/api")
		}, "", unreachable},
		{"no such host", func(*testing.T) error {
			return &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "api.example.invalid", IsNotFound: true}}
		}, "", unreachable},
		{"client timeout", func(t *testing.T) error { return get(t, quick, "http://"+listen(t).Addr().String()+"/api") }, "2s",
			fmt.Sprintf(slow, "within --request-timeout 2s")},
		{"TLS handshake timeout", func(t *testing.T) error { return get(t, tlsQuick, "https://"+listen(t).Addr().String()+"/api") }, "",
			fmt.Sprintf(slow, "in time")},
		{"context deadline, no flag", func(*testing.T) error { return fmt.Errorf("list pods: %w", context.DeadlineExceeded) }, "",
			fmt.Sprintf(slow, "in time")},
		{"an API error is left alone", func(*testing.T) error { return apierrors.NewInternalError(errors.New("connection refused by etcd")) }, "", ""},
		{"a refusal in words only is left alone", func(*testing.T) error { return errors.New("dial tcp: connection refused") }, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err(t)
			got := FriendlyError(err, host, tc.timeout)
			if want := tc.want + err.Error(); got.Error() != want {
				t.Errorf("FriendlyError() =\n%s\nwant\n%s", got, want)
			}
			if !errors.Is(got, err) {
				t.Errorf("FriendlyError() must wrap the error it was given")
			}
		})
	}
}
