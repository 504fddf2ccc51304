package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// CreateResult is what creation cost, for the report.
type CreateResult struct {
	Plan           Plan           `json:"plan"`
	Nodes          int            `json:"nodes"`
	Direct         bool           `json:"direct"`      // healthy pods bypass the scheduler (spec.nodeName)
	Objects        time.Duration  `json:"objectsNs"`   // namespaces and deployments posted
	PodsExist      time.Duration  `json:"podsExistNs"` // every pod created
	Settled        time.Duration  `json:"settledNs"`   // every pod in its final state
	Events         int            `json:"events"`
	EventsByReason map[string]int `json:"eventsByReason"`
	KwokRestarts   int            `json:"kwokRestarts"` // times onStall was called
}

// stallAfter is how long no pod may settle before kwok is assumed to have
// lost its watch (see hack/cluster.sh restart-kwok).
const stallAfter = 90 * time.Second

// Create posts the plan's namespaces and deployments, then waits until every
// pod exists and shows its failure (or is Ready).
// onStall, when not nil, is called when no pod has settled for stallAfter.
func Create(ctx context.Context, cs kubernetes.Interface, p Plan, direct bool, timeout time.Duration, onStall func() error, log io.Writer) (CreateResult, error) {
	res := CreateResult{Plan: p, Direct: direct}
	start := time.Now()
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return res, fmt.Errorf("list nodes: %w", err)
	}
	var nodeNames []string
	for _, n := range nodes.Items {
		nodeNames = append(nodeNames, n.Name)
	}
	sort.Strings(nodeNames)
	res.Nodes = len(nodeNames)
	if direct && len(nodeNames) == 0 {
		return res, fmt.Errorf("no nodes to place pods on")
	}

	for _, ns := range p.Namespaces {
		_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{LabelKey: "1"}}}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return res, fmt.Errorf("create namespace %q: %w", ns, err)
		}
	}
	// The namespace controller needs the default ServiceAccount before the
	// ServiceAccount admission plugin lets a pod in: wait for it so that the
	// ReplicaSet controller does not back off on the first pods.
	for _, ns := range p.Namespaces {
		if err := poll(ctx, 30*time.Second, func() (bool, error) {
			_, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
			return err == nil, nil
		}); err != nil {
			return res, fmt.Errorf("default serviceaccount in %q: %w", ns, err)
		}
	}

	// Post the deployments from a few workers; the controllers do the rest.
	// Every deployment is tried; the first error is the one returned.
	var posts errgroup.Group
	posts.SetLimit(8)
	for i, d := range p.Deploys {
		posts.Go(func() error {
			node := ""
			if direct && d.Fault == "" {
				node = nodeNames[i%len(nodeNames)]
			}
			_, err := cs.AppsV1().Deployments(d.Namespace).Create(ctx, deployment(d, node), metav1.CreateOptions{})
			if err != nil && !apierrors.IsAlreadyExists(err) {
				return fmt.Errorf("create deployment %s/%s: %w", d.Namespace, d.Name, err)
			}
			return nil
		})
	}
	if err := posts.Wait(); err != nil {
		return res, err
	}
	res.Objects = time.Since(start)
	fmt.Fprintf(log, "bench: %d deployments in %d namespaces posted in %s\n", len(p.Deploys), len(p.Namespaces), res.Objects.Round(time.Millisecond))

	want := p.Pods()
	deadline := time.Now().Add(timeout)
	lastLog := time.Time{}
	// Phase one: the ReplicaSets' status says how many pods exist; cheap
	// to poll, unlike the pods themselves.
	for {
		n, err := podsCreated(ctx, cs)
		if err != nil {
			return res, err
		}
		if n >= want {
			break
		}
		if time.Since(lastLog) > 15*time.Second {
			fmt.Fprintf(log, "bench: %s: %d/%d pods created\n", time.Since(start).Round(time.Second), n, want)
			lastLog = time.Now()
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("timed out after %s: %d of %d pods created", timeout, n, want)
		}
		sleep(ctx, 2*time.Second)
	}
	res.PodsExist = time.Since(start)
	fmt.Fprintf(log, "bench: all %d pods created after %s\n", want, res.PodsExist.Round(time.Second))

	// Phase two: every pod in the state its fault leads to.
	lastDone, lastProgress := -1, time.Now()
	for {
		c, err := classify(ctx, cs)
		if err != nil {
			return res, err
		}
		if c.total >= want && c.done == c.total {
			break
		}
		if c.done != lastDone {
			lastDone, lastProgress = c.done, time.Now()
		} else if onStall != nil && time.Since(lastProgress) > stallAfter {
			fmt.Fprintf(log, "bench: no pod settled for %s (%d/%d): restarting kwok\n", stallAfter, c.done, want)
			if err := onStall(); err != nil {
				return res, fmt.Errorf("on stall: %w", err)
			}
			res.KwokRestarts++
			lastProgress = time.Now()
		}
		if time.Since(lastLog) > 15*time.Second {
			fmt.Fprintf(log, "bench: %s: %d/%d pods settled; waiting: %s\n", time.Since(start).Round(time.Second), c.done, want, c.pendingSummary())
			lastLog = time.Now()
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("timed out after %s: %d of %d pods settled; waiting: %s", timeout, c.done, want, c.pendingSummary())
		}
		sleep(ctx, 5*time.Second)
	}
	res.Settled = time.Since(start)
	fmt.Fprintf(log, "bench: all %d pods settled after %s\n", want, res.Settled.Round(time.Second))

	// The events every run of kubectl why lists: how many, and which.
	res.EventsByReason = map[string]int{}
	opts := metav1.ListOptions{Limit: 1000}
	for {
		l, err := cs.CoreV1().Events("").List(ctx, opts)
		if err != nil {
			return res, fmt.Errorf("list events: %w", err)
		}
		for _, e := range l.Items {
			res.Events++
			res.EventsByReason[e.Reason]++
		}
		if l.Continue == "" {
			break
		}
		opts.Continue = l.Continue
	}
	return res, nil
}

