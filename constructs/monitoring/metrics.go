package monitoring

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/naming"
)

// Which of SageMaker's metrics sagesize shows and alarms on, with their
// statistics and the unit they are shown in. Names, namespaces, dimensions
// and unit conversions come from package metrics, the metric contract; the
// catalogue of what SageMaker publishes, which the tests check every
// dashboard and alarm against, is metrics.SageMaker. Everything here is per
// endpoint and production variant (metrics.VariantDimensions).

// family is one metric as sagesize shows and alarms on it. The dashboard
// shows display units (ms, % of the instance); alarms compare the metric as
// it is published, so a threshold in display units is converted once, by
// scale.ToPublished, in the alarm factory.
type family struct {
	// key names the family in alarm names (ModelLatency, CPUUtilization, ...).
	key       string
	namespace string
	metric    string
	unit      string // display unit: "ms" or "%"
	scale     metrics.Scale
}

// Families. Latencies are published in microseconds; CPUUtilization is the
// sum over vCPUs (0–100×vCPUs) and GPU metrics the sum over GPUs, so they
// are shown as % of the whole instance; the error metrics are 1 per failed
// and 0 per good invocation, so their Average is the error rate as a fraction.
func latencyFamily(key, metric string) family {
	return family{key: key, namespace: metrics.NamespaceInvocations, metric: metric, unit: "ms", scale: metrics.MicrosAsMillis()}
}

func modelLatency() family { return latencyFamily(naming.FamilyModelLatency, metrics.ModelLatency) }
func overheadLatency() family {
	return latencyFamily(naming.FamilyOverheadLatency, metrics.OverheadLatency)
}

func errorRate(metric, key string) family {
	return family{key: key, namespace: metrics.NamespaceInvocations, metric: metric, unit: "%", scale: metrics.FractionAsPercent()}
}

func invocation5XXRate() family {
	return errorRate(metrics.Invocation5XXErrors, naming.FamilyInvocation5XXErrorRate)
}
func invocation4XXRate() family {
	return errorRate(metrics.Invocation4XXErrors, "Invocation4XXErrorRate")
}
func modelErrorRate() family {
	return errorRate(metrics.InvocationModelErrors, naming.FamilyModelErrorRate)
}

// utilization is a percentage family; units is the number of vCPUs or GPUs
// it is summed over (1 for metrics published as 0–100).
func utilization(namespace, key, metric string, units int) family {
	return family{key: key, namespace: namespace, metric: metric, unit: "%", scale: metrics.SumAsInstancePercent(units)}
}

func cpuUtilization(i catalog.Instance) family {
	return utilization(metrics.NamespaceInstances, naming.FamilyCPUUtilization, metrics.CPUUtilization, i.VCPUs)
}
func gpuUtilization(i catalog.Instance) family {
	return utilization(metrics.NamespaceInstances, naming.FamilyGPUUtilization, metrics.GPUUtilization, i.GPUs())
}
func gpuMemoryUtilization(i catalog.Instance) family {
	return utilization(metrics.NamespaceInstances, naming.FamilyGPUMemoryUtilization, metrics.GPUMemoryUtilization, i.GPUs())
}
func memoryUtilization() family {
	return utilization(metrics.NamespaceInstances, naming.FamilyMemoryUtilization, metrics.MemoryUtilization, 1)
}
func diskUtilization() family {
	return utilization(metrics.NamespaceInstances, naming.FamilyDiskUtilization, metrics.DiskUtilization, 1)
}

// sageMakerPeriod is the period, in seconds, of graphs of SageMaker's metrics.
const sageMakerPeriod = int(metrics.SageMakerPeriod / time.Second)

// variantMetrics builds the graph lines of one production variant.
type variantMetrics struct {
	endpoint, variant string
	period            int // seconds
	// custom, when set, replaces EndpointName, VariantName (an inference
	// component's InferenceComponentName).
	custom []dashboard.Dim
}

func newVariantMetrics(endpoint, variant string) variantMetrics {
	return variantMetrics{endpoint: endpoint, variant: variant, period: sageMakerPeriod}
}

func (m variantMetrics) dims() []dashboard.Dim {
	if m.custom != nil {
		return m.custom
	}
	return []dashboard.Dim{{Name: metrics.DimEndpointName, Value: m.endpoint}, {Name: metrics.DimVariantName, Value: m.variant}}
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
	expr := f.scale.Expr(raw.ID)
	if expr == raw.ID {
		raw.ID, raw.Hidden, raw.Label, raw.Color = id, false, label, color
		return []dashboard.Line{raw}
	}
	return []dashboard.Line{raw, dashboard.Expr{Expression: expr, Label: label, ID: id, Color: color}}
}

// count is a count metric (Sum) as published.
func (m variantMetrics) count(name, id, label string) dashboard.Metric {
	return dashboard.Metric{Namespace: metrics.NamespaceInvocations, Name: name, Dims: m.dims(), Stat: metrics.StatSum, Period: m.period, ID: id, Label: label}
}

// statLabel renders a statistic for a legend: "p99", "avg", "max".
func statLabel(stat string) string {
	switch stat {
	case metrics.StatAverage:
		return "avg"
	case metrics.StatMaximum:
		return "max"
	case metrics.StatMinimum:
		return "min"
	}
	return stat
}

// withStat returns stats with stat appended when it is not there yet.
func withStat(stats []string, stat string) []string {
	if slices.Contains(stats, stat) {
		return stats
	}
	return append(stats, stat)
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

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

// sortedDimensions joins dimension names in CloudWatch's SEARCH order.
func sortedDimensions(dims []string) string {
	return strings.Join(slices.Sorted(slices.Values(dims)), ",")
}
