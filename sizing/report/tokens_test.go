package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/sizing"
)

// streamingResult is a streaming test of one GPU candidate that held 2
// req/s and broke ITL at 4, refined once to 3.
func streamingResult() *sizing.Result {
	gpu := catalog.Instance{Type: "ml.g5.xlarge", Family: "g5", VCPUs: 4, Accelerator: catalog.NvidiaGPU, AcceleratorCount: 1, PricePerHour: 1.408}
	st := func(i int, rate, itlMs float64, refine bool) sizing.Step {
		s := mkStep(i, rate, rate, 3000, 10, pct(50))
		s.Refine = refine
		s.Stream = &sizing.StreamStep{TTFTP99: 200 * time.Millisecond, ITLP99: time.Duration(itlMs * float64(time.Millisecond)), OutputTokens: s.Requests * 100, GoodRequests: s.Requests}
		return s
	}
	return sizing.Decide(sizing.Test{Endpoint: "llm", SLO: sizing.SLO{Percentile: sizing.P99, TTFT: time.Second, ITL: 50 * time.Millisecond},
		MaxErrorRate: 0.01, TargetTokensPerSecond: 1000, Headroom: 0.2, InputTokensPerRequest: 300, Duration: time.Hour,
		Candidates: []sizing.Candidate{{Variant: "g5", Instance: gpu, InstanceCount: 1, EndpointTime: 30 * time.Minute,
			Steps: []sizing.Step{st(0, 1, 20, false), st(1, 2, 30, false), st(2, 4, 80, false), st(3, 3, 60, true)}}}})
}

// The three reports show the token SLO, target, token economics, the knee
// with its bracket, the test's cost, and (HTML) TTFT and ITL charts.
func TestStreamingReports(t *testing.T) {
	r := streamingResult()
	var md, page, js bytes.Buffer
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&page, r); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&js, r); err != nil {
		t.Fatal(err)
	}
	// 2 req/s × 100 tokens = 200 tokens/s: $1.408 / (200 × 3600) × 1e6 = $1.9556;
	// with 300 input tokens per request, 800 tokens/s: $0.4889.
	for _, want := range []string{"SLO: TTFT p99 ≤ 1000.0 ms, ITL p99 ≤ 50.0 ms", "Target: 1000.0 output tokens/s with 20.00% headroom",
		"| g5 | ml.g5.xlarge | 200.0 | 200.0 | $1.9556 | $0.4889 | 2.0 |", "between 2.0 and 3.0 req/s (+50.0%, 1 refinement step(s)) | itl | 30.0 | $0.7040 |",
		"| 3.0 | yes | 0.0 | 200.0 | 0.0 | 60.0 | 0.0 | 300.0 | 3.0 | itl |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}
	for _, want := range []string{`alt="TTFT p99 vs achieved rate"`, `alt="ITL p99 vs achieved rate"`, "<h2>Tokens</h2>", "<td>$1.9556</td>"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	var doc Document
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	c := doc.Candidates[0]
	if doc.SLOITLMs != 50 || doc.TargetTokensPerSecond != 1000 || c.Knee == nil || c.Knee.Low != 2 || c.Knee.High != 3 || c.Knee.Refined != 1 ||
		c.Tokens == nil || c.Tokens.OutputPerSecond != 200 || c.EndpointMinutes != 30 || len(c.BrokeFirst) != 1 || c.BrokeFirst[0] != "itl" ||
		!c.Steps[2].Refine || c.Steps[2].Stream == nil || c.Steps[2].Stream.ITLP99Ms != 60 {
		t.Errorf("JSON: %s", js.String())
	}
}
