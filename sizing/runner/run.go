package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/sagesize/sagesize/loadplan"
	"github.com/sagesize/sagesize/metrics"
)

// API limits of ECS.
const (
	maxRunTaskCount = 10  // RunTask count
	maxDescribe     = 100 // DescribeTasks tasks
)

// StopReason is the reason given to StopTask when a run is interrupted.
const StopReason = "stopped by sagesize run"

// StartedBy is RunTask's startedBy of every task the runner starts.
const StartedBy = "sagesize"

// Runner runs load tests on the tasks of one load-test stack.
type Runner struct {
	ECS        ECSAPI
	CloudWatch CloudWatchAPI
	Stack      *Stack
	// Out receives the live view.
	Out io.Writer
	// Poll is the live view's interval (default 10s).
	Poll time.Duration
	// StopWait is how long to wait for stopped tasks to reach STOPPED after
	// an interruption or a failed start (default 60s).
	StopWait time.Duration
	// Namespace of the loadgen metrics (default metrics.NamespaceLoadTest).
	Namespace string
	// StepLag is how long after a step's end Plan.AfterStep is called
	// (default DefaultStepLag).
	StepLag time.Duration
	// Retry bounds the AWS calls the run repeats (see Retry).
	Retry Retry
	// CallTimeout bounds each RunTask, DescribeTasks and live-view
	// GetMetricData call; one that takes longer counts as failed (default
	// 30s).
	CallTimeout time.Duration
	// TaskMargin is added to each task's planned length to give its
	// LOADGEN_MAX_DURATION (default DefaultTaskMargin).
	TaskMargin time.Duration
	// DeadlineMargin is added to LOADGEN_MAX_DURATION to give the run's
	// deadline, after which tasks still running are stopped (default
	// DefaultDeadlineMargin).
	DeadlineMargin time.Duration
	// Silence is how long the tasks may run their plan with CloudWatch
	// answering but holding none of their requests before the run stops
	// them with ErrNoMetrics (default DefaultSilence).
	Silence time.Duration
	// Region, when set, is named in the aws ecs stop-task commands printed
	// for tasks the run could not stop.
	Region string
}

// taskState is what DescribeTasks last said about a task.
type taskState struct {
	lastStatus, stopCode, stoppedReason, containerReason string
	exitCode                                             *int32
}

// Run starts p.Tasks tasks, shows their progress until every one has
// stopped, and returns an error naming each task that failed. When ctx is
// cancelled it stops every task it started and returns an error.
//
// Every wait is bounded. Each RunTask, DescribeTasks and GetMetricData
// call waits at most CallTimeout. Each task gets LOADGEN_MAX_DURATION (its
// start wait, plan, grace and drain plus TaskMargin); tasks still running
// DeadlineMargin after that are stopped and Run returns ErrDeadline.
// DescribeTasks failures are retried with backoff within Retry's bounds;
// past them the tasks are stopped and Run returns ErrGaveUp with the AWS
// error. Stopping tries StopTask on every task, waits at most StopWait,
// and prints the aws ecs stop-task command of each task it could not stop.
func (r *Runner) Run(ctx context.Context, p Plan) error {
	start := time.Now()
	maxDur := p.MaxDuration(start, orDefault(r.TaskMargin, DefaultTaskMargin))
	in, err := r.runTaskInput(p, maxDur)
	if err != nil {
		return err
	}
	started, err := r.startTasks(ctx, in, p.Tasks)
	if err != nil {
		return err
	}
	deadline := start.Add(maxDur + orDefault(r.DeadlineMargin, DefaultDeadlineMargin))
	fmt.Fprintf(r.Out, "started %d task(s) on cluster %s for %s variant %s, test id %s (logs: log group %s); each stops by itself after %v, the run by %s\n",
		len(started), r.Stack.Cluster, p.Endpoint, p.Variant, p.TestID, r.Stack.LogGroup, maxDur, deadline.UTC().Format(time.RFC3339))
	w := &watch{r: r, p: p, start: start, started: started, windows: p.StepWindows(), deadline: deadline}
	return w.run(ctx)
}

