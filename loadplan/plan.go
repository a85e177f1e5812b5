// Package loadplan is the load plan of a sagesize load test, in one type:
// a constant rate for a duration, constant-rate steps run in order
// ("10@1m,20@1m"), or a linear ramp ("0:200") over a duration, always in
// total requests per second.
//
// The config file, loadgen's flags, the runner that starts Fargate tasks and
// the load generator's pacer all parse, bound, split and schedule the plan
// through this package, and the LOADGEN_* environment that carries a plan to
// a task is written and read here ([Plan.Env], [FromEnv]). The names every
// component shares with the deployed stacks (environment variables, stack
// outputs) are its constants.
//
// The package uses the standard library only, so that anything may import it.
package loadplan

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// Kind is the shape of a plan.
type Kind uint8

// The shapes of a plan; the zero Plan has KindNone.
const (
	KindNone     Kind = iota
	KindConstant      // one rate for a duration (or until stopped)
	KindSteps         // constant-rate steps, one after the other
	KindRamp          // a rate changing linearly from one value to another
)

// Step is one constant-rate stage of a stepped plan.
type Step struct {
	Rate     float64       // requests per second, > 0
	Duration time.Duration // > 0
}

// Plan is a load plan: when each request is due, in total requests per
// second. A Plan is an immutable value, valid by construction: build it with
// [NewConstant], [NewSteps], [NewRamp] or one of the Parse functions. The
// zero Plan is no plan at all.
type Plan struct {
	kind  Kind
	steps []Step // KindConstant: one step (Duration 0: until stopped)
	// KindRamp: the rates at the start and at the end of the ramp.
	from, to float64
	length   time.Duration // the whole plan; 0: until stopped
	// KindSteps: hits[i] is the number of requests planned before step i
	// starts and starts[i] the offset at which it starts; both have one
	// more element than steps (the plan's end).
	hits   []float64
	starts []time.Duration
}

// ErrBadRate is returned (wrapped) for a rate that is zero, negative or not
// a number.
var ErrBadRate = errors.New("rate must be a positive number of requests per second (not NaN or infinite)")

// NewConstant returns rate requests per second for d, or until stopped when
// d is 0.
func NewConstant(rate float64, d time.Duration) (Plan, error) {
	if !validRate(rate) {
		return Plan{}, &Error{Field: FieldRate, Err: fmt.Errorf("constant rate %v: %w", rate, ErrBadRate)}
	}
	if d < 0 {
		return Plan{}, &Error{Field: FieldDuration, Err: fmt.Errorf("duration %v: must be positive, or 0 to run until stopped", d)}
	}
	return Plan{kind: KindConstant, steps: []Step{{Rate: rate, Duration: d}}, length: d}, nil
}

// NewSteps returns a plan that runs steps in order; each must have a
// positive rate and duration.
func NewSteps(steps []Step) (Plan, error) {
	fail := func(format string, args ...any) (Plan, error) {
		return Plan{}, &Error{Field: FieldSteps, Err: fmt.Errorf(format, args...)}
	}
	if len(steps) == 0 {
		return fail("at least one step is needed, e.g. 10@30s,20@30s")
	}
	p := Plan{kind: KindSteps, steps: slices.Clone(steps)}
	var hits float64
	var start time.Duration
	for i, s := range steps {
		if !validRate(s.Rate) {
			return fail("step %d: rate %v: %w", i+1, s.Rate, ErrBadRate)
		}
		if s.Duration <= 0 {
			return fail("step %d: duration %v: must be positive, e.g. 30s", i+1, s.Duration)
		}
		if start+s.Duration < start {
			return fail("step %d: the steps last longer than %v in all", i+1, time.Duration(math.MaxInt64))
		}
		p.hits = append(p.hits, hits)
		p.starts = append(p.starts, start)
		hits += s.Rate * s.Duration.Seconds()
		start += s.Duration
	}
	p.hits = append(p.hits, hits)
	p.starts = append(p.starts, start)
	p.length = start
	return p, nil
}

