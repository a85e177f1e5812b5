package monitoring

import (
	"fmt"

	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
)

// Autoscaling is a variant's target-tracking policy as its dashboard shows
// it: the target drawn on the tracked metric, and the instance count.
type Autoscaling struct {
	// Metric is the predefined metric type the policy tracks:
	// PredefinedInvocationsPerInstance or PredefinedConcurrentRequests.
	Metric string
	// Target is the metric's target (invocations per instance per minute,
	// or concurrent requests per model).
	Target float64
	// MinInstances and MaxInstances bound the instance count.
	MinInstances, MaxInstances int
}

// The predefined metric types of Application Auto Scaling that Autoscaling.Metric takes.
const (
	PredefinedInvocationsPerInstance = "SageMakerVariantInvocationsPerInstance"
	PredefinedConcurrentRequests     = "SageMakerVariantConcurrentRequestsPerModelHighResolution"
)

// concurrentRequestsPerModel is the metric behind PredefinedConcurrentRequests,
// published every 10 s ("Define a scaling policy", SageMaker Developer Guide).
const (
	concurrentRequestsPerModel = "ConcurrentRequestsPerModel"
	highResolutionPeriod       = 10
)

// autoscalingRows is variant v's autoscaling row: the tracked metric with
// the target line, and the instance count over time. None without a policy.
//
// SageMaker publishes no instance count metric, and Application Auto
// Scaling publishes none either. InvocationsPerInstance is 1/n per request
// for a variant of n active instances (SageMaker API Reference,
// ScalingPolicyMetric), so Invocations ÷ InvocationsPerInstance over a
// period is the request-weighted instance count: exact while the count is
// steady, blank in periods without traffic.
func (p *EndpointPlan) autoscalingRows(v Variant) [][]dashboard.Cell {
	a := v.Autoscaling
	if a == nil {
		return nil
	}
	vm := newVariantMetrics(p.props.EndpointName, v.Name)
	inv := vm.count(metrics.Invocations, "asinv", "")
	ipi := vm.count(metrics.InvocationsPerInstance, "asipi", "")
	inv.Hidden, ipi.Hidden = true, true
	count := dashboard.Expr{Expression: "IF(asipi > 0, asinv / asipi)", ID: "asn", Label: "Instances (Invocations ÷ InvocationsPerInstance)"}
	bounds := []dashboard.Horizontal{
		{Label: fmt.Sprintf("max %d", a.MaxInstances), Value: float64(a.MaxInstances), Color: colorSLO},
		{Label: fmt.Sprintf("min %d", a.MinInstances), Value: float64(a.MinInstances)},
	}
	title := fmt.Sprintf("### Variant %s autoscaling · %d–%d instances · target %s", v.Name, a.MinInstances, a.MaxInstances, targetText(a))
	return [][]dashboard.Cell{
		{titleCell(title)},
		{
			p.trackedMetricCell(vm, v, a, ipi),
			graphCell(halfWidth, v.Name+": Instances (from InvocationsPerInstance)", []dashboard.Line{inv, ipi, count}, dashboard.FromZeroAxis("instances"), bounds),
		},
	}
}

// trackedMetricCell graphs the metric a tracks with the target line:
// InvocationsPerInstance per minute whatever the graph's period (the
// policy's unit), or the concurrent requests per model at 10 s.
func (p *EndpointPlan) trackedMetricCell(vm variantMetrics, v Variant, a *Autoscaling, ipi dashboard.Metric) dashboard.Cell {
	target := []dashboard.Horizontal{{Label: "autoscaling target " + targetText(a), Value: a.Target, Color: colorSLO}}
	if a.Metric == PredefinedConcurrentRequests {
		lines := []dashboard.Line{
			dashboard.Metric{Namespace: metrics.NamespaceInvocations, Name: concurrentRequestsPerModel, Dims: vm.dims(), Stat: metrics.StatMaximum, Period: highResolutionPeriod, ID: "asconc", Label: "ConcurrentRequestsPerModel max (10 s)"},
		}
		return graphCell(halfWidth, v.Name+": ConcurrentRequestsPerModel vs autoscaling target", lines, dashboard.FromZeroAxis("requests"), target)
	}
	lines := []dashboard.Line{ipi, dashboard.Expr{Expression: "asipi * 60 / PERIOD(asipi)", ID: "asipm", Label: "InvocationsPerInstance per minute"}}
	return graphCell(halfWidth, v.Name+": InvocationsPerInstance per minute vs autoscaling target", lines, dashboard.FromZeroAxis("per minute"), target)
}

// targetText renders the target with its unit.
func targetText(a *Autoscaling) string {
	if a.Metric == PredefinedConcurrentRequests {
		return num(a.Target) + " concurrent requests per model"
	}
	return num(a.Target) + " invocations per instance per minute"
}
