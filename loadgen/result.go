package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// Class is the outcome of one request.
type Class uint8

// The outcome classes. Every request that was sent ends in exactly one class.
const (
	OK           Class = iota // a 2xx response
	Throttled                 // ThrottlingException or any 429
	ModelError                // SageMaker ModelError (424): the container answered 4xx/5xx
	Client4xx                 // any other 4xx (ValidationError, SigV4 rejection, ...)
	Server5xx                 // any 5xx (InternalFailure, ServiceUnavailable, ...)
	Timeout                   // no response within the request timeout
	Connection                // could not connect, or the connection broke
	Cancelled                 // still in flight when the grace period after stop ran out
	Other                     // anything else (e.g. a response that could not be decoded)
	StreamError               // a ModelStreamError or InternalStreamFailure event ended a stream
	NoEnd                     // a stream ended without its format's end (ErrNoEnd)
	NoFirstToken              // no token within the first-token timeout
	numClasses
)

var classNames = [numClasses]string{"ok", "throttled", "model_error", "client_4xx", "server_5xx", "timeout", "connection", "cancelled", "other",
	"stream_error", "no_end", "no_first_token"}

// String returns the class name used in outputs, e.g. "model_error".
func (c Class) String() string {
	if c < numClasses {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", c)
}

// Result is the outcome of one scheduled request.
type Result struct {
	Seq     uint64        // request number, from 0
	Due     time.Duration // when it was due, from the start of the test
	Sent    time.Duration // when it was actually handed to the target
	Latency time.Duration // from Due to the end of the response (open model)
	Class   Class
	Dropped bool  // not sent: every one of MaxInFlight requests was in flight
	Err     error // nil for OK and dropped requests
	// Stream holds the token measurements of a streamed answer (nil for
	// a request/response target).
	Stream *StreamResult
}

// StreamResult is what one streamed answer measured. TTFT is measured
// from the request's due time, like Latency; gaps between token arrivals.
type StreamResult struct {
	TTFT   time.Duration   // due time to first token (0: none arrived)
	Gaps   []time.Duration // between successive token arrivals
	Decode time.Duration   // first to last token arrival
	Events int             // token arrivals
	Tokens int             // output tokens (StreamInfo.Tokens)
	// Counted says what Tokens counts (CountedTokens, CountedUsage,
	// CountedChunks).
	Counted string
	// InputTokens is the prompt's length, counted as InputCounted says
	// (InputUsage, InputEstimated or InputWords); 0 when unknown (a
	// -body or -payload request the server did not report).
	InputTokens  int
	InputCounted string
}

// TPOT returns the time per output token after the first, Decode /
// (Tokens − 1), and false for an answer of fewer than two tokens.
func (s *StreamResult) TPOT() (time.Duration, bool) {
	if s.Tokens < 2 {
		return 0, false
	}
	return s.Decode / time.Duration(s.Tokens-1), true
}

// APIError is an error response from an endpoint or a container, decoded from
// SageMaker's REST-JSON error format where there is one.
type APIError struct {
	StatusCode int    // HTTP status
	Code       string // e.g. "ThrottlingException", "ModelError"; may be empty
	Message    string
}

// Error implements error.
func (e *APIError) Error() string {
	switch {
	case e.Code != "" && e.Message != "":
		return fmt.Sprintf("HTTP %d %s: %s", e.StatusCode, e.Code, e.Message)
	case e.Code != "":
		return fmt.Sprintf("HTTP %d %s", e.StatusCode, e.Code)
	case e.Message != "":
		return fmt.Sprintf("HTTP %d: %s", e.StatusCode, e.Message)
	}
	return fmt.Sprintf("HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
}

// authCodes are the error codes with which AWS rejects a request's
// credentials or signature. Retrying them cannot help.
var authCodes = map[string]bool{
	"InvalidSignatureException":    true,
	"SignatureDoesNotMatch":        true,
	"IncompleteSignature":          true,
	"IncompleteSignatureException": true,
	"UnrecognizedClientException":  true,
	"InvalidClientTokenId":         true,
	"MissingAuthenticationToken":   true,
	"AccessDeniedException":        true,
	"ExpiredTokenException":        true,
	"ExpiredToken":                 true,
}

// apiInfo extracts the status and error code from our own *APIError or from
// the SDK's error types.
func apiInfo(err error) (status int, code string, ok bool) {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode, ae.Code, true
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status, ok = re.HTTPStatusCode(), true
	}
	var sa smithy.APIError
	if errors.As(err, &sa) {
		code, ok = sa.ErrorCode(), true
		if status == 0 {
			switch sa.ErrorFault() {
			case smithy.FaultServer:
				status = 500
			default:
				status = 400
			}
		}
	}
	return status, code, ok
}

// classify maps an error returned by a Target to a Class. reqCtx is the
// context of the single request; stopCtx is cancelled when the grace period
// after the end of the test runs out.
func classify(err error, reqCtx, stopCtx context.Context) Class {
	if err == nil {
		return OK
	}
	if stopCtx.Err() != nil {
		return Cancelled
	}
	if context.Cause(reqCtx) == errNoFirstToken {
		return NoFirstToken
	}
	if errors.Is(err, ErrNoEnd) {
		return NoEnd
	}
	if status, code, ok := apiInfo(err); ok {
		switch {
		case code == "ModelStreamError" || code == "InternalStreamFailure":
			return StreamError
		case strings.Contains(code, "Throttl") || code == "TooManyRequestsException" || status == http.StatusTooManyRequests:
			return Throttled
		case code == "ModelError" || status == http.StatusFailedDependency:
			return ModelError
		case status >= 400 && status < 500:
			return Client4xx
		case status >= 500:
			return Server5xx
		}
	}
	if context.Cause(reqCtx) == errRequestTimeout || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errRequestTimeout) {
		return Timeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return Timeout
	}
	var oe *net.OpError
	if errors.As(err, &oe) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return Connection
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return Connection
	}
	if errors.Is(err, context.Canceled) {
		return Cancelled
	}
	return Other
}

// isAuthError reports whether err is a rejection of our credentials.
func isAuthError(err error) bool {
	status, code, ok := apiInfo(err)
	return ok && (authCodes[code] || (code == "" && status == http.StatusForbidden))
}
