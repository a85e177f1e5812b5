package loadgen_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/testkit/awstest"
)

// The token model of the stream tests: 20 input words, 20 output tokens.
var llm = awstest.TokenModel{PrefillPerToken: time.Millisecond, StepBase: 5 * time.Millisecond, StepPerSeq: 2 * time.Millisecond, OutputTokens: 20}

const (
	prompt       = `{"inputs":"one two three four five six seven eight nine ten one two three four five six seven eight nine ten","parameters":{"max_new_tokens":20}}`
	inputTokens  = 20
	outputTokens = 20
)

func prompts(t *testing.T) *loadgen.Payloads {
	t.Helper()
	p, err := loadgen.NewPayloads("prompts", loadgen.NewPayload("p", []byte(prompt)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// streamTarget returns the SDK streaming target at url, decoding format.
func streamTarget(t *testing.T, url, format string) *loadgen.SDKStreamTarget {
	t.Helper()
	api := sagemakerruntime.NewFromConfig(awsConfig(testSecret), func(o *sagemakerruntime.Options) {
		o.BaseEndpoint = aws.String(url)
		o.Retryer = aws.NopRetryer{}
		o.RetryMaxAttempts = 1
	})
	st, err := loadgen.NewSDKStreamTarget(api, invocation, format)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// within reports whether got (µs) lies in [want, want × (1 + slack) +
// extra] (the server's sleeps are never shorter than asked, and may be
// longer on a loaded machine).
func within(got int64, want time.Duration, slack float64, extra time.Duration) bool {
	w := want.Microseconds()
	return got >= w-w/100 && float64(got) <= float64(w)*(1+slack)+float64(extra.Microseconds())
}

// TestStreamKnownAnswers sends requests 200 ms apart, so that each one has
// the server to itself: TTFT = 20 input tokens × 1 ms + one 5 ms step =
// 25 ms, every gap 5 ms, TPOT 5 ms, end to end 20 + 20 × 5 = 120 ms, 20
// tokens. Every format, each message split across two frames, through the
// SDK's event stream reader, and the container's chunked body.
func TestStreamKnownAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		server, format, counted string
		container               bool
	}{
		{awstest.StreamTGI, loadgen.FormatTGI, loadgen.CountedTokens, false},
		{awstest.StreamJSONLines, loadgen.FormatAuto, loadgen.CountedTokens, false},
		{awstest.StreamOpenAI, loadgen.FormatOpenAI, loadgen.CountedUsage, false},
		{awstest.StreamOpenAI, loadgen.FormatAuto, loadgen.CountedUsage, true},
		{awstest.StreamText, loadgen.FormatText, loadgen.CountedChunks, false},
		{awstest.StreamTGI, loadgen.FormatAuto, loadgen.CountedTokens, true},
	} {
		name := tc.server + "/" + tc.format
		if tc.container {
			name += "/container"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// Plain text has no messages to split: every chunk counts.
			split := tc.server != awstest.StreamText
			srv := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: llm, Format: tc.server, Split: split, Auth: sigv4()})
			defer srv.Close()
			var target loadgen.Target = streamTarget(t, srv.URL, tc.format)
			if tc.container {
				ct, err := loadgen.NewContainerTarget(loadgen.NewHTTPClient(10), srv.URL, "application/json", "")
				if err != nil {
					t.Fatal(err)
				}
				if target, err = loadgen.NewContainerStreamTarget(ct, tc.format); err != nil {
					t.Fatal(err)
				}
			}
			var out bytes.Buffer
			sum, err := loadgen.Run(context.Background(), target, loadgen.Options{
				Pacer: constant(t, 5, 2*time.Second), Payloads: prompts(t), Output: &out, Interval: time.Second,
				SLO: loadgen.SLO{TTFT: time.Second, E2E: 2 * time.Second},
			})
			if err != nil {
				t.Fatalf("Run: %v (first errors %v)", err, sum.FirstErrors)
			}
			checkKnownAnswers(t, sum, tc.counted)
			if _, js := lines(t, &out); js.Stream == nil || js.Stream.TTFT != sum.Stream.TTFT {
				t.Errorf("summary line stream = %+v; want %+v", js.Stream, sum.Stream)
			}
		})
	}
}

