package explain

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestParseSchedulingMessage(t *testing.T) {
	tests := []struct {
		name    string
		msg     string
		total   int
		noNodes bool
		reasons []schedReason
		preempt string
	}{
		{
			name:  "filter reasons with counts and preemption",
			msg:   "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
			total: 3,
			reasons: []schedReason{
				{1, "Insufficient cpu"},
				{2, "node(s) had untolerated taint {dedicated: gpu}"},
			},
			preempt: "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
		},
		{
			name:    "prefilter reason applies to every node",
			msg:     `0/5 nodes are available: persistentvolumeclaim "data" not found. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.`,
			total:   5,
			reasons: []schedReason{{5, `persistentvolumeclaim "data" not found`}},
			preempt: "preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.",
		},
		{
			name:    "no preemption part",
			msg:     "0/2 nodes are available: 2 node(s) were unschedulable.",
			total:   2,
			reasons: []schedReason{{2, "node(s) were unschedulable"}},
		},
		{
			name:    "old wording for an empty cluster",
			msg:     "no nodes available to schedule pods",
			total:   0,
			noNodes: true,
		},
		{
			name:    "zero nodes",
			msg:     "0/0 nodes are available: . preemption: 0/0 nodes are available",
			total:   0,
			noNodes: true,
			preempt: "preemption: 0/0 nodes are available",
		},
		{
			name:    "pod group preemption",
			msg:     "0/1 nodes are available: 1 Too many pods. pod group preemption: not eligible",
			total:   1,
			reasons: []schedReason{{1, "Too many pods"}},
			preempt: "pod group preemption: not eligible",
		},
		{
			name:    "not the scheduler's format",
			msg:     "binding rejected: running Bind plugin \"DefaultBinder\": pods \"x\" not found",
			total:   -1,
			reasons: []schedReason{{-1, "binding rejected: running Bind plugin \"DefaultBinder\": pods \"x\" not found"}},
		},
		{name: "empty", msg: "", total: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sm := parseSchedulingMessage(tt.msg)
			if sm.Total != tt.total || sm.NoNodes != tt.noNodes {
				t.Errorf("total=%d noNodes=%v, want %d %v", sm.Total, sm.NoNodes, tt.total, tt.noNodes)
			}
			if !reflect.DeepEqual(sm.Reasons, tt.reasons) {
				t.Errorf("reasons = %#v\nwant %#v", sm.Reasons, tt.reasons)
			}
			if sm.Preemption != tt.preempt {
				t.Errorf("preemption = %q, want %q", sm.Preemption, tt.preempt)
			}
		})
	}
}

func TestSchedClass(t *testing.T) {
	tests := []struct {
		reason string
		code   Code
		key    string
	}{
		{"Insufficient cpu", CodeInsufficientResources, "cpu"},
		{"Insufficient nvidia.com/gpu", CodeInsufficientResources, "nvidia.com/gpu"},
		{"Too many pods", CodeInsufficientResources, "pods"},
		{"node(s) had untolerated taint {dedicated: gpu}", CodeUntoleratedTaint, ""},
		{"node(s) had untolerated taint(s)", CodeUntoleratedTaint, ""},
		{"node(s) had taints that the pod didn't tolerate", CodeUntoleratedTaint, ""},
		{"node(s) had untolerated taint {node.kubernetes.io/unschedulable: }", CodeNoNodesAvailable, ""},
		{"node(s) were unschedulable", CodeNoNodesAvailable, ""},
		{"node(s) didn't match Pod's node affinity/selector", CodeNodeSelectorMismatch, ""},
		{"node(s) didn't match node selector", CodeNodeSelectorMismatch, ""},
		{"node(s) had volume node affinity conflict", CodeVolumeNodeAffinityConflict, ""},
		{"node(s) didn't match PersistentVolume's node affinity", CodeVolumeNodeAffinityConflict, ""},
		{`persistentvolumeclaim "data" not found`, CodePVCNotFound, "data"},
		{"pod has unbound immediate PersistentVolumeClaims", CodePVCUnbound, ""},
		{"node(s) didn't find available persistent volumes to bind", CodePVCUnbound, ""},
		{"node(s) didn't have free ports for the requested pod ports", CodeUnschedulable, "node(s) didn't have free ports for the requested pod ports"},
		{"node(s) didn't match pod anti-affinity rules", CodePodAffinityConflict, podAntiAffinity},
		{"node(s) didn't satisfy existing pods anti-affinity rules", CodePodAffinityConflict, podExistingAntiAffinity},
		{"node(s) didn't match pod affinity rules", CodePodAffinityConflict, podAffinityRequired},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			code, key := schedClass(tt.reason)
			if code != tt.code || key != tt.key {
				t.Errorf("schedClass = %s %q, want %s %q", code, key, tt.code, tt.key)
			}
		})
	}
}

