package awstest_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/sagesize/sagesize/testkit/awstest"
)

// t0 is on a whole minute, as CloudWatch rounds StartTime down to one.
var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func newCloudWatch(t *testing.T) (*awstest.CloudWatch, *cloudwatch.Client) {
	t.Helper()
	cw := awstest.NewCloudWatch()
	t.Cleanup(cw.Close)
	return cw, cloudwatch.NewFromConfig(cfg("any"), func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(cw.URL) })
}

// dims returns dimensions from name, value pairs.
func dims(kv ...string) []cwtypes.Dimension {
	out := []cwtypes.Dimension{}
	for i := 0; i < len(kv); i += 2 {
		out = append(out, cwtypes.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func put(t *testing.T, client *cloudwatch.Client, ns string, data ...cwtypes.MetricDatum) {
	t.Helper()
	if _, err := client.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String(ns), MetricData: data}); err != nil {
		t.Fatalf("PutMetricData: %v", err)
	}
}

// value is a high-resolution datum of one value.
func value(metric string, at time.Duration, v float64, d []cwtypes.Dimension) cwtypes.MetricDatum {
	return cwtypes.MetricDatum{MetricName: aws.String(metric), Timestamp: aws.Time(t0.Add(at)), Value: aws.Float64(v), Dimensions: d, StorageResolution: aws.Int32(1)}
}

func query(id, ns, metric, stat string, period int32, d []cwtypes.Dimension) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{
		Metric: &cwtypes.Metric{Namespace: aws.String(ns), MetricName: aws.String(metric), Dimensions: d},
		Period: aws.Int32(period), Stat: aws.String(stat)}}
}

// get runs one GetMetricData request and returns its results by Id.
func get(t *testing.T, client *cloudwatch.Client, in *cloudwatch.GetMetricDataInput) map[string]cwtypes.MetricDataResult {
	t.Helper()
	out, err := client.GetMetricData(context.Background(), in)
	if err != nil {
		t.Fatalf("GetMetricData: %v", err)
	}
	res := map[string]cwtypes.MetricDataResult{}
	for _, r := range out.MetricDataResults {
		res[aws.ToString(r.Id)] = r
	}
	return res
}

// series formats a result as "offset=value ..." with offsets from t0.
func series(r cwtypes.MetricDataResult) string {
	var parts []string
	for i, ts := range r.Timestamps {
		parts = append(parts, fmt.Sprintf("%v=%g", ts.Sub(t0), r.Values[i]))
	}
	return strings.Join(parts, " ")
}

func TestGetMetricDataComputesStatisticsPerPeriod(t *testing.T) {
	t.Parallel()
	cw, client := newCloudWatch(t)
	d := dims("EndpointName", "ep")
	dist := value("Latency", 0, 0, d) // at the start: included
	dist.Value, dist.Values, dist.Counts = nil, []float64{1, 2, 3}, []float64{1, 1, 2}
	put(t, client, "Test/NS",
		value("Latency", -time.Second, 1000, d), // before the start
		dist,
		value("Latency", 50*time.Second, 10, d),
		value("Latency", 2*time.Minute, 5, d),
		value("Latency", 3*time.Minute, 7, d), // at the end: excluded
	)
	if got := cw.Datums()[0].Namespace; got != "Test/NS" {
		t.Errorf("Datums()[0].Namespace = %q; want Test/NS", got)
	}
	// Samples per minute: [1, 2, 3, 3, 10] at 0s, none at 1m, [5] at 2m.
	for _, tc := range []struct {
		stat   string
		period int32
		start  time.Duration
		want   string // ascending
	}{
		{"Sum", 60, 0, "0s=19 2m0s=5"},
		{"SampleCount", 60, 0, "0s=5 2m0s=1"},
		{"Average", 60, 0, "0s=3.8 2m0s=5"},
		{"Minimum", 60, 0, "0s=1 2m0s=5"},
		{"Maximum", 60, 0, "0s=10 2m0s=5"},
		{"p50", 60, 0, "0s=3 2m0s=5"},                 // rank ceil(2.5) = 3 of 5
		{"p80", 60, 0, "0s=3 2m0s=5"},                 // rank 4 of 5
		{"p99", 60, 0, "0s=10 2m0s=5"},                // rank 5 of 5
		{"p0", 60, 0, "0s=1 2m0s=5"},                  // the minimum
		{"Sum", 180, 0, "0s=24"},                      // one period over the window
		{"Sum", 10, 0, "0s=9 50s=10 2m0s=5"},          // high resolution: 10 s buckets
		{"Sum", 60, 20 * time.Second, "0s=19 2m0s=5"}, // StartTime rounded down to the minute
	} {
		t.Run(fmt.Sprintf("%s/%d/%v", tc.stat, tc.period, tc.start), func(t *testing.T) {
			res := get(t, client, &cloudwatch.GetMetricDataInput{
				StartTime: aws.Time(t0.Add(tc.start)), EndTime: aws.Time(t0.Add(3 * time.Minute)), ScanBy: cwtypes.ScanByTimestampAscending,
				MetricDataQueries: []cwtypes.MetricDataQuery{query("q", "Test/NS", "Latency", tc.stat, tc.period, d)}})
			if got := series(res["q"]); got != tc.want {
				t.Errorf("%s over %d s = %q; want %q", tc.stat, tc.period, got, tc.want)
			}
			if res["q"].StatusCode != cwtypes.StatusCodeComplete {
				t.Errorf("StatusCode %q; want Complete", res["q"].StatusCode)
			}
		})
	}
}