// NewRamp returns a rate that changes linearly from from to to requests per
// second over d, which finds the load at which latency turns upward in a
// single run. from may be 0; to must be positive and differ from from; d
// must be positive.
func NewRamp(from, to float64, d time.Duration) (Plan, error) {
	fail := func(field Field, format string, args ...any) (Plan, error) {
		return Plan{}, &Error{Field: field, Err: fmt.Errorf(format, args...)}
	}
	switch {
	case !(from >= 0) || math.IsInf(from, 0):
		return fail(FieldRamp, "ramp start rate %v: must be zero or positive", from)
	case !validRate(to):
		return fail(FieldRamp, "ramp end rate %v: %w", to, ErrBadRate)
	case from == to:
		return fail(FieldRamp, "ramp %v:%v: the start and end rates are equal: give a constant rate instead", from, to)
	case d <= 0:
		return fail(FieldDuration, "ramp duration %v: is required with a ramp and must be positive, e.g. 10m", d)
	}
	return Plan{kind: KindRamp, from: from, to: to, length: d}, nil
}

func validRate(r float64) bool { return r > 0 && !math.IsInf(r, 0) }

// Kind returns the shape of p.
func (p Plan) Kind() Kind { return p.kind }

// IsZero reports whether p is the zero Plan (no plan).
func (p Plan) IsZero() bool { return p.kind == KindNone }

// Steps returns the constant-rate steps of p: the steps of a stepped plan,
// the one step of a constant plan (Duration 0 when it runs until stopped),
// nil for a ramp.
func (p Plan) Steps() []Step { return slices.Clone(p.steps) }

// Ramp returns the start and end rates of a ramp (0, 0 for other plans).
func (p Plan) Ramp() (from, to float64) { return p.from, p.to }

// Duration returns the length of p (0 when it runs until stopped).
func (p Plan) Duration() time.Duration { return p.length }

// Peak returns the highest rate of p in requests per second.
func (p Plan) Peak() float64 {
	if p.kind == KindRamp {
		return max(p.from, p.to)
	}
	peak := 0.0
	for _, s := range p.steps {
		peak = max(peak, s.Rate)
	}
	return peak
}

// Equal reports whether p and q are the same plan.
func (p Plan) Equal(q Plan) bool {
	return p.kind == q.kind && p.from == q.from && p.to == q.to && p.length == q.length && slices.Equal(p.steps, q.steps)
}

// String describes p, e.g. "constant 50/s for 1m0s", "steps 10@30s,20@30s"
// or "linear 0/s to 200/s over 10m0s".
func (p Plan) String() string {
	switch p.kind {
	case KindConstant:
		if p.length == 0 {
			return fmt.Sprintf("constant %g/s until stopped", p.steps[0].Rate)
		}
		return fmt.Sprintf("constant %g/s for %v", p.steps[0].Rate, p.length)
	case KindSteps:
		return "steps " + p.Spec().Steps
	case KindRamp:
		return fmt.Sprintf("linear %g/s to %g/s over %v", p.from, p.to, p.length)
	}
	return "no plan"
}

// slope is a ramp's change of rate per second.
func (p Plan) slope() float64 { return (p.to - p.from) / p.length.Seconds() }

// offset converts seconds to a duration, saturating at the largest one (a
// request due later than that is never due).
func offset(seconds float64) time.Duration {
	ns := math.Round(seconds * float64(time.Second))
	if !(ns < math.MaxInt64) {
		return math.MaxInt64
	}
	return time.Duration(ns)
}

