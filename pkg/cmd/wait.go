package cmd

import (
	"cmp"
	"context"
	"fmt"

	"github.com/kubectl-why/kubectl-why/pkg/collect"
	"github.com/kubectl-why/kubectl-why/pkg/explain"
	"github.com/kubectl-why/kubectl-why/pkg/graph"
)

// runWait follows the targets with watches, as kubectl wait does, and
// explains each change until every target is Ready (exit 0), a permanent
// cause appears (exit 2 at once: waiting cannot fix a missing image), or
// the timeout passes (the last explanation, with its verdict's exit code:
// 4 for a rollout still progressing, 2 for one not Ready). Progress goes to
// stderr when the summary changes, so CI logs show the rollout moving.
func (o *Options) runWait(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	live, host, err := o.live()
	if err != nil {
		return err
	}
	f, err := live.Follow(ctx, o.request())
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("--timeout %s passed before the targets could be read: %w", o.Timeout, err)
	} else if err != nil {
		return collect.FriendlyError(err, host, *o.configFlags.Timeout)
	}
	defer f.Stop()
	last := ""
	var snap *graph.Snapshot
	for {
		next, err := f.Next(ctx)
		if err != nil && ctx.Err() != nil { // the last answer stands
			fmt.Fprintf(o.ErrOut, "timed out after %s, not Ready:\n", o.Timeout)
			rep, err := o.answer(ctx, f, snap)
			return cmp.Or(err, exitFor(rep), error(&ExitCodeError{Code: ExitNotReady})) // no target found in time
		} else if err != nil {
			return collect.FriendlyError(err, host, *o.configFlags.Timeout)
		}
		snap = next
		rep, _, err := o.report(snap, nil)
		if err != nil {
			return err
		}
		if len(rep.Items) > 0 && rep.AllReady() {
			_, err := o.answer(ctx, f, snap)
			return err
		}
		if pc := rep.PermanentCause(); pc != nil {
			fmt.Fprintf(o.ErrOut, "stopped waiting: %s is permanent (%s), waiting will not fix it\n", pc.Code, pc.Cause)
			rep, err := o.answer(ctx, f, snap)
			return cmp.Or(err, exitFor(rep))
		}
		if s := rep.Progress(); s != last {
			fmt.Fprintf(o.ErrOut, "waiting: %s\n", s)
			last = s
		}
	}
}

// answer prints snap's answer, the last, with its logs when --logs asks.
func (o *Options) answer(ctx context.Context, f *collect.Follower, snap *graph.Snapshot) (explain.Report, error) {
	if err := f.Logs(ctx, snap); err != nil {
		return explain.Report{}, err
	}
	rep, now, err := o.report(snap, nil)
	if err == nil {
		err = o.print(rep, now)
	}
	return rep, err
}
