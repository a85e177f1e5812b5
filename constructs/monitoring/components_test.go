package monitoring

import (
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
)

// componentProps is a GPU endpoint hosting two inference components.
func componentProps(t *testing.T) *EndpointMonitorProps {
	return &EndpointMonitorProps{
		EndpointName: "shared",
		Variants:     []Variant{{Name: "AllTraffic", Count: 1, Instance: mustInstance(t, "ml.g5.12xlarge")}},
		Components: []Component{
			{Name: "llama", Copies: 2, CPUCores: 4, MemoryMiB: 32768, Accelerators: 1},
			{Name: "embed", Copies: 1},
		},
		SLOPercentile: "p99", SLOLatency: 2 * time.Second,
		Alarms: EndpointAlarms{
			ModelLatency:   &LatencyThresholds{Statistic: "p99", Thresholds: Thresholds{Critical: val(2000)}},
			GPUUtilization: &Thresholds{Warning: val(90)},
		},
		Evaluation: Evaluation{Period: time.Minute, EvaluationPeriods: 5, DatapointsToAlarm: 3},
	}
}

// A components dashboard reads only what such endpoints publish: the
// invocation metrics and normalized utilization by InferenceComponentName,
// the instances' reservations and normalized utilization by variant; and
// the real-time catalogue refuses it.
func TestPlanEndpoint_ComponentsDrawOnlyComponentMetrics(t *testing.T) {
	p, err := PlanEndpoint("test", componentProps(t))
	if err != nil {
		t.Fatal(err)
	}
	cat := metrics.InferenceComponents()
	checked := 0
	for _, row := range p.rows {
		for _, c := range row {
			g, ok := c.Properties.(*dashboard.Graph)
			if !ok {
				continue
			}
			for _, l := range g.Metrics {
				m, ok := l.(dashboard.Metric)
				if !ok {
					continue
				}
				dims := make([]string, len(m.Dims))
				for i, d := range m.Dims {
					dims[i] = d.Name
				}
				if pub, ok := metrics.Lookup(cat, m.Namespace, m.Name, dims); !ok || !pub.Allows(m.Stat) {
					t.Errorf("%s: %s %s%v %s is not published", g.Title, m.Namespace, m.Name, dims, m.Stat)
				}
				checked++
			}
		}
	}
	if checked < 40 {
		t.Errorf("checked %d lines; want two components' and the instances'", checked)
	}
	drawn := drawnMetrics(p)
	for _, m := range []string{metrics.InvocationsPerCopy, metrics.ConcurrentRequestsPerCopy, metrics.GPUUtilizationNormalized, metrics.MemoryUtilizationNormalized,
		metrics.CPUReservation, metrics.GPUReservation, metrics.MemoryReservation, metrics.CPUUtilizationNormalized} {
		if !drawn[m] {
			t.Errorf("the components dashboard draws no %s", m)
		}
	}
	if drawn[metrics.InvocationsPerInstance] {
		t.Error("the components dashboard draws InvocationsPerInstance")
	}
	if wrong, _ := unpublished(p, metrics.RealTime()); len(wrong) == 0 {
		t.Error("the real-time catalogue accepts the components dashboard")
	}
}

// Every alarm is per component, on InferenceComponentName, GPU over the
// component's reservation in the inference components namespace.
func TestPlanEndpoint_ComponentAlarms(t *testing.T) {
	p, err := PlanEndpoint("test", componentProps(t))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range p.af.alarms {
		names = append(names, a.Name)
	}
	want := "test-shared-llama-ModelLatency-Critical test-shared-llama-GPUUtilization-Warning test-shared-embed-ModelLatency-Critical test-shared-embed-GPUUtilization-Warning"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("alarms:\n got %s\nwant %s", got, want)
	}
	if a := p.af.alarms[1]; a.Threshold != 90 {
		t.Errorf("GPU threshold %v; want 90 (normalized, no scaling)", a.Threshold)
	}
}
