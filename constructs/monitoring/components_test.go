package monitoring

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/dashboard/check"
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
	for _, g := range graphs(p) {
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

// The fleet overview draws an endpoint's inference components by
// InferenceComponentName: latency as % of the SLO, 5XX errors,
// invocations and invocations per copy, each component once; every line
// of it is in the inference-components catalogue.
func TestPlanOverview_DrawsComponents(t *testing.T) {
	ic, err := PlanEndpoint("fleet", componentProps(t))
	if err != nil {
		t.Fatal(err)
	}
	rt, err := PlanEndpoint("fleet", &EndpointMonitorProps{
		EndpointName: "plain", Variants: []Variant{{Name: "v", Count: 1, Instance: mustInstance(t, "ml.m5.large")}},
		SLOPercentile: "p99", SLOLatency: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := PlanOverview(&OverviewProps{Prefix: "fleet", Endpoints: []OverviewEndpoint{ic.Overview(0), rt.Overview(0)}, Stacks: 1})
	if err != nil {
		t.Fatal(err)
	}
	body := plan.bodies[0]
	for _, c := range componentProps(t).Components {
		for _, metric := range []string{metrics.ModelLatency, metrics.Invocation5XXErrors, metrics.Invocations, metrics.InvocationsPerCopy} {
			line := fmt.Sprintf(`[%q,%q,%q,%q,`, metrics.NamespaceInvocations, metric, metrics.DimInferenceComponentName, c.Name)
			if n := strings.Count(body, line); n != 1 {
				t.Errorf("overview draws %s of component %s %d times; want once", metric, c.Name, n)
			}
		}
	}
	for _, title := range []string{"Invocations (per minute) (components 1–2)", "Invocations per copy (per minute) (components 1–2)", "Latency, % of SLO (components 1–2)"} {
		if !strings.Contains(body, title) {
			t.Errorf("overview lacks the graph %q", title)
		}
	}
	resolved := strings.NewReplacer(dashboard.Partition, "aws", dashboard.Region, "us-east-1", dashboard.AccountID, "123456789012").Replace(body)
	if err := check.ValidateBody([]byte(resolved), check.Options{Catalogue: lookupCatalogue(append(metrics.InferenceComponents(), metrics.RealTime()...))}); err != nil {
		t.Errorf("overview reads unpublished metrics: %v", err)
	}
	plain, err := PlanOverview(&OverviewProps{Prefix: "fleet", Endpoints: []OverviewEndpoint{rt.Overview(0), rt.Overview(0)}, Stacks: 1})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.bodies[0], metrics.DimInferenceComponentName) || strings.Contains(plain.bodies[0], "Inference components") {
		t.Error("an overview without components draws component rows")
	}
}
