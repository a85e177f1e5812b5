package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/sizing"
	"github.com/sagesize/sagesize/sizing/report"
	"github.com/sagesize/sagesize/sizing/runner"
	"github.com/sagesize/sagesize/testkit/awstest"
)

// The sizing test of every report scenario: two candidates, four steps of
// 2 minutes with 1 minute of warm-up, p99 ≤ 100 ms, 600 req/s with 25 %
// headroom.
const sizingConfig = `project: shop
sizing:
  model: shop-model
  candidates:
    - instanceType: ml.c6i.xlarge
    - instanceType: ml.g5.xlarge
  slo: {percentile: p99, latency: 100ms}
  targetRate: 600
  headroom: 25%
  plan:
    rates: [50, 100, 200, 400]
    stepDuration: 2m
    warmup: 1m
    payload: s3://shop-payloads/request.json
`

// t0 is the start of every candidate's first step.
var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// step is what one step of one candidate published.
type step struct {
	rate        float64       // achieved, req/s (the planned rates are the config's)
	p99         time.Duration // 97 % of requests at 20 ms, 3 % at p99: nearest-rank p50 20 ms, p99 this
	errors      float64       // per 10 s interval
	cpu         float64       // CPUUtilization as SageMaker sends it (sum over vCPUs)
	gpu         float64
	unpublished bool // nothing at all
}

type scenario struct {
	candidates map[string][]step // by variant
	testIDs    map[string]string // published under (default: the record's)
}

// reportEnv is a local CloudWatch server with the scenario published
// through the SDK, the config and the run record on disk.
type reportEnv struct {
	cw                  *awstest.CloudWatch
	config, record, out string
}

