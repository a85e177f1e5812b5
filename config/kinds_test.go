package config

import (
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/naming"
)

// goodServerless is a valid serverless config that the bad cases below
// break one way each.
const goodServerless = `project: nlp
endpoints:
  - name: sentiment
    kind: serverless
    variants:
      - serverless: {memorySizeInMB: 2048, maxConcurrency: 20, provisionedConcurrency: 2}
    slo: {latency: 800ms}
    alarms:
      memoryUtilization: {warning: 85%}
`

func TestLoad_KindDefaultsToRealtime(t *testing.T) {
	c, err := Load(writeConfig(t, good), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range c.Endpoints {
		if e.Kind != KindRealtime || e.IsServerless() {
			t.Errorf("endpoint %s: kind %q, serverless %v; want %q", e.Name, e.Kind, e.IsServerless(), KindRealtime)
		}
	}
}

func TestLoad_Serverless(t *testing.T) {
	c, err := Load(writeConfig(t, goodServerless), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := c.Endpoints[0]
	v := e.Variants[0]
	if !e.IsServerless() || v.Name != DefaultVariant || v.Serverless == nil || *v.Serverless != (Serverless{2048, 20, 2}) {
		t.Fatalf("endpoint = kind %q, variant %q %+v; want serverless AllTraffic {2048 20 2}", e.Kind, v.Name, v.Serverless)
	}
	if v.Instance.Type != "" {
		t.Errorf("serverless variant resolved instance %q; want none", v.Instance.Type)
	}
	// Only the SLO's ModelLatency alarm and the memory warning are named.
	var alarms []string
	for _, d := range c.DerivedNames() {
		if strings.Contains(d.Name, "-AllTraffic-") {
			alarms = append(alarms, d.Name)
		}
	}
	want := []string{"nlp-sentiment-AllTraffic-ModelLatency-Critical", "nlp-sentiment-AllTraffic-MemoryUtilization-Warning"}
	if strings.Join(alarms, " ") != strings.Join(want, " ") {
		t.Errorf("alarm names = %v; want %v", alarms, want)
	}
}

var badKinds = []struct{ name, old, new, want string }{
	{
		name: "unknown kind", old: "kind: serverless", new: "kind: lambda",
		want: `sagesize.yaml: endpoints[0].kind: must be one of realtime, serverless, async, multiModel, inferenceComponents (default realtime), got "lambda"`,
	},
	{
		name: "serverless with an instance type", old: "      - serverless:", new: "      - instanceType: ml.c5.xlarge\n        instanceCount: 2\n        serverless:",
		want: `sagesize.yaml: endpoints[0].variants[0].instanceType: a serverless variant has no instance type (SageMaker sizes it by serverless.memorySizeInMB): remove instanceType "ml.c5.xlarge", or remove kind: serverless` + "\n" +
			"sagesize.yaml: endpoints[0].variants[0].instanceCount: a serverless variant has no instances (serverless.maxConcurrency bounds it): remove instanceCount",
	},
	{
		name: "serverless without its block", old: "      - serverless: {memorySizeInMB: 2048, maxConcurrency: 20, provisionedConcurrency: 2}", new: "      - name: AllTraffic",
		want: "sagesize.yaml: endpoints[0].variants[0].serverless: is required on a serverless endpoint: {memorySizeInMB: 1024-6144 in steps of 1024, maxConcurrency: 1-200}",
	},
	{
		name: "serverless limits", old: "{memorySizeInMB: 2048, maxConcurrency: 20, provisionedConcurrency: 2}", new: "{memorySizeInMB: 2000, maxConcurrency: 201, provisionedConcurrency: 202}",
		want: "sagesize.yaml: endpoints[0].variants[0].serverless.memorySizeInMB: must be 1024, 2048, 3072, 4096, 5120 or 6144, got 2000\n" +
			"sagesize.yaml: endpoints[0].variants[0].serverless.maxConcurrency: must be between 1 and 200, got 201\n" +
			"sagesize.yaml: endpoints[0].variants[0].serverless.provisionedConcurrency: must be between 1 and maxConcurrency (201), or 0 for none, got 202",
	},
	{
		name: "GPU and CPU alarms on serverless", old: "      memoryUtilization: {warning: 85%}", new: "      gpuUtilization: {critical: 90%}\n      cpuUtilization: {critical: 90%}",
		want: "sagesize.yaml: endpoints[0].alarms.cpuUtilization: serverless endpoints publish no such metric (they have no CPU, GPU or disk metrics, no InvocationModelErrors and no queue): remove it; a serverless endpoint alarms on modelLatency, overheadLatency, invocation5xxErrorRate and memoryUtilization\n" +
			"sagesize.yaml: endpoints[0].alarms.gpuUtilization: serverless endpoints publish no such metric (they have no CPU, GPU or disk metrics, no InvocationModelErrors and no queue): remove it; a serverless endpoint alarms on modelLatency, overheadLatency, invocation5xxErrorRate and memoryUtilization",
	},
	{
		name: "model error alarm on serverless", old: "      memoryUtilization: {warning: 85%}", new: "      modelErrorRate: {critical: 1%}",
		want: "sagesize.yaml: endpoints[0].alarms.modelErrorRate: serverless endpoints publish no such metric (they have no CPU, GPU or disk metrics, no InvocationModelErrors and no queue): remove it; a serverless endpoint alarms on modelLatency, overheadLatency, invocation5xxErrorRate and memoryUtilization",
	},
	{
		name: "serverless block on a realtime endpoint", old: "    kind: serverless\n    variants:\n      - serverless:", new: "    variants:\n      - instanceType: ml.c5.xlarge\n        serverless:",
		want: "sagesize.yaml: endpoints[0].variants[0].serverless: is only for serverless endpoints: set endpoints[0].kind: serverless and remove instanceType, or remove serverless",
	},
	{
		name: "async alarm on serverless", old: "      memoryUtilization: {warning: 85%}", new: "      oldestRequestAge: {critical: 5m}",
		want: "sagesize.yaml: endpoints[0].alarms.oldestRequestAge: serverless endpoints publish no such metric (they have no CPU, GPU or disk metrics, no InvocationModelErrors and no queue): remove it; a serverless endpoint alarms on modelLatency, overheadLatency, invocation5xxErrorRate and memoryUtilization",
	},
}

func TestLoad_BadKinds(t *testing.T) {
	runBad(t, goodServerless, badKinds)
}

// runBad loads good with each case's one change and compares the error.
func runBad(t *testing.T, good string, cases []struct{ name, old, new, want string }) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.old) {
				t.Fatalf("the good config has no %q", tc.old)
			}
			got := loadErr(t, strings.Replace(good, tc.old, tc.new, 1))
			if got != tc.want {
				t.Errorf("Load error:\n got: %s\nwant: %s", got, tc.want)
			}
		})
	}
}

