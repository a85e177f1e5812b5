package gate

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/loadplan"
	"github.com/sagesize/sagesize/testkit/awstest"
)

// seedTest stores what two Fargate tasks of test id would publish for
// the plan 20@2m,40@2m from start: every 10 s each task's share of the
// step's requests (half), one error per task per interval in step 2, and a
// latency distribution of 9 × lat and 1 × 5 lat (task 1) or 9 × 1.5 lat
// and 1 × 5 lat (task 2), all high resolution. Periods in skip are not
// published.
func seedTest(cw *awstest.CloudWatch, id string, start time.Time, lat float64, skip ...int) {
	for k := range 24 {
		if contains(skip, k) {
			continue
		}
		at := start.Add(time.Duration(k) * 10 * time.Second)
		rate, errs := 20.0, 0.0
		if k >= 12 {
			rate, errs = 40, 1
		}
		for task, v := range []float64{lat, 1.5 * lat} {
			d := map[string]string{"EndpointName": "churn", "VariantName": "AllTraffic", "TestId": id}
			datum := func(metric string, value float64) awstest.Datum {
				return awstest.Datum{Namespace: "SageSize/LoadTest", MetricName: metric, Dimensions: d, Timestamp: at, StorageResolution: 1, Value: ptr(value), Unit: "Count"}
			}
			cw.Seed(datum("Requests", rate*10/2), datum("Errors", errs), datum("Dropped", 0), datum("Throttles", float64(task)*errs), datum("Intervals", 1),
				awstest.Datum{Namespace: "SageSize/LoadTest", MetricName: "Latency", Dimensions: d, Timestamp: at, StorageResolution: 1,
					Values: []float64{v, 5 * lat}, Counts: []float64{9, 1}, Unit: "Microseconds"})
		}
	}
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func recordOptions(t *testing.T, id string, start time.Time) RecordOptions {
	t.Helper()
	plan, err := ParsePlan("20@2m,40@2m")
	if err != nil {
		t.Fatal(err)
	}
	return RecordOptions{Endpoint: "churn", Variant: "AllTraffic", TestID: id, Plan: plan, Start: start}
}

func TestReadCloudWatchReadsEveryTenSecondsOfATwoStepTest(t *testing.T) {
	cw, client := cwEnv(t)
	cw.ModelRetention(time.Now)
	start := time.Now().UTC().Truncate(time.Minute).Add(-10 * time.Minute)
	seedTest(cw, "t1", start, 1000, 7) // period 7 (70-80 s) lost
	seedTest(cw, "other", start, 9000)
	rec, err := ReadCloudWatch(context.Background(), client, recordOptions(t, "t1", start))
	if err != nil {
		t.Fatal(err)
	}
	r := rec.Run
	if rec.Period != 10*time.Second || len(r.Intervals) != 23 {
		t.Fatalf("period %v, %d intervals; want 10s and 23 (24 periods, one without data)", rec.Period, len(r.Intervals))
	}
	if len(rec.Notes) != 1 || !strings.Contains(rec.Notes[0], "1 of the plan's 24 periods of 10s have no data") {
		t.Errorf("notes %q; want one about the missing period", rec.Notes)
	}
	for _, iv := range r.Intervals {
		if iv.From == 70 {
			t.Errorf("interval at 70 s present (%+v); the period had no data", iv)
		}
	}
	first, last := r.Intervals[0], r.Intervals[22]
	want := loadgen.Stats{Type: "interval", TestID: "t1", Mode: "open", Start: start, End: start.Add(10 * time.Second), From: 0, To: 10,
		TargetRate: 20, Rate: 20, Throughput: 20, Requests: 200, OK: 200, Latency: loadgen.LatencyStats{Count: 20, P50: 1500, P99: 5000}}
	if !reflect.DeepEqual(first, want) {
		t.Errorf("first interval\n%+v; want\n%+v", first, want)
	}
	if last.From != 230 || last.To != 240 || last.TargetRate != 40 || last.Requests != 400 || last.Errors != 2 || last.OK != 398 || last.ByClass.Throttled != 1 {
		t.Errorf("last interval %+v; want 230-240 s at 40/s, 400 requests, 2 errors (1 throttled)", last)
	}
	s := r.Summary
	if s.Plan != "steps 20@2m0s,40@2m0s" || s.TestID != "t1" || s.Requests != 11*200+12*400 || s.Errors != 24 || s.TargetRate != 30 ||
		s.Latency.P50 != 1500 || s.Latency.P99 != 5000 || s.Latency.Count != 23*20 || !strings.HasPrefix(s.Target, "sagemaker endpoint churn ") {
		t.Errorf("summary %+v", s)
	}
}

func TestReadCloudWatchPagesThroughNextToken(t *testing.T) {
	cw, client := cwEnv(t)
	start := time.Now().UTC().Truncate(time.Minute).Add(-10 * time.Minute)
	seedTest(cw, "t1", start, 1000)
	var pages int
	rec, err := ReadCloudWatch(context.Background(), client, recordOptions(t, "t1", start))
	if err != nil {
		t.Fatal(err)
	}
	for range cw.GetMetricDataCalls() {
		pages++
	}
	// 7 queries with data × 24 periods + 3 whole-test datapoints = 171:
	// one page at the default 100,800 datapoints, 4 pages at 50.
	if pages != 1 || len(rec.Run.Intervals) != 24 {
		t.Fatalf("%d calls, %d intervals; want 1 and 24", pages, len(rec.Run.Intervals))
	}
	paged := &maxDatapoints{api: client, n: 50}
	rec2, err := ReadCloudWatch(context.Background(), paged, recordOptions(t, "t1", start))
	if err != nil {
		t.Fatal(err)
	}
	if paged.calls != 4 || !reflect.DeepEqual(rec2.Run, rec.Run) {
		t.Errorf("%d calls at 50 datapoints a page; want 4 (NextToken followed) and the same run", paged.calls)
	}
}

func TestReadCloudWatchOlderThanThreeHoursReadsMinutes(t *testing.T) {
	cw, client := cwEnv(t)
	cw.ModelRetention(time.Now)
	start := time.Now().UTC().Truncate(time.Minute).Add(-4 * time.Hour)
	seedTest(cw, "old", start, 1000)
	rec, err := ReadCloudWatch(context.Background(), client, recordOptions(t, "old", start))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Period != time.Minute || len(rec.Run.Intervals) != 4 || rec.Run.Intervals[2].Requests != 2400 || rec.Run.Intervals[2].TargetRate != 40 {
		t.Errorf("period %v, intervals %+v; want 4 of a minute, the third with 2400 requests at 40/s", rec.Period, rec.Run.Intervals)
	}
	if len(rec.Notes) != 1 || !strings.Contains(rec.Notes[0], "60-second periods") || !strings.Contains(rec.Notes[0], "needs at least 5") {
		t.Errorf("notes %q; want the 60-second note", rec.Notes)
	}
}

func TestReadCloudWatchWithoutDataNamesWhatItRead(t *testing.T) {
	cw, client := cwEnv(t)
	start := time.Now().UTC().Truncate(time.Minute).Add(-10 * time.Minute)
	seedTest(cw, "t1", start, 1000)
	_, err := ReadCloudWatch(context.Background(), client, recordOptions(t, "typo", start))
	for _, want := range []string{"no data in CloudWatch", "namespace SageSize/LoadTest", "EndpointName=churn VariantName=AllTraffic TestId=typo", start.Format(time.RFC3339)} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v; want it to contain %q", err, want)
		}
	}
}

