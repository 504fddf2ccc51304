package collect

import (
	"fmt"
	"time"
)

// ParseAsOf reads --as-of: an RFC 3339 time, or a date, which is midnight
// UTC. An empty value is the zero time: the objects' own time.
func ParseAsOf(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err == nil {
		return t, nil
	}
	if len(s) == len(time.DateOnly) {
		if t, err = time.Parse(time.DateOnly, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--as-of %q: want a time such as 2026-03-01T12:00:00Z (RFC 3339) or a date such as 2026-03-01: %w", s, err)
}
