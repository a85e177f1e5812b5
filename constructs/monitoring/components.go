package monitoring

import (
	"fmt"
	"strings"

	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/naming"
)

// Endpoints hosting inference components publish their invocation metrics
// per component (InferenceComponentName), the utilization of each
// component normalized to its reservation in
// /aws/sagemaker/InferenceComponents, and per variant the instance metrics
// with the reservations and the normalized utilization
// (metrics.InferenceComponents). Every alarm is per component.

// Component is one inference component with its copies and per-copy
// reservation (0 when not given).
type Component struct {
	Name                   string
	Copies                 int
	CPUCores, Accelerators float64
	MemoryMiB              int
}

// componentTable is the header's table of components.
func componentTable(cs []Component) string {
	var b strings.Builder
	b.WriteString("| Inference component | Copies | CPU cores | Memory | Accelerators (per copy) |\n|---|---|---|---|---|\n")
	for _, c := range cs {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s |\n", c.Name, c.Copies, orNone(num(c.CPUCores), c.CPUCores == 0),
			orNone(fmt.Sprintf("%d MiB", c.MemoryMiB), c.MemoryMiB == 0), orNone(num(c.Accelerators), c.Accelerators == 0))
	}
	b.WriteString("\nComponent utilization is % of the component's reservation (or limit); instance utilization and reservations are % of the instance.")
	return b.String()
}

func orNone(s string, none bool) string {
	if none {
		return "–"
	}
	return s
}

// Component families: latency and errors as for variants, utilization
// normalized (0–100) in the inference components namespace.
func componentUtilization(key, metric string) family {
	return family{key: key, namespace: metrics.NamespaceInferenceComponents, metric: metric, unit: "%", scale: metrics.Same()}
}

// componentMetrics builds the lines of one inference component.
func (p *EndpointPlan) componentMetrics(c Component) variantMetrics {
	return variantMetrics{period: sageMakerPeriod, custom: []dashboard.Dim{{Name: metrics.DimInferenceComponentName, Value: c.Name}}}
}

// anyGPU reports whether a variant of the endpoint has a GPU.
func (p *EndpointPlan) anyGPU() bool {
	for _, v := range p.props.Variants {
		if v.Instance.GPUs() > 0 {
			return true
		}
	}
	return false
}

// componentThresholds plans the alarms of t on family f of component c.
func (p *EndpointPlan) componentThresholds(ci int, c Component, f family, stat, what string, t *Thresholds) []dashboard.Horizontal {
	e := p.props.EndpointName
	return annotations(p.af.thresholds(t, alarmSpec{
		idPrefix: fmt.Sprintf("C%d%s", ci, f.key),
		name: func(severity string) string {
			return naming.ComponentAlarm(p.prefix, p.props.label(), c.Name, f.key, severity)
		},
		fam: f, dims: p.componentMetrics(c).dims(), stat: stat, what: what,
		description: func(shown float64) string {
			return fmt.Sprintf("%s %s of inference component %s on SageMaker endpoint %s is above %s %s (%s in the published unit).",
				statLabel(stat), f.metric, c.Name, e, num(shown), f.unit, num(f.scale.ToPublished(shown)))
		},
	}))
}

// componentEndpointRows are the rows of every component, then the
// instances of every variant.
func (p *EndpointPlan) componentEndpointRows() [][]dashboard.Cell {
	var rows [][]dashboard.Cell
	for ci, c := range p.props.Components {
		rows = append(rows, p.componentRows(ci, c)...)
	}
	for _, v := range p.props.Variants {
		rows = append(rows, p.instanceRows(v)...)
	}
	return rows
}

