//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
)

// role renders a namespaced Role granting get/list/watch on resources.
func role(name string, core, apps []string) string {
	rules := ""
	if len(core) > 0 {
		rules += fmt.Sprintf("- apiGroups: [\"\"]\n  resources: [%s]\n  verbs: [get, list, watch]\n", quoteAll(core))
	}
	if len(apps) > 0 {
		rules += fmt.Sprintf("- apiGroups: [apps]\n  resources: [%s]\n  verbs: [get, list, watch]\n", quoteAll(apps))
	}
	return fmt.Sprintf("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: %s\nrules:\n%s", name, rules)
}

func quoteAll(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// TestLeastPrivilege runs the plugin with ServiceAccount tokens that may
// read less and less: each forbidden resource becomes a note naming what was
// not checked, the rest of the answer still comes, and nothing is called
// Ready for want of data.
func TestLeastPrivilege(t *testing.T) {
	ns := setup(t,
		deployment("web", "nginx:1.27", 1, nil, ""),
		deployment("broken", "registry.example/app:v2", 1, map[string]string{"why.test/fault": "image-not-found"}, ""),
		deployment("crash", "busybox:1.36", 1, map[string]string{"why.test/fault": "crashloop"}, ""),
	)
	waitReady(t, 90*time.Second, "deploy/web", ns)
	waitCode(t, 90*time.Second, explain.CodeCrashLoopBackOff, "deploy/crash", ns)

	for _, tc := range []struct {
		name        string
		core, apps  []string
		args        []string
		wantNotes   []string // substrings of notes
		wantCode    int
		wantVerdict explain.Verdict
	}{
		{
			name: "pods only", core: []string{"pods"},
			args:      []string{"pod", "-n", ns, "-o", "json"},
			wantNotes: []string{"events were not checked", "nodes were not checked"},
			wantCode:  2, // the broken pod is still found broken from its status
		},
		{
			name: "pods replicasets deployments", core: []string{"pods"}, apps: []string{"replicasets", "deployments"},
			args:        []string{"deploy/web", "-n", ns, "-o", "json"},
			wantNotes:   []string{"events were not checked"},
			wantCode:    0,
			wantVerdict: explain.VerdictReady,
		},
		{
			name: "deployments without pods", apps: []string{"deployments", "replicasets"},
			args:        []string{"deploy/web", "-n", ns, "-o", "json"},
			wantNotes:   []string{"pods were not checked"},
			wantCode:    3,
			wantVerdict: explain.VerdictUnknown,
		},
		{
			name: "deployments and pods without replicasets", core: []string{"pods", "events"}, apps: []string{"deployments"},
			args:      []string{"deploy/web", "-n", ns, "-o", "json"},
			wantNotes: []string{"replicasets were not checked"},
			wantCode:  3,
		},
		{
			// --logs asks for pods/log, a subresource a role may leave out:
			// the crash loop is still explained from its status.
			name: "logs without pods/log", core: []string{"pods", "events"}, apps: []string{"deployments", "replicasets"},
			args:        []string{"deploy/crash", "-n", ns, "-o", "json", "--logs"},
			wantNotes:   []string{"container logs were not read: forbidden"},
			wantCode:    2,
			wantVerdict: explain.VerdictNotReady,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "sa-" + sanitize(tc.name)
			if len(name) > 40 {
				name = name[:40]
			}
			kc := tokenKubeconfig(t, ns, name, role(name, tc.core, tc.apps))
			r := whyEnv(t, []string{"KUBECONFIG=" + kc}, tc.args...)
			if r.Code != tc.wantCode {
				t.Errorf("exit code = %d, want %d", r.Code, tc.wantCode)
			}
			rep := decode(t, r)
			notes := strings.Join(rep.Notes, "\n")
			for _, it := range rep.Items {
				notes += "\n" + strings.Join(it.Notes, "\n")
			}
			for _, want := range tc.wantNotes {
				if !strings.Contains(notes, want) {
					t.Errorf("notes lack %q:\n%s", want, notes)
				}
			}
			if len(rep.Items) == 0 {
				t.Fatalf("the rest of the answer must still come:\n%s", r)
			}
			if tc.wantVerdict != "" && rep.Items[0].Verdict != tc.wantVerdict {
				t.Errorf("verdict = %s, want %s", rep.Items[0].Verdict, tc.wantVerdict)
			}
		})
	}
}
