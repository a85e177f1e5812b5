// Package metrics is sagesize's metric contract: the CloudWatch namespaces,
// metric and dimension names, units and publish periods that the CDK
// constructs graph and alarm on, that loadgen publishes and that the sizing
// code reads back; the catalogue of what SageMaker publishes; and the unit
// conversions between what is published and what sagesize shows, which live
// here and nowhere else.
//
// The package depends on the standard library only, so that the CDK app,
// the load generator and the test validators can all import it without
// linking each other.
package metrics

import "time"

// SageMaker's namespaces for real-time endpoints.
const (
	// NamespaceInvocations ("AWS/SageMaker") holds the invocation, error
	// and latency metrics of real-time endpoints.
	NamespaceInvocations = "AWS/SageMaker"
	// NamespaceInstances ("/aws/sagemaker/Endpoints") holds the
	// per-variant instance utilization metrics.
	NamespaceInstances = "/aws/sagemaker/Endpoints"
	// NamespaceInferenceComponents ("/aws/sagemaker/InferenceComponents")
	// holds the per-component utilization, normalized to the component's
	// reservation.
	NamespaceInferenceComponents = "/aws/sagemaker/InferenceComponents"
)

// sagesize's own namespaces.
const (
	// NamespaceLoadTest is where loadgen publishes its client-side metrics
	// unless told otherwise.
	NamespaceLoadTest = "SageSize/LoadTest"
	// NamespaceNotebook is where the CloudWatch agent of a notebook
	// instance publishes unless told otherwise.
	NamespaceNotebook = "SageSize/Notebook"
)

// Dimension names.
const (
	// DimEndpointName is the SageMaker endpoint name.
	DimEndpointName = "EndpointName"
	// DimVariantName is the production variant name.
	DimVariantName = "VariantName"
	// DimTestID is the load test's id, which loadgen adds to SageMaker's two.
	DimTestID = "TestId"
	// DimInferenceComponentName is the inference component name.
	DimInferenceComponentName = "InferenceComponentName"
	// DimNotebookInstanceName is the notebook instance name the agent adds.
	DimNotebookInstanceName = "NotebookInstanceName"
	// DimInstanceID is the instance that enhanced metrics add to a
	// variant's utilization (see Enhanced).
	DimInstanceID = "InstanceId"
	// DimAcceleratorID is the GPU that enhanced metrics add to an
	// instance's GPU utilization (see Enhanced).
	DimAcceleratorID = "AcceleratorId"
)

// VariantDimensions is the dimension set of every per-variant SageMaker
// metric sagesize reads: EndpointName, VariantName.
func VariantDimensions() []string { return []string{DimEndpointName, DimVariantName} }

// InstanceDimensions is the dimension set of a variant's per-instance
// utilization when enhanced metrics are on: EndpointName, VariantName,
// InstanceId.
func InstanceDimensions() []string { return append(VariantDimensions(), DimInstanceID) }

// AcceleratorDimensions is the dimension set of a variant's per-GPU
// utilization when enhanced metrics are on: InstanceDimensions and
// AcceleratorId.
func AcceleratorDimensions() []string { return append(InstanceDimensions(), DimAcceleratorID) }

// LoadTestDimensions is the dimension set of every metric loadgen
// publishes: EndpointName, VariantName, TestId.
func LoadTestDimensions() []string { return []string{DimEndpointName, DimVariantName, DimTestID} }

// Names of the SageMaker metrics sagesize graphs, alarms on or reads.
const (
	// Invocations counts InvokeEndpoint requests (Sum).
	Invocations = "Invocations"
	// InvocationsPerInstance is Invocations divided by the variant's
	// instance count (Sum).
	InvocationsPerInstance = "InvocationsPerInstance"
	// Invocation4XXErrors is 1 per 4xx response and 0 otherwise.
	Invocation4XXErrors = "Invocation4XXErrors"
	// Invocation5XXErrors is 1 per 5xx response and 0 otherwise.
	Invocation5XXErrors = "Invocation5XXErrors"
	// InvocationModelErrors is 1 per model error and 0 otherwise.
	InvocationModelErrors = "InvocationModelErrors"
	// ModelLatency is the model container's latency, in microseconds.
	ModelLatency = "ModelLatency"
	// OverheadLatency is what SageMaker adds to ModelLatency, in microseconds.
	OverheadLatency = "OverheadLatency"
	// CPUUtilization is the sum over the instance's vCPUs: 0–100×vCPUs %.
	CPUUtilization = "CPUUtilization"
	// MemoryUtilization is 0–100 %.
	MemoryUtilization = "MemoryUtilization"
	// DiskUtilization is 0–100 %.
	DiskUtilization = "DiskUtilization"
	// GPUUtilization is the sum over the instance's GPUs: 0–100×GPUs %.
	GPUUtilization = "GPUUtilization"
	// GPUMemoryUtilization is the sum over the instance's GPUs: 0–100×GPUs %.
	GPUMemoryUtilization = "GPUMemoryUtilization"
)

