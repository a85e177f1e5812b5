package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
)

// Publishing defaults (see Options).
const (
	// DefaultPublishTimeout bounds one PutMetricData call.
	DefaultPublishTimeout = 5 * time.Second
	// DefaultPublishWindow is how long after it ended an interval is
	// retried before it is given up.
	DefaultPublishWindow = time.Minute
	// MaxPublishBacklog is the default of Options.PublishBacklog: the
	// most intervals waiting to be published; when a new one arrives the
	// oldest is dropped (and counted).
	MaxPublishBacklog = 64
	// Retries wait publishBackoffBase × 2^(attempt−1), at most
	// publishBackoffMax, with jitter: a random half of it is taken off.
	publishBackoffBase = 250 * time.Millisecond
	publishBackoffMax  = 8 * time.Second
)

// PublishReport is the last line a test that publishes writes, after its
// summary: what reached CloudWatch when the drain ended.
type PublishReport struct {
	Type   string `json:"type"` // "publish"
	TestID string `json:"test_id,omitempty"`
	// Intervals is the number of intervals the test ran, Published those
	// CloudWatch accepted and Unpublished the others: Failed (given up
	// after retries, or refused for good), Dropped (pushed out of a full
	// backlog) and Abandoned (still queued when the drain ended).
	Intervals   int `json:"intervals"`
	Published   int `json:"published"`
	Unpublished int `json:"unpublished"`
	Failed      int `json:"failed"`
	Dropped     int `json:"dropped"`
	Abandoned   int `json:"abandoned"`
	// Retries counts the PutMetricData calls that repeated a failed one.
	Retries int `json:"retries"`
	// DrainS is how long publishing took after the summary, in seconds;
	// DrainLimitS the limit it had (-drain, or less near -max-duration).
	DrainS      float64 `json:"drain_s"`
	DrainLimitS float64 `json:"drain_limit_s"`
}

// pending is one interval waiting to be published.
type pending struct {
	end      time.Time             // of the interval, for the logs
	batches  [][]types.MetricDatum // not yet accepted
	attempts int                   // calls made so far
	next     time.Time             // no call before
	giveUp   time.Time             // no call after
}

// publication publishes intervals on its own goroutine, oldest first, so
// that a slow CloudWatch never delays recording (which would back up
// results and inflate latency). A failed call is retried with exponential
// backoff and jitter until the interval's window ends; meanwhile younger
// intervals are published. The backlog is bounded: when it is full, the
// oldest interval is dropped. drain ends it by a deadline. Its methods do
// nothing on a nil publication.
type publication struct {
	pub     *Publisher
	logf    func(format string, args ...any)
	timeout time.Duration // of one call
	window  time.Duration // of one interval's retries
	backlog int           // most intervals queued

	// ctx ends the call in progress when the drain deadline passes.
	ctx    context.Context
	cancel context.CancelFunc
	wake   chan struct{} // 1-buffered: the queue changed or it is closed
	done   chan struct{} // closed when the loop has ended

	mu                                  sync.Mutex
	queue                               []*pending // oldest first
	closed                              bool
	published, failed, dropped, retries int
}

func startPublication(ctx context.Context, o *Options) *publication {
	p := &publication{
		pub: o.Publisher, logf: o.Logf, timeout: o.PublishTimeout, window: o.PublishWindow, backlog: o.PublishBacklog,
		wake: make(chan struct{}, 1), done: make(chan struct{}),
	}
	p.ctx, p.cancel = context.WithCancel(context.WithoutCancel(ctx))
	go p.loop()
	return p
}

// send queues an interval, dropping the oldest when the backlog is full.
func (p *publication) send(s Stats, h *hdrhistogram.Histogram) {
	if p == nil {
		return
	}
	now := time.Now()
	it := &pending{end: s.End, batches: batches(p.pub.Datums(&s, h)), next: now, giveUp: now.Add(p.window)}
	p.mu.Lock()
	if len(p.queue) == p.backlog {
		old := p.queue[0]
		p.queue = p.queue[1:]
		p.dropped++
		p.logf("cloudwatch: publish backlog full (%d intervals): interval ending %s dropped", p.backlog, old.end.Format(time.RFC3339))
	}
	p.queue = append(p.queue, it)
	p.mu.Unlock()
	p.signal()
}

func (p *publication) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// loop publishes until the queue is closed and empty, or ctx ends.
func (p *publication) loop() {
	defer close(p.done)
	for p.ctx.Err() == nil {
		it, wait, ok := p.pick(time.Now())
		if !ok {
			return
		}
		if it == nil {
			if !p.sleep(wait) {
				return
			}
			continue
		}
		p.attempt(it)
	}
}

