package sizing

import (
	"fmt"
	"math"
)

// MissingTolerance is the share of a step's intervals that may be missing
// before the step is incomplete: 2 %, never less than none. A single lost
// interval of one task in a two-minute step (1 of 12, 8 %) is beyond it.
const MissingTolerance = 0.02

// Coverage says how many of the 10-second intervals the load generators
// ran in a step's window reached CloudWatch (loadgen's Intervals metric):
// a publish lost for good shows up as a missing interval, and must not
// be mistaken for the endpoint's shortfall.
type Coverage struct {
	// Expected is the number of intervals the tasks ran in the window:
	// tasks × window / metrics.LoadTestPeriod.
	Expected int64
	// Published is the number CloudWatch holds (the Sum of Intervals).
	Published int64
	// Known is false when the window holds no Intervals data at all: the
	// tasks ran a loadgen older than the Intervals metric, and Published
	// means nothing.
	Known bool
}

// Missing returns the number of intervals that did not reach CloudWatch.
func (c Coverage) Missing() int64 { return max(0, c.Expected-c.Published) }

// MissingFraction returns Missing / Expected (0 when nothing was expected).
func (c Coverage) MissingFraction() float64 {
	if c.Expected == 0 {
		return 0
	}
	return float64(c.Missing()) / float64(c.Expected)
}

// Incomplete reports whether more intervals are missing than
// MissingTolerance allows.
func (c Coverage) Incomplete() bool {
	return c.Known && c.Missing() > int64(math.Floor(MissingTolerance*float64(c.Expected)))
}

// String describes the coverage as the reports show it, e.g.
// "incomplete: 11 of 12 intervals (8.3% missing)".
func (c Coverage) String() string {
	switch {
	case !c.Known:
		return NotPublishedText
	case c.Incomplete():
		return fmt.Sprintf("incomplete: %d of %d intervals (%.1f%% missing)", c.Published, c.Expected, 100*c.MissingFraction())
	default:
		return fmt.Sprintf("complete: %d of %d intervals", c.Published, c.Expected)
	}
}

// NotPublishedText is what the reports say of a step without Intervals
// data.
const NotPublishedText = "interval count not published (loadgen older than the Intervals metric): a lost publish cannot be told from a shortfall"

// Incomplete reports whether the step's data is incomplete (see Coverage).
func (s Step) Incomplete() bool { return s.Coverage != nil && s.Coverage.Incomplete() }
