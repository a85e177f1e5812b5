package measure_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/sizing"
	"github.com/sagesize/sagesize/sizing/measure"
	"github.com/sagesize/sagesize/testkit/awstest"
)

// t0 is the start of the first step of every scenario.
var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

const endpoint = "churn-sizing"

// env is a local CloudWatch server and a real SDK client pointed at it.
type env struct {
	t      *testing.T
	cw     *awstest.CloudWatch
	client *cloudwatch.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	cw := awstest.NewCloudWatch()
	t.Cleanup(cw.Close)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDMEASURE", "secret", ""), RetryMaxAttempts: 1}
	return &env{t: t, cw: cw, client: cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(cw.URL) })}
}

func dims(kv ...string) []cwtypes.Dimension {
	var out []cwtypes.Dimension
	for i := 0; i < len(kv); i += 2 {
		out = append(out, cwtypes.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// put publishes data with the SDK's PutMetricData.
func (e *env) put(ns string, data ...cwtypes.MetricDatum) {
	e.t.Helper()
	if _, err := e.client.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String(ns), MetricData: data}); err != nil {
		e.t.Fatalf("PutMetricData: %v", err)
	}
}

// dist is a latency distribution in microseconds, as CloudWatch Values/Counts.
type dist struct{ values, counts []float64 }

func (d dist) n() float64 {
	var n float64
	for _, c := range d.counts {
		n += c
	}
	return n
}

// interval publishes, to namespace ns, what one loadgen task publishes for
// an interval stamped at: its latency distribution and its counts.
func (e *env) interval(ns, variant, testID string, at time.Time, lat dist, errs, throttles float64) {
	e.t.Helper()
	d := dims("EndpointName", endpoint, "VariantName", variant, "TestId", testID)
	datum := func(name string, unit cwtypes.StandardUnit) cwtypes.MetricDatum {
		return cwtypes.MetricDatum{MetricName: aws.String(name), Dimensions: d, Timestamp: aws.Time(at), StorageResolution: aws.Int32(1), Unit: unit}
	}
	l := datum("Latency", cwtypes.StandardUnitMicroseconds)
	l.Values, l.Counts = lat.values, lat.counts
	counts := []cwtypes.MetricDatum{l}
	for _, c := range []struct {
		name string
		v    float64
	}{{"Requests", lat.n()}, {"Errors", errs}, {"Throttles", throttles}} {
		x := datum(c.name, cwtypes.StandardUnitCount)
		x.Value = aws.Float64(c.v)
		counts = append(counts, x)
	}
	e.put(ns, counts...)
}

// steady publishes d/10s intervals of 10 s, stamped start, start+10s, …,
// each with the distribution lat and errs errors.
func (e *env) steady(variant, testID string, start time.Time, d time.Duration, lat dist, errs float64) {
	e.t.Helper()
	for k := range int(d / (10 * time.Second)) {
		e.interval("SageSize/LoadTest", variant, testID, start.Add(time.Duration(k)*10*time.Second), lat, errs, 0)
	}
}

// minute is one minute of SageMaker's metrics for a variant; each
// utilization has one value per instance.
type minute struct {
	model, overhead             dist
	cpu, memory, gpu, gpuMemory []float64
}

// sagemaker publishes m at the whole minute at, at standard resolution, as
// SageMaker does.
func (e *env) sagemaker(variant string, at time.Time, m minute) {
	e.t.Helper()
	d := dims("EndpointName", endpoint, "VariantName", variant)
	var lat []cwtypes.MetricDatum
	for _, x := range []struct {
		name string
		dist dist
	}{{"ModelLatency", m.model}, {"OverheadLatency", m.overhead}} {
		if x.dist.values != nil {
			lat = append(lat, cwtypes.MetricDatum{MetricName: aws.String(x.name), Dimensions: d, Timestamp: aws.Time(at),
				Unit: cwtypes.StandardUnitMicroseconds, Values: x.dist.values, Counts: x.dist.counts})
		}
	}
	if lat != nil {
		e.put("AWS/SageMaker", lat...)
	}
	var util []cwtypes.MetricDatum
	for _, x := range []struct {
		name   string
		values []float64
	}{{"CPUUtilization", m.cpu}, {"MemoryUtilization", m.memory}, {"GPUUtilization", m.gpu}, {"GPUMemoryUtilization", m.gpuMemory}} {
		for _, v := range x.values {
			util = append(util, cwtypes.MetricDatum{MetricName: aws.String(x.name), Dimensions: d, Timestamp: aws.Time(at),
				Unit: cwtypes.StandardUnitPercent, Value: aws.Float64(v)})
		}
	}
	if util != nil {
		e.put("/aws/sagemaker/Endpoints", util...)
	}
}

func pct(v float64) *float64 { return &v }

func ms(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

// show formats a step with its pointers dereferenced, for failure messages.
func show(s sizing.Step) string {
	u := func(p *float64) string {
		if p == nil {
			return "nil"
		}
		return fmt.Sprint(*p)
	}
	return fmt.Sprintf("{planned %g achieved %g %s..%s p50 %v p99 %v model %v overhead %v req %d err %d thr %d cpu %s mem %s gpu %s gpumem %s missing %v}",
		s.PlannedRate, s.AchievedRate, s.Start.Format("15:04:05"), s.End.Format("15:04:05"), s.ClientP50, s.ClientP99, s.ModelP99, s.OverheadP99,
		s.Requests, s.Errors, s.Throttles, u(s.CPU), u(s.Memory), u(s.GPU), u(s.GPUMemory), s.Missing)
}

func checkSteps(t *testing.T, got, want []sizing.Step) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d steps; want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("step %d:\n got %s\nwant %s", i, show(got[i]), show(want[i]))
		}
	}
}

