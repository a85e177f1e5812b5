package loadgen

import (
	"fmt"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// maxTokensPerRequest is the highest output token count the histogram of
// tokens per request tracks exactly.
const maxTokensPerRequest = 1_000_000

// SLO is what a streamed request must meet to count in the goodput. A
// zero field is not checked. TTFT and E2E are measured from the request's
// due time.
type SLO struct {
	TTFT time.Duration // time to first token
	TPOT time.Duration // time per output token after the first
	E2E  time.Duration // end to end
}

// IsZero reports whether no objective is set.
func (s SLO) IsZero() bool { return s == SLO{} }

// String describes s, e.g. "ttft<=500ms tpot<=50ms".
func (s SLO) String() string {
	var parts []string
	for _, o := range []struct {
		name string
		d    time.Duration
	}{{"ttft", s.TTFT}, {"tpot", s.TPOT}, {"e2e", s.E2E}} {
		if o.d > 0 {
			parts = append(parts, fmt.Sprintf("%s<=%v", o.name, o.d))
		}
	}
	return strings.Join(parts, " ")
}

// met reports whether r, a streamed result, meets every objective.
func (s SLO) met(r *Result) bool {
	if r.Class != OK || r.Stream == nil || r.Stream.Events == 0 {
		return false
	}
	if s.TTFT > 0 && r.Stream.TTFT > s.TTFT {
		return false
	}
	if s.E2E > 0 && r.Latency > s.E2E {
		return false
	}
	if tpot, ok := r.Stream.TPOT(); s.TPOT > 0 && ok && tpot > s.TPOT {
		return false
	}
	return true
}

// StreamHistograms are one period's token histograms: TTFT, inter-token
// gaps and TPOT in microseconds (the latency geometry), output tokens per
// successful request.
type StreamHistograms struct {
	TTFT, ITL, TPOT, Tokens *hdrhistogram.Histogram
}

func newStreamHistograms(highest time.Duration) *StreamHistograms {
	return &StreamHistograms{
		TTFT: NewHistogram(highest), ITL: NewHistogram(highest), TPOT: NewHistogram(highest),
		Tokens: hdrhistogram.New(1, maxTokensPerRequest, sigFigs),
	}
}

// StreamStats are the token measurements of one period of a streaming
// test.
type StreamStats struct {
	// Counted says what token counts are made of: "tokens" (the
	// server's token events), "tokens (usage)" or "chunks (not tokens)".
	Counted string       `json:"counted"`
	TTFT    LatencyStats `json:"ttft_us"`
	ITL     LatencyStats `json:"itl_us"`
	TPOT    LatencyStats `json:"tpot_us"`
	// OutputTokensPerRequest is over successful requests.
	OutputTokensPerRequest LatencyStats `json:"output_tokens_per_request"`
	// OutputTokens counts the output of successful requests;
	// PartialTokens what failed requests received before they failed
	// (not counted as output).
	OutputTokens          uint64  `json:"output_tokens"`
	PartialTokens         uint64  `json:"partial_tokens"`
	OutputTokensPerSecond float64 `json:"output_tokens_per_s"`
	// Good counts the requests that met every objective of SLO, and
	// Goodput is their rate per second (only with an SLO).
	SLO     string  `json:"slo,omitempty"`
	Good    uint64  `json:"good,omitempty"`
	Goodput float64 `json:"goodput,omitempty"`
	// InputTokens sums the prompts' lengths over the streamed requests
	// sent with a known length, InputTokensPerRequest is their mean, and
	// InputCounted says how they were counted (InputUsage,
	// InputEstimated or InputWords).
	InputTokens           uint64  `json:"input_tokens,omitempty"`
	InputTokensPerRequest float64 `json:"input_tokens_per_request,omitempty"`
	InputCounted          string  `json:"input_tokens_counted,omitempty"`

	// Histograms of the period (not serialized).
	Histograms *StreamHistograms `json:"-"`
}

// streamCounts accumulates one period's token counts.
type streamCounts struct {
	output, partial, good uint64
	counted               string
	input, inputReqs      uint64
	inputCounted          string
}

// streamRecorder records the token measurements of streamed results. Like
// recorder, it is owned by one goroutine.
type streamRecorder struct {
	slo       SLO
	highest   time.Duration
	iv, total *StreamHistograms
	ivc, totc streamCounts
}

func newStreamRecorder(highest time.Duration, slo SLO) *streamRecorder {
	return &streamRecorder{slo: slo, highest: highest, iv: newStreamHistograms(highest), total: newStreamHistograms(highest)}
}

func (sr *streamRecorder) add(r *Result) {
	s := r.Stream
	if s == nil {
		return
	}
	for _, c := range []*streamCounts{&sr.ivc, &sr.totc} {
		if s.Counted != "" && s.Counted != countedNone {
			c.counted = s.Counted
		}
		if r.Class == OK {
			c.output += uint64(s.Tokens)
		} else {
			c.partial += uint64(s.Events)
		}
		if !sr.slo.IsZero() && sr.slo.met(r) {
			c.good++
		}
		if s.InputTokens > 0 {
			c.input += uint64(s.InputTokens)
			c.inputReqs++
			c.inputCounted = mergeCounted(c.inputCounted, s.InputCounted)
		}
	}
	for _, h := range []*StreamHistograms{sr.iv, sr.total} {
		h.record(r, r.Class != Cancelled)
	}
}

// record adds r to h: TTFT and gaps of any stream that received tokens
// (except cancelled ones), TPOT and tokens of successful ones.
func (h *StreamHistograms) record(r *Result, timed bool) {
	s := r.Stream
	if timed && s.Events > 0 {
		recordMicros(h.TTFT, s.TTFT)
		for _, g := range s.Gaps {
			recordMicros(h.ITL, g)
		}
	}
	if r.Class != OK {
		return
	}
	if tpot, ok := s.TPOT(); ok {
		recordMicros(h.TPOT, tpot)
	}
	_ = h.Tokens.RecordValue(min(max(int64(s.Tokens), 1), maxTokensPerRequest))
}

// recordMicros records d in µs, clamped to h's range.
func recordMicros(h *hdrhistogram.Histogram, d time.Duration) {
	us := min(max(d.Microseconds(), lowestMicros), h.HighestTrackableValue())
	_ = h.RecordValue(us)
}

// stats returns the statistics of a period of seconds length.
func (sr *streamRecorder) stats(c *streamCounts, h *StreamHistograms, seconds float64) *StreamStats {
	s := &StreamStats{
		Counted: c.counted, TTFT: Latency(h.TTFT), ITL: Latency(h.ITL), TPOT: Latency(h.TPOT),
		OutputTokensPerRequest: Latency(h.Tokens), OutputTokens: c.output, PartialTokens: c.partial, Histograms: h,
	}
	if s.Counted == "" {
		s.Counted = countedNone
	}
	if c.inputReqs > 0 {
		s.InputTokens, s.InputCounted = c.input, c.inputCounted
		s.InputTokensPerRequest = round3(float64(c.input) / float64(c.inputReqs))
	}
	if seconds > 0 {
		s.OutputTokensPerSecond = round3(float64(c.output) / seconds)
	}
	if !sr.slo.IsZero() {
		s.SLO, s.Good = sr.slo.String(), c.good
		if seconds > 0 {
			s.Goodput = round3(float64(c.good) / seconds)
		}
	}
	return s
}

// takeInterval returns the interval's statistics and starts the next.
func (sr *streamRecorder) takeInterval(seconds float64) *StreamStats {
	s := sr.stats(&sr.ivc, sr.iv, seconds)
	sr.iv, sr.ivc = newStreamHistograms(sr.highest), streamCounts{}
	return s
}

// mergeCounted combines how two sets of counts were made: the same way,
// or "mixed: A and B".
func mergeCounted(have, add string) string {
	switch {
	case have == "" || have == add:
		return add
	case strings.HasPrefix(have, "mixed: "):
		if strings.Contains(have, add) {
			return have
		}
		return have + " and " + add
	}
	return "mixed: " + have + " and " + add
}
