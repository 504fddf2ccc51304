package explain

import "slices"

// FailingOnly keeps what --failing shows: NotReady and Unknown targets, and
// Ready ones with a warning (restarting, failed pods left behind). A
// healthy rollout in progress is left out.
func (r Report) FailingOnly() Report {
	r.Items = slices.DeleteFunc(slices.Clone(r.Items), func(it Result) bool {
		return it.Verdict != VerdictNotReady && it.Verdict != VerdictUnknown && !it.Suspicious()
	})
	return r
}
