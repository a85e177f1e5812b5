package loadgen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/loadplan"
	"github.com/sagesize/sagesize/testkit/awstest"
)

const (
	testRegion = "us-east-1"
	testKey    = "AKIDLOADGENTEST"
	testSecret = "loadgen-test-secret"
)

func awsConfig(secret string) aws.Config {
	return aws.Config{
		Region:      testRegion,
		Credentials: credentials.NewStaticCredentialsProvider(testKey, secret, ""),
	}
}

// sigv4 makes the server check signatures made with testKey/testSecret.
func sigv4() *awstest.SigV4Check {
	return &awstest.SigV4Check{Keys: map[string]string{testKey: testSecret}, Region: testRegion, Service: "sagemaker"}
}

var invocation = loadgen.Invocation{EndpointName: "test-ep", ContentType: "application/json", Accept: "application/json", CustomAttributes: "trace=1"}

// targets returns the two SageMaker targets, through our signed fast path
// and through the full SDK client (retries off), pointed at url.
func targets(t *testing.T, url, secret string) map[string]loadgen.Target {
	t.Helper()
	cfg := awsConfig(secret)
	fast, err := loadgen.NewSignedTarget(context.Background(), cfg, loadgen.NewHTTPClient(100), url, invocation)
	if err != nil {
		t.Fatal(err)
	}
	sdk := loadgen.NewSDKTarget(sagemakerruntime.NewFromConfig(cfg, func(o *sagemakerruntime.Options) {
		o.BaseEndpoint = aws.String(url)
		o.Retryer = aws.NopRetryer{}
		o.RetryMaxAttempts = 1
	}), invocation)
	return map[string]loadgen.Target{"fast": fast, "sdk": sdk}
}

