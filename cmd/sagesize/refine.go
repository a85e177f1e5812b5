package main

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/sagesize/sagesize/loadplan"
	"github.com/sagesize/sagesize/sizing"
	"github.com/sagesize/sagesize/sizing/runner"
)

// Knee refinement bisects between a candidate's last step that held and
// its first that did not. Each bisection point depends on the verdict on
// the one before, so each is a short run of its own tasks (runner.Run
// with a one-step plan and StartAt), judged once its metrics arrived.
//
// What each costs in endpoint-minutes, with the defaults (--lead 2m, up
// to 1m to the whole minute, 2m steps of which 1m warm-up, 45 s for the
// metrics), to narrow the bracket to 1/2^n of the step spacing:
//   - bisection: n runs of at most 2 + 1 + 2 + 0.75 = 5.75 min, whatever
//     the knee: n = 3 (1/8): 17.25; n = 4 (1/16): 23; n = 5: 28.75.
//   - a fine grid of 2^n - 1 steps in one more run, stopped at its first
//     failure: 3.75 + 2 min per step, 2^(n-1) steps on average for a knee
//     anywhere in the bracket, 2^n - 1 at worst: n = 3: 11.75 average,
//     17.75 worst; n = 4: 19.75 and 33.75; n = 5: 35.75 and 65.75.
// The grid is cheaper on average up to 1/16, bisection from 1/32 on and
// in the worst case from 1/16 on; bisection's cost is known before the
// run (the deadline and cost lines state it) and each step halves the
// bracket, so the same setting means the same precision for every
// candidate. A shorter --lead makes bisection cheaper still (30s: 4.25
// min a step).

// refine runs the knee refinement of candidate i (record entry k) after
// its plan: up to Plan.RefineSteps bisection steps between the highest
// rate that held and the lowest that did not.
func (sr *sizingRun) refine(ctx context.Context, k, i int, testID string, tasks int) error {
	c := sr.cfg.Sizing.Candidates[i]
	good, bad, why := sr.bracket(ctx, k, i, testID, tasks)
	if why != "" {
		sr.setRefined(k, "not refined: "+why)
		fmt.Fprintf(sr.out, "%s: knee not refined: %s\n", c.Name, why)
		return nil
	}
	n := sr.cfg.Sizing.Plan.RefineSteps()
	done := 0
	for done < n && ctx.Err() == nil {
		rate := bisect(good, bad)
		if rate <= good || rate >= bad {
			break // the bracket is as narrow as rates are written
		}
		holds, err := sr.refineStep(ctx, k, i, testID, tasks, rate, done+1)
		if err != nil {
			sr.setRefined(k, fmt.Sprintf("failed after %d of %d steps: %v", done, n, err))
			return err
		}
		done++
		if holds {
			good = rate
		} else {
			bad = rate
		}
	}
	msg := fmt.Sprintf("knee between %s and %s req/s after %d refinement step(s)", sizing.FormatRate(good), sizing.FormatRate(bad), done)
	sr.setRefined(k, msg)
	fmt.Fprintf(sr.out, "%s: %s\n", c.Name, msg)
	return sr.save()
}

// bisect is the middle of good and bad, in tenths of a req/s.
func bisect(good, bad float64) float64 { return math.Round((good+bad)/2*10) / 10 }

// bracket returns the highest planned rate of candidate i's plan (record
// entry k) that held, with every step below it, and the first that did
// not; why says why there is no bracket. Steps the run's checks did not
// judge (the last one) are judged now.
func (sr *sizingRun) bracket(ctx context.Context, k, i int, testID string, tasks int) (good, bad float64, why string) {
	sr.mu.Lock()
	steps := append([]runner.RecordStep(nil), sr.rec.Candidates[k].Steps...)
	sr.mu.Unlock()
	for j, st := range steps {
		if !st.Ended || st.Refine {
			continue
		}
		holds, judged := sr.verdict(k, j)
		if !judged {
			v, err := sr.judgeEnded(ctx, i, testID, tasks, st)
			if err != nil || v.Incomplete {
				continue
			}
			holds = v.Holds
			sr.setVerdict(k, j, holds)
		}
		if !holds {
			if good == 0 {
				return 0, 0, fmt.Sprintf("its lowest step (%s req/s) did not hold", sizing.FormatRate(st.Rate))
			}
			return good, st.Rate, ""
		}
		good = st.Rate
	}
	return 0, 0, "no step failed: the plan did not reach the knee"
}

