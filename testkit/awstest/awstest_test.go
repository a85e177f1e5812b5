package awstest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemakerruntime/types"
	"github.com/aws/smithy-go"

	"github.com/sagesize/sagesize/testkit/awstest"
)

func cfg(secret string) aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDAWSTEST", secret, ""), RetryMaxAttempts: 1}
}

func TestSageMakerRuntimeSpeaksInvokeEndpoint(t *testing.T) {
	t.Parallel()
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{
		KeepInvocations: true,
		Auth:            &awstest.SigV4Check{Keys: map[string]string{"AKIDAWSTEST": "right"}, Region: "us-east-1", Service: "sagemaker"},
		Behavior: awstest.Cycle(
			awstest.Response{Body: []byte(`{"p":1}`)},
			awstest.Response{Fault: &awstest.ModelErrorFault},
			awstest.Response{Fault: &awstest.Throttling},
		),
	})
	defer srv.Close()
	client := func(secret string) *sagemakerruntime.Client {
		return sagemakerruntime.NewFromConfig(cfg(secret), func(o *sagemakerruntime.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	}
	in := &sagemakerruntime.InvokeEndpointInput{EndpointName: aws.String("ep"), Body: []byte(`{}`), ContentType: aws.String("application/json"), TargetVariant: aws.String("v1")}
	ctx := context.Background()

	out, err := client("right").InvokeEndpoint(ctx, in)
	if err != nil || string(out.Body) != `{"p":1}` || aws.ToString(out.InvokedProductionVariant) != "v1" {
		t.Fatalf("InvokeEndpoint = %+v, %v", out, err)
	}
	_, err = client("right").InvokeEndpoint(ctx, in)
	var me *smtypes.ModelError
	if !errors.As(err, &me) || aws.ToInt32(me.OriginalStatusCode) != 500 {
		t.Errorf("second call: %v; want a ModelError with OriginalStatusCode 500", err)
	}
	_, err = client("right").InvokeEndpoint(ctx, in)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ThrottlingException" {
		t.Errorf("third call: %v; want ThrottlingException", err)
	}
	_, err = client("wrong").InvokeEndpoint(ctx, in)
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidSignatureException" {
		t.Errorf("wrong secret: %v; want InvalidSignatureException", err)
	}
	if got := srv.Requests(); got != 4 {
		t.Errorf("Requests() = %d; want 4", got)
	}
	if inv := srv.Invocations()[0]; inv.EndpointName != "ep" || inv.TargetVariant != "v1" || string(inv.Body) != `{}` {
		t.Errorf("first invocation %+v", inv)
	}
}

func TestStallsSchedule(t *testing.T) {
	epoch := time.Unix(1000, 0)
	b := awstest.Stalls(epoch, 10*time.Millisecond, 5*time.Second, 2*time.Second, time.Second)
	for _, tt := range []struct {
		at   time.Duration
		want time.Duration
	}{
		{time.Second, 10 * time.Millisecond},
		{2 * time.Second, 1010 * time.Millisecond},
		{2750 * time.Millisecond, 260 * time.Millisecond},
		{3 * time.Second, 10 * time.Millisecond},
		{7250 * time.Millisecond, 760 * time.Millisecond},
	} {
		if got := b(&awstest.Invocation{Arrived: epoch.Add(tt.at)}).Latency; got != tt.want {
			t.Errorf("latency of a request arriving at %v = %v; want %v", tt.at, got, tt.want)
		}
	}
}

func TestCloudWatchDecodesAndChecksPutMetricData(t *testing.T) {
	t.Parallel()
	cw := awstest.NewCloudWatch()
	defer cw.Close()
	client := cloudwatch.NewFromConfig(cfg("any"), func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(cw.URL) })
	ctx := context.Background()
	ts := time.Unix(1_700_000_000, 0).UTC()
	many := make([]float64, 600) // large enough for the SDK to gzip the body
	counts := make([]float64, 600)
	for i := range many {
		many[i], counts[i] = float64(i+1), 2
	}
	var data []cwtypes.MetricDatum
	for i := 0; i < len(many); i += 150 {
		data = append(data, cwtypes.MetricDatum{
			MetricName: aws.String("Latency"), Unit: cwtypes.StandardUnitMicroseconds, Timestamp: aws.Time(ts), StorageResolution: aws.Int32(1),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("EndpointName"), Value: aws.String("ep")}},
			Values:     many[i : i+150], Counts: counts[i : i+150],
		})
	}
	data = append(data, cwtypes.MetricDatum{MetricName: aws.String("Requests"), Value: aws.Float64(1200), Unit: cwtypes.StandardUnitCount})
	if _, err := client.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Test/NS"), MetricData: data}); err != nil {
		t.Fatalf("PutMetricData: %v", err)
	}
	calls := cw.Calls()
	if len(calls) != 1 || calls[0].Namespace != "Test/NS" || len(calls[0].Data) != 5 || !calls[0].Gzip {
		t.Fatalf("calls = %+v; want one gzipped call with 5 datums", calls)
	}
	d := calls[0].Data[0]
	if d.MetricName != "Latency" || d.Unit != "Microseconds" || !d.Timestamp.Equal(ts) || d.StorageResolution != 1 || d.Dimensions["EndpointName"] != "ep" || len(d.Values) != 150 || d.Values[149] != 150 || d.Counts[0] != 2 {
		t.Errorf("first datum = %+v", d)
	}
	if v := calls[0].Data[4].Value; v == nil || *v != 1200 {
		t.Errorf("Requests value = %v", v)
	}

	// Over the API's limits: rejected as InvalidParameterValue.
	bad := []cwtypes.MetricDatum{{MetricName: aws.String("Latency"), Values: make([]float64, 151), Counts: make([]float64, 151)}}
	_, err := client.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Test/NS"), MetricData: bad})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" || !strings.Contains(ae.ErrorMessage(), "151 values") {
		t.Errorf("151 values: %v; want InvalidParameterValue", err)
	}
	cw.FailNext(1)
	if _, err := client.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Test/NS"), MetricData: data[4:]}); err == nil {
		t.Error("FailNext(1): the next call succeeded")
	}
	if got := len(cw.Datums()); got != 5 {
		t.Errorf("%d datums recorded; want 5 (rejected calls are not recorded)", got)
	}
}
