package monitoring

import (
	"fmt"
	"time"

	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
)

// StreamProps makes an endpoint's load test a streaming LLM test (loadgen
// -stream): its dashboard gains the token rows. The values come from a
// validated config.
type StreamProps struct {
	// TTFT, TPOT and E2E are the goodput objective's per-request bounds
	// (zero: not bounded); each is drawn on its graph. With none, loadgen
	// counts no good requests and the rows draw no goodput.
	TTFT, TPOT, E2E time.Duration
	// Format is loadgen's -format (auto, tgi, openai, text); with text,
	// output is counted in chunks, not tokens.
	Format string
}

// hasSLO reports whether any goodput bound is set.
func (s *StreamProps) hasSLO() bool { return s.TTFT > 0 || s.TPOT > 0 || s.E2E > 0 }

// streamSLOLine is a per-request bound drawn on a ms graph.
func streamSLOLine(what string, d time.Duration) []dashboard.Horizontal {
	if d <= 0 {
		return nil
	}
	ms := metrics.Millis(d)
	return []dashboard.Horizontal{{Label: "SLO " + what + " ≤ " + num(ms) + " ms", Value: ms, Color: colorSLO}}
}

// streamRows are the client-side view of a streaming test: TTFT, inter-token
// gaps and TPOT percentiles (ms) beside the variants' GPU and GPU memory
// utilization (% of instance); then output tokens per second, goodput
// beside the completed request rate, and output tokens per request. Every
// line is a SEARCH over each test id and variant, as in loadTestRows, and
// CloudWatch computes the percentiles over every task's Values/Counts.
func (p *EndpointPlan) streamRows() [][]dashboard.Cell {
	e, s := p.props, p.props.Stream
	ns, ep := e.LoadTestNamespace, e.EndpointName
	ms, perSecond := metrics.MicrosAsMillis(), metrics.CountAsRate(metrics.LoadTestPeriod)
	pct := func(metric, stat, id, label string) dashboard.Line {
		return dashboard.Expr{Expression: ms.Expr(loadTestSearch(ns, ep, metric, stat)), Label: label, ID: id}
	}
	rate := func(metric, id, label string) dashboard.Line {
		return dashboard.Expr{Expression: perSecond.Expr("SUM(" + search(ns, ep, metric) + ")"), Label: label, ID: id}
	}
	ttft := []dashboard.Line{
		pct(metrics.LoadTestTTFT, "p50", "ttft50", "TTFT p50 (ms)"),
		pct(metrics.LoadTestTTFT, "p99", "ttft99", "TTFT p99 (ms)"),
	}
	gaps := []dashboard.Line{
		pct(metrics.LoadTestITL, "p50", "itl50", "ITL p50 (ms)"),
		pct(metrics.LoadTestITL, "p99", "itl99", "ITL p99 (ms)"),
		pct(metrics.LoadTestTPOT, "p50", "tpot50", "TPOT p50 (ms)"),
		pct(metrics.LoadTestTPOT, "p99", "tpot99", "TPOT p99 (ms)"),
	}
	unit := "tokens"
	if s.Format == "text" {
		unit = "chunks"
	}
	tokens := []dashboard.Line{rate(metrics.LoadTestOutputTokens, "otps", "output "+unit+"/s (successful streams)")}
	perRequest := []dashboard.Line{
		dashboard.Expr{Expression: loadTestSearch(ns, ep, metrics.LoadTestOutputTokensPerRequest, "p50"), Label: "p50 (" + unit + ")", ID: "otr50"},
		dashboard.Expr{Expression: loadTestSearch(ns, ep, metrics.LoadTestOutputTokensPerRequest, "p99"), Label: "p99 (" + unit + ")", ID: "otr99"},
	}
	good := []dashboard.Line{rate(metrics.LoadTestRequests, "done", "requests ended (req/s)")}
	goodTitle := "Goodput: no SLO set (req/s)"
	if s.hasSLO() {
		good = append(good, rate(metrics.LoadTestGoodRequests, "good", "goodput: met every SLO (req/s)"))
		goodTitle = "Goodput vs request rate (req/s)"
	}
	cells := []dashboard.Cell{
		graphCell(thirdWidth, "Time to first token (ms)", ttft, dashboard.FromZeroAxis("ms"), streamSLOLine("TTFT", s.TTFT)),
		graphCell(thirdWidth, "Inter-token latency and TPOT (ms)", gaps, dashboard.FromZeroAxis("ms"), streamSLOLine("TPOT", s.TPOT)),
	}
	if gpu := p.streamGPULines(); len(gpu) > 0 {
		cells = append(cells, graphCell(thirdWidth, "GPU and GPU memory (% of instance)", gpu, dashboard.PercentAxis(), nil))
	}
	cells = append(cells,
		graphCell(thirdWidth, "Output "+unit+" per second", tokens, dashboard.FromZeroAxis(unit+"/s"), nil),
		graphCell(thirdWidth, goodTitle, good, dashboard.FromZeroAxis("req/s"), nil),
		graphCell(thirdWidth, "Output "+unit+" per request", perRequest, dashboard.FromZeroAxis(unit), nil))
	rows := [][]dashboard.Cell{{titleCell(p.streamTitle(unit))}}
	for len(cells) > 0 {
		n := min(3, len(cells))
		rows, cells = append(rows, cells[:n]), cells[n:]
	}
	return rows
}

// streamGPULines are GPU and GPU memory utilization, averaged, of every
// GPU variant, as % of the whole instance (none without a GPU).
func (p *EndpointPlan) streamGPULines() []dashboard.Line {
	e := p.props
	avg := metrics.StatAverage
	var lines []dashboard.Line
	for i, v := range e.Variants {
		if v.Serverless != nil || v.Instance.GPUs() == 0 {
			continue
		}
		vm := newVariantMetrics(e.EndpointName, v.Name)
		lines = append(lines, vm.display(gpuUtilization(v.Instance), avg, lineID("sgpu", i), v.Name+" GPU (%)", "")...)
		lines = append(lines, vm.display(gpuMemoryUtilization(v.Instance), avg, lineID("sgpumem", i), v.Name+" GPU memory (%)", "")...)
	}
	return lines
}

// streamTitle heads the token rows: what is measured and how.
func (p *EndpointPlan) streamTitle(unit string) string {
	t := fmt.Sprintf("## LLM stream (client side; TTFT from each request's scheduled start; %s counted by loadgen", unit)
	if unit == "chunks" {
		t += ", format text: chunks, not tokens"
	}
	return t + ")"
}
