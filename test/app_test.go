// Package test synthesizes the whole sagesize app for every example config,
// in one jsii runtime, and checks the templates: golden files, template
// assertions and cdk-nag's AwsSolutions rules.
package test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/sagesize/sagesize/app"
	"github.com/sagesize/sagesize/config"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// synthNow is the synthesis time of every test app, as -c
// sagesize:now=2026-01-01T00:00:00Z gives it: the sizing deadline counts
// from it, so that the goldens do not change with the clock.
var synthNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// The example configs, by short name.
var examples = map[string]string{
	"sagesize":       "../sagesize.yaml",
	"minimal":        "../config/examples/minimal.yaml",
	"existing-topic": "../config/examples/existing-topic.yaml",
	"notebooks":      "../config/examples/notebooks.yaml",
	"loadtest":       "../config/examples/loadtest.yaml",
	"sizing":         "../config/examples/sizing.yaml",
	"serverless":     "../config/examples/serverless.yaml",
	"async":          "../config/examples/async.yaml",
	"multimodel":     "../config/examples/multimodel.yaml",
	"components":     "../config/examples/components.yaml",
	"autoscaling":    "../config/examples/autoscaling.yaml",
	"fleet-shared":   "../config/examples/fleet-shared.yaml",
	"llm":            "../config/examples/llm.yaml",
	"llm-sizing":     "../config/examples/llm-sizing.yaml",
}

// synthesized is one example's synthesized app.
type synthesized struct {
	cfg    *config.Config
	stacks *app.Stacks
	// tmpl and json are the core stack's template; others are every
	// other stack's (shards, overview), by stack name.
	tmpl   assertions.Template
	json   map[string]any
	others map[string]map[string]any
}

var (
	synthMu sync.Mutex
	synths  = map[string]*synthesized{}
)

// synth synthesizes example name once per test binary, with cdk-nag's
// AwsSolutions checks applied, and caches the result.
func synth(t *testing.T, name string) *synthesized {
	t.Helper()
	synthMu.Lock()
	defer synthMu.Unlock()
	if s, ok := synths[name]; ok {
		return s
	}
	cfg, err := config.Load(examples[name], nil)
	if err != nil {
		t.Fatal(err)
	}
	s := synthConfig(t, cfg, "")
	synths[name] = s
	return s
}

// synthConfig synthesizes the app for cfg in an app of its own, with
// cdk-nag's AwsSolutions checks and packs applied, into outdir (empty: a
// temporary directory of the CDK's), where cdk-nag writes its reports.
func synthConfig(t *testing.T, cfg *config.Config, outdir string, packs ...awscdk.IAspect) *synthesized {
	t.Helper()
	props := &awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)}
	if outdir != "" {
		props.Outdir = jsii.String(outdir)
	}
	a := awscdk.NewApp(props)
	stacks, err := app.New(a, cfg, &app.Options{LoadgenImage: awsecs.ContainerImage_FromRegistry(jsii.String("sagesize/loadgen:test"), nil), Now: synthNow})
	if err != nil {
		t.Fatal(err)
	}
	awscdk.Aspects_Of(a).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	for _, p := range packs {
		awscdk.Aspects_Of(a).Add(p, nil)
	}
	tmpl := assertions.Template_FromStack(stacks.Monitoring, nil)
	s := &synthesized{cfg: cfg, stacks: stacks, tmpl: tmpl, json: *tmpl.ToJSON(), others: map[string]map[string]any{}}
	for _, st := range stacks.All()[1:] {
		s.others[*st.StackName()] = *assertions.Template_FromStack(st, nil).ToJSON()
	}
	return s
}

// check runs a CDK assertion, which panics on failure, and reports the
// failure as a test error so that the other tests still run.
func check(t *testing.T, assertion func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%v", r)
		}
	}()
	assertion()
}

