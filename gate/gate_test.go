package gate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/loadgen"
)

// synthetic builds a loadgen output of a stepped plan whose interval
// p99s are base(rate) × scale × a seeded lognormal-ish noise.
func synthetic(seed uint64, scale float64, steps []float64, stepSecs, intervalSecs float64, errEvery int) *Run {
	rng := rand.New(rand.NewPCG(seed, 7))
	var specs []string
	r := &Run{Path: "run-" + string(rune('a'+seed%26))}
	at := 0.0
	for _, rate := range steps {
		specs = append(specs, num(rate)+"@"+(time.Duration(stepSecs)*time.Second).String())
		for t := at; t+intervalSecs <= at+stepSecs+1e-9; t += intervalSecs {
			n := uint64(rate * intervalSecs)
			p99 := (20000 + 100*rate) * scale * (1 + 0.08*rng.NormFloat64())
			p50 := p99 / 3
			var errs uint64
			if errEvery > 0 {
				errs = n / uint64(errEvery)
			}
			r.Intervals = append(r.Intervals, loadgen.Stats{Type: "interval", From: t, To: t + intervalSecs, TargetRate: rate,
				Requests: n, OK: n - errs, Errors: errs, Latency: loadgen.LatencyStats{Count: int64(n), P50: int64(p50), P99: int64(p99)}})
		}
		at += stepSecs
	}
	r.Summary = loadgen.Summary{Stats: loadgen.Stats{Type: "summary", TestID: "t"}, Plan: "steps " + strings.Join(specs, ","), Target: "container http://127.0.0.1:8080"}
	return r
}

var plan3 = []float64{20, 40, 80}

// Known answers: a copy shifted by +30 % is a regression at every step; an
// independent run of the same distribution and a +4 % shift are not.
func TestCompareKnownAnswers(t *testing.T) {
	base := synthetic(1, 1, plan3, 60, 5, 0)
	for _, tt := range []struct {
		name      string
		cand      *Run
		regressed bool
	}{
		{"shifted +30%", synthetic(1, 1.3, plan3, 60, 5, 0), true},
		{"same release, another run", synthetic(2, 1, plan3, 60, 5, 0), false},
		{"shifted +4%, within tolerance", synthetic(1, 1.04, plan3, 60, 5, 0), false},
		{"errors up 5 points", synthetic(1, 1, plan3, 60, 5, 20), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := Compare([]*Run{base}, tt.cand, DefaultOptions())
			if c.Regressed() != tt.regressed || len(c.Problems) != 0 {
				var md bytes.Buffer
				c.Markdown(&md, "")
				t.Errorf("regressed %v, problems %v; want %v, none\n%s", c.Regressed(), c.Problems, tt.regressed, md.String())
			}
		})
	}
	// The shifted copy's p99 change is +30 % exactly, and its interval
	// contains it.
	c := Compare([]*Run{base}, synthetic(1, 1.3, plan3, 60, 5, 0), DefaultOptions())
	for _, s := range c.Steps {
		d := s.Diffs[1]
		if d.Metric != "p99" || d.Change < 0.299 || d.Change > 0.301 || d.Low > d.Change || d.High < d.Change || d.Outcome != Regression {
			t.Errorf("step %d: %+v; want p99 +30%% inside its interval, a regression", s.Index, d)
		}
	}
}

// The noise guard: with a tolerance of 0, only the bootstrap interval
// stands between noise and a verdict; across 20 independent pairs from
// one distribution, at most 2 steps of 60 may be flagged (5 % nominal).
func TestCompareFalsePositiveRate(t *testing.T) {
	o := DefaultOptions()
	o.LatencyTolerance, o.ThroughputTolerance, o.ErrorTolerance = 0, 0, 0
	o.Resamples = 500
	flagged := 0
	for i := uint64(0); i < 20; i++ {
		c := Compare([]*Run{synthetic(100+2*i, 1, plan3, 60, 5, 0)}, synthetic(101+2*i, 1, plan3, 60, 5, 0), o)
		for _, s := range c.Steps {
			if s.Diffs[1].Outcome == Regression {
				flagged++
			}
		}
	}
	if flagged > 6 {
		t.Errorf("%d of 60 same-distribution steps flagged as p99 regressions; want at most 6 (about 2.5%% expected one-sided)", flagged)
	}
}

