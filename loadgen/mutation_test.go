package loadgen_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/sagesize/sagesize/loadgen"
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
