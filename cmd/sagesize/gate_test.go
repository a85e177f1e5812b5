package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/loadplan"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/testkit/awstest"
)

// loadgenRun runs loadgen's engine for real against a local container
// whose /invocations answers after delay, with the stepped plan steps
// (RATE@DURATION,...), and returns the path of its -output.
func loadgenRun(t *testing.T, delay time.Duration, steps string, interval time.Duration) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/invocations" {
			time.Sleep(delay)
		}
		w.Write([]byte(`{"ok":1}`))
	}))
	t.Cleanup(srv.Close)
	plan, err := loadplan.ParseSteps(steps)
	if err != nil {
		t.Fatal(err)
	}
	pacer, err := loadgen.NewPacer(plan)
	if err != nil {
		t.Fatal(err)
	}
	target, err := loadgen.NewContainerTarget(loadgen.NewHTTPClient(64), srv.URL, "application/json", "")
	if err != nil {
		t.Fatal(err)
	}
	payloads, err := loadgen.NewPayloads("inline", loadgen.NewPayload("body", []byte(`{"x":1}`)))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "run.jsonl")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	_, err = loadgen.Run(context.Background(), target, loadgen.Options{Pacer: pacer, Payloads: payloads, Output: out, Interval: interval,
		Timeout: 5 * time.Second, Grace: time.Second, Drain: time.Second, TestID: "t-" + delay.String(), Target: "container local"})
	if err != nil {
		t.Fatalf("loadgen: %v", err)
	}
	return path
}

func TestGateCommand(t *testing.T) {
	summary := loadgenRun(t, 2*time.Millisecond, "100@1s", 250*time.Millisecond)
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"passes", []string{"--p99", "2s", "--max-error-rate", "1%", "--min-achieved", "80%"}, 0, "gate: PASS: p99 "},
		{"fails p50", []string{"--p50", "1ms", "--p99", "2s"}, exitFailed, "gate: FAIL: p50 "},
		{"no error allowed, none made", []string{"--max-error-rate", "0%"}, 0, "error rate 0.00% <= 0.00%"},
		{"stream criterion on a plain test", []string{"--ttft-p99", "1s"}, exitError, "gate: NOT JUDGED: TTFT p99 not measured"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), append([]string{"gate", "--summary", summary}, tt.args...), &out, &out)
			if exitCode(err) != tt.code || !strings.Contains(out.String(), tt.want) {
				t.Errorf("exit %d (%v), output %q; want exit %d and %q", exitCode(err), err, out.String(), tt.code, tt.want)
			}
		})
	}
}

// The criteria of an endpoint's loadTest.gate apply, and a flag overrides
// one of them.
func TestGateCommandFromConfig(t *testing.T) {
	summary := loadgenRun(t, 2*time.Millisecond, "100@1s", 250*time.Millisecond)
	cfg := filepath.Join(t.TempDir(), "sagesize.yaml")
	os.WriteFile(cfg, []byte(strings.Replace(testConfig, "      contentType: text/csv\n", "      contentType: text/csv\n      gate: {p50: 1ms, errorRate: 1%}\n", 1)), 0o600)
	var out bytes.Buffer
	err := run(context.Background(), []string{"gate", "--summary", summary, "--config", cfg, "--endpoint", "churn-xgb"}, &out, &out)
	if exitCode(err) != exitFailed || !strings.Contains(out.String(), "p50 ") || !strings.Contains(out.String(), "FAILS <= 1ms; error rate 0.00% <= 1.00%") {
		t.Errorf("config gate: exit %d (%v), %q; want the config's p50 to fail", exitCode(err), err, out.String())
	}
	out.Reset()
	err = run(context.Background(), []string{"gate", "--summary", summary, "--config", cfg, "--endpoint", "churn-xgb", "--p50", "2s"}, &out, &out)
	if err != nil || !strings.Contains(out.String(), "gate: PASS: p50 ") {
		t.Errorf("--p50 over the config: %v, %q; want a pass", err, out.String())
	}
}

func TestGateCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, []byte(`{"type":"interval"}`+"\n"), 0o600)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--p99", "1s"}, "--summary FILE is required"},
		{[]string{"--summary", filepath.Join(dir, "nope.json"), "--p99", "1s"}, "nope.json: no such file"},
		{[]string{"--summary", empty, "--p99", "1s"}, "empty.jsonl: no summary"},
		{[]string{"--summary", empty}, "gate: no criteria"},
		{[]string{"--summary", empty, "--max-error-rate", "0.01"}, `"0.01" is not a percentage`},
		{[]string{"--summary", empty, "--p99", "0s"}, "--p99 0s: must be a positive duration"},
		{[]string{"--summary", empty, "--config", "x.yaml"}, "--config and --endpoint go together"},
	} {
		err := run(context.Background(), append([]string{"gate"}, tt.args...), &bytes.Buffer{}, &bytes.Buffer{})
		if exitCode(err) != exitError || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("gate %v: exit %d, %v; want exit 1 and %q", tt.args, exitCode(err), err, tt.want)
		}
	}
}

