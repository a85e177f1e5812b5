package monitoring

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/naming"
)

// Variant is one production variant with its catalogue entry, or its
// serverless configuration.
type Variant struct {
	Name     string
	Count    int
	Instance catalog.Instance
	// Serverless is set on a serverless variant, which has no instance
	// (Instance and Count are zero) and publishes no CPU, GPU or disk
	// metrics.
	Serverless *Serverless
	// Autoscaling, when set, adds the variant's autoscaling row.
	Autoscaling *Autoscaling
}

// Serverless is a serverless variant's memory and concurrency, and its
// compute price (USD per GB-second of memory) for the header's cost
// columns; PriceConfigured says the config set it (else it is the
// catalogue's unverified rate).
type Serverless struct {
	MemorySizeInMB, MaxConcurrency, ProvisionedConcurrency int
	PricePerGBSecond                                       float64
	PriceConfigured                                        bool
}

// LatencyThresholds are upper bounds, in milliseconds, on one statistic of
// a latency metric.
type LatencyThresholds struct {
	// Statistic is a percentile (p99), Average, Maximum or Minimum.
	Statistic string
	Thresholds
}

// EndpointAlarms are an endpoint's thresholds per alarm family, in display
// units: milliseconds for latencies, percent for error rates, and percent
// of the whole instance for utilizations. A nil family has no alarms.
type EndpointAlarms struct {
	ModelLatency           *LatencyThresholds
	OverheadLatency        *LatencyThresholds
	Invocation5XXErrorRate *Thresholds
	ModelErrorRate         *Thresholds
	CPUUtilization         *Thresholds
	GPUUtilization         *Thresholds
	GPUMemoryUtilization   *Thresholds
	MemoryUtilization      *Thresholds
	DiskUtilization        *Thresholds
	// OldestRequestAge (seconds, per endpoint) and InvocationFailures
	// (failures per alarm period, per variant) are asynchronous endpoints'.
	OldestRequestAge   *Thresholds
	InvocationFailures *Thresholds
	// ModelLoadingWaitTime (ms) and ModelCacheHitRatio (%, lower bounds)
	// are multi-model endpoints'.
	ModelLoadingWaitTime *LatencyThresholds
	ModelCacheHitRatio   *Thresholds
}

// EndpointMonitorProps describes one SageMaker real-time endpoint to
// monitor. The values come from a validated config; the construct does not
// check them again.
type EndpointMonitorProps struct {
	// EndpointName is the SageMaker endpoint name.
	EndpointName string
	// Label is the endpoint's part of its dashboard and alarm names
	// (<prefix>-<Label>, <prefix>-<Label>-<variant>-...); default
	// EndpointName. The sizing endpoint, whose name already carries the
	// prefix, is labelled "sizing" so that its names do not repeat it.
	Label string
	// Variants are the endpoint's production variants.
	Variants []Variant
	// SLOPercentile (p99) and SLOLatency are the latency objective.
	SLOPercentile string
	SLOLatency    time.Duration
	// Alarms are the thresholds per alarm family and severity.
	Alarms EndpointAlarms
	// Evaluation is how the alarms evaluate.
	Evaluation Evaluation
	// Description is extra markdown for the dashboard header (optional).
	Description string
	// LoadTestNamespace, when set, adds the load-test rows: the client-side
	// metrics loadgen publishes there, beside the endpoint's own.
	LoadTestNamespace string
	// Stream, with LoadTestNamespace, makes the load test a streaming LLM
	// test: the load-test rows gain TTFT, inter-token gaps, TPOT, output
	// tokens/s and goodput beside GPU and GPU memory utilization.
	Stream *StreamProps
	// Async marks an asynchronous endpoint: a queue segment, and per
	// variant the request pipeline instead of Invocations and
	// OverheadLatency, which it does not publish.
	Async bool
	// MultiModel marks a multi-model endpoint: a model loading row per
	// variant.
	MultiModel bool
	// Components, when set, are the inference components the endpoint
	// hosts: they carry the invocation metrics and every alarm; the
	// variants show the instances' normalized utilization and reservations.
	Components []Component
	// SharedDashboard, when set, is the shared dashboard that shows the
	// endpoint (see PlanShared and SharedDashboardName): the endpoint gets
	// no dashboard of its own, and its names and links point there.
	SharedDashboard string
	// EnhancedPeriod, when above zero, is the period at which the
	// endpoint's configuration publishes enhanced metrics: a row per
	// instance-backed variant draws per-instance and per-GPU utilization
	// at that period.
	EnhancedPeriod time.Duration
	// Muted keeps every alarm of the endpoint, the composite included, off
	// the facade's actions: the alarms exist and show on the dashboard but
	// notify no one. A sizing test's endpoint is muted, since the test
	// breaks the SLO on purpose.
	Muted bool
}