// goodAsync is a valid asynchronous endpoint with both async alarm families.
const goodAsync = `project: docs
endpoints:
  - name: ocr
    kind: async
    variants:
      - instanceType: ml.g5.xlarge
        instanceCount: 2
    slo: {latency: 30s}
    alarms:
      oldestRequestAge: {warning: 5m, critical: 15m}
      invocationFailures: {critical: 5}
      gpuUtilization: {warning: 90%}
`

func TestLoad_Async(t *testing.T) {
	c, err := Load(writeConfig(t, goodAsync), nil)
	if err != nil {
		t.Fatal(err)
	}
	if e := c.Endpoints[0]; !e.IsAsync() || e.Variants[0].Instance.GPUs() != 1 {
		t.Fatalf("endpoint = kind %q, %d GPUs; want async on ml.g5.xlarge", e.Kind, e.Variants[0].Instance.GPUs())
	}
	var alarms []string
	for _, d := range c.DerivedNames() {
		if d.Kind == &naming.AlarmKind {
			alarms = append(alarms, d.Name)
		}
	}
	want := "docs-ocr-OldestRequestAge-Warning docs-ocr-OldestRequestAge-Critical docs-ocr-AllTraffic-ModelLatency-Critical " +
		"docs-ocr-AllTraffic-InvocationFailures-Critical docs-ocr-AllTraffic-GPUUtilization-Warning docs-ocr-AnyCritical"
	if got := strings.Join(alarms, " "); got != want {
		t.Errorf("alarm names:\n got %s\nwant %s", got, want)
	}
}

