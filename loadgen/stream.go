package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime/schemas"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/transport/http/protocol/restjson1"
)

// StreamTarget is a [Target] whose answers are token streams. InvokeStream
// calls tokens(n) as soon as a chunk completes n token arrivals (on the
// calling goroutine), and returns the answer's output tokens and what they
// count (CountedTokens, CountedUsage or CountedChunks). Its error is nil
// only for a complete stream: a mid-stream error event, a stream cut
// before its end ([ErrNoEnd]) or a response in another format
// (*[FormatError]) are errors, with the tokens received so far.
type StreamTarget interface {
	Target
	InvokeStream(ctx context.Context, p *Payload, tokens func(n int)) (StreamInfo, error)
}

// StreamInfo is what a streamed answer said about itself.
type StreamInfo struct {
	Tokens  int    // output tokens: the usage chunk's when there is one, else token arrivals
	Counted string // what Tokens counts
	// InputTokens is the prompt's length the server reported
	// (usage.prompt_tokens); 0 when it did not.
	InputTokens int
}

// InvokeStreamAPI is the part of *sagemakerruntime.Client that
// SDKStreamTarget uses.
type InvokeStreamAPI interface {
	InvokeEndpointWithResponseStream(ctx context.Context, in *sagemakerruntime.InvokeEndpointWithResponseStreamInput, optFns ...func(*sagemakerruntime.Options)) (*sagemakerruntime.InvokeEndpointWithResponseStreamOutput, error)
}

// SDKStreamTarget calls InvokeEndpointWithResponseStream through the SDK
// client, whose event stream reader decodes the
// application/vnd.amazon.eventstream frames: PayloadPart events are fed
// to the format's decoder, ModelStreamError and InternalStreamFailure
// events end the request with the SDK's error.
type SDKStreamTarget struct {
	api    InvokeStreamAPI
	inv    Invocation
	format string
}

var _ StreamTarget = (*SDKStreamTarget)(nil)

// NewSDKStreamTarget returns an SDKStreamTarget decoding answers in format
// (one of Formats). Configure api without retries.
func NewSDKStreamTarget(api InvokeStreamAPI, inv Invocation, format string) (*SDKStreamTarget, error) {
	if err := checkFormat(format); err != nil {
		return nil, err
	}
	return &SDKStreamTarget{api: api, inv: inv, format: format}, nil
}

func checkFormat(format string) error {
	for _, f := range Formats {
		if f == format {
			return nil
		}
	}
	return fmt.Errorf("stream format %q: want one of %v", format, Formats)
}

// Invoke implements [Target]: the whole stream is read and checked.
func (t *SDKStreamTarget) Invoke(ctx context.Context, p *Payload) error {
	_, err := t.InvokeStream(ctx, p, func(int) {})
	return err
}

// InvokeStream implements [StreamTarget].
func (t *SDKStreamTarget) InvokeStream(ctx context.Context, p *Payload, tokens func(n int)) (StreamInfo, error) {
	in := &sagemakerruntime.InvokeEndpointWithResponseStreamInput{EndpointName: aws.String(t.inv.EndpointName), Body: p.Body,
		ContentType: nonEmpty(t.inv.ContentType), Accept: nonEmpty(t.inv.Accept),
		CustomAttributes: nonEmpty(t.inv.CustomAttributes), TargetVariant: nonEmpty(t.inv.TargetVariant)}
	out, err := t.api.InvokeEndpointWithResponseStream(ctx, in, shieldBody, ownCodec)
	if err != nil {
		return StreamInfo{}, explainRefusal(err)
	}
	es := out.GetStream()
	defer es.Close()
	d := newStreamDecoder(t.format)
	var ferr error
	for ev := range es.Events() {
		part, ok := ev.(*types.ResponseStreamMemberPayloadPart)
		if !ok {
			continue
		}
		n, err := d.feed(part.Value.Bytes)
		if n > 0 {
			tokens(n)
		}
		if err != nil {
			ferr = err
			break
		}
	}
	if ferr != nil {
		return d.result(ctx, ferr, nil)
	}
	return d.result(ctx, nil, es.Err())
}

// shieldBody works around a race between smithy-go and net/http that cuts
// streams: smithy closes the request body as soon as the response headers
// arrive, and its closed body's WriteTo returns io.EOF as an error, so when
// the transport has not yet made its final read of the body (a server that
// answers at once, e.g. on 127.0.0.1), the write fails and the transport
// closes the connection under the event stream ("use of closed network
// connection"). Hiding WriteTo makes the final read an ordinary EOF.
func shieldBody(o *sagemakerruntime.Options) {
	if o.HTTPClient != nil {
		o.HTTPClient = bodyShield{o.HTTPClient}
	}
}

// ownCodec gives the call its own protocol: in smithy-go v1.28.9 the
// protocol's event stream codec keeps its payload buffer in the codec, so
// concurrent streams of one client share and overwrite it (a data race that
// can mix their payloads). restjson1.New ignores its schema argument.
func ownCodec(o *sagemakerruntime.Options) {
	o.Protocol = restjson1.New(schemas.AmazonSageMakerRuntime)
}

