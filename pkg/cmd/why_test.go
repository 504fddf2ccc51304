package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// run executes the command end to end against a fake clientset, as
// stern's cmd_test does with SetArgs and test streams.
func run(t *testing.T, cs kubernetes.Interface, args ...string) (string, string, error) {
	t.Helper()
	return runAt(t, now, func() (kubernetes.Interface, string, error) { return cs, "https://fake", nil }, args...)
}

// runAt executes the command with the clock at at and newClient for the
// API client.
func runAt(t *testing.T, at time.Time, newClient func() (kubernetes.Interface, string, error), args ...string) (string, string, error) {
	t.Helper()
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	flags := NewWhyFlags(streams)
	flags.now, flags.newClient = func() time.Time { return at }, newClient
	cmd := newCmdWhy(flags)
	cmd.SilenceErrors = true
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func exitCode(err error) int {
	var e *ExitCodeError
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return ExitError
	}
	return ExitReady
}

func pod(name string, ready bool, waiting string) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, UID: types.UID("uid-" + name), CreationTimestamp: metav1.NewTime(now.Add(-time.Hour))},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}, NodeName: "node-1"},
		Status: corev1.PodStatus{
			Phase:             corev1.PodRunning,
			Conditions:        []corev1.PodCondition{{Type: corev1.PodReady, Status: boolCond(ready)}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Ready: ready}},
		},
	}
	if waiting != "" {
		p.Status.Phase = corev1.PodPending
		p.Status.ContainerStatuses[0].State.Waiting = &corev1.ContainerStateWaiting{Reason: waiting, Message: "Back-off pulling image \"nginx:nope\""}
	}
	return p
}

func boolCond(b bool) corev1.ConditionStatus {
	if b {
		return corev1.ConditionTrue
	}
	return corev1.ConditionFalse
}

func TestPodReadyExitsZero(t *testing.T) {
	out, _, err := run(t, fake.NewClientset(pod("web", true, "")), "pod/web")
	if exitCode(err) != ExitReady {
		t.Fatalf("exit = %d (%v), want 0\n%s", exitCode(err), err, out)
	}
	if !strings.Contains(out, "pod/web") || !strings.Contains(out, "Ready") {
		t.Fatalf("output:\n%s", out)
	}
}

func TestPodNotReadyExitsTwo(t *testing.T) {
	out, _, err := run(t, fake.NewClientset(pod("web", false, "ImagePullBackOff")), "po", "web")
	if exitCode(err) != ExitNotReady {
		t.Fatalf("exit = %d (%v), want 2\n%s", exitCode(err), err, out)
	}
	if !strings.Contains(out, "ImagePullBackOff") {
		t.Fatalf("want the waiting reason in the output:\n%s", out)
	}
}

func TestFailingTableAndNothingFound(t *testing.T) {
	cs := fake.NewClientset(pod("ok", true, ""), pod("bad", false, "ImagePullBackOff"))
	out, _, err := run(t, cs, "pod", "-A", "--failing")
	if exitCode(err) != ExitNotReady {
		t.Fatalf("exit = %d, want 2", exitCode(err))
	}
	if strings.Contains(out, "pod/ok") || !strings.Contains(out, "pod/bad") {
		t.Fatalf("--failing must keep only what is not Ready:\n%s", out)
	}
	_, errOut, err := run(t, fake.NewClientset(pod("ok", true, "")), "pod", "-A", "--failing")
	if err != nil || !strings.Contains(errOut, "Nothing is failing") {
		t.Fatalf("err=%v stderr=%q", err, errOut)
	}
}

func TestPodsForbiddenIsNeverReady(t *testing.T) {
	cs := fake.NewClientset(&appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web", UID: "d1"},
		Spec:       appsv1.DeploymentSpec{Replicas: ptr.To[int32](1)},
		Status:     appsv1.DeploymentStatus{ReadyReplicas: 1, UpdatedReplicas: 1, Replicas: 1, AvailableReplicas: 1},
	})
	cs.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("no"))
	})
	out, errOut, err := run(t, cs, "deploy/web", "-o", "json")
	if code := exitCode(err); code == ExitReady {
		t.Fatalf("pods forbidden must never be Ready (exit %d)\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "pods were not checked") {
		t.Fatalf("want a note naming what was not checked:\n%s", out)
	}
}

func TestBadInputOneLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"svc/x"}, `resource type "svc" (services) is not supported: kubectl why explains pod`},
		{[]string{"deploy/x", "-o", "toml"}, `--output "toml"`},
		{[]string{"deploy/x", "--color", "pink"}, `--color "pink"`},
		{[]string{}, "name what to explain"},
		{[]string{"deploy/x", "-A"}, "across all namespaces"},
		{[]string{"deploy/x", "-l", "a=b"}, "--selector"},
		{[]string{"pod", "-l", "a in ("}, "--selector"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, _, err := run(t, fake.NewClientset(), tc.args...)
			if exitCode(err) != ExitError || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want exit 1 naming %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
		})
	}
}

