// Package gate decides whether a model release may ship: against fixed
// pass/fail criteria (package gate/criteria, for any load test) or against the
// run of the last good release (Compare, step by step and noise-aware).
// It reads loadgen's own outputs (ReadRun) and writes Markdown, HTML and
// JSON reports ready for a pull request.
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
	// LatencyFloor is an absolute latency change below which a difference
	// never counts, whatever its relative size (0: none): a few
	// milliseconds more on a fast endpoint can be a large share of it and
	// still matter to nobody.
	LatencyFloor time.Duration
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
	// Floor is the absolute change (in Unit) below which the difference
	// never counts; 0 when there is none.
	Floor   float64 `json:"floor,omitempty"`
	Outcome string  `json:"outcome"`
}

// StepStats is one side's share of a step (summed over its runs when the
// baseline is several).
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
	// base holds the step's intervals of each baseline run, cand the
	// candidate's.
	base [][]loadgen.Stats
	cand []loadgen.Stats
}

// Comparison is the result of Compare.
type Comparison struct {
	// Baseline is the first baseline run, BaselineRuns all of them.
	Baseline, Candidate RunInfo
	BaselineRuns        []RunInfo
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
	// floor is the absolute change, in unit, that never counts.
	floor func(o Options) float64
}

// comparedMetrics are the metrics compared, in the table's order.
// Latency percentiles cannot be merged across intervals from their
// percentiles alone (averaging them is wrong), so a step's p50 and p99 are
// the median over its intervals of each interval's percentile: a
// statistic of the interval percentiles' distribution, not a percentile
// of the step. Counts are summed.
func comparedMetrics() []metric {
	latency := func(o Options) float64 { return o.LatencyTolerance }
	latencyFloor := func(o Options) float64 { return float64(o.LatencyFloor) / float64(time.Millisecond) }
	none := func(Options) float64 { return 0 }
	return []metric{
		{"p50", "ms", 0, true, true, func(ivs []loadgen.Stats) float64 { return medianOf(ivs, p50) }, latency, latencyFloor},
		{"p99", "ms", minPerIntervalP99, true, true, func(ivs []loadgen.Stats) float64 { return medianOf(ivs, p99) }, latency, latencyFloor},
		{"error rate", "%", 0, false, true, errorRate, func(o Options) float64 { return 100 * o.ErrorTolerance }, none},
		{"throughput", "req/s", 0, true, false, throughput, func(o Options) float64 { return o.ThroughputTolerance }, none},
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

// Compare compares candidate with baseline step by step. baseline is one
// or more runs of the baseline release (the first names it); several runs
// let the bootstrap see the variation between runs, not only within one
// (see diff). It always returns what it could compute; Problems lists
// what it could not.
func Compare(baseline []*Run, candidate *Run, o Options) *Comparison {
	c := &Comparison{Candidate: info(candidate), Options: o}
	if len(baseline) == 0 {
		c.Problems = append(c.Problems, "no baseline run to compare with")
		return c
	}
	c.Baseline = info(baseline[0])
	for _, b := range baseline {
		c.BaselineRuns = append(c.BaselineRuns, info(b))
	}
	c.checkSame()
	baseline = c.sameBaselinePlan(baseline)
	bSteps, err := stepsOf(baseline[0])
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
		if i >= len(cSteps) || cSteps[i].Rate != st.Rate {
			c.Problems = append(c.Problems, fmt.Sprintf("step %d (%s req/s): the candidate's plan has no such step", i+1, num(st.Rate)))
			continue
		}
		c.Steps = append(c.Steps, compareStep(c, baseline, candidate, bSteps, cSteps, i))
	}
	for i := len(bSteps); i < len(cSteps); i++ {
		c.Problems = append(c.Problems, fmt.Sprintf("step %d (%s req/s): the baseline's plan has no such step", i+1, num(cSteps[i].Rate)))
	}
	c.judge(rng)
	return c
}

// judge compares every metric of every step that can be judged, with
// each metric's run-to-run spread pooled over the steps.
func (c *Comparison) judge(rng *rand.Rand) {
	ms := comparedMetrics()
	spreads := make([]spread, len(ms))
	for j, m := range ms {
		spreads[j] = runToRun(m, c.Steps)
	}
	for i := range c.Steps {
		s := &c.Steps[i]
		if s.Problem != "" {
			continue
		}
		for j, m := range ms {
			s.Diffs = append(s.Diffs, diff(m, s.base, s.cand, c.Options, spreads[j], rng))
		}
	}
}

// compareStep gathers step i of the runs, or records in c why it cannot
// be compared.
func compareStep(c *Comparison, baseline []*Run, candidate *Run, bSteps, cSteps []window, i int) StepResult {
	o := c.Options
	r := StepResult{Index: i + 1, Rate: bSteps[i].Rate}
	for _, b := range baseline {
		ivs := intervalsIn(b, bSteps, i, o.Warmup)
		r.base = append(r.base, ivs)
		st := statsOf(ivs, r.Rate)
		r.Baseline.Intervals, r.Baseline.Requests, r.Baseline.Planned = r.Baseline.Intervals+st.Intervals, r.Baseline.Requests+st.Requests, r.Baseline.Planned+st.Planned
	}
	r.cand = intervalsIn(candidate, cSteps, i, o.Warmup)
	r.Candidate = statsOf(r.cand, r.Rate)
	if r.Problem = enough(r, baseline, candidate, o); r.Problem != "" {
		c.Problems = append(c.Problems, r.Problem)
	}
	return r
}

func info(r *Run) RunInfo {
	return RunInfo{Path: r.Path, TestID: r.Summary.TestID, Target: r.Summary.Target, Plan: r.Summary.Plan}
}

// checkSame records how the runs differ in what they tested: the
// candidate and every baseline run against the first baseline run.
func (c *Comparison) checkSame() {
	for _, b := range c.BaselineRuns[1:] {
		if b.Target != c.Baseline.Target {
			c.Notes = append(c.Notes, fmt.Sprintf("the baseline runs tested different targets: %s %q, %s %q", c.Baseline.Path, c.Baseline.Target, b.Path, b.Target))
		}
	}
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

// sameBaselinePlan returns the baseline runs that ran the first one's
// plan; each other run is a problem and left out.
func (c *Comparison) sameBaselinePlan(baseline []*Run) []*Run {
	kept := baseline[:1:1]
	for _, b := range baseline[1:] {
		if b.Summary.Plan != baseline[0].Summary.Plan {
			c.Problems = append(c.Problems, fmt.Sprintf("baseline run %s ran plan %q, not the first baseline run's %q: left out", b.Path, b.Summary.Plan, baseline[0].Summary.Plan))
			continue
		}
		kept = append(kept, b)
	}
	return kept
}

// window is one step of a plan, in seconds from the start of the test.
type window struct {
	Rate     float64
	From, To float64
}

// stepsOf returns the steps of r's plan: its summary's plan, stepped or
// constant (a ramp has no steps to compare).
func stepsOf(r *Run) ([]window, error) {
	p, err := ParsePlan(r.Summary.Plan)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.Path, err)
	}
	var out []window
	at := 0.0
	for _, s := range p.Steps() {
		out = append(out, window{Rate: s.Rate, From: at, To: at + s.Duration.Seconds()})
		at += s.Duration.Seconds()
	}
	return out, nil
}

