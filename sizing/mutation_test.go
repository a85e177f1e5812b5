package sizing

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The tests in this file pin the boundaries and branches of the decision
// that mutation testing (scripts/mutate, docs/mutation.md) found unpinned:
// each fails when one comparison or operator of sizing.go is changed.

func TestErrorRateIsErrorsOverRequests(t *testing.T) {
	if got := (Step{Requests: 400, Errors: 4}).ErrorRate(); got != 0.01 {
		t.Errorf("ErrorRate of 4 errors in 400 requests = %v, want 0.01", got)
	}
	if got := (Step{Errors: 3}).ErrorRate(); got != 0 {
		t.Errorf("ErrorRate without requests = %v, want 0", got)
	}
}

// TestInputBounds checks which error rates, target rates and headrooms are
// accepted: the edges of each range are named in its problem message.
func TestInputBounds(t *testing.T) {
	cpu := Candidate{Variant: "cpu", Instance: cpuInst(), InstanceCount: 1, Steps: []Step{step(10, 50, 30), step(20, 120, 60)}}
	tests := []struct {
		name    string
		edit    func(*Test)
		problem string // "" when the input is valid
		reason  string // substring of Reasons when there is no recommendation
	}{
		{"error rate 0 is valid", func(t *Test) { t.MaxErrorRate = 0 }, "", ""},
		{"error rate 1 is valid", func(t *Test) { t.MaxErrorRate = 1 }, "", ""},
		{"negative error rate", func(t *Test) { t.MaxErrorRate = -0.01 }, "max error rate -0.01 is outside [0, 1]", "no candidate held"},
		{"error rate above 1", func(t *Test) { t.MaxErrorRate = 1.01 }, "max error rate 1.01 is outside [0, 1]", ""},
		{"target rate 0", func(t *Test) { t.TargetRate = 0 }, "target rate is not defined", "target rate or headroom is not usable"},
		{"headroom 0 is valid", func(t *Test) { t.Headroom = 0 }, "", ""},
		{"headroom 1", func(t *Test) { t.Headroom = 1 }, "headroom 1 is outside [0, 1)", "target rate or headroom is not usable"},
		{"negative headroom", func(t *Test) { t.Headroom = -0.1 }, "headroom -0.1 is outside [0, 1)", "target rate or headroom is not usable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			test := baseTest(cpu)
			tc.edit(&test)
			r := Decide(test)
			if tc.problem == "" && len(r.Problems) > 0 {
				t.Errorf("Problems %q; want none", r.Problems)
			}
			if tc.problem != "" && (len(r.Problems) != 1 || !strings.Contains(r.Problems[0], tc.problem)) {
				t.Errorf("Problems %q; want only %q", r.Problems, tc.problem)
			}
			wantRec := tc.reason == ""
			if (r.Recommended == "cpu") != wantRec {
				t.Errorf("Recommended %q (reasons %q); want a recommendation: %v", r.Recommended, r.Reasons, wantRec)
			}
			if !wantRec && !containsSub(r.Reasons, tc.reason) {
				t.Errorf("Reasons %q lack %q", r.Reasons, tc.reason)
			}
		})
	}
}

func TestNoCandidates(t *testing.T) {
	r := Decide(baseTest())
	if len(r.Problems) != 1 || r.Problems[0] != "no candidates in the test" {
		t.Errorf("Problems %q; want only that there are no candidates", r.Problems)
	}
	if !containsSub(r.Reasons, "there are no candidates") || r.Recommendation() != nil {
		t.Errorf("Reasons %q, recommendation %v", r.Reasons, r.Recommendation())
	}
}

// TestErrReasons checks that the error lists the problems, and the reasons
// only when there is no recommendation.
func TestErrReasons(t *testing.T) {
	cpu := Candidate{Variant: "cpu", Instance: cpuInst(), InstanceCount: 1, Steps: []Step{step(10, 50, 30)}}
	withProblem := baseTest(cpu)
	withProblem.MaxErrorRate = 2
	r := Decide(withProblem)
	var nre *NoRecommendationError
	if err := r.Err(); !errors.As(err, &nre) || len(nre.Reasons) != 1 || nre.Reasons[0] != r.Problems[0] {
		t.Errorf("Err() with a recommendation and one problem = %v; want only the problem %q", err, r.Problems)
	}
	if rec := r.Recommendation(); rec == nil || rec.Variant != "cpu" {
		t.Errorf("Recommendation() = %v; want cpu", rec)
	}

	noRec := baseTest(cpu)
	noRec.SLO.Latency = time.Millisecond
	r = Decide(noRec)
	err := r.Err()
	if !errors.As(err, &nre) || len(nre.Reasons) != len(r.Reasons) || nre.Reasons[0] != r.Reasons[0] {
		t.Fatalf("Err() without a recommendation = %v; want the reasons %q", err, r.Reasons)
	}
	if want := "sizing: " + strings.Join(r.Reasons, "; "); err.Error() != want {
		t.Errorf("Err().Error() = %q; want %q", err.Error(), want)
	}
}

