package report

import (
	"fmt"
	"strings"

	"github.com/sagesize/sagesize/sizing"
)

// table is a titled table that the Markdown and HTML reports render alike.
type table struct {
	Title  string
	Note   string
	Header []string
	Rows   [][]string
}

// sloText says the SLO as the reports do: every bound at the percentile.
func sloText(r *sizing.Result) string {
	pc := r.SLO.Percentile
	var parts []string
	for _, b := range []struct {
		name string
		d    int64
	}{{"client", int64(r.SLO.Latency)}, {"TTFT", int64(r.SLO.TTFT)}, {"ITL", int64(r.SLO.ITL)}, {"TPOT", int64(r.SLO.TPOT)}, {"end-to-end", int64(r.SLO.E2E)}} {
		if b.d > 0 {
			parts = append(parts, fmt.Sprintf("%s %s ≤ %.1f ms", b.name, pc, float64(b.d)/1e6))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ") + fmt.Sprintf(" (latency field `%s`)", r.LatencyField)
}

// targetText says the production target.
func targetText(r *sizing.Result) string {
	if r.TargetTokensPerSecond > 0 {
		return fmt.Sprintf("%s output tokens/s with %s headroom", sizing.FormatRate(r.TargetTokensPerSecond), sizing.FormatPercent(r.Headroom))
	}
	return fmt.Sprintf("%s req/s with %s headroom", sizing.FormatRate(r.TargetRate), sizing.FormatPercent(r.Headroom))
}

// tokenTable is the candidates' token economics, nil when no candidate
// has any (not a streaming test).
func tokenTable(r *sizing.Result) *table {
	t := &table{Title: "Tokens",
		Header: []string{"variant", "instance", "output tokens/s", "per instance", "$ per million output tokens", "$ per million input+output tokens", "goodput req/s"}}
	if r.InputTokensPerRequest > 0 {
		t.Note = fmt.Sprintf("Input tokens are not measured (loadgen publishes no input-token count): input+output counts %.0f input tokens per request, the configured synthetic prompts' mean.", r.InputTokensPerRequest)
	} else {
		t.Note = "Input tokens are not measured (loadgen publishes no input-token count) and the prompts' length is not configured: no $ per million input+output tokens."
	}
	for _, c := range r.Candidates {
		if c.Tokens == nil {
			continue
		}
		total := "–"
		if c.Tokens.CostPerMillionTotal > 0 {
			total = sizing.FormatUSD(c.Tokens.CostPerMillionTotal)
		}
		t.Rows = append(t.Rows, []string{c.Variant, c.InstanceType, sizing.FormatRate(c.Tokens.OutputPerSecond), sizing.FormatRate(c.Tokens.OutputPerSecondPerInstance),
			sizing.FormatUSD(c.Tokens.CostPerMillionOutput), total, sizing.FormatRate(c.Tokens.Goodput)})
	}
	if len(t.Rows) == 0 {
		return nil
	}
	return t
}

// kneeTable is every candidate's knee, what broke first, and what its
// test time cost.
func kneeTable(r *sizing.Result) table {
	t := table{Title: "Knee and test cost",
		Note:   fmt.Sprintf("Endpoint time is each candidate's runs, from asking for tasks to the verdict on their last step; it is billed at the whole endpoint's %s/h (every candidate bills while deployed).", sizing.FormatUSD(r.Cost.PerHour)),
		Header: []string{"variant", "knee (planned req/s)", "broke first", "endpoint minutes", "test cost"}}
	var minutes, cost float64
	for _, c := range r.Candidates {
		knee, broke := "–", "–"
		if c.Knee != nil {
			knee = c.Knee.String()
		}
		if len(c.BrokeFirst) > 0 {
			broke = strings.Join(c.BrokeFirst, ", ")
		}
		minutesText, costText := "unknown", "unknown" // a record without endpoint time
		if c.EndpointTime > 0 {
			minutesText, costText = fmt.Sprintf("%.1f", c.EndpointTime.Minutes()), sizing.FormatUSD(c.TestCost)
		}
		t.Rows = append(t.Rows, []string{c.Variant, knee, broke, minutesText, costText})
		minutes += c.EndpointTime.Minutes()
		cost += c.TestCost
	}
	t.Rows = append(t.Rows, []string{"total", "", "", fmt.Sprintf("%.1f", minutes), sizing.FormatUSD(cost)})
	return t
}

// streamTable is candidate c's streaming figures per step, nil when it
// has none.
func streamTable(r *sizing.Result, c sizing.CandidateResult) *table {
	t := &table{Header: []string{"planned req/s", "refine", "TTFT p50 ms", "TTFT p99 ms", "ITL p50 ms", "ITL p99 ms", "TPOT p99 ms", "output tokens/s", "goodput req/s", "broke"}}
	for _, s := range c.Steps {
		if s.Stream == nil {
			continue
		}
		st := s.Stream
		t.Rows = append(t.Rows, []string{sizing.FormatRate(s.PlannedRate), yesNo(s.Refine), sizing.FormatMillis(st.TTFTP50), sizing.FormatMillis(st.TTFTP99), sizing.FormatMillis(st.ITLP50), sizing.FormatMillis(st.ITLP99), sizing.FormatMillis(st.TPOTP99),
			sizing.FormatRate(s.OutputTokenRate()), sizing.FormatRate(s.Goodput()), strings.Join(s.Broke, ", ")})
	}
	if len(t.Rows) == 0 {
		return nil
	}
	return t
}

// markdownTable writes t (title as a level-2 heading when set).
func markdownTable(p func(string, ...any), t *table, level string) {
	if t == nil {
		return
	}
	if t.Title != "" {
		p("%s %s\n\n", level, t.Title)
	}
	if t.Note != "" {
		p("%s\n\n", t.Note)
	}
	p("| %s |\n|%s\n", strings.Join(t.Header, " | "), strings.Repeat("---|", len(t.Header)))
	for _, row := range t.Rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = mdEscape(c)
		}
		p("| %s |\n", strings.Join(cells, " | "))
	}
	p("\n")
}