func TestCompareBadInput(t *testing.T) {
	base := synthetic(1, 1, plan3, 60, 5, 0)
	other := synthetic(2, 1, plan3, 60, 5, 0)
	other.Summary.Target = "endpoint churn-xgb"
	short := synthetic(3, 1, plan3[:2], 60, 5, 0)
	short.Summary.Plan = base.Summary.Plan
	short.Summary.Stopped = "signal"
	sparse := synthetic(4, 1, []float64{1, 40, 80}, 60, 5, 0)
	sparseBase := synthetic(5, 1, []float64{1, 40, 80}, 60, 5, 0)
	ramp := synthetic(6, 1, plan3, 60, 5, 0)
	ramp.Summary.Plan = "linear 0/s to 200/s over 10m0s"
	for _, tt := range []struct {
		name       string
		base, cand *Run
		want       string
		compared   int // steps with diffs
	}{
		{"different targets", base, other, `different targets: baseline "container http://127.0.0.1:8080", candidate "endpoint churn-xgb"`, 3},
		{"different plans", base, synthetic(2, 1, []float64{20, 40}, 60, 5, 0), "step 3 (80 req/s): the candidate's plan has no such step", 2},
		{"candidate stopped early", base, short, "step 3 (80 req/s): the candidate has no interval in this step (its run stopped: signal)", 2},
		{"too few requests", sparseBase, sparse, "step 1 (1 req/s): the baseline has 12 interval(s) in which the plan scheduled 60 request(s); the candidate has 12 interval(s) in which the plan scheduled 60 request(s); a 95% bootstrap interval needs at least 5 intervals and 500 requests", 2},
		{"ramp", base, ramp, "has no steps: compare needs a stepped (-steps) or constant (-rate with -duration) plan", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := Compare([]*Run{tt.base}, tt.cand, DefaultOptions())
			n := 0
			for _, s := range c.Steps {
				if len(s.Diffs) > 0 {
					n++
				}
			}
			if !strings.Contains(strings.Join(c.Problems, "\n"), tt.want) || n != tt.compared {
				t.Errorf("problems %q, %d steps compared; want one containing %q and %d compared", c.Problems, n, tt.want, tt.compared)
			}
			if !strings.HasPrefix(c.Verdict(), "NOT JUDGED") {
				t.Errorf("verdict %q; want NOT JUDGED", c.Verdict())
			}
		})
	}
}

// ReadRun reads both of loadgen's files: -output (JSON lines) and
// -summary (one indented object).
func TestReadRun(t *testing.T) {
	run := synthetic(1, 1, plan3, 20, 5, 0)
	dir := t.TempDir()
	var lines bytes.Buffer
	enc := json.NewEncoder(&lines)
	for _, iv := range run.Intervals {
		enc.Encode(iv)
	}
	run.Summary.Requests, run.Summary.Errors, run.Summary.TargetRate, run.Summary.Throughput = 1000, 10, 40, 38
	run.Summary.Latency.P99 = 123456
	enc.Encode(run.Summary)
	enc.Encode(map[string]any{"type": "publish"})
	indented, _ := json.MarshalIndent(run.Summary, "", "  ")
	for name, body := range map[string][]byte{"out.jsonl": lines.Bytes(), "summary.json": indented} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, body, 0o600)
		r, err := ReadRun(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		m := r.Measured()
		if m.P99 != 123456*time.Microsecond || m.Requests != 1000 || m.Achieved != 38.0/40 || r.Summary.Plan != run.Summary.Plan {
			t.Errorf("%s: measured %+v, plan %q", name, m, r.Summary.Plan)
		}
		if name == "out.jsonl" && len(r.Intervals) != 12 {
			t.Errorf("%s: %d intervals; want 12", name, len(r.Intervals))
		}
	}
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(`{"type":"interval"}`+"\n"), 0o600)
	if _, err := ReadRun(bad); err == nil || !strings.Contains(err.Error(), "bad.jsonl: no summary") {
		t.Errorf("ReadRun without a summary: %v", err)
	}
}

