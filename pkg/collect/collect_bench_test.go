package collect

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
)

// protobufEncoder encodes API objects as the apiserver sends them to a
// client that accepts protobuf: the k8s magic, then a runtime.Unknown.
func protobufEncoder(tb testing.TB) runtime.Encoder {
	tb.Helper()
	info, ok := runtime.SerializerInfoForMediaType(scheme.Codecs.SupportedMediaTypes(), runtime.ContentTypeProtobuf)
	if !ok {
		tb.Fatal("no protobuf serializer")
	}
	return scheme.Codecs.EncoderForVersion(info.Serializer, schema.GroupVersions{corev1.SchemeGroupVersion, appsv1.SchemeGroupVersion})
}

// podServer is an apiserver that serves n benchPods in pages of 1,000, as
// protobuf, and empty lists of what else Collect reads for "why pod -A"
// (events, nodes, claims; the pods' owners are not there). It returns how
// many of the pods are not plainly healthy.
func podServer(b *testing.B, n int) (srv *httptest.Server, failing int) {
	b.Helper()
	enc := protobufEncoder(b)
	pods := benchPods(b, n)
	for i := range pods {
		p := &pods[i]
		p.Name = fmt.Sprintf("%s-%d", p.Name, i)
		p.UID = types.UID(strconv.Itoa(i))
		if !explain.PlainlyHealthy(p) {
			failing++
		}
	}
	encode := func(obj runtime.Object) []byte {
		raw, err := runtime.Encode(enc, obj)
		if err != nil {
			b.Fatal(err)
		}
		return raw
	}
	// Pages are encoded once: the benchmark measures the client.
	const limit = 1000
	var pages [][]byte
	for from := 0; from < n; from += limit {
		l := &corev1.PodList{Items: pods[from:min(from+limit, n)]}
		if from+limit < n {
			l.Continue = strconv.Itoa(from + limit)
		}
		pages = append(pages, encode(l))
	}
	empty := map[string][]byte{
		"/api/v1/events":                 encode(&corev1.EventList{}),
		"/api/v1/nodes":                  encode(&corev1.NodeList{}),
		"/api/v1/persistentvolumeclaims": encode(&corev1.PersistentVolumeClaimList{}),
		"/apis/apps/v1/replicasets":      encode(&appsv1.ReplicaSetList{}),
		"/apis/apps/v1/deployments":      encode(&appsv1.DeploymentList{}),
	}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", runtime.ContentTypeProtobuf)
		if body, ok := empty[r.URL.Path]; ok {
			_, _ = w.Write(body)
			return
		}
		if r.URL.Path != "/api/v1/pods" || r.URL.Query().Get("limit") != strconv.Itoa(limit) {
			http.Error(w, "unexpected request "+r.URL.String(), http.StatusBadRequest)
			return
		}
		from, _ := strconv.Atoi(r.URL.Query().Get("continue"))
		_, _ = w.Write(pages[from/limit])
	}))
	b.Cleanup(srv.Close)
	return srv, failing
}

// BenchmarkCollectPods is "why pod -A" against an apiserver serving 10,000
// pods in pages of 1,000, as protobuf: with --failing (pods judged on the
// wire, only the failing ones decoded) and without (every pod decoded).
func BenchmarkCollectPods(b *testing.B) {
	srv, failing := podServer(b, 10000)
	// No client-side rate limit, as pkg/cmd configures it.
	cfg := &rest.Config{Host: srv.URL, QPS: -1, ContentConfig: rest.ContentConfig{
		ContentType: runtime.ContentTypeProtobuf, AcceptContentTypes: runtime.ContentTypeProtobuf + ",application/json"}}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		failing bool
		want    int
	}{{"failing", true, failing}, {"all", false, 10000}} {
		b.Run(tc.name, func(b *testing.B) {
			req := Request{Targets: []Target{{Kind: explain.KindPod}}, AllNamespaces: true, FailingOnly: tc.failing, ChunkSize: 1000}
			b.ReportAllocs()
			for b.Loop() {
				snap, err := (&Live{Client: cs}).Collect(context.Background(), req)
				if err != nil {
					b.Fatal(err)
				}
				if len(snap.Pods) != tc.want {
					b.Fatalf("collected %d pods, want %d", len(snap.Pods), tc.want)
				}
			}
		})
	}
}