// cpuWindow is a window of the 4-vCPU, 2-instance candidate "c5".
func cpuWindow(rate float64, start time.Time) measure.Window {
	return measure.Window{Endpoint: endpoint, Variant: "c5", TestID: "t1", PlannedRate: rate, Start: start, End: start.Add(2 * time.Minute),
		VCPUs: 4, InstanceCount: 2}
}

// TestStepsCPUCandidate measures two steps of a CPU candidate (4 vCPUs, 2
// instances) whose figures are known by construction, with data from the
// warm-up before the second step and from the instant its window ends
// that must not count.
func TestStepsCPUCandidate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Step 1, [t0, t0+2m), 10 req/s: 12 intervals of 100 requests. The 24
	// slow requests all fall in the last interval: 1,200 samples of which
	// 720 at 20 ms, 456 at 30 ms and 24 at 80 ms, so p50 (rank 600) is
	// 20 ms and p99 (rank 1,188) is 80 ms, while the mean of the
	// per-interval p99s would be 34.2 ms.
	for k := range 12 {
		lat := dist{[]float64{20000, 30000}, []float64{60, 40}}
		throttles := 0.0
		if k == 11 {
			lat, throttles = dist{[]float64{20000, 30000, 80000}, []float64{60, 16, 24}}, 2
		}
		e.interval("SageSize/LoadTest", "c5", "t1", t0.Add(time.Duration(k)*10*time.Second), lat, 1, throttles)
	}
	// ModelLatency: 1,184 samples at 10 ms and 10 at 15 ms, then 6 at
	// 50 ms. Over the window p99 (rank 1,188) is 15 ms; the mean of the
	// two per-minute p99s would be 12.5 ms.
	e.sagemaker("c5", t0, minute{model: dist{[]float64{10000, 15000}, []float64{590, 10}}, overhead: dist{[]float64{1000, 3000}, []float64{550, 50}},
		cpu: []float64{280, 320}, memory: []float64{38, 42}})
	e.sagemaker("c5", t0.Add(time.Minute), minute{model: dist{[]float64{10000, 50000}, []float64{594, 6}}, overhead: dist{[]float64{1000, 3000}, []float64{550, 50}},
		cpu: []float64{290, 310}, memory: []float64{40, 40}})

	// Warm-up of step 2, [t0+2m, t0+3m): slow, busy, and not to be counted.
	warm := t0.Add(2 * time.Minute)
	e.steady("c5", "t1", warm, time.Minute, dist{[]float64{900000}, []float64{500}}, 50)
	e.sagemaker("c5", warm, minute{model: dist{[]float64{900000}, []float64{1}}, overhead: dist{[]float64{90000}, []float64{1}}, cpu: []float64{400, 400}, memory: []float64{99}})

	// Step 2, [t0+3m, t0+5m), 20 req/s from two tasks of 100 requests per
	// interval: 2,400 samples, half at 25 ms and half at 40 ms.
	s2 := t0.Add(3 * time.Minute)
	for k := range 12 {
		for range 2 {
			e.interval("SageSize/LoadTest", "c5", "t1", s2.Add(time.Duration(k)*10*time.Second), dist{[]float64{25000, 40000}, []float64{50, 50}}, 0, 0)
		}
	}
	for m := range 2 {
		e.sagemaker("c5", s2.Add(time.Duration(m)*time.Minute), minute{model: dist{[]float64{20000}, []float64{1200}}, overhead: dist{[]float64{1500}, []float64{1200}},
			cpu: []float64{340, 380}, memory: []float64{50, 50}})
	}
	// At the end of step 2, which is exclusive.
	end := s2.Add(2 * time.Minute)
	e.interval("SageSize/LoadTest", "c5", "t1", end, dist{[]float64{900000}, []float64{5000}}, 99, 99)
	e.sagemaker("c5", end, minute{model: dist{[]float64{900000}, []float64{1}}, cpu: []float64{400}, memory: []float64{99}})

	got, err := measure.Steps(context.Background(), e.client, "", []measure.Window{cpuWindow(10, t0), cpuWindow(20, s2)})
	if err != nil {
		t.Fatal(err)
	}
	checkSteps(t, got, []sizing.Step{
		{PlannedRate: 10, Start: t0, End: t0.Add(2 * time.Minute), AchievedRate: 10, ClientP50: ms(20), ClientP99: ms(80), ModelP99: ms(15), OverheadP99: ms(3),
			Requests: 1200, Errors: 12, Throttles: 2, CPU: pct(75), Memory: pct(40)},
		{PlannedRate: 20, Start: s2, End: end, AchievedRate: 20, ClientP50: ms(25), ClientP99: ms(40), ModelP99: ms(20), OverheadP99: ms(1.5),
			Requests: 2400, CPU: pct(90), Memory: pct(50)},
	})

	calls := e.cw.GetMetricDataCalls()
	if len(calls) != 2 {
		t.Fatalf("%d GetMetricData calls; want one per window", len(calls))
	}
	c := calls[0]
	if !c.Start.Equal(t0) || !c.End.Equal(t0.Add(2*time.Minute)) || len(c.Queries) != 9 {
		t.Errorf("first call: %v to %v with %d queries; want the window and 9 queries (no GPU)", c.Start, c.End, len(c.Queries))
	}
	for _, q := range c.Queries {
		wantDims := map[string]string{"EndpointName": endpoint, "VariantName": "c5"}
		if q.Namespace == "SageSize/LoadTest" {
			wantDims["TestId"] = "t1"
		}
		if q.Period != 120 || !reflect.DeepEqual(q.Dimensions, wantDims) || strings.HasPrefix(q.MetricName, "GPU") {
			t.Errorf("query %+v; want period 120 and dimensions %v", q, wantDims)
		}
	}
}

