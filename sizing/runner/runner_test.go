package runner_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/smithy-go"

	"github.com/sagesize/sagesize/loadplan"
	"github.com/sagesize/sagesize/sizing/runner"
	"github.com/sagesize/sagesize/testkit/awstest"
)

func awsCfg() aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDAWSTEST", "secret", ""), RetryMaxAttempts: 1}
}

var outputs = map[string]string{
	"Cluster": "sg-loadtest", "TaskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/loadgen:3",
	"Subnets": "subnet-0a,subnet-0b", "SecurityGroup": "sg-0123", "AssignPublicIp": "ENABLED",
	"ContainerName": "loadgen", "LogGroup": "/sagesize/loadtest",
}

// syncBuffer is a bytes.Buffer safe to read while the runner writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type env struct {
	ecs *awstest.ECS
	cw  *awstest.CloudWatch
	out *syncBuffer
	r   *runner.Runner
}

func newEnv(t *testing.T, opts awstest.ECSOptions) *env {
	t.Helper()
	opts.Cluster = outputs["Cluster"]
	e := &env{ecs: awstest.NewECS(opts), cw: awstest.NewCloudWatch(), out: &syncBuffer{}}
	t.Cleanup(e.ecs.Close)
	t.Cleanup(e.cw.Close)
	cfn := awstest.NewCloudFormation()
	t.Cleanup(cfn.Close)
	cfn.SetStack("sg-loadtest", outputs)
	cf := cloudformation.NewFromConfig(awsCfg(), func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(cfn.URL) })
	st, err := runner.ReadStack(context.Background(), cf, "sg-loadtest", 0)
	if err != nil {
		t.Fatalf("ReadStack: %v", err)
	}
	e.r = &runner.Runner{
		ECS:        ecs.NewFromConfig(awsCfg(), func(o *ecs.Options) { o.BaseEndpoint = aws.String(e.ecs.URL) }),
		CloudWatch: cloudwatch.NewFromConfig(awsCfg(), func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(e.cw.URL) }),
		Stack:      st, Out: e.out, Poll: 5 * time.Millisecond, StopWait: 5 * time.Second,
	}
	return e
}

// load is the plan s, which the tests write valid.
func load(s loadplan.Spec) loadplan.Plan {
	p, err := loadplan.Parse(s)
	if err != nil {
		panic(err)
	}
	return p
}

func plan(tasks int) runner.Plan {
	return runner.Plan{Endpoint: "churn-xgb", Variant: "AllTraffic", Tasks: tasks, MaxInFlight: 200, Load: load(loadplan.Spec{Rate: 250, Duration: 10 * time.Minute}),
		Payload: "s3://bucket/req.json", ContentType: "text/csv", TestID: "churn-xgb-AllTraffic-20261127T000000"}
}

func TestReadStackNotDeployed(t *testing.T) {
	t.Parallel()
	cfn := awstest.NewCloudFormation()
	defer cfn.Close()
	cf := cloudformation.NewFromConfig(awsCfg(), func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(cfn.URL) })
	_, err := runner.ReadStack(context.Background(), cf, "nope-loadtest", 0)
	if !errors.Is(err, runner.ErrStackNotDeployed) || !strings.Contains(err.Error(), "deploy it first with cdk deploy --all") || !strings.Contains(err.Error(), "nope-loadtest") {
		t.Errorf("ReadStack(missing) = %v; want ErrStackNotDeployed naming the stack", err)
	}
	cfn.SetStack("half-loadtest", map[string]string{"Cluster": "c"})
	if _, err := runner.ReadStack(context.Background(), cf, "half-loadtest", 0); err == nil || !strings.Contains(err.Error(), "TaskDefinition") {
		t.Errorf("ReadStack(no outputs) = %v; want the missing outputs named", err)
	}
}

