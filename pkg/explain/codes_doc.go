package explain

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// areaOrder is the order of the sections of docs/codes.md: the life of a
// pod first, then workloads, then what could not be read.
var areaOrder = []string{"scheduling", "image", "config", "runtime", "volume", "crash", "probe", "node", "lifecycle", "workload", "statefulset", "daemonset", "job", "cronjob", "access"}

// CodesMarkdown renders docs/codes.md from Codes. hack/gendocs prints it;
// a test fails when the committed file differs, so the docs cannot drift.
func CodesMarkdown() []byte {
	var b bytes.Buffer
	b.WriteString("# Codes\n\n")
	b.WriteString("<!-- Generated from pkg/explain/codes.go by `go run ./hack/gendocs > docs/codes.md` (make docs). Do not edit. -->\n\n")
	b.WriteString("Every finding of `kubectl why` carries one of these codes. A code never changes meaning once\n")
	b.WriteString("released: scripts and `-o json` consumers match on codes, not on words. **Permanent** causes do\n")
	b.WriteString("not heal by waiting, so `--wait` stops as soon as one appears.\n")

	byArea := map[string][]CodeInfo{}
	for _, c := range Codes {
		byArea[c.Area] = append(byArea[c.Area], c)
	}
	areas := append([]string(nil), areaOrder...)
	var extra []string
	for a := range byArea {
		if !slices.Contains(areaOrder, a) {
			extra = append(extra, a)
		}
	}
	sort.Strings(extra)
	areas = append(areas, extra...)

	for _, a := range areas {
		cs := byArea[a]
		if len(cs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## %s\n\n", a)
		b.WriteString("| Code | Severity | Permanent | Meaning |\n")
		b.WriteString("|---|---|---|---|\n")
		for _, c := range cs {
			perm := "no"
			if c.Permanent {
				perm = "yes"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", c.Code, c.Severity, perm, strings.ReplaceAll(c.Summary, "|", `\|`))
		}
	}
	return b.Bytes()
}
