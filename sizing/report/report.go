// Package report renders a sizing.Result as Markdown (CI logs, pull
// requests), JSON (pipelines) and an HTML page with charts drawn by
// gonum/plot. The three show the same numbers, formatted by the sizing
// package's Format* helpers.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/sizing"
)

// Document is the JSON form of a sizing.Result. Its field names are stable:
// pipelines depend on them. Latencies are milliseconds, rates req/s, costs USD,
// utilizations 0-100 % (null when not published), error rates fractions.
type Document struct {
	Endpoint      string      `json:"endpoint"`
	SLOPercentile string      `json:"slo_percentile"`
	SLOLatencyMs  float64     `json:"slo_latency_ms"`
	LatencyField  string      `json:"latency_field"`
	MaxErrorRate  float64     `json:"max_error_rate"`
	TargetRate    float64     `json:"target_rate"`
	Headroom      float64     `json:"headroom"`
	Recommended   string      `json:"recommended"`
	Reasons       []string    `json:"reasons"`
	Problems      []string    `json:"problems"`
	OK            bool        `json:"ok"`
	Candidates    []Candidate `json:"candidates"`
	// EndpointCostPerHour is the sizing endpoint's cost while deployed
	// (every candidate's price × count); TestHours how long the test ran
	// (0: unknown) and TestCost the product.
	EndpointCostPerHour float64 `json:"endpoint_cost_per_hour"`
	TestHours           float64 `json:"test_hours"`
	TestCost            float64 `json:"test_cost"`
	// SLOTTFTMs, SLOITLMs, SLOTPOTMs and SLOE2EMs are a streaming test's
	// bounds (0: unbounded); TargetTokensPerSecond its target in output
	// tokens/s (0: the target is TargetRate); InputTokensPerRequest the
	// configured prompts' mean length (0: unknown).
	SLOTTFTMs             float64 `json:"slo_ttft_ms"`
	SLOITLMs              float64 `json:"slo_itl_ms"`
	SLOTPOTMs             float64 `json:"slo_tpot_ms"`
	SLOE2EMs              float64 `json:"slo_e2e_ms"`
	TargetTokensPerSecond float64 `json:"target_tokens_per_second"`
	InputTokensPerRequest float64 `json:"input_tokens_per_request"`
}

// Knee is the JSON form of a sizing.Knee: planned rates, req/s.
type Knee struct {
	Low     float64 `json:"low"`
	High    float64 `json:"high"`
	Width   float64 `json:"width"`
	Refined int     `json:"refined"`
}

// Tokens is the JSON form of a sizing.TokenEconomics.
type Tokens struct {
	OutputPerSecond            float64 `json:"output_tokens_per_s"`
	OutputPerSecondPerInstance float64 `json:"output_tokens_per_s_per_instance"`
	CostPerMillionOutputTokens float64 `json:"cost_per_million_output_tokens"`
	CostPerMillionTotalTokens  float64 `json:"cost_per_million_input_output_tokens"`
	InputTokensPerRequest      float64 `json:"input_tokens_per_request_assumed"`
	Goodput                    float64 `json:"goodput"`
}

// StreamStep is the JSON form of a sizing.StreamStep and the step's token rates.
type StreamStep struct {
	TTFTP50Ms         float64  `json:"ttft_p50_ms"`
	TTFTP99Ms         float64  `json:"ttft_p99_ms"`
	ITLP50Ms          float64  `json:"itl_p50_ms"`
	ITLP99Ms          float64  `json:"itl_p99_ms"`
	TPOTP50Ms         float64  `json:"tpot_p50_ms"`
	TPOTP99Ms         float64  `json:"tpot_p99_ms"`
	OutputTokens      int64    `json:"output_tokens"`
	GoodRequests      int64    `json:"good_requests"`
	OutputTokensPerS  float64  `json:"output_tokens_per_s"`
	Goodput           float64  `json:"goodput"`
	MissingStreamData []string `json:"missing"`
}

func knee(k *sizing.Knee) *Knee {
	if k == nil {
		return nil
	}
	return &Knee{Low: k.Low, High: k.High, Width: k.Width(), Refined: k.Refined}
}

