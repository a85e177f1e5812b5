package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
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
	// Pacer is the load plan of the open model.
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
// publishes the last, partial interval and writes the summary. Nothing
// measured is lost. The error is nil when the plan ran to its end; it wraps
// ctx.Err() when ctx ended the test, or is a *FatalError.
//
// The summary is returned (and written) even when the error is not nil, so
// that whatever was measured is reported; it is nil only when opts are
// invalid.
func Run(ctx context.Context, t Target, opts Options) (*Summary, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("load test options: %w", err)
	}
	opts.defaults()
	mode, plan := ModeOpen, ""
	if opts.Concurrency > 0 {
		mode = ModeClosedLoop
		plan = fmt.Sprintf("closed loop, %d workers", opts.Concurrency)
		if opts.Duration > 0 {
			plan += fmt.Sprintf(" for %v", opts.Duration)
		}
	} else {
		plan = opts.Pacer.String()
	}
	if opts.MaxRequests > 0 {
		plan += fmt.Sprintf(", at most %d requests", opts.MaxRequests)
	}

	// schedCtx ends scheduling: ctx, the closed loop's duration, or a
	// fatal error (its cause).
	schedCtx, abort := context.WithCancelCause(ctx)
	defer abort(nil)
	if opts.Concurrency > 0 && opts.Duration > 0 {
		var cancel context.CancelFunc
		schedCtx, cancel = context.WithTimeout(schedCtx, opts.Duration)
		defer cancel()
	}
	// stopCtx ends requests still in flight Grace after scheduling ended.
	stopCtx, stopRequests := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRequests()

	start := time.Now()
	if !opts.StartAt.IsZero() {
		if late := start.Sub(opts.StartAt); late > MaxStartLateness {
			return nil, fmt.Errorf("load test options: start time %s passed %v ago (more than %v): give a later start time",
				opts.StartAt.UTC().Format(time.RFC3339), late.Round(time.Millisecond), MaxStartLateness)
		}
		wait := time.NewTimer(time.Until(opts.StartAt))
		select {
		case <-wait.C:
		case <-ctx.Done(): // schedCtx is done too: nothing is scheduled, the summary says why
		}
		wait.Stop()
		start = opts.StartAt
	}
	a := &attack{
		target: t, timeout: opts.Timeout, maxInFlight: opts.MaxInFlight, workers: opts.Workers,
		maxRequests: opts.MaxRequests, start: start, stopCtx: stopCtx,
		results: make(chan Result, 4096),
	}
	if opts.Concurrency > 0 {
		a.workers = opts.Concurrency
	}
	pk := newPicker(opts.Payloads, opts.Sample, opts.Seed)
	// scheduled is closed when no more requests will be sent; the grace
	// period starts then. finished is closed when every request has ended.
	scheduled := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		if opts.Concurrency > 0 {
			a.runClosed(schedCtx, pk, scheduled)
		} else {
			a.runOpen(schedCtx, opts.Pacer, pk, scheduled)
		}
	}()
	graceDone := make(chan struct{})
	go func() {
		defer close(graceDone)
		<-scheduled
		grace := time.NewTimer(opts.Grace)
		defer grace.Stop()
		select {
		case <-finished:
		case <-grace.C:
			stopRequests()
		}
	}()

	// Publishing runs on its own goroutine so that a slow CloudWatch never
	// delays recording (which would back up results and inflate latency).
	var pubWG sync.WaitGroup
	var pubCh chan publishItem
	var pubFailed, pubDone, pubSkipped int
	if opts.Publisher != nil {
		pubCh = make(chan publishItem, 64)
		pubWG.Add(1)
		go func() {
			defer pubWG.Done()
			opts.Publisher.publishLoop(context.WithoutCancel(ctx), pubCh, opts.PublishTimeout, opts.Logf, &pubFailed, &pubDone)
		}()
	}

	var outErr error
	enc := json.NewEncoder(opts.Output)
	var hlog *hdrhistogram.HistogramLogWriter
	if opts.HLog != nil {
		hlog = hdrhistogram.NewHistogramLogWriter(opts.HLog)
		hlog.SetBaseTime(start.UnixMilli())
		outErr = errors.Join(hlog.OutputLogFormatVersion(), hlog.OutputComment("loadgen latency in microseconds, test "+opts.TestID+", mode "+mode),
			hlog.OutputStartTime(start.UnixMilli()), hlog.OutputBaseTime(start.UnixMilli()), hlog.OutputLegend())
	}
	rec := newRecorder(start, opts.Timeout+opts.Grace+time.Minute)
	intervals := 0
	var lastSent uint64
	emit := func(now time.Time) {
		s, h := rec.takeInterval(now)
		s.TestID, s.Mode = opts.TestID, mode
		sent := a.sent.Load()
		if d := s.To - s.From; d > 0 {
			s.Rate = round3(float64(sent-lastSent) / d)
			if opts.Pacer != nil {
				from := time.Duration(s.From * float64(time.Second))
				to := time.Duration(s.To * float64(time.Second))
				s.TargetRate = round3((opts.Pacer.Planned(to) - opts.Pacer.Planned(from)) / d)
			}
		}
		lastSent = sent
		intervals++
		if err := enc.Encode(&s); err != nil && outErr == nil {
			outErr = fmt.Errorf("write interval: %w", err)
		}
		if opts.Progress != nil {
			fmt.Fprintln(opts.Progress, progressLine(&s))
		}
		if hlog != nil {
			if err := hlog.OutputIntervalHistogramWithLogOptions(h, nil); err != nil && outErr == nil {
				outErr = fmt.Errorf("write hlog: %w", err)
			}
		}
		if pubCh != nil {
			select {
			case pubCh <- publishItem{stats: s, hist: h}:
			default:
				pubSkipped++
				opts.Logf("cloudwatch: publisher backlog full, interval ending %s not published", s.End.Format(time.RFC3339))
			}
		}
	}

	ticker := time.NewTicker(opts.Interval)
	defer ticker.Stop()
	var okSeen bool
	var failures int
	var firstFailure error
	handle := func(r *Result) {
		rec.add(r)
		if r.Dropped {
			return
		}
		if r.Class == OK {
			okSeen = true
			return
		}
		if firstFailure == nil {
			firstFailure = r.Err
		}
		if isAuthError(r.Err) {
			abort(&FatalError{Reason: "the endpoint rejected the request's credentials (SigV4)", Err: r.Err})
		}
		failures++
		if !okSeen && opts.FailFast > 0 && failures == opts.FailFast && r.Class != Cancelled {
			abort(&FatalError{Reason: fmt.Sprintf("the first %d requests all failed (last: %s)", failures, r.Class), Err: firstFailure})
		}
	}
	// Results are drained every millisecond rather than received one by
	// one: a receive that parks and wakes this goroutine for each result
	// costs more CPU than the recording itself. The buffer of a.results
	// holds far more than a millisecond of results.
	poll := time.NewTicker(time.Millisecond)
	defer poll.Stop()
	drain := func() (open bool) {
		for {
			select {
			case r, ok := <-a.results:
				if !ok {
					return false
				}
				handle(&r)
			default:
				return true
			}
		}
	}
