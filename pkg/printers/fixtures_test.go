package printers

import (
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
)

// now is the fixed instant every golden file is rendered at.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) *time.Time {
	t := now.Add(-d)
	return &t
}

func ref(kind, ns, name string) explain.Ref {
	return explain.Ref{Kind: kind, Namespace: ns, Name: name}
}

func report(items ...explain.Result) explain.Report {
	return explain.Report{APIVersion: explain.ReportAPIVersion, Kind: explain.ReportKind, Items: items}
}

const (
	imageV2      = "registry.example/shop/web:2.0.0"
	pullBackOff  = `Back-off pulling image "registry.example/shop/web:2.0.0": ErrImagePull: rpc error: code = NotFound desc = failed to pull and unpack image "registry.example/shop/web:2.0.0": failed to resolve reference "registry.example/shop/web:2.0.0": registry.example/shop/web:2.0.0: not found`
	pullFailed   = `Failed to pull image "registry.example/shop/web:2.0.0": rpc error: code = NotFound desc = failed to pull and unpack image "registry.example/shop/web:2.0.0": failed to resolve reference "registry.example/shop/web:2.0.0": registry.example/shop/web:2.0.0: not found`
	notFoundWhy  = "image registry.example/shop/web:2.0.0 does not exist: the tag or repository name is wrong, or it was never pushed"
	nodesDenied  = `nodes were not checked (node conditions, taints and allocatable are missing): nodes is forbidden: User "dev" cannot list resource "nodes" in API group "" at the cluster scope`
	crashWhy     = "container app keeps crashing (7 restarts): the last run ended after 3s with exit code 1, an application error: its logs say why"
	crashWaiting = "CrashLoopBackOff: back-off 5m0s restarting failed container=app pod=web-7d4b9c6f5-x2k9p_shop(46b52544-6880-4f9e-0c4c-118d188681b2)"
)

// notReadyDeployment is a rollout to an image that does not exist: two new
// pods grouped under one finding, the old revision still serving, the
// progress deadline passed, and nodes not readable.
func notReadyDeployment() explain.Result {
	return explain.Result{
		Target:  ref(explain.KindDeployment, "shop", "web"),
		Verdict: explain.VerdictNotReady,
		Ready:   "1/3",
		Summary: "rollout to revision 4 failed (no progress within 600s); 1 pod of the previous revision still serves: 2 pods: " + notFoundWhy,
		Findings: []explain.Finding{
			{
				Code:      explain.CodeImageNotFound,
				Severity:  explain.SeverityError,
				Object:    ref(explain.KindReplicaSet, "shop", "web-6b8f7d9c4"),
				Container: "app",
				Cause:     notFoundWhy,
				Evidence: []explain.Evidence{
					{Source: "status.containerStatuses[app].state.waiting", Message: "ImagePullBackOff: " + pullBackOff},
					{Source: "event Warning Failed", Message: pullFailed, Count: 12, FirstSeen: ago(9 * time.Minute), LastSeen: ago(40 * time.Second)},
				},
				Next:  []string{"kubectl describe pod web-6b8f7d9c4-q7m2z -n shop", "kubectl set image deployment/web app=IMAGE -n shop"},
				Pods:  []string{"web-6b8f7d9c4-q7m2z", "web-6b8f7d9c4-r4t8n"},
				Count: 2,
				Facts: map[string]string{"image": imageV2, "kind": "notFound", "reason": "ImagePullBackOff", "registry": "registry.example"},
			},
			{
				Code:     explain.CodeProgressDeadlineExceeded,
				Severity: explain.SeverityError,
				Object:   ref(explain.KindDeployment, "shop", "web"),
				Cause:    "the rollout to revision 4 passed its progress deadline (600s); revision 3 still serves 1 pod",
				Evidence: []explain.Evidence{
					{Source: "status.conditions[Progressing]", Message: `False: ProgressDeadlineExceeded: ReplicaSet "web-6b8f7d9c4" has timed out progressing.`},
				},
				Next: []string{"kubectl rollout undo deployment/web -n shop", "kubectl describe pod web-6b8f7d9c4-q7m2z -n shop"},
			},
		},
		Notes: []string{"events older than 1h have expired (kube-apiserver --event-ttl): earlier failures may not be shown"},
		Tree: &explain.Node{
			Ref: ref(explain.KindDeployment, "shop", "web"), Status: "1/3 ready",
			Children: []*explain.Node{
				{
					Ref: ref(explain.KindReplicaSet, "shop", "web-6b8f7d9c4"), Status: "0/2 ready", Note: "revision 4",
					Children: []*explain.Node{
						{Ref: ref(explain.KindPod, "shop", "web-6b8f7d9c4-q7m2z"), Status: "ImagePullBackOff"},
						{Ref: ref(explain.KindPod, "shop", "web-6b8f7d9c4-r4t8n"), Status: "ErrImagePull"},
					},
				},
				{
					Ref: ref(explain.KindReplicaSet, "shop", "web-7d4b9c6f5"), Status: "1/1 ready", Ready: true, Note: "revision 3",
					Children: []*explain.Node{
						{Ref: ref(explain.KindPod, "shop", "web-7d4b9c6f5-x2k9p"), Status: "Running", Ready: true},
					},
				},
			},
		},
		NodeName: "",
		Restarts: 0,
		Created:  now.Add(-26 * time.Hour),
	}
}

