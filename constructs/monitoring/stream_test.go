package monitoring

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/dashboard/check"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/testkit/dashcheck"
)

// streamProps is a GPU LLM endpoint with two variants and a streaming
// load test.
func streamProps(t *testing.T, s *StreamProps) *EndpointMonitorProps {
	return &EndpointMonitorProps{
		EndpointName: "llm",
		Variants: []Variant{
			{Name: "g5", Count: 1, Instance: mustInstance(t, "ml.g5.12xlarge")},
			{Name: "g6", Count: 1, Instance: mustInstance(t, "ml.g6.xlarge")},
		},
		SLOPercentile: "p99", SLOLatency: 20 * time.Second,
		LoadTestNamespace: metrics.NamespaceLoadTest,
		Stream:            s,
		Evaluation:        Evaluation{Period: time.Minute, EvaluationPeriods: 5, DatapointsToAlarm: 3},
	}
}

// searched is one SEARCH a graph line reads, with the line's expression.
type searched struct {
	graph, expr, label string
	period             int
	check.Search
}

// searches returns every SEARCH p's dashboard reads, failing the test on a
// SEARCH that does not name one metric.
func searches(t *testing.T, p *EndpointPlan) []searched {
	t.Helper()
	var out []searched
	for _, g := range graphs(p) {
		for _, l := range g.Metrics {
			e, ok := l.(dashboard.Expr)
			if !ok {
				continue
			}
			ss, err := check.Searches(e.Expression)
			if err != nil {
				t.Fatalf("%s: %v", g.Title, err)
			}
			for _, s := range ss {
				out = append(out, searched{graph: g.Title, expr: e.Expression, label: e.Label, period: e.Period, Search: s})
			}
		}
	}
	return out
}

