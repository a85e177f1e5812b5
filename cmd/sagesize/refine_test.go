package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/sizing/report"
	"github.com/sagesize/sagesize/sizing/runner"
	"github.com/sagesize/sagesize/testkit/awstest"
)

// llmSizingConfig sizes an LLM on two GPU types against p99 TTFT and ITL
// bounds, with 3 bisection steps after each candidate's first failure.
const llmSizingConfig = `project: llm
sizing:
  model: llm-model
  candidates:
    - instanceType: ml.g5.xlarge
    - instanceType: ml.g6e.xlarge
  slo: {percentile: p99, ttft: 2s, itl: 50ms}
  targetTokensPerSecond: 10000
  headroom: 20%
  plan:
    rates: [2, 4, 8, 16, 32]
    stepDuration: 2m
    warmup: 1m
    tasks: 1
    stream: {inputTokens: {mean: 200}, outputTokens: {mean: 100}}
    refine: {steps: 3, stepDuration: 2m}
`

// classicSizingConfig sizes a plain model on one CPU type against a p99
// latency bound, with 3 bisection steps.
const classicSizingConfig = `project: llm
sizing:
  model: churn
  candidates:
    - instanceType: ml.c6i.xlarge
  slo: {percentile: p99, latency: 100ms}
  targetRate: 500
  plan:
    rates: [20, 40, 60, 90]
    stepDuration: 2m
    warmup: 1m
    tasks: 1
    payload: s3://llm-payloads/request.json
    refine: {steps: 3, stepDuration: 2m}
`

// Token lengths of llmSizingConfig's synthetic prompts and answers.
const inTokens, outTokens = 200, 100

// lengths are a streaming test's prompt and answer lengths in tokens.
type lengths struct{ in, out float64 }

// figures is what loadgen publishes for one 10 s interval at a steady rate.
type modelFigures struct {
	achieved       float64 // req/s
	ttft, itl, e2e time.Duration
}

// model answers the steady state of a variant at an arrival rate.
type model func(rate float64) modelFigures

// tokenSteadyState is the steady state of the fake LLM server's timing
// model (awstest.TokenModel) at rate req/s of inTokens → outTokens
// requests: by Little's law the n sequences decoding satisfy
// n = rate × E2E(n), with E2E(n) = TTFT + (outTokens-1) × Step(n) and
// TTFT = inTokens × PrefillPerToken + Step(n); Step(n) is linear in n,
// so n = rate(P + N(base-per)) / (1 - rate N per). Past saturation (rate N
// per ≥ 1) the server keeps up with half the rate and ITL runs away.
func tokenSteadyState(m awstest.TokenModel, l lengths) model {
	return func(rate float64) modelFigures {
		p := l.in * m.PrefillPerToken.Seconds()
		base, per := m.StepBase.Seconds(), m.StepPerSeq.Seconds()
		load := rate * l.out * per
		if load >= 1 {
			return modelFigures{achieved: rate / 2, ttft: 10 * time.Second, itl: 10 * time.Second, e2e: 1000 * time.Second}
		}
		n := rate * (p + l.out*(base-per)) / (1 - load)
		// Step(n) as awstest.TokenModel.Step, for a mean n that need not be whole.
		step := m.StepBase + time.Duration(math.Max(n-1, 0)*float64(m.StepPerSeq))
		ttft := time.Duration(p*float64(time.Second)) + step
		return modelFigures{achieved: rate, ttft: ttft, itl: step, e2e: ttft + time.Duration(l.out-1)*step}
	}
}

// tokenKnee is the rate at which the model's ITL reaches bound: Step(n*) =
// bound gives n* = (bound-base)/per + 1, and Little's law the rate
// n* / E2E(n*).
func tokenKnee(m awstest.TokenModel, l lengths, bound time.Duration) float64 {
	n := (bound-m.StepBase).Seconds()/m.StepPerSeq.Seconds() + 1
	e2e := l.in*m.PrefillPerToken.Seconds() + l.out*bound.Seconds()
	return n / e2e
}

// feeder publishes to the CloudWatch fake, for every RunTask, what the
// task's loadgen would publish at each step of its plan against the
// variant's model, and advances the test's clock past the run.
type feeder struct {
	t      *testing.T
	cw     *awstest.CloudWatch
	models map[string]model
	stream bool
	out    float64 // output tokens per request
	mu     sync.Mutex
	clock  time.Time
}

func (f *feeder) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clock
}