// judgeEnded waits for a step's metrics to arrive (StepLag after its end)
// and judges it.
func (sr *sizingRun) judgeEnded(ctx context.Context, i int, testID string, tasks int, st runner.RecordStep) (sizing.StepResult, error) {
	select {
	case <-time.After(time.Until(st.End.Add(sr.stepLag()))):
	case <-ctx.Done():
		return sizing.StepResult{}, ctx.Err()
	}
	return sr.judgeStep(ctx, i, testID, tasks, st.Rate, st.Start, st.End)
}

// refineStep runs bisection step n of candidate i (record entry k) at
// rate: one short step on its own tasks, recorded, judged and printed.
func (sr *sizingRun) refineStep(ctx context.Context, k, i int, testID string, tasks int, rate float64, n int) (bool, error) {
	s := sr.cfg.Sizing
	c := s.Candidates[i]
	requested := sr.clock()
	start := sr.startTime()
	length := s.Plan.RefineStepLength()
	load, err := loadplan.NewSteps([]loadplan.Step{{Rate: rate, Duration: length}})
	if err != nil {
		return false, err
	}
	p := sr.plan(k, i, testID, tasks, start)
	p.Load, p.AfterStep = load, nil
	st := runner.RecordStep{Rate: rate, Start: start.UTC(), End: start.Add(length).UTC(), Refine: true}
	sr.mu.Lock()
	sr.rec.Candidates[k].Steps = append(sr.rec.Candidates[k].Steps, st)
	j := len(sr.rec.Candidates[k].Steps) - 1
	sr.mu.Unlock()
	if err := sr.save(); err != nil {
		return false, err
	}
	fmt.Fprintf(sr.out, "%s: refinement step %d of %d at %s req/s, %v, starting %s\n", c.Name, n, s.Plan.RefineSteps(), sizing.FormatRate(rate), length, start.UTC().Format(time.RFC3339))
	runErr := sr.runner.Run(ctx, p)
	if runErr == nil && !st.End.After(time.Now()) {
		sr.mu.Lock()
		sr.rec.Candidates[k].Steps[j].Ended = true
		sr.mu.Unlock()
	}
	sr.addEndpointTime(k, requested, true)
	if runErr != nil {
		return false, runErr
	}
	v, err := sr.judgeEnded(ctx, i, testID, tasks, st)
	if err != nil {
		return false, fmt.Errorf("judge the %s req/s refinement step: %w", sizing.FormatRate(rate), err)
	}
	fmt.Fprintf(sr.out, "%s: refinement step %d (%s req/s): achieved %s req/s, client p99 %s ms, errors %s: %s\n", c.Name, n, sizing.FormatRate(rate),
		sizing.FormatRate(v.AchievedRate), sizing.FormatMillis(v.ClientP99), sizing.FormatPercent(v.ErrorRate()), verdict(v))
	if v.Incomplete {
		return false, fmt.Errorf("%w: the %s req/s refinement step lost publishes (%s): the bisection cannot go on", errIncomplete, sizing.FormatRate(rate), v.Coverage)
	}
	sr.setVerdict(k, j, v.Holds)
	return v.Holds, sr.save()
}

// addEndpointTime adds to record entry k the endpoint time of the run
// requested at requested: until the verdict on its last step that ran
// (its end and the StepLag its metrics take to arrive; the refinement
// steps when refine, the plan's otherwise).
func (sr *sizingRun) addEndpointTime(k int, requested time.Time, refine bool) {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	rc := &sr.rec.Candidates[k]
	var end time.Time
	for _, st := range rc.Steps {
		if st.Ended && st.Refine == refine && st.End.After(requested) && st.End.After(end) {
			end = st.End
		}
	}
	if end.IsZero() {
		return
	}
	rc.EndpointSeconds += runner.Seconds(end.Add(sr.stepLag()).Sub(requested).Seconds())
}

func (sr *sizingRun) setVerdict(k, j int, holds bool) {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	if sr.verdicts == nil {
		sr.verdicts = map[int]map[int]bool{}
	}
	if sr.verdicts[k] == nil {
		sr.verdicts[k] = map[int]bool{}
	}
	sr.verdicts[k][j] = holds
}

func (sr *sizingRun) verdict(k, j int) (holds, judged bool) {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	holds, judged = sr.verdicts[k][j]
	return holds, judged
}

func (sr *sizingRun) setRefined(k int, s string) {
	sr.mu.Lock()
	sr.rec.Candidates[k].Refined = s
	sr.mu.Unlock()
}

// stepLag is how long after a step's end its metrics are read.
func (sr *sizingRun) stepLag() time.Duration {
	if sr.runner.StepLag > 0 {
		return sr.runner.StepLag
	}
	return runner.DefaultStepLag
}
