package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/gate"
	"github.com/sagesize/sagesize/loadplan"
	"github.com/sagesize/sagesize/sizing/measure"
)

// recordFlags are the flags of `sagesize record`.
type recordFlags struct {
	testID, endpoint, variant, plan, config, release string
	start, region, out                               string
	timeout                                          time.Duration
	flags                                            *pflag.FlagSet
}

func newRecordCmd() *cobra.Command {
	f := &recordFlags{}
	c := &cobra.Command{
		Use:   "record --test-id ID --endpoint NAME --start TIME (--plan PLAN | --config FILE) [flags]",
		Short: "Read a load test back from CloudWatch into a run file that compare and gate read",
		Long: `record reads a load test that ran on Fargate (sagesize run --endpoint)
back from CloudWatch, where its tasks published every 10-second interval
(namespace SageSize/LoadTest, dimensions EndpointName, VariantName, TestId;
CloudWatch merges the tasks), and writes it as loadgen's -output: one JSON
line per interval, then the summary. sagesize compare and sagesize gate
read that file like any loadgen run.

--start is when the tasks started their schedule together (the time
sagesize run prints, "the tasks start their schedule together at ...");
--plan is the test's plan in total requests per second, or --config with
--endpoint takes the endpoint's loadTest plan.

CloudWatch keeps 10-second data for 3 hours: a test read later is read in
60-second periods (kept 15 days), and a 2-minute step then has only 2
intervals, fewer than compare needs. Record a test soon after it ran
(sagesize run --record does it at once) and keep the file, in S3 or the
CI's artifacts: that is what makes a baseline last.`,
		Example: `  sagesize record --test-id churn-v41 --endpoint churn-xgb --plan "steps 20@2m,40@2m" --start 2026-11-27T10:00:00Z --out v41.jsonl
  sagesize record --config sagesize.yaml --endpoint churn-xgb --variant blue --test-id churn-xgb-blue-20261127T100000 --start 2026-11-27T10:02:00Z`,
		Args: withUsageHint(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return recordCommand(cmd.Context(), f, cmd.OutOrStdout())
		},
	}
	fs := c.Flags()
	fs.StringVar(&f.testID, "test-id", "", "test `id` the tasks published with, the TestId dimension (required)")
	fs.StringVar(&f.endpoint, "endpoint", "", "SageMaker `endpoint` of the test, the EndpointName dimension (required)")
	fs.StringVar(&f.variant, "variant", "AllTraffic", "production `variant` of the test, the VariantName dimension")
	fs.StringVar(&f.plan, "plan", "", `the test's `+"`plan`"+` in total requests per second, e.g. "steps 20@2m,40@2m", "20@2m,40@2m" or "constant 50/s for 2m" (or --config)`)
	fs.StringVar(&f.config, "config", "", "config `file` whose --endpoint loadTest plan the test ran (instead of --plan)")
	fs.StringVar(&f.release, "release", "", "release `ID` with --config (default: the config's)")
	fs.StringVar(&f.start, "start", "", "RFC3339 `time` the tasks started their schedule, e.g. 2026-11-27T10:00:00Z (required)")
	fs.StringVar(&f.region, "region", "", "AWS `region` of CloudWatch (default: the config's, then the SDK's)")
	fs.StringVar(&f.out, "out", "", "run `file` to write (default: TEST-ID.jsonl)")
	fs.DurationVar(&f.timeout, "cloudwatch-timeout", gate.DefaultRecordTimeout, "bound (`duration`) of each GetMetricData call, with its pages")
	f.flags = fs
	return c
}

// recordCommand is `sagesize record`.
func recordCommand(ctx context.Context, f *recordFlags, stdout io.Writer) error {
	o, region, err := f.options()
	if err != nil {
		return err
	}
	awsCfg, err := loadAWS(ctx, region)
	if err != nil {
		return err
	}
	out := f.out
	if out == "" {
		out = f.testID + ".jsonl"
	}
	return writeRecord(ctx, cloudwatch.NewFromConfig(awsCfg), o, out, stdout)
}