func newReportEnv(t *testing.T, sc scenario) *reportEnv {
	t.Helper()
	dir := t.TempDir()
	e := &reportEnv{cw: awstest.NewCloudWatch(), config: filepath.Join(dir, "sizing.yaml"), record: filepath.Join(dir, "sizing-run.json"), out: filepath.Join(dir, "report")}
	t.Cleanup(e.cw.Close)
	awsEnv(t, "", "", e.cw.URL)
	if err := os.WriteFile(e.config, []byte(sizingConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	client := cloudwatch.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), RetryMaxAttempts: 1},
		func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(e.cw.URL) })
	put := func(ns string, data ...cwtypes.MetricDatum) {
		t.Helper()
		if _, err := client.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String(ns), MetricData: data}); err != nil {
			t.Fatalf("PutMetricData: %v", err)
		}
	}
	dim := func(kv ...string) []cwtypes.Dimension {
		var out []cwtypes.Dimension
		for i := 0; i < len(kv); i += 2 {
			out = append(out, cwtypes.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		return out
	}
	rec := &runner.Record{Endpoint: "shop-sizing", Region: "us-east-1", Config: e.config, Warmup: 60}
	rates := []float64{50, 100, 200, 400}
	for _, v := range []struct{ variant, typ string }{{"c6i-xlarge", "ml.c6i.xlarge"}, {"g5-xlarge", "ml.g5.xlarge"}} {
		id := "shop-sizing-" + v.variant + "-20261127T095800"
		rc := runner.RecordCandidate{Variant: v.variant, InstanceType: v.typ, InstanceCount: 1, TestID: id, Tasks: 1, StartAt: t0, Outcome: "completed"}
		published := id
		if sc.testIDs[v.variant] != "" {
			published = sc.testIDs[v.variant]
		}
		for k, st := range sc.candidates[v.variant] {
			start := t0.Add(time.Duration(k) * 2 * time.Minute)
			rc.Steps = append(rc.Steps, runner.RecordStep{Rate: rates[k], Start: start, End: start.Add(2 * time.Minute), Ended: true})
			if st.unpublished {
				continue
			}
			ld := dim("EndpointName", "shop-sizing", "VariantName", v.variant, "TestId", published)
			for i := range 12 { // 10 s intervals, the first 6 in the warm-up
				at := start.Add(time.Duration(i) * 10 * time.Second)
				n := st.rate * 10
				lat := cwtypes.MetricDatum{MetricName: aws.String("Latency"), Dimensions: ld, Timestamp: aws.Time(at), StorageResolution: aws.Int32(1),
					Unit: cwtypes.StandardUnitMicroseconds, Values: []float64{20000, float64(st.p99.Microseconds())}, Counts: []float64{n * 0.97, n * 0.03}}
				if i < 6 { // warm-up: slow and few, must not count
					lat.Values, lat.Counts = []float64{900000}, []float64{1}
					n = 1
				}
				data := []cwtypes.MetricDatum{lat}
				for _, c := range []struct {
					name string
					v    float64
				}{{"Requests", n}, {"Errors", st.errors}, {"Throttles", 0}} {
					data = append(data, cwtypes.MetricDatum{MetricName: aws.String(c.name), Dimensions: ld, Timestamp: aws.Time(at), StorageResolution: aws.Int32(1),
						Unit: cwtypes.StandardUnitCount, Value: aws.Float64(c.v)})
				}
				put("SageSize/LoadTest", data...)
			}
			sd := dim("EndpointName", "shop-sizing", "VariantName", v.variant)
			measured := start.Add(time.Minute)
			put("AWS/SageMaker",
				cwtypes.MetricDatum{MetricName: aws.String("ModelLatency"), Dimensions: sd, Timestamp: aws.Time(measured), Unit: cwtypes.StandardUnitMicroseconds,
					Values: []float64{15000}, Counts: []float64{st.rate * 60}},
				cwtypes.MetricDatum{MetricName: aws.String("OverheadLatency"), Dimensions: sd, Timestamp: aws.Time(measured), Unit: cwtypes.StandardUnitMicroseconds,
					Values: []float64{2000}, Counts: []float64{st.rate * 60}})
			util := []cwtypes.MetricDatum{
				{MetricName: aws.String("CPUUtilization"), Dimensions: sd, Timestamp: aws.Time(measured), Unit: cwtypes.StandardUnitPercent, Value: aws.Float64(st.cpu)},
				{MetricName: aws.String("MemoryUtilization"), Dimensions: sd, Timestamp: aws.Time(measured), Unit: cwtypes.StandardUnitPercent, Value: aws.Float64(40)},
			}
			if v.typ == "ml.g5.xlarge" {
				util = append(util,
					cwtypes.MetricDatum{MetricName: aws.String("GPUUtilization"), Dimensions: sd, Timestamp: aws.Time(measured), Unit: cwtypes.StandardUnitPercent, Value: aws.Float64(st.gpu)},
					cwtypes.MetricDatum{MetricName: aws.String("GPUMemoryUtilization"), Dimensions: sd, Timestamp: aws.Time(measured), Unit: cwtypes.StandardUnitPercent, Value: aws.Float64(30)})
			}
			put("/aws/sagemaker/Endpoints", util...)
		}
		rec.Candidates = append(rec.Candidates, rc)
	}
	if err := runner.WriteRecord(e.record, rec); err != nil {
		t.Fatal(err)
	}
	return e
}

// run runs sagesize report and returns its error, stdout and the JSON report.
func (e *reportEnv) run(t *testing.T, extra ...string) (error, string, report.Document) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), append([]string{"report", "-config", e.config, "-record", e.record, "-out", e.out}, extra...), &stdout, &stderr)
	var doc report.Document
	if b, rerr := os.ReadFile(filepath.Join(e.out, "report.json")); rerr == nil {
		if jerr := json.Unmarshal(b, &doc); jerr != nil {
			t.Fatalf("report.json: %v", jerr)
		}
	}
	return err, stdout.String(), doc
}

func candidate(t *testing.T, d report.Document, variant string) report.Candidate {
	t.Helper()
	for _, c := range d.Candidates {
		if c.Variant == variant {
			return c
		}
	}
	t.Fatalf("report.json has no candidate %s: %+v", variant, d.Candidates)
	return report.Candidate{}
}

