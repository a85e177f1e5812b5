package awstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// Stream formats the fake LLM server writes (see [StreamOptions.Format]).
const (
	// StreamTGI is TGI's server-sent events: data:{"token":{...},"generated_text":null}.
	StreamTGI = "tgi"
	// StreamJSONLines is LMI's JSON Lines: one {"token":{...}} per line.
	StreamJSONLines = "jsonl"
	// StreamOpenAI is OpenAI chat completion chunks, a final usage chunk
	// and data: [DONE].
	StreamOpenAI = "openai"
	// StreamText is plain text, one chunk per token.
	StreamText = "text"
)

// TokenModel is the timing of a fake LLM server that batches continuously:
// a request waits for one of MaxSeqs sequence slots (first come, first
// served), spends PrefillPerToken per input token before its first token,
// then emits one token per decode step, a step lasting StepBase plus
// StepPerSeq for every other sequence decoding when the step starts.
type TokenModel struct {
	PrefillPerToken time.Duration
	StepBase        time.Duration
	StepPerSeq      time.Duration
	// MaxSeqs is the most sequences admitted at once (0: no limit).
	MaxSeqs int
	// OutputTokens is the length of an answer whose request does not ask
	// for one (parameters.max_new_tokens, max_tokens).
	OutputTokens int
}

// Step returns the length of a decode step with n sequences decoding.
func (m TokenModel) Step(n int) time.Duration {
	return m.StepBase + time.Duration(max(n-1, 0))*m.StepPerSeq
}

// TTFT returns the time to first token of a request of in input tokens
// admitted at once: its prefill and one decode step with n sequences.
func (m TokenModel) TTFT(in, n int) time.Duration {
	return time.Duration(in)*m.PrefillPerToken + m.Step(n)
}

// StreamFault breaks one streamed response.
type StreamFault int

// The faults a [StreamScript] can choose.
const (
	NoStreamFault StreamFault = iota
	// FaultModelStreamError sends a ModelStreamError exception event after
	// FailAfter tokens.
	FaultModelStreamError
	// FaultInternalStreamFailure sends an InternalStreamFailure exception
	// event after FailAfter tokens.
	FaultInternalStreamFailure
	// FaultCut ends the response after FailAfter tokens, cleanly, but
	// without the format's end (no generated_text, no [DONE]).
	FaultCut
	// FaultNoFirstToken sends the headers, then nothing until the client
	// goes away.
	FaultNoFirstToken
	// FaultNotStreaming answers as a container that does not stream
	// would through InvokeEndpoint: 200, Content-Type application/json
	// and the whole answer as one JSON document, not an event stream.
	FaultNotStreaming
	// FaultWholeAnswer sends the whole answer as one JSON document in a
	// single PayloadPart event (container mode: one chunk), as a container
	// that does not stream answers.
	FaultWholeAnswer
)

// StreamPlan says how the server answers one streamed invocation.
type StreamPlan struct {
	Fault     StreamFault
	FailAfter int // tokens sent before the fault
	// Stall holds the response this long before its first token.
	Stall time.Duration
	// Reject, when not nil, answers with this error response instead of
	// a stream (e.g. RejectStreaming).
	Reject *Fault
}

// RejectStreaming is a stand-in for SageMaker's refusal to stream from a
// container that does not support it. The exact code and message could
// not be checked without AWS: a 400 ValidationError is what SageMaker
// answers to requests it refuses before the container.
var RejectStreaming = &Fault{Status: 400, Code: "ValidationError", Message: "Model does not support streaming"}

// StreamScript decides each streamed response's plan. It is called
// concurrently.
type StreamScript func(inv *Invocation) StreamPlan

// StreamOptions configures NewStreamingRuntime.
type StreamOptions struct {
	Model  TokenModel
	Format string // StreamTGI (default), StreamJSONLines, StreamOpenAI or StreamText
	// Split writes every message in two payload parts (event stream) or
	// two chunks (container), cut in its middle.
	Split bool
	// Script, when not nil, breaks or stalls chosen responses.
	Script StreamScript
	// Auth, when not nil, checks SigV4 signatures as SageMaker does.
	Auth *SigV4Check
}

// StreamingRuntime is a fake LLM endpoint: it serves SageMaker Runtime's
// InvokeEndpointWithResponseStream (POST
// /endpoints/NAME/invocations-response-stream) with real event stream
// frames written by the SDK's eventstream encoder, and a container's
// streamed POST /invocations (chunked transfer encoding), both timed by its
// TokenModel.
type StreamingRuntime struct {
	// URL is http://127.0.0.1:PORT.
	URL string

	srv     *httptest.Server
	opts    StreamOptions
	slots   chan struct{} // nil: no limit
	seq     atomic.Uint64
	ended   atomic.Uint64
	tokens  atomic.Uint64
	mu      sync.Mutex
	decode  int // sequences decoding
	maxSeen int
}

