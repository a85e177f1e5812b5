package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/sagesize/sagesize/metrics"
)

// Mode names, as written in every output.
const (
	ModeOpen       = "open"
	ModeClosedLoop = "closed-loop (coordinated omission: latencies understated)"
)

// Defaults of Options.
const (
	DefaultTimeout     = 60 * time.Second // SageMaker's own invocation timeout
	DefaultGrace       = 15 * time.Second // + one publish (<= 10 s) fits ECS's default 30 s stop timeout
	DefaultInterval    = 10 * time.Second
	DefaultMaxInFlight = 1000
	DefaultWorkers     = 16
	DefaultFailFast    = 10
	// MaxStartLateness is how late after Options.StartAt Run may begin.
	MaxStartLateness = 5 * time.Second
)

// Options configures Run. Exactly one of Pacer (open model) and Concurrency
// (closed loop) must be set.
type Options struct {
	// Pacer is the load plan of the open model, e.g. NewPacer(plan).
	Pacer Pacer
	// Concurrency > 0 selects the closed-loop mode with that many workers,
	// running for Duration (or until MaxRequests or ctx is done).
	Concurrency int
	Duration    time.Duration

	// StartAt, when set, is the wall-clock time at which the schedule
	// starts: Run waits until then, so that generators on several machines
	// step their rates at the same instants. Run refuses a StartAt more
	// than MaxStartLateness in the past (the first requests would all be
	// late at once).
	StartAt time.Time

	// MaxRequests stops the test after that many requests (0: no limit).
	MaxRequests uint64
	// MaxInFlight bounds the requests in flight in the open model; a
	// request due when the bound is reached is dropped and counted.
	MaxInFlight int
	// Workers is the number of workers started up front (open model).
	Workers int
	// Timeout bounds each request.
	Timeout time.Duration
	// Grace is how long requests in flight at the end may still finish
	// before they are cancelled (and counted as cancelled).
	Grace time.Duration
	// Interval is the length of a reporting interval.
	Interval time.Duration
	// FailFast stops the test when that many requests have ended and none
	// succeeded (0 disables). A rejection of the credentials always stops
	// the test at once.
	FailFast int

	Payloads *Payloads
	// Sample picks payloads at random (seeded by Seed) instead of cycling.
	Sample bool
	Seed   uint64

	// TestID labels every output line and the CloudWatch metrics.
	TestID string
	// Target describes the target in the summary (e.g. the URL).
	Target string

	// Output receives one JSON line per interval and the summary line.
	Output io.Writer
	// Progress, when not nil, receives a one-line human summary of each
	// interval (meant for a terminal).
	Progress io.Writer
	// HLog, when not nil, receives every interval histogram in the
	// HdrHistogram interval log format (.hlog), in microseconds.
	HLog io.Writer
	// Publisher, when not nil, publishes every interval to CloudWatch.
	Publisher *Publisher
	// PublishTimeout bounds each interval's publication (default 10 s).
	PublishTimeout time.Duration
	// Logf receives warnings (publish failures); nil discards them.
	Logf func(format string, args ...any)
}

// Summary is the final report of a test: the cumulative statistics plus the
// test's configuration and what happened to it.
type Summary struct {
	Stats
	Plan      string       `json:"plan"`
	Target    string       `json:"target,omitempty"`
	Payloads  PayloadStats `json:"payloads"`
	Intervals int          `json:"intervals"`
	// Sent counts requests handed to the target; it equals Requests once
	// every in-flight request has ended.
	Sent               uint64 `json:"sent"`
	Stopped            string `json:"stopped"`
	PublishedIntervals int    `json:"published_intervals,omitempty"`
	PublishFailures    int    `json:"publish_failures,omitempty"`
	Error              string `json:"error,omitempty"`

	// Histogram is the cumulative latency histogram (not serialized).
	Histogram *hdrhistogram.Histogram `json:"-"`
}

// FatalError stops a test that cannot produce meaningful results: the
// credentials were rejected, or every request failed.
type FatalError struct {
	Reason string
	Err    error // the first error seen
}

// Error implements error.
func (e *FatalError) Error() string { return fmt.Sprintf("%s: %v", e.Reason, e.Err) }

// Unwrap returns the first error seen.
func (e *FatalError) Unwrap() error { return e.Err }

func (o *Options) validate() error {
	var errs []error
	switch {
	case o.Pacer == nil && o.Concurrency <= 0:
		errs = append(errs, errors.New("no load plan: set a pacer (rate, steps or ramp) or a closed-loop concurrency"))
	case o.Pacer != nil && o.Concurrency > 0:
		errs = append(errs, errors.New("a pacer and a closed-loop concurrency are mutually exclusive"))
	}
	if o.Payloads == nil || o.Payloads.Len() == 0 {
		errs = append(errs, fmt.Errorf("no payload: %w", ErrEmptyPayload))
	}
	if o.Output == nil {
		errs = append(errs, errors.New("no output writer"))
	}
	if o.Timeout < 0 || o.Grace < 0 || o.Interval < 0 || o.Duration < 0 {
		errs = append(errs, errors.New("timeout, grace, interval and duration must not be negative"))
	}
	return errors.Join(errs...)
}