// TestReportGPUCheaperPerInference: the CPU candidate saturates early (its
// p99 breaks the SLO at 100 req/s), the GPU candidate holds every step:
// although a g5.xlarge costs several times a c6i.xlarge per hour, its fleet
// for 600 req/s is cheaper, and the report says so.
func TestReportGPUCheaperPerInference(t *testing.T) {
	e := newReportEnv(t, scenario{candidates: map[string][]step{
		"c6i-xlarge": {{rate: 50, p99: 60 * time.Millisecond, cpu: 240}, {rate: 100, p99: 250 * time.Millisecond, cpu: 390},
			{rate: 140, p99: 900 * time.Millisecond, cpu: 400}, {rate: 150, p99: 2 * time.Second, cpu: 400}},
		"g5-xlarge": {{rate: 50, p99: 30 * time.Millisecond, cpu: 40, gpu: 10}, {rate: 100, p99: 30 * time.Millisecond, cpu: 60, gpu: 20},
			{rate: 200, p99: 35 * time.Millisecond, cpu: 100, gpu: 40}, {rate: 400, p99: 45 * time.Millisecond, cpu: 160, gpu: 80}},
	}})
	err, stdout, doc := e.run(t)
	if err != nil {
		t.Fatalf("report: %v\n%s", err, stdout)
	}
	if !doc.OK || doc.Recommended != "g5-xlarge" {
		t.Fatalf("recommended %q (ok %v); want g5-xlarge. Reasons %v, problems %v", doc.Recommended, doc.OK, doc.Reasons, doc.Problems)
	}
	c6i, g5 := candidate(t, doc, "c6i-xlarge"), candidate(t, doc, "g5-xlarge")
	cat := catalog.New()
	cpuInst, _ := cat.Lookup("ml.c6i.xlarge")
	gpuInst, _ := cat.Lookup("ml.g5.xlarge")
	// c6i: holds 50 req/s only: 600 / (50 × 0.75) = 16 instances.
	// g5: never broke, 400 req/s: 600 / (400 × 0.75) = 2 instances.
	if c6i.SustainableRate != 50 || c6i.InstancesForTarget != 16 || g5.SustainableRate != 400 || g5.InstancesForTarget != 2 || !g5.NeverBroke {
		t.Errorf("c6i sustains %v (%d instances), g5 %v (%d, never broke %v); want 50 (16) and 400 (2, true)",
			c6i.SustainableRate, c6i.InstancesForTarget, g5.SustainableRate, g5.InstancesForTarget, g5.NeverBroke)
	}
	if want := 16 * cpuInst.PricePerHour; abs(c6i.FleetCostPerHour-want) > 1e-9 || abs(g5.FleetCostPerHour-2*gpuInst.PricePerHour) > 1e-9 {
		t.Errorf("fleet costs c6i %v, g5 %v; want %v and %v", c6i.FleetCostPerHour, g5.FleetCostPerHour, want, 2*gpuInst.PricePerHour)
	}
	if want := gpuInst.PricePerHour / (400 * 3600) * 1e6; abs(g5.CostPerMillion-want) > 1e-9 {
		t.Errorf("g5 cost per million %v; want %v", g5.CostPerMillion, want)
	}
	// The step that broke, with the warm-up's 900 ms excluded and CPU
	// normalized over 4 vCPUs.
	s := c6i.Steps[1]
	if s.ClientP99Ms != 250 || s.ClientP50Ms != 20 || s.Holds || s.ModelP99Ms != 15 || s.OverheadP99Ms != 2 || s.CPU == nil || *s.CPU != 97.5 {
		t.Errorf("c6i step 2 = %+v; want p50 20 ms, p99 250 ms, model p99 15 ms, overhead 2 ms, CPU 97.5 %%, not holding", s)
	}
	if s := g5.Steps[3]; s.GPU == nil || *s.GPU != 80 || s.AchievedRate != 400 || s.Requests != 24000 {
		t.Errorf("g5 step 4 = %+v; want GPU 80 %%, 400 req/s, 24000 requests", s)
	}
	if !containsAll(strings.Join(doc.Reasons, "\n"), "costs more per instance-hour", "cheaper per inference") {
		t.Errorf("reasons %v do not explain the pricier instance", doc.Reasons)
	}
	// The three outputs agree: Markdown on stdout and in report.md, HTML.
	md, _ := os.ReadFile(filepath.Join(e.out, "report.md"))
	html, _ := os.ReadFile(filepath.Join(e.out, "report.html"))
	if !strings.HasPrefix(stdout, string(md)) {
		t.Errorf("stdout does not start with report.md")
	}
	// The endpoint's cost over the test (t0 to the last step's end, 8 min),
	// and a note that these tasks (an older loadgen) published no interval count.
	cost := fmt.Sprintf("Sizing endpoint cost: %s/h while deployed (every candidate's price × instance count); this test ran 8m0s: %s",
		sizing.FormatUSD(cpuInst.PricePerHour+gpuInst.PricePerHour), sizing.FormatUSD((cpuInst.PricePerHour+gpuInst.PricePerHour)*8/60))
	for _, want := range []string{"g5-xlarge", "400.0", "250.0", cost, "interval count not published (loadgen older than the Intervals metric)"} {
		if !strings.Contains(string(md), want) || !strings.Contains(strings.ReplaceAll(string(html), "&#39;", "'"), want) {
			t.Errorf("report.md or report.html lacks %q", want)
		}
	}
	if !strings.Contains(string(html), "data:image/png;base64,") {
		t.Errorf("report.html has no charts")
	}
}

