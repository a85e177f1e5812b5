//go:build unix

package test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
	"github.com/sagesize/sagesize/testkit/dashcheck"
)

// The deploy smoke test: the pinned CDK CLI bootstraps and deploys the
// examples into moto_server (scripts/moto_server.py, one fresh server per
// deploy), then everything the stack created is read back and compared
// with the synthesized template.

// deployRegion and deployAccount are moto's defaults.
const (
	deployRegion  = "us-east-1"
	deployAccount = "123456789012"
)

// deployExamples are the examples deployed, each into its own server:
// sagesize.yaml has endpoints and a notebook's agent configuration and
// policy; notebooks.yaml also creates a notebook instance and its volume
// key. existing-topic.yaml pins eu-west-1 and an existing topic that only a
// real account has. sizing.yaml is not deployed: moto 5.2.1's
// AWS::SageMaker::EndpointConfig accepts only its own old list of instance
// types (no c6i, m6i or g5, so the example's endpoint configuration fails to
// create), its AWS::SageMaker::Endpoint ignores EndpointName, and nothing
// there checks that the model exists; the sizing stack is checked on the
// template instead (test/sizing_test.go, cfn-lint, cfn-guard, cdk-nag).
// serverless.yaml, async.yaml, multimodel.yaml and components.yaml deploy the other endpoint
// kinds' monitoring: alarms on serverless metrics, per-endpoint queue
// alarms (EndpointName alone) and a LessThanThreshold cache hit alarm.
var deployExamples = []string{"sagesize", "notebooks", "serverless", "async", "multimodel", "components"}

func TestDeploy_Moto(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys through the CDK CLI; skipped with -short")
	}
	python := needTool(t, "python3")
	if out, err := exec.Command(python, "-c", "import moto.server, boto3, werkzeug").CombinedOutput(); err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		missing(t, fmt.Sprintf("the Python package moto[server] cannot be imported (%v: %s)", err, lines[len(lines)-1]))
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cdk := filepath.Join(root, "node_modules", ".bin", "cdk")
	if _, err := os.Stat(cdk); err != nil {
		t.Fatalf("%v: the CDK CLI is pinned in package.json; run make setup", err)
	}
	bin := buildApp(t, t.TempDir())
	for _, name := range deployExamples {
		t.Run(name, func(t *testing.T) {
			d := &deployment{t: t, root: root, python: python, cdk: cdk, app: bin, s: synth(t, name)}
			d.start()
			d.deploy(strings.TrimPrefix(examples[name], "../"))
			d.check()
		})
	}
}

// deployment is one example deployed into one moto server.
type deployment struct {
	t                        *testing.T
	root, python, cdk, app   string
	s                        *synthesized
	endpoint                 string
	env                      []string
	readback                 readback
	physical                 map[string]string // logical id → physical id
	alarms                   map[string]types.MetricAlarm
	composites               map[string]types.CompositeAlarm
	resolvedEnv              dashcheck.Env
	stackName, outDir, mlogs string
}

// start runs a fresh moto_server with sagesize's wrapper on a free port and
// stops it, with its whole process group, when the test ends, failed or not.
func (d *deployment) start() {
	t := d.t
	dir := t.TempDir()
	d.outDir = filepath.Join(dir, "cdk.out")
	d.mlogs = filepath.Join(dir, "moto.log")
	logf, err := os.Create(d.mlogs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(d.python, filepath.Join(d.root, "scripts", "moto_server.py"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto_server: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		logf.Close()
		if t.Failed() {
			if b, err := os.ReadFile(d.mlogs); err == nil {
				t.Logf("moto_server log (last 4 KiB):\n%s", tail(b, 4096))
			}
		}
	})
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			port <- strings.TrimPrefix(sc.Text(), "port ")
		}
		close(port)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case p, ok := <-port:
		if !ok || p == "" {
			t.Fatalf("moto_server printed no port; see %s", d.mlogs)
		}
		// localhost, not 127.0.0.1: the CDK CLI parses the template's S3
		// upload URL from the endpoint and misreads an IP address.
		d.endpoint = "http://localhost:" + p
	case <-time.After(60 * time.Second):
		t.Fatal("moto_server did not start within 60s")
	}
	d.env = d.environ()
	d.resolvedEnv = dashcheck.Env{Region: deployRegion, Partition: "aws", AccountID: deployAccount}
	d.resolvedEnv.Mappings, _ = d.s.json["Mappings"].(map[string]any)
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// environ is the environment of every command run against the server:
// dummy credentials, the server as every AWS endpoint, nothing from the
// caller's AWS configuration, and no network beyond loopback (no CDK
// notices, telemetry or version check, no instance metadata, no proxy).
func (d *deployment) environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "AWS_"), strings.HasPrefix(k, "CDK_"),
			strings.EqualFold(k, "HTTP_PROXY"), strings.EqualFold(k, "HTTPS_PROXY"),
			strings.EqualFold(k, "ALL_PROXY"), strings.EqualFold(k, "NO_PROXY"), k == "PATH":
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"PATH="+filepath.Join(d.root, "node_modules", ".bin")+string(os.PathListSeparator)+os.Getenv("PATH"),
		"AWS_ENDPOINT_URL="+d.endpoint,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION="+deployRegion,
		"AWS_DEFAULT_REGION="+deployRegion,
		"AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
		"CDK_DISABLE_CLI_TELEMETRY=true",
		"CDK_DISABLE_VERSION_CHECK=true",
		"NO_PROXY=localhost,127.0.0.1",
	)
}