func (f *feeder) onRunTask(call awstest.RunTaskCall) {
	env := call.Env("loadgen")
	start, err := time.Parse(time.RFC3339Nano, env["LOADGEN_START_AT"])
	if err != nil {
		f.t.Errorf("LOADGEN_START_AT %q: %v", env["LOADGEN_START_AT"], err)
		return
	}
	at := start
	for _, st := range strings.Split(env["LOADGEN_STEPS"], ",") {
		r, d, _ := strings.Cut(st, "@")
		rate, rerr := strconv.ParseFloat(r, 64)
		length, derr := time.ParseDuration(d)
		if rerr != nil || derr != nil {
			f.t.Errorf("LOADGEN_STEPS %q", env["LOADGEN_STEPS"])
			return
		}
		for i := time.Duration(0); i < length; i += metrics.LoadTestPeriod {
			f.cw.Seed(f.interval(env, at.Add(i), f.models[env["LOADGEN_VARIANT"]](rate))...)
		}
		at = at.Add(length)
	}
	f.mu.Lock()
	f.clock = at.Add(runner.DefaultStepLag) // the run ends; the next is scheduled from here
	f.mu.Unlock()
}

// interval is one task's datums for the interval at, as loadgen -stream
// publishes them: distributions as Values/Counts, counts as Values.
func (f *feeder) interval(env map[string]string, at time.Time, m modelFigures) []awstest.Datum {
	dims := map[string]string{"EndpointName": env["LOADGEN_ENDPOINT"], "VariantName": env["LOADGEN_VARIANT"], "TestId": env["LOADGEN_TEST_ID"]}
	n := math.Round(m.achieved * metrics.LoadTestPeriod.Seconds())
	datum := func(name string, v, count float64) awstest.Datum {
		d := awstest.Datum{Namespace: metrics.NamespaceLoadTest, MetricName: name, Dimensions: dims, Timestamp: at, StorageResolution: 1}
		if count > 0 {
			d.Values, d.Counts, d.Unit = []float64{v}, []float64{count}, metrics.UnitMicroseconds
		} else {
			d.Value, d.Unit = &v, metrics.UnitCount
		}
		return d
	}
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) }
	out := []awstest.Datum{datum(metrics.LoadTestLatency, us(m.e2e), n), datum(metrics.LoadTestRequests, n, 0),
		datum(metrics.LoadTestErrors, 0, 0), datum(metrics.LoadTestThrottles, 0, 0), datum(metrics.LoadTestIntervals, 1, 0)}
	if f.stream {
		out = append(out, datum(metrics.LoadTestTTFT, us(m.ttft), n), datum(metrics.LoadTestITL, us(m.itl), n*(f.out-1)),
			datum(metrics.LoadTestTPOT, us(m.itl), n), datum(metrics.LoadTestOutputTokens, n*f.out, 0), datum(metrics.LoadTestGoodRequests, n, 0))
	}
	return out
}

