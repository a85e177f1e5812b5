package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/spf13/pflag"

	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/gate"
	"github.com/sagesize/sagesize/loadplan"
	"github.com/sagesize/sagesize/sizing/runner"
)

// runFlags are the flags of `sagesize run`.
type runFlags struct {
	config, release, endpoint, variant, testID, region string
	tasks                                              int
	poll                                               time.Duration
	sizing, parallel                                   bool
	record                                             string
	lead                                               time.Duration
	criteriaFlags
	gateLag time.Duration
	flags   *pflag.FlagSet
}

// bindRunFlags defines the flags of `sagesize run` on fs, filling f.
func bindRunFlags(fs *pflag.FlagSet, f *runFlags) {
	fs.StringVar(&f.config, "config", "sagesize.yaml", "config `file`, e.g. --config sagesize.yaml")
	fs.StringVar(&f.release, "release", "", "release `ID`, as -c release=ID of cdk deploy (default: the config's)")
	fs.StringVar(&f.endpoint, "endpoint", "", "endpoint `name` whose loadTest plan to run (this or --sizing is required)")
	fs.StringVar(&f.variant, "variant", "", "run only this `variant` (default: the plan's variants, one after another)")
	fs.IntVar(&f.tasks, "tasks", 0, "`number` of Fargate tasks sharing the load (default: the plan's)")
	fs.StringVar(&f.testID, "test-id", "", "test `id`, the TestId dimension (default: ENDPOINT-VARIANT-<UTC yyyymmddThhmmss>)")
	fs.StringVar(&f.region, "region", "", "AWS `region` (default: the config's, then the SDK's, e.g. AWS_REGION)")
	fs.DurationVar(&f.poll, "poll", 10*time.Second, "live view `interval`")
	fs.BoolVar(&f.sizing, "sizing", false, "run the config's sizing: test (every candidate's stepped plan, stopping a candidate at its first step that breaks the SLO or the error bound) instead of an endpoint's loadTest")
	fs.BoolVar(&f.parallel, "parallel", false, "with --sizing: run the candidates at the same time (default: the config's sizing.parallel)")
	fs.StringVar(&f.record, "record", "sagesize-sizing.json", "with --sizing: the run record `file` that sagesize report reads; with --endpoint: write each variant's test, read back from CloudWatch, to this file (FILE-VARIANT.ext for several variants) for sagesize compare")
	fs.DurationVar(&f.lead, "lead", 2*time.Minute, "with --sizing or --endpoint --record: `time` given to Fargate to start the tasks before they start their schedule together")
	bindCriteriaFlags(fs, &f.criteriaFlags)
	fs.DurationVar(&f.gateLag, "gate-lag", runner.DefaultStepLag, "with a gate: `time` to wait after the tasks stop for CloudWatch to show their last interval")
	f.flags = fs
}