func TestStepsGPUVariants(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cat := catalog.New()
	for _, tc := range []struct {
		typ                          string
		cpu, gpu, gpuMemory          []float64 // per minute (one instance)
		wantCPU, wantGPU, wantGPUMem float64
	}{
		{"ml.g5.xlarge", []float64{100, 100}, []float64{50, 60}, []float64{30, 30}, 25, 55, 30},
		// 4 GPUs: GPUUtilization is summed over them (0-400).
		{"ml.g5.12xlarge", []float64{960, 960}, []float64{180, 220}, []float64{100, 140}, 20, 50, 30},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			inst, err := cat.Lookup(tc.typ)
			if err != nil {
				t.Fatal(err)
			}
			variant := strings.ReplaceAll(tc.typ, ".", "-")
			e.steady(variant, "t1", t0, 2*time.Minute, dist{[]float64{5000, 9000}, []float64{99, 1}}, 0)
			for m := range 2 {
				e.sagemaker(variant, t0.Add(time.Duration(m)*time.Minute), minute{model: dist{[]float64{4000}, []float64{1}}, overhead: dist{[]float64{500}, []float64{1}},
					cpu: tc.cpu[m : m+1], memory: []float64{20}, gpu: tc.gpu[m : m+1], gpuMemory: tc.gpuMemory[m : m+1]})
			}
			w := measure.Window{Endpoint: endpoint, Variant: variant, TestID: "t1", PlannedRate: 10, Start: t0, End: t0.Add(2 * time.Minute),
				VCPUs: inst.VCPUs, GPUs: inst.GPUs(), InstanceCount: 1}
			got, err := measure.Steps(context.Background(), e.client, "", []measure.Window{w})
			if err != nil {
				t.Fatal(err)
			}
			checkSteps(t, got, []sizing.Step{{PlannedRate: 10, Start: t0, End: t0.Add(2 * time.Minute), AchievedRate: 10,
				ClientP50: ms(5), ClientP99: ms(5), ModelP99: ms(4), OverheadP99: ms(0.5), Requests: 1200,
				CPU: pct(tc.wantCPU), Memory: pct(20), GPU: pct(tc.wantGPU), GPUMemory: pct(tc.wantGPUMem)}})
		})
	}
}

