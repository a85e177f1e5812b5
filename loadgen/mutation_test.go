package loadgen_test

import (
	"bytes"
	"context"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/testkit/awstest"
)

// TestLateGeneratorLatencyCountsFromDue makes the generator late on purpose:
// its schedule starts 500 ms before Run is called (StartAt in the past), so
// the plan's first requests are already overdue when they are sent. The
// coordinated-omission promise is that a request's latency counts from when
// it was due, not from when it was sent: the 500 ms the generator owes the
// first request must appear in the reported latency, and max_send_lag_us
// must report it. Measured from the send, the latencies would be the
// server's 2 ms and the lag would vanish from the percentiles.
func TestLateGeneratorLatencyCountsFromDue(t *testing.T) {
	t.Parallel()
	const late = 500 * time.Millisecond
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Fixed(2 * time.Millisecond)})
	defer srv.Close()
	var out bytes.Buffer
	// 10 requests due 100 ms apart from StartAt: requests 0 to 4 are due
	// 500, 400, 300, 200 and 100 ms before Run starts.
	sum, err := loadgen.Run(context.Background(), targets(t, srv.URL, testSecret)["fast"], loadgen.Options{
		Pacer: constant(t, 10, time.Second), Payloads: payloads(t), Output: &out, Interval: time.Second,
		TestID: "late", StartAt: time.Now().Add(-late),
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if sum.Requests != 10 || sum.OK != 10 || sum.Dropped != 0 {
		t.Fatalf("requests/ok/dropped = %d/%d/%d; want 10/10/0 (first errors %v)", sum.Requests, sum.OK, sum.Dropped, sum.FirstErrors)
	}
	lag := time.Duration(sum.MaxSendLag) * time.Microsecond
	// Request 0 was due at StartAt and cannot have been sent before Run
	// was called; the upper bound only guards against nonsense.
	if lag < late || lag > late+10*time.Second {
		t.Errorf("max_send_lag_us = %v; want at least the %v the schedule started before Run", lag, late)
	}
	maxLatency := time.Duration(sum.Latency.Max) * time.Microsecond
	if maxLatency < lag {
		t.Errorf("max latency %v is below the largest send lag %v: latency was not measured from the due time", maxLatency, lag)
	}
	// The 9th of 10 latencies belongs to request 1, due 400 ms before Run.
	if p90 := time.Duration(sum.Latency.P90) * time.Microsecond; p90 < late-100*time.Millisecond {
		t.Errorf("p90 latency %v; want at least %v: the overdue requests' lateness is missing", p90, late-100*time.Millisecond)
	}
	// The same holds in the JSON lines the dashboard and report read.
	intervals, js := lines(t, &out)
	if js.MaxSendLag != sum.MaxSendLag || js.Latency != sum.Latency {
		t.Errorf("summary line lag %dµs latency %+v; returned summary lag %dµs latency %+v", js.MaxSendLag, js.Latency, sum.MaxSendLag, sum.Latency)
	}
	if len(intervals) == 0 || intervals[0].MaxSendLag < late.Microseconds() || intervals[0].Latency.Max < late.Microseconds() {
		t.Errorf("first interval %+v; want max_send_lag_us and latency max of at least %dµs", intervals, late.Microseconds())
	}
}

// TestClosedLoopSendsExactlyMaxRequests: MaxRequests bounds the closed
// loop as it bounds the open model, to the request.
func TestClosedLoopSendsExactlyMaxRequests(t *testing.T) {
	t.Parallel()
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Fixed(time.Millisecond)})
	defer srv.Close()
	var out bytes.Buffer
	sum, err := loadgen.Run(context.Background(), targets(t, srv.URL, testSecret)["fast"], loadgen.Options{
		Concurrency: 3, Duration: time.Minute, MaxRequests: 10, Payloads: payloads(t), Output: &out,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if sum.Requests != 10 || srv.Requests() != 10 {
		t.Errorf("closed loop with MaxRequests 10: summary %d requests, server saw %d; want 10 and 10", sum.Requests, srv.Requests())
	}
}

// workerGoroutines counts the goroutines running an open-model worker.
func workerGoroutines() int {
	var b strings.Builder
	_ = pprof.Lookup("goroutine").WriteTo(&b, 2)
	return strings.Count(b.String(), "loadgen.(*attack).worker(")
}

// TestOpenModelPoolGrowsToTheLoadAndNoFurther: started with one worker,
// the pool grows to as many requests as are in flight, so a slow endpoint
// makes no request wait (none is dropped and none is sent late), and
// never beyond MaxInFlight. Each is a promise of the open model: a pool
// that did not grow would send late (queueing in the generator) and drop;
// one that grew without bound would spend a goroutine per request.
func TestOpenModelPoolGrowsToTheLoadAndNoFurther(t *testing.T) {
	// Not parallel: the other tests' workers would be counted.
	run := func(t *testing.T, rate float64, maxInFlight int) (*loadgen.Summary, int) {
		srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Fixed(100 * time.Millisecond)})
		defer srv.Close()
		var (
			wg    sync.WaitGroup
			most  int
			done  = make(chan struct{})
			out   bytes.Buffer
			ticks = time.NewTicker(5 * time.Millisecond)
		)
		defer ticks.Stop()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				case <-ticks.C:
					most = max(most, workerGoroutines())
				}
			}
		}()
		sum, err := loadgen.Run(context.Background(), targets(t, srv.URL, testSecret)["fast"], loadgen.Options{
			Pacer: constant(t, rate, time.Second), Workers: 1, MaxInFlight: maxInFlight, Payloads: payloads(t), Output: &out,
		})
		close(done)
		wg.Wait()
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		return sum, most
	}
	t.Run("grows", func(t *testing.T) {
		// 200 req/s of 100 ms requests: about 20 in flight.
		sum, most := run(t, 200, 1000)
		lag := time.Duration(sum.MaxSendLag) * time.Microsecond
		if sum.Dropped != 0 || sum.Requests != 200 || lag > 500*time.Millisecond {
			t.Errorf("dropped %d, requests %d, max send lag %v; want 0, 200 and far less than the 100 ms requests queue up to", sum.Dropped, sum.Requests, lag)
		}
		t.Logf("at most %d workers, largest latency %dµs", most, sum.Latency.Max)
		// A request in flight was due less than the largest latency ago
		// (latency counts from the due time), so at most rate × that many
		// are in flight at once: about 20 on an idle machine, more on a
		// loaded one. A pool that grew per request would hold about 200.
		maxLatency := time.Duration(sum.Latency.Max) * time.Microsecond
		if bound := int(200*maxLatency.Seconds()) + 2; most < 10 || most > bound {
			t.Errorf("at most %d workers; want one per request in flight: 10 to %d (200 req/s × the largest latency %v)", most, bound, maxLatency)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		// 400 req/s of 100 ms requests would need 40 in flight.
		sum, most := run(t, 400, 4)
		if most > 4 || sum.Dropped == 0 {
			t.Errorf("at most %d workers, %d dropped; want at most MaxInFlight = 4 workers and the rest dropped", most, sum.Dropped)
		}
	})
}

