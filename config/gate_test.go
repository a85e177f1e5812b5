package config

import (
	"strings"
	"testing"
	"time"
)

const gateConfig = `project: demo
endpoints:
  - name: churn
    variants:
      - name: a
        instanceType: ml.c5.xlarge
    slo: {latency: 300ms}
    loadTest:
      rate: 20
      duration: 5m
      body: '{"x":1}'
      gate: %s
`

func TestGate_Limits(t *testing.T) {
	c, err := Parse([]byte(strings.Replace(gateConfig, "%s", "{p50: 40ms, p99: 300ms, errorRate: 0.5%, achievedRate: 95%}", 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	p50, p99, ttft, itl, errRate, achieved := c.Endpoints[0].LoadTest.Gate.Limits()
	if p50 != 40*time.Millisecond || p99 != 300*time.Millisecond || ttft != 0 || itl != 0 || errRate == nil || *errRate != 0.005 || achieved != 0.95 {
		t.Errorf("Limits = %v %v %v %v %v %v", p50, p99, ttft, itl, errRate, achieved)
	}
	var none *Gate
	if _, _, _, _, e, a := none.Limits(); e != nil || a != 0 {
		t.Errorf("nil gate has limits %v %v", e, a)
	}
}

func TestGate_BadValuesNameTheField(t *testing.T) {
	for _, tt := range []struct{ gate, want string }{
		{"{p50: 400ms, p99: 300ms}", "endpoints[0].loadTest.gate.p50: must not exceed p99 (300ms), got 400ms"},
		{"{p99: -1s}", "endpoints[0].loadTest.gate.p99: must be a positive duration"},
		{"{errorRate: 120%}", "endpoints[0].loadTest.gate.errorRate: must be between 0% and 100%, got 120%"},
		{"{achievedRate: 0%}", "endpoints[0].loadTest.gate.achievedRate: must be above 0% and at most 100%"},
		{"{errorRate: 0.01}", "endpoints[0].loadTest.gate.errorRate (line 12): must be a percentage with a % sign"},
		{"{ttftP99: 1s}", "endpoints[0].loadTest.gate: ttftP99 and itlP99 apply to streaming tests only"},
		{"{}", "endpoints[0].loadTest.gate: sets no criterion"},
		{"{p95: 1s}", "p95"},
	} {
		_, err := Parse([]byte(strings.Replace(gateConfig, "%s", tt.gate, 1)), nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("gate %s: %v; want an error containing %q", tt.gate, err, tt.want)
		}
	}
}