func TestRunStartsTasksInBatchesWithOverrides(t *testing.T) {
	t.Parallel()
	e := newEnv(t, awstest.ECSOptions{})
	e.cw.SetMetricData(func(q awstest.MetricQuery) awstest.MetricResult {
		v := map[string]float64{"requests": 7470, "errors": 3, "p50": 12345, "p99": 48100, "throttles": 2}[q.ID]
		return awstest.MetricResult{Timestamps: []time.Time{time.Now()}, Values: []float64{v}}
	})
	if err := e.r.Run(context.Background(), plan(25)); err != nil {
		t.Fatalf("Run: %v\n%s", err, e.out)
	}
	calls := e.ecs.RunTaskCalls()
	if len(calls) != 3 || calls[0].Count != 10 || calls[1].Count != 10 || calls[2].Count != 5 {
		t.Fatalf("RunTask calls %+v; want counts 10, 10, 5", calls)
	}
	want := map[string]string{"LOADGEN_ENDPOINT": "churn-xgb", "LOADGEN_VARIANT": "AllTraffic", "LOADGEN_RATE": "10", "LOADGEN_DURATION": "10m0s",
		"LOADGEN_MAX_IN_FLIGHT": "200", "LOADGEN_PAYLOAD": "s3://bucket/req.json", "LOADGEN_CONTENT_TYPE": "text/csv",
		"LOADGEN_TEST_ID": "churn-xgb-AllTraffic-20261127T000000",
		// 10 min plan + 15 s grace + 5 s drain (loadgen's defaults) + 2 min margin
		"LOADGEN_MAX_DURATION": "12m20s"}
	for i, c := range calls {
		got := c.Env("loadgen")
		for k, v := range want {
			if got[k] != v {
				t.Errorf("call %d: %s = %q; want %q", i, k, got[k], v)
			}
		}
		if len(got) != len(want) {
			t.Errorf("call %d: environment %v; want exactly %v", i, got, want)
		}
		n := c.NetworkConfiguration.AwsvpcConfiguration
		if c.LaunchType != "FARGATE" || c.StartedBy != "sagesize" || c.TaskDefinition != outputs["TaskDefinition"] ||
			strings.Join(n.Subnets, ",") != "subnet-0a,subnet-0b" || len(n.SecurityGroups) != 1 || n.SecurityGroups[0] != "sg-0123" || n.AssignPublicIP != "ENABLED" {
			t.Errorf("call %d: %+v", i, c)
		}
	}
	for _, n := range e.ecs.DescribeSizes() {
		if n != 25 {
			t.Errorf("DescribeTasks named %d tasks; want 25 in one call", n)
		}
	}
	out := e.out.String()
	for _, s := range []string{"started 25 task(s)", "249.0 req/s of 250.0 planned", "p50 12.3 ms", "p99 48.1 ms", "total: 7470 requests, 3 errors, 2 throttles", "0 pending, 0 running, 25 stopped (of 25)"} {
		if !strings.Contains(out, s) {
			t.Errorf("live view lacks %q:\n%s", s, out)
		}
	}
	q := e.cw.GetMetricDataCalls()[0].Queries[0]
	if q.Namespace != "SageSize/LoadTest" || q.Dimensions["TestId"] != "churn-xgb-AllTraffic-20261127T000000" || q.Dimensions["VariantName"] != "AllTraffic" || q.Dimensions["EndpointName"] != "churn-xgb" {
		t.Errorf("GetMetricData query %+v", q)
	}
}

func TestRunDescribesInBatchesOf100(t *testing.T) {
	t.Parallel()
	e := newEnv(t, awstest.ECSOptions{})
	if err := e.r.Run(context.Background(), plan(150)); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := len(e.ecs.RunTaskCalls()); n != 15 {
		t.Errorf("%d RunTask calls; want 15", n)
	}
	sizes := e.ecs.DescribeSizes()
	if len(sizes) < 2 || sizes[0] != 100 || sizes[1] != 50 {
		t.Errorf("DescribeTasks sizes %v; want 100, 50, ...", sizes)
	}
}