// runTaskInput is the RunTask request for p's tasks on the stack, with the
// plan's environment and LOADGEN_MAX_DURATION maxDur as the container's
// overrides; Count is set per batch.
func (r *Runner) runTaskInput(p Plan, maxDur time.Duration) (*ecs.RunTaskInput, error) {
	env, err := p.Environment()
	if err != nil {
		return nil, err
	}
	env = append(env, loadplan.Var{Name: loadplan.EnvMaxDuration, Value: maxDur.String()})
	var kv []ecstypes.KeyValuePair
	for _, e := range env {
		kv = append(kv, ecstypes.KeyValuePair{Name: aws.String(e.Name), Value: aws.String(e.Value)})
	}
	return &ecs.RunTaskInput{
		Cluster: aws.String(r.Stack.Cluster), TaskDefinition: aws.String(r.Stack.TaskDefinition),
		LaunchType: ecstypes.LaunchTypeFargate, StartedBy: aws.String(StartedBy),
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
			Subnets: r.Stack.Subnets, SecurityGroups: []string{r.Stack.SecurityGroup},
			AssignPublicIp: ecstypes.AssignPublicIp(r.Stack.AssignPublicIP),
		}},
		Overrides: &ecstypes.TaskOverride{ContainerOverrides: []ecstypes.ContainerOverride{{Name: aws.String(r.Stack.ContainerName), Environment: kv}}},
	}, nil
}

// startTasks calls RunTask in batches of at most maxRunTaskCount until n
// tasks have started and returns their ARNs. When a batch fails it stops
// the tasks already started and returns the error.
func (r *Runner) startTasks(ctx context.Context, in *ecs.RunTaskInput, n int) ([]string, error) {
	var started []string
	for len(started) < n {
		in.Count = aws.Int32(int32(min(maxRunTaskCount, n-len(started))))
		out, err := r.runTaskBounded(ctx, in)
		if out != nil {
			for _, t := range out.Tasks {
				started = append(started, aws.ToString(t.TaskArn))
			}
		}
		if err = r.runTaskError(out, err, n); err != nil {
			if len(started) > 0 {
				fmt.Fprintf(r.Out, "stopping the %d task(s) already started\n", len(started))
				err = errors.Join(err, r.stopAll(ctx, started, "sagesize run: not every task could start"))
			}
			return nil, err
		}
	}
	return started, nil
}

// runTaskError is the error of one RunTask batch of a run of n tasks: the
// call's own error, or one listing the tasks ECS could not start.
func (r *Runner) runTaskError(out *ecs.RunTaskOutput, err error, n int) error {
	if err != nil {
		return fmt.Errorf("run task on cluster %s: %w", r.Stack.Cluster, err)
	}
	if len(out.Failures) == 0 {
		return nil
	}
	var reasons []string
	for _, f := range out.Failures {
		reasons = append(reasons, failureText(f))
	}
	return fmt.Errorf("ECS could not start %d of %d tasks: %s", len(out.Failures), n, strings.Join(reasons, "; "))
}

// watch follows the started tasks of one run until they have all stopped.
type watch struct {
	r       *Runner
	p       Plan
	start   time.Time // when the run began starting tasks
	started []string  // task ARNs
	windows []loadplan.Window
	next    int       // the next step AfterStep is asked about
	running time.Time // when a task was first seen RUNNING (or the plan's start time)
	// deadline is when tasks still running are stopped.
	deadline time.Time
	// cw paces the live view's GetMetricData reads while they fail;
	// cwNext is the earliest next read and cwErr the last error.
	cw     *backoff
	cwNext time.Time
	cwErr  error
}

// run polls the tasks every Poll, showing the live view and asking
// AfterStep about each step that has ended, until every task has stopped,
// a step check stops them, DescribeTasks keeps failing past the Retry
// bounds, the deadline passes or ctx is cancelled.
func (w *watch) run(ctx context.Context) error {
	poll := orDefault(w.r.Poll, 10*time.Second)
	describe := newBackoff(w.r.Retry, poll)
	w.cw = newBackoff(w.r.Retry, poll)
	if !w.p.StartAt.IsZero() {
		w.running = w.p.StartAt
		fmt.Fprintf(w.r.Out, "%sthe tasks start their schedule together at %s\n", w.p.prefix(), w.p.StartAt.UTC().Format(time.RFC3339))
	}
	wait := poll
	for {
		if !sleep(ctx, max(0, min(wait, time.Until(w.deadline)))) {
			return w.interrupted(ctx)
		}
		if !time.Now().Before(w.deadline) {
			return w.abort(ctx, fmt.Errorf("%w (%s): tasks were still running", ErrDeadline, w.deadline.UTC().Format(time.RFC3339)))
		}
		states, err := w.r.describeBounded(ctx, w.started)
		if ctx.Err() != nil {
			return w.interrupted(ctx)
		}
		if err != nil {
			d, giveUp := describe.fail(err, time.Now())
			if giveUp != nil {
				return w.abort(ctx, giveUp)
			}
			fmt.Fprintf(w.r.Out, "%s%v (attempt %d, next in %v)\n", w.p.prefix(), err, describe.failures, d.Round(time.Millisecond))
			wait = d
			continue
		}
		describe.ok()
		wait = poll
		if done, err := w.poll(ctx, states); done {
			return err
		}
	}
}

