package dashcheck

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	contract "github.com/sagesize/sagesize/metrics"
)

// base is a small valid body in the shape sagesize renders: a header, an
// alarm status widget, and a latency graph drawn through math from a hidden
// µs metric, with a threshold line.
const base = `{
  "start": "-PT3H",
  "periodOverride": "inherit",
  "widgets": [
    {"type": "text", "x": 0, "y": 0, "width": 16, "height": 4, "properties": {"markdown": "# ep"}},
    {"type": "alarm", "x": 16, "y": 0, "width": 8, "height": 4, "properties": {
      "title": "Alarms", "sortBy": "stateUpdatedTimestamp",
      "alarms": ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:p-ep-AllTraffic-ModelLatency-Critical"]}},
    {"type": "metric", "x": 0, "y": 4, "width": 8, "height": 6, "properties": {
      "title": "ModelLatency (ms)", "view": "timeSeries", "stacked": false, "region": "us-east-1",
      "legend": {"position": "bottom"},
      "yAxis": {"left": {"min": 0, "label": "ms", "showUnits": false}},
      "annotations": {"horizontal": [{"label": "SLO", "value": 300, "color": "#d62728"}]},
      "metrics": [
        ["AWS/SageMaker", "ModelLatency", "EndpointName", "ep", "VariantName", "AllTraffic", {"stat": "p99", "period": 60, "id": "mraw", "visible": false}],
        [{"expression": "mraw/1000", "label": "p99", "id": "m"}],
        ["/aws/sagemaker/Endpoints", "CPUUtilization", "EndpointName", "ep", "VariantName", "AllTraffic", {"stat": "Average", "yAxis": "right"}],
        ["SageSize/Notebook", "mem_used_percent", "NotebookInstanceName", "nb", {"stat": "Maximum"}]
      ]}}
  ]
}`

