package collect

import (
	"bytes"
	"context"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
)

// With --failing, 98 pods in 100 are plainly healthy and are dropped as soon
// as they are read. Decoding such a pod into corev1.Pod costs far more than
// reading the few status fields that say so: a 1,000-pod page of 3 MB took
// 17-22 ms to decode and 0.3-0.4 ms to walk (docs/benchmarks.md). So pods
// pages are read raw, each pod's protobuf bytes are walked to its status,
// and only pods that are not certainly healthy are decoded, then judged by
// explain.PlainlyHealthy like any other. client-go's pager takes decoded
// pages from its page function, so the walk happens inside the pods' page
// function (podPages), which hands the pager a PodList of the pods kept
// with the page's continue token: the pager still does the paging.

// protobufMagic starts every protobuf body of the Kubernetes API (the
// runtime.Unknown envelope follows).
var protobufMagic = []byte("k8s\x00")

// Field numbers of k8s.io/api/core/v1 and apimachinery's generated.proto.
const (
	fPodListMeta   = 1  // PodList.metadata
	fPodListItems  = 2  // PodList.items
	fPodMetadata   = 1  // Pod.metadata
	fPodStatus     = 3  // Pod.status
	fMetaDeletion  = 9  // ObjectMeta.deletionTimestamp
	fStatusPhase   = 1  // PodStatus.phase
	fStatusConds   = 2  // PodStatus.conditions
	fStatusCtrs    = 8  // PodStatus.containerStatuses
	fStatusInit    = 10 // PodStatus.initContainerStatuses (sidecars restart there)
	fCondType      = 1  // PodCondition.type
	fCondStatus    = 2  // PodCondition.status
	fCtrRestartCnt = 5  // ContainerStatus.restartCount
)

// rawPodsClient is the REST client of the core group when the clientset
// talks to a real apiserver (nil for fake clientsets in unit tests).
func rawPodsClient(c *collector) *rest.RESTClient {
	rc, ok := c.l.Client.CoreV1().RESTClient().(*rest.RESTClient)
	if !ok || rc == nil {
		return nil
	}
	return rc
}

// listPodsRaw reads one page of pods as protobuf and keeps those keep
// accepts; plainly healthy pods are recognised on the wire and never
// decoded. A body that is not protobuf (a proxy that rewrote it) is
// decoded whole.
func listPodsRaw(ctx context.Context, rc *rest.RESTClient, ns string, opts metav1.ListOptions, keep func(*corev1.Pod) bool) ([]corev1.Pod, metav1.ListMeta, error) {
	body, err := rc.Get().
		Namespace(ns).
		Resource("pods").
		VersionedParams(&opts, scheme.ParameterCodec).
		SetHeader("Accept", "application/vnd.kubernetes.protobuf, application/json").
		Do(ctx).
		Raw()
	if err != nil {
		return nil, metav1.ListMeta{}, err
	}
	if !bytes.HasPrefix(body, protobufMagic) {
		var l corev1.PodList
		if err := runtime.DecodeInto(scheme.Codecs.UniversalDeserializer(), body, &l); err != nil {
			return nil, metav1.ListMeta{}, fmt.Errorf("decode pods list: %w", err)
		}
		return filterPods(l.Items, keep), l.ListMeta, nil
	}
	var u runtime.Unknown
	if err := u.Unmarshal(body[len(protobufMagic):]); err != nil {
		return nil, metav1.ListMeta{}, fmt.Errorf("decode pods list: %w", err)
	}
	if u.Kind != "PodList" {
		return nil, metav1.ListMeta{}, fmt.Errorf("decode pods list: the apiserver sent a %s", u.Kind)
	}
	return scanPodList(u.Raw, keep)
}

// scanPodList reads a PodList's protobuf bytes: its ListMeta, and each pod
// that is not certainly healthy, decoded and offered to keep.
func scanPodList(b []byte, keep func(*corev1.Pod) bool) ([]corev1.Pod, metav1.ListMeta, error) {
	var meta metav1.ListMeta
	var out []corev1.Pod
	err := walk(b, func(num protowire.Number, v []byte, _ uint64) error {
		switch num {
		case fPodListMeta:
			return meta.Unmarshal(v)
		case fPodListItems:
			if healthyOnWire(v) {
				return nil
			}
			var p corev1.Pod
			if err := p.Unmarshal(v); err != nil {
				return err
			}
			if keep(&p) {
				out = append(out, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, metav1.ListMeta{}, fmt.Errorf("decode pods list: %w", err)
	}
	return out, meta, nil
}

// healthyOnWire reports whether a Pod's protobuf bytes show it certainly
// explain.PlainlyHealthy: not being deleted, Running, its first Ready
// condition True, no container restarted, sidecars and init containers
// included. Anything else, or bytes it cannot read, is false: the pod is
// then decoded and judged by explain.PlainlyHealthy itself, so a mistake
// here can cost time but never hide a failing pod.
func healthyOnWire(pod []byte) bool {
	deleting, running, ready, sawReady, restarted := false, false, false, false, false
	err := walk(pod, func(num protowire.Number, v []byte, _ uint64) error {
		switch num {
		case fPodMetadata:
			return walk(v, func(num protowire.Number, _ []byte, _ uint64) error {
				if num == fMetaDeletion {
					deleting = true
				}
				return nil
			})
		case fPodStatus:
			return walk(v, func(num protowire.Number, v []byte, _ uint64) error {
				switch num {
				case fStatusPhase:
					running = string(v) == string(corev1.PodRunning)
				case fStatusConds:
					var typ, status string
					if err := walk(v, func(num protowire.Number, v []byte, _ uint64) error {
						switch num {
						case fCondType:
							typ = string(v)
						case fCondStatus:
							status = string(v)
						}
						return nil
					}); err != nil {
						return err
					}
					if typ == string(corev1.PodReady) && !sawReady {
						sawReady, ready = true, status == string(corev1.ConditionTrue)
					}
				case fStatusCtrs, fStatusInit:
					return walk(v, func(num protowire.Number, _ []byte, x uint64) error {
						if num == fCtrRestartCnt && x != 0 {
							restarted = true
						}
						return nil
					})
				}
				return nil
			})
		}
		return nil
	})
	return err == nil && !deleting && running && ready && !restarted
}

// walk calls f for each field of one protobuf message: v holds the bytes
// of length-delimited fields, x the value of varints.
func walk(msg []byte, f func(num protowire.Number, v []byte, x uint64) error) error {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return protowire.ParseError(n)
		}
		msg = msg[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(msg)
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(msg)
		default:
			n = protowire.ConsumeFieldValue(num, typ, msg)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		msg = msg[n:]
		if err := f(num, v, x); err != nil {
			return err
		}
	}
	return nil
}

// filterPods copies out the pods keep accepts, so that the page's backing
// array can be freed.
func filterPods(items []corev1.Pod, keep func(*corev1.Pod) bool) []corev1.Pod {
	var out []corev1.Pod
	for i := range items {
		if keep(&items[i]) {
			out = append(out, items[i])
		}
	}
	return out
}
