package collect

import (
	"fmt"
	"os"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// When saved objects were saved: the moment the snapshot of -f stands for.

// record notes the moments u records: each is something that happened
// before the objects were saved, written by the apiserver, a controller or
// a kubelet. Fields that may lie ahead (a deletionTimestamp, which adds
// the grace period; a CronJob's schedule; the spec of a custom resource)
// are not read, or read as what they imply.
func (rd *fileReader) record(u *unstructured.Unstructured) {
	see := func(t time.Time) {
		if t.After(rd.latest) {
			rd.latest = t
		}
	}
	at := func(obj map[string]any, fields ...string) {
		s, _, _ := unstructured.NestedString(obj, fields...)
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			see(t)
		}
	}
	each := func(obj map[string]any, fields []string, do func(map[string]any)) {
		v, _, _ := unstructured.NestedFieldNoCopy(obj, fields...)
		items, _ := v.([]any)
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				do(m)
			}
		}
	}
	o := u.Object
	at(o, "metadata", "creationTimestamp")
	// Deletion was asked for at deletionTimestamp minus the grace period
	// (the apiserver writes both, 0 when only finalizers hold the object).
	if del, grace := u.GetDeletionTimestamp(), u.GetDeletionGracePeriodSeconds(); del != nil && grace != nil {
		see(del.Add(-time.Duration(*grace) * time.Second))
	}
	each(o, []string{"metadata", "managedFields"}, func(m map[string]any) { at(m, "time") })
	each(o, []string{"status", "conditions"}, func(c map[string]any) {
		for _, k := range []string{"lastTransitionTime", "lastUpdateTime", "lastProbeTime", "lastHeartbeatTime"} {
			at(c, k)
		}
	})
	gvk := u.GroupVersionKind()
	switch {
	case gvk.Kind == "Pod" && gvk.Group == "":
		at(o, "status", "startTime")
		for _, list := range []string{"initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"} {
			each(o, []string{"status", list}, func(cs map[string]any) {
				for _, state := range []string{"state", "lastState"} {
					at(cs, state, "running", "startedAt")
					at(cs, state, "terminated", "startedAt")
					at(cs, state, "terminated", "finishedAt")
				}
			})
		}
	case gvk.Kind == "Job" && gvk.Group == "batch":
		at(o, "status", "startTime")
		at(o, "status", "completionTime")
	case gvk.Kind == "CronJob" && gvk.Group == "batch":
		at(o, "status", "lastScheduleTime")
		at(o, "status", "lastSuccessfulTime")
	case gvk.Kind == "Event": // core/v1 and events.k8s.io/v1
		for _, k := range []string{"firstTimestamp", "lastTimestamp", "eventTime", "deprecatedFirstTimestamp", "deprecatedLastTimestamp"} {
			at(o, k)
		}
		at(o, "series", "lastObservedTime")
	case gvk.Kind == "Lease" && gvk.Group == "coordination.k8s.io": // node heartbeats
		at(o, "spec", "acquireTime")
		at(o, "spec", "renewTime")
	}
}

// asOf is the moment the snapshot stands for, and a note that says which
// and why. It is the newest moment the objects record: everything they
// record happened before they were saved, and it moves with them, unlike a
// modification time (a copy, a git checkout or a download resets it) or
// the clock. It is never later than now: a later one is a clock ahead of
// this machine's. Only objects that record no time at all fall back to
// the files' modification time, then to now.
func (rd *fileReader) asOf(opts FileOptions) (time.Time, string) {
	const change = "; use --as-of to change it"
	utc := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	switch {
	case !opts.AsOf.IsZero():
		return opts.AsOf, fmt.Sprintf("saved objects explained as of %s (--as-of)", utc(opts.AsOf))
	case !rd.latest.IsZero() && !rd.latest.After(opts.Now):
		return rd.latest, fmt.Sprintf("saved objects explained as of %s (the newest time they record)%s", utc(rd.latest), change)
	case !rd.latest.IsZero():
		return opts.Now, fmt.Sprintf("saved objects record times up to %s, later than this machine's clock: explained as of now (%s)%s", utc(rd.latest), utc(opts.Now), change)
	}
	var mtime time.Time
	for src := range rd.sources {
		if src == stdinSource {
			continue
		}
		if fi, err := os.Stat(src); err == nil && fi.ModTime().After(mtime) {
			mtime = fi.ModTime()
		}
	}
	if !mtime.IsZero() && mtime.Before(opts.Now) {
		return mtime, fmt.Sprintf("saved objects record no time: explained as of %s (the files' modification time)%s", utc(mtime), change)
	}
	return opts.Now, fmt.Sprintf("saved objects record no time: explained as of now (%s)%s", utc(opts.Now), change)
}

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