func TestStepsReportsMissingData(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// c5 has every metric at t0; "lonely" has loadgen data but SageMaker
	// published nothing for it.
	for _, v := range []string{"c5", "lonely"} {
		e.steady(v, "t1", t0, 2*time.Minute, dist{[]float64{5000}, []float64{100}}, 0)
	}
	for m := range 2 {
		e.sagemaker("c5", t0.Add(time.Duration(m)*time.Minute), minute{model: dist{[]float64{4000}, []float64{1}}, overhead: dist{[]float64{500}, []float64{1}},
			cpu: []float64{200}, memory: []float64{20}})
	}
	loadgenFields := []string{"ClientP50", "ClientP99", "Requests", "Errors", "Throttles"}
	for _, tc := range []struct {
		name    string
		window  measure.Window
		noData  bool
		missing []string
		cpu     bool
	}{
		{"wrong test id", measure.Window{Variant: "c5", TestID: "t2"}, true, loadgenFields, true},
		{"no SageMaker metrics", measure.Window{Variant: "lonely", TestID: "t1"}, false, []string{"ModelP99", "OverheadP99", "CPU", "Memory"}, false},
		{"no SageMaker metrics, GPU", measure.Window{Variant: "lonely", TestID: "t1", GPUs: 1}, false,
			[]string{"ModelP99", "OverheadP99", "CPU", "Memory", "GPU", "GPUMemory"}, false},
		{"no data at all (wrong time)", measure.Window{Variant: "c5", TestID: "t1", Start: t0.Add(time.Hour)}, true,
			[]string{"ClientP50", "ClientP99", "ModelP99", "OverheadP99", "Requests", "Errors", "Throttles", "CPU", "Memory"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.window
			w.Endpoint, w.PlannedRate, w.VCPUs, w.InstanceCount = endpoint, 10, 4, 1
			if w.Start.IsZero() {
				w.Start = t0
			}
			w.End = w.Start.Add(2 * time.Minute)
			got, err := measure.Steps(context.Background(), e.client, "", []measure.Window{w})
			if err != nil {
				t.Fatal(err)
			}
			s := got[0]
			if s.NoData() != tc.noData || !slices.Equal(s.Missing, tc.missing) || (s.CPU != nil) != tc.cpu {
				t.Errorf("got %s (NoData %v); want NoData %v, Missing %v, CPU set %v", show(s), s.NoData(), tc.noData, tc.missing, tc.cpu)
			}
			if !tc.cpu && (s.CPU != nil || s.Memory != nil || s.GPU != nil || s.GPUMemory != nil) {
				t.Errorf("utilizations without data are not nil: %s", show(s))
			}
			if tc.noData && (s.Requests != 0 || s.AchievedRate != 0) {
				t.Errorf("no requests data, yet %s", show(s))
			}
		})
	}
}

func TestStepsReadsTheGivenNamespace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.interval("Custom/LoadTest", "c5", "t1", t0, dist{[]float64{7000}, []float64{600}}, 0, 0)
	w := cpuWindow(5, t0)
	for _, tc := range []struct {
		ns       string
		requests int64
	}{{"Custom/LoadTest", 600}, {"", 0}} {
		got, err := measure.Steps(context.Background(), e.client, tc.ns, []measure.Window{w})
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Requests != tc.requests {
			t.Errorf("namespace %q: %d requests; want %d", tc.ns, got[0].Requests, tc.requests)
		}
	}
}

