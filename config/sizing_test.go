package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const goodSizing = `project: shop
sizing:
  model: shop-model-v3
  candidates:
    - instanceType: ml.c6i.xlarge
    - {name: gpu, instanceType: ml.g5.xlarge, instanceCount: 2, maxRate: 2000}
  slo: {percentile: p99, latency: 150ms}
  targetRate: 300
  plan:
    startRate: 20
    maxRate: 100
    payload: s3://shop-payloads/request.json
`

func TestSizing_DerivedEndpoint(t *testing.T) {
	c, err := Load(writeConfig(t, goodSizing), &Overrides{Release: "v3"})
	if err != nil {
		t.Fatal(err)
	}
	e := c.SizingEndpoint()
	if e == nil || e.Name != "shop-v3-sizing" || !e.Sizing || e.NameInResources() != "sizing" {
		t.Fatalf("SizingEndpoint() = %+v; want shop-v3-sizing, in resource names sizing", e)
	}
	if len(c.Endpoints) != 1 {
		t.Errorf("Endpoints = %d; want only the sizing endpoint", len(c.Endpoints))
	}
	var got []string
	for _, v := range e.Variants {
		got = append(got, v.Name+"="+v.InstanceType)
	}
	if want := []string{"c6i-xlarge=ml.c6i.xlarge", "gpu=ml.g5.xlarge"}; !reflect.DeepEqual(got, want) {
		t.Errorf("variants = %v; want %v", got, want)
	}
	if e.Variants[1].Count() != 2 {
		t.Errorf("gpu count = %d; want 2", e.Variants[1].Count())
	}
	if d, on := e.Enhanced(); !on || d != EnhancedHighResolution {
		t.Errorf("sizing endpoint Enhanced() = %v, %v; want enhanced metrics every %v", d, on, EnhancedHighResolution)
	}
	if e.SLO.Latency.Duration != 150*time.Millisecond || e.Alarms.ModelLatency == nil {
		t.Errorf("SLO %v, ModelLatency alarm %v; want 150ms and the default critical alarm", e.SLO.Latency, e.Alarms.ModelLatency)
	}
	s := c.Sizing
	// 20 × 1.5^k rounded, then the max rate as the last step.
	if got, want := s.Rates(0), []float64{20, 30, 45, 68, 100}; !reflect.DeepEqual(got, want) {
		t.Errorf("Rates(0) = %v; want %v", got, want)
	}
	if got := s.Rates(1); got[0] != 20 || got[len(got)-1] != 2000 || len(got) != 13 {
		t.Errorf("Rates(1) = %v; want 13 steps from 20 to 2000", got)
	}
	if got, want := s.Steps(0), "20@3m0s,30@3m0s,45@3m0s,68@3m0s,100@3m0s"; got != want {
		t.Errorf("Steps(0) = %q; want %q", got, want)
	}
	// 2000 req/s on 1-vCPU tasks (2000 req/s each): one task; the plan's
	// widest candidate decides the endpoint's load test.
	if got := c.SizingTasks(1); got != 1 {
		t.Errorf("SizingTasks(1) = %d; want 1", got)
	}
	if e.LoadTest == nil || e.LoadTest.Steps != s.Steps(1) || e.LoadTest.Payload != "s3://shop-payloads/request.json" {
		t.Errorf("endpoint load test = %+v; want the gpu candidate's plan and the payload", e.LoadTest)
	}
	if s.SizingErrorBound() != 0.01 || s.HeadroomFraction() != 0.3 {
		t.Errorf("defaults: error bound %v, headroom %v; want 0.01, 0.3", s.SizingErrorBound(), s.HeadroomFraction())
	}
	if c.LoadTest == nil || c.LoadTest.CPU != DefaultLoadTestCPU {
		t.Errorf("load-test infrastructure = %+v; want the defaults", c.LoadTest)
	}
	if c.LoadTestStackName() != "shop-v3-loadtest" {
		t.Errorf("LoadTestStackName() = %q", c.LoadTestStackName())
	}
}

