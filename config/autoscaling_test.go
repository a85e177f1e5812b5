package config

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/sizing"
	"github.com/sagesize/sagesize/sizing/report"
)

// sizingReportFile writes the report.json `sagesize report` writes for a
// test in which one ml.c5.xlarge instance sustained perInstance req/s
// (its highest held step) with headroom, and returns its path.
func sizingReportFile(t *testing.T, dir string, perInstance, headroom float64) string {
	t.Helper()
	t0 := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	step := func(i int, planned, achieved float64, p99 time.Duration) sizing.Step {
		start := t0.Add(time.Duration(i) * 5 * time.Minute)
		return sizing.Step{PlannedRate: planned, AchievedRate: achieved, Start: start, End: start.Add(5 * time.Minute),
			ClientP50: p99 / 2, ClientP99: p99, Requests: int64(achieved * 300)}
	}
	res := sizing.Decide(sizing.Test{
		Endpoint: "churn-sizing", SLO: sizing.SLO{Percentile: sizing.P99, Latency: 200 * time.Millisecond},
		MaxErrorRate: 0.01, TargetRate: 100, Headroom: headroom,
		Candidates: []sizing.Candidate{{Variant: "c5-xl", Instance: catalog.Instance{Type: "ml.c5.xlarge", VCPUs: 4, PricePerHour: 0.204}, InstanceCount: 2,
			Steps: []sizing.Step{step(0, perInstance, perInstance, 50*time.Millisecond), step(1, 2*perInstance, 2*perInstance, 90*time.Millisecond), step(2, 4*perInstance, 3*perInstance, time.Second)}}},
	})
	var b bytes.Buffer
	if err := report.JSON(&b, res); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "report.json")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// autoscalingConfig is a config whose variant runs on instanceType with
// the autoscaling block given.
func autoscalingConfig(kind, instanceType, block string) string {
	return `project: demo
endpoints:
  - name: churn
    kind: ` + kind + `
    variants:
      - instanceType: ` + instanceType + `
        autoscaling:
` + indent(block, "          ") + `
    slo: {latency: 200ms}
`
}

func indent(s, pad string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := range lines {
		lines[i] = pad + lines[i]
	}
	return strings.Join(lines, "\n")
}

// The target from a sizing report is the sustainable rate per instance ×
// (1 − headroom) per minute: here 20 req/s per instance (the 40 req/s step
// of two instances held, the 80 req/s one did not) × 0.7 × 60 = 840. A
// relative fromSizing starts at the config file's directory.
func TestAutoscaling_TargetFromSizingReportIsPerMinuteWithHeadroom(t *testing.T) {
	dir := t.TempDir()
	sizingReportFile(t, dir, 20, 0.3)
	path := filepath.Join(dir, "sagesize.yaml")
	cfg := autoscalingConfig(KindRealtime, "ml.c5.xlarge", "{minInstances: 2, maxInstances: 6, fromSizing: report.json}")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := c.Endpoints[0].Variants[0].Autoscaling
	if math.Abs(a.Target-840) > 1e-9 {
		t.Errorf("target = %v per minute, want 840 (20 req/s × 0.7 × 60)", a.Target)
	}
	if a.Basis == nil || a.Basis.Variant != "c5-xl" || a.Basis.SustainablePerInstance != 20 || a.Basis.Headroom != 0.3 {
		t.Errorf("basis = %+v, want candidate c5-xl, 20 req/s per instance, headroom 0.3", a.Basis)
	}
	if a.MetricName() != MetricInvocationsPerInstance || a.ScaleIn() != DefaultScaleInCooldown || a.ScaleOut() != DefaultScaleOutCooldown {
		t.Errorf("defaults: metric %s, cooldowns %v/%v", a.MetricName(), a.ScaleIn(), a.ScaleOut())
	}
}