// subTemplate is the template string of a Fn::Sub, in its string or
// [string, variables] form.
func subTemplate(v any) (string, bool) {
	sub := v.(map[string]any)["Fn::Sub"]
	if a, ok := sub.([]any); ok && len(a) == 2 {
		sub = a[0]
	}
	s, ok := sub.(string)
	return s, ok
}

// setSubTemplate replaces the template string of the Fn::Sub at key of p,
// keeping its variables.
func setSubTemplate(p map[string]any, key, s string) {
	if a, ok := p[key].(map[string]any)["Fn::Sub"].([]any); ok && len(a) == 2 {
		p[key] = map[string]any{"Fn::Sub": []any{s, a[1]}}
		return
	}
	p[key] = map[string]any{"Fn::Sub": s}
}

// has asserts that a resource of type typ has at least props.
func (s *synthesized) has(t *testing.T, typ string, props map[string]any) {
	t.Helper()
	check(t, func() { s.tmpl.HasResourceProperties(jsii.String(typ), &props) })
}

// resources returns the template's resources of type typ, by logical id.
func (s *synthesized) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range s.json["Resources"].(map[string]any) {
		r := r.(map[string]any)
		if r["Type"] == typ {
			out[id] = r
		}
	}
	return out
}

// alarm returns the properties of the alarm named name.
func (s *synthesized) alarm(t *testing.T, name string) map[string]any {
	t.Helper()
	for _, r := range s.resources("AWS::CloudWatch::Alarm") {
		p := r["Properties"].(map[string]any)
		if p["AlarmName"] == name {
			return p
		}
	}
	t.Fatalf("no alarm named %s", name)
	return nil
}

// allResources returns the resources of type typ in every stack.
func (s *synthesized) allResources(typ string) []map[string]any {
	var out []map[string]any
	for _, tmpl := range append([]map[string]any{s.json}, values(s.others)...) {
		for _, r := range tmpl["Resources"].(map[string]any) {
			if r := r.(map[string]any); r["Type"] == typ {
				out = append(out, r)
			}
		}
	}
	return out
}

func values[V any](m map[string]V) []V {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]V, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

// dashboards returns each dashboard's body of every stack, parsed, by
// dashboard name.
func (s *synthesized) dashboards(t *testing.T) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, r := range s.allResources("AWS::CloudWatch::Dashboard") {
		p := r["Properties"].(map[string]any)
		sub, ok := subTemplate(p["DashboardBody"])
		if !ok {
			t.Fatalf("DashboardBody of %v is not a Fn::Sub", p["DashboardName"])
		}
		var body map[string]any
		if err := json.Unmarshal([]byte(sub), &body); err != nil {
			t.Fatalf("dashboard %v: body is not JSON: %v", p["DashboardName"], err)
		}
		out[p["DashboardName"].(string)] = body
	}
	return out
}

func TestGolden(t *testing.T) {
	for name := range examples {
		t.Run(name, func(t *testing.T) {
			s := synth(t, name)
			tmpl, err := json.MarshalIndent(s.json, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			dash, err := json.MarshalIndent(s.dashboards(t), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", name+".template.golden.json"), tmpl)
			for stack, j := range s.others {
				other, err := json.MarshalIndent(j, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				checkGolden(t, filepath.Join("testdata", name+"."+stack+".template.golden.json"), other)
			}
			checkGolden(t, filepath.Join("testdata", name+".dashboards.golden.json"), dash)
		})
	}
}

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./test -update to create it)", err)
	}
	if string(got) != string(want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				g, w := around(gl[i], wl[i])
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(review the change, then go test ./test -update)", path, i+1, g, w)
			}
		}
		t.Fatalf("%s differs in length: got %d lines, want %d (go test ./test -update)", path, len(gl), len(wl))
	}
}

// around cuts two differing lines down to the 80 characters either side of
// their first difference: dashboard bodies are one long line each.
func around(a, b string) (string, string) {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	cut := func(s string) string {
		lo, hi := max(0, i-80), min(len(s), i+80)
		return "…" + s[lo:hi] + "…"
	}
	return cut(a), cut(b)
}