// TestFirstTokenTimeoutSpoilsOnlyItsOwnRequest: a stream with no first
// token within the first-token timeout is cancelled through its worker's
// request context, and the worker's next request must get a fresh one.
// One closed-loop user sends 4 streams; the server never starts the first:
// that one is counted as no_first_token and the next 3 complete. Kept
// with the spent context, they would all fail at once.
func TestFirstTokenTimeoutSpoilsOnlyItsOwnRequest(t *testing.T) {
	t.Parallel()
	srv := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: llm, Script: func(inv *awstest.Invocation) awstest.StreamPlan {
		if inv.Seq == 0 {
			return awstest.StreamPlan{Fault: awstest.FaultNoFirstToken}
		}
		return awstest.StreamPlan{}
	}})
	defer srv.Close()
	sum, err := loadgen.Run(context.Background(), streamTarget(t, srv.URL, loadgen.FormatTGI), loadgen.Options{
		Concurrency: 1, Duration: time.Minute, MaxRequests: 4, FirstTokenTimeout: 200 * time.Millisecond,
		Payloads: prompts(t), Output: new(bytes.Buffer),
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if want := (loadgen.ErrorCounts{NoFirstToken: 1}); sum.ByClass != want || sum.OK != 3 {
		t.Errorf("errors by class %+v, ok %d; want %+v and 3 ok (first errors %v)", sum.ByClass, sum.OK, want, sum.FirstErrors)
	}
}

// TestStreamInputTokensFromThePromptsWhenTheServerCountsNone: a TGI stream
// reports no usage, so each request's input tokens are its rendered
// prompt's own count (synthetic words) and the summary sums those, saying
// how they were counted. A server's usage, when it sends one, takes
// precedence (TestStreamPromptsReachTheServer).
func TestStreamInputTokensFromThePromptsWhenTheServerCountsNone(t *testing.T) {
	t.Parallel()
	srv := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: awstest.TokenModel{StepBase: time.Millisecond, OutputTokens: 3}})
	defer srv.Close()
	ps := loadgen.SyntheticPrompts(loadgen.TokenDist{Mean: 12, Stddev: 3}, loadgen.TokenDist{Mean: 6, Stddev: 2}, 8, 3)
	payloads, err := loadgen.RenderPrompts("synthetic", ps, loadgen.FormatTGI)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := loadgen.Run(context.Background(), streamTarget(t, srv.URL, loadgen.FormatTGI), loadgen.Options{
		Pacer: constant(t, 40, 200*time.Millisecond), Payloads: payloads, Output: new(bytes.Buffer), Interval: time.Second})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var want uint64
	for _, p := range ps {
		want += uint64(p.InputTokens)
	}
	if s := sum.Stream; sum.OK != 8 || s.InputTokens != want || s.InputCounted != loadgen.InputWords {
		t.Errorf("summary: ok %d, input tokens %d (%s); want 8 ok and %d input tokens (%s)", sum.OK, s.InputTokens, s.InputCounted, want, loadgen.InputWords)
	}
}

