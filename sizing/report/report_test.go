package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/sizing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.*")

var t0 = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func pct(v float64) *float64 { return &v }

func mkStep(i int, rate, achieved, p99ms, cpu float64, gpu *float64) sizing.Step {
	start := t0.Add(time.Duration(i) * 6 * time.Minute)
	return sizing.Step{
		PlannedRate: rate, AchievedRate: achieved, Start: start, End: start.Add(5 * time.Minute),
		ClientP50:   time.Duration(p99ms * 0.4 * float64(time.Millisecond)),
		ClientP99:   time.Duration(p99ms * float64(time.Millisecond)),
		ModelP99:    time.Duration(p99ms * 0.7 * float64(time.Millisecond)),
		OverheadP99: time.Duration(p99ms * 0.05 * float64(time.Millisecond)),
		Requests:    int64(achieved * 300), CPU: pct(cpu), Memory: pct(35), GPU: gpu,
	}
}

// scenario is a test with every case the report shows: a CPU candidate that
// saturates early, a GPU candidate cheaper per inference (the winner), a
// candidate with a step without data and a step whose publishes were
// partly lost (incomplete), and one that never received traffic.
func scenario() sizing.Test {
	cpu := catalog.Instance{Type: "ml.c5.xlarge", Family: "c5", VCPUs: 4, PricePerHour: 0.204}
	gpu := catalog.Instance{Type: "ml.g5.xlarge", Family: "g5", VCPUs: 4, Accelerator: catalog.NvidiaGPU, AcceleratorCount: 1, PricePerHour: 1.408}
	m5 := catalog.Instance{Type: "ml.m5.xlarge", Family: "m5", VCPUs: 4, PricePerHour: 0.23}
	inf := catalog.Instance{Type: "ml.inf2.xlarge", Family: "inf2", VCPUs: 4, Accelerator: catalog.Inferentia, AcceleratorCount: 1, PricePerHour: 0.99}
	gs := []sizing.Step{
		mkStep(0, 50, 50, 25, 8, pct(12)), mkStep(1, 100, 99.5, 28, 12, pct(25)),
		mkStep(2, 200, 198, 40, 20, pct(48)), mkStep(3, 400, 396, 120, 31, pct(81)),
		mkStep(4, 800, 610, 650, 38, pct(99)),
	}
	gs[4].Errors = 4000
	gs[4].Throttles = 1200
	for i := range gs {
		gs[i].Coverage = &sizing.Coverage{Expected: 30, Published: 30, Known: true}
	}
	gap := sizing.Step{PlannedRate: 40, Start: t0.Add(12 * time.Minute), End: t0.Add(17 * time.Minute), Missing: []string{"ClientP99", "Requests", "CPU"}}
	lost := mkStep(2, 60, 60, 120, 50, nil)
	lost.Requests = 16200 // 27 intervals of 10 s at 60 req/s
	lost.Coverage = &sizing.Coverage{Expected: 30, Published: 27, Known: true}
	return sizing.Test{
		Endpoint: "churn-sizing", SLO: sizing.SLO{Percentile: sizing.P99, Latency: 200 * time.Millisecond},
		MaxErrorRate: 0.01, TargetRate: 1000, Headroom: 0.3,
		Candidates: []sizing.Candidate{
			{Variant: "c5-xl", Instance: cpu, InstanceCount: 1, Steps: []sizing.Step{
				mkStep(0, 10, 10, 60, 35, nil), mkStep(1, 20, 19.8, 140, 68, nil), mkStep(2, 40, 31, 900, 99, nil)}},
			{Variant: "g5-xl", Instance: gpu, InstanceCount: 1, Steps: gs},
			{Variant: "m5-xl", Instance: m5, InstanceCount: 2, Steps: []sizing.Step{
				mkStep(0, 20, 20, 70, 30, nil), gap, lost, mkStep(3, 80, 79, 150, 70, nil)}},
			{Variant: "inf2-xl", Instance: inf, InstanceCount: 1, Steps: []sizing.Step{{PlannedRate: 50}, {PlannedRate: 100}}},
		},
		Duration: 70 * time.Minute,
	}
}

func render(t *testing.T, r *sizing.Result) (md, js, page []byte) {
	t.Helper()
	var a, b, c bytes.Buffer
	if err := Markdown(&a, r); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&b, r); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&c, r); err != nil {
		t.Fatal(err)
	}
	return a.Bytes(), b.Bytes(), c.Bytes()
}

func nothingHolds() sizing.Test {
	tt := scenario()
	tt.SLO.Latency = 10 * time.Millisecond
	return tt
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		test sizing.Test
	}{{"scenario", scenario()}, {"nothing-holds", nothingHolds()}} {
		t.Run(tc.name, func(t *testing.T) {
			md, js, _ := render(t, sizing.Decide(tc.test))
			for ext, got := range map[string][]byte{"md": md, "json": js} {
				path := filepath.Join("testdata", tc.name+".golden."+ext)
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the golden file; run go test ./sizing/report -update and review the diff\n--- got:\n%s", path, got)
				}
			}
		})
	}
}

