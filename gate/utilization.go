package gate

import (
	"context"
	"fmt"
	"html"
	"slices"
	"strings"
	"time"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/sizing/measure"
)

// Utilization is informational: it is shown per step next to the verdict
// but never changes it. SageMaker publishes the variant's utilization once
// a minute (averaged over its instances), so a step of a few minutes has a
// few datapoints per run: too few to estimate the run-to-run variation the
// way the client metrics do from their interval-level data, and a tolerance
// alone is the single-number threshold the verdict refuses. A release that
// needs more CPU for the same latency and throughput has less headroom,
// which a sizing run measures as a lower knee; the comparison shows the
// change so a reviewer sees it.

// UtilizationOptions say which variant's utilization AddUtilization reads.
type UtilizationOptions struct {
	// Endpoint names the endpoint of both runs; "" takes each run's own
	// from its target ("sagemaker endpoint NAME ...").
	Endpoint string
	// Variant is the production variant (dimension VariantName).
	Variant string
	// InstanceType, VCPUs and GPUs describe the variant's instance. With
	// an InstanceType, CPU utilization is divided by VCPUs and GPU
	// utilizations by GPUs (read only when GPUs > 0) to give % of the
	// instance; without one, the raw values (sums over cores and GPUs) are
	// shown and said not to be normalised.
	InstanceType string
	VCPUs, GPUs  int
	// Timeout bounds each GetMetricData call (with its pages); 0 means
	// DefaultUtilizationTimeout.
	Timeout time.Duration
}

// DefaultUtilizationTimeout bounds one window's GetMetricData calls.
const DefaultUtilizationTimeout = 30 * time.Second

// UtilizationSource is what AddUtilization read, for the outputs.
type UtilizationSource struct {
	BaselineEndpoint  string `json:"baseline_endpoint"`
	CandidateEndpoint string `json:"candidate_endpoint"`
	Variant           string `json:"variant"`
	InstanceType      string `json:"instance_type,omitempty"`
	// Normalized tells whether CPU and GPU are % of the instance (true) or
	// SageMaker's raw sums over cores and GPUs (false).
	Normalized bool `json:"normalized"`
}

// Usage is one run's utilization over one step: the whole minutes inside
// the step's compared intervals. A nil figure had no datapoint.
type Usage struct {
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	CPU       *float64  `json:"cpu_pct"`
	Memory    *float64  `json:"memory_pct"`
	GPU       *float64  `json:"gpu_pct,omitempty"`
	GPUMemory *float64  `json:"gpu_memory_pct,omitempty"`
	// Note says why figures are missing, "" when none is.
	Note string `json:"note,omitempty"`
}

// StepUtilization is a step's utilization in both runs.
type StepUtilization struct {
	Baseline  Usage `json:"baseline"`
	Candidate Usage `json:"candidate"`
}

// AddUtilization reads, for each compared step of c and each run, the
// variant's utilization from CloudWatch over the whole minutes of the
// step's intervals, and stores it in the step. It never fails: a window
// shorter than a minute, a run whose endpoint is unknown, missing data or
// an API error (wrapped, naming the window) become notes in the step and
// in c.Notes, and the rest is still read. baseline is the first baseline
// run (Compare's baseline[0]): with several, the baseline's utilization is
// that run's, and a note says so.
func (c *Comparison) AddUtilization(ctx context.Context, api measure.GetMetricDataAPI, baseline, candidate *Run, o UtilizationOptions) {
	src := &UtilizationSource{Variant: o.Variant, InstanceType: o.InstanceType, Normalized: o.normalized()}
	src.BaselineEndpoint, src.CandidateEndpoint = o.endpointOf(baseline), o.endpointOf(candidate)
	c.Utilization = src
	if len(c.BaselineRuns) > 1 {
		c.Notes = append(c.Notes, fmt.Sprintf("the baseline's utilization is its first run's (%s)", baseline.Path))
	}
	for i := range c.Steps {
		s := &c.Steps[i]
		s.Utilization = &StepUtilization{
			Baseline:  o.read(ctx, api, src.BaselineEndpoint, baseline, s.Rate, s.base[0]),
			Candidate: o.read(ctx, api, src.CandidateEndpoint, candidate, s.Rate, s.cand),
		}
		for _, side := range []struct {
			name string
			u    Usage
		}{{"baseline", s.Utilization.Baseline}, {"candidate", s.Utilization.Candidate}} {
			if side.u.Note != "" {
				c.Notes = append(c.Notes, fmt.Sprintf("utilization of step %d (%s req/s), %s: %s", s.Index, num(s.Rate), side.name, side.u.Note))
			}
		}
	}
}

