package explain

import (
	"strings"
	"testing"
)

// TestPodRules runs every failure mode's fixture through ExplainPod and
// asserts the codes (all of them, in order), the verdict, and the key facts
// and evidence of the first finding. Words are checked in the golden files.
func TestPodRules(t *testing.T) {
	tests := []struct {
		fixture   string
		verdict   Verdict
		codes     []Code
		container string            // of the first finding
		facts     map[string]string // of the first finding, a subset
		evidence  []string          // substrings of the first finding's evidence
		next      []string          // substrings of the first finding's next steps
	}{
		// Not scheduled.
		{fixture: "sched-insufficient-cpu", verdict: VerdictNotReady, codes: []Code{CodeInsufficientResources},
			facts:    map[string]string{"resource": "cpu", "requested": "8", "largestAllocatable": "4", "largestNode": "node-a", "fitsEmptyNode": "false", "nodes": "3", "nodesTotal": "3"},
			evidence: []string{"event Warning FailedScheduling", "3 Insufficient cpu"}},
		// One finding for the verdict, led by the reason that blocks more
		// nodes, naming the other.
		{fixture: "sched-taint-and-cpu", verdict: VerdictNotReady, codes: []Code{CodeUntoleratedTaint},
			facts: map[string]string{"taint": "dedicated=gpu", "resource": "cpu", "nodes": "2", "nodesTotal": "3", "reasons": "1 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: gpu}"}},
		// A selector that leaves some nodes is not the cause when what
		// blocks those nodes is something else.
		{fixture: "sched-memory-selector", verdict: VerdictNotReady, codes: []Code{CodeInsufficientResources},
			facts: map[string]string{"resource": "memory", "requested": "24Gi", "largestNode": "db-1", "largestAllocatable": "16Gi", "fitsEmptyNode": "false",
				"nodes": "1", "nodesTotal": "8", "nodeSelector": "node-pool=db"},
			next: []string{"kubectl describe node db-1"}},
		{fixture: "sched-anti-affinity-selector", verdict: VerdictNotReady, codes: []Code{CodePodAffinityConflict},
			facts: map[string]string{"kind": "antiAffinity", "topologyKey": "kubernetes.io/hostname", "labelSelector": "app=web", "nodes": "2", "nodeSelector": "node-pool=web"},
			next:  []string{"kubectl get pods -n shop -l app=web -o wide"}},
		{fixture: "sched-cordoned-selector", verdict: VerdictNotReady, codes: []Code{CodeNoNodesAvailable},
			facts: map[string]string{"cordoned": "batch-1", "nodes": "1", "nodesTotal": "4", "nodeSelector": "node-pool=batch"}},
		{fixture: "sched-pods-full-selector", verdict: VerdictNotReady, codes: []Code{CodeInsufficientResources},
			facts: map[string]string{"resource": "pods", "nodes": "1", "nodeSelector": "node-pool=edge"}},
		{fixture: "sched-volume-affinity-selector", verdict: VerdictNotReady, codes: []Code{CodeVolumeNodeAffinityConflict},
			facts: map[string]string{"claims": "data", "nodes": "2", "nodesTotal": "6", "nodeSelector": "node-pool=store"}},
		{fixture: "sched-taint-from-nodes", verdict: VerdictNotReady, codes: []Code{CodeUntoleratedTaint},
			facts: map[string]string{"taint": "node-role.kubernetes.io/infra:NoSchedule", "nodes": "2"}},
		{fixture: "sched-node-selector", verdict: VerdictNotReady, codes: []Code{CodeNodeSelectorMismatch},
			facts: map[string]string{"nodeSelector": "disktype=ssd,kubernetes.io/os=linux", "unmatched": "nodeSelector disktype=ssd"},
			next:  []string{"kubectl get nodes -L disktype"}},
		{fixture: "sched-node-affinity", verdict: VerdictNotReady, codes: []Code{CodeNodeSelectorMismatch},
			facts: map[string]string{"nodeAffinity": "topology.kubernetes.io/zone In [us-east-1z]"}},
		{fixture: "sched-pvc-missing", verdict: VerdictNotReady, codes: []Code{CodePVCNotFound},
			facts: map[string]string{"claim": "data"}, next: []string{"kubectl get pvc -n shop"}},
		{fixture: "sched-pvc-unbound", verdict: VerdictNotReady, codes: []Code{CodePVCUnbound},
			facts:    map[string]string{"claim": "data", "phase": "Pending", "storageClass": "fast"},
			evidence: []string{"unbound immediate PersistentVolumeClaims", `storageclass.storage.k8s.io "fast" not found`},
			next:     []string{"kubectl describe pvc data -n shop"}},
		// kube-scheduler v1.37's message ends in "not found" here: the claim
		// exists, Pending, and that is what must be said.
		{fixture: "sched-pvc-unbound-no-class", verdict: VerdictNotReady, codes: []Code{CodePVCUnbound},
			facts:    map[string]string{"claim": "data", "phase": "Pending", "storageClass": ""},
			evidence: []string{"pod has unbound immediate PersistentVolumeClaims. not found"},
			next:     []string{"kubectl describe pvc data -n shop"}},
		{fixture: "sched-volume-node-affinity", verdict: VerdictNotReady, codes: []Code{CodeVolumeNodeAffinityConflict},
			facts: map[string]string{"claims": "data", "volumes": "pvc-5c1e2f34-9a51-4d0e-8f7a-3b2c1d0e9f8a"}},
		{fixture: "sched-gated", verdict: VerdictNotReady, codes: []Code{CodeSchedulingGated},
			facts: map[string]string{"gates": "example.com/quota-check"}},
		{fixture: "sched-no-verdict", verdict: VerdictNotReady, codes: []Code{CodeNotScheduled},
			facts: map[string]string{"schedulerName": "batch-scheduler"}},
		{fixture: "sched-cordoned", verdict: VerdictNotReady, codes: []Code{CodeNoNodesAvailable}, facts: map[string]string{"nodes": "2", "nodesTotal": "2"}},
		{fixture: "sched-no-nodes", verdict: VerdictNotReady, codes: []Code{CodeNoNodesAvailable}, facts: map[string]string{"nodesTotal": "0"}},

		// Images.
		{fixture: "image-not-found", verdict: VerdictNotReady, codes: []Code{CodeImageNotFound}, container: "app",
			facts:    map[string]string{"image": "registry.example/shop/web:2.0.0", "kind": "notFound", "reason": "ImagePullBackOff"},
			evidence: []string{"status.containerStatuses[app].state.waiting", "event Warning Failed", "registry.example/shop/web:2.0.0: not found"}},
		// Docker Hub's insufficient_scope: a repository that does not exist
		// or is private, most often a typo; not wrong credentials.
		{fixture: "image-auth", verdict: VerdictNotReady, codes: []Code{CodeImageNotFound}, container: "app",
			facts: map[string]string{"kind": "notFoundOrPrivate", "registry": "docker.io", "imagePullSecrets": ""},
			next:  []string{"kubectl get serviceaccount default -n shop"}},
		// The same denial from another registry is about credentials.
		{fixture: "image-denied-private-registry", verdict: VerdictNotReady, codes: []Code{CodeImagePullUnauthorized}, container: "app",
			facts: map[string]string{"kind": "auth", "registry": "registry.example", "imagePullSecrets": ""},
			next:  []string{"kubectl get serviceaccount default -n shop"}},
		{fixture: "image-pull-access-denied", verdict: VerdictNotReady, codes: []Code{CodeImageNotFound}, container: "app",
			facts:    map[string]string{"kind": "notFoundOrPrivate", "image": "acme/billing:3.1", "registry": "docker.io"},
			evidence: []string{"may require 'docker login'"}},
		{fixture: "image-dns-misbehaving", verdict: VerdictNotReady, codes: []Code{CodeImagePullNetworkError},
			facts: map[string]string{"kind": "network", "dnsHost": "registry.internal.example"}, next: []string{"kubectl describe node node-a"}},
		{fixture: "image-disk-full", verdict: VerdictNotReady, codes: []Code{CodeNodeDiskFull}, container: "app",
			facts: map[string]string{"kind": "diskFull", "node": "node-c", "image": "registry.example/shop/web:1.4.2",
				"path": "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/412/fs/usr/lib/x86_64-linux-gnu/libcrypto.so.3"},
			next: []string{"kubectl describe node node-c"}},
		{fixture: "image-two-replicas", verdict: VerdictNotReady, codes: []Code{CodeImageNotFound}, container: "app",
			facts: map[string]string{"kind": "notFound", "reason": "ErrImagePull"}},
		{fixture: "image-auth-secret", verdict: VerdictNotReady, codes: []Code{CodeImagePullUnauthorized}, container: "app",
			facts: map[string]string{"kind": "auth", "registry": "ghcr.io", "imagePullSecrets": "ghcr-creds"},
			next:  []string{"kubectl get secret ghcr-creds -n shop"}},
		{fixture: "image-rate-limit", verdict: VerdictNotReady, codes: []Code{CodeImagePullRateLimited}, facts: map[string]string{"kind": "rateLimit", "image": "nginx:1.27"}},
		{fixture: "image-network", verdict: VerdictNotReady, codes: []Code{CodeImagePullNetworkError}, facts: map[string]string{"kind": "network", "registry": "registry.internal:5000"}},
		// Recorded on the real node of hack/cluster.sh (kubelet v1.37,
		// containerd 2.4, runc 1.1.5): the words come from them, not from us.
		{fixture: "real-image-refused", verdict: VerdictNotReady, codes: []Code{CodeImagePullNetworkError}, container: "app",
			facts: map[string]string{"kind": "network", "registry": "127.0.0.1:1"}, evidence: []string{"connect: connection refused"}},
		{fixture: "real-image-auth-no-credentials", verdict: VerdictNotReady, codes: []Code{CodeImagePullUnauthorized}, container: "app",
			facts: map[string]string{"kind": "auth", "imagePullSecrets": ""}, evidence: []string{"no basic auth credentials"}},
		{fixture: "real-exec-not-found", verdict: VerdictNotReady, codes: []Code{CodeExecutableNotFound}, container: "app",
			facts: map[string]string{"command": "/app/server"}},
		{fixture: "image-platform", verdict: VerdictNotReady, codes: []Code{CodeImagePlatformMismatch}, facts: map[string]string{"kind": "platform"}},
		{fixture: "image-platform-named", verdict: VerdictNotReady, codes: []Code{CodeImagePlatformMismatch}, facts: map[string]string{"kind": "platform"}},
		{fixture: "image-invalid-name", verdict: VerdictNotReady, codes: []Code{CodeInvalidImageName}, facts: map[string]string{"image": "registry.example/Shop/Web:2.0.0"}},
		{fixture: "image-never-pull", verdict: VerdictNotReady, codes: []Code{CodeErrImageNeverPull}, facts: map[string]string{"image": "shop/web:dev"}},
		{fixture: "image-backoff-expired", verdict: VerdictNotReady, codes: []Code{CodeImagePullBackOff, CodeEventsMissing},
			facts: map[string]string{"kind": "unknown", "reason": "ImagePullBackOff"}},

		// Configuration and runtime.
		{fixture: "config-configmap-missing", verdict: VerdictNotReady, codes: []Code{CodeConfigMapNotFound}, container: "app",
			facts: map[string]string{"configMap": "app-config", "usedBy": "env APP_URL"}},
		{fixture: "config-secret-missing", verdict: VerdictNotReady, codes: []Code{CodeSecretNotFound}, facts: map[string]string{"secret": "db-credentials", "usedBy": "envFrom"}},
		{fixture: "config-key-missing", verdict: VerdictNotReady, codes: []Code{CodeConfigKeyNotFound}, facts: map[string]string{"configMap": "app-config", "key": "url"}},
		{fixture: "config-run-as-non-root", verdict: VerdictNotReady, codes: []Code{CodeRunAsNonRootViolation}},
		{fixture: "runtime-exec-not-found", verdict: VerdictNotReady, codes: []Code{CodeExecutableNotFound}, facts: map[string]string{"command": "/app/serve", "reason": "StartError"}},
		{fixture: "runtime-not-in-path", verdict: VerdictNotReady, codes: []Code{CodeExecutableNotFound}, facts: map[string]string{"command": "gunicorn"}},
		{fixture: "runtime-permission", verdict: VerdictNotReady, codes: []Code{CodeExecPermissionDenied}, facts: map[string]string{"command": "/entrypoint.sh"}},
		{fixture: "runtime-exec-format", verdict: VerdictNotReady, codes: []Code{CodeExecFormatError}, container: "worker",
			facts: map[string]string{"nodeArch": "arm64", "exitCode": "1"}, evidence: []string{"logs --previous", "> exec /usr/local/bin/worker: exec format error"}},
		// A missing ConfigMap or Secret is one cause whether an env
		// reference or a volume needs it.
		{fixture: "volume-configmap-missing", verdict: VerdictNotReady, codes: []Code{CodeConfigMapNotFound},
			facts:    map[string]string{"volume": "cfg", "configMap": "web-config", "source": "configMap web-config", "usedBy": "volume cfg"},
			evidence: []string{`MountVolume.SetUp failed for volume "cfg" : configmap "web-config" not found`}},
		{fixture: "volume-secret-missing", verdict: VerdictNotReady, codes: []Code{CodeSecretNotFound},
			facts:    map[string]string{"volume": "tls", "secret": "web-tls", "source": "secret web-tls", "usedBy": "volume tls"},
			evidence: []string{`MountVolume.SetUp failed for volume "tls" : secret "web-tls" not found`}, next: []string{"kubectl get secret -n shop"}},
		// Any other mount failure stays VolumeMountFailed.
		{fixture: "volume-mount-failed", verdict: VerdictNotReady, codes: []Code{CodeVolumeMountFailed},
			facts: map[string]string{"volume": "shared", "source": "nfs 10.0.0.20:/exports/shared"}},
		{fixture: "volume-multi-attach", verdict: VerdictNotReady, codes: []Code{CodeVolumeMultiAttach},
			facts: map[string]string{"volume": "data", "claim": "shared-data", "usedBy": "db-0"}, next: []string{"kubectl get volumeattachment"}},
		{fixture: "volume-attach-failed", verdict: VerdictNotReady, codes: []Code{CodeVolumeAttachFailed},
			facts: map[string]string{"volume": "data", "claim": "data-db-0", "persistentVolume": "pvc-9f8e7d6c-5b4a-4321-9876-543210fedcba"}},
		{fixture: "sandbox-cni", verdict: VerdictNotReady, codes: []Code{CodePodSandboxFailed}, facts: map[string]string{"plugin": "calico", "kind": "network", "node": "node-a"}},
		{fixture: "creating-slow", verdict: VerdictNotReady, codes: []Code{CodeContainerCreatingSlow}, facts: map[string]string{"waiting": "9m"}},
		{fixture: "creating-pulling", verdict: VerdictNotReady, codes: []Code{CodeContainerCreatingSlow}, facts: map[string]string{"image": "registry.example/ml/trainer:5.2"}},
		{fixture: "init-crashloop", verdict: VerdictNotReady, codes: []Code{CodeCrashLoopBackOff}, container: "migrate",
			facts: map[string]string{"init": "true", "exitCode": "1", "restarts": "4"}, evidence: []string{"status.initContainerStatuses[migrate]", "> 2026/03/01 11:58:22 error: dial tcp"},
			next: []string{"kubectl logs web-7d4b9c6f5-x2k9p -c migrate -n shop --previous"}},
		{fixture: "init-image-pull", verdict: VerdictNotReady, codes: []Code{CodeImageNotFound}, container: "wait-db",
			facts: map[string]string{"init": "true", "image": "busybox:1.99"}},
		{fixture: "init-running-long", verdict: VerdictNotReady, codes: []Code{CodeInitContainerBlocked}, container: "wait-db",
			facts: map[string]string{"progress": "0/2", "running": "16m"}},

		// Containers that start and die.
		{fixture: "crash-exit1", verdict: VerdictNotReady, codes: []Code{CodeCrashLoopBackOff}, container: "app",
			facts:    map[string]string{"exitCode": "1", "restarts": "7", "lived": "3s", "reason": "Error"},
			evidence: []string{"lastState.terminated", "event Warning BackOff", "> panic: open /etc/web/config.yaml: no such file or directory"},
			next:     []string{"kubectl logs web-7d4b9c6f5-x2k9p -c app -n shop --previous"}},
		{fixture: "crash-oom", verdict: VerdictNotReady, codes: []Code{CodeOOMKilled},
			facts: map[string]string{"memoryLimit": "256Mi", "exitCode": "137", "signal": "SIGKILL", "restarts": "5", "lived": "42s"}},
		{fixture: "crash-exit0", verdict: VerdictNotReady, codes: []Code{CodeContainerExitedZero}, facts: map[string]string{"exitCode": "0", "restarts": "9"}},
		{fixture: "crash-segfault", verdict: VerdictNotReady, codes: []Code{CodeCrashLoopBackOff}, facts: map[string]string{"exitCode": "139", "signal": "SIGSEGV"}},
		{fixture: "crash-terminated-never", verdict: VerdictNotReady, codes: []Code{CodeContainerTerminated}, facts: map[string]string{"exitCode": "2"},
			next: []string{"kubectl logs report-28473920-vx8cd -c app -n shop"}},
		{fixture: "container-status-unknown", verdict: VerdictNotReady, codes: []Code{CodeContainerStatusUnknown}, facts: map[string]string{"exitCode": "137", "node": "node-a"}},
		{fixture: "flapping", verdict: VerdictReady, codes: []Code{CodeFlapping}, facts: map[string]string{"restarts": "4", "reason": "OOMKilled", "lastRestart": "15m"}},
		// Seed 002: 140 restarts over 46 days, the last one hours ago.
		{fixture: "flapping-steady", verdict: VerdictReady, codes: []Code{CodeFlapping}, facts: map[string]string{"restarts": "140", "exitCode": "2", "lastRestart": "3h"}},

		// Probes.
		{fixture: "probe-liveness", verdict: VerdictNotReady, codes: []Code{CodeLivenessProbeFailed},
			facts:    map[string]string{"probe": "liveness", "probeType": "httpGet", "failureThreshold": "3", "periodSeconds": "10", "lastFailure": "HTTP probe failed with statuscode: 500"},
			evidence: []string{"http-get http://:8080/healthz delay=5s timeout=1s period=10s #success=1 #failure=3", "Container app failed liveness probe, will be restarted"}},
		{fixture: "probe-readiness", verdict: VerdictNotReady, codes: []Code{CodeReadinessProbeFailed},
			facts: map[string]string{"probe": "readiness", "lastFailure": "HTTP probe failed with statuscode: 503"}, evidence: []string{"Readiness probe failed"}},
		{fixture: "probe-readiness-refused", verdict: VerdictNotReady, codes: []Code{CodeReadinessProbeFailed}, facts: map[string]string{"probe": "readiness"}},
		// A startup probe that has not passed within its budget is a
		// start, not a failure: Info, with the time left.
		{fixture: "probe-startup", verdict: VerdictProgressing, codes: []Code{CodeStarting}, container: "app",
			facts:    map[string]string{"probe": "startup", "budget": "5m0s", "failureThreshold": "30", "probeType": "exec", "running": "3m", "left": "2m"},
			evidence: []string{"started=false", "Startup probe failed"}},
		// Past its budget it has failed, events or not (it used to read
		// as "no readiness probe").
		{fixture: "probe-startup-exhausted", verdict: VerdictNotReady, codes: []Code{CodeStartupProbeFailed}, container: "app",
			facts: map[string]string{"probe": "startup", "budget": "1m0s", "failureThreshold": "6", "running": "4m"}},
		{fixture: "readiness-gate", verdict: VerdictNotReady, codes: []Code{CodeReadinessGatePending},
			facts: map[string]string{"gate": "target-health.elbv2.k8s.aws/k8s-shop-web-3f2a1b", "status": "False"}},
		{fixture: "not-ready-no-cause", verdict: VerdictNotReady, codes: []Code{CodeContainerNotReady, CodeEventsMissing}, facts: map[string]string{"probe": "readiness"}},
		{fixture: "events-forbidden", verdict: VerdictNotReady, codes: []Code{CodeContainerNotReady}},

		// Ended or going away.
		{fixture: "evicted-memory", verdict: VerdictNotReady, codes: []Code{CodeEvicted},
			facts: map[string]string{"resource": "memory", "container": "app", "usage": "1843Mi", "request": "256Mi", "node": "node-a"}},
		{fixture: "admission-outofcpu", verdict: VerdictNotReady, codes: []Code{CodeKubeletAdmissionRejected}, facts: map[string]string{"reason": "OutOfcpu", "resource": "cpu"}},
		{fixture: "admission-sysctl", verdict: VerdictNotReady, codes: []Code{CodeSysctlForbidden}, facts: map[string]string{"sysctl": "net.core.somaxconn"}},
		{fixture: "preempted", verdict: VerdictNotReady, codes: []Code{CodePreempted}, facts: map[string]string{"by": "scheduler", "priority": "100"}},
		{fixture: "node-shutdown", verdict: VerdictNotReady, codes: []Code{CodeNodeShutdown, CodeEventsMissing}, facts: map[string]string{"node": "node-a"}},
		{fixture: "stuck-terminating-finalizer", verdict: VerdictNotReady, codes: []Code{CodeStuckTerminating},
			facts: map[string]string{"finalizers": "example.com/drain-connections", "overdue": "20m"}},
		{fixture: "stuck-terminating-completed", verdict: VerdictNotReady, codes: []Code{CodeStuckTerminating},
			facts: map[string]string{"finalizers": "example.com/drain-connections"}},
		{fixture: "terminating", verdict: VerdictProgressing, codes: []Code{CodeTerminating}},
		// --logs could not read the previous log: said, with why.
		{fixture: "crash-logs-gone", verdict: VerdictNotReady, codes: []Code{CodeCrashLoopBackOff}, container: "app",
			evidence: []string{`could not be read: previous terminated container "app"`}},
		// Messages no specific rule names are still said, verbatim, under
		// the generic code of their kind.
		{fixture: "sched-host-port", verdict: VerdictNotReady, codes: []Code{CodeUnschedulable}, evidence: []string{"free ports"}},
		{fixture: "config-other-error", verdict: VerdictNotReady, codes: []Code{CodeCreateContainerConfigError}, container: "app", evidence: []string{"failed to sync configmap cache"}},
		{fixture: "runtime-mount-not-dir", verdict: VerdictNotReady, codes: []Code{CodeRunContainerError}, container: "app", evidence: []string{"not a directory"}},
		{fixture: "stuck-terminating-node-down", verdict: VerdictNotReady, codes: []Code{CodeStuckTerminating, CodeNodeNotReady},
			facts: map[string]string{"node": "node-a", "overdue": "10m"}, next: []string{"kubectl describe node node-a"}},
		{fixture: "node-not-ready", verdict: VerdictNotReady, codes: []Code{CodeNodeNotReady}, facts: map[string]string{"node": "node-a", "condition": "Ready=Unknown"}},
		{fixture: "node-pressure", verdict: VerdictReady, codes: []Code{CodeNodePressure}, facts: map[string]string{"conditions": "MemoryPressure"}},
		{fixture: "completed-under-rs", verdict: VerdictNotReady, codes: []Code{CodeCompletedUnderController}, facts: map[string]string{"owner": "replicaset/web-7d4b9c6f5"}},
		{fixture: "pod-failed-deadline", verdict: VerdictNotReady, codes: []Code{CodePodFailed}, facts: map[string]string{"reason": "DeadlineExceeded"}},

		// Not failures.
		{fixture: "healthy", verdict: VerdictReady, codes: nil},
		{fixture: "job-succeeded", verdict: VerdictReady, codes: nil},
		{fixture: "starting", verdict: VerdictProgressing, codes: []Code{CodeStarting}, facts: map[string]string{"status": "ContainerCreating"}},
		{fixture: "starting-no-events", verdict: VerdictProgressing, codes: []Code{CodeStarting}},
		{fixture: "starting-probe-delay", verdict: VerdictProgressing, codes: []Code{CodeStarting}},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.fixture] = true
		t.Run(tt.fixture, func(t *testing.T) {
			g := loadFixture(t, tt.fixture)
			r := ExplainPod(g, &g.Snap.Pods[0])
			var got []Code
			for _, f := range r.Findings {
				got = append(got, f.Code)
			}
			if !equalCodes(got, tt.codes) {
				t.Fatalf("codes = %v, want %v\n%s", got, tt.codes, renderResult(r))
			}
			if r.Verdict != tt.verdict {
				t.Errorf("verdict = %s, want %s (%s)", r.Verdict, tt.verdict, r.Summary)
			}
			if len(r.Findings) == 0 {
				return
			}
			f := r.Findings[0]
			if f.Object.Kind != KindPod || f.Object.Name != g.Snap.Pods[0].Name {
				t.Errorf("object = %+v, want the pod", f.Object)
			}
			if f.Cause == "" || strings.Contains(f.Cause, "\n") {
				t.Errorf("cause must be one line: %q", f.Cause)
			}
			if tt.container != "" && f.Container != tt.container {
				t.Errorf("container = %q, want %q", f.Container, tt.container)
			}
			for k, want := range tt.facts {
				if got, ok := f.Facts[k]; !ok || got != want {
					t.Errorf("fact %s = %q (present %v), want %q", k, got, ok, want)
				}
			}
			var ev strings.Builder
			for _, e := range f.Evidence {
				ev.WriteString(e.Source + ": " + e.Message + "\n")
			}
			for _, want := range tt.evidence {
				if !strings.Contains(ev.String(), want) {
					t.Errorf("evidence lacks %q:\n%s", want, ev.String())
				}
			}
			for _, want := range tt.next {
				if !strings.Contains(strings.Join(f.Next, "\n"), want) {
					t.Errorf("next lacks %q: %q", want, f.Next)
				}
			}
			if f.Severity != SeverityInfo && len(f.Next) == 0 {
				t.Errorf("finding %s has no next step", f.Code)
			}
		})
	}
	// One fixture, one test: every fixture is asserted here.
	for _, name := range fixtureNames(t) {
		if !covered[name] {
			t.Errorf("fixture %s has no case in TestPodRules", name)
		}
	}
}

