package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/testkit/awstest"
)

// Real loadgen runs against a local container: a release whose answers
// take 4× longer is flagged (exit 2) with every output written; the same
// run against itself is not (exit 0).
func TestCompareCommand(t *testing.T) {
	const steps = "40@2s,80@2s"
	fast := loadgenRun(t, 3*time.Millisecond, steps, 200*time.Millisecond)
	slow := loadgenRun(t, 12*time.Millisecond, steps, 200*time.Millisecond)
	out := filepath.Join(t.TempDir(), "cmp")
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"compare", "--baseline", fast, "--candidate", slow, "--out", out, "--min-requests", "50"}, &stdout, &stdout)
	if exitCode(err) != exitFailed || !strings.HasPrefix(stdout.String(), "### Release comparison: REGRESSION: ") {
		t.Fatalf("slow vs fast: exit %d (%v); want 2 and a regression first:\n%s", exitCode(err), err, stdout.String())
	}
	for _, f := range []string{"compare.md", "compare.html", "compare.json", "compare-p99.svg"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	var doc struct {
		Regressed bool
		Steps     []struct{ Rate float64 }
	}
	raw, _ := os.ReadFile(filepath.Join(out, "compare.json"))
	if err := json.Unmarshal(raw, &doc); err != nil || !doc.Regressed || len(doc.Steps) != 2 || doc.Steps[1].Rate != 80 {
		t.Errorf("compare.json: %v %+v", err, doc)
	}
	stdout.Reset()
	err = run(context.Background(), []string{"compare", "--baseline", fast, "--candidate", fast, "--out", out, "--min-requests", "50"}, &stdout, &stdout)
	if err != nil || !strings.HasPrefix(stdout.String(), "### Release comparison: NO REGRESSION") {
		t.Errorf("a run against itself: %v\n%s", err, stdout.String())
	}
	// Several baseline runs: each is read and named; a floor wider than
	// the slowdown tolerates it.
	stdout.Reset()
	args := []string{"compare", "--baseline", fast, "--baseline", fast, "--candidate", slow, "--out", out, "--min-requests", "50"}
	err = run(context.Background(), args, &stdout, &stdout)
	var runs struct {
		BaselineRuns []struct{ Path string } `json:"baseline_runs"`
	}
	raw, _ = os.ReadFile(filepath.Join(out, "compare.json"))
	if exitCode(err) != exitFailed || json.Unmarshal(raw, &runs) != nil || len(runs.BaselineRuns) != 2 || !strings.Contains(stdout.String(), "Baseline 2 runs: ") {
		t.Errorf("two baseline runs: exit %d (%v), baseline_runs %+v; want 2, both named\n%s", exitCode(err), err, runs.BaselineRuns, stdout.String())
	}
	stdout.Reset()
	err = run(context.Background(), append(args, "--latency-floor", "1s"), &stdout, &stdout)
	if err != nil || !strings.Contains(stdout.String(), "±10%, ±1000.0 ms") {
		t.Errorf("a 1-s latency floor: %v; want no regression, the floor in the table\n%s", err, stdout.String())
	}
}

// Too few requests per step: exit 1 naming how many are needed, and the
// files are still written.
func TestCompareCommandBadInput(t *testing.T) {
	a := loadgenRun(t, time.Millisecond, "20@1s", 200*time.Millisecond)
	out := filepath.Join(t.TempDir(), "cmp")
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"compare", "--baseline", a, "--candidate", a, "--out", out}, &stdout, &stdout)
	if exitCode(err) != exitError || !strings.Contains(err.Error(), "needs at least 5 intervals and 500 requests per run in each step") {
		t.Errorf("too few requests: exit %d, %v", exitCode(err), err)
	}
	if _, err := os.Stat(filepath.Join(out, "compare.md")); err != nil {
		t.Errorf("compare.md not written: %v", err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--baseline", a}, "--baseline FILE and --candidate FILE are required"},
		{[]string{"--baseline", a, "--candidate", "nope.jsonl"}, "--candidate: read loadgen output"},
		{[]string{"--baseline", a, "--candidate", a, "--confidence", "40%"}, "--confidence 40%: give 50% or more"},
		{[]string{"--baseline", a, "--candidate", a, "--latency-floor", "-1ms"}, "--latency-floor -1ms: give 0 or a positive duration"},
		{[]string{"--baseline", a, "--baseline", "gone.jsonl", "--candidate", a}, "--baseline: read loadgen output"},
	} {
		err := run(context.Background(), append([]string{"compare", "--out", out}, tt.args...), &bytes.Buffer{}, &bytes.Buffer{})
		if exitCode(err) != exitError || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("compare %v: exit %d, %v; want %q", tt.args, exitCode(err), err, tt.want)
		}
	}
}