func TestRunPlanDivision(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    runner.Plan
		want map[string]string
	}{
		{"steps", runner.Plan{Tasks: 4, Load: load(loadplan.Spec{Steps: "40@30s,80@1m"})}, map[string]string{"LOADGEN_STEPS": "10@30s,20@1m0s"}},
		{"ramp", runner.Plan{Tasks: 4, Load: load(loadplan.Spec{Ramp: "0:200", Duration: 5 * time.Minute})}, map[string]string{"LOADGEN_RAMP": "0:50", "LOADGEN_DURATION": "5m0s"}},
		{"rate", runner.Plan{Tasks: 3, Load: load(loadplan.Spec{Rate: 10, Duration: time.Minute})}, map[string]string{"LOADGEN_RATE": "3.3333333333333335"}},
		{"S3 payload", runner.Plan{Tasks: 1, Load: load(loadplan.Spec{Rate: 1, Duration: time.Minute}), Payload: "s3://b/k"}, map[string]string{"LOADGEN_PAYLOAD": "s3://b/k", "LOADGEN_BODY": ""}},
		{"inline body", runner.Plan{Tasks: 1, Load: load(loadplan.Spec{Rate: 1, Duration: time.Minute}), Body: `{"x": 1}`}, map[string]string{"LOADGEN_BODY": `{"x": 1}`, "LOADGEN_PAYLOAD": ""}},
	} {
		env, err := tt.p.Environment()
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got := map[string]string{}
		for _, kv := range env {
			got[kv.Name] = kv.Value
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%s: %s = %q; want %q", tt.name, k, got[k], v)
			}
		}
	}
}

func TestEnvironmentRefusesPlansItCannotStart(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    runner.Plan
		want string
	}{
		{"no plan", runner.Plan{Tasks: 1}, "no load plan"},
		{"no task", runner.Plan{Load: load(loadplan.Spec{Rate: 1, Duration: time.Minute})}, "at least one task is needed"},
		{"no end", runner.Plan{Tasks: 2, Load: load(loadplan.Spec{Rate: 1})}, "has no end"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env, err := tt.p.Environment()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Environment() = %v, %v; want an error containing %q", env, err, tt.want)
			}
		})
	}
}

func TestRunReportsCapacityFailuresAndStopsStarted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, awstest.ECSOptions{Capacity: 12, End: func(int) awstest.TaskEnd { return awstest.TaskEnd{RunningPolls: -1} }})
	err := e.r.Run(context.Background(), plan(25))
	if err == nil || !strings.Contains(err.Error(), "could not start 8 of 25") || !strings.Contains(err.Error(), awstest.CapacityReason) {
		t.Fatalf("Run = %v; want the capacity failure", err)
	}
	if got := len(e.ecs.StoppedByRequest()); got != 12 {
		t.Errorf("%d tasks stopped; want the 12 started", got)
	}
	if n := e.ecs.Running(); n != 0 {
		t.Errorf("%d tasks left running", n)
	}
}

func TestRunReportsFailedTask(t *testing.T) {
	t.Parallel()
	e := newEnv(t, awstest.ECSOptions{End: func(i int) awstest.TaskEnd {
		if i == 1 {
			return awstest.TaskEnd{RunningPolls: 2, ExitCode: 1, Reason: "loadgen: payload s3://bucket/req.json: NoSuchKey"}
		}
		return awstest.TaskEnd{RunningPolls: 2}
	}})
	err := e.r.Run(context.Background(), plan(3))
	if err == nil {
		t.Fatal("Run succeeded; want the failed task")
	}
	id := e.ecs.Started()[1]
	id = id[strings.LastIndex(id, "/")+1:]
	for _, s := range []string{id, "exit code 1", "NoSuchKey"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	if strings.Count(err.Error(), "failed") != 1 {
		t.Errorf("error %q names more than the one failed task", err)
	}
}

func TestRunCancelStopsEveryTask(t *testing.T) {
	t.Parallel()
	e := newEnv(t, awstest.ECSOptions{End: func(int) awstest.TaskEnd { return awstest.TaskEnd{RunningPolls: -1} }})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for !strings.Contains(e.out.String(), "13 running") {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	err := e.r.Run(ctx, plan(13))
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("Run = %v; want interrupted", err)
	}
	stopped := e.ecs.StoppedByRequest()
	if len(stopped) != 13 || e.ecs.Running() != 0 {
		t.Errorf("stopped %d of 13 tasks, %d left running", len(stopped), e.ecs.Running())
	}
	if !strings.Contains(e.out.String(), "13 stopped (of 13)") {
		t.Errorf("final view missing:\n%s", e.out)
	}
}

func TestRunTaskErrorStopsStarted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, awstest.ECSOptions{})
	e.r.Stack.Cluster = "gone"
	err := e.r.Run(context.Background(), plan(2))
	if err == nil || !strings.Contains(err.Error(), "ClusterNotFoundException") {
		t.Errorf("Run = %v; want ClusterNotFoundException", err)
	}
}

