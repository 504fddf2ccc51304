//go:build e2e

package e2e

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
)

// More causes produced by the real apiserver, controllers and scheduler:
// admission webhooks (a real HTTPS webhook on loopback, called by the real
// apiserver), quota that requires limits, unbound claims, minReadySeconds,
// scale to zero and OnDelete statefulsets.

// webhookConfig renders a ValidatingWebhookConfiguration for pod CREATEs in
// namespace ns only, failing closed, that calls url.
func webhookConfig(name, ns, url, caBundle string) string {
	return fmt.Sprintf(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: %[1]s
webhooks:
- name: %[1]s.why.example.com
  clientConfig:
    url: %[3]q
    caBundle: %[4]q
  rules:
  - apiGroups: [""]
    apiVersions: ["v1"]
    operations: ["CREATE"]
    resources: ["pods"]
  namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: %[2]s
  failurePolicy: Fail
  sideEffects: None
  admissionReviewVersions: ["v1"]
  timeoutSeconds: 5
`, name, ns, url, caBundle)
}

// installWebhook installs webhookConfig for ns until the test ends, and
// returns its name.
func installWebhook(t *testing.T, prefix, ns, url, caBundle string) string {
	t.Helper()
	name := prefix + "-" + ns[len(ns)-4:]
	apply(t, "", webhookConfig(name, ns, url, caBundle))
	t.Cleanup(func() { _, _ = kubectlErr("", "delete", "validatingwebhookconfiguration", name, "--wait=false") })
	// The apiserver picks up new webhook configurations within a second or so.
	time.Sleep(2 * time.Second)
	return name
}

// denyingWebhook serves AdmissionReview v1 on loopback over TLS and denies
// every request with message.
func denyingWebhook(t *testing.T, message string) (url, caBundle string) {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var review struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Request    struct {
				UID string `json:"uid"`
			} `json:"request"`
		}
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		resp := map[string]any{
			"apiVersion": "admission.k8s.io/v1",
			"kind":       "AdmissionReview",
			"response": map[string]any{
				"uid":     review.Request.UID,
				"allowed": false,
				"status":  map[string]any{"code": 403, "message": message},
			},
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(srv.Close)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	return srv.URL + "/validate", base64.StdEncoding.EncodeToString(ca)
}

func TestAdmissionWebhookDenied(t *testing.T) {
	ns := setup(t)
	url, ca := denyingWebhook(t, "images from registry.example are not signed")
	name := installWebhook(t, "why-deny", ns, url, ca)
	apply(t, ns, deployment("signed", "nginx:1.27", 1, nil, ""))
	r := waitCode(t, 90*time.Second, explain.CodeAdmissionWebhookDenied, "deploy/signed", ns)
	f := finding(t, r, explain.CodeAdmissionWebhookDenied)
	if f.Facts["webhook"] != name+".why.example.com" {
		t.Errorf("want the webhook named: %+v", f)
	}
	wantEvidence(t, r, "images from registry.example are not signed", "want the webhook's own message verbatim")
}

func TestAdmissionWebhookUnreachable(t *testing.T) {
	ns := setup(t)
	_, ca := denyingWebhook(t, "unused")
	// Nothing listens there: the apiserver cannot call it, and fails closed.
	name := installWebhook(t, "why-down", ns, "https://"+freePort(t)+"/validate", ca)
	apply(t, ns, deployment("blocked", "nginx:1.27", 1, nil, ""))
	r := waitCode(t, 90*time.Second, explain.CodeAdmissionWebhookUnreachable, "deploy/blocked", ns)
	wantEvidence(t, r, `failed calling webhook "`+name+`.why.example.com"`, "want the apiserver's message verbatim")
}

func TestQuotaRequiresLimits(t *testing.T) {
	ns := setup(t,
		`apiVersion: v1
kind: ResourceQuota
metadata: {name: cpu-limits}
spec: {hard: {limits.cpu: "4"}}
`,
		deployment("nolimits", "nginx:1.27", 1, nil, ""),
	)
	r := waitCode(t, 90*time.Second, explain.CodeQuotaRequiresLimits, "deploy/nolimits", ns)
	wantEvidence(t, r, "must specify limits.cpu for: app", "want the quota admission message verbatim")
}

func TestUnboundClaims(t *testing.T) {
	ns := setup(t)
	// storageClassName "" asks for a pre-provisioned volume, and there is
	// none: the claims stay Pending and the scheduler says so.
	apply(t, ns, `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  storageClassName: ""
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
`)
	apply(t, ns, `apiVersion: v1
kind: Pod
metadata:
  name: uses-data
spec:
  containers:
  - name: app
    image: nginx:1.27
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data
`)
	apply(t, ns, statefulset("db", "postgres:17", 1, `  volumeClaimTemplates:
  - metadata: {name: pgdata}
    spec: {storageClassName: "", accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`, ""))
	r := waitCode(t, 90*time.Second, explain.CodePVCUnbound, "pod/uses-data", ns)
	wantEvidence(t, r, "unbound immediate PersistentVolumeClaims", "want the scheduler's message verbatim")
	r = waitCode(t, 90*time.Second, explain.CodeVolumeClaimTemplatePending, "sts/db", ns)
	if f := finding(t, r, explain.CodeVolumeClaimTemplatePending); !strings.Contains(f.Cause, `pgdata-db-0 (from volumeClaimTemplate pgdata) is Pending: it asks for no StorageClass ("")`) {
		t.Errorf("want the claim, its template and what its StorageClass means: %s", f.Cause)
	}
}

func TestMinReadySecondsIsAWaitNotAFailure(t *testing.T) {
	ns := setup(t)
	m := strings.Replace(deployment("warm", "nginx:1.27", 1, nil, ""), "spec:\n  replicas: 1", "spec:\n  minReadySeconds: 300\n  replicas: 1", 1)
	apply(t, ns, m)
	r := waitCode(t, 90*time.Second, explain.CodeNotYetAvailable, "deploy/warm", ns)
	if f := finding(t, r, explain.CodeNotYetAvailable); !strings.Contains(f.Cause, "1 pod is Ready but not yet Available: minReadySeconds is 300s; the next becomes Available in ") {
		t.Errorf("want how long until the pod counts as Available: %s", f.Cause)
	}
	// The deployment's own status counts the pod unavailable until
	// minReadySeconds pass: NotReady, said as a wait, never as an error.
	it := decode(t, r).Items[0]
	if it.Verdict != explain.VerdictNotReady || r.Code != 2 || it.Findings[0].Code != explain.CodeNotYetAvailable {
		t.Errorf("want NotReady (exit 2) explained first by NotYetAvailable: exit %d %+v", r.Code, it)
	}
	for _, f := range it.Findings {
		if f.Severity == explain.SeverityError {
			t.Errorf("error finding while minReadySeconds runs: %+v", f)
		}
	}
}

func TestScaledToZeroIsReady(t *testing.T) {
	ns := setup(t, deployment("idle", "nginx:1.27", 0, nil, ""))
	r := waitCode(t, 60*time.Second, explain.CodeScaledToZero, "deploy/idle", ns)
	if r.Code != 0 {
		t.Errorf("a deployment scaled to zero is Ready by definition: exit %d", r.Code)
	}
}

func TestStatefulSetOnDelete(t *testing.T) {
	ns := setup(t, statefulset("kv", "redis:7", 2, "  updateStrategy:\n    type: OnDelete\n", ""))
	waitReady(t, 90*time.Second, "sts/kv", ns)
	kubectl(t, "", "set", "image", "sts/kv", "kv=redis:8", "-n", ns)
	r := waitCode(t, 60*time.Second, explain.CodeOnDeleteUpdatePending, "sts/kv", ns)
	f := finding(t, r, explain.CodeOnDeleteUpdatePending)
	if !strings.Contains(strings.Join(f.Next, "\n"), "kubectl delete pod") {
		t.Errorf("want the command that rolls the pods (delete them): %+v", f)
	}
}

// TestUntoleratedTaint adds a kwok node of its own, tainted and labelled
// for this test only, and asks for it: the answer must name the taint,
// which the real scheduler's message no longer does. Other tests see one more node that
// none of their pods tolerates.
func TestUntoleratedTaint(t *testing.T) {
	ns := setup(t)
	node := "why-tainted-" + ns[len(ns)-4:]
	kubectl(t, fmt.Sprintf(`apiVersion: v1
kind: Node
metadata:
  name: %[1]s
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: %[1]s
    kubernetes.io/os: linux
    why.test/pool: %[2]s
    type: kwok
spec:
  taints:
  - key: why.test/dedicated
    value: gpu
    effect: NoSchedule
status:
  allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
  capacity: {cpu: "4", memory: 8Gi, pods: "110"}
`, node, ns), "apply", "-f", "-")
	t.Cleanup(func() { _, _ = kubectlErr("", "delete", "node", node, "--wait=false") })
	apply(t, ns, deployment("gpu", "nginx:1.27", 1, nil, "")+"      nodeSelector:\n        why.test/pool: "+ns+"\n")
	r := waitCode(t, 90*time.Second, explain.CodeUntoleratedTaint, "deploy/gpu", ns)
	// kube-scheduler v1.37 no longer names the taint ("had untolerated
	// taint(s)"): the answer reads it from the nodes. The real node of
	// hack/cluster.sh is tainted too (why.test/real-node), so the count is
	// 2 when it runs.
	wantEvidence(t, r, "node(s) had untolerated taint(s)", "want the scheduler's message verbatim")
	if f := finding(t, r, explain.CodeUntoleratedTaint); !strings.Contains(f.Cause, "why.test/dedicated=gpu:NoSchedule") {
		t.Errorf("want the taint named in the cause, read from the node: %s", f.Cause)
	}
}
