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

// Endpoint kinds whose metrics the catalogue knows, as the config names them.
const (
	// KindRealtime is an instance-backed real-time endpoint.
	KindRealtime = "realtime"
	// KindServerless is a serverless endpoint.
	KindServerless = "serverless"
	// KindAsync is an asynchronous endpoint.
	KindAsync = "async"
	// KindMultiModel is a multi-model endpoint.
	KindMultiModel = "multiModel"
	// KindInferenceComponents is an endpoint hosting inference components.
	KindInferenceComponents = "inferenceComponents"
)

// ForKind is the catalogue of the metrics SageMaker publishes for endpoints
// of kind (KindRealtime or KindServerless), nil for an unknown kind: a
// dashboard of that kind reads only these.
func ForKind(kind string) []Metric {
	switch kind {
	case KindRealtime:
		return RealTime()
	case KindServerless:
		return Serverless()
	case KindAsync:
		return Async()
	case KindMultiModel:
		return MultiModel()
	case KindInferenceComponents:
		return InferenceComponents()
	}
	return nil
}

// SageMaker is the catalogue of the endpoint metrics SageMaker publishes for
// classic (non inference-component) endpoints of every kind: every metric
// name with every dimension set it is published under, its unit and its
// valid statistics. It is the reference the test validators check
// sagesize's dashboards and alarms against; ForKind narrows it to one kind.
//
// Source: the SageMaker developer guide, "Monitor Amazon SageMaker AI with
// Amazon CloudWatch" (https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html:
// endpoint invocation, multi-model and instance metrics), with the
// asynchronous endpoint metrics from "Alarms and logs for tracking metrics
// from asynchronous endpoints" (async-inference-monitor.html), as summarized
// in design.md §3. LoadedModelCount is an instance metric, published under
// /aws/sagemaker/Endpoints. The ...Normalized and ...Reservation metrics
// exist only for endpoints with inference components (InferenceComponents).
func SageMaker() []Metric {
	b := newBuilder()
	b.ms = append(b.ms, MultiModel()...)
	for _, m := range append(append(Async(), Serverless()...), InferenceComponents()...) {
		if _, dup := Lookup(b.ms, m.Namespace, m.Name, m.Dimensions); !dup {
			b.ms = append(b.ms, m)
		}
	}
	return b.ms
}

// MultiModel is the catalogue of a multi-model endpoint's metrics: a
// real-time endpoint's, plus the model loading metrics ("Monitor Amazon
// SageMaker AI with Amazon CloudWatch", multi-model endpoint model loading
// and instance metrics: AWS/SageMaker and, for LoadedModelCount,
// /aws/sagemaker/Endpoints, both by EndpointName, VariantName).
func MultiModel() []Metric {
	b := newBuilder()
	b.ms = realTime()
	b.add(NamespaceInvocations, b.variant, UnitMicroseconds, b.latency, false,
		ModelLoadingWaitTime, ModelUnloadingTime, ModelDownloadingTime, ModelLoadingTime)
	b.add(NamespaceInvocations, b.variant, UnitNone, []string{StatAverage, StatSum, StatSampleCount}, false, ModelCacheHit)
	b.add(NamespaceInstances, b.variant, UnitNone, b.latency, false, LoadedModelCount)
	return b.ms
}

