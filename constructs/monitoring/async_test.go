package monitoring

import (
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
)

// asyncProps is an asynchronous endpoint with a GPU and a CPU variant and
// both async alarm families.
func asyncProps(t *testing.T) *EndpointMonitorProps {
	return &EndpointMonitorProps{
		EndpointName: "ocr", Async: true,
		Variants: []Variant{
			{Name: "gpu", Count: 2, Instance: mustInstance(t, "ml.g5.xlarge")},
			{Name: "cpu", Count: 1, Instance: mustInstance(t, "ml.c5.2xlarge")},
		},
		SLOPercentile: "p90", SLOLatency: 20 * time.Second,
		Alarms: EndpointAlarms{
			ModelLatency:       &LatencyThresholds{Statistic: "p90", Thresholds: Thresholds{Critical: val(20000)}},
			OldestRequestAge:   &Thresholds{Warning: val(300), Critical: val(900)},
			InvocationFailures: &Thresholds{Critical: val(10)},
			GPUUtilization:     &Thresholds{Warning: val(90)},
		},
		Evaluation: Evaluation{Period: time.Minute, EvaluationPeriods: 5, DatapointsToAlarm: 3},
	}
}

// An asynchronous dashboard reads only what asynchronous endpoints publish
// (metrics.Async), with the queue by EndpointName alone: no Invocations,
// InvocationsPerInstance, OverheadLatency or model errors; and the
// real-time and serverless catalogues refuse it.
func TestPlanEndpoint_AsyncDrawsOnlyAsyncMetrics(t *testing.T) {
	p, err := PlanEndpoint("test", asyncProps(t))
	if err != nil {
		t.Fatal(err)
	}
	problems, checked := unpublished(p, metrics.Async())
	for _, pr := range problems {
		t.Error(pr)
	}
	if checked < 40 {
		t.Errorf("checked %d metric lines; want the queue, two variants and the comparison", checked)
	}
	drawn := drawnMetrics(p)
	for _, name := range []string{metrics.ApproximateBacklogSize, metrics.ApproximateBacklogSizePerInstance, metrics.ApproximateAgeOfOldestRequest,
		metrics.HasBacklogWithoutCapacity, metrics.TimeInBacklog, metrics.TotalProcessingTime, metrics.InvocationsProcesssed, metrics.InvocationFailures,
		metrics.RequestDownloadFailures, metrics.ResponseUploadFailures, metrics.NotificationFailures, metrics.ExpiredRequests, metrics.GPUUtilization} {
		if !drawn[name] {
			t.Errorf("the asynchronous dashboard draws no %s", name)
		}
	}
	for _, other := range [][]metrics.Metric{metrics.RealTime(), metrics.Serverless()} {
		if wrong, _ := unpublished(p, other); len(wrong) == 0 {
			t.Error("another kind's catalogue accepts the asynchronous dashboard")
		}
	}
}

// The age alarms are per endpoint (EndpointName alone, Maximum, seconds),
// planned first; the failure alarms per variant (Sum).
func TestPlanEndpoint_AsyncAlarms(t *testing.T) {
	p, err := PlanEndpoint("test", asyncProps(t))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range p.af.alarms {
		names = append(names, a.Name)
	}
	want := "test-ocr-OldestRequestAge-Warning test-ocr-OldestRequestAge-Critical " +
		"test-ocr-gpu-ModelLatency-Critical test-ocr-gpu-InvocationFailures-Critical test-ocr-gpu-GPUUtilization-Warning " +
		"test-ocr-cpu-ModelLatency-Critical test-ocr-cpu-InvocationFailures-Critical"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("alarms:\n got %s\nwant %s", got, want)
	}
	if a := p.af.alarms[1]; a.Threshold != 900 || a.Annotation.Value != 900 {
		t.Errorf("oldest request age critical: threshold %v, line %v; want 900 s both", a.Threshold, a.Annotation.Value)
	}
	for _, g := range graphs(p) {
		if !strings.HasPrefix(g.Title, "Age of the oldest") {
			continue
		}
		m := g.Metrics[0].(dashboard.Metric)
		if len(m.Dims) != 1 || m.Dims[0].Name != metrics.DimEndpointName || m.Stat != metrics.StatMaximum {
			t.Errorf("age graph reads %v %s; want EndpointName alone, Maximum", m.Dims, m.Stat)
		}
		return
	}
	t.Error("no age graph")
}