// runCommand is `sagesize run`: plans from the config, then one
// runner.Run per variant.
func runCommand(ctx context.Context, f *runFlags, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected arguments %q (every option is a flag; see run -h)", args)
	}
	switch {
	case f.sizing && f.endpoint != "":
		return errors.New("run: --sizing runs the config's sizing endpoint; --endpoint is for an endpoint's loadTest: give one")
	case !f.sizing && f.endpoint == "":
		return errors.New("run: --endpoint NAME (an endpoint's loadTest) or --sizing (the config's sizing test) is required")
	}
	if f.poll <= 0 {
		return fmt.Errorf("-poll %v: must be positive", f.poll)
	}
	if f.lead < 30*time.Second {
		return fmt.Errorf("-lead %v: Fargate needs time to start the tasks; give at least 30s", f.lead)
	}
	cfg, err := config.Load(f.config, &config.Overrides{Release: f.release})
	if err != nil {
		return err
	}
	var plans []runner.Plan
	g, err := newRunGate(cfg, f)
	if err != nil {
		return err
	}
	if f.sizing {
		if cfg.Sizing == nil {
			return fmt.Errorf("%s has no sizing: section: add the model, candidates, slo, targetRate and plan (see config/examples/sizing.yaml)", f.config)
		}
	} else if plans, err = plansFor(cfg, f, time.Now()); err != nil {
		return err
	}
	if err := checkRecordable(f, plans); err != nil {
		return err
	}

	awsCfg, err := loadAWS(ctx, firstNonEmpty(f.region, cfg.Region))
	if err != nil {
		return err
	}
	stack, err := runner.ReadStack(ctx, cloudformation.NewFromConfig(awsCfg), cfg.LoadTestStackName(), runner.DefaultCallTimeout)
	if err != nil {
		return err
	}
	cw := cloudwatch.NewFromConfig(awsCfg)
	r := &runner.Runner{ECS: ecs.NewFromConfig(awsCfg), CloudWatch: cw, Stack: stack, Out: stdout, Poll: f.poll, Region: awsCfg.Region}
	if f.sizing {
		rec, idx, err := newSizingRecord(cfg, f, awsCfg.Region, time.Now())
		if err != nil {
			return err
		}
		sr := &sizingRun{cfg: cfg, runner: r, cw: cw, out: stdout, lead: f.lead, align: time.Minute, parallel: f.parallel || cfg.Sizing.Parallel, path: f.record, rec: rec}
		fmt.Fprintln(stdout, sizingCost(cfg, idx, f.lead, sr.parallel))
		if sr.parallel {
			sr.out = lockedWriter{mu: &sr.mu, w: stdout}
			r.Out = sr.out
		}
		err = sr.run(ctx, idx)
		fmt.Fprintf(stdout, "run record: %s (sagesize report --config %s --record %s)\n", f.record, f.config, f.record)
		return err
	}
	g.cw, g.out = cw, stdout
	for _, p := range plans {
		if err := runEndpointTest(ctx, f, r, g, p, awsCfg.Region, len(plans) > 1); err != nil {
			return err
		}
	}
	return g.result()
}

// checkRecordable refuses --record of an endpoint's plan that cannot be
// read back and compared (a ramp), before any task starts.
func checkRecordable(f *runFlags, plans []runner.Plan) error {
	if f.sizing || !f.flags.Changed("record") {
		return nil
	}
	for _, p := range plans {
		if p.Load.Kind() == loadplan.KindRamp {
			return fmt.Errorf("--record: endpoint %s runs the plan %q: only a stepped plan or a constant rate with a duration can be read back and compared", p.Endpoint, p.Load)
		}
	}
	return nil
}

// runEndpointTest runs one variant's test p, then judges it against the
// gate and, with --record, writes its run file, both read back from
// CloudWatch once --gate-lag has passed.
func runEndpointTest(ctx context.Context, f *runFlags, r *runner.Runner, g *runGate, p runner.Plan, region string, several bool) error {
	recording := f.flags.Changed("record")
	if recording {
		p.StartAt = time.Now().Add(f.lead).Truncate(time.Minute).Add(time.Minute)
	}
	fmt.Fprintf(r.Out, "load test %s variant %s in %s: %d task(s), test id %s\n", p.Endpoint, p.Variant, region, p.Tasks, p.TestID)
	start := time.Now()
	if err := r.Run(ctx, p); err != nil {
		return fmt.Errorf("%s variant %s: %w", p.Endpoint, p.Variant, err)
	}
	end := time.Now()
	if !recording && g.criteria.IsZero() {
		return nil
	}
	if err := g.waitLag(ctx, p); err != nil {
		return err
	}
	if err := g.judge(ctx, p, start, end); err != nil {
		return err
	}
	if !recording {
		return nil
	}
	o := gate.RecordOptions{Endpoint: p.Endpoint, Variant: p.Variant, TestID: p.TestID, Plan: p.Load, Start: p.StartAt}
	if err := writeRecord(ctx, g.cw, o, recordPath(f.record, p.Variant, several), r.Out); err != nil {
		return fmt.Errorf("--record of %s variant %s: %w", p.Endpoint, p.Variant, err)
	}
	return nil
}

