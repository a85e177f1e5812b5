package config

import (
	"fmt"
	"slices"
	"strings"
)

// supportedKinds are the endpoint kinds sagesize monitors.
var supportedKinds = []string{KindRealtime, KindServerless, KindAsync, KindMultiModel, KindInferenceComponents}

// validateKind checks e.Kind and reports whether the rest of e can be
// checked against it.
func validateKind(p string, e *Endpoint, add func(path, format string, args ...any)) bool {
	if slices.Contains(supportedKinds, e.Kind) {
		return true
	}
	add(p+".kind", "must be one of %s (default %s), got %q", strings.Join(supportedKinds, ", "), KindRealtime, e.Kind)
	return false
}

// Serverless limits, from AWS::SageMaker::EndpointConfig ServerlessConfig.
const (
	serverlessMemoryStepMB = 1024
	serverlessMaxMemoryMB  = 6144
	serverlessMaxConc      = 200
)

// serverlessRefused are the alarm families a serverless endpoint cannot
// have: SageMaker publishes no such metric for it ("Alarms and logs for
// tracking metrics from serverless endpoints" lists every metric it does
// publish: Invocations, Invocation4XXErrors, Invocation5XXErrors,
// ModelLatency, OverheadLatency, ModelSetupTime, MemoryUtilization and the
// Serverless... concurrency metrics).
func serverlessRefused(a Alarms) []struct {
	name string
	set  bool
} {
	return []struct {
		name string
		set  bool
	}{
		{"modelErrorRate", a.ModelErrorRate != nil},
		{"cpuUtilization", a.CPUUtilization != nil},
		{"gpuUtilization", a.GPUUtilization != nil},
		{"gpuMemoryUtilization", a.GPUMemoryUtilization != nil},
		{"diskUtilization", a.DiskUtilization != nil},
		{"oldestRequestAge", a.OldestRequestAge != nil},
		{"invocationFailures", a.InvocationFailures != nil},
		{"modelLoadingWaitTime", a.ModelLoadingWaitTime != nil},
		{"modelCacheHitRatio", a.ModelCacheHitRatio != nil},
	}
}

// validateServerless checks a serverless endpoint: variants with a
// serverless block and no instance, and only the alarm families whose
// metrics serverless endpoints publish.
func (c *Config) validateServerless(p string, e *Endpoint, add func(path, format string, args ...any)) {
	if len(e.Variants) == 0 {
		add(p+".variants", "is required: list the endpoint's serverless variants, e.g. variants: [{serverless: {memorySizeInMB: 2048, maxConcurrency: 20}}] (a single variant is named %s)", DefaultVariant)
	}
	if len(e.Variants) > maxVariants {
		add(p+".variants", "has %d variants; a SageMaker endpoint has at most %d production variants", len(e.Variants), maxVariants)
	}
	vseen := make(map[string]int)
	for j, v := range e.Variants {
		vp := fmt.Sprintf("%s.variants[%d]", p, j)
		checkVariantName(p, vp, v.Name, vseen, j, add)
		if v.InstanceType != "" {
			add(vp+".instanceType", "a serverless variant has no instance type (SageMaker sizes it by serverless.memorySizeInMB): remove instanceType %q, or remove kind: %s", v.InstanceType, KindServerless)
		}
		if v.InstanceCount != nil {
			add(vp+".instanceCount", "a serverless variant has no instances (serverless.maxConcurrency bounds it): remove instanceCount")
		}
		checkServerless(vp+".serverless", v.Serverless, add)
	}
	if e.SLO.Latency.Duration <= 0 {
		add(p+".slo.latency", "is required and must be positive: the latency objective, e.g. 300ms")
	}
	a := e.Alarms
	ap := p + ".alarms"
	checkLatency(ap+".modelLatency", a.ModelLatency, add)
	checkLatency(ap+".overheadLatency", a.OverheadLatency, add)
	checkPercent(ap+".invocation5xxErrorRate", a.Invocation5XXErrorRate, add)
	checkPercent(ap+".memoryUtilization", a.MemoryUtilization, add)
	for _, r := range serverlessRefused(a) {
		if r.set {
			add(ap+"."+r.name, "serverless endpoints publish no such metric (they have no CPU, GPU or disk metrics, no InvocationModelErrors and no queue): remove it; a serverless endpoint alarms on modelLatency, overheadLatency, invocation5xxErrorRate and memoryUtilization")
		}
	}
	validateComponents(p, e, add)
	if e.Evaluation != nil {
		validateEvaluation(p+".evaluation", *e.Evaluation, add)
	}
}