func TestNotFoundIsAnError(t *testing.T) {
	_, _, err := run(t, fake.NewClientset(), "deploy/nope")
	if exitCode(err) != ExitError || !strings.Contains(err.Error(), `deployments.apps "nope" not found`) {
		t.Fatalf("err = %v", err)
	}
}

func TestVersionAndRBAC(t *testing.T) {
	out, _, err := run(t, fake.NewClientset(), "version")
	if err != nil || !strings.HasPrefix(out, "kubectl-why ") {
		t.Fatalf("version: %q %v", out, err)
	}
	out, _, err = run(t, fake.NewClientset(), "--print-rbac")
	if err != nil || !strings.Contains(out, "kind: ClusterRole") {
		t.Fatalf("print-rbac: %q %v", out, err)
	}
	for _, verb := range []string{"create", "update", "patch", "delete"} {
		if strings.Contains(out, verb) {
			t.Errorf("the RBAC must be read-only, found %q", verb)
		}
	}
}

// TestWaitTimeoutDuringARead: when --timeout passes while the watches are
// still being set up (the informer's LIST hangs), the last answer stands
// (printed, with its exit code), rather than an error that the targets
// could not be read; when the first read cannot finish, that is the error.
func TestWaitTimeoutDuringARead(t *testing.T) {
	cs := fake.NewClientset(pod("web", false, "ImagePullBackOff"))
	var reads atomic.Int32
	cs.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		if reads.Add(1) == 1 {
			return false, nil, nil // the fake's own answer
		}
		time.Sleep(400 * time.Millisecond)
		return true, nil, fmt.Errorf("list pods: %w", context.DeadlineExceeded)
	})
	out, errOut, err := run(t, cs, "pod/web", "--wait", "--timeout", "200ms")
	if exitCode(err) != ExitNotReady || !strings.Contains(out, "ImagePullBackOff") || !strings.Contains(errOut, "timed out after 200ms") {
		t.Fatalf("want the last answer, exit 2: exit %d (%v)\n%s\n%s", exitCode(err), err, out, errOut)
	}

	reads.Store(1) // every LIST hangs now
	_, _, err = run(t, cs, "pod/web", "--wait", "--timeout", "200ms")
	if exitCode(err) != ExitError || !strings.Contains(err.Error(), "--timeout 200ms passed before the targets could be read") {
		t.Fatalf("err = %v, want the first read's timeout", err)
	}
}

// TestWaitFollowsToReady: a pod that turns Ready while --wait watches it
// ends the wait with exit 0 and the Ready answer.
func TestWaitFollowsToReady(t *testing.T) {
	cs := fake.NewClientset(pod("web", false, ""))
	go func() {
		time.Sleep(300 * time.Millisecond)
		_, _ = cs.CoreV1().Pods("default").UpdateStatus(context.Background(), pod("web", true, ""), metav1.UpdateOptions{})
	}()
	out, errOut, err := run(t, cs, "pod/web", "--wait", "--timeout", "10s")
	if exitCode(err) != ExitReady || !strings.Contains(out, "Ready") || !strings.Contains(errOut, "waiting: pod/web") {
		t.Fatalf("exit %d (%v)\n%s\n%s", exitCode(err), err, out, errOut)
	}
}

// Completion of --context reads the kubeconfig, and of a TYPE resolves it
// as the command does (deployments.apps completes deployments' names).
func TestCompletion(t *testing.T) {
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kc, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c1, cluster: {server: "https://127.0.0.1:1"}}]
contexts: [{name: prod, context: {cluster: c1}}, {name: dev, context: {cluster: c1}}]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	complete := func(args ...string) string {
		streams, _, out, _ := genericiooptions.NewTestIOStreams()
		cmd := newCmdWhy(NewWhyFlags(streams))
		cmd.SetOut(out) // cobra writes completions to the command's out
		cmd.SetArgs(append([]string{"__complete"}, args...))
		if err := cmd.Execute(); err != nil {
			t.Fatalf("__complete %v: %v", args, err)
		}
		return out.String()
	}
	if out := complete("--kubeconfig", kc, "--context", ""); !strings.HasPrefix(out, "dev\nprod\n") {
		t.Fatalf("--context completion = %q", out)
	}
	out := complete("")
	for _, k := range []string{"all", "ds", "cj", "job"} {
		if !strings.Contains(out, k+"\n") {
			t.Errorf("TYPE completion lacks %s: %q", k, out)
		}
	}
}

// TestExitCodesAreTheVerdicts: the documented exit codes are the verdicts'.
func TestExitCodesAreTheVerdicts(t *testing.T) {
	for v, want := range map[explain.Verdict]int{explain.VerdictReady: ExitReady, explain.VerdictNotReady: ExitNotReady,
		explain.VerdictUnknown: ExitUnknown, explain.VerdictProgressing: ExitProgressing} {
		if got := v.ExitCode(); got != want {
			t.Errorf("%s exits %d, documented as %d", v, got, want)
		}
	}
}
