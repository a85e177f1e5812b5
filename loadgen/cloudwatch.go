package loadgen

import (
	"context"
	"errors"
	"fmt"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sagesize/sagesize/metrics"
)

// PutMetricData limits (CloudWatch API reference).
const (
	maxValuesPerDatum     = 150
	maxDatumsPerRequest   = 1000
	maxRequestBytes       = 1 << 20
	requestBytesBudget    = 900 << 10 // leave room for the envelope
	datumOverheadBytes    = 256       // names, dimensions, unit, timestamp
	bytesPerValueAndCount = 18        // two CBOR float64
)

// PutMetricDataAPI is the part of *cloudwatch.Client that Publisher uses.
type PutMetricDataAPI interface {
	PutMetricData(ctx context.Context, in *cloudwatch.PutMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error)
}

// Publisher writes interval statistics to CloudWatch.
type Publisher struct {
	api        PutMetricDataAPI
	namespace  string
	dimensions []types.Dimension
}

// NewPublisher returns a Publisher writing to namespace with the dimensions
// metrics.LoadTestDimensions: EndpointName, VariantName and TestId. Empty
// values are replaced by "-": CloudWatch rejects empty dimension values.
func NewPublisher(api PutMetricDataAPI, namespace, endpointName, variantName, testID string) *Publisher {
	dim := func(name, value string) types.Dimension {
		if value == "" {
			value = "-"
		}
		return types.Dimension{Name: aws.String(name), Value: aws.String(value)}
	}
	return &Publisher{
		api:       api,
		namespace: namespace,
		dimensions: []types.Dimension{
			dim(metrics.DimEndpointName, endpointName), dim(metrics.DimVariantName, variantName), dim(metrics.DimTestID, testID),
		},
	}
}

// Distribution returns the non-empty buckets of h as CloudWatch Values and
// Counts. Each value is the middle of its HdrHistogram bucket, so recording
// the values back into a histogram of the same geometry rebuilds h exactly.
func Distribution(h *hdrhistogram.Histogram) (values, counts []float64) {
	for _, b := range h.Distribution() {
		if b.Count == 0 {
			continue
		}
		values = append(values, float64(b.From+(b.To-b.From)/2))
		counts = append(counts, float64(b.Count))
	}
	return values, counts
}

// Datums returns the metric data for one interval: its latency distribution,
// split into datums of at most 150 values, its counts, and Intervals = 1,
// plus, for a streaming test, the distributions of TTFT, inter-token gaps,
// TPOT and output tokens per request and the OutputTokens and GoodRequests
// counts,
// so that the intervals CloudWatch holds can be counted against those
// that ran. All carry the
// interval's start as timestamp and a storage resolution of 1 second, so
// that a GetMetricData window [S, E) holds exactly the intervals that ran
// within it (sizing steps start on whole intervals).
func (p *Publisher) Datums(s *Stats, h *hdrhistogram.Histogram) []types.MetricDatum {
	ts := s.Start
	datum := func(name string, unit types.StandardUnit) types.MetricDatum {
		return types.MetricDatum{
			MetricName:        aws.String(name),
			Dimensions:        p.dimensions,
			Timestamp:         aws.Time(ts),
			StorageResolution: aws.Int32(1),
			Unit:              unit,
		}
	}
	var out []types.MetricDatum
	latency, ttft := metrics.LoadTestLatency, metrics.LoadTestTTFT
	if s.Mode == ModeClosedLoop {
		latency, ttft = metrics.LoadTestLatencyClosedLoop, metrics.LoadTestTTFTClosedLoop
	}
	distribution := func(name string, unit string, h *hdrhistogram.Histogram) {
		values, counts := Distribution(h)
		for i := 0; i < len(values); i += maxValuesPerDatum {
			j := min(i+maxValuesPerDatum, len(values))
			d := datum(name, types.StandardUnit(unit))
			d.Values, d.Counts = values[i:j], counts[i:j]
			out = append(out, d)
		}
	}
	distribution(latency, metrics.UnitMicroseconds, h)
	if st := s.Stream; st != nil && st.Histograms != nil {
		distribution(ttft, metrics.UnitMicroseconds, st.Histograms.TTFT)
		distribution(metrics.LoadTestITL, metrics.UnitMicroseconds, st.Histograms.ITL)
		distribution(metrics.LoadTestTPOT, metrics.UnitMicroseconds, st.Histograms.TPOT)
		distribution(metrics.LoadTestOutputTokensPerRequest, metrics.UnitCount, st.Histograms.Tokens)
		for _, c := range []struct {
			name string
			n    uint64
		}{{metrics.LoadTestOutputTokens, st.OutputTokens}, {metrics.LoadTestGoodRequests, st.Good}} {
			d := datum(c.name, types.StandardUnit(metrics.UnitCount))
			d.Value = aws.Float64(float64(c.n))
			out = append(out, d)
		}
	}
	for _, c := range []struct {
		name string
		n    uint64
	}{
		{metrics.LoadTestRequests, s.Requests}, {metrics.LoadTestErrors, s.Errors}, {metrics.LoadTestThrottles, s.ByClass.Throttled},
		{metrics.LoadTestModelErrors, s.ByClass.ModelError}, {metrics.LoadTestTimeouts, s.ByClass.Timeout}, {metrics.LoadTestDropped, s.Dropped},
		{metrics.LoadTestIntervals, 1},
	} {
		d := datum(c.name, types.StandardUnit(metrics.UnitCount))
		d.Value = aws.Float64(float64(c.n))
		out = append(out, d)
	}
	return out
}

// batches splits datums into PutMetricData requests within the limits of
// 1,000 datums and 1 MB per request.
func batches(datums []types.MetricDatum) [][]types.MetricDatum {
	var out [][]types.MetricDatum
	start, size := 0, 0
	for i, d := range datums {
		n := datumOverheadBytes + bytesPerValueAndCount*len(d.Values)
		if i > start && (i-start == maxDatumsPerRequest || size+n > requestBytesBudget) {
			out = append(out, datums[start:i])
			start, size = i, 0
		}
		size += n
	}
	if start < len(datums) {
		out = append(out, datums[start:])
	}
	return out
}

// Put sends datums in as many PutMetricData requests as the limits require.
// It sends every batch even when one fails, and returns the failures joined.
func (p *Publisher) Put(ctx context.Context, datums []types.MetricDatum) error {
	var errs []error
	for i, b := range batches(datums) {
		_, err := p.api.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String(p.namespace), MetricData: b})
		if err != nil {
			errs = append(errs, fmt.Errorf("put metric data (batch %d, %d datums): %w", i+1, len(b), err))
		}
	}
	return errors.Join(errs...)
}