// TestAfterStepStopsEveryTask runs a three-step plan that starts at a given
// time: every task gets the start time, AfterStep is asked about each step
// once its window has ended (in order, with the exact windows), and its
// answer at the second step stops every task without counting them as
// failed.
func TestAfterStepStopsEveryTask(t *testing.T) {
	e := newEnv(t, awstest.ECSOptions{End: func(int) awstest.TaskEnd { return awstest.TaskEnd{RunningPolls: -1} }})
	e.r.StepLag = 10 * time.Millisecond
	start := time.Now().Add(50 * time.Millisecond).Truncate(time.Millisecond)
	p := runner.Plan{Endpoint: "churn-sizing", Variant: "c6i-xlarge", Tasks: 12, Load: load(loadplan.Spec{Steps: "10@100ms,20@100ms,30@100ms"}),
		Payload: "s3://b/k.json", ContentType: "application/json", TestID: "sz-1", StartAt: start}
	var mu sync.Mutex
	var asked [][2]time.Time
	p.AfterStep = func(_ context.Context, step int, from, to time.Time) string {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, [2]time.Time{from, to})
		if time.Now().Before(to) {
			t.Errorf("step %d asked about at %v, before its end %v", step, time.Now(), to)
		}
		if step == 1 {
			return "step 2 (20.0 req/s) did not hold: client p99 300.0 ms > SLO 150.0 ms"
		}
		return ""
	}
	if err := e.r.Run(context.Background(), p); err != nil {
		t.Fatalf("Run: %v\n%s", err, e.out.String())
	}
	want := [][2]time.Time{{start, start.Add(100 * time.Millisecond)}, {start.Add(100 * time.Millisecond), start.Add(200 * time.Millisecond)}}
	mu.Lock()
	if len(asked) != 2 || !asked[0][0].Equal(want[0][0]) || !asked[0][1].Equal(want[0][1]) || !asked[1][0].Equal(want[1][0]) || !asked[1][1].Equal(want[1][1]) {
		t.Errorf("AfterStep asked about %v; want %v", asked, want)
	}
	mu.Unlock()
	if got := len(e.ecs.StoppedByRequest()); got != 12 {
		t.Errorf("%d tasks stopped by request; want all 12", got)
	}
	if e.ecs.Running() != 0 {
		t.Errorf("%d tasks still running", e.ecs.Running())
	}
	calls := e.ecs.RunTaskCalls()
	if len(calls) != 2 {
		t.Fatalf("%d RunTask calls; want 2 (10 + 2)", len(calls))
	}
	for _, c := range calls {
		env := c.Env("loadgen")
		if env["LOADGEN_START_AT"] != start.UTC().Format(time.RFC3339Nano) || env["LOADGEN_STEPS"] != "0.8333333333333334@100ms,1.6666666666666667@100ms,2.5@100ms" || env["LOADGEN_TEST_ID"] != "sz-1" {
			t.Errorf("task environment %v; want the start time, the steps divided by 12 and the test id", env)
		}
	}
	if !strings.Contains(e.out.String(), "stopping early: step 2 (20.0 req/s) did not hold") {
		t.Errorf("output does not say why it stopped:\n%s", e.out.String())
	}
}