// A streaming test's rows read the catalogue's load-test metrics with
// their dimension set and a statistic the catalogue allows; the SageMaker
// lines beside them are published metrics too.
func TestPlanEndpoint_StreamRowsReadTheCatalogue(t *testing.T) {
	p, err := PlanEndpoint("test", streamProps(t, &StreamProps{TTFT: 2 * time.Second, TPOT: 50 * time.Millisecond, E2E: 20 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	cat := metrics.LoadTest("")
	read := map[string][]string{} // metric -> statistics
	for _, s := range searches(t, p) {
		if err := dashcheck.CheckSearch(cat, s.Search); err != nil {
			t.Errorf("%s: %v", s.graph, err)
		}
		if s.Period != int(metrics.LoadTestPeriod/time.Second) {
			t.Errorf("%s: SEARCH period %d; loadgen publishes every %v", s.graph, s.Period, metrics.LoadTestPeriod)
		}
		read[s.MetricName] = append(read[s.MetricName], s.Stat)
	}
	for metric, want := range map[string][]string{
		metrics.LoadTestTTFT: {"p50", "p99"}, metrics.LoadTestITL: {"p50", "p99"}, metrics.LoadTestTPOT: {"p50", "p99"},
		metrics.LoadTestOutputTokensPerRequest: {"p50", "p99"},
		metrics.LoadTestOutputTokens:           {metrics.StatSum}, metrics.LoadTestGoodRequests: {metrics.StatSum},
	} {
		if got := read[metric]; !slices.Equal(got, want) {
			t.Errorf("%s read with statistics %v; want %v", metric, got, want)
		}
	}
	problems, _ := unpublished(p, metrics.RealTime())
	for _, pr := range problems {
		t.Error(pr)
	}
}

// Units are converted once: token timings from µs to ms, counts per 10 s
// period to per second; the rows put TTFT and inter-token latency beside
// GPU and GPU memory of every variant, and goodput beside the request rate.
func TestPlanEndpoint_StreamRowsUnitsAndLayout(t *testing.T) {
	p, err := PlanEndpoint("test", streamProps(t, &StreamProps{TTFT: 2 * time.Second, TPOT: 50 * time.Millisecond, E2E: 30 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range searches(t, p) {
		var suffix string
		switch s.MetricName {
		case metrics.LoadTestTTFT, metrics.LoadTestITL, metrics.LoadTestTPOT:
			suffix = ", 10)/1000" // µs → ms
		case metrics.LoadTestOutputTokens, metrics.LoadTestGoodRequests:
			suffix = ", 10))/10" // SUM over series, per 10 s → per second
		case metrics.LoadTestOutputTokensPerRequest:
			suffix = ", 10)"
		default:
			continue
		}
		if !strings.HasSuffix(s.expr, suffix) {
			t.Errorf("%s: %s as %q; want it to end in %q", s.graph, s.MetricName, s.expr, suffix)
		}
	}
	row := graphRow(p, "Time to first token (ms)")
	want := []string{"Time to first token (ms)", "Inter-token latency and TPOT (ms)", "GPU and GPU memory (% of instance)"}
	if !slices.Equal(row, want) {
		t.Errorf("the TTFT row holds %v; want %v", row, want)
	}
	gpu := graph(p, "GPU and GPU memory (% of instance)")
	var exprs []string
	for _, l := range gpu.Metrics {
		if e, ok := l.(dashboard.Expr); ok {
			exprs = append(exprs, e.Expression)
		}
	}
	// ml.g5.12xlarge has 4 GPUs, ml.g6.xlarge 1: SageMaker's sum over GPUs ÷ GPUs.
	if strings.Join(exprs, " ") != "msgpu0raw/4 msgpumem0raw/4" {
		t.Errorf("GPU lines %v; want g5's two normalised by its 4 GPUs, g6's drawn as published", exprs)
	}
	if got := graphRow(p, "Goodput vs request rate (req/s)"); !slices.Contains(got, "Output tokens per second") {
		t.Errorf("the goodput row holds %v; want output tokens/s beside it", got)
	}
	for title, slo := range map[string]float64{"Time to first token (ms)": 2000, "Inter-token latency and TPOT (ms)": 50, "Client latency (ms)": 30000} {
		if !hasLine(graph(p, title), slo) {
			t.Errorf("%s: no SLO line at %v ms", title, slo)
		}
	}
	if hasLine(graph(p, "Endpoint latency (ms)"), 30000) {
		t.Error("Endpoint latency (ms) draws the stream's end-to-end SLO; it bounds the client's latency, not ModelLatency")
	}
}

// Without a goodput SLO loadgen counts no good requests: no goodput line.
// With format text the rows count chunks, and say so. Without a stream
// nothing of the token rows is drawn.
func TestPlanEndpoint_StreamRowsVariants(t *testing.T) {
	p, err := PlanEndpoint("test", streamProps(t, &StreamProps{Format: "text"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range searches(t, p) {
		if s.MetricName == metrics.LoadTestGoodRequests {
			t.Errorf("%s reads GoodRequests; without an SLO loadgen counts none", s.graph)
		}
	}
	graph(p, "Goodput: no SLO set (req/s)")
	graph(p, "Output chunks per second")
	if !strings.Contains(streamTitleOf(p), "chunks, not tokens") {
		t.Error("format text: the title does not say chunks are counted, not tokens")
	}

	plain, err := PlanEndpoint("test", streamProps(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	streaming := []string{metrics.LoadTestTTFT, metrics.LoadTestITL, metrics.LoadTestTPOT, metrics.LoadTestOutputTokens,
		metrics.LoadTestOutputTokensPerRequest, metrics.LoadTestGoodRequests}
	for _, s := range searches(t, plain) {
		if slices.Contains(streaming, s.MetricName) {
			t.Errorf("%s reads %s without a streaming test", s.graph, s.MetricName)
		}
	}
	if n, m := len(plain.rows), len(p.rows); m-n != 3 {
		t.Errorf("a stream adds %d rows; want its title and two rows of graphs", m-n)
	}
}

// graph returns the graph titled title, failing the test without one.
func graph(p *EndpointPlan, title string) *dashboard.Graph {
	for _, g := range graphs(p) {
		if g.Title == title {
			return g
		}
	}
	panic("no graph titled " + title)
}

// graphRow returns the titles of the graphs in the row that holds title.
func graphRow(p *EndpointPlan, title string) []string {
	for _, row := range p.rows {
		var titles []string
		found := false
		for _, c := range row {
			if g, ok := c.Properties.(*dashboard.Graph); ok {
				titles = append(titles, g.Title)
				found = found || g.Title == title
			}
		}
		if found {
			return titles
		}
	}
	return nil
}

// hasLine reports whether g draws a horizontal line at v.
func hasLine(g *dashboard.Graph, v float64) bool {
	if g.Annotations == nil {
		return false
	}
	for _, h := range g.Annotations.Horizontal {
		if h.Value == v {
			return true
		}
	}
	return false
}

// streamTitleOf is the markdown of the token rows' title ("" without one).
func streamTitleOf(p *EndpointPlan) string {
	for _, row := range p.rows {
		for _, c := range row {
			if t, ok := c.Properties.(*dashboard.Text); ok && strings.HasPrefix(t.Markdown, "## LLM stream") {
				return t.Markdown
			}
		}
	}
	return ""
}
