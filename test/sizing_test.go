package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/sagesize/sagesize/config"
)

// sizingTemplate returns the sizing stack's template of s.
func sizingTemplate(t *testing.T, s *synthesized) map[string]any {
	t.Helper()
	if s.stacks.Sizing == nil {
		t.Fatal("no sizing stack")
	}
	tmpl, ok := s.others[s.cfg.SizingStackName()]
	if !ok {
		t.Fatalf("no template of stack %s", s.cfg.SizingStackName())
	}
	return tmpl
}

// onlyResource returns the one resource of type typ in tmpl.
func onlyResource(t *testing.T, tmpl map[string]any, typ string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, r := range tmpl["Resources"].(map[string]any) {
		if r := r.(map[string]any); r["Type"] == typ {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d resources of type %s; want 1", len(found), typ)
	}
	return found[0]
}

// wantVariants is the ProductionVariants the config's candidates make.
func wantVariants(cfg *config.Config) []any {
	var out []any
	for _, c := range cfg.Sizing.Candidates {
		out = append(out, map[string]any{
			"VariantName": c.Name, "ModelName": cfg.Sizing.Model, "InstanceType": c.InstanceType,
			"InitialInstanceCount": float64(c.Count()), "InitialVariantWeight": 1.0,
		})
	}
	return out
}

// The example's sizing stack: an endpoint configuration with one variant
// per candidate, the endpoint named by the config, outputs; the load-test
// stack deploys after it and may invoke the endpoint.
func TestSizing_Stack(t *testing.T) {
	s := synth(t, "sizing")
	tmpl := sizingTemplate(t, s)
	if got, want := *s.stacks.Sizing.StackName(), "churn-xgb-sizing"; got != want {
		t.Errorf("stack name %s; want %s", got, want)
	}

	ec := onlyResource(t, tmpl, "AWS::SageMaker::EndpointConfig")
	p := ec["Properties"].(map[string]any)
	got, _ := json.Marshal(p["ProductionVariants"])
	want, _ := json.Marshal(wantVariants(s.cfg))
	if string(got) != string(want) {
		t.Errorf("ProductionVariants\n got %s\nwant %s", got, want)
	}
	// Spelled out once, so that a change in config defaults shows here.
	for _, v := range []string{
		`"InstanceType":"ml.c6i.xlarge","ModelName":"churn-xgb-v42","VariantName":"c6i-xlarge"`,
		`"InstanceType":"ml.g5.xlarge","ModelName":"churn-xgb-v42","VariantName":"g5-xlarge"`,
	} {
		if !strings.Contains(string(got), v) {
			t.Errorf("ProductionVariants lack %s", v)
		}
	}
	if n := len(anySlice(p["ProductionVariants"])); n != 4 {
		t.Errorf("%d production variants; want the example's 4 candidates", n)
	}
	if _, named := p["EndpointConfigName"]; named {
		t.Error("the endpoint configuration is named; CloudFormation must name it so that replacing it works")
	}

	ep := onlyResource(t, tmpl, "AWS::SageMaker::Endpoint")["Properties"].(map[string]any)
	if ep["EndpointName"] != "churn-xgb-sizing" || ep["EndpointName"] != s.cfg.SizingEndpoint().Name {
		t.Errorf("EndpointName %v; want the config's %s", ep["EndpointName"], s.cfg.SizingEndpoint().Name)
	}
	if cn, _ := json.Marshal(ep["EndpointConfigName"]); !strings.Contains(string(cn), `"EndpointConfigName"]}`) {
		t.Errorf("EndpointConfigName %s; want the configuration's generated name (Fn::GetAtt)", cn)
	}

	outs := tmpl["Outputs"].(map[string]any)
	for _, o := range []string{"Endpoint", "EndpointConfig", "Variants"} {
		if _, ok := outs[o]; !ok {
			t.Errorf("sizing stack lacks output %s", o)
		}
	}
	if v := outs["Variants"].(map[string]any)["Value"]; v != "c6i-xlarge:ml.c6i.xlarge:1,m6i-xlarge:ml.m6i.xlarge:1,c6i-2xlarge:ml.c6i.2xlarge:1,g5-xlarge:ml.g5.xlarge:1" {
		t.Errorf("Variants output %v", v)
	}

	// cdk deploy --all deploys the sizing stack before the load test; the
	// monitoring stack depends on neither.
	deps := func(st awscdk.Stack) []string {
		var names []string
		for _, d := range *st.Dependencies() {
			names = append(names, *d.StackName())
		}
		return names
	}
	if d := deps(s.stacks.LoadTest); !slices.Contains(d, "churn-xgb-sizing") {
		t.Errorf("load-test stack depends on %v; want the sizing stack among them", d)
	}
	if d := deps(s.stacks.Monitoring); len(d) != 0 {
		t.Errorf("monitoring stack depends on %v; want nothing", d)
	}

	// The load-test task role may invoke the sizing endpoint.
	lt := s.others[s.cfg.LoadTestStackName()]
	var invoke string
	for _, pol := range resourcesOf(lt, "AWS::IAM::Policy") {
		for _, st := range anySlice(pol["PolicyDocument"].(map[string]any)["Statement"]) {
			st := st.(map[string]any)
			if st["Action"] == "sagemaker:InvokeEndpoint" {
				b, _ := json.Marshal(st["Resource"])
				invoke = string(b)
			}
		}
	}
	if !strings.Contains(invoke, `:endpoint/churn-xgb-sizing"]]}`) {
		t.Errorf("InvokeEndpoint on %s; want the sizing endpoint's ARN", invoke)
	}

	// The example's request body is inline: no S3 grant, and the ready
	// run-task command carries the body, quoted for the shell.
	policies, _ := json.Marshal(resourcesOf(lt, "AWS::IAM::Policy"))
	if strings.Contains(string(policies), "s3:") {
		t.Errorf("task policies grant S3 access without an S3 payload: %s", policies)
	}
	outputs, _ := json.Marshal(lt["Outputs"].(map[string]any)["RunTaskCommand"])
	if want := `{\"name\":\"LOADGEN_BODY\",\"value\":\"{\\\"tenure\\\": 14, \\\"plan\\\": \\\"monthly\\\"`; !strings.Contains(string(outputs), want) {
		t.Errorf("RunTaskCommand %s lacks the inline body %s", outputs, want)
	}
}

// A variant on an instance type with local storage (the example's
// ml.g5.xlarge) rules out the key: no KmsKeyId, no key, and the compliance
// rules that want one are suppressed with the reason, which cdk-nag's HIPAA
// pack reports as such.
func TestSizing_NoKeyWithLocalStorage(t *testing.T) {
	s := synth(t, "sizing")
	tmpl := sizingTemplate(t, s)
	ec := onlyResource(t, tmpl, "AWS::SageMaker::EndpointConfig")
	if k, ok := ec["Properties"].(map[string]any)["KmsKeyId"]; ok {
		t.Errorf("KmsKeyId %v with an ml.g5.xlarge variant; SageMaker rejects it", k)
	}
	if n := len(resourcesOf(tmpl, "AWS::KMS::Key")); n != 0 {
		t.Errorf("%d KMS keys in the sizing stack; want none", n)
	}
	meta, _ := json.Marshal(ec["Metadata"])
	for _, want := range []string{
		`"id":"HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured"`,
		`"id":"NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured"`,
		`here: g5-xlarge (ml.g5.xlarge)`,
	} {
		if !strings.Contains(string(meta), want) {
			t.Errorf("endpoint configuration metadata %s lacks %s", meta, want)
		}
	}

	cfg, err := config.Load(examples["sizing"], nil)
	if err != nil {
		t.Fatal(err)
	}
	line := hipaaKMSLine(t, cfg)
	if line.Compliance != "Suppressed" || !strings.Contains(line.ExceptionReason, "local (NVMe) instance storage") {
		t.Errorf("HIPAA report: %+v; want the rule suppressed with the reason", line)
	}
}

// cpuOnlySizing is a sizing config whose candidates have no local storage.
const cpuOnlySizing = `project: cpusize
release: r1
loadTest: {cpu: 1024, memoryMiB: 2048}
sizing:
  endpoint: churn-cpu-sizing
  model: churn-xgb-v42
  candidates:
    - instanceType: ml.c6i.xlarge
    - instanceType: ml.m5.xlarge
      instanceCount: 2
  slo: {percentile: p99, latency: 150ms}
  targetRate: 100
  plan: {startRate: 10, maxRate: 100, payload: s3://bucket/request.json}
`

// With EBS-only candidates the endpoint configuration is encrypted with a
// key of the stack's own that rotates; the stacks pass cdk-nag
// AwsSolutions, the HIPAA rule, cfn-lint and cfn-guard.
func TestSizing_KeyWithoutLocalStorage(t *testing.T) {
	cfg, err := config.Parse([]byte(cpuOnlySizing), nil)
	if err != nil {
		t.Fatal(err)
	}
	outdir := t.TempDir()
	hipaa := cdknag.NewHIPAASecurityChecks(&cdknag.NagPackProps{ReportFormats: &[]cdknag.NagReportFormat{cdknag.NagReportFormat_JSON}})
	s := synthConfig(t, cfg, outdir, hipaa)
	tmpl := sizingTemplate(t, s)

	ec := onlyResource(t, tmpl, "AWS::SageMaker::EndpointConfig")
	p := ec["Properties"].(map[string]any)
	got, _ := json.Marshal(p["ProductionVariants"])
	want, _ := json.Marshal(wantVariants(cfg))
	if string(got) != string(want) || !strings.Contains(string(got), `"InitialInstanceCount":2,"InitialVariantWeight":1,"InstanceType":"ml.m5.xlarge"`) {
		t.Errorf("ProductionVariants\n got %s\nwant %s", got, want)
	}
	if _, ok := ec["Metadata"]; ok {
		t.Errorf("endpoint configuration with a key carries suppressions: %v", ec["Metadata"])
	}
	var keyID string
	for id, r := range tmpl["Resources"].(map[string]any) {
		if r.(map[string]any)["Type"] == "AWS::KMS::Key" {
			keyID = id
		}
	}
	key := onlyResource(t, tmpl, "AWS::KMS::Key")["Properties"].(map[string]any)
	if key["EnableKeyRotation"] != true {
		t.Errorf("key rotation %v; want true", key["EnableKeyRotation"])
	}
	if kp, _ := json.Marshal(key["KeyPolicy"]); !strings.Contains(string(kp), `"Action":"kms:CreateGrant","Condition":{"BoolIfExists":{"aws:PrincipalIsAWSService":"false","kms:GrantIsForAWSResource":"false"}},"Effect":"Deny"`) {
		t.Errorf("key policy %s; want kms:CreateGrant denied unless for an AWS resource", kp)
	}
	// A per-release alarm topic's key goes with the stack, after 7 days.
	topicKey := s.json["Resources"].(map[string]any)["AlarmTopicKey"].(map[string]any)
	if topicKey["DeletionPolicy"] != "Delete" || topicKey["Properties"].(map[string]any)["PendingWindowInDays"] != 7.0 {
		t.Errorf("release r1's alarm topic key: DeletionPolicy %v, pending window %v; want Delete after 7 days",
			topicKey["DeletionPolicy"], topicKey["Properties"].(map[string]any)["PendingWindowInDays"])
	}
	if k, _ := json.Marshal(p["KmsKeyId"]); string(k) != `{"Fn::GetAtt":["`+keyID+`","Arn"]}` {
		t.Errorf("KmsKeyId %s; want the ARN of the stack's key %s", k, keyID)
	}
	ep := onlyResource(t, tmpl, "AWS::SageMaker::Endpoint")["Properties"].(map[string]any)
	if ep["EndpointName"] != "churn-cpu-sizing" {
		t.Errorf("EndpointName %v; want sizing.endpoint churn-cpu-sizing", ep["EndpointName"])
	}
	if got := *s.stacks.Sizing.StackName(); got != "cpusize-r1-sizing" {
		t.Errorf("stack name %s; want cpusize-r1-sizing", got)
	}

	for _, st := range s.stacks.All() {
		ann := assertions.Annotations_FromStack(st)
		for _, e := range *ann.FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))) {
			t.Errorf("cdk-nag: %s: %s: %v", *st.StackName(), *e.Id, e.Entry.Data)
		}
		for _, w := range *ann.FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))) {
			t.Errorf("cdk-nag warning: %s: %s: %v", *st.StackName(), *w.Id, w.Entry.Data)
		}
	}
	if line := readHipaaKMSLine(t, outdir, cfg); line.Compliance != "Compliant" {
		t.Errorf("HIPAA report: %+v; want the endpoint configuration compliant", line)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "cpu-sizing.template.json")
	writeJSON(t, file, tmpl)
	t.Run("cfn-lint", func(t *testing.T) {
		for _, m := range runCfnLint(t, file) {
			if _, ok := cfnLintIgnored[m.Rule.Id]; !ok && cfnLintExempt(s, m) < 0 {
				t.Errorf("%s %s at %v: %s", m.Level, m.Rule.Id, m.Location.Path, m.Message)
			}
		}
	})
	t.Run("cfn-guard", func(t *testing.T) {
		for _, f := range runCfnGuard(t, file) {
			if !slices.ContainsFunc(guardExemptions(), func(e guardExemption) bool {
				return e.rule == f.rule && f.resource != "" && e.applies(s, f.resource)
			}) {
				t.Errorf("%s fails Control Tower rule %s", f.resource, f.rule)
			}
		}
	})
}