// EndpointPlan is the monitoring of one endpoint, planned without creating
// anything (no jsii runtime is needed): its alarms, its dashboard, rendered
// once, and what they add to a stack. The app spreads endpoints across
// stacks by the plans' footprints, then Facade.AddEndpoint builds each plan
// as it was measured.
type EndpointPlan struct {
	prefix        string
	props         EndpointMonitorProps
	af            *alarmFactory
	compositeName string
	rows          [][]dashboard.Cell
	body          string
	footprint     Footprint
	built         bool
}

// PlanEndpoint plans the alarms and dashboard of the endpoint props
// describes, named with prefix (the prefix of the Facade that will build
// it). It fails when the dashboard cannot be rendered or breaks one of
// CloudWatch's dashboard rules.
func PlanEndpoint(prefix string, props *EndpointMonitorProps) (*EndpointPlan, error) {
	p := planRows(prefix, props)
	// An endpoint on a shared dashboard is measured as if it had its own:
	// the shard plan then leaves its stack room to spare, and the same
	// fleet lands in the same stacks in either layout.
	d := dashboardBody(p.rows)
	s, err := render(p.DashboardName(), d)
	if err != nil {
		return nil, fmt.Errorf("endpoint %s: %w", props.EndpointName, err)
	}
	p.body = s
	p.footprint = Footprint{
		Resources:     p.af.resources() + 1,
		TemplateBytes: p.af.bytes + dashboardTemplateBytes(s),
		Widgets:       len(d.Widgets),
		Metrics:       d.MetricCount(),
	}
	return p, nil
}

// planRows plans the alarms and the dashboard rows of the endpoint props
// describes, without rendering them.
func planRows(prefix string, props *EndpointMonitorProps) *EndpointPlan {
	p := &EndpointPlan{prefix: prefix, props: *props}
	p.af = &alarmFactory{eval: props.Evaluation, prefix: prefix}
	var body [][]dashboard.Cell
	if props.Async {
		body = append(body, p.queueRows()...)
	}
	if len(props.Components) > 0 {
		body = append(body, p.componentEndpointRows()...)
	} else {
		for vi, v := range props.Variants {
			body = append(body, p.variantRows(vi, v)...)
		}
		if len(props.Variants) > 1 {
			body = append(body, p.comparisonRows()...)
		}
	}
	body = append(body, p.enhancedRows()...)
	top, composite := p.af.header(props.label(), p.headerMarkdown(), func() string {
		return fmt.Sprintf("SageMaker endpoint %s breaks a critical threshold (latency SLO %s ≤ %v). See the dashboard %s.",
			props.EndpointName, props.SLOPercentile, props.SLOLatency, p.DashboardName())
	})
	p.compositeName = composite
	header := [][]dashboard.Cell{top}
	if props.LoadTestNamespace != "" {
		header = append(header, p.loadTestRows()...)
		if props.Stream != nil {
			header = append(header, p.streamRows()...)
		}
	}
	p.rows = append(header, body...)
	return p
}

// Footprint is what the planned monitoring adds to its stack and dashboard.
func (p *EndpointPlan) Footprint() Footprint { return p.footprint }

// DashboardName is <prefix>-<label>, or the shared dashboard that shows
// the endpoint.
func (p *EndpointPlan) DashboardName() string {
	if p.props.SharedDashboard != "" {
		return p.props.SharedDashboard
	}
	return naming.Dashboard(p.prefix, p.props.label())
}

// label is the endpoint's part of its dashboard and alarm names.
func (e *EndpointMonitorProps) label() string {
	if e.Label != "" {
		return e.Label
	}
	return e.EndpointName
}

// CompositeName is the name of the endpoint's composite alarm, "" when it
// has no alarms.
func (p *EndpointPlan) CompositeName() string { return p.compositeName }

// Overview is the endpoint as the fleet overview shows it, in stack number stack.
func (p *EndpointPlan) Overview(stack int) OverviewEndpoint {
	return OverviewEndpoint{
		Name: p.props.EndpointName, Variants: p.props.Variants, SLOPercentile: p.props.SLOPercentile, SLOLatency: p.props.SLOLatency,
		DashboardName: p.DashboardName(), CompositeName: p.compositeName, Stack: stack,
		HasComponents: len(p.props.Components) > 0, Components: p.componentNames(),
	}
}

