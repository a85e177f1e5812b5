package loadgen_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/testkit/awstest"
)

func TestCancelMidRunLosesNothing(t *testing.T) {
	t.Parallel()
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.LogNormal(20*time.Millisecond, 0.5, 1)})
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1200*time.Millisecond, cancel)
	var out bytes.Buffer
	sum, err := loadgen.Run(ctx, targets(t, srv.URL, testSecret)["fast"], loadgen.Options{
		Pacer: constant(t, 300, time.Minute), Payloads: payloads(t), Output: &out, Interval: 500 * time.Millisecond, Grace: 5 * time.Second,
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error = %v; want one wrapping context.Canceled", err)
	}
	if got := srv.Requests(); got != sum.Requests || sum.Requests != sum.Sent || sum.Requests == 0 {
		t.Errorf("server saw %d requests; summary says %d ended of %d sent", got, sum.Requests, sum.Sent)
	}
	if sum.OK != sum.Requests {
		t.Errorf("%d of %d requests ok; every in-flight request should have finished in the grace period: %v", sum.OK, sum.Requests, sum.FirstErrors)
	}
	intervals, js := lines(t, &out)
	var total uint64
	for _, iv := range intervals {
		total += iv.Requests
	}
	if total != sum.Requests || js.Requests != sum.Requests || !strings.Contains(js.Error, "context canceled") {
		t.Errorf("intervals hold %d requests, summary line %d (error %q); want %d", total, js.Requests, js.Error, sum.Requests)
	}
}

func TestGracePeriodCancelsStragglers(t *testing.T) {
	t.Parallel()
	// Every 10th request hangs until the client gives up.
	hang := awstest.Response{Hang: true}
	ok := awstest.Response{Latency: time.Millisecond}
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Cycle(hang, ok, ok, ok, ok, ok, ok, ok, ok, ok)})
	defer srv.Close()
	var out bytes.Buffer
	start := time.Now()
	sum, err := loadgen.Run(context.Background(), targets(t, srv.URL, testSecret)["fast"], loadgen.Options{
		Pacer: constant(t, 100, 500*time.Millisecond), Payloads: payloads(t), Output: &out, Timeout: time.Minute, Grace: 300 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Run took %v; the grace period did not end it", d)
	}
	if sum.ByClass.Cancelled != 5 || sum.OK != 45 || srv.Requests() != sum.Requests {
		t.Errorf("cancelled %d, ok %d, server saw %d, summary %d; want 5, 45, equal", sum.ByClass.Cancelled, sum.OK, srv.Requests(), sum.Requests)
	}
	if sum.Latency.Count != 45 {
		t.Errorf("latency count %d; cancelled requests must not be in the histogram", sum.Latency.Count)
	}
	if !strings.Contains(sum.Stopped, "cancelled") {
		t.Errorf("stopped = %q; want it to say requests were cancelled", sum.Stopped)
	}
}

func TestMaxInFlightDropsInsteadOfQueueing(t *testing.T) {
	t.Parallel()
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Fixed(300 * time.Millisecond)})
	defer srv.Close()
	var out bytes.Buffer
	sum, err := loadgen.Run(context.Background(), targets(t, srv.URL, testSecret)["fast"], loadgen.Options{
		Pacer: constant(t, 100, time.Second), MaxInFlight: 5, Workers: 1, Payloads: payloads(t), Output: &out,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	// At most 5 requests per 300 ms can be in flight: about 20 of the 100
	// are sent, the rest are dropped, none is queued.
	if sum.Requests+sum.Dropped != 100 || sum.Dropped < 60 || sum.Requests != srv.Requests() {
		t.Errorf("requests %d + dropped %d (server saw %d); want 100 with most dropped", sum.Requests, sum.Dropped, srv.Requests())
	}
	if max := time.Duration(sum.Latency.Max) * time.Microsecond; max > 400*time.Millisecond {
		t.Errorf("max latency %v: a request was queued behind the limit", max)
	}
}

func TestBadCredentialsStopTheTest(t *testing.T) {
	t.Parallel()
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Auth: sigv4()})
	defer srv.Close()
	for name, target := range targets(t, srv.URL, "not-the-secret") {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			sum, err := loadgen.Run(context.Background(), target, loadgen.Options{
				Pacer: constant(t, 50, 10*time.Second), Payloads: payloads(t), Output: &out,
			})
			var fatal *loadgen.FatalError
			if !errors.As(err, &fatal) || !strings.Contains(err.Error(), "SigV4") || !strings.Contains(err.Error(), "InvalidSignatureException") {
				t.Fatalf("Run error = %v; want a FatalError naming SigV4 and InvalidSignatureException", err)
			}
			if sum == nil || sum.Requests == 0 || sum.ByClass.Client4xx != sum.Requests || sum.Error == "" {
				t.Fatalf("summary = %+v; want the rejected requests counted as client_4xx, and the error", sum)
			}
			if sum.To > 5 {
				t.Errorf("the test ran for %vs; it should stop at the first rejection", sum.To)
			}
		})
	}
}

func TestUnreachableEndpointStopsTheTest(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there any more
	var out bytes.Buffer
	sum, err := loadgen.Run(context.Background(), targets(t, url, testSecret)["fast"], loadgen.Options{
		Pacer: constant(t, 100, 10*time.Second), Payloads: payloads(t), Output: &out, FailFast: 10,
	})
	var fatal *loadgen.FatalError
	if !errors.As(err, &fatal) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("Run error = %v; want a FatalError naming the refused connection", err)
	}
	if sum.ByClass.Connection < 10 || sum.OK != 0 || sum.To > 5 {
		t.Errorf("summary = %+v; want >= 10 connection errors, stopped early", sum.Stats)
	}
	if _, js := lines(t, &out); js.ByClass.Connection != sum.ByClass.Connection {
		t.Errorf("summary line has %d connection errors; want %d", js.ByClass.Connection, sum.ByClass.Connection)
	}
}