var badAsync = []struct{ name, old, new, want string }{
	{
		name: "async alarms on a realtime endpoint", old: "    kind: async\n", new: "",
		want: "sagesize.yaml: endpoints[0].alarms.oldestRequestAge: is an asynchronous endpoint alarm (ApproximateAgeOfOldestRequest): set endpoints[0].kind: async, or remove it\n" +
			"sagesize.yaml: endpoints[0].alarms.invocationFailures: is an asynchronous endpoint alarm (InvocationFailures): set endpoints[0].kind: async, or remove it",
	},
	{
		name: "overhead and model errors on async", old: "      gpuUtilization: {warning: 90%}", new: "      overheadLatency: {warning: 10ms}\n      modelErrorRate: {critical: 1%}",
		want: "sagesize.yaml: endpoints[0].alarms.overheadLatency: asynchronous endpoints publish no OverheadLatency: remove it (alarm on oldestRequestAge for queueing)\n" +
			"sagesize.yaml: endpoints[0].alarms.modelErrorRate: asynchronous endpoints publish no InvocationModelErrors: remove it (alarm on invocationFailures)",
	},
	{
		name: "bad async thresholds", old: "{warning: 5m, critical: 15m}", new: "{warning: 15m, critical: 5m}",
		want: "sagesize.yaml: endpoints[0].alarms.oldestRequestAge.critical: must be above warning (15m0s), got 5m0s",
	},
	{
		name: "failures below 1", old: "invocationFailures: {critical: 5}", new: "invocationFailures: {warning: 0, critical: 5}",
		want: "sagesize.yaml: endpoints[0].alarms.invocationFailures.warning: must be at least 1 (failures per alarm period; the alarm fires above it), got 0",
	},
	{
		name: "load test on async", old: "    slo: {latency: 30s}\n", new: "    slo: {latency: 30s}\n    loadTest: {rate: 1, duration: 1m, body: hi}\n",
		want: "sagesize.yaml: endpoints[0].loadTest: cannot drive an asynchronous endpoint: loadgen calls InvokeEndpoint, which asynchronous endpoints refuse (they take InvokeEndpointAsync); remove loadTest",
	},
}

func TestLoad_BadAsync(t *testing.T) {
	runBad(t, goodAsync, badAsync)
}

// goodMultiModel is a valid multi-model endpoint with both multi-model
// alarm families.
const goodMultiModel = `project: shop
endpoints:
  - name: per-store
    kind: multiModel
    variants:
      - instanceType: ml.m5.xlarge
    slo: {latency: 200ms}
    alarms:
      modelLoadingWaitTime: {statistic: Maximum, warning: 2s, critical: 10s}
      modelCacheHitRatio: {warning: 90%, critical: 70%}
`

func TestLoad_MultiModel(t *testing.T) {
	c, err := Load(writeConfig(t, goodMultiModel), nil)
	if err != nil {
		t.Fatal(err)
	}
	var alarms []string
	for _, d := range c.DerivedNames() {
		if d.Kind == &naming.AlarmKind {
			alarms = append(alarms, d.Name)
		}
	}
	want := "shop-per-store-AllTraffic-ModelLatency-Critical shop-per-store-AllTraffic-ModelLoadingWaitTime-Warning shop-per-store-AllTraffic-ModelLoadingWaitTime-Critical " +
		"shop-per-store-AllTraffic-ModelCacheHitRatio-Warning shop-per-store-AllTraffic-ModelCacheHitRatio-Critical shop-per-store-AnyCritical"
	if got := strings.Join(alarms, " "); got != want {
		t.Errorf("alarm names:\n got %s\nwant %s", got, want)
	}
}

var badMultiModel = []struct{ name, old, new, want string }{
	{
		name: "multi-model alarms on a realtime endpoint", old: "    kind: multiModel\n", new: "",
		want: "sagesize.yaml: endpoints[0].alarms.modelLoadingWaitTime: is a multi-model endpoint alarm (ModelLoadingWaitTime): set endpoints[0].kind: multiModel, or remove it\n" +
			"sagesize.yaml: endpoints[0].alarms.modelCacheHitRatio: is a multi-model endpoint alarm (ModelCacheHit): set endpoints[0].kind: multiModel, or remove it",
	},
	{
		name: "cache hit ratio bounds upside down", old: "{warning: 90%, critical: 70%}", new: "{warning: 70%, critical: 90%}",
		want: "sagesize.yaml: endpoints[0].alarms.modelCacheHitRatio.critical: must be below warning (70%): the alarm fires when the hit ratio falls below it, got 90%",
	},
	{
		name: "percentile of loading wait", old: "statistic: Maximum", new: "statistic: p99",
		want: "sagesize.yaml: endpoints[0].alarms.modelLoadingWaitTime.statistic: must be Average, Maximum or Minimum (SageMaker documents no percentiles for ModelLoadingWaitTime), got p99",
	},
}

