package awstest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// SigV4Check verifies AWS Signature Version 4 on incoming requests by
// re-signing them with the SDK's signer and the known secret key.
type SigV4Check struct {
	// Keys maps an access key ID to its secret access key.
	Keys map[string]string
	// Region and Service must match the credential scope
	// (e.g. "us-east-1", "sagemaker").
	Region, Service string
}

// verify returns the fault SageMaker would answer with, or nil when the
// signature is valid.
func (c *SigV4Check) verify(r *http.Request, body []byte) *Fault {
	authz := r.Header.Get("Authorization")
	if !strings.HasPrefix(authz, "AWS4-HMAC-SHA256 ") {
		return &Fault{Status: 403, Code: "MissingAuthenticationTokenException", Message: "Missing Authentication Token"}
	}
	fields := map[string]string{}
	for _, part := range strings.Split(strings.TrimPrefix(authz, "AWS4-HMAC-SHA256 "), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 {
		return &Fault{Status: 403, Code: "IncompleteSignatureException", Message: "malformed Credential"}
	}
	secret, ok := c.Keys[scope[0]]
	if !ok {
		return &Fault{Status: 403, Code: "UnrecognizedClientException", Message: "The security token included in the request is invalid."}
	}
	if scope[2] != c.Region || scope[3] != c.Service {
		return &Fault{Status: 403, Code: "InvalidSignatureException", Message: "Credential should be scoped to a valid region or service"}
	}
	signingTime, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return &Fault{Status: 403, Code: "IncompleteSignatureException", Message: "missing or malformed X-Amz-Date"}
	}
	// Rebuild the request with only the signed headers, then sign it.
	clone, err := http.NewRequestWithContext(context.Background(), r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return &Fault{Status: 400, Code: "ValidationError", Message: err.Error()}
	}
	for _, h := range strings.Split(fields["SignedHeaders"], ";") {
		if h == "host" {
			continue
		}
		if vs, ok := r.Header[http.CanonicalHeaderKey(h)]; ok {
			clone.Header[http.CanonicalHeaderKey(h)] = vs
		}
	}
	clone.Header.Del("Authorization")
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: scope[0], SecretAccessKey: secret, SessionToken: r.Header.Get("X-Amz-Security-Token")}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, clone, hex.EncodeToString(sum[:]), c.Service, c.Region, signingTime); err != nil {
		return &Fault{Status: 500, Code: "InternalFailure", Message: err.Error()}
	}
	if clone.Header.Get("Authorization") != authz {
		return &Fault{Status: 403, Code: "InvalidSignatureException", Message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."}
	}
	return nil
}