// TestReportNothingMeetsTheSLO: both candidates break at their first step.
// The report is written and the command fails, saying why.
func TestReportNothingMeetsTheSLO(t *testing.T) {
	slow := []step{{rate: 50, p99: 300 * time.Millisecond, cpu: 100}, {rate: 60, p99: 900 * time.Millisecond, cpu: 100}}
	e := newReportEnv(t, scenario{candidates: map[string][]step{"c6i-xlarge": slow, "g5-xlarge": slow}})
	err, stdout, doc := e.run(t)
	if err == nil || !strings.Contains(err.Error(), "no recommendation: no candidate held the SLO") {
		t.Fatalf("report err = %v; want no recommendation", err)
	}
	if doc.OK || doc.Recommended != "" || len(doc.Candidates) != 2 {
		t.Errorf("report.json ok %v recommended %q with %d candidates; want not ok, none, both", doc.OK, doc.Recommended, len(doc.Candidates))
	}
	if !strings.Contains(stdout, "no recommendation") {
		t.Errorf("stdout lacks the verdict:\n%s", stdout)
	}
}

// TestReportMissingData: a step without data and a variant that never got
// traffic are named; what can be computed is still written; exit non-zero.
func TestReportMissingData(t *testing.T) {
	ok := step{rate: 50, p99: 40 * time.Millisecond, cpu: 100}
	e := newReportEnv(t, scenario{candidates: map[string][]step{
		"c6i-xlarge": {ok, {unpublished: true}, ok},
		"g5-xlarge":  {{unpublished: true}, {unpublished: true}},
	}})
	err, _, doc := e.run(t)
	if err == nil {
		t.Fatal("report succeeded with missing data")
	}
	for _, want := range []string{
		"variant c6i-xlarge: no data for the 100.0 req/s step (2026-11-27T10:03:00Z to 2026-11-27T10:04:00Z)",
		"variant g5-xlarge never received traffic (no requests in any step)",
	} {
		if !strings.Contains(err.Error(), want) || !strings.Contains(strings.Join(doc.Problems, "\n"), want) {
			t.Errorf("error and report.json problems lack %q:\n%v\n%v", want, err, doc.Problems)
		}
	}
	if c := candidate(t, doc, "c6i-xlarge"); c.SustainableRate != 50 || len(c.Steps) != 3 {
		t.Errorf("c6i = %+v; want its first step computed (50 req/s) and 3 steps", c)
	}
}