// TestFormatsAgree parses the JSON and checks that its numbers appear, in the
// shared formats, in the Markdown and the HTML.
func TestFormatsAgree(t *testing.T) {
	for _, test := range []sizing.Test{scenario(), nothingHolds()} {
		md, js, page := render(t, sizing.Decide(test))
		text := html.UnescapeString(string(page))
		var d Document
		if err := json.Unmarshal(js, &d); err != nil {
			t.Fatal(err)
		}
		check := func(what, s string) {
			t.Helper()
			if !strings.Contains(string(md), s) {
				t.Errorf("Markdown lacks %s %q", what, s)
			}
			if !strings.Contains(text, s) {
				t.Errorf("HTML lacks %s %q", what, s)
			}
		}
		check("recommendation", d.Recommended)
		for _, r := range append(d.Reasons, d.Problems...) {
			check("reason/problem", r)
		}
		for _, c := range d.Candidates {
			if c.Sustains {
				check("sustainable rate", sizing.FormatRate(c.SustainableRate))
				check("cost per million", sizing.FormatUSD(c.CostPerMillion))
				check("fleet cost", sizing.FormatUSD(c.FleetCostPerHour))
				if !strings.Contains(string(md), fmt.Sprintf("| %d | %s |", c.InstancesForTarget, sizing.FormatUSD(c.FleetCostPerHour))) ||
					!strings.Contains(text, fmt.Sprintf("<td>%d</td><td>%s</td>", c.InstancesForTarget, sizing.FormatUSD(c.FleetCostPerHour))) {
					t.Errorf("%s: instances for target %d missing", c.Variant, c.InstancesForTarget)
				}
			}
			check("cost per hour", sizing.FormatUSD(c.CostPerHour))
			for _, s := range c.Steps {
				row := strings.Join([]string{sizing.FormatRate(s.PlannedRate), sizing.FormatRate(s.AchievedRate),
					sizing.FormatMillis(time.Duration(s.ClientP50Ms * float64(time.Millisecond))),
					sizing.FormatMillis(time.Duration(s.ClientP99Ms * float64(time.Millisecond))),
					sizing.FormatMillis(time.Duration(s.ModelP99Ms * float64(time.Millisecond))),
					sizing.FormatMillis(time.Duration(s.OverheadP99Ms * float64(time.Millisecond))),
					fmt.Sprint(s.Requests), fmt.Sprint(s.Errors), fmt.Sprint(s.Throttles), sizing.FormatPercent(s.ErrorRate)}, " | ")
				if !strings.Contains(string(md), "| "+row+" |") {
					t.Errorf("Markdown lacks step row %q", row)
				}
				if !strings.Contains(text, "<td>"+strings.ReplaceAll(row, " | ", "</td><td>")+"</td>") {
					t.Errorf("HTML lacks step row %q", row)
				}
			}
		}
	}
}

func TestHTMLHasCharts(t *testing.T) {
	_, _, page := render(t, sizing.Decide(scenario()))
	if n := strings.Count(string(page), `src="data:image/png;base64,`); n != 3 {
		t.Errorf("HTML has %d embedded PNG charts, want 3", n)
	}
}

// TestHTMLScreenshot opens the HTML in headless Chromium and checks that a
// screenshot is produced. Set SAGESIZE_SCREENSHOT to keep it at that path.
func TestHTMLScreenshot(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	bin := "/usr/bin/chromium"
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is required in CI: %v", err)
		}
		t.Skip("chromium not installed: apt-get update && apt-get install -y chromium (as root)")
	}
	dir := t.TempDir()
	_, _, page := render(t, sizing.Decide(scenario()))
	in := filepath.Join(dir, "report.html")
	if err := os.WriteFile(in, page, 0o644); err != nil {
		t.Fatal(err)
	}
	out := os.Getenv("SAGESIZE_SCREENSHOT")
	if out == "" {
		out = filepath.Join(dir, "report.png")
	}
	out, _ = filepath.Abs(out)
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--screenshot="+out, "--window-size=1200,2000", "file://"+in)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, b)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() < 50_000 {
		t.Errorf("screenshot %s is only %d bytes: charts probably missing", out, st.Size())
	}
	t.Logf("screenshot: %s (%d bytes)", out, st.Size())
}

// TestIncompleteAndCostShown: the step whose publishes were partly lost is
// "incomplete" with how much is missing, in the Markdown, the HTML and the
// JSON, never "no"; the sizing endpoint's cost per hour and over the test
// are shown.
func TestIncompleteAndCostShown(t *testing.T) {
	md, js, page := render(t, sizing.Decide(scenario()))
	text := html.UnescapeString(string(page))
	const why = "incomplete: 27 of 30 intervals (10.0% missing): not judged"
	if !strings.Contains(string(md), "| incomplete | "+why) {
		t.Errorf("Markdown lacks the incomplete step:\n%s", md)
	}
	if !strings.Contains(text, `class="warn">incomplete</td><td class="l">`+why) {
		t.Errorf("HTML lacks the incomplete step")
	}
	// 0.204 + 1.408 + 2 × 0.23 + 0.99 = 3.062 $/h, over 70 minutes 3.5723 $.
	const cost = "Sizing endpoint cost: $3.0620/h while deployed (every candidate's price × instance count); this test ran 1h10m0s: $3.5723"
	if !strings.Contains(string(md), cost) || !strings.Contains(text, cost) {
		t.Errorf("Markdown or HTML lacks %q", cost)
	}
	var d Document
	if err := json.Unmarshal(js, &d); err != nil {
		t.Fatal(err)
	}
	st := d.Candidates[2].Steps[2]
	if !st.Incomplete || st.Holds || st.Intervals == nil || *st.Intervals != (Intervals{Expected: 30, Published: 27, Known: true}) {
		t.Errorf("JSON step %+v; want incomplete, 27 of 30 intervals", st)
	}
	if math.Abs(d.EndpointCostPerHour-3.062) > 1e-9 || math.Abs(d.TestCost-3.062*70/60) > 1e-9 {
		t.Errorf("JSON cost %g/h, %g over the test; want 3.062, 3.5723", d.EndpointCostPerHour, d.TestCost)
	}
}
