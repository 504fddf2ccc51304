package explain

import (
	"slices"
	"testing"
)

func TestFailingOnly(t *testing.T) {
	result := func(name string, v Verdict, sev ...Severity) Result {
		r := Result{Target: Ref{Kind: KindPod, Name: name}, Verdict: v}
		for _, s := range sev {
			r.Findings = append(r.Findings, Finding{Severity: s})
		}
		return r
	}
	rep := Report{Notes: []string{"events expired"}, Items: []Result{
		result("ready", VerdictReady),
		result("restarting", VerdictReady, SeverityWarning),
		result("ready-info", VerdictReady, SeverityInfo),
		result("broken", VerdictNotReady, SeverityError),
		result("forbidden", VerdictUnknown),
		result("rolling", VerdictProgressing, SeverityInfo),
	}}
	got := rep.FailingOnly()
	var names []string
	for _, r := range got.Items {
		names = append(names, r.Target.Name)
	}
	if want := []string{"restarting", "broken", "forbidden"}; !slices.Equal(names, want) {
		t.Errorf("FailingOnly kept %v, want %v", names, want)
	}
	if len(got.Notes) != 1 || len(rep.Items) != 6 || rep.Items[0].Target.Name != "ready" {
		t.Errorf("FailingOnly must keep the notes and leave the report it was given alone: %+v", rep)
	}
}
