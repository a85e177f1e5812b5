package gate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/loadplan"
)

// Options tune Compare. The zero value is not useful: start from
// DefaultOptions.
type Options struct {
	// LatencyTolerance and ThroughputTolerance are relative changes (0.10:
	// 10 %) below which a difference never counts; ErrorTolerance is an
	// absolute change of the error rate (0.01: one percentage point).
	LatencyTolerance, ThroughputTolerance, ErrorTolerance float64
	// Confidence of the bootstrap interval, e.g. 0.95.
	Confidence float64
	// Resamples is the number of bootstrap resamples; Seed seeds them, so
	// that the same inputs always give the same verdict.
	Resamples int
	Seed      uint64
	// Warmup is left out at the start of every step.
	Warmup time.Duration
	// MinIntervals and MinRequests are what a step needs in each run to be
	// judged: a bootstrap over fewer intervals says little about the
	// variation, and a p99 of fewer than 100 requests per interval is
	// their maximum.
	MinIntervals, MinRequests int
	// DifferentTargets accepts runs against different targets (each
	// release's own endpoint or container URL): the difference is then a
	// note, not a problem.
	DifferentTargets bool
}

// DefaultOptions are the options `sagesize compare` starts from.
func DefaultOptions() Options {
	return Options{LatencyTolerance: 0.10, ThroughputTolerance: 0.05, ErrorTolerance: 0.01,
		Confidence: 0.95, Resamples: 2000, Seed: 1, MinIntervals: 5, MinRequests: 500}
}

// Outcomes of one metric of one step.
const (
	Regression  = "regression"
	Improvement = "improvement"
	Noise       = "within noise"     // beyond the tolerance, but not beyond the run-to-run variation
	Tolerated   = "within tolerance" // not beyond the tolerance
	// Unjudged p99: the intervals hold too few requests for a p99 that
	// is not simply their maximum (fewer than minPerIntervalP99).
	Unjudged = "not judged"
)

// minPerIntervalP99 is the fewest requests per interval, on average, for
// an interval's p99 to be a percentile rather than its maximum.
const minPerIntervalP99 = 100

// Diff is one metric of one step in both runs.
type Diff struct {
	Metric    string  `json:"metric"`
	Unit      string  `json:"unit"`
	Baseline  float64 `json:"baseline"`
	Candidate float64 `json:"candidate"`
	// Change is relative (0.12: +12 %) for latency and throughput, absolute
	// (in the metric's unit) for the error rate; Low and High bound its
	// bootstrap confidence interval.
	Change    float64 `json:"change"`
	Relative  bool    `json:"relative"`
	Low       float64 `json:"low"`
	High      float64 `json:"high"`
	Tolerance float64 `json:"tolerance"`
	Outcome   string  `json:"outcome"`
}

// StepStats is one run's share of a step.
type StepStats struct {
	Intervals int    `json:"intervals"`
	Requests  uint64 `json:"requests"`
	// Planned is how many requests the plan scheduled in those intervals.
	Planned float64 `json:"planned"`
}

// StepResult is one step of the plan compared.
type StepResult struct {
	Index     int       `json:"index"`
	Rate      float64   `json:"rate"`
	Baseline  StepStats `json:"baseline"`
	Candidate StepStats `json:"candidate"`
	Diffs     []Diff    `json:"diffs,omitempty"`
	Problem   string    `json:"problem,omitempty"`
	// Utilization is set by AddUtilization; informational, never part of
	// the verdict.
	Utilization *StepUtilization `json:"utilization,omitempty"`
	base        []loadgen.Stats
	cand        []loadgen.Stats
}

// Comparison is the result of Compare.
type Comparison struct {
	Baseline, Candidate RunInfo
	Options             Options
	Steps               []StepResult
	// Problems are what kept part of the comparison from being made: the
	// runs differ, a step is missing or has too few requests.
	Problems []string
	// Notes are differences between the runs that do not keep the
	// comparison from being made.
	Notes []string
	// Utilization says what AddUtilization read; nil when it was not asked.
	Utilization *UtilizationSource
}

// RunInfo names a compared run.
type RunInfo struct {
	Path   string `json:"path"`
	TestID string `json:"test_id"`
	Target string `json:"target"`
	Plan   string `json:"plan"`
}

// Regressed reports whether any metric of any step regressed.
func (c *Comparison) Regressed() bool {
	for _, s := range c.Steps {
		for _, d := range s.Diffs {
			if d.Outcome == Regression {
				return true
			}
		}
	}
	return false
}