// InferenceComponents is the catalogue of an endpoint hosting inference
// components ("Monitor Amazon SageMaker AI with Amazon CloudWatch":
// endpoint metrics, endpoint invocation metrics and inference component
// metrics, https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html):
// the invocation metrics by InferenceComponentName (the page lists that
// dimension set for invocation metrics without saying which metrics carry
// it: taken as the list, unconfirmed per metric); the utilization
// normalized to each component's reservation in
// /aws/sagemaker/InferenceComponents by InferenceComponentName; and per
// variant the instance metrics, the reservations and the normalized
// instance utilization, all 0–100 %.
func InferenceComponents() []Metric {
	component := []string{DimInferenceComponentName}
	b := newBuilder()
	b.add(NamespaceInvocations, component, UnitNone, []string{StatSum, StatSampleCount}, false, Invocations)
	b.add(NamespaceInvocations, component, UnitNone, []string{StatSum}, false, InvocationsPerCopy)
	b.add(NamespaceInvocations, component, UnitNone, b.rate, false, Invocation4XXErrors, Invocation5XXErrors, InvocationModelErrors)
	b.add(NamespaceInvocations, component, UnitMicroseconds, b.latency, true, ModelLatency, OverheadLatency)
	b.add(NamespaceInvocations, component, UnitNone, []string{StatMinimum, StatMaximum}, false, ConcurrentRequestsPerCopy)
	b.add(NamespaceInferenceComponents, component, UnitPercent, b.utilization, false,
		CPUUtilizationNormalized, MemoryUtilizationNormalized, GPUUtilizationNormalized, GPUMemoryUtilizationNormalized)
	b.add(NamespaceInstances, b.variant, UnitPercent, b.utilization, false,
		CPUUtilization, MemoryUtilization, DiskUtilization, GPUUtilization, GPUMemoryUtilization,
		CPUUtilizationNormalized, GPUUtilizationNormalized, GPUMemoryUtilizationNormalized,
		CPUReservation, GPUReservation, MemoryReservation)
	return append(b.ms, Enhanced()...)
}

// Async is the catalogue of an asynchronous endpoint's metrics, which
// "Alarms and logs for tracking metrics from asynchronous endpoints"
// (https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-monitor.html)
// calls exhaustive, all in AWS/SageMaker: the common Invocation4XXErrors,
// Invocation5XXErrors and ModelLatency (no Invocations,
// InvocationsPerInstance, OverheadLatency or InvocationModelErrors); the
// backlog by EndpointName alone; the request pipeline by EndpointName,
// VariantName; and the host-level instance metrics of real-time endpoints.
// HasBacklogWithoutCapacity is on the current page, not on the older one
// the unit and statistics were read from; its Average is taken.
func Async() []Metric {
	endpoint := []string{DimEndpointName}
	b := newBuilder()
	b.add(NamespaceInvocations, b.variant, UnitNone, b.rate, false, Invocation4XXErrors, Invocation5XXErrors)
	b.add(NamespaceInvocations, b.variant, UnitMicroseconds, b.latency, true, ModelLatency)
	b.add(NamespaceInvocations, endpoint, UnitCount, []string{StatAverage, StatMinimum, StatMaximum}, false,
		ApproximateBacklogSize, ApproximateBacklogSizePerInstance)
	b.add(NamespaceInvocations, endpoint, UnitSeconds, []string{StatAverage, StatMinimum, StatMaximum}, false, ApproximateAgeOfOldestRequest)
	b.add(NamespaceInvocations, endpoint, UnitCount, []string{StatAverage, StatMinimum, StatMaximum}, false, HasBacklogWithoutCapacity)
	b.add(NamespaceInvocations, b.variant, UnitCount, []string{StatSum}, false,
		RequestDownloadFailures, ResponseUploadFailures, NotificationFailures, ExpiredRequests, InvocationFailures, InvocationsProcesssed)
	b.add(NamespaceInvocations, b.variant, UnitMicroseconds, b.latency, false, "RequestDownloadLatency", "ResponseUploadLatency", TimeInBacklog)
	b.add(NamespaceInvocations, b.variant, UnitMilliseconds, b.latency, false, TotalProcessingTime)
	b.add(NamespaceInstances, b.variant, UnitPercent, b.utilization, false,
		CPUUtilization, MemoryUtilization, DiskUtilization, GPUUtilization, GPUMemoryUtilization)
	return b.ms
}

// RealTime is the catalogue of an instance-backed real-time endpoint's
// metrics ("Monitor Amazon SageMaker AI with Amazon CloudWatch": endpoint
// invocation metrics and instance metrics), every one per production
// variant (EndpointName, VariantName), and the per-instance and per-GPU
// utilization it publishes when enhanced metrics are on (Enhanced).
func RealTime() []Metric { return append(realTime(), Enhanced()...) }

