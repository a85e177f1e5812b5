package loadplan

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func mustParse(t *testing.T, s Spec) Plan {
	t.Helper()
	p, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%+v): %v", s, err)
	}
	return p
}

// count returns how many requests p schedules, and the due time of the last.
func count(t *testing.T, p Plan, limit uint64) (uint64, time.Duration) {
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

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   Spec
		want string // String() of the plan, or the error
		kind Kind
		peak float64
		len  time.Duration
	}{
		{"constant", Spec{Rate: 50, Duration: time.Minute}, "constant 50/s for 1m0s", KindConstant, 50, time.Minute},
		{"until stopped", Spec{Rate: 0.5}, "constant 0.5/s until stopped", KindConstant, 0.5, 0},
		{"steps", Spec{Steps: "10@1m, 40@30s ,20@1m"}, "steps 10@1m0s,40@30s,20@1m0s", KindSteps, 40, 150 * time.Second},
		{"ramp", Spec{Ramp: " 0 : 200 ", Duration: 10 * time.Minute}, "linear 0/s to 200/s over 10m0s", KindRamp, 200, 10 * time.Minute},
		{"falling ramp", Spec{Ramp: "100:50", Duration: time.Second}, "linear 100/s to 50/s over 1s", KindRamp, 100, time.Second},
		{"nothing", Spec{Duration: time.Minute}, `needs a plan: rate (with duration), steps such as "10@1m,20@1m", or ramp such as "0:200" (with duration)`, KindNone, 0, 0},
		{"two plans", Spec{Rate: 5, Ramp: "0:5", Duration: time.Minute}, "rate, steps and ramp are alternatives: give one", KindNone, 0, 0},
		{"negative rate", Spec{Rate: -3, Duration: time.Minute}, "constant rate -3: rate must be a positive number of requests per second (not NaN or infinite)", KindNone, 0, 0},
		{"negative duration", Spec{Rate: 3, Duration: -time.Minute}, "duration -1m0s: must be positive, or 0 to run until stopped", KindNone, 0, 0},
		{"step without @", Spec{Steps: "10@30s,20"}, `steps "10@30s,20": step 2 "20": want RATE@DURATION, e.g. 10@30s`, KindNone, 0, 0},
		{"step without unit", Spec{Steps: "10@30"}, `steps "10@30": step 1: duration: time: missing unit in duration "30"`, KindNone, 0, 0},
		{"steps with duration", Spec{Steps: "10@30s", Duration: time.Minute}, "goes with rate or ramp; steps carry their own durations", KindNone, 0, 0},
		{"bad steps with duration", Spec{Steps: "x", Duration: time.Minute}, `steps "x": step 1 "x": want RATE@DURATION, e.g. 10@30s` + "\n" + "goes with rate or ramp; steps carry their own durations", KindNone, 0, 0},
		{"steps overflow", Spec{Steps: "1@2562047h,1@2562047h"}, `steps "1@2562047h,1@2562047h": step 2: the steps last longer than 2562047h47m16.854775807s in all`, KindNone, 0, 0},
		{"ramp not FROM:TO", Spec{Ramp: "fast", Duration: time.Minute}, `ramp "fast": want FROM:TO requests per second, e.g. 0:200`, KindNone, 0, 0},
		{"flat ramp", Spec{Ramp: "5:5", Duration: time.Minute}, "ramp 5:5: the start and end rates are equal: give a constant rate instead", KindNone, 0, 0},
		{"ramp without duration", Spec{Ramp: "0:10"}, "ramp duration 0s: is required with a ramp and must be positive, e.g. 10m", KindNone, 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.in)
			got := p.String()
			if err != nil {
				got = err.Error()
			}
			if got != tt.want || p.Kind() != tt.kind || p.Peak() != tt.peak || p.Duration() != tt.len {
				t.Errorf("Parse(%+v) = %q, kind %v, peak %v, duration %v; want %q, %v, %v, %v", tt.in, got, p.Kind(), p.Peak(), p.Duration(), tt.want, tt.kind, tt.peak, tt.len)
			}
			if (err != nil) != p.IsZero() {
				t.Errorf("Parse(%+v): error %v with plan %v", tt.in, err, p)
			}
		})
	}
}