func TestGetMetricDataPercentilesAreNearestRank(t *testing.T) {
	t.Parallel()
	cw, client := newCloudWatch(t)
	oneTo := func(n int) []float64 {
		var v []float64
		for i := 1; i <= n; i++ {
			v = append(v, float64(i))
		}
		return v
	}
	f := func(v float64) *float64 { return &v }
	thousand := []awstest.Datum{{Values: oneTo(1000)}}
	counted := []awstest.Datum{{Values: []float64{10, 20, 30}, Counts: []float64{50, 49, 1}}}
	// The same samples, unsorted and split over datums (two generators).
	split := []awstest.Datum{{Values: []float64{30, 10}, Counts: []float64{1, 25}}, {Values: []float64{20, 10}, Counts: []float64{49, 25}}}
	set := []awstest.Datum{{StatisticValues: &awstest.StatisticSet{SampleCount: 4, Sum: 20, Minimum: 2, Maximum: 8}}, {Value: f(10)}}
	oneSampleSet := []awstest.Datum{{StatisticValues: &awstest.StatisticSet{SampleCount: 1, Sum: 4, Minimum: 4, Maximum: 4}}, {Value: f(10)}}
	negative := []awstest.Datum{{Values: []float64{-1, 5, 6}}}
	for i, tc := range []struct {
		name string
		data []awstest.Datum
		stat string
		want *float64 // nil: no datapoint
	}{
		{"1..1000 p50", thousand, "p50", f(500)},
		{"1..1000 p99", thousand, "p99", f(990)},
		{"1..1000 p99.9 (exact: not 1000 by float rounding)", thousand, "p99.9", f(999)},
		{"1..1000 p99.95", thousand, "p99.95", f(1000)},
		{"1..1000 p0.1", thousand, "p0.1", f(1)},
		{"1..1000 p0.15", thousand, "p0.15", f(2)},
		{"1..1000 p100", thousand, "p100", f(1000)},
		{"1..1000 p0", thousand, "p0", f(1)},
		{"counts p50", counted, "p50", f(10)},
		{"counts p50.5", counted, "p50.5", f(20)},
		{"counts p99", counted, "p99", f(20)},
		{"counts p99.5", counted, "p99.5", f(30)},
		{"counts Average", counted, "Average", f((500 + 980 + 30) / 100.0)},
		{"split p50", split, "p50", f(10)},
		{"split p99", split, "p99", f(20)},
		{"split p99.5", split, "p99.5", f(30)},
		{"split SampleCount", split, "SampleCount", f(100)},
		{"statistic set Sum", set, "Sum", f(30)},
		{"statistic set SampleCount", set, "SampleCount", f(5)},
		{"statistic set Minimum", set, "Minimum", f(2)},
		{"statistic set Maximum", set, "Maximum", f(10)},
		{"statistic set has no percentile", set, "p50", nil},
		{"one-sample set has percentiles", oneSampleSet, "p50", f(4)},
		{"negative sample: no percentile", negative, "p50", nil},
		{"negative sample: Minimum", negative, "Minimum", f(-1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			metric := fmt.Sprintf("M%d", i)
			for _, d := range tc.data {
				d.Namespace, d.MetricName, d.Timestamp = "Test/NS", metric, t0.Add(5*time.Second)
				cw.Seed(d)
			}
			res := get(t, client, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Minute)),
				MetricDataQueries: []cwtypes.MetricDataQuery{query("q", "Test/NS", metric, tc.stat, 60, nil)}})
			got := res["q"].Values
			switch {
			case tc.want == nil && len(got) != 0:
				t.Errorf("%s = %v; want no datapoint", tc.stat, got)
			case tc.want != nil && (len(got) != 1 || got[0] != *tc.want):
				t.Errorf("%s = %v; want [%g]", tc.stat, got, *tc.want)
			}
		})
	}
	if n := len(cw.Calls()); n != 0 {
		t.Errorf("Seed recorded %d PutMetricData calls; want none", n)
	}
}

