// Package sizing decides which SageMaker instance type production should run
// a model on, from the measurements of a stepped load test: per candidate
// (one production variant per instance type) and per step of planned rate.
//
// The input, Test, is plain data that code reading CloudWatch fills in; the
// output, Result, carries every number the reports show, the recommendation
// with its reasons, and the problems (missing data, undefined SLO) that must
// make a CI job fail. Decide is a pure function: no I/O, no global state.
package sizing

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/metrics"
)

// Supported SLO percentiles, as used in SLO.Percentile.
const (
	// P50 checks Step.ClientP50 against the SLO latency.
	P50 = "p50"
	// P99 checks Step.ClientP99 against the SLO latency.
	P99 = "p99"
)

// KeepUpFraction is the share of the planned rate a step must achieve to
// count: below it the generator or the endpoint did not keep up.
const KeepUpFraction = 0.95

// SLO is the objective: at Percentile, client-side latency must be at most
// Latency and, for a streaming test, time to first token, inter-token
// latency, time per output token and end-to-end time at most TTFT, ITL,
// TPOT and E2E. A zero bound is not checked; at least one must be set.
type SLO struct {
	// Percentile is P50 or P99.
	Percentile string
	// Latency is the bound at that percentile.
	Latency time.Duration
	// TTFT, ITL, TPOT and E2E bound a streaming test (0: unbounded).
	TTFT, ITL, TPOT, E2E time.Duration
}

// Test is one sizing load test: the objective, the production target and the
// measurements of every candidate.
type Test struct {
	// Endpoint is the SageMaker endpoint name that hosts all candidates.
	Endpoint string
	// SLO is the latency objective a step must meet to hold.
	SLO SLO
	// MaxErrorRate is the largest accepted Errors/Requests, a fraction (0.01 = 1%).
	MaxErrorRate float64
	// TargetRate is the request rate (req/s) production must hold.
	TargetRate float64
	// Headroom is the fraction of the sustainable rate kept free in
	// production: 0.3 plans to run instances at 70% of what they sustain.
	Headroom float64
	// Candidates are the production variants tested, one per instance type.
	Candidates []Candidate
	// Duration is how long the test ran, from the first task's start to
	// the last step's end (0: unknown); it prices the test (Result.Cost).
	Duration time.Duration
	// TargetTokensPerSecond, when positive, is the production load in
	// output tokens per second, instead of TargetRate (streaming tests).
	TargetTokensPerSecond float64
	// InputTokensPerRequest is the mean prompt length in tokens, when
	// known (loadgen publishes no input-token count: it is the configured
	// synthetic prompts' mean); 0 leaves $ per million input+output
	// tokens out.
	InputTokensPerRequest float64
}

// Candidate is one production variant: an instance type, a count, and the
// measurements of each step of its stepped plan.
type Candidate struct {
	// Variant is the production variant name.
	Variant string
	// Instance is the catalogue entry of the variant's instance type.
	Instance catalog.Instance
	// InstanceCount is the variant's instance count during the test.
	InstanceCount int
	// Steps are the steps of the plan, in any order (Decide sorts by PlannedRate).
	Steps []Step
	// EndpointTime is how long this candidate's runs kept the endpoint
	// busy: from each run's request for tasks to the verdict on its last
	// step (0: unknown).
	EndpointTime time.Duration
}

// Step is the measurement of one step of constant planned rate, over the
// window [Start, End) with the warm-up already excluded.
type Step struct {
	// PlannedRate is the rate (req/s) the generator was asked for.
	PlannedRate float64
	// Start and End bound the measured window.
	Start, End time.Time
	// AchievedRate is the rate (req/s) actually completed in the window.
	AchievedRate float64
	// ClientP50 and ClientP99 are the client-side latency percentiles published by loadgen.
	ClientP50, ClientP99 time.Duration
	// ModelP99 is SageMaker's ModelLatency p99.
	ModelP99 time.Duration
	// OverheadP99 is SageMaker's OverheadLatency p99: the time SageMaker
	// itself adds to a request, outside the model container.
	OverheadP99 time.Duration
	// Requests, Errors and Throttles are counts over the window.
	Requests, Errors, Throttles int64
	// CPU, Memory, GPU and GPUMemory are utilizations normalized to 0-100 %
	// of the whole instance; nil when the metric was not published.
	CPU, Memory, GPU, GPUMemory *float64
	// Missing names the metrics that had no data in the window, using the
	// field names above (e.g. "ClientP99", "CPU").
	Missing []string
	// Coverage is how many of the window's intervals reached CloudWatch;
	// nil when it was not checked (the task count was not known). When
	// some are missing, AchievedRate is computed over those present.
	Coverage *Coverage
	// Refine is true for a knee refinement step (a bisection point).
	Refine bool
	// Stream holds a streaming test's token figures; nil otherwise.
	Stream *StreamStep
}