func checkKnownAnswers(t *testing.T, sum *loadgen.Summary, counted string) {
	t.Helper()
	s := sum.Stream
	if sum.OK != 10 || s == nil {
		t.Fatalf("ok %d, stream %+v; want 10 streamed requests (errors %v)", sum.OK, s, sum.FirstErrors)
	}
	step := llm.Step(1)
	ttft := llm.TTFT(inputTokens, 1)
	e2e := ttft + (outputTokens-1)*step
	// p50 within +60 %, p99 (the slowest of 10) within +60 % + 250 ms: 2
	// cores shared with parallel tests, -race and other builds delay the
	// odd request.
	const odd = 250 * time.Millisecond
	for _, c := range []struct {
		what  string
		got   int64
		want  time.Duration
		extra time.Duration
	}{
		{"TTFT p50", s.TTFT.P50, ttft, 0}, {"TTFT p99", s.TTFT.P99, ttft, odd},
		{"ITL p50", s.ITL.P50, step, 0}, {"TPOT p50", s.TPOT.P50, step, 0}, {"TPOT p99", s.TPOT.P99, step, odd / outputTokens},
		{"E2E p50", sum.Latency.P50, e2e, 0}, {"E2E p99", sum.Latency.P99, e2e, odd},
	} {
		if !within(c.got, c.want, 0.6, c.extra) {
			t.Errorf("%s = %d µs; want %v (+60%% + %v at most)", c.what, c.got, c.want, c.extra)
		}
	}
	if s.ITL.Count != 10*(outputTokens-1) || s.OutputTokens != 10*outputTokens || s.OutputTokensPerRequest.P50 != outputTokens {
		t.Errorf("gaps %d, output tokens %d, per request p50 %d; want %d, %d, %d", s.ITL.Count, s.OutputTokens, s.OutputTokensPerRequest.P50,
			10*(outputTokens-1), 10*outputTokens, outputTokens)
	}
	if s.Counted != counted || s.Good != 10 || s.PartialTokens != 0 {
		t.Errorf("counted %q, good %d, partial %d; want %q, 10, 0", s.Counted, s.Good, s.PartialTokens, counted)
	}
}

// TestStreamBatchingAndSequenceCap runs 4 closed-loop users against a
// server that decodes at most 2 sequences at once: the server never
// decodes more than 2, each step then takes 5 + 2 ms, and the requests
// that wait for a slot show it in their TTFT (well above the 27 ms of a
// request admitted at once).
func TestStreamBatchingAndSequenceCap(t *testing.T) {
	t.Parallel()
	m := llm
	m.MaxSeqs = 2
	srv := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: m})
	defer srv.Close()
	var out bytes.Buffer
	sum, err := loadgen.Run(context.Background(), streamTarget(t, srv.URL, loadgen.FormatTGI), loadgen.Options{
		Concurrency: 4, Duration: 1500 * time.Millisecond, Payloads: prompts(t), Output: &out, Interval: time.Second,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	s := sum.Stream
	if srv.MaxDecoding() != 2 {
		t.Errorf("server decoded %d sequences at once; want 2 (its cap)", srv.MaxDecoding())
	}
	if !within(s.ITL.P50, m.Step(2), 0.6, 0) {
		t.Errorf("ITL p50 = %d µs; want %v (a step with 2 sequences)", s.ITL.P50, m.Step(2))
	}
	service := m.TTFT(inputTokens, 2) + (outputTokens-1)*m.Step(2)
	if q := time.Duration(s.TTFT.P90) * time.Microsecond; q < service/2 {
		t.Errorf("TTFT p90 = %v; want at least %v: half the requests queue for a slot for up to %v", q, service/2, service)
	}
}

// TestStreamStallOpenVersusClosedLoop stalls every request that arrives
// during [1 s, 1.5 s) by 500 ms before its first token. The open model
// keeps sending 20/s through the stall, so the TTFT of the ~10 stalled
// requests of 40 (25 %) spreads up to 525 ms and p90 is above 250 ms;
// 2 closed-loop users for 3 s (requests of 20 + 20 × 7 ms) each meet the
// stall once and send nothing meanwhile, so it holds 2 of about 30
// requests and their p90 TTFT stays near 27 ms.
func TestStreamStallOpenVersusClosedLoop(t *testing.T) {
	t.Parallel()
	run := func(opts loadgen.Options) *loadgen.Summary {
		epoch := time.Now()
		srv := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: llm, Script: func(inv *awstest.Invocation) awstest.StreamPlan {
			if at := inv.Arrived.Sub(epoch); at >= time.Second && at < 1500*time.Millisecond {
				return awstest.StreamPlan{Stall: 1500*time.Millisecond - at}
			}
			return awstest.StreamPlan{}
		}})
		defer srv.Close()
		opts.Payloads, opts.Output, opts.Interval = prompts(t), new(bytes.Buffer), time.Second
		sum, err := loadgen.Run(context.Background(), streamTarget(t, srv.URL, loadgen.FormatTGI), opts)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		return sum
	}
	open := run(loadgen.Options{Pacer: constant(t, 20, 2*time.Second)})
	closed := run(loadgen.Options{Concurrency: 2, Duration: 3 * time.Second})
	if p90 := time.Duration(open.Stream.TTFT.P90) * time.Microsecond; p90 < 250*time.Millisecond {
		t.Errorf("open model TTFT p90 = %v; want > 250ms (a quarter of the requests were stalled)", p90)
	}
	if p90 := time.Duration(closed.Stream.TTFT.P90) * time.Microsecond; p90 > 100*time.Millisecond {
		t.Errorf("closed loop TTFT p90 = %v; want < 100ms (the loop hides the stall)", p90)
	}
}