func tokens(t *sizing.TokenEconomics) *Tokens {
	if t == nil {
		return nil
	}
	return &Tokens{OutputPerSecond: t.OutputPerSecond, OutputPerSecondPerInstance: t.OutputPerSecondPerInstance,
		CostPerMillionOutputTokens: t.CostPerMillionOutput, CostPerMillionTotalTokens: t.CostPerMillionTotal,
		InputTokensPerRequest: t.InputPerRequest, Goodput: t.Goodput}
}

func streamStep(s sizing.StepResult) *StreamStep {
	st := s.Stream
	if st == nil {
		return nil
	}
	return &StreamStep{TTFTP50Ms: metrics.Millis(st.TTFTP50), TTFTP99Ms: metrics.Millis(st.TTFTP99), ITLP50Ms: metrics.Millis(st.ITLP50),
		ITLP99Ms: metrics.Millis(st.ITLP99), TPOTP50Ms: metrics.Millis(st.TPOTP50), TPOTP99Ms: metrics.Millis(st.TPOTP99),
		OutputTokens: st.OutputTokens, GoodRequests: st.GoodRequests, OutputTokensPerS: s.OutputTokenRate(), Goodput: s.Goodput(),
		MissingStreamData: nonNil(st.Missing)}
}

// Candidate is the JSON form of a sizing.CandidateResult.
type Candidate struct {
	Variant                string   `json:"variant"`
	InstanceType           string   `json:"instance_type"`
	InstanceCount          int      `json:"instance_count"`
	PricePerHour           float64  `json:"price_per_hour"`
	Sustains               bool     `json:"sustains"`
	SustainableRate        float64  `json:"sustainable_rate"`
	SustainablePerInstance float64  `json:"sustainable_rate_per_instance"`
	CPU                    *float64 `json:"cpu_pct"`
	Memory                 *float64 `json:"memory_pct"`
	GPU                    *float64 `json:"gpu_pct"`
	GPUMemory              *float64 `json:"gpu_memory_pct"`
	CostPerHour            float64  `json:"cost_per_hour"`
	CostPerMillion         float64  `json:"cost_per_million"`
	InstancesForTarget     int      `json:"instances_for_target"`
	FleetCostPerHour       float64  `json:"fleet_cost_per_hour"`
	Recovered              bool     `json:"recovered"`
	NeverBroke             bool     `json:"never_broke"`
	Notes                  []string `json:"notes"`
	Steps                  []Step   `json:"steps"`
	// BrokeFirst names what the first failing step broke; Knee brackets
	// the limit (null: no failing step above one that held); Tokens is
	// null outside streaming tests; EndpointMinutes and TestCost are what
	// the candidate's runs kept the endpoint busy and billed.
	BrokeFirst      []string `json:"broke_first"`
	Knee            *Knee    `json:"knee"`
	Tokens          *Tokens  `json:"tokens"`
	EndpointMinutes float64  `json:"endpoint_minutes"`
	TestCost        float64  `json:"test_cost"`
}

// Step is the JSON form of a sizing.StepResult.
type Step struct {
	PlannedRate   float64  `json:"planned_rate"`
	AchievedRate  float64  `json:"achieved_rate"`
	Start         string   `json:"start"`
	End           string   `json:"end"`
	ClientP50Ms   float64  `json:"client_p50_ms"`
	ClientP99Ms   float64  `json:"client_p99_ms"`
	ModelP99Ms    float64  `json:"model_p99_ms"`
	OverheadP99Ms float64  `json:"overhead_p99_ms"`
	Requests      int64    `json:"requests"`
	Errors        int64    `json:"errors"`
	Throttles     int64    `json:"throttles"`
	ErrorRate     float64  `json:"error_rate"`
	CPU           *float64 `json:"cpu_pct"`
	Memory        *float64 `json:"memory_pct"`
	GPU           *float64 `json:"gpu_pct"`
	GPUMemory     *float64 `json:"gpu_memory_pct"`
	Missing       []string `json:"missing"`
	NoData        bool     `json:"no_data"`
	KeptUp        bool     `json:"kept_up"`
	LatencyOK     bool     `json:"latency_ok"`
	ErrorsOK      bool     `json:"errors_ok"`
	Holds         bool     `json:"holds"`
	Why           []string `json:"why"`
	// Incomplete is true when publishes were lost: the step was not judged.
	Incomplete bool `json:"incomplete"`
	// Intervals is how many of the step's intervals reached CloudWatch;
	// null when not checked.
	Intervals *Intervals `json:"intervals"`
	// Refine marks a knee refinement step; Broke what the step broke;
	// Stream a streaming step's figures (null otherwise).
	Refine bool        `json:"refine"`
	Broke  []string    `json:"broke"`
	Stream *StreamStep `json:"stream"`
}