func equalCodes(a, b []Code) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPodEvidenceShape checks what every finding of every fixture must
// have: a known code with its severity, evidence with a stable source, and
// event evidence carrying its count and time in their own fields.
func TestPodEvidenceShape(t *testing.T) {
	for _, name := range fixtureNames(t) {
		g := loadFixture(t, name)
		for i := range g.Snap.Pods {
			for _, f := range DiagnosePod(g, &g.Snap.Pods[i]) {
				info, ok := Info(f.Code)
				if !ok {
					t.Errorf("%s: unknown code %s", name, f.Code)
					continue
				}
				if f.Severity != info.Severity {
					t.Errorf("%s: %s has severity %s, the table says %s", name, f.Code, f.Severity, info.Severity)
				}
				quoted := map[string]string{}
				for _, e := range f.Evidence {
					if prev, ok := quoted[e.Message]; ok {
						t.Errorf("%s: %s: %q quoted twice, from %s and %s", name, f.Code, e.Message, prev, e.Source)
					}
					quoted[e.Message] = e.Source
					if strings.HasPrefix(e.Source, "event ") && (e.Count == 0 || e.LastSeen == nil) {
						t.Errorf("%s: %s: event evidence without count or time: %+v", name, f.Code, e)
					}
					if strings.ContainsAny(e.Source, "()") || strings.Contains(e.Source, " ago") {
						t.Errorf("%s: %s: source is not machine-stable: %q", name, f.Code, e.Source)
					}
				}
			}
		}
	}
}
