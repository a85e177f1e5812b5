package gate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/loadplan"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/sizing/measure"
)

// A load test run on Fargate leaves no loadgen -output file: each task
// publishes its intervals to CloudWatch (namespace SageSize/LoadTest,
// dimensions EndpointName, VariantName, TestId, timestamped with the
// interval's start, high resolution), and CloudWatch merges the tasks.
// ReadCloudWatch reads such a test back as a Run, one interval per
// GetMetricData period, so that Compare and Criteria judge it like a
// loadgen file.

// CloudWatch keeps data of a period under a minute for 3 hours, 1-minute
// data for 15 days and 5-minute data for 63 days.
const (
	HighResolutionRetention = 3 * time.Hour
	MinuteRetention         = 15 * 24 * time.Hour
)

// DefaultRecordTimeout bounds each GetMetricData call of ReadCloudWatch,
// with its pages.
const DefaultRecordTimeout = time.Minute

// RecordOptions say which test ReadCloudWatch reads.
type RecordOptions struct {
	// Namespace is loadgen's namespace ("" means metrics.NamespaceLoadTest).
	Namespace string
	// Endpoint, Variant and TestID are the test's dimensions.
	Endpoint, Variant, TestID string
	// Plan is the test's plan in total requests per second over every
	// task: stepped, or a constant rate with a duration.
	Plan loadplan.Plan
	// Start is when the tasks started their schedule together (loadgen
	// -start-at): their intervals start at Start + k × 10 s. It must be a
	// whole number of periods (10 s, or a minute for older data).
	Start time.Time
	// Now decides which resolution CloudWatch still holds (zero: the
	// clock's now).
	Now time.Time
	// Timeout bounds each GetMetricData call (0: DefaultRecordTimeout).
	Timeout time.Duration
}

// Recorded is a test read back from CloudWatch.
type Recorded struct {
	Run *Run
	// Period is the length of each interval read.
	Period time.Duration
	// Notes say what the reader should know: a coarser period, periods
	// without data, a summary latency left out.
	Notes []string
}