// ErrorRate returns Errors/Requests, or 0 when there were no requests.
func (s Step) ErrorRate() float64 {
	if s.Requests == 0 {
		return 0
	}
	return float64(s.Errors) / float64(s.Requests)
}

// NoData reports whether the step has no measurement at all: no requests and
// no achieved rate.
func (s Step) NoData() bool {
	return s.Requests == 0 && s.AchievedRate == 0
}

func (s Step) missing(field string) bool {
	for _, m := range s.Missing {
		if m == field {
			return true
		}
	}
	return false
}

// LatencyField returns the Step field checked against an SLO at percentile p
// ("ClientP50" or "ClientP99"), or "" when p is not supported.
func LatencyField(p string) string {
	switch strings.ToLower(p) {
	case P50:
		return "ClientP50"
	case P99:
		return "ClientP99"
	default:
		return ""
	}
}

func latencyAt(s Step, field string) time.Duration {
	if field == "ClientP50" {
		return s.ClientP50
	}
	return s.ClientP99
}

// StepResult is the verdict on one step.
type StepResult struct {
	Step
	// Latency is the client latency at the SLO percentile (see Result.LatencyField).
	Latency time.Duration
	// KeptUp is AchievedRate >= KeepUpFraction × PlannedRate.
	KeptUp bool
	// LatencyOK is Latency <= SLO latency (false when it could not be checked).
	LatencyOK bool
	// ErrorsOK is ErrorRate() <= MaxErrorRate.
	ErrorsOK bool
	// Holds is true when the step met the SLO, the error bound and kept up.
	Holds bool
	// Incomplete is true when the step's data is incomplete (see
	// Coverage): the step is not judged, neither holds nor fails, and the
	// sustainable rate rests on the other steps.
	Incomplete bool
	// Why says, in plain words, why the step does not hold; empty when it holds.
	Why []string
	// Broke names the objectives the step broke, in the order checked:
	// latency, ttft, itl, tpot, e2e, errors, rate (did not keep up), data.
	Broke []string
}

// CandidateResult is the verdict on one candidate.
type CandidateResult struct {
	Variant       string
	InstanceType  string
	InstanceCount int
	// PricePerHour is the price of one instance (USD/h).
	PricePerHour float64
	// Steps are the step verdicts sorted by planned rate.
	Steps []StepResult
	// Sustains is true when at least the lowest step held.
	Sustains bool
	// SustainableStep indexes Steps: the highest step of the run of held
	// steps starting at the lowest one; -1 when none.
	SustainableStep int
	// SustainableRate is the achieved rate (req/s, whole variant) at SustainableStep.
	SustainableRate float64
	// SustainablePerInstance is SustainableRate / InstanceCount.
	SustainablePerInstance float64
	// CPU, Memory, GPU and GPUMemory are the utilizations at SustainableStep.
	CPU, Memory, GPU, GPUMemory *float64
	// CostPerHour is PricePerHour × InstanceCount.
	CostPerHour float64
	// CostPerMillion is the USD cost of one million inferences at SustainableRate.
	CostPerMillion float64
	// InstancesForTarget is the instance count to hold Test.TargetRate with Test.Headroom.
	InstancesForTarget int
	// FleetCostPerHour is InstancesForTarget × PricePerHour.
	FleetCostPerHour float64
	// Recovered is true when a step held above a step that did not: the
	// sustainable rate ignores it, and the run deserves a look.
	Recovered bool
	// NeverBroke is true when every step held: the sustainable rate is a
	// lower bound, the plan did not go high enough.
	NeverBroke bool
	// BrokeFirst names what the first step that did not hold broke
	// (StepResult.Broke); empty when none failed.
	BrokeFirst []string
	// Knee brackets the sustainable rate: the highest planned rate that
	// held and the lowest above it that did not; nil unless both exist.
	Knee *Knee
	// Tokens holds a streaming candidate's token economics; nil otherwise.
	Tokens *TokenEconomics
	// EndpointTime is Candidate.EndpointTime; TestCost what it billed at
	// the whole endpoint's price (every candidate bills while deployed).
	EndpointTime time.Duration
	TestCost     float64
	// Notes are plain-word remarks on the candidate (flags, missing data).
	Notes []string
}

