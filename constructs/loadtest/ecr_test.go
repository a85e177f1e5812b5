package loadtest

import "testing"

func TestParseECRImage(t *testing.T) {
	for uri, want := range map[string]ECRImage{
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com/sagesize/loadgen:v3":                                                                  {"123456789012", "eu-west-1", "sagesize/loadgen"},
		"123456789012.dkr.ecr.us-east-1.amazonaws.com/loadgen@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef": {"123456789012", "us-east-1", "loadgen"},
		"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/loadgen":                                                                          {"123456789012", "cn-north-1", "loadgen"},
	} {
		if got, ok := ParseECRImage(uri); !ok || got != want {
			t.Errorf("ParseECRImage(%q) = %+v, %v; want %+v", uri, got, ok, want)
		}
	}
	for _, uri := range []string{
		"sagesize/loadgen:test",
		"public.ecr.aws/sagesize/loadgen:v3",
		"ghcr.io/sagesize/loadgen:v3",
		"12345.dkr.ecr.eu-west-1.amazonaws.com/loadgen:v3",
	} {
		if got, ok := ParseECRImage(uri); ok {
			t.Errorf("ParseECRImage(%q) = %+v; want no private ECR image", uri, got)
		}
	}
}
