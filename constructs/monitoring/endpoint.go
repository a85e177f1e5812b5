package monitoring

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/dashboard"
)

// Variant is one production variant with its catalogue entry.
type Variant struct {
	Name     string
	Count    int
	Instance catalog.Instance
}

// EndpointMonitorProps describes one SageMaker real-time endpoint to
// monitor. The values come from a validated config; the construct does not
// check them again.
type EndpointMonitorProps struct {
	// EndpointName is the SageMaker endpoint name.
	EndpointName string
	// Variants are the endpoint's production variants.
	Variants []Variant
	// SLOPercentile (p99) and SLOLatency are the latency objective.
	SLOPercentile string
	SLOLatency    time.Duration
	// Alarms are the thresholds per alarm family and severity.
	Alarms config.Alarms
	// Evaluation is how the alarms evaluate.
	Evaluation Evaluation
	// Description is extra markdown for the dashboard header (optional).
	Description string
	// LoadTestNamespace, when set, adds the load-test rows: the client-side
	// metrics loadgen publishes there, beside the endpoint's own.
	LoadTestNamespace string
	// Muted keeps every alarm of the endpoint, the composite included, off
	// the facade's actions: the alarms exist and show on the dashboard but
	// notify no one. A sizing test's endpoint is muted, since the test
	// breaks the SLO on purpose.
	Muted bool
}

// EndpointMonitor is the alarms and dashboard segment of one endpoint.
type EndpointMonitor struct {
	constructs.Construct
	// Alarms are every threshold alarm, in creation order.
	Alarms []*Alarm
	// Composite is in ALARM while any critical alarm of the endpoint is.
	Composite awscloudwatch.CfnCompositeAlarm
	// CompositeName is the composite alarm's name.
	CompositeName string

	props *EndpointMonitorProps
	names func(parts ...string) string
	rows  [][]dashboard.Cell
	af    *alarmFactory
}

// newEndpointMonitor creates the alarms for props under a new construct and
// builds the dashboard rows. Facade.AddEndpoint is the public entry.
func newEndpointMonitor(scope constructs.Construct, id *string, props *EndpointMonitorProps, names func(...string) string, actions Actions) *EndpointMonitor {
	m := planEndpoint(props, names, actions)
	m.Construct = constructs.NewConstruct(scope, id)
	m.af.materialize(m.Construct)
	return m
}

// planEndpoint computes an endpoint's alarms and dashboard rows without
// creating anything (no jsii runtime needed).
func planEndpoint(props *EndpointMonitorProps, names func(...string) string, actions Actions) *EndpointMonitor {
	m := &EndpointMonitor{props: props, names: names}
	if props.Muted {
		actions = Actions{}
	}
	af := &alarmFactory{eval: props.Evaluation, actions: actions}
	m.af = af

	var header [][]dashboard.Cell
	var body [][]dashboard.Cell
	for vi, v := range props.Variants {
		body = append(body, m.variantRows(af, vi, v)...)
	}
	if len(props.Variants) > 1 {
		body = append(body, m.comparisonRows()...)
	}

	gather := gatherForComposite(m.Alarms)
	arns := make([]string, 0, len(m.Alarms)+1)
	if len(gather) > 0 {
		m.CompositeName = names(props.EndpointName, "AnyCritical")
		af.composite("AnyCritical", m.CompositeName,
			fmt.Sprintf("SageMaker endpoint %s breaks a critical threshold (latency SLO %s ≤ %v). See the dashboard %s.",
				props.EndpointName, props.SLOPercentile, props.SLOLatency, m.DashboardName()), gather, &m.Composite)
		arns = append(arns, dashboard.AlarmARN(m.CompositeName))
	}
	for _, a := range m.Alarms {
		arns = append(arns, dashboard.AlarmARN(a.Name))
	}
	top := []dashboard.Cell{dashboard.TextCell(2*thirdWidth, headerHeight, m.headerMarkdown())}
	if len(arns) > 0 {
		top = append(top, dashboard.AlarmStatusCell(thirdWidth, headerHeight, "Alarms", arns))
	}
	header = append(header, top)
	if props.LoadTestNamespace != "" {
		header = append(header, m.loadTestRows()...)
	}
	m.rows = append(header, body...)
	return m
}

// DashboardName is <prefix>-<endpoint>.
func (m *EndpointMonitor) DashboardName() string { return m.names(m.props.EndpointName) }