// nagLine is one line of a cdk-nag JSON report.
type nagLine struct {
	RuleID, ResourceID, Compliance, ExceptionReason string
}

// hipaaKMSLine synthesizes cfg with cdk-nag's HIPAA pack and returns the
// report line of its endpoint-configuration KMS rule on the sizing stack.
func hipaaKMSLine(t *testing.T, cfg *config.Config) nagLine {
	t.Helper()
	outdir := t.TempDir()
	synthConfig(t, cfg, outdir, cdknag.NewHIPAASecurityChecks(&cdknag.NagPackProps{ReportFormats: &[]cdknag.NagReportFormat{cdknag.NagReportFormat_JSON}}))
	return readHipaaKMSLine(t, outdir, cfg)
}

func readHipaaKMSLine(t *testing.T, outdir string, cfg *config.Config) nagLine {
	t.Helper()
	// cdk-nag names the file <pack>-<stage id>-<stack>-NagReport.json; the
	// app's id is empty.
	b, err := os.ReadFile(filepath.Join(outdir, "HIPAA.Security--"+cfg.SizingStackName()+"-NagReport.json"))
	if err != nil {
		ents, _ := os.ReadDir(outdir)
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("%v; the directory has %v", err, names)
	}
	var report struct{ Lines []nagLine }
	if err := json.Unmarshal(b, &report); err != nil {
		t.Fatal(err)
	}
	for _, l := range report.Lines {
		if l.RuleID == "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured" {
			return l
		}
	}
	t.Fatalf("the HIPAA report has no line for the endpoint configuration's KMS rule: %s", b)
	return nagLine{}
}