// Names of the metrics only endpoints with inference components publish.
const (
	// InvocationsPerCopy is Invocations divided by the component's copies (Sum).
	InvocationsPerCopy = "InvocationsPerCopy"
	// ConcurrentRequestsPerCopy is the concurrent requests per copy (Min, Max).
	ConcurrentRequestsPerCopy = "ConcurrentRequestsPerCopy"
	// CPUUtilizationNormalized is CPU utilization 0–100 %: of the instance
	// per variant, of the component's reservation per component.
	CPUUtilizationNormalized = "CPUUtilizationNormalized"
	// MemoryUtilizationNormalized is a component's memory over its reservation.
	MemoryUtilizationNormalized = "MemoryUtilizationNormalized"
	// GPUUtilizationNormalized is GPU utilization 0–100 %.
	GPUUtilizationNormalized = "GPUUtilizationNormalized"
	// GPUMemoryUtilizationNormalized is GPU memory utilization 0–100 %.
	GPUMemoryUtilizationNormalized = "GPUMemoryUtilizationNormalized"
	// CPUReservation is the share of the instance's CPUs components reserve, 0–100 %.
	CPUReservation = "CPUReservation"
	// GPUReservation is the share of the instance's GPUs components reserve, 0–100 %.
	GPUReservation = "GPUReservation"
	// MemoryReservation is the share of the instance's memory components reserve, 0–100 %.
	MemoryReservation = "MemoryReservation"
)

// Names of the metrics only multi-model endpoints publish.
const (
	// ModelLoadingWaitTime is how long a request waited for its model to
	// be downloaded or loaded, in microseconds.
	ModelLoadingWaitTime = "ModelLoadingWaitTime"
	// ModelLoadingTime is the container's LoadModel time, in microseconds.
	ModelLoadingTime = "ModelLoadingTime"
	// ModelDownloadingTime is the time to download a model from S3, in microseconds.
	ModelDownloadingTime = "ModelDownloadingTime"
	// ModelUnloadingTime is the container's UnloadModel time, in microseconds.
	ModelUnloadingTime = "ModelUnloadingTime"
	// ModelCacheHit is 1 per request whose model was loaded, else 0: its
	// Average is the cache hit ratio.
	ModelCacheHit = "ModelCacheHit"
	// LoadedModelCount is the models loaded per instance
	// (/aws/sagemaker/Endpoints; Sum over instances, Average per instance).
	LoadedModelCount = "LoadedModelCount"
)

// Names of the metrics only asynchronous endpoints publish.
const (
	// ApproximateBacklogSize is the number of queued and in-process
	// requests of an endpoint (EndpointName only).
	ApproximateBacklogSize = "ApproximateBacklogSize"
	// ApproximateBacklogSizePerInstance is ApproximateBacklogSize divided
	// by the endpoint's instances (EndpointName only).
	ApproximateBacklogSizePerInstance = "ApproximateBacklogSizePerInstance"
	// ApproximateAgeOfOldestRequest is the age of the oldest queued
	// request, in seconds (EndpointName only).
	ApproximateAgeOfOldestRequest = "ApproximateAgeOfOldestRequest"
	// HasBacklogWithoutCapacity is 1 while requests wait and the endpoint
	// has no instance (EndpointName only).
	HasBacklogWithoutCapacity = "HasBacklogWithoutCapacity"
	// TimeInBacklog is how long a request queued before processing, in
	// microseconds.
	TimeInBacklog = "TimeInBacklog"
	// TotalProcessingTime is receipt to finished processing, in
	// milliseconds (not microseconds, as the AWS page says).
	TotalProcessingTime = "TotalProcessingTime"
	// InvocationsProcesssed counts processed async invocations (Sum); AWS
	// spells it with three s.
	InvocationsProcesssed = "InvocationsProcesssed"
	// InvocationFailures counts async invocations that failed for any reason (Sum).
	InvocationFailures = "InvocationFailures"
	// RequestDownloadFailures counts failures to download a request from S3 (Sum).
	RequestDownloadFailures = "RequestDownloadFailures"
	// ResponseUploadFailures counts failures to upload a response to S3 (Sum).
	ResponseUploadFailures = "ResponseUploadFailures"
	// NotificationFailures counts failures to publish a notification (Sum).
	NotificationFailures = "NotificationFailures"
	// ExpiredRequests counts queued requests that reached their TTL (Sum).
	ExpiredRequests = "ExpiredRequests"
)

