package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// cmdNodes compares the nodes scenario's results (one per node count):
// what a question about one deployment costs must not grow with the nodes.
func cmdNodes(files []string) error {
	var ms []*Measurement
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var m Measurement
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("read %s: %w", f, err)
		}
		ms = append(ms, &m)
	}
	fmt.Print(NodesMarkdown(ms))
	return nil
}

// NodesMarkdown is the side-by-side table of the nodes scenario.
func NodesMarkdown(results []*Measurement) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("#### `why deploy/one` beside 100 vs 5,000 nodes\n\n")
	w("| nodes | command | wall time, median (min–max) | API requests (audit log) | received (--stats) | peak RSS |\n|---|---|---|---|---|---|\n")
	for _, key := range []string{"one-big", "describe-big", "one-solo", "describe-solo", "raw-nodes"} {
		for _, m := range results {
			c := m.find(key)
			if c == nil {
				continue
			}
			recv := "–"
			if c.Tool == "why" {
				recv = received(c.StatsLine)
			}
			w("| %s | `%s` | %s (%s–%s) | %d | %s | %s |\n", thousands(m.Create.Nodes), c.Label, ms(c.MedianWall), ms(c.MinWall), ms(c.MaxWall), c.AuditCount, recv, mib(c.MedianRSSKB))
		}
	}
	w("\n")
	for _, m := range results {
		if c := m.find("one-big"); c != nil {
			w("- %s nodes, `%s`: %s\n", thousands(m.Create.Nodes), c.Label, byVerb(c.AuditByVerb))
		}
	}
	w("\n")
	return b.String()
}

// EnsureNodes creates kwok nodes kwok-node-I up to n in all, shaped like
// hack/cluster.sh's (same annotation, so kwok manages them), from a few
// workers: kubectl apply sends them one by one, and with 5,000 of them on
// a busy machine that takes longer than the rest of the run. It waits
// until n nodes are Ready, or timeout.
func EnsureNodes(ctx context.Context, cs kubernetes.Interface, n int, timeout time.Duration, log io.Writer) error {
	l, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list nodes: %w", err)
	}
	have := map[string]bool{}
	for _, nd := range l.Items {
		have[nd.Name] = true
	}
	// Every missing node is tried; the first error is the one returned.
	var creates errgroup.Group
	creates.SetLimit(16)
	for i := 0; i < n; i++ {
		if have[fmt.Sprintf("kwok-node-%d", i)] {
			continue
		}
		creates.Go(func() error {
			if _, err := cs.CoreV1().Nodes().Create(ctx, kwokNode(i), metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
				return fmt.Errorf("create node %d: %w", i, err)
			}
			return nil
		})
	}
	if err := creates.Wait(); err != nil {
		return err
	}
	fmt.Fprintf(log, "bench: %d nodes exist\n", n)
	// kwok initialises a few nodes a second: on a busy machine 5,000 take
	// longer than the measurement needs. Past the timeout the run goes on
	// with the count said, as a note on the background load.
	ready := 0
	err = poll(ctx, timeout, func() (bool, error) {
		l, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{ResourceVersion: "0"})
		if err != nil {
			return false, nil
		}
		ready = 0
		for _, nd := range l.Items {
			for _, c := range nd.Status.Conditions {
				if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
					ready++
				}
			}
		}
		return ready >= n, nil
	})
	if err != nil {
		fmt.Fprintf(log, "bench: %d of %d nodes Ready after %s; going on while kwok initialises the rest\n", ready, n, timeout)
	}
	return nil
}

func kwokNode(i int) *corev1.Node {
	name := fmt.Sprintf("kwok-node-%d", i)
	res := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("8Gi"), corev1.ResourcePods: resource.MustParse("110")}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Annotations: map[string]string{"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
			Labels: map[string]string{"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
				"topology.kubernetes.io/zone": []string{"zone-a", "zone-b", "zone-c"}[i%3], "type": "kwok"},
		},
		Status: corev1.NodeStatus{Allocatable: res, Capacity: res},
	}
}