// checkVariantName checks variant j's name: given when there are several,
// valid for SageMaker and unique in the endpoint (seen).
func checkVariantName(p, vp, name string, seen map[string]int, j int, add func(path, format string, args ...any)) {
	switch k, dup := seen[name]; {
	case name == "":
		add(vp+".name", "is required when an endpoint has several variants (only a single variant defaults to %s)", DefaultVariant)
	case !validSageMakerName(name):
		add(vp+".name", "SageMaker would reject %q: %s", name, sageMakerNameRule("variant", name))
	case dup:
		add(vp+".name", "duplicates %s.variants[%d].name %q", p, k, name)
	default:
		seen[name] = j
	}
}

// checkServerless checks a serverless variant's configuration against
// SageMaker's ServerlessConfig limits.
func checkServerless(p string, s *Serverless, add func(path, format string, args ...any)) {
	if s == nil {
		add(p, "is required on a serverless endpoint: {memorySizeInMB: 1024-6144 in steps of 1024, maxConcurrency: 1-200}")
		return
	}
	if m := s.MemorySizeInMB; m < serverlessMemoryStepMB || m > serverlessMaxMemoryMB || m%serverlessMemoryStepMB != 0 {
		add(p+".memorySizeInMB", "must be 1024, 2048, 3072, 4096, 5120 or 6144, got %d", m)
	}
	if s.MaxConcurrency < 1 || s.MaxConcurrency > serverlessMaxConc {
		add(p+".maxConcurrency", "must be between 1 and %d, got %d", serverlessMaxConc, s.MaxConcurrency)
	}
	if pc := s.ProvisionedConcurrency; pc < 0 || pc > max(s.MaxConcurrency, 1) {
		add(p+".provisionedConcurrency", "must be between 1 and maxConcurrency (%d), or 0 for none, got %d", s.MaxConcurrency, pc)
	}
}

// validateAsyncAlarms checks the alarm families that only asynchronous
// endpoints have, and that an asynchronous endpoint has none of the
// families whose metrics it does not publish; and that no load test drives
// it (loadgen calls InvokeEndpoint, which an asynchronous endpoint refuses).
func validateAsyncAlarms(p string, e *Endpoint, add func(path, format string, args ...any)) {
	a := e.Alarms
	ap := p + ".alarms"
	if !e.IsAsync() {
		if a.OldestRequestAge != nil {
			add(ap+".oldestRequestAge", "is an asynchronous endpoint alarm (ApproximateAgeOfOldestRequest): set %s.kind: %s, or remove it", p, KindAsync)
		}
		if a.InvocationFailures != nil {
			add(ap+".invocationFailures", "is an asynchronous endpoint alarm (InvocationFailures): set %s.kind: %s, or remove it", p, KindAsync)
		}
		return
	}
	if a.OverheadLatency != nil {
		add(ap+".overheadLatency", "asynchronous endpoints publish no OverheadLatency: remove it (alarm on oldestRequestAge for queueing)")
	}
	if a.ModelErrorRate != nil {
		add(ap+".modelErrorRate", "asynchronous endpoints publish no InvocationModelErrors: remove it (alarm on invocationFailures)")
	}
	if e.LoadTest != nil {
		add(p+".loadTest", "cannot drive an asynchronous endpoint: loadgen calls InvokeEndpoint, which asynchronous endpoints refuse (they take InvokeEndpointAsync); remove loadTest")
	}
	checkDurations(ap+".oldestRequestAge", a.OldestRequestAge, add)
	checkCounts(ap+".invocationFailures", a.InvocationFailures, add)
}

