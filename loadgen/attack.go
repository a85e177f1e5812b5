package loadgen

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// attack is one running test: it sends requests and streams their results.
type attack struct {
	target      Target
	stream      StreamTarget  // target, when it streams (else nil)
	firstToken  time.Duration // first-token timeout of a stream (0: none)
	timeout     time.Duration
	maxInFlight int
	workers     int
	maxRequests uint64 // 0: no limit
	start       time.Time

	// stopCtx is cancelled when the grace period after the end of
	// scheduling runs out: requests still in flight are then cancelled.
	stopCtx context.Context
	results chan Result
	sent    atomic.Uint64 // requests handed to the target

	// inFlight counts the open model's requests queued or in flight.
	inFlight atomic.Int64
	// scheduledFor is how much of the open model's plan was scheduled:
	// all of it, up to request maxRequests, or up to when scheduling was
	// stopped. runOpen sets it before it closes scheduled.
	scheduledFor time.Duration
}

// job is one request handed from the scheduler to a worker.
type job struct {
	seq     uint64
	due     time.Time // carries a monotonic clock reading
	payload *Payload
}

// errRequestTimeout is the cause of a request context cancelled by the
// request timeout.
var errRequestTimeout = errors.New("request timeout")

// errNoFirstToken is the cause of a stream cancelled because no token
// arrived within the first-token timeout.
var errNoFirstToken = errors.New("no first token within the first-token timeout")

// worker sends one request at a time. Its request context is reused from one
// request to the next, with a timer that cancels it after the timeout: this
// costs far less than a context.WithTimeout per request, and a new context
// is made only after a timeout.
type worker struct {
	a      *attack
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer
}

func (a *attack) newWorker() *worker {
	w := &worker{a: a}
	w.renew()
	return w
}

// renew makes a fresh request context and timer.
func (w *worker) renew() {
	ctx, cancel := context.WithCancelCause(w.a.stopCtx)
	w.ctx, w.cancel = ctx, cancel
	w.timer = time.AfterFunc(w.a.timeout, func() { cancel(errRequestTimeout) })
	w.timer.Stop()
}

func (w *worker) close() {
	w.timer.Stop()
	w.cancel(nil)
}

// invoke sends one request and returns its result. Latency is measured from
// due, so a request that was sent late (the generator or the connection pool
// could not keep up) carries its lateness in its latency.
func (w *worker) invoke(seq uint64, due time.Time, p *Payload) Result {
	a := w.a
	if a.stream != nil {
		return w.invokeStream(seq, due, p)
	}
	sent := time.Now()
	a.sent.Add(1)
	w.timer.Reset(a.timeout)
	err := a.target.Invoke(w.ctx, p)
	end := time.Now()
	return a.result(seq, due, sent, end, w.settle(err), err)
}

// settle classifies err and, when the request's context was cancelled (by
// a timer), makes a fresh one for the next request.
func (w *worker) settle(err error) Class {
	if !w.timer.Stop() || w.ctx.Err() != nil {
		// The timer fired (or is firing): this context is spent.
		class := classify(err, w.ctx, w.a.stopCtx)
		w.cancel(nil)
		w.renew()
		return class
	}
	return classify(err, w.ctx, w.a.stopCtx)
}

// invokeStream sends one streamed request and measures its tokens: time
// to first token from due, every gap between arrivals, and the decode
// time. With a first-token timeout, a stream with no token by due +
// timeout is cancelled (class NoFirstToken).
func (w *worker) invokeStream(seq uint64, due time.Time, p *Payload) Result {
	a := w.a
	sent := time.Now()
	a.sent.Add(1)
	w.timer.Reset(a.timeout)
	var first, last time.Time
	var gotFirst atomic.Bool
	sr := &StreamResult{}
	if a.firstToken > 0 {
		cancel := w.cancel
		t := time.AfterFunc(time.Until(due.Add(a.firstToken)), func() {
			if !gotFirst.Load() {
				cancel(errNoFirstToken)
			}
		})
		defer t.Stop()
	}
	info, err := a.stream.InvokeStream(w.ctx, p, func(n int) {
		now := time.Now()
		if first.IsZero() {
			first = now
			gotFirst.Store(true)
		} else {
			sr.Gaps = append(sr.Gaps, now.Sub(last))
		}
		// n arrivals in one chunk: the gaps between them are 0.
		for range n - 1 {
			sr.Gaps = append(sr.Gaps, 0)
		}
		last = now
		sr.Events += n
	})
	end := time.Now()
	r := a.result(seq, due, sent, end, w.settle(err), err)
	if !first.IsZero() {
		sr.TTFT, sr.Decode = first.Sub(due), last.Sub(first)
	}
	sr.Tokens, sr.Counted = info.Tokens, info.Counted
	sr.InputTokens, sr.InputCounted = p.InputTokens, p.InputCounted
	if info.InputTokens > 0 {
		sr.InputTokens, sr.InputCounted = info.InputTokens, InputUsage
	}
	r.Stream = sr
	return r
}