func TestStepsRejectsInvalidWindows(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	valid := cpuWindow(10, t0)
	for _, tc := range []struct {
		name   string
		change func(w *measure.Window)
		want   string
	}{
		{"90 s", func(w *measure.Window) { w.End = w.Start.Add(90 * time.Second) }, "length 1m30s is not a whole number of minutes"},
		{"30 s", func(w *measure.Window) { w.End = w.Start.Add(30 * time.Second) }, "length 30s is not a whole number of minutes"},
		{"end before start", func(w *measure.Window) { w.End = w.Start.Add(-time.Minute) }, "end is not after start"},
		{"start off the minute", func(w *measure.Window) { w.Start, w.End = t0.Add(30*time.Second), t0.Add(150*time.Second) }, "start 2026-11-27T10:00:30Z is not on a whole minute"},
		{"no test id", func(w *measure.Window) { w.TestID = "" }, "test id are required"},
		{"no vCPUs", func(w *measure.Window) { w.VCPUs = 0 }, "VCPUs 0"},
		{"negative GPUs", func(w *measure.Window) { w.GPUs = -1 }, "GPUs -1"},
		{"no instances", func(w *measure.Window) { w.InstanceCount = 0 }, "instance count 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := valid
			tc.change(&w)
			_, err := measure.Steps(context.Background(), e.client, "", []measure.Window{valid, w})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "window 1 (churn-sizing/c5 test ") {
				t.Errorf("Steps = %v; want an error naming window 1 and containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "window 0") {
				t.Errorf("the valid window 0 is blamed: %v", err)
			}
		})
	}
	bad := valid
	bad.End = bad.Start.Add(90 * time.Second)
	_, err := measure.Steps(context.Background(), e.client, "", []measure.Window{bad, valid, bad})
	if err == nil || !strings.Contains(err.Error(), "window 0") || !strings.Contains(err.Error(), "window 2") {
		t.Errorf("Steps = %v; want both invalid windows named", err)
	}
	if n := len(e.cw.GetMetricDataCalls()); n != 0 {
		t.Errorf("%d GetMetricData calls; want none when a window is invalid", n)
	}
}

// smallPages makes CloudWatch answer in pages of n datapoints.
type smallPages struct {
	api measure.GetMetricDataAPI
	n   int32
}

func (p smallPages) GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	cp := *in
	cp.MaxDatapoints = aws.Int32(p.n)
	return p.api.GetMetricData(ctx, &cp, optFns...)
}

func TestStepsFollowsPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.steady("c5", "t1", t0, 2*time.Minute, dist{[]float64{5000, 8000}, []float64{98, 2}}, 1)
	for m := range 2 {
		e.sagemaker("c5", t0.Add(time.Duration(m)*time.Minute), minute{model: dist{[]float64{4000}, []float64{1}}, overhead: dist{[]float64{500}, []float64{1}},
			cpu: []float64{200}, memory: []float64{20}})
	}
	ws := []measure.Window{cpuWindow(10, t0)}
	whole, err := measure.Steps(context.Background(), e.client, "", ws)
	if err != nil {
		t.Fatal(err)
	}
	paged, err := measure.Steps(context.Background(), smallPages{e.client, 2}, "", ws)
	if err != nil {
		t.Fatal(err)
	}
	checkSteps(t, paged, whole)
	if whole[0].Missing != nil || whole[0].ClientP99 != ms(8) {
		t.Errorf("unpaged step %s; want every figure, p99 8 ms", show(whole[0]))
	}
	// 9 datapoints in pages of 2: the first request and 4 more pages.
	if n := len(e.cw.GetMetricDataCalls()); n != 1+5 {
		t.Errorf("%d GetMetricData calls; want 1 unpaged + 5 pages", n)
	}
}

// failing is a GetMetricDataAPI that always fails.
type failing struct{ err error }

func (f failing) GetMetricData(context.Context, *cloudwatch.GetMetricDataInput, ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	return nil, f.err
}

func TestStepsWrapsAPIErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("throttled for good")
	_, err := measure.Steps(context.Background(), failing{boom}, "", []measure.Window{cpuWindow(10, t0)})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "window 0 (churn-sizing/c5 test \"t1\", 10.0 req/s step, 2026-11-27T10:00:00Z to 2026-11-27T10:02:00Z)") {
		t.Errorf("Steps = %v; want the API error wrapped, naming the window", err)
	}
}

