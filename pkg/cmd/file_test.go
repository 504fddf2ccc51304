package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
)

// stuckTerminating is a pod deleted at 11:39, past its 30s grace period,
// held by a finalizer; the newest time its file records is 11:59.
const stuckTerminating = "../explain/testdata/pods/stuck-terminating-finalizer.yaml"

// runFiles runs the command on saved objects with the clock at now. No
// cluster: a client would fail the test.
func runFiles(t *testing.T, now time.Time, args ...string) (string, string, error) {
	t.Helper()
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	cmd := newCmdWhy(&Options{
		configFlags: genericclioptions.NewConfigFlags(true),
		IOStreams:   streams,
		now:         func() time.Time { return now },
		newClient: func() (kubernetes.Interface, string, error) {
			t.Fatal("-f must not build a client")
			return nil, "", nil
		},
	})
	cmd.SilenceErrors = true
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), errOut.String(), err
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