// TestStepVerdictAtTheBounds: a step exactly at the keep-up fraction, the
// SLO latency and the error bound holds; just past any of them it fails.
func TestStepVerdictAtTheBounds(t *testing.T) {
	edge := step(100, 200, 50) // p99 200 ms = the SLO of baseTest
	edge.AchievedRate = KeepUpFraction * edge.PlannedRate
	edge.Requests, edge.Errors = 1000, 10 // 1% = MaxErrorRate
	tests := []struct {
		name  string
		edit  func(*Step)
		holds bool
		why   string
	}{
		{"at every bound", func(*Step) {}, true, ""},
		{"achieved below the keep-up fraction", func(s *Step) { s.AchievedRate = 94.9 }, false, "achieved 94.9 of 100.0 req/s planned"},
		{"latency above the SLO", func(s *Step) { s.ClientP99 += time.Microsecond }, false, "client p99 200.0 ms > SLO 200.0 ms"},
		{"error rate above the bound", func(s *Step) { s.Errors = 11 }, false, "error rate 1.10% > 1.00%"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := edge
			tc.edit(&s)
			r := Decide(baseTest(Candidate{Variant: "v", Instance: cpuInst(), InstanceCount: 1, Steps: []Step{s}}))
			sr := r.Candidates[0].Steps[0]
			if sr.Holds != tc.holds || (tc.holds && len(sr.Why) > 0) {
				t.Errorf("Holds = %v (why %q); want %v", sr.Holds, sr.Why, tc.holds)
			}
			if !tc.holds && (len(sr.Why) != 1 || !strings.HasPrefix(sr.Why[0], tc.why)) {
				t.Errorf("Why = %q; want only %q…", sr.Why, tc.why)
			}
		})
	}
}

func TestInstanceCountNotPositive(t *testing.T) {
	const note = "instance count 0 is not positive"
	r := Decide(baseTest(Candidate{Variant: "v", Instance: cpuInst(), InstanceCount: 0, Steps: []Step{step(10, 50, 30)}}))
	c := r.Candidates[0]
	if !containsSub(c.Notes, note) || c.Sustains || c.SustainablePerInstance != 0 || c.InstancesForTarget != 0 || r.Recommended != "" {
		t.Errorf("instance count 0: notes %q sustains %v per instance %v needed %d recommended %q; want the note and no figures",
			c.Notes, c.Sustains, c.SustainablePerInstance, c.InstancesForTarget, r.Recommended)
	}
	r = Decide(baseTest(Candidate{Variant: "v", Instance: cpuInst(), InstanceCount: 1, Steps: []Step{step(10, 50, 30)}}))
	if c := r.Candidates[0]; containsSub(c.Notes, "is not positive") || !c.Sustains {
		t.Errorf("instance count 1: notes %q sustains %v", c.Notes, c.Sustains)
	}
}

// TestZeroAchievedRateDoesNotSustain: a step planned and achieved at
// 0 req/s holds trivially but sustains nothing (its cost per million would
// be infinite).
func TestZeroAchievedRateDoesNotSustain(t *testing.T) {
	s := step(10, 50, 30)
	s.PlannedRate, s.AchievedRate = 0, 0
	c := Decide(baseTest(Candidate{Variant: "v", Instance: cpuInst(), InstanceCount: 1, Steps: []Step{s}})).Candidates[0]
	if !c.Steps[0].Holds || c.Sustains || c.SustainableStep != -1 || c.CostPerMillion != 0 {
		t.Errorf("holds %v sustains %v step %d cost per million %v; want a held step that sustains nothing",
			c.Steps[0].Holds, c.Sustains, c.SustainableStep, c.CostPerMillion)
	}
}

