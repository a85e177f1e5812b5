package loadgen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/testkit/awstest"
)

// stampedWriter keeps what is written and when each line (one Write per
// JSON line) arrived.
type stampedWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	types []string
	at    []time.Time
}

func (w *stampedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var probe struct{ Type string }
	_ = json.Unmarshal(p, &probe)
	w.types = append(w.types, probe.Type)
	w.at = append(w.at, time.Now())
	return w.buf.Write(p)
}

// when returns when the first line of type typ was written.
func (w *stampedWriter) when(t *testing.T, typ string) time.Time {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, ty := range w.types {
		if ty == typ {
			return w.at[i]
		}
	}
	t.Fatalf("no %q line in:\n%s", typ, w.buf.String())
	return time.Time{}
}

// TestHungCloudWatchDoesNotDelayTheSummary publishes to a CloudWatch that
// accepts connections and never answers: the summary must be written as
// soon as the grace period ends, and Run must return after the drain
// period, with every interval counted as unpublished.
func TestHungCloudWatchDoesNotDelayTheSummary(t *testing.T) {
	t.Parallel()
	hung := awstest.NewHanging()
	defer hung.Close()
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Fixed(time.Millisecond)})
	defer srv.Close()
	const plan, grace, drain = time.Second, time.Second, time.Second
	var out stampedWriter
	start := time.Now()
	sum, err := loadgen.Run(context.Background(), targets(t, srv.URL, testSecret)["fast"], loadgen.Options{
		Pacer: constant(t, 50, plan), Payloads: payloads(t), Output: &out, Interval: 300 * time.Millisecond,
		Grace: grace, Drain: drain, TestID: "hung",
		Publisher: loadgen.NewPublisher(cloudWatchClient(hung.URL, 1), metrics.NamespaceLoadTest, "test-ep", "", "hung"),
	})
	returned := time.Since(start)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	summaryAt := out.when(t, "summary").Sub(start)
	t.Logf("hung CloudWatch: summary written after %v, Run returned after %v (plan %v, drain %v)", summaryAt, returned, plan, drain)
	if summaryAt > plan+time.Second {
		t.Errorf("summary written %v after the start; want it right after the %v plan, before publishing", summaryAt, plan)
	}
	if returned > plan+drain+3*time.Second {
		t.Errorf("Run returned after %v; want within plan + drain (%v) + 3s", returned, plan+drain)
	}
	if hung.Accepted() == 0 {
		t.Fatal("the publisher never reached the hanging CloudWatch")
	}
	r := publishLine(t, out.buf.Bytes())
	if r.Published != 0 || r.Unpublished != sum.Intervals || r.Abandoned == 0 || r.DrainLimitS != drain.Seconds() {
		t.Errorf("publish line %+v; want all %d intervals unpublished, some abandoned at the %v drain limit", r, sum.Intervals, drain)
	}
	if sum.PublishedIntervals != 0 || sum.PublishFailures+sum.PublishPending != sum.Intervals {
		t.Errorf("summary: published %d, failed %d, pending %d of %d intervals", sum.PublishedIntervals, sum.PublishFailures, sum.PublishPending, sum.Intervals)
	}
}

// TestLostIntervalIsRetried loses the first publication of one interval:
// the publisher retries it, so CloudWatch ends up with every interval,
// each carrying Intervals = 1, and every request.
func TestLostIntervalIsRetried(t *testing.T) {
	t.Parallel()
	cw := awstest.NewCloudWatch()
	defer cw.Close()
	cw.FailCall(2)
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Fixed(time.Millisecond)})
	defer srv.Close()
	var out bytes.Buffer
	sum, err := loadgen.Run(context.Background(), targets(t, srv.URL, testSecret)["fast"], loadgen.Options{
		Pacer: constant(t, 100, 2*time.Second), Payloads: payloads(t), Output: &out, Interval: 400 * time.Millisecond,
		Publisher: loadgen.NewPublisher(cloudWatchClient(cw.URL, 1), metrics.NamespaceLoadTest, "test-ep", "", "lost"),
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := len(cw.Rejected()); n != 1 {
		t.Fatalf("CloudWatch rejected %d calls; want the one injected fault", n)
	}
	intervals := map[time.Time]float64{}
	var requests float64
	for _, d := range cw.Datums() {
		switch d.MetricName {
		case metrics.LoadTestIntervals:
			intervals[d.Timestamp] += *d.Value
		case metrics.LoadTestRequests:
			requests += *d.Value
		}
	}
	if len(intervals) != sum.Intervals || requests != float64(sum.Requests) {
		t.Errorf("CloudWatch holds %d intervals and %v requests; the test ran %d intervals of %d requests", len(intervals), requests, sum.Intervals, sum.Requests)
	}
	for ts, n := range intervals {
		if n != 1 {
			t.Errorf("interval starting %v published Intervals = %v; want 1", ts, n)
		}
	}
	r := publishLine(t, out.Bytes())
	if r.Published != sum.Intervals || r.Unpublished != 0 || r.Retries != 1 {
		t.Errorf("publish line %+v; want all %d intervals published after 1 retry", r, sum.Intervals)
	}
}

// TestThrottlingBacksOff publishes to a CloudWatch that throttles every
// call: the publisher retries with growing waits, not in a tight loop, and
// gives each interval up at the end of its window.
func TestThrottlingBacksOff(t *testing.T) {
	t.Parallel()
	cw := awstest.NewCloudWatch()
	defer cw.Close()
	cw.Throttle()
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Fixed(time.Millisecond)})
	defer srv.Close()
	var out, logs bytes.Buffer
	var mu sync.Mutex
	const window = 2 * time.Second
	start := time.Now()
	sum, err := loadgen.Run(context.Background(), targets(t, srv.URL, testSecret)["fast"], loadgen.Options{
		Pacer: constant(t, 50, time.Second), Payloads: payloads(t), Output: &out, Interval: 500 * time.Millisecond,
		PublishWindow: window, Drain: 3 * time.Second,
		Publisher: loadgen.NewPublisher(cloudWatchClient(cw.URL, 1), metrics.NamespaceLoadTest, "test-ep", "", "throttled"),
		Logf: func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			logs.WriteString(format + "\n")
		},
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Logf("throttled: %d calls for %d intervals, Run took %v", len(cw.Rejected()), sum.Intervals, time.Since(start))
	// Backoff from 250 ms doubling: at most 4 calls per interval within a
	// 2 s window (0, ≥125 ms, ≥375 ms, ≥875 ms ...); a tight loop makes
	// hundreds.
	if calls := len(cw.Rejected()); calls <= sum.Intervals || calls > 5*sum.Intervals {
		t.Errorf("%d throttled calls for %d intervals; want retries with backoff (more than 1, at most 5 per interval)", calls, sum.Intervals)
	}
	r := publishLine(t, out.Bytes())
	if r.Published != 0 || r.Failed != sum.Intervals || r.Retries == 0 {
		t.Errorf("publish line %+v; want every interval failed after retries", r)
	}
	if !strings.Contains(logs.String(), "not published after") {
		t.Errorf("logs %q do not say which interval was given up", logs.String())
	}
}