// The sizing endpoint's alarms and composite exist and show on its
// dashboard, but notify no one: the test breaks the SLO on purpose.
func TestSizing_AlarmsNotifyNoOne(t *testing.T) {
	s := synth(t, "sizing")
	var names []string
	for _, typ := range []string{"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"} {
		for _, r := range s.allResources(typ) {
			p := r["Properties"].(map[string]any)
			if p["AlarmName"] == "churn-xgb-sizing-Idle" {
				continue // the cost guard's alarm notifies on purpose (TestSizing_CostGuard)
			}
			names = append(names, p["AlarmName"].(string))
			for _, k := range []string{"AlarmActions", "OKActions", "InsufficientDataActions"} {
				if v, ok := p[k]; ok {
					t.Errorf("%s has %s %v", p["AlarmName"], k, v)
				}
			}
		}
	}
	if len(names) != 5 {
		t.Errorf("alarms %v; want 4 ModelLatency alarms and the composite", names)
	}
	// The endpoint's default name churn-xgb-sizing carries the prefix: its
	// alarms are churn-xgb-sizing-..., not churn-xgb-churn-xgb-sizing-....
	for _, n := range names {
		if !strings.HasPrefix(n, "churn-xgb-sizing-") || strings.Count(n, "churn-xgb") != 1 {
			t.Errorf("alarm %s: want churn-xgb-sizing-... with the project once", n)
		}
	}
	s.has(t, "AWS::CloudWatch::CompositeAlarm", map[string]any{
		"AlarmName":    "churn-xgb-sizing-AnyCritical",
		"AlarmActions": assertions.Match_Absent(),
	})
	body, _ := json.Marshal(s.dashboards(t)["churn-xgb-sizing"])
	for _, n := range append(names, "Alarms notify no one") {
		if !strings.Contains(string(body), n) {
			t.Errorf("the sizing dashboard lacks %q", n)
		}
	}
}