func TestClassifyPull(t *testing.T) {
	code := func(msg string) Code { c, _ := classifyPull(msg); return c }
	checkEach(t, "classifyPull", code, []inOut[Code]{
		{`failed to pull and unpack image "registry.example/app:v2": failed to resolve reference "registry.example/app:v2": registry.example/app:v2: not found`, CodeImageNotFound},
		{`Error response from daemon: manifest for nginx:9.9 not found: manifest unknown: manifest unknown`, CodeImageNotFound},
		{`unexpected status from HEAD request to https://r.example/v2/app/manifests/v2: 404 Not Found`, CodeImageNotFound},
		// Docker Hub's answer for a repository that does not exist or is private.
		{`pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`, CodeImageNotFound},
		{`rpc error: code = Unknown desc = Error response from daemon: pull access denied for acme/billing, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`, CodeImageNotFound},
		// The same denial with other words is a credentials problem.
		{`Error response from daemon: pull access denied for public.ecr.aws/acme/api, repository does not exist or may require 'docker login': denied: Your authorization token has expired. Reauthenticate and try again`, CodeImagePullUnauthorized},
		{`failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://ghcr.io/token: 401 Unauthorized`, CodeImagePullUnauthorized},
		{`unexpected status from HEAD request: 403 Forbidden`, CodeImagePullUnauthorized},
		{`failed to fetch anonymous token: authentication required`, CodeImagePullUnauthorized},
		{`toomanyrequests: You have reached your pull rate limit.`, CodeImagePullRateLimited},
		{`unexpected status code https://registry-1.docker.io/v2/library/nginx/manifests/sha256:4c0f: 429 Too Many Requests`, CodeImagePullRateLimited},
		{`dial tcp: lookup registry.internal on 10.96.0.10:53: no such host`, CodeImagePullNetworkError},
		{`dial tcp: lookup registry.example on 10.96.0.10:53: server misbehaving`, CodeImagePullNetworkError},
		{`dial tcp: lookup registry.example: Temporary failure in name resolution`, CodeImagePullNetworkError},
		{`dial tcp 10.0.0.9:443: i/o timeout`, CodeImagePullNetworkError},
		{`dial tcp 10.0.0.9:5000: connect: connection refused`, CodeImagePullNetworkError},
		{`tls: failed to verify certificate: x509: certificate signed by unknown authority`, CodeImagePullNetworkError},
		{`image pull failed for r.example/app:v2 because the registry is unavailable`, CodeImagePullNetworkError},
		{`no matching manifest for linux/arm64/v8 in the manifest list entries`, CodeImagePlatformMismatch},
		{`no match for platform in manifest: not found`, CodeImagePlatformMismatch},
		// The node's disk, not the image.
		{`failed to pull and unpack image "registry.example/shop/web:2.0.0": failed to extract layer sha256:9f1e6b2c: write /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/412/fs/usr/lib/libssl.so.3: no space left on device: unknown`, CodeNodeDiskFull},
		{`something else entirely`, CodeImagePullBackOff},
		// A digest full of digits is not a 404 or a 429.
		{`failed to copy: sha256:4040429401403: unexpected EOF while reading`, CodeImagePullBackOff},
	})
}

