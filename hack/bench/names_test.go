package main

import "testing"

func TestCountNamed(t *testing.T) {
	truth := []PodTruth{
		{Namespace: "a", Name: "fail-crashloop-001-5d9c7b-abcde", ReplicaSet: "fail-crashloop-001-5d9c7b", Deployment: "fail-crashloop-001", Failing: true},
		{Namespace: "a", Name: "fail-crashloop-001-5d9c7b-fghij", ReplicaSet: "fail-crashloop-001-5d9c7b", Deployment: "fail-crashloop-001", Failing: true},
		{Namespace: "a", Name: "one-6d94fc8985-gpbkj", ReplicaSet: "one-6d94fc8985", Deployment: "one", Failing: true},
		{Namespace: "a", Name: "app-0000-9bbd67849-25qrh", ReplicaSet: "app-0000-9bbd67849", Deployment: "app-0000"},
		{Namespace: "a", Name: "app-0000-9bbd67849-4sfhx", ReplicaSet: "app-0000-9bbd67849", Deployment: "app-0000"},
		{Namespace: "b", Name: "fail-oomkilled-002-77f-xyz12", ReplicaSet: "fail-oomkilled-002-77f", Deployment: "fail-oomkilled-002", Failing: true},
	}
	tests := []struct {
		name, tool, scope, out string
		want                   Named
	}{
		{name: "pods by name", tool: "why", out: "a  pod/fail-crashloop-001-5d9c7b-abcde  CrashLoop\nb  fail-oomkilled-002-77f-xyz12 OOMKilled\n",
			want: Named{FailingNamed: 2, FailingTotal: 4}},
		{name: "a deployment names all its pods", tool: "k8sgpt", out: "0: Deployment a/fail-crashloop-001(fail-crashloop-001)\n",
			want: Named{FailingNamed: 2, FailingTotal: 4}},
		{name: "a healthy pod and a healthy deployment are false alarms", tool: "why", out: "app-0000-9bbd67849-25qrh\napp-0000\n",
			want: Named{FailingTotal: 4, FalseAlarms: 2}},
		{name: "a namespace scope", tool: "why", scope: "b", out: "fail-oomkilled-002-77f-xyz12\nfail-crashloop-001-5d9c7b-abcde",
			want: Named{FailingNamed: 1, FailingTotal: 1}},
		{name: "a deployment scope", tool: "why", scope: "a/one", out: "deploy/one: 0/1 ready", want: Named{FailingNamed: 1, FailingTotal: 1}},
		{name: "kubectl-status: only objects not Current", tool: "kubectl-status",
			out: "Pod/app-0000-9bbd67849-25qrh -n a, created 4m ago by ReplicaSet/app-0000-9bbd67849, gen:1\n  Current: Pod is Ready\n" +
				"Pod/one-6d94fc8985-gpbkj -n a, created 4m ago by ReplicaSet/one-6d94fc8985, gen:1\n  \x1b[31mFailed\x1b[0m: Containers in CrashLoop state: app\n",
			want: Named{FailingNamed: 1, FailingTotal: 4}},
		{name: "why's table without --failing: Ready rows name nothing", tool: "why", scope: "a",
			out: "NAMESPACE   OBJECT                                  READY   STATUS     CAUSE              DETAIL    AGE\n" +
				"a           pod/app-0000-9bbd67849-25qrh            1/1     Ready      <none>             ready     5m\n" +
				"a           pod/one-6d94fc8985-gpbkj                0/1     NotReady   CrashLoopBackOff   crashes   5m\n",
			want: Named{FailingNamed: 1, FailingTotal: 3}},
		// As kube-health printed them on the test cluster (colors and all).
		{name: "kube-health: only objects not Ok", tool: "kube-health", scope: "a",
			out: "OBJECT           CONDITION                       AGE    REASON\n" +
				"Unknown a/Pod/one-6d94fc8985-gpbkj\n\x1b[32mOk\x1b[0m a/Pod/app-0000-9bbd67849-25qrh\n" +
				"\x1b[33mProgressing\x1b[0m a/Deployment/fail-crashloop-001\n│                \x1b[31mAvailable\x1b[0m   21s    MinimumReplicasUnavailable\n" +
				"│                  ReplicaSet \"app-0000-9bbd67849\" is progressing.\n└─ \x1b[31mError\x1b[0m ReplicaSet/fail-crashloop-001-5d9c7b\n",
			want: Named{FailingNamed: 3, FailingTotal: 3}},
		{name: "popeye: only pods marked as errors", tool: "popeye",
			out: "  · \x1b[38;5;196ma/one-6d94fc8985-gpbkj\x1b[0m\x1b[38;5;250m......\x1b[0m💥\n    💥 [POP-207] Pod is in an unhappy phase (Pending).\n" +
				"    😱 [POP-300] Uses \"default\" ServiceAccount.\n  · a/app-0000-9bbd67849-25qrh.........😱\n    😱 [POP-302] Pod could be running as root user.\n",
			want: Named{FailingNamed: 1, FailingTotal: 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CountNamed(tc.tool, tc.out, tc.scope, truth); got != tc.want {
				t.Errorf("CountNamed = %+v, want %+v", got, tc.want)
			}
		})
	}
}
