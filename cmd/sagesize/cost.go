package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/sizing"
	"github.com/sagesize/sagesize/sizing/runner"
)

// sizingCost returns the line `run --sizing` prints at its start: what the
// sizing endpoint costs per hour while deployed (every candidate is a
// variant of it, so all of them bill, whichever runs), and about what the
// candidates idx cost to run: each one's lead, alignment to the minute and
// plan (and refinement steps, each with its own lead and alignment), one
// after another or (parallel) at once.
func sizingCost(cfg *config.Config, idx []int, lead time.Duration, parallel bool) string {
	s := cfg.Sizing
	var perHour float64
	var parts []string
	for _, c := range s.Candidates {
		perHour += c.Instance.PricePerHour * float64(c.Count())
		parts = append(parts, fmt.Sprintf("%s × %d at %s/h", c.InstanceType, c.Count(), sizing.FormatUSD(c.Instance.PricePerHour)))
	}
	var d time.Duration
	for _, i := range idx {
		one := lead + time.Minute + s.CandidatePlan(i).Duration()
		// at most: each refinement step is a run of its own
		one += time.Duration(s.Plan.RefineSteps()) * (lead + time.Minute + s.Plan.RefineStepLength())
		if parallel {
			d = max(d, one)
		} else {
			d += one
		}
	}
	c := sizing.EndpointCost{PerHour: perHour, Duration: d}
	return fmt.Sprintf("sizing endpoint %s costs %s/h while deployed (%s); this run takes about %v: about %s. Destroy the sizing stack when the report is written.",
		cfg.SizingEndpoint().Name, sizing.FormatUSD(perHour), strings.Join(parts, ", "), d, sizing.FormatUSD(c.Total()))
}

// testDuration is how long the recorded test ran: from the earliest
// candidate's start to the end of the last step that ran (0 when none ran).
func testDuration(rec *runner.Record) time.Duration {
	var first, last time.Time
	for _, c := range rec.Candidates {
		if first.IsZero() || (!c.StartAt.IsZero() && c.StartAt.Before(first)) {
			first = c.StartAt
		}
		for _, st := range c.Ran() {
			if st.End.After(last) {
				last = st.End
			}
		}
	}
	if first.IsZero() || !last.After(first) {
		return 0
	}
	return last.Sub(first)
}
