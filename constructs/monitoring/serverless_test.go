package monitoring

import (
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
)

// serverlessProps is a serverless endpoint with two variants, one with
// provisioned concurrency, and every alarm family a serverless endpoint has.
func serverlessProps() *EndpointMonitorProps {
	return &EndpointMonitorProps{
		EndpointName: "sls",
		Variants: []Variant{
			{Name: "small", Serverless: &Serverless{MemorySizeInMB: 2048, MaxConcurrency: 20}},
			{Name: "warm", Serverless: &Serverless{MemorySizeInMB: 4096, MaxConcurrency: 50, ProvisionedConcurrency: 5}},
		},
		SLOPercentile: "p90", SLOLatency: 800 * time.Millisecond,
		Alarms: EndpointAlarms{
			ModelLatency:           &LatencyThresholds{Statistic: "p90", Thresholds: Thresholds{Critical: val(800)}},
			OverheadLatency:        &LatencyThresholds{Statistic: "p99", Thresholds: Thresholds{Warning: val(2000)}},
			Invocation5XXErrorRate: &Thresholds{Critical: val(1)},
			MemoryUtilization:      &Thresholds{Warning: val(85)},
		},
		LoadTestNamespace: metrics.NamespaceLoadTest,
		Evaluation:        Evaluation{Period: time.Minute, EvaluationPeriods: 5, DatapointsToAlarm: 3},
	}
}

// A serverless dashboard reads only what serverless endpoints publish
// (metrics.Serverless): no CPU, GPU, disk, InvocationsPerInstance or model
// errors; and it does read the serverless-only metrics, which a real-time
// endpoint does not publish.
func TestPlanEndpoint_ServerlessDrawsOnlyServerlessMetrics(t *testing.T) {
	p, err := PlanEndpoint("test", serverlessProps())
	if err != nil {
		t.Fatal(err)
	}
	problems, checked := unpublished(p, metrics.Serverless())
	for _, pr := range problems {
		t.Error(pr)
	}
	if checked < 30 {
		t.Errorf("checked %d metric lines; want the lines of two serverless variants, the comparison and the load test", checked)
	}
	drawn := drawnMetrics(p)
	for _, name := range []string{metrics.ModelSetupTime, metrics.ServerlessConcurrentExecutionsUtilization,
		metrics.ServerlessProvisionedConcurrencyUtilization, metrics.ServerlessProvisionedConcurrencyExecutions,
		metrics.ServerlessProvisionedConcurrencyInvocations, metrics.ServerlessProvisionedConcurrencySpilloverInvocations, metrics.MemoryUtilization} {
		if !drawn[name] {
			t.Errorf("the serverless dashboard draws no %s", name)
		}
	}
	if wrong, _ := unpublished(p, metrics.RealTime()); len(wrong) == 0 {
		t.Error("the serverless dashboard passes the real-time catalogue; want ModelSetupTime and the concurrency metrics refused")
	}
}

// A real-time dashboard fails the serverless catalogue: the kinds'
// catalogues tell a metric of one kind on another kind's dashboard.
func TestPlanEndpoint_RealtimeFailsTheServerlessCatalogue(t *testing.T) {
	p, err := PlanEndpoint("test", &EndpointMonitorProps{
		EndpointName: "rt", Variants: []Variant{{Name: "AllTraffic", Count: 1, Instance: mustInstance(t, "ml.c5.xlarge")}},
		SLOPercentile: "p99", SLOLatency: 300 * time.Millisecond,
		Evaluation: Evaluation{Period: time.Minute, EvaluationPeriods: 5, DatapointsToAlarm: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	problems, _ := unpublished(p, metrics.Serverless())
	joined := strings.Join(problems, "\n")
	for _, want := range []string{metrics.CPUUtilization, metrics.DiskUtilization, metrics.InvocationsPerInstance, metrics.InvocationModelErrors} {
		if !strings.Contains(joined, " "+want+"[") {
			t.Errorf("the serverless catalogue accepts the real-time dashboard's %s; problems:\n%s", want, joined)
		}
	}
}

// Only the provisioned variant draws the provisioned-concurrency metrics,
// and the serverless alarms are the four families configured, per variant.
func TestPlanEndpoint_ServerlessProvisionedAndAlarms(t *testing.T) {
	p, err := PlanEndpoint("test", serverlessProps())
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range graphs(p) {
		if strings.Contains(g.Title, "Provisioned") && !strings.HasPrefix(g.Title, "warm:") {
			t.Errorf("graph %q: only variant warm has provisioned concurrency", g.Title)
		}
	}
	var names []string
	for _, a := range p.af.alarms {
		names = append(names, a.Name)
	}
	want := "test-sls-small-ModelLatency-Critical test-sls-small-OverheadLatency-Warning test-sls-small-Invocation5XXErrorRate-Critical test-sls-small-MemoryUtilization-Warning " +
		"test-sls-warm-ModelLatency-Critical test-sls-warm-OverheadLatency-Warning test-sls-warm-Invocation5XXErrorRate-Critical test-sls-warm-MemoryUtilization-Warning"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("alarms:\n got %s\nwant %s", got, want)
	}
}

// drawnMetrics are the metric names p's dashboard draws.
func drawnMetrics(p *EndpointPlan) map[string]bool {
	out := map[string]bool{}
	for _, g := range graphs(p) {
		for _, l := range g.Metrics {
			if m, ok := l.(dashboard.Metric); ok {
				out[m.Name] = true
			}
		}
	}
	return out
}

// The serverless header prices each variant's compute at its rate per
// GB-second: per hour at max concurrency and per million invocations that
// last the SLO latency, and says whether the rate is the built-in,
// unverified one or the config's.
func TestPlanEndpoint_ServerlessCostLine(t *testing.T) {
	props := serverlessProps()
	for i := range props.Variants {
		props.Variants[i].Serverless.PricePerGBSecond = 0.00002
	}
	p, err := PlanEndpoint("test", props)
	if err != nil {
		t.Fatal(err)
	}
	md := p.headerMarkdown()
	for _, want := range []string{
		"| Compute $/h at max concurrency | Compute $ per 1M invocations of 800ms |",
		"| small | serverless | 2048 MB | 20 | none | 2.88 | 32.00 |", // 2 GB × $0.00002 × 3600 s × 20; 2 GB × $0.00002 × 0.8 s × 1e6
		"| warm | serverless | 4096 MB | 50 | 5 | 14.40 | 64.00 |",
		"at $0.00002 per GB-second of memory (built-in rate, UNVERIFIED: set serverlessPricePerGBSecond)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("header lacks %q:\n%s", want, md)
		}
	}
	props.Variants[0].Serverless.PriceConfigured, props.Variants[1].Serverless.PriceConfigured = true, true
	p, err = PlanEndpoint("test", props)
	if err != nil {
		t.Fatal(err)
	}
	if md := p.headerMarkdown(); !strings.Contains(md, "(configured serverlessPricePerGBSecond)") || strings.Contains(md, "UNVERIFIED") {
		t.Errorf("with a configured rate the header says:\n%s", md)
	}
}
