package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/sizing"
	"github.com/sagesize/sagesize/sizing/measure"
	"github.com/sagesize/sagesize/sizing/runner"
)

// sizingRun is one `sagesize run -sizing`: every candidate's stepped plan,
// judged step by step, with the run record kept up to date on disk.
type sizingRun struct {
	cfg      *config.Config
	runner   *runner.Runner
	cw       measure.GetMetricDataAPI
	out      io.Writer
	lead     time.Duration
	align    time.Duration // start times are whole multiples of it (a minute)
	parallel bool
	path     string // of the record

	// now is the clock that schedules runs (nil: time.Now); tests set it
	// in the past so that every step window has already ended.
	now func() time.Time

	mu  sync.Mutex // guards rec, incomplete, verdicts and out in parallel runs
	rec *runner.Record
	// verdicts holds, by record entry and step, whether each judged step
	// held (absent: not judged, or incomplete).
	verdicts map[int]map[int]bool
	// incomplete lists the steps whose data was incomplete.
	incomplete []string
}

// lockedWriter serializes writes of parallel candidates' live views.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// newSizingRecord lists the candidates to run (all, or -variant's) with
// their test ids and task counts; steps are filled when each starts.
func newSizingRecord(cfg *config.Config, f *runFlags, region string, now time.Time) (*runner.Record, []int, error) {
	s, ep := cfg.Sizing, cfg.SizingEndpoint()
	rec := &runner.Record{Endpoint: ep.Name, Region: region, Config: f.config, Release: cfg.Release,
		Warmup: runner.Seconds(s.Plan.WarmupLength().Seconds())}
	var idx []int
	var names []string
	for i, c := range s.Candidates {
		names = append(names, c.Name)
		if f.variant == "" || f.variant == c.Name {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return nil, nil, fmt.Errorf("-variant %q: the sizing candidates are %v", f.variant, names)
	}
	for _, i := range idx {
		c := s.Candidates[i]
		tasks := cfg.SizingTasks(i)
		if f.tasks != 0 {
			if err := cfg.LoadTest.CheckCapacity(s.PeakRate(i), f.tasks); err != nil {
				return nil, nil, fmt.Errorf("--tasks %d for candidate %s: %w", f.tasks, c.Name, err)
			}
			tasks = f.tasks
		}
		id := f.testID
		if id == "" {
			id = ep.Name + "-" + c.Name + "-" + now.UTC().Format("20060102T150405")
		} else if len(idx) > 1 {
			id += "-" + c.Name
		}
		rec.Candidates = append(rec.Candidates, runner.RecordCandidate{Variant: c.Name, InstanceType: c.InstanceType,
			InstanceCount: c.Count(), TestID: id, Tasks: tasks, Outcome: "pending"})
	}
	return rec, idx, nil
}

func (sr *sizingRun) save() error {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	return runner.WriteRecord(sr.path, sr.rec)
}

// run runs the candidates idx (record entries in the same order).
func (sr *sizingRun) run(ctx context.Context, idx []int) error {
	if err := sr.save(); err != nil {
		return err
	}
	var errs []error
	if !sr.parallel {
		for k, i := range idx {
			if ctx.Err() != nil {
				sr.setOutcome(k, "not run: interrupted")
				continue
			}
			errs = append(errs, sr.candidate(ctx, k, i))
		}
	} else {
		errs = make([]error, len(idx))
		var wg sync.WaitGroup
		for k, i := range idx {
			wg.Go(func() { errs[k] = sr.candidate(ctx, k, i) })
		}
		wg.Wait()
	}
	return errors.Join(append(errs, sr.save(), sr.incompleteError())...)
}

// errIncomplete is returned (wrapped) by `run --sizing` when a step's data
// was incomplete: publishes were lost, so that step was not judged.
var errIncomplete = errors.New("incomplete data")

// incompleteError says which steps had incomplete data, or is nil.
func (sr *sizingRun) incompleteError() error {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	if len(sr.incomplete) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %d step(s) lost publishes and were not judged (the decision rests on the other steps; sagesize report marks them): %s",
		errIncomplete, len(sr.incomplete), strings.Join(sr.incomplete, "; "))
}

func (sr *sizingRun) setOutcome(k int, outcome string) {
	sr.mu.Lock()
	sr.rec.Candidates[k].Outcome = outcome
	sr.mu.Unlock()
}

