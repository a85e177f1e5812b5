package test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/sagesize/sagesize/app"
	"github.com/sagesize/sagesize/config"
)

// loadTestTemplate returns the load-test stack's template of the example.
func loadTestTemplate(t *testing.T) map[string]any {
	t.Helper()
	s := synth(t, "loadtest")
	tmpl, ok := s.others[s.cfg.LoadTestStackName()]
	if !ok {
		t.Fatalf("no stack %s among %v", s.cfg.LoadTestStackName(), values(s.others))
	}
	return tmpl
}

func resourcesOf(tmpl map[string]any, typ string) []map[string]any {
	var out []map[string]any
	for _, r := range tmpl["Resources"].(map[string]any) {
		if r := r.(map[string]any); r["Type"] == typ {
			out = append(out, r["Properties"].(map[string]any))
		}
	}
	return out
}

// The task role may invoke only the configured endpoint, publish only to
// the load-test namespace and read only the payload object.
func TestLoadTest_TaskRoleIsLeastPrivilege(t *testing.T) {
	tmpl := loadTestTemplate(t)
	var task map[string]any
	for _, p := range resourcesOf(tmpl, "AWS::IAM::Policy") {
		if strings.Contains(p["PolicyName"].(string), "TaskRole") {
			task = p
		}
	}
	if task == nil {
		t.Fatal("no task role policy")
	}
	stmts := task["PolicyDocument"].(map[string]any)["Statement"].([]any)
	got := map[string]string{}
	for _, st := range stmts {
		st := st.(map[string]any)
		res, _ := json.Marshal(st["Resource"])
		cond, _ := json.Marshal(st["Condition"])
		got[st["Action"].(string)] = string(res) + " " + string(cond)
		if st["Resource"] == "*" && st["Action"] != "cloudwatch:PutMetricData" {
			t.Errorf("%v is allowed on every resource", st["Action"])
		}
	}
	for action, want := range map[string]string{
		"sagemaker:InvokeEndpoint": `:endpoint/churn-xgb"]]}`,
		"cloudwatch:PutMetricData": `"*" {"StringEquals":{"cloudwatch:namespace":"SageSize/LoadTest"}}`,
		"s3:GetObject":             `s3:::sagesize-demo-payloads/churn/request.json"}`,
	} {
		if !strings.Contains(got[action], want) {
			t.Errorf("%s: resource and condition %s; want them to contain %s", action, got[action], want)
		}
	}
	if len(got) != 3 {
		t.Errorf("task role allows %v; want exactly InvokeEndpoint, PutMetricData and GetObject", got)
	}
}

func TestLoadTest_TaskDefinitionAndNetwork(t *testing.T) {
	tmpl := loadTestTemplate(t)
	td := resourcesOf(tmpl, "AWS::ECS::TaskDefinition")[0]
	if td["Cpu"] != "2048" || td["Memory"] != "4096" {
		t.Errorf("task size %v/%v; want the configured 2048/4096", td["Cpu"], td["Memory"])
	}
	if rp, _ := json.Marshal(td["RuntimePlatform"]); !strings.Contains(string(rp), `"CpuArchitecture":"ARM64"`) {
		t.Errorf("runtime platform %s; want ARM64 by default", rp)
	}
	c := td["ContainerDefinitions"].([]any)[0].(map[string]any)
	if c["ReadonlyRootFilesystem"] != true || c["User"] != "65532" || c["Name"] != "loadgen" {
		t.Errorf("container %v/%v/%v; want loadgen, read-only root, non-root user", c["Name"], c["ReadonlyRootFilesystem"], c["User"])
	}
	sg := resourcesOf(tmpl, "AWS::EC2::SecurityGroup")[0]
	if _, ok := sg["SecurityGroupIngress"]; ok {
		t.Errorf("security group has inbound rules: %v", sg["SecurityGroupIngress"])
	}
	if eg, _ := json.Marshal(sg["SecurityGroupEgress"]); !strings.Contains(string(eg), `"FromPort":443`) || strings.Count(string(eg), "IpProtocol") != 1 {
		t.Errorf("egress %s; want HTTPS only", eg)
	}
	lg := resourcesOf(tmpl, "AWS::Logs::LogGroup")[0]
	if lg["RetentionInDays"] != 30.0 || lg["KmsKeyId"] == nil {
		t.Errorf("log group retention %v, key %v; want 30 days and a KMS key", lg["RetentionInDays"], lg["KmsKeyId"])
	}
	for _, out := range []string{"Cluster", "TaskDefinition", "Subnets", "SecurityGroup", "AssignPublicIp", "ContainerName", "LogGroup", "RunTaskCommand"} {
		if _, ok := tmpl["Outputs"].(map[string]any)[out]; !ok {
			t.Errorf("load-test stack lacks output %s", out)
		}
	}
	if v := tmpl["Outputs"].(map[string]any)["AssignPublicIp"].(map[string]any)["Value"]; v != "DISABLED" {
		t.Errorf("AssignPublicIp = %v; want DISABLED in an existing VPC", v)
	}
}