// Names of the metrics only serverless endpoints publish.
const (
	// ModelSetupTime is the time to launch compute for a serverless
	// endpoint (a cold start), in microseconds.
	ModelSetupTime = "ModelSetupTime"
	// ServerlessConcurrentExecutionsUtilization is the concurrent
	// executions divided by the variant's maximum concurrency.
	ServerlessConcurrentExecutionsUtilization = "ServerlessConcurrentExecutionsUtilization"
	// ServerlessProvisionedConcurrencyExecutions is the number of
	// concurrent executions served by provisioned concurrency.
	ServerlessProvisionedConcurrencyExecutions = "ServerlessProvisionedConcurrencyExecutions"
	// ServerlessProvisionedConcurrencyUtilization is those executions
	// divided by the provisioned concurrency.
	ServerlessProvisionedConcurrencyUtilization = "ServerlessProvisionedConcurrencyUtilization"
	// ServerlessProvisionedConcurrencyInvocations counts the invocations
	// provisioned concurrency served (Sum).
	ServerlessProvisionedConcurrencyInvocations = "ServerlessProvisionedConcurrencyInvocations"
	// ServerlessProvisionedConcurrencySpilloverInvocations counts the
	// invocations beyond provisioned concurrency, served on demand (Sum).
	ServerlessProvisionedConcurrencySpilloverInvocations = "ServerlessProvisionedConcurrencySpilloverInvocations"
)

// Names of the metrics loadgen publishes, each with LoadTestDimensions.
const (
	// LoadTestLatency is the client-side latency distribution of an
	// interval, in microseconds, as Values/Counts: CloudWatch computes
	// percentiles over any set of generators and periods from it.
	LoadTestLatency = "Latency"
	// LoadTestLatencyClosedLoop replaces LoadTestLatency in closed-loop
	// mode, so that its understated latencies (coordinated omission) are
	// never mistaken for, or merged with, open-model latencies.
	LoadTestLatencyClosedLoop = "LatencyClosedLoop"
	// LoadTestRequests counts requests that ended, any class.
	LoadTestRequests = "Requests"
	// LoadTestErrors counts failed requests, any class.
	LoadTestErrors = "Errors"
	// LoadTestThrottles counts throttled requests.
	LoadTestThrottles = "Throttles"
	// LoadTestModelErrors counts SageMaker ModelError responses.
	LoadTestModelErrors = "ModelErrors"
	// LoadTestTimeouts counts requests that timed out.
	LoadTestTimeouts = "Timeouts"
	// LoadTestDropped counts requests that were due but not sent.
	LoadTestDropped = "Dropped"
	// LoadTestIntervals is 1 per task per published interval (Sum): the
	// number of intervals CloudWatch holds for a window, against the
	// number the tasks ran, tells a lost publish from a slow endpoint.
	LoadTestIntervals = "Intervals"

	// Streaming tests (loadgen -stream) publish these too.

	// LoadTestTTFT is the time to first token of every streamed request
	// that received one, from its scheduled start, in microseconds, as
	// Values/Counts.
	LoadTestTTFT = "TimeToFirstToken"
	// LoadTestTTFTClosedLoop replaces LoadTestTTFT in closed-loop mode
	// (coordinated omission: understated).
	LoadTestTTFTClosedLoop = "TimeToFirstTokenClosedLoop"
	// LoadTestITL is every gap between two token arrivals, in
	// microseconds, as Values/Counts.
	LoadTestITL = "InterTokenLatency"
	// LoadTestTPOT is the time per output token after the first of every
	// successful stream, in microseconds, as Values/Counts.
	LoadTestTPOT = "TimePerOutputToken"
	// LoadTestOutputTokensPerRequest is the output token count of every
	// successful stream, as Values/Counts.
	LoadTestOutputTokensPerRequest = "OutputTokensPerRequest"
	// LoadTestOutputTokens counts the output tokens of successful streams
	// (Sum; per second: output tokens/s).
	LoadTestOutputTokens = "OutputTokens"
	// LoadTestGoodRequests counts the streamed requests that met every
	// objective of the test's SLO (Sum; per second: goodput).
	LoadTestGoodRequests = "GoodRequests"
)

// Units, as CloudWatch's StandardUnit names.
const (
	// UnitMicroseconds is every latency SageMaker and loadgen publish.
	UnitMicroseconds = "Microseconds"
	// UnitSeconds is the age of asynchronous requests.
	UnitSeconds = "Seconds"
	// UnitMilliseconds is an asynchronous request's TotalProcessingTime.
	UnitMilliseconds = "Milliseconds"
	// UnitPercent is every utilization.
	UnitPercent = "Percent"
	// UnitCount is a count of requests or items.
	UnitCount = "Count"
	// UnitNone is what SageMaker declares for its invocation counts.
	UnitNone = "None"
)

// Statistics, as CloudWatch names them. Percentiles are written pNN.
const (
	// StatAverage is Sum / SampleCount over a period.
	StatAverage = "Average"
	// StatSum adds every value of a period.
	StatSum = "Sum"
	// StatMinimum is the lowest value of a period.
	StatMinimum = "Minimum"
	// StatMaximum is the highest value of a period.
	StatMaximum = "Maximum"
	// StatSampleCount is the number of values of a period.
	StatSampleCount = "SampleCount"
)

// Publish periods.
const (
	// SageMakerPeriod is how often SageMaker publishes endpoint metrics
	// (unless an endpoint config's MetricsConfig asks for more often).
	SageMakerPeriod = time.Minute
	// LoadTestPeriod is how often loadgen publishes one interval, at
	// one-second storage resolution, so graphs of its metrics use it as
	// their period.
	LoadTestPeriod = 10 * time.Second
)
