package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/gate"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/sizing/measure"
	"github.com/sagesize/sagesize/sizing/runner"
)

// runGate judges each variant's load test of `sagesize run` against the
// criteria, from what its tasks published to CloudWatch.
type runGate struct {
	criteria gate.Criteria
	cw       measure.GetMetricDataAPI
	ep       *config.Endpoint
	// lag is how long to wait after the tasks stopped for CloudWatch to
	// show their last interval.
	lag      time.Duration
	out      io.Writer
	failed   []string
	unjudged []string
}

// judge measures the test p ran from start to end and prints its verdict.
func (g *runGate) judge(ctx context.Context, p runner.Plan, start, end time.Time) error {
	if g.criteria.IsZero() {
		return nil
	}
	if g.lag > 0 {
		fmt.Fprintf(g.out, "waiting %v for CloudWatch to show the last interval before judging the gate\n", g.lag)
		select {
		case <-ctx.Done():
			return fmt.Errorf("gate of %s variant %s: %w", p.Endpoint, p.Variant, ctx.Err())
		case <-time.After(g.lag):
		}
	}
	m, err := g.measure(ctx, p, start, end)
	if err != nil {
		return fmt.Errorf("gate of %s variant %s: %w", p.Endpoint, p.Variant, err)
	}
	v := g.criteria.Evaluate(m)
	what := p.Endpoint + " variant " + p.Variant + " (test " + p.TestID + ")"
	fmt.Fprintln(g.out, what+" "+v.Line())
	switch {
	case !v.Judged():
		g.unjudged = append(g.unjudged, what)
	case !v.Passed():
		g.failed = append(g.failed, what)
	}
	return nil
}

// measure reads the whole test back from CloudWatch: one window of whole
// minutes that holds it (the test id is the test's own, so nothing else
// is counted), and the planned requests of the whole plan.
func (g *runGate) measure(ctx context.Context, p runner.Plan, start, end time.Time) (gate.Measured, error) {
	from := start.UTC().Truncate(time.Minute)
	to := end.UTC().Truncate(time.Minute).Add(time.Minute)
	v := g.variant(p.Variant)
	w := measure.Window{Endpoint: p.Endpoint, Variant: p.Variant, TestID: p.TestID, PlannedRate: p.Load.Peak(), Start: from, End: to,
		VCPUs: max(v.Instance.VCPUs, 1), GPUs: v.Instance.GPUs(), InstanceCount: v.Count()}
	steps, err := measure.Steps(ctx, g.cw, metrics.NamespaceLoadTest, []measure.Window{w})
	if err != nil {
		return gate.Measured{}, err
	}
	s := steps[0]
	m := gate.Measured{P50: s.ClientP50, P99: s.ClientP99, Requests: uint64(s.Requests), Errors: uint64(s.Errors)}
	if planned := p.Load.Planned(p.Load.Duration()); planned > 0 {
		m.Achieved = float64(s.Requests) / planned
	}
	return m, nil
}

func (g *runGate) variant(name string) config.Variant {
	for _, v := range g.ep.Variants {
		if v.Name == name {
			return v
		}
	}
	return config.Variant{Name: name}
}

// result is the run's outcome once every variant was judged.
func (g *runGate) result() error {
	switch {
	case len(g.failed) > 0:
		return &failedError{verdict: fmt.Sprintf("the load test ran and failed its gate: %v", g.failed)}
	case len(g.unjudged) > 0:
		return fmt.Errorf("the gate could not judge %v: a criterion was not measured (streaming TTFT/ITL criteria are judged from loadgen's summary with sagesize gate)", g.unjudged)
	}
	return nil
}
