package explain

import (
	"regexp"
	"strings"
)

// maxLogLines bounds the log tail quoted in a finding: the error is almost
// always in the last lines, and the rest is one command away.
const maxLogLines = 20

// reErrorLine matches the lines of a log that look like the error.
var reErrorLine = regexp.MustCompile(`(?i)(panic|fatal|traceback|exception|\berror\b|\berr\b|no such file or directory|permission denied|connection refused|address already in use|out of memory|segmentation fault|killed)`)

// markLogLines keeps the last maxLogLines lines of a log tail and prefixes
// the ones that look like the error with "> " (the others with two
// spaces), so the eye lands on them first. It returns "" for an empty log.
func markLogLines(tail string) string {
	tail = strings.TrimRight(strings.ReplaceAll(tail, "\r\n", "\n"), "\n \t")
	if strings.TrimSpace(tail) == "" {
		return ""
	}
	lines := strings.Split(tail, "\n")
	if len(lines) > maxLogLines {
		lines = lines[len(lines)-maxLogLines:]
	}
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		l = strings.TrimRight(l, "\r")
		if reErrorLine.MatchString(l) {
			b.WriteString("> ")
		} else {
			b.WriteString("  ")
		}
		b.WriteString(l)
	}
	return b.String()
}

// logEvidence quotes the previous run's log tail of a container, when
// --logs collected it, or says why it could not be read.
func (c *PodContext) logEvidence(container string) (Evidence, bool) {
	if c.G == nil || c.G.Snap == nil {
		return Evidence{}, false
	}
	key := c.Pod.Namespace + "/" + c.Pod.Name + "/" + container
	if why, ok := c.G.Snap.LogErrors[key]; ok {
		return Evidence{Source: "logs --previous", Message: "(could not be read: " + why + ")"}, true
	}
	tail, ok := c.G.Snap.Logs[key]
	if !ok {
		return Evidence{}, false
	}
	m := markLogLines(tail)
	if m == "" {
		return Evidence{Source: "logs --previous", Message: "(empty: the process wrote nothing before it exited)"}, true
	}
	return Evidence{Source: "logs --previous", Message: m}, true
}