func TestNetworkDetailNamesTheDNSHost(t *testing.T) {
	for msg, want := range map[string]string{
		`dial tcp: lookup registry.example on 10.96.0.10:53: server misbehaving`:                                  "DNS lookup of registry.example failed (server misbehaving)",
		`dial tcp: lookup registry.example: Temporary failure in name resolution`:                                 "DNS lookup of registry.example failed (Temporary failure in name resolution)",
		`dial tcp: lookup production.cloudflare.docker.com on 10.96.0.10:53: no such host`:                        "DNS lookup of production.cloudflare.docker.com failed (no such host)",
		`dial tcp: lookup registry.example on 10.96.0.10:53: read udp 10.0.0.5:41234->10.96.0.10:53: i/o timeout`: "DNS lookup of registry.example failed",
	} {
		if got := networkDetail(msg); !strings.Contains(got, want) {
			t.Errorf("networkDetail(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestRegistryOf(t *testing.T) {
	for image, want := range map[string]string{
		"nginx":                          "docker.io",
		"acme/api:1":                     "docker.io",
		"ghcr.io/acme/api:1":             "ghcr.io",
		"localhost/app":                  "localhost",
		"registry.internal:5000/app:1.0": "registry.internal:5000",
		"Upper/Case":                     "(unknown)",
	} {
		if got := registryOf(image); got != want {
			t.Errorf("registryOf(%q) = %q, want %q", image, got, want)
		}
	}
}

// TestSameImage: an event names the image as the kubelet normalized it.
func TestSameImage(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"nginx", "nginx:latest", true},
		{"nginx", "docker.io/library/nginx:latest", true},
		{"acme/api:1", "docker.io/acme/api:1", true},
		{"ghcr.io/acme/api:1", "ghcr.io/acme/api:1", true},
		{"nginx:1.27", "nginx:1.28", false},
		{"acme/nginx", "nginx", false}, // another repository on Docker Hub
		{"ghcr.io/acme/api:1", "docker.io/acme/api:1", false},
	} {
		if got := sameImage(tc.a, tc.b); got != tc.want {
			t.Errorf("sameImage(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestClassifyConfigError(t *testing.T) {
	checkEach(t, "classifyConfigError", classifyConfigError, []inOut[configError]{
		{`configmap "app-config" not found`, configError{Code: CodeConfigMapNotFound, Kind: "ConfigMap", Name: "app-config"}},
		{`secret "db" not found`, configError{Code: CodeSecretNotFound, Kind: "Secret", Name: "db"}},
		{`couldn't find key url in ConfigMap shop/app-config`, configError{Code: CodeConfigKeyNotFound, Kind: "ConfigMap", Name: "app-config", Key: "url"}},
		{`couldn't find key password in Secret shop/db`, configError{Code: CodeConfigKeyNotFound, Kind: "Secret", Name: "db", Key: "password"}},
		{`container has runAsNonRoot and image will run as root (pod: "x_ns(uid)", container: app)`, configError{Code: CodeRunAsNonRootViolation, Reason: "root"}},
		{`container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root (pod: "x", container: app)`, configError{Code: CodeRunAsNonRootViolation, Reason: "nonNumericUser"}},
		{`failed to sync configmap cache: timed out waiting for the condition`, configError{Code: CodeCreateContainerConfigError}},
	})
}

func TestClassifyRuntimeError(t *testing.T) {
	checkEach(t, "classifyRuntimeError", classifyRuntimeError, []inOut[runtimeError]{
		{`runc create failed: unable to start container process: exec: "foo": executable file not found in $PATH: unknown`, runtimeError{CodeExecutableNotFound, "foo"}},
		{"container create failed: executable file `gunicorn` not found in $PATH: No such file or directory", runtimeError{CodeExecutableNotFound, "gunicorn"}},
		{`error during container init: exec: "/app/serve": stat /app/serve: no such file or directory: unknown`, runtimeError{CodeExecutableNotFound, "/app/serve"}},
		{`error during container init: exec: "/entrypoint.sh": permission denied: unknown`, runtimeError{CodeExecPermissionDenied, "/entrypoint.sh"}},
		{`exec /usr/local/bin/app: exec format error`, runtimeError{CodeExecFormatError, "/usr/local/bin/app"}},
		{`failed to create containerd container: mount /data: no space left on device`, runtimeError{CodeRunContainerError, ""}},
		// A missing mount source is not a missing command.
		{`error mounting "/var/lib/kubelet/pods/x/volumes/cfg" to rootfs at "/etc/cfg": no such file or directory`, runtimeError{CodeRunContainerError, ""}},
	})
}

// inOut is one case of a table test: a message and what it should give.
type inOut[T comparable] struct {
	in   string
	want T
}

// checkEach runs f on every case's input as a subtest named by it.
func checkEach[T comparable](t *testing.T, name string, f func(string) T, cases []inOut[T]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			if got := f(tc.in); got != tc.want {
				t.Errorf("%s = %+v, want %+v", name, got, tc.want)
			}
		})
	}
}

func TestReadExit(t *testing.T) {
	tests := []struct {
		code    int32
		reason  string
		always  bool
		signal  string
		meaning string
	}{
		{0, "Completed", true, "", "restartPolicy Always expects it to keep running"},
		{0, "Completed", false, "", "success"},
		{1, "Error", true, "", "an application error"},
		{2, "Error", true, "", "shell builtin"},
		{126, "Error", true, "", "cannot be executed"},
		{127, "Error", true, "", "command not found"},
		{130, "Error", true, "SIGINT", "interrupted"},
		{134, "Error", true, "SIGABRT", "aborted itself"},
		{137, "Error", true, "SIGKILL", "out of memory, a failed liveness probe, or killed when the stop grace period ran out"},
		{137, "OOMKilled", true, "SIGKILL", "OOMKilled (exit code 137)"},
		{139, "Error", true, "SIGSEGV", "segmentation fault"},
		{143, "Error", true, "SIGTERM", "asked it to stop"},
		{129, "Error", true, "SIGHUP", "killed by a signal"},
		{42, "Error", true, "", "only the application defines"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d/%s", tt.code, tt.reason), func(t *testing.T) {
			r := readExit(tt.code, tt.reason, 0, tt.always)
			if r.Signal != tt.signal {
				t.Errorf("exit %d: signal = %q, want %q", tt.code, r.Signal, tt.signal)
			}
			if !strings.Contains(r.Meaning, tt.meaning) {
				t.Errorf("exit %d: meaning %q lacks %q", tt.code, r.Meaning, tt.meaning)
			}
		})
	}
}

