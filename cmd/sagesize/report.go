package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/spf13/pflag"

	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/sizing"
	"github.com/sagesize/sagesize/sizing/measure"
	"github.com/sagesize/sagesize/sizing/report"
	"github.com/sagesize/sagesize/sizing/runner"
)

// reportFlags are the flags of `sagesize report`.
type reportFlags struct {
	config, release, record, out, region, namespace, slo string
}

// bindReportFlags defines the flags of `sagesize report` on fs, filling f.
func bindReportFlags(fs *pflag.FlagSet, f *reportFlags) {
	fs.StringVar(&f.config, "config", "sagesize.yaml", "config `file` with the sizing: section the test ran")
	fs.StringVar(&f.release, "release", "", "release `ID`, as -c release=ID of cdk deploy (default: the config's)")
	fs.StringVar(&f.record, "record", "sagesize-sizing.json", "the run record `file` sagesize run --sizing wrote")
	fs.StringVar(&f.out, "out", "sizing-report", "`directory` to write report.md, report.html and report.json into")
	fs.StringVar(&f.region, "region", "", "AWS `region` (default: the record's, then the config's, then the SDK's)")
	fs.StringVar(&f.namespace, "namespace", metrics.NamespaceLoadTest, "CloudWatch `namespace` of loadgen's metrics")
	fs.StringVar(&f.slo, "slo", "", "judge against this `SLO` instead of the config's sizing.slo, e.g. --slo p99:150ms (the same run, another objective)")
}

// reportCommand is `sagesize report`: the run record's windows read back
// from CloudWatch, the decision, and the three reports. It returns an
// error (exit 1) when there is no recommendation or data is missing, after
// writing whatever could be computed.
func reportCommand(ctx context.Context, f *reportFlags, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected arguments %q (every option is a flag; see report -h)", args)
	}
	cfg, sloProblem, err := loadForReport(f)
	if err != nil {
		return err
	}
	rec, err := runner.ReadRecord(f.record)
	if err != nil {
		return err
	}
	ep := cfg.SizingEndpoint()
	if rec.Endpoint != ep.Name {
		return fmt.Errorf("run record %s is of endpoint %s, but %s (release %q) sizes %s: give the config and --release of that run",
			f.record, rec.Endpoint, f.config, cfg.Release, ep.Name)
	}
	test, windows, problems := sizingTest(cfg, rec)
	awsCfg, err := loadAWS(ctx, firstNonEmpty(f.region, firstNonEmpty(rec.Region, cfg.Region)))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, reportTimeout)
	defer cancel()
	steps, err := measure.Steps(ctx, cloudwatch.NewFromConfig(awsCfg), f.namespace, windows)
	if err != nil {
		return fmt.Errorf("read the test from CloudWatch in %s: %w", awsCfg.Region, err)
	}
	for k, w := range windows {
		for ci := range test.Candidates {
			if test.Candidates[ci].Variant == w.Variant {
				test.Candidates[ci].Steps = append(test.Candidates[ci].Steps, steps[k])
			}
		}
	}
	if sloProblem != "" {
		test.SLO = sizing.SLO{} // Decide reports it and judges no step
		problems = append(problems, sloProblem)
	}
	res := sizing.Decide(test)
	res.Problems = append(problems, res.Problems...)
	if noData(res) {
		var ids []string
		for _, c := range rec.Candidates {
			ids = append(ids, c.TestID)
		}
		res.Problems = append(res.Problems, fmt.Sprintf("CloudWatch in %s has no %s data for the test ids %s: is it the region of the test, and did the tasks publish (see their logs)?",
			awsCfg.Region, f.namespace, strings.Join(ids, ", ")))
	}
	if err := writeReports(f.out, res); err != nil {
		return err
	}
	if err := report.Markdown(stdout, res); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nwrote %s, %s and %s\n", filepath.Join(f.out, "report.md"), filepath.Join(f.out, "report.html"), filepath.Join(f.out, "report.json"))
	return res.Err()
}

// loadForReport loads the config with -release and -slo. A config whose
// only problem is a missing sizing.slo still loads (the report then shows
// the measurements without a verdict); the returned problem says so.
func loadForReport(f *reportFlags) (*config.Config, string, error) {
	o := &config.Overrides{Release: f.release}
	if f.slo != "" {
		slo, err := parseSLO(f.slo)
		if err != nil {
			return nil, "", err
		}
		o.SizingSLO = slo
	}
	cfg, err := config.Load(f.config, o)
	var ps config.Problems
	if err != nil && o.SizingSLO == nil && errors.As(err, &ps) && onlyAbout(ps, "sizing.slo") {
		o.SizingSLO = &config.SizingSLO{Percentile: config.Percentile{Value: sizing.P99}, Latency: config.Duration{Duration: time.Nanosecond}}
		if cfg, err = config.Load(f.config, o); err == nil {
			return cfg, fmt.Sprintf("%s defines no SLO (sizing.slo): no step can be judged; add sizing.slo or give --slo p99:150ms", f.config), nil
		}
	}
	if err != nil {
		return nil, "", err
	}
	if cfg.Sizing == nil {
		return nil, "", fmt.Errorf("%s has no sizing: section: the report needs its SLO, target rate and candidates (see config/examples/sizing.yaml)", f.config)
	}
	return cfg, "", nil
}