// Verdict is the comparison's one-line verdict.
func (c *Comparison) Verdict() string {
	var worse []string
	for _, s := range c.Steps {
		for _, d := range s.Diffs {
			if d.Outcome == Regression {
				worse = append(worse, fmt.Sprintf("%s at %s req/s %s", d.Metric, num(s.Rate), d.changeText()))
			}
		}
	}
	switch {
	case len(worse) > 0:
		return "REGRESSION: " + strings.Join(worse, "; ")
	case len(c.Problems) > 0:
		return fmt.Sprintf("NOT JUDGED: no regression in what could be compared, but %d problem(s) kept part of the comparison from being made", len(c.Problems))
	}
	return "NO REGRESSION: every difference is within the tolerance or the run-to-run variation"
}

// metric is one compared figure: how to compute it over a set of
// intervals, and which way is worse.
type metric struct {
	name, unit string
	// perInterval is the fewest requests per interval the metric needs
	// (0: any).
	perInterval int
	relative    bool
	higherBad   bool
	value       func(ivs []loadgen.Stats) float64
	tolerance   func(o Options) float64
}

// comparedMetrics are the metrics compared, in the table's order.
// Latency percentiles cannot be merged across intervals from their
// percentiles alone (averaging them is wrong), so a step's p50 and p99 are
// the median over its intervals of each interval's percentile: a
// statistic of the interval percentiles' distribution, not a percentile
// of the step. Counts are summed.
func comparedMetrics() []metric {
	latency := func(o Options) float64 { return o.LatencyTolerance }
	return []metric{
		{"p50", "ms", 0, true, true, func(ivs []loadgen.Stats) float64 { return medianOf(ivs, p50) }, latency},
		{"p99", "ms", minPerIntervalP99, true, true, func(ivs []loadgen.Stats) float64 { return medianOf(ivs, p99) }, latency},
		{"error rate", "%", 0, false, true, errorRate, func(o Options) float64 { return 100 * o.ErrorTolerance }},
		{"throughput", "req/s", 0, true, false, throughput, func(o Options) float64 { return o.ThroughputTolerance }},
	}
}

func p50(s loadgen.Stats) int64 { return s.Latency.P50 }
func p99(s loadgen.Stats) int64 { return s.Latency.P99 }

func medianOf(ivs []loadgen.Stats, f func(loadgen.Stats) int64) float64 {
	v := make([]float64, len(ivs))
	for i, s := range ivs {
		v[i] = float64(f(s)) / 1000 // µs to ms
	}
	slices.Sort(v)
	n := len(v)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

func errorRate(ivs []loadgen.Stats) float64 {
	var req, errs uint64
	for _, s := range ivs {
		req, errs = req+s.Requests, errs+s.Errors
	}
	if req == 0 {
		return 0
	}
	return 100 * float64(errs) / float64(req)
}

func throughput(ivs []loadgen.Stats) float64 {
	var req uint64
	var secs float64
	for _, s := range ivs {
		req, secs = req+s.Requests, secs+(s.To-s.From)
	}
	if secs <= 0 {
		return 0
	}
	return float64(req) / secs
}

// Compare compares candidate with baseline step by step. It always
// returns what it could compute; Problems lists what it could not.
func Compare(baseline, candidate *Run, o Options) *Comparison {
	c := &Comparison{Baseline: info(baseline), Candidate: info(candidate), Options: o}
	c.checkSame()
	bSteps, err := stepsOf(baseline)
	if err != nil {
		c.Problems = append(c.Problems, err.Error())
		return c
	}
	cSteps, err := stepsOf(candidate)
	if err != nil {
		c.Problems = append(c.Problems, err.Error())
		return c
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5a6e5a6e))
	for i, st := range bSteps {
		r := StepResult{Index: i + 1, Rate: st.Rate}
		if i >= len(cSteps) || cSteps[i].Rate != st.Rate {
			c.Problems = append(c.Problems, fmt.Sprintf("step %d (%s req/s): the candidate's plan has no such step", i+1, num(st.Rate)))
			continue
		}
		r.base = intervalsIn(baseline, bSteps, i, o.Warmup)
		r.cand = intervalsIn(candidate, cSteps, i, o.Warmup)
		r.Baseline, r.Candidate = statsOf(r.base, st.Rate), statsOf(r.cand, st.Rate)
		if r.Problem = enough(r, baseline, candidate, o); r.Problem != "" {
			c.Problems = append(c.Problems, r.Problem)
		} else {
			for _, m := range comparedMetrics() {
				r.Diffs = append(r.Diffs, diff(m, r.base, r.cand, o, rng))
			}
		}
		c.Steps = append(c.Steps, r)
	}
	for i := len(bSteps); i < len(cSteps); i++ {
		c.Problems = append(c.Problems, fmt.Sprintf("step %d (%s req/s): the baseline's plan has no such step", i+1, num(cSteps[i].Rate)))
	}
	return c
}

