package sizing

import (
	"fmt"
	"strings"
	"time"
)

// What a step can break, as StepResult.Broke names it.
const (
	BrokeLatency = "latency"
	BrokeTTFT    = "ttft"
	BrokeITL     = "itl"
	BrokeTPOT    = "tpot"
	BrokeE2E     = "e2e"
	BrokeErrors  = "errors"
	BrokeRate    = "rate"
	BrokeData    = "data"
)

// StreamStep is a streaming step's token figures, read from loadgen's
// streaming metrics over the window.
type StreamStep struct {
	// TTFT, ITL and TPOT percentiles (time to first token, inter-token
	// latency, time per output token) over every request of the window.
	TTFTP50, TTFTP99, ITLP50, ITLP99, TPOTP50, TPOTP99 time.Duration
	// OutputTokens counts the output tokens of successful streams;
	// GoodRequests the requests that met every goodput objective.
	OutputTokens, GoodRequests int64
	// Missing names the streaming figures without data (e.g. "TTFTP99").
	Missing []string
}

// streaming reports whether the SLO bounds any streaming figure.
func (o SLO) streaming() bool { return o.TTFT > 0 || o.ITL > 0 || o.TPOT > 0 || o.E2E > 0 }

// OutputTokenRate is the output tokens per second the step achieved: its
// tokens per request times AchievedRate (so that a correction for lost
// publishes applies to both alike); 0 without stream data.
func (s Step) OutputTokenRate() float64 {
	if s.Stream == nil || s.Requests == 0 {
		return 0
	}
	return float64(s.Stream.OutputTokens) * s.AchievedRate / float64(s.Requests)
}

// Goodput is the rate of requests (req/s) that met every goodput
// objective; 0 without stream data.
func (s Step) Goodput() float64 {
	if s.Stream == nil || s.Requests == 0 {
		return 0
	}
	return float64(s.Stream.GoodRequests) * s.AchievedRate / float64(s.Requests)
}

// objective is one bound of an SLO and the step figure it checks.
type objective struct {
	name, label string
	bound       time.Duration
	field       string // as named in Missing
	value       func(s Step) (time.Duration, bool)
}

func (o SLO) objectives(latencyField string) []objective {
	p99 := strings.ToLower(o.Percentile) == P99
	pick := func(p50, p99v time.Duration) time.Duration {
		if p99 {
			return p99v
		}
		return p50
	}
	suffix := "P50"
	if p99 {
		suffix = "P99"
	}
	stream := func(get func(*StreamStep) time.Duration) func(s Step) (time.Duration, bool) {
		return func(s Step) (time.Duration, bool) {
			if s.Stream == nil {
				return 0, false
			}
			return get(s.Stream), true
		}
	}
	all := []objective{
		{BrokeLatency, "client", o.Latency, latencyField, func(s Step) (time.Duration, bool) { return latencyAt(s, latencyField), true }},
		{BrokeTTFT, "TTFT", o.TTFT, "TTFT" + suffix, stream(func(st *StreamStep) time.Duration { return pick(st.TTFTP50, st.TTFTP99) })},
		{BrokeITL, "ITL", o.ITL, "ITL" + suffix, stream(func(st *StreamStep) time.Duration { return pick(st.ITLP50, st.ITLP99) })},
		{BrokeTPOT, "TPOT", o.TPOT, "TPOT" + suffix, stream(func(st *StreamStep) time.Duration { return pick(st.TPOTP50, st.TPOTP99) })},
		{BrokeE2E, "end-to-end", o.E2E, latencyField, func(s Step) (time.Duration, bool) { return latencyAt(s, latencyField), true }},
	}
	var out []objective
	for _, ob := range all {
		if ob.bound > 0 {
			out = append(out, ob)
		}
	}
	return out
}