// sagesize run judges the test against loadTest.gate from what its tasks
// published (read back through the CloudWatch fake), ends with the verdict
// line and exits 2 when the test ran and failed it.
func TestRunCommandGate(t *testing.T) {
	for _, tt := range []struct {
		name  string
		p99us float64
		code  int
		want  string
	}{
		{"passes", 150_000, 0, "churn-xgb variant blue (test gated) gate: PASS: p99 150ms <= 300ms; error rate 0.50% <= 1.00%; achieved/planned rate 100.00% >= 95.00%"},
		{"fails", 450_000, exitFailed, "gate: FAIL: p99 450ms FAILS <= 300ms"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := startServers(t, "churn-v42-loadtest")
			dims := map[string]string{metrics.DimEndpointName: "churn-xgb", metrics.DimVariantName: "blue", metrics.DimTestID: "gated"}
			f := func(v float64) *float64 { return &v }
			// 90 req/s for 2 min: 10800 requests, 54 errors.
			s.cw.Seed(awstest.Datum{Namespace: metrics.NamespaceLoadTest, MetricName: metrics.LoadTestLatency, Dimensions: dims, Values: []float64{20_000, tt.p99us}, Counts: []float64{10_600, 200}},
				awstest.Datum{Namespace: metrics.NamespaceLoadTest, MetricName: metrics.LoadTestRequests, Dimensions: dims, Value: f(10_800)},
				awstest.Datum{Namespace: metrics.NamespaceLoadTest, MetricName: metrics.LoadTestErrors, Dimensions: dims, Value: f(54)})
			cfg := filepath.Join(t.TempDir(), "sagesize.yaml")
			os.WriteFile(cfg, []byte(strings.Replace(testConfig, "      contentType: text/csv\n", "      contentType: text/csv\n      gate: {p99: 300ms, errorRate: 1%, achievedRate: 95%}\n", 1)), 0o600)
			var out bytes.Buffer
			err := run(context.Background(), []string{"run", "--config", cfg, "--endpoint", "churn-xgb", "--variant", "blue", "--test-id", "gated", "--poll", "5ms", "--gate-lag", "0s"}, &out, &out)
			if exitCode(err) != tt.code || !strings.Contains(out.String(), tt.want) {
				t.Errorf("exit %d (%v); want %d and a line containing %q:\n%s", exitCode(err), err, tt.code, tt.want, out.String())
			}
		})
	}
}

// Criteria flags gate an endpoint's loadTest; a sizing run has its SLO.
func TestRunCommandGateRefusedWithSizing(t *testing.T) {
	startServers(t, "")
	err := run(context.Background(), []string{"run", "--config", writeConfig(t), "--sizing", "--p99", "1s"}, &bytes.Buffer{}, &bytes.Buffer{})
	if exitCode(err) != exitError || !strings.Contains(err.Error(), "a sizing run is judged against sizing.slo") {
		t.Errorf("--sizing --p99: exit %d, %v", exitCode(err), err)
	}
}

// A streaming test's TTFT and ITL criteria are judged from the
// distributions its tasks published; without them the gate cannot judge
// (exit 1, not 2).
func TestRunCommandGateStreaming(t *testing.T) {
	cfgText := strings.Replace(testConfig, "      payload: s3://churn-models/payloads/request.json\n",
		"      stream: {format: tgi, inputTokens: {mean: 512, stddev: 64}, outputTokens: {mean: 200, stddev: 20}}\n      gate: {ttftP99: 800ms, itlP99: 50ms}\n", 1)
	for _, tt := range []struct {
		name string
		seed bool
		code int
		want string
	}{
		{"published", true, exitFailed, "gate: FAIL: TTFT p99 1.2s FAILS <= 800ms; ITL p99 40ms <= 50ms"},
		{"not published", false, exitError, "gate: NOT JUDGED: TTFT p99 not measured"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := startServers(t, "churn-v42-loadtest")
			dims := map[string]string{metrics.DimEndpointName: "churn-xgb", metrics.DimVariantName: "blue", metrics.DimTestID: "llm"}
			if tt.seed {
				s.cw.Seed(awstest.Datum{Namespace: metrics.NamespaceLoadTest, MetricName: metrics.LoadTestTTFT, Dimensions: dims, Values: []float64{300_000, 1_200_000}, Counts: []float64{90, 10}},
					awstest.Datum{Namespace: metrics.NamespaceLoadTest, MetricName: metrics.LoadTestITL, Dimensions: dims, Values: []float64{20_000, 40_000}, Counts: []float64{9000, 1000}})
			}
			cfg := filepath.Join(t.TempDir(), "sagesize.yaml")
			os.WriteFile(cfg, []byte(cfgText), 0o600)
			var out bytes.Buffer
			err := run(context.Background(), []string{"run", "--config", cfg, "--endpoint", "churn-xgb", "--variant", "blue", "--test-id", "llm", "--poll", "5ms", "--gate-lag", "0s"}, &out, &out)
			if exitCode(err) != tt.code || !strings.Contains(out.String(), tt.want) {
				t.Errorf("exit %d (%v); want %d and %q:\n%s", exitCode(err), err, tt.code, tt.want, out.String())
			}
		})
	}
}