// TestStreamErrorClasses cycles five answers: complete, ModelStreamError
// after 3 tokens, InternalStreamFailure after 3, cut after 3 without its
// end, and no first token (cancelled by the 300 ms first-token timeout).
// Each class is counted exactly, and the 3 tokens of each broken stream are
// partial, not output.
func TestStreamErrorClasses(t *testing.T) {
	t.Parallel()
	faults := []awstest.StreamPlan{{}, {Fault: awstest.FaultModelStreamError, FailAfter: 3}, {Fault: awstest.FaultInternalStreamFailure, FailAfter: 3},
		{Fault: awstest.FaultCut, FailAfter: 3}, {Fault: awstest.FaultNoFirstToken}}
	srv := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: llm, Format: awstest.StreamOpenAI, Script: func(inv *awstest.Invocation) awstest.StreamPlan {
		return faults[inv.Seq%uint64(len(faults))]
	}})
	defer srv.Close()
	var out bytes.Buffer
	sum, err := loadgen.Run(context.Background(), streamTarget(t, srv.URL, loadgen.FormatOpenAI), loadgen.Options{
		Pacer: constant(t, 20, time.Second), Payloads: prompts(t), Output: &out, Interval: time.Second,
		FirstTokenTimeout: 300 * time.Millisecond, Workers: 20,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := loadgen.ErrorCounts{StreamError: 8, NoEnd: 4, NoFirstToken: 4}
	if sum.ByClass != want || sum.OK != 4 {
		t.Errorf("errors by class %+v, ok %d; want %+v, ok 4\nfirst errors %v", sum.ByClass, sum.OK, want, sum.FirstErrors)
	}
	if s := sum.Stream; s.OutputTokens != 4*outputTokens || s.PartialTokens != 12*3 {
		t.Errorf("output tokens %d, partial %d; want %d, %d", s.OutputTokens, s.PartialTokens, 4*outputTokens, 12*3)
	}
	if e := sum.FirstErrors["stream_error"]; !strings.Contains(e, "ModelStreamError") {
		t.Errorf("first stream error %q; want the ModelStreamError", e)
	}
	if ttft := time.Duration(sum.Stream.TTFT.Max) * time.Microsecond; ttft > 250*time.Millisecond {
		t.Errorf("TTFT max %v: a stream without tokens was timed", ttft)
	}
}

// TestStreamFormatMismatch: -format openai against a TGI server fails every
// request with a message that says what was received, and fails fast.
func TestStreamFormatMismatch(t *testing.T) {
	t.Parallel()
	srv := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: llm})
	defer srv.Close()
	sum, err := loadgen.Run(context.Background(), streamTarget(t, srv.URL, loadgen.FormatOpenAI), loadgen.Options{
		Pacer: constant(t, 50, 2*time.Second), Payloads: prompts(t), Output: new(bytes.Buffer), FailFast: 5,
	})
	var fatal *loadgen.FatalError
	var fe *loadgen.FormatError
	if !errors.As(err, &fatal) || !errors.As(err, &fe) || !strings.Contains(err.Error(), `does not match -format openai`) || !strings.HasPrefix(fe.Received, `{"token":`) {
		t.Fatalf("Run error = %v; want a fatal format mismatch quoting what was received", err)
	}
	if sum == nil || sum.OK != 0 || sum.Requests == 0 {
		t.Errorf("summary %+v; want the failed requests reported", sum)
	}
}

// TestStreamStopMidStream cancels the run while streams are in flight:
// after the grace period, the streams still open are cancelled, and the
// summary's classes add up to the requests the server received.
func TestStreamStopMidStream(t *testing.T) {
	t.Parallel()
	m := llm
	m.OutputTokens = 200
	srv := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: m})
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	sum, err := loadgen.Run(ctx, streamTarget(t, srv.URL, loadgen.FormatTGI), loadgen.Options{
		Pacer: constant(t, 20, 10*time.Second), Payloads: prompts(t), Output: new(bytes.Buffer),
		Grace: 100 * time.Millisecond, Drain: time.Second,
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error = %v; want context.Canceled", err)
	}
	if sum.Requests != srv.Requests() || sum.OK+sum.Errors != sum.Requests || sum.ByClass.Cancelled == 0 {
		t.Errorf("requests %d (ok %d + errors %d, cancelled %d); server saw %d: want equal, some cancelled", sum.Requests, sum.OK, sum.Errors, sum.ByClass.Cancelled, srv.Requests())
	}
}

