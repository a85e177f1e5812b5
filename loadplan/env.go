package loadplan

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// EnvPrefix prefixes the environment variable of every loadgen flag: the
// flag -max-in-flight is also LOADGEN_MAX_IN_FLIGHT (see [EnvName]).
const EnvPrefix = "LOADGEN_"

// The LOADGEN_* variables that sagesize sets on a loadgen task: the plan's
// (EnvRate, EnvDuration, EnvSteps, EnvRamp, written by [Plan.Env]), the
// runner's per test and the task definition's fixed ones. Each is the
// [EnvName] of a loadgen flag.
const (
	EnvRate        = EnvPrefix + "RATE"
	EnvDuration    = EnvPrefix + "DURATION"
	EnvSteps       = EnvPrefix + "STEPS"
	EnvRamp        = EnvPrefix + "RAMP"
	EnvEndpoint    = EnvPrefix + "ENDPOINT"
	EnvVariant     = EnvPrefix + "VARIANT"
	EnvMaxInFlight = EnvPrefix + "MAX_IN_FLIGHT"
	EnvPayload     = EnvPrefix + "PAYLOAD"
	EnvBody        = EnvPrefix + "BODY"
	EnvContentType = EnvPrefix + "CONTENT_TYPE"
	EnvTestID      = EnvPrefix + "TEST_ID"
	EnvStartAt     = EnvPrefix + "START_AT"
	EnvCloudWatch  = EnvPrefix + "CLOUDWATCH"
	EnvNamespace   = EnvPrefix + "NAMESPACE"
	EnvRegion      = EnvPrefix + "REGION"
	EnvProgress    = EnvPrefix + "PROGRESS"
	// EnvMaxDuration caps a whole run (start wait, plan, grace and drain):
	// loadgen stops by itself when it passes. The runner sets it from the
	// plan's length plus a margin.
	EnvMaxDuration = EnvPrefix + "MAX_DURATION"
	// EnvGrace is how long requests in flight may finish after the plan
	// ends or a signal arrives.
	EnvGrace = EnvPrefix + "GRACE"
	// EnvDrain is how long loadgen may spend publishing its backlog to
	// CloudWatch after the summary is written.
	EnvDrain = EnvPrefix + "DRAIN"
)

// EnvName returns the environment variable of the loadgen flag name:
// upper case, "-" as "_", after [EnvPrefix] ("max-in-flight" is
// LOADGEN_MAX_IN_FLIGHT).
func EnvName(flag string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// Var is one environment variable.
type Var struct {
	Name, Value string
}

// Env is a list of environment variables, in the order they are set.
type Env []Var

// lookup returns the value of the last variable called name.
func (e Env) lookup(name string) (string, bool) {
	for i := len(e) - 1; i >= 0; i-- {
		if e[i].Name == name {
			return e[i].Value, true
		}
	}
	return "", false
}

// Env returns the LOADGEN_* variables that give loadgen the plan p:
// LOADGEN_RATE (with LOADGEN_DURATION unless p runs until stopped),
// LOADGEN_STEPS, or LOADGEN_RAMP with LOADGEN_DURATION. [FromEnv] reads them
// back as p.
func (p Plan) Env() Env {
	s := p.Spec()
	switch p.kind {
	case KindConstant:
		env := Env{{EnvRate, num(s.Rate)}}
		if s.Duration > 0 {
			env = append(env, Var{EnvDuration, s.Duration.String()})
		}
		return env
	case KindSteps:
		return Env{{EnvSteps, s.Steps}}
	case KindRamp:
		return Env{{EnvRamp, s.Ramp}, {EnvDuration, s.Duration.String()}}
	}
	return nil
}

// FromEnv reads the plan in the LOADGEN_* variables of env, as loadgen
// reads its flags from the environment.
func FromEnv(env Env) (Plan, error) {
	var s Spec
	var errs []error
	if v, ok := env.lookup(EnvRate); ok {
		r, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			errs = append(errs, &Error{Field: FieldRate, Err: fmt.Errorf("%s=%q: want a number of requests per second, e.g. 50", EnvRate, v)})
		}
		s.Rate = r
	}
	if v, ok := env.lookup(EnvDuration); ok {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			errs = append(errs, &Error{Field: FieldDuration, Err: fmt.Errorf("%s=%q: want a duration, e.g. 10m", EnvDuration, v)})
		}
		s.Duration = d
	}
	s.Steps, _ = env.lookup(EnvSteps)
	s.Ramp, _ = env.lookup(EnvRamp)
	if len(errs) > 0 {
		return Plan{}, errors.Join(errs...)
	}
	return Parse(s)
}
