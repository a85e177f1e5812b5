package cdkout

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sagesize/sagesize/internal/cwagent"
)

// TestRead_BilledFromTheExample reads the example config's golden template
// (test/testdata, what `make synth` produces for sagesize.yaml) and checks
// what CloudWatch bills it for, counted by hand from the template.
func TestRead_BilledFromTheExample(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "test", "testdata", "sagesize.template.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write(t, dir, "manifest.json", `{"artifacts": {"s": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "s.json", "stackName": "churn-monitoring"}}}}`)
	write(t, dir, "s.json", string(raw))
	stacks, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	b := stacks[0].Billed
	var metrics, warnings, highRes int
	for _, a := range b.Alarms {
		metrics += a.BilledMetrics()
		if a.Warning {
			warnings++
		}
		if a.HighResolution() {
			highRes++
		}
	}
	// 36 alarms, two of them GPU memory used/total math alarms of 2 metrics;
	// 15 end in -Warning; every period is 60 s.
	if b.Name != "churn-monitoring" || b.Dashboards != 4 || b.Composites != 3 || len(b.Alarms) != 36 || metrics != 38 || warnings != 15 || highRes != 0 {
		t.Errorf("billed = %s: %d dashboards, %d composites, %d alarms of %d metrics, %d warnings, %d high resolution; want churn-monitoring: 4, 3, 36 of 38, 15, 0",
			b.Name, b.Dashboards, b.Composites, len(b.Alarms), metrics, warnings, highRes)
	}
	// The GPU notebook's agent: cpu, mem, swap, disk (all, and per path × 2
	// volumes), the 4 nvidia_smi metrics in all: 10; per GPU index: 4.
	if len(b.Notebooks) != 1 || b.Notebooks[0].Name != "churn-churn-research" || b.Notebooks[0].Metrics != 10 || b.Notebooks[0].PerGPU != 4 {
		t.Errorf("notebooks = %+v; want churn-churn-research with 10 series and 4 per GPU", b.Notebooks)
	}
}

// TestRead_BilledAlarmKinds checks the high-resolution, anomaly detection
// and Fn::Base64 cases the example does not have.
func TestRead_BilledAlarmKinds(t *testing.T) {
	script, err := cwagent.OnStartScript(cwagent.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write(t, dir, "manifest.json", `{"artifacts": {"s": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "s.json", "stackName": "x"}}}}`)
	write(t, dir, "s.json", `{"Resources": {
		"H": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"AlarmName": "x-Concurrency-Critical", "Period": 10}},
		"M": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"AlarmName": "x-Latency-Warning", "Metrics": [
			{"Id": "m1", "MetricStat": {"Period": 30}}, {"Id": "m2", "MetricStat": {"Period": 60}}, {"Id": "e", "Expression": "m1+m2"}]}},
		"A": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"AlarmName": "x-Anomaly-Critical", "Metrics": [
			{"Id": "m1", "MetricStat": {"Period": 60}}, {"Id": "ad", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)"}]}},
		"L": {"Type": "AWS::SageMaker::NotebookInstanceLifecycleConfig", "Properties": {"NotebookInstanceLifecycleConfigName": "x-nb",
			"OnStart": [{"Content": {"Fn::Base64": `+jsonString(t, script)+`}}]}}}}`)
	stacks, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	b := stacks[0].Billed
	want := map[string][3]int{ // billed metrics, period, high resolution
		"x-Anomaly-Critical":     {3, 60, 0},
		"x-Concurrency-Critical": {1, 10, 1},
		"x-Latency-Warning":      {2, 30, 1},
	}
	for _, a := range b.Alarms {
		hr := 0
		if a.HighResolution() {
			hr = 1
		}
		if got := [3]int{a.BilledMetrics(), a.PeriodSeconds, hr}; got != want[a.Name] {
			t.Errorf("%s: billed metrics, period, high resolution = %v; want %v", a.Name, got, want[a.Name])
		}
	}
	if len(b.Notebooks) != 1 || b.Notebooks[0].Metrics != 6 || b.Notebooks[0].PerGPU != 0 {
		t.Errorf("notebooks = %+v; want x-nb with 6 series (cpu, mem, swap, disk in all and per 2 paths)", b.Notebooks)
	}
	write(t, dir, "s.json", `{"Resources": {"L": {"Type": "AWS::SageMaker::NotebookInstanceLifecycleConfig", "Properties": {
		"NotebookInstanceLifecycleConfigName": "x-nb", "OnStart": [{"Content": "`+base64.StdEncoding.EncodeToString([]byte("CFG <<'SAGESIZE_CPU_CONFIG' || true\n{\"metrics\": {}}\nSAGESIZE_CPU_CONFIG\n"))+`"}]}}}}`)
	if _, err := Read(dir); err == nil || !contains(err.Error(), "lifecycle configuration x-nb: cwagent: metrics.metrics_collected is missing") {
		t.Errorf("Read(a script with a broken agent config) = %v; want an error naming the lifecycle configuration", err)
	}
}

func jsonString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