// TestFullBacklogDropsTheOldest fills the publish backlog (a CloudWatch
// that never answers, a backlog of 3): the oldest intervals are dropped
// and counted, and every interval is accounted for.
func TestFullBacklogDropsTheOldest(t *testing.T) {
	t.Parallel()
	hung := awstest.NewHanging()
	defer hung.Close()
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Fixed(time.Millisecond)})
	defer srv.Close()
	const backlog = 3
	var out bytes.Buffer
	sum, err := loadgen.Run(context.Background(), targets(t, srv.URL, testSecret)["fast"], loadgen.Options{
		Pacer: constant(t, 100, time.Second), Payloads: payloads(t), Output: &out, Interval: 100 * time.Millisecond,
		Drain: 200 * time.Millisecond, PublishBacklog: backlog,
		Publisher: loadgen.NewPublisher(cloudWatchClient(hung.URL, 1), metrics.NamespaceLoadTest, "test-ep", "", "full"),
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if sum.Intervals <= backlog {
		t.Fatalf("%d intervals ran; the test needs more than the backlog of %d", sum.Intervals, backlog)
	}
	r := publishLine(t, out.Bytes())
	if r.Dropped != sum.Intervals-backlog || r.Abandoned != backlog || r.Unpublished != sum.Intervals {
		t.Errorf("publish line %+v for %d intervals; want %d dropped, the %d of a full backlog abandoned", r, sum.Intervals, sum.Intervals-backlog, backlog)
	}
}

// TestMaxDurationEndsARunWithoutEnd runs a rate with no duration: the max
// duration ends it, leaving the grace and drain periods inside the cap.
func TestMaxDurationEndsARunWithoutEnd(t *testing.T) {
	t.Parallel()
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Fixed(time.Millisecond)})
	defer srv.Close()
	const maxDuration = 1500 * time.Millisecond
	var out bytes.Buffer
	start := time.Now()
	sum, err := loadgen.Run(context.Background(), targets(t, srv.URL, testSecret)["fast"], loadgen.Options{
		Pacer: constant(t, 50, 0), Payloads: payloads(t), Output: &out, Interval: 500 * time.Millisecond,
		Grace: 200 * time.Millisecond, Drain: 300 * time.Millisecond, MaxDuration: maxDuration, MaxDurationSource: "test",
	})
	took := time.Since(start)
	if err != nil {
		t.Fatalf("Run: %v; a plan without an end that reaches its cap ended normally", err)
	}
	t.Logf("max duration %v: Run returned after %v with %d requests", maxDuration, took, sum.Requests)
	if took < maxDuration-500*time.Millisecond || took > maxDuration+2*time.Second {
		t.Errorf("Run took %v; want about the max duration %v less grace and drain", took, maxDuration)
	}
	if _, js := lines(t, &out); js.Stopped != "max duration 1.5s reached" || js.MaxDuration != "1.5s (test)" || js.Requests == 0 || js.Requests != srv.Requests() {
		t.Errorf("summary stopped %q, max duration %q, %d requests (server %d)", js.Stopped, js.MaxDuration, js.Requests, srv.Requests())
	}
}

func TestStopBudgetIsEnforced(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opts loadgen.Options
		want string
	}{
		{"over Fargate's stop timeout", loadgen.Options{Grace: 100 * time.Second, Drain: 30 * time.Second}, "over Fargate's longest stop timeout 2m0s"},
		{"max duration within grace and drain", loadgen.Options{Grace: time.Second, Drain: time.Second, MaxDuration: 2 * time.Second}, "max duration 2s leaves no time for the plan"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			o := tt.opts
			o.Pacer, o.Payloads, o.Output = constant(t, 10, time.Second), payloads(t), &out
			sum, err := loadgen.Run(context.Background(), targets(t, "http://127.0.0.1:9", testSecret)["fast"], o)
			if err == nil || !strings.Contains(err.Error(), tt.want) || sum != nil {
				t.Errorf("Run = %v, %v; want it refused with %q", sum, err, tt.want)
			}
		})
	}
}