// checkDurations checks a pair of duration thresholds.
func checkDurations(p string, t *DurationThresholds, add func(path, format string, args ...any)) {
	if t == nil {
		return
	}
	checkLatency(p, &LatencyThresholds{Warning: t.Warning, Critical: t.Critical}, add)
}

// checkCounts checks a pair of count thresholds: at least one, each at
// least 1, critical above warning.
func checkCounts(p string, t *CountThresholds, add func(path, format string, args ...any)) {
	if t == nil {
		return
	}
	if t.Warning == nil && t.Critical == nil {
		add(p, "needs a warning or critical threshold, e.g. {warning: 1, critical: 10} (failures per alarm period)")
		return
	}
	for _, l := range []struct {
		name string
		v    *int
	}{{"warning", t.Warning}, {"critical", t.Critical}} {
		if l.v != nil && *l.v < 1 {
			add(p+"."+l.name, "must be at least 1 (failures per alarm period; the alarm fires above it), got %d", *l.v)
		}
	}
	if t.Warning != nil && t.Critical != nil && *t.Critical <= *t.Warning && *t.Warning >= 1 {
		add(p+".critical", "must be above warning (%d), got %d", *t.Warning, *t.Critical)
	}
}

// validateMultiModelAlarms checks the alarm families that only multi-model
// endpoints have: on any other kind they are errors; on a multi-model
// endpoint the loading wait takes Average, Maximum or Minimum (SageMaker
// documents no percentiles for it) and the cache hit ratio is a lower
// bound, so critical is below warning.
func validateMultiModelAlarms(p string, e *Endpoint, add func(path, format string, args ...any)) {
	a := e.Alarms
	ap := p + ".alarms"
	if !e.IsMultiModel() {
		for _, f := range []struct {
			name, metric string
			set          bool
		}{{"modelLoadingWaitTime", "ModelLoadingWaitTime", a.ModelLoadingWaitTime != nil}, {"modelCacheHitRatio", "ModelCacheHit", a.ModelCacheHitRatio != nil}} {
			if f.set {
				add(ap+"."+f.name, "is a multi-model endpoint alarm (%s): set %s.kind: %s, or remove it", f.metric, p, KindMultiModel)
			}
		}
		return
	}
	if t := a.ModelLoadingWaitTime; t != nil {
		checkLatency(ap+".modelLoadingWaitTime", t, add)
		if t.Statistic.IsPercentile() {
			add(ap+".modelLoadingWaitTime.statistic", "must be Average, Maximum or Minimum (SageMaker documents no percentiles for ModelLoadingWaitTime), got %s", t.Statistic)
		}
	}
	checkLowerPercent(ap+".modelCacheHitRatio", a.ModelCacheHitRatio, add)
}

// checkLowerPercent checks percentage thresholds that are lower bounds:
// each in 0-100 %, critical below warning.
func checkLowerPercent(p string, t *PercentThresholds, add func(path, format string, args ...any)) {
	checkPercentThresholds(p, t, true, add)
}

