package loadgen

import (
	"testing"
	"time"

	"github.com/sagesize/sagesize/loadplan"
)

// The schedules themselves (due times, planned counts, errors) are tested
// in loadplan, which owns them; these tests check the pacer built on them.
func TestNewPacer(t *testing.T) {
	steps, err := loadplan.ParseSteps("10@1s, 20@500ms,5@2s")
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPacer(steps)
	if err != nil {
		t.Fatalf("NewPacer(%v): %v", steps, err)
	}
	for _, tt := range []struct {
		n    uint64
		want time.Duration
		ok   bool
	}{
		{0, 0, true},
		{10, time.Second, true}, // first of step 2
		{11, time.Second + 50*time.Millisecond, true}, // 20/s
		{29, 3300 * time.Millisecond, true},           // last of step 3
		{30, 0, false},
	} {
		if got, ok := p.Due(tt.n); got != tt.want || ok != tt.ok {
			t.Errorf("Due(%d) = %v, %v; want %v, %v", tt.n, got, ok, tt.want, tt.ok)
		}
	}
	if got := p.Planned(4 * time.Second); got != 30 {
		t.Errorf("Planned(4s) = %v; want 30", got)
	}
	if got, want := p.String(), "steps 10@1s,20@500ms,5@2s"; got != want {
		t.Errorf("String() = %q; want %q", got, want)
	}
	if _, err := NewPacer(loadplan.Plan{}); err == nil {
		t.Error("NewPacer(no plan) succeeded; want an error")
	}
}