// The sizing endpoint's cost guard, enforced without a laptop: a one-time
// schedule deletes the endpoint at synthesis time + the deadline (plan +
// 2h), as a role that may delete only that endpoint; an idle alarm over
// every variant notifies the alarm topic; outputs give the deadline and the
// cost per hour.
func TestSizing_CostGuard(t *testing.T) {
	s := synth(t, "sizing")
	tmpl := sizingTemplate(t, s)

	sched := onlyResource(t, tmpl, "AWS::Scheduler::Schedule")["Properties"].(map[string]any)
	// 3 candidates × 10 steps + 12 steps of 3m = 2h6m; + 2h.
	if got, want := sched["ScheduleExpression"], "at(2026-01-01T04:06:00)"; got != want {
		t.Errorf("ScheduleExpression %v; want %s (synthNow + plan 2h6m + 2h)", got, want)
	}
	if sched["ScheduleExpressionTimezone"] != "UTC" || sched["State"] != "ENABLED" {
		t.Errorf("schedule timezone %v, state %v; want UTC, ENABLED", sched["ScheduleExpressionTimezone"], sched["State"])
	}
	target, _ := json.Marshal(sched["Target"])
	for _, want := range []string{
		`"Arn":{"Fn::Sub":"arn:${AWS::Partition}:scheduler:::aws-sdk:sagemaker:deleteEndpoint"}`,
		`"Input":"{\"EndpointName\":\"churn-xgb-sizing\"}"`,
	} {
		if !strings.Contains(string(target), want) {
			t.Errorf("schedule target %s lacks %s", target, want)
		}
	}

	role := onlyResource(t, tmpl, "AWS::IAM::Role")["Properties"].(map[string]any)
	trust, _ := json.Marshal(role["AssumeRolePolicyDocument"])
	for _, want := range []string{`"Service":"scheduler.amazonaws.com"`, `"aws:SourceAccount":{"Ref":"AWS::AccountId"}`, `:schedule-group/default"}`} {
		if !strings.Contains(string(trust), want) {
			t.Errorf("schedule role trust %s lacks %s", trust, want)
		}
	}
	pol := onlyResource(t, tmpl, "AWS::IAM::Policy")["Properties"].(map[string]any)
	stmts := anySlice(pol["PolicyDocument"].(map[string]any)["Statement"])
	got, _ := json.Marshal(stmts)
	if len(stmts) != 1 || !strings.Contains(string(got), `"Action":"sagemaker:DeleteEndpoint"`) ||
		!strings.Contains(string(got), `"Resource":{"Fn::Sub":"arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:endpoint/churn-xgb-sizing"}`) {
		t.Errorf("schedule role may %s; want only sagemaker:DeleteEndpoint on the sizing endpoint", got)
	}

	alarm := onlyResource(t, tmpl, "AWS::CloudWatch::Alarm")["Properties"].(map[string]any)
	if alarm["AlarmName"] != "churn-xgb-sizing-Idle" || alarm["TreatMissingData"] != "breaching" ||
		alarm["ComparisonOperator"] != "LessThanThreshold" || alarm["Threshold"] != 1.0 {
		t.Errorf("idle alarm %v: missing data %v, %v %v; want churn-xgb-sizing-Idle, breaching, < 1",
			alarm["AlarmName"], alarm["TreatMissingData"], alarm["ComparisonOperator"], alarm["Threshold"])
	}
	if a, _ := json.Marshal(alarm["AlarmActions"]); string(a) != `[{"Fn::Sub":"arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:churn-xgb-alarms"}]` {
		t.Errorf("idle alarm actions %s; want the alarm topic", a)
	}
	metrics, _ := json.Marshal(alarm["Metrics"])
	for _, v := range s.cfg.Sizing.Candidates {
		if !strings.Contains(string(metrics), `{"Name":"VariantName","Value":"`+v.Name+`"}`) {
			t.Errorf("idle alarm metrics %s lack variant %s", metrics, v.Name)
		}
	}
	if !strings.Contains(string(metrics), `"Expression":"SUM(METRICS())"`) || strings.Count(string(metrics), `"Period":3600`) != 4 {
		t.Errorf("idle alarm metrics %s; want the hourly Invocations sum of the 4 variants", metrics)
	}

	outs := tmpl["Outputs"].(map[string]any)
	if v := outs["Deadline"].(map[string]any)["Value"]; v != "2026-01-01T04:06:00Z" {
		t.Errorf("Deadline output %v; want 2026-01-01T04:06:00Z", v)
	}
	var cost float64
	for _, c := range s.cfg.Sizing.Candidates {
		cost += c.Instance.PricePerHour * float64(c.Count())
	}
	if v := outs["CostPerHour"].(map[string]any)["Value"]; v != fmt.Sprintf("%.4f", cost) || cost < 2 || cost > 3 {
		t.Errorf("CostPerHour output %v; want %.4f (about $2.25 for the example's four candidates)", v, cost)
	}
}

