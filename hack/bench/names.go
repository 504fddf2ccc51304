package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// PodTruth is one of the benchmark's pods as the benchmark made it: the
// answer key against which each tool's output is read.
type PodTruth struct {
	Namespace  string `json:"namespace"`
	Name       string `json:"name"`
	ReplicaSet string `json:"replicaSet"`
	Deployment string `json:"deployment"`
	Failing    bool   `json:"failing"`
}

// Named is what one output said about the pods in the command's scope.
type Named struct {
	// FailingNamed of FailingTotal failing pods were named, by their own
	// name or by their ReplicaSet's or Deployment's (a tool that reports
	// per owner names all of its pods at once).
	FailingNamed int `json:"failingNamed"`
	FailingTotal int `json:"failingTotal"`
	// FalseAlarms counts healthy pods named as failing plus healthy
	// Deployments (or their ReplicaSets) named as failing.
	FalseAlarms int `json:"falseAlarms"`
}

// ListTruth lists the benchmark's pods (label why-bench) and which fail
// (label why-bench-fault, set by create.go from the plan).
func ListTruth(ctx context.Context, cs kubernetes.Interface) ([]PodTruth, error) {
	var out []PodTruth
	opts := metav1.ListOptions{LabelSelector: LabelKey, Limit: 2000}
	for {
		l, err := cs.CoreV1().Pods("").List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("list pods: %w", err)
		}
		for _, p := range l.Items {
			t := PodTruth{Namespace: p.Namespace, Name: p.Name, Deployment: p.Labels["app"], Failing: p.Labels["why-bench-fault"] != ""}
			for _, o := range p.OwnerReferences {
				if o.Kind == "ReplicaSet" {
					t.ReplicaSet = o.Name
				}
			}
			out = append(out, t)
		}
		if l.Continue == "" {
			return out, nil
		}
		opts.Continue = l.Continue
	}
}

// nameRe matches what can be an object's name in a tool's output (DNS
// labels and subdomains); "ns/name" and "pod/name" split at the slash.
var nameRe = regexp.MustCompile(`[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?`)

// ansiRe is a terminal color sequence: kubectl-status colors even into a pipe.
var ansiRe = regexp.MustCompile("\x1b\\[[0-9;]*m")

// readyRowRe is a row of kubectl why's table for something Ready.
var readyRowRe = regexp.MustCompile(`\s(Ready|Completed)\s+<none>\s`)

// healthLineRe is an object's line in kube-health's tree: its status and
// the object.
var healthLineRe = regexp.MustCompile(`^[\s│├└─]*(Ok|Unknown|Error|Warning|Progressing)\s+(\S+)`)

// statusHeaderRe is the first line of an object in kubectl-status's output.
var statusHeaderRe = regexp.MustCompile(`^\s*[A-Z][A-Za-z]*/\S+ -n \S+, created `)

// CountNamed reads the pods and deployments an output names as failing
// (what flagged keeps of it, per tool: see flagged) and scores them
// against the truth within scope.
func CountNamed(tool, output, scope string, truth []PodTruth) Named {
	names := map[string]bool{}
	for _, w := range nameRe.FindAllString(flagged(tool, ansiRe.ReplaceAllString(output, "")), -1) {
		names[w] = true
	}
	var n Named
	healthyDeploys := map[string]bool{}
	for _, p := range truth {
		if !inScope(p, scope) {
			continue
		}
		byOwner := names[p.Deployment] || p.ReplicaSet != "" && names[p.ReplicaSet]
		switch {
		case p.Failing:
			n.FailingTotal++
			if names[p.Name] || byOwner {
				n.FailingNamed++
			}
		case names[p.Name]:
			n.FalseAlarms++
		case byOwner:
			healthyDeploys[p.Namespace+"/"+p.Deployment] = true
		}
	}
	n.FalseAlarms += len(healthyDeploys)
	return n
}

// inScope says whether p is among what a command asked about: scope is
// "" (everything), a namespace, or "namespace/deployment".
func inScope(p PodTruth, scope string) bool {
	ns, deploy, one := strings.Cut(scope, "/")
	switch {
	case scope == "":
		return true
	case one:
		return p.Namespace == ns && p.Deployment == deploy
	}
	return p.Namespace == scope
}

// flagged keeps the part of a tool's output that reports problems. Most
// tools print only what is wrong; those that print every object they
// looked at mark the bad ones, and only those lines count.
func flagged(tool, out string) string {
	switch tool {
	case "why":
		// Without --failing the table has a row for every pod asked
		// about; a row whose STATUS is Ready (CAUSE <none>) names
		// nothing as failing. A warning, "Ready (restarting)", does.
		var keep []string
		for _, l := range strings.Split(out, "\n") {
			if !readyRowRe.MatchString(l) {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	case "kubectl-status":
		// A block per object: its header "Kind/name -n ns, created ..."
		// and, on the next line, its kstatus ("Current: Pod is Ready",
		// "InProgress: ...", "Failed: ..."); the details under it name
		// only the object itself and its owners. Keep the headers of
		// objects not Current.
		lines := strings.Split(out, "\n")
		var keep []string
		for i, l := range lines {
			if !statusHeaderRe.MatchString(l) {
				continue
			}
			if i+1 < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i+1]), "Current:") {
				continue
			}
			keep = append(keep, strings.SplitN(l, ",", 2)[0])
		}
		return strings.Join(keep, "\n")
	case "kube-health":
		// One line per object: "<Status> ns/Kind/name", under a tree of
		// "├─ <Status> Kind/name" for its children, with the status Ok
		// for a healthy one; the condition lines under a bad object name
		// only it. Keep the object lines not Ok.
		var keep []string
		for _, l := range strings.Split(out, "\n") {
			if m := healthLineRe.FindStringSubmatch(l); m != nil && m[1] != "Ok" {
				keep = append(keep, m[2])
			}
		}
		return strings.Join(keep, "\n")
	case "popeye":
		// A line per pod, "· ns/name....<mark>", then its lint findings:
		// 💥 marks an error (a pod in an unhappy phase, not ready,
		// restarting), 😱 a warning that every default pod earns (no
		// network policy, runs as root): only the errors count.
		var keep []string
		for _, l := range strings.Split(out, "\n") {
			if t := strings.TrimSpace(l); strings.HasPrefix(t, "· ") && strings.HasSuffix(t, "💥") {
				keep = append(keep, strings.TrimRight(t, ".💥"))
			}
		}
		return strings.Join(keep, "\n")
	}
	return out
}
