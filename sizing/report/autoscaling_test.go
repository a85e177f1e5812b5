package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/sizing"
)

// The scenario recommends g5-xl, which sustained 396 req/s per instance:
// with 30% headroom the target is 396 × 0.7 × 60 = 16632 per minute; the
// 1000 req/s target needs ceil(1000/396) = 3 instances at the sustainable
// rate and 4 with headroom, so max is 2 × 4 = 8.
func TestRecommendPolicy_TargetPerMinuteAndBounds(t *testing.T) {
	pol := RecommendPolicy(sizing.Decide(scenario()))
	want := Policy{Variant: "g5-xl", InstanceType: "ml.g5.xlarge", TargetPerMinute: 16632, MinInstances: 3, MaxInstances: 8}
	if pol == nil || *pol != want {
		t.Fatalf("RecommendPolicy = %+v, want %+v", pol, want)
	}
	if got := RecommendPolicy(sizing.Decide(nothingHolds())); got != nil {
		t.Errorf("with no recommendation RecommendPolicy = %+v, want nil", got)
	}
}

// The snippet the Markdown report prints, pasted under a production
// endpoint next to the report's report.json, gives that endpoint the
// printed policy: config reads the same target from the JSON.
func TestMarkdown_AutoscalingSnippetAppliesThePolicy(t *testing.T) {
	r := sizing.Decide(scenario())
	var md, js bytes.Buffer
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&js, r); err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(md.String(), "```yaml\n")
	snippet, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatalf("the report has no yaml snippet:\n%s", md.String())
	}
	dir := t.TempDir()
	cfg := "project: shop\nendpoints:\n  - name: churn-prod\n    slo: {latency: 200ms}\n    variants:\n" + snippet
	for name, data := range map[string][]byte{"report.json": js.Bytes(), "sagesize.yaml": []byte(cfg)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c, err := config.Load(filepath.Join(dir, "sagesize.yaml"), nil)
	if err != nil {
		t.Fatalf("the snippet does not load:\n%s\n%v", cfg, err)
	}
	a := c.Endpoints[0].Variants[0].Autoscaling
	pol := RecommendPolicy(r)
	if a.Target != pol.TargetPerMinute || a.MinInstances != pol.MinInstances || a.MaxInstances != pol.MaxInstances {
		t.Errorf("config from the snippet: target %v, %d-%d; report: %v, %d-%d", a.Target, a.MinInstances, a.MaxInstances, pol.TargetPerMinute, pol.MinInstances, pol.MaxInstances)
	}
	if !strings.Contains(md.String(), "**16632 invocations per instance per minute**") {
		t.Error("the report does not print the target per minute")
	}
}