// newRunGate returns the gate of the endpoint's load test: its
// loadTest.gate with the criteria flags over it (none with --sizing,
// whose steps are judged against the sizing SLO).
func newRunGate(cfg *config.Config, f *runFlags) (*runGate, error) {
	g := &runGate{lag: f.gateLag}
	var lt *config.EndpointLoadTest
	if !f.sizing {
		for i := range cfg.Endpoints {
			if cfg.Endpoints[i].Name == f.endpoint {
				g.ep, lt = &cfg.Endpoints[i], cfg.Endpoints[i].LoadTest
			}
		}
	}
	var gc *config.Gate
	if lt != nil {
		gc = lt.Gate
	}
	crit, err := f.criteria(f.flags, gc)
	if err != nil {
		return nil, err
	}
	if f.sizing && !crit.IsZero() {
		return nil, errors.New("run: --p50, --p99, --max-error-rate, --min-achieved, --ttft-p99 and --itl-p99 gate an endpoint's loadTest; a sizing run is judged against sizing.slo")
	}
	g.criteria = crit
	return g, nil
}

// loadAWS loads the SDK's default configuration in region (default: the
// SDK's) and checks that there are credentials.
func loadAWS(ctx context.Context, region string) (aws.Config, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		return aws.Config{}, errors.New("no AWS region: give --region, set region: in the config, or set AWS_REGION")
	}
	if _, err := awsCfg.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, fmt.Errorf("no AWS credentials (set AWS_PROFILE, run aws sso login, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY): %w", err)
	}
	return awsCfg, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// plansFor turns the endpoint's loadTest into one plan per target variant.
func plansFor(cfg *config.Config, f *runFlags, now time.Time) ([]runner.Plan, error) {
	var ep *config.Endpoint
	var names []string
	for i := range cfg.Endpoints {
		names = append(names, cfg.Endpoints[i].Name)
		if cfg.Endpoints[i].Name == f.endpoint {
			ep = &cfg.Endpoints[i]
		}
	}
	if ep == nil {
		return nil, fmt.Errorf("endpoint %q is not in %s (endpoints: %v)", f.endpoint, f.config, names)
	}
	lt := ep.LoadTest
	if lt == nil {
		return nil, fmt.Errorf("endpoint %s has no loadTest in %s: add a plan under endpoints[].loadTest", ep.Name, f.config)
	}
	tasks := lt.Tasks
	if f.tasks != 0 {
		tasks = f.tasks
	}
	if err := cfg.LoadTest.CheckCapacity(lt.PeakRate(), tasks); err != nil {
		return nil, fmt.Errorf("--tasks %d: %w", tasks, err)
	}
	variants := lt.Variants
	if f.variant != "" {
		var all []string
		for _, v := range ep.Variants {
			all = append(all, v.Name)
		}
		if !slices.Contains(all, f.variant) {
			return nil, fmt.Errorf("-variant %q: endpoint %s has the variants %v", f.variant, ep.Name, all)
		}
		variants = []string{f.variant}
	}
	load, err := lt.Plan()
	if err != nil {
		return nil, fmt.Errorf("endpoint %s: loadTest: %w", ep.Name, err)
	}
	var plans []runner.Plan
	for _, v := range variants {
		p := runner.Plan{Endpoint: ep.Name, Variant: v, Tasks: tasks, MaxInFlight: lt.MaxInFlight, Load: load,
			Payload: lt.Payload, Body: lt.Body, ContentType: lt.ContentType, TestID: f.testID,
			Grace: cfg.LoadTest.GracePeriod(), Drain: cfg.LoadTest.DrainPeriod(), Extra: lt.Stream.Env()}
		if p.TestID == "" {
			p.TestID = ep.Name + "-" + v + "-" + now.UTC().Format("20060102T150405")
		}
		plans = append(plans, p)
	}
	return plans, nil
}

// check that the SDK clients satisfy the runner's interfaces.
var (
	_ runner.CloudFormationAPI = (*cloudformation.Client)(nil)
	_ runner.ECSAPI            = (*ecs.Client)(nil)
	_ runner.CloudWatchAPI     = (*cloudwatch.Client)(nil)
)