// onlyAbout reports whether every problem is at path or below it.
func onlyAbout(ps config.Problems, path string) bool {
	for _, p := range ps {
		if p.Path != path && !strings.HasPrefix(p.Path, path+".") {
			return false
		}
	}
	return len(ps) > 0
}

// parseSLO parses -slo PERCENTILE:LATENCY, e.g. p99:150ms.
func parseSLO(s string) (*config.SizingSLO, error) {
	pc, lat, ok := strings.Cut(s, ":")
	d, err := time.ParseDuration(lat)
	if !ok || err != nil || d <= 0 || (pc != sizing.P50 && pc != sizing.P99) {
		return nil, fmt.Errorf("--slo %q: want p50 or p99, a colon and a positive latency, e.g. p99:150ms", s)
	}
	return &config.SizingSLO{Percentile: config.Percentile{Value: pc}, Latency: config.Duration{Duration: d}}, nil
}

// noData reports whether no step of any candidate has data.
func noData(r *sizing.Result) bool {
	for _, c := range r.Candidates {
		for _, s := range c.Steps {
			if !s.NoData() {
				return false
			}
		}
	}
	return true
}

// sizingTest turns the config and the record into the decision's input and
// the windows to measure (warm-up excluded), one per step that ran. It
// lists what the record lacks as problems.
func sizingTest(cfg *config.Config, rec *runner.Record) (sizing.Test, []measure.Window, []string) {
	s := cfg.Sizing
	t := baseTest(s, rec.Endpoint)
	t.Duration = testDuration(rec)
	var windows []measure.Window
	var problems []string
	inRecord := map[string]bool{}
	for _, rc := range rec.Candidates {
		inRecord[rc.Variant] = true
		inst, err := cfg.Catalog.Lookup(rc.InstanceType)
		if err != nil {
			problems = append(problems, fmt.Sprintf("variant %s: %v", rc.Variant, err))
			continue
		}
		t.Candidates = append(t.Candidates, sizing.Candidate{Variant: rc.Variant, Instance: inst, InstanceCount: rc.InstanceCount, EndpointTime: rc.EndpointSeconds.Duration()})
		ran := rc.Ran()
		if len(ran) == 0 {
			problems = append(problems, fmt.Sprintf("variant %s ran no step to its end (%s)", rc.Variant, rc.Outcome))
		}
		for _, st := range ran {
			windows = append(windows, measure.Window{Endpoint: rec.Endpoint, Variant: rc.Variant, TestID: rc.TestID, PlannedRate: st.Rate,
				Start: st.Start.Add(rec.Warmup.Duration()), End: st.End, VCPUs: inst.VCPUs, GPUs: inst.GPUs(), InstanceCount: rc.InstanceCount, Tasks: rc.Tasks,
				Stream: s.Plan.Stream != nil, Refine: st.Refine})
		}
	}
	for _, c := range s.Candidates {
		if !inRecord[c.Name] {
			problems = append(problems, fmt.Sprintf("candidate %s of the config was not run (not in the run record)", c.Name))
		}
	}
	return t, windows, problems
}

// baseTest is the decision's input that the config gives: the SLO (every
// bound), the error bound, the target in req/s or output tokens/s, the
// headroom and, for synthetic prompts, their mean input length.
func baseTest(s *config.Sizing, endpoint string) sizing.Test {
	o := s.SLO
	slo := sizing.SLO{Percentile: o.Percentile.Value, Latency: o.Latency.Duration, TTFT: dur(o.TTFT), ITL: dur(o.ITL), TPOT: dur(o.TPOT), E2E: dur(o.E2E)}
	t := sizing.Test{Endpoint: endpoint, SLO: slo, MaxErrorRate: s.SizingErrorBound(), TargetRate: s.TargetRate,
		TargetTokensPerSecond: s.TargetTokensPerSecond, Headroom: s.HeadroomFraction()}
	if st := s.Plan.Stream; st != nil && st.InputTokens != nil {
		t.InputTokensPerRequest = st.InputTokens.Mean
	}
	return t
}

func dur(d *config.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return d.Duration
}

// writeReports writes report.md, report.html and report.json into dir.
func writeReports(dir string, r *sizing.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report directory: %w", err)
	}
	var errs []error
	for _, w := range []struct {
		name   string
		render func(io.Writer, *sizing.Result) error
	}{{"report.md", report.Markdown}, {"report.html", report.HTML}, {"report.json", report.JSON}} {
		var b bytes.Buffer
		if err := w.render(&b, r); err != nil {
			errs = append(errs, fmt.Errorf("render %s: %w", w.name, err))
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, w.name), b.Bytes(), 0o644); err != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", w.name, err))
		}
	}
	return errors.Join(errs...)
}

// reportTimeout bounds the whole CloudWatch read of a report.
const reportTimeout = 5 * time.Minute
