// Package measure reads the measurements of a load test back from
// CloudWatch, as the sizing.Step values sizing.Decide judges: for each step
// window, the client-side figures loadgen published (latency percentiles,
// request, error and throttle counts) and SageMaker's own metrics for the
// variant (ModelLatency and OverheadLatency p99, CPU, memory and GPU
// utilization).
//
// Every figure of a window is one statistic that CloudWatch computes over
// the whole window: a window is read with a single period as long as the
// window, so a percentile is computed over every sample of every load
// generator in the window and never averaged from sub-periods. That is why
// a window must start on a whole minute and last a whole number of
// minutes: CloudWatch only allows periods of 1, 5, 10 or 30 seconds or
// multiples of 60, and it rounds StartTime down to the minute, which would
// let data from before the window (the warm-up) in.
//
// SageMaker publishes its metrics once a minute and they reach CloudWatch a
// minute or more later: measure a window only once that delay has passed,
// or its SageMaker figures are reported missing.
package measure

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/sizing"
)

// maxQueriesPerRequest is GetMetricData's limit on MetricDataQueries.
const maxQueriesPerRequest = 500

// GetMetricDataAPI is the part of *cloudwatch.Client measure uses.
type GetMetricDataAPI interface {
	GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

var _ GetMetricDataAPI = (*cloudwatch.Client)(nil)

// Window is one step to measure.
type Window struct {
	// Endpoint is the SageMaker endpoint name (dimension EndpointName).
	Endpoint string
	// Variant is the production variant name (dimension VariantName).
	Variant string
	// TestID is the test id loadgen published with (dimension TestId).
	TestID string
	// PlannedRate is the step's planned rate in req/s, copied to the Step.
	PlannedRate float64
	// Start and End bound the window [Start, End), warm-up already
	// excluded by the caller. Start must be on a whole minute (UTC) and
	// End-Start a whole number of minutes, at least one.
	Start, End time.Time
	// VCPUs and GPUs are those of the variant's instance type. CPU
	// utilization is divided by VCPUs and GPU utilizations by GPUs to give
	// 0-100 % of the whole instance; GPU metrics are only read when GPUs > 0.
	VCPUs, GPUs int
	// InstanceCount is the variant's instance count, at least 1. Nothing is
	// divided by it: the Average of SageMaker's per-variant utilization
	// metrics already is the average over the variant's instances.
	InstanceCount int
	// Tasks is the number of load generator tasks that ran the step. When
	// set, loadgen's Intervals metric is read and compared with the
	// Tasks × window / 10 s intervals they ran (Step.Coverage); 0 skips
	// the check.
	Tasks int
	// Stream reads a streaming test's figures too (loadgen -stream):
	// TTFT, ITL and TPOT p50/p99, OutputTokens and GoodRequests, into
	// Step.Stream.
	Stream bool
	// Refine marks a knee refinement step; copied to the Step.
	Refine bool
}

// String names the window in errors: variant, test id, planned rate and
// bounds.
func (w Window) String() string {
	return fmt.Sprintf("%s/%s test %q, %s req/s step, %s to %s", w.Endpoint, w.Variant, w.TestID, sizing.FormatRate(w.PlannedRate),
		w.Start.UTC().Format(time.RFC3339), w.End.UTC().Format(time.RFC3339))
}

// validate returns every problem with w, joined, or nil.
func (w Window) validate() error {
	var errs []error
	if w.Endpoint == "" || w.Variant == "" || w.TestID == "" {
		errs = append(errs, errors.New("endpoint, variant and test id are required"))
	}
	length := w.End.Sub(w.Start)
	switch {
	case length <= 0:
		errs = append(errs, errors.New("end is not after start"))
	case length < time.Minute || length%time.Minute != 0:
		errs = append(errs, fmt.Errorf("length %v is not a whole number of minutes (at least 1): CloudWatch must compute each percentile over the whole window in one period, and periods are multiples of 60 s", length))
	}
	if !w.Start.Truncate(time.Minute).Equal(w.Start) {
		errs = append(errs, fmt.Errorf("start %s is not on a whole minute: CloudWatch would round it down and count data from before the window", w.Start.UTC().Format(time.RFC3339Nano)))
	}
	if w.VCPUs < 1 {
		errs = append(errs, fmt.Errorf("VCPUs %d: must be at least 1", w.VCPUs))
	}
	if w.GPUs < 0 {
		errs = append(errs, fmt.Errorf("GPUs %d: must not be negative", w.GPUs))
	}
	if w.Tasks < 0 {
		errs = append(errs, fmt.Errorf("tasks %d: must not be negative", w.Tasks))
	}
	if w.InstanceCount < 1 {
		errs = append(errs, fmt.Errorf("instance count %d: must be at least 1", w.InstanceCount))
	}
	return errors.Join(errs...)
}

// figure is one metric read for a window: a query and the Step field it fills.
type figure struct {
	// id is the query Id.
	id string
	// field is the sizing.Step field it fills, as named in Step.Missing.
	field string
	// namespace is "" for the loadgen namespace.
	namespace, metric, stat string
	// set stores the value CloudWatch returned in s.
	set func(s *sizing.Step, w Window, v float64)
}

func count(v float64) int64 { return int64(math.Round(v)) }

func ptr(v float64) *float64 { return &v }

// figures returns what is read for w, in the order of the sizing.Step
// fields. Latencies are published in µs; CPU and GPU utilizations as the sum
// over the instance's vCPUs and GPUs, shown as % of the instance.
func figures(w Window) []figure {
	latency := func(set func(s *sizing.Step, d time.Duration)) func(*sizing.Step, Window, float64) {
		return func(s *sizing.Step, _ Window, v float64) { set(s, metrics.FromMicros(v)) }
	}
	utilization := func(scale metrics.Scale, set func(s *sizing.Step, pct *float64)) func(*sizing.Step, Window, float64) {
		return func(s *sizing.Step, _ Window, v float64) { set(s, ptr(scale.ToShown(v))) }
	}
	cpu, gpu := metrics.SumAsInstancePercent(w.VCPUs), metrics.SumAsInstancePercent(w.GPUs)
	fs := []figure{
		{"clientP50", "ClientP50", "", metrics.LoadTestLatency, "p50", latency(func(s *sizing.Step, d time.Duration) { s.ClientP50 = d })},
		{"clientP99", "ClientP99", "", metrics.LoadTestLatency, "p99", latency(func(s *sizing.Step, d time.Duration) { s.ClientP99 = d })},
		{"modelP99", "ModelP99", metrics.NamespaceInvocations, metrics.ModelLatency, "p99", latency(func(s *sizing.Step, d time.Duration) { s.ModelP99 = d })},
		{"overheadP99", "OverheadP99", metrics.NamespaceInvocations, metrics.OverheadLatency, "p99", latency(func(s *sizing.Step, d time.Duration) { s.OverheadP99 = d })},
		{"requests", "Requests", "", metrics.LoadTestRequests, metrics.StatSum, func(s *sizing.Step, w Window, v float64) {
			s.Requests = count(v)
			s.AchievedRate = v / w.End.Sub(w.Start).Seconds()
		}},
		{"errors", "Errors", "", metrics.LoadTestErrors, metrics.StatSum, func(s *sizing.Step, _ Window, v float64) { s.Errors = count(v) }},
		{"throttles", "Throttles", "", metrics.LoadTestThrottles, metrics.StatSum, func(s *sizing.Step, _ Window, v float64) { s.Throttles = count(v) }},
		{"cpu", "CPU", metrics.NamespaceInstances, metrics.CPUUtilization, metrics.StatAverage, utilization(cpu, func(s *sizing.Step, p *float64) { s.CPU = p })},
		{"memory", "Memory", metrics.NamespaceInstances, metrics.MemoryUtilization, metrics.StatAverage, utilization(metrics.Same(), func(s *sizing.Step, p *float64) { s.Memory = p })},
	}
	if w.Stream {
		fs = append(fs, streamFigures()...)
	}
	if w.GPUs > 0 {
		fs = append(fs,
			figure{"gpu", "GPU", metrics.NamespaceInstances, metrics.GPUUtilization, metrics.StatAverage, utilization(gpu, func(s *sizing.Step, p *float64) { s.GPU = p })},
			figure{"gpuMemory", "GPUMemory", metrics.NamespaceInstances, metrics.GPUMemoryUtilization, metrics.StatAverage, utilization(gpu, func(s *sizing.Step, p *float64) { s.GPUMemory = p })},
		)
	}
	return fs
}

// streamFigures are a streaming test's figures: the distributions loadgen
// publishes as Values/Counts (percentiles over every task and interval of
// the window) and the token and goodput counts.
func streamFigures() []figure {
	st := func(s *sizing.Step) *sizing.StreamStep {
		if s.Stream == nil {
			s.Stream = &sizing.StreamStep{}
		}
		return s.Stream
	}
	latency := func(set func(st *sizing.StreamStep, d time.Duration)) func(*sizing.Step, Window, float64) {
		return func(s *sizing.Step, _ Window, v float64) { set(st(s), metrics.FromMicros(v)) }
	}
	return []figure{
		{"ttftP50", "TTFTP50", "", metrics.LoadTestTTFT, "p50", latency(func(st *sizing.StreamStep, d time.Duration) { st.TTFTP50 = d })},
		{"ttftP99", "TTFTP99", "", metrics.LoadTestTTFT, "p99", latency(func(st *sizing.StreamStep, d time.Duration) { st.TTFTP99 = d })},
		{"itlP50", "ITLP50", "", metrics.LoadTestITL, "p50", latency(func(st *sizing.StreamStep, d time.Duration) { st.ITLP50 = d })},
		{"itlP99", "ITLP99", "", metrics.LoadTestITL, "p99", latency(func(st *sizing.StreamStep, d time.Duration) { st.ITLP99 = d })},
		{"tpotP50", "TPOTP50", "", metrics.LoadTestTPOT, "p50", latency(func(st *sizing.StreamStep, d time.Duration) { st.TPOTP50 = d })},
		{"tpotP99", "TPOTP99", "", metrics.LoadTestTPOT, "p99", latency(func(st *sizing.StreamStep, d time.Duration) { st.TPOTP99 = d })},
		{"outputTokens", "OutputTokens", "", metrics.LoadTestOutputTokens, metrics.StatSum, func(s *sizing.Step, _ Window, v float64) { st(s).OutputTokens = count(v) }},
		{"goodRequests", "GoodRequests", "", metrics.LoadTestGoodRequests, metrics.StatSum, func(s *sizing.Step, _ Window, v float64) { st(s).GoodRequests = count(v) }},
	}
}

// Steps measures each window and returns its Step, in the order of ws.
// namespace is loadgen's CloudWatch namespace ("" means
// metrics.NamespaceLoadTest).
//
// Each window is read with one GetMetricData request (paginated when
// CloudWatch splits the answer) whose single period is the window. A
// figure with no data in the window is listed in Step.Missing by its field
// name and left zero (nil for utilizations). A window without any
// Requests data, because the variant got no traffic or the test id or
// region is wrong, has Requests 0 so that Step.NoData is true.
//
// Every invalid window is reported, joined, before any request is made.
// An API error (after the SDK's own retries, e.g. of throttling) is
// returned wrapped, naming the window, and no steps are returned.
func Steps(ctx context.Context, api GetMetricDataAPI, namespace string, ws []Window) ([]sizing.Step, error) {
	if namespace == "" {
		namespace = metrics.NamespaceLoadTest
	}
	var errs []error
	for i, w := range ws {
		if err := w.validate(); err != nil {
			errs = append(errs, fmt.Errorf("measure: window %d (%s): %w", i, w, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	steps := make([]sizing.Step, 0, len(ws))
	for i, w := range ws {
		s, err := step(ctx, api, namespace, w)
		if err != nil {
			return nil, fmt.Errorf("measure: window %d (%s): %w", i, w, err)
		}
		steps = append(steps, s)
	}
	return steps, nil
}

// step measures one valid window.
func step(ctx context.Context, api GetMetricDataAPI, namespace string, w Window) (sizing.Step, error) {
	s := sizing.Step{PlannedRate: w.PlannedRate, Start: w.Start, End: w.End, Refine: w.Refine}
	fs := figures(w)
	loadgenDims := LoadTestDimensions(w.Endpoint, w.Variant, w.TestID)
	variantDims := loadgenDims[:2:2]
	period := int32(w.End.Sub(w.Start) / time.Second)
	query := func(id, ns, metric, stat string, dims []cwtypes.Dimension) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String(ns), MetricName: aws.String(metric), Dimensions: dims},
			Period: aws.Int32(period), Stat: aws.String(stat)}}
	}
	var queries []cwtypes.MetricDataQuery
	for _, f := range fs {
		ns, dims := f.namespace, variantDims
		if ns == "" {
			ns, dims = namespace, loadgenDims
		}
		queries = append(queries, query(f.id, ns, f.metric, f.stat, dims))
	}
	if w.Tasks > 0 {
		queries = append(queries, query(intervalsID, namespace, metrics.LoadTestIntervals, metrics.StatSum, loadgenDims))
	}
	values := map[string]float64{}
	for chunk := range slices.Chunk(queries, maxQueriesPerRequest) {
		got, err := fetch(ctx, api, w, chunk)
		if err != nil {
			return s, err
		}
		for id, v := range got {
			values[id] = v
		}
	}
	for _, f := range fs {
		v, ok := values[f.id]
		if !ok {
			s.Missing = append(s.Missing, f.field)
			continue
		}
		f.set(&s, w, v)
	}
	if w.Tasks > 0 {
		s.Coverage = coverage(w, values)
		correctRate(&s)
	}
	if w.Stream && s.Stream == nil {
		s.Stream = &sizing.StreamStep{} // every figure is in Missing
	}
	return s, nil
}

// intervalsID is the query Id of loadgen's Intervals metric.
const intervalsID = "intervals"

// coverage compares the intervals CloudWatch holds for w with the
// w.Tasks × window / metrics.LoadTestPeriod the tasks ran. A window is a
// whole number of minutes, so it holds exactly that many intervals of
// each task whatever the phase of its 10-second clock.
func coverage(w Window, values map[string]float64) *sizing.Coverage {
	c := &sizing.Coverage{Expected: int64(w.Tasks) * int64(w.End.Sub(w.Start)/metrics.LoadTestPeriod)}
	if v, ok := values[intervalsID]; ok {
		c.Published, c.Known = count(v), true
	}
	return c
}

// correctRate computes s's achieved rate over the intervals present when
// some are missing: a lost publish takes its requests out of the count,
// not out of the endpoint's rate.
func correctRate(s *sizing.Step) {
	c := s.Coverage
	if !c.Known || c.Published <= 0 || c.Missing() == 0 {
		return
	}
	s.AchievedRate = s.AchievedRate * float64(c.Expected) / float64(c.Published)
}

// fetch runs one GetMetricData request over w, following its pages, and
// returns the value of each query that has one.
func fetch(ctx context.Context, api GetMetricDataAPI, w Window, queries []cwtypes.MetricDataQuery) (map[string]float64, error) {
	in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(w.Start), EndTime: aws.Time(w.End), MetricDataQueries: queries}
	type series struct {
		stamps []time.Time
		values []float64
	}
	got := map[string]*series{}
	pages := cloudwatch.NewGetMetricDataPaginator(api, in)
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("get metric data: %w", err)
		}
		for _, r := range out.MetricDataResults {
			id := aws.ToString(r.Id)
			if err := ResultError(r); err != nil {
				return nil, fmt.Errorf("get metric data: %w", err)
			}
			if got[id] == nil {
				got[id] = &series{}
			}
			got[id].stamps = append(got[id].stamps, r.Timestamps...)
			got[id].values = append(got[id].values, r.Values...)
		}
	}
	out := map[string]float64{}
	for id, s := range got {
		switch {
		case len(s.values) == 0:
			continue
		case len(s.values) > 1 || len(s.stamps) != 1 || !s.stamps[0].Equal(w.Start):
			return nil, fmt.Errorf("get metric data: query %s: got %d datapoints at %v; want one, at the window start", id, len(s.values), s.stamps)
		}
		out[id] = s.values[0]
	}
	return out, nil
}

