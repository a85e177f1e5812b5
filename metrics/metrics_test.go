package metrics

import (
	"fmt"
	"testing"
	"time"
)

func TestScale(t *testing.T) {
	tests := []struct {
		name          string
		s             Scale
		shown         float64
		wantPublished float64
		wantExpr      string
	}{
		{"latency ms to µs", MicrosAsMillis(), 300, 300000, "x/1000"},
		{"fractional ms", MicrosAsMillis(), 2.5, 2500, "x/1000"},
		{"error % to fraction", FractionAsPercent(), 1, 0.01, "100*x"},
		{"CPU % of 48 vCPUs to sum over vCPUs", SumAsInstancePercent(48), 50, 2400, "x/48"},
		{"GPU % of 4 GPUs to sum over GPUs", SumAsInstancePercent(4), 90, 360, "x/4"},
		{"one vCPU is already %", SumAsInstancePercent(1), 70, 70, "x"},
		{"memory is already 0-100", Same(), 80, 80, "x"},
		{"both factors", Scale{Mul: 100, Div: 4}, 50, 2, "100*x/4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.ToPublished(tc.shown); got != tc.wantPublished {
				t.Errorf("ToPublished(%v) = %v; want %v", tc.shown, got, tc.wantPublished)
			}
			if got := tc.s.ToShown(tc.wantPublished); got != tc.shown {
				t.Errorf("ToShown(%v) = %v; want %v", tc.wantPublished, got, tc.shown)
			}
			if got := tc.s.Expr("x"); got != tc.wantExpr {
				t.Errorf("Expr(x) = %q; want %q", got, tc.wantExpr)
			}
		})
	}
}

func TestDurations(t *testing.T) {
	tests := []struct {
		d          time.Duration
		ms, us     float64
		fromMicros float64
	}{
		{300 * time.Millisecond, 300, 300000, 300000},
		{2500 * time.Microsecond, 2.5, 2500, 2500},
		{1234567 * time.Microsecond, 1234.567, 1234567, 1234567},
		{1500 * time.Nanosecond, 0.0015, 1.5, 1.5},
		{0, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.d.String(), func(t *testing.T) {
			if got := Millis(tc.d); got != tc.ms {
				t.Errorf("Millis = %v; want %v", got, tc.ms)
			}
			if got := Micros(tc.d); got != tc.us {
				t.Errorf("Micros = %v; want %v", got, tc.us)
			}
			if got := FromMicros(tc.fromMicros); got != tc.d {
				t.Errorf("FromMicros(%v) = %v; want %v", tc.fromMicros, got, tc.d)
			}
			// Shown in ms, compared in µs: the threshold an alarm gets.
			if got := MicrosAsMillis().ToPublished(Millis(tc.d)); got != Micros(tc.d) {
				t.Errorf("ms threshold published = %v µs; want %v", got, Micros(tc.d))
			}
		})
	}
	if got := FromMicros(0.0004); got != 0 {
		t.Errorf("FromMicros(0.0004) = %v; want rounding to 0", got)
	}
}

func TestPercentAndFraction(t *testing.T) {
	for _, tc := range []struct{ fraction, percent float64 }{
		{0.01, 1}, {0.3, 30}, {0, 0}, {1, 100}, {0.005, 0.5},
	} {
		if got := Percent(tc.fraction); got != tc.percent {
			t.Errorf("Percent(%v) = %v; want %v", tc.fraction, got, tc.percent)
		}
		if got := Fraction(tc.percent); got != tc.fraction {
			t.Errorf("Fraction(%v) = %v; want %v", tc.percent, got, tc.fraction)
		}
	}
}