// componentRows plans component c's alarms and returns its rows: latency,
// overhead, traffic; errors, CPU and memory of its reservation; GPU.
func (p *EndpointPlan) componentRows(ci int, c Component) [][]dashboard.Cell {
	e := p.props
	a := e.Alarms
	cm := p.componentMetrics(c)
	avg, maxStat := metrics.StatAverage, metrics.StatMaximum
	latency := func(f family, id string, stats []string, t *LatencyThresholds) ([]dashboard.Line, []dashboard.Horizontal) {
		var ann []dashboard.Horizontal
		if t != nil {
			ann = p.componentThresholds(ci, c, f, t.Statistic, f.metric+" "+statLabel(t.Statistic), &t.Thresholds)
			stats = withStat(stats, t.Statistic)
		}
		var lines []dashboard.Line
		for i, s := range stats {
			lines = append(lines, cm.display(f, s, lineID(id, i), f.metric+" "+statLabel(s)+" (ms)", "")...)
		}
		return lines, ann
	}
	latLines, latAnn := latency(modelLatency(), "lat", withStat([]string{"p50", "p90", "p99"}, e.SLOPercentile), a.ModelLatency)
	latAnn = append(sloLines(e.SLOPercentile, e.SLOLatency), latAnn...)
	ovLines, ovAnn := latency(overheadLatency(), "ov", []string{avg, maxStat}, a.OverheadLatency)
	traffic := []dashboard.Line{
		cm.count(metrics.Invocations, "inv", "Invocations"),
		cm.count(metrics.InvocationsPerCopy, "invpc", "Invocations per copy"),
		dashboard.Metric{Namespace: metrics.NamespaceInvocations, Name: metrics.ConcurrentRequestsPerCopy, Dims: cm.dims(), Stat: maxStat, Period: cm.period, ID: "conc", Label: "Concurrent requests per copy (max)"},
	}
	errAnn := append(p.componentThresholds(ci, c, invocation5XXRate(), avg, "5XX rate", a.Invocation5XXErrorRate),
		p.componentThresholds(ci, c, modelErrorRate(), avg, "model error rate", a.ModelErrorRate)...)
	errLines := append(cm.display(invocation4XXRate(), avg, "e4", "4XX errors (%)", ""), cm.display(invocation5XXRate(), avg, "e5", "5XX errors (%)", "")...)
	errLines = append(errLines, cm.display(modelErrorRate(), avg, "emodel", "Model errors (%)", "")...)
	cpuF := componentUtilization(naming.FamilyCPUUtilization, metrics.CPUUtilizationNormalized)
	memF := componentUtilization(naming.FamilyMemoryUtilization, metrics.MemoryUtilizationNormalized)
	utilAnn := append(p.componentThresholds(ci, c, cpuF, avg, "CPU", a.CPUUtilization), p.componentThresholds(ci, c, memF, avg, "memory", a.MemoryUtilization)...)
	util := append(cm.display(cpuF, avg, "cpu", "CPU avg (% of reservation)", ""), cm.display(cpuF, maxStat, "cpumax", "CPU max (% of reservation)", "")...)
	util = append(util, cm.display(memF, avg, "mem", "Memory avg (% of reservation)", "")...)
	rows := [][]dashboard.Cell{
		{titleCell(fmt.Sprintf("## Inference component %s · %s", c.Name, plural(c.Copies, "copy")))},
		{
			graphCell(thirdWidth, c.Name+": ModelLatency (ms)", latLines, dashboard.FromZeroAxis("ms"), latAnn),
			graphCell(thirdWidth, c.Name+": OverheadLatency (ms)", ovLines, dashboard.FromZeroAxis("ms"), ovAnn),
			graphCell(thirdWidth, c.Name+": Invocations (per minute)", traffic, dashboard.FromZeroAxis("count"), nil),
		},
		{
			graphCell(thirdWidth, c.Name+": Errors (% of invocations)", errLines, dashboard.FromZeroAxis("%"), errAnn),
			graphCell(thirdWidth, c.Name+": CPU and memory (% of reservation)", util, dashboard.PercentAxis(), utilAnn),
		},
	}
	if p.anyGPU() {
		gF := componentUtilization(naming.FamilyGPUUtilization, metrics.GPUUtilizationNormalized)
		gmF := componentUtilization(naming.FamilyGPUMemoryUtilization, metrics.GPUMemoryUtilizationNormalized)
		gAnn := append(p.componentThresholds(ci, c, gF, avg, "GPU", a.GPUUtilization), p.componentThresholds(ci, c, gmF, avg, "GPU memory", a.GPUMemoryUtilization)...)
		g := append(cm.display(gF, avg, "gpu", "GPU avg (% of reservation)", ""), cm.display(gF, maxStat, "gpumax", "GPU max (% of reservation)", "")...)
		g = append(g, cm.display(gmF, avg, "gpumem", "GPU memory avg (% of reservation)", "")...)
		rows[2] = append(rows[2], graphCell(thirdWidth, c.Name+": GPU and GPU memory (% of reservation)", g, dashboard.PercentAxis(), gAnn))
	}
	return rows
}

// instanceRows are one variant's instances on a components endpoint:
// normalized utilization beside what the components reserve.
func (p *EndpointPlan) instanceRows(v Variant) [][]dashboard.Cell {
	vm := newVariantMetrics(p.props.EndpointName, v.Name)
	avg, maxStat := metrics.StatAverage, metrics.StatMaximum
	inst := func(metric string) family {
		return utilization(metrics.NamespaceInstances, metric, metric, 1)
	}
	line := func(metric, stat, id, label string) []dashboard.Line {
		return vm.display(inst(metric), stat, id, label, "")
	}
	cpu := append(line(metrics.CPUUtilizationNormalized, avg, "icpu", "CPU avg"), line(metrics.CPUUtilizationNormalized, maxStat, "icpumax", "CPU max")...)
	cpu = append(cpu, line(metrics.CPUReservation, avg, "icpures", "CPU reserved")...)
	mem := append(line(metrics.MemoryUtilization, avg, "imem", "Memory"), line(metrics.MemoryReservation, avg, "imemres", "Memory reserved")...)
	mem = append(mem, line(metrics.DiskUtilization, avg, "idisk", "Disk")...)
	row := []dashboard.Cell{
		graphCell(thirdWidth, v.Name+": instance CPU (% of instance)", cpu, dashboard.PercentAxis(), nil),
		graphCell(thirdWidth, v.Name+": instance memory and disk (%)", mem, dashboard.PercentAxis(), nil),
	}
	if v.Instance.GPUs() > 0 {
		g := append(line(metrics.GPUUtilizationNormalized, avg, "igpu", "GPU avg"), line(metrics.GPUUtilizationNormalized, maxStat, "igpumax", "GPU max")...)
		g = append(g, line(metrics.GPUMemoryUtilizationNormalized, avg, "igpumem", "GPU memory")...)
		g = append(g, line(metrics.GPUReservation, avg, "igpures", "GPU reserved")...)
		row = append(row, graphCell(thirdWidth, v.Name+": instance GPU (% of instance)", g, dashboard.PercentAxis(), nil))
	}
	return [][]dashboard.Cell{
		{titleCell(fmt.Sprintf("## Instances of variant %s · %d× %s", v.Name, v.Count, v.Instance.Type))},
		row,
	}
}