// ReadCloudWatch reads the test o names back from CloudWatch: one
// interval per period of the plan with data (a period without any is
// missing, never zero), each with its planned rate, requests, errors by
// class, dropped requests and its latency count, p50 and p99 (CloudWatch
// computes them over every task's Values/Counts of the period), and a
// summary with the totals and, when the plan lasts whole minutes, the
// whole test's p50 and p99. The period is 10 s while the test's data is
// younger than HighResolutionRetention, then 60 s (and 300 s after
// MinuteRetention), with a note: with 60-s periods a 2-minute step has 2
// intervals. A test without any data is an error naming the namespace,
// the dimensions and the time range.
func ReadCloudWatch(ctx context.Context, api measure.GetMetricDataAPI, o RecordOptions) (*Recorded, error) {
	if o.Namespace == "" {
		o.Namespace = metrics.NamespaceLoadTest
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	period, note := o.period()
	if err := o.validate(period); err != nil {
		return nil, fmt.Errorf("read test %q back from CloudWatch: %w", o.TestID, err)
	}
	rec := &Recorded{Period: period}
	if note != "" {
		rec.Notes = append(rec.Notes, note)
	}
	got, err := o.fetch(ctx, api, o.queries(period, &rec.Notes))
	if err != nil {
		return nil, fmt.Errorf("read test %q back from CloudWatch (%s): %w", o.TestID, o.where(), err)
	}
	ivs, missing := o.intervals(got, period)
	if len(ivs) == 0 {
		return nil, fmt.Errorf("no data in CloudWatch for %s: check the test id, the endpoint and variant, the region and the start (it must be the tasks' start)", o.where())
	}
	if missing > 0 {
		rec.Notes = append(rec.Notes, fmt.Sprintf("%d of the plan's %d periods of %v have no data in CloudWatch (left out, not counted as zero): a task did not run or could not publish then", missing, missing+len(ivs), period))
	}
	rec.Run = &Run{Path: "cloudwatch:" + o.TestID, Intervals: ivs, Summary: o.summary(ivs, got)}
	return rec, nil
}

// end is the end of the plan.
func (o RecordOptions) end() time.Time { return o.Start.Add(o.Plan.Duration()) }

// where names what is read, in errors: namespace, dimensions, range.
func (o RecordOptions) where() string {
	return fmt.Sprintf("namespace %s, dimensions %s=%s %s=%s %s=%s, %s to %s", o.Namespace, metrics.DimEndpointName, o.Endpoint,
		metrics.DimVariantName, o.Variant, metrics.DimTestID, o.TestID, o.Start.UTC().Format(time.RFC3339), o.end().UTC().Format(time.RFC3339))
}

// period is the finest period CloudWatch still holds for the test's
// oldest data, and a note when it is coarser than loadgen's 10 s.
func (o RecordOptions) period() (time.Duration, string) {
	age := o.Now.Sub(o.Start)
	switch {
	case age < HighResolutionRetention:
		return metrics.LoadTestPeriod, ""
	case age < MinuteRetention:
		return time.Minute, fmt.Sprintf("the test started %v ago, more than the %v CloudWatch keeps 10-second data: it is read in 60-second periods (a 2-minute step has 2 intervals, and compare needs at least 5 per step)", age.Round(time.Minute), HighResolutionRetention)
	}
	return 5 * time.Minute, fmt.Sprintf("the test started %v ago, more than the %v CloudWatch keeps 1-minute data: it is read in 5-minute periods", age.Round(time.Hour), MinuteRetention)
}

// validate returns every problem with o, joined.
func (o RecordOptions) validate(period time.Duration) error {
	var errs []error
	if o.Endpoint == "" || o.Variant == "" || o.TestID == "" {
		errs = append(errs, errors.New("the endpoint, variant and test id are required"))
	}
	switch {
	case o.Plan.IsZero():
		errs = append(errs, errors.New("the plan is required"))
	case o.Plan.Kind() == loadplan.KindRamp || o.Plan.Duration() == 0:
		errs = append(errs, fmt.Errorf("plan %q: only a stepped plan or a constant rate with a duration can be read back and compared", o.Plan))
	}
	switch {
	case o.Start.IsZero():
		errs = append(errs, errors.New("the start time is required"))
	case !o.Start.Truncate(period).Equal(o.Start):
		errs = append(errs, fmt.Errorf("start %s is not on a whole %v: CloudWatch would round it down and mix the tasks' intervals; give the tasks' aligned start (loadgen -start-at)", o.Start.UTC().Format(time.RFC3339Nano), period))
	}
	return errors.Join(errs...)
}

// A query id, by what it reads: per period, or over the whole test.
const (
	qP50, qP99, qCount                       = "p50", "p99", "count"
	qRequests, qErrors, qDropped             = "requests", "errors", "dropped"
	qThrottles, qModelErrors, qTimeouts      = "throttles", "modelErrors", "timeouts"
	qTotalP50, qTotalP99, qTotalLatencyCount = "totalP50", "totalP99", "totalCount"
)

// queries returns the per-period queries and, when the plan lasts whole
// minutes from a whole minute, the whole-test latency ones; otherwise a
// note says why the summary has no latency percentiles.
func (o RecordOptions) queries(period time.Duration, notes *[]string) []cwtypes.MetricDataQuery {
	dims := measure.LoadTestDimensions(o.Endpoint, o.Variant, o.TestID)
	q := func(id, metric, stat string, p time.Duration) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String(o.Namespace), MetricName: aws.String(metric), Dimensions: dims},
			Period: aws.Int32(int32(p / time.Second)), Stat: aws.String(stat)}}
	}
	qs := []cwtypes.MetricDataQuery{
		q(qP50, metrics.LoadTestLatency, "p50", period), q(qP99, metrics.LoadTestLatency, "p99", period),
		q(qCount, metrics.LoadTestLatency, metrics.StatSampleCount, period),
		q(qRequests, metrics.LoadTestRequests, metrics.StatSum, period), q(qErrors, metrics.LoadTestErrors, metrics.StatSum, period),
		q(qDropped, metrics.LoadTestDropped, metrics.StatSum, period), q(qThrottles, metrics.LoadTestThrottles, metrics.StatSum, period),
		q(qModelErrors, metrics.LoadTestModelErrors, metrics.StatSum, period), q(qTimeouts, metrics.LoadTestTimeouts, metrics.StatSum, period),
	}
	whole := o.Plan.Duration()
	if whole%period != 0 || whole%time.Minute != 0 || !o.Start.Truncate(time.Minute).Equal(o.Start) {
		*notes = append(*notes, fmt.Sprintf("the plan (%v from %s) is not whole minutes from a whole minute: the summary has no latency percentiles (CloudWatch computes one over a single period, a multiple of 60 s); the intervals have theirs", whole, o.Start.UTC().Format(time.RFC3339)))
		return qs
	}
	return append(qs, q(qTotalP50, metrics.LoadTestLatency, "p50", whole), q(qTotalP99, metrics.LoadTestLatency, "p99", whole),
		q(qTotalLatencyCount, metrics.LoadTestLatency, metrics.StatSampleCount, whole))
}

// series are the datapoints of each query: by query id, by timestamp
// (Unix seconds).
type series map[string]map[int64]float64

