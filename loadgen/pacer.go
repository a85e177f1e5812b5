package loadgen

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// A Pacer is a load plan for the open model: it says when each request is due.
//
// Unlike vegeta's Pace(elapsed, hits), which returns how long to wait from now,
// a Pacer returns the due time of request n as an offset from the start of the
// test. The due time is what latency is measured from, so it must be exact and
// must not drift with the scheduler's own delays.
//
// Implementations must be safe for concurrent use; the ones in this package
// are immutable values.
type Pacer interface {
	// Due returns the offset from the start at which request n (counted from
	// 0) is due, and false when the plan has no request n.
	Due(n uint64) (time.Duration, bool)
	// Planned returns how many requests the plan schedules in [0, elapsed), as
	// a real number (used to report the target rate of an interval).
	Planned(elapsed time.Duration) float64
	// Rate returns the planned rate, in requests per second, at elapsed.
	Rate(elapsed time.Duration) float64
	// Duration returns the length of the plan (0 when it is unbounded).
	Duration() time.Duration
	// String describes the plan, e.g. "constant 50/s for 1m0s".
	String() string
}

var (
	_ Pacer = ConstantPacer{}
	_ Pacer = StepsPacer{}
	_ Pacer = LinearPacer{}
)

// ErrBadRate is returned (wrapped) for a rate that is zero, negative or not a
// number.
var ErrBadRate = errors.New("rate must be a positive number of requests per second")

func offset(seconds float64) time.Duration {
	return time.Duration(math.Round(seconds * float64(time.Second)))
}

// ConstantPacer sends PerSecond requests per second for Length (forever when Length
// is 0).
type ConstantPacer struct {
	PerSecond float64       // requests per second, > 0
	Length    time.Duration // 0 means unbounded
}

// NewConstantPacer returns a constant-rate plan, or an error wrapping
// [ErrBadRate] when rate is not positive.
func NewConstantPacer(rate float64, length time.Duration) (ConstantPacer, error) {
	if !(rate > 0) || math.IsInf(rate, 0) {
		return ConstantPacer{}, fmt.Errorf("constant rate %v: %w", rate, ErrBadRate)
	}
	if length < 0 {
		return ConstantPacer{}, fmt.Errorf("duration %v: must not be negative", length)
	}
	return ConstantPacer{PerSecond: rate, Length: length}, nil
}

// Due implements [Pacer].
func (p ConstantPacer) Due(n uint64) (time.Duration, bool) {
	at := offset(float64(n) / p.PerSecond)
	if p.Length > 0 && at >= p.Length {
		return 0, false
	}
	return at, true
}

// Planned implements [Pacer].
func (p ConstantPacer) Planned(elapsed time.Duration) float64 {
	if p.Length > 0 && elapsed > p.Length {
		elapsed = p.Length
	}
	return elapsed.Seconds() * p.PerSecond
}

// Rate implements [Pacer].
func (p ConstantPacer) Rate(elapsed time.Duration) float64 {
	if p.Length > 0 && elapsed >= p.Length {
		return 0
	}
	return p.PerSecond
}

// Duration implements [Pacer].
func (p ConstantPacer) Duration() time.Duration { return p.Length }

// String implements [Pacer].
func (p ConstantPacer) String() string {
	if p.Length == 0 {
		return fmt.Sprintf("constant %g/s until stopped", p.PerSecond)
	}
	return fmt.Sprintf("constant %g/s for %v", p.PerSecond, p.Length)
}

// Step is one stage of a [StepsPacer].
type Step struct {
	Rate     float64       // requests per second, > 0
	Duration time.Duration // > 0
}

// StepsPacer runs a list of constant-rate steps one after the other.
type StepsPacer struct {
	steps []Step
	// hits[i] is the number of requests planned before step i starts.
	hits []float64
	// starts[i] is the offset at which step i starts.
	starts []time.Duration
}

// NewStepsPacer returns a plan made of steps, which must all have a positive
// rate and duration.
func NewStepsPacer(steps []Step) (StepsPacer, error) {
	if len(steps) == 0 {
		return StepsPacer{}, errors.New("steps: at least one step is needed")
	}
	p := StepsPacer{steps: append([]Step(nil), steps...)}
	var hits float64
	var start time.Duration
	for i, s := range steps {
		if !(s.Rate > 0) || math.IsInf(s.Rate, 0) {
			return StepsPacer{}, fmt.Errorf("step %d: rate %v: %w", i+1, s.Rate, ErrBadRate)
		}
		if s.Duration <= 0 {
			return StepsPacer{}, fmt.Errorf("step %d: duration %v: must be positive", i+1, s.Duration)
		}
		p.hits = append(p.hits, hits)
		p.starts = append(p.starts, start)
		hits += s.Rate * s.Duration.Seconds()
		start += s.Duration
	}
	p.hits = append(p.hits, hits)
	p.starts = append(p.starts, start)
	return p, nil
}