// candidate runs one candidate: record entry k, config candidate i.
func (sr *sizingRun) candidate(ctx context.Context, k, i int) error {
	requested := sr.clock()
	start := sr.startTime()
	testID, tasks := sr.recordSchedule(k, i, start)
	if err := sr.save(); err != nil {
		return err
	}
	sr.announce(i, testID, tasks)
	err := sr.runner.Run(ctx, sr.plan(k, i, testID, tasks, start))
	sr.recordOutcome(ctx, k, err, time.Now())
	sr.addEndpointTime(k, requested, false)
	if err != nil {
		return fmt.Errorf("candidate %s: %w", sr.cfg.Sizing.Candidates[i].Name, err)
	}
	if sr.cfg.Sizing.Plan.RefineSteps() > 0 && ctx.Err() == nil {
		if err := sr.refine(ctx, k, i, testID, tasks); err != nil {
			return fmt.Errorf("candidate %s: knee refinement: %w", sr.cfg.Sizing.Candidates[i].Name, err)
		}
	}
	return nil
}

// clock returns the scheduling clock's time.
func (sr *sizingRun) clock() time.Time {
	if sr.now != nil {
		return sr.now()
	}
	return time.Now()
}

// startTime is when a candidate starting now begins its schedule: on a
// whole minute, late enough for Fargate to start the tasks, so that the
// measured windows line up with SageMaker's one-minute metrics.
func (sr *sizingRun) startTime() time.Time {
	start := sr.clock().Add(sr.lead)
	if sr.align > 0 {
		start = start.Truncate(sr.align).Add(sr.align)
	}
	return start
}

// recordSchedule marks record entry k running from start with candidate i's
// steps, and returns the entry's test id and task count.
func (sr *sizingRun) recordSchedule(k, i int, start time.Time) (testID string, tasks int) {
	s := sr.cfg.Sizing
	step := s.Plan.StepLength()
	sr.mu.Lock()
	defer sr.mu.Unlock()
	rc := &sr.rec.Candidates[k]
	rc.StartAt, rc.Outcome, rc.Steps = start.UTC(), "running", nil
	for j, rate := range s.Rates(i) {
		b := start.Add(time.Duration(j) * step)
		rc.Steps = append(rc.Steps, runner.RecordStep{Rate: rate, Start: b.UTC(), End: b.Add(step).UTC()})
	}
	return rc.TestID, rc.Tasks
}

// announce prints the line that opens candidate i's run.
func (sr *sizingRun) announce(i int, testID string, tasks int) {
	s := sr.cfg.Sizing
	c := s.Candidates[i]
	fmt.Fprintf(sr.out, "sizing %s: candidate %s (%s × %d), %d step(s) of %v from %s req/s, %d task(s), test id %s\n",
		sr.cfg.SizingEndpoint().Name, c.Name, c.InstanceType, c.Count(), len(s.Rates(i)), s.Plan.StepLength(), sizing.FormatRate(s.Rates(i)[0]), tasks, testID)
}

// plan is the runner's plan for candidate i (record entry k), judged step
// by step by stepCheck.
func (sr *sizingRun) plan(k, i int, testID string, tasks int, start time.Time) runner.Plan {
	s := sr.cfg.Sizing
	c := s.Candidates[i]
	label := ""
	if sr.parallel {
		label = c.Name
	}
	p := runner.Plan{Endpoint: sr.cfg.SizingEndpoint().Name, Variant: c.Name, Tasks: tasks, MaxInFlight: s.Plan.MaxInFlight, Load: s.CandidatePlan(i),
		Payload: s.Plan.Payload, Body: s.Plan.Body, ContentType: s.Plan.ContentType, TestID: testID, StartAt: start, Label: label,
		Grace: sr.cfg.LoadTest.GracePeriod(), Drain: sr.cfg.LoadTest.DrainPeriod(), Extra: s.Plan.Stream.Env()}
	p.AfterStep = func(ctx context.Context, j int, ws, we time.Time) string {
		return sr.stepCheck(ctx, k, i, testID, tasks, j, ws, we)
	}
	return p
}