func info(r *Run) RunInfo {
	return RunInfo{Path: r.Path, TestID: r.Summary.TestID, Target: r.Summary.Target, Plan: r.Summary.Plan}
}

// checkSame records how the runs differ in what they tested.
func (c *Comparison) checkSame() {
	if c.Baseline.Target != c.Candidate.Target {
		msg := fmt.Sprintf("the runs tested different targets: baseline %q, candidate %q", c.Baseline.Target, c.Candidate.Target)
		if c.Options.DifferentTargets {
			c.Notes = append(c.Notes, msg)
		} else {
			c.Problems = append(c.Problems, msg+" (when each release has its own endpoint or container, say so with --different-targets)")
		}
	}
	if c.Baseline.Plan != c.Candidate.Plan {
		c.Problems = append(c.Problems, fmt.Sprintf("the runs ran different plans: baseline %q, candidate %q (only steps at the same place and rate are compared)", c.Baseline.Plan, c.Candidate.Plan))
	}
}

// window is one step of a plan, in seconds from the start of the test.
type window struct {
	Rate     float64
	From, To float64
}

// stepsOf returns the steps of r's plan: its summary's plan, stepped or
// constant (a ramp has no steps to compare).
func stepsOf(r *Run) ([]window, error) {
	plan := r.Summary.Plan
	var p loadplan.Plan
	var err error
	switch {
	case strings.HasPrefix(plan, "steps "):
		p, err = loadplan.ParseSteps(strings.TrimPrefix(plan, "steps "))
	case strings.HasPrefix(plan, "constant ") && strings.Contains(plan, " for "):
		var rate float64
		var d time.Duration
		_, err = fmt.Sscanf(plan, "constant %g/s for %v", &rate, &d)
		if err == nil {
			p, err = loadplan.NewConstant(rate, d)
		}
	default:
		return nil, fmt.Errorf("%s: plan %q has no steps: compare needs a stepped (-steps) or constant (-rate with -duration) plan", r.Path, plan)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: plan %q: %w", r.Path, plan, err)
	}
	var out []window
	at := 0.0
	for _, s := range p.Steps() {
		out = append(out, window{Rate: s.Rate, From: at, To: at + s.Duration.Seconds()})
		at += s.Duration.Seconds()
	}
	return out, nil
}

// intervalsIn returns r's intervals that lie wholly inside step i after
// its warm-up; an interval across a step boundary mixes two rates. The
// run's last interval, which goes on past the plan's end while the
// requests in flight finish (loadgen's grace), belongs to the last step:
// leaving it out would drop the slowest requests of a saturated run.
func intervalsIn(r *Run, steps []window, i int, warmup time.Duration) []loadgen.Stats {
	const eps = 0.05 // s: interval bounds are rounded to the millisecond
	w := steps[i]
	last := i == len(steps)-1
	var out []loadgen.Stats
	for j, s := range r.Intervals {
		inside := s.To <= w.To+eps || last && j == len(r.Intervals)-1 && s.From < w.To-eps
		if s.From >= w.From+warmup.Seconds()-eps && inside && s.To > s.From {
			out = append(out, s)
		}
	}
	return out
}

func statsOf(ivs []loadgen.Stats, rate float64) StepStats {
	st := StepStats{Intervals: len(ivs)}
	for _, s := range ivs {
		st.Requests += s.Requests
		st.Planned += rate * (s.To - s.From)
	}
	return st
}