// NewStreamingRuntime starts a server on 127.0.0.1. Close it when done.
func NewStreamingRuntime(opts StreamOptions) *StreamingRuntime {
	if opts.Format == "" {
		opts.Format = StreamTGI
	}
	s := &StreamingRuntime{opts: opts}
	if opts.Model.MaxSeqs > 0 {
		s.slots = make(chan struct{}, opts.Model.MaxSeqs)
	}
	s.srv = startLoopback(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down, closing connections still open.
func (s *StreamingRuntime) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Requests returns the number of invocations received so far.
func (s *StreamingRuntime) Requests() uint64 { return s.seq.Load() }

// Ended returns the number of invocations whose handler has returned.
func (s *StreamingRuntime) Ended() uint64 { return s.ended.Load() }

// TokensSent returns the number of tokens written so far.
func (s *StreamingRuntime) TokensSent() uint64 { return s.tokens.Load() }

// MaxDecoding returns the most sequences that decoded at once.
func (s *StreamingRuntime) MaxDecoding() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxSeen
}

func (s *StreamingRuntime) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/ping":
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodPost && r.URL.Path == "/invocations":
		s.invoke(w, r, "")
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/endpoints/") && strings.HasSuffix(r.URL.Path, "/invocations-response-stream"):
		s.invoke(w, r, strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/endpoints/"), "/invocations-response-stream"))
	default:
		writeFault(w, &Fault{Status: 404, Code: "UnknownOperationException", Message: r.Method + " " + r.URL.Path})
	}
}

// frameWriter writes one response's bytes: as PayloadPart events of an
// event stream, or as raw chunks; it flushes every write.
type frameWriter struct {
	w      http.ResponseWriter
	enc    *eventstream.Encoder // nil: raw chunks (container)
	split  bool
	failed bool
}

func (f *frameWriter) part(b []byte) {
	if f.enc == nil {
		_, err := f.w.Write(b)
		f.failed = f.failed || err != nil
	} else {
		msg := eventstream.Message{Payload: b}
		msg.Headers.Set(":message-type", eventstream.StringValue("event"))
		msg.Headers.Set(":event-type", eventstream.StringValue("PayloadPart"))
		msg.Headers.Set(":content-type", eventstream.StringValue("application/octet-stream"))
		f.failed = f.failed || f.enc.Encode(f.w, msg) != nil
	}
	f.w.(http.Flusher).Flush()
}

// message writes one message, in two parts when split.
func (f *frameWriter) message(b []byte) {
	if f.split && len(b) > 1 {
		f.part(b[:len(b)/2])
		f.part(b[len(b)/2:])
		return
	}
	f.part(b)
}

// exception writes an exception event (event stream only).
func (f *frameWriter) exception(code, message string) {
	if f.enc == nil {
		panic(http.ErrAbortHandler) // a container can only break the connection
	}
	body, _ := json.Marshal(map[string]string{"Message": message, "ErrorCode": code})
	msg := eventstream.Message{Payload: body}
	msg.Headers.Set(":message-type", eventstream.StringValue("exception"))
	msg.Headers.Set(":exception-type", eventstream.StringValue(code))
	msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
	_ = f.enc.Encode(f.w, msg)
	f.w.(http.Flusher).Flush()
}

func (s *StreamingRuntime) invoke(w http.ResponseWriter, r *http.Request, endpoint string) {
	arrived := time.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	inv := Invocation{Seq: s.seq.Add(1) - 1, Arrived: arrived, EndpointName: endpoint, ContentType: r.Header.Get("Content-Type"), Body: body}
	defer s.ended.Add(1)
	if endpoint != "" && s.opts.Auth != nil {
		if f := s.opts.Auth.verify(r, body); f != nil {
			writeFault(w, f)
			return
		}
	}
	var plan StreamPlan
	if s.opts.Script != nil {
		plan = s.opts.Script(&inv)
	}
	in, out := requestTokens(body, s.opts.Model.OutputTokens)
	switch {
	case plan.Reject != nil:
		writeFault(w, plan.Reject)
		return
	case plan.Fault == FaultNotStreaming:
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, wholeAnswer, out)
		return
	}
	fw := &frameWriter{w: w, split: s.opts.Split}
	if endpoint != "" {
		fw.enc = eventstream.NewEncoder()
		w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
		w.Header().Set("X-Amzn-SageMaker-Content-Type", "text/event-stream")
		w.Header().Set("X-Amzn-Invoked-Production-Variant", "AllTraffic")
	} else {
		w.Header().Set("Content-Type", "text/event-stream")
	}
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	if plan.Fault == FaultWholeAnswer {
		fw.part(fmt.Appendf(nil, wholeAnswer, out))
		return
	}
	if plan.Fault == FaultNoFirstToken {
		<-r.Context().Done()
		return
	}
	s.generate(r, fw, plan, in, out)
}

