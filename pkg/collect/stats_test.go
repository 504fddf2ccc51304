package collect

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestStatsCountsRequestsVerbsAndChunkedBytes(t *testing.T) {
	body := strings.Repeat("x", 10000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Flushing first makes the response chunked, with no length,
		// as the apiserver's list responses are.
		w.(http.Flusher).Flush()
		io.WriteString(w, body)
	}))
	defer srv.Close()
	s := NewStats()
	c := &http.Client{Transport: s.Wrap(http.DefaultTransport)}
	for _, path := range []string{
		"/api/v1/pods",
		"/api/v1/namespaces/a/pods?limit=500",
		"/apis/apps/v1/namespaces/a/replicasets",
		"/api/v1/namespaces/a/pods/p/log",
		"/api/v1/nodes/n",
		"/api/v1/namespaces/a/events?watch=true",
	} {
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		if resp.ContentLength != -1 {
			t.Fatalf("the test server must answer without a length, got %d", resp.ContentLength)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if s.Requests != 6 {
		t.Errorf("requests = %d, want 6", s.Requests)
	}
	if s.Bytes != 6*int64(len(body)) {
		t.Errorf("bytes = %d, want %d: chunked bodies must be counted as read", s.Bytes, 6*len(body))
	}
	want := map[string]int{"list pods": 2, "list replicasets": 1, "get pods/log": 1, "get nodes": 1, "watch events": 1}
	for k, n := range want {
		if s.ByVerb[k] != n {
			t.Errorf("ByVerb[%q] = %d, want %d (all: %v)", k, s.ByVerb[k], n, s.ByVerb)
		}
	}
	if s.Total <= 0 {
		t.Errorf("time spent in requests = %s", s.Total)
	}
	if line := s.String(); !strings.HasPrefix(line, "stats: 6 API requests (get nodes=1, get pods/log=1, list pods=2, list replicasets=1, watch events=1), ") ||
		!strings.Contains(line, "58.6 KiB received") {
		t.Errorf("stats line = %q", line)
	}
}

// An open watch (--wait) is a request with its bytes, but the time it
// stays open is not time spent waiting on the apiserver.
func TestStatsWatchTimeIsUntilItOpens(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "event")
		w.(http.Flusher).Flush()
		time.Sleep(300 * time.Millisecond)
		io.WriteString(w, "event")
	}))
	defer srv.Close()
	s := NewStats()
	c := &http.Client{Transport: s.Wrap(http.DefaultTransport)}
	resp, err := c.Get(srv.URL + "/api/v1/namespaces/a/pods?watch=true")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if s.Requests != 1 || s.Bytes != 10 || s.ByVerb["watch pods"] != 1 {
		t.Errorf("requests %d, bytes %d, verbs %v", s.Requests, s.Bytes, s.ByVerb)
	}
	if s.Total >= 300*time.Millisecond {
		t.Errorf("time spent = %s: an open watch must not count as time spent", s.Total)
	}
}
