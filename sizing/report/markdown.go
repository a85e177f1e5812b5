package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/sagesize/sagesize/sizing"
)

// Markdown writes r as a Markdown report: summary, recommendation with
// reasons, problems, a comparison table and a step table per candidate.
func Markdown(w io.Writer, r *sizing.Result) error {
	b := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("# Sizing report: %s\n\n", r.Endpoint)
	p("- SLO: %s\n", sloText(r))
	p("- Max error rate: %s\n", sizing.FormatPercent(r.MaxErrorRate))
	p("- Target: %s\n", targetText(r))
	p("- Candidates: %d\n", len(r.Candidates))
	p("- Sizing endpoint cost: %s\n\n", r.Cost)

	p("## Recommendation\n\n")
	if r.Recommended != "" {
		rc := r.Recommendation()
		p("**%s** (%s): %d instances, %s/h.\n\n", rc.Variant, rc.InstanceType, rc.InstancesForTarget, sizing.FormatUSD(rc.FleetCostPerHour))
	} else {
		p("**None.**\n\n")
	}
	for _, s := range r.Reasons {
		p("- %s\n", s)
	}
	p("\n")
	writeAutoscaling(b, r)
	if len(r.Problems) > 0 {
		p("## Problems\n\n")
		for _, s := range r.Problems {
			p("- %s\n", s)
		}
		p("\n")
	}

	p("## Comparison\n\n")
	p("| variant | instance | count | sustainable req/s | per instance | CPU | memory | GPU | GPU memory | $/h | $ per million | instances for target | fleet $/h |\n")
	p("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, c := range r.Candidates {
		mark := ""
		if c.Variant == r.Recommended {
			mark = " ✅"
		}
		if !c.Sustains {
			p("| %s | %s | %d | none | – | – | – | – | – | %s | – | – | – |\n", c.Variant, c.InstanceType, c.InstanceCount, sizing.FormatUSD(c.CostPerHour))
			continue
		}
		p("| %s%s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s |\n",
			c.Variant, mark, c.InstanceType, c.InstanceCount, sizing.FormatRate(c.SustainableRate), sizing.FormatRate(c.SustainablePerInstance),
			sizing.FormatUtil(c.CPU), sizing.FormatUtil(c.Memory), sizing.FormatUtil(c.GPU), sizing.FormatUtil(c.GPUMemory),
			sizing.FormatUSD(c.CostPerHour), sizing.FormatUSD(c.CostPerMillion), c.InstancesForTarget, sizing.FormatUSD(c.FleetCostPerHour))
	}
	p("\n")
	markdownTable(p, tokenTable(r), "##")
	kt := kneeTable(r)
	markdownTable(p, &kt, "##")

	for _, c := range r.Candidates {
		p("## %s (%s × %d)\n\n", c.Variant, c.InstanceType, c.InstanceCount)
		for _, n := range c.Notes {
			p("- %s\n", n)
		}
		if len(c.Notes) > 0 {
			p("\n")
		}
		p("| planned req/s | achieved req/s | client p50 ms | client p99 ms | model p99 ms | overhead p99 ms | requests | errors | throttles | error rate | CPU | memory | GPU | GPU memory | holds | why not |\n")
		p("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|\n")
		for _, s := range c.Steps {
			p("| %s | %s | %s | %s | %s | %s | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s |\n",
				sizing.FormatRate(s.PlannedRate), sizing.FormatRate(s.AchievedRate),
				sizing.FormatMillis(s.ClientP50), sizing.FormatMillis(s.ClientP99), sizing.FormatMillis(s.ModelP99), sizing.FormatMillis(s.OverheadP99),
				s.Requests, s.Errors, s.Throttles, sizing.FormatPercent(s.ErrorRate()),
				sizing.FormatUtil(s.CPU), sizing.FormatUtil(s.Memory), sizing.FormatUtil(s.GPU), sizing.FormatUtil(s.GPUMemory),
				stepState(s), mdEscape(strings.Join(s.Why, "; ")))
		}
		p("\n")
		markdownTable(p, streamTable(r, c), "")
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("report: writing Markdown: %w", err)
	}
	return nil
}

// stepState is a step's verdict as the reports show it: "yes" (holds),
// "no" or "incomplete" (not judged: publishes were lost).
func stepState(s sizing.StepResult) string {
	if s.Incomplete {
		return "incomplete"
	}
	return yesNo(s.Holds)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