// TestReportWrongTestIDOrRegion: the record's test ids have no data: the
// error names the region and the test ids.
func TestReportWrongTestIDOrRegion(t *testing.T) {
	ok := []step{{rate: 50, p99: 40 * time.Millisecond, cpu: 100}}
	e := newReportEnv(t, scenario{candidates: map[string][]step{"c6i-xlarge": ok, "g5-xlarge": ok},
		testIDs: map[string]string{"c6i-xlarge": "other-1", "g5-xlarge": "other-2"}})
	err, _, _ := e.run(t)
	want := "CloudWatch in us-east-1 has no SageSize/LoadTest data for the test ids shop-sizing-c6i-xlarge-20261127T095800, shop-sizing-g5-xlarge-20261127T095800"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("report err = %v; want it to contain %q", err, want)
	}
}

// TestReportBadInput: what is refused before anything is read.
func TestReportBadInput(t *testing.T) {
	e := newReportEnv(t, scenario{candidates: map[string][]step{"c6i-xlarge": {{rate: 50, p99: 40 * time.Millisecond}}}})
	noSizing := filepath.Join(t.TempDir(), "plain.yaml")
	if err := os.WriteFile(noSizing, []byte(testConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-config", noSizing, "-record", e.record}, "plain.yaml has no sizing: section"},
		{[]string{"-config", e.config, "-record", filepath.Join(t.TempDir(), "none.json")}, "read run record (written by sagesize run -sizing)"},
		{[]string{"-config", e.config, "-release", "v2", "-record", e.record}, "run record " + e.record + " is of endpoint shop-sizing, but " + e.config + ` (release "v2") sizes shop-v2-sizing`},
	} {
		err := run(context.Background(), append([]string{"report", "-out", t.TempDir()}, tt.args...), &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("report %v = %v; want an error containing %q", tt.args, err, tt.want)
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

// TestReportSLO: a config without sizing.slo still gets the measurements
// written, with the missing SLO named and a non-zero exit; -slo judges the
// same run against another objective.
func TestReportSLO(t *testing.T) {
	e := newReportEnv(t, scenario{candidates: map[string][]step{
		"c6i-xlarge": {{rate: 50, p99: 60 * time.Millisecond, cpu: 240}},
		"g5-xlarge": {{rate: 50, p99: 30 * time.Millisecond, gpu: 10}, {rate: 100, p99: 30 * time.Millisecond, gpu: 20},
			{rate: 200, p99: 35 * time.Millisecond, gpu: 40}, {rate: 400, p99: 45 * time.Millisecond, gpu: 80}},
	}})
	err, _, doc := e.run(t, "-slo", "p99:40ms")
	if err != nil || doc.Recommended != "g5-xlarge" || doc.SLOLatencyMs != 40 {
		t.Fatalf("-slo p99:40ms: err %v, recommended %q, SLO %v ms", err, doc.Recommended, doc.SLOLatencyMs)
	}
	// 45 ms at 400 req/s breaks 40 ms: 200 req/s sustained, 600 / (200 × 0.75) = 4.
	if g5 := candidate(t, doc, "g5-xlarge"); g5.SustainableRate != 200 || g5.InstancesForTarget != 4 {
		t.Errorf("g5 under a 40 ms SLO sustains %v with %d instances; want 200 and 4", g5.SustainableRate, g5.InstancesForTarget)
	}

	if err := os.WriteFile(e.config, []byte(strings.Replace(sizingConfig, "  slo: {percentile: p99, latency: 100ms}\n", "", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	err, _, doc = e.run(t)
	if err == nil || !strings.Contains(err.Error(), e.config+" defines no SLO (sizing.slo): no step can be judged; add sizing.slo or give --slo p99:150ms") {
		t.Fatalf("report without an SLO: %v", err)
	}
	if g5 := candidate(t, doc, "g5-xlarge"); len(g5.Steps) != 4 || g5.Steps[3].AchievedRate != 400 || g5.Steps[3].Holds || doc.Recommended != "" {
		t.Errorf("without an SLO: g5 steps %+v, recommended %q; want the measurements, no verdict", g5.Steps, doc.Recommended)
	}
	for _, bad := range []string{"p90:1s", "p99", "p99:-1s"} {
		if err := run(context.Background(), []string{"report", "-config", e.config, "-record", e.record, "-slo", bad}, &bytes.Buffer{}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "want p50 or p99, a colon and a positive latency") {
			t.Errorf("-slo %s: %v", bad, err)
		}
	}
}