// TestMeasuredStepsDecide runs a small sizing test end to end: loadgen and
// SageMaker data published to CloudWatch, read back by measure, judged by
// sizing. The cheap CPU candidate saturates at 20 req/s; the GPU candidate,
// 7× the hourly price, sustains 400 req/s and is cheaper per inference.
func TestMeasuredStepsDecide(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cat := catalog.New()
	type plan struct {
		rate, achieved, p99ms, util float64
	}
	candidates := []struct {
		variant, typ string
		steps        []plan
	}{
		{"c5", "ml.c5.xlarge", []plan{{10, 10, 60, 140}, {20, 20, 140, 272}, {40, 31, 900, 396}}},
		{"g5", "ml.g5.xlarge", []plan{{100, 100, 20, 40}, {200, 200, 30, 80}, {400, 400, 80, 120}}},
	}
	test := sizing.Test{Endpoint: endpoint, SLO: sizing.SLO{Percentile: sizing.P99, Latency: 200 * time.Millisecond},
		MaxErrorRate: 0.01, TargetRate: 1000, Headroom: 0.3}
	for _, c := range candidates {
		inst, err := cat.Lookup(c.typ)
		if err != nil {
			t.Fatal(err)
		}
		var ws []measure.Window
		for i, p := range c.steps {
			// Each step: 1 minute of warm-up, then a 2-minute window.
			start := t0.Add(time.Duration(3*i+1) * time.Minute)
			e.steady(c.variant, "e2e", start.Add(-time.Minute), time.Minute, dist{[]float64{2e6}, []float64{p.rate * 10}}, p.rate*10) // warm-up: awful
			// Per interval, 90% of requests at half the p99 and 10% at the p99.
			n := p.achieved * 10
			e.steady(c.variant, "e2e", start, 2*time.Minute, dist{[]float64{p.p99ms * 500, p.p99ms * 1000}, []float64{n * 9 / 10, n / 10}}, 0)
			for m := range 2 {
				mm := minute{model: dist{[]float64{p.p99ms * 600}, []float64{n * 6}}, overhead: dist{[]float64{1200}, []float64{n * 6}},
					cpu: []float64{p.util}, memory: []float64{30}}
				if inst.GPUs() > 0 {
					mm.cpu, mm.gpu, mm.gpuMemory = []float64{50}, []float64{p.util / 1.5}, []float64{40}
				}
				e.sagemaker(c.variant, start.Add(time.Duration(m)*time.Minute), mm)
			}
			ws = append(ws, measure.Window{Endpoint: endpoint, Variant: c.variant, TestID: "e2e", PlannedRate: p.rate,
				Start: start, End: start.Add(2 * time.Minute), VCPUs: inst.VCPUs, GPUs: inst.GPUs(), InstanceCount: 1})
		}
		steps, err := measure.Steps(context.Background(), e.client, "", ws)
		if err != nil {
			t.Fatal(err)
		}
		test.Candidates = append(test.Candidates, sizing.Candidate{Variant: c.variant, Instance: inst, InstanceCount: 1, Steps: steps})
	}
	r := sizing.Decide(test)
	if err := r.Err(); err != nil {
		t.Fatalf("Decide: %v", err)
	}
	if r.Recommended != "g5" {
		t.Fatalf("recommended %q; want g5. Reasons: %v", r.Recommended, r.Reasons)
	}
	byVariant := map[string]sizing.CandidateResult{}
	for _, c := range r.Candidates {
		byVariant[c.Variant] = c
	}
	cpu, gpu := byVariant["c5"], byVariant["g5"]
	if cpu.SustainableRate != 20 || cpu.InstancesForTarget != 72 || *cpu.CPU != 68 || cpu.Steps[2].Holds {
		t.Errorf("c5: sustains %g req/s, %d instances for target, CPU %v; want 20, 72, 68%% and the 40 req/s step failing", cpu.SustainableRate, cpu.InstancesForTarget, *cpu.CPU)
	}
	if gpu.SustainableRate != 400 || gpu.InstancesForTarget != 4 || *gpu.GPU != 80 || *gpu.CPU != 12.5 || !gpu.NeverBroke {
		t.Errorf("g5: sustains %g req/s, %d instances, GPU %v, CPU %v; want 400, 4, 80%%, 12.5%%, never broke", gpu.SustainableRate, gpu.InstancesForTarget, *gpu.GPU, *gpu.CPU)
	}
	if why := strings.Join(cpu.Steps[2].Why, "; "); !strings.Contains(why, "achieved 31.0 of 40.0 req/s") || !strings.Contains(why, "client p99 900.0 ms > SLO 200.0 ms") {
		t.Errorf("c5 40 req/s step: %q", why)
	}
	if !strings.Contains(strings.Join(r.Reasons, "\n"), "cheaper per inference") {
		t.Errorf("reasons %v; want the GPU explained as cheaper per inference", r.Reasons)
	}
}

// counted publishes what a loadgen that counts its intervals publishes for
// one interval: interval's data and Intervals = 1.
func (e *env) counted(variant, testID string, at time.Time, lat dist) {
	e.t.Helper()
	e.interval("SageSize/LoadTest", variant, testID, at, lat, 0, 0)
	e.put("SageSize/LoadTest", cwtypes.MetricDatum{MetricName: aws.String("Intervals"), Dimensions: dims("EndpointName", endpoint, "VariantName", variant, "TestId", testID),
		Timestamp: aws.Time(at), StorageResolution: aws.Int32(1), Unit: cwtypes.StandardUnitCount, Value: aws.Float64(1)})
}