// pick returns the oldest interval due for a call at now; else, how long
// until one is due (0: until woken). ok is false once the queue is closed
// and empty.
func (p *publication) pick(now time.Time) (it *pending, wait time.Duration, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.queue) == 0 {
		return nil, 0, !p.closed
	}
	var soonest time.Time
	for _, q := range p.queue {
		if !q.next.After(now) {
			return q, 0, true
		}
		if soonest.IsZero() || q.next.Before(soonest) {
			soonest = q.next
		}
	}
	return nil, soonest.Sub(now), true
}

// sleep waits for wait (0: until woken), a wake-up or the end of ctx, and
// reports whether the loop goes on.
func (p *publication) sleep(wait time.Duration) bool {
	var timer <-chan time.Time
	if wait != 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-timer:
	case <-p.wake:
	case <-p.ctx.Done():
		return false
	}
	return true
}

// attempt makes one call for it: its first batch not yet accepted. On
// failure, it schedules a retry within its window or gives it up.
func (p *publication) attempt(it *pending) {
	timeout := min(p.timeout, time.Until(it.giveUp))
	ctx, cancel := context.WithTimeout(p.ctx, max(timeout, time.Millisecond))
	err := p.pub.putBatch(ctx, it.batches[0])
	cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	if it.attempts > 0 {
		p.retries++
	}
	it.attempts++
	if err == nil {
		it.batches = it.batches[1:]
		if len(it.batches) == 0 && p.removeLocked(it) {
			p.published++
		}
		return
	}
	if p.ctx.Err() != nil {
		return // the drain ended: it stays queued, abandoned
	}
	next := time.Now().Add(backoff(it.attempts))
	if !retryable(err) || next.After(it.giveUp) {
		if !p.removeLocked(it) {
			return // dropped from a full backlog during the call: counted
		}
		p.failed++
		p.logf("cloudwatch: interval ending %s not published after %d attempt(s): %v", it.end.Format(time.RFC3339), it.attempts, err)
		return
	}
	it.next = next
}

// removeLocked takes it off the queue and reports whether it was still
// there (a full backlog may have dropped it during its call).
func (p *publication) removeLocked(it *pending) bool {
	for i, q := range p.queue {
		if q == it {
			p.queue = append(p.queue[:i], p.queue[i+1:]...)
			return true
		}
	}
	return false
}

// backoff returns the wait before call attempt+1: exponential, capped,
// with a random part of up to a half taken off (jitter), so that tasks
// throttled together do not retry together.
func backoff(attempt int) time.Duration {
	d := publishBackoffBase
	for range attempt - 1 {
		d = min(2*d, publishBackoffMax)
	}
	return d - rand.N(d/2)
}

// retryable tells whether a failed call may succeed later: throttling,
// server errors, timeouts and connection errors may; a request CloudWatch
// refuses as invalid or unauthorized (another 4xx) will not.
func retryable(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) {
		if _, ok := retry.DefaultThrottleErrorCodes[api.ErrorCode()]; ok {
			return true
		}
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		s := re.HTTPStatusCode()
		return s == http.StatusTooManyRequests || s >= 500
	}
	return true
}

// publishCounts is what the publication has done so far.
type publishCounts struct {
	published, failed, dropped, pending, retries int
}

func (p *publication) counts() publishCounts {
	if p == nil {
		return publishCounts{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return publishCounts{p.published, p.failed, p.dropped, len(p.queue), p.retries}
}

// drain publishes what is queued until the queue is empty or limit has
// passed, when the call in progress is cancelled and whatever is left is
// abandoned. It returns the final report of intervals intervals.
func (p *publication) drain(limit time.Duration, intervals int) *PublishReport {
	start := time.Now()
	stop := time.AfterFunc(max(limit, 0), p.cancel)
	defer stop.Stop()
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.signal()
	<-p.done
	p.cancel()
	c := p.counts()
	return &PublishReport{
		Type: "publish", Intervals: intervals, Published: c.published,
		Unpublished: c.failed + c.dropped + c.pending, Failed: c.failed, Dropped: c.dropped, Abandoned: c.pending,
		Retries: c.retries, DrainS: round3(time.Since(start).Seconds()), DrainLimitS: round3(max(limit, 0).Seconds()),
	}
}

// putBatch sends one PutMetricData request.
func (p *Publisher) putBatch(ctx context.Context, b []types.MetricDatum) error {
	_, err := p.api.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: &p.namespace, MetricData: b})
	if err != nil {
		return fmt.Errorf("put metric data (%d datums): %w", len(b), err)
	}
	return nil
}
