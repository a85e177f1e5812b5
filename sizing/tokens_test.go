package sizing

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/catalog"
)

// streamStep is a step of rate req/s whose requests each produce tokens
// output tokens, with TTFT and ITL p99 as given (ms).
func streamStep(rate, tokens, ttftMs, itlMs float64) Step {
	s := step(rate, ttftMs+itlMs*tokens, 50)
	s.Stream = &StreamStep{TTFTP99: time.Duration(ttftMs * float64(time.Millisecond)), ITLP99: time.Duration(itlMs * float64(time.Millisecond)),
		OutputTokens: int64(float64(s.Requests) * tokens), GoodRequests: s.Requests}
	return s
}

func g6Inst() catalog.Instance {
	return catalog.Instance{Type: "ml.g6.12xlarge", Family: "g6", VCPUs: 48, Accelerator: catalog.NvidiaGPU, AcceleratorCount: 4, PricePerHour: 6.6}
}

// The pricier instance per hour serves more output tokens per dollar and
// is recommended; the other candidate's first failing step broke TTFT,
// and the report says so.
func TestDecideInTokens(t *testing.T) {
	const tokens, input = 200.0, 512.0
	small := Candidate{Variant: "g5", Instance: gpuInst(), InstanceCount: 1, Steps: []Step{
		streamStep(1, tokens, 300, 30), streamStep(2, tokens, 500, 40), streamStep(4, tokens, 1500, 50)}}
	big := Candidate{Variant: "g6", Instance: g6Inst(), InstanceCount: 1, Steps: []Step{
		streamStep(4, tokens, 200, 20), streamStep(8, tokens, 400, 30), streamStep(16, tokens, 700, 50), streamStep(32, tokens, 750, 90)}}
	tt := Test{Endpoint: "llm", SLO: SLO{Percentile: P99, TTFT: 800 * time.Millisecond, ITL: 60 * time.Millisecond},
		MaxErrorRate: 0.01, TargetTokensPerSecond: 5000, Headroom: 0.2, InputTokensPerRequest: input, Candidates: []Candidate{small, big}}
	r := Decide(tt)
	if len(r.Problems) > 0 {
		t.Fatalf("problems: %v", r.Problems)
	}
	g5, g6 := r.Candidates[0], r.Candidates[1]
	if !slices.Equal(g5.BrokeFirst, []string{BrokeTTFT}) || !slices.Equal(g6.BrokeFirst, []string{BrokeITL}) {
		t.Errorf("broke first: g5 %v, g6 %v; want ttft, itl", g5.BrokeFirst, g6.BrokeFirst)
	}
	// g5 sustains 2 req/s × 200 = 400 tokens/s, g6 16 × 200 = 3200.
	for _, c := range []struct {
		got   CandidateResult
		tps   float64
		price float64
	}{{g5, 2 * tokens, gpuInst().PricePerHour}, {g6, 16 * tokens, g6Inst().PricePerHour}} {
		te := c.got.Tokens
		if te == nil {
			t.Fatalf("%s: no token economics", c.got.Variant)
		}
		want := c.price / (c.tps * 3600) * 1e6
		wantTotal := c.price / ((c.tps + input*c.tps/tokens) * 3600) * 1e6
		if math.Abs(te.OutputPerSecondPerInstance-c.tps) > 1e-9 || math.Abs(te.CostPerMillionOutput-want) > 1e-9 || math.Abs(te.CostPerMillionTotal-wantTotal) > 1e-9 {
			t.Errorf("%s: %+v; want %v tokens/s, $%v per million output, $%v per million input+output", c.got.Variant, te, c.tps, want, wantTotal)
		}
		if n := int(math.Ceil(5000 / (c.tps * 0.8))); c.got.InstancesForTarget != n {
			t.Errorf("%s: %d instances for 5000 tokens/s; want %d", c.got.Variant, c.got.InstancesForTarget, n)
		}
	}
	if r.Recommended != "g6" {
		t.Errorf("recommended %q; want g6, dearer per hour but cheaper per million tokens", r.Recommended)
	}
	text := strings.Join(r.Reasons, "\n")
	for _, want := range []string{"g6 (ml.g6.12xlarge) is the cheapest per million output tokens", "but serves more tokens per dollar", "g5 broke ttft first, its knee between 2.0 and 4.0 req/s"} {
		if !strings.Contains(text, want) {
			t.Errorf("reasons lack %q:\n%s", want, text)
		}
	}
}

// Refinement steps narrow the knee to the highest rate that held and the
// lowest that did not, whatever order they come in.
func TestKneeBracketWithRefinement(t *testing.T) {
	fail := func(rate float64) Step { return step(rate, 900, 90) }
	refine := func(s Step) Step { s.Refine = true; return s }
	c := Candidate{Variant: "cpu", Instance: cpuInst(), InstanceCount: 1, Steps: []Step{
		step(10, 50, 10), step(20, 100, 20), fail(40),
		refine(fail(30)), refine(step(25, 150, 30)), refine(fail(27.5))}}
	r := Decide(baseTest(c))
	k := r.Candidates[0].Knee
	if k == nil || k.Low != 25 || k.High != 27.5 || k.Refined != 3 {
		t.Fatalf("knee %+v; want 25..27.5 after 3 refinement steps", k)
	}
	if r.Candidates[0].SustainableRate != 25 || r.Candidates[0].Recovered {
		t.Errorf("sustainable %v, recovered %v; want 25, false", r.Candidates[0].SustainableRate, r.Candidates[0].Recovered)
	}
	if w := k.Width(); math.Abs(w-0.1) > 1e-12 {
		t.Errorf("width %v; want 0.1", w)
	}
	// Without refinement the bracket is the step spacing.
	r = Decide(baseTest(Candidate{Variant: "cpu", Instance: cpuInst(), InstanceCount: 1, Steps: c.Steps[:3]}))
	if k := r.Candidates[0].Knee; k == nil || k.Low != 20 || k.High != 40 || k.Refined != 0 {
		t.Errorf("knee %+v; want 20..40", k)
	}
}

// A test's endpoint time per candidate is billed at the whole endpoint's
// price.
func TestCandidateTestCost(t *testing.T) {
	a := Candidate{Variant: "cpu", Instance: cpuInst(), InstanceCount: 1, Steps: []Step{step(10, 50, 10)}, EndpointTime: 30 * time.Minute}
	b := Candidate{Variant: "gpu", Instance: gpuInst(), InstanceCount: 2, Steps: []Step{step(10, 50, 10)}, EndpointTime: 15 * time.Minute}
	r := Decide(baseTest(a, b))
	perHour := cpuInst().PricePerHour + 2*gpuInst().PricePerHour
	if got, want := r.Candidates[0].TestCost, perHour/2; math.Abs(got-want) > 1e-12 {
		t.Errorf("cpu test cost %v; want %v", got, want)
	}
	if got, want := r.Candidates[1].TestCost, perHour/4; math.Abs(got-want) > 1e-12 {
		t.Errorf("gpu test cost %v; want %v", got, want)
	}
}
