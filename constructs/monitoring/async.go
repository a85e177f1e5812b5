package monitoring

import (
	"fmt"

	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/naming"
)

// Asynchronous endpoints publish only metrics.Async: their queue per
// endpoint (EndpointName alone), per variant ModelLatency, 4XX and 5XX
// errors, the request pipeline (TimeInBacklog, TotalProcessingTime,
// InvocationsProcesssed and the failures) and the instance metrics; no
// Invocations, InvocationsPerInstance, OverheadLatency or
// InvocationModelErrors. Their segment draws exactly those.

// Async families. The age of the oldest request is published in seconds
// and shown so; TotalProcessingTime in milliseconds; failures are counts.
func oldestRequestAge() family {
	return family{key: naming.FamilyOldestRequestAge, namespace: metrics.NamespaceInvocations, metric: metrics.ApproximateAgeOfOldestRequest, unit: "s", scale: metrics.Same()}
}
func invocationFailures() family {
	return family{key: naming.FamilyInvocationFailures, namespace: metrics.NamespaceInvocations, metric: metrics.InvocationFailures, unit: "failures", scale: metrics.Same()}
}
func timeInBacklog() family { return latencyFamily(metrics.TimeInBacklog, metrics.TimeInBacklog) }
func totalProcessingTime() family {
	return family{key: metrics.TotalProcessingTime, namespace: metrics.NamespaceInvocations, metric: metrics.TotalProcessingTime, unit: "ms", scale: metrics.Same()}
}

// endpointMetric is a metric published per endpoint (EndpointName alone).
func (p *EndpointPlan) endpointMetric(name, stat, id, label string) dashboard.Metric {
	return dashboard.Metric{Namespace: metrics.NamespaceInvocations, Name: name, Dims: p.endpointDims(), Stat: stat, Period: sageMakerPeriod, ID: id, Label: label}
}

func (p *EndpointPlan) endpointDims() []dashboard.Dim {
	return []dashboard.Dim{{Name: metrics.DimEndpointName, Value: p.props.EndpointName}}
}

// queueRows are the asynchronous endpoint's queue: backlog, age of the
// oldest request (with its alarms, planned here, before the variants') and
// whether requests wait with no instance to serve them.
func (p *EndpointPlan) queueRows() [][]dashboard.Cell {
	e := p.props
	avg, maxStat := metrics.StatAverage, metrics.StatMaximum
	f := oldestRequestAge()
	ann := annotations(p.af.thresholds(e.Alarms.OldestRequestAge, alarmSpec{
		idPrefix: "E" + f.key,
		name: func(severity string) string {
			return naming.EndpointLevelAlarm(p.prefix, e.label(), f.key, severity)
		},
		fam: f, dims: p.endpointDims(), stat: maxStat, what: "oldest request age",
		description: func(shown float64) string {
			return fmt.Sprintf("The oldest queued request of asynchronous SageMaker endpoint %s (%s Maximum) is older than %s s.", e.EndpointName, f.metric, num(shown))
		},
	}))
	backlog := []dashboard.Line{
		p.endpointMetric(metrics.ApproximateBacklogSize, avg, "bl", "backlog avg"),
		p.endpointMetric(metrics.ApproximateBacklogSize, maxStat, "blmax", "backlog max"),
		p.endpointMetric(metrics.ApproximateBacklogSizePerInstance, avg, "blpi", "backlog per instance avg"),
	}
	age := []dashboard.Line{p.endpointMetric(metrics.ApproximateAgeOfOldestRequest, maxStat, "age", "oldest request max (s)")}
	noCap := []dashboard.Line{p.endpointMetric(metrics.HasBacklogWithoutCapacity, maxStat, "nocap", "1 = requests wait with no instance")}
	return [][]dashboard.Cell{
		{titleCell("## Queue (asynchronous endpoint)")},
		{
			graphCell(thirdWidth, "Backlog (requests)", backlog, dashboard.FromZeroAxis("count"), nil),
			graphCell(thirdWidth, "Age of the oldest request (s)", age, dashboard.FromZeroAxis("s"), ann),
			graphCell(thirdWidth, "Backlog without capacity", noCap, dashboard.FromZeroAxis("0/1"), nil),
		},
	}
}

// asyncRows are the dashboard rows of one variant of an asynchronous
// endpoint: model latency, queueing and processing time, processed
// invocations; errors, failures and CPU; memory; GPU.
func (p *EndpointPlan) asyncRows(vi int, v Variant) [][]dashboard.Cell {
	e := p.props
	a := e.Alarms
	vm := newVariantMetrics(e.EndpointName, v.Name)
	avg, maxStat := metrics.StatAverage, metrics.StatMaximum

	latLines, latAnn := p.latencyGraph(vi, v, modelLatency(), "lat", withStat([]string{"p50", "p90", "p99"}, e.SLOPercentile), a.ModelLatency)
	latAnn = append(sloLines(e.SLOPercentile, e.SLOLatency), latAnn...)
	pipeline := append(vm.display(timeInBacklog(), avg, "tib", "TimeInBacklog avg (ms)", ""),
		vm.display(timeInBacklog(), maxStat, "tibmax", "TimeInBacklog max (ms)", "")...)
	pipeline = append(pipeline, vm.display(totalProcessingTime(), avg, "tpt", "TotalProcessingTime avg (ms)", "")...)
	pipeline = append(pipeline, vm.display(totalProcessingTime(), maxStat, "tptmax", "TotalProcessingTime max (ms)", "")...)
	processed := []dashboard.Line{vm.count(metrics.InvocationsProcesssed, "proc", "Invocations processed")}

	errAnn := p.thresholds(vi, v, invocation5XXRate(), avg, "5XX rate", a.Invocation5XXErrorRate)
	errLines := append(vm.display(invocation4XXRate(), avg, "e4", "4XX errors (%)", ""),
		vm.display(invocation5XXRate(), avg, "e5", "5XX errors (%)", "")...)
	failAnn := p.thresholds(vi, v, invocationFailures(), metrics.StatSum, "invocation failures", a.InvocationFailures)
	var failures []dashboard.Line
	for i, m := range []string{metrics.InvocationFailures, metrics.RequestDownloadFailures, metrics.ResponseUploadFailures, metrics.NotificationFailures, metrics.ExpiredRequests} {
		failures = append(failures, vm.count(m, lineID("fail", i), m))
	}
	cpu, mem, gpu := p.utilizationCells(vi, v)

	rows := [][]dashboard.Cell{
		{titleCell(fmt.Sprintf("## Variant %s · %d× %s (asynchronous)", v.Name, v.Count, v.Instance.Type))},
		{
			graphCell(thirdWidth, v.Name+": ModelLatency (ms)", latLines, dashboard.FromZeroAxis("ms"), latAnn),
			graphCell(thirdWidth, v.Name+": Time in backlog and total processing (ms)", pipeline, dashboard.FromZeroAxis("ms"), nil),
			graphCell(thirdWidth, v.Name+": Invocations processed (per minute)", processed, dashboard.FromZeroAxis("count"), nil),
		},
		{
			graphCell(thirdWidth, v.Name+": Errors (% of responses)", errLines, dashboard.FromZeroAxis("%"), errAnn),
			graphCell(thirdWidth, v.Name+": Failures (per minute)", failures, dashboard.FromZeroAxis("count"), failAnn),
			cpu,
		},
		{mem},
	}
	if len(gpu) > 0 {
		rows = append(rows, gpu)
	}
	return rows
}