// runSizing runs `run --sizing`'s code for the config against the fakes,
// on a clock three hours back (every window has ended when it is
// checked), then `sagesize report` through the CLI, and returns the
// report's JSON and the run's output.
func runSizing(t *testing.T, content string, models map[string]model, l lengths) (report.Document, *runner.Record, string) {
	t.Helper()
	dir := t.TempDir()
	f := &feeder{t: t, models: models, stream: l.out > 0, out: l.out, clock: time.Now().Add(-3 * time.Hour)}
	s := servers{cfn: awstest.NewCloudFormation(), ecs: awstest.NewECS(awstest.ECSOptions{Cluster: "llm-loadtest-cluster", OnRunTask: f.onRunTask}), cw: awstest.NewCloudWatch()}
	f.cw = s.cw
	t.Cleanup(s.cfn.Close)
	t.Cleanup(s.ecs.Close)
	t.Cleanup(s.cw.Close)
	s.cfn.SetStack("llm-loadtest", map[string]string{"Cluster": "llm-loadtest-cluster", "TaskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/lg:1",
		"Subnets": "subnet-0a", "SecurityGroup": "sg-0a", "AssignPublicIp": "DISABLED", "ContainerName": "loadgen", "LogGroup": "lg"})
	awsEnv(t, s.cfn.URL, s.ecs.URL, s.cw.URL)
	cfgPath, recPath, out := filepath.Join(dir, "sizing.yaml"), filepath.Join(dir, "run.json"), filepath.Join(dir, "report")
	if err := os.WriteFile(cfgPath, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg, err := config.Load(cfgPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	awsCfg, err := loadAWS(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	stack, err := runner.ReadStack(ctx, cloudformation.NewFromConfig(awsCfg), cfg.LoadTestStackName(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var live bytes.Buffer
	cw := cloudwatch.NewFromConfig(awsCfg)
	r := &runner.Runner{ECS: ecs.NewFromConfig(awsCfg), CloudWatch: cw, Stack: stack, Out: &live, Poll: 10 * time.Millisecond, StepLag: time.Millisecond, Silence: 24 * time.Hour}
	rec, idx, err := newSizingRecord(cfg, &runFlags{config: cfgPath, record: recPath}, awsCfg.Region, f.now())
	if err != nil {
		t.Fatal(err)
	}
	sr := &sizingRun{cfg: cfg, runner: r, cw: cw, out: &live, lead: 30 * time.Second, align: time.Minute, path: recPath, rec: rec, now: f.now}
	if err := sr.run(ctx, idx); err != nil {
		t.Fatalf("run --sizing: %v\n%s", err, live.String())
	}
	var stdout bytes.Buffer
	if err := run(ctx, []string{"report", "-config", cfgPath, "-record", recPath, "-out", out}, &stdout, &bytes.Buffer{}); err != nil {
		t.Fatalf("report: %v\n%s\n%s", err, stdout.String(), live.String())
	}
	b, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc report.Document
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	saved, err := runner.ReadRecord(recPath)
	if err != nil {
		t.Fatal(err)
	}
	return doc, saved, stdout.String() + "\n" + live.String()
}

// checkKnee checks that c's knee brackets want within 1/8 of the step
// spacing it was found in (3 bisection steps).
func checkKnee(t *testing.T, c report.Candidate, want, low, high float64) {
	t.Helper()
	k := c.Knee
	if k == nil || k.Refined != 3 || !(k.Low <= want && want < k.High) || k.High-k.Low > (high-low)/8+0.1 {
		t.Errorf("%s: knee %+v; want 3 refinement steps bracketing %.3f req/s within (%v-%v)/8", c.Variant, k, want, high, low)
	}
	if c.SustainableRate != k.Low {
		t.Errorf("%s: sustainable rate %v; want the bracket's low end %v", c.Variant, c.SustainableRate, k.Low)
	}
}

// Two GPU candidates under the token-timing model: ml.g6e.xlarge costs
// more per hour than ml.g5.xlarge but decodes larger batches faster, so
// it is cheaper per million output tokens and recommended; g5 broke ITL
// first; each knee is bracketed within 1/8 of the step spacing around the
// model's known knee; the report states the test's endpoint time and cost.
func TestSizingInTokensFindsTheKnee(t *testing.T) {
	g5 := awstest.TokenModel{PrefillPerToken: 200 * time.Microsecond, StepBase: 20 * time.Millisecond, StepPerSeq: time.Millisecond}
	g6e := awstest.TokenModel{PrefillPerToken: 200 * time.Microsecond, StepBase: 15 * time.Millisecond, StepPerSeq: 250 * time.Microsecond}
	itl, l := 50*time.Millisecond, lengths{inTokens, outTokens}
	doc, rec, out := runSizing(t, llmSizingConfig, map[string]model{"g5-xlarge": tokenSteadyState(g5, l), "g6e-xlarge": tokenSteadyState(g6e, l)}, l)
	kneeG5, kneeG6e := tokenKnee(g5, l, itl), tokenKnee(g6e, l, itl) // 6.15 and 27.98 req/s
	if doc.Recommended != "g6e-xlarge" {
		t.Errorf("recommended %q; want g6e-xlarge\n%s", doc.Recommended, out)
	}
	byName := map[string]report.Candidate{}
	for _, c := range doc.Candidates {
		byName[c.Variant] = c
	}
	a, b := byName["g5-xlarge"], byName["g6e-xlarge"]
	checkKnee(t, a, kneeG5, 4, 8)
	checkKnee(t, b, kneeG6e, 16, 32)
	if strings.Join(a.BrokeFirst, ",") != "itl" {
		t.Errorf("g5 broke %v first; want itl", a.BrokeFirst)
	}
	for _, c := range []struct {
		c     report.Candidate
		price float64
	}{{a, 1.4084}, {b, 2.61}} {
		tps := c.c.SustainableRate * outTokens
		want := c.price / (tps * 3600) * 1e6
		if c.c.Tokens == nil || math.Abs(c.c.Tokens.CostPerMillionOutputTokens-want) > 1e-9 ||
			math.Abs(c.c.Tokens.CostPerMillionTotalTokens-c.price/(tps*(1+float64(inTokens)/outTokens)*3600)*1e6) > 1e-9 {
			t.Errorf("%s: tokens %+v; want $%.4f per million output tokens at %v tokens/s", c.c.Variant, c.c.Tokens, want, tps)
		}
	}
	if !(b.Tokens.CostPerMillionOutputTokens < a.Tokens.CostPerMillionOutputTokens) {
		t.Errorf("g6e $%v per million output tokens is not below g5's $%v", b.Tokens.CostPerMillionOutputTokens, a.Tokens.CostPerMillionOutputTokens)
	}
	checkTestCost(t, doc, rec)
	for _, want := range []string{"g6e-xlarge (ml.g6e.xlarge) is the cheapest per million output tokens", "g5-xlarge broke itl first, its knee between",
		"## Knee and test cost", "## Tokens", "| total |"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

// checkTestCost checks each candidate's endpoint minutes against its
// record (at least its lead and its steps) and its cost at the
// endpoint's price.
func checkTestCost(t *testing.T, doc report.Document, rec *runner.Record) {
	t.Helper()
	for i, c := range doc.Candidates {
		var steps time.Duration
		runs := 1
		for _, st := range rec.Candidates[i].Ran() {
			steps += st.End.Sub(st.Start)
			if st.Refine {
				runs++
			}
		}
		lo, hi := steps+time.Duration(runs)*30*time.Second, steps+time.Duration(runs)*90*time.Second
		got := time.Duration(c.EndpointMinutes * float64(time.Minute))
		if got < lo || got > hi {
			t.Errorf("%s: %v of endpoint time; want its %d runs' leads and %v of steps: %v to %v", c.Variant, got, runs, steps, lo, hi)
		}
		if want := doc.EndpointCostPerHour * c.EndpointMinutes / 60; math.Abs(c.TestCost-want) > 1e-9 || c.TestCost <= 0 {
			t.Errorf("%s: test cost %v; want %v", c.Variant, c.TestCost, want)
		}
	}
}

// The classic path refines too: a CPU endpoint whose p99 latency is
// base / (1 - rate/capacity) (an M/M/1-like queue) breaks 100 ms at
// capacity × (1 - base/100ms) = 80 req/s; the bracket holds it.
func TestSizingClassicKneeRefinement(t *testing.T) {
	const capacity, base = 100.0, 20 * time.Millisecond
	queue := func(rate float64) modelFigures {
		if rate >= capacity {
			return modelFigures{achieved: capacity * 0.9, e2e: 10 * time.Second}
		}
		return modelFigures{achieved: rate, e2e: time.Duration(float64(base) / (1 - rate/capacity))}
	}
	knee := capacity * (1 - float64(base)/float64(100*time.Millisecond))
	doc, rec, out := runSizing(t, classicSizingConfig, map[string]model{"c6i-xlarge": queue}, lengths{})
	c := doc.Candidates[0]
	checkKnee(t, c, knee, 60, 90)
	if strings.Join(c.BrokeFirst, ",") != "latency" || c.Tokens != nil {
		t.Errorf("broke first %v, tokens %+v; want latency and no token figures", c.BrokeFirst, c.Tokens)
	}
	refined := 0
	for _, st := range rec.Candidates[0].Steps {
		if st.Refine && st.Ended {
			refined++
		}
	}
	if refined != 3 || !strings.Contains(rec.Candidates[0].Refined, "knee between") {
		t.Errorf("record: %d refinement steps ran, refined %q\n%s", refined, rec.Candidates[0].Refined, out)
	}
	checkTestCost(t, doc, rec)
}

// config/examples/llm-sizing.yaml against the token-timing model: the
// report names ml.g6e.xlarge the cheapest per million output tokens, says
// what g5 broke first, brackets both knees (ITL 60 ms: 2.65 and 11.7
// req/s) and states the test's endpoint time and cost.
func TestLLMSizingExampleReport(t *testing.T) {
	content, err := os.ReadFile("../../config/examples/llm-sizing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g5 := awstest.TokenModel{PrefillPerToken: 200 * time.Microsecond, StepBase: 20 * time.Millisecond, StepPerSeq: time.Millisecond}
	g6e := awstest.TokenModel{PrefillPerToken: 200 * time.Microsecond, StepBase: 15 * time.Millisecond, StepPerSeq: 250 * time.Microsecond}
	l := lengths{512, 256}
	doc, rec, out := runSizing(t, string(content), map[string]model{"g5-xlarge": tokenSteadyState(g5, l), "g6e-xlarge": tokenSteadyState(g6e, l)}, l)
	if doc.Recommended != "g6e-xlarge" {
		t.Errorf("recommended %q; want g6e-xlarge\n%s", doc.Recommended, out)
	}
	checkKnee(t, doc.Candidates[0], tokenKnee(g5, l, 60*time.Millisecond), 2, 4)
	checkKnee(t, doc.Candidates[1], tokenKnee(g6e, l, 60*time.Millisecond), 8, 16)
	checkTestCost(t, doc, rec)
	for _, want := range []string{"g6e-xlarge (ml.g6e.xlarge) is the cheapest per million output tokens", "g5-xlarge broke ", "first, its knee between",
		"| total |", "512 input tokens per request, the configured synthetic prompts' mean"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
