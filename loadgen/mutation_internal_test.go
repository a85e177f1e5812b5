package loadgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// TestBackoffDoublesWithHalfJitter: the wait before call attempt+1 is the
// base doubled per attempt, capped at the maximum, less a random part of up
// to a half.
func TestBackoffDoublesWithHalfJitter(t *testing.T) {
	for attempt, full := range map[int]time.Duration{
		1: publishBackoffBase, 2: 2 * publishBackoffBase, 3: 4 * publishBackoffBase,
		6: publishBackoffMax, 9: publishBackoffMax, 40: publishBackoffMax,
	} {
		lo := full
		for range 200 {
			d := backoff(attempt)
			if d < full/2 || d > full {
				t.Fatalf("backoff(%d) = %v; want %v to %v", attempt, d, full/2, full)
			}
			lo = min(lo, d)
		}
		if lo > full*3/4 {
			t.Errorf("backoff(%d): shortest of 200 waits %v; want jitter down towards %v", attempt, lo, full/2)
		}
	}
}

// TestRetryableByStatus: a throttled (429) or failed (5xx) call is retried;
// any other 4xx is not.
func TestRetryableByStatus(t *testing.T) {
	status := func(code int) error {
		return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}}, Err: errors.New("failed"),
		}}
	}
	for code, want := range map[int]bool{429: true, 500: true, 503: true, 400: false, 403: false} {
		if got := retryable(status(code)); got != want {
			t.Errorf("retryable(HTTP %d) = %v; want %v", code, got, want)
		}
	}
}

// TestSummaryRateSpansFirstToLastSend: results end in any order; the
// summary's send rate is (sent − 1) over the time from the earliest to the
// latest send, and its mean latency keeps one decimal.
func TestSummaryRateSpansFirstToLastSend(t *testing.T) {
	start := time.Now()
	r := newRecorder(start, time.Minute)
	for _, sent := range []time.Duration{3 * time.Second, time.Second, 2 * time.Second, 5 * time.Second} {
		r.add(&Result{Due: sent - time.Millisecond, Sent: sent, Latency: 2 * time.Millisecond})
	}
	r.add(&Result{Due: 4 * time.Second, Sent: 4*time.Second + 250*time.Millisecond, Latency: 251 * time.Millisecond})
	s := r.summary(start.Add(6 * time.Second))
	if s.Rate != 1 {
		t.Errorf("summary rate %v; want 1 (4 sends after the first, over 1 s to 5 s)", s.Rate)
	}
	if s.MaxSendLag != 250_000 {
		t.Errorf("max send lag %dµs; want 250000", s.MaxSendLag)
	}
	h := NewHistogram(time.Second)
	for _, v := range []int64{1000, 2000, 2001} {
		_ = h.RecordValue(v)
	}
	if got := Latency(h).Mean; got != 1667 {
		t.Errorf("mean of 1000, 2000 and 2001 µs = %v; want 1667 (1667.0, one decimal kept)", got)
	}
}

// TestRecorderEdges: a zero latency is recorded as 1 µs; a latency at the
// histogram's highest value is in range and one microsecond more is counted
// out of range, in the interval and in the summary; the first error message
// of each class is kept; an interval's bounds, error count and throughput
// come from its own results.
func TestRecorderEdges(t *testing.T) {
	start := time.Now()
	r := newRecorder(start, time.Second)
	highest := time.Duration(r.interval.HighestTrackableValue()) * time.Microsecond
	r.add(&Result{Sent: time.Second, Latency: 0})
	r.add(&Result{Sent: time.Second, Latency: highest})
	r.add(&Result{Sent: time.Second, Latency: highest + time.Microsecond, Class: Timeout, Err: errors.New("first timeout")})
	r.add(&Result{Sent: time.Second, Latency: time.Millisecond, Class: Timeout, Err: errors.New("second timeout")})
	r.add(&Result{Sent: time.Second, Latency: time.Millisecond, Class: Server5xx})
	s, _ := r.takeInterval(start.Add(2 * time.Second))
	if s.Latency.Min != 1 || s.OutOfRange != 1 || s.Latency.Count != 5 {
		t.Errorf("min %dµs, out of range %d, count %d; want 1, 1 and 5", s.Latency.Min, s.OutOfRange, s.Latency.Count)
	}
	if s.Requests != 5 || s.OK != 2 || s.Errors != 3 || s.Throughput != 2.5 || s.From != 0 || s.To != 2 {
		t.Errorf("interval %+v; want 5 requests, 2 ok, 3 errors, 2.5/s from 0 to 2 s", s)
	}
	r.add(&Result{Sent: 2 * time.Second, Latency: time.Millisecond})
	s, _ = r.takeInterval(start.Add(4 * time.Second))
	if s.Requests != 1 || s.From != 2 || s.To != 4 || s.Throughput != 0.5 {
		t.Errorf("second interval %+v; want 1 request, 0.5/s from 2 to 4 s", s)
	}
	sum := r.summary(start.Add(4 * time.Second))
	if len(sum.FirstErrors) != 1 || sum.FirstErrors["timeout"] != "first timeout" {
		t.Errorf("first errors %v; want only timeout: first timeout", sum.FirstErrors)
	}
	if sum.OutOfRange != 1 || sum.Latency.Count != 6 {
		t.Errorf("summary: out of range %d, count %d; want 1 and 6", sum.OutOfRange, sum.Latency.Count)
	}
}

// TestRecorderDegeneratePeriods: a period of no length has no throughput
// (not requests / 0), and a summary whose sends all share one time has no
// send span to divide by: its rate is its throughput. A test that saw no
// error has no first errors in its JSON line.
func TestRecorderDegeneratePeriods(t *testing.T) {
	start := time.Now()
	r := newRecorder(start, time.Second)
	r.add(&Result{Sent: 0, Latency: time.Millisecond})
	r.add(&Result{Sent: 0, Latency: time.Millisecond})
	if s, _ := r.takeInterval(start); s.Requests != 2 || s.Throughput != 0 {
		t.Errorf("interval of no length: %d requests, throughput %v; want 2 and 0", s.Requests, s.Throughput)
	}
	s := r.summary(start.Add(2 * time.Second))
	if s.Throughput != 1 || s.Rate != 1 {
		t.Errorf("summary of 2 requests sent at 0 s, over 2 s: throughput %v, rate %v; want 1 and 1", s.Throughput, s.Rate)
	}
	if js, err := json.Marshal(s); err != nil || bytes.Contains(js, []byte("first_errors")) {
		t.Errorf("summary without errors: %s (%v); want no first_errors", js, err)
	}
}
