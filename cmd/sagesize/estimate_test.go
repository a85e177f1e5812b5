package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// assembly writes a cloud assembly of the golden templates (test/testdata,
// what the synth tests produce) named by stack, and returns its directory.
func assembly(t *testing.T, stacks map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	arts := map[string]any{}
	for name, golden := range stacks {
		raw, err := os.ReadFile(filepath.Join("..", "..", "test", "testdata", golden))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".json"), raw, 0o600); err != nil {
			t.Fatal(err)
		}
		arts[name] = map[string]any{"type": "aws:cloudformation:stack", "properties": map[string]string{"templateFile": name + ".json", "stackName": name}}
	}
	m, _ := json.Marshal(map[string]any{"artifacts": arts})
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), m, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestSummary_EstimateOfTheExample checks the estimate of the example
// config (sagesize.yaml's golden template), worked out by hand: 4
// dashboards $12; 36 alarms of 38 metrics (two GPU memory used/total math
// alarms) $3.80; 3 composites $1.50; the ml.g4dn.xlarge notebook's agent
// 10 series + 4 per GPU × 1 GPU = 14 × $0.30 = $4.20; its 43,800 puts
// $0.438. Stack $21.938; less 3 free dashboards $12.938; per day
// 21.938 × 24 / 730 = $0.72. Warning alarms: 15 of 16 metrics, $1.60.
func TestSummary_EstimateOfTheExample(t *testing.T) {
	dir := assembly(t, map[string]string{"churn-monitoring": "sagesize.template.golden.json"})
	stdout, _, err := runCLI(t, "summary", "--config", filepath.Join("..", "..", "sagesize.yaml"), dir)
	if err != nil {
		t.Fatalf("sagesize summary: %v", err)
	}
	for _, want := range []string{
		"stack churn-monitoring: $21.94/month, $0.72/day\n",
		"  dashboards                                        4 × $3.00     $12.00\n",
		"  standard-resolution alarm metrics                38 × $0.10      $3.80\n",
		"  composite alarms                                  3 × $0.50      $1.50\n",
		"  notebook agent custom metrics                    14 × $0.30      $4.20\n",
		"free dashboards (first 3 of the account): -$9.00/month\n",
		"total: $12.94/month\n",
		"per release: $0.72 per day its stacks stay up",
		"high-resolution alarms: none",
		"saving of notifications.warnings: false: $0.00/month (the 15 warning alarms still exist and bill",
		"saving of not creating the 15 warning alarms: $1.60/month, $0.05 per release-day (releaseStacks.warningAlarms: false leaves them out of per-release stacks)",
		"rates: https://aws.amazon.com/cloudwatch/pricing/",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "high-resolution alarm metrics") || strings.Contains(stdout, "per run") {
		t.Errorf("summary prints a line for something the example does not have:\n%s", stdout)
	}
}

