package gate

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// Markdown writes the comparison for a pull request comment: the verdict
// first, then the problems, then one table row per step and metric.
// chart, when not empty, is the file name of the SVG chart (WriteSVG) to
// link.
func (c *Comparison) Markdown(w io.Writer, chart string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### Release comparison: %s\n\n", c.Verdict())
	fmt.Fprintf(&b, "Baseline %s, candidate `%s` (%s); plan %s. A difference counts when it is beyond the tolerance and its %.0f%% bootstrap interval (over %g-s intervals, %d resamples%s) excludes zero.\n\n",
		c.baselineText(), c.Candidate.TestID, c.Candidate.Path, c.Candidate.Plan, 100*c.Options.Confidence, c.intervalSeconds(), c.Options.Resamples, c.resamplingText())
	for _, n := range c.Notes {
		fmt.Fprintf(&b, "Note: %s.\n\n", n)
	}
	if len(c.Problems) > 0 {
		b.WriteString("**Not compared:**\n\n")
		for _, p := range c.Problems {
			fmt.Fprintf(&b, "- %s\n", p)
		}
		b.WriteString("\n")
	}
	b.WriteString("| step | rate (req/s) | metric | baseline | candidate | change | CI | tolerance | outcome |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range c.Steps {
		for _, d := range s.Diffs {
			fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", s.Index, num(s.Rate), d.Metric, d.value(d.Baseline), d.value(d.Candidate),
				d.signed(d.Change), d.interval(), d.tolerance(), d.outcomeText())
		}
	}
	if c.hasUnjudged() {
		fmt.Fprintf(&b, "\n*not judged*: fewer than %d requests per interval, whose p99 would be their maximum; lengthen loadgen's -interval.\n", minPerIntervalP99)
	}
	c.utilizationMarkdown(&b)
	if chart != "" {
		fmt.Fprintf(&b, "\n![p99 by step](%s)\n", chart)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// baselineText names the baseline run or runs.
func (c *Comparison) baselineText() string {
	var runs []string
	for _, r := range c.BaselineRuns {
		runs = append(runs, fmt.Sprintf("`%s` (%s)", r.TestID, r.Path))
	}
	if len(runs) == 1 {
		return runs[0]
	}
	return fmt.Sprintf("%d runs: %s", len(runs), strings.Join(runs, ", "))
}

// resamplingText says how the bootstrap resampled.
func (c *Comparison) resamplingText() string {
	if len(c.BaselineRuns) < 2 {
		return " of each run's intervals; one baseline run shows the variation within a run, not between runs (another hour, another host): give two or more to include it"
	}
	return "; baseline runs, then their intervals, with the run-to-run variation borrowed by the candidate"
}

// intervalSeconds is the candidate's interval length, for the text.
func (c *Comparison) intervalSeconds() float64 {
	for _, s := range c.Steps {
		if len(s.cand) > 0 {
			return math.Round((s.cand[0].To-s.cand[0].From)*1000) / 1000
		}
	}
	return 0
}

func (c *Comparison) hasUnjudged() bool {
	for _, s := range c.Steps {
		for _, d := range s.Diffs {
			if d.Outcome == Unjudged {
				return true
			}
		}
	}
	return false
}

func (d Diff) value(v float64) string {
	switch d.Unit {
	case "%":
		return fmt.Sprintf("%.2f%%", v)
	case "ms":
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.1f %s", v, d.Unit)
}

func (d Diff) signed(v float64) string {
	if d.Relative {
		return fmt.Sprintf("%+.1f%%", 100*v)
	}
	return fmt.Sprintf("%+.2f pp", v)
}

// interval is the confidence interval of the change ("n/a" when the
// metric was not judged).
func (d Diff) interval() string {
	if d.Outcome == Unjudged {
		return "n/a"
	}
	return d.signed(d.Low) + " to " + d.signed(d.High)
}

func (d Diff) tolerance() string {
	t := fmt.Sprintf("±%.2f pp", d.Tolerance)
	if d.Relative {
		t = fmt.Sprintf("±%.0f%%", 100*d.Tolerance)
	}
	if d.Floor > 0 {
		t += fmt.Sprintf(", ±%s", d.value(d.Floor))
	}
	return t
}

func (d Diff) outcomeText() string {
	if d.Outcome == Regression {
		return "**regression**"
	}
	return d.Outcome
}

// jsonDoc is the JSON form of a comparison.
type jsonDoc struct {
	Verdict   string  `json:"verdict"`
	Regressed bool    `json:"regressed"`
	Baseline  RunInfo `json:"baseline"`
	// BaselineRuns are all the baseline's runs, Baseline the first.
	BaselineRuns []RunInfo    `json:"baseline_runs"`
	Candidate    RunInfo      `json:"candidate"`
	Steps        []StepResult `json:"steps"`
	Problems     []string     `json:"problems"`
	Notes        []string     `json:"notes,omitempty"`
	// Utilization is nil unless compare was asked for it (--utilization).
	Utilization *UtilizationSource `json:"utilization,omitempty"`
}

// JSON writes the comparison as one indented JSON document.
func (c *Comparison) JSON(w io.Writer) error {
	doc := jsonDoc{Verdict: c.Verdict(), Regressed: c.Regressed(), Baseline: c.Baseline, BaselineRuns: c.BaselineRuns, Candidate: c.Candidate, Steps: c.Steps, Problems: c.Problems, Notes: c.Notes, Utilization: c.Utilization}
	if doc.Steps == nil {
		doc.Steps = []StepResult{}
	}
	if doc.Problems == nil {
		doc.Problems = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// HTML writes the comparison as a standalone page with the chart inline.
func (c *Comparison) HTML(w io.Writer) error {
	var md strings.Builder
	if err := c.Markdown(&md, ""); err != nil {
		return err
	}
	var svg strings.Builder
	if err := c.WriteSVG(&svg); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>sagesize compare</title>\n<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}.regression{color:#b00;font-weight:bold}</style></head><body>\n")
	fmt.Fprintf(&b, "<h2>%s</h2>\n", html.EscapeString(c.Verdict()))
	for _, n := range c.Notes {
		fmt.Fprintf(&b, "<p>Note: %s.</p>\n", html.EscapeString(n))
	}
	if len(c.Problems) > 0 {
		b.WriteString("<p>Not compared:</p><ul>\n")
		for _, p := range c.Problems {
			fmt.Fprintf(&b, "<li>%s</li>\n", html.EscapeString(p))
		}
		b.WriteString("</ul>\n")
	}
	b.WriteString("<table><tr><th>step</th><th>rate (req/s)</th><th>metric</th><th>baseline</th><th>candidate</th><th>change</th><th>CI</th><th>tolerance</th><th>outcome</th></tr>\n")
	for _, s := range c.Steps {
		for _, d := range s.Diffs {
			fmt.Fprintf(&b, "<tr class=%q><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
				strings.ReplaceAll(d.Outcome, " ", "-"), s.Index, num(s.Rate), html.EscapeString(d.Metric), d.value(d.Baseline), d.value(d.Candidate),
				d.signed(d.Change), d.interval(), html.EscapeString(d.tolerance()), d.Outcome)
		}
	}
	b.WriteString("</table>\n")
	c.utilizationHTML(&b)
	b.WriteString(svg.String())
	b.WriteString("</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteSVG draws the p99 of each compared step, baseline and candidate,
// as two polylines over the steps' rates.
func (c *Comparison) WriteSVG(w io.Writer) error {
	const width, height, pad = 480.0, 240.0, 40.0
	var base, cand []float64
	var rates []float64
	for _, s := range c.Steps {
		for _, d := range s.Diffs {
			if d.Metric == "p99" {
				base, cand, rates = append(base, d.Baseline), append(cand, d.Candidate), append(rates, s.Rate)
			}
		}
	}
	top := 1.0
	for i := range base {
		top = max(top, base[i], cand[i])
	}
	x := func(i int) float64 {
		if len(rates) < 2 {
			return width / 2
		}
		return pad + float64(i)*(width-2*pad)/float64(len(rates)-1)
	}
	y := func(v float64) float64 { return height - pad - v/top*(height-2*pad) }
	line := func(vs []float64, color string) string {
		var pts []string
		for i, v := range vs {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(v)))
		}
		return fmt.Sprintf("<polyline fill=\"none\" stroke=%q stroke-width=\"2\" points=%q/>\n", color, strings.Join(pts, " "))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" font-size=\"11\">\n", width, height)
	fmt.Fprintf(&b, "<text x=\"%.0f\" y=\"16\">p99 (ms, median of intervals) by step rate: baseline grey, candidate red</text>\n", pad)
	fmt.Fprintf(&b, "<text x=\"4\" y=\"%.0f\">%.0f</text><text x=\"4\" y=\"%.0f\">0</text>\n", pad, top, height-pad)
	for i, r := range rates {
		fmt.Fprintf(&b, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>\n", x(i), height-pad+16, num(r))
	}
	b.WriteString(line(base, "#888"))
	b.WriteString(line(cand, "#c00"))
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}
