package sizing

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/catalog"
)

var t0 = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func pct(v float64) *float64 { return &v }

// step builds a step that kept up at rate with p99 latency ms and no errors.
func step(rate float64, p99ms float64, cpu float64) Step {
	i := int(rate)
	return Step{
		PlannedRate: rate, AchievedRate: rate,
		Start: t0.Add(time.Duration(i) * time.Minute), End: t0.Add(time.Duration(i)*time.Minute + 5*time.Minute),
		ClientP50: time.Duration(p99ms / 2 * float64(time.Millisecond)),
		ClientP99: time.Duration(p99ms * float64(time.Millisecond)),
		ModelP99:  time.Duration(p99ms * 0.8 * float64(time.Millisecond)),
		Requests:  int64(rate * 300), CPU: pct(cpu), Memory: pct(40),
	}
}

func cpuInst() catalog.Instance {
	return catalog.Instance{Type: "ml.c5.xlarge", Family: "c5", VCPUs: 4, PricePerHour: 0.204}
}

func gpuInst() catalog.Instance {
	return catalog.Instance{Type: "ml.g5.xlarge", Family: "g5", VCPUs: 4, Accelerator: catalog.NvidiaGPU, AcceleratorCount: 1, PricePerHour: 1.408}
}

func baseTest(cs ...Candidate) Test {
	return Test{Endpoint: "ep", SLO: SLO{Percentile: P99, Latency: 200 * time.Millisecond},
		MaxErrorRate: 0.01, TargetRate: 1000, Headroom: 0.3, Candidates: cs}
}

func TestDecide(t *testing.T) {
	// cpu saturates early: holds 10 and 20 req/s, breaks at 40.
	cpu := Candidate{Variant: "cpu", Instance: cpuInst(), InstanceCount: 1, Steps: []Step{
		step(40, 900, 99), step(10, 50, 30), step(20, 120, 60)}}
	// gpu: 4x the hourly price, holds up to 400 req/s on 1 instance.
	gpuSteps := []Step{step(100, 20, 10), step(200, 30, 20), step(400, 80, 35), step(800, 400, 40)}
	for i := range gpuSteps {
		gpuSteps[i].GPU, gpuSteps[i].GPUMemory = pct(float64(20*(i+1))), pct(30)
	}
	gpu := Candidate{Variant: "gpu", Instance: gpuInst(), InstanceCount: 1, Steps: gpuSteps}

	slowErr := step(20, 50, 20)
	slowErr.Errors = slowErr.Requests / 10 // 10% errors
	lagging := step(10, 50, 20)
	lagging.AchievedRate = 9 // 90% of planned
	noData := Step{PlannedRate: 30, Start: t0, End: t0.Add(5 * time.Minute), Missing: []string{"ClientP99", "Requests", "CPU"}}
	recovers := Candidate{Variant: "flaky", Instance: cpuInst(), InstanceCount: 2, Steps: []Step{step(10, 50, 10), step(20, 300, 20), step(30, 100, 30)}}

	type want struct {
		recommended string
		rates       map[string]float64 // variant -> sustainable rate
		problems    []string           // substrings
		reasons     []string           // substrings
		recovered   string
	}
	tests := []struct {
		name string
		test Test
		want want
	}{
		{"saturates early, gpu cheaper per inference", baseTest(cpu, gpu), want{
			recommended: "gpu",
			rates:       map[string]float64{"cpu": 20, "gpu": 400},
			reasons:     []string{"cheaper per inference", "4 × ml.g5.xlarge"},
		}},
		{"cpu only", baseTest(cpu), want{recommended: "cpu", rates: map[string]float64{"cpu": 20}}},
		{"nothing meets the SLO", func() Test {
			tt := baseTest(cpu, gpu)
			tt.SLO.Latency = 5 * time.Millisecond
			return tt
		}(), want{rates: map[string]float64{"cpu": 0, "gpu": 0}, reasons: []string{"no candidate held the SLO"}}},
		{"error bound and keep-up break the first step", baseTest(
			Candidate{Variant: "errs", Instance: cpuInst(), InstanceCount: 1, Steps: []Step{slowErr}},
			Candidate{Variant: "lag", Instance: cpuInst(), InstanceCount: 1, Steps: []Step{lagging}}),
			want{rates: map[string]float64{"errs": 0, "lag": 0}, reasons: []string{"no candidate held"}}},
		{"step with no data stops the run", baseTest(Candidate{Variant: "cpu", Instance: cpuInst(), InstanceCount: 1,
			Steps: []Step{step(10, 50, 30), noData, step(40, 60, 70)}}),
			want{recommended: "cpu", rates: map[string]float64{"cpu": 10}, recovered: "cpu",
				problems: []string{"variant cpu: no data for the 30.0 req/s step"}}},
		{"variant never received traffic", baseTest(cpu, Candidate{Variant: "idle", Instance: gpuInst(), InstanceCount: 1,
			Steps: []Step{{PlannedRate: 10}, {PlannedRate: 20}}}),
			want{recommended: "cpu", rates: map[string]float64{"cpu": 20, "idle": 0},
				problems: []string{"variant idle never received traffic"}}},
		{"no data in the window", baseTest(Candidate{Variant: "a", Instance: cpuInst(), InstanceCount: 1, Steps: []Step{{PlannedRate: 10}}}),
			want{rates: map[string]float64{"a": 0}, problems: []string{"no data in the test window", "variant a never received traffic"}}},
		{"recovers after a failure is flagged", baseTest(recovers), want{recommended: "flaky", rates: map[string]float64{"flaky": 10}, recovered: "flaky"}},
		{"SLO not defined", func() Test { tt := baseTest(cpu); tt.SLO = SLO{Percentile: "p95"}; return tt }(),
			want{rates: map[string]float64{"cpu": 0}, problems: []string{`percentile "p95" is not supported`, "SLO latency is not defined"}}},
		{"p50 SLO uses ClientP50", func() Test {
			tt := baseTest(cpu)
			tt.SLO = SLO{Percentile: P50, Latency: 200 * time.Millisecond}
			return tt
		}(),
			want{recommended: "cpu", rates: map[string]float64{"cpu": 20}}}, // 40 req/s has p50 450ms
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Decide(tc.test)
			if r.Recommended != tc.want.recommended {
				t.Errorf("Recommended = %q, want %q (reasons %q, problems %q)", r.Recommended, tc.want.recommended, r.Reasons, r.Problems)
			}
			for _, c := range r.Candidates {
				if w, ok := tc.want.rates[c.Variant]; ok && c.SustainableRate != w {
					t.Errorf("%s: SustainableRate = %v, want %v", c.Variant, c.SustainableRate, w)
				}
				if c.Recovered != (c.Variant == tc.want.recovered) {
					t.Errorf("%s: Recovered = %v", c.Variant, c.Recovered)
				}
			}
			for _, p := range tc.want.problems {
				if !containsSub(r.Problems, p) {
					t.Errorf("Problems %q lack %q", r.Problems, p)
				}
			}
			if len(tc.want.problems) == 0 && len(r.Problems) > 0 {
				t.Errorf("unexpected Problems %q", r.Problems)
			}
			for _, p := range tc.want.reasons {
				if !containsSub(r.Reasons, p) {
					t.Errorf("Reasons %q lack %q", r.Reasons, p)
				}
			}
			err := r.Err()
			wantErr := tc.want.recommended == "" || len(tc.want.problems) > 0
			var nre *NoRecommendationError
			if wantErr != (err != nil) || (err != nil && !errors.As(err, &nre)) {
				t.Errorf("Err() = %v, want error %v", err, wantErr)
			}
		})
	}
}