func TestGetMetricDataMatchesNamespaceExactDimensionsAndUnit(t *testing.T) {
	t.Parallel()
	_, client := newCloudWatch(t)
	withUnit := func(d cwtypes.MetricDatum, u cwtypes.StandardUnit) cwtypes.MetricDatum { d.Unit = u; return d }
	put(t, client, "Test/NS",
		value("Requests", 0, 1, dims("A", "a")),
		value("Requests", 0, 2, dims("A", "a", "B", "b")),
		value("Requests", 0, 4, nil),
		value("Requests", 0, 8, dims("A", "x")),
		value("Errors", 0, 32, dims("A", "a")),
		withUnit(value("Requests", 0, 64, dims("U", "u")), cwtypes.StandardUnitCount),
		value("Requests", 0, 128, dims("U", "u")),
	)
	put(t, client, "Other/NS", value("Requests", 0, 16, dims("A", "a")))
	unit := func(q cwtypes.MetricDataQuery, u cwtypes.StandardUnit) cwtypes.MetricDataQuery {
		q.MetricStat.Unit = u
		return q
	}
	res := get(t, client, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Minute)),
		MetricDataQueries: []cwtypes.MetricDataQuery{
			query("a", "Test/NS", "Requests", "Sum", 60, dims("A", "a")),
			query("ab", "Test/NS", "Requests", "Sum", 60, dims("B", "b", "A", "a")),
			query("none", "Test/NS", "Requests", "Sum", 60, nil),
			query("b", "Test/NS", "Requests", "Sum", 60, dims("B", "b")),
			query("other", "Other/NS", "Requests", "Sum", 60, dims("A", "a")),
			query("errors", "Test/NS", "Errors", "Sum", 60, dims("A", "a")),
			query("nowhere", "No/NS", "Requests", "Sum", 60, dims("A", "a")),
			query("anyunit", "Test/NS", "Requests", "Sum", 60, dims("U", "u")),
			unit(query("count", "Test/NS", "Requests", "Sum", 60, dims("U", "u")), cwtypes.StandardUnitCount),
			unit(query("nounit", "Test/NS", "Requests", "Sum", 60, dims("U", "u")), cwtypes.StandardUnitNone),
			unit(query("seconds", "Test/NS", "Requests", "Sum", 60, dims("U", "u")), cwtypes.StandardUnitSeconds),
		}})
	for id, want := range map[string]string{"a": "0s=1", "ab": "0s=2", "none": "0s=4", "b": "", "other": "0s=16", "errors": "0s=32",
		"nowhere": "", "anyunit": "0s=192", "count": "0s=64", "nounit": "0s=128", "seconds": ""} {
		if got := series(res[id]); got != want {
			t.Errorf("query %s = %q; want %q", id, got, want)
		}
	}
}