func readyDeployment() explain.Result {
	pods := []*explain.Node{}
	for _, n := range []string{"api-5f7c8d9b6-2xkqp", "api-5f7c8d9b6-9wz4m", "api-5f7c8d9b6-tq8rn"} {
		pods = append(pods, &explain.Node{Ref: ref(explain.KindPod, "shop", n), Status: "Running", Ready: true})
	}
	return explain.Result{
		Target:  ref(explain.KindDeployment, "shop", "api"),
		Verdict: explain.VerdictReady,
		Ready:   "3/3",
		Summary: "3/3 ready",
		Tree: &explain.Node{
			Ref: ref(explain.KindDeployment, "shop", "api"), Status: "3/3 ready", Ready: true,
			Children: []*explain.Node{
				{Ref: ref(explain.KindReplicaSet, "shop", "api-5f7c8d9b6"), Status: "3/3 ready", Ready: true, Note: "revision 7", Children: pods},
			},
		},
		Created: now.Add(-9 * 24 * time.Hour),
	}
}

func progressingDeployment() explain.Result {
	return explain.Result{
		Target:  ref(explain.KindDeployment, "payments", "checkout"),
		Verdict: explain.VerdictProgressing,
		Ready:   "2/3",
		Summary: "2/3 ready, rollout in progress",
		Findings: []explain.Finding{{
			Code:     explain.CodeRolloutInProgress,
			Severity: explain.SeverityInfo,
			Object:   ref(explain.KindDeployment, "payments", "checkout"),
			Cause:    "the rollout to revision 5 is under way: 1 of 3 pods updated, the new pods are starting normally",
			Evidence: []explain.Evidence{
				{Source: "status.conditions[Progressing]", Message: `True: ReplicaSetUpdated: ReplicaSet "checkout-84c9f6d7b5" is progressing.`},
				{Source: "event Normal ScalingReplicaSet", Message: "Scaled up replica set checkout-84c9f6d7b5 from 0 to 1", Count: 1, LastSeen: ago(25 * time.Second)},
			},
			Next: []string{"kubectl rollout status deployment/checkout -n payments"},
		}},
		Tree: &explain.Node{
			Ref: ref(explain.KindDeployment, "payments", "checkout"), Status: "2/3 ready",
			Children: []*explain.Node{
				{
					Ref: ref(explain.KindReplicaSet, "payments", "checkout-84c9f6d7b5"), Status: "0/1 ready", Note: "revision 5",
					Children: []*explain.Node{
						{Ref: ref(explain.KindPod, "payments", "checkout-84c9f6d7b5-h2v9c"), Status: "ContainerCreating"},
					},
				},
				{
					Ref: ref(explain.KindReplicaSet, "payments", "checkout-6d5b7c8f94"), Status: "2/2 ready", Ready: true, Note: "revision 4",
					Children: []*explain.Node{
						{Ref: ref(explain.KindPod, "payments", "checkout-6d5b7c8f94-7kq2s"), Status: "Running", Ready: true},
						{Ref: ref(explain.KindPod, "payments", "checkout-6d5b7c8f94-m8x4w"), Status: "Running", Ready: true},
					},
				},
			},
		},
		Created: now.Add(-3*time.Hour - 12*time.Minute),
	}
}

