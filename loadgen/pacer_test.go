package loadgen

import (
	"errors"
	"math"
	"testing"
	"time"
)

// count returns how many requests p schedules, and the due time of the last.
func count(t *testing.T, p Pacer, limit uint64) (uint64, time.Duration) {
	t.Helper()
	var n uint64
	var last time.Duration
	for ; n < limit; n++ {
		at, ok := p.Due(n)
		if !ok {
			break
		}
		if at < last {
			t.Fatalf("%v: Due(%d) = %v before Due(%d) = %v", p, n, at, n-1, last)
		}
		last = at
	}
	return n, last
}

func TestConstantPacer(t *testing.T) {
	p, err := NewConstantPacer(4, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		n    uint64
		want time.Duration
		ok   bool
	}{
		{0, 0, true},
		{1, 250 * time.Millisecond, true},
		{7, 1750 * time.Millisecond, true},
		{8, 0, false}, // due at 2s: the plan is [0, 2s)
	} {
		got, ok := p.Due(tt.n)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Due(%d) = %v, %v; want %v, %v", tt.n, got, ok, tt.want, tt.ok)
		}
	}
	if got := p.Planned(time.Second); got != 4 {
		t.Errorf("Planned(1s) = %v; want 4", got)
	}
	unbounded, _ := NewConstantPacer(1000, 0)
	if n, _ := count(t, unbounded, 5000); n != 5000 {
		t.Errorf("unbounded plan stopped after %d requests", n)
	}
}

func TestStepsPacer(t *testing.T) {
	p, err := ParseSteps("10@1s, 20@500ms,5@2s")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Duration(), 3500*time.Millisecond; got != want {
		t.Errorf("Duration() = %v; want %v", got, want)
	}
	n, _ := count(t, p, 1000)
	if n != 10+10+10 {
		t.Errorf("scheduled %d requests; want 30", n)
	}
	for _, tt := range []struct {
		n    uint64
		want time.Duration
	}{
		{9, 900 * time.Millisecond},
		{10, time.Second},                       // first of step 2
		{11, time.Second + 50*time.Millisecond}, // 20/s
		{20, 1500 * time.Millisecond},           // first of step 3
		{21, 1700 * time.Millisecond},           // 5/s
	} {
		if got, _ := p.Due(tt.n); got != tt.want {
			t.Errorf("Due(%d) = %v; want %v", tt.n, got, tt.want)
		}
	}
	if got := p.Rate(1200 * time.Millisecond); got != 20 {
		t.Errorf("Rate(1.2s) = %v; want 20", got)
	}
	if got := p.Planned(4 * time.Second); got != 30 {
		t.Errorf("Planned(4s) = %v; want 30", got)
	}
}

func TestLinearPacer(t *testing.T) {
	p, err := NewLinearPacer(0, 100, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// 0 -> 100/s over 10 s: 500 requests, the rate at 5 s is 50/s.
	n, last := count(t, p, 10000)
	if n != 500 {
		t.Errorf("scheduled %d requests; want 500", n)
	}
	if last >= 10*time.Second {
		t.Errorf("last request due at %v, after the plan", last)
	}
	a, _ := p.Due(250) // half the requests are due at 10/sqrt(2) s
	if want := offset(10 / math.Sqrt2); (a - want).Abs() > time.Millisecond {
		t.Errorf("Due(250) = %v; want %v", a, want)
	}
	down, _ := NewLinearPacer(100, 50, 2*time.Second) // 150 requests
	if n, _ := count(t, down, 1000); n != 150 {
		t.Errorf("falling ramp scheduled %d requests; want 150", n)
	}
}

func TestPacerErrors(t *testing.T) {
	for _, tt := range []struct {
		name    string
		err     func() error
		badRate bool
	}{
		{"zero rate", func() error { _, err := NewConstantPacer(0, time.Second); return err }, true},
		{"negative rate", func() error { _, err := NewConstantPacer(-1, time.Second); return err }, true},
		{"NaN rate", func() error { _, err := NewConstantPacer(math.NaN(), time.Second); return err }, true},
		{"negative duration", func() error { _, err := NewConstantPacer(1, -time.Second); return err }, false},
		{"step without @", func() error { _, err := ParseSteps("10"); return err }, false},
		{"step bad rate", func() error { _, err := ParseSteps("x@1s"); return err }, false},
		{"step bad duration", func() error { _, err := ParseSteps("10@1 minute"); return err }, false},
		{"step zero rate", func() error { _, err := ParseSteps("10@1s,0@1s"); return err }, true},
		{"step zero duration", func() error { _, err := ParseSteps("10@0s"); return err }, false},
		{"empty steps", func() error { _, err := ParseSteps(""); return err }, false},
		{"ramp to zero", func() error { _, err := NewLinearPacer(10, 0, time.Second); return err }, true},
		{"ramp without duration", func() error { _, err := NewLinearPacer(0, 10, 0); return err }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if err == nil {
				t.Fatal("got nil error")
			}
			if got := errors.Is(err, ErrBadRate); got != tt.badRate {
				t.Errorf("errors.Is(%q, ErrBadRate) = %v; want %v", err, got, tt.badRate)
			}
		})
	}
}
