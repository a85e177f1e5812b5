package test

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/testkit/dashcheck"
)

// kindExamples are, per endpoint kind, an example whose endpoints are all
// of that kind.
var kindExamples = map[string]string{
	metrics.KindRealtime:            "minimal",
	metrics.KindServerless:          "serverless",
	metrics.KindAsync:               "async",
	metrics.KindMultiModel:          "multimodel",
	metrics.KindInferenceComponents: "components",
}

// Every dashboard and alarm of each kind's example reads only metrics that
// SageMaker publishes for that kind, with the exact dimension set the
// kind's catalogue allows; and each is refused by another kind's catalogue,
// so that a metric of one kind on another kind's dashboard fails.
func TestKinds_DashboardsReadOnlyTheirKindsMetrics(t *testing.T) {
	for kind, name := range kindExamples {
		t.Run(kind, func(t *testing.T) {
			s := synth(t, name)
			for _, e := range s.cfg.Endpoints {
				if e.Kind != kind {
					t.Fatalf("example %s: endpoint %s is of kind %s; want every endpoint of kind %s", name, e.Name, e.Kind, kind)
				}
			}
			cat, err := dashcheck.KindCatalogue(kind)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := dashcheck.CheckTemplate(s.json, dashcheck.DefaultEnv(), dashcheck.Options{Catalogue: cat})
			if err != nil {
				t.Errorf("%v", err)
			}
			if rep.Metrics == 0 || rep.Alarms == 0 {
				t.Errorf("checked %d metric lines and %d alarms; want the example's", rep.Metrics, rep.Alarms)
			}
			for other := range kindExamples {
				if other == kind || other == metrics.KindMultiModel && kind == metrics.KindRealtime {
					continue // a multi-model endpoint publishes every real-time metric
				}
				oc, err := dashcheck.KindCatalogue(other)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := dashcheck.CheckTemplate(s.json, dashcheck.DefaultEnv(), dashcheck.Options{Catalogue: oc}); err == nil {
					t.Errorf("the %s example passes the %s catalogue; want its kind's own metrics refused", kind, other)
				}
			}
		})
	}
}

// A serverless dashboard draws cold starts and concurrency, and the
// provisioned-concurrency graphs only for the endpoint that has some; it
// draws no CPU, GPU or disk.
func TestKinds_ServerlessDashboards(t *testing.T) {
	s := synth(t, "serverless")
	bodies := map[string]string{}
	for name, d := range s.dashboards(t) {
		bodies[name] = mustJSON(t, d)
	}
	for dash, want := range map[string]struct{ has, hasNot []string }{
		"nlp-sentiment": {
			has:    []string{metrics.ModelSetupTime, metrics.ServerlessConcurrentExecutionsUtilization, metrics.MemoryUtilization},
			hasNot: []string{metrics.CPUUtilization, metrics.GPUUtilization, metrics.DiskUtilization, metrics.ServerlessProvisionedConcurrencyUtilization},
		},
		"nlp-language-id": {
			has:    []string{metrics.ServerlessProvisionedConcurrencyUtilization, metrics.ServerlessProvisionedConcurrencySpilloverInvocations},
			hasNot: []string{metrics.CPUUtilization, metrics.InvocationsPerInstance},
		},
		"nlp-overview": {hasNot: []string{metrics.CPUUtilization}},
	} {
		body, ok := bodies[dash]
		if !ok {
			t.Errorf("no dashboard %s; have %v", dash, keys(bodies))
			continue
		}
		for _, m := range want.has {
			if !strings.Contains(body, `"`+m+`"`) {
				t.Errorf("dashboard %s draws no %s", dash, m)
			}
		}
		for _, m := range want.hasNot {
			if strings.Contains(body, `"`+m+`"`) {
				t.Errorf("dashboard %s draws %s, which its endpoints do not publish", dash, m)
			}
		}
	}
}

