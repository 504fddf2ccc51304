package collect

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Stats counts the API requests of a run and how long they took, for
// --stats and the benchmarks. It wraps the client's round tripper, so it
// sees every request client-go sends, retries included.
type Stats struct {
	mu       sync.Mutex
	Requests int
	Bytes    int64
	Total    time.Duration
	ByVerb   map[string]int
	Started  time.Time
}

// NewStats starts the clock.
func NewStats() *Stats { return &Stats{ByVerb: map[string]int{}, Started: time.Now()} }

// Wrap is a rest.Config WrapTransport.
func (s *Stats) Wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		start := time.Now()
		resp, err := rt.RoundTrip(r)
		d := time.Since(start)
		s.mu.Lock()
		s.Requests++
		s.Total += d
		key := r.Method + " " + resourcePath(r.URL.Path)
		s.ByVerb[key]++
		if resp != nil && resp.ContentLength > 0 {
			s.Bytes += resp.ContentLength
		}
		s.mu.Unlock()
		return resp, err
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// resourcePath keeps the resource of an API path:
// /apis/apps/v1/namespaces/x/replicasets -> replicasets, .../pods/p/log -> pods/log.
func resourcePath(p string) string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		parts = parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		parts = parts[3:]
	default:
		return p
	}
	if len(parts) >= 2 && parts[0] == "namespaces" && len(parts) > 2 {
		parts = parts[2:]
	}
	if len(parts) == 0 {
		return p
	}
	if len(parts) >= 3 {
		return parts[0] + "/" + parts[2]
	}
	return parts[0]
}

// String is the --stats line.
func (s *Stats) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k := range s.ByVerb {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, s.ByVerb[k]))
	}
	return fmt.Sprintf("stats: %d API requests (%s), %s spent in requests, %s received, %s wall time",
		s.Requests, strings.Join(parts, ", "), s.Total.Round(time.Millisecond), humanBytes(s.Bytes), time.Since(s.Started).Round(time.Millisecond))
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