func TestMarkLogLines(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", ""},
		{"blank", "\n \n", ""},
		{"go panic", "starting\npanic: boom\n\ngoroutine 1 [running]:\n", "  starting\n> panic: boom\n  \n  goroutine 1 [running]:"},
		{"python", "Traceback (most recent call last):\n  File \"app.py\", line 3\nValueError: bad\n", "> Traceback (most recent call last):\n    File \"app.py\", line 3\n  ValueError: bad"},
		{"java exception", "INFO up\nException in thread \"main\" java.lang.IllegalStateException\n", "  INFO up\n> Exception in thread \"main\" java.lang.IllegalStateException"},
		{"syscall errors", "open /data/db: permission denied\nlisten tcp :8080: bind: address already in use\n", "> open /data/db: permission denied\n> listen tcp :8080: bind: address already in use"},
		{"crlf", "ok\r\nFATAL: no config\r\n", "  ok\n> FATAL: no config"},
		{"level=error", "level=info msg=hi\nlevel=error msg=\"db down\"\n", "  level=info msg=hi\n> level=error msg=\"db down\""},
		{"no false mark on words containing err", "terraform apply\nusers served\n", "  terraform apply\n  users served"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := markLogLines(tt.in); got != tt.want {
				t.Errorf("markLogLines(%q) =\n%s\nwant\n%s", tt.in, got, tt.want)
			}
		})
	}
	t.Run("keeps the last lines", func(t *testing.T) {
		var b strings.Builder
		for i := 0; i < 50; i++ {
			b.WriteString("line\n")
		}
		b.WriteString("fatal: last\n")
		got := strings.Split(markLogLines(b.String()), "\n")
		if len(got) != maxLogLines || got[len(got)-1] != "> fatal: last" {
			t.Errorf("got %d lines ending %q", len(got), got[len(got)-1])
		}
	})
}

func TestDescribeProbe(t *testing.T) {
	svc := "health"
	tests := []struct {
		p    *corev1.Probe
		want string
	}{
		{&corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}, PeriodSeconds: 10, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3},
			"http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3"},
		{&corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromString("http"), Scheme: corev1.URISchemeHTTPS}}, InitialDelaySeconds: 5},
			"http-get https://:http/ready delay=5s timeout=1s period=10s #success=1 #failure=3"},
		{&corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(5432)}}, FailureThreshold: 6, PeriodSeconds: 5},
			"tcp-socket :5432 delay=0s timeout=1s period=5s #success=1 #failure=6"},
		{&corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"cat", "/tmp/ok"}}}},
			"exec [cat /tmp/ok] delay=0s timeout=1s period=10s #success=1 #failure=3"},
		{&corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9000, Service: &svc}}},
			"grpc <pod>:9000 health delay=0s timeout=1s period=10s #success=1 #failure=3"},
	}
	for _, tt := range tests {
		if got := describeProbe(tt.p); got != tt.want {
			t.Errorf("describeProbe = %q, want %q", got, tt.want)
		}
	}
}