type bodyShield struct{ sagemakerruntime.HTTPClient }

// Do implements sagemakerruntime.HTTPClient. A successful response that
// is not an event stream is refused with a *NotStreamingError, before the
// SDK's event stream reader reports it as a bad frame.
func (c bodyShield) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = readCloserOnly{req.Body}
	}
	resp, err := c.HTTPClient.Do(req)
	if err != nil || resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != eventStreamType {
		head, _ := io.ReadAll(io.LimitReader(resp.Body, 120))
		resp.Body.Close()
		return nil, &NotStreamingError{ContentType: resp.Header.Get("Content-Type"), Received: clip(head)}
	}
	resp.Body = &bufferedBody{Reader: bufio.NewReaderSize(resp.Body, 1<<10), body: resp.Body}
	return resp, nil
}

// bufferedBody buffers an event stream under the SDK's decoder, which
// reads each message in several small reads (prelude, headers, payload,
// checksum): they are served from one buffer filled by one read of the
// body, instead of each going down the HTTP body's locks and chunked
// reader.
type bufferedBody struct {
	*bufio.Reader
	body io.ReadCloser
}

// Close implements io.Closer.
func (b *bufferedBody) Close() error { return b.body.Close() }

const eventStreamType = "application/vnd.amazon.eventstream"

// NotStreamingError says that a streamed invocation was answered with a
// successful response that is not an event stream.
type NotStreamingError struct {
	ContentType string
	Received    string // the start of the body
}

// Error implements error.
func (e *NotStreamingError) Error() string {
	return fmt.Sprintf("the endpoint did not stream: InvokeEndpointWithResponseStream was answered with Content-Type %q, not %s "+
		"(is it a streaming endpoint? run without -stream to test it request/response); received %q", e.ContentType, eventStreamType, e.Received)
}

// explainRefusal adds the likely cause to a 4xx refusal whose message is
// about streaming (SageMaker refuses to stream from a container that does
// not).
func explainRefusal(err error) error {
	var sa smithy.APIError
	if status, _, ok := apiInfo(err); !ok || status < 400 || status > 499 || !errors.As(err, &sa) ||
		!strings.Contains(strings.ToLower(sa.ErrorMessage()), "stream") {
		return err
	}
	return fmt.Errorf("%w (the endpoint refused to stream: -stream needs a container that streams its answers; run without -stream to test it request/response)", err)
}

// readCloserOnly hides every method of its ReadCloser but Read and Close.
type readCloserOnly struct{ io.ReadCloser }

// result ends a stream: the first error among the decoder's, the
// stream's and the context's, else the format's end check.
func (d *streamDecoder) result(ctx context.Context, decodeErr, streamErr error) (StreamInfo, error) {
	tokens, counted, endErr := d.finish()
	info := StreamInfo{Tokens: tokens, Counted: counted, InputTokens: d.prompt}
	switch {
	case decodeErr != nil:
		return info, decodeErr
	case streamErr != nil:
		return info, streamErr
	case ctx.Err() != nil:
		return info, ctx.Err()
	}
	return info, endErr
}

// ContainerStreamTarget streams a SageMaker-contract container's POST
// /invocations: the body, sent with chunked transfer encoding, is read as
// it arrives and fed to the format's decoder.
type ContainerStreamTarget struct {
	*ContainerTarget
	format string
}

var _ StreamTarget = (*ContainerStreamTarget)(nil)

// NewContainerStreamTarget returns a ContainerStreamTarget for ct decoding
// answers in format (one of Formats).
func NewContainerStreamTarget(ct *ContainerTarget, format string) (*ContainerStreamTarget, error) {
	if err := checkFormat(format); err != nil {
		return nil, err
	}
	return &ContainerStreamTarget{ContainerTarget: ct, format: format}, nil
}

// Invoke implements [Target]: the whole stream is read and checked.
func (t *ContainerStreamTarget) Invoke(ctx context.Context, p *Payload) error {
	_, err := t.InvokeStream(ctx, p, func(int) {})
	return err
}

// InvokeStream implements [StreamTarget].
func (t *ContainerStreamTarget) InvokeStream(ctx context.Context, p *Payload, tokens func(n int)) (StreamInfo, error) {
	req := newRequest(ctx, t.invocations, t.invocations.Host, p.Body, 2)
	if t.contentType != "" {
		req.Header.Set("Content-Type", t.contentType)
	}
	if t.accept != "" {
		req.Header.Set("Accept", t.accept)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return StreamInfo{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return StreamInfo{}, decodeError(resp.StatusCode, resp.Header, body)
	}
	return readChunks(ctx, resp, newStreamDecoder(t.format), tokens)
}

// readChunks feeds every read of resp's body to d.
func readChunks(ctx context.Context, resp *http.Response, d *streamDecoder, tokens func(int)) (StreamInfo, error) {
	buf := make([]byte, 32<<10)
	var ferr, rerr error
	for ferr == nil {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			k, err := d.feed(buf[:n])
			if k > 0 {
				tokens(k)
			}
			ferr = err
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rerr = err
			break
		}
	}
	return d.result(ctx, ferr, rerr)
}
