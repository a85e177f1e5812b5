package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"
)

// Target sends one request. Implementations must be safe for concurrent use.
// Invoke returns nil for a 2xx response whose body was read completely, and an
// error otherwise; non-2xx responses are reported as *[APIError] or as the
// SDK's own error types.
type Target interface {
	Invoke(ctx context.Context, p *Payload) error
}

// Invocation holds the InvokeEndpoint parameters common to all requests.
type Invocation struct {
	EndpointName     string
	TargetVariant    string // optional: X-Amzn-SageMaker-Target-Variant
	ContentType      string // e.g. application/json
	Accept           string // optional
	CustomAttributes string // optional: X-Amzn-SageMaker-Custom-Attributes
}

// NewHTTPClient returns an HTTP client tuned for load generation: it keeps up
// to maxConns idle keep-alive connections to the target (so that connections
// are reused instead of piling up in TIME_WAIT), does not follow redirects,
// and leaves timeouts to the per-request context.
func NewHTTPClient(maxConns int) *http.Client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          maxConns,
		MaxIdleConnsPerHost:   maxConns,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
	}
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// SignedTarget invokes a SageMaker endpoint with a request it builds and signs
// itself with the SDK's SigV4 signer and credential provider. It sends the same
// bytes as sagemakerruntime.Client.InvokeEndpoint at about a third of the CPU
// cost (design §5), which is what lets one generator task reach high rates.
//
// Requests are identical for a given payload, so their signatures are too
// within one second (X-Amz-Date has a resolution of one second): the target
// keeps the last signature of each payload and reuses it within the same
// second for the same credentials, unless SignEveryRequest is set. Every
// request still carries a valid SigV4 signature computed by the SDK's signer.
type SignedTarget struct {
	client  *http.Client
	url     *url.URL
	host    string
	header  http.Header
	creds   aws.CredentialsProvider
	signer  *v4.Signer
	region  string
	service string

	// SignEveryRequest disables the signature cache.
	SignEveryRequest bool
	// sigs maps a *Payload to its last signature (an
	// *atomic.Pointer[signature]).
	sigs sync.Map
}

// signature is the part of a signed request that depends on the time and
// the credentials.
type signature struct {
	second            int64
	accessKey, token  string
	date, authz, sess []string // header values, shared read-only
}

var _ Target = (*SignedTarget)(nil)

// NewSignedTarget returns a SignedTarget for inv. endpointURL is the service
// base URL (e.g. "https://runtime.sagemaker.eu-west-1.amazonaws.com"); an
// empty endpointURL resolves it from cfg.BaseEndpoint or the SDK's endpoint
// rules for cfg.Region.
func NewSignedTarget(ctx context.Context, cfg aws.Config, client *http.Client, endpointURL string, inv Invocation) (*SignedTarget, error) {
	if inv.EndpointName == "" {
		return nil, errors.New("sagemaker target: endpoint name is empty")
	}
	if cfg.Region == "" {
		return nil, errors.New("sagemaker target: no AWS region (set -region or AWS_REGION)")
	}
	if cfg.Credentials == nil {
		return nil, errors.New("sagemaker target: no AWS credentials provider")
	}
	if endpointURL == "" && cfg.BaseEndpoint != nil {
		endpointURL = *cfg.BaseEndpoint
	}
	if endpointURL == "" {
		ep, err := sagemakerruntime.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, sagemakerruntime.EndpointParameters{Region: aws.String(cfg.Region)})
		if err != nil {
			return nil, fmt.Errorf("sagemaker target: resolve endpoint for region %s: %w", cfg.Region, err)
		}
		endpointURL = ep.URI.String()
	}
	base, err := url.Parse(endpointURL)
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("sagemaker target: endpoint URL %q is not an absolute URL", endpointURL)
	}
	u := *base
	u.Path = strings.TrimSuffix(base.Path, "/") + "/endpoints/" + inv.EndpointName + "/invocations"
	u.RawPath = strings.TrimSuffix(base.EscapedPath(), "/") + "/endpoints/" + url.PathEscape(inv.EndpointName) + "/invocations"
	h := http.Header{}
	if inv.ContentType != "" {
		h.Set("Content-Type", inv.ContentType)
	}
	if inv.Accept != "" {
		h.Set("Accept", inv.Accept)
	}
	if inv.CustomAttributes != "" {
		h.Set("X-Amzn-Sagemaker-Custom-Attributes", inv.CustomAttributes)
	}
	if inv.TargetVariant != "" {
		h.Set("X-Amzn-Sagemaker-Target-Variant", inv.TargetVariant)
	}
	h.Set("User-Agent", "sagesize-loadgen")
	// SigV4 URI-encodes each path segment of the canonical URI (twice for
	// services other than S3); a path made only of unreserved characters
	// encodes to itself, so the signer's escaping can be skipped.
	unreserved := strings.Trim(u.EscapedPath(), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/") == ""
	return &SignedTarget{
		client:  client,
		url:     &u,
		host:    u.Host,
		header:  h,
		creds:   aws.NewCredentialsCache(cfg.Credentials),
		signer:  v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = unreserved }),
		region:  cfg.Region,
		service: "sagemaker",
	}, nil
}

