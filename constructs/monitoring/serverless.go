package monitoring

import (
	"fmt"
	"strings"
	"time"

	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
)

// Serverless endpoints publish only metrics.Serverless: invocations, 4XX
// and 5XX errors, ModelLatency, OverheadLatency (which includes cold
// starts), ModelSetupTime, MemoryUtilization and the concurrency metrics;
// no CPU, GPU or disk utilization, no InvocationsPerInstance and no
// InvocationModelErrors. Their segment draws exactly those.

// serverless reports whether the planned endpoint is serverless (config
// validation makes every variant of an endpoint one kind).
func (p *EndpointPlan) serverless() bool {
	return len(p.props.Variants) > 0 && p.props.Variants[0].Serverless != nil
}

// variantSummary is "name: 2× ml.c5.xlarge" or "name: serverless 2048 MB × 20".
func variantSummary(v Variant) string {
	if s := v.Serverless; s != nil {
		return fmt.Sprintf("%s: serverless %d MB × %d", v.Name, s.MemorySizeInMB, s.MaxConcurrency)
	}
	return fmt.Sprintf("%s: %d× %s", v.Name, v.Count, v.Instance.Type)
}

// serverlessTable is the header's table of serverless variants, with the
// compute cost of each at its price per GB-second: per hour with every
// concurrent execution busy (the ceiling), and per million invocations
// that each last slo (the latency objective, as a stated duration).
func serverlessTable(vs []Variant, slo time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| Variant | Kind | Memory | Max concurrency | Provisioned concurrency | Compute $/h at max concurrency | Compute $ per 1M invocations of %v |\n|---|---|---|---|---|---|---|\n", slo)
	price, configured := 0.0, false
	for _, v := range vs {
		s := v.Serverless
		pc := "none"
		if s.ProvisionedConcurrency > 0 {
			pc = fmt.Sprint(s.ProvisionedConcurrency)
		}
		c := catalog.ServerlessCost{MemoryMB: s.MemorySizeInMB, PerGBSecond: s.PricePerGBSecond}
		fmt.Fprintf(&b, "| %s | serverless | %d MB | %d | %s | %.2f | %.2f |\n", v.Name, s.MemorySizeInMB, s.MaxConcurrency, pc,
			c.PerHourAtConcurrency(s.MaxConcurrency), c.PerMillion(slo))
		price, configured = s.PricePerGBSecond, s.PriceConfigured
	}
	b.WriteString("\nLatency in ms (OverheadLatency includes cold starts; ModelSetupTime is the cold start itself); error rates as % of invocations; concurrency as % of the maximum (or provisioned) concurrency. Serverless endpoints publish no CPU, GPU or disk metrics.")
	source := "configured serverlessPricePerGBSecond"
	if !configured {
		source = "built-in rate, UNVERIFIED: set serverlessPricePerGBSecond"
	}
	fmt.Fprintf(&b, "\n\nCost: compute only, at $%s per GB-second of memory (%s); data processed and provisioned concurrency are billed on top.", num(price), source)
	return b.String()
}

// concurrencyRatio is a serverless concurrency utilization, published as
// a ratio of executions to concurrency, shown in %.
func concurrencyRatio(metric string) family {
	return family{key: metric, namespace: metrics.NamespaceInvocations, metric: metric, unit: "%", scale: metrics.FractionAsPercent()}
}

// modelSetupTime is the cold-start duration of a serverless variant.
func modelSetupTime() family { return latencyFamily(metrics.ModelSetupTime, metrics.ModelSetupTime) }

// serverlessRows are the dashboard rows of one serverless variant:
// latency, overhead and traffic; errors, cold starts and memory;
// concurrency, and provisioned concurrency when the variant has some.
func (p *EndpointPlan) serverlessRows(vi int, v Variant) [][]dashboard.Cell {
	e := p.props
	a := e.Alarms
	vm := newVariantMetrics(e.EndpointName, v.Name)
	avg, maxStat := metrics.StatAverage, metrics.StatMaximum
	s := v.Serverless

	latLines, latAnn := p.latencyGraph(vi, v, modelLatency(), "lat", withStat([]string{"p50", "p90", "p99"}, e.SLOPercentile), a.ModelLatency)
	latAnn = append(sloLines(e.SLOPercentile, e.SLOLatency), latAnn...)
	ovLines, ovAnn := p.latencyGraph(vi, v, overheadLatency(), "ov", []string{avg, maxStat}, a.OverheadLatency)
	traffic := []dashboard.Line{vm.count(metrics.Invocations, "inv", "Invocations")}

	errAnn := p.thresholds(vi, v, invocation5XXRate(), avg, "5XX rate", a.Invocation5XXErrorRate)
	errLines := append(vm.display(invocation4XXRate(), avg, "e4", "4XX errors (%)", ""),
		vm.display(invocation5XXRate(), avg, "e5", "5XX errors (%)", "")...)
	setup := append(vm.display(modelSetupTime(), avg, "setup", "ModelSetupTime avg (ms)", ""),
		vm.display(modelSetupTime(), maxStat, "setupmax", "ModelSetupTime max (ms)", "")...)
	memAnn := p.thresholds(vi, v, memoryUtilization(), avg, "memory", a.MemoryUtilization)
	memLines := vm.display(memoryUtilization(), avg, "mem", fmt.Sprintf("Memory (%% of %d MB)", s.MemorySizeInMB), "")

	conc := append(vm.display(concurrencyRatio(metrics.ServerlessConcurrentExecutionsUtilization), avg, "conc", "avg (% of max concurrency)", ""),
		vm.display(concurrencyRatio(metrics.ServerlessConcurrentExecutionsUtilization), maxStat, "concmax", "max (% of max concurrency)", "")...)
	concCells := []dashboard.Cell{graphCell(thirdWidth, fmt.Sprintf("%s: Concurrency (%% of %d)", v.Name, s.MaxConcurrency), conc, dashboard.PercentAxis(), nil)}
	if s.ProvisionedConcurrency > 0 {
		concCells = append(concCells, p.provisionedCells(vm, v)...)
	}
	return [][]dashboard.Cell{
		{titleCell(fmt.Sprintf("## Variant %s · serverless, %d MB, max concurrency %d", v.Name, s.MemorySizeInMB, s.MaxConcurrency))},
		{
			graphCell(thirdWidth, v.Name+": ModelLatency (ms)", latLines, dashboard.FromZeroAxis("ms"), latAnn),
			graphCell(thirdWidth, v.Name+": OverheadLatency, incl. cold starts (ms)", ovLines, dashboard.FromZeroAxis("ms"), ovAnn),
			graphCell(thirdWidth, v.Name+": Invocations (per minute)", traffic, dashboard.FromZeroAxis("count"), nil),
		},
		{
			graphCell(thirdWidth, v.Name+": Errors (% of invocations)", errLines, dashboard.FromZeroAxis("%"), errAnn),
			graphCell(thirdWidth, v.Name+": Cold starts: ModelSetupTime (ms)", setup, dashboard.FromZeroAxis("ms"), nil),
			graphCell(thirdWidth, v.Name+": Memory (%)", memLines, dashboard.PercentAxis(), memAnn),
		},
		concCells,
	}
}

