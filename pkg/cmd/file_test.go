package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
)

// stuckTerminating is a pod deleted at 11:39, past its 30s grace period,
// held by a finalizer; the newest time its file records is 11:59.
const stuckTerminating = "../explain/testdata/pods/stuck-terminating-finalizer.yaml"

// fileNow is after every time the files record.
var fileNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// noKubeconfig keeps the machine's kubeconfig out of a test: -f without -n
// reads the context's namespace from it.
func noKubeconfig(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	t.Setenv("KUBERNETES_SERVICE_HOST", "") // not in a pod
}

// runFiles runs the command on saved objects with the clock at now. No
// cluster: a client would fail the test.
func runFiles(t *testing.T, now time.Time, args ...string) (string, string, error) {
	t.Helper()
	return runAt(t, now, func() (kubernetes.Interface, string, error) {
		t.Fatal("-f must not build a client")
		return nil, "", nil
	}, args...)
}

// copyAt copies file into a new directory with its modification time set
// to mtime, as a download or a git checkout leaves it.
func copyAt(t *testing.T, file string, mtime time.Time) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), filepath.Base(file))
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFileSameAnswerLater: the whole command gives the same answer, the
// same exit code and the same notes for a file read the day it was saved
// and a copy of it read a year later.
func TestFileSameAnswerLater(t *testing.T) {
	noKubeconfig(t)
	saved := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	later := saved.AddDate(1, 0, 0)
	for _, args := range [][]string{
		{"pod/web-7d4b9c6f5-x2k9p", "-n", "shop"},
		{"pod", "-A", "-o", "wide"},
		{"-o", "json"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, errOut, err := runFiles(t, saved, append([]string{"-f", copyAt(t, stuckTerminating, saved)}, args...)...)
			if exitCode(err) != ExitNotReady || !strings.Contains(out, "19m past its grace period") {
				t.Fatalf("the day it was saved: exit %d (%v), want 2 and 19m past the grace period\n%s%s", exitCode(err), err, out, errOut)
			}
			outLater, errOutLater, errLater := runFiles(t, later, append([]string{"-f", copyAt(t, stuckTerminating, later)}, args...)...)
			if outLater != out || errOutLater != errOut || exitCode(errLater) != exitCode(err) {
				t.Errorf("a year later: exit %d\n%s%s\nthe day it was saved: exit %d\n%s%s",
					exitCode(errLater), outLater, errOutLater, exitCode(err), out, errOut)
			}
		})
	}
}

func TestAsOf(t *testing.T) {
	noKubeconfig(t)
	later := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		want     string // in the JSON notes, or the whole error
	}{
		{"the newest time recorded", nil, ExitNotReady,
			"saved objects explained as of 2026-03-01T11:59:00Z (the newest time they record); use --as-of to change it"},
		{"a time", []string{"--as-of", "2026-03-01T12:00:00Z"}, ExitNotReady, "saved objects explained as of 2026-03-01T12:00:00Z (--as-of)"},
		{"a time with an offset", []string{"--as-of", "2026-03-01T13:00:00+01:00"}, ExitNotReady, "saved objects explained as of 2026-03-01T12:00:00Z (--as-of)"},
		{"a date is midnight UTC", []string{"--as-of", "2026-03-02"}, ExitNotReady, "saved objects explained as of 2026-03-02T00:00:00Z (--as-of)"},
		{"not a time", []string{"--as-of", "yesterday"}, ExitError,
			`--as-of "yesterday": want a time such as 2026-03-01T12:00:00Z (RFC 3339) or a date such as 2026-03-01: parsing time "yesterday" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "yesterday" as "2006"`},
		{"no time zone", []string{"--as-of", "2026-03-01T12:00:00"}, ExitError,
			`--as-of "2026-03-01T12:00:00": want a time such as 2026-03-01T12:00:00Z (RFC 3339) or a date such as 2026-03-01: parsing time "2026-03-01T12:00:00" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "" as "Z07:00"`},
		{"not a date", []string{"--as-of", "2026-13-01"}, ExitError,
			`--as-of "2026-13-01": want a time such as 2026-03-01T12:00:00Z (RFC 3339) or a date such as 2026-03-01: parsing time "2026-13-01": month out of range`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runFiles(t, later, append([]string{"-f", copyAt(t, stuckTerminating, later), "-o", "json"}, tc.args...)...)
			if got := exitCode(err); got != tc.wantCode {
				t.Fatalf("exit %d (%v), want %d", got, err, tc.wantCode)
			}
			if tc.wantCode == ExitError {
				if err.Error() != tc.want {
					t.Errorf("error:\n  %s\nwant\n  %s", err, tc.want)
				}
				return
			}
			var rep struct{ Notes []string }
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !strings.Contains(strings.Join(rep.Notes, "\n"), tc.want) {
				t.Errorf("notes %q, want %q", rep.Notes, tc.want)
			}
		})
	}
	_, _, err := run(t, nil, "pod/web", "--as-of", "2026-03-01")
	if err == nil || err.Error() != "--as-of can be used only with -f: a live cluster is explained as of now" {
		t.Errorf("--as-of without -f: %v", err)
	}
}