// interrupted stops every task after ctx was cancelled, shows the last
// live view and returns an error naming the cause.
func (w *watch) interrupted(ctx context.Context) error {
	fmt.Fprintf(w.r.Out, "interrupted: stopping %d task(s)\n", len(w.started))
	err := w.r.stopAll(ctx, w.started, StopReason)
	ctx = context.WithoutCancel(ctx)
	states, _ := w.r.describeBounded(ctx, w.started)
	m, merr := w.r.readFiguresBounded(ctx, w.p, w.start)
	w.r.view(w.p, w.start, w.running, states, m, merr)
	return errors.Join(fmt.Errorf("interrupted (%w): stopped the %d task(s) of test %s", context.Cause(ctx), len(w.started), w.p.TestID), err)
}

// abort stops every task because of cause (a deadline, an AWS error that
// kept coming back) and returns cause, wrapped, with any stop error.
func (w *watch) abort(ctx context.Context, cause error) error {
	fmt.Fprintf(w.r.Out, "%s%v\n%sstopping the %d task(s) of test %s\n", w.p.prefix(), cause, w.p.prefix(), len(w.started), w.p.TestID)
	err := w.r.stopAll(ctx, w.started, StopReason)
	return errors.Join(fmt.Errorf("test %s: %w", w.p.TestID, cause), err)
}

// poll shows the live view of states and checks the steps that have
// ended. It reports whether the run is over, and if so its error.
func (w *watch) poll(ctx context.Context, states map[string]taskState) (done bool, err error) {
	w.markRunning(states)
	m, merr := w.figures(ctx)
	if w.r.view(w.p, w.start, w.running, states, m, merr) {
		return true, w.r.failures(w.started, states)
	}
	if err := w.silent(m, merr); err != nil {
		return true, w.abort(ctx, err)
	}
	return w.checkSteps(ctx)
}

// roundish rounds d to seconds, or to milliseconds below a second.
func roundish(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Second)
}

// silent returns an error wrapping ErrNoMetrics when the tasks have run
// their plan for Silence at a planned rate above zero, CloudWatch answered
// the last read, and it holds no request of the test: publishing fails,
// so the run stops now instead of measuring nothing.
func (w *watch) silent(m figures, merr error) error {
	silence := orDefault(w.r.Silence, DefaultSilence)
	ran := time.Since(w.running)
	if merr != nil || m.totalRequests != nil || w.running.IsZero() || ran < silence || w.p.Load.RateAt(ran) <= 0 {
		return nil
	}
	return fmt.Errorf("%w after %v of running: CloudWatch holds no request of test %s. The tasks cannot publish: "+
		"subnets without a route to the internet need VPC endpoints (loadTest.privateSubnets: true for the VPC the stack creates, "+
		"or interface endpoints for monitoring, logs, ecr.api, ecr.dkr, sagemaker.runtime and an S3 gateway in yours); "+
		"loadgen's publish errors are in log group %s", ErrNoMetrics, roundish(ran), w.p.TestID, w.r.Stack.LogGroup)
}

// figures reads the live view's figures, backing off while the reads
// fail: they never end the run, but are not retried sooner than the
// backoff allows.
func (w *watch) figures(ctx context.Context) (figures, error) {
	now := time.Now()
	if now.Before(w.cwNext) {
		return figures{}, fmt.Errorf("%w (next read in %v)", w.cwErr, w.cwNext.Sub(now).Round(time.Millisecond))
	}
	m, err := w.r.readFiguresBounded(ctx, w.p, w.start)
	if err != nil {
		d, giveUp := w.cw.fail(err, now)
		if giveUp != nil {
			d = orDefault(w.r.Retry.MaxDelay, DefaultMaxDelay)
		}
		w.cwNext, w.cwErr = now.Add(d), err
		return m, err
	}
	w.cw.ok()
	return m, nil
}

// markRunning notes when a task is first seen RUNNING (or already STOPPED).
func (w *watch) markRunning(states map[string]taskState) {
	if !w.running.IsZero() {
		return
	}
	for _, s := range states {
		if s.lastStatus == "RUNNING" || s.lastStatus == "STOPPED" {
			w.running = time.Now()
			return
		}
	}
}