// An autoscaling headroom overrides the report's; a direct target at or
// below the sustainable rate is kept as given.
func TestAutoscaling_HeadroomOverrideAndDirectTarget(t *testing.T) {
	dir := t.TempDir()
	report := sizingReportFile(t, dir, 20, 0.3)
	for _, tc := range []struct {
		block string
		want  float64
	}{
		{"{minInstances: 1, maxInstances: 4, fromSizing: " + report + ", headroom: 50%}", 600},
		{"{minInstances: 1, maxInstances: 4, fromSizing: " + report + ", targetInvocationsPerInstance: 1200}", 1200},
		{"{minInstances: 1, maxInstances: 4, targetInvocationsPerInstance: 90, scaleInCooldown: 10m, scaleOutCooldown: 30s}", 90},
		{"{minInstances: 1, maxInstances: 4, metric: " + MetricConcurrentRequestsPerModel + ", targetConcurrentRequestsPerModel: 4}", 4},
	} {
		c, err := Parse([]byte(autoscalingConfig(KindRealtime, "ml.c5.xlarge", tc.block)), nil)
		if err != nil {
			t.Errorf("%s: %v", tc.block, err)
			continue
		}
		if got := c.Endpoints[0].Variants[0].Autoscaling.Target; math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: target %v, want %v", tc.block, got, tc.want)
		}
	}
}