func TestCdkNag_AwsSolutionsHasNoErrors(t *testing.T) {
	for name := range examples {
		t.Run(name, func(t *testing.T) {
			s := synth(t, name)
			for _, st := range s.stacks.All() {
				ann := assertions.Annotations_FromStack(st)
				errs := ann.FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*")))
				for _, e := range *errs {
					t.Errorf("cdk-nag: %s: %s: %v", *st.StackName(), *e.Id, e.Entry.Data)
				}
				warns := ann.FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*")))
				for _, w := range *warns {
					t.Errorf("cdk-nag warning: %s: %s: %v", *st.StackName(), *w.Id, w.Entry.Data)
				}
			}
		})
	}
}

func TestResourceCounts(t *testing.T) {
	tests := []struct {
		example                                            string
		alarms, composites, dashboards, topics, keys, subs int
	}{
		// churn-xgb: 12 alarms; sentiment-bert: cpu variant 6, gpu variant 9;
		// notebook churn-research: 9. Dashboards: 2 endpoints, 1 notebook and
		// the fleet overview (in the core stack: one endpoint stack).
		{"sagesize", 36, 3, 4, 1, 1, 1},
		// The SLO alone makes one critical ModelLatency alarm.
		{"minimal", 1, 1, 1, 1, 1, 0},
		// An existing topic: no topic, key or subscription of ours. 3 variants:
		// model latency 2, overhead 1, model errors 2, disk 2 each = 21, plus
		// GPU 1 + GPU memory 2 on the g6 variant only.
		{"existing-topic", 24, 1, 1, 0, 0, 0}, // one endpoint: no overview
		// ds-sandbox: memory 2, disk 1; llm-finetune: GPU 1, GPU memory 1,
		// CPU 1. Keys: the topic's and the created notebook's volume key.
		{"notebooks", 6, 2, 2, 1, 2, 0},
		// The sizing endpoint: the SLO's ModelLatency alarm per candidate
		// (4), their composite, one dashboard; the topic exists for the
		// other endpoints a config may have.
		{"sizing", 4, 1, 1, 1, 1, 0},
		// sentiment: the SLO's ModelLatency, overhead, 5XX and memory (4);
		// language-id: the SLO's alarm. Dashboards: 2 endpoints, the overview.
		{"serverless", 5, 2, 3, 1, 1, 0},
		// ocr: oldest request age 2; gpu: latency, failures 2, 5XX, GPU,
		// memory (6); cpu: the same without GPU (5). One endpoint: no overview.
		{"async", 13, 1, 1, 1, 1, 0},
		// per-store: the SLO's ModelLatency, loading wait 2, cache hit 2, CPU.
		{"multimodel", 6, 1, 1, 1, 1, 0},
		// Per component: the SLO's ModelLatency, 5XX, GPU, GPU memory (4).
		{"components", 8, 1, 1, 1, 1, 0},
		// churn-xgb and support-llm: the SLO's ModelLatency each; two
		// endpoints and the overview. Autoscaling adds no alarm of ours.
		{"autoscaling", 2, 2, 3, 1, 1, 0},
		// fraud-a: the SLO's ModelLatency, CPU 2; fraud-b: the SLO's, CPU;
		// ranker: the SLO's per variant, GPU on gpu; embedder: the SLO's;
		// batch-scorer: the SLO's, oldest request age. Dashboards: 3 shared
		// (realtime m5.xlarge and g5.xlarge, async m5.xlarge), the overview.
		{"fleet-shared", 11, 5, 4, 1, 1, 0},
		// llama-chat: the SLO's ModelLatency, 5XX and GPU memory (3); the
		// sizing endpoint: the SLO's ModelLatency per candidate (2).
		// Dashboards: 2 endpoints, the overview.
		{"llm", 5, 2, 3, 1, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.example, func(t *testing.T) {
			tmpl := synth(t, tc.example).tmpl
			for typ, n := range map[string]int{
				"AWS::CloudWatch::Alarm":          tc.alarms,
				"AWS::CloudWatch::CompositeAlarm": tc.composites,
				"AWS::CloudWatch::Dashboard":      tc.dashboards,
				"AWS::SNS::Topic":                 tc.topics,
				"AWS::KMS::Key":                   tc.keys,
				"AWS::SNS::Subscription":          tc.subs,
			} {
				check(t, func() { tmpl.ResourceCountIs(jsii.String(typ), jsii.Number(n)) })
			}
		})
	}
}

