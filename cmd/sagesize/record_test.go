package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/gate"
	"github.com/sagesize/sagesize/testkit/awstest"
)

// seedTasks stores what tasks Fargate tasks of test id on churn-xgb
// variant would publish to CloudWatch for a total of rate req/s from
// start for d: every 10 s each task's share of the requests and a latency
// distribution (9 × lat, 1 × 3 lat, in µs).
func seedTasks(cw *awstest.CloudWatch, id, variant string, tasks int, rate float64, start time.Time, d time.Duration, lat float64) {
	dims := map[string]string{"EndpointName": "churn-xgb", "VariantName": variant, "TestId": id}
	for at := start; at.Before(start.Add(d)); at = at.Add(10 * time.Second) {
		for range tasks {
			cw.Seed(awstest.Datum{Namespace: "SageSize/LoadTest", MetricName: "Requests", Dimensions: dims, Timestamp: at, StorageResolution: 1, Value: f64(rate * 10 / float64(tasks))},
				awstest.Datum{Namespace: "SageSize/LoadTest", MetricName: "Errors", Dimensions: dims, Timestamp: at, StorageResolution: 1, Value: f64(0)},
				awstest.Datum{Namespace: "SageSize/LoadTest", MetricName: "Latency", Dimensions: dims, Timestamp: at, StorageResolution: 1,
					Values: []float64{lat, 3 * lat}, Counts: []float64{9, 1}})
		}
	}
}

func f64(v float64) *float64 { return &v }

func TestRecordThenCompareTwoRecordedRuns(t *testing.T) {
	s := startServers(t, "")
	start := time.Now().UTC().Truncate(time.Minute).Add(-30 * time.Minute)
	seedTasks(s.cw, "v41", "AllTraffic", 2, 20, start, 2*time.Minute, 4000)
	seedTasks(s.cw, "v41", "AllTraffic", 2, 40, start.Add(2*time.Minute), 2*time.Minute, 4000)
	seedTasks(s.cw, "v42", "AllTraffic", 2, 20, start.Add(10*time.Minute), 2*time.Minute, 8000)
	seedTasks(s.cw, "v42", "AllTraffic", 2, 40, start.Add(12*time.Minute), 2*time.Minute, 8000)
	dir := t.TempDir()
	for _, r := range []struct {
		id    string
		start time.Time
	}{{"v41", start}, {"v42", start.Add(10 * time.Minute)}} {
		var out bytes.Buffer
		err := run(context.Background(), []string{"record", "--test-id", r.id, "--endpoint", "churn-xgb", "--plan", "steps 20@2m,40@2m",
			"--start", r.start.Format(time.RFC3339), "--out", filepath.Join(dir, r.id+".jsonl")}, &out, &out)
		if err != nil || !strings.Contains(out.String(), "24 intervals of 10s") {
			t.Fatalf("record %s: %v\n%s", r.id, err, out.String())
		}
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"compare", "--baseline", filepath.Join(dir, "v41.jsonl"), "--candidate", filepath.Join(dir, "v42.jsonl"),
		"--out", filepath.Join(dir, "cmp")}, &out, &out)
	if exitCode(err) != exitFailed || !strings.Contains(out.String(), "p99") {
		t.Errorf("compare of a doubled latency: exit %d (%v); want %d\n%s", exitCode(err), err, exitFailed, out.String())
	}
	out.Reset()
	err = run(context.Background(), []string{"compare", "--baseline", filepath.Join(dir, "v41.jsonl"), "--candidate", filepath.Join(dir, "v41.jsonl"),
		"--out", filepath.Join(dir, "same")}, &out, &out)
	if err != nil {
		t.Errorf("compare of a run with itself: %v\n%s", err, out.String())
	}
}

func TestRecordBadInput(t *testing.T) {
	startServers(t, "")
	cfg := writeConfig(t)
	ok := []string{"--test-id", "t1", "--endpoint", "churn-xgb", "--plan", "20@2m", "--start", "2026-11-27T10:00:00Z"}
	without := func(flag string) []string {
		var out []string
		for i := 0; i < len(ok); i += 2 {
			if ok[i] != flag {
				out = append(out, ok[i], ok[i+1])
			}
		}
		return out
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no test id", without("--test-id"), "--test-id is required"},
		{"no endpoint", without("--endpoint"), "--endpoint is required"},
		{"no start", without("--start"), "--start is required"},
		{"no plan", without("--plan"), "--plan is required"},
		{"start not RFC3339", append(without("--start"), "--start", "2026-11-27 10:00"), `--start "2026-11-27 10:00": not an RFC3339 time`},
		{"plan does not parse", append(without("--plan"), "--plan", "20 for 2m"), `--plan: plan "20 for 2m" has no steps`},
		{"bad step", append(without("--plan"), "--plan", "steps 20@-2m"), `--plan: plan "steps 20@-2m"`},
		{"plan and config", append(ok, "--config", cfg), "--plan and --config: give one"},
		{"config without the endpoint", append(without("--plan"), "--config", cfg, "--endpoint", "plain"), `no endpoint "plain" with a loadTest`},
		{"unknown flag", append(ok, "--stat", "x"), "unknown flag: --stat"},
	} {
		err := run(context.Background(), append([]string{"record"}, tt.args...), &bytes.Buffer{}, &bytes.Buffer{})
		if exitCode(err) != exitError || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: record %v = %v; want exit 1 and an error containing %q", tt.name, tt.args, err, tt.want)
		}
	}
}

