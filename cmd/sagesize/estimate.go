package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/cwcost"
	"github.com/sagesize/sagesize/internal/cdkout"
	"github.com/sagesize/sagesize/naming"
)

// summaryFlags are the flags of `sagesize summary`.
type summaryFlags struct {
	json            bool
	rates           []string
	config, release string
}

// sizingRunName starts the name of a sizing candidate's run.
const sizingRunName = "sizing candidate "

// summaryCommand prints the assembly in dir and its CloudWatch estimate,
// as text or (--json) as one JSON document.
func summaryCommand(w io.Writer, f *summaryFlags, dir string) error {
	stacks, err := cdkout.Read(dir)
	if err != nil {
		return err
	}
	var runs []cwcost.Run
	base := cwcost.DefaultRates()
	if f.config != "" {
		cfg, err := config.Load(f.config, &config.Overrides{Release: f.release})
		if err != nil {
			return err
		}
		runs = plannedRuns(cfg)
		setNotebookGPUs(stacks, cfg)
		base = cfg.CloudWatchRates()
	}
	rates, err := parseRates(base, f.rates)
	if err != nil {
		return err
	}
	billed := make([]cwcost.Stack, len(stacks))
	for i, s := range stacks {
		billed[i] = s.Billed
	}
	e := cwcost.EstimateAll(billed, runs, rates)
	if f.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(summaryJSON{Stacks: stacks, Estimate: e})
	}
	if err := cdkout.Print(w, stacks); err != nil {
		return err
	}
	return printEstimate(w, e, f.config != "")
}

// summaryJSON is the document `sagesize summary --json` prints.
type summaryJSON struct {
	Stacks   []cdkout.Stack  `json:"stacks"`
	Estimate cwcost.Estimate `json:"estimate"`
}

// parseRates reads the --rate NAME=USD overrides into base (the default
// rates, or the config's cloudwatchPrices).
func parseRates(base cwcost.Rates, args []string) (cwcost.Rates, error) {
	o := map[string]float64{}
	for _, a := range args {
		n, v, err := cwcost.ParseOverride(a)
		if err != nil {
			return cwcost.Rates{}, fmt.Errorf("--rate: %w", err)
		}
		o[n] = v
	}
	r, err := base.Override(o)
	if err != nil {
		return r, fmt.Errorf("--rate: %w", err)
	}
	return r, nil
}

// plannedRuns lists one run of every endpoint's load test and of every
// sizing candidate, as the config plans them.
func plannedRuns(cfg *config.Config) []cwcost.Run {
	var runs []cwcost.Run
	sizingEp := cfg.SizingEndpoint()
	for _, e := range cfg.Endpoints {
		if e.LoadTest == nil || (sizingEp != nil && e.Name == sizingEp.Name) {
			continue
		}
		p, err := e.LoadTest.Plan()
		if err != nil {
			continue // Load validated the plan
		}
		variants := len(e.LoadTest.Variants)
		if variants == 0 {
			variants = len(e.Variants)
		}
		runs = append(runs, cwcost.Run{Name: "load test " + e.Name, Variants: variants, Tasks: e.LoadTest.Tasks, Duration: p.Duration(),
			Stream: e.LoadTest.Stream != nil})
	}
	if cfg.Sizing == nil {
		return runs
	}
	for i, c := range cfg.Sizing.Candidates {
		perStep := 10 // sizing/measure: 9 figures and the Intervals count
		if c.Instance.GPUs() > 0 {
			perStep += 2
		}
		runs = append(runs, cwcost.Run{Name: sizingRunName + c.InstanceType, Variants: 1, Tasks: cfg.SizingTasks(i),
			Duration: cfg.Sizing.CandidatePlan(i).Duration(), MeasuredMetrics: perStep * len(cfg.Sizing.Rates(i)),
			Stream: cfg.Sizing.Plan.Stream != nil})
	}
	return runs
}

// setNotebookGPUs gives each notebook of stacks its instance's GPU count,
// matched by lifecycle configuration name.
func setNotebookGPUs(stacks []cdkout.Stack, cfg *config.Config) {
	gpus := map[string]int{}
	for _, nb := range cfg.Notebooks {
		gpus[naming.LifecycleConfig(cfg.Prefix(), nb.Name)] = nb.Instance.GPUs()
	}
	for i := range stacks {
		for j, nb := range stacks[i].Billed.Notebooks {
			if n, ok := gpus[nb.Name]; ok {
				stacks[i].Billed.Notebooks[j].GPUs = n
			}
		}
	}
}