// stepCheck is the plan's AfterStep for candidate i (record entry k): it
// records step j as ended, judges it on the window from ws (after the
// warm-up) to we, prints the verdict and returns why to stop, or "" to go
// on. A step that cannot be measured does not stop the run.
func (sr *sizingRun) stepCheck(ctx context.Context, k, i int, testID string, tasks, j int, ws, we time.Time) string {
	c := sr.cfg.Sizing.Candidates[i]
	sr.mu.Lock()
	sr.rec.Candidates[k].Steps[j].Ended = true
	sr.mu.Unlock()
	if err := sr.save(); err != nil {
		fmt.Fprintf(sr.out, "%s: %v\n", c.Name, err)
	}
	rate := sr.cfg.Sizing.Rates(i)[j]
	v, err := sr.judgeStep(ctx, i, testID, tasks, rate, ws, we)
	if err != nil {
		fmt.Fprintf(sr.out, "%s: step %d (%s req/s): cannot judge it, going on: %v\n", c.Name, j+1, sizing.FormatRate(rate), err)
		return ""
	}
	fmt.Fprintf(sr.out, "%s: step %d (%s req/s): achieved %s req/s, client p50 %s ms, p99 %s ms, errors %s: %s\n", c.Name, j+1,
		sizing.FormatRate(rate), sizing.FormatRate(v.AchievedRate), sizing.FormatMillis(v.ClientP50), sizing.FormatMillis(v.ClientP99),
		sizing.FormatPercent(v.ErrorRate()), verdict(v))
	if v.Incomplete {
		sr.mu.Lock()
		sr.incomplete = append(sr.incomplete, fmt.Sprintf("%s step %d (%s req/s): %s", c.Name, j+1, sizing.FormatRate(rate), v.Coverage))
		sr.mu.Unlock()
		return ""
	}
	sr.setVerdict(k, j, v.Holds)
	if v.Holds {
		return ""
	}
	why := fmt.Sprintf("step %d (%s req/s) did not hold: %s", j+1, sizing.FormatRate(rate), strings.Join(v.Why, "; "))
	sr.setOutcome(k, "stopping early: "+why)
	return why
}

// judgeStep measures candidate i's step planned at rate on the window from
// ws (after the warm-up) to we, and decides whether it holds the SLO.
func (sr *sizingRun) judgeStep(ctx context.Context, i int, testID string, tasks int, rate float64, ws, we time.Time) (sizing.StepResult, error) {
	s, ep := sr.cfg.Sizing, sr.cfg.SizingEndpoint()
	c := s.Candidates[i]
	inst := c.Instance // resolved by config
	ctx, cancel := context.WithTimeout(ctx, stepCheckTimeout)
	defer cancel()
	steps, err := measure.Steps(ctx, sr.cw, metrics.NamespaceLoadTest, []measure.Window{{Endpoint: ep.Name, Variant: c.Name, TestID: testID,
		PlannedRate: rate, Start: ws.Add(s.Plan.WarmupLength()), End: we, VCPUs: inst.VCPUs, GPUs: inst.GPUs(), InstanceCount: c.Count(), Tasks: tasks,
		Stream: s.Plan.Stream != nil}})
	if err != nil {
		return sizing.StepResult{}, err
	}
	t := baseTest(s, ep.Name)
	t.Candidates = []sizing.Candidate{{Variant: c.Name, Instance: inst, InstanceCount: c.Count(), Steps: steps}}
	return sizing.Decide(t).Candidates[0].Steps[0], nil
}

// recordOutcome marks the steps of record entry k that ended by stopped
// and sets the entry's outcome from how the run ended: err is Run's error.
func (sr *sizingRun) recordOutcome(ctx context.Context, k int, err error, stopped time.Time) {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	rc := &sr.rec.Candidates[k]
	early, stopping := strings.CutPrefix(rc.Outcome, "stopping early: ")
	// A step check stops the tasks StepLag after its step's end, before
	// the next step's end: the steps it marked are those that ran.
	for j := range rc.Steps {
		if !stopping && !rc.Steps[j].Refine && !rc.Steps[j].End.After(stopped) {
			rc.Steps[j].Ended = true
		}
	}
	switch {
	case ctx.Err() != nil:
		rc.Outcome = fmt.Sprintf("interrupted after %d of %d steps", len(rc.Ran()), len(rc.Steps))
	case err != nil:
		rc.Outcome = "failed: " + err.Error()
	case stopping:
		rc.Outcome = "stopped early: " + early
	case len(rc.Ran()) < len(rc.Steps):
		rc.Outcome = fmt.Sprintf("the tasks ended after %d of %d steps, before the plan's end (see their logs)", len(rc.Ran()), len(rc.Steps))
	default:
		rc.Outcome = "completed"
	}
}

// stepCheckTimeout bounds the CloudWatch read of one step check.
const stepCheckTimeout = time.Minute

func verdict(v sizing.StepResult) string {
	if v.Incomplete {
		return "not judged (" + strings.Join(v.Why, "; ") + ")"
	}
	if v.Holds {
		return "holds"
	}
	return "does not hold (" + strings.Join(v.Why, "; ") + ")"
}