// Alarms compare the metric in the unit SageMaker publishes it: latency in
// microseconds, CPU as the sum over vCPUs, error rates as the fraction that
// Average gives. The dashboard draws the same threshold in display units.
func TestAlarmThresholdsAreInThePublishedUnit(t *testing.T) {
	tests := []struct {
		name      string
		metric    string
		namespace string
		stat      string
		threshold float64
	}{
		// 300 ms SLO on ModelLatency (µs): 300000, not 300.
		{"churn-churn-xgb-AllTraffic-ModelLatency-Critical", "ModelLatency", "AWS/SageMaker", "p99", 300000},
		{"churn-churn-xgb-AllTraffic-ModelLatency-Warning", "ModelLatency", "AWS/SageMaker", "p99", 250000},
		{"churn-churn-xgb-AllTraffic-OverheadLatency-Critical", "OverheadLatency", "AWS/SageMaker", "Average", 50000},
		// 1 % of invocations: Average of a 0/1 metric is 0.01.
		{"churn-churn-xgb-AllTraffic-Invocation5XXErrorRate-Critical", "Invocation5XXErrors", "AWS/SageMaker", "Average", 0.01},
		{"churn-churn-xgb-AllTraffic-ModelErrorRate-Critical", "InvocationModelErrors", "AWS/SageMaker", "Average", 0.01},
		// 90 % of an ml.c5.xlarge (4 vCPUs): 360 on SageMaker's 0–400 scale.
		{"churn-churn-xgb-AllTraffic-CPUUtilization-Critical", "CPUUtilization", "/aws/sagemaker/Endpoints", "Average", 360},
		// 75 % of an ml.c6i.2xlarge (8 vCPUs): 600.
		{"churn-sentiment-bert-cpu-c6i-CPUUtilization-Warning", "CPUUtilization", "/aws/sagemaker/Endpoints", "Average", 600},
		{"churn-churn-xgb-AllTraffic-MemoryUtilization-Critical", "MemoryUtilization", "/aws/sagemaker/Endpoints", "Average", 90},
		{"churn-sentiment-bert-gpu-g5-GPUUtilization-Critical", "GPUUtilization", "/aws/sagemaker/Endpoints", "Average", 95},
	}
	s := synth(t, "sagesize")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			props := map[string]any{
				"AlarmName":          tc.name,
				"MetricName":         tc.metric,
				"Namespace":          tc.namespace,
				"Threshold":          tc.threshold,
				"ComparisonOperator": "GreaterThanThreshold",
				"Period":             60,
			}
			if strings.HasPrefix(tc.stat, "p") {
				props["ExtendedStatistic"] = tc.stat
				props["Statistic"] = assertions.Match_Absent()
			} else {
				props["Statistic"] = tc.stat
			}
			s.has(t, "AWS::CloudWatch::Alarm", props)
		})
	}
}

