package loadplan

import (
	"fmt"
	"time"
)

// The stop budget. After SIGTERM (or the plan's end) loadgen lets requests
// in flight finish for the grace period, writes its last interval and
// summary, then publishes its backlog to CloudWatch for at most the drain
// period. ECS kills the container its stop timeout after SIGTERM, so
// grace + drain + [StopMargin] must fit in the task definition's stop
// timeout, which Fargate caps at [MaxStopTimeout].
const (
	// DefaultGrace is loadgen's default grace period.
	DefaultGrace = 15 * time.Second
	// DefaultDrain is loadgen's default drain period.
	DefaultDrain = 5 * time.Second
	// StopMargin is what the budget keeps for writing the summary and
	// exiting after grace and drain.
	StopMargin = 5 * time.Second
	// MaxStopTimeout is the longest container stop timeout Fargate allows.
	MaxStopTimeout = 120 * time.Second
)

// StopTimeout returns the container stop timeout that holds grace and
// drain with [StopMargin] to spare, rounded up to whole seconds, or an
// error when it would exceed [MaxStopTimeout] or a period is negative.
func StopTimeout(grace, drain time.Duration) (time.Duration, error) {
	if grace < 0 || drain < 0 {
		return 0, fmt.Errorf("grace (%v) and drain (%v) must not be negative", grace, drain)
	}
	t := (grace + drain + StopMargin + time.Second - 1).Truncate(time.Second)
	if t > MaxStopTimeout {
		return 0, fmt.Errorf("grace (%v) + drain (%v) + %v to exit is %v, over Fargate's longest stop timeout %v",
			grace, drain, StopMargin, grace+drain+StopMargin, MaxStopTimeout)
	}
	return t, nil
}
