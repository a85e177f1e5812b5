// Package criteria holds a load test's pass/fail criteria (client
// latency percentiles, error rate, achieved rate, a stream's TTFT and ITL)
// and judges what a test measured against them. It is what loadgen's
// -gate-* flags, sagesize gate and sagesize run share, and small enough
// for the load generator's image.
package criteria

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sagesize/sagesize/loadgen"
)

// Criteria are the pass/fail criteria of one load test. A zero field is
// not checked.
type Criteria struct {
	// P50 and P99 bound the client latency percentiles of the whole test.
	P50, P99 time.Duration
	// MaxErrorRate bounds errors/requests, as a fraction (0.01 is 1 %);
	// nil: not checked (0 means no error is allowed).
	MaxErrorRate *float64
	// MinAchieved is the lowest acceptable completed/planned rate, as a
	// fraction (0.95: at least 95 % of the planned rate completed).
	MinAchieved float64
	// TTFTP99 and ITLP99 bound the p99 time to first token and inter-token
	// latency of a streaming test.
	TTFTP99, ITLP99 time.Duration
}

// IsZero reports whether no criterion is set.
func (c Criteria) IsZero() bool { return c == Criteria{} }

// Measured is what a load test measured, as the criteria judge it.
type Measured struct {
	P50, P99         time.Duration
	Requests, Errors uint64
	// Achieved is the completed rate over the planned rate (0 when the
	// plan is unknown, e.g. a closed loop).
	Achieved float64
	// Stream is true for a streaming test, whose TTFT and ITL p99 follow.
	Stream          bool
	TTFTP99, ITLP99 time.Duration
}

// FromSummary returns what a loadgen summary measured. The achieved rate
// is the completed rate (throughput) over the planned rate of the whole
// test.
func FromSummary(s loadgen.Summary) Measured {
	m := Measured{P50: micros(s.Latency.P50), P99: micros(s.Latency.P99), Requests: s.Requests, Errors: s.Errors}
	if s.TargetRate > 0 {
		m.Achieved = s.Throughput / s.TargetRate
	}
	if st := s.Stream; st != nil {
		m.Stream = true
		m.TTFTP99, m.ITLP99 = micros(st.TTFT.P99), micros(st.ITL.P99)
	}
	return m
}

func micros(us int64) time.Duration { return time.Duration(us) * time.Microsecond }

// Outcome of one check.
const (
	Pass    = "pass"
	Fail    = "fail"
	Missing = "missing" // the test did not measure what the criterion needs
)

// Check is one criterion judged.
type Check struct {
	Name    string `json:"name"`  // e.g. "p99"
	Limit   string `json:"limit"` // e.g. "<= 300ms"
	Got     string `json:"got"`   // e.g. "212ms"
	Outcome string `json:"outcome"`
}

// Verdict is the outcome of every criterion.
type Verdict struct {
	Checks []Check `json:"checks"`
}

// Passed reports whether every check passed.
func (v Verdict) Passed() bool {
	for _, c := range v.Checks {
		if c.Outcome != Pass {
			return false
		}
	}
	return true
}

// Judged reports whether every criterion could be judged (none missing).
func (v Verdict) Judged() bool {
	for _, c := range v.Checks {
		if c.Outcome == Missing {
			return false
		}
	}
	return true
}

// Line is the one-line verdict a run ends with, e.g.
// "gate: FAIL: p99 412ms > 300ms; error rate 0.00% <= 1%".
func (v Verdict) Line() string {
	word := "PASS"
	switch {
	case !v.Judged():
		word = "NOT JUDGED"
	case !v.Passed():
		word = "FAIL"
	}
	var parts []string
	for _, c := range v.Checks {
		parts = append(parts, c.text())
	}
	if len(parts) == 0 {
		return "gate: " + word + " (no criteria)"
	}
	return "gate: " + word + ": " + strings.Join(parts, "; ")
}