// run runs a command in the repository root against the server.
func (d *deployment) run(name string, args ...string) []byte {
	d.t.Helper()
	return d.runIn(d.root, name, args...)
}

// runIn runs a command in dir against the server.
func (d *deployment) runIn(dir, name string, args ...string) []byte {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = d.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		d.t.Fatalf("%s %s: %v\n%s\n%s", filepath.Base(name), strings.Join(args, " "), err, tail(stdout.Bytes(), 4096), tail(stderr.Bytes(), 8192))
	}
	d.t.Logf("%s %s: %.1fs", filepath.Base(name), args[0], time.Since(start).Seconds())
	return stdout.Bytes()
}

// deploy creates the roles the stack expects to exist, bootstraps the
// environment and deploys config with the pinned CDK CLI, which runs the
// app binary as `cdk deploy` runs `go run .`.
func (d *deployment) deploy(config string) {
	var roles []string
	for _, r := range d.s.resources("AWS::IAM::ManagedPolicy") {
		for _, role := range anySlice(r["Properties"].(map[string]any)["Roles"]) {
			roles = append(roles, role.(string))
		}
	}
	if len(roles) > 0 {
		d.run(d.python, append([]string{filepath.Join(d.root, "scripts", "moto_aws.py"), "create-role"}, roles...)...)
	}
	// Outside the repository (no cdk.json) and with an explicit environment,
	// bootstrap synthesizes nothing.
	d.runIn(d.t.TempDir(), d.cdk, "bootstrap", "aws://"+deployAccount+"/"+deployRegion, "--no-notices", "--ci")
	d.run(d.cdk, "deploy", "--app", d.app, "-c", "config="+config, "--output", d.outDir,
		"--require-approval", "never", "--no-notices", "--ci", "--progress", "events")
	d.stackName = *d.s.stacks.Monitoring.StackName()
	out := d.run(d.python, filepath.Join(d.root, "scripts", "moto_aws.py"), "readback", d.stackName)
	if err := json.Unmarshal(out, &d.readback); err != nil {
		d.t.Fatalf("readback: %v\n%.2000s", err, out)
	}
	d.physical = map[string]string{}
	for _, r := range d.readback.Resources {
		d.physical[r.LogicalResourceID] = r.PhysicalResourceID
	}
}

// readback is what scripts/moto_aws.py readback prints.
type readback struct {
	Stack struct {
		StackStatus string
		Outputs     []struct{ OutputKey, OutputValue string }
	}
	Resources []struct {
		LogicalResourceID  string `json:"LogicalResourceId"`
		PhysicalResourceID string `json:"PhysicalResourceId"`
		ResourceType       string
		ResourceStatus     string
	}
	Keys map[string]struct {
		Metadata struct {
			Arn, Description, KeyState string
			Enabled                    bool
		}
		Rotation bool
		Policy   policyDoc
	}
	Topics map[string]struct {
		Arn           string
		Attributes    map[string]any
		Subscriptions []struct{ Protocol, Endpoint string }
	}
	Policies map[string]struct {
		Document map[string]any
		Roles    []string
	}
	LifecycleConfigs map[string]struct {
		OnStart []struct{ Content string }
	}
	Notebooks map[string]struct {
		InstanceType, RoleArn, DirectInternetAccess string
		VolumeSizeInGB                              int
	}
}