// runWithin runs p and fails the test when Run has not returned within
// limit; it returns how long Run took and its error.
func runWithin(ctx context.Context, t *testing.T, e *env, p runner.Plan, limit time.Duration) (time.Duration, error) {
	t.Helper()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- e.r.Run(ctx, p) }()
	select {
	case err := <-done:
		return time.Since(start), err
	case <-time.After(limit):
		t.Fatalf("Run has not returned after %v: an unbounded wait\n%s", limit, e.out)
		return 0, nil
	}
}

// TestRunGivesUpWhenCredentialsExpire: an ECS whose DescribeTasks and
// StopTask keep answering ExpiredTokenException. The run gives up after
// Retry.MaxFailures describes, tries StopTask on every task it started
// (each stopAttempts times), prints the aws ecs stop-task command of each,
// and returns the AWS error wrapped.
func TestRunGivesUpWhenCredentialsExpire(t *testing.T) {
	t.Parallel()
	e := newEnv(t, awstest.ECSOptions{End: func(int) awstest.TaskEnd { return awstest.TaskEnd{RunningPolls: -1} }})
	e.ecs.SetFaults(func(op string, _ int) *awstest.ECSFault {
		if op == "DescribeTasks" || op == "StopTask" {
			return awstest.ExpiredToken()
		}
		return nil
	})
	e.r.Retry = runner.Retry{MaxFailures: 5, MaxDelay: 40 * time.Millisecond}
	e.r.Region = "eu-west-1"
	took, err := runWithin(context.Background(), t, e, plan(13), 30*time.Second)
	t.Logf("Run returned after %v with: %v", took, err)
	var ae smithy.APIError
	if !errors.Is(err, runner.ErrGaveUp) || !errors.As(err, &ae) || ae.ErrorCode() != "ExpiredTokenException" {
		t.Fatalf("Run = %v; want ErrGaveUp wrapping ExpiredTokenException", err)
	}
	describes, stops := 0, map[string]int{}
	for _, a := range e.ecs.Attempts() {
		switch a.Op {
		case "DescribeTasks":
			describes++
		case "StopTask":
			stops[a.Task]++
		}
	}
	if describes != 5 {
		t.Errorf("%d DescribeTasks calls; want 5 (Retry.MaxFailures)", describes)
	}
	out := e.out.String()
	for _, arn := range e.ecs.Started() {
		if stops[arn] != 3 {
			t.Errorf("StopTask tried %d times on %s; want 3", stops[arn], arn)
		}
		cmd := "aws ecs stop-task --cluster sg-loadtest --task " + arn + ` --reason "stopped by sagesize run" --region eu-west-1`
		if !strings.Contains(out, cmd) {
			t.Errorf("output lacks %q", cmd)
		}
	}
	if len(stops) != 13 {
		t.Errorf("StopTask tried on %d tasks; want the 13 started", len(stops))
	}
	for _, s := range []string{"could NOT stop 13 of 13 task(s)", "credentials have expired or are not valid (ExpiredTokenException)"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	if !strings.Contains(err.Error(), "could not stop 13 of 13 task(s)") {
		t.Errorf("error %q does not say which tasks are left", err)
	}
	if took > 10*time.Second {
		t.Errorf("Run took %v; want well under 10s with these bounds", took)
	}
}

// TestRunRecoversFromFailingDescribe: DescribeTasks throttled three times,
// then served. The run backs off (each wait at least twice the previous
// poll-based one) and completes.
func TestRunRecoversFromFailingDescribe(t *testing.T) {
	t.Parallel()
	e := newEnv(t, awstest.ECSOptions{})
	e.ecs.SetFaults(func(op string, n int) *awstest.ECSFault {
		if op == "DescribeTasks" && n <= 3 {
			return awstest.Throttled()
		}
		return nil
	})
	e.r.Poll = 20 * time.Millisecond
	took, err := runWithin(context.Background(), t, e, plan(3), 30*time.Second)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, e.out)
	}
	var at []time.Time
	for _, a := range e.ecs.Attempts() {
		if a.Op == "DescribeTasks" {
			at = append(at, a.At)
		}
	}
	// Waits after failures 1, 2, 3 are at least 20, 40 and 80 ms.
	if len(at) < 4 || at[3].Sub(at[0]) < 140*time.Millisecond {
		t.Errorf("DescribeTasks at %v; want the 4th at least 140ms after the 1st (backoff)", at)
	}
	t.Logf("run took %v; first success %v after the first failure", took, at[3].Sub(at[0]))
	if !strings.Contains(e.out.String(), "ThrottlingException") || !strings.Contains(e.out.String(), "attempt 3") {
		t.Errorf("output does not show the retried failures:\n%s", e.out)
	}
}