func (c Check) text() string {
	switch c.Outcome {
	case Missing:
		return fmt.Sprintf("%s not measured (limit %s)", c.Name, c.Limit)
	case Fail:
		return fmt.Sprintf("%s %s FAILS %s", c.Name, c.Got, c.Limit)
	}
	return fmt.Sprintf("%s %s %s", c.Name, c.Got, c.Limit)
}

// Evaluate judges m against every criterion set in c, in a fixed order.
func (c Criteria) Evaluate(m Measured) Verdict {
	var v Verdict
	latency := func(name string, limit, got time.Duration, measured bool) {
		if limit <= 0 {
			return
		}
		ch := Check{Name: name, Limit: "<= " + limit.String(), Got: got.String(), Outcome: Pass}
		switch {
		case !measured:
			ch.Outcome, ch.Got = Missing, ""
		case got > limit:
			ch.Outcome = Fail
		}
		v.Checks = append(v.Checks, ch)
	}
	latency("p50", c.P50, m.P50, m.Requests > 0)
	latency("p99", c.P99, m.P99, m.Requests > 0)
	if c.MaxErrorRate != nil {
		ch := Check{Name: "error rate", Limit: "<= " + pct(*c.MaxErrorRate), Outcome: Pass}
		if m.Requests == 0 {
			ch.Outcome = Missing
		} else if rate := float64(m.Errors) / float64(m.Requests); rate > *c.MaxErrorRate {
			ch.Got, ch.Outcome = pct(rate), Fail
		} else {
			ch.Got = pct(rate)
		}
		v.Checks = append(v.Checks, ch)
	}
	if c.MinAchieved > 0 {
		ch := Check{Name: "achieved/planned rate", Limit: ">= " + pct(c.MinAchieved), Got: pct(m.Achieved), Outcome: Pass}
		switch {
		case m.Achieved <= 0:
			ch.Outcome, ch.Got = Missing, ""
		case m.Achieved < c.MinAchieved:
			ch.Outcome = Fail
		}
		v.Checks = append(v.Checks, ch)
	}
	latency("TTFT p99", c.TTFTP99, m.TTFTP99, m.Stream && m.TTFTP99 > 0)
	latency("ITL p99", c.ITLP99, m.ITLP99, m.Stream && m.ITLP99 > 0)
	return v
}

// pct formats a fraction as a percentage, e.g. 0.0123 as "1.23%".
func pct(f float64) string { return fmt.Sprintf("%.2f%%", 100*f) }

// PercentFlag is a command-line percentage written with its sign (1%,
// 99.5%), kept as a fraction: the flag.Value (and pflag.Value) of the
// criteria given as percentages, shared by sagesize and loadgen.
type PercentFlag struct{ Fraction float64 }

// String returns the percentage with its sign.
func (p *PercentFlag) String() string {
	return strconv.FormatFloat(100*p.Fraction, 'f', -1, 64) + "%"
}

// Set parses a percentage from 0% to 100%.
func (p *PercentFlag) Set(s string) error {
	num, ok := strings.CutSuffix(strings.TrimSpace(s), "%")
	v, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || v < 0 || v > 100 {
		return fmt.Errorf("%q is not a percentage: give 0%% to 100%% with its sign, e.g. 1%% or 99.5%%", s)
	}
	p.Fraction = v / 100
	return nil
}

// Type names the value in pflag's help.
func (p *PercentFlag) Type() string { return "percent" }

// Exit statuses of the commands that judge a test (loadgen with -gate-*,
// sagesize run, gate and compare), so that CI can tell a regression from a
// broken pipeline: 0 passed; ExitError could not run or could not judge
// (bad input, AWS errors, missing data); ExitFailed ran, and the verdict is
// negative.
const (
	ExitError  = 1
	ExitFailed = 2
)

// FailedError is the error of a command that ran and failed its gate: a
// test outside its criteria, a comparison that found a regression.
type FailedError struct{ Verdict string }

func (e *FailedError) Error() string { return e.Verdict }

// ExitStatus is the exit status for a command's error: 0 for nil,
// ExitFailed for a FailedError (wrapped or not), ExitError otherwise.
func ExitStatus(err error) int {
	var failed *FailedError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &failed):
		return ExitFailed
	}
	return ExitError
}