// Without a VPC in the config, the stack creates one with public subnets
// (no NAT gateway), flow logs, and tasks that get public IPs.
func TestLoadTest_CreatedVPC(t *testing.T) {
	cfg, err := config.Parse([]byte(`project: lt
endpoints:
  - name: model
    variants: [{instanceType: ml.m5.large}]
    slo: {latency: 100ms}
    loadTest: {rate: 10, duration: 1m, payload: s3://bucket/request.json}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	a := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
	stacks, err := app.New(a, cfg, &app.Options{LoadgenImage: awsecs.ContainerImage_FromRegistry(jsii.String("sagesize/loadgen:test"), nil), Now: synthNow})
	if err != nil {
		t.Fatal(err)
	}
	awscdk.Aspects_Of(a).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	tmpl := assertions.Template_FromStack(stacks.LoadTest, nil)
	ann := assertions.Annotations_FromStack(stacks.LoadTest)
	for _, e := range *ann.FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))) {
		t.Errorf("cdk-nag: %s: %v", *e.Id, e.Entry.Data)
	}
	for _, w := range *ann.FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))) {
		t.Errorf("cdk-nag warning: %s: %v", *w.Id, w.Entry.Data)
	}
	check(t, func() { tmpl.ResourceCountIs(jsii.String("AWS::EC2::VPC"), jsii.Number(1)) })
	check(t, func() { tmpl.ResourceCountIs(jsii.String("AWS::EC2::NatGateway"), jsii.Number(0)) })
	check(t, func() { tmpl.ResourceCountIs(jsii.String("AWS::EC2::FlowLog"), jsii.Number(1)) })
	check(t, func() {
		tmpl.HasOutput(jsii.String("AssignPublicIp"), &map[string]any{"Value": "ENABLED"})
	})
	flow := roleTrust(t, *tmpl.ToJSON(), "FlowLogRole")
	for _, want := range []string{`"Service":"vpc-flow-logs.amazonaws.com"`, `"aws:SourceAccount":{"Ref":"AWS::AccountId"}`, `:vpc-flow-log/*"}`} {
		if !strings.Contains(flow, want) {
			t.Errorf("flow-log role trust %s lacks %s", flow, want)
		}
	}
	// Without a release the stack is long-lived: logs and key are retained.
	check(t, func() {
		tmpl.AllResources(jsii.String("AWS::Logs::LogGroup"), &map[string]any{"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"})
	})
	if cfg.LoadTest.CPU != config.DefaultLoadTestCPU || cfg.LoadTest.Architecture != "arm64" {
		t.Errorf("defaults %+v; want 1024 CPU units on arm64", cfg.LoadTest)
	}
}

// The endpoint dashboard's first rows put client latency beside the
// endpoint's latency and utilization, from SEARCH over every test id.
func TestLoadTest_DashboardRows(t *testing.T) {
	s := synth(t, "loadtest")
	body := s.dashboards(t)["sagesize-demo-churn-xgb"]
	widgets := body["widgets"].([]any)
	row := map[float64][]string{}
	for _, w := range widgets {
		w := w.(map[string]any)
		if title, ok := w["properties"].(map[string]any)["title"].(string); ok {
			row[w["y"].(float64)] = append(row[w["y"].(float64)], title)
		}
	}
	g := findGraph(t, body, "Client latency (ms)")
	b, _ := json.Marshal(g["metrics"])
	if !strings.Contains(string(b), `SEARCH('{SageSize/LoadTest,EndpointName,TestId,VariantName} EndpointName=\"churn-xgb\" MetricName=\"Latency\"', 'p99', 10)/1000`) {
		t.Errorf("client latency lines %s; want p99 by CloudWatch over a SEARCH of every test, in ms", b)
	}
	var screen []string
	for _, titles := range row {
		for _, title := range titles {
			if title == "Client latency (ms)" {
				screen = titles
			}
		}
	}
	if strings.Join(screen, "|") != "Client latency (ms)|Endpoint latency (ms)|Utilization (% of instance)" {
		t.Errorf("the client latency row holds %v; want client latency beside endpoint latency and utilization", screen)
	}
	findGraph(t, body, "Request rate: achieved vs planned (req/s)")
	findGraph(t, body, "Client errors (per 10 s)")
}

// roleTrust returns the trust policies of tmpl's roles whose logical id
// contains part, as JSON.
func roleTrust(t *testing.T, tmpl map[string]any, part string) string {
	t.Helper()
	for id, r := range tmpl["Resources"].(map[string]any) {
		r := r.(map[string]any)
		if r["Type"] == "AWS::IAM::Role" && strings.Contains(id, part) {
			b, _ := json.Marshal(r["Properties"].(map[string]any)["AssumeRolePolicyDocument"])
			return string(b)
		}
	}
	t.Fatalf("no role %s*", part)
	return ""
}

// The container's stop timeout holds loadgen's grace and drain plus
// loadplan.StopMargin, and the task's environment hands loadgen the same
// grace and drain; only this account's ECS tasks may assume the roles.
func TestLoadTest_StopBudgetAndTrust(t *testing.T) {
	tmpl := loadTestTemplate(t)
	c := resourcesOf(tmpl, "AWS::ECS::TaskDefinition")[0]["ContainerDefinitions"].([]any)[0].(map[string]any)
	if c["StopTimeout"] != 25.0 {
		t.Errorf("StopTimeout %v; want 15s grace + 5s drain + 5s margin = 25", c["StopTimeout"])
	}
	env, _ := json.Marshal(c["Environment"])
	for _, want := range []string{`{"Name":"LOADGEN_GRACE","Value":"15s"}`, `{"Name":"LOADGEN_DRAIN","Value":"5s"}`} {
		if !strings.Contains(string(env), want) {
			t.Errorf("environment %s lacks %s", env, want)
		}
	}
	account := `"StringEquals":{"aws:SourceAccount":{"Ref":"AWS::AccountId"}}`
	task := roleTrust(t, tmpl, "TaskRole")
	if !strings.Contains(task, account) || !strings.Contains(task, `"ArnLike":{"aws:SourceArn":{"Fn::Sub":"arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*"}}`) {
		t.Errorf("task role trust %s; want aws:SourceAccount and aws:SourceArn of this account's ECS", task)
	}
	if exec := roleTrust(t, tmpl, "ExecutionRole"); !strings.Contains(exec, account) || !strings.Contains(exec, "ecs-tasks.amazonaws.com") {
		t.Errorf("execution role trust %s; want ecs-tasks with aws:SourceAccount", exec)
	}
}

// privateRelease is a per-release load test in private subnets the stack
// creates, with a private ECR image and a longer stop budget.
const privateRelease = `project: lt
release: r7
loadTest:
  privateSubnets: true
  image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/sagesize/loadgen:v3
  grace: 60s
  drain: 20s
endpoints:
  - name: model
    variants: [{instanceType: ml.m5.large}]
    slo: {latency: 100ms}
    loadTest: {rate: 10, duration: 1m, payload: s3://bucket/request.json}
`

// synthLoadTest synthesizes content's load-test stack with cdk-nag's
// AwsSolutions checks, reports their findings, and returns its template.
func synthLoadTest(t *testing.T, content string) (*synthesized, map[string]any) {
	t.Helper()
	cfg, err := config.Parse([]byte(content), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := synthConfig(t, cfg, "")
	ann := assertions.Annotations_FromStack(s.stacks.LoadTest)
	for _, e := range *ann.FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))) {
		t.Errorf("cdk-nag: %s: %v", *e.Id, e.Entry.Data)
	}
	for _, w := range *ann.FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))) {
		t.Errorf("cdk-nag warning: %s: %v", *w.Id, w.Entry.Data)
	}
	return s, s.others[cfg.LoadTestStackName()]
}

// privateSubnets: isolated subnets with interface endpoints for every API
// a task calls and an S3 gateway for ECR's layers, open to HTTPS from the
// tasks only; tasks get no public IP. cdk-nag finds nothing.
func TestLoadTest_PrivateSubnets(t *testing.T) {
	s, tmpl := synthLoadTest(t, privateRelease)
	for _, p := range resourcesOf(tmpl, "AWS::EC2::Subnet") {
		if p["MapPublicIpOnLaunch"] == true {
			t.Errorf("subnet %v maps public IPs", p["CidrBlock"])
		}
	}
	if n := len(resourcesOf(tmpl, "AWS::EC2::InternetGateway")); n != 0 {
		t.Errorf("%d internet gateways in a private VPC", n)
	}
	services := map[string]string{}
	for _, p := range resourcesOf(tmpl, "AWS::EC2::VPCEndpoint") {
		name, _ := json.Marshal(p["ServiceName"])
		services[string(name)] = p["VpcEndpointType"].(string)
		if p["VpcEndpointType"] == "Interface" && (p["PrivateDnsEnabled"] != true || len(anySlice(p["SubnetIds"])) != 2) {
			t.Errorf("endpoint %s: private DNS %v, subnets %v; want private DNS in both isolated subnets", name, p["PrivateDnsEnabled"], p["SubnetIds"])
		}
		if p["VpcEndpointType"] == "Gateway" && len(anySlice(p["RouteTableIds"])) != 2 {
			t.Errorf("S3 gateway endpoint on route tables %v; want both isolated subnets'", p["RouteTableIds"])
		}
	}
	for svc, typ := range map[string]string{"sagemaker.runtime": "Interface", "monitoring": "Interface", "logs": "Interface", "ecr.api": "Interface", "ecr.dkr": "Interface", "s3": "Gateway"} {
		if got := services[`{"Fn::Sub":"com.amazonaws.${AWS::Region}.`+svc+`"}`]; got != typ {
			t.Errorf("endpoint %s: %q; want %s (all: %v)", svc, got, typ, services)
		}
	}
	var endpointSG map[string]any
	for _, p := range resourcesOf(tmpl, "AWS::EC2::SecurityGroup") {
		if strings.HasPrefix(p["GroupDescription"].(string), "sagesize VPC endpoints") {
			endpointSG = p
		}
	}
	in, _ := json.Marshal(endpointSG["SecurityGroupIngress"])
	if !strings.Contains(string(in), `"FromPort":443`) || !strings.Contains(string(in), `"SourceSecurityGroupId":{"Fn::GetAtt":["LoadTestSecurityGroup`) || strings.Count(string(in), "IpProtocol") != 1 {
		t.Errorf("endpoint security group ingress %s; want HTTPS from the tasks' security group only", in)
	}
	if v := tmpl["Outputs"].(map[string]any)["AssignPublicIp"].(map[string]any)["Value"]; v != "DISABLED" {
		t.Errorf("AssignPublicIp = %v; want DISABLED in isolated subnets", v)
	}
	lintTemplate(t, s, tmpl)
}

// lintTemplate runs cfn-lint and cfn-guard's Control Tower rules on tmpl,
// one of s's templates, with the exemptions the example tests accept.
func lintTemplate(t *testing.T, s *synthesized, tmpl map[string]any) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "loadtest.template.json")
	writeJSON(t, file, tmpl)
	t.Run("cfn-lint", func(t *testing.T) {
		for _, m := range runCfnLint(t, file) {
			id := ""
			if len(m.Location.Path) > 1 {
				id, _ = m.Location.Path[1].(string)
			}
			exempt := slices.ContainsFunc(cfnLintExemptions(), func(e cfnLintExemption) bool { return e.rule == m.Rule.Id && e.applies(s, id) })
			if _, ok := cfnLintIgnored[m.Rule.Id]; !ok && !exempt {
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

// A private ECR image: the execution role may pull from that repository
// (partition-aware ARN, account and region from the URI) and get an
// authorization token; a per-release stack deletes its logs and schedules
// its log key's deletion; grace 60s + drain 20s make an 85 s stop timeout.
func TestLoadTest_PrivateECRImageAndRelease(t *testing.T) {
	_, tmpl := synthLoadTest(t, privateRelease)
	var exec []any
	for _, p := range resourcesOf(tmpl, "AWS::IAM::Policy") {
		if strings.Contains(p["PolicyName"].(string), "ExecutionRole") {
			exec = anySlice(p["PolicyDocument"].(map[string]any)["Statement"])
		}
	}
	got, _ := json.Marshal(exec)
	for _, want := range []string{
		`"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Effect":"Allow","Resource":{"Fn::Sub":"arn:${AWS::Partition}:ecr:eu-west-1:123456789012:repository/sagesize/loadgen"}`,
		`"Action":"ecr:GetAuthorizationToken","Effect":"Allow","Resource":"*"`,
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("execution role policy %s lacks %s", got, want)
		}
	}
	for id, r := range tmpl["Resources"].(map[string]any) {
		r := r.(map[string]any)
		switch r["Type"] {
		case "AWS::Logs::LogGroup":
			if r["DeletionPolicy"] != "Delete" {
				t.Errorf("log group %s: DeletionPolicy %v; want Delete in a per-release stack", id, r["DeletionPolicy"])
			}
		case "AWS::KMS::Key":
			if r["DeletionPolicy"] != "Delete" || r["Properties"].(map[string]any)["PendingWindowInDays"] != 7.0 {
				t.Errorf("key %s: DeletionPolicy %v, pending window %v; want Delete after 7 days", id, r["DeletionPolicy"], r["Properties"].(map[string]any)["PendingWindowInDays"])
			}
		}
	}
	c := resourcesOf(tmpl, "AWS::ECS::TaskDefinition")[0]["ContainerDefinitions"].([]any)[0].(map[string]any)
	if c["StopTimeout"] != 85.0 {
		t.Errorf("StopTimeout %v; want 60 + 20 + 5 = 85", c["StopTimeout"])
	}
}