func TestRecordWithoutDataSaysWhatItRead(t *testing.T) {
	startServers(t, "")
	out := filepath.Join(t.TempDir(), "r.jsonl")
	err := run(context.Background(), []string{"record", "--test-id", "nothing", "--endpoint", "churn-xgb", "--plan", "20@2m",
		"--start", time.Now().UTC().Truncate(time.Minute).Add(-5 * time.Minute).Format(time.RFC3339), "--out", out}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "no data in CloudWatch for namespace SageSize/LoadTest, dimensions EndpointName=churn-xgb VariantName=AllTraffic TestId=nothing") {
		t.Errorf("error %v; want one naming the namespace and dimensions", err)
	}
	if _, statErr := os.Stat(out); !os.IsNotExist(statErr) {
		t.Errorf("%s written (%v); want no file when there is no data", out, statErr)
	}
}

// TestRunRecordWritesEachVariantsRun runs the endpoint's load test with
// --record: the tasks get a common start on a whole minute, and each
// variant's test, published by the tasks (seeded when RunTask starts
// them), is read back into its own file.
func TestRunRecordWritesEachVariantsRun(t *testing.T) {
	s := servers{cfn: awstest.NewCloudFormation(), cw: awstest.NewCloudWatch()}
	s.ecs = awstest.NewECS(awstest.ECSOptions{Cluster: "churn-v42-loadtest-cluster", OnRunTask: func(c awstest.RunTaskCall) {
		env := c.Env("loadgen")
		at, err := time.Parse(time.RFC3339Nano, env["LOADGEN_START_AT"])
		if err != nil {
			t.Errorf("LOADGEN_START_AT %q: %v", env["LOADGEN_START_AT"], err)
			return
		}
		seedTasks(s.cw, env["LOADGEN_TEST_ID"], env["LOADGEN_VARIANT"], c.Count, 90, at, 2*time.Minute, 2000)
	}})
	for _, c := range []interface{ Close() }{s.cfn, s.ecs, s.cw} {
		t.Cleanup(c.Close)
	}
	s.cfn.SetStack("churn-v42-loadtest", map[string]string{"Cluster": "churn-v42-loadtest-cluster", "TaskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/lg:1",
		"Subnets": "subnet-0a", "SecurityGroup": "sg-0a", "AssignPublicIp": "DISABLED", "ContainerName": "loadgen", "LogGroup": "lg"})
	awsEnv(t, s.cfn.URL, s.ecs.URL, s.cw.URL)
	record := filepath.Join(t.TempDir(), "v42.jsonl")
	var out bytes.Buffer
	err := run(context.Background(), []string{"run", "-config", writeConfig(t), "-endpoint", "churn-xgb", "-poll", "5ms", "--gate-lag", "0",
		"--lead", "30s", "--record", record}, &out, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, v := range []string{"blue", "green"} {
		path := strings.TrimSuffix(record, ".jsonl") + "-" + v + ".jsonl"
		r, err := gate.ReadRun(path)
		if err != nil {
			t.Fatalf("variant %s: %v\n%s", v, err, out.String())
		}
		s := r.Summary
		if len(r.Intervals) != 12 || s.Requests != 90*120 || s.Plan != "constant 90/s for 2m0s" || !strings.HasPrefix(s.TestID, "churn-xgb-"+v+"-") ||
			s.Start.Second() != 0 || s.Latency.P50 != 2000 {
			t.Errorf("variant %s: %d intervals, summary %+v; want 12 intervals, 10800 requests, the plan, a start on a minute, p50 2000 µs", v, len(r.Intervals), s)
		}
	}
}

func TestRunRecordRefusesARampBeforeStartingTasks(t *testing.T) {
	s := startServers(t, "churn-v42-loadtest")
	p := filepath.Join(t.TempDir(), "sagesize.yaml")
	ramp := strings.Replace(testConfig, "      rate: 90\n", "      ramp: 0:90\n", 1)
	if err := os.WriteFile(p, []byte(ramp), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"run", "-config", p, "-endpoint", "churn-xgb", "--record", "r.jsonl"}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `--record: endpoint churn-xgb runs the plan "linear 0/s to 90/s over 2m0s"`) {
		t.Errorf("error %v; want --record to refuse the ramp", err)
	}
	if n := len(s.ecs.RunTaskCalls()); n != 0 {
		t.Errorf("%d RunTask calls; want none", n)
	}
}

func TestRecordPathNamesOneFilePerVariant(t *testing.T) {
	for _, tt := range []struct {
		file, variant string
		several       bool
		want          string
	}{
		{"runs/v42.jsonl", "blue", false, "runs/v42.jsonl"},
		{"runs/v42.jsonl", "blue", true, "runs/v42-blue.jsonl"},
		{"v42", "green", true, "v42-green"},
	} {
		if got := recordPath(tt.file, tt.variant, tt.several); got != tt.want {
			t.Errorf("recordPath(%q, %q, %v) = %q; want %q", tt.file, tt.variant, tt.several, got, tt.want)
		}
	}
}