// mustJSON renders v as JSON.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// keys are m's keys, sorted.
func keys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// An asynchronous dashboard draws the queue per endpoint and the request
// pipeline per variant, and nothing asynchronous endpoints do not publish.
func TestKinds_AsyncDashboard(t *testing.T) {
	s := synth(t, "async")
	d, ok := s.dashboards(t)["docs-ocr"]
	if !ok {
		t.Fatal("no dashboard docs-ocr")
	}
	body := mustJSON(t, d)
	for _, m := range []string{metrics.ApproximateBacklogSize, metrics.ApproximateAgeOfOldestRequest, metrics.HasBacklogWithoutCapacity,
		metrics.TimeInBacklog, metrics.TotalProcessingTime, metrics.InvocationsProcesssed, metrics.InvocationFailures, metrics.GPUUtilization} {
		if !strings.Contains(body, `"`+m+`"`) {
			t.Errorf("dashboard draws no %s", m)
		}
	}
	for _, m := range []string{metrics.Invocations, metrics.InvocationsPerInstance, metrics.OverheadLatency, metrics.InvocationModelErrors} {
		if strings.Contains(body, `"`+m+`"`) {
			t.Errorf("dashboard draws %s, which asynchronous endpoints do not publish", m)
		}
	}
	a := s.alarm(t, "docs-ocr-OldestRequestAge-Critical")
	dims, _ := a["Dimensions"].([]any)
	if a["MetricName"] != metrics.ApproximateAgeOfOldestRequest || a["Statistic"] != metrics.StatMaximum || a["Threshold"] != float64(900) || len(dims) != 1 {
		t.Errorf("age alarm = %v %v %v dims %v; want ApproximateAgeOfOldestRequest Maximum > 900 s by EndpointName alone", a["MetricName"], a["Statistic"], a["Threshold"], dims)
	}
}

// The cache hit ratio alarm fires below its threshold, on the fraction
// ModelCacheHit's Average is.
func TestKinds_MultiModelCacheHitAlarm(t *testing.T) {
	s := synth(t, "multimodel")
	a := s.alarm(t, "shop-per-store-AllTraffic-ModelCacheHitRatio-Critical")
	if a["MetricName"] != metrics.ModelCacheHit || a["Statistic"] != metrics.StatAverage || a["ComparisonOperator"] != "LessThanThreshold" || a["Threshold"] != 0.7 {
		t.Errorf("cache hit alarm = %v %v %v %v; want ModelCacheHit Average LessThanThreshold 0.7", a["MetricName"], a["Statistic"], a["ComparisonOperator"], a["Threshold"])
	}
}

// A component's alarms read InferenceComponentName alone, GPU in the
// inference components namespace, normalized to the reservation.
func TestKinds_ComponentAlarms(t *testing.T) {
	s := synth(t, "components")
	a := s.alarm(t, "llm-shared-gpu-llama-8b-GPUUtilization-Warning")
	dims, _ := a["Dimensions"].([]any)
	d, _ := dims[0].(map[string]any)
	if a["Namespace"] != metrics.NamespaceInferenceComponents || a["MetricName"] != metrics.GPUUtilizationNormalized || len(dims) != 1 ||
		d["Name"] != metrics.DimInferenceComponentName || a["Threshold"] != float64(90) {
		t.Errorf("GPU alarm = %v %v %v > %v; want %s %s by InferenceComponentName > 90", a["Namespace"], a["MetricName"], dims, a["Threshold"],
			metrics.NamespaceInferenceComponents, metrics.GPUUtilizationNormalized)
	}
}

// The components example publishes enhanced metrics every 10 s: its
// dashboard draws per-instance CPU and memory and the per-GPU lines of its
// 4-GPU instances at that period, each a SEARCH on the exact dimension set
// that TestKinds_DashboardsReadOnlyTheirKindsMetrics checks against the
// inferenceComponents catalogue.
func TestKinds_ComponentsEnhancedMetrics(t *testing.T) {
	s := synth(t, "components")
	body := mustJSON(t, s.dashboards(t)["llm-shared-gpu"])
	for _, want := range []string{
		`{\"/aws/sagemaker/Endpoints\",EndpointName,InstanceId,VariantName} EndpointName=\"shared-gpu\" VariantName=\"AllTraffic\" MetricName=\"CPUUtilization\"', 'Average', 10)/48`,
		`{\"/aws/sagemaker/Endpoints\",EndpointName,InstanceId,VariantName} EndpointName=\"shared-gpu\" VariantName=\"AllTraffic\" MetricName=\"MemoryUtilization\"', 'Average', 10)`,
		`MAX(SEARCH('{\"/aws/sagemaker/Endpoints\",AcceleratorId,EndpointName,InstanceId,VariantName} EndpointName=\"shared-gpu\" VariantName=\"AllTraffic\" MetricName=\"GPUUtilization\"', 'Maximum', 10))`,
		`SORT(SEARCH('{\"/aws/sagemaker/Endpoints\",AcceleratorId,EndpointName,InstanceId,VariantName} EndpointName=\"shared-gpu\" VariantName=\"AllTraffic\" MetricName=\"GPUMemoryUtilization\"', 'Maximum', 10), MAX, DESC, 10)`,
		`"title":"AllTraffic: GPU per GPU, hottest first (%)"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the components dashboard lacks %s", want)
		}
	}
}
