package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/sagesize/sagesize/gate/criteria"
	"github.com/sagesize/sagesize/loadgen"
)

// exitFailed is the exit status of a test that ran and failed its
// -gate-* criteria; 1 stays "the test did not run to its end, or could not
// be judged", as for sagesize (criteria's exit statuses).
const exitFailed = criteria.ExitFailed

// gateFlags are the pass/fail criteria of the test (-gate-*), the same as
// sagesize gate's and loadTest.gate's.
type gateFlags struct {
	p50, p99, ttftP99, itlP99 time.Duration
	maxErrorRate, minAchieved criteria.PercentFlag
}

// exitCode is the exit status for run's error.
func exitCode(err error) int { return criteria.ExitStatus(err) }

// checkGate checks the -gate-* flags against the rest of the test: each
// bound given is positive, and measurable by this test.
func (c *config) checkGate() error {
	g := &c.gate
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"gate-p50", g.p50}, {"gate-p99", g.p99}, {"gate-ttft-p99", g.ttftP99}, {"gate-itl-p99", g.itlP99}} {
		if c.set[d.name] && d.v <= 0 {
			return fmt.Errorf("-%s %v: give a positive duration, e.g. 300ms", d.name, d.v)
		}
	}
	switch {
	case (c.set["gate-ttft-p99"] || c.set["gate-itl-p99"]) && !c.stream:
		return errors.New("-gate-ttft-p99 and -gate-itl-p99 judge a streaming test: add -stream, or drop them")
	case c.set["gate-min-achieved"] && g.minAchieved.Fraction <= 0:
		return errors.New("-gate-min-achieved 0%: give a share of the planned rate above 0%, e.g. 95%")
	case c.set["gate-min-achieved"] && c.concurrency > 0:
		return errors.New("-gate-min-achieved compares the completed rate with the planned one, and a closed loop (-concurrency) plans no rate: drop it")
	}
	return nil
}

// criteria returns the -gate-* criteria; zero when none is given.
func (c *config) criteria() criteria.Criteria {
	g := &c.gate
	cr := criteria.Criteria{P50: g.p50, P99: g.p99, TTFTP99: g.ttftP99, ITLP99: g.itlP99}
	if c.set["gate-max-error-rate"] {
		v := g.maxErrorRate.Fraction
		cr.MaxErrorRate = &v
	}
	if c.set["gate-min-achieved"] {
		cr.MinAchieved = g.minAchieved.Fraction
	}
	return cr
}

// judge judges the summary against the -gate-* criteria, logs the verdict
// line, and returns runErr, or when the test ran to its end, an error for
// a failed (exit 2) or unjudged (exit 1) verdict.
func (c *config) judge(sum *loadgen.Summary, runErr error, logf func(string, ...any)) error {
	cr := c.criteria()
	if cr.IsZero() {
		return runErr
	}
	v := cr.Evaluate(criteria.FromSummary(*sum))
	logf("%s", v.Line())
	switch {
	case runErr != nil:
		return runErr
	case !v.Judged():
		return errors.New("the test could not be judged: " + v.Line())
	case !v.Passed():
		return &criteria.FailedError{Verdict: v.Line()}
	}
	return nil
}