type policyDoc struct {
	Statement []map[string]any
}

// cloudWatch is the Go SDK's CloudWatch client for the server. The SDK
// speaks Smithy RPCv2-CBOR to CloudWatch by default, which moto does not;
// CloudWatch still serves the awsQuery protocol, which moto does, so the
// client is switched to it.
func (d *deployment) cloudWatch() *cloudwatch.Client {
	return cloudwatch.New(cloudwatch.Options{
		Region:       deployRegion,
		BaseEndpoint: aws.String(d.endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing", Source: "test"}, nil
		}),
		HTTPClient:       &http.Client{Timeout: 30 * time.Second},
		RetryMaxAttempts: 1,
	}, func(o *cloudwatch.Options) {
		o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
	})
}

// check compares everything deployed with the template.
func (d *deployment) check() {
	t := d.t
	if got := d.readback.Stack.StackStatus; got != "CREATE_COMPLETE" {
		t.Fatalf("stack %s is %s, want CREATE_COMPLETE", d.stackName, got)
	}
	t.Run("resources", d.checkResources)
	t.Run("outputs", d.checkOutputs)
	d.readAlarms()
	t.Run("alarms", d.checkAlarms)
	t.Run("composite alarms", d.checkComposites)
	t.Run("dashboards", d.checkDashboards)
	t.Run("keys", d.checkKeys)
	t.Run("topic", d.checkTopic)
	t.Run("managed policy", d.checkPolicy)
	t.Run("lifecycle configs", d.checkLifecycleConfigs)
	t.Run("notebook instances", d.checkNotebooks)
}

// Every resource of the template was created, but AWS::CDK::Metadata,
// which moto does not model.
func (d *deployment) checkResources(t *testing.T) {
	deployed := map[string]string{}
	for _, r := range d.readback.Resources {
		if r.ResourceStatus != "CREATE_COMPLETE" {
			t.Errorf("%s (%s) is %s", r.LogicalResourceID, r.ResourceType, r.ResourceStatus)
		}
		deployed[r.LogicalResourceID] = r.ResourceType
	}
	counts := map[string]int{}
	for id, r := range d.s.json["Resources"].(map[string]any) {
		typ := r.(map[string]any)["Type"].(string)
		if typ == "AWS::CDK::Metadata" {
			continue
		}
		counts[typ]++
		if got := deployed[id]; got != typ {
			t.Errorf("%s: deployed as %q, want a %s", id, got, typ)
		}
	}
	t.Logf("deployed %v", counts)
}

// The stack has the template's outputs: the topic ARN (Ref), the console
// URLs (Fn::Sub) with the region filled in, the lifecycle config names.
func (d *deployment) checkOutputs(t *testing.T) {
	got := map[string]string{}
	for _, o := range d.readback.Stack.Outputs {
		got[o.OutputKey] = o.OutputValue
	}
	want, _ := d.s.json["Outputs"].(map[string]any)
	if len(got) != len(want) {
		t.Errorf("%d outputs, the template has %d: %v", len(got), len(want), got)
	}
	for key, o := range want {
		v := o.(map[string]any)["Value"]
		g, ok := got[key]
		switch {
		case !ok:
			t.Errorf("output %s is missing", key)
		case g == "":
			t.Errorf("output %s is empty", key)
		}
		var exp string
		if m, ok := v.(map[string]any); ok {
			if ref, ok := m["Ref"].(string); ok {
				exp = d.physical[ref]
			} else if r, err := dashcheck.Resolve(v, d.resolvedEnv); err == nil {
				exp = r
			}
		}
		if exp != "" && g != exp {
			t.Errorf("output %s = %q, want %q", key, g, exp)
		}
	}
}

