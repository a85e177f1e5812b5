package cwcost

import (
	"math"
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/sagesize/sagesize/loadgen"
)

func near(got, want float64) bool { return math.Abs(got-want) < 1e-9 }

// TestEstimateAll_KnownAnswer prices two stacks and a run whose bill is
// worked out by hand below, at the default rates.
func TestEstimateAll_KnownAnswer(t *testing.T) {
	main := Stack{
		Name: "demo-monitoring", Dashboards: 2, Composites: 1,
		Alarms: []Alarm{
			{Name: "a-Critical", Metrics: 1, PeriodSeconds: 60},
			{Name: "b-Critical", Metrics: 1, PeriodSeconds: 300},
			{Name: "c-Warning", Metrics: 1, PeriodSeconds: 60, Warning: true},
			{Name: "math-Warning", Metrics: 2, PeriodSeconds: 60, Warning: true}, // num/den: 2 metrics
			{Name: "fast-Critical", Metrics: 1, PeriodSeconds: 10},               // high resolution
			{Name: "anomaly-Critical", Metrics: 1, PeriodSeconds: 60, AnomalyDetection: true},
		},
		Notebooks: []Notebook{{Name: "nb", Metrics: 3, PerGPU: 2, GPUs: 2}}, // 3 + 2 × 2 series
	}
	extra := Stack{Name: "demo-fleet", Dashboards: 2}
	// dashboards 2 × $3 = 6; standard metrics 1+1+1+2+3 = 8 × $0.10 = 0.80;
	// high resolution 1 × $0.30; composite $0.50; notebook 7 × $0.30 = 2.10;
	// agent puts 43,800 / 1,000 × $0.01 = 0.438. Sum 10.138.
	const mainMonthly = 6 + 0.80 + 0.30 + 0.50 + 2.10 + 0.438
	run := Run{Name: "load test ep", Variants: 2, Tasks: 3, Duration: 25 * time.Minute, MeasuredMetrics: 20}
	e := EstimateAll([]Stack{main, extra}, []Run{run}, DefaultRates())

	s := e.Stacks[0]
	if !near(s.MonthlyUSD, mainMonthly) || !near(s.DailyUSD, mainMonthly*24/730) {
		t.Errorf("main stack = $%v/month, $%v/day; want %v, %v\n%+v", s.MonthlyUSD, s.DailyUSD, mainMonthly, mainMonthly*24/730, s.Lines)
	}
	if !near(s.WarningMonthlyUSD, 0.30) || s.WarningAlarms != 2 {
		t.Errorf("warning alarms = %d at $%v; want 2 at 0.30 (1 + 2 metrics)", s.WarningAlarms, s.WarningMonthlyUSD)
	}
	if len(s.HighResolution) != 1 || !strings.HasPrefix(s.HighResolution[0], "fast-Critical: period 10 s") {
		t.Errorf("high-resolution alarms = %q; want fast-Critical with its period", s.HighResolution)
	}
	// 4 dashboards, 3 free: −$9; total 10.138 + 6 − 9.
	if !near(e.FreeDashboardsUSD, -9) || !near(e.MonthlyUSD, mainMonthly+6-9) {
		t.Errorf("free tier %v, total %v; want -9, %v", e.FreeDashboardsUSD, e.MonthlyUSD, mainMonthly-3)
	}
	if !near(e.ReleaseDailyUSD, (mainMonthly+6)*24/730) {
		t.Errorf("release per day = %v; want %v (no free tier)", e.ReleaseDailyUSD, (mainMonthly+6)*24/730)
	}
	// 25 min: 150 intervals and polls, 1 hour. 16 metrics for 1 h;
	// 2 × 3 × 150 = 900 puts; 2 × 150 × 8 + 20 = 2,420 metrics read.
	r := e.Runs[0]
	if r.CustomMetrics != 16 || r.PutMetricData != 900 || r.GetMetricData != 2420 {
		t.Errorf("run = %d metrics, %d puts, %d gets; want 16, 900, 2420", r.CustomMetrics, r.PutMetricData, r.GetMetricData)
	}
	if want := 16*0.30/730 + 0.009 + 0.0242; !near(r.USD, want) {
		t.Errorf("run = $%v; want %v", r.USD, want)
	}
}

