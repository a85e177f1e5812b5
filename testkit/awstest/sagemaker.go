package awstest

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Invocation is one request received by [SageMakerRuntime].
type Invocation struct {
	Seq              uint64    // arrival order, from 0
	Arrived          time.Time // when the handler started
	EndpointName     string    // "" for a container's /invocations
	TargetVariant    string
	ContentType      string
	Accept           string
	CustomAttributes string
	Body             []byte
}

// Fault is an error response.
type Fault struct {
	Status  int
	Code    string // sent in X-Amzn-ErrorType and as the body's "__type"
	Message string
	// Extra members of the JSON body, e.g. ModelError's OriginalStatusCode.
	Extra map[string]any
}

// Common faults, as SageMaker Runtime sends them.
var (
	// Throttling is the response to a request over the account's quota.
	Throttling = Fault{Status: 400, Code: "ThrottlingException", Message: "Rate exceeded"}
	// ModelErrorFault is SageMaker's wrapper of a container's 4xx/5xx.
	ModelErrorFault = Fault{Status: 424, Code: "ModelError", Message: "Received server error (500) from primary with message \"boom\"",
		Extra: map[string]any{"OriginalStatusCode": 500, "OriginalMessage": "boom", "LogStreamArn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/test"}}
	// Validation is a client error, e.g. an unknown endpoint.
	Validation = Fault{Status: 400, Code: "ValidationError", Message: "Endpoint test of account 123456789012 not found."}
	// InternalFailure is a server error.
	InternalFailure = Fault{Status: 500, Code: "InternalFailure", Message: "An internal error occurred"}
	// ServiceUnavailable is a server error.
	ServiceUnavailable = Fault{Status: 503, Code: "ServiceUnavailable", Message: "Service unavailable"}
)

// Response says how the server answers one invocation.
type Response struct {
	// Latency is how long the server waits before it answers, counted
	// from the request's arrival. The wait ends early if the client goes
	// away.
	Latency time.Duration
	// Fault, when not nil, is sent instead of a successful response.
	Fault *Fault
	// Hang makes the server wait until the client gives up.
	Hang bool
	// Drop closes the connection without a response (after Latency).
	Drop bool
	// Body is the successful response body (default {"ok":true}).
	Body []byte
}

// Behavior decides the response to each invocation. It is called
// concurrently.
type Behavior func(inv *Invocation) Response

// Fixed answers every request successfully after latency d.
func Fixed(d time.Duration) Behavior {
	return func(*Invocation) Response { return Response{Latency: d} }
}

// LogNormal answers successfully after a log-normally distributed latency
// with the given median and shape sigma, from a generator seeded by seed.
func LogNormal(median time.Duration, sigma float64, seed uint64) Behavior {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, seed+1))
	return func(*Invocation) Response {
		mu.Lock()
		z := rng.NormFloat64()
		mu.Unlock()
		return Response{Latency: time.Duration(float64(median) * math.Exp(sigma*z))}
	}
}

// Stalls answers after base latency, except that every period (counted from
// epoch) the server stalls for length starting at offset: a request arriving
// during a stall is held until the stall ends, then answered after base. So
// a request arriving at phase φ into the stall takes length-φ+base.
func Stalls(epoch time.Time, base, period, offset, length time.Duration) Behavior {
	return func(inv *Invocation) Response {
		phase := inv.Arrived.Sub(epoch) % period
		if phase >= offset && phase < offset+length {
			return Response{Latency: offset + length - phase + base}
		}
		return Response{Latency: base}
	}
}

// Cycle answers request i with responses[i % len(responses)]: a
// deterministic mix for counting error classes exactly.
func Cycle(responses ...Response) Behavior {
	return func(inv *Invocation) Response { return responses[inv.Seq%uint64(len(responses))] }
}

// SageMakerRuntime is a local SageMaker Runtime (and SageMaker-contract
// container) server. Its URL is the BaseEndpoint for the SDK client and the
// base URL of the container.
type SageMakerRuntime struct {
	// URL is http://127.0.0.1:PORT.
	URL string

	srv      *httptest.Server
	behavior Behavior
	auth     *SigV4Check
	ping     atomic.Int32 // status of GET /ping
	seq      atomic.Uint64
	ended    atomic.Uint64
	mu       sync.Mutex
	keep     bool
	log      []Invocation
}

