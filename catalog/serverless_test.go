package catalog

import (
	"math"
	"strings"
	"testing"
	"time"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// The cost scales with memory (per GB of 1,024 MB), duration and
// concurrency; at the built-in rate a 2,048 MB endpoint costs $0.00004 a
// second, $40 per million 500 ms invocations and $2.88 an hour at a
// concurrency of 20.
func TestServerlessCost(t *testing.T) {
	c := ServerlessCost{MemoryMB: 2048, PerGBSecond: ServerlessPricePerGBSecond}
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{"per second", c.PerSecond(), 0.00004},
		{"per million of 500 ms", c.PerMillion(500 * time.Millisecond), 20},
		{"per million of 1 s", c.PerMillion(time.Second), 40},
		{"per hour at 20", c.PerHourAtConcurrency(20), 2.88},
		{"6144 MB per second", ServerlessCost{MemoryMB: 6144, PerGBSecond: ServerlessPricePerGBSecond}.PerSecond(), 0.00012},
		{"configured rate", ServerlessCost{MemoryMB: 1024, PerGBSecond: 0.00003}.PerHourAtConcurrency(1), 0.108},
	} {
		if !near(tc.got, tc.want) {
			t.Errorf("%s = %v; want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestCheckServerlessPrice(t *testing.T) {
	if err := CheckServerlessPrice(0.00002); err != nil {
		t.Errorf("0.00002: %v", err)
	}
	for _, p := range []float64{0, -1, math.Inf(1), math.NaN()} {
		if err := CheckServerlessPrice(p); err == nil || !strings.Contains(err.Error(), "USD per GB-second") {
			t.Errorf("CheckServerlessPrice(%v) = %v; want an error saying what is valid", p, err)
		}
	}
	if !strings.Contains(ServerlessPriceSource, "UNVERIFIED") || !strings.Contains(ServerlessPriceSource, ServerlessPriceDate) {
		t.Errorf("ServerlessPriceSource %q must say it is unverified and when it was looked for", ServerlessPriceSource)
	}
}
