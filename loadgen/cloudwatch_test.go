package loadgen_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/testkit/awstest"
)

func cloudWatchClient(url string, attempts int) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(awsConfig(testSecret), func(o *cloudwatch.Options) {
		o.BaseEndpoint = aws.String(url)
		o.RetryMaxAttempts = attempts
	})
}

// TestPublishedDistributionsMerge runs two generators with different latency
// distributions that publish to one CloudWatch, then rebuilds a histogram
// from everything CloudWatch received, as CloudWatch does when it computes a
// percentile over all tasks. Its percentiles must equal those of one
// histogram of all requests, while the average of the two generators' p99s
// (what averaging dashboards show) does not.
func TestPublishedDistributionsMerge(t *testing.T) {
	t.Parallel()
	cw := awstest.NewCloudWatch()
	defer cw.Close()
	fast := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.LogNormal(3*time.Millisecond, 0.3, 1)})
	defer fast.Close()
	slow := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.LogNormal(25*time.Millisecond, 0.8, 2)})
	defer slow.Close()

	var wg sync.WaitGroup
	sums := make([]*loadgen.Summary, 2)
	for i, srv := range []*awstest.SageMakerRuntime{fast, slow} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out bytes.Buffer
			sum, err := loadgen.Run(context.Background(), targets(t, srv.URL, testSecret)["fast"], loadgen.Options{
				Pacer: constant(t, float64(200-100*i), 2*time.Second), Payloads: payloads(t), Output: &out,
				Interval: 400 * time.Millisecond, TestID: "merge",
				Publisher: loadgen.NewPublisher(cloudWatchClient(cw.URL, 3), metrics.NamespaceLoadTest, "test-ep", "AllTraffic", "merge"),
			})
			if err != nil {
				t.Errorf("generator %d: %v", i, err)
			}
			sums[i] = sum
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	truth := loadgen.NewHistogram(time.Minute)
	truth.Merge(sums[0].Histogram)
	truth.Merge(sums[1].Histogram)
	rebuilt := loadgen.NewHistogram(time.Minute)
	var requests float64
	for _, call := range cw.Calls() {
		if call.Namespace != metrics.NamespaceLoadTest {
			t.Errorf("namespace %q", call.Namespace)
		}
		for _, d := range call.Data {
			if d.Dimensions["EndpointName"] != "test-ep" || d.Dimensions["VariantName"] != "AllTraffic" || d.Dimensions["TestId"] != "merge" || d.StorageResolution != 1 {
				t.Errorf("datum %s has dimensions %v, resolution %d", d.MetricName, d.Dimensions, d.StorageResolution)
			}
			switch d.MetricName {
			case metrics.LoadTestLatency:
				if d.Unit != "Microseconds" || len(d.Values) > 150 {
					t.Errorf("latency datum with unit %q and %d values", d.Unit, len(d.Values))
				}
				for j, v := range d.Values {
					if err := rebuilt.RecordValues(int64(v), int64(d.Counts[j])); err != nil {
						t.Fatal(err)
					}
				}
			case metrics.LoadTestRequests:
				requests += *d.Value
			}
		}
	}
	if want := float64(sums[0].Requests + sums[1].Requests); requests != want || rebuilt.TotalCount() != int64(want) {
		t.Errorf("published %v requests and %d latencies; want %v", requests, rebuilt.TotalCount(), want)
	}
	for _, q := range []float64{50, 90, 99, 99.9, 100} {
		got, want := rebuilt.ValueAtPercentile(q), truth.ValueAtPercentile(q)
		if !truth.ValuesAreEquivalent(got, want) {
			t.Errorf("p%v of the published distribution = %dµs; one histogram of all requests says %dµs", q, got, want)
		}
	}
	avg := (sums[0].Latency.P99 + sums[1].Latency.P99) / 2
	t.Logf("p99: generator A %dµs, generator B %dµs, their average %dµs, merged %dµs", sums[0].Latency.P99, sums[1].Latency.P99, avg, truth.ValueAtPercentile(99))
}

func TestPublishFailuresKeepLocalResults(t *testing.T) {
	t.Parallel()
	cw := awstest.NewCloudWatch()
	defer cw.Close()
	cw.FailNext(1 << 30)
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Fixed(time.Millisecond)})
	defer srv.Close()
	var out, logs bytes.Buffer
	var mu sync.Mutex
	sum, err := loadgen.Run(context.Background(), targets(t, srv.URL, testSecret)["fast"], loadgen.Options{
		Pacer: constant(t, 100, time.Second), Payloads: payloads(t), Output: &out, Interval: 300 * time.Millisecond,
		Drain: 500 * time.Millisecond, PublishWindow: 600 * time.Millisecond,
		Publisher: loadgen.NewPublisher(cloudWatchClient(cw.URL, 1), metrics.NamespaceLoadTest, "test-ep", "", "fail"),
		Logf: func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			logs.WriteString(format + "\n")
		},
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if sum.Requests != 100 || sum.OK != 100 || sum.PublishFailures+sum.PublishPending != sum.Intervals || sum.PublishedIntervals != 0 {
		t.Errorf("requests %d ok %d, publish failures %d + pending %d of %d intervals; want 100, 100, all unpublished",
			sum.Requests, sum.OK, sum.PublishFailures, sum.PublishPending, sum.Intervals)
	}
	if _, js := lines(t, &out); js.Requests != 100 || js.PublishedIntervals != 0 || js.PublishFailures+js.PublishPending != sum.Intervals {
		t.Errorf("summary line: %+v", js)
	}
	if r := publishLine(t, out.Bytes()); r.Published != 0 || r.Unpublished != sum.Intervals || r.Intervals != sum.Intervals || r.Retries == 0 {
		t.Errorf("publish line %+v; want all %d intervals unpublished, after retries", r, sum.Intervals)
	}
	if logs.Len() == 0 {
		t.Error("publish failures were not logged")
	}
}
