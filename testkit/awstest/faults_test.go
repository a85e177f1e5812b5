package awstest_test

import (
	"context"
	"errors"
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
