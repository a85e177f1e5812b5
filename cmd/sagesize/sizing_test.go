package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/sizing/runner"
	"github.com/sagesize/sagesize/testkit/awstest"
)

// startSizingServers serves the shop-loadtest stack of sizingConfig.
func startSizingServers(t *testing.T, opts awstest.ECSOptions) (servers, string) {
	t.Helper()
	opts.Cluster = "shop-loadtest-cluster"
	s := servers{cfn: awstest.NewCloudFormation(), ecs: awstest.NewECS(opts), cw: awstest.NewCloudWatch()}
	t.Cleanup(s.cfn.Close)
	t.Cleanup(s.ecs.Close)
	t.Cleanup(s.cw.Close)
	s.cfn.SetStack("shop-loadtest", map[string]string{"Cluster": "shop-loadtest-cluster", "TaskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/lg:1",
		"Subnets": "subnet-0a", "SecurityGroup": "sg-0a", "AssignPublicIp": "DISABLED", "ContainerName": "loadgen", "LogGroup": "lg"})
	awsEnv(t, s.cfn.URL, s.ecs.URL, s.cw.URL)
	p := filepath.Join(t.TempDir(), "sizing.yaml")
	if err := os.WriteFile(p, []byte(sizingConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return s, p
}

// TestRunSizingRunsEveryCandidate runs the sizing test one candidate after
// another: each gets its own tasks, variant, test id and a start time on a
// whole minute at least -lead ahead, and the run record says what ran.
func TestRunSizingRunsEveryCandidate(t *testing.T) {
	s, cfg := startSizingServers(t, awstest.ECSOptions{})
	record := filepath.Join(t.TempDir(), "run.json")
	var out bytes.Buffer
	before := time.Now()
	err := run(context.Background(), []string{"run", "-sizing", "-config", cfg, "-record", record, "-lead", "30s", "-poll", "10ms"}, &out, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("run -sizing: %v\n%s", err, out.String())
	}
	calls := s.ecs.RunTaskCalls()
	if len(calls) != 2 {
		t.Fatalf("%d RunTask calls; want one per candidate", len(calls))
	}
	rec, err := runner.ReadRecord(record)
	if err != nil {
		t.Fatal(err)
	}
	for i, variant := range []string{"c6i-xlarge", "g5-xlarge"} {
		env := calls[i].Env("loadgen")
		at, perr := time.Parse(time.RFC3339Nano, env["LOADGEN_START_AT"])
		if perr != nil || at.Truncate(time.Minute) != at || at.Before(before.Add(30*time.Second)) {
			t.Errorf("%s: start time %q; want a whole minute at least 30s after the run began", variant, env["LOADGEN_START_AT"])
		}
		if env["LOADGEN_ENDPOINT"] != "shop-sizing" || env["LOADGEN_VARIANT"] != variant || env["LOADGEN_STEPS"] != "50@2m0s,100@2m0s,200@2m0s,400@2m0s" ||
			env["LOADGEN_PAYLOAD"] != "s3://shop-payloads/request.json" || !strings.HasPrefix(env["LOADGEN_TEST_ID"], "shop-sizing-"+variant+"-") {
			t.Errorf("%s: task environment %v", variant, env)
		}
		c := rec.Candidates[i]
		if c.Variant != variant || c.TestID != env["LOADGEN_TEST_ID"] || !c.StartAt.Equal(at) || len(c.Steps) != 4 ||
			!c.Steps[1].Start.Equal(at.Add(2*time.Minute)) || c.Steps[3].Rate != 400 || len(c.Ran()) != 0 {
			t.Errorf("record of %s = %+v", variant, c)
		}
		// The local tasks exit after one poll, long before the plan's end.
		if !strings.Contains(c.Outcome, "the tasks ended after 0 of 4 steps") {
			t.Errorf("%s outcome %q", variant, c.Outcome)
		}
	}
	if rec.Endpoint != "shop-sizing" || rec.Warmup != 60 || rec.Region != "us-east-1" {
		t.Errorf("record = %+v", rec)
	}
	// ml.c6i.xlarge $0.204/h + ml.g5.xlarge $1.4084/h; two candidates one
	// after the other, each 30s lead + 1m alignment + 8m plan: 19m.
	if cost := "sizing endpoint shop-sizing costs $1.6124/h while deployed (ml.c6i.xlarge × 1 at $0.2040/h, ml.g5.xlarge × 1 at $1.4084/h); this run takes about 19m0s: about $0.5106."; !strings.Contains(out.String(), cost) {
		t.Errorf("output lacks the cost line %q:\n%s", cost, out.String())
	}
	if !strings.Contains(out.String(), "sizing shop-sizing: candidate g5-xlarge (ml.g5.xlarge × 1), 4 step(s) of 2m0s from 50.0 req/s, 1 task(s)") {
		t.Errorf("output lacks the candidate's plan:\n%s", out.String())
	}
}

// TestRunSizingParallel starts every candidate at once and labels their
// lines; a failing candidate is named, the other still runs.
func TestRunSizingParallel(t *testing.T) {
	s, cfg := startSizingServers(t, awstest.ECSOptions{End: func(i int) awstest.TaskEnd {
		return awstest.TaskEnd{RunningPolls: 2, ExitCode: map[int]int{0: 0, 1: 3}[i], Reason: "model said no"}
	}})
	record := filepath.Join(t.TempDir(), "run.json")
	var out bytes.Buffer
	err := run(context.Background(), []string{"run", "-sizing", "-parallel", "-config", cfg, "-record", record, "-lead", "30s", "-poll", "10ms"}, &out, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "exit code 3: model said no") {
		t.Fatalf("run -sizing -parallel = %v; want the failing task named", err)
	}
	if n := len(s.ecs.RunTaskCalls()); n != 2 {
		t.Errorf("%d RunTask calls; want 2", n)
	}
	for _, v := range []string{"c6i-xlarge: [", "g5-xlarge: ["} {
		if !strings.Contains(out.String(), v) {
			t.Errorf("output lacks lines labelled %q:\n%s", v, out.String())
		}
	}
	rec, rerr := runner.ReadRecord(record)
	if rerr != nil {
		t.Fatal(rerr)
	}
	failed := 0
	for _, c := range rec.Candidates {
		if strings.HasPrefix(c.Outcome, "failed: ") {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("record outcomes %q, %q; want exactly one failed", rec.Candidates[0].Outcome, rec.Candidates[1].Outcome)
	}
}

func TestRunSizingBadInput(t *testing.T) {
	_, cfg := startSizingServers(t, awstest.ECSOptions{})
	plain := writeConfig(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-sizing", "-endpoint", "x", "-config", cfg}, "--sizing runs the config's sizing endpoint; --endpoint is for an endpoint's loadTest: give one"},
		{[]string{"-sizing", "-config", plain}, "has no sizing: section"},
		{[]string{"-sizing", "-config", cfg, "-variant", "p5"}, `-variant "p5": the sizing candidates are [c6i-xlarge g5-xlarge]`},
		{[]string{"-sizing", "-config", cfg, "-lead", "5s"}, "-lead 5s: Fargate needs time to start the tasks; give at least 30s"},
		{[]string{"-sizing", "-config", cfg, "-tasks", "101"}, "--tasks 101 for candidate c6i-xlarge: tasks must be between 1 and 100"},
	} {
		err := run(context.Background(), append([]string{"run"}, tt.args...), &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run %v = %v; want an error containing %q", tt.args, err, tt.want)
		}
	}
}
