package sizing

import (
	"fmt"
	"time"
)

// EndpointCost is what the sizing endpoint costs: every candidate is a
// production variant of it, so all of them bill while it is deployed,
// whichever one a test drives.
type EndpointCost struct {
	// PerHour is the sum over the candidates of price × instance count
	// (USD/h).
	PerHour float64
	// Duration is how long the test kept the endpoint busy (0: unknown).
	Duration time.Duration
}

// Total is PerHour over Duration (USD).
func (c EndpointCost) Total() float64 { return c.PerHour * c.Duration.Hours() }

// String says it as the reports do, e.g. "$2.2540/h for the 4
// candidates; this test ran 1h10m: $2.6297".
func (c EndpointCost) String() string {
	s := fmt.Sprintf("%s/h while deployed (every candidate's price × instance count)", FormatUSD(c.PerHour))
	if c.Duration > 0 {
		s += fmt.Sprintf("; this test ran %v: %s", c.Duration.Round(time.Minute), FormatUSD(c.Total()))
	}
	return s
}

// Cost returns the endpoint's cost for candidates tested over d.
func Cost(candidates []CandidateResult, d time.Duration) EndpointCost {
	c := EndpointCost{Duration: d}
	for _, cr := range candidates {
		c.PerHour += cr.CostPerHour
	}
	return c
}