func TestLoad_BadMultiModel(t *testing.T) {
	runBad(t, goodMultiModel, badMultiModel)
}

// goodComponents is a valid endpoint hosting two inference components.
const goodComponents = `project: llm
endpoints:
  - name: shared-gpu
    kind: inferenceComponents
    variants:
      - instanceType: ml.g5.12xlarge
    inferenceComponents:
      - {name: llama-8b, copies: 2, cpuCores: 4, memoryMiB: 16384, accelerators: 1}
      - {name: embedder}
    slo: {latency: 2s}
    alarms:
      gpuUtilization: {warning: 85%}
`

func TestLoad_InferenceComponents(t *testing.T) {
	c, err := Load(writeConfig(t, goodComponents), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := c.Endpoints[0]
	if !e.HasComponents() || len(e.InferenceComponents) != 2 || e.InferenceComponents[0].CopyCount() != 2 || e.InferenceComponents[1].CopyCount() != 1 {
		t.Fatalf("endpoint = kind %q, components %+v; want two, with 2 and 1 copies", e.Kind, e.InferenceComponents)
	}
	var alarms []string
	for _, d := range c.DerivedNames() {
		if d.Kind == &naming.AlarmKind {
			alarms = append(alarms, d.Name)
		}
	}
	want := "llm-shared-gpu-llama-8b-ModelLatency-Critical llm-shared-gpu-llama-8b-GPUUtilization-Warning " +
		"llm-shared-gpu-embedder-ModelLatency-Critical llm-shared-gpu-embedder-GPUUtilization-Warning llm-shared-gpu-AnyCritical"
	if got := strings.Join(alarms, " "); got != want {
		t.Errorf("alarm names:\n got %s\nwant %s", got, want)
	}
}

var badComponents = []struct{ name, old, new, want string }{
	{
		name: "components on a realtime endpoint", old: "    kind: inferenceComponents\n", new: "",
		want: "sagesize.yaml: endpoints[0].inferenceComponents: is only for endpoints hosting inference components: set endpoints[0].kind: inferenceComponents, or remove inferenceComponents",
	},
	{
		name: "components endpoint without components", old: "      - {name: llama-8b, copies: 2, cpuCores: 4, memoryMiB: 16384, accelerators: 1}\n      - {name: embedder}\n", new: "      []\n",
		want: "sagesize.yaml: endpoints[0].inferenceComponents: is required with kind: inferenceComponents: list the components, e.g. [{name: llama-8b, copies: 2, accelerators: 1}]",
	},
	{
		name: "copies below 1 and a reservation too big", old: "copies: 2, cpuCores: 4, memoryMiB: 16384, accelerators: 1", new: "copies: 0, cpuCores: 64, memoryMiB: 16384, accelerators: 8",
		want: "sagesize.yaml: endpoints[0].inferenceComponents[0].copies: must be at least 1, got 0\n" +
			"sagesize.yaml: endpoints[0].inferenceComponents[0].cpuCores: must be between 0 and the instance's 48 vCPUs, got 64\n" +
			"sagesize.yaml: endpoints[0].inferenceComponents[0].accelerators: must be between 0 and the instance's 4 accelerators, got 8",
	},
	{
		name: "duplicate component and disk alarm", old: "{name: embedder}", new: "{name: llama-8b}\n    evaluation: {period: 1m}",
		want: `sagesize.yaml: endpoints[0].inferenceComponents[1].name: duplicates endpoints[0].inferenceComponents[0].name "llama-8b"`,
	},
	{
		name: "disk alarm on components", old: "      gpuUtilization: {warning: 85%}", new: "      diskUtilization: {warning: 85%}",
		want: "sagesize.yaml: endpoints[0].alarms.diskUtilization: inference components publish no disk metric (their utilization is CPU, memory, GPU and GPU memory over their reservation): remove it",
	},
}

func TestLoad_BadInferenceComponents(t *testing.T) {
	runBad(t, goodComponents, badComponents)
}

// goodEnhanced is a real-time endpoint whose configuration publishes
// enhanced metrics every 10 s.
const goodEnhanced = `project: llm
endpoints:
  - name: chat
    kind: realtime
    variants:
      - instanceType: ml.g5.12xlarge
    slo: {latency: 2s}
    enhancedMetrics: {period: 10s}
`

func TestLoad_EnhancedMetrics(t *testing.T) {
	for _, tc := range []struct {
		name, block string
		want        time.Duration
		on          bool
	}{
		{"10 s", "enhancedMetrics: {period: 10s}", 10 * time.Second, true},
		{"default period", "enhancedMetrics: {enabled: true}", time.Minute, true},
		{"switched off", "enhancedMetrics: {enabled: false, period: 10s}", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(writeConfig(t, strings.Replace(goodEnhanced, "enhancedMetrics: {period: 10s}", tc.block, 1)), nil)
			if err != nil {
				t.Fatal(err)
			}
			if d, on := c.Endpoints[0].Enhanced(); d != tc.want || on != tc.on {
				t.Errorf("Enhanced() = %v, %v; want %v, %v", d, on, tc.want, tc.on)
			}
		})
	}
}

