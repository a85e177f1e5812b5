package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/sagesize/sagesize/loadplan"
)

// defaultStopWait is Runner.StopWait's default.
const defaultStopWait = time.Minute

// DefaultCallTimeout is Runner.CallTimeout's default.
const DefaultCallTimeout = 30 * time.Second

// describeBounded is describe with CallTimeout.
func (r *Runner) describeBounded(ctx context.Context, arns []string) (map[string]taskState, error) {
	ctx, cancel := context.WithTimeout(ctx, orDefault(r.CallTimeout, DefaultCallTimeout))
	defer cancel()
	return r.describe(ctx, arns)
}

// runTaskBounded is one RunTask call with CallTimeout. When ECS does not
// answer in time, the error says that the tasks the call may have started
// stop by themselves.
func (r *Runner) runTaskBounded(ctx context.Context, in *ecs.RunTaskInput) (*ecs.RunTaskOutput, error) {
	timeout := orDefault(r.CallTimeout, DefaultCallTimeout)
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := r.ECS.RunTask(cctx, in)
	if err != nil && ctx.Err() == nil && cctx.Err() != nil {
		err = fmt.Errorf("no answer within %v (any task it started stops by itself after its %s): %w", timeout, loadplan.EnvMaxDuration, err)
	}
	return out, err
}

// readFiguresBounded is readFigures with CallTimeout.
func (r *Runner) readFiguresBounded(ctx context.Context, p Plan, start time.Time) (figures, error) {
	ctx, cancel := context.WithTimeout(ctx, orDefault(r.CallTimeout, DefaultCallTimeout))
	defer cancel()
	return r.readFigures(ctx, p, start)
}

// stopAll stops every task in arns (best effort: each StopTask is tried up
// to stopAttempts times with backoff), then waits for the tasks it could
// stop to reach STOPPED; all of it within StopWait. It keeps going when ctx
// is cancelled: stopping is what an interruption asks for. Tasks it could
// not stop are named in the error, and their aws ecs stop-task commands
// are printed.
func (r *Runner) stopAll(ctx context.Context, arns []string, reason string) error {
	wait := orDefault(r.StopWait, defaultStopWait)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), wait)
	defer cancel()
	failed := r.stopTasks(ctx, arns, reason)
	var asked []string
	for _, arn := range arns {
		if failed[arn] == nil {
			asked = append(asked, arn)
		}
	}
	var errs []error
	if len(asked) > 0 {
		if err := r.waitStopped(ctx, asked, wait); err != nil {
			errs = append(errs, err)
		}
	}
	if len(failed) > 0 {
		errs = append(errs, r.notStopped(arns, failed))
	}
	if len(errs) == 0 {
		fmt.Fprintf(r.Out, "stopped %d task(s)\n", len(arns))
	}
	return errors.Join(errs...)
}

// stopPoll is how often stopAll retries and checks.
func (r *Runner) stopPoll() time.Duration {
	return min(orDefault(r.Poll, 10*time.Second), 5*time.Second)
}

// stopTasks calls StopTask on every task of arns, then again on those
// whose call failed, up to stopAttempts rounds with backoff between them,
// and returns the last error of each task it could not stop.
func (r *Runner) stopTasks(ctx context.Context, arns []string, reason string) map[string]error {
	failed := map[string]error{}
	pending := arns
	bo := newBackoff(r.Retry, r.stopPoll())
	for round := 1; round <= stopAttempts && len(pending) > 0; round++ {
		if round > 1 {
			bo.failures = round - 1
			if !sleep(ctx, bo.delay()) {
				break
			}
		}
		var again []string
		for _, arn := range pending {
			_, err := r.ECS.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String(r.Stack.Cluster), Task: aws.String(arn), Reason: aws.String(reason)})
			if err != nil {
				failed[arn] = fmt.Errorf("stop task %s: %w", taskID(arn), err)
				again = append(again, arn)
				continue
			}
			delete(failed, arn)
		}
		pending = again
	}
	return failed
}

// waitStopped waits for every task of arns to reach STOPPED, describing
// them every stopPoll; failed calls are retried with backoff within the
// Retry bounds. It returns an error when ctx ends first or the calls keep
// failing.
func (r *Runner) waitStopped(ctx context.Context, arns []string, limit time.Duration) error {
	bo := newBackoff(r.Retry, r.stopPoll())
	for {
		pause := r.stopPoll()
		states, err := r.describe(ctx, arns)
		left := 0
		for _, arn := range arns {
			if states[arn].lastStatus != "STOPPED" {
				left++
			}
		}
		switch {
		case err == nil && left == 0:
			return nil
		case err == nil:
			bo.ok()
		case ctx.Err() == nil:
			d, giveUp := bo.fail(err, time.Now())
			if giveUp != nil {
				return fmt.Errorf("waiting for %d task(s) to stop on cluster %s: %w", len(arns), r.Stack.Cluster, giveUp)
			}
			pause = d
		}
		if !sleep(ctx, pause) {
			e := fmt.Errorf("%d task(s) not yet STOPPED after %v; check cluster %s", left, limit, r.Stack.Cluster)
			if err != nil {
				e = fmt.Errorf("%w (last error: %w)", e, err)
			}
			return e
		}
	}
}

// notStopped prints the aws ecs stop-task command of each task in failed
// and returns an error naming them, wrapping the first one's error (in the
// order of arns), and saying when the credentials are the cause.
func (r *Runner) notStopped(arns []string, failed map[string]error) error {
	var first error
	var ids []string
	region := ""
	if r.Region != "" {
		region = " --region " + r.Region
	}
	var b strings.Builder
	for _, arn := range arns {
		if err := failed[arn]; err != nil {
			if first == nil {
				first = err
			}
			ids = append(ids, taskID(arn))
			fmt.Fprintf(&b, "  aws ecs stop-task --cluster %s --task %s --reason %q%s\n", r.Stack.Cluster, arn, StopReason, region)
		}
	}
	why := "StopTask failed"
	if code, ok := credentialError(first); ok {
		why = fmt.Sprintf("the AWS credentials have expired or are not valid (%s), so StopTask fails too; renew them (e.g. aws sso login)", code)
	}
	fmt.Fprintf(r.Out, "could NOT stop %d of %d task(s): %s, then stop them with:\n%s"+
		"(until then each stops by itself at its LOADGEN_MAX_DURATION)\n", len(ids), len(arns), why, b.String())
	return fmt.Errorf("could not stop %d of %d task(s) (%s); run the aws ecs stop-task commands printed above: %w",
		len(ids), len(arns), strings.Join(ids, ", "), first)
}