// TestRunStopsTasksAtItsDeadline: tasks that never stop by themselves are
// stopped once the run's deadline (LOADGEN_MAX_DURATION + DeadlineMargin)
// passes, and Run returns ErrDeadline. The tasks get LOADGEN_MAX_DURATION,
// LOADGEN_GRACE and LOADGEN_DRAIN.
func TestRunStopsTasksAtItsDeadline(t *testing.T) {
	t.Parallel()
	e := newEnv(t, awstest.ECSOptions{End: func(int) awstest.TaskEnd { return awstest.TaskEnd{RunningPolls: -1} }})
	e.r.TaskMargin, e.r.DeadlineMargin = 100*time.Millisecond, 200*time.Millisecond
	p := plan(4)
	p.Load = load(loadplan.Spec{Rate: 8, Duration: 100 * time.Millisecond})
	p.Grace, p.Drain = time.Millisecond, 2*time.Millisecond
	took, err := runWithin(context.Background(), t, e, p, 30*time.Second)
	t.Logf("Run returned after %v with: %v", took, err)
	if !errors.Is(err, runner.ErrDeadline) {
		t.Fatalf("Run = %v; want ErrDeadline", err)
	}
	if took < 1200*time.Millisecond {
		t.Errorf("Run returned after %v, before its deadline (1s max duration + 200ms)", took)
	}
	if len(e.ecs.StoppedByRequest()) != 4 || e.ecs.Running() != 0 {
		t.Errorf("stopped %v; %d still running", e.ecs.StoppedByRequest(), e.ecs.Running())
	}
	env := e.ecs.RunTaskCalls()[0].Env("loadgen")
	if env["LOADGEN_MAX_DURATION"] != "1s" || env["LOADGEN_GRACE"] != "1ms" || env["LOADGEN_DRAIN"] != "2ms" {
		t.Errorf("task environment %v; want LOADGEN_MAX_DURATION 1s (103ms plan, grace and drain + 100ms, in whole seconds), LOADGEN_GRACE 1ms, LOADGEN_DRAIN 2ms", env)
	}
}

// TestMaxDurationCountsTheStartWait: a task started before the plan's
// start time waits for it, within its LOADGEN_MAX_DURATION.
func TestMaxDurationCountsTheStartWait(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	p := plan(1)
	p.StartAt = now.Add(2 * time.Minute)
	if got, want := p.MaxDuration(now, 2*time.Minute), 14*time.Minute+20*time.Second; got != want {
		t.Errorf("MaxDuration = %v; want %v (2m wait + 10m plan + 15s grace + 5s drain + 2m margin)", got, want)
	}
}