// ResultError returns an error naming the query when CloudWatch could not
// answer r (status InternalError or Forbidden), nil otherwise: Complete
// and PartialData results (the latter continued on the next page) hold
// data.
func ResultError(r cwtypes.MetricDataResult) error {
	if r.StatusCode == cwtypes.StatusCodeInternalError || r.StatusCode == cwtypes.StatusCodeForbidden {
		return fmt.Errorf("query %s: status %s%s", aws.ToString(r.Id), r.StatusCode, messages(r.Messages))
	}
	return nil
}

// LoadTestDimensions returns the dimensions loadgen publishes a test
// with (metrics.LoadTestDimensions), in that order: EndpointName,
// VariantName, TestId.
func LoadTestDimensions(endpoint, variant, testID string) []cwtypes.Dimension {
	return []cwtypes.Dimension{dim(metrics.DimEndpointName, endpoint), dim(metrics.DimVariantName, variant), dim(metrics.DimTestID, testID)}
}

func messages(ms []cwtypes.MessageData) string {
	var out string
	for _, m := range ms {
		out += fmt.Sprintf(": %s %s", aws.ToString(m.Code), aws.ToString(m.Value))
	}
	return out
}

func dim(name, value string) cwtypes.Dimension {
	return cwtypes.Dimension{Name: aws.String(name), Value: aws.String(value)}
}
