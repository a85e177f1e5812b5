package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/sagesize/sagesize/loadplan"
	"github.com/sagesize/sagesize/metrics"
)

// Mode names, as written in every output.
const (
	ModeOpen       = "open"
	ModeClosedLoop = "closed-loop (coordinated omission: latencies understated)"
)

// Defaults of Options.
const (
	DefaultTimeout     = 60 * time.Second      // SageMaker's own invocation timeout
	DefaultGrace       = loadplan.DefaultGrace // + DefaultDrain + loadplan.StopMargin fit ECS's default 30 s stop timeout
	DefaultDrain       = loadplan.DefaultDrain
	DefaultInterval    = 10 * time.Second
	DefaultMaxInFlight = 1000
	DefaultWorkers     = 16
	DefaultFailFast    = 10
	// MaxStartLateness is how late after Options.StartAt Run may begin.
	MaxStartLateness = 5 * time.Second
	// MaxStartAhead is how far ahead Options.StartAt may be: a start
	// further away is refused rather than waited for.
	MaxStartAhead = 10 * time.Minute
	// DefaultMaxDurationUnbounded is the cap of a run whose plan has no
	// end (-rate without -duration) when none is given.
	DefaultMaxDurationUnbounded = time.Hour
	// MaxDurationMargin is what DefaultMaxDuration adds to a plan with an
	// end, past its grace and drain.
	MaxDurationMargin = time.Minute
)

// DefaultMaxDuration returns the default cap of a whole run: the wait
// for its start time, the plan, grace and drain, plus MaxDurationMargin;
// DefaultMaxDurationUnbounded when the plan has no end (plan is 0).
func DefaultMaxDuration(wait, plan, grace, drain time.Duration) time.Duration {
	if plan <= 0 {
		return DefaultMaxDurationUnbounded
	}
	return max(wait, 0) + plan + grace + drain + MaxDurationMargin
}

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
	// Drain is how long, after the summary is written, the publisher may
	// still spend publishing its backlog. Grace + Drain must fit the
	// container's stop timeout (loadplan.StopTimeout).
	Drain time.Duration
	// MaxDuration caps the whole run, from the call to Run: the wait for
	// StartAt, the plan, Grace and Drain. Scheduling stops MaxDuration −
	// Grace − Drain after the call (0: no cap).
	MaxDuration time.Duration
	// MaxDurationSource says where MaxDuration comes from, for the
	// summary (e.g. "-max-duration").
	MaxDurationSource string
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
	// PublishTimeout bounds each PutMetricData call (default
	// DefaultPublishTimeout); a call also ends with its interval's
	// window or the drain.
	PublishTimeout time.Duration
	// PublishWindow is how long after it ended an interval may be retried
	// (default DefaultPublishWindow).
	PublishWindow time.Duration
	// PublishBacklog is the most intervals waiting to be published; a new
	// one pushes the oldest out (default MaxPublishBacklog).
	PublishBacklog int
	// Logf receives warnings (publish failures); nil discards them.
	Logf func(format string, args ...any)

	// FirstTokenTimeout, for a StreamTarget, cancels a stream that has
	// received no token this long after its due time (class
	// no_first_token); 0: only Timeout applies.
	FirstTokenTimeout time.Duration
	// SLO, for a StreamTarget, sets the objectives of the goodput.
	SLO SLO
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
	Sent    uint64 `json:"sent"`
	Stopped string `json:"stopped"`
	// MaxDuration is the cap of the run and where it comes from.
	MaxDuration string `json:"max_duration,omitempty"`
	// PublishedIntervals and PublishFailures (given up or dropped) are
	// counted when the summary line is written, with PublishPending the
	// intervals still queued then; the Summary Run returns has the counts
	// after the drain (PublishPending is then those abandoned).
	PublishedIntervals int    `json:"published_intervals,omitempty"`
	PublishFailures    int    `json:"publish_failures,omitempty"`
	PublishPending     int    `json:"publish_pending,omitempty"`
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
	if o.Timeout < 0 || o.Grace < 0 || o.Drain < 0 || o.Interval < 0 || o.Duration < 0 || o.MaxDuration < 0 || o.FirstTokenTimeout < 0 {
		errs = append(errs, errors.New("timeout, grace, drain, interval, duration, max duration and first-token timeout must not be negative"))
	}
	if o.SLO.TTFT < 0 || o.SLO.TPOT < 0 || o.SLO.E2E < 0 {
		errs = append(errs, fmt.Errorf("SLO %+v: objectives must not be negative", o.SLO))
	}
	return errors.Join(errs...)
}

