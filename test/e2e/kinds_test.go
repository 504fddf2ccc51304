//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
)

// DaemonSets, Jobs and CronJobs, driven by kube-controller-manager's own
// daemonset, job and cronjob controllers (hack/cluster.sh runs it with
// --controllers '*', which includes all three), and the TYPE forms kubectl
// accepts, live and with -f.

// daemonset renders a DaemonSet kept on the kwok nodes (label type=kwok).
func daemonset(name, image, containerExtra string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: %[1]s
spec:
  selector:
    matchLabels: {app: %[1]s}
  template:
    metadata:
      labels: {app: %[1]s}
    spec:
      nodeSelector: {type: kwok}
      containers:
      - name: %[1]s
        image: %[2]s
%[3]s`, name, image, containerExtra)
}

// failingJob renders a Job whose pods fail with exit code 3 (kwok's
// exit-error fault); indent shifts it under a CronJob's jobTemplate.
func failingJob(backoffLimit int, indent string) string {
	s := fmt.Sprintf(`backoffLimit: %d
template:
  metadata:
    annotations: {why.test/fault: exit-error, why.test/exit-code: "3"}
  spec:
    restartPolicy: Never
    containers:
    - name: task
      image: registry.example/task:v1
`, backoffLimit)
	return indent + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+indent) + "\n"
}

func TestDaemonSetFailingOnOneNode(t *testing.T) {
	ns := setup(t)
	// Another pod holds the DaemonSet's host port on kwok-node-1 only: the
	// real scheduler cannot place its pod there.
	apply(t, ns, `apiVersion: v1
kind: Pod
metadata:
  name: port-holder
spec:
  nodeName: kwok-node-1
  containers:
  - name: app
    image: nginx:1.27
    ports: [{containerPort: 9137, hostPort: 9137}]
`)
	apply(t, ns, daemonset("agent", "registry.example/agent:v1", "        ports: [{containerPort: 9137, hostPort: 9137}]\n"))
	r := waitCode(t, 90*time.Second, explain.CodeDaemonPodFailingOnNode, "ds/agent", ns)
	if r.Code != 2 {
		t.Errorf("exit code = %d, want 2 (NotReady)", r.Code)
	}
	f := finding(t, r, explain.CodeDaemonPodFailingOnNode)
	if f.Facts["nodes"] != "kwok-node-1" || !strings.Contains(f.Cause, "node kwok-node-1") {
		t.Errorf("want the one failing node named, got %q (facts %v)", f.Cause, f.Facts)
	}
	if !strings.Contains(f.Cause, "host port") {
		t.Errorf("want the pod's own cause (the host port is taken) in %q", f.Cause)
	}
	if rep := decode(t, r); rep.Items[0].Findings[0].Code != explain.CodeDaemonPodFailingOnNode {
		t.Errorf("want the node named first, got %s", rep.Items[0].Findings[0].Code)
	}
}

func TestJobBackoffLimitExceeded(t *testing.T) {
	ns := setup(t, "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\nspec:\n"+failingJob(1, "  "))
	r := waitCode(t, 120*time.Second, explain.CodeBackoffLimitExceeded, "job/migrate", ns)
	if r.Code != 2 {
		t.Errorf("exit code = %d, want 2", r.Code)
	}
	f := finding(t, r, explain.CodeBackoffLimitExceeded)
	if f.Facts["failed"] != "2" || f.Facts["lastFailedPod"] == "" {
		t.Errorf("want 2 failures against backoffLimit 1 and the last failed pod, got %v", f.Facts)
	}
	if !strings.Contains(f.Cause, "exit code 3") {
		t.Errorf("want the last pod's own cause (exit code 3) in %q", f.Cause)
	}
	wantEvidence(t, r, "Job has reached the specified backoff limit", "the job controller's condition message")
	if !hasCode(t, r, explain.CodeContainerTerminated) {
		t.Errorf("the last failed pod's finding is the cause, not a leftover:\n%s", r.Stdout)
	}
}

func TestCronJobLastRunFailed(t *testing.T) {
	ns := setup(t, `apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
`+failingJob(0, "      "))
	// The controller starts a Job on the next minute.
	r := waitCode(t, 150*time.Second, explain.CodeCronJobLastRunFailed, "cj/backup", ns)
	if r.Code != 2 {
		t.Errorf("exit code = %d, want 2", r.Code)
	}
	f := finding(t, r, explain.CodeCronJobLastRunFailed)
	job := f.Facts["job"]
	if !strings.HasPrefix(job, "backup-") || !strings.Contains(f.Cause, "job/"+job) {
		t.Errorf("want the Job that failed named, got %q (facts %v)", f.Cause, f.Facts)
	}
	if f.Facts["reason"] != string(explain.CodeBackoffLimitExceeded) || !strings.Contains(f.Cause, "exit code 3") {
		t.Errorf("want why it failed (BackoffLimitExceeded, exit code 3) in %q (facts %v)", f.Cause, f.Facts)
	}
}

// TestResolutionForms runs the TYPE forms kubectl accepts against the
// cluster and against the same objects saved with kubectl get -o yaml.
func TestResolutionForms(t *testing.T) {
	ns := setup(t,
		deployment("web", "nginx:1.27", 1, nil, ""),
		job("once", "task", "registry.example/task:v1"),
		job("x", "task", "registry.example/task:v1"),
		`apiVersion: batch/v1
kind: CronJob
metadata:
  name: x
spec:
  schedule: "0 3 * * *"
  suspend: true
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: task, image: registry.example/task:v1}]
`,
		daemonset("x", "registry.example/agent:v1", ""),
	)
	waitWhy(t, 120*time.Second, "everything Ready", func(r result) bool {
		return r.Code == 0 && strings.Count(r.Stdout, "Ready")+strings.Count(r.Stdout, "Completed") >= 5
	},
		"all", "-n", ns)

	dump := filepath.Join(t.TempDir(), "state.yaml")
	saved := kubectl(t, "", "get", "deploy,rs,ds,jobs,cronjobs,pods,events", "-n", ns, "-o", "yaml")
	if err := os.WriteFile(dump, []byte(saved), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want []string // targets, kind/name
	}{
		{[]string{"deployment.v1.apps/web"}, []string{"Deployment/web"}},
		{[]string{"deployments.apps", "web"}, []string{"Deployment/web"}},
		{[]string{"deploy,job", "web", "once"}, []string{"Deployment/web", "Job/once"}},
		{[]string{"ds/x"}, []string{"DaemonSet/x"}},
		{[]string{"job/x"}, []string{"Job/x"}},
		{[]string{"cj/x"}, []string{"CronJob/x"}},
		{[]string{"all"}, []string{"Deployment/web", "DaemonSet/x", "Job/once", "Job/x", "CronJob/x"}},
	} {
		for _, offline := range []bool{false, true} {
			args := append(append([]string(nil), tc.args...), "-n", ns, "-o", "json")
			name := strings.Join(tc.args, " ")
			if offline {
				args = append(args, "-f", dump)
				name += " -f"
			}
			t.Run(name, func(t *testing.T) {
				r := why(t, args...)
				if r.Code != 0 {
					t.Fatalf("exit code = %d, want 0 (all Ready):\n%s", r.Code, r)
				}
				var got []string
				for _, it := range decode(t, r).Items {
					got = append(got, it.Target.Kind+"/"+it.Target.Name)
				}
				for _, w := range tc.want {
					if !strings.Contains(strings.Join(got, " "), w) {
						t.Errorf("targets %v lack %s", got, w)
					}
				}
				if len(got) != len(tc.want) {
					t.Errorf("targets %v, want exactly %v", got, tc.want)
				}
			})
		}
	}
	// A kind kubectl why does not explain: one line naming those it does.
	r := why(t, "svc/x", "-n", ns)
	if r.Code != 1 || !strings.Contains(r.Stderr, "is not supported: kubectl why explains pod (po), deployment (deploy)") {
		t.Errorf("want one line naming the accepted kinds, exit 1:\n%s", r)
	}
}