func podsCreated(ctx context.Context, cs kubernetes.Interface) (int, error) {
	l, err := cs.AppsV1().ReplicaSets("").List(ctx, metav1.ListOptions{LabelSelector: LabelKey})
	if err != nil {
		return 0, fmt.Errorf("list replicasets: %w", err)
	}
	n := 0
	for _, rs := range l.Items {
		n += int(rs.Status.Replicas)
	}
	return n, nil
}

type census struct {
	total, done int
	pending     map[string]int // fault ("healthy") -> pods not there yet
}

func (c census) pendingSummary() string {
	var parts []string
	for k, v := range c.pending {
		parts = append(parts, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// classify lists the benchmark's pods and counts those in their final state.
func classify(ctx context.Context, cs kubernetes.Interface) (census, error) {
	c := census{pending: map[string]int{}}
	opts := metav1.ListOptions{LabelSelector: LabelKey, Limit: 2000}
	for {
		l, err := cs.CoreV1().Pods("").List(ctx, opts)
		if err != nil {
			return c, fmt.Errorf("list pods: %w", err)
		}
		for i := range l.Items {
			p := &l.Items[i]
			c.total++
			f := p.Labels["why-bench-fault"]
			if settled(p, f) {
				c.done++
			} else {
				if f == "" {
					// Running but unready is not kwok being slow: something
					// else (the node controller, when a node goes NotReady)
					// marked it, and kwok never makes it ready again.
					f = "healthy"
					if p.Status.Phase == corev1.PodRunning {
						f = "healthy-running-unready"
					}
				}
				c.pending[f]++
			}
		}
		if l.Continue == "" {
			return c, nil
		}
		opts.Continue = l.Continue
	}
}

// settled says whether p shows what its fault should show.
func settled(p *corev1.Pod, fault string) bool {
	cond := func(t corev1.PodConditionType) *corev1.PodCondition {
		for i := range p.Status.Conditions {
			if p.Status.Conditions[i].Type == t {
				return &p.Status.Conditions[i]
			}
		}
		return nil
	}
	var cst *corev1.ContainerStatus
	if len(p.Status.ContainerStatuses) > 0 {
		cst = &p.Status.ContainerStatuses[0]
	}
	waiting := func(reasons ...string) bool {
		if cst == nil || cst.State.Waiting == nil {
			return false
		}
		for _, r := range reasons {
			if cst.State.Waiting.Reason == r {
				return true
			}
		}
		return false
	}
	switch fault {
	case "":
		r := cond(corev1.PodReady)
		return p.Status.Phase == corev1.PodRunning && r != nil && r.Status == corev1.ConditionTrue
	case Unschedulable:
		s := cond(corev1.PodScheduled)
		return s != nil && s.Status == corev1.ConditionFalse && s.Reason == corev1.PodReasonUnschedulable
	case "image-not-found":
		return waiting("ErrImagePull", "ImagePullBackOff")
	case "crashloop", "oomkilled":
		return cst != nil && cst.LastTerminationState.Terminated != nil
	case "readiness-fail":
		return cst != nil && cst.State.Running != nil && !cst.Ready
	case "config-missing":
		return waiting("CreateContainerConfigError")
	}
	return false
}

// deployment is the Deployment of d, shaped like an ordinary web app so
// that the pods weigh what real ones do. node, when set, pins the pods to
// a node and bypasses the scheduler.
func deployment(d Deploy, node string) *appsv1.Deployment {
	labels := map[string]string{"app": d.Name, LabelKey: "1"}
	podLabels := map[string]string{"app": d.Name, LabelKey: "1", "tier": "web"}
	ann := map[string]string{}
	image := "registry.example/app:v1"
	cpu, mem := "10m", "32Mi"
	c := corev1.Container{
		Name:  "app",
		Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}},
		Env: []corev1.EnvVar{
			{Name: "LOG_LEVEL", Value: "info"},
			{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
		},
		ReadinessProbe: &corev1.Probe{
			ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")}},
			PeriodSeconds: 10,
		},
	}
	switch d.Fault {
	case "":
	case Unschedulable:
		cpu, mem = "1000", "1Ti"
	case "image-not-found":
		image = "registry.example/app:v2"
	case "config-missing":
		c.EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "app-config"}}}}
	}
	if d.Fault != "" {
		podLabels["why-bench-fault"] = d.Fault
		if d.Fault != Unschedulable {
			ann["why.test/fault"] = d.Fault
		}
	}
	c.Image = image
	c.Resources = corev1.ResourceRequirements{Requests: corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem),
	}}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: d.Name, Namespace: d.Namespace, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(int32(d.Replicas)),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": d.Name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels, Annotations: ann},
				Spec: corev1.PodSpec{
					NodeName:                      node,
					Containers:                    []corev1.Container{c},
					TerminationGracePeriodSeconds: ptr.To(int64(5)),
				},
			},
		},
	}
}

func poll(ctx context.Context, timeout time.Duration, f func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, err := f()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s", timeout)
		}
		sleep(ctx, 250*time.Millisecond)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