func TestSizing_TasksFromTheHighestRate(t *testing.T) {
	c, err := Load(writeConfig(t, strings.Replace(goodSizing, "maxRate: 2000", "maxRate: 4500", 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.SizingTasks(1); got != 3 {
		t.Errorf("SizingTasks(1) = %d for 4500 req/s on 1-vCPU tasks; want 3", got)
	}
	if got := c.SizingEndpoint().LoadTest.Tasks; got != 3 {
		t.Errorf("endpoint load test tasks = %d; want 3", got)
	}
}

func TestSizing_BadConfigs(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{
			name: "no model", old: "  model: shop-model-v3\n", new: "",
			want: "sagesize.yaml: sizing.model: is required: the name of an existing SageMaker model (aws sagemaker list-models) that every candidate serves",
		},
		{
			name: "no slo", old: "  slo: {percentile: p99, latency: 150ms}\n", new: "",
			want: "sagesize.yaml: sizing.slo: is required: the latency objective every candidate must hold, e.g. {percentile: p99, latency: 200ms} (or, streaming, {percentile: p99, ttft: 800ms, itl: 60ms})",
		},
		{
			name: "unsupported percentile", old: "percentile: p99", new: "percentile: p90",
			want: `sagesize.yaml: sizing.slo.percentile: must be p50 or p99 (the client percentiles a sizing test measures), got "p90"`,
		},
		{
			name: "unknown instance type", old: "instanceType: ml.c6i.xlarge", new: "instanceType: ml.c6i.xlrge",
			want: `sagesize.yaml: sizing.candidates[0].instanceType: unknown instance type "ml.c6i.xlrge" (did you mean ml.c6i.xlarge, ml.c6i.large, ml.c6i.2xlarge?)`,
		},
		{
			name: "duplicate variant", old: "name: gpu, instanceType: ml.g5.xlarge", new: "name: c6i-xlarge, instanceType: ml.g5.xlarge",
			want: `sagesize.yaml: sizing.candidates[1].name: duplicates sizing.candidates[0].name "c6i-xlarge"`,
		},
		{
			name: "no target", old: "  targetRate: 300\n", new: "",
			want: "sagesize.yaml: sizing.targetRate: is required: the production load in requests per second the recommendation must hold, e.g. 300 (or targetTokensPerSecond for a streaming test)",
		},
		{
			name: "ttft without a stream", old: "latency: 150ms", new: "ttft: 800ms, itl: 60ms",
			want: "sagesize.yaml: sizing.slo.ttft: bounds a token stream, but the test is not a streaming test: add sizing.plan.stream (e.g. {inputTokens: {mean: 512}, outputTokens: {mean: 256}}) or bound the request with latency: instead\n" +
				"sagesize.yaml: sizing.slo.itl: bounds a token stream, but the test is not a streaming test: add sizing.plan.stream (e.g. {inputTokens: {mean: 512}, outputTokens: {mean: 256}}) or bound the request with latency: instead",
		},
		{
			name: "tokens/s without a stream", old: "targetRate: 300", new: "targetTokensPerSecond: 5000",
			want: "sagesize.yaml: sizing.targetTokensPerSecond: needs a streaming test, the only one that counts output tokens: add sizing.plan.stream, or give targetRate in requests per second",
		},
		{
			name: "both targets", old: "targetRate: 300", new: "targetRate: 300\n  targetTokensPerSecond: 5000",
			want: "sagesize.yaml: sizing: targetRate and targetTokensPerSecond are alternatives: give the production load in requests/s or in output tokens/s",
		},
		{
			name: "refinement step shorter than the metric period", old: "    startRate: 20\n", new: "    startRate: 20\n    refine: {steps: 3, stepDuration: 90s}\n",
			want: "sagesize.yaml: sizing.plan.refine.stepDuration: is 1m30s: a refinement step must hold the warm-up (1m0s) and at least one whole metric period of 1m to measure, in whole minutes: give at least 2m0s",
		},
		{
			name: "refinement step only warm-up", old: "    startRate: 20\n", new: "    startRate: 20\n    refine: {steps: 3, stepDuration: 1m}\n",
			want: "sagesize.yaml: sizing.plan.refine.stepDuration: is 1m0s: a refinement step must hold the warm-up (1m0s) and at least one whole metric period of 1m to measure, in whole minutes: give at least 2m0s",
		},
		{
			name: "refinement without steps", old: "    startRate: 20\n", new: "    startRate: 20\n    refine: {stepDuration: 2m}\n",
			want: "sagesize.yaml: sizing.plan.refine.steps: must be from 1 to 8 (each halves the bracket around the knee), got 0",
		},
		{
			name: "refinement", old: "    startRate: 20\n", new: "    startRate: 20\n    refine: {steps: 3}\n",
		},
		{
			name: "warm-up not whole minutes", old: "    startRate: 20\n", new: "    startRate: 20\n    warmup: 30s\n",
			want: "sagesize.yaml: sizing.plan: stepDuration (3m0s) and warmup (30s) must be whole minutes: a step's measured window is one CloudWatch period (whole minutes above one) and lines up with SageMaker's one-minute metrics",
		},
		{
			name: "nothing measured", old: "    startRate: 20\n", new: "    startRate: 20\n    warmup: 3m\n",
			want: "sagesize.yaml: sizing.plan.warmup: must be shorter than stepDuration (3m0s) by at least 1m, the measured window, got 3m0s",
		},
		{
			name: "rates and a series", old: "    startRate: 20\n", new: "    startRate: 20\n    rates: [10, 20]\n",
			want: "sagesize.yaml: sizing.plan: rates and startRate/maxRate are alternatives: give one",
		},
		{
			name: "falling rates", old: "    startRate: 20\n    maxRate: 100\n", new: "    rates: [10, 40, 30]\n",
			want: "sagesize.yaml: sizing.plan.rates[2]: must be above the rate before it (40): steps rise\n" +
				"sagesize.yaml: sizing.candidates[1]: startRate/maxRate override plan.startRate/maxRate; with plan.rates, remove them",
		},
		{
			name: "too many steps", old: "    startRate: 20\n", new: "    startRate: 20\n    growth: 1.1\n",
			want: "sagesize.yaml: sizing.plan: candidate gpu would run 50 steps; at most 30: raise growth or narrow startRate..maxRate",
		},
		{
			name: "tasks beyond capacity", old: "    startRate: 20\n", new: "    startRate: 20\n    tasks: 1\n    growth: 3\n", // gpu: 2000 req/s fits one task
			want: "",
		},
		{
			name: "payload not s3", old: "s3://shop-payloads/request.json", new: "request.json",
			want: `sagesize.yaml: sizing.plan.payload: must be an S3 object URI such as s3://my-bucket/payloads/request.json, got "request.json"`,
		},
		{
			name: "inline body", old: "payload: s3://shop-payloads/request.json", new: `body: '{"x": 1}'`,
			want: "",
		},
		{
			name: "payload and body", old: "payload: s3://shop-payloads/request.json", new: "payload: s3://shop-payloads/request.json\n    body: hello",
			want: "sagesize.yaml: sizing.plan: payload and body are alternatives: give the S3 object or the inline body",
		},
		{
			name: "body too long", old: "payload: s3://shop-payloads/request.json", new: "body: " + strings.Repeat("x", 4097),
			want: "sagesize.yaml: sizing.plan.body: is 4097 bytes; an inline body travels in the RunTask overrides and may be at most 4096: put it in S3 and give payload: s3://…",
		},
		{
			name: "no request body", old: "    payload: s3://shop-payloads/request.json\n", new: "",
			want: "sagesize.yaml: sizing.plan.payload: is required: the S3 object holding a request body, e.g. s3://my-bucket/payloads/request.json (or body: with the request inline)",
		},
		{
			name: "endpoint name taken", old: "sizing:\n", new: "endpoints:\n  - {name: shop-sizing, variants: [{instanceType: ml.m5.large}], slo: {latency: 1s}}\nsizing:\n",
			want: `sagesize.yaml: sizing.endpoint: is also endpoints[0].name "shop-sizing": the sizing test creates its own endpoint, give it another name`,
		},
		{
			// The default sizing endpoint shop-sizing is named "sizing" in its
			// dashboard and alarm names (shop-sizing-AnyCritical), as is an
			// endpoint called sizing.
			name: "endpoint named like the sizing label", old: "sizing:\n", new: "endpoints:\n  - {name: Sizing, variants: [{instanceType: ml.m5.large}], slo: {latency: 1s}}\nsizing:\n",
			want: `sagesize.yaml: sizing.endpoint: defaults to shop-sizing, whose dashboard and alarms are named shop-sizing like those of endpoints[0] "Sizing": name the sizing endpoint (sizing.endpoint) or rename that endpoint`,
		},
		{
			name: "named sizing endpoint may sit beside an endpoint called sizing", old: "sizing:\n  model", new: "endpoints:\n  - {name: sizing, variants: [{instanceType: ml.m5.large}], slo: {latency: 1s}}\nsizing:\n  endpoint: shop-size-test\n  model",
		},
		{
			name: "notebook named like the sizing label", old: "sizing:\n", new: "notebooks:\n  - {name: sizing, instanceType: ml.t3.medium}\nsizing:\n",
			want: "sagesize.yaml: notebooks[0].name: is the sizing endpoint's part of dashboard and alarm names (shop-sizing): give the notebook another name, or name the sizing endpoint (sizing.endpoint)",
		},
		{
			name: "notebook type", old: "instanceType: ml.c6i.xlarge", new: "instanceType: ml.t3.medium",
			want: "sagesize.yaml: sizing.candidates[0].instanceType: ml.t3.medium is a notebook instance type; SageMaker endpoints cannot run on it (try ml.m5.large or ml.c5.large)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(goodSizing, tc.old) {
				t.Fatalf("the good config has no %q", tc.old)
			}
			content := strings.Replace(goodSizing, tc.old, tc.new, 1)
			if tc.want == "" {
				if _, err := Load(writeConfig(t, content), nil); err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			if got := loadErr(t, content); got != tc.want {
				t.Errorf("Load error:\n got: %s\nwant: %s", got, tc.want)
			}
		})
	}
}

func TestSizing_TooManyTasks(t *testing.T) {
	content := strings.Replace(goodSizing, "maxRate: 2000", "maxRate: 300000", 1)
	want := "sagesize.yaml: sizing.plan: candidate gpu peaks at 300000 requests per second, which needs 150 tasks of 1 vCPU; at most 100: raise loadTest.cpu or lower its maxRate"
	if got := loadErr(t, content); got != want {
		t.Errorf("Load error:\n got: %s\nwant: %s", got, want)
	}
}

func TestSizing_TasksOverCapacity(t *testing.T) {
	content := strings.Replace(goodSizing, "maxRate: 2000", "maxRate: 5000", 1)
	content = strings.Replace(content, "    startRate: 20\n", "    startRate: 20\n    tasks: 2\n", 1)
	want := "sagesize.yaml: sizing.plan.tasks: candidate gpu: plans 2500 requests per second per task (peak 5000 over 2 tasks); one task of 1 vCPU is planned for at most 2000, so at least 3 tasks are needed"
	if got := loadErr(t, content); got != want {
		t.Errorf("Load error:\n got: %s\nwant: %s", got, want)
	}
}

// The deadline defaults to the plan's length plus two hours, counts the
// candidates one after another (or the longest when parallel), and is
// bounded by the plan and by seven days.
func TestSizing_Deadline(t *testing.T) {
	c, err := Load(writeConfig(t, goodSizing), nil)
	if err != nil {
		t.Fatal(err)
	}
	// 5 steps and 13 steps of 3m, one candidate after the other.
	if got, want := c.Sizing.Length(), 54*time.Minute; got != want {
		t.Errorf("Length() = %v; want %v", got, want)
	}
	if got, want := c.Sizing.DeadlineAfter(), 54*time.Minute+2*time.Hour; got != want {
		t.Errorf("DeadlineAfter() = %v; want the plan + 2h = %v", got, want)
	}
	c.Sizing.Parallel = true
	if got, want := c.Sizing.Length(), 39*time.Minute; got != want {
		t.Errorf("parallel Length() = %v; want the longest candidate, %v", got, want)
	}

	c, err = Load(writeConfig(t, goodSizing+"  deadline: 6h\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Sizing.DeadlineAfter(); got != 6*time.Hour {
		t.Errorf("DeadlineAfter() = %v; want the configured 6h", got)
	}
	for deadline, want := range map[string]string{
		"1h":   "sagesize.yaml: sizing.deadline: is 1h0m0s; the plan runs 54m0s and the endpoint takes minutes to create: give at least 1h24m0s (the plan + 30m0s)",
		"170h": "sagesize.yaml: sizing.deadline: is 170h0m0s; a sizing endpoint lives at most 168h0m0s (7 days): give a shorter deadline or shorten the plan",
	} {
		if got := loadErr(t, goodSizing+"  deadline: "+deadline+"\n"); got != want {
			t.Errorf("deadline %s:\n got: %s\nwant: %s", deadline, got, want)
		}
	}
}

// A streaming sizing test bounds TTFT and ITL at p99 and targets output
// tokens/s; the endpoint's dashboard gets the e2e bound as its latency.
func TestSizing_TokenObjectives(t *testing.T) {
	content := strings.Replace(goodSizing, "slo: {percentile: p99, latency: 150ms}", "slo: {percentile: p99, ttft: 800ms, itl: 60ms, e2e: 20s}", 1)
	content = strings.Replace(content, "targetRate: 300", "targetTokensPerSecond: 5000", 1)
	content = strings.Replace(content, "    payload: s3://shop-payloads/request.json\n",
		"    stream: {inputTokens: {mean: 512, stddev: 64}, outputTokens: {mean: 256}}\n    refine: {steps: 3, stepDuration: 2m}\n", 1)
	c, err := Load(writeConfig(t, content), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := c.Sizing
	if s.SLO.TTFT.Duration != 800*time.Millisecond || s.SLO.ITL.Duration != 60*time.Millisecond || s.TargetTokensPerSecond != 5000 {
		t.Errorf("slo %+v, target %v", s.SLO, s.TargetTokensPerSecond)
	}
	if got := c.SizingEndpoint().SLO.Latency.Duration; got != 20*time.Second {
		t.Errorf("endpoint SLO latency %v; want the e2e bound, 20s", got)
	}
	if s.Plan.RefineSteps() != 3 || s.Plan.RefineStepLength() != 2*time.Minute {
		t.Errorf("refine %d × %v", s.Plan.RefineSteps(), s.Plan.RefineStepLength())
	}
	// 5 and 13 steps of 3m, plus 3 refinement steps of 2m and their 3m start each.
	if got, want := s.Length(), 54*time.Minute+2*3*5*time.Minute; got != want {
		t.Errorf("Length() = %v; want %v", got, want)
	}
}