func (o *Options) defaults() {
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Grace == 0 {
		o.Grace = DefaultGrace
	}
	if o.Interval == 0 {
		o.Interval = DefaultInterval
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.PublishTimeout == 0 {
		o.PublishTimeout = 10 * time.Second
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
}

// Run runs one load test against t and returns its summary, which it has
// also written as the last line of opts.Output.
//
// It stops scheduling when the plan ends, MaxRequests were scheduled, a
// fatal error occurs or ctx is done; then it waits up to opts.Grace for the
// requests in flight, cancels the rest (counted as cancelled), writes and
// publishes the last interval and writes the summary. Nothing measured is
// lost: every result is counted in exactly one interval and in the summary.
// The error is nil when the plan ran to its end; it wraps ctx.Err() when ctx
// ended the test, or is a *FatalError.
//
// The summary is returned (and written) even when the error is not nil, so
// that whatever was measured is reported; it is nil only when opts are
// invalid.
func Run(ctx context.Context, t Target, opts Options) (*Summary, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("load test options: %w", err)
	}
	opts.defaults()
	lt := newLoadTest(ctx, t, opts)
	defer lt.release()
	if err := lt.waitForStart(ctx); err != nil {
		return nil, err
	}
	lt.startAttack()
	lt.out = newOutputs(ctx, &lt.opts, lt.start, lt.mode)
	lt.rec = newRecorder(lt.start, opts.Timeout+opts.Grace+time.Minute)
	lt.record()
	return lt.finish(ctx)
}

// tailFold sets where the last interval boundary of a test falls. Every
// result is recorded in the interval during which it arrives. When the end
// of the schedule is known in advance (a plan with a duration, MaxRequests
// in the open model, the closed loop's Duration), the ticks from
// Interval/tailFold before that end on are not interval boundaries: the
// last interval runs from the last boundary to the end of the test and
// holds the requests that finish during the grace period, so that a test
// does not end with a sliver of an interval a few milliseconds long. A test
// stopped early (ctx, a fatal error) ends its last interval where it
// stopped.
const tailFold = 4

// loadTest is the state the steps of Run share. Only the goroutine that
// calls Run touches it (the attack and the publisher run on their own).
type loadTest struct {
	target     Target
	opts       Options
	mode, plan string // as written in every output

	// schedCtx ends scheduling: the caller's ctx, the closed loop's
	// duration, or a fatal error (its cause).
	schedCtx context.Context
	abort    context.CancelCauseFunc
	// stopCtx ends the requests still in flight Grace after scheduling
	// ended.
	stopCtx      context.Context
	stopRequests context.CancelFunc
	release      func() // cancels every context above

	start time.Time // of the schedule
	a     *attack
	// graceDone is closed once every request has ended, or the grace
	// period after the end of scheduling has run out.
	graceDone chan struct{}
	// lastBoundary is the offset from start from which ticks no longer
	// end an interval (see tailFold).
	lastBoundary time.Duration

	out       *outputs
	rec       *recorder
	intervals int
	lastSent  uint64 // requests sent when the last interval ended
	watch     failureWatch
}

// newLoadTest describes the test and makes its contexts.
func newLoadTest(ctx context.Context, t Target, opts Options) *loadTest {
	lt := &loadTest{target: t, opts: opts, watch: failureWatch{failFast: opts.FailFast}}
	lt.mode, lt.plan = opts.describe()
	lt.lastBoundary = time.Duration(math.MaxInt64)
	if end := opts.scheduleEnd(); end > 0 {
		lt.lastBoundary = end - opts.Interval/tailFold
	}
	var cancelTimeout context.CancelFunc = func() {}
	lt.schedCtx, lt.abort = context.WithCancelCause(ctx)
	if opts.Concurrency > 0 && opts.Duration > 0 {
		lt.schedCtx, cancelTimeout = context.WithTimeout(lt.schedCtx, opts.Duration)
	}
	lt.stopCtx, lt.stopRequests = context.WithCancel(context.WithoutCancel(ctx))
	lt.release = func() { lt.stopRequests(); cancelTimeout(); lt.abort(nil) }
	return lt
}

// describe returns the test's mode and plan as every output writes them.
func (o *Options) describe() (mode, plan string) {
	mode = ModeOpen
	if o.Concurrency > 0 {
		mode = ModeClosedLoop
		plan = fmt.Sprintf("closed loop, %d workers", o.Concurrency)
		if o.Duration > 0 {
			plan += fmt.Sprintf(" for %v", o.Duration)
		}
	} else {
		plan = o.Pacer.String()
	}
	if o.MaxRequests > 0 {
		plan += fmt.Sprintf(", at most %d requests", o.MaxRequests)
	}
	return mode, plan
}

// scheduleEnd returns the offset from the start at which scheduling will
// end, when it is known in advance (0 otherwise).
func (o *Options) scheduleEnd() time.Duration {
	if o.Concurrency > 0 {
		return o.Duration
	}
	end := o.Pacer.Duration()
	if o.MaxRequests > 0 {
		if at, ok := o.Pacer.Due(o.MaxRequests); ok && (end == 0 || at < end) {
			end = at
		}
	}
	return end
}

// waitForStart sets the start of the schedule: now, or opts.StartAt after
// waiting for it. When ctx ends the wait, the attack schedules nothing and
// the summary says why.
func (lt *loadTest) waitForStart(ctx context.Context) error {
	lt.start = time.Now()
	at := lt.opts.StartAt
	if at.IsZero() {
		return nil
	}
	if late := lt.start.Sub(at); late > MaxStartLateness {
		return fmt.Errorf("load test options: start time %s passed %v ago (more than %v): give a later start time",
			at.UTC().Format(time.RFC3339), late.Round(time.Millisecond), MaxStartLateness)
	}
	wait := time.NewTimer(time.Until(at))
	defer wait.Stop()
	select {
	case <-wait.C:
	case <-ctx.Done(): // schedCtx is done too
	}
	lt.start = at
	return nil
}

// startAttack starts sending requests, and the grace period's watch: Grace
// after scheduling ended, the requests still in flight are cancelled.
func (lt *loadTest) startAttack() {
	o := &lt.opts
	lt.a = &attack{
		target: lt.target, timeout: o.Timeout, maxInFlight: o.MaxInFlight, workers: o.Workers,
		maxRequests: o.MaxRequests, start: lt.start, stopCtx: lt.stopCtx,
		results: make(chan Result, 4096),
	}
	if o.Concurrency > 0 {
		lt.a.workers = o.Concurrency
	}
	pk := newPicker(o.Payloads, o.Sample, o.Seed)
	// scheduled is closed when no more requests will be sent; the grace
	// period starts then. finished is closed when every request has ended.
	scheduled := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		if o.Concurrency > 0 {
			lt.a.runClosed(lt.schedCtx, pk, scheduled)
		} else {
			lt.a.runOpen(lt.schedCtx, o.Pacer, pk, scheduled)
		}
	}()
	lt.graceDone = make(chan struct{})
	go func() {
		defer close(lt.graceDone)
		<-scheduled
		grace := time.NewTimer(o.Grace)
		defer grace.Stop()
		select {
		case <-finished:
		case <-grace.C:
			lt.stopRequests()
		}
	}()
}