// writeSageMakerRun writes a loadgen -output of the plan 20@2m,40@2m
// against SageMaker endpoint ep, started at start, with 10-s intervals
// whose p99 is 30 ms, and returns its path.
func writeSageMakerRun(t *testing.T, ep string, start time.Time) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for i := range 24 {
		at, rate := float64(10*i), 20.0
		if i >= 12 {
			rate = 40
		}
		n := uint64(rate * 10)
		enc.Encode(loadgen.Stats{Type: "interval", TestID: "t", Start: start.Add(time.Duration(i) * 10 * time.Second), End: start.Add(time.Duration(i+1) * 10 * time.Second),
			From: at, To: at + 10, TargetRate: rate, Requests: n, OK: n, Latency: loadgen.LatencyStats{Count: int64(n), P50: 10000, P99: 30000}})
	}
	enc.Encode(loadgen.Summary{Stats: loadgen.Stats{Type: "summary", TestID: "t"}, Plan: "steps 20@2m0s,40@2m0s", Target: "sagemaker endpoint " + ep + " at https://runtime.sagemaker.us-east-1.amazonaws.com (client signed)"})
	path := filepath.Join(t.TempDir(), "run.jsonl")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// seedVariant stores, for every minute from start for n minutes, the
// variant's CPU, GPU and memory utilization as SageMaker publishes them.
func seedVariant(cw *awstest.CloudWatch, ep string, start time.Time, n int, cpu, gpu float64) {
	d := map[string]string{"EndpointName": ep, "VariantName": "AllTraffic"}
	for m := range n {
		at := start.Add(time.Duration(m) * time.Minute)
		for name, v := range map[string]float64{"CPUUtilization": cpu, "GPUUtilization": gpu, "GPUMemoryUtilization": gpu / 2, "MemoryUtilization": 35} {
			cw.Seed(awstest.Datum{Namespace: "/aws/sagemaker/Endpoints", MetricName: name, Dimensions: d, Timestamp: at, Value: &v})
		}
	}
}

// compare --utilization reads each step's utilization from CloudWatch
// through the SDK's default configuration: % of an ml.g5.xlarge (4 vCPUs,
// 1 GPU) in compare.json and compare.md; the verdict stays NO REGRESSION
// (exit 0). A CloudWatch fault is a note and the exit status is unchanged;
// an unknown instance type is a flag error.
func TestCompareCommandUtilization(t *testing.T) {
	cw := awstest.NewCloudWatch()
	t.Cleanup(cw.Close)
	awsEnv(t, "", "", cw.URL)
	t0, t1 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC)
	base, cand := writeSageMakerRun(t, "churn", t0), writeSageMakerRun(t, "churn", t1)
	seedVariant(cw, "churn", t0, 4, 100, 40)
	seedVariant(cw, "churn", t1, 4, 200, 70)
	out := filepath.Join(t.TempDir(), "cmp")
	args := []string{"compare", "--baseline", base, "--candidate", cand, "--out", out, "--min-requests", "50", "--utilization", "--instance-type", "ml.g5.xlarge"}
	var stdout bytes.Buffer
	if err := run(context.Background(), args, &stdout, &stdout); err != nil {
		t.Fatalf("compare --utilization: %v\n%s", err, stdout.String())
	}
	var doc struct {
		Verdict string
		Steps   []struct {
			Utilization struct {
				Baseline, Candidate struct {
					CPU       float64 `json:"cpu_pct"`
					GPU       float64 `json:"gpu_pct"`
					GPUMemory float64 `json:"gpu_memory_pct"`
				}
			}
		}
		Utilization struct{ Normalized bool }
	}
	raw, _ := os.ReadFile(filepath.Join(out, "compare.json"))
	if err := json.Unmarshal(raw, &doc); err != nil || len(doc.Steps) != 2 || !doc.Utilization.Normalized {
		t.Fatalf("compare.json: %v %+v", err, doc)
	}
	for i, s := range doc.Steps {
		u := s.Utilization
		if u.Baseline.CPU != 25 || u.Candidate.CPU != 50 || u.Baseline.GPU != 40 || u.Candidate.GPU != 70 || u.Candidate.GPUMemory != 35 {
			t.Errorf("step %d utilization %+v; want CPU 25%% vs 50%%, GPU 40%% vs 70%%, GPU memory 35%% in the candidate", i+1, u)
		}
	}
	md, _ := os.ReadFile(filepath.Join(out, "compare.md"))
	if !strings.HasPrefix(string(md), "### Release comparison: NO REGRESSION") || !strings.Contains(string(md), "| 2 | 40 | 25.0% | 50.0% | +25.0 pp | 35.0% | 35.0% | +0.0 pp | 40.0% | 70.0% | +30.0 pp |") {
		t.Errorf("compare.md:\n%s", md)
	}

	cw.InjectGetFault(func(int, awstest.GetMetricDataCall) bool { return true }, awstest.CloudWatchThrottling)
	stdout.Reset()
	if err := run(context.Background(), args, &stdout, &stdout); err != nil || !strings.Contains(stdout.String(), "read utilization from CloudWatch: measure: window 0") ||
		!strings.Contains(stdout.String(), "Throttling") || !strings.Contains(stdout.String(), "| 1 | 20 | no data | no data | n/a |") {
		t.Errorf("CloudWatch throttling: %v; want exit 0, the fault noted, no data:\n%s", err, stdout.String())
	}

	err := run(context.Background(), append(args, "--instance-type", "ml.nope.xlarge"), &bytes.Buffer{}, &bytes.Buffer{})
	if exitCode(err) != exitError || !strings.Contains(err.Error(), "--instance-type: ") {
		t.Errorf("unknown instance type: exit %d, %v", exitCode(err), err)
	}
}
