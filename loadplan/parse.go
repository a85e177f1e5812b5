package loadplan

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Spec is a plan as the config file (endpoints[].loadTest) and loadgen's
// flags write it: exactly one of Rate (with Duration), Steps, or Ramp (with
// Duration). Rates are total requests per second.
type Spec struct {
	Rate     float64       // constant rate; with Duration, or until stopped
	Steps    string        // RATE@DURATION,..., e.g. "10@1m,20@1m"
	Ramp     string        // FROM:TO, e.g. "0:200"
	Duration time.Duration // of a constant rate or a ramp
}

// Field names the part of a Spec a problem is about; the config file and
// loadgen's flags use the same names (rate, steps, ramp, duration).
type Field string

// The fields of a Spec; FieldPlan is the plan as a whole.
const (
	FieldPlan     Field = ""
	FieldRate     Field = "rate"
	FieldSteps    Field = "steps"
	FieldRamp     Field = "ramp"
	FieldDuration Field = "duration"
)

// Error is a problem with one field of a plan. The caller says where the
// field was written, in its own syntax: a config path such as
// endpoints[0].loadTest.steps, or a flag such as -steps.
type Error struct {
	Field Field
	Err   error
}

// Error implements error.
func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Errors returns the field errors in err, which Parse and FromEnv return
// alone or joined. An error of another kind is returned as a FieldPlan
// error.
func Errors(err error) []*Error {
	if err == nil {
		return nil
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*Error
		for _, e := range joined.Unwrap() {
			out = append(out, Errors(e)...)
		}
		return out
	}
	var fe *Error
	if errors.As(err, &fe) {
		return []*Error{fe}
	}
	return []*Error{{Field: FieldPlan, Err: err}}
}

// Problems with a Spec as a whole.
var (
	ErrNoPlan       = errors.New(`needs a plan: rate (with duration), steps such as "10@1m,20@1m", or ramp such as "0:200" (with duration)`)
	ErrAlternatives = errors.New("rate, steps and ramp are alternatives: give one")
)

// Parse returns the plan s describes, or every problem with it (joined
// [*Error] values, see [Errors]). A Spec with Rate and no Duration runs
// until stopped.
func Parse(s Spec) (Plan, error) {
	given := 0
	for _, set := range []bool{s.Rate != 0, s.Steps != "", s.Ramp != ""} {
		if set {
			given++
		}
	}
	switch {
	case given == 0:
		return Plan{}, &Error{Field: FieldPlan, Err: ErrNoPlan}
	case given > 1:
		return Plan{}, &Error{Field: FieldPlan, Err: ErrAlternatives}
	case s.Steps != "":
		p, err := ParseSteps(s.Steps)
		if s.Duration != 0 {
			err = errors.Join(err, &Error{Field: FieldDuration, Err: errors.New("goes with rate or ramp; steps carry their own durations")})
		}
		if err != nil {
			return Plan{}, err
		}
		return p, nil
	case s.Ramp != "":
		return ParseRamp(s.Ramp, s.Duration)
	}
	return NewConstant(s.Rate, s.Duration)
}

// ParseSteps parses a comma-separated list of RATE@DURATION steps, such as
// "10@30s,20@30s,40@1m".
func ParseSteps(s string) (Plan, error) {
	fail := func(format string, args ...any) (Plan, error) {
		return Plan{}, &Error{Field: FieldSteps, Err: fmt.Errorf("steps %q: "+format, append([]any{s}, args...)...)}
	}
	var steps []Step
	for i, field := range strings.Split(s, ",") {
		field = strings.TrimSpace(field)
		rateStr, durStr, ok := strings.Cut(field, "@")
		if !ok {
			return fail("step %d %q: want RATE@DURATION, e.g. 10@30s", i+1, field)
		}
		rate, err := strconv.ParseFloat(strings.TrimSpace(rateStr), 64)
		if err != nil {
			return fail("step %d: rate: %w", i+1, err)
		}
		d, err := time.ParseDuration(strings.TrimSpace(durStr))
		if err != nil {
			return fail("step %d: duration: %w", i+1, err)
		}
		steps = append(steps, Step{Rate: rate, Duration: d})
	}
	p, err := NewSteps(steps)
	if err != nil {
		return fail("%w", errors.Unwrap(err))
	}
	return p, nil
}

// ParseRamp parses a ramp "FROM:TO" in requests per second, e.g. "0:200",
// run over d.
func ParseRamp(s string, d time.Duration) (Plan, error) {
	a, b, ok := strings.Cut(s, ":")
	var from, to float64
	var err error
	if ok {
		if from, err = strconv.ParseFloat(strings.TrimSpace(a), 64); err == nil {
			to, err = strconv.ParseFloat(strings.TrimSpace(b), 64)
		}
	}
	if !ok || err != nil {
		return Plan{}, &Error{Field: FieldRamp, Err: fmt.Errorf("ramp %q: want FROM:TO requests per second, e.g. 0:200", s)}
	}
	return NewRamp(from, to, d)
}

// Spec returns p as the config file and loadgen's flags write it; Parse
// reads it back as p.
func (p Plan) Spec() Spec {
	switch p.kind {
	case KindConstant:
		return Spec{Rate: p.steps[0].Rate, Duration: p.length}
	case KindSteps:
		parts := make([]string, len(p.steps))
		for i, s := range p.steps {
			parts[i] = num(s.Rate) + "@" + s.Duration.String()
		}
		return Spec{Steps: strings.Join(parts, ",")}
	case KindRamp:
		return Spec{Ramp: num(p.from) + ":" + num(p.to), Duration: p.length}
	}
	return Spec{}
}