// validateComponents checks an endpoint's inference components: present
// exactly when the endpoint hosts components, named as SageMaker allows and
// uniquely, at least one copy, a reservation that fits the largest of the
// endpoint's instances; and, on a components endpoint, no disk alarm (the
// components' utilization has no disk) and no load test (loadgen does not
// address a component).
func validateComponents(p string, e *Endpoint, add func(path, format string, args ...any)) {
	if !e.HasComponents() {
		if len(e.InferenceComponents) > 0 {
			add(p+".inferenceComponents", "is only for endpoints hosting inference components: set %s.kind: %s, or remove inferenceComponents", p, KindInferenceComponents)
		}
		return
	}
	if len(e.InferenceComponents) == 0 {
		add(p+".inferenceComponents", "is required with kind: %s: list the components, e.g. [{name: llama-8b, copies: 2, accelerators: 1}]", KindInferenceComponents)
	}
	if e.Alarms.DiskUtilization != nil {
		add(p+".alarms.diskUtilization", "inference components publish no disk metric (their utilization is CPU, memory, GPU and GPU memory over their reservation): remove it")
	}
	if e.LoadTest != nil {
		add(p+".loadTest", "cannot drive an inference component (loadgen does not set InferenceComponentName): remove loadTest")
	}
	var vcpus, gpus int
	var memMiB float64
	for _, v := range e.Variants {
		vcpus, gpus, memMiB = max(vcpus, v.Instance.VCPUs), max(gpus, v.Instance.GPUs()), max(memMiB, v.Instance.MemoryGiB*1024)
	}
	seen := map[string]int{}
	for i, ic := range e.InferenceComponents {
		cp := fmt.Sprintf("%s.inferenceComponents[%d]", p, i)
		switch j, dup := seen[ic.Name]; {
		case ic.Name == "":
			add(cp+".name", "is required: the inference component name")
		case !validSageMakerName(ic.Name):
			add(cp+".name", "SageMaker would reject %q: %s", ic.Name, sageMakerNameRule("inference component", ic.Name))
		case dup:
			add(cp+".name", "duplicates %s.inferenceComponents[%d].name %q", p, j, ic.Name)
		default:
			seen[ic.Name] = i
		}
		if ic.CopyCount() < 1 {
			add(cp+".copies", "must be at least 1, got %d", ic.CopyCount())
		}
		checkReservation(cp, ic, vcpus, gpus, memMiB, add)
	}
}

// checkReservation checks one copy's reservation against the largest
// instance (vcpus, gpus, memMiB; 0 when no instance type resolved).
func checkReservation(cp string, ic InferenceComponent, vcpus, gpus int, memMiB float64, add func(path, format string, args ...any)) {
	if ic.CPUCores < 0 || vcpus > 0 && ic.CPUCores > float64(vcpus) {
		add(cp+".cpuCores", "must be between 0 and the instance's %d vCPUs, got %v", vcpus, ic.CPUCores)
	}
	if ic.MemoryMiB < 0 || memMiB > 0 && float64(ic.MemoryMiB) > memMiB {
		add(cp+".memoryMiB", "must be between 0 and the instance's %v MiB, got %d", memMiB, ic.MemoryMiB)
	}
	if ic.Accelerators < 0 || vcpus > 0 && ic.Accelerators > float64(gpus) {
		add(cp+".accelerators", "must be between 0 and the instance's %d accelerators, got %v", gpus, ic.Accelerators)
	}
}

// enhancedKinds are the kinds whose endpoints can publish enhanced metrics:
// "Amazon SageMaker AI enhanced metrics for inference endpoints" covers
// real-time endpoints on instances, single-model and inference components.
var enhancedKinds = []string{KindRealtime, KindInferenceComponents}

// validateEnhanced checks e.enhancedMetrics: a kind that publishes them and
// a period sagesize draws at.
func validateEnhanced(p string, e *Endpoint, add func(path, format string, args ...any)) {
	m := e.EnhancedMetrics
	if m == nil {
		return
	}
	if !slices.Contains(enhancedKinds, e.Kind) {
		add(p+".enhancedMetrics", "SageMaker publishes enhanced metrics only for real-time endpoints on instances (kind %s), not for kind %s: remove enhancedMetrics",
			strings.Join(enhancedKinds, " or "), e.Kind)
		return
	}
	if d := m.Period; d != nil && d.Duration != EnhancedHighResolution && d.Duration != EnhancedDefaultPeriod {
		add(p+".enhancedMetrics.period", "must be 10s (high resolution) or 60s (the endpoint configuration's MetricPublishFrequencyInSeconds), got %s", short(d.Duration))
	}
}
