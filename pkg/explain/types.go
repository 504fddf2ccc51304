// Package explain owns the diagnosis: pure rules that turn the objects of a
// graph.Graph into findings (a stable code, the cause in one sentence, the
// evidence verbatim and the next command). Nothing here talks to the API
// server or writes output.
package explain

import (
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/duration"
)

// Severity orders findings: the first Error is the cause shown first.
type Severity string

const (
	SeverityError   Severity = "Error"   // blocks readiness
	SeverityWarning Severity = "Warning" // degrades, or will block soon
	SeverityInfo    Severity = "Info"    // context: progressing, paused, scaled to zero
)

func (s Severity) rank() int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// Verdict is the answer for one target.
type Verdict string

const (
	VerdictReady       Verdict = "Ready"
	VerdictNotReady    Verdict = "NotReady"
	VerdictProgressing Verdict = "Progressing" // a healthy rollout under way: not a failure, not yet Ready
	VerdictUnknown     Verdict = "Unknown"     // not enough could be read to say: never shown as Ready
)

// ExitCode is the verdict as the exit code of kubectl why (its --help and
// README list them): 0 Ready, 2 NotReady, 3 Unknown, 4 Progressing; 1 is
// left for errors.
func (v Verdict) ExitCode() int {
	switch v {
	case VerdictReady:
		return 0
	case VerdictProgressing:
		return 4
	case VerdictUnknown:
		return 3
	}
	return 2
}

// Ref names an object.
type Ref struct {
	Kind      string    `json:"kind"`
	Namespace string    `json:"namespace,omitempty"`
	Name      string    `json:"name"`
	UID       types.UID `json:"uid,omitempty"`
}

// String is kubectl's TYPE/NAME form, lower case: "deployment/web". A
// Ref without a kind is a line of the tree that counts ("3 pods").
func (r Ref) String() string {
	if r.Kind == "" {
		return r.Name
	}
	return strings.ToLower(r.Kind) + "/" + r.Name
}

// Evidence is one fact a finding rests on, quoted verbatim.
type Evidence struct {
	// Source says where the text came from: a status field path
	// ("status.containerStatuses[app].state.waiting") or an event
	// ("event Warning FailedScheduling").
	Source  string `json:"source"`
	Message string `json:"message"`
	// Count and LastSeen are set for events.
	Count    int32      `json:"count,omitempty"`
	LastSeen *time.Time `json:"lastSeen,omitempty"`
	// FirstSeen is the event's first occurrence, when known, so a
	// repeated event reads "(x12 over 5m)" like kubectl describe.
	FirstSeen *time.Time `json:"firstSeen,omitempty"`
}

// Finding is one cause, about one object (or a group of pods).
type Finding struct {
	Code      Code     `json:"code"`
	Severity  Severity `json:"severity"`
	Object    Ref      `json:"object"`
	Container string   `json:"container,omitempty"`
	// Cause is the one sentence a person reads first.
	Cause    string     `json:"cause"`
	Evidence []Evidence `json:"evidence,omitempty"`
	// Next are commands to paste, most useful first.
	Next []string `json:"next,omitempty"`
	// Pods lists the pods a grouped finding stands for (Object is then
	// their owner); Count is len(Pods) for groups, else 0.
	Pods  []string `json:"pods,omitempty"`
	Count int      `json:"count,omitempty"`
	// Facts are the key values behind the cause (exit code, image, quota
	// numbers...) for scripts and tests; keys are stable per code.
	Facts map[string]string `json:"facts,omitempty"`
}

// Fact returns f.Facts[k] ("" when absent).
func (f Finding) Fact(k string) string { return f.Facts[k] }

// Node is one line of the tree from the target down to the blocking
// container: an object, its one-line status, and its children.
type Node struct {
	Ref      Ref     `json:"ref"`
	Status   string  `json:"status"`
	Ready    bool    `json:"ready"`
	Note     string  `json:"note,omitempty"`
	Children []*Node `json:"children,omitempty"`
}

// Result is the answer for one target.
type Result struct {
	Target  Ref     `json:"target"`
	Verdict Verdict `json:"verdict"`
	// Ready is the READY column: "2/3" for workloads, "0/1" containers for pods.
	Ready string `json:"ready"`
	// Summary is the verdict in words ("2 of 3 pods blocked: ImagePullBackOff").
	Summary string `json:"summary"`
	// Owners is the chain upward from the target, nearest first, with the
	// revision where known: "replicaset/web-7d4 (revision 3)", "deployment/web".
	Owners   []string  `json:"owners,omitempty"`
	Findings []Finding `json:"findings,omitempty"`
	// Notes say what could not be checked (RBAC, expired events).
	Notes []string `json:"notes,omitempty"`
	Tree  *Node    `json:"tree,omitempty"`

	// Node and Restarts feed -o wide; Created feeds AGE.
	NodeName string    `json:"nodeName,omitempty"`
	Restarts int32     `json:"restarts,omitempty"`
	Created  time.Time `json:"created"`
	// Flapping: Ready, but a container restarts (its own, or for a
	// workload one of its pods').
	Flapping bool `json:"flapping,omitempty"`
	// Completed: a pod that Succeeded where that is what it should do (a
	// Job's pod). Its verdict is Ready; it reads "Completed".
	Completed bool `json:"completed,omitempty"`
}

// Suspicious is a Ready result that still has something to say: a
// container that restarts, pods left behind. --failing shows it.
func (r Result) Suspicious() bool {
	return r.Verdict == VerdictReady && hasSeverity(r.Findings, SeverityWarning)
}

// Cause returns the finding that explains the verdict: the most severe one.
func (r Result) Cause() *Finding {
	if len(r.Findings) == 0 {
		return nil
	}
	return &r.Findings[0]
}

// Report is the whole answer of one run, the document -o json prints.
type Report struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Items      []Result `json:"items"`
	// Notes apply to the whole run (RBAC gaps, expired events).
	Notes []string `json:"notes,omitempty"`
}

// Schema version of Report, bumped on any incompatible change.
const (
	ReportAPIVersion = "why.kubectl.dev/v1alpha1"
	ReportKind       = "Report"
)

// AllReady reports whether every item is Ready.
func (r Report) AllReady() bool { return r.Worst() == VerdictReady }

// worse orders verdicts for a run of many targets: NotReady is worst, then
// Unknown (nothing may pass for Ready), then Progressing, then Ready.
func (v Verdict) worse() int {
	switch v {
	case VerdictNotReady:
		return 3
	case VerdictUnknown:
		return 2
	case VerdictProgressing:
		return 1
	}
	return 0
}

// Worst is the verdict of the whole run, the one the exit code reports:
// Ready only when every item is.
func (r Report) Worst() Verdict {
	w := VerdictReady
	for _, it := range r.Items {
		v := it.Verdict
		if v == "" {
			v = VerdictUnknown
		}
		if v.worse() > w.worse() {
			w = v
		}
	}
	return w
}

// humanDuration is kubectl's AGE format (apimachinery's HumanDuration:
// "45s", "5m30s", "3h", "2d4h"), so a sentence says an age the way
// kubectl get and this tool's own AGE column do. A negative span (clock
// skew between nodes, or a deadline already passed) reads "0s", not
// "<invalid>".
func humanDuration(d time.Duration) string { return duration.HumanDuration(max(d, 0)) }
