package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/gate"
	"github.com/sagesize/sagesize/gate/criteria"
)

// Exit statuses (criteria's, shared with loadgen): 1 could not do its
// work, 2 did it and the verdict is negative.
const (
	exitError  = criteria.ExitError
	exitFailed = criteria.ExitFailed
)

// failedError is the error of a command that ran and failed its gate.
type failedError = criteria.FailedError

// exitCode is the exit status for run's error.
func exitCode(err error) int { return criteria.ExitStatus(err) }

// criteriaFlags are the pass/fail criteria given on the command line;
// each one set overrides the config's loadTest.gate.
type criteriaFlags struct {
	p50, p99, ttftP99, itlP99 time.Duration
	maxErrorRate, minAchieved percentFlag
}

// bindCriteriaFlags defines the criteria flags on fs.
func bindCriteriaFlags(fs *pflag.FlagSet, f *criteriaFlags) {
	fs.DurationVar(&f.p50, "p50", 0, "fail when the client p50 latency is above this `duration`, e.g. --p50 50ms")
	fs.DurationVar(&f.p99, "p99", 0, "fail when the client p99 latency is above this `duration`, e.g. --p99 300ms")
	fs.Var(&f.maxErrorRate, "max-error-rate", "fail when more than this `percentage` of requests failed, e.g. --max-error-rate 1%")
	fs.Var(&f.minAchieved, "min-achieved", "fail when less than this `percentage` of the planned rate completed, e.g. --min-achieved 95%")
	fs.DurationVar(&f.ttftP99, "ttft-p99", 0, "streaming tests: fail when the p99 time to first token is above this `duration`, e.g. --ttft-p99 800ms")
	fs.DurationVar(&f.itlP99, "itl-p99", 0, "streaming tests: fail when the p99 inter-token latency is above this `duration`, e.g. --itl-p99 60ms")
}

// criteria merges the flags set in fs over the config's gate g (nil: none).
func (f *criteriaFlags) criteria(fs *pflag.FlagSet, g *config.Gate) (criteria.Criteria, error) {
	var c criteria.Criteria
	c.P50, c.P99, c.TTFTP99, c.ITLP99, c.MaxErrorRate, c.MinAchieved = g.Limits()
	for _, d := range []struct {
		name string
		v    time.Duration
		into *time.Duration
	}{{"p50", f.p50, &c.P50}, {"p99", f.p99, &c.P99}, {"ttft-p99", f.ttftP99, &c.TTFTP99}, {"itl-p99", f.itlP99, &c.ITLP99}} {
		if !fs.Changed(d.name) {
			continue
		}
		if d.v <= 0 {
			return c, fmt.Errorf("--%s %v: must be a positive duration, e.g. 300ms", d.name, d.v)
		}
		*d.into = d.v
	}
	if fs.Changed("max-error-rate") {
		v := f.maxErrorRate.Fraction
		c.MaxErrorRate = &v
	}
	if fs.Changed("min-achieved") {
		if f.minAchieved.Fraction <= 0 {
			return c, errors.New("--min-achieved 0%: give a share of the planned rate above 0%, e.g. 95%")
		}
		c.MinAchieved = f.minAchieved.Fraction
	}
	return c, nil
}

// percentFlag is a percentage flag written with its sign (1%, 99.5%).
type percentFlag = criteria.PercentFlag

// gateFlags are the flags of `sagesize gate`.
type gateFlags struct {
	criteriaFlags
	summary, config, endpoint string
}

func newGateCmd() *cobra.Command {
	f := &gateFlags{}
	c := &cobra.Command{
		Use:   "gate --summary FILE [criteria flags]",
		Short: "Judge a loadgen run against pass/fail criteria (exit 2 when it fails them)",
		Long: `gate judges one load test that loadgen ran, read from its -summary file or
its -output (JSON lines), against pass/fail criteria: client p50 and p99
latency, error rate, achieved/planned rate and, for streaming tests, TTFT and
ITL p99. The criteria come from the flags, or from an endpoint's
loadTest.gate in a config (--config with --endpoint), flags winning.

It prints one verdict line and exits 0 when every criterion holds, 2 when
the test ran and failed one, and 1 when it could not judge (no such file,
no summary, a criterion the test did not measure).`,
		Example: `  loadgen -container http://127.0.0.1:8080 -payload req.json -steps 20@30s,40@30s -summary summary.json
  sagesize gate --summary summary.json --p99 300ms --max-error-rate 1% --min-achieved 95%
  sagesize gate --summary run.jsonl --config sagesize.yaml --endpoint churn-xgb`,
		Args: withUsageHint(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return gateCommand(cmd.Flags(), f, cmd.OutOrStdout())
		},
	}
	fs := c.Flags()
	fs.StringVar(&f.summary, "summary", "", "loadgen's -summary or -output `file` (required)")
	bindCriteriaFlags(fs, &f.criteriaFlags)
	fs.StringVar(&f.config, "config", "", "config `file` whose endpoint's loadTest.gate gives the criteria (with --endpoint)")
	fs.StringVar(&f.endpoint, "endpoint", "", "endpoint `name` in --config whose loadTest.gate to use")
	return c
}

// gateCommand is `sagesize gate`.
func gateCommand(fs *pflag.FlagSet, f *gateFlags, stdout io.Writer) error {
	if f.summary == "" {
		return errors.New("gate: --summary FILE is required: loadgen's -summary or -output file")
	}
	var g *config.Gate
	if (f.config == "") != (f.endpoint == "") {
		return errors.New("gate: --config and --endpoint go together: the endpoint's loadTest.gate gives the criteria")
	}
	if f.config != "" {
		cfg, err := config.Load(f.config, nil)
		if err != nil {
			return err
		}
		lt, err := endpointLoadTest(cfg, f.config, f.endpoint)
		if err != nil {
			return err
		}
		g = lt.Gate
	}
	crit, err := f.criteria(fs, g)
	if err != nil {
		return err
	}
	if crit.IsZero() {
		return errors.New("gate: no criteria: give --p50, --p99, --max-error-rate, --min-achieved, --ttft-p99 or --itl-p99, or a config's loadTest.gate")
	}
	run, err := gate.ReadRun(f.summary)
	if err != nil {
		return err
	}
	return gateVerdict(stdout, crit.Evaluate(run.Measured()), f.summary)
}

// gateVerdict prints v's line and returns the error that gives its exit status.
func gateVerdict(w io.Writer, v criteria.Verdict, what string) error {
	fmt.Fprintln(w, v.Line())
	switch {
	case !v.Judged():
		return fmt.Errorf("%s: could not judge every criterion: the test did not measure it", what)
	case !v.Passed():
		return &failedError{Verdict: what + ": failed its gate"}
	}
	return nil
}

// endpointLoadTest returns the loadTest of endpoint name in cfg (read
// from path).
func endpointLoadTest(cfg *config.Config, path, name string) (*config.EndpointLoadTest, error) {
	var names []string
	for i := range cfg.Endpoints {
		ep := &cfg.Endpoints[i]
		names = append(names, ep.Name)
		if ep.Name != name {
			continue
		}
		if ep.LoadTest == nil {
			return nil, fmt.Errorf("endpoint %s has no loadTest in %s: add a plan under endpoints[].loadTest", name, path)
		}
		return ep.LoadTest, nil
	}
	return nil, fmt.Errorf("endpoint %q is not in %s (endpoints: %v)", name, path, names)
}