func TestErrorsNameTheirField(t *testing.T) {
	for _, tt := range []struct {
		in      Spec
		want    []Field
		badRate bool
	}{
		{Spec{}, []Field{FieldPlan}, false},
		{Spec{Rate: math.NaN(), Duration: time.Second}, []Field{FieldRate}, true},
		{Spec{Rate: 1, Duration: -time.Second}, []Field{FieldDuration}, false},
		{Spec{Steps: "10@1s,0@1s"}, []Field{FieldSteps}, true},
		{Spec{Steps: "10@0s", Duration: time.Second}, []Field{FieldSteps, FieldDuration}, false},
		{Spec{Ramp: "10:0", Duration: time.Second}, []Field{FieldRamp}, true},
		{Spec{Ramp: "-1:10", Duration: time.Second}, []Field{FieldRamp}, false},
		{Spec{Ramp: "0:10"}, []Field{FieldDuration}, false},
	} {
		t.Run(strings.Join([]string{tt.in.Steps, tt.in.Ramp}, "|"), func(t *testing.T) {
			_, err := Parse(tt.in)
			var got []Field
			for _, e := range Errors(err) {
				got = append(got, e.Field)
			}
			if strings.Join(fieldStrings(got), ",") != strings.Join(fieldStrings(tt.want), ",") {
				t.Errorf("Parse(%+v) = %v: fields %q; want %q", tt.in, err, got, tt.want)
			}
			if errors.Is(err, ErrBadRate) != tt.badRate {
				t.Errorf("errors.Is(%v, ErrBadRate) = %v; want %v", err, !tt.badRate, tt.badRate)
			}
		})
	}
	if got := Errors(errors.New("other")); len(got) != 1 || got[0].Field != FieldPlan {
		t.Errorf("Errors(plain error) = %v; want one FieldPlan error", got)
	}
}

func fieldStrings(fs []Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = "<" + string(f) + ">"
	}
	return out
}

func TestConstantSchedule(t *testing.T) {
	p := mustParse(t, Spec{Rate: 4, Duration: 2 * time.Second})
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
	for _, tt := range []struct {
		at            time.Duration
		planned, rate float64
	}{
		{-time.Second, 0, 0},
		{time.Second, 4, 4},
		{3 * time.Second, 8, 0}, // after the end
	} {
		if got, rate := p.Planned(tt.at), p.RateAt(tt.at); got != tt.planned || rate != tt.rate {
			t.Errorf("Planned(%v), RateAt(%v) = %v, %v; want %v, %v", tt.at, tt.at, got, rate, tt.planned, tt.rate)
		}
	}
	unbounded := mustParse(t, Spec{Rate: 1000})
	if n, _ := count(t, unbounded, 5000); n != 5000 {
		t.Errorf("unbounded plan stopped after %d requests", n)
	}
	tiny := mustParse(t, Spec{Rate: 1e-300})
	if at, ok := tiny.Due(1); ok {
		t.Errorf("Due(1) at 1e-300/s = %v, true; want false (beyond any duration)", at)
	}
}

