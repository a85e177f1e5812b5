package loadgen_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/testkit/awstest"
)

func TestLoadS3Payloads(t *testing.T) {
	t.Parallel()
	srv := awstest.NewS3()
	defer srv.Close()
	srv.Put("models", "payloads/req.json", []byte(`{"x":1}`))
	srv.Put("models", "payloads/many.jsonl", []byte("{\"a\":1}\n\n{\"a\":2}\n"))
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDAWSTEST", "secret", ""), RetryMaxAttempts: 1}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL); o.UsePathStyle = true })
	ctx := context.Background()

	p, err := loadgen.LoadS3Payloads(ctx, client, "s3://models/payloads/req.json")
	if err != nil || p.Len() != 1 || string(p.At(0).Body) != `{"x":1}` || p.Source != "s3://models/payloads/req.json" {
		t.Fatalf("LoadS3Payloads(req.json) = %+v, %v", p, err)
	}
	p, err = loadgen.LoadS3Payloads(ctx, client, "s3://models/payloads/many.jsonl")
	if err != nil || p.Len() != 2 || string(p.At(1).Body) != `{"a":2}` {
		t.Fatalf("LoadS3Payloads(many.jsonl) = %+v, %v", p, err)
	}
	for _, tt := range []struct{ uri, want string }{
		{"s3://models/payloads/missing.json", "get object payloads/missing.json from bucket models"},
		{"s3://models/payloads/missing.json", "NoSuchKey"},
		{"s3://other/req.json", "NoSuchBucket"},
		{"s3://models", "want s3://BUCKET/KEY"},
	} {
		if _, err := loadgen.LoadS3Payloads(ctx, client, tt.uri); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("LoadS3Payloads(%s) = %v; want an error containing %q", tt.uri, err, tt.want)
		}
	}
}
