//go:build e2e

package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReadOnlyAuditLog runs the plugin's commands as its own ServiceAccount
// and then reads the apiserver's audit log: every request from that user
// must be a get, list or watch.
func TestReadOnlyAuditLog(t *testing.T) {
	ns := setup(t,
		deployment("web", "nginx:1.27", 1, nil, ""),
		deployment("crashy", "busybox:1.36", 1, map[string]string{"why.test/fault": "crashloop"}, ""),
	)
	waitReady(t, 90*time.Second, "deploy/web", ns)
	for _, args := range [][]string{
		{"deploy/web", "-n", ns},
		{"deploy/crashy", "-n", ns, "--logs"},
		{"pod", "-A", "--failing"},
		{"deploy", "-A", "-o", "json"},
		{"sts", "-n", ns, "-o", "yaml"},
		{"rs", "-n", ns, "-o", "wide"},
		{"deploy/web", "-n", ns, "--wait", "--timeout", "20s"},
		{"deploy/does-not-exist", "-n", ns},
	} {
		why(t, args...)
	}

	auditPath := filepath.Join(filepath.Dir(kubeconfig), "audit.log")
	user := "system:serviceaccount:kube-system:" + readerSA
	// The audit backend batches writes; give it a moment to flush.
	var verbs map[string]int
	waitFor(t, 20*time.Second, "the plugin's requests in the audit log", func() bool {
		verbs = auditVerbs(t, auditPath, user)
		return verbs["list"] > 0
	})
	for verb, n := range verbs {
		switch verb {
		case "get", "list", "watch":
		default:
			t.Errorf("the plugin sent %d %q request(s): it must be read-only", n, verb)
		}
	}
	t.Logf("requests by %s: %v", user, verbs)
}

func auditVerbs(t *testing.T, path, user string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open audit log: %v", err)
	}
	defer f.Close()
	verbs := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !strings.Contains(string(line), readerSA) {
			continue
		}
		var ev struct {
			Verb  string `json:"verb"`
			Stage string `json:"stage"`
			User  struct {
				Username string `json:"username"`
			} `json:"user"`
		}
		if json.Unmarshal(line, &ev) != nil || ev.User.Username != user || ev.Stage != "ResponseComplete" {
			continue
		}
		verbs[ev.Verb]++
	}
	return verbs
}