// TestFigures checks the per-candidate figures against the formulas, computed here.
func TestFigures(t *testing.T) {
	gpuSteps := []Step{step(200, 30, 20), step(400, 80, 35), step(800, 400, 40)}
	r := Decide(baseTest(
		Candidate{Variant: "gpu", Instance: gpuInst(), InstanceCount: 2, Steps: gpuSteps},
		Candidate{Variant: "cpu", Instance: cpuInst(), InstanceCount: 3, Steps: []Step{step(30, 50, 40), step(60, 250, 90)}},
	))
	g := r.Candidates[0]
	wantPerInst := 400.0 / 2
	wantNeeded := int(math.Ceil(1000 / (wantPerInst * 0.7))) // 8
	if g.SustainablePerInstance != wantPerInst || g.InstancesForTarget != wantNeeded {
		t.Errorf("gpu per instance %v needed %d, want %v %d", g.SustainablePerInstance, g.InstancesForTarget, wantPerInst, wantNeeded)
	}
	if !near(g.CostPerHour, 2*1.408) || !near(g.CostPerMillion, 2*1.408/(400*3600)*1e6) || !near(g.FleetCostPerHour, float64(wantNeeded)*1.408) {
		t.Errorf("gpu costs %v %v %v", g.CostPerHour, g.CostPerMillion, g.FleetCostPerHour)
	}
	if g.CPU == nil || *g.CPU != 35 {
		t.Errorf("gpu CPU at sustainable step = %v, want 35", g.CPU)
	}
	c := r.Candidates[1]
	cNeeded := int(math.Ceil(1000 / (10 * 0.7))) // 143
	if c.InstancesForTarget != cNeeded || !near(c.FleetCostPerHour, float64(cNeeded)*0.204) {
		t.Errorf("cpu needed %d cost %v, want %d", c.InstancesForTarget, c.FleetCostPerHour, cNeeded)
	}
	if r.Recommended != "gpu" || r.LatencyField != "ClientP99" {
		t.Errorf("Recommended %q field %q", r.Recommended, r.LatencyField)
	}
}

func TestTieBreaksOnCostPerMillion(t *testing.T) {
	a := cpuInst()
	// Same fleet cost (1 instance each), different sustainable rates.
	r := Decide(baseTest(
		Candidate{Variant: "slow", Instance: a, InstanceCount: 1, Steps: []Step{step(1000, 50, 50)}},
		Candidate{Variant: "fast", Instance: a, InstanceCount: 1, Steps: []Step{step(2000, 50, 50)}},
	))
	if r.Recommended != "fast" {
		t.Errorf("Recommended %q, want fast", r.Recommended)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func containsSub(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