// Result is the sizing decision for a Test.
type Result struct {
	Endpoint     string
	SLO          SLO
	MaxErrorRate float64
	TargetRate   float64
	Headroom     float64
	// LatencyField names the Step field compared to the SLO, e.g. "ClientP99".
	LatencyField string
	Candidates   []CandidateResult
	// Recommended is the variant recommended for production, "" when none.
	Recommended string
	// Reasons explain the recommendation, or why there is none.
	Reasons []string
	// Problems lists what is missing or wrong in the input; any problem
	// makes Err non-nil.
	Problems []string
	// Cost is what the sizing endpoint costs per hour and cost over the test.
	Cost EndpointCost
	// TargetTokensPerSecond and InputTokensPerRequest are the Test's.
	TargetTokensPerSecond, InputTokensPerRequest float64
}

// Recommendation returns the recommended candidate, or nil.
func (r *Result) Recommendation() *CandidateResult {
	for i := range r.Candidates {
		if r.Candidates[i].Variant == r.Recommended && r.Recommended != "" {
			return &r.Candidates[i]
		}
	}
	return nil
}

// NoRecommendationError is returned by Result.Err when the test cannot
// support a decision; it lists why.
type NoRecommendationError struct {
	// Reasons are the problems and, when there is no recommendation, why.
	Reasons []string
}

// Error joins the reasons.
func (e *NoRecommendationError) Error() string {
	return "sizing: " + strings.Join(e.Reasons, "; ")
}

// Err returns a *NoRecommendationError when there is no recommendation or the
// input had problems (the CLI exits non-zero on it), nil otherwise.
func (r *Result) Err() error {
	if r.Recommended != "" && len(r.Problems) == 0 {
		return nil
	}
	reasons := append([]string(nil), r.Problems...)
	if r.Recommended == "" {
		reasons = append(reasons, r.Reasons...)
	}
	return &NoRecommendationError{Reasons: reasons}
}