// normalized tells whether the instance is known well enough to show %
// of it.
func (o UtilizationOptions) normalized() bool { return o.InstanceType != "" && o.VCPUs > 0 }

// endpointOf is the endpoint whose utilization is read for r.
func (o UtilizationOptions) endpointOf(r *Run) string {
	if o.Endpoint != "" {
		return o.Endpoint
	}
	name, ok := strings.CutPrefix(r.Summary.Target, "sagemaker endpoint ")
	if !ok {
		return ""
	}
	name, _, _ = strings.Cut(name, " ")
	return name
}

// read reads one run's utilization over the whole minutes of ivs, one
// step at rate. measure.Steps also asks for loadgen's client figures of
// the test id; they are not used (the run file has them, per interval).
func (o UtilizationOptions) read(ctx context.Context, api measure.GetMetricDataAPI, endpoint string, r *Run, rate float64, ivs []loadgen.Stats) Usage {
	from, to, ok := wholeMinutes(ivs)
	u := Usage{From: from, To: to}
	switch {
	case endpoint == "":
		u.Note = fmt.Sprintf("%s: target %q names no SageMaker endpoint; give --endpoint", r.Path, r.Summary.Target)
		return u
	case !ok:
		u.Note = "the step's intervals hold no whole minute, and SageMaker publishes utilization per minute; make the steps 2 minutes or longer"
		return u
	}
	w := measure.Window{Endpoint: endpoint, Variant: o.Variant, TestID: orNone(r.Summary.TestID), PlannedRate: rate, Start: from, End: to,
		VCPUs: max(o.VCPUs, 1), GPUs: o.GPUs, InstanceCount: 1}
	if !o.normalized() {
		w.VCPUs, w.GPUs = 1, 1 // raw sums
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultUtilizationTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	steps, err := measure.Steps(ctx, api, "", []measure.Window{w})
	if err != nil {
		u.Note = fmt.Errorf("read utilization from CloudWatch: %w", err).Error()
		return u
	}
	st := steps[0]
	u.CPU, u.Memory, u.GPU, u.GPUMemory = st.CPU, st.Memory, st.GPU, st.GPUMemory
	if st.CPU == nil {
		u.Note = fmt.Sprintf("CloudWatch has no CPUUtilization of %s/%s from %s to %s (wrong region, endpoint or variant, or SageMaker had not published yet)",
			endpoint, o.Variant, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	}
	return u
}

// wholeMinutes returns the whole minutes inside the span of ivs, and
// whether there is at least one.
func wholeMinutes(ivs []loadgen.Stats) (from, to time.Time, ok bool) {
	if len(ivs) == 0 {
		return time.Time{}, time.Time{}, false
	}
	start := slices.MinFunc(ivs, func(a, b loadgen.Stats) int { return a.Start.Compare(b.Start) }).Start
	end := slices.MaxFunc(ivs, func(a, b loadgen.Stats) int { return a.End.Compare(b.End) }).End
	if start.IsZero() || end.IsZero() {
		return time.Time{}, time.Time{}, false
	}
	from = start.UTC().Truncate(time.Minute)
	if from.Before(start) {
		from = from.Add(time.Minute)
	}
	to = end.UTC().Truncate(time.Minute)
	return from, to, to.Sub(from) >= time.Minute
}

// utilizationColumn is one figure of the utilization table.
type utilizationColumn struct {
	name string
	get  func(u Usage) *float64
}

// utilizationColumns are the table's figures: CPU and memory always, GPU
// and GPU memory when some step has them.
func (c *Comparison) utilizationColumns() []utilizationColumn {
	cols := []utilizationColumn{{"CPU", func(u Usage) *float64 { return u.CPU }}, {"memory", func(u Usage) *float64 { return u.Memory }}}
	for _, s := range c.Steps {
		if u := s.Utilization; u != nil && (u.Baseline.GPU != nil || u.Candidate.GPU != nil) {
			return append(cols, utilizationColumn{"GPU", func(u Usage) *float64 { return u.GPU }}, utilizationColumn{"GPU memory", func(u Usage) *float64 { return u.GPUMemory }})
		}
	}
	return cols
}

// utilizationHeading says what the utilization table shows.
func (c *Comparison) utilizationHeading() string {
	u := c.Utilization
	what := u.BaselineEndpoint + "/" + u.Variant
	if u.CandidateEndpoint != u.BaselineEndpoint {
		what += " (candidate " + u.CandidateEndpoint + "/" + u.Variant + ")"
	}
	scale := "% of one " + u.InstanceType + " instance, averaged over the variant's instances"
	if !u.Normalized {
		scale = "raw SageMaker values, not normalised: CPU and GPU are sums over cores and GPUs (0 to 100 × count); give --instance-type for % of the instance"
	}
	return fmt.Sprintf("Utilization of %s from CloudWatch (informational, not part of the verdict; %s)", what, scale)
}

// utilizationRows returns, per step, the cells: step, rate, then baseline,
// candidate and change of each column.
func (c *Comparison) utilizationRows(cols []utilizationColumn) [][]string {
	var rows [][]string
	for _, s := range c.Steps {
		if s.Utilization == nil {
			continue
		}
		row := []string{fmt.Sprint(s.Index), num(s.Rate)}
		for _, col := range cols {
			b, cand := col.get(s.Utilization.Baseline), col.get(s.Utilization.Candidate)
			row = append(row, usagePct(b), usagePct(cand), pointsChange(b, cand))
		}
		rows = append(rows, row)
	}
	return rows
}

func usagePct(v *float64) string {
	if v == nil {
		return "no data"
	}
	return fmt.Sprintf("%.1f%%", *v)
}

func pointsChange(b, c *float64) string {
	if b == nil || c == nil {
		return "n/a"
	}
	return fmt.Sprintf("%+.1f pp", *c-*b)
}

// utilizationMarkdown writes the utilization table, when it was read.
func (c *Comparison) utilizationMarkdown(b *strings.Builder) {
	if c.Utilization == nil {
		return
	}
	cols := c.utilizationColumns()
	fmt.Fprintf(b, "\n%s:\n\n| step | rate (req/s) |", c.utilizationHeading())
	for _, col := range cols {
		fmt.Fprintf(b, " %s baseline | %s candidate | %s change |", col.name, col.name, col.name)
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|---|---|", len(cols)) + "\n")
	for _, row := range c.utilizationRows(cols) {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
}

// utilizationHTML writes the utilization table, when it was read.
func (c *Comparison) utilizationHTML(b *strings.Builder) {
	if c.Utilization == nil {
		return
	}
	cols := c.utilizationColumns()
	fmt.Fprintf(b, "<p>%s</p>\n<table><tr><th>step</th><th>rate (req/s)</th>", html.EscapeString(c.utilizationHeading()))
	for _, col := range cols {
		fmt.Fprintf(b, "<th>%[1]s baseline</th><th>%[1]s candidate</th><th>%[1]s change</th>", col.name)
	}
	b.WriteString("</tr>\n")
	for _, row := range c.utilizationRows(cols) {
		b.WriteString("<tr><td>" + strings.Join(row, "</td><td>") + "</td></tr>\n")
	}
	b.WriteString("</table>\n")
}
