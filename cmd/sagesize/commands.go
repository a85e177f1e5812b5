package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sagesize/sagesize/cwcost"
)

// newRootCmd builds the command tree, writing help, version and
// results to stdout and cobra's own messages to stderr. Errors are
// returned, never printed: main prints each once.
func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "sagesize",
		Short: "Size and load-test SageMaker real-time endpoints deployed by the sagesize CDK app",
		Long: `sagesize is the command line for what happens around cdk deploy of the
sagesize CDK app, which turns a config (sagesize.yaml) into SageMaker
endpoints with their dashboards and alarms, a Fargate load generator and,
for a sizing test, one endpoint variant per candidate instance type. Its
commands summarize what cdk synth produced, run load tests and sizing tests
on the deployed stacks, and report which instance type holds the SLO at the
target rate for the lowest cost.

Every command exits 0 on success and 1 when it could not do its work
(bad input, AWS errors, missing data). run (with a gate), gate and compare
exit 2 when the test ran and failed its criteria or the candidate
regressed, so that CI can tell a failed release from a broken pipeline.`,
		Version: version(),
		// No Run: without a command, cobra prints this help (exit 0). No
		// Args: cobra finds an unknown command, with its suggestions,
		// before it parses any flag.
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("{{.Name}} {{.Version}}\n")
	root.SetFlagErrorFunc(newUsageError)
	root.AddCommand(newSummaryCmd(), newRunCmd(), newReportCmd(), newGateCmd(), newCompareCmd(), newRecordCmd(), newVersionCmd())
	// cobra adds these when it executes; adding them now lets dashLongFlags
	// and the tests see the whole tree.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.InitDefaultVersionFlag()
	walk(root, func(c *cobra.Command) {
		c.Flags().SortFlags = false // in the order they are defined: the usual ones first
		c.InitDefaultHelpFlag()
	})
	return root
}

// walk calls fn for c and every command below it.
func walk(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		walk(sub, fn)
	}
}

// usageError is an error in the command line. Its message ends with a
// line that points to the command's help, instead of the whole usage, which
// would scroll the error away.
type usageError struct {
	err  error
	path string // of the command, e.g. "sagesize run"
}

func (e *usageError) Error() string {
	return fmt.Sprintf("%v\nRun '%s --help' for usage.", e.err, e.path)
}

func (e *usageError) Unwrap() error { return e.err }

// newUsageError makes err, an error in cmd's command line, a usage error.
func newUsageError(cmd *cobra.Command, err error) error {
	return &usageError{err: err, path: cmd.CommandPath()}
}

// withUsageHint makes check's errors usage errors.
func withUsageHint(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return newUsageError(cmd, err)
		}
		return nil
	}
}

func newSummaryCmd() *cobra.Command {
	f := &summaryFlags{}
	c := &cobra.Command{
		Use:   "summary [DIR]",
		Short: "Summarize a synthesized cloud assembly (default cdk.out) and estimate its CloudWatch cost",
		Long: `summary lists what cdk deploy would create from a synthesized cloud
assembly: per stack, its template's size, its resources counted by type,
its dashboards, its alarms (composite ones apart) and its outputs. It needs
no AWS account: synthesize first (make synth, or cdk synth).

It then estimates what CloudWatch bills per month, per stack and in total:
dashboards, alarm metrics by resolution (a metric-math alarm counts each
metric), composite alarms, the notebook agents' custom metrics and their
PutMetricData calls; the cost per day a release's stacks stay up; which
alarms are high resolution; and the saving of the cheaper alarm paths.
With --config it adds one run of each load test and sizing candidate.
Rates are CloudWatch's list prices (source and date printed); --rate
overrides one, e.g. --rate dashboard=3.5.`,
		Example: `  sagesize summary
  sagesize summary --config sagesize.yaml --json build/cdk.out
  cdk synth --quiet --output build/cdk.out -c config=sagesize.yaml && sagesize summary build/cdk.out`,
		Args: withUsageHint(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "cdk.out"
			if len(args) > 0 {
				dir = args[0]
			}
			return summaryCommand(cmd.OutOrStdout(), f, dir)
		},
	}
	fs := c.Flags()
	fs.BoolVar(&f.json, "json", false, "print the summary and the estimate as one JSON document (for CI)")
	fs.StringArrayVar(&f.rates, "rate", nil, "override a CloudWatch rate, `NAME=USD` (repeatable; wins over the config's cloudwatchPrices): "+strings.Join(cwcost.RateNames(), ", "))
	fs.StringVar(&f.config, "config", "", "config `file` the assembly was synthesized from: adds its load tests and sizing runs, and notebook GPU counts")
	fs.StringVar(&f.release, "release", "", "release `ID`, as -c release=ID of cdk synth (default: the config's)")
	return c
}