// TestFileNamespace: objects saved without a namespace are in -n's, or the
// kubeconfig context's ("default" with none), as kubectl reads -f; so
// `-n default` finds them and their events still explain them.
func TestFileNamespace(t *testing.T) {
	const file = "../collect/testdata/files/no-namespace.yaml"
	dir := t.TempDir()
	kubeconfig := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	team := kubeconfig("team", `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {}}]
contexts: [{name: team, context: {cluster: c, user: u, namespace: team}}]
current-context: team
`)
	broken := kubeconfig("broken", "current-context: [")
	none := filepath.Join(dir, "none")
	for _, tc := range []struct {
		name, kubeconfig string
		args             []string
		want             string // the namespace the pod is explained in, or the error
	}{
		{"-n default", team, []string{"-n", "default", "pod/web-7d4b9c6f5-x2k9p"}, "default"},
		{"-n shop", team, []string{"-n", "shop", "pod/web-7d4b9c6f5-x2k9p"}, "shop"},
		{"-n with a broken kubeconfig", broken, []string{"-n", "shop", "pod/web-7d4b9c6f5-x2k9p"}, "shop"},
		{"the context's namespace", team, []string{"pod/web-7d4b9c6f5-x2k9p"}, "team"},
		{"no kubeconfig", none, []string{"pod/web-7d4b9c6f5-x2k9p"}, "default"},
		{"no kubeconfig, no arguments", none, nil, "default"},
		{"a broken kubeconfig", broken, []string{"pod/web-7d4b9c6f5-x2k9p"}, "read kubeconfig for the namespace of saved objects without one (or give -n): "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			noKubeconfig(t)
			t.Setenv("KUBECONFIG", tc.kubeconfig)
			out, _, err := runFiles(t, fileNow, append([]string{"-f", file, "-o", "json"}, tc.args...)...)
			if strings.HasPrefix(tc.want, "read kubeconfig") {
				if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
					t.Fatalf("err = %v, want %q", err, tc.want)
				}
				return
			}
			if exitCode(err) != ExitNotReady {
				t.Fatalf("exit %d (%v), want 2\n%s", exitCode(err), err, out)
			}
			var rep struct {
				Items []struct {
					Target   struct{ Namespace string }
					Findings []struct{ Code string }
				}
				Notes []string
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if len(rep.Items) != 1 || rep.Items[0].Target.Namespace != tc.want || len(rep.Items[0].Findings) == 0 || rep.Items[0].Findings[0].Code != "ConfigMapNotFound" {
				t.Errorf("want the pod in %s, explained by its events (ConfigMapNotFound):\n%s", tc.want, out)
			}
			note := "4 object(s) saved without metadata.namespace are read as in namespace " + tc.want
			if !strings.Contains(strings.Join(rep.Notes, "\n"), note) {
				t.Errorf("notes %q, want %q", rep.Notes, note)
			}
		})
	}
}