// generate waits for a slot, prefills, then writes out tokens (or the
// plan's fault), one per decode step.
func (s *StreamingRuntime) generate(r *http.Request, fw *frameWriter, plan StreamPlan, in, out int) {
	ctx := r.Context()
	if s.slots != nil {
		select {
		case s.slots <- struct{}{}:
			defer func() { <-s.slots }()
		case <-ctx.Done():
			return
		}
	}
	if !sleepCtx(r, plan.Stall+time.Duration(in)*s.opts.Model.PrefillPerToken) {
		return
	}
	s.join(1)
	defer s.join(-1)
	f := newTokenFormat(s.opts.Format, in, out)
	for i := range out {
		if !sleepCtx(r, s.opts.Model.Step(s.decoding())) {
			return
		}
		if plan.Fault != NoStreamFault && i == plan.FailAfter {
			s.fail(fw, plan.Fault)
			return
		}
		fw.message(f.token(i))
		s.tokens.Add(1)
		if fw.failed {
			return
		}
	}
	if plan.Fault != NoStreamFault && plan.FailAfter >= out {
		s.fail(fw, plan.Fault)
		return
	}
	if end := f.end(); len(end) > 0 {
		fw.message(end)
	}
}

func (s *StreamingRuntime) fail(fw *frameWriter, f StreamFault) {
	switch f {
	case FaultModelStreamError:
		fw.exception("ModelStreamError", "Model stream error: CUDA out of memory")
	case FaultInternalStreamFailure:
		fw.exception("InternalStreamFailure", "Internal stream failure")
	}
	// FaultCut: return without the end.
}

func (s *StreamingRuntime) join(d int) {
	s.mu.Lock()
	s.decode += d
	s.maxSeen = max(s.maxSeen, s.decode)
	s.mu.Unlock()
}

func (s *StreamingRuntime) decoding() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.decode
}

// wholeAnswer is the answer of a container that does not stream.
const wholeAnswer = `[{"generated_text":"t0 t1 t2 (%d tokens, not streamed)"}]`

// sleepCtx waits d, and reports false if the client went away first.
func sleepCtx(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return r.Context().Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// requestTokens reads a request body's input tokens (words of inputs,
// prompt or messages[].content) and wanted output tokens
// (parameters.max_new_tokens, max_tokens or max_new_tokens; def when
// none).
func requestTokens(body []byte, def int) (in, out int) {
	var doc struct {
		Inputs     string                     `json:"inputs"`
		Prompt     string                     `json:"prompt"`
		Messages   []struct{ Content string } `json:"messages"`
		Parameters struct {
			MaxNewTokens int `json:"max_new_tokens"`
		} `json:"parameters"`
		MaxTokens    int `json:"max_tokens"`
		MaxNewTokens int `json:"max_new_tokens"`
	}
	_ = json.Unmarshal(body, &doc)
	text := doc.Inputs + " " + doc.Prompt
	for _, m := range doc.Messages {
		text += " " + m.Content
	}
	in = len(strings.Fields(text))
	out = max(doc.Parameters.MaxNewTokens, doc.MaxTokens, doc.MaxNewTokens)
	if out == 0 {
		out = def
	}
	return in, out
}

// tokenFormat renders the messages of one answer in a format.
type tokenFormat struct {
	format  string
	in, out int
}

func newTokenFormat(format string, in, out int) *tokenFormat {
	return &tokenFormat{format: format, in: in, out: out}
}

// token returns the message carrying token i.
func (f *tokenFormat) token(i int) []byte {
	text := fmt.Sprintf(" t%d", i)
	switch f.format {
	case StreamOpenAI:
		return fmt.Appendf(nil, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":%q},\"finish_reason\":null}]}\n\n", text)
	case StreamText:
		return []byte(text)
	}
	gen := "null"
	if i == f.out-1 {
		var b bytes.Buffer
		for j := range f.out {
			fmt.Fprintf(&b, " t%d", j)
		}
		gen = fmt.Sprintf("%q", b.String())
	}
	ev := fmt.Sprintf("{\"token\":{\"id\":%d,\"text\":%q,\"logprob\":-0.5,\"special\":false},\"generated_text\":%s,\"details\":null}", 100+i, text, gen)
	if f.format == StreamJSONLines {
		return []byte(ev + "\n")
	}
	return []byte("data:" + ev + "\n\n")
}

// end returns what follows the last token: OpenAI's usage chunk and
// [DONE]; nothing for the others (TGI's end is its generated_text).
func (f *tokenFormat) end() []byte {
	if f.format != StreamOpenAI {
		return nil
	}
	return fmt.Appendf(nil, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":%d,\"completion_tokens\":%d,\"total_tokens\":%d}}\n\ndata: [DONE]\n\n", f.in, f.out, f.in+f.out)
}