// TestLastIntervalIsRetriedAfterItsBackoff: the test's only interval is
// published after the run, and its first call fails. No newer interval
// will wake the publisher, so its retry must come from the backoff's own
// timer, well within the drain; a publisher that waited for a wake-up
// would abandon it at the drain's end.
func TestLastIntervalIsRetriedAfterItsBackoff(t *testing.T) {
	t.Parallel()
	cw := awstest.NewCloudWatch()
	defer cw.Close()
	cw.FailCall(1)
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Fixed(time.Millisecond)})
	defer srv.Close()
	const drain = 5 * time.Second
	var out bytes.Buffer
	sum, err := loadgen.Run(context.Background(), targets(t, srv.URL, testSecret)["fast"], loadgen.Options{
		Pacer: constant(t, 20, 500*time.Millisecond), Payloads: payloads(t), Output: &out, Interval: 2 * time.Second, Drain: drain,
		Publisher: loadgen.NewPublisher(cloudWatchClient(cw.URL, 1), metrics.NamespaceLoadTest, "test-ep", "", "last"),
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	r := publishLine(t, out.Bytes())
	if sum.Intervals != 1 || len(cw.Rejected()) != 1 || r.Published != 1 || r.Retries != 1 {
		t.Errorf("%d interval(s), %d call(s) rejected, publish line %+v; want 1 interval published on its 1 retry", sum.Intervals, len(cw.Rejected()), r)
	}
}