// crashLoopPod is a pod asked about by name: its owner chain, a crash loop
// with the --previous log tail, and the pod as a one-node tree.
func crashLoopPod() explain.Result {
	return explain.Result{
		Target:  ref(explain.KindPod, "shop", "web-7d4b9c6f5-x2k9p"),
		Verdict: explain.VerdictNotReady,
		Ready:   "0/1",
		Summary: crashWhy,
		Owners:  []string{"replicaset/web-7d4b9c6f5 (revision 3)", "deployment/web"},
		Findings: []explain.Finding{{
			Code:      explain.CodeCrashLoopBackOff,
			Severity:  explain.SeverityError,
			Object:    ref(explain.KindPod, "shop", "web-7d4b9c6f5-x2k9p"),
			Container: "app",
			Cause:     crashWhy,
			Evidence: []explain.Evidence{
				{Source: "status.containerStatuses[app].state.waiting", Message: crashWaiting},
				{Source: "status.containerStatuses[app].lastState.terminated", Message: "reason=Error exitCode=1 startedAt=2026-03-01T11:58:57Z finishedAt=2026-03-01T11:59:00Z"},
				{Source: "event Warning BackOff", Message: "Back-off restarting failed container app in pod web-7d4b9c6f5-x2k9p_shop(46b52544-6880-4f9e-0c4c-118d188681b2)", Count: 31, LastSeen: ago(0)},
				{Source: "logs --previous", Message: "  2026-03-01T11:58:55Z INFO starting web 1.4.2\n  2026-03-01T11:58:55Z INFO loading config from /etc/web/config.yaml\n> panic: open /etc/web/config.yaml: no such file or directory"},
			},
			Next:  []string{"kubectl logs web-7d4b9c6f5-x2k9p -c app -n shop --previous", "kubectl describe pod web-7d4b9c6f5-x2k9p -n shop"},
			Facts: map[string]string{"exitCode": "1", "lived": "3s", "reason": "Error", "restarts": "7"},
		}},
		Tree:     &explain.Node{Ref: ref(explain.KindPod, "shop", "web-7d4b9c6f5-x2k9p"), Status: "CrashLoopBackOff"},
		NodeName: "worker-2",
		Restarts: 7,
		Created:  now.Add(-17 * time.Minute),
	}
}

func flappingPod() explain.Result {
	why := "container worker is unstable: it restarted 4 times, the last 15m ago with OOMKilled (exit code 137): the kernel killed it for using more memory than its limit"
	return explain.Result{
		Target:  ref(explain.KindPod, "batch", "queue-worker-0"),
		Verdict: explain.VerdictReady,
		Ready:   "1/1",
		Summary: "Ready, but " + why,
		Findings: []explain.Finding{{
			Code: explain.CodeFlapping, Severity: explain.SeverityWarning, Container: "worker",
			Object: ref(explain.KindPod, "batch", "queue-worker-0"), Cause: why,
			Evidence: []explain.Evidence{{Source: "status.containerStatuses[worker].lastState.terminated", Message: "reason=OOMKilled exitCode=137 startedAt=2026-03-01T11:13:00Z finishedAt=2026-03-01T11:44:58Z"}},
		}},
		NodeName: "worker-1",
		Restarts: 4,
		Flapping: true,
		Created:  now.Add(-50 * time.Hour),
	}
}

func forbiddenStatefulSet() explain.Result {
	return explain.Result{
		Target:  ref(explain.KindStatefulSet, "data", "postgres"),
		Verdict: explain.VerdictUnknown,
		Ready:   "2/2",
		Summary: `pods could not be read: pods is forbidden: User "dev" cannot list resource "pods" in API group "" in the namespace "data"`,
		Findings: []explain.Finding{{
			Code: explain.CodeAccessForbidden, Severity: explain.SeverityWarning,
			Object:   ref(explain.KindStatefulSet, "data", "postgres"),
			Cause:    "pods could not be read, so readiness cannot be confirmed",
			Evidence: []explain.Evidence{{Source: "list pods", Message: `pods is forbidden: User "dev" cannot list resource "pods" in API group "" in the namespace "data"`}},
			Next:     []string{"kubectl why --print-rbac"},
		}},
		Created: now.Add(-400 * 24 * time.Hour),
	}
}

func scaledToZero() explain.Result {
	return explain.Result{
		Target:  ref(explain.KindDeployment, "shop", "legacy-cron"),
		Verdict: explain.VerdictReady,
		Ready:   "0/0",
		Summary: "scaled to zero",
		Created: now.Add(-90 * time.Second),
	}
}

// manyRows is what -A or --failing=false shows: every verdict, a flapping
// pod, a forbidden read, a summary long enough to be cut.
func manyRows() explain.Report {
	rep := report(readyDeployment(), notReadyDeployment(), scaledToZero(), crashLoopPod(), flappingPod(), progressingDeployment(), forbiddenStatefulSet())
	rep.Notes = []string{nodesDenied}
	return rep
}