// ParseSteps parses a comma-separated list of RATE@DURATION steps, such as
// "10@30s,20@30s,40@1m", into a [StepsPacer].
func ParseSteps(s string) (StepsPacer, error) {
	var steps []Step
	for i, field := range strings.Split(s, ",") {
		field = strings.TrimSpace(field)
		rateStr, durStr, ok := strings.Cut(field, "@")
		if !ok {
			return StepsPacer{}, fmt.Errorf("steps %q: step %d %q: want RATE@DURATION, e.g. 10@30s", s, i+1, field)
		}
		rate, err := strconv.ParseFloat(strings.TrimSpace(rateStr), 64)
		if err != nil {
			return StepsPacer{}, fmt.Errorf("steps %q: step %d: rate: %w", s, i+1, err)
		}
		d, err := time.ParseDuration(strings.TrimSpace(durStr))
		if err != nil {
			return StepsPacer{}, fmt.Errorf("steps %q: step %d: duration: %w", s, i+1, err)
		}
		steps = append(steps, Step{Rate: rate, Duration: d})
	}
	p, err := NewStepsPacer(steps)
	if err != nil {
		return StepsPacer{}, fmt.Errorf("steps %q: %w", s, err)
	}
	return p, nil
}

// Steps returns a copy of the plan's steps.
func (p StepsPacer) Steps() []Step { return append([]Step(nil), p.steps...) }

// Due implements [Pacer].
func (p StepsPacer) Due(n uint64) (time.Duration, bool) {
	x := float64(n)
	for i, s := range p.steps {
		// Request n falls in step i when hits[i] <= n < hits[i+1]. The
		// boundaries are real numbers, so a step of 0.5 s at 3/s holds the
		// requests due at 0, 1/3 and 2/3 of a second after its start... as
		// long as they fall before the step's end.
		if x < p.hits[i+1] {
			at := p.starts[i] + offset((x-p.hits[i])/s.Rate)
			if at >= p.starts[i+1] {
				continue
			}
			return at, true
		}
	}
	return 0, false
}

// Planned implements [Pacer].
func (p StepsPacer) Planned(elapsed time.Duration) float64 {
	for i, s := range p.steps {
		if elapsed < p.starts[i+1] {
			return p.hits[i] + (elapsed-p.starts[i]).Seconds()*s.Rate
		}
	}
	return p.hits[len(p.steps)]
}

// Rate implements [Pacer].
func (p StepsPacer) Rate(elapsed time.Duration) float64 {
	for i, s := range p.steps {
		if elapsed < p.starts[i+1] {
			return s.Rate
		}
	}
	return 0
}

// Duration implements [Pacer].
func (p StepsPacer) Duration() time.Duration { return p.starts[len(p.steps)] }

// String implements [Pacer].
func (p StepsPacer) String() string {
	parts := make([]string, len(p.steps))
	for i, s := range p.steps {
		parts[i] = fmt.Sprintf("%g@%v", s.Rate, s.Duration)
	}
	return "steps " + strings.Join(parts, ",")
}

// LinearPacer ramps the rate linearly from From to To requests per second over
// Length, which finds the load at which latency turns upward in a single run.
type LinearPacer struct {
	From, To float64
	Length   time.Duration
}

// NewLinearPacer returns a linear ramp. From may be 0; To must be positive and
// the length must be positive.
func NewLinearPacer(from, to float64, length time.Duration) (LinearPacer, error) {
	if !(from >= 0) || math.IsInf(from, 0) {
		return LinearPacer{}, fmt.Errorf("ramp start rate %v: must be zero or positive", from)
	}
	if !(to > 0) || math.IsInf(to, 0) {
		return LinearPacer{}, fmt.Errorf("ramp end rate %v: %w", to, ErrBadRate)
	}
	if length <= 0 {
		return LinearPacer{}, fmt.Errorf("ramp duration %v: must be positive", length)
	}
	return LinearPacer{From: from, To: to, Length: length}, nil
}

// ParseRamp parses a ramp "FROM:TO" in requests per second, e.g. "0:200",
// as loadgen's -ramp flag and the config's loadTest.ramp write it.
func ParseRamp(s string) (from, to float64, err error) {
	a, b, ok := strings.Cut(s, ":")
	if ok {
		if from, err = strconv.ParseFloat(strings.TrimSpace(a), 64); err == nil {
			to, err = strconv.ParseFloat(strings.TrimSpace(b), 64)
		}
	}
	if !ok || err != nil {
		return 0, 0, fmt.Errorf("ramp %q: want FROM:TO requests per second, e.g. 0:200", s)
	}
	return from, to, nil
}

func (p LinearPacer) slope() float64 { return (p.To - p.From) / p.Length.Seconds() }

// Due implements [Pacer]. It solves From*t + slope*t²/2 = n for t.
func (p LinearPacer) Due(n uint64) (time.Duration, bool) {
	x := float64(n)
	k := p.slope()
	var t float64
	if math.Abs(k) < 1e-12 {
		t = x / p.From
	} else {
		d := p.From*p.From + 2*k*x
		if d < 0 {
			return 0, false // a falling ramp that ends before request n
		}
		t = (math.Sqrt(d) - p.From) / k
	}
	at := offset(t)
	if at >= p.Length || math.IsNaN(t) {
		return 0, false
	}
	return at, true
}

// Planned implements [Pacer].
func (p LinearPacer) Planned(elapsed time.Duration) float64 {
	if elapsed > p.Length {
		elapsed = p.Length
	}
	t := elapsed.Seconds()
	return p.From*t + p.slope()*t*t/2
}

// Rate implements [Pacer].
func (p LinearPacer) Rate(elapsed time.Duration) float64 {
	if elapsed >= p.Length {
		return 0
	}
	return p.From + p.slope()*elapsed.Seconds()
}

// Duration implements [Pacer].
func (p LinearPacer) Duration() time.Duration { return p.Length }

// String implements [Pacer].
func (p LinearPacer) String() string {
	return fmt.Sprintf("linear %g/s to %g/s over %v", p.From, p.To, p.Length)
}
