package explain

import (
	"encoding/json"
	"testing"

	"github.com/kubectl-why/kubectl-why/pkg/graph"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// fuzzSnap is the fuzzed input: the objects the pod rules read.
type fuzzSnap struct {
	Pods   []corev1.Pod                   `json:"pods,omitempty"`
	Events []corev1.Event                 `json:"events,omitempty"`
	Nodes  []corev1.Node                  `json:"nodes,omitempty"`
	PVCs   []corev1.PersistentVolumeClaim `json:"pvcs,omitempty"`
	Logs   map[string]string              `json:"logs,omitempty"`
}

// Injection sites, chosen by the bits of the fuzzed mode.
const (
	injectPodStatus = 1 << iota
	injectWaiting
	injectLastState
	injectConditions
	injectEvents
	injectLogs
	injectCurrentTerminated
)

// FuzzDiagnosePod feeds pod status and events, seeded with every fixture
// of testdata/pods, to the pod rules. Messages, reasons and exit codes are
// also fuzzed directly into the fields the rules parse. The rules must
// never panic, and every finding must carry a known code and a cause.
func FuzzDiagnosePod(f *testing.F) {
	for _, name := range fixtureNames(f) {
		g := loadFixture(f, name)
		s := g.Snap
		data, err := json.Marshal(fuzzSnap{Pods: s.Pods, Events: s.Events, Nodes: s.Nodes, PVCs: s.PVCs, Logs: s.Logs})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "", "", int32(0), int32(0), uint8(0))
	}
	seed, _ := json.Marshal(fuzzSnap{Pods: []corev1.Pod{{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "u"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "x"}}},
		Status:     corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{{Name: "app"}}},
	}}})
	for _, s := range []struct {
		msg, reason string
		code        int32
		mode        uint8
	}{
		{"0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {a: b}. preemption: x", "Unschedulable", 0, injectConditions | injectEvents},
		{`Failed to pull image "x": toomanyrequests`, "ImagePullBackOff", 0, injectWaiting | injectEvents},
		{`couldn't find key k in ConfigMap ns/cm`, "CreateContainerConfigError", 0, injectWaiting},
		{`exec: "x": executable file not found in $PATH`, "StartError", 128, injectLastState | injectWaiting},
		{"The node was low on resource: memory. Container app was using 1Gi, request is 1Mi, has larger consumption of memory. ", "Evicted", 137, injectPodStatus},
		{`MountVolume.SetUp failed for volume "v" : secret "s" not found`, "FailedMount", 0, injectEvents},
		{"panic: x\nfatal error", "OOMKilled", 137, injectLastState | injectLogs | injectCurrentTerminated},
	} {
		f.Add(seed, s.msg, s.reason, s.code, int32(3), s.mode)
	}

	f.Fuzz(func(t *testing.T, data []byte, msg, reason string, exitCode, restarts int32, mode uint8) {
		// Pure parsers first: any string at all.
		parseSchedulingMessage(msg)
		schedClass(msg)
		classifyPull(msg)
		classifyConfigError(msg)
		classifyRuntimeError(msg)
		markLogLines(msg)
		probeFailure(msg)
		probeHint(msg)
		readExit(exitCode, reason, restarts, mode&1 == 0)

		var in fuzzSnap
		if err := json.Unmarshal(data, &in); err != nil {
			return
		}
		if len(in.Pods) > 8 || len(in.Events) > 64 || len(in.Nodes) > 16 {
			return // keep each run fast; size is not what is fuzzed
		}
		inject(&in, msg, reason, exitCode, restarts, mode)
		s := &graph.Snapshot{Pods: in.Pods, Events: in.Events, Nodes: in.Nodes, PVCs: in.PVCs, Logs: in.Logs, Now: fixtureNow}
		for _, res := range []string{graph.ResPods, graph.ResEvents, graph.ResPVCs} {
			s.MarkCollected(res)
		}
		if len(s.Nodes) > 0 || mode&0x80 != 0 {
			s.MarkCollected(graph.ResNodes)
		}
		g := graph.New(s)
		for i := range s.Pods {
			r := ExplainPod(g, &s.Pods[i])
			switch r.Verdict {
			case VerdictReady, VerdictNotReady, VerdictProgressing, VerdictUnknown:
			default:
				t.Fatalf("verdict %q", r.Verdict)
			}
			for _, fd := range r.Findings {
				if _, ok := Info(fd.Code); !ok {
					t.Fatalf("unknown code %q", fd.Code)
				}
				if fd.Cause == "" {
					t.Fatalf("finding %s without a cause", fd.Code)
				}
			}
			if _, err := json.Marshal(r); err != nil {
				t.Fatalf("marshal result: %v", err)
			}
		}
	})
}

// inject writes the fuzzed strings into the fields the rules parse.
func inject(in *fuzzSnap, msg, reason string, code, restarts int32, mode uint8) {
	for i := range in.Pods {
		p := &in.Pods[i]
		if mode&injectPodStatus != 0 {
			p.Status.Reason, p.Status.Message = reason, msg
		}
		if mode&injectConditions != 0 {
			for j := range p.Status.Conditions {
				p.Status.Conditions[j].Message = msg
				if reason != "" {
					p.Status.Conditions[j].Reason = reason
				}
			}
		}
		for _, ss := range [][]corev1.ContainerStatus{p.Status.ContainerStatuses, p.Status.InitContainerStatuses} {
			for j := range ss {
				cs := &ss[j]
				cs.RestartCount = restarts
				if mode&injectWaiting != 0 {
					cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}
				}
				if mode&injectCurrentTerminated != 0 {
					cs.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: reason, Message: msg, ExitCode: code}}
				}
				if mode&injectLastState != 0 {
					cs.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{Reason: reason, Message: msg, ExitCode: code}
				}
				if mode&injectLogs != 0 {
					if in.Logs == nil {
						in.Logs = map[string]string{}
					}
					in.Logs[p.Namespace+"/"+p.Name+"/"+cs.Name] = msg
				}
			}
		}
	}
	if mode&injectEvents != 0 {
		for i := range in.Events {
			in.Events[i].Message = msg
			if reason != "" {
				in.Events[i].Reason = reason
			}
		}
	}
}