loop:
	for {
		select {
		case <-poll.C:
			if !drain() {
				break loop
			}
		case now := <-ticker.C:
			if !drain() {
				break loop
			}
			emit(now)
		}
	}
	<-graceDone
	end := time.Now()
	if rec.iv.requests > 0 || rec.iv.dropped > 0 || intervals == 0 {
		emit(end)
	}
	if pubCh != nil {
		close(pubCh)
		pubWG.Wait()
	}

	var runErr error
	stopped := "plan complete"
	switch cause := context.Cause(schedCtx); {
	case errors.As(cause, new(*FatalError)):
		runErr = cause
		stopped = "fatal error"
	case ctx.Err() != nil:
		runErr = fmt.Errorf("load test stopped before the end of its plan: %w", ctx.Err())
		stopped = "stopped: " + ctx.Err().Error()
	case opts.MaxRequests > 0 && a.sent.Load() >= opts.MaxRequests:
		stopped = "max requests reached"
	}
	if stopCtx.Err() != nil {
		stopped += fmt.Sprintf("; requests still in flight after the %v grace period were cancelled", opts.Grace)
	}
	sum := &Summary{
		Stats: rec.summary(end), Plan: plan, Target: opts.Target, Payloads: opts.Payloads.Stats(),
		Intervals: intervals, Sent: a.sent.Load(), Stopped: stopped,
		PublishedIntervals: pubDone, PublishFailures: pubFailed + pubSkipped, Histogram: rec.total,
	}
	sum.Payloads.Mode = "cycle"
	if opts.Sample {
		sum.Payloads.Mode = fmt.Sprintf("sample (seed %d)", opts.Seed)
	}
	sum.TestID, sum.Mode = opts.TestID, mode
	if opts.Pacer != nil {
		if d := end.Sub(start); d > 0 {
			sum.TargetRate = round3(opts.Pacer.Planned(d) / d.Seconds())
		}
	}
	if runErr != nil {
		sum.Error = runErr.Error()
	}
	if err := enc.Encode(sum); err != nil && outErr == nil {
		outErr = fmt.Errorf("write summary: %w", err)
	}
	if opts.Progress != nil {
		fmt.Fprintln(opts.Progress, progressLine(&sum.Stats))
	}
	return sum, errors.Join(runErr, outErr)
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
	ms := func(us int64) string { return fmt.Sprintf("%.1f", float64(us)/1000) }
	return fmt.Sprintf("%s%7.1fs %8.1f/s (target %.1f) ok %d err %d [thr %d mod %d 4xx %d 5xx %d to %d conn %d] drop %d  ms p50 %s p90 %s p99 %s p99.9 %s max %s%s",
		label, s.To, s.Rate, s.TargetRate, s.OK, s.Errors, s.ByClass.Throttled, s.ByClass.ModelError, s.ByClass.Client4xx,
		s.ByClass.Server5xx, s.ByClass.Timeout, s.ByClass.Connection, s.Dropped,
		ms(s.Latency.P50), ms(s.Latency.P90), ms(s.Latency.P99), ms(s.Latency.P999), ms(s.Latency.Max), mode)
}