// Every metric sagesize names is in the catalogue with the unit its
// conversions assume, and the catalogue has no metric twice.
func TestSageMakerCatalogue(t *testing.T) {
	cat := SageMaker()
	seen := map[string]bool{}
	for _, m := range cat {
		key := fmt.Sprintf("%s %s {%s}", m.Namespace, m.Name, sortedKey(m.Dimensions))
		if seen[key] {
			t.Errorf("%s is in the catalogue twice", key)
		}
		seen[key] = true
		if m.Unit == "" || len(m.Statistics) == 0 {
			t.Errorf("%s has no unit or no statistics", key)
		}
	}
	tests := []struct {
		ns, name string
		unit     string
		stats    []string
		refused  []string
	}{
		{NamespaceInvocations, ModelLatency, UnitMicroseconds, []string{"p99", "p99.9", StatAverage, StatMaximum}, nil},
		{NamespaceInvocations, OverheadLatency, UnitMicroseconds, []string{"p50", StatAverage, StatMaximum}, nil},
		{NamespaceInvocations, Invocations, UnitNone, []string{StatSum}, []string{StatAverage, "p99"}},
		{NamespaceInvocations, InvocationsPerInstance, UnitNone, []string{StatSum}, []string{StatMaximum}},
		{NamespaceInvocations, Invocation4XXErrors, UnitNone, []string{StatAverage, StatSum}, []string{"p99"}},
		{NamespaceInvocations, Invocation5XXErrors, UnitNone, []string{StatAverage, StatSum}, nil},
		{NamespaceInvocations, InvocationModelErrors, UnitNone, []string{StatAverage, StatSum}, nil},
		{NamespaceInstances, CPUUtilization, UnitPercent, []string{StatAverage, StatMaximum}, []string{"p99"}},
		{NamespaceInstances, MemoryUtilization, UnitPercent, []string{StatAverage}, nil},
		{NamespaceInstances, DiskUtilization, UnitPercent, []string{StatAverage}, nil},
		{NamespaceInstances, GPUUtilization, UnitPercent, []string{StatAverage, StatMaximum}, nil},
		{NamespaceInstances, GPUMemoryUtilization, UnitPercent, []string{StatAverage}, nil},
		{NamespaceInstances, "LoadedModelCount", UnitNone, []string{StatAverage, StatSum}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, ok := Lookup(cat, tc.ns, tc.name, []string{DimVariantName, DimEndpointName})
			if !ok {
				t.Fatalf("%s %s{EndpointName,VariantName} is not in the catalogue", tc.ns, tc.name)
			}
			if m.Unit != tc.unit {
				t.Errorf("unit %q; want %q", m.Unit, tc.unit)
			}
			for _, s := range tc.stats {
				if !m.Allows(s) {
					t.Errorf("does not allow %s", s)
				}
			}
			for _, s := range tc.refused {
				if m.Allows(s) {
					t.Errorf("allows %s", s)
				}
			}
		})
	}
	for _, tc := range []struct {
		ns, name string
		dims     []string
	}{
		{NamespaceInvocations, "ApproximateBacklogSize", VariantDimensions()},
		{NamespaceInvocations, "LoadedModelCount", VariantDimensions()},
		{NamespaceInstances, "CPUUtilizationNormalized", []string{DimEndpointName}},
		{NamespaceInstances, CPUUtilization, []string{DimEndpointName}},
	} {
		if _, ok := Lookup(cat, tc.ns, tc.name, tc.dims); ok {
			t.Errorf("%s %s%v is in the catalogue; SageMaker does not publish it", tc.ns, tc.name, tc.dims)
		}
	}
}

func TestLoadTestCatalogue(t *testing.T) {
	for _, tc := range []struct {
		ns, wantNS string
	}{{"", NamespaceLoadTest}, {"Custom/NS", "Custom/NS"}} {
		cat := LoadTest(tc.ns)
		lat, ok := Lookup(cat, tc.wantNS, LoadTestLatency, LoadTestDimensions())
		if !ok || lat.Unit != UnitMicroseconds || !lat.Allows("p99") {
			t.Errorf("LoadTest(%q) latency = %+v, %v; want µs with percentiles in %s", tc.ns, lat, ok, tc.wantNS)
		}
		req, ok := Lookup(cat, tc.wantNS, LoadTestRequests, []string{DimTestID, DimVariantName, DimEndpointName})
		if !ok || req.Unit != UnitCount || req.Allows("p99") || !req.Allows(StatSum) {
			t.Errorf("LoadTest(%q) requests = %+v, %v; want a Sum count", tc.ns, req, ok)
		}
	}
}

