package collect

import (
	"fmt"
	"io"
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

// Wrap is a rest.Config WrapTransport. A request's time runs until its
// body is read to the end or closed, and its bytes are counted as they
// are read: list responses are chunked or compressed, with no length.
func (s *Stats) Wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		start := time.Now()
		resp, err := rt.RoundTrip(r)
		verb := verbOf(r)
		s.mu.Lock()
		s.Requests++
		s.ByVerb[verb+" "+resourcePath(r.URL.Path)]++
		s.mu.Unlock()
		// A watch stays open for --wait's whole run: its time is until
		// its response starts, its bytes all it streams.
		if err != nil || resp == nil || resp.Body == nil || verb == "watch" {
			s.addTime(time.Since(start))
		}
		if err != nil || resp == nil || resp.Body == nil {
			return resp, err
		}
		resp.Body = &countingBody{ReadCloser: resp.Body, s: s, start: start, untimed: verb == "watch"}
		return resp, nil
	})
}

func (s *Stats) addTime(d time.Duration) {
	s.mu.Lock()
	s.Total += d
	s.mu.Unlock()
}

// countingBody adds what is read to Bytes, and the request's time to Total
// once, at EOF or Close, whichever comes first.
type countingBody struct {
	io.ReadCloser
	s     *Stats
	start time.Time
	once  sync.Once
	// untimed: a watch's time was counted when it opened.
	untimed bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.s.mu.Lock()
		b.s.Bytes += int64(n)
		b.s.mu.Unlock()
	}
	if err != nil {
		b.done()
	}
	return n, err
}

func (b *countingBody) Close() error {
	b.done()
	return b.ReadCloser.Close()
}

func (b *countingBody) done() {
	if !b.untimed {
		b.once.Do(func() { b.s.addTime(time.Since(b.start)) })
	}
}

// verbOf names a request as the audit log does: a GET of a collection is a
// list, with watch=true a watch.
func verbOf(r *http.Request) string {
	if r.Method != http.MethodGet {
		return strings.ToLower(r.Method)
	}
	if r.URL.Query().Get("watch") == "true" || r.URL.Query().Get("watch") == "1" {
		return "watch"
	}
	if isCollection(r.URL.Path) {
		return "list"
	}
	return "get"
}

// isCollection says whether an API path names a collection (…/pods) rather
// than one object (…/pods/p) or its subresource (…/pods/p/log).
func isCollection(p string) bool {
	parts := apiParts(p)
	return len(parts) == 1
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// apiParts is an API path after its group/version and namespace:
// /apis/apps/v1/namespaces/x/replicasets/r -> [replicasets r].
func apiParts(p string) []string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		parts = parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		parts = parts[3:]
	default:
		return nil
	}
	if len(parts) > 2 && parts[0] == "namespaces" {
		parts = parts[2:]
	}
	return parts
}

// resourcePath keeps the resource of an API path:
// /apis/apps/v1/namespaces/x/replicasets -> replicasets, .../pods/p/log -> pods/log.
func resourcePath(p string) string {
	parts := apiParts(p)
	switch {
	case len(parts) == 0:
		return p
	case len(parts) >= 3:
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