// enough says what step r lacks to be judged at the confidence asked, or
// "" when both runs have enough. Requests are counted as the plan
// scheduled them: a candidate that completes fewer because it cannot keep
// up is a throughput regression, not a run too short to judge.
func enough(r StepResult, baseline, candidate *Run, o Options) string {
	var lacks []string
	for _, side := range []struct {
		name string
		st   StepStats
		run  *Run
	}{{"baseline", r.Baseline, baseline}, {"candidate", r.Candidate, candidate}} {
		switch {
		case side.st.Intervals == 0:
			lacks = append(lacks, fmt.Sprintf("the %s has no interval in this step (its run stopped: %s)", side.name, orNone(side.run.Summary.Stopped)))
		case side.st.Intervals < o.MinIntervals || side.st.Planned < float64(o.MinRequests)-0.5:
			lacks = append(lacks, fmt.Sprintf("the %s has %d interval(s) in which the plan scheduled %.0f request(s)", side.name, side.st.Intervals, side.st.Planned))
		}
	}
	if len(lacks) == 0 {
		return ""
	}
	return fmt.Sprintf("step %d (%s req/s): %s; a %.0f%% bootstrap interval needs at least %d intervals and %d requests per run in each step (lengthen the steps, or lower loadgen's -interval)",
		r.Index, num(r.Rate), strings.Join(lacks, "; "), 100*o.Confidence, o.MinIntervals, o.MinRequests)
}

func orNone(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// diff compares metric m over the intervals of one step.
//
// Noise: the run-to-run variation is estimated by a percentile bootstrap
// over the step's intervals. Each resample draws, with replacement, as
// many intervals as each run has, and recomputes the change; the central
// Confidence share of the resampled changes is the interval. A
// difference counts only when the point change is beyond the tolerance
// AND the whole interval lies on the same side of zero: a tolerance alone
// would flag the noise of a short run, and a significance test alone would
// flag a real but irrelevant 1 % change of a long one. Intervals are
// treated as independent, which holds roughly once each is several times
// longer than a request; the seeded generator makes the verdict
// reproducible.
func diff(m metric, base, cand []loadgen.Stats, o Options, rng *rand.Rand) Diff {
	d := Diff{Metric: m.name, Unit: m.unit, Relative: m.relative, Baseline: m.value(base), Candidate: m.value(cand), Tolerance: m.tolerance(o)}
	d.Change = change(m, d.Baseline, d.Candidate)
	if perInterval(base) < m.perInterval || perInterval(cand) < m.perInterval {
		d.Outcome = Unjudged
		return d
	}
	changes := make([]float64, o.Resamples)
	bs, cs := make([]loadgen.Stats, len(base)), make([]loadgen.Stats, len(cand))
	for i := range changes {
		resample(rng, base, bs)
		resample(rng, cand, cs)
		changes[i] = change(m, m.value(bs), m.value(cs))
	}
	slices.Sort(changes)
	alpha := (1 - o.Confidence) / 2
	d.Low, d.High = quantile(changes, alpha), quantile(changes, 1-alpha)
	worse := d.Change
	lo, hi := d.Low, d.High
	if !m.higherBad {
		worse, lo, hi = -worse, -hi, -lo
	}
	switch {
	case math.Abs(worse) <= d.Tolerance:
		d.Outcome = Tolerated
	case worse > 0 && lo > 0:
		d.Outcome = Regression
	case worse < 0 && hi < 0:
		d.Outcome = Improvement
	default:
		d.Outcome = Noise
	}
	return d
}

// maxChange stands for an infinite relative change (from zero).
const maxChange = 1e6

// perInterval is the mean number of requests per interval of ivs.
func perInterval(ivs []loadgen.Stats) int {
	if len(ivs) == 0 {
		return 0
	}
	return int(statsOf(ivs, 0).Requests) / len(ivs)
}

func change(m metric, base, cand float64) float64 {
	if !m.relative {
		return cand - base
	}
	if base == 0 {
		if cand == 0 {
			return 0
		}
		return maxChange // JSON has no infinity
	}
	return cand/base - 1
}

func resample(rng *rand.Rand, from, into []loadgen.Stats) {
	for i := range into {
		into[i] = from[rng.IntN(len(from))]
	}
}

// quantile returns the q-quantile of sorted (nearest rank).
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func (d Diff) changeText() string {
	if d.Relative {
		return fmt.Sprintf("%+.1f%% (CI %+.1f%% to %+.1f%%)", 100*d.Change, 100*d.Low, 100*d.High)
	}
	return fmt.Sprintf("%+.2f %s (CI %+.2f to %+.2f)", d.Change, d.Unit, d.Low, d.High)
}

func num(f float64) string { return fmt.Sprintf("%g", f) }
