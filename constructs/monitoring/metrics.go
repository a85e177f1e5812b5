package monitoring

import (
	"fmt"
	"strconv"

	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/testkit/dashcheck"
)

// The only place that knows which of SageMaker's metrics sagesize shows and
// alarms on, with their statistics and units. Everything it reads is per
// endpoint and production variant (dimensions EndpointName, VariantName);
// the catalogue of what SageMaker publishes, which the tests check every
// dashboard and alarm against, is dashcheck.SageMakerMetrics.
const (
	// NamespaceInvocations holds invocation, error and latency metrics.
	NamespaceInvocations = dashcheck.NamespaceInvocations
	// NamespaceInstances holds per-variant instance utilization metrics.
	NamespaceInstances = dashcheck.NamespaceInstances
)

// family is one SageMaker metric as sagesize shows and alarms on it. The
// dashboard shows display units (ms, % of the instance); alarms compare the
// metric as SageMaker publishes it, so a threshold in display units is
// converted with toPublished. For a published value v the display value is
// v*mul/div.
type family struct {
	// key names the family in alarm names (ModelLatency, CPUUtilization, ...).
	key       string
	namespace string
	metric    string
	unit      string // display unit: "ms" or "%"
	mul, div  float64
}

// toPublished converts a threshold in display units into the unit the metric
// is published in.
func (f family) toPublished(display float64) float64 { return display * f.div / f.mul }

// scaleExpr is the math that turns line id's published values into display units.
func (f family) scaleExpr(id string) string {
	switch {
	case f.mul == 1 && f.div == 1:
		return id
	case f.mul == 1:
		return id + "/" + num(f.div)
	case f.div == 1:
		return num(f.mul) + "*" + id
	default:
		return num(f.mul) + "*" + id + "/" + num(f.div)
	}
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Families. Latencies are published in microseconds; CPUUtilization is the
// sum over vCPUs (0–100×vCPUs) and GPU metrics the sum over GPUs, so they
// are divided by the instance's count to show 0–100 % of the instance; the
// error metrics are 1 per failed and 0 per good invocation, so their Average
// times 100 is the error rate in %.
func modelLatency() family {
	return family{key: "ModelLatency", namespace: NamespaceInvocations, metric: "ModelLatency", unit: "ms", mul: 1, div: 1000}
}

func overheadLatency() family {
	return family{key: "OverheadLatency", namespace: NamespaceInvocations, metric: "OverheadLatency", unit: "ms", mul: 1, div: 1000}
}

func errorRate(metric, key string) family {
	return family{key: key, namespace: NamespaceInvocations, metric: metric, unit: "%", mul: 100, div: 1}
}

func invocation5XXRate() family { return errorRate("Invocation5XXErrors", "Invocation5XXErrorRate") }
func invocation4XXRate() family { return errorRate("Invocation4XXErrors", "Invocation4XXErrorRate") }
func modelErrorRate() family    { return errorRate("InvocationModelErrors", "ModelErrorRate") }

func cpuUtilization(i catalog.Instance) family {
	return family{key: "CPUUtilization", namespace: NamespaceInstances, metric: "CPUUtilization", unit: "%", mul: 1, div: float64(i.VCPUs)}
}

func gpuUtilization(i catalog.Instance) family {
	return family{key: "GPUUtilization", namespace: NamespaceInstances, metric: "GPUUtilization", unit: "%", mul: 1, div: float64(i.GPUs())}
}

func gpuMemoryUtilization(i catalog.Instance) family {
	return family{key: "GPUMemoryUtilization", namespace: NamespaceInstances, metric: "GPUMemoryUtilization", unit: "%", mul: 1, div: float64(i.GPUs())}
}

func memoryUtilization() family {
	return family{key: "MemoryUtilization", namespace: NamespaceInstances, metric: "MemoryUtilization", unit: "%", mul: 1, div: 1}
}

func diskUtilization() family {
	return family{key: "DiskUtilization", namespace: NamespaceInstances, metric: "DiskUtilization", unit: "%", mul: 1, div: 1}
}

// Count metrics, shown as published.
const (
	metricInvocations            = "Invocations"
	metricInvocationsPerInstance = "InvocationsPerInstance"
)

// variantMetrics builds the graph lines of one production variant.
type variantMetrics struct {
	endpoint, variant string
	instance          catalog.Instance
	period            int // seconds
}

func (m variantMetrics) dims() []dashboard.Dim {
	return []dashboard.Dim{{Name: "EndpointName", Value: m.endpoint}, {Name: "VariantName", Value: m.variant}}
}

// raw is the metric f as published, with statistic stat.
func (m variantMetrics) raw(f family, stat, id string, hidden bool) dashboard.Metric {
	return dashboard.Metric{Namespace: f.namespace, Name: f.metric, Dims: m.dims(), Stat: stat, Period: m.period, ID: id, Hidden: hidden}
}

// display returns the lines that draw f's statistic stat in display units: a
// hidden raw metric and the math that scales it (or the metric itself when
// no scaling is needed).
func (m variantMetrics) display(f family, stat, id, label, color string) []dashboard.Line {
	raw := m.raw(f, stat, id+"raw", true)
	expr := f.scaleExpr(raw.ID)
	if expr == raw.ID {
		raw.ID, raw.Hidden, raw.Label, raw.Color = id, false, label, color
		return []dashboard.Line{raw}
	}
	return []dashboard.Line{raw, dashboard.Expr{Expression: expr, Label: label, ID: id, Color: color}}
}

// count is a count metric (Sum) as published.
func (m variantMetrics) count(name, id, label string) dashboard.Metric {
	return dashboard.Metric{Namespace: NamespaceInvocations, Name: name, Dims: m.dims(), Stat: "Sum", Period: m.period, ID: id, Label: label}
}

// statLabel renders a statistic for a legend: "p99", "avg", "max".
func statLabel(stat string) string {
	switch stat {
	case "Average":
		return "avg"
	case "Maximum":
		return "max"
	case "Minimum":
		return "min"
	}
	return stat
}

// lineID makes a math-safe line id: lower-case letter first, then letters,
// digits and underscores.
func lineID(parts ...any) string {
	b := []byte{'m'}
	for _, p := range parts {
		for _, r := range []byte(fmt.Sprint(p)) {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
				b = append(b, r)
			default:
				b = append(b, '_')
			}
		}
	}
	return string(b)
}