var badEnhanced = []struct{ name, old, new, want string }{
	{
		name: "30 s period", old: "{period: 10s}", new: "{period: 30s}",
		want: "sagesize.yaml: endpoints[0].enhancedMetrics.period: must be 10s (high resolution) or 60s (the endpoint configuration's MetricPublishFrequencyInSeconds), got 30s",
	},
	{
		name: "on a multi-model endpoint", old: "kind: realtime", new: "kind: multiModel",
		want: "sagesize.yaml: endpoints[0].enhancedMetrics: SageMaker publishes enhanced metrics only for real-time endpoints on instances (kind realtime or inferenceComponents), not for kind multiModel: remove enhancedMetrics",
	},
	{
		name: "on an asynchronous endpoint", old: "kind: realtime", new: "kind: async",
		want: "sagesize.yaml: endpoints[0].enhancedMetrics: SageMaker publishes enhanced metrics only for real-time endpoints on instances (kind realtime or inferenceComponents), not for kind async: remove enhancedMetrics",
	},
	{
		name: "on a serverless endpoint", old: "kind: realtime\n    variants:\n      - instanceType: ml.g5.12xlarge", new: "kind: serverless\n    variants:\n      - serverless: {memorySizeInMB: 2048, maxConcurrency: 5}",
		want: "sagesize.yaml: endpoints[0].enhancedMetrics: SageMaker publishes enhanced metrics only for real-time endpoints on instances (kind realtime or inferenceComponents), not for kind serverless: remove enhancedMetrics",
	},
}

func TestLoad_BadEnhancedMetrics(t *testing.T) {
	runBad(t, goodEnhanced, badEnhanced)
	if err := loadErr(t, strings.Replace(goodEnhanced, "{period: 10s}", "{perod: 10s}", 1)); !strings.Contains(err, "perod") {
		t.Errorf("Load error = %q; want the unknown field perod named", err)
	}
}

// The serverless cost lines use the catalogue's rate unless the config
// sets serverlessPricePerGBSecond, which must be a positive price.
func TestLoad_ServerlessPrice(t *testing.T) {
	c, err := Load(writeConfig(t, goodServerless), nil)
	if err != nil {
		t.Fatal(err)
	}
	if p, set := c.ServerlessPrice(); p != catalog.ServerlessPricePerGBSecond || set {
		t.Errorf("ServerlessPrice() = %v, %v; want the catalogue's %v, not configured", p, set, catalog.ServerlessPricePerGBSecond)
	}
	c, err = Load(writeConfig(t, "serverlessPricePerGBSecond: 0.000025\n"+goodServerless), nil)
	if err != nil {
		t.Fatal(err)
	}
	if p, set := c.ServerlessPrice(); p != 0.000025 || !set {
		t.Errorf("ServerlessPrice() = %v, %v; want 0.000025, configured", p, set)
	}
	got := loadErr(t, "serverlessPricePerGBSecond: -1\n"+goodServerless)
	if want := "sagesize.yaml: serverlessPricePerGBSecond: must be a positive price in USD per GB-second, e.g. 0.00002, got -1"; got != want {
		t.Errorf("Load error:\n got: %s\nwant: %s", got, want)
	}
}