// CheckCredentials retrieves credentials once, so that missing or unusable
// credentials are reported before the test starts.
func (t *SignedTarget) CheckCredentials(ctx context.Context) error {
	if _, err := t.creds.Retrieve(ctx); err != nil {
		return fmt.Errorf("retrieve AWS credentials: %w", err)
	}
	return nil
}

// URL returns the invocation URL.
func (t *SignedTarget) URL() string { return t.url.String() }

// cached returns the signature cache slot of p, or nil.
func (t *SignedTarget) cached(p *Payload) *atomic.Pointer[signature] {
	if t.SignEveryRequest {
		return nil
	}
	if v, ok := t.sigs.Load(p); ok {
		return v.(*atomic.Pointer[signature])
	}
	v, _ := t.sigs.LoadOrStore(p, new(atomic.Pointer[signature]))
	return v.(*atomic.Pointer[signature])
}

// Invoke implements [Target].
func (t *SignedTarget) Invoke(ctx context.Context, p *Payload) error {
	creds, err := t.creds.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("retrieve AWS credentials: %w", err)
	}
	req := newRequest(ctx, t.url, t.host, p.Body, len(t.header)+3)
	for k, v := range t.header {
		req.Header[k] = v
	}
	now := time.Now()
	slot := t.cached(p)
	if slot != nil {
		if s := slot.Load(); s != nil && s.second == now.Unix() && s.accessKey == creds.AccessKeyID && s.token == creds.SessionToken {
			req.Header["X-Amz-Date"] = s.date
			req.Header["Authorization"] = s.authz
			if s.sess != nil {
				req.Header["X-Amz-Security-Token"] = s.sess
			}
			return do(t.client, req)
		}
	}
	if err := t.signer.SignHTTP(ctx, creds, req, p.SHA256, t.service, t.region, now); err != nil {
		return fmt.Errorf("sign request: %w", err)
	}
	if slot != nil {
		slot.Store(&signature{
			second: now.Unix(), accessKey: creds.AccessKeyID, token: creds.SessionToken,
			date: req.Header["X-Amz-Date"], authz: req.Header["Authorization"], sess: req.Header["X-Amz-Security-Token"],
		})
	}
	return do(t.client, req)
}

// newRequest returns a POST of body to a copy of u (the signer writes to the
// URL), without parsing a URL.
func newRequest(ctx context.Context, u *url.URL, host string, body []byte, headers int) *http.Request {
	uc := *u
	req := &http.Request{
		Method:        http.MethodPost,
		URL:           &uc,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        make(http.Header, headers),
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Host:          host,
	}
	if len(body) == 0 {
		req.Body = http.NoBody
	}
	return req.WithContext(ctx)
}

// do sends req, reads the whole response and decodes an error response.
func do(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return fmt.Errorf("read response: %w", err)
		}
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("HTTP %d: read error response: %w", resp.StatusCode, err)
	}
	return decodeError(resp.StatusCode, resp.Header, body)
}

