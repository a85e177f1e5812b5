package criteria

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func ptr(f float64) *float64 { return &f }

func TestEvaluate(t *testing.T) {
	m := Measured{P50: 40 * time.Millisecond, P99: 250 * time.Millisecond, Requests: 1000, Errors: 5, Achieved: 0.99}
	for _, tt := range []struct {
		name     string
		c        Criteria
		pass     bool
		judged   bool
		wantLine string
	}{
		{"all hold", Criteria{P50: 50 * time.Millisecond, P99: 300 * time.Millisecond, MaxErrorRate: ptr(0.01), MinAchieved: 0.95}, true, true, "gate: PASS: p50 40ms <= 50ms; p99 250ms <= 300ms; error rate 0.50% <= 1.00%; achieved/planned rate 99.00% >= 95.00%"},
		{"p99 over", Criteria{P99: 200 * time.Millisecond}, false, true, "gate: FAIL: p99 250ms FAILS <= 200ms"},
		{"errors over", Criteria{MaxErrorRate: ptr(0.001)}, false, true, "error rate 0.50% FAILS <= 0.10%"},
		{"zero errors allowed", Criteria{MaxErrorRate: ptr(0)}, false, true, "FAILS <= 0.00%"},
		{"rate short", Criteria{MinAchieved: 0.995}, false, true, "achieved/planned rate 99.00% FAILS >= 99.50%"},
		{"ttft on a plain test", Criteria{TTFTP99: time.Second}, false, false, "gate: NOT JUDGED: TTFT p99 not measured (limit <= 1s)"},
		{"none", Criteria{}, true, true, "gate: PASS (no criteria)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.c.Evaluate(m)
			if v.Passed() != tt.pass || v.Judged() != tt.judged || !strings.Contains(v.Line(), tt.wantLine) {
				t.Errorf("Evaluate = pass %v judged %v %q; want pass %v judged %v, line containing %q", v.Passed(), v.Judged(), v.Line(), tt.pass, tt.judged, tt.wantLine)
			}
		})
	}
}

func TestEvaluateStream(t *testing.T) {
	m := Measured{Requests: 10, Stream: true, TTFTP99: 900 * time.Millisecond, ITLP99: 40 * time.Millisecond}
	v := Criteria{TTFTP99: 800 * time.Millisecond, ITLP99: 50 * time.Millisecond}.Evaluate(m)
	if v.Passed() || !strings.Contains(v.Line(), "TTFT p99 900ms FAILS <= 800ms; ITL p99 40ms <= 50ms") {
		t.Errorf("line %q; want TTFT to fail and ITL to pass", v.Line())
	}
}

// The exit statuses CI tells apart: a failed verdict (even wrapped) is 2,
// any other error 1, none 0.
func TestExitStatus(t *testing.T) {
	failed := &FailedError{Verdict: "gate: FAIL: p99 2s FAILS <= 1s"}
	for _, tt := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{failed, ExitFailed},
		{fmt.Errorf("variant blue: %w", failed), ExitFailed},
		{errors.New("read loadgen output: no such file"), ExitError},
	} {
		if got := ExitStatus(tt.err); got != tt.want {
			t.Errorf("ExitStatus(%v) = %d; want %d", tt.err, got, tt.want)
		}
	}
	if failed.Error() != failed.Verdict {
		t.Errorf("Error() = %q; want the verdict", failed.Error())
	}
}
