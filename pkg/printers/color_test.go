package printers

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// TestUseColor: --color always and never are obeyed; auto colors only a
// terminal, and never with NO_COLOR set (even empty) or TERM=dumb. Output
// sent to /dev/null, a character device, is not a terminal.
func TestUseColor(t *testing.T) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	if fi, err := devNull.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Skipf("%s is not a character device here: %v", os.DevNull, err)
	}
	for _, tc := range []struct {
		name  string
		mode  string
		env   map[string]string
		out   io.Writer
		color bool
	}{
		{"always, into a buffer", "always", nil, &bytes.Buffer{}, true},
		{"always, despite NO_COLOR", "always", map[string]string{"NO_COLOR": "1"}, devNull, true},
		{"never", "never", nil, devNull, false},
		{"auto, a buffer", "auto", nil, &bytes.Buffer{}, false},
		{"auto, /dev/null", "auto", nil, devNull, false},
		{"auto, NO_COLOR empty", "auto", map[string]string{"NO_COLOR": ""}, devNull, false},
		{"auto, TERM=dumb", "auto", map[string]string{"TERM": "dumb"}, devNull, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", "") // restored afterwards, unset here
			os.Unsetenv("NO_COLOR")
			t.Setenv("TERM", "xterm")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			if got := UseColor(tc.mode, tc.out); got != tc.color {
				t.Errorf("UseColor(%q) = %v, want %v", tc.mode, got, tc.color)
			}
		})
	}
	for mode, ok := range map[string]bool{"auto": true, "always": true, "never": true, "pink": false, "": false} {
		if err := CheckColor(mode); (err == nil) != ok {
			t.Errorf("CheckColor(%q) = %v", mode, err)
		}
	}
}