func TestRenderings(t *testing.T) {
	c := Compare([]*Run{synthetic(1, 1, plan3, 60, 5, 0)}, synthetic(1, 1.3, plan3, 60, 5, 0), DefaultOptions())
	var md, h, js, svg bytes.Buffer
	if err := c.Markdown(&md, "compare-p99.svg"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(md.String(), "### Release comparison: REGRESSION: ") || !strings.Contains(md.String(), "p99 at 20 req/s +30.0%") ||
		!strings.Contains(md.String(), "| 3 | 80 | p99 |") || !strings.Contains(md.String(), "![p99 by step](compare-p99.svg)") {
		t.Errorf("markdown:\n%s", md.String())
	}
	c.HTML(&h)
	c.WriteSVG(&svg)
	if !strings.Contains(h.String(), "<svg") || strings.Count(svg.String(), "<polyline") != 2 {
		t.Errorf("html or svg lacks the chart:\n%s", svg.String())
	}
	if err := c.JSON(&js); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Regressed bool
		Steps     []struct{ Diffs []Diff }
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil || !doc.Regressed || len(doc.Steps) != 3 || doc.Steps[0].Diffs[1].Outcome != Regression {
		t.Errorf("json: %v %+v", err, doc)
	}
}

// A candidate that cannot keep up completes fewer requests than planned:
// that is a throughput regression, not a run too short to judge; and runs
// against each release's own target compare once told so.
func TestCompareSaturatedCandidateOnItsOwnTarget(t *testing.T) {
	base := synthetic(1, 1, plan3, 60, 5, 0)
	cand := synthetic(1, 1, plan3, 60, 5, 0)
	cand.Summary.Target = "container http://127.0.0.1:9999"
	for i := range cand.Intervals {
		cand.Intervals[i].Requests /= 2
	}
	o := DefaultOptions()
	c := Compare([]*Run{base}, cand, o)
	if len(c.Problems) != 1 || !strings.Contains(c.Problems[0], "--different-targets") {
		t.Errorf("problems %q; want only the different targets", c.Problems)
	}
	o.DifferentTargets = true
	c = Compare([]*Run{base}, cand, o)
	if len(c.Problems) != 0 || len(c.Notes) != 1 || !c.Regressed() || c.Steps[0].Diffs[3].Metric != "throughput" || c.Steps[0].Diffs[3].Outcome != Regression {
		t.Errorf("problems %q, notes %q, regressed %v; want a throughput regression and a note", c.Problems, c.Notes, c.Regressed())
	}
}

// With 1-s intervals at 20-80 req/s an interval's p99 is its maximum: the
// p99 is not judged (a +30 % shift is not flagged on it), the p50 still is.
func TestCompareP99NeedsRequestsPerInterval(t *testing.T) {
	o := DefaultOptions()
	o.MinRequests = 100
	c := Compare([]*Run{synthetic(1, 1, plan3, 20, 1, 0)}, synthetic(1, 1.3, plan3, 20, 1, 0), o)
	for _, s := range c.Steps {
		if s.Diffs[1].Outcome != Unjudged || s.Diffs[0].Outcome != Regression {
			t.Errorf("step %d: p50 %s, p99 %s; want a p50 regression and the p99 not judged", s.Index, s.Diffs[0].Outcome, s.Diffs[1].Outcome)
		}
	}
	var md bytes.Buffer
	c.Markdown(&md, "")
	if !strings.Contains(md.String(), "*not judged*: fewer than 100 requests per interval") {
		t.Errorf("markdown lacks the not-judged note:\n%s", md.String())
	}
}

// runOf is a run of the same distribution as synthetic's, moved by a run
// effect (the host, the hour): every interval scaled by effect.
func runOf(seed uint64, effect float64) *Run {
	r := synthetic(seed, effect, plan3, 60, 5, 0)
	r.Path = fmt.Sprintf("run-%d", seed)
	return r
}

// Several baseline runs let the bootstrap see the variation between runs:
// a candidate 25 % slower than the first baseline run, but within the
// spread of three baseline runs (×0.85, ×1, ×1.3), is a regression against
// the first run alone and noise against all three; a candidate twice as
// slow is a regression against all three.
func TestCompareSeveralBaselineRuns(t *testing.T) {
	base := []*Run{runOf(1, 1), runOf(2, 1.3), runOf(3, 0.85)}
	same := runOf(4, 1.25)
	if c := Compare(base[:1], same, DefaultOptions()); !c.Regressed() {
		t.Errorf("against one baseline run, a +25%% run is not flagged: %s", c.Verdict())
	}
	c := Compare(base, same, DefaultOptions())
	if c.Regressed() || len(c.Problems) != 0 || len(c.BaselineRuns) != 3 {
		t.Errorf("against three baseline runs: %s, problems %q, %d baseline runs; want no regression, no problem, 3 runs", c.Verdict(), c.Problems, len(c.BaselineRuns))
	}
	for _, s := range c.Steps {
		if d := s.Diffs[1]; d.Outcome != Noise || d.Low > -0.05 || d.High < 0.4 {
			t.Errorf("step %d p99: %s, CI %+.2f to %+.2f; want within noise, an interval spanning about -15%% to +50%% (the runs' spread)", s.Index, d.Outcome, d.Low, d.High)
		}
		if s.Baseline.Intervals != 36 || s.Candidate.Intervals != 12 {
			t.Errorf("step %d: %d baseline and %d candidate intervals; want 36 (3 runs × 12) and 12", s.Index, s.Baseline.Intervals, s.Candidate.Intervals)
		}
	}
	if c := Compare(base, runOf(5, 4), DefaultOptions()); !c.Regressed() || len(c.Steps) != 3 || c.Steps[2].Diffs[1].Outcome != Regression {
		t.Errorf("a ×4 candidate against three baseline runs: %s; want a p99 regression at every step", c.Verdict())
	}
	var md, js bytes.Buffer
	c.Markdown(&md, "")
	c.JSON(&js)
	if !strings.Contains(md.String(), "Baseline 3 runs: `t` (run-1), `t` (run-2), `t` (run-3)") || !strings.Contains(md.String(), "baseline runs, then their intervals") {
		t.Errorf("markdown does not name the three baseline runs and the resampling:\n%s", md.String())
	}
	var doc struct {
		BaselineRuns []RunInfo `json:"baseline_runs"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil || len(doc.BaselineRuns) != 3 || doc.BaselineRuns[2].Path != "run-3" {
		t.Errorf("json baseline_runs: %v %+v", err, doc.BaselineRuns)
	}
}

// The false-positive rate when runs differ by more than their intervals
// show: 40 "releases" identical to the baseline, each run with its own run
// effect (lognormal, σ 10 %), compared with the default 10 % tolerance.
// Against one baseline run, about a third are flagged; against three, at
// most 3 of 40 (each comparison judges 12 figures, each at a one-sided
// 2.5 %; over 200 such releases 9 were flagged, 4.5 %). A
// ×2.5 release is still flagged nearly every time.
func TestCompareFalsePositivesWithRunEffects(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 42))
	effect := func() float64 { return math.Exp(0.1 * rng.NormFloat64()) }
	o := DefaultOptions()
	o.Resamples = 500
	const n = 40
	var one, three, missed int
	for i := uint64(0); i < n; i++ {
		base := []*Run{runOf(1000+10*i, effect()), runOf(1001+10*i, effect()), runOf(1002+10*i, effect())}
		cand := runOf(1003+10*i, effect())
		if Compare(base[:1], cand, o).Regressed() {
			one++
		}
		if Compare(base, cand, o).Regressed() {
			three++
		}
		if !Compare(base, runOf(1004+10*i, 2.5*effect()), o).Regressed() {
			missed++
		}
	}
	t.Logf("false positives: %d/%d against one baseline run, %d/%d against three; ×2.5 missed %d/%d", one, n, three, n, missed, n)
	if three > 3 || one < 8 || missed > 2 {
		t.Errorf("false positives %d/%d against three baseline runs (want ≤ 3), %d/%d against one (want ≥ 8: else the test does not show the problem), ×2.5 releases missed %d/%d (want ≤ 2)", three, n, one, n, missed, n)
	}
}

// A latency floor: a +40 % p50 that is 3 ms counts without a floor and is
// tolerated under a 5-ms floor; the table shows both bounds.
func TestCompareLatencyFloor(t *testing.T) {
	base, cand := synthetic(1, 1, plan3, 60, 5, 0), synthetic(1, 1.4, plan3, 60, 5, 0)
	// At 20 req/s: p50 about 7.3 ms (+2.9 ms), p99 about 22 ms (+8.8 ms).
	o := DefaultOptions()
	if d := Compare([]*Run{base}, cand, o).Steps[0].Diffs[0]; d.Outcome != Regression {
		t.Fatalf("p50 without a floor: %+v; want a regression", d)
	}
	o.LatencyFloor = 5 * time.Millisecond
	c := Compare([]*Run{base}, cand, o)
	d := c.Steps[0].Diffs[0]
	if d.Outcome != Tolerated || d.Floor != 5 || d.Candidate-d.Baseline > 5 {
		t.Errorf("p50 under a 5-ms floor: %+v; want within tolerance, floor 5 ms, a change under 5 ms", d)
	}
	if p99 := c.Steps[0].Diffs[1]; p99.Outcome != Regression || p99.Candidate-p99.Baseline <= 5 {
		t.Errorf("p99 (+%.1f ms) under a 5-ms floor: %s; want a regression", p99.Candidate-p99.Baseline, p99.Outcome)
	}
	var md bytes.Buffer
	c.Markdown(&md, "")
	if !strings.Contains(md.String(), "| ±10%, ±5.0 ms |") {
		t.Errorf("markdown does not show the floor beside the tolerance:\n%s", md.String())
	}
}

// A baseline run of another plan is left out, and a baseline run that
// stopped early keeps its step from being judged, named by its path.
func TestCompareBaselineRunsBadInput(t *testing.T) {
	other := synthetic(2, 1, []float64{20, 40}, 60, 5, 0)
	other.Path = "other-plan"
	short := synthetic(3, 1, plan3[:2], 60, 5, 0)
	short.Summary.Plan, short.Summary.Stopped, short.Path = runOf(1, 1).Summary.Plan, "signal", "stopped"
	c := Compare([]*Run{runOf(1, 1), other, short}, runOf(4, 1), DefaultOptions())
	all := strings.Join(c.Problems, "\n")
	for _, want := range []string{
		`baseline run other-plan ran plan "steps 20@1m0s,40@1m0s", not the first baseline run's "steps 20@1m0s,40@1m0s,80@1m0s": left out`,
		"step 3 (80 req/s): the baseline run 2 (stopped) has no interval in this step (its run stopped: signal)",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems %q; want one containing %q", c.Problems, want)
		}
	}
	if len(c.Steps) != 3 || len(c.Steps[0].Diffs) == 0 || len(c.Steps[2].Diffs) != 0 {
		t.Errorf("steps compared: %+v; want steps 1 and 2 judged, 3 not", c.Steps)
	}
	if c := Compare(nil, runOf(4, 1), DefaultOptions()); len(c.Problems) != 1 || c.Problems[0] != "no baseline run to compare with" {
		t.Errorf("no baseline: problems %q", c.Problems)
	}
}
