package measure_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sagesize/sagesize/sizing"
	"github.com/sagesize/sagesize/sizing/measure"
)

// The tests in this file pin the edges that mutation testing
// (scripts/mutate, docs/mutation.md) found unpinned in measure.go.

// TestStepsAcceptsTheSmallestWindow: one vCPU and a one-minute window are
// valid; only less is refused.
func TestStepsAcceptsTheSmallestWindow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := cpuWindow(10, t0)
	w.VCPUs, w.End = 1, t0.Add(time.Minute)
	if _, err := measure.Steps(context.Background(), e.client, "", []measure.Window{w}); err != nil {
		t.Errorf("Steps(1 vCPU, 1 minute) = %v; want no error", err)
	}
	// gremlins v0.6.0 never mutates the cases of a tagless switch (it
	// reports them as not covered): the window length checks are pinned
	// here by hand.
	w.End = w.Start
	if _, err := measure.Steps(context.Background(), e.client, "", []measure.Window{w}); err == nil || !strings.Contains(err.Error(), "end is not after start") {
		t.Errorf("Steps(empty window) = %v; want the end named as not after the start", err)
	}
}

// TestStepsWithoutTasksSkipsTheCoverageCheck: with Tasks 0 the Intervals
// metric is not even asked for, and the step has no coverage.
func TestStepsWithoutTasksSkipsTheCoverageCheck(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	lat := dist{[]float64{20000}, []float64{100}}
	for k := range 12 {
		e.counted("c5", "t1", t0.Add(time.Duration(k)*10*time.Second), lat)
	}
	got, err := measure.Steps(context.Background(), e.client, "", []measure.Window{cpuWindow(10, t0)})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Coverage != nil {
		t.Errorf("coverage %+v; want none when the task count is unknown", got[0].Coverage)
	}
	for _, c := range e.cw.GetMetricDataCalls() {
		for _, q := range c.Queries {
			if q.MetricName == "Intervals" {
				t.Errorf("query %+v asks for Intervals with Tasks 0", q)
			}
		}
	}
}

// TestStepsWithZeroIntervalsKeepsTheRate: an Intervals sum of 0 (a broken
// publisher) must not divide the achieved rate by zero.
func TestStepsWithZeroIntervalsKeepsTheRate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	lat := dist{[]float64{20000}, []float64{100}}
	d := dims("EndpointName", endpoint, "VariantName", "c5", "TestId", "t1")
	for k := range 12 {
		at := t0.Add(time.Duration(k) * 10 * time.Second)
		e.interval("SageSize/LoadTest", "c5", "t1", at, lat, 0, 0)
		e.put("SageSize/LoadTest", cwtypes.MetricDatum{MetricName: aws.String("Intervals"), Dimensions: d,
			Timestamp: aws.Time(at), StorageResolution: aws.Int32(1), Unit: cwtypes.StandardUnitCount, Value: aws.Float64(0)})
	}
	w := cpuWindow(10, t0)
	w.Tasks = 1
	got, err := measure.Steps(context.Background(), e.client, "", []measure.Window{w})
	if err != nil {
		t.Fatal(err)
	}
	if c := got[0].Coverage; c == nil || *c != (sizing.Coverage{Expected: 12, Published: 0, Known: true}) || got[0].AchievedRate != 10 {
		t.Errorf("coverage %+v at %g req/s; want 0 of 12 intervals and the measured 10 req/s", c, got[0].AchievedRate)
	}
}