// TestStreamPublishedDistributionsMerge runs two streaming generators
// against servers of different speeds that publish to one CloudWatch: the
// TTFT, inter-token gap and TPOT distributions rebuilt from everything
// CloudWatch received equal the merged histograms of both generators (so
// p99 TTFT is exact across tasks), and the token and goodput counts add up.
func TestStreamPublishedDistributionsMerge(t *testing.T) {
	t.Parallel()
	cw := awstest.NewCloudWatch()
	defer cw.Close()
	sums := make([]*loadgen.Summary, 2)
	var wg sync.WaitGroup
	for i := range sums {
		m := llm
		m.StepBase *= time.Duration(1 + 9*i) // 5 ms, 50 ms
		srv := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: m})
		defer srv.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum, err := loadgen.Run(context.Background(), streamTarget(t, srv.URL, loadgen.FormatTGI), loadgen.Options{
				Pacer: constant(t, 10, time.Second), Payloads: prompts(t), Output: new(bytes.Buffer), Interval: 400 * time.Millisecond,
				SLO:       loadgen.SLO{TPOT: 30 * time.Millisecond}, // far from both: a loaded CI machine oversleeps timers
				Publisher: loadgen.NewPublisher(cloudWatchClient(cw.URL, 3), metrics.NamespaceLoadTest, "llm-ep", "AllTraffic", "stream"),
			})
			if err != nil {
				t.Errorf("generator %d: %v", i, err)
			}
			sums[i] = sum
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	rebuilt := map[string]*hdrhistogram.Histogram{}
	counts := map[string]float64{}
	for _, call := range cw.Calls() {
		for _, d := range call.Data {
			if d.Value != nil {
				counts[d.MetricName] += *d.Value
				continue
			}
			h := rebuilt[d.MetricName]
			if h == nil {
				h = loadgen.NewHistogram(time.Hour)
				rebuilt[d.MetricName] = h
			}
			for j, v := range d.Values {
				_ = h.RecordValues(int64(v), int64(d.Counts[j]))
			}
		}
	}
	for _, c := range []struct {
		name string
		of   func(*loadgen.StreamHistograms) *hdrhistogram.Histogram
	}{
		{metrics.LoadTestTTFT, func(h *loadgen.StreamHistograms) *hdrhistogram.Histogram { return h.TTFT }},
		{metrics.LoadTestITL, func(h *loadgen.StreamHistograms) *hdrhistogram.Histogram { return h.ITL }},
		{metrics.LoadTestTPOT, func(h *loadgen.StreamHistograms) *hdrhistogram.Histogram { return h.TPOT }},
	} {
		truth := loadgen.NewHistogram(time.Hour)
		truth.Merge(c.of(sums[0].Stream.Histograms))
		truth.Merge(c.of(sums[1].Stream.Histograms))
		got := rebuilt[c.name]
		if got == nil || got.TotalCount() != truth.TotalCount() {
			t.Errorf("%s: published %v values; want %d", c.name, got, truth.TotalCount())
			continue
		}
		for _, q := range []float64{50, 99, 100} {
			if g, w := got.ValueAtPercentile(q), truth.ValueAtPercentile(q); !truth.ValuesAreEquivalent(g, w) {
				t.Errorf("%s p%v published = %dµs; merged histograms say %dµs", c.name, q, g, w)
			}
		}
	}
	tokens := sums[0].Stream.OutputTokens + sums[1].Stream.OutputTokens
	good := sums[0].Stream.Good + sums[1].Stream.Good
	if counts[metrics.LoadTestOutputTokens] != float64(tokens) || counts[metrics.LoadTestGoodRequests] != float64(good) {
		t.Errorf("published %v output tokens, %v good requests; want %d, %d", counts[metrics.LoadTestOutputTokens], counts[metrics.LoadTestGoodRequests], tokens, good)
	}
	// Only the fast server (TPOT about 6 ms) meets tpot<=30ms; the slow one
	// (at least 50 ms) never does.
	if sums[0].Stream.Good == 0 || sums[1].Stream.Good != 0 {
		t.Errorf("good requests: fast server %d, slow server %d; want some, none", sums[0].Stream.Good, sums[1].Stream.Good)
	}
	if n := rebuilt[metrics.LoadTestOutputTokensPerRequest]; n == nil || n.TotalCount() != 20 || n.Max() != outputTokens {
		t.Errorf("output tokens per request published: %v; want 20 requests of %d", n, outputTokens)
	}
}