// options checks the flags and returns what to read and the region
// (the flag's, else the config's).
func (f *recordFlags) options() (gate.RecordOptions, string, error) {
	var errs []error
	if f.testID == "" {
		errs = append(errs, errors.New("--test-id is required: the TestId the tasks published with (sagesize run prints it)"))
	}
	if f.endpoint == "" {
		errs = append(errs, errors.New("--endpoint is required: the SageMaker endpoint of the test"))
	}
	if f.variant == "" {
		errs = append(errs, errors.New("--variant: give the production variant of the test, e.g. AllTraffic"))
	}
	if f.timeout <= 0 {
		errs = append(errs, fmt.Errorf("--cloudwatch-timeout %v: give a positive duration, e.g. 1m", f.timeout))
	}
	start, err := parseStart(f.start)
	if err != nil {
		errs = append(errs, err)
	}
	plan, region, err := f.loadPlan()
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return gate.RecordOptions{}, "", fmt.Errorf("record: %w", err)
	}
	o := gate.RecordOptions{Endpoint: f.endpoint, Variant: f.variant, TestID: f.testID, Plan: plan, Start: start, Timeout: f.timeout}
	return o, firstNonEmpty(f.region, region), nil
}

func parseStart(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New(`--start is required: the RFC3339 time the tasks started their schedule, e.g. 2026-11-27T10:00:00Z (sagesize run prints "the tasks start their schedule together at ...")`)
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--start %q: not an RFC3339 time, e.g. 2026-11-27T10:00:00Z: %w", s, err)
	}
	return t, nil
}

// loadPlan returns the plan of --plan, or of the --endpoint's loadTest
// in --config (with the config's region).
func (f *recordFlags) loadPlan() (loadplan.Plan, string, error) {
	switch {
	case f.plan != "" && f.config != "":
		return loadplan.Plan{}, "", errors.New("--plan and --config: give one (--plan, or --config with --endpoint for its loadTest plan)")
	case f.plan != "":
		p, err := gate.ParsePlan(f.plan)
		if err != nil {
			return p, "", fmt.Errorf("--plan: %w", err)
		}
		return p, "", nil
	case f.config == "":
		return loadplan.Plan{}, "", errors.New(`--plan is required (e.g. --plan "steps 20@2m,40@2m"), or --config with --endpoint for its loadTest plan`)
	}
	cfg, err := config.Load(f.config, &config.Overrides{Release: f.release})
	if err != nil {
		return loadplan.Plan{}, "", fmt.Errorf("--config: %w", err)
	}
	for _, ep := range cfg.Endpoints {
		if ep.Name == f.endpoint && ep.LoadTest != nil {
			p, err := ep.LoadTest.Plan()
			if err != nil {
				return p, "", fmt.Errorf("--config %s: endpoint %s: loadTest: %w", f.config, ep.Name, err)
			}
			return p, cfg.Region, nil
		}
	}
	return loadplan.Plan{}, "", fmt.Errorf("--config %s: no endpoint %q with a loadTest: give its name with --endpoint, or --plan", f.config, f.endpoint)
}

// writeRecord reads the test o names back from CloudWatch and writes it
// to path as loadgen's -output, printing the notes and what was written.
func writeRecord(ctx context.Context, api measure.GetMetricDataAPI, o gate.RecordOptions, path string, stdout io.Writer) error {
	rec, err := gate.ReadCloudWatch(ctx, api, o)
	if err != nil {
		return err
	}
	for _, n := range rec.Notes {
		fmt.Fprintln(stdout, "note:", n)
	}
	if err := writeFile(path, func(w io.Writer) error { return gate.WriteRun(w, rec.Run) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "run record: %s (test %s, %d intervals of %v; sagesize compare --baseline BASELINE --candidate %s)\n",
		path, o.TestID, len(rec.Run.Intervals), rec.Period, path)
	return nil
}

// recordPath is where `sagesize run --record FILE` writes variant's run:
// FILE itself for a single variant, FILE with -VARIANT before its
// extension for several.
func recordPath(file, variant string, several bool) string {
	if !several {
		return file
	}
	ext := filepath.Ext(file)
	return strings.TrimSuffix(file, ext) + "-" + variant + ext
}