func (a *attack) result(seq uint64, due, sent, end time.Time, class Class, err error) Result {
	r := Result{Seq: seq, Due: due.Sub(a.start), Sent: sent.Sub(a.start), Latency: end.Sub(due), Class: class}
	if class != OK {
		r.Err = err
	}
	return r
}

func (a *attack) worker(work <-chan job, wg *sync.WaitGroup) {
	defer wg.Done()
	w := a.newWorker()
	defer w.close()
	for j := range work {
		r := w.invoke(j.seq, j.due, j.payload)
		a.inFlight.Add(-1)
		a.results <- r
	}
}

// runOpen schedules requests by p until p ends, maxRequests were scheduled or
// ctx is done. A request that is due when fewer than maxInFlight requests are
// in flight is queued to the workers at once; the pool starts with a.workers
// workers and grows, one worker per request that would otherwise wait, up to
// maxInFlight. A request that is due when maxInFlight requests are already in
// flight is not sent: it is reported as dropped, immediately, with its due
// time. The alternative, waiting until a request ends, would silently lower
// the offered load exactly as a closed-loop tool does.
//
// runOpen sets a.scheduledFor and closes scheduled when it stops
// scheduling, and returns after every worker has finished; it closes
// a.results.
func (a *attack) runOpen(ctx context.Context, p Pacer, pk *picker, scheduled chan<- struct{}) {
	// Admission is decided by a.inFlight, so the queue never holds more
	// than maxInFlight jobs and sending to it never blocks.
	work := make(chan job, a.maxInFlight)
	var wg sync.WaitGroup
	workers := int64(0)
	spawn := func() {
		workers++
		wg.Add(1)
		go a.worker(work, &wg)
	}
	for range min(a.workers, a.maxInFlight) {
		spawn()
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	limit := int64(a.maxInFlight)
	// stoppedAt is how much of the plan was scheduled when ctx stopped it.
	stoppedAt := func() time.Duration {
		at := max(time.Since(a.start), 0)
		if d := p.Duration(); d > 0 {
			at = min(at, d)
		}
		return at
	}
loop:
	for n := uint64(0); ; n++ {
		off, ok := p.Due(n)
		if !ok {
			a.scheduledFor = p.Duration()
			break
		}
		if a.maxRequests != 0 && n >= a.maxRequests {
			a.scheduledFor = off
			break
		}
		due := a.start.Add(off)
		if now := time.Now(); now.Before(due) {
			timer.Reset(due.Sub(now))
			select {
			case <-ctx.Done():
				a.scheduledFor = stoppedAt()
				break loop
			case <-timer.C:
			}
		} else if ctx.Err() != nil {
			a.scheduledFor = stoppedAt()
			break loop
		}
		if a.inFlight.Load() >= limit {
			a.results <- Result{Seq: n, Due: off, Sent: time.Since(a.start), Dropped: true}
			// Let the workers run: with one CPU, a scheduler that
			// is behind would otherwise keep the responses that
			// free the slots from being read.
			runtime.Gosched()
			continue
		}
		// in <= limit (admission above), so the pool never outgrows it.
		if in := a.inFlight.Add(1); in > workers {
			spawn()
		}
		work <- job{seq: n, due: due, payload: pk.pick()}
	}
	close(scheduled)
	close(work)
	wg.Wait()
	close(a.results)
}

// runClosed runs a.workers workers, each sending its next request as soon as
// the previous one has returned, until ctx is done or maxRequests were sent.
// Each request's latency is measured from the moment it was sent, because
// that is all a closed loop knows: when the server stalls, the requests that
// would have been sent meanwhile are never sent nor measured (coordinated
// omission). It closes scheduled when ctx is done or every worker has
// finished, and closes a.results when every worker has finished.
func (a *attack) runClosed(ctx context.Context, pk *picker, scheduled chan<- struct{}) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var next atomic.Uint64
	for range a.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := a.newWorker()
			defer w.close()
			for ctx.Err() == nil {
				n := next.Add(1) - 1
				if a.maxRequests != 0 && n >= a.maxRequests {
					return
				}
				mu.Lock()
				p := pk.pick()
				mu.Unlock()
				a.results <- w.invoke(n, time.Now(), p)
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
		}
		close(scheduled)
	}()
	wg.Wait()
	close(done)
	close(a.results)
}