func TestAutoscaling_BadConfigsNameTheFieldAndWhatIsValid(t *testing.T) {
	dir := t.TempDir()
	report := sizingReportFile(t, dir, 20, 0.3)
	record := filepath.Join(dir, "record.json")
	if err := os.WriteFile(record, []byte(`{"endpoint":"churn-sizing","candidates":[{"variant":"c5-xl","instance_type":"ml.c5.xlarge","test_id":"t1","steps":[]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	p := "endpoints[0].variants[0]"
	for _, tc := range []struct {
		name, kind, typ, block, want string
	}{
		{"min above max", KindRealtime, "ml.c5.xlarge", "{minInstances: 5, maxInstances: 2, targetInvocationsPerInstance: 100}",
			p + ".autoscaling.minInstances: must be at most maxInstances (2), got 5"},
		{"min below 1", KindRealtime, "ml.c5.xlarge", "{minInstances: 0, maxInstances: 2, targetInvocationsPerInstance: 100}",
			p + ".autoscaling.minInstances: must be at least 1"},
		{"max too large", KindRealtime, "ml.c5.xlarge", "{minInstances: 1, maxInstances: 1000, targetInvocationsPerInstance: 100}",
			p + ".autoscaling.maxInstances: must be between 1 and 100, got 1000"},
		{"target above sustainable", KindRealtime, "ml.c5.xlarge", "{minInstances: 1, maxInstances: 4, fromSizing: " + report + ", targetInvocationsPerInstance: 1500}",
			p + ".autoscaling.targetInvocationsPerInstance: is 1500 per minute, above the 1200 per minute (20 req/s) one ml.c5.xlarge instance sustained"},
		{"no target", KindRealtime, "ml.c5.xlarge", "{minInstances: 1, maxInstances: 4}",
			p + ".autoscaling: needs a target: targetInvocationsPerInstance"},
		{"negative target", KindRealtime, "ml.c5.xlarge", "{minInstances: 1, maxInstances: 4, targetInvocationsPerInstance: -3}",
			p + ".autoscaling.targetInvocationsPerInstance: must be a positive number"},
		{"NaN target", KindRealtime, "ml.c5.xlarge", "{minInstances: 1, maxInstances: 4, targetInvocationsPerInstance: .nan}",
			p + ".autoscaling.targetInvocationsPerInstance"},
		{"unknown report", KindRealtime, "ml.c5.xlarge", "{minInstances: 1, maxInstances: 4, fromSizing: nowhere.json}",
			p + ".autoscaling.fromSizing: no such file nowhere.json: give the report.json that `sagesize report` wrote"},
		{"run record", KindRealtime, "ml.c5.xlarge", "{minInstances: 1, maxInstances: 4, fromSizing: " + record + "}",
			"is the run record of `sagesize run --sizing`: it holds the test windows, not the measured rates"},
		{"other instance type", KindRealtime, "ml.m5.large", "{minInstances: 1, maxInstances: 4, fromSizing: " + report + "}",
			"measured no ml.m5.large candidate (it has ml.c5.xlarge)"},
		{"not a regular file", KindRealtime, "ml.c5.xlarge", "{minInstances: 1, maxInstances: 4, fromSizing: " + dir + "}",
			"is not a regular file: give the report.json that `sagesize report` wrote"},
		{"sizing variant of another type", KindRealtime, "ml.m5.large", "{minInstances: 1, maxInstances: 4, fromSizing: " + report + ", sizingVariant: c5-xl}",
			"candidate c5-xl ran on ml.c5.xlarge, but this variant runs on ml.m5.large"},
		{"unknown sizing variant", KindRealtime, "ml.c5.xlarge", "{minInstances: 1, maxInstances: 4, fromSizing: " + report + ", sizingVariant: g5}",
			`has no candidate "g5" (sizingVariant); it has c5-xl`},
		{"bad metric", KindRealtime, "ml.c5.xlarge", "{minInstances: 1, maxInstances: 4, metric: CPUUtilization, targetInvocationsPerInstance: 5}",
			p + `.autoscaling.metric: must be SageMakerVariantInvocationsPerInstance (default) or SageMakerVariantConcurrentRequestsPerModelHighResolution, got "CPUUtilization"`},
		{"concurrency from sizing", KindRealtime, "ml.c5.xlarge", "{minInstances: 1, maxInstances: 4, metric: " + MetricConcurrentRequestsPerModel + ", fromSizing: " + report + "}",
			p + ".autoscaling.fromSizing: a sizing report measures request rates, not concurrent requests"},
		{"cooldown", KindRealtime, "ml.c5.xlarge", "{minInstances: 1, maxInstances: 4, targetInvocationsPerInstance: 5, scaleInCooldown: 2h}",
			p + ".autoscaling.scaleInCooldown: must be whole seconds from 0s to 1h, got 2h0m0s"},
		{"async", KindAsync, "ml.c5.xlarge", "{minInstances: 0, maxInstances: 4, targetInvocationsPerInstance: 5}",
			p + ".autoscaling: asynchronous endpoints scale on their queue (ApproximateBacklogSizePerInstance"},
		{"components", KindInferenceComponents, "ml.g5.xlarge", "{minInstances: 1, maxInstances: 4, targetInvocationsPerInstance: 5}",
			p + ".autoscaling: an endpoint hosting inference components scales its components' copies"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(autoscalingConfig(tc.kind, tc.typ, tc.block)), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestAutoscaling_ServerlessIsRefusedWithWhy(t *testing.T) {
	cfg := `project: demo
endpoints:
  - name: churn
    kind: serverless
    variants:
      - serverless: {memorySizeInMB: 2048, maxConcurrency: 20}
        autoscaling: {minInstances: 1, maxInstances: 4, targetInvocationsPerInstance: 5}
    slo: {latency: 200ms}
`
	_, err := Parse([]byte(cfg), nil)
	want := "endpoints[0].variants[0].autoscaling: a serverless variant has no instances to scale"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v\nwant %q", err, want)
	}
}

// An instanceCount outside [min, max] would be changed at once by
// Application Auto Scaling: the config says so rather than deploy a count
// that does not hold.
func TestAutoscaling_InstanceCountMustLieWithinBounds(t *testing.T) {
	cfg := strings.Replace(autoscalingConfig(KindRealtime, "ml.c5.xlarge", "{minInstances: 2, maxInstances: 4, targetInvocationsPerInstance: 5}"),
		"      - instanceType: ml.c5.xlarge\n", "      - instanceType: ml.c5.xlarge\n        instanceCount: 1\n", 1)
	_, err := Parse([]byte(cfg), nil)
	want := "endpoints[0].variants[0].instanceCount: is 1, outside autoscaling's 2-4"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v\nwant %q", err, want)
	}
}

// The example's report is a copy of sizing/report's scenario golden: its
// ml.c5.xlarge candidate sustained 19.8 req/s per instance with 30%
// headroom, so the target is 19.8 × 0.7 × 60 = 831.6 per minute.
func TestAutoscaling_ExampleTargetsComeFromItsReport(t *testing.T) {
	c, err := Load("examples/autoscaling.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	a := c.Endpoints[0].Variants[0].Autoscaling
	if a == nil || math.Abs(a.Target-831.6) > 1e-6 || a.Basis == nil || a.Basis.Variant != "c5-xl" {
		t.Fatalf("example autoscaling = %+v, want target 831.6 from candidate c5-xl", a)
	}
}
