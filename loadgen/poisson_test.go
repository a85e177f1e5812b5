package loadgen_test

import (
	"math"
	"testing"
	"time"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/loadplan"
)

// TestPoissonArrivals: over a constant 100/s plan, the gaps of the Poisson
// pacer are exponential with a mean of 10 ms (mean and standard deviation
// within 3 %, about 5 standard errors for 20,000 gaps, and a third of the
// gaps longer than the mean: e⁻¹ = 36.8 %); the same seed gives the same
// schedule, asked in any order, and another seed another one.
func TestPoissonArrivals(t *testing.T) {
	plan := constant(t, 100, 300*time.Second) // room for 20,000 arrivals
	p := loadgen.NewPoissonPacer(plan, 7)
	var prev time.Duration
	var sum, sq float64
	longer := 0
	const n = 20000
	for i := range uint64(n) {
		d, ok := p.Due(i)
		if !ok {
			t.Fatalf("Due(%d) ended the plan early", i)
		}
		gap := (d - prev).Seconds()
		sum, sq = sum+gap, sq+gap*gap
		if gap > 0.01 {
			longer++
		}
		prev = d
	}
	mean := sum / n
	sd := math.Sqrt(sq/n - mean*mean)
	if math.Abs(mean-0.01) > 0.0003 || math.Abs(sd-0.01) > 0.0003 {
		t.Errorf("gaps: mean %.5fs, sd %.5fs; want 0.01s each (exponential)", mean, sd)
	}
	if f := float64(longer) / n; math.Abs(f-math.Exp(-1)) > 0.01 {
		t.Errorf("%.3f of the gaps are longer than the mean; want e⁻¹ = 0.368", f)
	}
	again := loadgen.NewPoissonPacer(plan, 7)
	other := loadgen.NewPoissonPacer(plan, 8)
	d500, _ := again.Due(500)
	d3, _ := again.Due(3) // going back
	w3, _ := p.Due(3)
	w500, _ := p.Due(500)
	o3, _ := other.Due(3)
	if d3 != w3 || d500 != w500 || o3 == w3 {
		t.Errorf("seed 7: Due(3) %v / %v, Due(500) %v / %v; seed 8: Due(3) %v; want the same for seed 7, another for seed 8", d3, w3, d500, w500, o3)
	}
}

// TestPoissonFollowsARamp: over a ramp from 0 to 200/s in 10 s (1,000
// requests expected), the Poisson pacer sends about a quarter of them in
// the first half and three quarters in the second, and none after the end.
func TestPoissonFollowsARamp(t *testing.T) {
	plan := pacer(t, loadplan.Spec{Ramp: "0:200", Duration: 10 * time.Second})
	p := loadgen.NewPoissonPacer(plan, 1)
	var first, total int
	for i := uint64(0); ; i++ {
		d, ok := p.Due(i)
		if !ok {
			break
		}
		if d > 10*time.Second {
			t.Fatalf("request %d due at %v, after the plan's end", i, d)
		}
		total++
		if d < 5*time.Second {
			first++
		}
	}
	if math.Abs(float64(total)-1000) > 100 || math.Abs(float64(first)/float64(total)-0.25) > 0.05 {
		t.Errorf("%d requests, %d in the first half; want about 1000, a quarter of them", total, first)
	}
}
