package runner

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/smithy-go"

	"github.com/sagesize/sagesize/loadplan"
)

// The bounds of a run, when the Runner leaves them zero.
const (
	// DefaultMaxFailures is how many AWS calls in a row may fail before
	// the run gives up.
	DefaultMaxFailures = 8
	// DefaultMaxFailingTime is how long AWS calls may keep failing before
	// the run gives up, however few attempts that was.
	DefaultMaxFailingTime = 5 * time.Minute
	// DefaultMaxDelay is the longest wait between two attempts of a
	// failing call.
	DefaultMaxDelay = time.Minute
	// DefaultTaskMargin is added to a task's planned length (start wait,
	// plan, grace and drain) to give LOADGEN_MAX_DURATION.
	DefaultTaskMargin = 2 * time.Minute
	// DefaultDeadlineMargin is added to LOADGEN_MAX_DURATION to give the
	// run's deadline: Fargate's time to provision the tasks and pull the
	// image, and to report them STOPPED.
	DefaultDeadlineMargin = 10 * time.Minute
	// stopAttempts is how many times StopTask is tried on each task.
	stopAttempts = 3
)

// Retry bounds the repeated AWS calls of a run (DescribeTasks, the live
// view's GetMetricData, StopTask): a failed call is tried again after an
// exponential backoff with jitter, never sooner than the poll interval
// and never later than MaxDelay; once MaxFailures calls in a row have
// failed, or calls have kept failing for MaxFailingTime, the run stops
// its tasks and returns the last error.
type Retry struct {
	MaxFailures    int           // default DefaultMaxFailures
	MaxFailingTime time.Duration // default DefaultMaxFailingTime
	MaxDelay       time.Duration // default DefaultMaxDelay
}

// ErrGaveUp is returned (wrapped, with the AWS error) when a run ends
// because an AWS call kept failing.
var ErrGaveUp = errors.New("gave up")

// ErrNoMetrics is returned (wrapped) when the tasks have run for Silence
// and CloudWatch, which answers, holds not one request of theirs: they
// cannot publish (no route to CloudWatch, a denied PutMetricData), and
// the test would measure nothing.
var ErrNoMetrics = errors.New("no metrics from the tasks")

// DefaultSilence is Runner.Silence's default: loadgen publishes every
// 10 s, and CloudWatch shows a datapoint within about a minute.
const DefaultSilence = 3 * time.Minute

// ErrDeadline is returned (wrapped) when tasks were still running at the
// run's deadline and were stopped.
var ErrDeadline = errors.New("run deadline passed")

// backoff follows the consecutive failures of one kind of call.
type backoff struct {
	retry    Retry
	poll     time.Duration
	failures int
	first    time.Time // of the current run of failures
}

func newBackoff(r Retry, poll time.Duration) *backoff {
	return &backoff{retry: r, poll: poll}
}

// ok ends a run of failures.
func (b *backoff) ok() { b.failures = 0 }

// fail records a failed call and returns how long to wait before the next
// attempt, or a non-nil error (wrapping ErrGaveUp and err) when the
// failures exhaust the Retry bounds.
func (b *backoff) fail(err error, now time.Time) (time.Duration, error) {
	if b.failures == 0 {
		b.first = now
	}
	b.failures++
	maxN, maxT := b.retry.MaxFailures, orDefault(b.retry.MaxFailingTime, DefaultMaxFailingTime)
	if maxN <= 0 {
		maxN = DefaultMaxFailures
	}
	if b.failures >= maxN || now.Sub(b.first) >= maxT {
		return 0, fmt.Errorf("%w after %d failed attempt(s) in a row over %v (limits: %d attempts, %v): %w",
			ErrGaveUp, b.failures, now.Sub(b.first).Round(time.Millisecond), maxN, maxT, err)
	}
	return b.delay(), nil
}

// delay is the wait after the current failure: between d/2 and d where d
// doubles from twice the poll interval, capped at MaxDelay, and never
// below the poll interval.
func (b *backoff) delay() time.Duration {
	d := 2 * b.poll
	for i := 1; i < b.failures && d < orDefault(b.retry.MaxDelay, DefaultMaxDelay); i++ {
		d *= 2
	}
	d = min(d, orDefault(b.retry.MaxDelay, DefaultMaxDelay))
	w := d/2 + rand.N(d/2+1)
	return max(w, b.poll)
}

// sleep waits d or until ctx is done, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// MaxDuration is the LOADGEN_MAX_DURATION of p's tasks when they are
// started at now: the wait until StartAt, the plan, grace and drain
// (loadgen's defaults when p leaves them zero) and margin.
func (p Plan) MaxDuration(now time.Time, margin time.Duration) time.Duration {
	d := p.Load.Duration() + orDefault(p.Grace, loadplan.DefaultGrace) + orDefault(p.Drain, loadplan.DefaultDrain) + margin
	if !p.StartAt.IsZero() && p.StartAt.After(now) {
		d += p.StartAt.Sub(now)
	}
	return (d + time.Second - 1).Truncate(time.Second) // whole seconds, never below the sum
}

// credentialCodes are the error codes of expired or invalid credentials.
var credentialCodes = map[string]bool{
	"ExpiredTokenException": true, "ExpiredToken": true, "UnrecognizedClientException": true,
	"InvalidClientTokenId": true, "InvalidSignatureException": true, "RequestExpired": true,
}

// credentialError reports whether err says the credentials have expired
// or are not valid, and its code.
func credentialError(err error) (string, bool) {
	var ae smithy.APIError
	if errors.As(err, &ae) && credentialCodes[ae.ErrorCode()] {
		return ae.ErrorCode(), true
	}
	return "", false
}