func TestReadCloudWatchBadOptions(t *testing.T) {
	_, client := cwEnv(t)
	start := time.Now().UTC().Truncate(time.Minute).Add(-10 * time.Minute)
	ramp, _ := loadplan.NewRamp(0, 10, time.Minute)
	for _, tc := range []struct {
		name string
		edit func(o *RecordOptions)
		want string
	}{
		{"no test id", func(o *RecordOptions) { o.TestID = "" }, "test id are required"},
		{"ramp", func(o *RecordOptions) { o.Plan = ramp }, "only a stepped plan or a constant rate"},
		{"unaligned", func(o *RecordOptions) { o.Start = start.Add(3 * time.Second) }, "is not on a whole 10s"},
	} {
		o := recordOptions(t, "t1", start)
		tc.edit(&o)
		if _, err := ReadCloudWatch(context.Background(), client, o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v; want %q", tc.name, err, tc.want)
		}
	}
}

func TestWrittenRunReadsBackAndCompares(t *testing.T) {
	cw, client := cwEnv(t)
	start := time.Now().UTC().Truncate(time.Minute).Add(-20 * time.Minute)
	seedTest(cw, "base", start, 1000)
	seedTest(cw, "cand", start.Add(5*time.Minute), 2000) // every latency doubled
	dir := t.TempDir()
	var runs []*Run
	for _, tc := range []struct {
		id    string
		start time.Time
	}{{"base", start}, {"cand", start.Add(5 * time.Minute)}} {
		rec, err := ReadCloudWatch(context.Background(), client, recordOptions(t, tc.id, tc.start))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, tc.id+".jsonl")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteRun(f, rec.Run); err != nil {
			t.Fatal(err)
		}
		f.Close()
		back, err := ReadRun(path)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back.Intervals, rec.Run.Intervals) || !reflect.DeepEqual(back.Summary, rec.Run.Summary) {
			t.Errorf("%s: the run read back differs from the one written", tc.id)
		}
		runs = append(runs, back)
	}
	c := Compare(runs[:1], runs[1], DefaultOptions())
	if len(c.Problems) != 0 || len(c.Steps) != 2 || !c.Regressed() {
		t.Errorf("problems %q, %d steps, regressed %v; want 2 steps compared and a regression", c.Problems, len(c.Steps), c.Regressed())
	}
}

// maxDatapoints asks the real client for pages of at most n datapoints,
// as a caller near GetMetricData's limit would get them, and counts calls.
type maxDatapoints struct {
	api   *cloudwatch.Client
	n     int32
	calls int
}

func (m *maxDatapoints) GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	m.calls++
	cp := *in
	cp.MaxDatapoints = aws.Int32(m.n)
	return m.api.GetMetricData(ctx, &cp, optFns...)
}
