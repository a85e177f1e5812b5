package loadgen_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func BenchmarkSignHTTP(b *testing.B) {
	s := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret}
	p := benchPayload()
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequestWithContext(context.Background(), "POST", "http://127.0.0.1:1/endpoints/x/invocations", bytes.NewReader(p.Body))
		req.Header.Set("Content-Type", "application/json")
		if err := s.SignHTTP(context.Background(), creds, req, p.SHA256, "sagemaker", "us-east-1", time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}
