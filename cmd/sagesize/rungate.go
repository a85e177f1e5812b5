package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/gate/criteria"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/sizing/measure"
	"github.com/sagesize/sagesize/sizing/runner"
)

// runGate judges each variant's load test of `sagesize run` against the
// criteria, from what its tasks published to CloudWatch.
type runGate struct {
	criteria criteria.Criteria
	cw       measure.GetMetricDataAPI
	ep       *config.Endpoint
	// lag is how long to wait after the tasks stopped for CloudWatch to
	// show their last interval.
	lag      time.Duration
	out      io.Writer
	failed   []string
	unjudged []string
}

// waitLag waits g.lag for CloudWatch to show the last interval of p's
// tasks, before the gate or the record reads it.
func (g *runGate) waitLag(ctx context.Context, p runner.Plan) error {
	if g.lag <= 0 {
		return nil
	}
	fmt.Fprintf(g.out, "waiting %v for CloudWatch to show the last interval before reading the test back\n", g.lag)
	select {
	case <-ctx.Done():
		return fmt.Errorf("%s variant %s: waiting for CloudWatch: %w", p.Endpoint, p.Variant, ctx.Err())
	case <-time.After(g.lag):
		return nil
	}
}

// judge measures the test p ran from start to end and prints its verdict.
func (g *runGate) judge(ctx context.Context, p runner.Plan, start, end time.Time) error {
	if g.criteria.IsZero() {
		return nil
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
func (g *runGate) measure(ctx context.Context, p runner.Plan, start, end time.Time) (criteria.Measured, error) {
	from := start.UTC().Truncate(time.Minute)
	to := end.UTC().Truncate(time.Minute).Add(time.Minute)
	v := g.variant(p.Variant)
	w := measure.Window{Endpoint: p.Endpoint, Variant: p.Variant, TestID: p.TestID, PlannedRate: p.Load.Peak(), Start: from, End: to,
		VCPUs: max(v.Instance.VCPUs, 1), GPUs: v.Instance.GPUs(), InstanceCount: v.Count()}
	steps, err := measure.Steps(ctx, g.cw, metrics.NamespaceLoadTest, []measure.Window{w})
	if err != nil {
		return criteria.Measured{}, err
	}
	s := steps[0]
	m := criteria.Measured{P50: s.ClientP50, P99: s.ClientP99, Requests: uint64(s.Requests), Errors: uint64(s.Errors)}
	if planned := p.Load.Planned(p.Load.Duration()); planned > 0 {
		m.Achieved = float64(s.Requests) / planned
	}
	if g.criteria.TTFTP99 > 0 || g.criteria.ITLP99 > 0 {
		if err := g.streamP99(ctx, w, &m); err != nil {
			return m, err
		}
	}
	return m, nil
}

// streamP99 reads the p99 of the test's TimeToFirstToken and
// InterTokenLatency distributions over w (a streaming test publishes them
// as Values/Counts, so CloudWatch computes them over every task). A
// metric without data stays 0: not measured.
func (g *runGate) streamP99(ctx context.Context, w measure.Window, m *criteria.Measured) error {
	dims := []cwtypes.Dimension{
		{Name: aws.String(metrics.DimEndpointName), Value: aws.String(w.Endpoint)},
		{Name: aws.String(metrics.DimVariantName), Value: aws.String(w.Variant)},
		{Name: aws.String(metrics.DimTestID), Value: aws.String(w.TestID)},
	}
	query := func(id, name string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String(metrics.NamespaceLoadTest), MetricName: aws.String(name), Dimensions: dims},
			Period: aws.Int32(int32(w.End.Sub(w.Start) / time.Second)), Stat: aws.String("p99")}}
	}
	out, err := g.cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(w.Start), EndTime: aws.Time(w.End),
		MetricDataQueries: []cwtypes.MetricDataQuery{query("ttft", metrics.LoadTestTTFT), query("itl", metrics.LoadTestITL)}})
	if err != nil {
		return fmt.Errorf("read TTFT and ITL p99: %w", err)
	}
	for _, r := range out.MetricDataResults {
		if len(r.Values) == 0 {
			continue
		}
		switch aws.ToString(r.Id) {
		case "ttft":
			m.TTFTP99 = metrics.FromMicros(r.Values[0])
		case "itl":
			m.ITLP99 = metrics.FromMicros(r.Values[0])
		}
	}
	m.Stream = m.TTFTP99 > 0 || m.ITLP99 > 0
	return nil
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
		return &failedError{Verdict: fmt.Sprintf("the load test ran and failed its gate: %v", g.failed)}
	case len(g.unjudged) > 0:
		return fmt.Errorf("the gate could not judge %v: a criterion was not measured (TTFT and ITL need a streaming test's published distributions)", g.unjudged)
	}
	return nil
}
