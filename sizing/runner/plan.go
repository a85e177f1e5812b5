package runner

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/sagesize/sagesize/loadplan"
)

// Plan is one variant's load test: the total plan across all tasks.
type Plan struct {
	Endpoint, Variant string
	Tasks             int
	MaxInFlight       int // 0: loadgen's default
	// Load is the plan in total requests per second; each task runs its
	// share (loadplan.Plan.Split). It must have an end.
	Load loadplan.Plan
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
	// AfterStep, when set (with a stepped Load and StartAt), is called once
	// each step but the last has ended and its metrics had time to arrive
	// (Runner.StepLag), with the step's index and window; a non-empty
	// answer stops every task: the reason, e.g. "step 4 (68 req/s) broke
	// the SLO".
	AfterStep func(ctx context.Context, step int, start, end time.Time) (stop string)
	// Label prefixes every line of the live view (parallel runs).
	Label string
	// Grace and Drain, when set, are the tasks' LOADGEN_GRACE and
	// LOADGEN_DRAIN; zero leaves loadgen's defaults
	// (loadplan.DefaultGrace, loadplan.DefaultDrain), which the run's
	// bounds then count on.
	Grace, Drain time.Duration
	// Extra are further LOADGEN_* variables every task gets, such as a
	// streaming test's (config.Stream.Env).
	Extra loadplan.Env
}

// DefaultStepLag is how long after a step's end AfterStep is called:
// loadgen publishes every 10 s, and CloudWatch makes data visible within
// about half a minute.
const DefaultStepLag = 45 * time.Second

// StepWindows returns the window of every step of the plan when it starts
// at StartAt (none without a start time).
func (p Plan) StepWindows() []loadplan.Window {
	if p.StartAt.IsZero() {
		return nil
	}
	return p.Load.StepWindows(p.StartAt)
}

// Environment returns the LOADGEN_* variables of one task: its share of
// the plan when p.Tasks tasks share it evenly, and the test's settings.
func (p Plan) Environment() (loadplan.Env, error) {
	share, err := p.Load.Split(p.Tasks)
	if err != nil {
		return nil, err
	}
	if p.Load.Duration() == 0 {
		return nil, fmt.Errorf("plan %v has no end: give it a duration", p.Load)
	}
	env := loadplan.Env{{Name: loadplan.EnvEndpoint, Value: p.Endpoint}, {Name: loadplan.EnvVariant, Value: p.Variant}}
	env = append(env, share.Env()...)
	if p.MaxInFlight > 0 {
		env = append(env, loadplan.Var{Name: loadplan.EnvMaxInFlight, Value: strconv.Itoa(p.MaxInFlight)})
	}
	if p.Body != "" {
		env = append(env, loadplan.Var{Name: loadplan.EnvBody, Value: p.Body})
	} else if p.Payload != "" {
		env = append(env, loadplan.Var{Name: loadplan.EnvPayload, Value: p.Payload})
	}
	env = append(env, loadplan.Var{Name: loadplan.EnvContentType, Value: p.ContentType}, loadplan.Var{Name: loadplan.EnvTestID, Value: p.TestID})
	if p.Grace > 0 {
		env = append(env, loadplan.Var{Name: loadplan.EnvGrace, Value: p.Grace.String()})
	}
	if p.Drain > 0 {
		env = append(env, loadplan.Var{Name: loadplan.EnvDrain, Value: p.Drain.String()})
	}
	if !p.StartAt.IsZero() {
		env = append(env, loadplan.Var{Name: loadplan.EnvStartAt, Value: p.StartAt.UTC().Format(time.RFC3339Nano)})
	}
	return append(env, p.Extra...), nil
}