// componentNames are the names of the endpoint's inference components.
func (p *EndpointPlan) componentNames() []string {
	var out []string
	for _, c := range p.props.Components {
		out = append(out, c.Name)
	}
	return out
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

	plan *EndpointPlan
}

// newEndpointMonitor builds plan under a new construct, its alarms
// notifying actions unless the endpoint is muted. Facade.AddEndpoint is the
// public entry.
func newEndpointMonitor(scope constructs.Construct, id *string, plan *EndpointPlan, actions Actions) *EndpointMonitor {
	if plan.built {
		panic("monitoring: endpoint " + plan.props.EndpointName + " is built twice") // programmer error
	}
	plan.built = true
	if plan.props.Muted {
		actions = Actions{}
	}
	m := &EndpointMonitor{Construct: constructs.NewConstruct(scope, id), Alarms: plan.af.alarms, CompositeName: plan.compositeName, plan: plan}
	m.Composite = plan.af.build(m.Construct, actions)
	return m
}

// DashboardName is <prefix>-<label>.
func (m *EndpointMonitor) DashboardName() string { return m.plan.DashboardName() }

// Rows are the dashboard rows: header, one block per variant, and a
// comparison block when the endpoint has several variants.
func (m *EndpointMonitor) Rows() [][]dashboard.Cell { return m.plan.rows }

