package explain

import "testing"

func TestPermanentCauseAndProgress(t *testing.T) {
	rep := Report{Items: []Result{
		{Target: Ref{Kind: "Deployment", Name: "web"}, Verdict: VerdictNotReady, Ready: "0/1", Summary: "waiting",
			Findings: []Finding{{Code: CodeNotYetAvailable, Severity: SeverityWarning}, {Code: CodeImageNotFound, Severity: SeverityError}}},
	}}
	if f := rep.PermanentCause(); f == nil || f.Code != CodeImageNotFound {
		t.Fatalf("permanent cause = %+v, want ImageNotFound", f)
	}
	rep.Items[0].Findings[1].Severity = SeverityWarning
	if f := rep.PermanentCause(); f != nil {
		t.Fatalf("a warning is not a permanent cause: %+v", f)
	}
	if got, want := rep.Progress(), rep.Items[0].Target.String()+" NotReady 0/1 (waiting)"; got != want {
		t.Fatalf("progress = %q, want %q", got, want)
	}
	if got := (Report{}).Progress(); got != "no targets yet" {
		t.Fatalf("progress = %q", got)
	}
}