// Decide computes the per-step and per-candidate verdicts and the
// recommendation. It never fails: what cannot be computed is reported in
// Result.Problems, and everything else is still computed.
func Decide(t Test) *Result {
	r := &Result{
		Endpoint:     t.Endpoint,
		SLO:          t.SLO,
		MaxErrorRate: t.MaxErrorRate,
		TargetRate:   t.TargetRate,
		Headroom:     t.Headroom,
		LatencyField: LatencyField(t.SLO.Percentile),
	}
	sloOK := true
	if r.LatencyField == "" {
		r.Problems = append(r.Problems, fmt.Sprintf("SLO percentile %q is not supported (use %s or %s)", t.SLO.Percentile, P50, P99))
		sloOK = false
	}
	if t.SLO.Latency <= 0 && !t.SLO.streaming() {
		r.Problems = append(r.Problems, "SLO latency is not defined (must be > 0)")
		sloOK = false
	}
	if t.MaxErrorRate < 0 || t.MaxErrorRate > 1 {
		r.Problems = append(r.Problems, fmt.Sprintf("max error rate %g is outside [0, 1]", t.MaxErrorRate))
	}
	if t.TargetRate <= 0 && t.TargetTokensPerSecond <= 0 {
		r.Problems = append(r.Problems, "target rate is not defined (must be > 0 req/s or output tokens/s): no fleet can be sized")
	}
	if t.Headroom < 0 || t.Headroom >= 1 {
		r.Problems = append(r.Problems, fmt.Sprintf("headroom %g is outside [0, 1)", t.Headroom))
	}
	if len(t.Candidates) == 0 {
		r.Problems = append(r.Problems, "no candidates in the test")
	}
	sizable := (t.TargetRate > 0 || t.TargetTokensPerSecond > 0) && t.Headroom >= 0 && t.Headroom < 1
	r.TargetTokensPerSecond, r.InputTokensPerRequest = t.TargetTokensPerSecond, t.InputTokensPerRequest

	anyData := false
	for _, c := range t.Candidates {
		cr := decideCandidate(t, c, r.LatencyField, sloOK, sizable)
		for _, s := range cr.Steps {
			if !s.NoData() {
				anyData = true
			}
		}
		if len(cr.Steps) == 0 {
			r.Problems = append(r.Problems, fmt.Sprintf("variant %s has no steps in the plan", c.Variant))
		} else if allNoData(cr.Steps) {
			r.Problems = append(r.Problems, fmt.Sprintf("variant %s never received traffic (no requests in any step)", c.Variant))
		} else {
			for _, s := range cr.Steps {
				if s.Incomplete {
					r.Problems = append(r.Problems, fmt.Sprintf("variant %s: the %s req/s step (%s to %s) is %s; it was not judged and the decision rests on the other steps (see the tasks' logs for the lost publishes)",
						c.Variant, FormatRate(s.PlannedRate), s.Start.UTC().Format(time.RFC3339), s.End.UTC().Format(time.RFC3339), s.Coverage))
				}
				if s.NoData() {
					r.Problems = append(r.Problems, fmt.Sprintf("variant %s: no data for the %s req/s step (%s to %s)",
						c.Variant, FormatRate(s.PlannedRate), s.Start.UTC().Format(time.RFC3339), s.End.UTC().Format(time.RFC3339)))
				}
			}
		}
		r.Candidates = append(r.Candidates, cr)
	}
	if len(t.Candidates) > 0 && !anyData {
		r.Problems = append(r.Problems, "no data in the test window for any candidate (wrong test id, region or time window?)")
	}
	r.Cost = Cost(r.Candidates, t.Duration)
	for i := range r.Candidates {
		c := &r.Candidates[i]
		c.TestCost = r.Cost.PerHour * c.EndpointTime.Hours()
	}
	recommend(r, sizable)
	return r
}

// unknownCoverage reports whether a step with data has no interval count.
func unknownCoverage(steps []StepResult) bool {
	for _, s := range steps {
		if !s.NoData() && s.Coverage != nil && !s.Coverage.Known {
			return true
		}
	}
	return false
}

func allNoData(steps []StepResult) bool {
	for _, s := range steps {
		if !s.NoData() {
			return false
		}
	}
	return true
}

func decideCandidate(t Test, c Candidate, field string, sloOK, sizable bool) CandidateResult {
	count := c.InstanceCount
	cr := CandidateResult{
		Variant:         c.Variant,
		InstanceType:    c.Instance.Type,
		InstanceCount:   count,
		PricePerHour:    c.Instance.PricePerHour,
		CostPerHour:     c.Instance.PricePerHour * float64(count),
		SustainableStep: -1,
		EndpointTime:    c.EndpointTime,
	}
	steps := append([]Step(nil), c.Steps...)
	slices.SortStableFunc(steps, func(a, b Step) int { return cmp.Compare(a.PlannedRate, b.PlannedRate) })
	for _, s := range steps {
		cr.Steps = append(cr.Steps, judgeStep(t, s, field, sloOK))
	}
	broken := false
	for i, s := range cr.Steps {
		switch {
		case s.Incomplete:
			cr.Notes = append(cr.Notes, fmt.Sprintf("the %s req/s step is %s: not judged, the sustainable rate rests on the other steps", FormatRate(s.PlannedRate), s.Coverage))
		case s.Holds && !broken:
			cr.SustainableStep = i
		case s.Holds && broken:
			cr.Recovered = true
		default:
			if !broken {
				cr.BrokeFirst = s.Broke
				cr.Knee = kneeAt(cr.Steps, i, cr.SustainableStep)
			}
			broken = true
		}
	}
	if unknownCoverage(cr.Steps) {
		cr.Notes = append(cr.Notes, NotPublishedText)
	}
	if cr.Recovered {
		cr.Notes = append(cr.Notes, "a step held above a step that failed; the sustainable rate stops at the first failure")
	}
	if count <= 0 {
		cr.Notes = append(cr.Notes, fmt.Sprintf("instance count %d is not positive: per-instance figures cannot be computed", count))
	}
	if cr.SustainableStep < 0 || count <= 0 {
		return cr
	}
	if !broken {
		cr.NeverBroke = true
		cr.Notes = append(cr.Notes, "every step held: the sustainable rate is a lower bound, the plan did not reach the limit")
	}
	s := cr.Steps[cr.SustainableStep]
	cr.Sustains = s.AchievedRate > 0
	if !cr.Sustains {
		cr.SustainableStep = -1
		return cr
	}
	cr.SustainableRate = s.AchievedRate
	cr.SustainablePerInstance = s.AchievedRate / float64(count)
	cr.CPU, cr.Memory, cr.GPU, cr.GPUMemory = s.CPU, s.Memory, s.GPU, s.GPUMemory
	cr.CostPerMillion = cr.CostPerHour / (cr.SustainableRate * 3600) * 1e6
	cr.Tokens = tokenEconomics(s.Step, count, cr.CostPerHour, t.InputTokensPerRequest)
	if sizable {
		perInstance := cr.SustainablePerInstance
		target := t.TargetRate
		if t.TargetTokensPerSecond > 0 {
			perInstance, target = 0, t.TargetTokensPerSecond
			if cr.Tokens != nil {
				perInstance = cr.Tokens.OutputPerSecondPerInstance
			}
		}
		if perInstance > 0 {
			cr.InstancesForTarget = int(math.Ceil(target / (perInstance * (1 - t.Headroom))))
			cr.FleetCostPerHour = float64(cr.InstancesForTarget) * cr.PricePerHour
		}
	}
	return cr
}

