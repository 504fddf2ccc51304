package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/kubectl-why/kubectl-why/pkg/explain"
)

// waitInterval is how often --wait re-evaluates. Each pass is a handful of
// LISTs, so polling costs the apiserver about what a watch would.
var waitInterval = 2 * time.Second

// runWait re-evaluates until every target is Ready (exit 0), a permanent
// cause appears (exit 2 at once: waiting cannot fix a missing image), or
// the timeout passes (the last explanation, with its verdict's exit code:
// 4 for a rollout still progressing, 2 for one not Ready). Progress goes to
// stderr when the summary changes, so CI logs show the rollout moving.
func (o *Options) runWait(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	last := ""
	var prev *explain.Report
	var prevNow time.Time
	for {
		rep, now, err := o.evaluate(ctx)
		if err != nil && ctx.Err() != nil && prev != nil {
			// The timeout fell during a re-read: the last answer stands.
			rep, now, err = *prev, prevNow, nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("--timeout %s passed before the targets could be read: %w", o.Timeout, err)
			}
			return err
		}
		prev, prevNow = &rep, now
		if len(rep.Items) > 0 && rep.AllReady() {
			if err := o.print(rep, now); err != nil {
				return err
			}
			return nil
		}
		if f := permanentCause(rep); f != nil {
			fmt.Fprintf(o.ErrOut, "stopped waiting: %s is permanent (%s), waiting will not fix it\n", f.Code, f.Cause)
			if err := o.print(rep, now); err != nil {
				return err
			}
			return exitFor(rep)
		}
		if s := summaryLine(rep); s != last {
			fmt.Fprintf(o.ErrOut, "waiting: %s\n", s)
			last = s
		}
		if ctx.Err() != nil {
			return o.timedOut(rep, now)
		}
		select {
		case <-ctx.Done():
			return o.timedOut(rep, now)
		case <-time.After(waitInterval):
		}
	}
}

// timedOut prints the last answer and exits with its verdict's code.
func (o *Options) timedOut(rep explain.Report, now time.Time) error {
	fmt.Fprintf(o.ErrOut, "timed out after %s, not Ready:\n", o.Timeout)
	if err := o.print(rep, now); err != nil {
		return err
	}
	if err := exitFor(rep); err != nil {
		return err
	}
	return &ExitCodeError{Code: ExitNotReady} // no target found in time
}

// permanentCause returns the first Error finding whose code cannot heal by
// waiting (image not found, config missing, quota requires limits...).
func permanentCause(rep explain.Report) *explain.Finding {
	for i := range rep.Items {
		for j := range rep.Items[i].Findings {
			f := &rep.Items[i].Findings[j]
			if info, ok := explain.Info(f.Code); ok && info.Permanent && f.Severity == explain.SeverityError {
				return f
			}
		}
	}
	return nil
}

func summaryLine(rep explain.Report) string {
	s := ""
	for i, r := range rep.Items {
		if i > 0 {
			s += "; "
		}
		s += fmt.Sprintf("%s %s %s (%s)", r.Target, r.Verdict, r.Ready, r.Summary)
	}
	if s == "" {
		s = "no targets yet"
	}
	return s
}
