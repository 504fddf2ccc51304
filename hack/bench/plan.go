package main

import "fmt"

// Faults are the failure modes the benchmark spreads over its failing pods:
// the kwok stages of hack/kwok (selected by the why.test/fault annotation)
// and, with no stage at all, pods too big for any node.
var Faults = []string{"image-not-found", "crashloop", "oomkilled", "readiness-fail", "config-missing", Unschedulable}

// Unschedulable is not a kwok stage: the real scheduler leaves the pod
// Pending with a FailedScheduling event.
const Unschedulable = "unschedulable"

// Names of the namespaces and deployments the benchmark creates.
const (
	nsPrefix = "why-bench-"
	// BigNS holds up to 5,000 healthy pods next to deploy/one: kubectl why
	// deploy/one there must cost what it costs in SoloNS.
	BigNS = nsPrefix + "00"
	// SoloNS holds deploy/one and nothing else.
	SoloNS     = nsPrefix + "solo"
	Namespaces = 20
	// OneName is the deployment measured alone; it crash-loops, so that
	// kubectl why has something to explain.
	OneName     = "one"
	OneReplicas = 3
	OneFault    = "crashloop"
	// Healthy pods come in deployments of this many replicas.
	HealthyReplicas = 50
	// FailingPercent of all pods fail.
	FailingPercent = 2
	// BigPods is how many other pods BigNS holds at most.
	BigPods = 5000
	// LabelKey marks every deployment and pod of the benchmark.
	LabelKey = "why-bench"
)

// Deploy is one Deployment to create.
type Deploy struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Replicas  int    `json:"replicas"`
	Fault     string `json:"fault,omitempty"` // "" is healthy
}

// Plan is the whole workload of one size.
type Plan struct {
	Size       int      `json:"size"`
	Namespaces []string `json:"namespaces"`
	Deploys    []Deploy `json:"deploys"`
	Failing    int      `json:"failing"`   // pods expected to fail, deploy/one included
	BigOthers  int      `json:"bigOthers"` // pods in BigNS besides deploy/one's
}

// Pods is the number of pods the plan creates.
func (p Plan) Pods() int {
	n := 0
	for _, d := range p.Deploys {
		n += d.Replicas
	}
	return n
}

// NewPlan lays out size pods: FailingPercent of them failing, in small
// deployments spread over every namespace and cycling through Faults; the
// rest healthy in deployments of HealthyReplicas. BigNS gets min(BigPods,
// size/2) healthy pods and a deploy/one; SoloNS only a deploy/one. The two
// deploy/one count among the failing pods, so the total is exactly size.
func NewPlan(size int) (Plan, error) {
	if size < 500 {
		return Plan{}, fmt.Errorf("size %d: use at least 500 pods", size)
	}
	p := Plan{Size: size, Namespaces: []string{SoloNS}}
	for i := 0; i < Namespaces; i++ {
		p.Namespaces = append(p.Namespaces, fmt.Sprintf("%s%02d", nsPrefix, i))
	}
	failing := size * FailingPercent / 100
	p.Failing = failing
	p.Deploys = append(p.Deploys,
		Deploy{Namespace: BigNS, Name: OneName, Replicas: OneReplicas, Fault: OneFault},
		Deploy{Namespace: SoloNS, Name: OneName, Replicas: OneReplicas, Fault: OneFault})
	rest := failing - 2*OneReplicas
	// A few replicas per failing deployment: enough deployments to show
	// every fault at the smallest size, not thousands at the biggest.
	per := min(max(rest/30, 2), 10)
	for i := 0; rest > 0; i++ {
		r := min(per, rest)
		if rest-r < per && rest-r > 0 { // fold a short tail into this one
			r = rest
		}
		f := Faults[i%len(Faults)]
		ns := p.Namespaces[1+i%Namespaces]
		p.Deploys = append(p.Deploys, Deploy{Namespace: ns, Name: fmt.Sprintf("fail-%s-%03d", f, i), Replicas: r, Fault: f})
		rest -= r
	}
	healthy := size - failing
	big := min(BigPods, size/2)
	p.BigOthers = big
	healthy -= big
	addHealthy := func(ns string, n int, seq *int) {
		for n > 0 {
			r := min(HealthyReplicas, n)
			p.Deploys = append(p.Deploys, Deploy{Namespace: ns, Name: fmt.Sprintf("app-%04d", *seq), Replicas: r})
			n -= r
			*seq++
		}
	}
	seq := 0
	addHealthy(BigNS, big, &seq)
	// The other namespaces share the rest evenly.
	others := Namespaces - 1
	for i := 0; i < others; i++ {
		n := healthy / others
		if i < healthy%others {
			n++
		}
		addHealthy(p.Namespaces[2+i], n, &seq)
	}
	// Failing deployments in BigNS count among its other pods too.
	for _, d := range p.Deploys {
		if d.Namespace == BigNS && d.Fault != "" && d.Name != OneName {
			p.BigOthers += d.Replicas
		}
	}
	return p, nil
}