func TestGetMetricDataScanBy(t *testing.T) {
	t.Parallel()
	_, client := newCloudWatch(t)
	d := dims("A", "a")
	put(t, client, "Test/NS", value("M", 2*time.Minute, 3, d), value("M", 0, 1, d), value("M", time.Minute, 2, d))
	for _, tc := range []struct {
		scan cwtypes.ScanBy
		want string
	}{
		{"", "2m0s=3 1m0s=2 0s=1"}, // CloudWatch's default: newest first
		{cwtypes.ScanByTimestampDescending, "2m0s=3 1m0s=2 0s=1"},
		{cwtypes.ScanByTimestampAscending, "0s=1 1m0s=2 2m0s=3"},
	} {
		res := get(t, client, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(3 * time.Minute)), ScanBy: tc.scan,
			MetricDataQueries: []cwtypes.MetricDataQuery{query("q", "Test/NS", "M", "Sum", 60, d)}})
		if got := series(res["q"]); got != tc.want {
			t.Errorf("ScanBy %q: %q; want %q", tc.scan, got, tc.want)
		}
	}
	_, err := client.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Minute)),
		ScanBy: "Sideways", MetricDataQueries: []cwtypes.MetricDataQuery{query("q", "Test/NS", "M", "Sum", 60, d)}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" || !strings.Contains(ae.ErrorMessage(), "Sideways") {
		t.Errorf("ScanBy Sideways: %v; want InvalidParameterValue", err)
	}
}

func TestGetMetricDataPaginatesByMaxDatapoints(t *testing.T) {
	t.Parallel()
	cw, client := newCloudWatch(t)
	d := dims("A", "a")
	for i := range 3 {
		put(t, client, "Test/NS", value("X", time.Duration(i)*time.Minute, float64(i+1), d))
	}
	for i := range 2 {
		put(t, client, "Test/NS", value("Y", time.Duration(i)*time.Minute, float64(10*(i+1)), d))
	}
	in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(3 * time.Minute)), ScanBy: cwtypes.ScanByTimestampAscending,
		MaxDatapoints: aws.Int32(2), MetricDataQueries: []cwtypes.MetricDataQuery{
			query("x", "Test/NS", "X", "Sum", 60, d), query("y", "Test/NS", "Y", "Sum", 60, d)}}
	type pageWant struct{ x, xStatus, y, yStatus string }
	want := []pageWant{
		{"0s=1 1m0s=2", "PartialData", "", "PartialData"},
		{"2m0s=3", "Complete", "0s=10", "PartialData"},
		{"", "Complete", "1m0s=20", "Complete"},
	}
	p := cloudwatch.NewGetMetricDataPaginator(client, in)
	merged := map[string]*cwtypes.MetricDataResult{}
	for i := 0; p.HasMorePages(); i++ {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		got := map[string]cwtypes.MetricDataResult{}
		for _, r := range out.MetricDataResults {
			got[aws.ToString(r.Id)] = r
			m := merged[aws.ToString(r.Id)]
			if m == nil {
				m = &cwtypes.MetricDataResult{Id: r.Id}
				merged[aws.ToString(r.Id)] = m
			}
			m.Timestamps, m.Values = append(m.Timestamps, r.Timestamps...), append(m.Values, r.Values...)
		}
		if i >= len(want) {
			t.Fatalf("page %d: more pages than %d", i, len(want))
		}
		w := want[i]
		if series(got["x"]) != w.x || string(got["x"].StatusCode) != w.xStatus || series(got["y"]) != w.y || string(got["y"].StatusCode) != w.yStatus {
			t.Errorf("page %d: x %q %s, y %q %s; want %+v", i, series(got["x"]), got["x"].StatusCode, series(got["y"]), got["y"].StatusCode, w)
		}
	}
	if x, y := series(*merged["x"]), series(*merged["y"]); x != "0s=1 1m0s=2 2m0s=3" || y != "0s=10 1m0s=20" {
		t.Errorf("merged pages: x %q, y %q", x, y)
	}
	calls := cw.GetMetricDataCalls()
	if len(calls) != 3 || calls[0].NextToken != "" || calls[1].NextToken == "" || calls[2].MaxDatapoints != 2 {
		t.Errorf("GetMetricData calls %+v; want 3 pages of 2", calls)
	}
	in.NextToken = aws.String("forged")
	_, err := client.GetMetricData(context.Background(), in)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidNextToken" {
		t.Errorf("forged NextToken: %v; want InvalidNextToken", err)
	}
}

