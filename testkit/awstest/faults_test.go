package awstest_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/sagesize/sagesize/testkit/awstest"
)

func putOne(ctx context.Context, url string) error {
	cw := cloudwatch.NewFromConfig(cfg("any"), func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(url) })
	_, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("NS"),
		MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("Requests"), Value: aws.Float64(1)}}})
	return err
}

func TestHangingNeverAnswers(t *testing.T) {
	t.Parallel()
	h := awstest.NewHanging()
	defer h.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := putOne(ctx, h.URL)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 3*time.Second {
		t.Errorf("PutMetricData = %v after %v; want the caller's deadline to end it", err, time.Since(start))
	}
	if h.Accepted() != 1 {
		t.Errorf("accepted %d connections; want 1", h.Accepted())
	}
}

func TestCloudWatchInjectedFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cw := awstest.NewCloudWatch()
	defer cw.Close()
	cw.FailCall(2)
	for i, wantCode := range []string{"", "InternalServiceFault", ""} {
		err := putOne(ctx, cw.URL)
		var api smithy.APIError
		if (wantCode == "") != (err == nil) || (err != nil && (!errors.As(err, &api) || api.ErrorCode() != wantCode)) {
			t.Errorf("call %d: %v; want code %q", i+1, err, wantCode)
		}
	}
	if len(cw.Calls()) != 2 || len(cw.Rejected()) != 1 {
		t.Errorf("%d accepted, %d rejected; want 2 and 1", len(cw.Calls()), len(cw.Rejected()))
	}
	cw.Throttle()
	var api smithy.APIError
	if err := putOne(ctx, cw.URL); !errors.As(err, &api) || api.ErrorCode() != "Throttling" {
		t.Errorf("throttled call: %v; want code Throttling", err)
	}
}

// getOne reads one high-resolution Sum from client and returns its values.
func getOne(ctx context.Context, client *cloudwatch.Client) ([]float64, error) {
	out, err := client.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Minute)),
		MetricDataQueries: []cwtypes.MetricDataQuery{query("requests", "NS", "Requests", "Sum", 60, nil)}})
	if err != nil {
		return nil, err
	}
	return out.MetricDataResults[0].Values, nil
}

// TestCloudWatchInjectedGetFaults: the real SDK client sees the injected
// fault's code (an expired token on the 2nd call, then throttling on
// every call) as a smithy.APIError; the calls around it are served from
// the stored data, and the rejected ones are kept apart.
func TestCloudWatchInjectedGetFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cw, client := newCloudWatch(t)
	cw.Seed(awstest.Datum{Namespace: "NS", MetricName: "Requests", Timestamp: t0, Value: aws.Float64(7)})
	expired := awstest.Fault{Status: 400, Code: "ExpiredTokenException", Message: "The security token included in the request is expired"}
	var picked []int
	cw.InjectGetFault(func(n int, _ awstest.GetMetricDataCall) bool {
		picked = append(picked, n)
		return n == 2
	}, expired)
	for i, wantCode := range []string{"", "ExpiredTokenException", ""} {
		vs, err := getOne(ctx, client)
		var api smithy.APIError
		switch {
		case wantCode == "" && (err != nil || len(vs) != 1 || vs[0] != 7):
			t.Errorf("call %d: %v, %v; want [7]", i+1, vs, err)
		case wantCode != "" && (!errors.As(err, &api) || api.ErrorCode() != wantCode):
			t.Errorf("call %d: %v; want code %q", i+1, err, wantCode)
		}
	}
	if !slices.Equal(picked, []int{1, 2, 3}) {
		t.Errorf("pick called with %v; want 1, 2, 3", picked)
	}
	rejected := cw.RejectedGets()
	if len(cw.GetMetricDataCalls()) != 2 || len(rejected) != 1 || rejected[0].Queries[0].ID != "requests" {
		t.Errorf("%d served, rejected %+v; want 2 served and the 2nd call rejected", len(cw.GetMetricDataCalls()), rejected)
	}
	cw.InjectGetFault(func(int, awstest.GetMetricDataCall) bool { return true }, awstest.CloudWatchThrottling)
	var api smithy.APIError
	if _, err := getOne(ctx, client); !errors.As(err, &api) || api.ErrorCode() != "Throttling" || api.ErrorMessage() != "Rate exceeded" {
		t.Errorf("throttled call: %v; want code Throttling, message Rate exceeded", err)
	}
}