func payloads(t *testing.T) *loadgen.Payloads {
	t.Helper()
	p, err := loadgen.NewPayloads("test", loadgen.NewPayload("a", []byte(`{"instances":[1,2,3]}`)), loadgen.NewPayload("b", []byte(`{"instances":[4]}`)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func constant(t *testing.T, rate float64, d time.Duration) loadgen.Pacer {
	t.Helper()
	return pacer(t, loadplan.Spec{Rate: rate, Duration: d})
}

// pacer returns the pacer of the plan s.
func pacer(t *testing.T, s loadplan.Spec) loadgen.Pacer {
	t.Helper()
	plan, err := loadplan.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	p, err := loadgen.NewPacer(plan)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// lines decodes the JSON lines written by Run: intervals, the summary and,
// when the test published, a last "publish" line (see publishLine).
func lines(t *testing.T, out *bytes.Buffer) (intervals []loadgen.Stats, summary loadgen.Summary) {
	t.Helper()
	ls := strings.Split(strings.TrimSpace(out.String()), "\n")
	for i, l := range ls {
		var probe struct{ Type string }
		if err := json.Unmarshal([]byte(l), &probe); err != nil {
			t.Fatalf("bad JSON line %q: %v", l, err)
		}
		switch probe.Type {
		case "interval":
			var s loadgen.Stats
			if err := json.Unmarshal([]byte(l), &s); err != nil {
				t.Fatal(err)
			}
			intervals = append(intervals, s)
		case "summary":
			if err := json.Unmarshal([]byte(l), &summary); err != nil {
				t.Fatal(err)
			}
		case "publish":
			if i != len(ls)-1 || summary.Type != "summary" {
				t.Fatalf("publish line %d of %d, before the summary: %s", i+1, len(ls), l)
			}
		default:
			t.Fatalf("line of unknown type: %s", l)
		}
	}
	if summary.Type != "summary" {
		t.Fatalf("no summary line in:\n%s", out)
	}
	return intervals, summary
}

// publishLine decodes the last line written by Run, which must be the
// publish report.
func publishLine(t *testing.T, out []byte) loadgen.PublishReport {
	t.Helper()
	ls := strings.Split(strings.TrimSpace(string(out)), "\n")
	var r loadgen.PublishReport
	if err := json.Unmarshal([]byte(ls[len(ls)-1]), &r); err != nil || r.Type != "publish" {
		t.Fatalf("last line is not a publish report (%v):\n%s", err, out)
	}
	return r
}

func TestAchievedRateWithinOnePercent(t *testing.T) {
	t.Parallel()
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Fixed(2 * time.Millisecond), Auth: sigv4(), KeepInvocations: true})
	defer srv.Close()
	var out bytes.Buffer
	const rate = 400.0
	sum, err := loadgen.Run(context.Background(), targets(t, srv.URL, testSecret)["fast"], loadgen.Options{
		Pacer: constant(t, rate, 2500*time.Millisecond), Payloads: payloads(t), Output: &out, Interval: time.Second, TestID: "rate",
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	// The schedule is exact: the 1000 requests are due 2.5 ms apart, the
	// last 2.4975 s after the first. The achieved rate may differ from it
	// only by how late the generator sent (max_send_lag_us): the first and
	// last sends are each at most that late. On an idle machine the lag is
	// a fraction of a millisecond and the rate within 1 %; on a loaded one
	// (2 cores, -race, other test binaries) the lag, not the pacing, widens
	// the bounds, and the summary says so.
	span := 999 * time.Second / rate
	lag := time.Duration(sum.MaxSendLag) * time.Microsecond
	lo, hi := 999/(span+lag).Seconds(), math.Inf(1)
	if lag < span {
		hi = 999 / (span - lag).Seconds()
	}
	if sum.Rate < lo*0.999 || sum.Rate > hi*1.001 {
		t.Errorf("achieved rate %.2f/s with a largest send lag of %v; want %.2f to %.2f/s (%v/s planned)", sum.Rate, lag, lo, hi, rate)
	}
	if off := math.Abs(sum.Rate-rate) / rate; lag < span/1000 && off > 0.01 {
		t.Errorf("achieved rate %.2f/s is %.2f%% off the target %v/s with a send lag of only %v", sum.Rate, 100*off, rate, lag)
	}
	t.Logf("achieved %.2f/s of %v/s planned; largest send lag %v", sum.Rate, rate, lag)
	if sum.Requests != 1000 || sum.OK != 1000 || sum.Dropped != 0 {
		t.Errorf("summary requests/ok/dropped = %d/%d/%d; want 1000/1000/0 (first errors %v)", sum.Requests, sum.OK, sum.Dropped, sum.FirstErrors)
	}
	if got := srv.Requests(); got != sum.Requests {
		t.Errorf("server saw %d requests; summary says %d", got, sum.Requests)
	}
	intervals, js := lines(t, &out)
	if js.Requests != sum.Requests || js.Latency != sum.Latency {
		t.Errorf("summary line %+v differs from the returned summary %+v", js.Stats, sum.Stats)
	}
	var total uint64
	for _, iv := range intervals {
		total += iv.Requests
	}
	if len(intervals) < 2 || total != sum.Requests {
		t.Errorf("%d intervals hold %d requests; want >= 2 intervals holding %d", len(intervals), total, sum.Requests)
	}
	// The headers the SDK would send reach the server.
	inv := srv.Invocations()[0]
	if inv.EndpointName != "test-ep" || inv.ContentType != "application/json" || inv.Accept != "application/json" || inv.CustomAttributes != "trace=1" {
		t.Errorf("server got %+v", inv)
	}
}

// TestStallsOpenModelVersusClosedLoop runs the server that stalls for 1 s
// every 5 s (10 ms otherwise) against both modes for one 5 s period.
//
// Open model at R req/s: the requests due during the stall (1/5 of them) are
// held until it ends, so their latencies spread evenly over (10 ms, 1010 ms];
// the other 4/5 take 10 ms. The slowest 1% of all requests is the slowest 5%
// of the stalled ones: p99 = 10 ms + (1 - 0.01/0.2) * 1000 ms = 960 ms.
//
// Closed loop with C workers: each worker is stuck in the stall once, so only
// C requests of about C * 4 s / 10 ms see it: p99 stays at about 10 ms.
func TestStallsOpenModelVersusClosedLoop(t *testing.T) {
	t.Parallel()
	const (
		base   = 10 * time.Millisecond
		period = 5 * time.Second
		stall  = time.Second
		offset = 2 * time.Second // the stall is [2 s, 3 s) into the period
		rate   = 100.0
	)
	stalledFraction := float64(stall) / float64(period)
	wantP99 := base + time.Duration((1-0.01/stalledFraction)*float64(stall))

	run := func(t *testing.T, opts loadgen.Options) *loadgen.Summary {
		srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Stalls(time.Now(), base, period, offset, stall)})
		defer srv.Close()
		var out bytes.Buffer
		opts.Payloads, opts.Output, opts.Interval = payloads(t), &out, time.Second
		sum, err := loadgen.Run(context.Background(), targets(t, srv.URL, testSecret)["fast"], opts)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if got := srv.Requests(); got != sum.Requests {
			t.Errorf("server saw %d requests; summary says %d", got, sum.Requests)
		}
		return sum
	}
	t.Run("open", func(t *testing.T) {
		t.Parallel()
		sum := run(t, loadgen.Options{Pacer: constant(t, rate, period)})
		got := time.Duration(sum.Latency.P99) * time.Microsecond
		t.Logf("open model: %d requests, p50 %dµs p90 %dµs p99 %v (want %v) max %dµs", sum.Requests, sum.Latency.P50, sum.Latency.P90, got, wantP99, sum.Latency.Max)
		// The server's real base latency (p50) replaces the nominal one;
		// the tolerance (5% of the stall) covers the burst of responses
		// released together when a stall ends, plus how late the generator
		// itself sent (latency counts from the due time, so a loaded
		// machine's send lag adds to it).
		want := wantP99 - base + time.Duration(sum.Latency.P50)*time.Microsecond
		tol := stall/20 + time.Duration(sum.MaxSendLag)*time.Microsecond
		if d := (got - want).Abs(); d > tol {
			t.Errorf("open model p99 = %v; want %v ± %v (summary %+v, max send lag %dµs)", got, want, tol, sum.Latency, sum.MaxSendLag)
		}
		if sum.Mode != loadgen.ModeOpen || sum.Dropped != 0 {
			t.Errorf("mode %q, dropped %d", sum.Mode, sum.Dropped)
		}
	})
	t.Run("closed", func(t *testing.T) {
		t.Parallel()
		sum := run(t, loadgen.Options{Concurrency: 4, Duration: period})
		got := time.Duration(sum.Latency.P99) * time.Microsecond
		t.Logf("closed loop: %d requests, p50 %dµs p99 %v max %dµs", sum.Requests, sum.Latency.P50, got, sum.Latency.Max)
		// About base on an idle machine; well under the stall on a loaded
		// one: the closed loop hides the stall (coordinated omission).
		if got > stall/2 {
			t.Errorf("closed-loop p99 = %v; want about %v and far below the %v stall, hidden by coordinated omission", got, base, stall)
		}
		if max := time.Duration(sum.Latency.Max) * time.Microsecond; max < stall/2 {
			t.Errorf("closed-loop max = %v; the stall did not happen during the test", max)
		}
		if sum.Mode != loadgen.ModeClosedLoop || !strings.Contains(sum.Mode, "coordinated omission") {
			t.Errorf("closed-loop summary labelled %q", sum.Mode)
		}
	})
}

func TestErrorClassesCountedExactly(t *testing.T) {
	t.Parallel()
	fault := func(f awstest.Fault) awstest.Response { return awstest.Response{Fault: &f} }
	notReady := awstest.Fault{Status: 429, Code: "ModelNotReadyException", Message: "not ready"}
	behavior := awstest.Cycle(
		awstest.Response{},                          // ok
		fault(awstest.Throttling),                   // throttled
		fault(notReady),                             // throttled (429)
		fault(awstest.ModelErrorFault),              // model error
		fault(awstest.Validation),                   // client 4xx
		fault(awstest.InternalFailure),              // server 5xx
		fault(awstest.ServiceUnavailable),           // server 5xx
		awstest.Response{Hang: true},                // timeout
		awstest.Response{Drop: true},                // connection
		awstest.Response{Latency: time.Millisecond}, // ok
	)
	const cycles = 8
	want := loadgen.ErrorCounts{Throttled: 2 * cycles, ModelError: cycles, Client4xx: cycles, Server5xx: 2 * cycles, Timeout: cycles, Connection: cycles}
	for _, client := range []string{"fast", "sdk"} {
		t.Run(client, func(t *testing.T) {
			t.Parallel()
			srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: behavior, Auth: sigv4()})
			defer srv.Close()
			var out bytes.Buffer
			sum, err := loadgen.Run(context.Background(), targets(t, srv.URL, testSecret)[client], loadgen.Options{
				// The server answers its i-th arrival with the i%10-th
				// response, so the counts hold whatever the order.
				// The timeout ends the hanging requests; it leaves the others
				// a wide margin on a loaded machine (2 cores, -race).
				Pacer: constant(t, 200, 0), MaxRequests: 10 * cycles, Timeout: time.Second,
				Payloads: payloads(t), Output: &out, Interval: time.Second,
			})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if sum.ByClass != want || sum.OK != 2*cycles {
				t.Errorf("errors by class = %+v, ok %d; want %+v, ok %d\nfirst errors: %v", sum.ByClass, sum.OK, want, 2*cycles, sum.FirstErrors)
			}
			if sum.Requests+sum.Dropped != 10*cycles {
				t.Errorf("requests %d + dropped %d; want %d", sum.Requests, sum.Dropped, 10*cycles)
			}
			if got := srv.Requests(); got != sum.Requests {
				t.Errorf("server saw %d requests; summary says %d", got, sum.Requests)
			}
		})
	}
}