func judgeStep(t Test, s Step, field string, sloOK bool) StepResult {
	sr := StepResult{Step: s}
	if s.NoData() {
		sr.Why, sr.Broke = []string{"no data in the step window"}, []string{BrokeData}
		return sr
	}
	if s.Incomplete() {
		sr.Incomplete = true
		sr.Why = []string{s.Coverage.String() + ": not judged (a lost publish is not the endpoint's shortfall)"}
		return sr
	}
	sr.KeptUp = s.AchievedRate >= KeepUpFraction*s.PlannedRate
	if !sr.KeptUp {
		sr.Why = append(sr.Why, fmt.Sprintf("achieved %s of %s req/s planned (< %.0f%%)",
			FormatRate(s.AchievedRate), FormatRate(s.PlannedRate), metrics.Percent(KeepUpFraction)))
	}
	switch {
	case !sloOK:
		sr.Why = append(sr.Why, "no valid SLO to check latency against")
		sr.Broke = append(sr.Broke, BrokeData)
	default:
		sr.LatencyOK = checkObjectives(&sr, t.SLO, field)
	}
	if s.missing("Requests") || s.Requests == 0 {
		sr.Why = append(sr.Why, "request count had no data")
		sr.Broke = append(sr.Broke, BrokeData)
	} else {
		sr.ErrorsOK = s.ErrorRate() <= t.MaxErrorRate
		if !sr.ErrorsOK {
			sr.Why = append(sr.Why, fmt.Sprintf("error rate %s > %s", FormatPercent(s.ErrorRate()), FormatPercent(t.MaxErrorRate)))
			sr.Broke = append(sr.Broke, BrokeErrors)
		}
	}
	if !sr.KeptUp {
		sr.Broke = append(sr.Broke, BrokeRate)
	}
	sr.Holds = sr.KeptUp && sr.LatencyOK && sr.ErrorsOK
	return sr
}