// ParsePlan parses a plan as loadgen writes it in its summary ("steps
// 20@2m0s,40@2m0s", "constant 50/s for 2m0s") or as given to loadgen's
// -steps flag ("20@2m,40@2m"). Only plans with steps to compare are
// accepted: a stepped plan, or a constant rate with a duration.
func ParsePlan(plan string) (loadplan.Plan, error) {
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
	case strings.Contains(plan, "@"):
		p, err = loadplan.ParseSteps(plan)
	default:
		return p, fmt.Errorf("plan %q has no steps: compare needs a stepped (-steps) or constant (-rate with -duration) plan, e.g. \"steps 20@2m,40@2m\", \"20@2m,40@2m\" or \"constant 50/s for 2m\"", plan)
	}
	if err != nil {
		return p, fmt.Errorf("plan %q: %w", plan, err)
	}
	return p, nil
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
// "" when every run has enough. Requests are counted as the plan
// scheduled them: a candidate that completes fewer because it cannot keep
// up is a throughput regression, not a run too short to judge.
func enough(r StepResult, baseline []*Run, candidate *Run, o Options) string {
	type side struct {
		name string
		ivs  []loadgen.Stats
		run  *Run
	}
	var sides []side
	for j, b := range baseline {
		name := "baseline"
		if len(baseline) > 1 {
			name = fmt.Sprintf("baseline run %d (%s)", j+1, b.Path)
		}
		sides = append(sides, side{name, r.base[j], b})
	}
	sides = append(sides, side{"candidate", r.cand, candidate})
	var lacks []string
	for _, s := range sides {
		st := statsOf(s.ivs, r.Rate)
		switch {
		case st.Intervals == 0:
			lacks = append(lacks, fmt.Sprintf("the %s has no interval in this step (its run stopped: %s)", s.name, orNone(s.run.Summary.Stopped)))
		case st.Intervals < o.MinIntervals || st.Planned < float64(o.MinRequests)-0.5:
			lacks = append(lacks, fmt.Sprintf("the %s has %d interval(s) in which the plan scheduled %.0f request(s)", s.name, st.Intervals, st.Planned))
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

// diff compares metric m over the intervals of one step: base holds
// each baseline run's, cand the candidate's.
//
// Noise: the variation is estimated by a percentile bootstrap. Each
// resample recomputes the change from a resampled baseline and candidate;
// the central Confidence share of the resampled changes is the interval.
// A difference counts only when the point change is beyond the tolerance
// (and the floor) AND the whole interval lies on the same side of zero: a
// tolerance alone would flag the noise of a short run, and a significance
// test alone would flag a real but irrelevant 1 % change of a long one.
//
// Within a run, intervals are drawn with replacement, as many as the run
// has; they are treated as independent, which holds roughly once each is
// several times longer than a request. That sees only the variation
// inside one run, and two runs of one release differ by more: the host's
// other load, caches, the hour (on this project's real model, one run in
// six moved p50 by half with no change at all). So with k ≥ 2 baseline
// runs, each resample also moves the candidate by a run effect drawn
// from what the baseline runs show among themselves: s·sqrt(1+1/k)·T, on
// the log scale for relative metrics, where s is the standard deviation
// of the k runs' values, pooled over the plan's steps (runToRun), and T
// is drawn from Student's t with its degrees of freedom. That is the
// bootstrap form of the classical prediction
// interval for one more run (the candidate's own run effect plus the
// uncertainty of the baseline's mean, s estimated from k runs). A
// bootstrap over the k runs themselves would see their spread but not the
// tails few runs cannot show (its 2.5 % quantile of three runs is their
// minimum): with three runs and a 10 % run effect it flagged about 1
// release in 7 identical to its baseline where this flags 1 in 22, any of
// a comparison's figures counting (200 synthetic releases;
// TestCompareFalsePositivesWithRunEffects). s also
// holds each run's own interval noise, so the interval errs on the wide
// side. The seeded generator makes the verdict reproducible.
func diff(m metric, base [][]loadgen.Stats, cand []loadgen.Stats, o Options, between spread, rng *rand.Rand) Diff {
	pooled := slices.Concat(base...)
	d := Diff{Metric: m.name, Unit: m.unit, Relative: m.relative, Baseline: m.value(pooled), Candidate: m.value(cand),
		Tolerance: m.tolerance(o), Floor: m.floor(o)}
	d.Change = change(m, d.Baseline, d.Candidate)
	if !judgeable(m, StepResult{base: base, cand: cand}) {
		d.Outcome = Unjudged
		return d
	}
	changes := make([]float64, o.Resamples)
	bs, cs := make([]loadgen.Stats, len(pooled)), make([]loadgen.Stats, len(cand))
	for i := range changes {
		at := 0
		for _, run := range base {
			resample(rng, run, bs[at:at+len(run)])
			at += len(run)
		}
		resample(rng, cand, cs)
		changes[i] = change(m, m.value(bs), between.move(rng, m.value(cs)))
	}
	slices.Sort(changes)
	alpha := (1 - o.Confidence) / 2
	d.Low, d.High = quantile(changes, alpha), quantile(changes, 1-alpha)
	d.Outcome = outcome(d, m.higherBad)
	return d
}

// outcome judges d from its change, interval, tolerance and floor.
func outcome(d Diff, higherBad bool) string {
	worse := d.Change
	lo, hi := d.Low, d.High
	if !higherBad {
		worse, lo, hi = -worse, -hi, -lo
	}
	switch {
	case math.Abs(worse) <= d.Tolerance || math.Abs(d.Candidate-d.Baseline) <= d.Floor:
		return Tolerated
	case worse > 0 && lo > 0:
		return Regression
	case worse < 0 && hi < 0:
		return Improvement
	}
	return Noise
}

// spread is the run-to-run variation of one metric seen in k baseline
// runs: the scale of a run effect (s·sqrt(1+1/k)), its degrees of freedom
// (0: one run, no run effect) and whether it is on the log scale.
type spread struct {
	scale float64
	df    int
	log   bool
}

// runToRun measures m's run-to-run spread from the baseline runs of every
// step that judges m: each step's runs' deviations from their own mean,
// squared and pooled over the steps, with steps×(k−1) degrees of freedom.
// One step's k runs alone give k−1 (2 for three runs), and a variance
// with 2 degrees of freedom is below a twentieth of the truth one time in
// twenty: three runs that happen to agree at one step would leave little
// room for the next run there (on the real model, three baseline runs of
// release 1 were within 9 % of each other at 2 req/s and 23 % apart at 4
// req/s). Pooling assumes a run effect of one size on
// the log scale at every step, which is what the host's load or the hour
// does to a whole run. Relative metrics are on the log scale unless a
// value is 0.
func runToRun(m metric, steps []StepResult) spread {
	var groups [][]float64
	log := m.relative
	for _, s := range steps {
		if s.Problem != "" || len(s.base) < 2 || !judgeable(m, s) {
			continue
		}
		v := make([]float64, len(s.base))
		for i, run := range s.base {
			v[i] = m.value(run)
			log = log && v[i] > 0
		}
		groups = append(groups, v)
	}
	if len(groups) == 0 {
		return spread{}
	}
	var ss float64
	df, k := 0, len(groups[0])
	for _, v := range groups {
		var mean float64
		for i := range v {
			if log {
				v[i] = math.Log(v[i])
			}
			mean += v[i] / float64(len(v))
		}
		for _, x := range v {
			ss += (x - mean) * (x - mean)
		}
		df += len(v) - 1
	}
	return spread{scale: math.Sqrt(ss/float64(df)) * math.Sqrt(1+1/float64(k)), df: df, log: log}
}

// judgeable reports whether every run of step s has enough requests per
// interval for m.
func judgeable(m metric, s StepResult) bool {
	for _, ivs := range append(slices.Clip(s.base), s.cand) {
		if perInterval(ivs) < m.perInterval {
			return false
		}
	}
	return true
}

// move applies one drawn run effect to value v.
func (sp spread) move(rng *rand.Rand, v float64) float64 {
	if sp.df == 0 || sp.scale == 0 {
		return v
	}
	e := sp.scale * studentT(rng, sp.df)
	if sp.log {
		return v * math.Exp(e)
	}
	return max(v+e, 0)
}

// studentT draws from Student's t with df degrees of freedom: a normal
// over the root of a chi-square (a sum of df squared normals) ÷ df.
func studentT(rng *rand.Rand, df int) float64 {
	var chi2 float64
	for range df {
		z := rng.NormFloat64()
		chi2 += z * z
	}
	return rng.NormFloat64() / math.Sqrt(chi2/float64(df))
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