// TestStartAt checks that a start time delays the schedule to that instant
// (generators on several tasks step together), that a start time long past
// is refused, and that a stop while waiting still writes a summary.
func TestStartAt(t *testing.T) {
	t.Parallel()
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Fixed(time.Millisecond), Auth: sigv4(), KeepInvocations: true})
	defer srv.Close()
	target := targets(t, srv.URL, testSecret)["fast"]

	at := time.Now().Add(400 * time.Millisecond)
	var out bytes.Buffer
	sum, err := loadgen.Run(context.Background(), target, loadgen.Options{
		Pacer: constant(t, 100, 200*time.Millisecond), Payloads: payloads(t), Output: &out, TestID: "start-at", StartAt: at,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	inv := srv.Invocations()
	if len(inv) != 20 || sum.Requests != 20 {
		t.Fatalf("server saw %d requests, summary %d; want 20", len(inv), sum.Requests)
	}
	if first := inv[0].Arrived; first.Before(at) {
		t.Errorf("first request arrived %v before the start time", at.Sub(first))
	}
	if !sum.Start.Equal(at) {
		t.Errorf("summary start %v; want the start time %v", sum.Start, at)
	}

	_, err = loadgen.Run(context.Background(), target, loadgen.Options{
		Pacer: constant(t, 100, 200*time.Millisecond), Payloads: payloads(t), Output: &out, StartAt: time.Now().Add(-time.Minute),
	})
	if err == nil || !strings.Contains(err.Error(), "passed 1m0s ago (more than 5s): give a later start time") {
		t.Errorf("a start time a minute ago: err = %v; want it refused", err)
	}

	// A start time far ahead is refused, not waited for: a task that would
	// idle for an hour is a mistake (or a clock far off).
	_, err = loadgen.Run(context.Background(), target, loadgen.Options{
		Pacer: constant(t, 100, 200*time.Millisecond), Payloads: payloads(t), Output: &out, StartAt: time.Now().Add(time.Hour),
	})
	if err == nil || !strings.Contains(err.Error(), "is 1h0m0s ahead (more than 10m0s): give an earlier start time") {
		t.Errorf("a start time an hour ahead: err = %v; want it refused", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	out.Reset()
	sum, err = loadgen.Run(ctx, target, loadgen.Options{
		Pacer: constant(t, 100, time.Second), Payloads: payloads(t), Output: &out, StartAt: time.Now().Add(5 * time.Minute),
	})
	if !errors.Is(err, context.DeadlineExceeded) || sum == nil || sum.Requests != 0 {
		t.Errorf("stopped while waiting: summary %+v, err %v; want a summary of 0 requests and the context's error", sum, err)
	}
	if _, js := lines(t, &out); js.Type != "summary" {
		t.Errorf("no summary line written when stopped while waiting:\n%s", out.String())
	}
}

// TestLastIntervalHoldsTheTail runs a plan that ends on an interval
// boundary against a server slower than the gap between the last request
// and that boundary: the requests that finish after it belong to the last
// interval, which must not be a sliver of a few milliseconds.
func TestLastIntervalHoldsTheTail(t *testing.T) {
	t.Parallel()
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Fixed(20 * time.Millisecond), Auth: sigv4()})
	defer srv.Close()
	const interval = 200 * time.Millisecond
	var out bytes.Buffer
	sum, err := loadgen.Run(context.Background(), targets(t, srv.URL, testSecret)["fast"], loadgen.Options{
		Pacer: constant(t, 100, time.Second), Payloads: payloads(t), Output: &out, Interval: interval,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	intervals, _ := lines(t, &out)
	var total uint64
	for i, iv := range intervals {
		total += iv.Requests
		if d := time.Duration((iv.To - iv.From) * float64(time.Second)); d < interval/4 {
			t.Errorf("interval %d of %d lasts %v (%v to %vs, %d requests); want at least %v", i+1, len(intervals), d, iv.From, iv.To, iv.Requests, interval/4)
		}
	}
	if total != 100 || sum.Requests != 100 {
		t.Errorf("intervals hold %d requests, the summary %d; want 100 in both", total, sum.Requests)
	}
	if last := intervals[len(intervals)-1]; last.To != sum.To {
		t.Errorf("last interval ends at %vs, the test at %vs; want the same", last.To, sum.To)
	}
}

// TestSummaryTargetRateIsThePlans checks that the summary's target rate is
// the plan's own rate (requests planned over the time scheduled), whatever
// the grace period after it or an early stop.
func TestSummaryTargetRateIsThePlans(t *testing.T) {
	t.Parallel()
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Fixed(15 * time.Millisecond), Auth: sigv4()})
	defer srv.Close()
	for _, tt := range []struct {
		name        string
		plan        loadplan.Spec
		maxRequests uint64
		stopAfter   time.Duration
	}{
		{"constant to its end", loadplan.Spec{Rate: 200, Duration: 500 * time.Millisecond}, 0, 0},
		{"steps to their end", loadplan.Spec{Steps: "100@250ms,300@250ms"}, 0, 0},
		{"ramp to its end", loadplan.Spec{Ramp: "0:400", Duration: 500 * time.Millisecond}, 0, 0},
		{"max requests", loadplan.Spec{Rate: 200, Duration: time.Minute}, 30, 0},
		{"stopped", loadplan.Spec{Rate: 200}, 0, 300 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.stopAfter > 0 {
				time.AfterFunc(tt.stopAfter, cancel)
			}
			var out bytes.Buffer
			sum, err := loadgen.Run(ctx, targets(t, srv.URL, testSecret)["fast"], loadgen.Options{
				Pacer: pacer(t, tt.plan), MaxRequests: tt.maxRequests, Payloads: payloads(t), Output: &out, Interval: time.Second,
			})
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Fatalf("Run: %v", err)
			}
			if sum.TargetRate != 200 {
				t.Errorf("summary target rate = %v (test of %vs, stopped %q); want 200", sum.TargetRate, sum.To, sum.Stopped)
			}
		})
	}
}