// TestStepsMarksALostIntervalIncomplete: in a 2-minute step of one task at
// 10 req/s, one 10-second publish is lost for good. CloudWatch holds 11 of
// the 12 intervals: the step is incomplete (8.3 % missing), its achieved
// rate is computed over the 11 present (10 req/s, not 9.2), and Decide
// does not judge it (never "fails" it) but says the decision rests on the
// other steps. A complete step of two tasks holds; a step published by an
// older loadgen (no Intervals) keeps the old behaviour and is named.
func TestStepsMarksALostIntervalIncomplete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	lat := dist{[]float64{20000}, []float64{100}}
	for k := range 12 {
		if k != 7 { // the lost publish
			e.counted("c5", "t1", t0.Add(time.Duration(k)*10*time.Second), lat)
		}
	}
	s2 := t0.Add(3 * time.Minute)
	for k := range 12 {
		for range 2 {
			e.counted("c5", "t1", s2.Add(time.Duration(k)*10*time.Second), dist{[]float64{20000}, []float64{100}})
		}
	}
	ws := []measure.Window{cpuWindow(10, t0), cpuWindow(20, s2)}
	ws[0].Tasks, ws[1].Tasks = 1, 2
	got, err := measure.Steps(context.Background(), e.client, "", ws)
	if err != nil {
		t.Fatal(err)
	}
	if c := got[0].Coverage; c == nil || *c != (sizing.Coverage{Expected: 12, Published: 11, Known: true}) || !got[0].Incomplete() {
		t.Fatalf("step 1 coverage %+v; want 11 of 12 intervals, incomplete", c)
	}
	if got[0].Requests != 1100 || math.Abs(got[0].AchievedRate-10) > 1e-9 {
		t.Errorf("step 1: %d requests at %g req/s; want 1100 at 10 req/s (over the 11 intervals present)", got[0].Requests, got[0].AchievedRate)
	}
	if c := got[1].Coverage; c == nil || *c != (sizing.Coverage{Expected: 24, Published: 24, Known: true}) || got[1].Incomplete() || got[1].AchievedRate != 20 {
		t.Errorf("step 2: coverage %+v at %g req/s; want 24 of 24, complete, 20 req/s", c, got[1].AchievedRate)
	}
	if s := got[0].Coverage.String(); s != "incomplete: 11 of 12 intervals (8.3% missing)" {
		t.Errorf("coverage text %q", s)
	}

	cat := catalog.New()
	inst, err := cat.Lookup("ml.c5.xlarge")
	if err != nil {
		t.Fatal(err)
	}
	r := sizing.Decide(sizing.Test{Endpoint: endpoint, SLO: sizing.SLO{Percentile: sizing.P99, Latency: 200 * time.Millisecond}, MaxErrorRate: 0.01, TargetRate: 100,
		Headroom: 0.3, Candidates: []sizing.Candidate{{Variant: "c5", Instance: inst, InstanceCount: 2, Steps: got}}})
	c := r.Candidates[0]
	if st := c.Steps[0]; !st.Incomplete || st.Holds || slices.ContainsFunc(st.Why, func(w string) bool { return strings.Contains(w, "achieved") }) {
		t.Errorf("10 req/s step: incomplete %v, holds %v, why %v; want incomplete, not judged, no shortfall", st.Incomplete, st.Holds, st.Why)
	}
	if c.SustainableRate != 20 {
		t.Errorf("sustainable rate %g; want 20 (the complete step)", c.SustainableRate)
	}
	if !strings.Contains(strings.Join(r.Problems, "\n"), "is incomplete: 11 of 12 intervals (8.3% missing)") || r.Err() == nil {
		t.Errorf("problems %v; want the incomplete step named (and Err set)", r.Problems)
	}

	// An older loadgen: no Intervals at all.
	old := newEnv(t)
	old.steady("c5", "t1", t0, 2*time.Minute, lat, 0)
	w := cpuWindow(10, t0)
	w.Tasks = 1
	got, err = measure.Steps(context.Background(), old.client, "", []measure.Window{w})
	if err != nil {
		t.Fatal(err)
	}
	if cv := got[0].Coverage; cv == nil || cv.Known || got[0].Incomplete() || got[0].AchievedRate != 10 || slices.Contains(got[0].Missing, "Intervals") {
		t.Errorf("older loadgen: coverage %+v, %g req/s, missing %v; want unknown, complete, 10 req/s", cv, got[0].AchievedRate, got[0].Missing)
	}
	r = sizing.Decide(sizing.Test{Endpoint: endpoint, SLO: sizing.SLO{Percentile: sizing.P99, Latency: 200 * time.Millisecond}, MaxErrorRate: 0.01, TargetRate: 100,
		Headroom: 0.3, Candidates: []sizing.Candidate{{Variant: "c5", Instance: inst, InstanceCount: 2, Steps: got}}})
	if !slices.Contains(r.Candidates[0].Notes, sizing.NotPublishedText) || !r.Candidates[0].Steps[0].Holds {
		t.Errorf("older loadgen: notes %v, holds %v; want the interval count named as not published, and the step judged", r.Candidates[0].Notes, r.Candidates[0].Steps[0].Holds)
	}
}

