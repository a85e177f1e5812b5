package monitoring

import (
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/metrics"
)

// multiModelProps is a multi-model endpoint with both multi-model alarm
// families.
func multiModelProps(t *testing.T) *EndpointMonitorProps {
	return &EndpointMonitorProps{
		EndpointName: "mme", MultiModel: true,
		Variants:      []Variant{{Name: "AllTraffic", Count: 2, Instance: mustInstance(t, "ml.m5.xlarge")}},
		SLOPercentile: "p99", SLOLatency: 200 * time.Millisecond,
		Alarms: EndpointAlarms{
			ModelLoadingWaitTime: &LatencyThresholds{Statistic: "Maximum", Thresholds: Thresholds{Warning: val(2000), Critical: val(10000)}},
			ModelCacheHitRatio:   &Thresholds{Warning: val(90), Critical: val(70)},
		},
		Evaluation: Evaluation{Period: time.Minute, EvaluationPeriods: 5, DatapointsToAlarm: 3},
	}
}

// A multi-model dashboard reads only what multi-model endpoints publish,
// draws the model loading metrics, and fails the real-time catalogue.
func TestPlanEndpoint_MultiModelDrawsOnlyMultiModelMetrics(t *testing.T) {
	p, err := PlanEndpoint("test", multiModelProps(t))
	if err != nil {
		t.Fatal(err)
	}
	problems, checked := unpublished(p, metrics.MultiModel())
	for _, pr := range problems {
		t.Error(pr)
	}
	if checked < 20 {
		t.Errorf("checked %d metric lines; want the variant's and the loading row's", checked)
	}
	drawn := drawnMetrics(p)
	for _, m := range []string{metrics.ModelLoadingWaitTime, metrics.ModelLoadingTime, metrics.ModelDownloadingTime, metrics.ModelUnloadingTime, metrics.ModelCacheHit, metrics.LoadedModelCount} {
		if !drawn[m] {
			t.Errorf("the multi-model dashboard draws no %s", m)
		}
	}
	if wrong, _ := unpublished(p, metrics.RealTime()); len(wrong) == 0 {
		t.Error("the real-time catalogue accepts the multi-model dashboard")
	}
}

// The cache hit alarms fire below their thresholds, compared as the
// fraction ModelCacheHit's Average is; the loading wait alarms above.
func TestPlanEndpoint_MultiModelAlarms(t *testing.T) {
	p, err := PlanEndpoint("test", multiModelProps(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range p.af.alarms {
		got = append(got, a.Name+" "+num(a.Threshold)+" "+a.Annotation.Label)
	}
	want := []string{
		"test-mme-AllTraffic-ModelLoadingWaitTime-Warning 2000000 Warning: ModelLoadingWaitTime max > 2000 ms",
		"test-mme-AllTraffic-ModelLoadingWaitTime-Critical 10000000 Critical: ModelLoadingWaitTime max > 10000 ms",
		"test-mme-AllTraffic-ModelCacheHitRatio-Warning 0.9 Warning: cache hit ratio < 90 %",
		"test-mme-AllTraffic-ModelCacheHitRatio-Critical 0.7 Critical: cache hit ratio < 70 %",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("alarms:\n got %s\nwant %s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	spec := alarmSpec{below: true}
	if spec.comparison() != "LessThanThreshold" || (alarmSpec{}).comparison() != "GreaterThanThreshold" {
		t.Error("comparison operators")
	}
}