// A streaming test's metrics are in the load-test catalogue with the unit
// loadgen publishes them in: the token timings as µs distributions whose
// percentiles CloudWatch computes, the output tokens per request as a
// count distribution, OutputTokens and GoodRequests as Sum counts.
func TestLoadTestCatalogue_Streaming(t *testing.T) {
	cat := LoadTest("")
	for _, tc := range []struct {
		name, unit  string
		percentiles bool
	}{
		{LoadTestTTFT, UnitMicroseconds, true},
		{LoadTestTTFTClosedLoop, UnitMicroseconds, true},
		{LoadTestITL, UnitMicroseconds, true},
		{LoadTestTPOT, UnitMicroseconds, true},
		{LoadTestOutputTokensPerRequest, UnitCount, true},
		{LoadTestOutputTokens, UnitCount, false},
		{LoadTestGoodRequests, UnitCount, false},
	} {
		m, ok := Lookup(cat, NamespaceLoadTest, tc.name, LoadTestDimensions())
		if !ok {
			t.Errorf("%s is not in the load-test catalogue", tc.name)
			continue
		}
		if m.Unit != tc.unit || m.Allows("p99") != tc.percentiles || !m.Allows(StatSum) {
			t.Errorf("%s = unit %q, p99 allowed %v, Sum allowed %v; want unit %q, p99 %v, Sum true",
				tc.name, m.Unit, m.Allows("p99"), m.Allows(StatSum), tc.unit, tc.percentiles)
		}
		if _, ok := Lookup(cat, NamespaceLoadTest, tc.name, VariantDimensions()); ok {
			t.Errorf("%s is in the catalogue without TestId; loadgen always adds it", tc.name)
		}
	}
}

// The dimension sets are fresh slices: a caller that appends to one does
// not change the next.
func TestDimensionSetsAreFresh(t *testing.T) {
	a := VariantDimensions()
	a[0] = "changed"
	if VariantDimensions()[0] != DimEndpointName {
		t.Error("VariantDimensions shares its slice")
	}
	b := LoadTestDimensions()
	b[2] = "changed"
	if LoadTestDimensions()[2] != DimTestID {
		t.Error("LoadTestDimensions shares its slice")
	}
}

// Each kind's catalogue holds its own metrics and not another kind's; the
// union SageMaker holds every kind's.
func TestForKind(t *testing.T) {
	variant, component := VariantDimensions(), []string{DimInferenceComponentName}
	for _, tc := range []struct {
		kind, ns, name string
		dims           []string
		want           bool
	}{
		{KindRealtime, NamespaceInstances, CPUUtilizationNormalized, variant, false},
		{KindInferenceComponents, NamespaceInstances, CPUUtilizationNormalized, variant, true},
		{KindInferenceComponents, NamespaceInferenceComponents, GPUUtilizationNormalized, component, true},
		{KindInferenceComponents, NamespaceInvocations, InvocationsPerInstance, variant, false},
		{KindServerless, NamespaceInstances, CPUUtilization, variant, false},
		{KindServerless, NamespaceInvocations, ModelSetupTime, variant, true},
		{KindAsync, NamespaceInvocations, Invocations, variant, false},
		{KindAsync, NamespaceInvocations, ApproximateAgeOfOldestRequest, []string{DimEndpointName}, true},
		{KindMultiModel, NamespaceInstances, LoadedModelCount, variant, true},
		{KindRealtime, NamespaceInstances, LoadedModelCount, variant, false},
	} {
		if _, ok := Lookup(ForKind(tc.kind), tc.ns, tc.name, tc.dims); ok != tc.want {
			t.Errorf("%s: %s %s%v in catalogue = %v; want %v", tc.kind, tc.ns, tc.name, tc.dims, ok, tc.want)
		}
		if _, ok := Lookup(SageMaker(), tc.ns, tc.name, tc.dims); tc.want && !ok {
			t.Errorf("the union lacks %s %s%v", tc.ns, tc.name, tc.dims)
		}
	}
	if ForKind("lambda") != nil {
		t.Error("ForKind(lambda) is not nil")
	}
	if m, _ := Lookup(Async(), NamespaceInvocations, TotalProcessingTime, variant); m.Unit != UnitMilliseconds {
		t.Errorf("TotalProcessingTime unit %q; want Milliseconds, as AWS publishes it", m.Unit)
	}
}

// A count summed over loadgen's 10 s period is shown per second.
func TestCountAsRate(t *testing.T) {
	s := CountAsRate(LoadTestPeriod)
	if got := s.ToShown(2000); got != 200 {
		t.Errorf("CountAsRate(%v).ToShown(2000) = %v; want 200 per second", LoadTestPeriod, got)
	}
	if got := s.Expr("SUM(x)"); got != "SUM(x)/10" {
		t.Errorf("CountAsRate(%v).Expr = %q; want SUM(x)/10", LoadTestPeriod, got)
	}
}