// TestStepsStreamingFigures reads a streaming step published by two tasks:
// TTFT and ITL percentiles over both tasks' samples (not an average of
// their own), output tokens and good requests summed; a non-streaming
// window of the same data reads none of it.
func TestStepsStreamingFigures(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	d := dims("EndpointName", endpoint, "VariantName", "g5", "TestId", "s1")
	dist := func(name string, at time.Time, values, counts []float64) cwtypes.MetricDatum {
		return cwtypes.MetricDatum{MetricName: aws.String(name), Dimensions: d, Timestamp: aws.Time(at), StorageResolution: aws.Int32(1),
			Unit: cwtypes.StandardUnitMicroseconds, Values: values, Counts: counts}
	}
	count := func(name string, at time.Time, v float64) cwtypes.MetricDatum {
		return cwtypes.MetricDatum{MetricName: aws.String(name), Dimensions: d, Timestamp: aws.Time(at), StorageResolution: aws.Int32(1),
			Unit: cwtypes.StandardUnitCount, Value: aws.Float64(v)}
	}
	// Each of 6 intervals per minute, task A: 9 requests with TTFT 100 ms;
	// task B: 1 request with TTFT 900 ms. Over the window 10 % are at
	// 900 ms: p50 100 ms, p99 900 ms (the mean of the tasks' p99s would
	// be 500 ms). ITL: A 99 × 9 gaps of 20 ms, B 99 gaps of 70 ms: p99 of
	// 990 gaps is the 981st, 70 ms; p50 20 ms.
	for k := range 12 {
		at := t0.Add(time.Duration(k) * 10 * time.Second)
		for _, task := range []struct {
			n, ttft, itl float64
		}{{9, 100000, 20000}, {1, 900000, 70000}} {
			e.put("SageSize/LoadTest", dist("Latency", at, []float64{task.ttft + 99*task.itl}, []float64{task.n}),
				dist("TimeToFirstToken", at, []float64{task.ttft}, []float64{task.n}),
				dist("InterTokenLatency", at, []float64{task.itl}, []float64{task.n * 99}),
				dist("TimePerOutputToken", at, []float64{task.itl}, []float64{task.n}),
				count("Requests", at, task.n), count("Errors", at, 0), count("Throttles", at, 0),
				count("OutputTokens", at, task.n*100), count("GoodRequests", at, task.n*map[bool]float64{true: 1, false: 0}[task.ttft < 500000]))
		}
	}
	w := measure.Window{Endpoint: endpoint, Variant: "g5", TestID: "s1", PlannedRate: 1, Start: t0, End: t0.Add(2 * time.Minute), VCPUs: 4, GPUs: 1, InstanceCount: 1, Stream: true}
	steps, err := measure.Steps(context.Background(), e.client, "", []measure.Window{w})
	if err != nil {
		t.Fatal(err)
	}
	st := steps[0].Stream
	want := sizing.StreamStep{TTFTP50: ms(100), TTFTP99: ms(900), ITLP50: ms(20), ITLP99: ms(70), TPOTP50: ms(20), TPOTP99: ms(70),
		OutputTokens: 12 * 10 * 100, GoodRequests: 12 * 9}
	if st == nil || !reflect.DeepEqual(*st, want) {
		t.Fatalf("stream figures %+v; want %+v", st, want)
	}
	// 12,000 tokens over 120 s: 100 tokens/s; 108 good of 120 requests at 1 req/s: goodput 0.9.
	if got := steps[0].OutputTokenRate(); math.Abs(got-100) > 1e-9 {
		t.Errorf("output tokens/s %v; want 100", got)
	}
	if got := steps[0].Goodput(); math.Abs(got-0.9) > 1e-9 {
		t.Errorf("goodput %v; want 0.9", got)
	}
	w.Stream = false
	steps, err = measure.Steps(context.Background(), e.client, "", []measure.Window{w})
	if err != nil || steps[0].Stream != nil {
		t.Errorf("non-streaming window: stream %+v, err %v; want none read", steps[0].Stream, err)
	}
}