func TestGetMetricDataRejectsWhatItDoesNotImplement(t *testing.T) {
	t.Parallel()
	_, client := newCloudWatch(t)
	for _, tc := range []struct {
		name string
		q    cwtypes.MetricDataQuery
		want string
	}{
		{"expression", cwtypes.MetricDataQuery{Id: aws.String("e"), Expression: aws.String("SUM(METRICS())")}, "(Id e) has no MetricStat"},
		{"trimmed mean", query("q", "Test/NS", "M", "tm99", 60, nil), `statistic "tm99" is not implemented`},
		{"percentile above 100", query("q", "Test/NS", "M", "p100.1", 60, nil), `statistic "p100.1"`},
		{"period", query("q", "Test/NS", "M", "Sum", 90, nil), "Period 90"},
	} {
		_, err := client.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Minute)),
			MetricDataQueries: []cwtypes.MetricDataQuery{tc.q}})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" || !strings.Contains(ae.ErrorMessage(), tc.want) {
			t.Errorf("%s: %v; want InvalidParameterValue containing %q", tc.name, err, tc.want)
		}
	}
}

func TestSetMetricDataAnswersInsteadOfTheStoredData(t *testing.T) {
	t.Parallel()
	cw, client := newCloudWatch(t)
	put(t, client, "Test/NS", value("M", 0, 1, nil))
	stamps := []time.Time{t0, t0.Add(time.Minute)}
	cw.SetMetricData(func(q awstest.MetricQuery) awstest.MetricResult {
		return awstest.MetricResult{Timestamps: stamps, Values: []float64{42, 43}}
	})
	res := get(t, client, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Minute)),
		MetricDataQueries: []cwtypes.MetricDataQuery{query("q", "Test/NS", "M", "Sum", 60, nil)}})
	if got := res["q"]; !slices.Equal(got.Values, []float64{42, 43}) || !got.Timestamps[0].Equal(t0) {
		t.Errorf("with a callback: %q; want the callback's answer as given", series(got))
	}
}

func TestGetMetricDataForgetsHighResolutionDataAfterThreeHoursWithModelRetention(t *testing.T) {
	t.Parallel()
	cw, client := newCloudWatch(t)
	d := dims("EndpointName", "ep")
	put(t, client, "Test/NS", value("Requests", 0, 4, d), value("Requests", 10*time.Second, 6, d))
	in := func(period int32) *cloudwatch.GetMetricDataInput {
		return &cloudwatch.GetMetricDataInput{StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Minute)), ScanBy: cwtypes.ScanByTimestampAscending,
			MetricDataQueries: []cwtypes.MetricDataQuery{query("q", "Test/NS", "Requests", "Sum", period, d)}}
	}
	for _, tc := range []struct {
		name   string
		now    time.Time // zero: no ModelRetention clock
		period int32
		want   string
	}{
		{"no clock keeps everything", time.Time{}, 10, "0s=4 10s=6"},
		{"younger than 3h at 10 s", t0.Add(2*time.Hour + 59*time.Minute), 10, "0s=4 10s=6"},
		{"older than 3h at 10 s", t0.Add(3*time.Hour + 11*time.Second), 10, ""},
		{"older than 3h at 60 s", t0.Add(3*time.Hour + 11*time.Second), 60, "0s=10"},
	} {
		if !tc.now.IsZero() {
			now := tc.now
			cw.ModelRetention(func() time.Time { return now })
		}
		if got := series(get(t, client, in(tc.period))["q"]); got != tc.want {
			t.Errorf("%s: Sum = %q; want %q", tc.name, got, tc.want)
		}
	}
}