// TestRecommendsCheapestFleet: the fleet cost decides, not the cost per
// million inferences; equal fleets are broken by the cost per million,
// then by the variant name.
func TestRecommendsCheapestFleet(t *testing.T) {
	inst := func(price float64) Candidate {
		i := cpuInst()
		i.PricePerHour = price
		return Candidate{Instance: i, InstanceCount: 1}
	}
	// Target 100 req/s without headroom. "dense": $1/h, 60 req/s: $4.63
	// per million but 2 instances, $2/h. "big": $1.9/h, 100 req/s: $5.28
	// per million, 1 instance, $1.9/h.
	dense, big := inst(1), inst(1.9)
	dense.Variant, dense.Steps = "dense", []Step{step(60, 50, 30)}
	big.Variant, big.Steps = "big", []Step{step(100, 50, 30)}
	test := baseTest(dense, big)
	test.TargetRate, test.Headroom = 100, 0
	if r := Decide(test); r.Recommended != "big" || !containsSub(r.Reasons, "costs more per instance-hour") {
		t.Errorf("Recommended %q (reasons %q); want big, the cheaper fleet", r.Recommended, r.Reasons)
	}

	// Same price, one instance each: the higher rate is cheaper per million.
	slow, fast := inst(1), inst(1)
	slow.Variant, slow.Steps = "slow", []Step{step(150, 50, 30)}
	fast.Variant, fast.Steps = "fast", []Step{step(200, 50, 30)}
	test = baseTest(slow, fast)
	test.TargetRate, test.Headroom = 100, 0
	r := Decide(test)
	if r.Recommended != "fast" || containsSub(r.Reasons, "costs more per instance-hour") {
		t.Errorf("Recommended %q (reasons %q); want fast, without a price remark", r.Recommended, r.Reasons)
	}

	// Identical figures: the variant name decides.
	b, a := inst(1), inst(1)
	b.Variant, b.Steps = "b", []Step{step(200, 50, 30)}
	a.Variant, a.Steps = "a", []Step{step(200, 50, 30)}
	test = baseTest(b, a)
	test.TargetRate, test.Headroom = 100, 0
	if r := Decide(test); r.Recommended != "a" {
		t.Errorf("Recommended %q; want a, the first name of two identical candidates", r.Recommended)
	}
}

func TestCoverageTolerance(t *testing.T) {
	tests := []struct {
		c          Coverage
		incomplete bool
		text       string
	}{
		{Coverage{Expected: 100, Published: 98, Known: true}, false, "complete: 98 of 100 intervals"},
		{Coverage{Expected: 100, Published: 97, Known: true}, true, "incomplete: 97 of 100 intervals (3.0% missing)"},
		{Coverage{Expected: 12, Published: 11, Known: true}, true, "incomplete: 11 of 12 intervals (8.3% missing)"},
		{Coverage{Expected: 12, Published: 13, Known: true}, false, "complete: 13 of 12 intervals"},
		{Coverage{Expected: 12, Published: 0}, false, NotPublishedText},
	}
	for _, tc := range tests {
		if got := tc.c.Incomplete(); got != tc.incomplete || tc.c.String() != tc.text {
			t.Errorf("%+v: Incomplete %v %q; want %v %q", tc.c, got, tc.c.String(), tc.incomplete, tc.text)
		}
	}
	if f := (Coverage{}).MissingFraction(); f != 0 {
		t.Errorf("MissingFraction with nothing expected = %v", f)
	}
}

func TestEndpointCost(t *testing.T) {
	c := Cost([]CandidateResult{{CostPerHour: 1.5}, {CostPerHour: 0.5}}, 90*time.Minute)
	if c.PerHour != 2 || c.Total() != 3 {
		t.Errorf("PerHour %v Total %v; want 2 and 3", c.PerHour, c.Total())
	}
	if want := "$2.0000/h while deployed (every candidate's price × instance count); this test ran 1h30m0s: $3.0000"; c.String() != want {
		t.Errorf("String() = %q; want %q", c.String(), want)
	}
	if c.Duration = 0; strings.Contains(c.String(), "this test ran") {
		t.Errorf("String() without a duration = %q", c.String())
	}
	if FormatUtil(nil) != "n/a" || FormatUtil(pct(12.34)) != "12.3%" {
		t.Errorf("FormatUtil: %q %q", FormatUtil(nil), FormatUtil(pct(12.34)))
	}
}

// TestStepsNotJudged: a missing latency or request count fails the step,
// naming the metric; a step with lost intervals is not judged at all.
func TestStepsNotJudged(t *testing.T) {
	noLatency, noRequests, lost := step(10, 50, 30), step(20, 50, 30), step(30, 50, 30)
	noLatency.Missing = []string{"CPU", "ClientP99"}
	noRequests.Missing = []string{"Requests"}
	lost.Coverage = &Coverage{Expected: 12, Published: 11, Known: true}
	r := Decide(baseTest(Candidate{Variant: "v", Instance: cpuInst(), InstanceCount: 1, Steps: []Step{noLatency, noRequests, lost}}))
	s := r.Candidates[0].Steps
	if s[0].Holds || len(s[0].Why) != 1 || s[0].Why[0] != "ClientP99 had no data" {
		t.Errorf("step without ClientP99: holds %v why %q", s[0].Holds, s[0].Why)
	}
	if s[1].Holds || len(s[1].Why) != 1 || s[1].Why[0] != "request count had no data" {
		t.Errorf("step without Requests: holds %v why %q", s[1].Holds, s[1].Why)
	}
	if !s[2].Incomplete || s[2].Holds || !strings.HasPrefix(s[2].Why[0], "incomplete: 11 of 12 intervals") {
		t.Errorf("step with a lost interval: incomplete %v holds %v why %q", s[2].Incomplete, s[2].Holds, s[2].Why)
	}
	if !containsSub(r.Problems, "the 30.0 req/s step") {
		t.Errorf("Problems %q do not name the incomplete step", r.Problems)
	}
}
