package monitoring

import (
	"fmt"
	"time"

	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
)

// maxGPULines is how many per-GPU lines a graph draws, hottest first; the
// "hottest GPU" line covers every GPU of the variant.
const maxGPULines = 10

// enhancedSearch is a SEARCH over one variant's per-instance (dims
// metrics.InstanceDimensions) or per-GPU (metrics.AcceleratorDimensions)
// metric in /aws/sagemaker/Endpoints, every period seconds: instance and
// GPU ids are known only once the endpoint runs, so the exact dimension
// set is the schema and the endpoint and variant are the filter. The
// namespace is quoted, as its slashes require.
func enhancedSearch(endpoint, variant, metric string, dims []string, stat string, period int) string {
	return fmt.Sprintf(`SEARCH('{"%s",%s} %s="%s" %s="%s" MetricName="%s"', '%s', %d)`,
		metrics.NamespaceInstances, sortedDimensions(dims), metrics.DimEndpointName, endpoint, metrics.DimVariantName, variant, metric, stat, period)
}

// enhancedRows are, for each instance-backed variant of an endpoint with
// enhanced metrics, a row of per-instance CPU and memory and, on GPU
// instances, per-GPU utilization and memory, drawn every EnhancedPeriod:
// the hottest GPU first, since the hottest one saturates first.
func (p *EndpointPlan) enhancedRows() [][]dashboard.Cell {
	e := p.props
	if e.EnhancedPeriod <= 0 {
		return nil
	}
	period := int(e.EnhancedPeriod / time.Second)
	var rows [][]dashboard.Cell
	for i, v := range e.Variants {
		if v.Serverless != nil {
			continue
		}
		rows = append(rows, []dashboard.Cell{titleCell(fmt.Sprintf("## Variant %s · per instance and per GPU (enhanced metrics, every %d s)", v.Name, period))},
			p.enhancedRow(i, v, period))
	}
	return rows
}

// enhancedRow is variant v's per-instance and per-GPU graphs.
func (p *EndpointPlan) enhancedRow(vi int, v Variant, period int) []dashboard.Cell {
	ep := p.props.EndpointName
	inst := metrics.InstanceDimensions()
	avg := metrics.StatAverage
	cpu := cpuUtilization(v.Instance).scale.Expr(enhancedSearch(ep, v.Name, metrics.CPUUtilization, inst, avg, period))
	cpuLines := []dashboard.Line{dashboard.Expr{Expression: cpu, ID: lineID("ecpu", vi), Period: period}}
	memLines := []dashboard.Line{dashboard.Expr{Expression: enhancedSearch(ep, v.Name, metrics.MemoryUtilization, inst, avg, period), ID: lineID("emem", vi), Period: period}}
	w := halfWidth
	if v.Instance.GPUs() > 0 {
		w = quarterWidth
	}
	row := []dashboard.Cell{
		graphCell(w, fmt.Sprintf("%s: CPU per instance (%% of %s)", v.Name, plural(v.Instance.VCPUs, "vCPU")), cpuLines, dashboard.PercentAxis(), nil),
		graphCell(w, v.Name+": Memory per instance (%)", memLines, dashboard.PercentAxis(), nil),
	}
	if v.Instance.GPUs() == 0 {
		return row
	}
	return append(row,
		graphCell(w, v.Name+": GPU per GPU, hottest first (%)", p.perGPULines(vi, v, metrics.GPUUtilization, "egpu", period), dashboard.PercentAxis(), nil),
		graphCell(w, v.Name+": GPU memory per GPU, hottest first (%)", p.perGPULines(vi, v, metrics.GPUMemoryUtilization, "egmem", period), dashboard.PercentAxis(), nil))
}

// perGPULines are the hottest GPU of the variant (the maximum over every
// per-GPU line) and up to maxGPULines per-GPU lines sorted by their
// maximum, highest first.
func (p *EndpointPlan) perGPULines(vi int, v Variant, metric, id string, period int) []dashboard.Line {
	search := enhancedSearch(p.props.EndpointName, v.Name, metric, metrics.AcceleratorDimensions(), metrics.StatMaximum, period)
	return []dashboard.Line{
		dashboard.Expr{Expression: "MAX(" + search + ")", Label: "hottest GPU", ID: lineID(id, "hot", vi), Period: period},
		dashboard.Expr{Expression: fmt.Sprintf("SORT(%s, MAX, DESC, %d)", search, maxGPULines), ID: lineID(id, vi), Period: period},
	}
}