func (d *deployment) readAlarms() {
	t := d.t
	d.alarms = map[string]types.MetricAlarm{}
	d.composites = map[string]types.CompositeAlarm{}
	p := cloudwatch.NewDescribeAlarmsPaginator(d.cloudWatch(), &cloudwatch.DescribeAlarmsInput{
		AlarmTypes: []types.AlarmType{types.AlarmTypeMetricAlarm, types.AlarmTypeCompositeAlarm},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("DescribeAlarms: %v", err)
		}
		for _, a := range page.MetricAlarms {
			d.alarms[aws.ToString(a.AlarmName)] = a
		}
		for _, a := range page.CompositeAlarms {
			d.composites[aws.ToString(a.AlarmName)] = a
		}
	}
}

// actions resolves an alarm action list of the template: Ref of a resource
// is its physical id (the topic ARN), strings are kept.
func (d *deployment) actions(v any) []string {
	out := []string{}
	for _, a := range anySlice(v) {
		switch a := a.(type) {
		case string:
			out = append(out, a)
		case map[string]any:
			if ref, ok := a["Ref"].(string); ok {
				out = append(out, d.physical[ref])
				continue
			}
			out = append(out, fmt.Sprint(a))
		}
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Every alarm exists with the template's threshold, statistic, comparison,
// evaluation, metric and actions; and no other alarm exists.
func (d *deployment) checkAlarms(t *testing.T) {
	want := d.s.resources("AWS::CloudWatch::Alarm")
	if len(d.alarms) != len(want) {
		t.Errorf("%d metric alarms deployed, the template has %d", len(d.alarms), len(want))
	}
	for id, r := range want {
		p := r["Properties"].(map[string]any)
		name := p["AlarmName"].(string)
		a, ok := d.alarms[name]
		if !ok {
			t.Errorf("%s: alarm %s was not created", id, name)
			continue
		}
		var dims []string
		for _, dim := range a.Dimensions {
			dims = append(dims, aws.ToString(dim.Name)+"="+aws.ToString(dim.Value))
		}
		var wantDims []string
		for _, dim := range anySlice(p["Dimensions"]) {
			dm := dim.(map[string]any)
			wantDims = append(wantDims, fmt.Sprint(dm["Name"], "=", dm["Value"]))
		}
		sort.Strings(dims)
		sort.Strings(wantDims)
		got := map[string]any{
			"Threshold":          aws.ToFloat64(a.Threshold),
			"Statistic":          string(a.Statistic),
			"ExtendedStatistic":  aws.ToString(a.ExtendedStatistic),
			"ComparisonOperator": string(a.ComparisonOperator),
			"EvaluationPeriods":  float64(aws.ToInt32(a.EvaluationPeriods)),
			"DatapointsToAlarm":  float64(aws.ToInt32(a.DatapointsToAlarm)),
			"Period":             float64(aws.ToInt32(a.Period)),
			"TreatMissingData":   aws.ToString(a.TreatMissingData),
			"Namespace":          aws.ToString(a.Namespace),
			"MetricName":         aws.ToString(a.MetricName),
			"Dimensions":         strings.Join(dims, ","),
			"AlarmActions":       orEmpty(a.AlarmActions),
			"OKActions":          orEmpty(a.OKActions),
		}
		exp := map[string]any{
			"Threshold":          toFloat(p["Threshold"]),
			"Statistic":          str(p["Statistic"]),
			"ExtendedStatistic":  str(p["ExtendedStatistic"]),
			"ComparisonOperator": str(p["ComparisonOperator"]),
			"EvaluationPeriods":  toFloat(p["EvaluationPeriods"]),
			"DatapointsToAlarm":  toFloat(p["DatapointsToAlarm"]),
			"Period":             toFloat(p["Period"]),
			"TreatMissingData":   str(p["TreatMissingData"]),
			"Namespace":          str(p["Namespace"]),
			"MetricName":         str(p["MetricName"]),
			"Dimensions":         strings.Join(wantDims, ","),
			"AlarmActions":       d.actions(p["AlarmActions"]),
			"OKActions":          d.actions(p["OKActions"]),
		}
		if len(anySlice(p["Metrics"])) > 0 {
			// A metric math alarm: its queries are compared by id and metric.
			exp["Metrics"] = d.templateQueries(p["Metrics"])
			got["Metrics"] = deployedQueries(a.Metrics)
		}
		for k, w := range exp {
			if g := got[k]; !reflect.DeepEqual(g, w) {
				t.Errorf("%s: %s = %v, want %v", name, k, g, w)
			}
		}
	}
	t.Logf("compared %d metric alarms with the template", len(want))
}

func toFloat(v any) float64 {
	f, _ := v.(float64)
	return f
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func (d *deployment) templateQueries(v any) []string {
	var out []string
	for _, q := range anySlice(v) {
		qm := q.(map[string]any)
		s := str(qm["Id"]) + ":" + str(qm["Expression"])
		if ms, ok := qm["MetricStat"].(map[string]any); ok {
			m := ms["Metric"].(map[string]any)
			s += str(m["Namespace"]) + "/" + str(m["MetricName"]) + "/" + str(ms["Stat"])
		}
		out = append(out, s)
	}
	return out
}

func deployedQueries(qs []types.MetricDataQuery) []string {
	var out []string
	for _, q := range qs {
		s := aws.ToString(q.Id) + ":" + aws.ToString(q.Expression)
		if q.MetricStat != nil && q.MetricStat.Metric != nil {
			s += aws.ToString(q.MetricStat.Metric.Namespace) + "/" + aws.ToString(q.MetricStat.Metric.MetricName) + "/" + aws.ToString(q.MetricStat.Stat)
		}
		out = append(out, s)
	}
	return out
}

var alarmInRule = regexp.MustCompile(`ALARM\("([^"]+)"\)`)

// Every composite alarm exists with the template's actions, and its rule
// names exactly the alarms the template's rule names, each of them deployed.
func (d *deployment) checkComposites(t *testing.T) {
	want := d.s.resources("AWS::CloudWatch::CompositeAlarm")
	if len(d.composites) != len(want) {
		t.Errorf("%d composite alarms deployed, the template has %d", len(d.composites), len(want))
	}
	for id, r := range want {
		p := r["Properties"].(map[string]any)
		name := p["AlarmName"].(string)
		c, ok := d.composites[name]
		if !ok {
			t.Errorf("%s: composite alarm %s was not created", id, name)
			continue
		}
		var wantNames, gotNames []string
		for _, m := range alarmInRule.FindAllStringSubmatch(p["AlarmRule"].(string), -1) {
			wantNames = append(wantNames, m[1])
		}
		for _, m := range alarmInRule.FindAllStringSubmatch(aws.ToString(c.AlarmRule), -1) {
			gotNames = append(gotNames, m[1])
			if _, ok := d.alarms[m[1]]; !ok {
				t.Errorf("%s: rule names %s, which is not a deployed alarm", name, m[1])
			}
		}
		if !slices.Equal(gotNames, wantNames) || len(wantNames) == 0 {
			t.Errorf("%s: rule alarms = %v, want %v", name, gotNames, wantNames)
		}
		if g, w := orEmpty(c.AlarmActions), d.actions(p["AlarmActions"]); !slices.Equal(g, w) || len(w) == 0 {
			t.Errorf("%s: AlarmActions = %v, want %v", name, g, w)
		}
		if g, w := orEmpty(c.OKActions), d.actions(p["OKActions"]); !slices.Equal(g, w) {
			t.Errorf("%s: OKActions = %v, want %v", name, g, w)
		}
	}
}

// collectGetAttArn calls f with the logical id of every Fn::GetAtt [id, Arn] in v.
func collectGetAttArn(v any, f func(string)) {
	switch v := v.(type) {
	case map[string]any:
		if ga, ok := v["Fn::GetAtt"].([]any); ok && len(ga) == 2 && ga[1] == "Arn" {
			f(ga[0].(string))
			return
		}
		for _, x := range v {
			collectGetAttArn(x, f)
		}
	case []any:
		for _, x := range v {
			collectGetAttArn(x, f)
		}
	}
}

// Every dashboard exists, its body is the template's with the account and
// region filled in, and the deployed body passes the dashboard validator
// against the deployed alarms.
func (d *deployment) checkDashboards(t *testing.T) {
	cw := d.cloudWatch()
	cat, err := dashcheck.DefaultCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for n := range d.alarms {
		names[n] = true
	}
	for n := range d.composites {
		names[n] = true
	}
	for id, r := range d.s.resources("AWS::CloudWatch::Dashboard") {
		p := r["Properties"].(map[string]any)
		name := p["DashboardName"].(string)
		out, err := cw.GetDashboard(context.Background(), &cloudwatch.GetDashboardInput{DashboardName: aws.String(name)})
		if err != nil {
			t.Errorf("%s: GetDashboard %s: %v", id, name, err)
			continue
		}
		body := aws.ToString(out.DashboardBody)
		want, err := dashcheck.Resolve(p["DashboardBody"], d.resolvedEnv)
		if err != nil {
			t.Fatal(err)
		}
		if body != want {
			g, w := around(body, want)
			t.Errorf("%s: deployed body differs from the template's:\n got: %s\nwant: %s", name, g, w)
		}
		if err := dashcheck.ValidateBody([]byte(body), dashcheck.Options{Catalogue: cat, Alarms: names}); err != nil {
			t.Errorf("%s: deployed body: %v", name, err)
		}
	}
}

// Every KMS key is enabled, rotates, and carries the template's policy.
func (d *deployment) checkKeys(t *testing.T) {
	for id, r := range d.s.resources("AWS::KMS::Key") {
		p := r["Properties"].(map[string]any)
		k, ok := d.readback.Keys[id]
		if !ok {
			t.Errorf("%s: key not read back", id)
			continue
		}
		if !k.Metadata.Enabled || k.Metadata.KeyState != "Enabled" {
			t.Errorf("%s: key is %s (enabled %v)", id, k.Metadata.KeyState, k.Metadata.Enabled)
		}
		if want := p["EnableKeyRotation"] == true; k.Rotation != want {
			t.Errorf("%s: rotation %v, want %v", id, k.Rotation, want)
		}
		if k.Metadata.Description != str(p["Description"]) {
			t.Errorf("%s: description %q, want %q", id, k.Metadata.Description, p["Description"])
		}
		wantStmts := anySlice(p["KeyPolicy"].(map[string]any)["Statement"])
		if len(k.Policy.Statement) != len(wantStmts) {
			t.Errorf("%s: key policy has %d statements, want %d", id, len(k.Policy.Statement), len(wantStmts))
		}
		for i, s := range wantStmts {
			if i < len(k.Policy.Statement) && !reflect.DeepEqual(k.Policy.Statement[i]["Action"], s.(map[string]any)["Action"]) {
				t.Errorf("%s: key policy statement %d allows %v, want %v", id, i, k.Policy.Statement[i]["Action"], s.(map[string]any)["Action"])
			}
		}
	}
}

// The topic is encrypted with the stack's key, carries the topic policy
// (TLS only, this account's alarms may publish) and the subscriptions.
func (d *deployment) checkTopic(t *testing.T) {
	topics := d.s.resources("AWS::SNS::Topic")
	if len(d.readback.Topics) != len(topics) {
		t.Errorf("%d topics read back, the template has %d", len(d.readback.Topics), len(topics))
	}
	for id, r := range topics {
		p := r["Properties"].(map[string]any)
		tp, ok := d.readback.Topics[id]
		if !ok {
			t.Errorf("%s: topic not read back", id)
			continue
		}
		if ga, ok := p["KmsMasterKeyId"].(map[string]any); ok {
			keyID := anySlice(ga["Fn::GetAtt"])[0].(string)
			if got, want := tp.Attributes["KmsMasterKeyId"], d.readback.Keys[keyID].Metadata.Arn; got != want || want == "" {
				t.Errorf("%s: KmsMasterKeyId = %v, want %s", id, got, want)
			}
		}
		var wantSids []string
		for _, pr := range d.s.resources("AWS::SNS::TopicPolicy") {
			pp := pr["Properties"].(map[string]any)
			for _, s := range anySlice(pp["PolicyDocument"].(map[string]any)["Statement"]) {
				wantSids = append(wantSids, str(s.(map[string]any)["Sid"]))
			}
		}
		var gotSids []string
		pol, _ := tp.Attributes["Policy"].(map[string]any)
		for _, s := range anySlice(pol["Statement"]) {
			sm := s.(map[string]any)
			gotSids = append(gotSids, str(sm["Sid"]))
			if res := str(sm["Resource"]); res != tp.Arn {
				t.Errorf("%s: policy statement %v applies to %q, want the topic %s", id, sm["Sid"], res, tp.Arn)
			}
		}
		if len(wantSids) > 0 && !slices.Equal(gotSids, wantSids) {
			t.Errorf("%s: topic policy statements %v, want %v", id, gotSids, wantSids)
		}
		var gotSubs, wantSubs []string
		for _, s := range tp.Subscriptions {
			gotSubs = append(gotSubs, s.Protocol+":"+s.Endpoint)
		}
		for _, sr := range d.s.resources("AWS::SNS::Subscription") {
			sp := sr["Properties"].(map[string]any)
			wantSubs = append(wantSubs, str(sp["Protocol"])+":"+str(sp["Endpoint"]))
		}
		sort.Strings(gotSubs)
		sort.Strings(wantSubs)
		if !slices.Equal(gotSubs, wantSubs) {
			t.Errorf("%s: subscriptions %v, want %v", id, gotSubs, wantSubs)
		}
	}
}

// The managed policy has the template's document and is attached to the
// roles the config names.
func (d *deployment) checkPolicy(t *testing.T) {
	for id, r := range d.s.resources("AWS::IAM::ManagedPolicy") {
		p := r["Properties"].(map[string]any)
		got, ok := d.readback.Policies[id]
		if !ok {
			t.Errorf("%s: policy not read back", id)
			continue
		}
		if !reflect.DeepEqual(got.Document, p["PolicyDocument"]) {
			t.Errorf("%s: document %v, want %v", id, got.Document, p["PolicyDocument"])
		}
		var want []string
		for _, role := range anySlice(p["Roles"]) {
			want = append(want, role.(string))
		}
		sort.Strings(got.Roles)
		sort.Strings(want)
		if !slices.Equal(got.Roles, want) {
			t.Errorf("%s: attached to %v, want %v", id, got.Roles, want)
		}
	}
}

// Every lifecycle configuration exists under its name with exactly the
// template's on-start script.
func (d *deployment) checkLifecycleConfigs(t *testing.T) {
	want := d.s.resources("AWS::SageMaker::NotebookInstanceLifecycleConfig")
	if len(d.readback.LifecycleConfigs) != len(want) {
		t.Errorf("%d lifecycle configs read back, the template has %d", len(d.readback.LifecycleConfigs), len(want))
	}
	for id, r := range want {
		p := r["Properties"].(map[string]any)
		name := str(p["NotebookInstanceLifecycleConfigName"])
		lc, ok := d.readback.LifecycleConfigs[name]
		if !ok {
			t.Errorf("%s: no lifecycle config named %s", id, name)
			continue
		}
		wantScript := str(anySlice(p["OnStart"])[0].(map[string]any)["Content"])
		if len(lc.OnStart) != 1 || lc.OnStart[0].Content != wantScript || wantScript == "" {
			t.Errorf("%s: on-start script differs from the template's", name)
		}
	}
}

// Notebook instances are created. moto keeps only the instance type and
// the role of a notebook created through CloudFormation (it generates the
// name and ignores the volume, network, key, root access and lifecycle
// settings), so only those are compared; the rest is checked on the
// template by the other tests.
func (d *deployment) checkNotebooks(t *testing.T) {
	want := d.s.resources("AWS::SageMaker::NotebookInstance")
	if len(d.readback.Notebooks) != len(want) {
		t.Errorf("%d notebook instances read back, the template has %d", len(d.readback.Notebooks), len(want))
	}
	for id, r := range want {
		p := r["Properties"].(map[string]any)
		var nb, found = d.readback.Notebooks[d.physicalName(id)]
		if !found {
			t.Errorf("%s: notebook instance not read back", id)
			continue
		}
		if nb.InstanceType != str(p["InstanceType"]) || nb.RoleArn != str(p["RoleArn"]) {
			t.Errorf("%s: %s with role %s, want %v with role %v", id, nb.InstanceType, nb.RoleArn, p["InstanceType"], p["RoleArn"])
		}
		t.Logf("%s: moto ignores NotebookInstanceName %v, DirectInternetAccess %v (has %s), VolumeSizeInGB %v (has %d), KmsKeyId, SubnetId, RootAccess, LifecycleConfigName",
			id, p["NotebookInstanceName"], p["DirectInternetAccess"], nb.DirectInternetAccess, p["VolumeSizeInGB"], nb.VolumeSizeInGB)
	}
}

// physicalName is the name part of a resource's physical id (an ARN ending
// in /name, or the name).
func (d *deployment) physicalName(logical string) string {
	id := d.physical[logical]
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}
