package loadgen

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram geometry: microseconds, 3 significant digits.
const (
	lowestMicros = 1
	sigFigs      = 3
)

// NewHistogram returns an empty latency histogram in microseconds with the
// geometry every loadgen histogram uses (1 µs to highest, 3 significant
// digits). Histograms of the same geometry merge exactly.
func NewHistogram(highest time.Duration) *hdrhistogram.Histogram {
	return hdrhistogram.New(lowestMicros, max(highest.Microseconds(), 1000), sigFigs)
}

// ErrorCounts counts failed requests by class.
type ErrorCounts struct {
	Throttled  uint64 `json:"throttled"`
	ModelError uint64 `json:"model_error"`
	Client4xx  uint64 `json:"client_4xx"`
	Server5xx  uint64 `json:"server_5xx"`
	Timeout    uint64 `json:"timeout"`
	Connection uint64 `json:"connection"`
	Cancelled  uint64 `json:"cancelled"`
	Other      uint64 `json:"other"`
	// Streams only.
	StreamError  uint64 `json:"stream_error,omitempty"`
	NoEnd        uint64 `json:"no_end,omitempty"`
	NoFirstToken uint64 `json:"no_first_token,omitempty"`
}

// Total returns the number of failed requests.
func (e ErrorCounts) Total() uint64 {
	return e.Throttled + e.ModelError + e.Client4xx + e.Server5xx + e.Timeout + e.Connection + e.Cancelled + e.Other +
		e.StreamError + e.NoEnd + e.NoFirstToken
}

func errorCounts(c *[numClasses]uint64) ErrorCounts {
	return ErrorCounts{
		Throttled: c[Throttled], ModelError: c[ModelError], Client4xx: c[Client4xx], Server5xx: c[Server5xx],
		Timeout: c[Timeout], Connection: c[Connection], Cancelled: c[Cancelled], Other: c[Other],
		StreamError: c[StreamError], NoEnd: c[NoEnd], NoFirstToken: c[NoFirstToken],
	}
}

// LatencyStats are latency percentiles in microseconds, read from an
// HdrHistogram (so within 0.1% of the exact values).
type LatencyStats struct {
	Count int64   `json:"count"`
	Min   int64   `json:"min"`
	Mean  float64 `json:"mean"`
	P50   int64   `json:"p50"`
	P90   int64   `json:"p90"`
	P99   int64   `json:"p99"`
	P999  int64   `json:"p99_9"`
	Max   int64   `json:"max"`
}

// Latency returns the statistics of h.
func Latency(h *hdrhistogram.Histogram) LatencyStats {
	if h.TotalCount() == 0 {
		return LatencyStats{}
	}
	q := h.ValueAtPercentiles([]float64{50, 90, 99, 99.9})
	return LatencyStats{
		Count: h.TotalCount(), Min: h.Min(), Mean: float64(int64(h.Mean()*10)) / 10,
		P50: q[50], P90: q[90], P99: q[99], P999: q[99.9], Max: h.Max(),
	}
}