// Rows are the dashboard rows: header, one block per variant, and a
// comparison block when the endpoint has several variants.
func (m *EndpointMonitor) Rows() [][]dashboard.Cell { return m.rows }

func (m *EndpointMonitor) headerMarkdown() string {
	p := m.props
	var b strings.Builder
	fmt.Fprintf(&b, "# Endpoint %s\n", p.EndpointName)
	fmt.Fprintf(&b, "**Latency SLO:** %s of ModelLatency ≤ %v · [Endpoint in the SageMaker console](https://console.aws.amazon.com/sagemaker/home?region=%s#/endpoints/%s)\n\n",
		p.SLOPercentile, p.SLOLatency, dashboard.Region, p.EndpointName)
	if p.Description != "" {
		b.WriteString(p.Description + "\n\n")
	}
	if p.Muted {
		b.WriteString("**Alarms notify no one:** they show on this dashboard only.\n\n")
	}
	b.WriteString("| Variant | Instance type | Count | vCPU | Memory | Accelerators | On-demand $/h each |\n|---|---|---|---|---|---|---|\n")
	for _, v := range p.Variants {
		i := v.Instance
		acc := "none"
		if i.AcceleratorCount > 0 {
			acc = fmt.Sprintf("%d× %s (%s GiB)", i.AcceleratorCount, i.AcceleratorModel, num(i.AcceleratorMemoryGiB))
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %s GiB | %s | %.3f |\n", v.Name, i.Type, v.Count, i.VCPUs, num(i.MemoryGiB), acc, i.PricePerHour)
	}
	b.WriteString("\nLatency in ms; CPU and GPU as % of the whole instance (SageMaker's sum over cores ÷ cores); error rates as % of invocations.")
	return b.String()
}

// thresholds adds the warning and critical alarms of one family to m and
// returns their annotations.
func (m *EndpointMonitor) thresholds(af *alarmFactory, vi int, v Variant, f family, stat, what string, warn, crit *float64) []dashboard.Horizontal {
	var ann []dashboard.Horizontal
	for _, s := range []struct {
		sev string
		val *float64
	}{{Warning, warn}, {Critical, crit}} {
		if s.val == nil {
			continue
		}
		a := af.add(alarmSpec{
			id:       fmt.Sprintf("V%d%s%s", vi, f.key, s.sev),
			name:     m.names(m.props.EndpointName, v.Name, f.key, s.sev),
			fam:      f,
			dims:     variantMetrics{endpoint: m.props.EndpointName, variant: v.Name}.dims(),
			stat:     stat,
			display:  *s.val,
			severity: s.sev,
			what:     what,
			description: fmt.Sprintf("%s %s of SageMaker endpoint %s variant %s (%s) is above %s %s (%s in the published unit).",
				statLabel(stat), f.metric, m.props.EndpointName, v.Name, v.Instance.Type, num(*s.val), f.unit, num(f.toPublished(*s.val))),
		})
		m.Alarms = append(m.Alarms, a)
		ann = append(ann, a.Annotation)
	}
	return ann
}

func ms(d *config.Duration) *float64 {
	if d == nil {
		return nil
	}
	v := float64(d.Microseconds()) / 1000
	return &v
}

func pct(p *config.Percent) *float64 {
	if p == nil {
		return nil
	}
	v := p.Value
	return &v
}

func (m *EndpointMonitor) variantRows(af *alarmFactory, vi int, v Variant) [][]dashboard.Cell {
	p := m.props
	a := p.Alarms
	vm := variantMetrics{endpoint: p.EndpointName, variant: v.Name, instance: v.Instance, period: int(time.Minute.Seconds())}
	inst := v.Instance

	// Latency: the standard percentiles, plus the alarm's statistic.
	latStats := []string{"p50", "p90", "p99"}
	sloMs := float64(p.SLOLatency.Microseconds()) / 1000
	latAnn := []dashboard.Horizontal{sloLine(p.SLOPercentile, sloMs)}
	if !slices.Contains(latStats, p.SLOPercentile) {
		latStats = append(latStats, p.SLOPercentile)
	}
	if t := a.ModelLatency; t != nil {
		stat := t.Statistic.String()
		latAnn = append(latAnn, m.thresholds(af, vi, v, modelLatency(), stat, "ModelLatency "+statLabel(stat), ms(t.Warning), ms(t.Critical))...)
		if !slices.Contains(latStats, stat) {
			latStats = append(latStats, stat)
		}
	}
	var latLines []dashboard.Line
	for i, s := range latStats {
		latLines = append(latLines, vm.display(modelLatency(), s, lineID("lat", i), "ModelLatency "+statLabel(s)+" (ms)", "")...)
	}

	ovStats := []string{"Average", "Maximum"}
	var ovAnn []dashboard.Horizontal
	if t := a.OverheadLatency; t != nil {
		stat := t.Statistic.String()
		ovAnn = m.thresholds(af, vi, v, overheadLatency(), stat, "OverheadLatency "+statLabel(stat), ms(t.Warning), ms(t.Critical))
		if !slices.Contains(ovStats, stat) {
			ovStats = append(ovStats, stat)
		}
	}
	var ovLines []dashboard.Line
	for i, s := range ovStats {
		ovLines = append(ovLines, vm.display(overheadLatency(), s, lineID("ov", i), "OverheadLatency "+statLabel(s)+" (ms)", "")...)
	}

	traffic := []dashboard.Line{
		vm.count(metricInvocations, "inv", "Invocations"),
		vm.count(metricInvocationsPerInstance, "invpi", "Invocations per instance"),
	}

	var errAnn []dashboard.Horizontal
	if t := a.Invocation5XXErrorRate; t != nil {
		errAnn = append(errAnn, m.thresholds(af, vi, v, invocation5XXRate(), "Average", "5XX rate", pct(t.Warning), pct(t.Critical))...)
	}
	if t := a.ModelErrorRate; t != nil {
		errAnn = append(errAnn, m.thresholds(af, vi, v, modelErrorRate(), "Average", "model error rate", pct(t.Warning), pct(t.Critical))...)
	}
	var errLines []dashboard.Line
	errLines = append(errLines, vm.display(invocation4XXRate(), "Average", "e4", "4XX errors (%)", "")...)
	errLines = append(errLines, vm.display(invocation5XXRate(), "Average", "e5", "5XX errors (%)", "")...)
	errLines = append(errLines, vm.display(modelErrorRate(), "Average", "emodel", "Model errors (%)", "")...)

	var cpuAnn []dashboard.Horizontal
	if t := a.CPUUtilization; t != nil {
		cpuAnn = m.thresholds(af, vi, v, cpuUtilization(inst), "Average", "CPU", pct(t.Warning), pct(t.Critical))
	}
	cpuLines := append(vm.display(cpuUtilization(inst), "Average", "cpu", "CPU avg (% of instance)", ""),
		vm.display(cpuUtilization(inst), "Maximum", "cpumax", "CPU max (% of instance)", "")...)

	var memAnn []dashboard.Horizontal
	if t := a.MemoryUtilization; t != nil {
		memAnn = append(memAnn, m.thresholds(af, vi, v, memoryUtilization(), "Average", "memory", pct(t.Warning), pct(t.Critical))...)
	}
	if t := a.DiskUtilization; t != nil {
		memAnn = append(memAnn, m.thresholds(af, vi, v, diskUtilization(), "Average", "disk", pct(t.Warning), pct(t.Critical))...)
	}
	memLines := append(vm.display(memoryUtilization(), "Average", "mem", "Memory (%)", ""),
		vm.display(diskUtilization(), "Average", "disk", "Disk (%)", "")...)

	title := fmt.Sprintf("## Variant %s · %d× %s", v.Name, v.Count, inst.Type)
	rows := [][]dashboard.Cell{
		{titleCell(title)},
		{
			graphCell(thirdWidth, v.Name+": ModelLatency (ms)", latLines, dashboard.FromZeroAxis("ms"), latAnn),
			graphCell(thirdWidth, v.Name+": OverheadLatency (ms)", ovLines, dashboard.FromZeroAxis("ms"), ovAnn),
			graphCell(thirdWidth, v.Name+": Invocations (per minute)", traffic, dashboard.FromZeroAxis("count"), nil),
		},
		{
			graphCell(thirdWidth, v.Name+": Errors (% of invocations)", errLines, dashboard.FromZeroAxis("%"), errAnn),
			graphCell(thirdWidth, fmt.Sprintf("%s: CPU (%% of %s)", v.Name, plural(inst.VCPUs, "vCPU")), cpuLines, dashboard.PercentAxis(), cpuAnn),
			graphCell(thirdWidth, v.Name+": Memory and disk (%)", memLines, dashboard.PercentAxis(), memAnn),
		},
	}
	if inst.GPUs() > 0 {
		var gAnn, gmAnn []dashboard.Horizontal
		if t := a.GPUUtilization; t != nil {
			gAnn = m.thresholds(af, vi, v, gpuUtilization(inst), "Average", "GPU", pct(t.Warning), pct(t.Critical))
		}
		if t := a.GPUMemoryUtilization; t != nil {
			gmAnn = m.thresholds(af, vi, v, gpuMemoryUtilization(inst), "Average", "GPU memory", pct(t.Warning), pct(t.Critical))
		}
		rows = append(rows, []dashboard.Cell{
			graphCell(halfWidth, fmt.Sprintf("%s: GPU (%% of %s)", v.Name, plural(inst.GPUs(), "GPU")),
				append(vm.display(gpuUtilization(inst), "Average", "gpu", "GPU avg (% of instance)", ""),
					vm.display(gpuUtilization(inst), "Maximum", "gpumax", "GPU max (% of instance)", "")...),
				dashboard.PercentAxis(), gAnn),
			graphCell(halfWidth, fmt.Sprintf("%s: GPU memory (%% of %s)", v.Name, plural(inst.GPUs(), "GPU")),
				vm.display(gpuMemoryUtilization(inst), "Average", "gpumem", "GPU memory (% of instance)", ""),
				dashboard.PercentAxis(), gmAnn),
		})
	}
	return rows
}

// comparisonRows draws one graph per metric with a line per variant.
func (m *EndpointMonitor) comparisonRows() [][]dashboard.Cell {
	p := m.props
	sloMs := float64(p.SLOLatency.Microseconds()) / 1000
	var lat, inv, errs, cpu, mem, gpu []dashboard.Line
	anyGPU := false
	for i, v := range p.Variants {
		vm := variantMetrics{endpoint: p.EndpointName, variant: v.Name, instance: v.Instance, period: int(time.Minute.Seconds())}
		label := v.Name + " (" + v.Instance.Type + ")"
		lat = append(lat, vm.display(modelLatency(), p.SLOPercentile, lineID("lat", i), label, "")...)
		inv = append(inv, vm.count(metricInvocationsPerInstance, lineID("inv", i), label))
		errs = append(errs, vm.display(invocation5XXRate(), "Average", lineID("e5", i), label, "")...)
		cpu = append(cpu, vm.display(cpuUtilization(v.Instance), "Average", lineID("cpu", i), label, "")...)
		mem = append(mem, vm.display(memoryUtilization(), "Average", lineID("mem", i), label, "")...)
		if v.Instance.GPUs() > 0 {
			anyGPU = true
			gpu = append(gpu, vm.display(gpuUtilization(v.Instance), "Average", lineID("gpu", i), label, "")...)
		}
	}
	rows := [][]dashboard.Cell{
		{titleCell("## Variants compared")},
		{
			graphCell(thirdWidth, "ModelLatency "+p.SLOPercentile+" by variant (ms)", lat, dashboard.FromZeroAxis("ms"), []dashboard.Horizontal{sloLine(p.SLOPercentile, sloMs)}),
			graphCell(thirdWidth, "Invocations per instance by variant", inv, dashboard.FromZeroAxis("count"), nil),
			graphCell(thirdWidth, "5XX errors by variant (%)", errs, dashboard.FromZeroAxis("%"), nil),
		},
		{
			graphCell(thirdWidth, "CPU by variant (% of instance)", cpu, dashboard.PercentAxis(), nil),
			graphCell(thirdWidth, "Memory by variant (%)", mem, dashboard.PercentAxis(), nil),
		},
	}
	if anyGPU {
		rows[2] = append(rows[2], graphCell(thirdWidth, "GPU by variant (% of instance)", gpu, dashboard.PercentAxis(), nil))
	}
	return rows
}

// dashboardBody renders m's rows as a dashboard body.
func dashboardBody(rows [][]dashboard.Cell) dashboard.Body {
	return dashboard.Body{Start: "-PT3H", PeriodOverride: "auto", Widgets: dashboard.Layout(rows...)}
}

// plural renders "1 GPU" or "4 GPUs".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
