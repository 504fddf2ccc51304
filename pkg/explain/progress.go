package explain

import (
	"fmt"
	"strings"
)

// PermanentCause is the first Error finding whose code cannot heal by
// waiting (image not found, config missing, quota requires limits...):
// --wait stops at it.
func (r Report) PermanentCause() *Finding {
	for i := range r.Items {
		for j := range r.Items[i].Findings {
			f := &r.Items[i].Findings[j]
			if info, ok := Info(f.Code); ok && info.Permanent && f.Severity == SeverityError {
				return f
			}
		}
	}
	return nil
}

// Progress is the one line --wait prints on stderr when it changes.
func (r Report) Progress() string {
	parts := make([]string, len(r.Items))
	for i, it := range r.Items {
		parts[i] = fmt.Sprintf("%s %s %s (%s)", it.Target, it.Verdict, it.Ready, it.Summary)
	}
	if len(parts) == 0 {
		return "no targets yet"
	}
	return strings.Join(parts, "; ")
}
