package runner

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sagesize/sagesize/loadgen"
)

// Plan is one variant's load test: the total plan across all tasks.
type Plan struct {
	Endpoint, Variant string
	Tasks             int
	MaxInFlight       int // 0: loadgen's default
	// One of: Rate for Duration, Steps ("10@1m,20@1m"), Ramp ("0:200") over Duration.
	Rate     float64
	Steps    string
	Ramp     string
	Duration time.Duration
	// Payload is the s3:// URI of the request body; Body the body inline
	// (one of the two).
	Payload, Body, ContentType string
	// TestID is shared by every task (the TestId dimension).
	TestID string
	// StartAt, when set, is the instant every task starts its schedule
	// (loadgen -start-at), so that the tasks step their rates together and
	// each step's window is known exactly. It must leave time for Fargate
	// to start the tasks.
	StartAt time.Time
	// AfterStep, when set (with Steps and StartAt), is called once each
	// step but the last has ended and its metrics had time to arrive
	// (Runner.StepLag), with
	// the step's index and window; a non-empty answer stops every task:
	// the reason, e.g. "step 4 (68 req/s) broke the SLO".
	AfterStep func(ctx context.Context, step int, start, end time.Time) (stop string)
	// Label prefixes every line of the live view (parallel runs).
	Label string
}

// DefaultStepLag is how long after a step's end AfterStep is called:
// loadgen publishes every 10 s, and CloudWatch makes data visible within
// about half a minute.
const DefaultStepLag = 45 * time.Second

// StepWindows returns the start and end of every step of a Steps plan that
// starts at StartAt.
func (p Plan) StepWindows() ([][2]time.Time, error) {
	if p.Steps == "" || p.StartAt.IsZero() {
		return nil, nil
	}
	sp, err := loadgen.ParseSteps(p.Steps)
	if err != nil {
		return nil, err
	}
	var out [][2]time.Time
	t := p.StartAt
	for _, s := range sp.Steps() {
		out = append(out, [2]time.Time{t, t.Add(s.Duration)})
		t = t.Add(s.Duration)
	}
	return out, nil
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// pacer returns the total plan as a loadgen pacer (for the planned rate).
func (p Plan) pacer() (loadgen.Pacer, error) {
	switch {
	case p.Steps != "":
		return loadgen.ParseSteps(p.Steps)
	case p.Ramp != "":
		from, to, err := loadgen.ParseRamp(p.Ramp)
		if err != nil {
			return nil, err
		}
		return loadgen.NewLinearPacer(from, to, p.Duration)
	}
	return loadgen.NewConstantPacer(p.Rate, p.Duration)
}

// Environment returns the LOADGEN_* variables of one task: the plan divided
// evenly across p.Tasks.
func (p Plan) Environment() ([][2]string, error) {
	if p.Tasks < 1 {
		return nil, fmt.Errorf("tasks must be at least 1, got %d", p.Tasks)
	}
	n := float64(p.Tasks)
	env := [][2]string{{"LOADGEN_ENDPOINT", p.Endpoint}, {"LOADGEN_VARIANT", p.Variant}}
	switch {
	case p.Steps != "":
		sp, err := loadgen.ParseSteps(p.Steps)
		if err != nil {
			return nil, err
		}
		var parts []string
		for _, s := range sp.Steps() {
			parts = append(parts, num(s.Rate/n)+"@"+s.Duration.String())
		}
		env = append(env, [2]string{"LOADGEN_STEPS", strings.Join(parts, ",")})
	case p.Ramp != "":
		from, to, err := loadgen.ParseRamp(p.Ramp)
		if err != nil {
			return nil, err
		}
		env = append(env, [2]string{"LOADGEN_RAMP", num(from/n) + ":" + num(to/n)}, [2]string{"LOADGEN_DURATION", p.Duration.String()})
	default:
		if !(p.Rate > 0) || p.Duration <= 0 {
			return nil, fmt.Errorf("plan needs rate and duration, steps, or ramp and duration")
		}
		env = append(env, [2]string{"LOADGEN_RATE", num(p.Rate / n)}, [2]string{"LOADGEN_DURATION", p.Duration.String()})
	}
	if p.MaxInFlight > 0 {
		env = append(env, [2]string{"LOADGEN_MAX_IN_FLIGHT", strconv.Itoa(p.MaxInFlight)})
	}
	if p.Body != "" {
		env = append(env, [2]string{"LOADGEN_BODY", p.Body})
	} else {
		env = append(env, [2]string{"LOADGEN_PAYLOAD", p.Payload})
	}
	env = append(env, [2]string{"LOADGEN_CONTENT_TYPE", p.ContentType}, [2]string{"LOADGEN_TEST_ID", p.TestID})
	if !p.StartAt.IsZero() {
		env = append(env, [2]string{"LOADGEN_START_AT", p.StartAt.UTC().Format(time.RFC3339Nano)})
	}
	return env, nil
}