func TestProbeHint(t *testing.T) {
	for msg, want := range map[string]string{
		`Get "http://10.0.0.5:8080/healthz": dial tcp 10.0.0.5:8080: connect: connection refused`:                 "nothing listens",
		"HTTP probe failed with statuscode: 503":                                                                  "answers HTTP 503",
		`Get "http://10.0.0.5:8080/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`: "timeoutSeconds",
		"command failed": "",
	} {
		if got := probeHint(msg); (want == "" && got != "") || !strings.Contains(got, want) {
			t.Errorf("probeHint(%q) = %q, want %q", msg, got, want)
		}
	}
}

// TestRankSchedParts: the reason shown first is what blocks the nodes the
// pod may use; a selector or node affinity is first only when it leaves no
// node at all (or nothing else is said).
func TestRankSchedParts(t *testing.T) {
	part := func(code Code, nodes int, exclusion, all bool) schedPart {
		return schedPart{g: &schedGroup{code: code, nodes: nodes}, exclusion: exclusion, excludesAll: all}
	}
	tests := []struct {
		name  string
		parts []schedPart
		want  Code
	}{
		{"memory beside a selector that leaves one node",
			[]schedPart{part(CodeNodeSelectorMismatch, 7, true, false), part(CodeInsufficientResources, 1, false, false)}, CodeInsufficientResources},
		{"cordoned beside a selector",
			[]schedPart{part(CodeNodeSelectorMismatch, 3, true, false), part(CodeNoNodesAvailable, 1, false, false)}, CodeNoNodesAvailable},
		{"a selector no node matches wins over a cordoned node it does not match either",
			[]schedPart{part(CodeNoNodesAvailable, 1, false, false), part(CodeNodeSelectorMismatch, 3, true, true)}, CodeNodeSelectorMismatch},
		{"taints block nodes like a full node does: the larger count first",
			[]schedPart{part(CodeInsufficientResources, 1, false, false), part(CodeUntoleratedTaint, 2, false, false)}, CodeUntoleratedTaint},
		{"the only node the selector allows is tainted",
			[]schedPart{part(CodeNodeSelectorMismatch, 7, true, false), part(CodeUntoleratedTaint, 1, false, false)}, CodeUntoleratedTaint},
		{"a selector alone",
			[]schedPart{part(CodeNodeSelectorMismatch, 3, true, false)}, CodeNodeSelectorMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rankSchedParts(tt.parts)
			if got := tt.parts[0].g.code; got != tt.want {
				t.Errorf("first = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestPodRequest: what the scheduler counts, as component-helpers reckons
// it: app containers plus sidecars, or the largest init container if more,
// plus the overhead; pod-level requests when set.
func TestPodRequest(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	cpu := func(v string) corev1.ResourceRequirements {
		return corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(v)}}
	}
	p := &corev1.Pod{Spec: corev1.PodSpec{
		InitContainers: []corev1.Container{
			{Name: "proxy", Resources: cpu("250m"), RestartPolicy: &always}, // a sidecar: runs beside the app
			{Name: "migrate", Resources: cpu("2")},
		},
		Containers: []corev1.Container{{Name: "app", Resources: cpu("1")}, {Name: "log", Resources: cpu("500m")}},
		Overhead:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")},
	}}
	// max(1 + 0.5 + 0.25, 2 + 0.25) + 0.1
	if got := podRequest(p, corev1.ResourceCPU); got.String() != "2350m" {
		t.Errorf("podRequest = %s, want 2350m", got.String())
	}
	p.Spec.Resources = &corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4")}}
	if got := podRequest(p, corev1.ResourceCPU); got.String() != "4100m" {
		t.Errorf("podRequest with pod-level resources = %s, want 4100m (pod-level plus overhead)", got.String())
	}
}