// checkObjectives checks every bound of slo on sr's step, appending what
// broke to sr.Why and sr.Broke, and sets sr.Latency; it reports whether
// all held.
func checkObjectives(sr *StepResult, slo SLO, latencyField string) bool {
	s := sr.Step
	ok := true
	if !s.missing(latencyField) {
		sr.Latency = latencyAt(s, latencyField)
	}
	for _, ob := range slo.objectives(latencyField) {
		v, has := ob.value(s)
		if !has || s.missing(ob.field) || (s.Stream != nil && contains(s.Stream.Missing, ob.field)) {
			sr.Why = append(sr.Why, fmt.Sprintf("%s had no data", ob.field))
			sr.Broke = append(sr.Broke, BrokeData)
			ok = false
			continue
		}
		if v > ob.bound {
			sr.Why = append(sr.Why, fmt.Sprintf("%s %s %s ms > SLO %s ms", ob.label, strings.ToLower(slo.Percentile), FormatMillis(v), FormatMillis(ob.bound)))
			sr.Broke = append(sr.Broke, ob.name)
			ok = false
		}
	}
	return ok
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TokenEconomics is a streaming candidate's throughput and price in
// tokens, at its sustainable step.
type TokenEconomics struct {
	// OutputPerSecond is the output tokens/s of the whole variant;
	// OutputPerSecondPerInstance per instance.
	OutputPerSecond, OutputPerSecondPerInstance float64
	// CostPerMillionOutput is the USD cost of a million output tokens.
	CostPerMillionOutput float64
	// CostPerMillionTotal is the USD cost of a million input+output
	// tokens, the input counted as InputPerRequest per request; 0 when the
	// input length is not known.
	CostPerMillionTotal float64
	// InputPerRequest is the configured synthetic prompts' mean length
	// (loadgen publishes no input-token count).
	InputPerRequest float64
	// Goodput is the rate (req/s) of requests that met every goodput
	// objective.
	Goodput float64
}

// tokenEconomics prices step s's tokens for a variant of count instances
// costing costPerHour; nil when s has no token figures.
func tokenEconomics(s Step, count int, costPerHour, inputPerRequest float64) *TokenEconomics {
	out := s.OutputTokenRate()
	if s.Stream == nil || out <= 0 || count <= 0 {
		return nil
	}
	te := &TokenEconomics{OutputPerSecond: out, OutputPerSecondPerInstance: out / float64(count), InputPerRequest: inputPerRequest, Goodput: s.Goodput()}
	te.CostPerMillionOutput = costPerHour / (out * 3600) * 1e6
	if inputPerRequest > 0 {
		te.CostPerMillionTotal = costPerHour / ((out + inputPerRequest*s.AchievedRate) * 3600) * 1e6
	}
	return te
}

// Knee brackets a candidate's limit between two planned rates: Low held
// (with every step below it), High, the next rate tested, did not.
type Knee struct {
	Low, High float64
	// Refined counts the refinement (bisection) steps that ran.
	Refined int
}

// Width is the bracket's width relative to Low (0.05: the knee is known
// to within 5 % above the sustainable rate).
func (k Knee) Width() float64 { return (k.High - k.Low) / k.Low }

// String says it as the reports do, e.g. "between 60.0 and 65.0 req/s
// (+8.3 %, 3 refinement steps)".
func (k Knee) String() string {
	return fmt.Sprintf("between %s and %s req/s (+%.1f%%, %d refinement step(s))", FormatRate(k.Low), FormatRate(k.High), 100*k.Width(), k.Refined)
}

// kneeAt is the knee of steps (sorted by planned rate) whose first failure
// is step bad and whose sustainable step is good (-1: none held).
func kneeAt(steps []StepResult, bad, good int) *Knee {
	if good < 0 || steps[good].PlannedRate <= 0 {
		return nil
	}
	k := &Knee{Low: steps[good].PlannedRate, High: steps[bad].PlannedRate}
	for _, s := range steps {
		if s.Refine && !s.NoData() {
			k.Refined++
		}
	}
	return k
}

// tokenReasons are the recommendation's first reasons for a streaming
// test: the cheapest candidate in $ per million output tokens (ok sorted
// cheapest first).
func tokenReasons(r *Result, ok []*CandidateResult) []string {
	best := ok[0]
	out := []string{fmt.Sprintf("%s (%s) is the cheapest per million output tokens: %s at %s output tokens/s per instance",
		best.Variant, best.InstanceType, FormatUSD(best.Tokens.CostPerMillionOutput), FormatRate(best.Tokens.OutputPerSecondPerInstance))}
	if len(ok) > 1 && ok[1].Tokens != nil {
		next := ok[1]
		s := fmt.Sprintf("next: %s (%s) at %s per million output tokens", next.Variant, next.InstanceType, FormatUSD(next.Tokens.CostPerMillionOutput))
		if best.PricePerHour > next.PricePerHour {
			s += fmt.Sprintf("; %s costs more per hour (%s vs %s) but serves more tokens per dollar", best.InstanceType, FormatUSD(best.PricePerHour), FormatUSD(next.PricePerHour))
		}
		out = append(out, s)
	}
	target := fmt.Sprintf("%s req/s", FormatRate(r.TargetRate))
	if r.TargetTokensPerSecond > 0 {
		target = fmt.Sprintf("%s output tokens/s", FormatRate(r.TargetTokensPerSecond))
	}
	out = append(out, fmt.Sprintf("%d × %s hold %s with %.0f%% headroom for %s/h, meeting %s",
		best.InstancesForTarget, best.InstanceType, target, 100*r.Headroom, FormatUSD(best.FleetCostPerHour), sloSummary(r.SLO)))
	return out
}

// sloSummary lists the SLO's bounds, e.g. "TTFT p99 ≤ 800.0 ms, ITL p99 ≤ 60.0 ms".
func sloSummary(o SLO) string {
	var parts []string
	for _, ob := range o.objectives("") {
		parts = append(parts, fmt.Sprintf("%s %s ≤ %s ms", ob.label, o.Percentile, FormatMillis(ob.bound)))
	}
	return strings.Join(parts, ", ")
}

// brokeReasons says, for every candidate other than the recommended one,
// what its first failing step broke.
func brokeReasons(r *Result) []string {
	var out []string
	for _, c := range r.Candidates {
		if c.Variant == r.Recommended || len(c.BrokeFirst) == 0 {
			continue
		}
		out = append(out, fmt.Sprintf("%s broke %s first%s", c.Variant, strings.Join(c.BrokeFirst, " and "), kneeText(c.Knee)))
	}
	return out
}

func kneeText(k *Knee) string {
	if k == nil {
		return ""
	}
	return ", its knee " + k.String()
}