// The latency graph divides the µs metric by 1000 and draws the 300 ms
// SLO and thresholds at 300 and 250: the same alarm, in the graph's unit.
func TestLatencyGraphIsInMillisWithThresholdLines(t *testing.T) {
	s := synth(t, "sagesize")
	body := s.dashboards(t)["churn-churn-xgb"]
	g := findGraph(t, body, "AllTraffic: ModelLatency (ms)")
	metrics := g["metrics"].([]any)
	var exprs []string
	for _, m := range metrics {
		arr := m.([]any)
		if opts, ok := arr[0].(map[string]any); ok {
			exprs = append(exprs, opts["expression"].(string))
		}
	}
	if want := []string{"mlat0raw/1000", "mlat1raw/1000", "mlat2raw/1000"}; strings.Join(exprs, ",") != strings.Join(want, ",") {
		t.Errorf("latency expressions = %v; want %v", exprs, want)
	}
	var lines []string
	for _, h := range g["annotations"].(map[string]any)["horizontal"].([]any) {
		h := h.(map[string]any)
		lines = append(lines, h["label"].(string)+"@"+jsonNum(h["value"]))
	}
	want := "SLO p99 ≤ 300 ms@300,Warning: ModelLatency p99 > 250 ms@250,Critical: ModelLatency p99 > 300 ms@300"
	if got := strings.Join(lines, ","); got != want {
		t.Errorf("annotations = %s; want %s", got, want)
	}
}

func jsonNum(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func findGraph(t *testing.T, body map[string]any, title string) map[string]any {
	t.Helper()
	var titles []string
	for _, w := range body["widgets"].([]any) {
		p := w.(map[string]any)["properties"].(map[string]any)
		if p["title"] == title {
			return p
		}
		if s, ok := p["title"].(string); ok {
			titles = append(titles, s)
		}
	}
	t.Fatalf("no graph %q among %v", title, titles)
	return nil
}

func TestAlarmActions(t *testing.T) {
	s := synth(t, "sagesize")
	topic := map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^AlarmTopic"))}
	// Warnings notify the topic; criticals are gathered by the composite.
	s.has(t, "AWS::CloudWatch::Alarm", map[string]any{
		"AlarmName":    "churn-churn-xgb-AllTraffic-CPUUtilization-Warning",
		"AlarmActions": []any{topic},
		"OKActions":    []any{topic},
	})
	s.has(t, "AWS::CloudWatch::Alarm", map[string]any{
		"AlarmName":    "churn-churn-xgb-AllTraffic-CPUUtilization-Critical",
		"AlarmActions": assertions.Match_Absent(),
	})
	s.has(t, "AWS::CloudWatch::CompositeAlarm", map[string]any{
		"AlarmName":    "churn-churn-xgb-AnyCritical",
		"AlarmActions": []any{topic},
	})

	// With warnings: false and an existing topic, warnings notify nobody and
	// the composite notifies the given ARN.
	e := synth(t, "existing-topic")
	arn := "arn:aws:sns:eu-west-1:123456789012:ml-platform-alerts"
	e.has(t, "AWS::CloudWatch::Alarm", map[string]any{
		"AlarmName":    "recsys-r2026-11-recsys-ranker-cpu-ModelLatency-Warning",
		"AlarmActions": assertions.Match_Absent(),
	})
	e.has(t, "AWS::CloudWatch::CompositeAlarm", map[string]any{
		"AlarmName":    "recsys-r2026-11-recsys-ranker-AnyCritical",
		"AlarmActions": []any{arn},
	})
}

func TestCompositeAlarmGathersEveryCriticalAlarm(t *testing.T) {
	s := synth(t, "sagesize")
	critical := map[string]string{} // logical id -> alarm name
	for id, r := range s.resources("AWS::CloudWatch::Alarm") {
		name := r["Properties"].(map[string]any)["AlarmName"].(string)
		if strings.HasPrefix(name, "churn-churn-xgb-") && strings.HasSuffix(name, "-Critical") {
			critical[id] = name
		}
	}
	for _, r := range s.resources("AWS::CloudWatch::CompositeAlarm") {
		p := r["Properties"].(map[string]any)
		if p["AlarmName"] != "churn-churn-xgb-AnyCritical" {
			continue
		}
		rule := p["AlarmRule"].(string)
		deps, _ := json.Marshal(r["DependsOn"])
		for id, name := range critical {
			if !strings.Contains(rule, `ALARM("`+name+`")`) {
				t.Errorf("composite rule lacks critical alarm %s: %s", name, rule)
			}
			// The composite is created after the alarms it names.
			if !strings.Contains(string(deps), `"`+id+`"`) {
				t.Errorf("composite does not depend on %s: DependsOn %s", id, deps)
			}
		}
		if got, want := strings.Count(rule, "ALARM("), len(critical); got != want || want != 7 {
			t.Errorf("composite rule has %d terms; want %d (= 7 critical alarms)", got, want)
		}
		return
	}
	t.Fatal("no composite alarm churn-churn-xgb-AnyCritical")
}

func TestTopicIsEncryptedAndSSLOnly(t *testing.T) {
	s := synth(t, "sagesize")
	s.has(t, "AWS::SNS::Topic", map[string]any{
		"KmsMasterKeyId": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^AlarmTopicKey")), "Arn"}},
	})
	s.has(t, "AWS::KMS::Key", map[string]any{"EnableKeyRotation": true})
	s.has(t, "AWS::SNS::TopicPolicy", map[string]any{
		"PolicyDocument": assertions.Match_ObjectLike(&map[string]any{
			"Statement": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{
					"Effect":    "Deny",
					"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
				}),
				assertions.Match_ObjectLike(&map[string]any{
					"Effect":    "Allow",
					"Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"},
					"Action":    "sns:Publish",
				}),
			}),
		}),
	})
	s.has(t, "AWS::SNS::Subscription", map[string]any{
		"Protocol": "email", "Endpoint": "ml-oncall@example.com",
	})
}