func (p *EndpointPlan) headerMarkdown() string {
	e := p.props
	var b strings.Builder
	fmt.Fprintf(&b, "# Endpoint %s\n", e.EndpointName)
	fmt.Fprintf(&b, "**Latency SLO:** %s of ModelLatency ≤ %v · [Endpoint in the SageMaker console](https://%s/sagemaker/home?region=%s#/endpoints/%s)\n\n",
		e.SLOPercentile, e.SLOLatency, dashboard.ConsoleDomain, dashboard.Region, e.EndpointName)
	if e.Description != "" {
		b.WriteString(e.Description + "\n\n")
	}
	if e.Muted {
		b.WriteString("**Alarms notify no one:** they show on this dashboard only.\n\n")
	}
	if p.serverless() {
		b.WriteString(serverlessTable(e.Variants, e.SLOLatency))
		return b.String()
	}
	b.WriteString("| Variant | Instance type | Count | vCPU | Memory | Accelerators | On-demand $/h each |\n|---|---|---|---|---|---|---|\n")
	for _, v := range e.Variants {
		i := v.Instance
		acc := "none"
		if i.AcceleratorCount > 0 {
			acc = fmt.Sprintf("%d× %s (%s GiB)", i.AcceleratorCount, i.AcceleratorModel, num(i.AcceleratorMemoryGiB))
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %s GiB | %s | %.3f |\n", v.Name, i.Type, v.Count, i.VCPUs, num(i.MemoryGiB), acc, i.PricePerHour)
	}
	b.WriteString("\nLatency in ms; CPU and GPU as % of the whole instance (SageMaker's sum over cores ÷ cores); error rates as % of invocations.")
	if e.Async {
		b.WriteString(" Asynchronous endpoint: the queue is per endpoint; it publishes no Invocations, OverheadLatency or model errors.")
	}
	if e.MultiModel {
		b.WriteString(" Multi-model endpoint: model loading times in ms, cache hit ratio in % of requests.")
	}
	if len(e.Components) > 0 {
		b.WriteString("\n\n" + componentTable(e.Components))
	}
	return b.String()
}

// thresholds plans the warning and critical alarms of family f on variant
// v and returns their threshold lines.
func (p *EndpointPlan) thresholds(vi int, v Variant, f family, stat, what string, t *Thresholds) []dashboard.Horizontal {
	e := p.props.EndpointName
	return annotations(p.af.thresholds(t, alarmSpec{
		idPrefix: fmt.Sprintf("V%d%s", vi, f.key),
		name: func(severity string) string {
			return naming.EndpointAlarm(p.prefix, p.props.label(), v.Name, f.key, severity)
		},
		fam:  f,
		dims: newVariantMetrics(e, v.Name).dims(),
		stat: stat,
		what: what,
		description: func(shown float64) string {
			return fmt.Sprintf("%s %s of SageMaker endpoint %s variant %s (%s) is above %s %s (%s in the published unit).",
				statLabel(stat), f.metric, e, v.Name, v.Instance.Type, num(shown), f.unit, num(f.scale.ToPublished(shown)))
		},
	}))
}

// latencyGraph plans the alarms of t on latency family f and returns the
// lines of stats (plus the alarm's statistic) in ms and the threshold lines.
func (p *EndpointPlan) latencyGraph(vi int, v Variant, f family, idPrefix string, stats []string, t *LatencyThresholds) ([]dashboard.Line, []dashboard.Horizontal) {
	var ann []dashboard.Horizontal
	if t != nil {
		ann = p.thresholds(vi, v, f, t.Statistic, f.metric+" "+statLabel(t.Statistic), &t.Thresholds)
		stats = withStat(stats, t.Statistic)
	}
	vm := newVariantMetrics(p.props.EndpointName, v.Name)
	var lines []dashboard.Line
	for i, s := range stats {
		lines = append(lines, vm.display(f, s, lineID(idPrefix, i), f.metric+" "+statLabel(s)+" (ms)", "")...)
	}
	return lines, ann
}

func (p *EndpointPlan) variantRows(vi int, v Variant) [][]dashboard.Cell {
	if v.Serverless != nil {
		return p.serverlessRows(vi, v)
	}
	if p.props.Async {
		return p.asyncRows(vi, v)
	}
	e := p.props
	a := e.Alarms
	vm := newVariantMetrics(e.EndpointName, v.Name)
	inst := v.Instance
	avg, maxStat := metrics.StatAverage, metrics.StatMaximum

	// Latency: the standard percentiles and the SLO's, plus the alarm's statistic.
	latLines, latAnn := p.latencyGraph(vi, v, modelLatency(), "lat", withStat([]string{"p50", "p90", "p99"}, e.SLOPercentile), a.ModelLatency)
	latAnn = append(sloLines(e.SLOPercentile, e.SLOLatency), latAnn...)
	ovLines, ovAnn := p.latencyGraph(vi, v, overheadLatency(), "ov", []string{avg, maxStat}, a.OverheadLatency)

	traffic := []dashboard.Line{
		vm.count(metrics.Invocations, "inv", "Invocations"),
		vm.count(metrics.InvocationsPerInstance, "invpi", "Invocations per instance"),
	}

	errAnn := append(p.thresholds(vi, v, invocation5XXRate(), avg, "5XX rate", a.Invocation5XXErrorRate),
		p.thresholds(vi, v, modelErrorRate(), avg, "model error rate", a.ModelErrorRate)...)
	var errLines []dashboard.Line
	errLines = append(errLines, vm.display(invocation4XXRate(), avg, "e4", "4XX errors (%)", "")...)
	errLines = append(errLines, vm.display(invocation5XXRate(), avg, "e5", "5XX errors (%)", "")...)
	errLines = append(errLines, vm.display(modelErrorRate(), avg, "emodel", "Model errors (%)", "")...)

	cpu, mem, gpu := p.utilizationCells(vi, v)

	title := fmt.Sprintf("## Variant %s · %d× %s", v.Name, v.Count, inst.Type)
	rows := [][]dashboard.Cell{
		{titleCell(title)},
		{
			graphCell(thirdWidth, v.Name+": ModelLatency (ms)", latLines, dashboard.FromZeroAxis("ms"), latAnn),
			graphCell(thirdWidth, v.Name+": OverheadLatency (ms)", ovLines, dashboard.FromZeroAxis("ms"), ovAnn),
			graphCell(thirdWidth, v.Name+": Invocations (per minute)", traffic, dashboard.FromZeroAxis("count"), nil),
		},
		{graphCell(thirdWidth, v.Name+": Errors (% of invocations)", errLines, dashboard.FromZeroAxis("%"), errAnn), cpu, mem},
	}
	if len(gpu) > 0 {
		rows = append(rows, gpu)
	}
	if e.MultiModel {
		rows = append(rows, p.multiModelRow(vi, v))
	}
	return append(rows, p.autoscalingRows(v)...)
}

// utilizationCells plans the utilization alarms of instance-backed variant
// v (CPU, memory, disk, then GPU and GPU memory on GPU instances) and
// returns its CPU and memory-and-disk graphs (a third wide) and its GPU
// graphs (half wide; none without a GPU).
func (p *EndpointPlan) utilizationCells(vi int, v Variant) (cpu, mem dashboard.Cell, gpu []dashboard.Cell) {
	a := p.props.Alarms
	vm := newVariantMetrics(p.props.EndpointName, v.Name)
	inst := v.Instance
	avg, maxStat := metrics.StatAverage, metrics.StatMaximum
	cpuAnn := p.thresholds(vi, v, cpuUtilization(inst), avg, "CPU", a.CPUUtilization)
	cpuLines := append(vm.display(cpuUtilization(inst), avg, "cpu", "CPU avg (% of instance)", ""),
		vm.display(cpuUtilization(inst), maxStat, "cpumax", "CPU max (% of instance)", "")...)

	memAnn := append(p.thresholds(vi, v, memoryUtilization(), avg, "memory", a.MemoryUtilization),
		p.thresholds(vi, v, diskUtilization(), avg, "disk", a.DiskUtilization)...)
	memLines := append(vm.display(memoryUtilization(), avg, "mem", "Memory (%)", ""),
		vm.display(diskUtilization(), avg, "disk", "Disk (%)", "")...)
	cpu = graphCell(thirdWidth, fmt.Sprintf("%s: CPU (%% of %s)", v.Name, plural(inst.VCPUs, "vCPU")), cpuLines, dashboard.PercentAxis(), cpuAnn)
	mem = graphCell(thirdWidth, v.Name+": Memory and disk (%)", memLines, dashboard.PercentAxis(), memAnn)
	if inst.GPUs() == 0 {
		return cpu, mem, nil
	}
	gAnn := p.thresholds(vi, v, gpuUtilization(inst), avg, "GPU", a.GPUUtilization)
	gmAnn := p.thresholds(vi, v, gpuMemoryUtilization(inst), avg, "GPU memory", a.GPUMemoryUtilization)
	gpu = []dashboard.Cell{
		graphCell(halfWidth, fmt.Sprintf("%s: GPU (%% of %s)", v.Name, plural(inst.GPUs(), "GPU")),
			append(vm.display(gpuUtilization(inst), avg, "gpu", "GPU avg (% of instance)", ""),
				vm.display(gpuUtilization(inst), maxStat, "gpumax", "GPU max (% of instance)", "")...),
			dashboard.PercentAxis(), gAnn),
		graphCell(halfWidth, fmt.Sprintf("%s: GPU memory (%% of %s)", v.Name, plural(inst.GPUs(), "GPU")),
			vm.display(gpuMemoryUtilization(inst), avg, "gpumem", "GPU memory (% of instance)", ""),
			dashboard.PercentAxis(), gmAnn),
	}
	return cpu, mem, gpu
}

// comparisonRows draws one graph per metric with a line per variant.
func (p *EndpointPlan) comparisonRows() [][]dashboard.Cell {
	if p.serverless() {
		return p.serverlessComparisonRows()
	}
	e := p.props
	avg := metrics.StatAverage
	var lat, inv, errs, cpu, mem, gpu []dashboard.Line
	anyGPU := false
	invMetric, invTitle := metrics.InvocationsPerInstance, "Invocations per instance by variant"
	if e.Async { // asynchronous endpoints publish no InvocationsPerInstance
		invMetric, invTitle = metrics.InvocationsProcesssed, "Invocations processed by variant"
	}
	for i, v := range e.Variants {
		vm := newVariantMetrics(e.EndpointName, v.Name)
		label := v.Name + " (" + v.Instance.Type + ")"
		lat = append(lat, vm.display(modelLatency(), e.SLOPercentile, lineID("lat", i), label, "")...)
		inv = append(inv, vm.count(invMetric, lineID("inv", i), label))
		errs = append(errs, vm.display(invocation5XXRate(), avg, lineID("e5", i), label, "")...)
		cpu = append(cpu, vm.display(cpuUtilization(v.Instance), avg, lineID("cpu", i), label, "")...)
		mem = append(mem, vm.display(memoryUtilization(), avg, lineID("mem", i), label, "")...)
		if v.Instance.GPUs() > 0 {
			anyGPU = true
			gpu = append(gpu, vm.display(gpuUtilization(v.Instance), avg, lineID("gpu", i), label, "")...)
		}
	}
	rows := [][]dashboard.Cell{
		{titleCell("## Variants compared")},
		{
			graphCell(thirdWidth, "ModelLatency "+e.SLOPercentile+" by variant (ms)", lat, dashboard.FromZeroAxis("ms"), sloLines(e.SLOPercentile, e.SLOLatency)),
			graphCell(thirdWidth, invTitle, inv, dashboard.FromZeroAxis("count"), nil),
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

// dashboardBody renders rows as a dashboard body.
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