// record records every result until the attack has closed its results,
// and ends an interval at every tick up to lastBoundary.
func (lt *loadTest) record() {
	ticker := time.NewTicker(lt.opts.Interval)
	defer ticker.Stop()
	// Results are drained every millisecond rather than received one by
	// one: a receive that parks and wakes this goroutine for each result
	// costs more CPU than the recording itself. The buffer of a.results
	// holds far more than a millisecond of results.
	poll := time.NewTicker(time.Millisecond)
	defer poll.Stop()
	for {
		select {
		case <-poll.C:
			if !lt.drain() {
				return
			}
		case now := <-ticker.C:
			if !lt.drain() {
				return
			}
			if now.Sub(lt.start) < lt.lastBoundary {
				lt.emit(now)
			}
		}
	}
}

// drain records the results waiting in a.results and reports whether more
// may come.
func (lt *loadTest) drain() (open bool) {
	for {
		select {
		case r, ok := <-lt.a.results:
			if !ok {
				return false
			}
			lt.rec.add(&r)
			if fatal := lt.watch.check(&r); fatal != nil {
				lt.abort(fatal)
			}
		default:
			return true
		}
	}
}

// emit ends the interval at now and writes it.
func (lt *loadTest) emit(now time.Time) {
	s, h := lt.rec.takeInterval(now)
	s.TestID, s.Mode = lt.opts.TestID, lt.mode
	sent := lt.a.sent.Load()
	if d := s.To - s.From; d > 0 {
		s.Rate = round3(float64(sent-lt.lastSent) / d)
		s.TargetRate = lt.targetRate(seconds(s.From), seconds(s.To))
	}
	lt.lastSent = sent
	lt.intervals++
	lt.out.interval(&s, h)
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// targetRate is the plan's rate over [from, to): the requests it schedules
// then, per second (0 in the closed loop).
func (lt *loadTest) targetRate(from, to time.Duration) float64 {
	if lt.opts.Pacer == nil || to <= from {
		return 0
	}
	p := lt.opts.Pacer
	return round3((p.Planned(to) - p.Planned(from)) / (to - from).Seconds())
}

// finish waits for the last requests, writes the last interval and the
// summary, and returns the summary with why the test stopped.
func (lt *loadTest) finish(ctx context.Context) (*Summary, error) {
	<-lt.graceDone
	end := time.Now()
	if lt.rec.iv.requests > 0 || lt.rec.iv.dropped > 0 || lt.intervals == 0 {
		lt.emit(end)
	}
	lt.out.pub.close()
	runErr, stopped := lt.outcome(ctx)
	sum := lt.summary(end, stopped)
	if runErr != nil {
		sum.Error = runErr.Error()
	}
	lt.out.summary(sum)
	return sum, errors.Join(runErr, lt.out.err)
}

// outcome returns the error Run returns and the summary's "stopped".
func (lt *loadTest) outcome(ctx context.Context) (runErr error, stopped string) {
	stopped = "plan complete"
	switch cause := context.Cause(lt.schedCtx); {
	case errors.As(cause, new(*FatalError)):
		runErr, stopped = cause, "fatal error"
	case ctx.Err() != nil:
		runErr = fmt.Errorf("load test stopped before the end of its plan: %w", ctx.Err())
		stopped = "stopped: " + ctx.Err().Error()
	case lt.opts.MaxRequests > 0 && lt.a.sent.Load() >= lt.opts.MaxRequests:
		stopped = "max requests reached"
	}
	if lt.stopCtx.Err() != nil {
		stopped += fmt.Sprintf("; requests still in flight after the %v grace period were cancelled", lt.opts.Grace)
	}
	return runErr, stopped
}

// summary returns the summary of the test, ended at end. Its target rate is
// the plan's own: the requests it planned over the time it was scheduled
// (the whole plan, or up to where it was stopped), not diluted by the grace
// period.
func (lt *loadTest) summary(end time.Time, stopped string) *Summary {
	o := &lt.opts
	published, failed := lt.out.pub.counts()
	sum := &Summary{
		Stats: lt.rec.summary(end), Plan: lt.plan, Target: o.Target, Payloads: o.Payloads.Stats(),
		Intervals: lt.intervals, Sent: lt.a.sent.Load(), Stopped: stopped,
		PublishedIntervals: published, PublishFailures: failed, Histogram: lt.rec.total,
	}
	sum.Payloads.Mode = "cycle"
	if o.Sample {
		sum.Payloads.Mode = fmt.Sprintf("sample (seed %d)", o.Seed)
	}
	sum.TestID, sum.Mode = o.TestID, lt.mode
	sum.TargetRate = lt.targetRate(0, lt.a.scheduledFor)
	return sum
}

// failureWatch decides from the results whether the test must stop: the
// endpoint rejected the credentials, or the first FailFast requests all
// failed.
type failureWatch struct {
	failFast int
	okSeen   bool
	failures int
	first    error // the first failure's error
}

// check returns the fatal error r reveals, or nil.
func (w *failureWatch) check(r *Result) *FatalError {
	if r.Dropped {
		return nil
	}
	if r.Class == OK {
		w.okSeen = true
		return nil
	}
	if w.first == nil {
		w.first = r.Err
	}
	w.failures++
	if isAuthError(r.Err) {
		return &FatalError{Reason: "the endpoint rejected the request's credentials (SigV4)", Err: r.Err}
	}
	if !w.okSeen && w.failFast > 0 && w.failures == w.failFast && r.Class != Cancelled {
		return &FatalError{Reason: fmt.Sprintf("the first %d requests all failed (last: %s)", w.failures, r.Class), Err: w.first}
	}
	return nil
}

// progressLine renders s in one line for a terminal.
func progressLine(s *Stats) string {
	label := "  "
	if s.Type == "summary" {
		label = "= "
	}
	mode := ""
	if s.Mode != ModeOpen {
		mode = " [" + s.Mode + "]"
	}
	ms := func(us int64) string { return fmt.Sprintf("%.1f", metrics.Millis(time.Duration(us)*time.Microsecond)) }
	return fmt.Sprintf("%s%7.1fs %8.1f/s (target %.1f) ok %d err %d [thr %d mod %d 4xx %d 5xx %d to %d conn %d] drop %d  ms p50 %s p90 %s p99 %s p99.9 %s max %s%s",
		label, s.To, s.Rate, s.TargetRate, s.OK, s.Errors, s.ByClass.Throttled, s.ByClass.ModelError, s.ByClass.Client4xx,
		s.ByClass.Server5xx, s.ByClass.Timeout, s.ByClass.Connection, s.Dropped,
		ms(s.Latency.P50), ms(s.Latency.P90), ms(s.Latency.P99), ms(s.Latency.P999), ms(s.Latency.Max), mode)
}
