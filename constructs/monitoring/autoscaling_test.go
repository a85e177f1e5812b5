package monitoring

import (
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
)

func autoscaledProps(t *testing.T, a *Autoscaling) *EndpointMonitorProps {
	return &EndpointMonitorProps{
		EndpointName:  "churn",
		Variants:      []Variant{{Name: "AllTraffic", Count: 2, Instance: mustInstance(t, "ml.c5.xlarge"), Autoscaling: a}},
		SLOPercentile: "p99", SLOLatency: 200 * time.Millisecond,
		Evaluation: Evaluation{Period: time.Minute, EvaluationPeriods: 5, DatapointsToAlarm: 3},
	}
}

// graphTitled finds the graph whose title contains s.
func graphTitled(p *EndpointPlan, s string) *dashboard.Graph {
	for _, g := range graphs(p) {
		if strings.Contains(g.Title, s) {
			return g
		}
	}
	return nil
}

// An autoscaled variant's dashboard draws InvocationsPerInstance per
// minute (the policy's unit, whatever the graph's period) with the target
// as a horizontal line, and the instance count as Invocations ÷
// InvocationsPerInstance with the min and max lines; it reads only
// metrics real-time endpoints publish.
func TestPlanEndpoint_AutoscalingDrawsTargetAndInstanceCount(t *testing.T) {
	p, err := PlanEndpoint("test", autoscaledProps(t, &Autoscaling{Metric: PredefinedInvocationsPerInstance, Target: 831.6, MinInstances: 2, MaxInstances: 8}))
	if err != nil {
		t.Fatal(err)
	}
	g := graphTitled(p, "InvocationsPerInstance per minute vs autoscaling target")
	if g == nil || g.Annotations == nil || len(g.Annotations.Horizontal) != 1 || g.Annotations.Horizontal[0].Value != 831.6 {
		t.Fatalf("tracked metric graph = %+v; want one target line at 831.6", g)
	}
	if e, ok := g.Metrics[1].(dashboard.Expr); !ok || e.Expression != "asipi * 60 / PERIOD(asipi)" {
		t.Errorf("tracked line = %+v; want InvocationsPerInstance scaled to per minute", g.Metrics[1])
	}
	n := graphTitled(p, "Instances")
	if n == nil || n.Annotations == nil || len(n.Annotations.Horizontal) != 2 || n.Annotations.Horizontal[0].Value != 8 || n.Annotations.Horizontal[1].Value != 2 {
		t.Fatalf("instance graph = %+v; want max 8 and min 2 lines", n)
	}
	if e, ok := n.Metrics[2].(dashboard.Expr); !ok || e.Expression != "IF(asipi > 0, asinv / asipi)" {
		t.Errorf("instance line = %+v; want Invocations ÷ InvocationsPerInstance", n.Metrics[2])
	}
	if problems, _ := unpublished(p, metrics.RealTime()); len(problems) > 0 {
		t.Errorf("unpublished metrics: %v", problems)
	}
}

// With the concurrency metric the target goes on ConcurrentRequestsPerModel
// at its 10 s resolution; without a policy there is no autoscaling row.
func TestPlanEndpoint_AutoscalingOnConcurrencyAndNone(t *testing.T) {
	p, err := PlanEndpoint("test", autoscaledProps(t, &Autoscaling{Metric: PredefinedConcurrentRequests, Target: 4, MinInstances: 1, MaxInstances: 4}))
	if err != nil {
		t.Fatal(err)
	}
	g := graphTitled(p, "ConcurrentRequestsPerModel vs autoscaling target")
	if g == nil || g.Annotations.Horizontal[0].Value != 4 {
		t.Fatalf("concurrency graph = %+v; want the target line at 4", g)
	}
	if m := g.Metrics[0].(dashboard.Metric); m.Name != "ConcurrentRequestsPerModel" || m.Period != 10 || m.Stat != metrics.StatMaximum {
		t.Errorf("concurrency line = %+v; want ConcurrentRequestsPerModel Maximum at 10 s", m)
	}
	if problems, _ := unpublished(p, metrics.RealTime()); len(problems) > 0 {
		t.Errorf("unpublished metrics: %v", problems)
	}
	none, err := PlanEndpoint("test", autoscaledProps(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if graphTitled(none, "autoscaling") != nil || graphTitled(none, "Instances") != nil {
		t.Error("a variant without autoscaling has an autoscaling row")
	}
}
