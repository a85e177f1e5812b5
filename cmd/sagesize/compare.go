package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/gate"
)

// compareFlags are the flags of `sagesize compare`.
type compareFlags struct {
	baseline             []string
	candidate, out       string
	latencyTol, errorTol percentFlag
	throughputTol        percentFlag
	confidence           percentFlag
	opts                 gate.Options
	// utilization reads each step's SageMaker utilization (util says
	// which variant), in region.
	utilization bool
	util        gate.UtilizationOptions
	region      string
}

func newCompareCmd() *cobra.Command {
	f := &compareFlags{opts: gate.DefaultOptions()}
	f.latencyTol.Fraction, f.errorTol.Fraction = f.opts.LatencyTolerance, f.opts.ErrorTolerance
	f.throughputTol.Fraction, f.confidence.Fraction = f.opts.ThroughputTolerance, f.opts.Confidence
	c := &cobra.Command{
		Use:   "compare --baseline FILE [--baseline FILE...] --candidate FILE [flags]",
		Short: "Compare a release's load test with the baseline's, step by step (exit 2 on a regression)",
		Long: `compare reads two runs of the same stepped (or constant) plan, each
loadgen's -output (JSON lines: one line per interval, then the summary),
and compares them step by step: client p50 and p99 latency (the median of
the step's interval percentiles), error rate and throughput.

A difference counts only when it is beyond its tolerance (and
--latency-floor) AND beyond the run-to-run variation: a bootstrap
confidence interval of the change, resampling each run's intervals in the
step (seeded, so the verdict is reproducible), must lie wholly on one side
of zero. One run shows only the variation within a run; two runs of one
release differ by more (the host, the hour). Give --baseline several runs
of the baseline release (3 or more) and the interval also holds the
variation the baseline runs show among themselves (a Student-t run effect
of k-1 degrees of freedom): fewer false alarms, at the price of missing
small changes when the runs vary a lot.

It writes compare.md (verdict first, then the table; also printed, ready
for a pull request comment), compare.html, compare.json and compare-p99.svg
into --out.

With --utilization it also reads, for each step and run, the variant's
CPUUtilization and MemoryUtilization (and GPU ones on GPU instances) from
CloudWatch over the whole minutes inside the step, and shows them per
step: informational, never part of the verdict (SageMaker publishes them
once a minute, too few points per step to tell a change from noise).
Steps of 2 minutes or more hold a whole minute. Missing data or a
CloudWatch error is a note; the comparison is still written.

It exits 0 when nothing regressed, 2 on a regression, and 1
when part of the comparison could not be made (different targets or plans,
a missing step, too few requests per step), after writing what it could.`,
		Example: `  sagesize compare --baseline runs/v41.jsonl --candidate runs/v42.jsonl --out compare
  sagesize compare --baseline v41-1.jsonl --baseline v41-2.jsonl --baseline v41-3.jsonl --candidate v42.jsonl --latency-floor 5ms
  sagesize compare --baseline base.jsonl --candidate cand.jsonl --latency-tolerance 15% --warmup 10s
  sagesize compare --baseline v41.jsonl --candidate v42.jsonl --utilization --variant AllTraffic --instance-type ml.c5.xlarge --region eu-west-1`,
		Args: withUsageHint(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return compareCommand(cmd.Context(), f, cmd.OutOrStdout())
		},
	}
	fs := c.Flags()
	fs.StringArrayVar(&f.baseline, "baseline", nil, "loadgen -output `file` of a baseline run, e.g. the last release that passed (required; repeat it for several runs of the baseline, which lets the verdict see the variation between runs)")
	fs.StringVar(&f.candidate, "candidate", "", "loadgen -output `file` of the candidate run (required)")
	fs.StringVar(&f.out, "out", "compare", "`directory` to write compare.md, compare.html, compare.json and compare-p99.svg into")
	fs.Var(&f.latencyTol, "latency-tolerance", "relative latency change (`percentage`) that never counts, e.g. --latency-tolerance 10%")
	fs.Var(&f.errorTol, "error-tolerance", "error rate change in percentage points (`percentage`) that never counts, e.g. --error-tolerance 1%")
	fs.Var(&f.throughputTol, "throughput-tolerance", "relative throughput drop (`percentage`) that never counts, e.g. --throughput-tolerance 5%")
	fs.DurationVar(&f.opts.LatencyFloor, "latency-floor", 0, "absolute latency change (`duration`) that never counts, whatever its share, e.g. --latency-floor 5ms")
	fs.Var(&f.confidence, "confidence", "confidence of the bootstrap interval (`percentage`), e.g. --confidence 95%")
	fs.DurationVar(&f.opts.Warmup, "warmup", 0, "leave this `duration` out at the start of every step, e.g. --warmup 10s")
	fs.IntVar(&f.opts.MinIntervals, "min-intervals", f.opts.MinIntervals, "fewest intervals (`N`) per step and run to judge the step")
	fs.IntVar(&f.opts.MinRequests, "min-requests", f.opts.MinRequests, "fewest requests (`N`) the plan schedules per step and run (after the warm-up) to judge the step")
	fs.Uint64Var(&f.opts.Seed, "seed", f.opts.Seed, "seed (`N`) of the bootstrap resampling")
	fs.BoolVar(&f.opts.DifferentTargets, "different-targets", false, "the runs tested each release's own endpoint or container: note the different targets instead of refusing to judge")
	bindUtilizationFlags(fs, f)
	return c
}