// SageMakerOptions configures NewSageMakerRuntime.
type SageMakerOptions struct {
	// Behavior decides each response (default Fixed(0)).
	Behavior Behavior
	// Auth, when not nil, rejects requests whose SigV4 signature does not
	// verify, as SageMaker does (403 InvalidSignatureException or
	// UnrecognizedClientException).
	Auth *SigV4Check
	// KeepInvocations records every invocation (with its body) for
	// Invocations; leave it off for long runs.
	KeepInvocations bool
}

// NewSageMakerRuntime starts a server on 127.0.0.1. Close it when done.
func NewSageMakerRuntime(opts SageMakerOptions) *SageMakerRuntime {
	s := &SageMakerRuntime{behavior: opts.Behavior, auth: opts.Auth, keep: opts.KeepInvocations}
	if s.behavior == nil {
		s.behavior = Fixed(0)
	}
	s.ping.Store(http.StatusOK)
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("awstest: listen on 127.0.0.1: %v", err))
	}
	s.srv.Listener = ln
	s.srv.Start()
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down, closing connections still open.
func (s *SageMakerRuntime) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// SetPingStatus sets the status GET /ping answers with (default 200).
func (s *SageMakerRuntime) SetPingStatus(code int) { s.ping.Store(int32(code)) }

// Requests returns the number of invocations received so far.
func (s *SageMakerRuntime) Requests() uint64 { return s.seq.Load() }

// Ended returns the number of invocations whose handler has returned.
func (s *SageMakerRuntime) Ended() uint64 { return s.ended.Load() }

// Invocations returns the recorded invocations (with KeepInvocations).
func (s *SageMakerRuntime) Invocations() []Invocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Invocation(nil), s.log...)
}

func (s *SageMakerRuntime) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/ping":
		w.WriteHeader(int(s.ping.Load()))
		return
	case r.Method == http.MethodPost && r.URL.Path == "/invocations":
		s.invoke(w, r, "")
		return
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/endpoints/") && strings.HasSuffix(r.URL.Path, "/invocations"):
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/endpoints/"), "/invocations")
		s.invoke(w, r, name)
		return
	}
	writeFault(w, &Fault{Status: 404, Code: "UnknownOperationException", Message: r.Method + " " + r.URL.Path})
}

func (s *SageMakerRuntime) invoke(w http.ResponseWriter, r *http.Request, endpoint string) {
	arrived := time.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	inv := Invocation{
		Seq: s.seq.Add(1) - 1, Arrived: arrived, EndpointName: endpoint,
		TargetVariant: r.Header.Get("X-Amzn-SageMaker-Target-Variant"), ContentType: r.Header.Get("Content-Type"),
		Accept: r.Header.Get("Accept"), CustomAttributes: r.Header.Get("X-Amzn-SageMaker-Custom-Attributes"),
	}
	defer s.ended.Add(1)
	if s.keep {
		inv.Body = body
		s.mu.Lock()
		s.log = append(s.log, inv)
		s.mu.Unlock()
	}
	if endpoint != "" && s.auth != nil {
		if f := s.auth.verify(r, body); f != nil {
			writeFault(w, f)
			return
		}
	}
	resp := s.behavior(&inv)
	if resp.Hang {
		<-r.Context().Done()
		return
	}
	if resp.Latency > 0 {
		t := time.NewTimer(time.Until(arrived.Add(resp.Latency)))
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if resp.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if resp.Fault != nil {
		writeFault(w, resp.Fault)
		return
	}
	out := resp.Body
	if out == nil {
		out = []byte(`{"ok":true}`)
	}
	w.Header().Set("Content-Type", "application/json")
	if inv.TargetVariant != "" {
		w.Header().Set("X-Amzn-Invoked-Production-Variant", inv.TargetVariant)
	} else if endpoint != "" {
		w.Header().Set("X-Amzn-Invoked-Production-Variant", "AllTraffic")
	}
	_, _ = w.Write(out)
}

// writeFault writes a REST-JSON error as SageMaker Runtime does.
func writeFault(w http.ResponseWriter, f *Fault) {
	doc := map[string]any{}
	for k, v := range f.Extra {
		doc[k] = v
	}
	doc["__type"] = f.Code
	doc["message"] = f.Message
	b, _ := json.Marshal(doc)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", f.Code+":http://internal.amazon.com/coral/com.amazonaws.sagemaker/")
	w.WriteHeader(f.Status)
	_, _ = w.Write(b)
}