func TestOverride(t *testing.T) {
	r, err := DefaultRates().Override(map[string]float64{"dashboard": 2.5, "freeDashboards": 0})
	if err != nil || r.Dashboard != 2.5 || r.FreeDashboards != 0 || r.AlarmMetric != 0.10 {
		t.Errorf("Override = %+v, %v; want dashboard 2.5, no free dashboards, the rest unchanged", r, err)
	}
	_, err = DefaultRates().Override(map[string]float64{"dashbord": 1, "alarmMetric": -0.1, "customMetric": math.Inf(1)})
	for _, want := range []string{
		`rate "dashbord": unknown CloudWatch rate (did you mean "dashboard"?); valid: alarmMetric, compositeAlarm,`,
		"rate alarmMetric: -0.1 is not a price: want a finite number ≥ 0 (USD)",
		"rate customMetric: +Inf is not a price",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Override(bad) = %v; want it to say %q", err, want)
		}
	}
}

func TestParseOverride(t *testing.T) {
	if n, v, err := ParseOverride("compositeAlarm=0.25"); err != nil || n != "compositeAlarm" || v != 0.25 {
		t.Errorf("ParseOverride = %q, %v, %v; want compositeAlarm, 0.25", n, v, err)
	}
	for in, want := range map[string]string{"dashboard": "want name=USD", "=3": "want name=USD", "dashboard=x": `"x" is not a number`} {
		if _, _, err := ParseOverride(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseOverride(%q) = %v; want %q", in, err, want)
		}
	}
}

// TestLoadgenMetrics ties LoadgenMetrics to what loadgen's publisher
// really sends for one interval: that many metric names, in one call's
// worth of datums.
func TestLoadgenMetrics(t *testing.T) {
	h := hdrhistogram.New(1, 120_000_000, 3)
	for v := int64(1000); v < 200_000; v += 997 { // ~200 distinct buckets: 2 latency datums
		if err := h.RecordValue(v); err != nil {
			t.Fatal(err)
		}
	}
	p := loadgen.NewPublisher(nil, "SageSize/LoadTest", "ep", "v", "t1")
	names := map[string]bool{}
	ds := p.Datums(&loadgen.Stats{Start: time.Unix(0, 0)}, h)
	for _, d := range ds {
		names[*d.MetricName] = true
	}
	if len(names) != LoadgenMetrics || len(ds) > 1000 {
		t.Errorf("loadgen publishes %d metrics in %d datums per interval; LoadgenMetrics is %d and one call holds 1,000 datums", len(names), len(ds), LoadgenMetrics)
	}
	// A streaming test publishes LoadgenStreamMetrics more; Estimate
	// counts them for a Run marked Stream.
	tokens := hdrhistogram.New(1, 1_000_000, 3)
	_ = tokens.RecordValue(200)
	st := &loadgen.StreamStats{Histograms: &loadgen.StreamHistograms{TTFT: h, ITL: h, TPOT: h, Tokens: tokens}, OutputTokens: 200, Good: 1}
	streamed := map[string]bool{}
	for _, d := range p.Datums(&loadgen.Stats{Start: time.Unix(0, 0), Stream: st}, h) {
		streamed[*d.MetricName] = true
	}
	if len(streamed) != LoadgenMetrics+LoadgenStreamMetrics {
		t.Errorf("a streaming test publishes %d metrics; LoadgenMetrics+LoadgenStreamMetrics is %d", len(streamed), LoadgenMetrics+LoadgenStreamMetrics)
	}
	r := Run{Variants: 2, Tasks: 1, Duration: time.Minute}
	plain := r.Estimate(Rates{}).CustomMetrics
	r.Stream = true
	if got := r.Estimate(Rates{}).CustomMetrics; got != plain+2*LoadgenStreamMetrics {
		t.Errorf("a streaming run of 2 variants counts %d custom metrics; want %d", got, plain+2*LoadgenStreamMetrics)
	}
	if loadgen.DefaultInterval != LoadgenInterval {
		t.Errorf("loadgen publishes every %v; LoadgenInterval is %v", loadgen.DefaultInterval, LoadgenInterval)
	}
}