// bindUtilizationFlags defines the flags of compare --utilization.
func bindUtilizationFlags(fs *pflag.FlagSet, f *compareFlags) {
	fs.BoolVar(&f.utilization, "utilization", false, "also show each step's SageMaker CPU, memory and GPU utilization, read from CloudWatch (informational, not part of the verdict)")
	fs.StringVar(&f.util.Endpoint, "endpoint", "", "SageMaker `endpoint` of both runs for --utilization (default: each run's own, from its target)")
	fs.StringVar(&f.util.Variant, "variant", "AllTraffic", "production `variant` for --utilization")
	fs.StringVar(&f.util.InstanceType, "instance-type", "", "the variant's instance `type` (e.g. ml.c5.xlarge): --utilization shows % of the instance; without it, SageMaker's raw sums over cores and GPUs")
	fs.StringVar(&f.region, "region", "", "AWS `region` of CloudWatch for --utilization (default: the SDK's)")
	fs.DurationVar(&f.util.Timeout, "cloudwatch-timeout", gate.DefaultUtilizationTimeout, "bound (`duration`) of each step's CloudWatch read for --utilization")
}

// compareCommand is `sagesize compare`.
func compareCommand(ctx context.Context, f *compareFlags, stdout io.Writer) error {
	if len(f.baseline) == 0 || f.candidate == "" {
		return errors.New("compare: --baseline FILE and --candidate FILE are required (loadgen -output files)")
	}
	if f.confidence.Fraction < 0.5 || f.confidence.Fraction >= 1 {
		return fmt.Errorf("--confidence %s: give 50%% or more and less than 100%%, e.g. 95%%", &f.confidence)
	}
	if f.opts.MinIntervals < 2 {
		return fmt.Errorf("--min-intervals %d: a bootstrap needs at least 2 intervals", f.opts.MinIntervals)
	}
	if err := checkUtilizationFlags(f); err != nil {
		return err
	}
	o := f.opts
	o.LatencyTolerance, o.ErrorTolerance, o.ThroughputTolerance, o.Confidence = f.latencyTol.Fraction, f.errorTol.Fraction, f.throughputTol.Fraction, f.confidence.Fraction
	if f.opts.LatencyFloor < 0 {
		return fmt.Errorf("--latency-floor %v: give 0 or a positive duration, e.g. 5ms", f.opts.LatencyFloor)
	}
	var base []*gate.Run
	for _, path := range f.baseline {
		r, err := gate.ReadRun(path)
		if err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
		base = append(base, r)
	}
	cand, err := gate.ReadRun(f.candidate)
	if err != nil {
		return fmt.Errorf("--candidate: %w", err)
	}
	c := gate.Compare(base, cand, o)
	if f.utilization {
		if err := addUtilization(ctx, f, c, base[0], cand); err != nil {
			return err
		}
	}
	if err := writeComparison(c, f.out, stdout); err != nil {
		return err
	}
	switch {
	case c.Regressed():
		return &failedError{Verdict: "compare: the candidate regressed (see " + filepath.Join(f.out, "compare.md") + ")"}
	case len(c.Problems) > 0:
		return fmt.Errorf("compare: not every step could be compared:\n  %s", strings.Join(c.Problems, "\n  "))
	}
	return nil
}

// checkUtilizationFlags resolves --instance-type into f.util and checks
// the utilization flags.
func checkUtilizationFlags(f *compareFlags) error {
	if !f.utilization {
		return nil
	}
	if f.util.Variant == "" {
		return errors.New("--variant: give the production variant whose utilization --utilization reads, e.g. AllTraffic")
	}
	if f.util.Timeout <= 0 {
		return fmt.Errorf("--cloudwatch-timeout %v: give a positive duration, e.g. 30s", f.util.Timeout)
	}
	if f.util.InstanceType == "" {
		return nil
	}
	inst, err := catalog.New().Lookup(f.util.InstanceType)
	if err != nil {
		return fmt.Errorf("--instance-type: %w", err)
	}
	f.util.VCPUs, f.util.GPUs = inst.VCPUs, inst.GPUs()
	return nil
}

// addUtilization reads each step's utilization into c. Only a missing
// AWS configuration (region, credentials) is an error: what CloudWatch
// cannot give becomes notes in c.
func addUtilization(ctx context.Context, f *compareFlags, c *gate.Comparison, base, cand *gate.Run) error {
	awsCfg, err := loadAWS(ctx, f.region)
	if err != nil {
		return fmt.Errorf("--utilization: %w", err)
	}
	c.AddUtilization(ctx, cloudwatch.NewFromConfig(awsCfg), base, cand, f.util)
	return nil
}

// writeComparison writes the comparison's files into dir and prints the
// Markdown.
func writeComparison(c *gate.Comparison, dir string, stdout io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	const chart = "compare-p99.svg"
	var md strings.Builder
	if err := c.Markdown(&md, chart); err != nil {
		return err
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"compare.md", func(w io.Writer) error { _, err := io.WriteString(w, md.String()); return err }},
		{"compare.html", c.HTML},
		{"compare.json", c.JSON},
		{chart, c.WriteSVG},
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	_, err := io.WriteString(stdout, md.String())
	return err
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	werr := write(f)
	if err := errors.Join(werr, f.Close()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