// decodeError decodes a SageMaker REST-JSON error: the code comes from the
// X-Amzn-ErrorType header or the body's "__type" or "code" member (any
// "prefix#" or ":suffix" removed), the message from "message" or "Message".
// A body that is not JSON becomes the message, trimmed.
func decodeError(status int, h http.Header, body []byte) *APIError {
	e := &APIError{StatusCode: status, Code: h.Get("X-Amzn-Errortype")}
	var doc struct {
		Type     string `json:"__type"`
		Code     string `json:"code"`
		Message  string `json:"message"`
		Message2 string `json:"Message"`
	}
	if json.Unmarshal(body, &doc) == nil {
		if e.Code == "" {
			e.Code = doc.Type
		}
		if e.Code == "" {
			e.Code = doc.Code
		}
		e.Message = doc.Message
		if e.Message == "" {
			e.Message = doc.Message2
		}
	} else {
		e.Message = strings.TrimSpace(string(body))
		if len(e.Message) > 200 {
			e.Message = e.Message[:200] + "..."
		}
	}
	if i := strings.Index(e.Code, ":"); i >= 0 {
		e.Code = e.Code[:i]
	}
	if i := strings.LastIndex(e.Code, "#"); i >= 0 {
		e.Code = e.Code[i+1:]
	}
	return e
}

// InvokeEndpointAPI is the part of *sagemakerruntime.Client that SDKTarget
// uses.
type InvokeEndpointAPI interface {
	InvokeEndpoint(ctx context.Context, in *sagemakerruntime.InvokeEndpointInput, optFns ...func(*sagemakerruntime.Options)) (*sagemakerruntime.InvokeEndpointOutput, error)
}

// SDKTarget invokes a SageMaker endpoint through the full SDK client. It costs
// about three times the CPU of [SignedTarget] per request; use it to rule out
// any difference in behaviour.
type SDKTarget struct {
	api InvokeEndpointAPI
	inv Invocation
}

var _ Target = (*SDKTarget)(nil)

// NewSDKTarget returns an SDKTarget. Configure api without retries
// (RetryMaxAttempts 1 or aws.NopRetryer): retries hide errors and distort
// latency.
func NewSDKTarget(api InvokeEndpointAPI, inv Invocation) *SDKTarget {
	return &SDKTarget{api: api, inv: inv}
}

// Invoke implements [Target].
func (t *SDKTarget) Invoke(ctx context.Context, p *Payload) error {
	in := &sagemakerruntime.InvokeEndpointInput{EndpointName: aws.String(t.inv.EndpointName), Body: p.Body,
		ContentType: nonEmpty(t.inv.ContentType), Accept: nonEmpty(t.inv.Accept),
		CustomAttributes: nonEmpty(t.inv.CustomAttributes), TargetVariant: nonEmpty(t.inv.TargetVariant)}
	_, err := t.api.InvokeEndpoint(ctx, in)
	return err
}

// nonEmpty is s as an optional request field: nil when s is empty, so
// that the SDK leaves the header out.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ContainerTarget sends requests to a container implementing the SageMaker
// hosting contract: POST /invocations, with GET /ping as health check.
type ContainerTarget struct {
	client      *http.Client
	base        string
	invocations *url.URL
	contentType string
	accept      string
}

var _ Target = (*ContainerTarget)(nil)

// NewContainerTarget returns a target for the container at baseURL, e.g.
// "http://127.0.0.1:8080".
func NewContainerTarget(client *http.Client, baseURL, contentType, accept string) (*ContainerTarget, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("container URL %q: want http://HOST:PORT", baseURL)
	}
	base := strings.TrimSuffix(baseURL, "/")
	inv, err := url.Parse(base + "/invocations")
	if err != nil {
		return nil, fmt.Errorf("container URL %q: %w", baseURL, err)
	}
	return &ContainerTarget{client: client, base: base, invocations: inv, contentType: contentType, accept: accept}, nil
}

// Ping calls GET /ping and returns an error unless it answers 200.
func (t *ContainerTarget) Ping(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.base+"/ping", nil)
	if err != nil {
		return err
	}
	if err := do(t.client, req); err != nil {
		return fmt.Errorf("container health check GET %s/ping: %w", t.base, err)
	}
	return nil
}

// Invoke implements [Target].
func (t *ContainerTarget) Invoke(ctx context.Context, p *Payload) error {
	req := newRequest(ctx, t.invocations, t.invocations.Host, p.Body, 2)
	if t.contentType != "" {
		req.Header.Set("Content-Type", t.contentType)
	}
	if t.accept != "" {
		req.Header.Set("Accept", t.accept)
	}
	return do(t.client, req)
}
