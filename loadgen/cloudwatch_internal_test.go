package loadgen

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sagesize/sagesize/metrics"
)

func TestDatumsSplitDistributions(t *testing.T) {
	h := NewHistogram(time.Minute)
	for v := int64(1); v <= 2_000_000; v = v*1001/1000 + 1 {
		_ = h.RecordValue(v)
	}
	values, _ := Distribution(h)
	p := NewPublisher(nil, metrics.NamespaceLoadTest, "ep", "v", "id")
	s := &Stats{Start: time.Unix(1e9-10, 0), End: time.Unix(1e9, 0), Requests: 7}
	datums := p.Datums(s, h)
	wantLatency := (len(values) + 149) / 150
	if got := len(datums) - 7; got != wantLatency {
		t.Errorf("%d latency datums for %d values; want %d", got, len(values), wantLatency)
	}
	var total float64
	for _, d := range datums {
		if len(d.Values) > maxValuesPerDatum || len(d.Values) != len(d.Counts) {
			t.Errorf("datum with %d values and %d counts", len(d.Values), len(d.Counts))
		}
		for _, c := range d.Counts {
			total += c
		}
		if *d.StorageResolution != 1 || !d.Timestamp.Equal(s.Start) {
			t.Errorf("datum resolution %d, timestamp %v", *d.StorageResolution, d.Timestamp)
		}
	}
	if int64(total) != h.TotalCount() {
		t.Errorf("published counts add up to %v; want %d", total, h.TotalCount())
	}
	if got := *datums[0].MetricName; got != metrics.LoadTestLatency {
		t.Errorf("open-model latency published as %q", got)
	}
	closed := p.Datums(&Stats{Mode: ModeClosedLoop}, h)
	if got := *closed[0].MetricName; got != metrics.LoadTestLatencyClosedLoop {
		t.Errorf("closed-loop latency published as %q; want %q", got, metrics.LoadTestLatencyClosedLoop)
	}
}

func TestBatchesRespectLimits(t *testing.T) {
	small := make([]types.MetricDatum, 2500)
	for i := range small {
		small[i] = types.MetricDatum{MetricName: aws.String("Requests"), Value: aws.Float64(1)}
	}
	full := make([]types.MetricDatum, 400)
	for i := range full {
		full[i] = types.MetricDatum{MetricName: aws.String("Latency"), Values: make([]float64, 150), Counts: make([]float64, 150)}
	}
	for _, tt := range []struct {
		name  string
		in    []types.MetricDatum
		sizes []int
	}{
		{"1000 datums per request", small, []int{1000, 1000, 500}},
		{"under 1 MB per request", full, []int{311, 89}},
		{"none", nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var sizes []int
			for _, b := range batches(tt.in) {
				sizes = append(sizes, len(b))
			}
			if len(sizes) != len(tt.sizes) {
				t.Fatalf("batch sizes %v; want %v", sizes, tt.sizes)
			}
			for i := range sizes {
				if sizes[i] != tt.sizes[i] {
					t.Fatalf("batch sizes %v; want %v", sizes, tt.sizes)
				}
			}
		})
	}
}

// Every datum the publisher writes is a metric of the contract (package
// metrics), with its unit and dimension set, and loadgen publishes as often
// as the dashboards' load-test graphs assume.
func TestDatumsFollowTheMetricContract(t *testing.T) {
	h := NewHistogram(time.Minute)
	_ = h.RecordValue(1500)
	cat := metrics.LoadTest("Custom/NS")
	p := NewPublisher(nil, "Custom/NS", "ep", "v", "id")
	for _, mode := range []string{ModeOpen, ModeClosedLoop} {
		names := map[string]bool{}
		for _, d := range p.Datums(&Stats{Mode: mode, Requests: 1}, h) {
			dims := make([]string, len(d.Dimensions))
			for i, dim := range d.Dimensions {
				dims[i] = *dim.Name
			}
			m, ok := metrics.Lookup(cat, "Custom/NS", *d.MetricName, dims)
			switch {
			case !ok:
				t.Errorf("%s: datum %s%v is not in the metric contract", mode, *d.MetricName, dims)
			case string(d.Unit) != m.Unit:
				t.Errorf("%s: datum %s has unit %q; the contract says %q", mode, *d.MetricName, d.Unit, m.Unit)
			}
			names[*d.MetricName] = true
		}
		if len(names) != 8 || !names[metrics.LoadTestIntervals] {
			t.Errorf("%s: published %d metrics %v; want latency, 6 counts and Intervals", mode, len(names), names)
		}
	}
	if DefaultInterval != metrics.LoadTestPeriod {
		t.Errorf("DefaultInterval %v; the dashboards graph loadgen's metrics with period %v", DefaultInterval, metrics.LoadTestPeriod)
	}
}