func recommend(r *Result, sizable bool) {
	var ok []*CandidateResult
	for i := range r.Candidates {
		c := &r.Candidates[i]
		if c.Sustains && c.InstancesForTarget > 0 {
			ok = append(ok, c)
		}
	}
	if len(ok) == 0 {
		switch {
		case !sizable:
			r.Reasons = append(r.Reasons, "no recommendation: the target rate or headroom is not usable, so no fleet could be sized")
		case len(r.Candidates) == 0:
			r.Reasons = append(r.Reasons, "no recommendation: there are no candidates")
		case r.SLO.streaming():
			r.Reasons = append(r.Reasons, fmt.Sprintf("no recommendation: no candidate held the SLO (%s), the error bound (≤ %s) and kept up, even at its lowest step",
				sloSummary(r.SLO), FormatPercent(r.MaxErrorRate)))
		default:
			r.Reasons = append(r.Reasons, fmt.Sprintf("no recommendation: no candidate held the SLO (%s ≤ %s ms), the error bound (≤ %s) and kept up, even at its lowest step",
				r.SLO.Percentile, FormatMillis(r.SLO.Latency), FormatPercent(r.MaxErrorRate)))
		}
		return
	}
	slices.SortStableFunc(ok, func(a, b *CandidateResult) int {
		if a.Tokens != nil && b.Tokens != nil {
			return cmp.Or(cmp.Compare(a.Tokens.CostPerMillionOutput, b.Tokens.CostPerMillionOutput),
				cmp.Compare(a.FleetCostPerHour, b.FleetCostPerHour), strings.Compare(a.Variant, b.Variant))
		}
		return cmp.Or(cmp.Compare(a.FleetCostPerHour, b.FleetCostPerHour),
			cmp.Compare(a.CostPerMillion, b.CostPerMillion), strings.Compare(a.Variant, b.Variant))
	})
	best := ok[0]
	r.Recommended = best.Variant
	if best.Tokens != nil {
		r.Reasons = append(r.Reasons, tokenReasons(r, ok)...)
	} else {
		r.Reasons = append(r.Reasons, classicReasons(r, ok)...)
	}
	if best.NeverBroke {
		r.Reasons = append(r.Reasons, fmt.Sprintf("%s never broke the SLO in this test: it may need fewer instances than stated", best.Variant))
	}
	r.Reasons = append(r.Reasons, brokeReasons(r)...)
}

// classicReasons are the recommendation's reasons in requests (ok sorted
// cheapest fleet first).
func classicReasons(r *Result, ok []*CandidateResult) []string {
	best := ok[0]
	out := []string{
		fmt.Sprintf("%s (%s) sustains %s req/s per instance with client %s ≤ %s ms and errors ≤ %s",
			best.Variant, best.InstanceType, FormatRate(best.SustainablePerInstance), r.SLO.Percentile, FormatMillis(r.SLO.Latency), FormatPercent(r.MaxErrorRate)),
		fmt.Sprintf("%d × %s hold %s req/s with %.0f%% headroom for %s/h, the cheapest fleet of the %d candidates that meet the SLO",
			best.InstancesForTarget, best.InstanceType, FormatRate(r.TargetRate), metrics.Percent(r.Headroom), FormatUSD(best.FleetCostPerHour), len(ok)),
		fmt.Sprintf("cost per million inferences at the sustainable rate: %s", FormatUSD(best.CostPerMillion)),
	}
	if len(ok) > 1 {
		next := ok[1]
		out = append(out, fmt.Sprintf("next cheapest: %s (%s), %d instances for %s/h (%s per million)",
			next.Variant, next.InstanceType, next.InstancesForTarget, FormatUSD(next.FleetCostPerHour), FormatUSD(next.CostPerMillion)))
		if best.PricePerHour > next.PricePerHour {
			out = append(out, fmt.Sprintf("%s costs more per instance-hour (%s vs %s) but sustains more per instance, so it is cheaper per inference",
				best.InstanceType, FormatUSD(best.PricePerHour), FormatUSD(next.PricePerHour)))
		}
	}
	return out
}

// FormatRate formats a rate in req/s as every report prints it.
func FormatRate(v float64) string { return fmt.Sprintf("%.1f", v) }

// FormatMillis formats a duration in milliseconds as every report prints it.
func FormatMillis(d time.Duration) string { return fmt.Sprintf("%.1f", metrics.Millis(d)) }

// FormatUSD formats an amount of US dollars as every report prints it.
func FormatUSD(v float64) string { return fmt.Sprintf("$%.4f", v) }

// FormatPercent formats a fraction (0.01) as a percentage ("1.00%").
func FormatPercent(f float64) string { return fmt.Sprintf("%.2f%%", metrics.Percent(f)) }

// FormatUtil formats a 0-100 utilization, "n/a" when nil.
func FormatUtil(p *float64) string {
	if p == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", *p)
}