// The sizing endpoint's configuration publishes enhanced metrics every
// 10 s, and its dashboard draws them per instance and per GPU at 10 s.
func TestSizing_EndpointConfigPublishesEnhancedMetrics(t *testing.T) {
	s := synth(t, "sizing")
	tmpl := assertions.Template_FromStack(s.stacks.Sizing, nil)
	check(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::SageMaker::EndpointConfig"), &map[string]any{
			"MetricsConfig": map[string]any{"EnableEnhancedMetrics": true, "MetricPublishFrequencyInSeconds": 10},
		})
	})
	body := mustJSON(t, s.dashboards(t)["churn-xgb-sizing"])
	for _, want := range []string{
		`SEARCH('{\"/aws/sagemaker/Endpoints\",AcceleratorId,EndpointName,InstanceId,VariantName} EndpointName=\"churn-xgb-sizing\" VariantName=\"g5-xlarge\" MetricName=\"GPUUtilization\"', 'Maximum', 10)`,
		`SEARCH('{\"/aws/sagemaker/Endpoints\",EndpointName,InstanceId,VariantName} EndpointName=\"churn-xgb-sizing\" VariantName=\"c6i-xlarge\" MetricName=\"CPUUtilization\"', 'Average', 10)/4`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the sizing dashboard lacks %s", want)
		}
	}
}