// provisionedCells are the provisioned-concurrency graphs of v:
// utilization of the provisioned concurrency, and invocations it served
// against the ones that spilled over to on-demand capacity.
func (p *EndpointPlan) provisionedCells(vm variantMetrics, v Variant) []dashboard.Cell {
	avg, maxStat := metrics.StatAverage, metrics.StatMaximum
	pcu := concurrencyRatio(metrics.ServerlessProvisionedConcurrencyUtilization)
	util := append(vm.display(pcu, avg, "pcu", "avg (% of provisioned)", ""), vm.display(pcu, maxStat, "pcumax", "max (% of provisioned)", "")...)
	execs := []dashboard.Line{dashboard.Metric{Namespace: metrics.NamespaceInvocations, Name: metrics.ServerlessProvisionedConcurrencyExecutions, Dims: vm.dims(),
		Stat: maxStat, Period: vm.period, ID: "pce", Label: "executions (max)"}}
	inv := []dashboard.Line{
		vm.count(metrics.ServerlessProvisionedConcurrencyInvocations, "pci", "served by provisioned concurrency"),
		vm.count(metrics.ServerlessProvisionedConcurrencySpilloverInvocations, "pcs", "spilled over to on-demand"),
	}
	pc := v.Serverless.ProvisionedConcurrency
	return []dashboard.Cell{
		graphCell(thirdWidth, fmt.Sprintf("%s: Provisioned concurrency (%% of %d)", v.Name, pc), util, dashboard.PercentAxis(), nil),
		graphCell(thirdWidth, v.Name+": Provisioned concurrency executions", execs, dashboard.FromZeroAxis("count"),
			[]dashboard.Horizontal{{Label: "provisioned", Value: float64(pc), Color: colorSLO}}),
		graphCell(thirdWidth, v.Name+": Provisioned vs spillover invocations (per minute)", inv, dashboard.FromZeroAxis("count"), nil),
	}
}

// quarterWidth fits four graphs in a row.
const quarterWidth = fullWidth / 4

// serverlessComparisonRows draw one graph per metric with a line per
// serverless variant.
func (p *EndpointPlan) serverlessComparisonRows() [][]dashboard.Cell {
	e := p.props
	avg := metrics.StatAverage
	var lat, inv, errs, conc []dashboard.Line
	for i, v := range e.Variants {
		vm := newVariantMetrics(e.EndpointName, v.Name)
		label := fmt.Sprintf("%s (%d MB)", v.Name, v.Serverless.MemorySizeInMB)
		lat = append(lat, vm.display(modelLatency(), e.SLOPercentile, lineID("lat", i), label, "")...)
		inv = append(inv, vm.count(metrics.Invocations, lineID("inv", i), label))
		errs = append(errs, vm.display(invocation5XXRate(), avg, lineID("e5", i), label, "")...)
		conc = append(conc, vm.display(concurrencyRatio(metrics.ServerlessConcurrentExecutionsUtilization), avg, lineID("conc", i), label, "")...)
	}
	return [][]dashboard.Cell{
		{titleCell("## Variants compared")},
		{
			graphCell(quarterWidth, "ModelLatency "+e.SLOPercentile+" by variant (ms)", lat, dashboard.FromZeroAxis("ms"), sloLines(e.SLOPercentile, e.SLOLatency)),
			graphCell(quarterWidth, "Invocations by variant", inv, dashboard.FromZeroAxis("count"), nil),
			graphCell(quarterWidth, "5XX errors by variant (%)", errs, dashboard.FromZeroAxis("%"), nil),
			graphCell(quarterWidth, "Concurrency by variant (% of max)", conc, dashboard.PercentAxis(), nil),
		},
	}
}