// printEstimate writes the estimate's lines after the summary.
func printEstimate(w io.Writer, e cwcost.Estimate, withConfig bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\nCloudWatch estimate (USD; %s, read %s)\n", e.Source, e.Date)
	for _, s := range e.Stacks {
		fmt.Fprintf(&b, "stack %s: %s/month, %s/day\n", s.Stack, usd(s.MonthlyUSD), usd(s.DailyUSD))
		for _, l := range s.Lines {
			fmt.Fprintf(&b, "  %-42s %8g × %-6s %9s\n", l.Item, l.Quantity, usd(l.Rate), usd(l.USD))
		}
	}
	fmt.Fprintf(&b, "free dashboards (first %g of the account): %s/month\n", e.Rates.FreeDashboards, usd(e.FreeDashboardsUSD))
	fmt.Fprintf(&b, "total: %s/month\n", usd(e.MonthlyUSD))
	fmt.Fprintf(&b, "per release: %s per day its stacks stay up (free dashboards already used)\n", usd(e.ReleaseDailyUSD))
	printAlarmNotes(&b, e)
	printRuns(&b, e, withConfig)
	b.WriteString("assumptions:\n")
	for _, a := range e.Assumptions {
		fmt.Fprintf(&b, "  - %s\n", a)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// printAlarmNotes says which alarms are high resolution and what the
// cheaper alarm paths save.
func printAlarmNotes(b *strings.Builder, e cwcost.Estimate) {
	var hr []string
	warnings := 0
	for _, s := range e.Stacks {
		hr = append(hr, s.HighResolution...)
		warnings += s.WarningAlarms
	}
	if len(hr) == 0 {
		fmt.Fprintf(b, "high-resolution alarms: none (every alarm's period is ≥ %d s)\n", cwcost.HighResolutionBelow)
	} else {
		fmt.Fprintf(b, "high-resolution alarms (%d, billed at %s per metric):\n", len(hr), usd(e.Rates.HighResolutionAlarmMetric))
		for _, h := range hr {
			fmt.Fprintf(b, "  %s\n", h)
		}
	}
	fmt.Fprintf(b, "saving of notifications.warnings: false: $0.00/month (the %d warning alarms still exist and bill; only the topic is spared)\n", warnings)
	fmt.Fprintf(b, "saving of not creating the %d warning alarms: %s/month, %s per release-day (releaseStacks.warningAlarms: false leaves them out of per-release stacks)\n",
		warnings, usd(e.WarningMonthlyUSD), usd(cwcost.PerDay(e.WarningMonthlyUSD)))
}

// printRuns writes one line per planned run, or how to get them.
func printRuns(b *strings.Builder, e cwcost.Estimate, withConfig bool) {
	if !withConfig {
		b.WriteString("load tests and sizing runs: pass --config FILE to estimate their metrics and calls\n")
		return
	}
	var sizingUSD float64
	for _, r := range e.Runs {
		if strings.HasPrefix(r.Name, sizingRunName) {
			sizingUSD += r.USD
		}
		fmt.Fprintf(b, "%s, per run (%d variant(s) × %d task(s) × %v): %s: %d custom metrics for %g metric-hours %s, %d PutMetricData %s, %d GetMetricData metrics %s\n",
			r.Name, r.Variants, r.Tasks, r.Duration, usd(r.USD), r.CustomMetrics, r.MetricHours, usd(r.CustomMetricsUSD), r.PutMetricData, usd(r.PutUSD), r.GetMetricData, usd(r.GetUSD))
	}
	if sizingUSD > 0 {
		fmt.Fprintf(b, "sizing run, every candidate: %s in CloudWatch (the endpoint's instances are priced by run --sizing)\n", usd(sizingUSD))
	}
}

// usd formats v in dollars: cents, or more digits below a cent, "-$" when
// negative.
func usd(v float64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	prec := 2
	if v != 0 && v < 0.01 {
		prec = 4
	}
	return sign + "$" + strconv.FormatFloat(v, 'f', prec, 64)
}