// Enhanced is the catalogue of the per-instance and per-GPU utilization
// that an endpoint configuration with MetricsConfig.EnableEnhancedMetrics
// adds, at MetricPublishFrequencyInSeconds, for real-time endpoints
// (single-model and inference components; not serverless, asynchronous or
// multi-model endpoints).
//
// Source: "Amazon SageMaker AI enhanced metrics for inference endpoints"
// (https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch-enhanced-metrics.html,
// read 2026-11-27): utilization and invocation metrics gain an InstanceId
// dimension on every real-time endpoint, GPU utilization metrics an
// AcceleratorId dimension, and the publishing interval is 10, 30, 60,
// 120, 180, 240 or 300 seconds (API reference, MetricsConfig). The page's
// summary names the dimensions but not, per metric, the exact dimension
// sets; the sets below are UNCONFIRMED, taken as the variant's set plus
// the added dimension: {EndpointName, VariantName, InstanceId} for CPU,
// memory, disk, GPU and GPU memory utilization and {EndpointName,
// VariantName, InstanceId, AcceleratorId} for GPU and GPU memory
// utilization. The per-instance values are taken to keep the variant
// metric's scale (CPU summed over vCPUs), the per-GPU ones to be 0–100 %.
// The container-level (ContainerId) metrics of inference components are
// not catalogued: sagesize does not draw them.
func Enhanced() []Metric {
	b := newBuilder()
	b.add(NamespaceInstances, InstanceDimensions(), UnitPercent, b.utilization, false,
		CPUUtilization, MemoryUtilization, DiskUtilization, GPUUtilization, GPUMemoryUtilization)
	b.add(NamespaceInstances, AcceleratorDimensions(), UnitPercent, b.utilization, false,
		GPUUtilization, GPUMemoryUtilization)
	return b.ms
}

// realTime is RealTime without the enhanced metrics, which multi-model
// endpoints do not have.
func realTime() []Metric {
	b := newBuilder()
	b.invocations(true)
	b.add(NamespaceInvocations, b.variant, UnitNone, []string{StatMinimum, StatMaximum}, false, "ConcurrentRequestsPerModel")
	// Instance utilization, per production variant. CPUUtilization is the
	// sum over vCPUs and the GPU metrics the sum over GPUs.
	b.add(NamespaceInstances, b.variant, UnitPercent, b.utilization, false,
		CPUUtilization, MemoryUtilization, DiskUtilization, GPUUtilization, GPUMemoryUtilization)
	return b.ms
}

// Serverless is the catalogue of a serverless endpoint's metrics, which
// "Alarms and logs for tracking metrics from serverless endpoints"
// (https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-monitoring.html)
// calls exhaustive: the common endpoint metrics Invocations,
// Invocation4XXErrors, Invocation5XXErrors, ModelLatency, OverheadLatency,
// ModelSetupTime and MemoryUtilization (no InvocationsPerInstance, no
// InvocationModelErrors, no CPU, GPU or disk), ServerlessConcurrentExecutionsUtilization
// (unit None; Average, Maximum, Minimum) and, with provisioned
// concurrency, the four ServerlessProvisionedConcurrency... metrics.
// The page names no dimensions: they are taken as the real-time
// endpoint's (EndpointName, VariantName), unconfirmed (see the README's
// "What the dashboards show"); MemoryUtilization is in the instance
// namespace, as the page's earlier (preview) version says.
func Serverless() []Metric {
	b := newBuilder()
	b.invocations(false)
	b.add(NamespaceInvocations, b.variant, UnitMicroseconds, []string{StatAverage, StatMinimum, StatMaximum, StatSampleCount}, true, ModelSetupTime)
	b.add(NamespaceInvocations, b.variant, UnitNone, []string{StatAverage, StatMaximum, StatMinimum}, false,
		ServerlessConcurrentExecutionsUtilization, ServerlessProvisionedConcurrencyUtilization)
	b.add(NamespaceInvocations, b.variant, UnitNone, []string{StatMaximum}, false, ServerlessProvisionedConcurrencyExecutions)
	b.add(NamespaceInvocations, b.variant, UnitNone, []string{StatSum}, false,
		ServerlessProvisionedConcurrencyInvocations, ServerlessProvisionedConcurrencySpilloverInvocations)
	b.add(NamespaceInstances, b.variant, UnitPercent, b.utilization, false, MemoryUtilization)
	return b.ms
}