// viewLines returns the live view's lines of out.
func viewLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "] tasks: ") {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestRunLiveViewBacksOffWhileGetMetricDataFails: CloudWatch throttles
// every GetMetricData for the whole run. The run still completes when the
// tasks stop, every live-view line says the figures are unavailable and
// why, and reads go on (past Retry.MaxFailures) but only as the backoff
// allows: once MaxFailures reads in a row have failed, reads start at
// least MaxDelay apart, so a run of T makes at most MaxFailures +
// T/MaxDelay reads, far fewer than its polls.
func TestRunLiveViewBacksOffWhileGetMetricDataFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, awstest.ECSOptions{End: func(int) awstest.TaskEnd { return awstest.TaskEnd{RunningPolls: 60} }})
	e.cw.InjectGetFault(func(int, awstest.GetMetricDataCall) bool { return true }, awstest.CloudWatchThrottling)
	e.r.Retry = runner.Retry{MaxFailures: 3, MaxDelay: 50 * time.Millisecond}
	took, err := runWithin(context.Background(), t, e, plan(2), 30*time.Second)
	if err != nil {
		t.Fatalf("Run = %v; want nil: failing live-view reads never end the run\n%s", err, e.out)
	}
	reads, served := len(e.cw.RejectedGets()), len(e.cw.GetMetricDataCalls())
	polls := viewLines(e.out.String())
	bound := 3 + int(took/(50*time.Millisecond))
	t.Logf("run took %v: %d polls, %d GetMetricData reads (bound %d)", took, len(polls), reads, bound)
	if served != 0 || reads > bound || reads <= 3 {
		t.Errorf("%d GetMetricData reads (%d served) in %v; want more than Retry.MaxFailures (3) and at most 3 + %v/50ms = %d", reads, served, took, took, bound)
	}
	if len(polls) < 60 {
		t.Errorf("%d polls; want at least 60 (the tasks run for 60 DescribeTasks)", len(polls))
	}
	skipped := 0
	for _, l := range polls {
		if !strings.Contains(l, "metrics unavailable: get metric data: ") || !strings.Contains(l, "Throttling: Rate exceeded") {
			t.Errorf("live view line %q; want metrics unavailable with the Throttling error", l)
		}
		if strings.Contains(l, "(next read in ") {
			skipped++
		}
	}
	if skipped != len(polls)-reads {
		t.Errorf("%d lines say when the next read is; want one per poll without a read (%d)", skipped, len(polls)-reads)
	}
}

// TestRunLiveViewRecoversAfterGetMetricDataFailures: CloudWatch throttles
// the first three GetMetricData reads, then serves the figures. The reads
// are spaced by the backoff (at least 1, 2 and 4 × Poll after each
// failure), the live view says the figures are unavailable meanwhile and
// shows them again once a read succeeds.
func TestRunLiveViewRecoversAfterGetMetricDataFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, awstest.ECSOptions{End: func(int) awstest.TaskEnd { return awstest.TaskEnd{RunningPolls: 25} }})
	e.r.Poll = 20 * time.Millisecond
	var mu sync.Mutex
	var at []time.Time
	e.cw.InjectGetFault(func(n int, _ awstest.GetMetricDataCall) bool {
		mu.Lock()
		defer mu.Unlock()
		at = append(at, time.Now())
		return n <= 3
	}, awstest.CloudWatchThrottling)
	e.cw.SetMetricData(func(q awstest.MetricQuery) awstest.MetricResult {
		v := map[string]float64{"requests": 7470, "errors": 3, "p50": 12345, "p99": 48100, "throttles": 2}[q.ID]
		return awstest.MetricResult{Timestamps: []time.Time{time.Now()}, Values: []float64{v}}
	})
	if _, err := runWithin(context.Background(), t, e, plan(2), 30*time.Second); err != nil {
		t.Fatalf("Run: %v\n%s", err, e.out)
	}
	mu.Lock()
	defer mu.Unlock()
	// Each failed read is one request; waits after failures 1, 2, 3 are at least 20, 40 and 80 ms.
	if len(at) < 4 || at[3].Sub(at[0]) < 140*time.Millisecond {
		t.Fatalf("GetMetricData at %v; want the 4th at least 140ms after the 1st (backoff)", at)
	}
	t.Logf("first served read %v after the first failure", at[3].Sub(at[0]))
	lines := viewLines(e.out.String())
	first := slices.IndexFunc(lines, func(l string) bool { return !strings.Contains(l, "metrics unavailable") })
	if first < 3 || !strings.Contains(lines[0], "Throttling") {
		t.Fatalf("live view:\n%s\nwant at least 3 lines with the Throttling error before the figures", strings.Join(lines, "\n"))
	}
	for _, l := range lines[first:] {
		if !strings.Contains(l, "p50 12.3 ms, p99 48.1 ms") || !strings.Contains(l, "total: 7470 requests, 3 errors, 2 throttles") {
			t.Errorf("live view line %q after recovery; want the figures", l)
		}
	}
}