// checkSteps asks AfterStep about every step (but the last) that ended at
// least StepLag ago and has not been asked about. When it gives a reason
// to stop, the tasks are stopped and the run is over.
func (w *watch) checkSteps(ctx context.Context) (done bool, err error) {
	for w.p.AfterStep != nil && w.next < len(w.windows)-1 && time.Now().After(w.windows[w.next].End.Add(orDefault(w.r.StepLag, DefaultStepLag))) {
		win := w.windows[w.next]
		why := w.p.AfterStep(ctx, w.next, win.Start, win.End)
		w.next++
		if why != "" {
			return true, w.stopEarly(ctx, why)
		}
	}
	return false, nil
}

// stopEarly stops every task for why, the reason a step check gave, and
// returns an error naming each task that failed otherwise.
func (w *watch) stopEarly(ctx context.Context, why string) error {
	fmt.Fprintf(w.r.Out, "%sstopping early: %s\n", w.p.prefix(), why)
	reason := "sagesize run: " + why
	if err := w.r.stopAll(ctx, w.started, reason); err != nil {
		return fmt.Errorf("stop after step %d: %w", w.next, err)
	}
	// The tasks stopped for why ended as planned; any other failed.
	states, _ := w.r.describeBounded(ctx, w.started)
	var others []string
	for _, arn := range w.started {
		if states[arn].stoppedReason != reason {
			others = append(others, arn)
		}
	}
	return w.r.failures(others, states)
}

func (p Plan) prefix() string {
	if p.Label == "" {
		return ""
	}
	return p.Label + ": "
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func failureText(f ecstypes.Failure) string {
	s := aws.ToString(f.Reason)
	if d := aws.ToString(f.Detail); d != "" {
		s += " (" + d + ")"
	}
	if a := aws.ToString(f.Arn); a != "" {
		s += " [" + a + "]"
	}
	return s
}

// taskID is the last part of a task ARN.
func taskID(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// failures returns an error naming every task that did not end normally.
func (r *Runner) failures(started []string, states map[string]taskState) error {
	var errs []error
	for _, arn := range started {
		s := states[arn]
		reason := s.containerReason
		if reason == "" {
			reason = s.stoppedReason
		}
		switch {
		case s.exitCode != nil && *s.exitCode != 0:
			errs = append(errs, fmt.Errorf("task %s failed: exit code %d: %s (stop code %s; logs in %s)", taskID(arn), *s.exitCode, reason, s.stopCode, r.Stack.LogGroup))
		case s.exitCode == nil || s.stopCode != string(ecstypes.TaskStopCodeEssentialContainerExited):
			errs = append(errs, fmt.Errorf("task %s failed: %s: %s", taskID(arn), s.stopCode, reason))
		}
	}
	return errors.Join(errs...)
}

// describe returns the state of every task, in batches of at most 100.
func (r *Runner) describe(ctx context.Context, arns []string) (map[string]taskState, error) {
	out := map[string]taskState{}
	for i := 0; i < len(arns); i += maxDescribe {
		res, err := r.ECS.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(r.Stack.Cluster), Tasks: arns[i:min(i+maxDescribe, len(arns))]})
		if err != nil {
			return out, fmt.Errorf("describe tasks on cluster %s: %w", r.Stack.Cluster, err)
		}
		for _, t := range res.Tasks {
			s := taskState{lastStatus: aws.ToString(t.LastStatus), stopCode: string(t.StopCode), stoppedReason: aws.ToString(t.StoppedReason)}
			for _, c := range t.Containers {
				if aws.ToString(c.Name) == r.Stack.ContainerName {
					s.exitCode, s.containerReason = c.ExitCode, aws.ToString(c.Reason)
				}
			}
			out[aws.ToString(t.TaskArn)] = s
		}
		for _, f := range res.Failures {
			out[aws.ToString(f.Arn)] = taskState{lastStatus: "STOPPED", stopCode: "Missing", stoppedReason: "ECS does not know the task: " + aws.ToString(f.Reason)}
		}
	}
	return out, nil
}

