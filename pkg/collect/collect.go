// Package collect is the only code that talks to the API server (or reads
// -f files): it turns a Request into a graph.Snapshot with one paged LIST per
// kind and scope, run concurrently, and never a GET per pod. For --wait a
// Follower then watches each of those LISTs (follow.go).
package collect

import "github.com/kubectl-why/kubectl-why/pkg/graph"

// Target is what the user asked about: a kind and, optionally, a name
// (graph.Want, which selects it from the snapshot).
type Target = graph.Want

// Request says what to collect.
type Request struct {
	Targets       []Target
	Namespace     string
	AllNamespaces bool
	Selector      string
	// FailingOnly lets the collector drop pods that are plainly healthy as
	// each page arrives (pod targets only): memory then grows with the
	// failing pods, not with all pods.
	FailingOnly bool
	// ChunkSize is the page size of every LIST (0: no paging).
	ChunkSize int64
	// Logs asks for the previous container's log tail of crashed containers.
	Logs     bool
	LogLines int64
	// Wait: the reads are followed (--wait), so each is by scope, a
	// read that a watch can keep current.
	Wait bool
}

// named reports whether any target names an object (a tree is printed).
func (r Request) named() bool {
	for _, t := range r.Targets {
		if t.Name != "" {
			return true
		}
	}
	return false
}

// scope is the namespace a LIST runs in ("" = all namespaces).
func (r Request) scope() string {
	if r.AllNamespaces {
		return ""
	}
	return r.Namespace
}