// Stats describes the results of one interval (Type "interval") or of the
// whole test (Type "summary"). Each is written as one JSON line.
type Stats struct {
	Type   string    `json:"type"`
	TestID string    `json:"test_id,omitempty"`
	Mode   string    `json:"mode"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	// Offsets of Start and End from the start of the test, in seconds.
	From float64 `json:"from_s"`
	To   float64 `json:"to_s"`
	// TargetRate is the planned rate over the period (open model only).
	TargetRate float64 `json:"target_rate,omitempty"`
	// Rate is the rate at which requests were sent. For an interval it is
	// the number sent during the interval divided by its length; for the
	// summary it is (sent-1) divided by the time between the first and the
	// last send.
	Rate float64 `json:"rate"`
	// Throughput is the rate at which responses (of any class) completed.
	Throughput float64 `json:"throughput"`
	// Requests is the number of requests that ended in the period; it
	// includes failed ones but not dropped ones.
	Requests uint64      `json:"requests"`
	OK       uint64      `json:"ok"`
	Errors   uint64      `json:"errors"`
	ByClass  ErrorCounts `json:"errors_by_class"`
	// Dropped requests were due but not sent because MaxInFlight requests
	// were already in flight: the generator (or its limit) saturated, and
	// the load offered was lower than planned.
	Dropped uint64 `json:"dropped"`
	// Latency of every request that ended, successful or not, except the
	// cancelled ones, measured from the time it was due.
	Latency LatencyStats `json:"latency_us"`
	// OutOfRange counts latencies above the histogram's range, recorded
	// as its highest value.
	OutOfRange uint64 `json:"latency_out_of_range,omitempty"`
	// MaxSendLag is the largest delay between a request's due time and
	// its actual send, in microseconds: a large value means the generator
	// could not keep up (its CPU, or MaxInFlight).
	MaxSendLag int64 `json:"max_send_lag_us"`
	// FirstErrors holds the first error message seen in each class (the
	// summary's only; empty, and left out of the JSON, when none failed).
	FirstErrors map[string]string `json:"first_errors,omitempty"`
	// Stream holds the token measurements of a streaming test.
	Stream *StreamStats `json:"stream,omitempty"`
}

// counts accumulates the results of one period.
type counts struct {
	requests, ok, dropped uint64
	classes               [numClasses]uint64
	outOfRange            uint64
	maxLag                time.Duration
	firstSent, lastSent   time.Duration
	sent                  uint64 // results with a send time
}

func (c *counts) add(r *Result) {
	if r.Dropped {
		c.dropped++
		return
	}
	c.requests++
	c.classes[r.Class]++
	if r.Class == OK {
		c.ok++
	}
	c.maxLag = max(c.maxLag, r.Sent-r.Due)
	if c.sent == 0 {
		c.firstSent, c.lastSent = r.Sent, r.Sent
	}
	c.firstSent, c.lastSent = min(c.firstSent, r.Sent), max(c.lastSent, r.Sent)
	c.sent++
}

// recorder turns results into histograms and counts. It is owned by a single
// goroutine: HdrHistograms are not safe for concurrent use.
type recorder struct {
	start       time.Time
	highest     int64
	interval    *hdrhistogram.Histogram
	total       *hdrhistogram.Histogram
	iv, tot     counts
	ivStart     time.Time
	firstErrors map[string]string
	stream      *streamRecorder // nil unless the target streams
}

func newRecorder(start time.Time, highest time.Duration) *recorder {
	return &recorder{
		start:       start,
		highest:     highest.Microseconds(),
		interval:    NewHistogram(highest),
		total:       NewHistogram(highest),
		ivStart:     start,
		firstErrors: map[string]string{},
	}
}

func (r *recorder) add(res *Result) {
	r.iv.add(res)
	r.tot.add(res)
	if r.stream != nil {
		r.stream.add(res)
	}
	if res.Dropped || res.Class == Cancelled {
		return
	}
	us := max(res.Latency.Microseconds(), lowestMicros)
	if us > r.interval.HighestTrackableValue() {
		r.iv.outOfRange++
		r.tot.outOfRange++
		us = r.interval.HighestTrackableValue()
	}
	// Both histograms have the same geometry and us is in range: these
	// cannot fail.
	_ = r.interval.RecordValue(us)
	_ = r.total.RecordValue(us)
	if res.Class != OK && res.Err != nil {
		if _, seen := r.firstErrors[res.Class.String()]; !seen {
			r.firstErrors[res.Class.String()] = res.Err.Error()
		}
	}
}

func (r *recorder) stats(typ string, c *counts, h *hdrhistogram.Histogram, from, to time.Time) Stats {
	s := Stats{
		Type: typ, Start: from.UTC(), End: to.UTC(),
		From: round3(from.Sub(r.start).Seconds()), To: round3(to.Sub(r.start).Seconds()),
		Requests: c.requests, OK: c.ok, Errors: c.requests - c.ok, ByClass: errorCounts(&c.classes),
		Dropped: c.dropped, Latency: Latency(h), OutOfRange: c.outOfRange, MaxSendLag: c.maxLag.Microseconds(),
	}
	if d := to.Sub(from).Seconds(); d > 0 {
		s.Throughput = round3(float64(c.requests) / d)
	}
	return s
}

// takeInterval returns the interval ending at now and its histogram, and
// starts the next interval.
func (r *recorder) takeInterval(now time.Time) (Stats, *hdrhistogram.Histogram) {
	s := r.stats("interval", &r.iv, r.interval, r.ivStart, now)
	if r.stream != nil {
		s.Stream = r.stream.takeInterval(now.Sub(r.ivStart).Seconds())
	}
	h := r.interval
	h.SetStartTimeMs(r.ivStart.UnixMilli())
	h.SetEndTimeMs(now.UnixMilli())
	r.interval = NewHistogram(time.Duration(r.highest) * time.Microsecond)
	r.iv = counts{}
	r.ivStart = now
	return s, h
}

// summary returns the statistics of the whole test, ending at now.
func (r *recorder) summary(now time.Time) Stats {
	s := r.stats("summary", &r.tot, r.total, r.start, now)
	if r.stream != nil {
		s.Stream = r.stream.stats(&r.stream.totc, r.stream.total, now.Sub(r.start).Seconds())
	}
	// Sends at two different times make at least two sends.
	if c := r.tot; c.lastSent > c.firstSent {
		s.Rate = round3(float64(c.sent-1) / (c.lastSent - c.firstSent).Seconds())
	} else {
		s.Rate = s.Throughput
	}
	// Empty when nothing failed: omitted from the JSON line.
	s.FirstErrors = r.firstErrors
	return s
}

func round3(x float64) float64 {
	return float64(int64(x*1000+0.5)) / 1000
}
