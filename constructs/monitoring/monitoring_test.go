package monitoring

import (
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/catalog"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

func TestFamily_UnitConversions(t *testing.T) {
	g512 := mustInstance(t, "ml.g5.12xlarge") // 48 vCPUs, 4 GPUs
	tests := []struct {
		name          string
		f             family
		display       float64
		wantPublished float64
		wantExpr      string
	}{
		{"latency ms to µs", modelLatency(), 300, 300000, "x/1000"},
		{"overhead ms to µs", overheadLatency(), 2.5, 2500, "x/1000"},
		{"error % to fraction", invocation5XXRate(), 1, 0.01, "100*x"},
		{"CPU % of instance to sum over vCPUs", cpuUtilization(g512), 50, 2400, "x/48"},
		{"GPU % of instance to sum over GPUs", gpuUtilization(g512), 90, 360, "x/4"},
		{"GPU memory likewise", gpuMemoryUtilization(g512), 80, 320, "x/4"},
		{"memory is already 0-100", memoryUtilization(), 80, 80, "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.scale.ToPublished(tc.display); got != tc.wantPublished {
				t.Errorf("toPublished(%v) = %v; want %v", tc.display, got, tc.wantPublished)
			}
			if got := tc.f.scale.Expr("x"); got != tc.wantExpr {
				t.Errorf("scaleExpr(x) = %q; want %q", got, tc.wantExpr)
			}
		})
	}
}

func mustInstance(t *testing.T, typ string) catalog.Instance {
	t.Helper()
	i, err := catalog.New().Lookup(typ)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func val(v float64) *float64 { return &v }

// addEndpoint plans props with the facade's prefix and builds the plan.
func addEndpoint(t *testing.T, f *Facade, id string, props *EndpointMonitorProps) *EndpointMonitor {
	t.Helper()
	p, err := PlanEndpoint(f.props.Prefix, props)
	if err != nil {
		t.Fatal(err)
	}
	return f.AddEndpoint(jsii.String(id), p)
}

var (
	once     sync.Once
	tmpl     assertions.Template
	facade   *Facade
	tmplJSON map[string]any
)

// synth builds one stack with two endpoints that exercise what the example
// configs do not: a 4-GPU instance, actions on critical alarms, and an
// endpoint with warning thresholds only.
func synth(t *testing.T) (assertions.Template, map[string]any) {
	t.Helper()
	once.Do(func() {
		app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
		stack := awscdk.NewStack(app, jsii.String("Test"), nil)
		facade = NewFacade(stack, jsii.String("Monitoring"), &FacadeProps{
			Prefix: "test",
			Actions: Actions{
				WarningActions:   []string{"arn:aws:sns:us-east-1:123456789012:warn"},
				CriticalActions:  []string{"arn:aws:sns:us-east-1:123456789012:page"},
				CompositeActions: []string{"arn:aws:sns:us-east-1:123456789012:page"},
			},
		})
		eval := Evaluation{Period: time.Minute, EvaluationPeriods: 5, DatapointsToAlarm: 3}
		addEndpoint(t, facade, "Llm", &EndpointMonitorProps{
			EndpointName:  "llm",
			Variants:      []Variant{{Name: "AllTraffic", Count: 1, Instance: mustInstance(t, "ml.g5.12xlarge")}},
			SLOPercentile: "p99", SLOLatency: 2 * time.Second,
			Alarms: EndpointAlarms{
				ModelLatency:   &LatencyThresholds{Statistic: "p99", Thresholds: Thresholds{Critical: val(2000)}},
				GPUUtilization: &Thresholds{Critical: val(90)},
			},
			Evaluation: eval,
		})
		addEndpoint(t, facade, "Quiet", &EndpointMonitorProps{
			EndpointName:  "quiet",
			Variants:      []Variant{{Name: "AllTraffic", Count: 1, Instance: mustInstance(t, "ml.m5.large")}},
			SLOPercentile: "p50", SLOLatency: 20 * time.Millisecond,
			Alarms:     EndpointAlarms{MemoryUtilization: &Thresholds{Warning: val(80)}},
			Evaluation: eval,
		})
		addEndpoint(t, facade, "Muted", &EndpointMonitorProps{
			EndpointName:  "muted",
			Variants:      []Variant{{Name: "c5-xlarge", Count: 1, Instance: mustInstance(t, "ml.c5.xlarge")}},
			SLOPercentile: "p99", SLOLatency: 100 * time.Millisecond,
			Alarms: EndpointAlarms{ModelLatency: &LatencyThresholds{
				Statistic: "p99", Thresholds: Thresholds{Warning: val(80), Critical: val(100)},
			}},
			Evaluation: eval,
			Muted:      true,
		})
		tmpl = assertions.Template_FromStack(stack, nil)
		tmplJSON = *tmpl.ToJSON()
	})
	return tmpl, tmplJSON
}

func has(t *testing.T, typ string, props map[string]any) {
	t.Helper()
	tm, _ := synth(t)
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%v", r)
		}
	}()
	tm.HasResourceProperties(jsii.String(typ), &props)
}