// Due returns the offset from the start at which request n (counted from 0)
// is due, and false when p has no request n. Due(n) is the first instant at
// which Planned reaches n.
func (p Plan) Due(n uint64) (time.Duration, bool) {
	x := float64(n)
	switch p.kind {
	case KindConstant:
		at := offset(x / p.steps[0].Rate)
		if p.length > 0 && at >= p.length || at == math.MaxInt64 {
			return 0, false
		}
		return at, true
	case KindSteps:
		for i, s := range p.steps {
			// Request n falls in step i when hits[i] <= n < hits[i+1].
			// The boundaries are real numbers, so a step of 0.5 s at
			// 3/s holds the requests due at 0, 1/3 and 2/3 of a second
			// after its start... as long as they fall before its end.
			if x < p.hits[i+1] {
				o := offset((x - p.hits[i]) / s.Rate)
				if o >= s.Duration {
					continue
				}
				return p.starts[i] + o, true
			}
		}
	case KindRamp:
		// Solve from*t + slope*t²/2 = n for t.
		k := p.slope()
		var t float64
		if math.Abs(k) < 1e-12 {
			t = x / p.from
		} else {
			d := p.from*p.from + 2*k*x
			if d < 0 {
				return 0, false // a falling ramp that ends before request n
			}
			t = (math.Sqrt(d) - p.from) / k
		}
		if at := offset(t); !math.IsNaN(t) && at < p.length {
			return max(at, 0), true
		}
	}
	return 0, false
}

// Planned returns how many requests p schedules in [0, t), as a real number:
// what a pacer sends by t, and what target rates are computed from.
func (p Plan) Planned(t time.Duration) float64 {
	if p.length > 0 && t > p.length {
		t = p.length
	}
	t = max(t, 0)
	switch p.kind {
	case KindConstant:
		return t.Seconds() * p.steps[0].Rate
	case KindSteps:
		for i, s := range p.steps {
			if t < p.starts[i+1] {
				return p.hits[i] + (t-p.starts[i]).Seconds()*s.Rate
			}
		}
		return p.hits[len(p.steps)]
	case KindRamp:
		s := t.Seconds()
		return p.from*s + p.slope()*s*s/2
	}
	return 0
}

// RateAt returns the planned rate, in requests per second, at t (0 once p
// has ended).
func (p Plan) RateAt(t time.Duration) float64 {
	if t < 0 || p.length > 0 && t >= p.length {
		return 0
	}
	switch p.kind {
	case KindConstant:
		return p.steps[0].Rate
	case KindSteps:
		for i, s := range p.steps {
			if t < p.starts[i+1] {
				return s.Rate
			}
		}
	case KindRamp:
		return p.from + p.slope()*t.Seconds()
	}
	return 0
}

// Window is the time a step runs: [Start, End).
type Window struct {
	Start, End time.Time
}

// StepWindows returns the window of each constant-rate step of p when it
// starts at start: one per step of a stepped plan, one for a constant plan
// with a duration, none for a ramp or a plan that runs until stopped.
func (p Plan) StepWindows(start time.Time) []Window {
	if p.kind == KindRamp || p.length == 0 {
		return nil
	}
	var out []Window
	for _, s := range p.steps {
		out = append(out, Window{Start: start, End: start.Add(s.Duration)})
		start = start.Add(s.Duration)
	}
	return out
}

// Split returns each task's share of p when n tasks share it evenly: every
// rate divided by n, the durations unchanged.
func (p Plan) Split(n int) (Plan, error) {
	if n < 1 {
		return Plan{}, fmt.Errorf("split across %d tasks: at least one task is needed", n)
	}
	k := float64(n)
	var share Plan
	var err error
	switch p.kind {
	case KindConstant:
		share, err = NewConstant(p.steps[0].Rate/k, p.length)
	case KindSteps:
		steps := p.Steps()
		for i := range steps {
			steps[i].Rate /= k
		}
		share, err = NewSteps(steps)
	case KindRamp:
		share, err = NewRamp(p.from/k, p.to/k, p.length)
	default:
		return Plan{}, errors.New("split: no load plan")
	}
	if err != nil {
		return Plan{}, fmt.Errorf("split %v across %d tasks: %w", p, n, err)
	}
	return share, nil
}

// num formats a rate so that strconv.ParseFloat reads it back exactly.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