// TestSummary_JSON checks the --json schema: every field CI reads, no
// other, with the load-test and sizing runs of their example configs.
func TestSummary_JSON(t *testing.T) {
	dir := assembly(t, map[string]string{"demo-monitoring": "loadtest.template.golden.json", "demo-sizing": "sizing.template.golden.json"})
	stdout, _, err := runCLI(t, "summary", "--json", "--rate", "dashboard=2", "--config", filepath.Join("..", "..", "config", "examples", "sizing.yaml"), dir)
	if err != nil {
		t.Fatalf("sagesize summary --json: %v", err)
	}
	var doc struct {
		Stacks []struct {
			Name, Template                          string
			Bytes                                   int64
			Resources                               map[string]int
			Dashboards, Alarms, Composites, Outputs []string
		} `json:"stacks"`
		Estimate struct {
			RatesSource, RatesDate string
			Rates                  map[string]float64
			Stacks                 []struct {
				Stack string
				Lines []struct {
					Item                   string
					Quantity, RateUSD, USD float64
				}
				MonthlyUSD, DailyUSD, WarningMonthlyUSD float64
				HighResolutionAlarms                    []string
				WarningAlarms                           int
			}
			FreeDashboardsUSD, MonthlyUSD, ReleaseDailyUSD, WarningMonthlyUSD float64
			Runs                                                              []struct {
				Name                                                                   string
				Variants, Tasks, MeasuredMetrics                                       int
				Duration                                                               int64
				CustomMetrics, PutMetricDataCalls, GetMetricDataMetrics                int
				MetricHours, CustomMetricsUSD, PutMetricDataUSD, GetMetricDataUSD, USD float64
			}
			Assumptions []string
		} `json:"estimate"`
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(stdout)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("summary --json does not match the schema: %v\n%s", err, stdout)
	}
	e := doc.Estimate
	if len(doc.Stacks) != 2 || len(e.Stacks) != 2 || e.Rates["dashboard"] != 2 || e.RatesDate == "" || len(e.Assumptions) == 0 {
		t.Errorf("summary --json = %d stacks, %d estimated, rates %v, date %q; want 2, 2, dashboard 2 (--rate), a date", len(doc.Stacks), len(e.Stacks), e.Rates, e.RatesDate)
	}
	var sum float64
	for _, s := range e.Stacks {
		sum += s.MonthlyUSD
	}
	if d := sum + e.FreeDashboardsUSD - e.MonthlyUSD; d > 1e-9 || d < -1e-9 || e.ReleaseDailyUSD <= 0 {
		t.Errorf("total %v ≠ stacks %v + free tier %v, or per release-day %v ≤ 0", e.MonthlyUSD, sum, e.FreeDashboardsUSD, e.ReleaseDailyUSD)
	}
	// sizing.yaml: 4 candidates, each one variant and one test id.
	if len(e.Runs) != 4 || e.Runs[0].CustomMetrics != 8 || e.Runs[0].PutMetricDataCalls == 0 || e.Runs[0].GetMetricDataMetrics <= e.Runs[0].MeasuredMetrics {
		t.Errorf("runs = %+v; want 4 sizing candidates of 8 metrics, with puts and gets", e.Runs)
	}
}

// The config's cloudwatchPrices replace the list prices in the estimate,
// and --rate wins over them.
func TestSummary_ConfigPricesAndRateOverride(t *testing.T) {
	dir := assembly(t, map[string]string{"churn-monitoring": "sagesize.template.golden.json"})
	example, err := os.ReadFile(filepath.Join("..", "..", "sagesize.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "sagesize.yaml")
	if err := os.WriteFile(cfg, append(example, "cloudwatchPrices: {dashboard: 1, compositeAlarm: 0.25}\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"  dashboards                                        4 × $1.00      $4.00\n", "  composite alarms                                  3 × $0.25      $0.75\n"}},
		{[]string{"--rate", "dashboard=2"}, []string{"  dashboards                                        4 × $2.00      $8.00\n", "  composite alarms                                  3 × $0.25      $0.75\n"}},
	} {
		stdout, _, err := runCLI(t, append(append([]string{"summary", "--config", cfg}, tc.args...), dir)...)
		if err != nil {
			t.Fatalf("sagesize summary %v: %v", tc.args, err)
		}
		for _, want := range tc.want {
			if !strings.Contains(stdout, want) {
				t.Errorf("summary %v lacks %q:\n%s", tc.args, want, stdout)
			}
		}
	}
}

func TestSummary_BadRates(t *testing.T) {
	dir := assembly(t, map[string]string{"m": "minimal.template.golden.json"})
	for _, tt := range []struct{ rate, want string }{
		{"dashbord=1", `--rate: rate "dashbord": unknown CloudWatch rate (did you mean "dashboard"?); valid: alarmMetric,`},
		{"alarmMetric=-0.1", "--rate: rate alarmMetric: -0.1 is not a price: want a finite number ≥ 0 (USD)"},
		{"customMetric", "--rate: rate \"customMetric\": want name=USD"},
	} {
		if _, _, err := runCLI(t, "summary", "--rate", tt.rate, dir); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("summary --rate %s: %v; want %q", tt.rate, err, tt.want)
		}
	}
}