// TestRunTaskThatNeverAnswersEndsTheRun: an ECS that accepts RunTask and
// never answers. Run returns within CallTimeout with the deadline error,
// instead of waiting for it forever.
func TestRunTaskThatNeverAnswersEndsTheRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, awstest.ECSOptions{})
	h := awstest.NewHanging()
	t.Cleanup(h.Close)
	e.r.ECS = ecs.NewFromConfig(awsCfg(), func(o *ecs.Options) { o.BaseEndpoint = aws.String(h.URL) })
	e.r.CallTimeout = 200 * time.Millisecond
	took, err := runWithin(context.Background(), t, e, plan(3), 10*time.Second)
	t.Logf("Run returned after %v with: %v", took, err)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "run task on cluster sg-loadtest: no answer within 200ms") || !strings.Contains(err.Error(), "LOADGEN_MAX_DURATION") {
		t.Errorf("Run = %v; want the RunTask deadline error naming the cluster and LOADGEN_MAX_DURATION", err)
	}
	if h.Accepted() != 1 {
		t.Errorf("hanging ECS accepted %d connections; want 1 (one RunTask, not retried)", h.Accepted())
	}
}

// TestReadStackFromAHungCloudFormationReturns: a CloudFormation that
// accepts and never answers ends ReadStack at its timeout, with the stack
// named, though the caller's context has no deadline.
func TestReadStackFromAHungCloudFormationReturns(t *testing.T) {
	t.Parallel()
	h := awstest.NewHanging()
	t.Cleanup(h.Close)
	api := cloudformation.NewFromConfig(awsCfg(), func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(h.URL) })
	start := time.Now()
	_, err := runner.ReadStack(context.Background(), api, "churn-loadtest", 200*time.Millisecond)
	t.Logf("ReadStack returned after %v with: %v", time.Since(start), err)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "describe stack churn-loadtest") {
		t.Errorf("ReadStack = %v; want the deadline error naming the stack", err)
	}
}

// TestRunStopsTasksThatPublishNothing: tasks that run their plan while
// CloudWatch answers but holds none of their requests (no route from a
// private subnet, a denied PutMetricData) are stopped after Silence, and
// the run says why and where to look, instead of measuring nothing.
func TestRunStopsTasksThatPublishNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, awstest.ECSOptions{End: func(int) awstest.TaskEnd { return awstest.TaskEnd{RunningPolls: -1} }})
	e.r.Silence = 100 * time.Millisecond
	took, err := runWithin(context.Background(), t, e, plan(2), 10*time.Second)
	t.Logf("Run returned after %v with: %v", took, err)
	if !errors.Is(err, runner.ErrNoMetrics) || !strings.Contains(err.Error(), "loadTest.privateSubnets") || !strings.Contains(err.Error(), "log group") {
		t.Fatalf("Run = %v; want ErrNoMetrics naming the VPC endpoints and the log group\n%s", err, e.out)
	}
	if got := len(e.ecs.StoppedByRequest()); got != 2 {
		t.Errorf("%d task(s) stopped by request; want both", got)
	}
}

// TestRunGoesOnWhileTheTasksPublish: the same tasks with their requests in
// CloudWatch are not stopped for silence.
func TestRunGoesOnWhileTheTasksPublish(t *testing.T) {
	t.Parallel()
	e := newEnv(t, awstest.ECSOptions{End: func(int) awstest.TaskEnd { return awstest.TaskEnd{RunningPolls: 40} }})
	e.r.Silence = 20 * time.Millisecond
	e.cw.SetMetricData(func(q awstest.MetricQuery) awstest.MetricResult {
		return awstest.MetricResult{Timestamps: []time.Time{time.Now()}, Values: []float64{100}}
	})
	if _, err := runWithin(context.Background(), t, e, plan(2), 10*time.Second); err != nil {
		t.Fatalf("Run = %v; want the tasks to run to their end\n%s", err, e.out)
	}
}
