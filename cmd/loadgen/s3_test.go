package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sagesize/sagesize/testkit/awstest"
)

func TestS3Payload(t *testing.T) {
	awsEnv(t, testSecret)
	s3srv := awstest.NewS3()
	defer s3srv.Close()
	s3srv.Put("churn-models", "payloads/req.csv", []byte("1,2,3"))
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{KeepInvocations: true})
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	// As the Fargate task runs it: everything from LOADGEN_* variables.
	t.Setenv("LOADGEN_S3_ENDPOINT_URL", s3srv.URL)
	t.Setenv("LOADGEN_PAYLOAD", "s3://churn-models/payloads/req.csv")
	err := run(context.Background(), []string{"-container", srv.URL, "-rate", "20", "-duration", "250ms", "-progress", "off"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	s := summaryOf(t, stdout.Bytes())
	if s.Requests != 5 || string(srv.Invocations()[0].Body) != "1,2,3" || s.Payloads.Source != "s3://churn-models/payloads/req.csv" {
		t.Errorf("summary %+v, first body %q", s, srv.Invocations()[0].Body)
	}

	err = run(context.Background(), []string{"-container", srv.URL, "-rate", "20", "-duration", "250ms", "-payload", "s3://churn-models/payloads/gone.csv"}, &stdout, &stderr)
	for _, want := range []string{"payloads/gone.csv", "bucket churn-models", "NoSuchKey"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing object: %v; want an error containing %q", err, want)
		}
	}
}