// fetch runs one GetMetricData request over the plan, following its
// pages, bounded by o.Timeout.
func (o RecordOptions) fetch(ctx context.Context, api measure.GetMetricDataAPI, queries []cwtypes.MetricDataQuery) (series, error) {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultRecordTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(o.Start), EndTime: aws.Time(o.end()), MetricDataQueries: queries,
		ScanBy: cwtypes.ScanByTimestampAscending}
	got := series{}
	pages := cloudwatch.NewGetMetricDataPaginator(api, in)
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("get metric data (each call bounded by %v): %w", timeout, err)
		}
		for _, r := range out.MetricDataResults {
			if err := measure.ResultError(r); err != nil {
				return nil, fmt.Errorf("get metric data: %w", err)
			}
			id := aws.ToString(r.Id)
			if got[id] == nil {
				got[id] = map[int64]float64{}
			}
			for i, t := range r.Timestamps {
				if i < len(r.Values) {
					got[id][t.Unix()] = r.Values[i]
				}
			}
		}
	}
	return got, nil
}

// intervals returns one interval per period with data (Requests or a
// latency count) and the number of periods without.
func (o RecordOptions) intervals(got series, period time.Duration) ([]loadgen.Stats, int) {
	var ivs []loadgen.Stats
	missing := 0
	for at := o.Start; at.Before(o.end()); at = at.Add(period) {
		k := at.Unix()
		_, hasReq := got[qRequests][k]
		_, hasLat := got[qCount][k]
		if !hasReq && !hasLat {
			missing++
			continue
		}
		to := at.Add(period)
		if to.After(o.end()) {
			to = o.end()
		}
		ivs = append(ivs, o.interval(got, at, to))
	}
	return ivs, missing
}

// interval is the period [from, to) as loadgen writes an interval.
func (o RecordOptions) interval(got series, from, to time.Time) loadgen.Stats {
	k := from.Unix()
	n := func(id string) uint64 { return uint64(max(0, math.Round(got[id][k]))) }
	s := loadgen.Stats{Type: "interval", TestID: o.TestID, Mode: loadgen.ModeOpen, Start: from.UTC(), End: to.UTC(),
		From: from.Sub(o.Start).Seconds(), To: to.Sub(o.Start).Seconds(),
		Requests: n(qRequests), Errors: n(qErrors), Dropped: n(qDropped),
		ByClass: loadgen.ErrorCounts{Throttled: n(qThrottles), ModelError: n(qModelErrors), Timeout: n(qTimeouts)},
		Latency: loadgen.LatencyStats{Count: int64(n(qCount)), P50: int64(math.Round(got[qP50][k])), P99: int64(math.Round(got[qP99][k]))}}
	secs := to.Sub(from).Seconds()
	s.TargetRate = (o.Plan.Planned(to.Sub(o.Start)) - o.Plan.Planned(from.Sub(o.Start))) / secs
	s.OK = s.Requests - min(s.Errors, s.Requests)
	s.Throughput = float64(s.Requests) / secs
	s.Rate = s.Throughput // CloudWatch has no send count: the completion rate stands in
	return s
}

// summary totals ivs as loadgen's summary of the whole plan.
func (o RecordOptions) summary(ivs []loadgen.Stats, got series) loadgen.Summary {
	whole := o.Plan.Duration()
	s := loadgen.Summary{Plan: o.Plan.String(), Intervals: len(ivs), Stopped: "read back from CloudWatch",
		Target: fmt.Sprintf("sagemaker endpoint %s variant %s (CloudWatch %s)", o.Endpoint, o.Variant, o.Namespace)}
	s.Stats = loadgen.Stats{Type: "summary", TestID: o.TestID, Mode: loadgen.ModeOpen, Start: o.Start.UTC(), End: o.end().UTC(),
		To: whole.Seconds(), TargetRate: o.Plan.Planned(whole) / whole.Seconds()}
	for _, iv := range ivs {
		s.Requests += iv.Requests
		s.OK += iv.OK
		s.Errors += iv.Errors
		s.Dropped += iv.Dropped
		s.ByClass.Throttled += iv.ByClass.Throttled
		s.ByClass.ModelError += iv.ByClass.ModelError
		s.ByClass.Timeout += iv.ByClass.Timeout
		s.Latency.Count += iv.Latency.Count
	}
	s.Sent = s.Requests
	s.Throughput = float64(s.Requests) / whole.Seconds()
	s.Rate = s.Throughput
	k := o.Start.Unix()
	if v, ok := got[qTotalP50][k]; ok {
		s.Latency.P50, s.Latency.P99 = int64(math.Round(v)), int64(math.Round(got[qTotalP99][k]))
	}
	return s
}

// WriteRun writes r as loadgen's -output: one JSON line per interval,
// then the summary line. ReadRun reads it back.
func WriteRun(w io.Writer, r *Run) error {
	enc := json.NewEncoder(w)
	for i := range r.Intervals {
		if err := enc.Encode(&r.Intervals[i]); err != nil {
			return fmt.Errorf("write run: interval %d: %w", i+1, err)
		}
	}
	if err := enc.Encode(&r.Summary); err != nil {
		return fmt.Errorf("write run: summary: %w", err)
	}
	return nil
}