// Intervals is the JSON form of a sizing.Coverage.
type Intervals struct {
	Expected  int64 `json:"expected"`
	Published int64 `json:"published"`
	// Known is false when the tasks published no interval count (a
	// loadgen older than the Intervals metric).
	Known bool `json:"known"`
}

func intervals(c *sizing.Coverage) *Intervals {
	if c == nil {
		return nil
	}
	return &Intervals{Expected: c.Expected, Published: c.Published, Known: c.Known}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// NewDocument converts r into its JSON form.
func NewDocument(r *sizing.Result) Document {
	d := Document{
		Endpoint: r.Endpoint, SLOPercentile: r.SLO.Percentile, SLOLatencyMs: metrics.Millis(r.SLO.Latency),
		LatencyField: r.LatencyField, MaxErrorRate: r.MaxErrorRate, TargetRate: r.TargetRate,
		Headroom: r.Headroom, Recommended: r.Recommended, Reasons: nonNil(r.Reasons),
		Problems: nonNil(r.Problems), OK: r.Err() == nil, Candidates: []Candidate{},
		EndpointCostPerHour: r.Cost.PerHour, TestHours: r.Cost.Duration.Hours(), TestCost: r.Cost.Total(),
		SLOTTFTMs: metrics.Millis(r.SLO.TTFT), SLOITLMs: metrics.Millis(r.SLO.ITL), SLOTPOTMs: metrics.Millis(r.SLO.TPOT), SLOE2EMs: metrics.Millis(r.SLO.E2E),
		TargetTokensPerSecond: r.TargetTokensPerSecond, InputTokensPerRequest: r.InputTokensPerRequest,
	}
	for _, c := range r.Candidates {
		jc := Candidate{
			Variant: c.Variant, InstanceType: c.InstanceType, InstanceCount: c.InstanceCount,
			PricePerHour: c.PricePerHour, Sustains: c.Sustains, SustainableRate: c.SustainableRate,
			SustainablePerInstance: c.SustainablePerInstance, CPU: c.CPU, Memory: c.Memory, GPU: c.GPU,
			GPUMemory: c.GPUMemory, CostPerHour: c.CostPerHour, CostPerMillion: c.CostPerMillion,
			InstancesForTarget: c.InstancesForTarget, FleetCostPerHour: c.FleetCostPerHour,
			Recovered: c.Recovered, NeverBroke: c.NeverBroke, Notes: nonNil(c.Notes), Steps: []Step{},
			BrokeFirst: nonNil(c.BrokeFirst), Knee: knee(c.Knee), Tokens: tokens(c.Tokens),
			EndpointMinutes: c.EndpointTime.Minutes(), TestCost: c.TestCost,
		}
		for _, s := range c.Steps {
			jc.Steps = append(jc.Steps, Step{
				PlannedRate: s.PlannedRate, AchievedRate: s.AchievedRate,
				Start: timeString(s.Start), End: timeString(s.End),
				ClientP50Ms: metrics.Millis(s.ClientP50), ClientP99Ms: metrics.Millis(s.ClientP99), ModelP99Ms: metrics.Millis(s.ModelP99),
				OverheadP99Ms: metrics.Millis(s.OverheadP99),
				Requests:      s.Requests, Errors: s.Errors, Throttles: s.Throttles, ErrorRate: s.ErrorRate(),
				CPU: s.CPU, Memory: s.Memory, GPU: s.GPU, GPUMemory: s.GPUMemory, Missing: nonNil(s.Missing),
				NoData: s.NoData(), KeptUp: s.KeptUp, LatencyOK: s.LatencyOK, ErrorsOK: s.ErrorsOK,
				Holds: s.Holds, Why: nonNil(s.Why), Incomplete: s.Incomplete, Intervals: intervals(s.Coverage),
				Refine: s.Refine, Broke: nonNil(s.Broke), Stream: streamStep(s),
			})
		}
		d.Candidates = append(d.Candidates, jc)
	}
	return d
}

// JSON writes r as indented JSON (see Document).
func JSON(w io.Writer, r *sizing.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(NewDocument(r)); err != nil {
		return fmt.Errorf("report: writing JSON: %w", err)
	}
	return nil
}
