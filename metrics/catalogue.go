package metrics

import (
	"slices"
	"strings"
)

// Metric is one metric as it is published: namespace, name and the exact
// set of dimension names (a metric published with dimensions A and B is a
// different metric from the same name with A alone), its unit and the
// statistics that are meaningful for it.
type Metric struct {
	// Namespace and Name identify the metric.
	Namespace string
	Name      string
	// Dimensions are the names of its exact dimension set.
	Dimensions []string
	// Unit is the CloudWatch unit it is published in (UnitMicroseconds, ...).
	Unit string
	// Statistics are the documented valid statistics (StatAverage, ...).
	Statistics []string
	// Percentiles says whether percentile statistics (p50, p99.9) are
	// meaningful: the metric is a distribution of durations.
	Percentiles bool
}

// Allows reports whether stat is one of m's statistics, or a percentile
// (pNN) when m has percentiles.
func (m Metric) Allows(stat string) bool {
	if m.Percentiles && strings.HasPrefix(stat, "p") {
		return true
	}
	return slices.Contains(m.Statistics, stat)
}

// SageMaker is the catalogue of the endpoint metrics SageMaker publishes for
// classic (non inference-component) real-time endpoints: every metric name
// with every dimension set it is published under, its unit and its valid
// statistics. It is the reference the test validators check sagesize's
// dashboards and alarms against.
//
// Source: the SageMaker developer guide, "Monitor Amazon SageMaker AI with
// Amazon CloudWatch" (https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html:
// endpoint invocation, multi-model and instance metrics), with the
// asynchronous endpoint metrics from "Alarms and logs for tracking metrics
// from asynchronous endpoints" (async-inference-monitor.html), as summarized
// in design.md §3. LoadedModelCount is an instance metric, published under
// /aws/sagemaker/Endpoints. The ...Normalized metrics exist only for
// endpoints with inference components, which carry an
// InferenceComponentName dimension; they are deliberately absent.
func SageMaker() []Metric {
	variant, endpoint := VariantDimensions(), []string{DimEndpointName}
	latency := []string{StatAverage, StatSum, StatMinimum, StatMaximum, StatSampleCount}
	rate := []string{StatAverage, StatSum}
	utilization := []string{StatAverage, StatMinimum, StatMaximum, StatSampleCount}
	var ms []Metric
	add := func(ns string, dims []string, unit string, stats []string, percentiles bool, names ...string) {
		for _, n := range names {
			ms = append(ms, Metric{Namespace: ns, Name: n, Dimensions: slices.Clone(dims), Unit: unit,
				Statistics: slices.Clone(stats), Percentiles: percentiles})
		}
	}
	// Real-time endpoint invocations, per production variant.
	add(NamespaceInvocations, variant, UnitNone, []string{StatSum, StatSampleCount}, false, Invocations)
	add(NamespaceInvocations, variant, UnitNone, []string{StatSum}, false, InvocationsPerInstance)
	add(NamespaceInvocations, variant, UnitNone, rate, false, Invocation4XXErrors, Invocation5XXErrors, InvocationModelErrors)
	add(NamespaceInvocations, variant, UnitMicroseconds, latency, true, ModelLatency, OverheadLatency)
	add(NamespaceInvocations, variant, UnitMicroseconds, []string{StatAverage, StatMinimum, StatMaximum, StatSampleCount}, true, "ModelSetupTime")
	add(NamespaceInvocations, variant, UnitNone, []string{StatMinimum, StatMaximum}, false, "ConcurrentRequestsPerModel")
	// Multi-model endpoints: model loading per variant, loaded models per instance.
	add(NamespaceInvocations, variant, UnitMicroseconds, latency, false,
		"ModelLoadingWaitTime", "ModelUnloadingTime", "ModelDownloadingTime", "ModelLoadingTime")
	add(NamespaceInvocations, variant, UnitNone, []string{StatAverage, StatSum, StatSampleCount}, false, "ModelCacheHit")
	add(NamespaceInstances, variant, UnitNone, latency, false, "LoadedModelCount")
	// Asynchronous endpoints publish their backlog per endpoint only.
	add(NamespaceInvocations, endpoint, UnitCount, []string{StatAverage, StatMinimum, StatMaximum}, false,
		"ApproximateBacklogSize", "ApproximateBacklogSizePerInstance")
	add(NamespaceInvocations, endpoint, UnitSeconds, []string{StatAverage, StatMinimum, StatMaximum}, false, "ApproximateAgeOfOldestRequest")
	add(NamespaceInvocations, endpoint, UnitCount, []string{StatAverage}, false, "HasBacklogWithoutCapacity")
	// Instance utilization, per production variant. CPUUtilization is the
	// sum over vCPUs and the GPU metrics the sum over GPUs.
	add(NamespaceInstances, variant, UnitPercent, utilization, false,
		CPUUtilization, MemoryUtilization, DiskUtilization, GPUUtilization, GPUMemoryUtilization)
	return ms
}

// LoadTest is the catalogue of what loadgen publishes into namespace (empty:
// NamespaceLoadTest), every metric with LoadTestDimensions.
func LoadTest(namespace string) []Metric {
	if namespace == "" {
		namespace = NamespaceLoadTest
	}
	count := []string{StatSum, StatAverage, StatMinimum, StatMaximum, StatSampleCount}
	var ms []Metric
	for _, n := range []string{LoadTestLatency, LoadTestLatencyClosedLoop} {
		ms = append(ms, Metric{Namespace: namespace, Name: n, Dimensions: LoadTestDimensions(), Unit: UnitMicroseconds,
			Statistics: slices.Clone(count), Percentiles: true})
	}
	for _, n := range []string{LoadTestRequests, LoadTestErrors, LoadTestThrottles, LoadTestModelErrors, LoadTestTimeouts, LoadTestDropped, LoadTestIntervals} {
		ms = append(ms, Metric{Namespace: namespace, Name: n, Dimensions: LoadTestDimensions(), Unit: UnitCount, Statistics: slices.Clone(count)})
	}
	return ms
}

// Lookup returns the metric of catalogue with namespace, name and exactly
// the dimension names dims (in any order).
func Lookup(catalogue []Metric, namespace, name string, dims []string) (Metric, bool) {
	want := sortedKey(dims)
	for _, m := range catalogue {
		if m.Namespace == namespace && m.Name == name && sortedKey(m.Dimensions) == want {
			return m, true
		}
	}
	return Metric{}, false
}

func sortedKey(dims []string) string {
	d := slices.Clone(dims)
	slices.Sort(d)
	return strings.Join(d, ",")
}