// view prints one line of the live view and reports whether every task
// has stopped.
func (r *Runner) view(p Plan, start, running time.Time, states map[string]taskState, m figures, err error) bool {
	var pending, run, stopped int
	for _, s := range states {
		switch s.lastStatus {
		case "RUNNING":
			run++
		case "STOPPED":
			stopped++
		default:
			pending++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s[%s] tasks: %d pending, %d running, %d stopped (of %d)", p.prefix(), time.Since(start).Round(time.Second), pending, run, stopped, p.Tasks)
	switch {
	case err != nil:
		fmt.Fprintf(&b, " | metrics unavailable: %v", err)
	case m.recentRequests == nil:
		b.WriteString(" | last 30s: no data yet")
	default:
		fmt.Fprintf(&b, " | last 30s: %.1f req/s", *m.recentRequests/recentPeriod.Seconds())
		if !running.IsZero() {
			fmt.Fprintf(&b, " of %.1f planned", p.Load.RateAt(time.Since(running)))
		}
		fmt.Fprintf(&b, ", p50 %s, p99 %s, %s errors", ms(m.recentP50), ms(m.recentP99), count(m.recentErrors))
	}
	if err == nil && m.totalRequests != nil {
		fmt.Fprintf(&b, " | total: %s requests, %s errors, %s throttles, p99 %s", count(m.totalRequests), count(m.totalErrors), count(m.totalThrottles), ms(m.totalP99))
	}
	fmt.Fprintln(r.Out, b.String())
	return stopped == p.Tasks
}

func ms(us *float64) string {
	if us == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f ms", metrics.Millis(metrics.FromMicros(*us)))
}

func count(v *float64) string {
	if v == nil {
		return "0"
	}
	return fmt.Sprintf("%.0f", *v)
}

// recentPeriod is the live view's "last" window.
const recentPeriod = 30 * time.Second

type figures struct {
	recentRequests, recentErrors, recentP50, recentP99   *float64
	totalRequests, totalErrors, totalThrottles, totalP99 *float64
}

// readFigures reads the test's figures from CloudWatch: the last complete 30 s
// (loadgen publishes at high resolution) and the whole test so far. Every
// percentile is computed by CloudWatch over the distributions every task
// published; nothing is averaged here.
func (r *Runner) readFigures(ctx context.Context, p Plan, start time.Time) (figures, error) {
	var f figures
	if r.CloudWatch == nil {
		return f, errors.New("no CloudWatch client")
	}
	ns := r.Namespace
	if ns == "" {
		ns = metrics.NamespaceLoadTest
	}
	dims := []cwtypes.Dimension{{Name: aws.String(metrics.DimEndpointName), Value: aws.String(p.Endpoint)},
		{Name: aws.String(metrics.DimVariantName), Value: aws.String(p.Variant)}, {Name: aws.String(metrics.DimTestID), Value: aws.String(p.TestID)}}
	q := func(id, metric, stat string, period time.Duration) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String(ns), MetricName: aws.String(metric), Dimensions: dims},
			Period: aws.Int32(int32(period.Seconds())), Stat: aws.String(stat)}}
	}
	get := func(s, e time.Time, qs []cwtypes.MetricDataQuery) (map[string]*float64, error) {
		out, err := r.CloudWatch.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(s), EndTime: aws.Time(e), MetricDataQueries: qs})
		if err != nil {
			return nil, fmt.Errorf("get metric data: %w", err)
		}
		res := map[string]*float64{}
		for _, d := range out.MetricDataResults {
			if len(d.Values) > 0 { // newest first (the default ScanBy)
				res[aws.ToString(d.Id)] = aws.Float64(d.Values[0])
			}
		}
		return res, nil
	}
	now := time.Now()
	end := now.Add(-15 * time.Second).Truncate(recentPeriod) // the last window loadgen has published
	recent, err := get(end.Add(-recentPeriod), end, []cwtypes.MetricDataQuery{
		q("requests", metrics.LoadTestRequests, metrics.StatSum, recentPeriod), q("errors", metrics.LoadTestErrors, metrics.StatSum, recentPeriod),
		q("p50", metrics.LoadTestLatency, "p50", recentPeriod), q("p99", metrics.LoadTestLatency, "p99", recentPeriod)})
	if err != nil {
		return f, err
	}
	f.recentRequests, f.recentErrors, f.recentP50, f.recentP99 = recent["requests"], recent["errors"], recent["p50"], recent["p99"]
	ts := start.Truncate(time.Minute)
	period := time.Duration(math.Ceil(now.Sub(ts).Minutes())) * time.Minute
	total, err := get(ts, ts.Add(period), []cwtypes.MetricDataQuery{
		q("requests", metrics.LoadTestRequests, metrics.StatSum, period), q("errors", metrics.LoadTestErrors, metrics.StatSum, period),
		q("throttles", metrics.LoadTestThrottles, metrics.StatSum, period), q("p99", metrics.LoadTestLatency, "p99", period)})
	if err != nil {
		return f, err
	}
	f.totalRequests, f.totalErrors, f.totalThrottles, f.totalP99 = total["requests"], total["errors"], total["throttles"], total["p99"]
	return f, nil
}