// mutate parses base, applies f to it and renders it again.
func mutate(t *testing.T, f func(b map[string]any)) []byte {
	t.Helper()
	var b map[string]any
	if err := json.Unmarshal([]byte(base), &b); err != nil {
		t.Fatal(err)
	}
	f(b)
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func widget(b map[string]any, i int) map[string]any { return b["widgets"].([]any)[i].(map[string]any) }
func props(b map[string]any, i int) map[string]any {
	return widget(b, i)["properties"].(map[string]any)
}
func metrics(b map[string]any) []any { return props(b, 2)["metrics"].([]any) }
func setMetrics(b map[string]any, ms ...any) {
	props(b, 2)["metrics"] = ms
}

func catalogue(t *testing.T) *Catalogue {
	t.Helper()
	c, err := DefaultCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func options(t *testing.T) Options {
	return Options{Catalogue: catalogue(t), Alarms: map[string]bool{"p-ep-AllTraffic-ModelLatency-Critical": true}}
}

func TestValidateBody_AcceptsTheBase(t *testing.T) {
	if err := ValidateBody([]byte(base), options(t)); err != nil {
		t.Fatalf("the valid base body was rejected:\n%v", err)
	}
}

// Each broken body must be rejected with a message that names the problem.
func TestValidateBody_RejectsBrokenBodies(t *testing.T) {
	hidden := func(id string) []any {
		return []any{"AWS/SageMaker", "Invocations", "EndpointName", "ep", "VariantName", "AllTraffic", map[string]any{"stat": "Sum", "id": id, "visible": false}}
	}
	visible := []any{"AWS/SageMaker", "Invocations", "EndpointName", "ep", "VariantName", "AllTraffic"}
	tests := []struct {
		name string
		edit func(b map[string]any)
		want string
	}{
		{"widget 30 columns wide", func(b map[string]any) { widget(b, 2)["width"] = 30 }, "width is 30; it must be 1–24"},
		{"widget past the right edge", func(b map[string]any) { widget(b, 2)["x"] = 20 }, "x 20 + width 8 runs past the 24-column grid"},
		{"x out of the grid", func(b map[string]any) { widget(b, 2)["x"] = 24 }, "x is 24; it must be 0–23"},
		{"height 0", func(b map[string]any) { widget(b, 0)["height"] = 0 }, "height is 0; it must be 1–1000"},
		{"height 1001", func(b map[string]any) { widget(b, 2)["height"] = 1001 }, "height is 1001"},
		{"fractional width", func(b map[string]any) { widget(b, 2)["width"] = 7.5 }, "width must be an integer"},
		{"overlapping widgets", func(b map[string]any) { widget(b, 2)["y"] = 2 }, "widgets[2]: overlaps widgets[0]"},
		{"missing position", func(b map[string]any) { delete(widget(b, 0), "y") }, "widgets[0]: y is missing"},
		{"501 widgets", func(b map[string]any) {
			ws := []any{}
			for i := range 501 {
				ws = append(ws, map[string]any{"type": "text", "x": 0, "y": i, "width": 1, "height": 1, "properties": map[string]any{"markdown": "x"}})
			}
			b["widgets"] = ws
		}, "501 widgets; a dashboard holds at most 500"},
		{"no widgets array", func(b map[string]any) { delete(b, "widgets") }, "widgets is missing"},
		{"unknown top-level key", func(b map[string]any) { b["widget"] = []any{} }, `unknown property "widget"`},
		{"bad periodOverride", func(b map[string]any) { b["periodOverride"] = "always" }, "periodOverride must be one of auto, inherit"},
		{"unknown widget type", func(b map[string]any) { widget(b, 0)["type"] = "markdown" }, `unknown widget type "markdown"`},
		{"misspelled graph property", func(b map[string]any) { props(b, 2)["stackd"] = true }, `unknown property "stackd"`},
		{"graph without region", func(b map[string]any) { delete(props(b, 2), "region") }, "region is missing"},
		{"bad view", func(b map[string]any) { props(b, 2)["view"] = "line" }, "view must be one of"},
		{"bad legend position", func(b map[string]any) { props(b, 2)["legend"] = map[string]any{"position": "left"} }, "position must be one of bottom, right, hidden"},
		{"inverted y axis", func(b map[string]any) {
			props(b, 2)["yAxis"] = map[string]any{"left": map[string]any{"min": 100, "max": 0}}
		}, "min 100 is not below max 0"},
		{"annotation without value", func(b map[string]any) {
			props(b, 2)["annotations"] = map[string]any{"horizontal": []any{map[string]any{"label": "x"}}}
		}, "value must be a number"},
		{"text without markdown", func(b map[string]any) { delete(props(b, 0), "markdown") }, "markdown is missing"},
		{"alarm widget with an unknown alarm", func(b map[string]any) {
			props(b, 1)["alarms"] = []any{"arn:aws:cloudwatch:us-east-1:123456789012:alarm:p-ep-Typo"}
		}, `no alarm named "p-ep-Typo" exists`},
		{"alarm widget with a non-ARN", func(b map[string]any) { props(b, 1)["alarms"] = []any{"p-ep-x"} }, "is not a CloudWatch alarm ARN"},
		{"alarm widget with bad states", func(b map[string]any) { props(b, 1)["states"] = []any{"FIRING"} }, `"FIRING" is not ALARM`},
		{"metric with a dimension and no value", func(b map[string]any) {
			setMetrics(b, []any{"AWS/SageMaker", "Invocations", "EndpointName", "ep", "VariantName"})
		}, `dimension "VariantName" has no value`},
		{"metric with a number in it", func(b map[string]any) {
			setMetrics(b, []any{"AWS/SageMaker", "Invocations", "EndpointName", 3})
		}, "element 3 must be a string"},
		{"metric line not an array", func(b map[string]any) { setMetrics(b, "AWS/SageMaker") }, "must be a non-empty array"},
		{"shorthand", func(b map[string]any) { setMetrics(b, visible, []any{".", "InvocationsPerInstance", ".", "ep"}) }, `the "." shorthand`},
		{"misspelled SageMaker metric", func(b map[string]any) {
			setMetrics(b, []any{"AWS/SageMaker", "ModelLatancy", "EndpointName", "ep", "VariantName", "AllTraffic"})
		}, `AWS/SageMaker publishes no metric "ModelLatancy" (did you mean ModelLatency`},
		{"SageMaker metric with a wrong dimension set", func(b map[string]any) {
			setMetrics(b, []any{"AWS/SageMaker", "ModelLatency", "EndpointName", "ep"})
		}, "AWS/SageMaker ModelLatency is not published with dimensions {EndpointName}; it is published with {EndpointName,VariantName}"},
		{"instance metric in the invocations namespace", func(b map[string]any) {
			setMetrics(b, []any{"AWS/SageMaker", "CPUUtilization", "EndpointName", "ep", "VariantName", "AllTraffic"})
		}, `AWS/SageMaker publishes no metric "CPUUtilization"`},
		{"agent metric without its dimension", func(b map[string]any) {
			setMetrics(b, []any{"SageSize/Notebook", "mem_used_percent"})
		}, "SageSize/Notebook mem_used_percent is not published with dimensions {}"},
		{"unknown namespace", func(b map[string]any) { setMetrics(b, []any{"AWS/Sagemaker", "Invocations"}) }, `namespace "AWS/Sagemaker" is not in the metric catalogue`},
		{"expression referencing a missing id", func(b map[string]any) {
			metrics(b)[1] = []any{map[string]any{"expression": "mraw/1000 + mother", "id": "m"}}
		}, `refers to id "mother", which no line of the widget has`},
		{"expression referencing itself", func(b map[string]any) {
			metrics(b)[1] = []any{map[string]any{"expression": "m*2 + mraw", "id": "m"}}
		}, "refers to its own id"},
		{"duplicate id", func(b map[string]any) {
			setMetrics(b, hidden("a"), hidden("a"), []any{map[string]any{"expression": "a"}})
		}, `id "a" is used twice`},
		{"upper-case id", func(b map[string]any) {
			setMetrics(b, hidden("Raw"), []any{map[string]any{"expression": "SUM(METRICS())"}})
		}, `id "Raw" must start with a lower-case letter`},
		{"hidden line nobody uses", func(b map[string]any) { setMetrics(b, hidden("unused"), visible) }, "hidden (visible: false) but no expression uses it"},
		{"every line hidden", func(b map[string]any) {
			setMetrics(b, hidden("a"), []any{map[string]any{"expression": "a*2", "id": "b", "visible": false}})
		}, "every line is hidden"},
		{"expression without expression", func(b map[string]any) { setMetrics(b, []any{map[string]any{"id": "e"}}) }, "expression is missing"},
		{"bad statistic", func(b map[string]any) {
			setMetrics(b, []any{"AWS/SageMaker", "Invocations", "EndpointName", "ep", "VariantName", "AllTraffic", map[string]any{"stat": "Avg"}})
		}, `"Avg" is not a CloudWatch statistic`},
		{"bad period", func(b map[string]any) {
			setMetrics(b, []any{"AWS/SageMaker", "Invocations", "EndpointName", "ep", "VariantName", "AllTraffic", map[string]any{"period": 45}})
		}, "45 seconds: must be 1, 5, 10, 30 or a multiple of 60"},
		{"bad color", func(b map[string]any) {
			setMetrics(b, []any{"AWS/SageMaker", "Invocations", "EndpointName", "ep", "VariantName", "AllTraffic", map[string]any{"color": "red"}})
		}, `color "red" is not #rrggbb`},
		{"501 metrics in a widget", func(b map[string]any) {
			ms := []any{}
			for range 501 {
				ms = append(ms, visible)
			}
			setMetrics(b, ms...)
		}, "501 metrics; a widget holds at most 500"},
		{"2501 metrics in a dashboard", func(b map[string]any) {
			ms := []any{}
			for range 417 {
				ms = append(ms, visible)
			}
			ws := []any{}
			for i := range 6 {
				ws = append(ws, map[string]any{"type": "metric", "x": 0, "y": 6 * i, "width": 6, "height": 6,
					"properties": map[string]any{"region": "us-east-1", "metrics": ms}})
			}
			b["widgets"] = ws
		}, "2502 metrics in all widgets; a dashboard holds at most 2500"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateBody(mutate(t, tc.edit), options(t))
			if err == nil {
				t.Fatalf("accepted; want an error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error does not contain %q:\n%v", tc.want, err)
			}
		})
	}
}

func TestValidateBody_RejectsNonJSON(t *testing.T) {
	for _, body := range []string{``, `{`, `[]`, `{"widgets": []} {}`, `{"widgets": {}}`} {
		if err := ValidateBody([]byte(body), Options{}); err == nil {
			t.Errorf("body %q accepted", body)
		}
	}
}

func TestResolve(t *testing.T) {
	env := DefaultEnv()
	env.Mappings = map[string]any{"ConsoleDomains": map[string]any{"aws": map[string]any{"domain": "console.aws.amazon.com"}}}
	tests := []struct {
		name    string
		in      string // JSON
		want    string
		wantErr string
	}{
		{"literal", `"abc"`, "abc", ""},
		{"Fn::Sub string", `{"Fn::Sub": "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:x"}`, "arn:aws:cloudwatch:us-east-1:123456789012:alarm:x", ""},
		{"Fn::Sub literal", `{"Fn::Sub": "${!Keep} ${AWS::Region}"}`, "${Keep} us-east-1", ""},
		{"Fn::Sub variables", `{"Fn::Sub": ["${A}-${AWS::Region}", {"A": {"Ref": "AWS::AccountId"}}]}`, "123456789012-us-east-1", ""},
		{"Fn::Join", `{"Fn::Join": ["", ["a:", {"Ref": "AWS::Region"}, ":", {"Fn::Sub": "${AWS::Partition}"}]]}`, "a:us-east-1:aws", ""},
		{"resource reference in Fn::Sub", `{"Fn::Sub": "${AlarmTopic}"}`, "", "${AlarmTopic} refers to a resource or parameter"},
		{"Ref of a resource", `{"Ref": "AlarmTopic"}`, "", "only pseudo parameters"},
		{"Fn::GetAtt", `{"Fn::GetAtt": ["A", "Arn"]}`, "", "Fn::GetAtt cannot be resolved statically"},
		{"unterminated", `{"Fn::Sub": "${AWS::Region"}`, "", "unterminated"},
		{"number", `3`, "", "cannot resolve"},
		{"Fn::FindInMap by partition", `{"Fn::Sub": ["https://${D}/", {"D": {"Fn::FindInMap": ["ConsoleDomains", {"Ref": "AWS::Partition"}, "domain"]}}]}`, "https://console.aws.amazon.com/", ""},
		{"Fn::FindInMap missing key", `{"Fn::FindInMap": ["ConsoleDomains", "aws-cn", "domain"]}`, "", "mapping ConsoleDomains has no string at aws-cn.domain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tc.in), &v); err != nil {
				t.Fatal(err)
			}
			got, err := Resolve(v, env)
			switch {
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("Resolve(%s) = %q, %v; want an error containing %q", tc.in, got, err, tc.wantErr)
			case tc.wantErr == "" && (err != nil || got != tc.want):
				t.Errorf("Resolve(%s) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func alarmProps(t *testing.T, js string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCheckAlarm(t *testing.T) {
	dims := `[{"Name": "EndpointName", "Value": "ep"}, {"Name": "VariantName", "Value": "AllTraffic"}]`
	tests := []struct {
		name, props, wantErr string
	}{
		{"good", `{"Namespace": "AWS/SageMaker", "MetricName": "ModelLatency", "ExtendedStatistic": "p99", "Dimensions": ` + dims + `}`, ""},
		{"good math", `{"Metrics": [
			{"Id": "e", "MetricStat": {"Metric": {"Namespace": "AWS/SageMaker", "MetricName": "Invocation5XXErrors", "Dimensions": ` + dims + `}, "Stat": "Sum", "Period": 60}, "ReturnData": false},
			{"Id": "n", "MetricStat": {"Metric": {"Namespace": "AWS/SageMaker", "MetricName": "Invocations", "Dimensions": ` + dims + `}, "Stat": "Sum", "Period": 60}, "ReturnData": false},
			{"Id": "r", "Expression": "IF(n > 0, e / n, 0)"}]}`, ""},
		{"misspelled metric", `{"Namespace": "AWS/SageMaker", "MetricName": "Invocation5xxErrors", "Statistic": "Average", "Dimensions": ` + dims + `}`,
			`AWS/SageMaker publishes no metric "Invocation5xxErrors" (did you mean Invocation5XXErrors`},
		{"wrong dimension set", `{"Namespace": "/aws/sagemaker/Endpoints", "MetricName": "CPUUtilization", "Dimensions": [{"Name": "EndpointName", "Value": "ep"}]}`,
			"is not published with dimensions {EndpointName}"},
		{"bad extended statistic", `{"Namespace": "AWS/SageMaker", "MetricName": "ModelLatency", "ExtendedStatistic": "p999x", "Dimensions": ` + dims + `}`,
			`"p999x" is not a CloudWatch statistic`},
		{"math input misspelled", `{"Metrics": [
			{"Id": "e", "MetricStat": {"Metric": {"Namespace": "AWS/SageMaker", "MetricName": "Invocation5XXError", "Dimensions": ` + dims + `}, "Stat": "Sum", "Period": 60}},
			{"Id": "r", "Expression": "e"}]}`, `Metrics[0]: AWS/SageMaker publishes no metric "Invocation5XXError"`},
		{"math referencing a missing id", `{"Metrics": [
			{"Id": "e", "MetricStat": {"Metric": {"Namespace": "AWS/SageMaker", "MetricName": "Invocations", "Dimensions": ` + dims + `}, "Stat": "Sum", "Period": 60}},
			{"Id": "r", "Expression": "e / n"}]}`, `refers to id "n", which no query has`},
	}
	cat := catalogue(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckAlarm(alarmProps(t, tc.props), cat)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("rejected: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("error = %v; want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// The catalogue knows every metric sagesize graphs, with its exact
// dimension set, and the notebook agent's metrics come from cwagent.
func TestCatalogue(t *testing.T) {
	cat := catalogue(t)
	variant := []string{"VariantName", "EndpointName"}
	for _, tc := range []struct {
		ns, name string
		dims     []string
		ok       bool
	}{
		{contract.NamespaceInvocations, "ModelLatency", variant, true},
		{contract.NamespaceInvocations, "InvocationsPerInstance", variant, true},
		{contract.NamespaceInvocations, "ApproximateBacklogSize", []string{"EndpointName"}, true},
		{contract.NamespaceInvocations, "ApproximateBacklogSize", variant, false},
		{contract.NamespaceInstances, "GPUMemoryUtilization", variant, true},
		{contract.NamespaceInstances, "CPUUtilizationNormalized", []string{"EndpointName"}, false},
		{"SageSize/Notebook", "cpu_usage_active", []string{"NotebookInstanceName"}, true},
		{"SageSize/Notebook", "nvidia_smi_utilization_gpu", []string{"NotebookInstanceName"}, true},
		{"SageSize/Notebook", "cpu_usage_active", []string{"NotebookInstanceName", "host"}, false},
	} {
		err := cat.Check(tc.ns, tc.name, tc.dims)
		if (err == nil) != tc.ok {
			t.Errorf("Check(%s, %s, %v) = %v; want ok=%v", tc.ns, tc.name, tc.dims, err, tc.ok)
		}
	}
	if got := fmt.Sprint(Metric{Namespace: "N", Name: "m", Dimensions: []string{"b", "a"}}); got != "N m{a,b}" {
		t.Errorf("Metric.String = %q", got)
	}
}

// Each kind's catalogue holds what that kind publishes and refuses the
// metrics only another kind publishes.
func TestKindCatalogue(t *testing.T) {
	variant := []string{"EndpointName", "VariantName"}
	rt, err := KindCatalogue(contract.KindRealtime)
	if err != nil {
		t.Fatal(err)
	}
	sl, err := KindCatalogue(contract.KindServerless)
	if err != nil {
		t.Fatal(err)
	}
	as, err := KindCatalogue(contract.KindAsync)
	if err != nil {
		t.Fatal(err)
	}
	if err := as.Check(contract.NamespaceInvocations, "ApproximateBacklogSize", []string{"EndpointName"}); err != nil {
		t.Errorf("async catalogue: backlog by EndpointName: %v", err)
	}
	for _, tc := range []struct {
		cat      *Catalogue
		kind     string
		ns, name string
		ok       bool
	}{
		{rt, "realtime", contract.NamespaceInstances, "CPUUtilization", true},
		{sl, "serverless", contract.NamespaceInstances, "CPUUtilization", false},
		{sl, "serverless", contract.NamespaceInvocations, "InvocationsPerInstance", false},
		{sl, "serverless", contract.NamespaceInvocations, "InvocationModelErrors", false},
		{sl, "serverless", contract.NamespaceInvocations, "ModelSetupTime", true},
		{rt, "realtime", contract.NamespaceInvocations, "ModelSetupTime", false},
		{sl, "serverless", contract.NamespaceInvocations, "ServerlessConcurrentExecutionsUtilization", true},
		{rt, "realtime", contract.NamespaceInvocations, "ServerlessConcurrentExecutionsUtilization", false},
		{sl, "serverless", contract.NamespaceInstances, "MemoryUtilization", true},
		{sl, "serverless", contract.NamespaceInvocations, "ModelLatency", true},
		{as, "async", contract.NamespaceInvocations, "Invocations", false},
		{as, "async", contract.NamespaceInvocations, "OverheadLatency", false},
		{as, "async", contract.NamespaceInvocations, "InvocationsProcesssed", true},
		{as, "async", contract.NamespaceInvocations, "ApproximateBacklogSize", false}, // per endpoint only
		{rt, "realtime", contract.NamespaceInvocations, "TimeInBacklog", false},
		{as, "async", contract.NamespaceInstances, "CPUUtilization", true},
	} {
		if err := tc.cat.Check(tc.ns, tc.name, variant); (err == nil) != tc.ok {
			t.Errorf("%s catalogue: Check(%s, %s) = %v; want ok=%v", tc.kind, tc.ns, tc.name, err, tc.ok)
		}
	}
	mm, err := KindCatalogue(contract.KindMultiModel)
	if err != nil {
		t.Fatal(err)
	}
	if mm.Check(contract.NamespaceInstances, "LoadedModelCount", variant) != nil || rt.Check(contract.NamespaceInstances, "LoadedModelCount", variant) == nil {
		t.Error("LoadedModelCount: want it in the multi-model catalogue only")
	}
	ic, err := KindCatalogue(contract.KindInferenceComponents)
	if err != nil {
		t.Fatal(err)
	}
	component := []string{"InferenceComponentName"}
	if ic.Check(contract.NamespaceInferenceComponents, "GPUUtilizationNormalized", component) != nil ||
		ic.Check(contract.NamespaceInvocations, "InvocationsPerCopy", component) != nil ||
		ic.Check(contract.NamespaceInvocations, "InvocationsPerCopy", variant) == nil ||
		rt.Check(contract.NamespaceInstances, "CPUReservation", variant) == nil {
		t.Error("inference component metrics: want them by InferenceComponentName in the inferenceComponents catalogue only")
	}
	if _, err := KindCatalogue("lambda"); err == nil || !strings.Contains(err.Error(), `"lambda"`) {
		t.Errorf("KindCatalogue(lambda) error = %v; want one naming the kind", err)
	}
}

// A SEARCH is checked like a metric line: its schema's namespace and exact
// dimension set with its MetricName must be catalogued, and a search that
// names no schema or no MetricName cannot be checked, so it is refused.
func TestValidateBody_ChecksSearchExpressions(t *testing.T) {
	perGPU := `{"/aws/sagemaker/Endpoints",AcceleratorId,EndpointName,InstanceId,VariantName} EndpointName="ep" VariantName="AllTraffic"`
	tests := []struct {
		name, expr, want string
	}{
		{"per-GPU utilization", `MAX(SEARCH('` + perGPU + ` MetricName="GPUUtilization"', 'Maximum', 10))`, ""},
		{"per-instance CPU scaled", `SEARCH('{"/aws/sagemaker/Endpoints",EndpointName,InstanceId,VariantName} EndpointName="ep" MetricName="CPUUtilization"', 'Average', 10)/4`, ""},
		{"load test", `SEARCH('{SageSize/LoadTest,EndpointName,TestId,VariantName} EndpointName="ep" MetricName="Requests"', 'Sum', 10)`, ""},
		{"per-GPU disk is not published", `SEARCH('` + perGPU + ` MetricName="DiskUtilization"', 'Maximum', 10)`, "is not published with dimensions {AcceleratorId,EndpointName,InstanceId,VariantName}"},
		{"unknown metric name", `SEARCH('` + perGPU + ` MetricName="GPUUtilisation"', 'Maximum', 10)`, `publishes no metric "GPUUtilisation"`},
		{"unknown namespace", `SEARCH('{SageSize/Nope,EndpointName} MetricName="Requests"', 'Sum', 10)`, `namespace "SageSize/Nope" is not in the metric catalogue`},
		{"no schema", `SEARCH('MetricName="GPUUtilization"', 'Maximum', 10)`, "no metric schema"},
		{"no metric name", `SEARCH('` + perGPU + `', 'Maximum', 10)`, "no MetricName"},
		{"unquoted query", `SEARCH(GPUUtilization, 'Maximum', 10)`, "single-quoted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := mutate(t, func(b map[string]any) {
				setMetrics(b, []any{map[string]any{"expression": tc.expr, "id": "s", "label": "s"}})
			})
			err := ValidateBody(body, options(t))
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("rejected: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error = %v; want one containing %q", err, tc.want)
			}
		})
	}
}

// Enhanced metrics' per-instance and per-GPU dimension sets are in the
// real-time and inference-component catalogues, and in no kind's whose
// endpoints cannot have enhanced metrics.
func TestKindCatalogue_EnhancedMetrics(t *testing.T) {
	for _, tc := range []struct {
		kind string
		ok   bool
	}{
		{contract.KindRealtime, true}, {contract.KindInferenceComponents, true},
		{contract.KindServerless, false}, {contract.KindAsync, false}, {contract.KindMultiModel, false},
	} {
		cat, err := KindCatalogue(tc.kind)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []struct {
			name string
			dims []string
		}{
			{"CPUUtilization", contract.InstanceDimensions()},
			{"GPUUtilization", contract.AcceleratorDimensions()},
			{"GPUMemoryUtilization", contract.AcceleratorDimensions()},
		} {
			if err := cat.Check(contract.NamespaceInstances, m.name, m.dims); (err == nil) != tc.ok {
				t.Errorf("%s catalogue: Check(%s%v) = %v; want ok=%v", tc.kind, m.name, m.dims, err, tc.ok)
			}
		}
	}
}

func TestValidateBody_SearchStatistic(t *testing.T) {
	body := mutate(t, func(b map[string]any) {
		setMetrics(b, []any{map[string]any{"expression": `SEARCH('{SageSize/LoadTest,EndpointName,TestId,VariantName} MetricName="Requests"', 'Total', 10)`, "id": "s"}})
	})
	if err := ValidateBody(body, options(t)); err == nil || !strings.Contains(err.Error(), `"Total" is not a CloudWatch statistic`) {
		t.Errorf("error = %v; want the statistic Total refused", err)
	}
}