func TestEndpointMonitor_GPUThresholdIsSumOverGPUs(t *testing.T) {
	has(t, "AWS::CloudWatch::Alarm", map[string]any{
		"AlarmName":  "test-llm-AllTraffic-GPUUtilization-Critical",
		"MetricName": "GPUUtilization",
		"Namespace":  "/aws/sagemaker/Endpoints",
		"Threshold":  360, // 90 % of 4 GPUs
		"Dimensions": []any{
			map[string]any{"Name": "EndpointName", "Value": "llm"},
			map[string]any{"Name": "VariantName", "Value": "AllTraffic"},
		},
		"EvaluationPeriods": 5,
		"DatapointsToAlarm": 3,
		"TreatMissingData":  "notBreaching",
	})
}

func TestEndpointMonitor_CriticalActionsAndComposite(t *testing.T) {
	page := "arn:aws:sns:us-east-1:123456789012:page"
	has(t, "AWS::CloudWatch::Alarm", map[string]any{
		"AlarmName":                        "test-llm-AllTraffic-ModelLatency-Critical",
		"ExtendedStatistic":                "p99",
		"Threshold":                        2000000,
		"EvaluateLowSampleCountPercentile": "ignore",
		"AlarmActions":                     []any{page},
	})
	// An endpoint with only warnings still gets a composite, over its warnings.
	has(t, "AWS::CloudWatch::CompositeAlarm", map[string]any{
		"AlarmName": "test-quiet-AnyCritical",
		"AlarmRule": `ALARM("test-quiet-AllTraffic-MemoryUtilization-Warning")`,
	})
	has(t, "AWS::CloudWatch::Alarm", map[string]any{
		"AlarmName":    "test-quiet-AllTraffic-MemoryUtilization-Warning",
		"AlarmActions": []any{"arn:aws:sns:us-east-1:123456789012:warn"},
	})
}

// A muted endpoint's alarms and composite exist, and its dashboard lists
// them, but none has an action, though the facade's every severity has.
func TestEndpointMonitor_MutedHasNoActions(t *testing.T) {
	_, j := synth(t)
	var alarms, composites int
	for id, r := range j["Resources"].(map[string]any) {
		r := r.(map[string]any)
		p, _ := r["Properties"].(map[string]any)
		name, _ := p["AlarmName"].(string)
		if !strings.HasPrefix(name, "test-muted-") {
			continue
		}
		switch r["Type"] {
		case "AWS::CloudWatch::Alarm":
			alarms++
		case "AWS::CloudWatch::CompositeAlarm":
			composites++
		}
		for _, k := range []string{"AlarmActions", "OKActions", "InsufficientDataActions"} {
			if v, ok := p[k]; ok {
				t.Errorf("%s (%s) has %s %v", name, id, k, v)
			}
		}
	}
	if alarms != 2 || composites != 1 {
		t.Errorf("muted endpoint has %d alarms and %d composites; want 2 and 1", alarms, composites)
	}
	for _, r := range j["Resources"].(map[string]any) {
		p := r.(map[string]any)["Properties"].(map[string]any)
		if p["DashboardName"] != "test-muted" {
			continue
		}
		body := subTemplate(p["DashboardBody"])
		for _, want := range []string{"Alarms notify no one", "test-muted-AnyCritical", "test-muted-c5-xlarge-ModelLatency-Warning"} {
			if !strings.Contains(body, want) {
				t.Errorf("muted dashboard lacks %q", want)
			}
		}
		return
	}
	t.Error("no dashboard test-muted")
}

func TestEndpointMonitor_DashboardGPUGraphs(t *testing.T) {
	_, j := synth(t)
	var body string
	for _, r := range j["Resources"].(map[string]any) {
		p := r.(map[string]any)["Properties"].(map[string]any)
		if p["DashboardName"] == "test-llm" {
			body = subTemplate(p["DashboardBody"])
		}
	}
	if body == "" {
		t.Fatal("no dashboard test-llm")
	}
	var parsed any
	if err := json.Unmarshal([]byte(body), &parsed); err != nil {
		t.Fatalf("dashboard body is not JSON: %v", err)
	}
	for _, want := range []string{
		`"title":"AllTraffic: GPU (% of 4 GPUs)"`,
		`"expression":"gpuraw/4"`,
		`"expression":"cpuraw/48"`,
		`{"label":"Critical: GPU > 90 %","value":90,"color":"#d62728"}`,
		`{"label":"SLO p99 ≤ 2000 ms","value":2000,"color":"#2ca02c"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard body lacks %s", want)
		}
	}
	if got := len(facade.Alarms()); got != 5 {
		t.Errorf("Facade.Alarms() = %d alarms; want 5", got)
	}
	if got := len(facade.Dashboards()); got != 3 {
		t.Errorf("Facade.Dashboards() = %d; want 3", got)
	}
}

func TestNewFacade_PanicsWithoutPrefix(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewFacade accepted an empty prefix")
		}
	}()
	NewFacade(nil, jsii.String("x"), &FacadeProps{})
}