// validateBudget checks, once defaults are set, that grace and drain fit
// a container stop timeout and leave time for the plan in MaxDuration.
func (o *Options) validateBudget() error {
	if _, err := loadplan.StopTimeout(o.Grace, o.Drain); err != nil {
		return fmt.Errorf("stop budget: %w", err)
	}
	if o.MaxDuration > 0 && o.MaxDuration <= o.Grace+o.Drain {
		return fmt.Errorf("max duration %v leaves no time for the plan after grace %v and drain %v: give more than %v",
			o.MaxDuration, o.Grace, o.Drain, o.Grace+o.Drain)
	}
	return nil
}

func (o *Options) defaults() {
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Grace == 0 {
		o.Grace = DefaultGrace
	}
	if o.Drain == 0 {
		o.Drain = DefaultDrain
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
		o.PublishTimeout = DefaultPublishTimeout
	}
	if o.PublishWindow == 0 {
		o.PublishWindow = DefaultPublishWindow
	}
	if o.PublishBacklog <= 0 {
		o.PublishBacklog = MaxPublishBacklog
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
}

// Run runs one load test against t and returns its summary, which it has
// also written as the last line of opts.Output.
//
// It stops scheduling when the plan ends, MaxRequests were scheduled, a
// fatal error occurs, MaxDuration − Grace − Drain has passed or ctx is
// done; then it waits up to opts.Grace for the requests in flight, cancels
// the rest (counted as cancelled), writes the last interval and the
// summary, and only then drains the publisher for at most opts.Drain,
// writing a last "publish" line (PublishReport). Nothing measured is lost:
// every result is counted in exactly one interval and in the summary. The
// error is nil when the plan ran to its end (or, for a plan without an
// end, to MaxDuration); it wraps ctx.Err() when ctx ended the test, or is
// a *FatalError.
//
// The summary is returned (and written) even when the error is not nil, so
// that whatever was measured is reported; it is nil only when opts are
// invalid.
func Run(ctx context.Context, t Target, opts Options) (*Summary, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("load test options: %w", err)
	}
	opts.defaults()
	if err := opts.validateBudget(); err != nil {
		return nil, fmt.Errorf("load test options: %w", err)
	}
	lt := newLoadTest(ctx, t, opts)
	defer lt.release()
	if err := lt.waitForStart(); err != nil {
		return nil, err
	}
	lt.startAttack()
	lt.out = newOutputs(ctx, &lt.opts, lt.start, lt.mode)
	lt.rec = newRecorder(lt.start, opts.Timeout+opts.Grace+time.Minute)
	if lt.a.stream != nil {
		lt.rec.stream = newStreamRecorder(opts.Timeout+opts.Grace+time.Minute, opts.SLO)
	}
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
	// deadline is when the run must have ended (MaxDuration after the
	// call to Run; zero: none).
	deadline time.Time

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
	cancelCap, cancelTimeout := context.CancelFunc(func() {}), context.CancelFunc(func() {})
	lt.schedCtx, lt.abort = context.WithCancelCause(ctx)
	if opts.MaxDuration > 0 {
		lt.deadline = time.Now().Add(opts.MaxDuration)
		lt.schedCtx, cancelCap = context.WithDeadlineCause(lt.schedCtx, lt.deadline.Add(-opts.Grace-opts.Drain), errMaxDuration)
	}
	if opts.Concurrency > 0 && opts.Duration > 0 {
		lt.schedCtx, cancelTimeout = context.WithTimeout(lt.schedCtx, opts.Duration)
	}
	lt.stopCtx, lt.stopRequests = context.WithCancel(context.WithoutCancel(ctx))
	lt.release = func() { lt.stopRequests(); cancelTimeout(); cancelCap(); lt.abort(nil) }
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

// errMaxDuration is the cause of a schedule ended by Options.MaxDuration.
var errMaxDuration = errors.New("max duration reached")

// waitForStart sets the start of the schedule: now, or opts.StartAt after
// waiting for it. A start time more than MaxStartLateness past, more than
// MaxStartAhead ahead or after the end MaxDuration leaves for the plan is
// refused. When ctx ends the wait, the attack schedules nothing and the
// summary says why.
func (lt *loadTest) waitForStart() error {
	lt.start = time.Now()
	at := lt.opts.StartAt
	if at.IsZero() {
		return nil
	}
	stamp := at.UTC().Format(time.RFC3339)
	if late := lt.start.Sub(at); late > MaxStartLateness {
		return fmt.Errorf("load test options: start time %s passed %v ago (more than %v): give a later start time",
			stamp, late.Round(time.Millisecond), MaxStartLateness)
	}
	if ahead := at.Sub(lt.start); ahead > MaxStartAhead {
		return fmt.Errorf("load test options: start time %s is %v ahead (more than %v): give an earlier start time",
			stamp, ahead.Round(time.Second), MaxStartAhead)
	}
	if end := lt.deadline.Add(-lt.opts.Grace - lt.opts.Drain); !lt.deadline.IsZero() && !at.Before(end) {
		return fmt.Errorf("load test options: start time %s is after the end of the max duration %v less grace and drain (%s): give an earlier start time or a longer max duration",
			stamp, lt.opts.MaxDuration, end.UTC().Format(time.RFC3339))
	}
	wait := time.NewTimer(time.Until(at))
	defer wait.Stop()
	select {
	case <-wait.C:
	case <-lt.schedCtx.Done():
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
		results: make(chan Result, 4096), firstToken: o.FirstTokenTimeout,
	}
	if st, ok := lt.target.(StreamTarget); ok {
		lt.a.stream = st
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
		grace := time.NewTimer(lt.graceLeft())
		defer grace.Stop()
		select {
		case <-finished:
		case <-grace.C:
			lt.stopRequests()
		}
	}()
}

// graceLeft returns the grace period that starts now: Grace, shortened so
// that the drain still fits before the run's deadline.
func (lt *loadTest) graceLeft() time.Duration {
	g := lt.opts.Grace
	if !lt.deadline.IsZero() {
		g = min(g, time.Until(lt.deadline.Add(-lt.opts.Drain)))
	}
	return max(g, 0)
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
// summary, then drains the publisher and writes its report; it returns the
// summary, with the final publish counts, and why the test stopped.
func (lt *loadTest) finish(ctx context.Context) (*Summary, error) {
	<-lt.graceDone
	end := time.Now()
	if lt.rec.iv.requests > 0 || lt.rec.iv.dropped > 0 || lt.intervals == 0 {
		lt.emit(end)
	}
	runErr, stopped := lt.outcome(ctx)
	sum := lt.summary(end, stopped)
	if runErr != nil {
		sum.Error = runErr.Error()
	}
	lt.out.summary(sum)
	if lt.out.pub != nil {
		r := lt.out.pub.drain(lt.drainLeft(), lt.intervals)
		r.TestID = lt.opts.TestID
		lt.out.publishReport(r)
		sum.PublishedIntervals, sum.PublishFailures, sum.PublishPending = r.Published, r.Failed+r.Dropped, r.Abandoned
	}
	return sum, errors.Join(runErr, lt.out.err)
}

// drainLeft returns the drain period that starts now: Drain, shortened
// to the run's deadline.
func (lt *loadTest) drainLeft() time.Duration {
	d := lt.opts.Drain
	if !lt.deadline.IsZero() {
		d = min(d, time.Until(lt.deadline))
	}
	return max(d, 0)
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
	case errors.Is(cause, errMaxDuration):
		stopped = fmt.Sprintf("max duration %v reached", lt.opts.MaxDuration)
		if lt.opts.scheduleEnd() > 0 {
			runErr = fmt.Errorf("load test stopped by its max duration %v before the end of its plan", lt.opts.MaxDuration)
		}
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
	c := lt.out.pub.counts()
	sum := &Summary{
		Stats: lt.rec.summary(end), Plan: lt.plan, Target: o.Target, Payloads: o.Payloads.Stats(),
		Intervals: lt.intervals, Sent: lt.a.sent.Load(), Stopped: stopped,
		PublishedIntervals: c.published, PublishFailures: c.failed + c.dropped, PublishPending: c.pending,
		Histogram: lt.rec.total,
	}
	if o.MaxDuration > 0 {
		sum.MaxDuration = o.MaxDuration.String()
		if o.MaxDurationSource != "" {
			sum.MaxDuration += " (" + o.MaxDurationSource + ")"
		}
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
	line := fmt.Sprintf("%s%7.1fs %8.1f/s (target %.1f) ok %d err %d [thr %d mod %d 4xx %d 5xx %d to %d conn %d] drop %d  ms p50 %s p90 %s p99 %s p99.9 %s max %s%s",
		label, s.To, s.Rate, s.TargetRate, s.OK, s.Errors, s.ByClass.Throttled, s.ByClass.ModelError, s.ByClass.Client4xx,
		s.ByClass.Server5xx, s.ByClass.Timeout, s.ByClass.Connection, s.Dropped,
		ms(s.Latency.P50), ms(s.Latency.P90), ms(s.Latency.P99), ms(s.Latency.P999), ms(s.Latency.Max), mode)
	if st := s.Stream; st != nil {
		line += fmt.Sprintf(" | stream err [mid-stream %d no end %d no first token %d] ttft ms p50 %s p99 %s itl ms p50 %s p99 %s  %.1f %s/s",
			s.ByClass.StreamError, s.ByClass.NoEnd, s.ByClass.NoFirstToken, ms(st.TTFT.P50), ms(st.TTFT.P99), ms(st.ITL.P50), ms(st.ITL.P99),
			st.OutputTokensPerSecond, st.Counted)
		if st.SLO != "" {
			line += fmt.Sprintf(" goodput %.1f/s (%s)", st.Goodput, st.SLO)
		}
	}
	return line
}