// builder accumulates catalogue entries.
type builder struct {
	ms                         []Metric
	variant                    []string
	latency, rate, utilization []string
}

func newBuilder() *builder {
	return &builder{
		variant:     VariantDimensions(),
		latency:     []string{StatAverage, StatSum, StatMinimum, StatMaximum, StatSampleCount},
		rate:        []string{StatAverage, StatSum},
		utilization: []string{StatAverage, StatMinimum, StatMaximum, StatSampleCount},
	}
}

// add appends one entry per name.
func (b *builder) add(ns string, dims []string, unit string, stats []string, percentiles bool, names ...string) {
	for _, n := range names {
		b.ms = append(b.ms, Metric{Namespace: ns, Name: n, Dimensions: slices.Clone(dims), Unit: unit,
			Statistics: slices.Clone(stats), Percentiles: percentiles})
	}
}

// invocations adds the invocation, error and latency metrics every
// endpoint kind with InvokeEndpoint publishes; instances adds the ones
// only instance-backed endpoints publish (InvocationsPerInstance,
// InvocationModelErrors).
func (b *builder) invocations(instances bool) {
	b.add(NamespaceInvocations, b.variant, UnitNone, []string{StatSum, StatSampleCount}, false, Invocations)
	if instances {
		b.add(NamespaceInvocations, b.variant, UnitNone, []string{StatSum}, false, InvocationsPerInstance)
		b.add(NamespaceInvocations, b.variant, UnitNone, b.rate, false, InvocationModelErrors)
	}
	b.add(NamespaceInvocations, b.variant, UnitNone, b.rate, false, Invocation4XXErrors, Invocation5XXErrors)
	b.add(NamespaceInvocations, b.variant, UnitMicroseconds, b.latency, true, ModelLatency, OverheadLatency)
}

// LoadTest is the catalogue of what loadgen publishes into namespace (empty:
// NamespaceLoadTest), every metric with LoadTestDimensions: the latency
// distributions in µs and the counts of every test, and what a streaming
// test (loadgen -stream) adds: the TTFT, inter-token gap and TPOT
// distributions in µs, the output tokens per request distribution (Count,
// with percentiles: Values/Counts) and the OutputTokens and GoodRequests
// counts.
func LoadTest(namespace string) []Metric {
	if namespace == "" {
		namespace = NamespaceLoadTest
	}
	count := []string{StatSum, StatAverage, StatMinimum, StatMaximum, StatSampleCount}
	var ms []Metric
	add := func(unit string, percentiles bool, names ...string) {
		for _, n := range names {
			ms = append(ms, Metric{Namespace: namespace, Name: n, Dimensions: LoadTestDimensions(), Unit: unit,
				Statistics: slices.Clone(count), Percentiles: percentiles})
		}
	}
	add(UnitMicroseconds, true, LoadTestLatency, LoadTestLatencyClosedLoop)
	add(UnitCount, false, LoadTestRequests, LoadTestErrors, LoadTestThrottles, LoadTestModelErrors, LoadTestTimeouts, LoadTestDropped, LoadTestIntervals)
	add(UnitMicroseconds, true, LoadTestTTFT, LoadTestTTFTClosedLoop, LoadTestITL, LoadTestTPOT)
	add(UnitCount, true, LoadTestOutputTokensPerRequest)
	add(UnitCount, false, LoadTestOutputTokens, LoadTestGoodRequests)
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