func TestStackNamesCarryTheRelease(t *testing.T) {
	s := synth(t, "existing-topic")
	st := s.stacks.Monitoring
	if got, want := *st.StackName(), "recsys-r2026-11-monitoring"; got != want {
		t.Errorf("stack name = %q; want %q", got, want)
	}
	if got := *st.Region(); got != "eu-west-1" {
		t.Errorf("stack region = %q; want eu-west-1 (pinned in the config)", got)
	}
	if got := *synth(t, "minimal").stacks.Monitoring.Region(); !strings.HasPrefix(got, "${Token") {
		t.Errorf("minimal stack region = %q; want an unresolved token (environment-agnostic)", got)
	}
}

func TestDashboardsHaveEveryAlarmAndComparisons(t *testing.T) {
	s := synth(t, "sagesize")
	body := s.dashboards(t)["churn-sentiment-bert"]
	var status map[string]any
	for _, w := range body["widgets"].([]any) {
		w := w.(map[string]any)
		if w["type"] == "alarm" {
			status = w["properties"].(map[string]any)
		}
	}
	if status == nil {
		t.Fatal("no alarm status widget")
	}
	// 15 threshold alarms plus the composite.
	if got := len(status["alarms"].([]any)); got != 16 {
		t.Errorf("alarm status widget lists %d alarms; want 16", got)
	}
	for _, title := range []string{
		"ModelLatency p90 by variant (ms)", "CPU by variant (% of instance)", "GPU by variant (% of instance)",
		"gpu-g5: GPU (% of 1 GPU)", "cpu-c6i: CPU (% of 8 vCPUs)",
	} {
		findGraph(t, body, title)
	}
	if _, ok := s.dashboards(t)["churn-churn-xgb"]; !ok {
		t.Error("no dashboard churn-churn-xgb")
	}
	// A CPU-only endpoint has no GPU graphs.
	for _, w := range s.dashboards(t)["churn-churn-xgb"]["widgets"].([]any) {
		if title, _ := w.(map[string]any)["properties"].(map[string]any)["title"].(string); strings.Contains(title, "GPU") {
			t.Errorf("CPU-only dashboard has GPU graph %q", title)
		}
	}
}
