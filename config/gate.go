package config

import "time"

// Gate is the pass/fail criteria of an endpoint's load test
// (endpoints[].loadTest.gate): `sagesize run` ends with a verdict line and
// exits 2 when the test ran and failed one of them. A criterion left out
// is not checked.
type Gate struct {
	// P50 and P99 bound the client latency percentiles over the whole
	// test (measured by loadgen from each request's scheduled start).
	P50 *Duration `yaml:"p50"`
	P99 *Duration `yaml:"p99"`
	// ErrorRate is the highest share of requests that may fail, e.g. 1%.
	ErrorRate *Percent `yaml:"errorRate"`
	// AchievedRate is the lowest share of the planned requests that must
	// complete, e.g. 95%: below it the endpoint (or the generator) did not
	// keep up, and the latencies describe a lighter load than planned.
	AchievedRate *Percent `yaml:"achievedRate"`
	// TTFTP99 and ITLP99 bound the p99 time to first token and inter-token
	// latency of a streaming test (loadTest.stream).
	TTFTP99 *Duration `yaml:"ttftP99"`
	ITLP99  *Duration `yaml:"itlP99"`
}

// validateGate checks the gate of the load test at path p (nil: nothing
// to check); streaming tells whether the test streams.
func validateGate(p string, g *Gate, streaming bool, add func(path, format string, args ...any)) {
	if g == nil {
		return
	}
	p += ".gate"
	for _, d := range []struct {
		name string
		d    *Duration
	}{{"p50", g.P50}, {"p99", g.P99}, {"ttftP99", g.TTFTP99}, {"itlP99", g.ITLP99}} {
		positive(p+"."+d.name, d.d, add)
	}
	if g.P50 != nil && g.P99 != nil && g.P50.Duration > g.P99.Duration {
		add(p+".p50", "must not exceed p99 (%s), got %s", g.P99.Duration, g.P50.Duration)
	}
	if g.ErrorRate != nil && (g.ErrorRate.Value < 0 || g.ErrorRate.Value > 100) {
		add(p+".errorRate", "must be between 0%% and 100%%, got %s", g.ErrorRate)
	}
	if g.AchievedRate != nil && (g.AchievedRate.Value <= 0 || g.AchievedRate.Value > 100) {
		add(p+".achievedRate", "must be above 0%% and at most 100%% of the planned rate, e.g. 95%%, got %s", g.AchievedRate)
	}
	if !streaming && (g.TTFTP99 != nil || g.ITLP99 != nil) {
		add(p, "ttftP99 and itlP99 apply to streaming tests only: add loadTest.stream or remove them")
	}
	if *g == (Gate{}) {
		add(p, "sets no criterion: give at least one of p50, p99, errorRate, achievedRate, ttftP99, itlP99")
	}
}

// durationOf is d's duration, 0 when d is nil.
func durationOf(d *Duration) time.Duration {
	if d == nil {
		return 0
	}
	return d.Duration
}

// Limits returns the gate's criteria as plain values: durations (0: not
// checked), the error rate and achieved rate as fractions (errorRate nil:
// not checked; achieved 0: not checked). A nil gate has none.
func (g *Gate) Limits() (p50, p99, ttftP99, itlP99 time.Duration, errorRate *float64, achieved float64) {
	if g == nil {
		return
	}
	if g.ErrorRate != nil {
		f := g.ErrorRate.Value / 100
		errorRate = &f
	}
	if g.AchievedRate != nil {
		achieved = g.AchievedRate.Value / 100
	}
	return durationOf(g.P50), durationOf(g.P99), durationOf(g.TTFTP99), durationOf(g.ITLP99), errorRate, achieved
}
