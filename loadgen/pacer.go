package loadgen

import (
	"errors"
	"time"

	"github.com/sagesize/sagesize/loadplan"
)

// A Pacer is a load plan for the open model: it says when each request is due.
//
// Unlike vegeta's Pace(elapsed, hits), which returns how long to wait from now,
// a Pacer returns the due time of request n as an offset from the start of the
// test. The due time is what latency is measured from, so it must be exact and
// must not drift with the scheduler's own delays.
//
// Implementations must be safe for concurrent use; a [loadplan.Plan] is one.
type Pacer interface {
	// Due returns the offset from the start at which request n (counted from
	// 0) is due, and false when the plan has no request n.
	Due(n uint64) (time.Duration, bool)
	// Planned returns how many requests the plan schedules in [0, elapsed), as
	// a real number (used to report the target rate of an interval).
	Planned(elapsed time.Duration) float64
	// Duration returns the length of the plan (0 when it is unbounded).
	Duration() time.Duration
	// String describes the plan, e.g. "constant 50/s for 1m0s".
	String() string
}

var _ Pacer = loadplan.Plan{}

// NewPacer returns the pacer of plan: request n is due at plan.Due(n), so
// that loadgen sends exactly what the plan says (and what the runner and the
// config planned).
func NewPacer(plan loadplan.Plan) (Pacer, error) {
	if plan.IsZero() {
		return nil, errors.New("no load plan: give a rate, steps or a ramp")
	}
	return plan, nil
}