func newRunCmd() *cobra.Command {
	f := &runFlags{}
	c := &cobra.Command{
		Use:   "run (--endpoint NAME | --sizing) [flags]",
		Short: "Run an endpoint's load test, or the sizing test, on the deployed Fargate tasks",
		Long: `run starts the load generator on the Fargate tasks of the deployed
<project>[-<release>]-loadtest stack and prints a live view every --poll.

With --endpoint NAME it runs that endpoint's loadTest: plan, one variant
after another. With --sizing it runs the config's sizing: test: every
candidate's stepped plan, each step judged against the SLO as it ends, a
candidate stopped at its first step that does not hold; the run record
(--record) is what sagesize report reads.

With a gate (the endpoint's loadTest.gate, or --p50, --p99,
--max-error-rate, --min-achieved, --ttft-p99, --itl-p99, which override it), each variant's test
is read back from CloudWatch once its tasks stop (after --gate-lag) and
judged: a verdict line per variant, exit 2 when a test ran and failed its
gate.

With --endpoint and --record FILE, the tasks start their schedule together
(after --lead, on a whole minute) and each variant's test is read back
from CloudWatch once its tasks stop (after --gate-lag) into FILE
(FILE-VARIANT.ext for several variants): loadgen's -output format, which
sagesize compare and gate read (see sagesize record).

Ctrl-C (or SIGTERM) stops every task the run started and waits for them; a
second Ctrl-C kills at once. It exits 1 when a task fails or the run is
interrupted.`,
		Example: `  sagesize run --config sagesize.yaml --endpoint churn-xgb
  sagesize run --endpoint churn-xgb --variant c5-xlarge --tasks 4
  sagesize run --endpoint churn-xgb --p99 300ms --max-error-rate 1% --min-achieved 95%
  sagesize run --endpoint churn-xgb --variant blue --record runs/v42.jsonl
  sagesize run --sizing --config sizing.yaml --release v42 --record sizing-run.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCommand(cmd.Context(), f, args, cmd.OutOrStdout())
		},
	}
	bindRunFlags(c.Flags(), f)
	return c
}

func newReportCmd() *cobra.Command {
	f := &reportFlags{}
	c := &cobra.Command{
		Use:   "report [flags]",
		Short: "Read a sizing run back from CloudWatch and recommend an instance type",
		Long: `report reads the run record of sagesize run --sizing, reads every step
that ran to its end back from CloudWatch, and recommends the candidate with
the cheapest fleet that holds the SLO at the target rate with the headroom.
It writes report.md (also printed), report.html and report.json into --out.

It exits 1 when no candidate meets the target or data is missing, after
writing what could be computed. --slo judges the same run against another
objective.`,
		Example: `  sagesize report --config sizing.yaml --release v42 --record sizing-run.json --out sizing-report
  sagesize report --config sizing.yaml --record sizing-run.json --slo p99:120ms`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return reportCommand(cmd.Context(), f, args, cmd.OutOrStdout())
		},
	}
	bindReportFlags(c.Flags(), f)
	return c
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of sagesize",
		Long: `version prints the main module's version and, when the binary was built
from a git checkout, its commit and commit time (the same as --version).`,
		Args: withUsageHint(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			root := cmd.Root()
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", root.Name(), root.Version)
			return err
		},
	}
}