func TestStepsSchedule(t *testing.T) {
	p := mustParse(t, Spec{Steps: "10@1s, 20@500ms,5@2s"})
	if got, want := p.Duration(), 3500*time.Millisecond; got != want {
		t.Errorf("Duration() = %v; want %v", got, want)
	}
	if n, _ := count(t, p, 1000); n != 10+10+10 {
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
	for _, tt := range []struct {
		at            time.Duration
		planned, rate float64
	}{
		{500 * time.Millisecond, 5, 10},
		{1200 * time.Millisecond, 14, 20},
		{4 * time.Second, 30, 0},
	} {
		if got, rate := p.Planned(tt.at), p.RateAt(tt.at); math.Abs(got-tt.planned) > 1e-9 || rate != tt.rate {
			t.Errorf("Planned(%v), RateAt(%v) = %v, %v; want %v, %v", tt.at, tt.at, got, rate, tt.planned, tt.rate)
		}
	}
	// Steps that do not hold whole numbers of requests: 3/s for 0.5 s
	// plans 1.5 requests (due at 0 and 1/3 s), so the next step's first
	// request is due half a request (0.25 s at 2/s) into it.
	odd := mustParse(t, Spec{Steps: "3@500ms,2@1s"})
	var due []time.Duration
	for n := uint64(0); ; n++ {
		at, ok := odd.Due(n)
		if !ok {
			break
		}
		due = append(due, at)
	}
	if want := []time.Duration{0, 333333333, 750 * time.Millisecond, 1250 * time.Millisecond}; !slices.Equal(due, want) {
		t.Errorf("3@500ms,2@1s due at %v; want %v", due, want)
	}
}

func TestRampSchedule(t *testing.T) {
	p := mustParse(t, Spec{Ramp: "0:100", Duration: 10 * time.Second})
	// 0 -> 100/s over 10 s: 500 requests, the rate at 5 s is 50/s.
	n, last := count(t, p, 10000)
	if n != 500 {
		t.Errorf("scheduled %d requests; want 500", n)
	}
	if last >= 10*time.Second {
		t.Errorf("last request due at %v, after the plan", last)
	}
	a, _ := p.Due(250) // half the requests are due at 10/sqrt(2) s
	if want := time.Duration(math.Round(10 / math.Sqrt2 * float64(time.Second))); (a - want).Abs() > time.Millisecond {
		t.Errorf("Due(250) = %v; want %v", a, want)
	}
	if got := p.RateAt(5 * time.Second); got != 50 {
		t.Errorf("RateAt(5s) = %v; want 50", got)
	}
	if got := p.Planned(20 * time.Second); got != 500 {
		t.Errorf("Planned(20s) = %v; want 500", got)
	}
	down := mustParse(t, Spec{Ramp: "100:50", Duration: 2 * time.Second}) // 150 requests
	if n, _ := count(t, down, 1000); n != 150 {
		t.Errorf("falling ramp scheduled %d requests; want 150", n)
	}
}

func TestStepWindows(t *testing.T) {
	start := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   Spec
		want []Window
	}{
		{Spec{Steps: "10@1m,20@2m"}, []Window{{start, start.Add(time.Minute)}, {start.Add(time.Minute), start.Add(3 * time.Minute)}}},
		{Spec{Rate: 10, Duration: time.Minute}, []Window{{start, start.Add(time.Minute)}}},
		{Spec{Rate: 10}, nil},
		{Spec{Ramp: "0:10", Duration: time.Minute}, nil},
	} {
		t.Run(mustParse(t, tt.in).String(), func(t *testing.T) {
			got := mustParse(t, tt.in).StepWindows(start)
			if len(got) != len(tt.want) {
				t.Fatalf("StepWindows = %v; want %v", got, tt.want)
			}
			for i := range got {
				if !got[i].Start.Equal(tt.want[i].Start) || !got[i].End.Equal(tt.want[i].End) {
					t.Errorf("window %d = %v; want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestSplit(t *testing.T) {
	for _, tt := range []struct {
		in    Spec
		tasks int
		want  string // the share's String(), or the error
	}{
		{Spec{Steps: "40@30s,80@1m"}, 4, "steps 10@30s,20@1m0s"},
		{Spec{Ramp: "0:200", Duration: 5 * time.Minute}, 4, "linear 0/s to 50/s over 5m0s"},
		{Spec{Rate: 10, Duration: time.Minute}, 3, "constant 3.3333333333333335/s for 1m0s"},
		{Spec{Rate: 10}, 1, "constant 10/s until stopped"},
		{Spec{Rate: 10}, 0, "split across 0 tasks: at least one task is needed"},
		{Spec{Rate: 5e-324}, 2, "split constant 5e-324/s until stopped across 2 tasks: constant rate 0: rate must be a positive number of requests per second (not NaN or infinite)"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			share, err := mustParse(t, tt.in).Split(tt.tasks)
			got := share.String()
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Split(%d) = %q; want %q", tt.tasks, got, tt.want)
			}
		})
	}
	if _, err := (Plan{}).Split(2); err == nil {
		t.Error("Split of the zero plan succeeded")
	}
}

func TestEnv(t *testing.T) {
	for _, tt := range []struct {
		in   Spec
		want Env
	}{
		{Spec{Rate: 3.5, Duration: 10 * time.Minute}, Env{{EnvRate, "3.5"}, {EnvDuration, "10m0s"}}},
		{Spec{Rate: 1e21}, Env{{EnvRate, "1000000000000000000000"}}},
		{Spec{Steps: "10@30s,20@1m"}, Env{{EnvSteps, "10@30s,20@1m0s"}}},
		{Spec{Ramp: "0:50", Duration: 5 * time.Minute}, Env{{EnvRamp, "0:50"}, {EnvDuration, "5m0s"}}},
	} {
		p := mustParse(t, tt.in)
		t.Run(p.String(), func(t *testing.T) {
			got := p.Env()
			if len(got) != len(tt.want) {
				t.Fatalf("Env() = %v; want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("Env()[%d] = %v; want %v", i, got[i], tt.want[i])
				}
			}
			back, err := FromEnv(got)
			if err != nil || !back.Equal(p) {
				t.Errorf("FromEnv(%v) = %v, %v; want %v", got, back, err, p)
			}
		})
	}
	if got := (Plan{}).Env(); got != nil {
		t.Errorf("Env() of no plan = %v; want none", got)
	}
}

func TestFromEnvErrors(t *testing.T) {
	for _, tt := range []struct {
		env  Env
		want string
	}{
		{Env{{EnvRate, "fast"}, {EnvDuration, "1m"}}, `LOADGEN_RATE="fast": want a number of requests per second, e.g. 50`},
		{Env{{EnvRate, "5"}, {EnvDuration, "forever"}}, `LOADGEN_DURATION="forever": want a duration, e.g. 10m`},
		{Env{{EnvSteps, "10@1m"}, {EnvRamp, "0:5"}}, "rate, steps and ramp are alternatives: give one"},
		{Env{{EnvEndpoint, "churn"}}, "needs a plan"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			p, err := FromEnv(tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !p.IsZero() {
				t.Errorf("FromEnv(%v) = %v, %v; want an error containing %q", tt.env, p, err, tt.want)
			}
		})
	}
	// The last of repeated variables wins, as in a process environment.
	if p, err := FromEnv(Env{{EnvRate, "1"}, {EnvRate, "2"}}); err != nil || p.Peak() != 2 {
		t.Errorf("FromEnv(rate 1 then 2) = %v, %v; want 2/s", p, err)
	}
}

func TestEnvName(t *testing.T) {
	for _, tt := range []struct{ flag, want string }{
		{"rate", EnvRate},
		{"max-in-flight", EnvMaxInFlight},
		{"content-type", EnvContentType},
		{"start-at", EnvStartAt},
		{"test-id", EnvTestID},
	} {
		if got := EnvName(tt.flag); got != tt.want {
			t.Errorf("EnvName(%q) = %q; want %q", tt.flag, got, tt.want)
		}
	}
}

// FuzzParseSpec checks that Parse never panics and that every plan it
// accepts round-trips through its Spec and through the LOADGEN_*
// environment, and can be scheduled. The seeds run in plain go test.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []Spec{
		{Rate: 50, Duration: time.Minute},
		{Rate: 0.1},
		{Steps: "10@30s,20@1m"},
		{Steps: " 1.5@1ms , 1e6@2h "},
		{Steps: "1@2562047h,1@1ns"},
		{Steps: "10@30s,"},
		{Steps: "@,@"},
		{Ramp: "0:200", Duration: 10 * time.Minute},
		{Ramp: "-0:1e-300", Duration: 1},
		{Ramp: "200:1", Duration: time.Second},
		{Ramp: "NaN:Inf", Duration: time.Second},
		{Rate: 1e308, Duration: math.MaxInt64},
		{Rate: 5, Steps: "1@1s"},
		{},
	} {
		f.Add(s.Rate, s.Steps, s.Ramp, int64(s.Duration))
	}
	f.Fuzz(func(t *testing.T, rate float64, steps, ramp string, d int64) {
		s := Spec{Rate: rate, Steps: steps, Ramp: ramp, Duration: time.Duration(d)}
		p, err := Parse(s)
		if err != nil {
			if !p.IsZero() || len(Errors(err)) == 0 {
				t.Fatalf("Parse(%+v) = %v, %v; want the zero plan and field errors", s, p, err)
			}
			return
		}
		if back, err := Parse(p.Spec()); err != nil || !back.Equal(p) {
			t.Fatalf("Parse(%+v) = %v; its Spec %+v parses as %v, %v", s, p, p.Spec(), back, err)
		}
		if back, err := FromEnv(p.Env()); err != nil || !back.Equal(p) {
			t.Fatalf("Parse(%+v) = %v; its Env %v reads back as %v, %v", s, p, p.Env(), back, err)
		}
		if _, err := p.Split(3); err != nil && !errors.Is(err, ErrBadRate) {
			t.Fatalf("%v.Split(3): %v", p, err)
		}
		var last time.Duration
		for n := range uint64(20) {
			at, ok := p.Due(n)
			if !ok {
				break
			}
			if at < last || at < 0 || p.Duration() > 0 && at >= p.Duration() {
				t.Fatalf("%v: Due(%d) = %v after %v, plan of %v", p, n, at, last, p.Duration())
			}
			last = at
		}
		if pl := p.Planned(p.Duration()); pl < 0 || math.IsNaN(pl) {
			t.Fatalf("%v: Planned(end) = %v", p, pl)
		}
	})
}

func TestStopTimeout_HoldsGraceDrainAndMargin(t *testing.T) {
	got, err := StopTimeout(DefaultGrace, DefaultDrain)
	if err != nil || got != 25*time.Second {
		t.Fatalf("StopTimeout(defaults) = %v, %v; want 25s", got, err)
	}
	if got, _ := StopTimeout(1500*time.Millisecond, 0); got != 7*time.Second {
		t.Errorf("StopTimeout(1.5s, 0) = %v, want 7s (rounded up)", got)
	}
	if _, err := StopTimeout(100*time.Second, 20*time.Second); err == nil {
		t.Error("StopTimeout(100s, 20s) accepted a budget over Fargate's 120s")
	}
	if _, err := StopTimeout(-time.Second, 0); err == nil {
		t.Error("StopTimeout accepted a negative grace")
	}
}
