//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
)

// Kubelet-side failures are played by kwok Stages (hack/kwok) with the
// kubelet's own reasons and messages, selected by the why.test/fault
// annotation; scheduler-side ones come from the real kube-scheduler.
func TestPodFailureModes(t *testing.T) {
	ns := setup(t)
	for _, tc := range []struct {
		fault string
		image string
		spec  string
		code  explain.Code
	}{
		{"image-auth", "registry.example/private/app:v1", "", explain.CodeImagePullUnauthorized},
		{"oomkilled", "busybox:1.36", "        resources:\n          limits:\n            memory: 128Mi\n", explain.CodeOOMKilled},
		{"config-missing", "nginx:1.27", "        envFrom:\n        - configMapRef:\n            name: app-config\n", explain.CodeConfigMapNotFound},
		{"readiness-fail", "nginx:1.27", "        readinessProbe:\n          httpGet:\n            path: /healthz\n            port: 8080\n", explain.CodeReadinessProbeFailed},
		{"liveness-fail", "nginx:1.27", "        livenessProbe:\n          httpGet:\n            path: /healthz\n            port: 8080\n", explain.CodeLivenessProbeFailed},
		// The fault's FailedMount is a missing ConfigMap: the same code as
		// one missing behind envFrom.
		{"mount-fail", "nginx:1.27", "", explain.CodeConfigMapNotFound},
		{"evicted", "nginx:1.27", "", explain.CodeEvicted},
		{"run-error", "nginx:1.27", "        command: [\"/app/server\"]\n", explain.CodeExecutableNotFound},
		// The init container's own cause is the answer, on the init container.
		{"init-crash", "nginx:1.27", "", explain.CodeCrashLoopBackOff},
	} {
		t.Run(tc.fault, func(t *testing.T) {
			name := "f-" + tc.fault
			m := deployment(name, tc.image, 1, map[string]string{"why.test/fault": tc.fault}, tc.spec)
			if tc.fault == "init-crash" {
				m = strings.Replace(m, "      containers:\n", "      initContainers:\n      - name: migrate\n        image: busybox:1.36\n      containers:\n", 1)
			}
			apply(t, ns, m)
			r := waitCode(t, 90*time.Second, tc.code, "deploy/"+name, ns)
			if tc.fault == "init-crash" {
				f := decode(t, r).Items[0].Findings[0]
				if f.Container != "migrate" || f.Facts["init"] != "true" {
					t.Errorf("the first finding must be about init container migrate: %+v", f)
				}
			}
		})
	}
}

func TestSchedulerCauses(t *testing.T) {
	ns := setup(t)
	for _, tc := range []struct {
		name     string
		spec     string // pod spec lines (6-space indent)
		codes    []explain.Code
		evidence string
	}{
		{"missing-pvc", "      volumes:\n      - name: data\n        persistentVolumeClaim:\n          claimName: data\n",
			[]explain.Code{explain.CodePVCNotFound}, `persistentvolumeclaim "data" not found`},
		{"selector", "      nodeSelector:\n        disktype: ssd\n",
			[]explain.Code{explain.CodeNodeSelectorMismatch, explain.CodeUnschedulable}, "didn't match Pod's node affinity/selector"},
		{"gated", "      schedulingGates:\n      - name: example.com/quota-check\n",
			[]explain.Code{explain.CodeSchedulingGated}, "example.com/quota-check"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			apply(t, ns, fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n%s",
				tc.name, strings.ReplaceAll(tc.spec, "      ", "  ")))
			r := waitWhy(t, 60*time.Second, string(tc.codes[0]), func(r result) bool {
				for _, c := range tc.codes {
					if hasCode(t, r, c) {
						return true
					}
				}
				return false
			}, "pod/"+tc.name, "-n", ns, "-o", "json")
			if !strings.Contains(evidence(t, r), tc.evidence) {
				t.Errorf("want %q in the evidence:\n%s", tc.evidence, r.Stdout)
			}
		})
	}
}

func TestHealthyJobPodIsNotAFailure(t *testing.T) {
	ns := setup(t, job("once", "job", "busybox:1.36"))
	waitFor(t, 90*time.Second, "job pod Succeeded", func() bool {
		out, _ := kubectlErr("", "get", "pods", "-n", ns, "-l", "job-name=once", "-o", "jsonpath={.items[*].status.phase}")
		return strings.Contains(out, "Succeeded")
	})
	r := why(t, "pod", "-n", ns, "--failing")
	if r.Code != 0 || strings.Contains(r.Stdout, "once-") {
		t.Errorf("a Succeeded Job pod is not a failure:\n%s", r)
	}
	pod := strings.TrimSpace(kubectl(t, "", "get", "pods", "-n", ns, "-l", "job-name=once", "-o", "jsonpath={.items[0].metadata.name}"))
	r = why(t, "pod/"+pod, "-n", ns)
	if first := strings.SplitN(r.Stdout, "\n", 2)[0]; r.Code != 0 || !strings.Contains(first, "Completed") || strings.Contains(first, "ready") {
		t.Errorf("a Succeeded pod reads Completed, exit 0, with no '0/1 ready' beside it:\n%s", r)
	}
}
