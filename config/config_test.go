package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// good is a valid config that the bad cases below break one way each.
const good = `project: churn
endpoints:
  - name: churn-xgb
    variants:
      - name: AllTraffic
        instanceType: ml.c5.xlarge
        instanceCount: 2
    slo: {percentile: p99, latency: 300ms}
    alarms:
      modelLatency: {warning: 250ms, critical: 300ms}
      cpuUtilization: {warning: 70%, critical: 90%}
  - name: sentiment
    variants:
      - instanceType: ml.g5.xlarge
    slo: {latency: 150ms}
    alarms:
      modelLatency: {warning: 300ms, critical: 400ms}
      gpuUtilization: {critical: 95%}
    loadTest:
      tasks: 2
      steps: "10@1m,20@1m,40@1m"
      payload: s3://sentiment-models/payloads/request.json
notebooks:
  - name: ds-sandbox
    instanceType: ml.t3.medium
    attachPolicyToRole: SageMakerExecution
    alarms:
      cpuUtilization: {warning: 80%, critical: 95%}
  - name: ds-gpu
    instanceType: ml.g4dn.xlarge
    metricsInterval: 10s
    create:
      roleArn: arn:aws:iam::123456789012:role/SageMakerExecution
      subnetId: subnet-0123456789abcdef0
      securityGroupIds: [sg-0123456789abcdef0]
    alarms:
      gpuUtilization: {critical: 95%}
loadTest: {cpu: 1024, memoryMiB: 2048}
`

func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sagesize.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// loadErr loads content from a file named sagesize.yaml and returns the
// error message with the temporary directory removed.
func loadErr(t *testing.T, content string) string {
	t.Helper()
	path := writeConfig(t, content)
	_, err := Load(path, nil)
	if err == nil {
		t.Fatalf("Load accepted:\n%s", content)
	}
	return strings.ReplaceAll(err.Error(), filepath.Dir(path)+string(filepath.Separator), "")
}

func TestLoad_ExamplesAreValid(t *testing.T) {
	paths, err := filepath.Glob("examples/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	paths = append(paths, filepath.Join("..", DefaultPath))
	if len(paths) < 3 {
		t.Fatalf("found only %v; want the root example and config/examples/*.yaml", paths)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			c, err := Load(p, nil)
			if err != nil {
				t.Fatalf("Load(%s): %v", p, err)
			}
			if len(c.Endpoints)+len(c.Notebooks) == 0 || c.Catalog == nil {
				t.Errorf("Load(%s) = %d endpoints, %d notebooks, catalogue set %v; want resources and a catalogue", p, len(c.Endpoints), len(c.Notebooks), c.Catalog != nil)
			}
		})
	}
}

func TestLoad_Defaults(t *testing.T) {
	c, err := Load(writeConfig(t, good), &Overrides{Release: "v42"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Release, "v42"; got != want {
		t.Errorf("Release = %q; want %q (the override)", got, want)
	}
	if got, want := c.StackName(), "churn-v42-monitoring"; got != want {
		t.Errorf("StackName() = %q; want %q", got, want)
	}
	if got, want := c.AlarmName("churn-xgb", "AllTraffic", "ModelLatency", "Critical"), "churn-v42-churn-xgb-AllTraffic-ModelLatency-Critical"; got != want {
		t.Errorf("AlarmName = %q; want %q", got, want)
	}
	e := c.Endpoints[1]
	if got := e.Variants[0]; got.Name != DefaultVariant || got.Count() != 1 {
		t.Errorf("default variant = %+v; want name %s, count 1", got, DefaultVariant)
	}
	if got := e.SLO.Percentile.String(); got != "p99" {
		t.Errorf("default SLO percentile = %q; want p99", got)
	}
	if got := e.Alarms.ModelLatency.Statistic.String(); got != "p99" {
		t.Errorf("modelLatency statistic = %q; want the SLO percentile p99", got)
	}
	ev := c.EvaluationFor(&c.Endpoints[0])
	if ev.Period.Duration != time.Minute || ev.EvaluationPeriods != 5 || ev.DatapointsToAlarm != 3 {
		t.Errorf("default evaluation = %+v; want 1m, 5, 3", ev)
	}
	if !c.Notifications.NotifyWarnings() {
		t.Error("NotifyWarnings() = false; want true by default")
	}
}

func TestLoad_SLOBecomesCriticalLatencyAlarm(t *testing.T) {
	c, err := Load("examples/minimal.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	ml := c.Endpoints[0].Alarms.ModelLatency
	if ml == nil || ml.Critical == nil || ml.Critical.Duration != 100*time.Millisecond || ml.Warning != nil {
		t.Fatalf("modelLatency = %+v; want only a critical threshold at the 100ms SLO", ml)
	}
}

func TestLoad_ReleaseOverrideIsValidated(t *testing.T) {
	_, err := Load(writeConfig(t, good), &Overrides{Release: "v1.2"})
	if err == nil || !strings.Contains(err.Error(), `release: must be at most 32 letters, digits and hyphens (stack names allow no dots or underscores), e.g. "v1-2", got "v1.2"`) {
		t.Fatalf("Load with release v1.2: %v; want the release rule", err)
	}
}

func TestLoad_MissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("Load(missing) = %v; want a not-exist error naming the file", err)
	}
}

// badConfigs each edit the good config one way; want is the whole error
// message. FuzzLoad starts from them too.
var badConfigs = []struct {
	name, old, new, want string
}{
	{
		name: "empty file", old: good, new: "# nothing here\n",
		want: "sagesize.yaml: the file is empty; start from sagesize.yaml or config/examples/",
	},
	{
		name: "yaml syntax", old: "slo: {percentile: p99, latency: 300ms}", new: "slo: {percentile: p99, latency: 300ms",
		// yaml.v3 reports the line where the open flow mapping's parent began.
		want: "sagesize.yaml: yaml: line 7: did not find expected ',' or '}'",
	},
	{
		name: "unknown key", old: "instanceType: ml.c5.xlarge", new: "instanceTyp: ml.c5.xlarge",
		want: "sagesize.yaml: endpoints[0].variants[0].instanceTyp (line 6): unknown field; valid fields here: name, instanceType, instanceCount, serverless, autoscaling (did you mean instanceType?)",
	},
	{
		name: "every unknown key at once", old: "project: churn\n", new: "projet: churn\nendpoint: []\n",
		want: "sagesize.yaml: projet (line 1): unknown field; valid fields here: project, release, account, region, notifications, alarmDefaults, prices, cloudwatchPrices, serverlessPricePerGBSecond, endpoints, notebooks, sharding, dashboards, releaseStacks, loadTest, sizing (did you mean project?)\n" +
			"sagesize.yaml: endpoint (line 2): unknown field; valid fields here: project, release, account, region, notifications, alarmDefaults, prices, cloudwatchPrices, serverlessPricePerGBSecond, endpoints, notebooks, sharding, dashboards, releaseStacks, loadTest, sizing (did you mean endpoints?)",
	},
	{
		name: "wrong type", old: "instanceCount: 2", new: "instanceCount: two",
		want: `sagesize.yaml: endpoints[0].variants[0].instanceCount (line 7): must be a whole number, got "two"`,
	},
	{
		name: "list where a mapping belongs", old: "slo: {latency: 150ms}", new: "slo: [150ms]",
		want: `sagesize.yaml: endpoints[1].slo (line 15): must be a mapping of percentile, latency, got a list`,
	},
	{
		name: "duration without unit", old: "latency: 300ms}", new: "latency: 300}",
		want: `sagesize.yaml: endpoints[0].slo.latency (line 8): must be a duration such as 300ms, 1.5s or 1m, got "300"`,
	},
	{
		name: "percent without sign", old: "{warning: 70%, critical: 90%}", new: "{warning: 0.7, critical: 90%}",
		want: `sagesize.yaml: endpoints[0].alarms.cpuUtilization.warning (line 11): must be a percentage with a % sign such as 80% or 0.5%, got "0.7"`,
	},
	{
		name: "negative threshold", old: "{warning: 70%, critical: 90%}", new: "{warning: -5%, critical: 90%}",
		want: "sagesize.yaml: endpoints[0].alarms.cpuUtilization.warning: must be above 0% and at most 100%, got -5%",
	},
	{
		name: "negative duration", old: "{warning: 250ms, critical: 300ms}", new: "{warning: -250ms, critical: 300ms}",
		want: "sagesize.yaml: endpoints[0].alarms.modelLatency.warning: must be positive, got -250ms",
	},
	{
		name: "inverted latency thresholds", old: "{warning: 300ms, critical: 400ms}", new: "{warning: 300ms, critical: 200ms}",
		want: "sagesize.yaml: endpoints[1].alarms.modelLatency.critical: must be above warning (300ms), got 200ms",
	},
	{
		name: "inverted percent thresholds", old: "{warning: 70%, critical: 90%}", new: "{warning: 90%, critical: 90%}",
		want: "sagesize.yaml: endpoints[0].alarms.cpuUtilization.critical: must be above warning (90%), got 90%",
	},
	{
		name: "unknown instance type", old: "ml.g5.xlarge", new: "ml.g5.xlrge",
		// Only the unknown type: whether it has a GPU cannot be known.
		want: `sagesize.yaml: endpoints[1].variants[0].instanceType: unknown instance type "ml.g5.xlrge" (did you mean ml.g5.xlarge, ml.g5.2xlarge, ml.g5.4xlarge?)`,
	},
	{
		name: "instance type without ml. prefix", old: "ml.c5.xlarge", new: "c5.xlarge",
		want: `sagesize.yaml: endpoints[0].variants[0].instanceType: unknown instance type "c5.xlarge": SageMaker hosting instance types start with "ml." (did you mean ml.c5.xlarge?)`,
	},
	{
		name: "duplicate endpoint", old: "name: sentiment", new: "name: Churn-XGB",
		want: `sagesize.yaml: endpoints[1].name: duplicates endpoints[0].name "Churn-XGB" (SageMaker endpoint names are case-insensitive)`,
	},
	{
		name: "endpoint name SageMaker rejects", old: "name: churn-xgb", new: "name: churn_xgb",
		want: `sagesize.yaml: endpoints[0].name: SageMaker would reject "churn_xgb": endpoint names are 1-63 letters, digits and hyphens, starting and ending with a letter or digit (^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}, at most 63 characters)`,
	},
	{
		name: "endpoint name too long", old: "name: churn-xgb", new: "name: " + strings.Repeat("a", 64),
		want: `sagesize.yaml: endpoints[0].name: SageMaker would reject "` + strings.Repeat("a", 40) + `…": endpoint names are 1-63 letters, digits and hyphens, starting and ending with a letter or digit (^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}, at most 63 characters); this one is 64 characters`,
	},
	{
		name: "GPU threshold on a CPU-only type", old: "cpuUtilization: {warning: 70%, critical: 90%}", new: "gpuMemoryUtilization: {critical: 90%}",
		want: "sagesize.yaml: endpoints[0].alarms.gpuMemoryUtilization: no variant has an NVIDIA GPU (ml.c5.xlarge), so SageMaker publishes no GPU metrics: remove it or use a GPU instance type such as ml.g5.xlarge",
	},
	{
		name: "no variants", old: "    variants:\n      - name: AllTraffic\n        instanceType: ml.c5.xlarge\n        instanceCount: 2\n", new: "",
		// Reported where the user can add them, not at an entry they never wrote.
		want: "sagesize.yaml: endpoints[0].variants: is required: list the endpoint's production variants with their instance types, e.g. variants: [{instanceType: ml.c5.xlarge}] (a single variant is named AllTraffic)",
	},
	{
		name: "zero instances", old: "instanceCount: 2", new: "instanceCount: -1",
		want: "sagesize.yaml: endpoints[0].variants[0].instanceCount: must be at least 1, got -1",
	},
	{
		name: "datapoints above periods", old: "project: churn\n", new: "project: churn\nalarmDefaults: {evaluationPeriods: 2, datapointsToAlarm: 3}\n",
		want: "sagesize.yaml: alarmDefaults.datapointsToAlarm: must be between 1 and evaluationPeriods (2), got 3",
	},
	{
		name: "period CloudWatch rejects", old: "project: churn\n", new: "project: churn\nalarmDefaults: {period: 45s}\n",
		want: "sagesize.yaml: alarmDefaults.period: must be 10s, 30s or a whole number of minutes, got 45s",
	},
	{
		name: "account without region", old: "project: churn\n", new: "project: churn\naccount: \"123456789012\"\n",
		want: "sagesize.yaml: account: account and region go together: give both to pin the environment, or neither for an environment-agnostic stack",
	},
	{
		name: "topic and emails", old: "project: churn\n", new: "project: churn\nnotifications: {topicArn: 'arn:aws:sns:us-east-1:123456789012:x', emails: [a@example.com]}\n",
		want: "sagesize.yaml: notifications.emails: subscribes addresses to the topic sagesize creates; with topicArn, manage subscriptions on that topic instead",
	},
	{
		name: "bad price override", old: "project: churn\n", new: "project: churn\nprices: {ml.c5.xlarge: 0}\n",
		want: `sagesize.yaml: prices: price override for ml.c5.xlarge: price must be a positive number of USD per hour, got 0`,
	},
	{
		name: "no endpoints", old: good[strings.Index(good, "endpoints:"):], new: "",
		want: "sagesize.yaml: endpoints: is required: list at least one SageMaker endpoint (name, variants, slo), notebook instance (notebooks:) or a sizing test (sizing:)",
	},
	{
		name: "notebook name SageMaker rejects", old: "name: ds-sandbox", new: "name: ds_sandbox",
		want: `sagesize.yaml: notebooks[0].name: SageMaker would reject "ds_sandbox": notebook instance names are 1-63 letters, digits and hyphens, starting and ending with a letter or digit (^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}, at most 63 characters)`,
	},
	{
		name: "lifecycle config name too long", old: "name: ds-sandbox", new: "name: " + strings.Repeat("n", 60),
		want: `sagesize.yaml: notebooks[0].name: makes the lifecycle configuration name "churn-` + strings.Repeat("n", 34) + `…" (66 characters); SageMaker allows 63: shorten project, release or notebook name`,
	},
	{
		name: "unknown notebook instance type", old: "ml.t3.medium", new: "ml.t3.mediun",
		want: `sagesize.yaml: notebooks[0].instanceType: unknown instance type "ml.t3.mediun" (did you mean ml.t3.medium, ml.t3.large, ml.t3.xlarge?)`,
	},
	{
		name: "notebook-only type for an endpoint", old: "instanceType: ml.c5.xlarge", new: "instanceType: ml.t3.medium",
		want: "sagesize.yaml: endpoints[0].variants[0].instanceType: ml.t3.medium is a notebook instance type; SageMaker endpoints cannot run on it (try ml.m5.large or ml.c5.large)",
	},
	{
		name: "GPU threshold on a CPU-only notebook", old: "cpuUtilization: {warning: 80%, critical: 95%}", new: "gpuUtilization: {critical: 95%}",
		want: "sagesize.yaml: notebooks[0].alarms.gpuUtilization: ml.t3.medium has no NVIDIA GPU, so the agent publishes no GPU metrics: remove it or use a GPU instance type such as ml.g5.xlarge",
	},
	{
		name: "metrics interval", old: "metricsInterval: 10s", new: "metricsInterval: 1500ms",
		want: "sagesize.yaml: notebooks[1].metricsInterval: must be whole seconds from 1s to 1h, got 1.5s",
	},
	{
		name: "role ARN where a name belongs", old: "attachPolicyToRole: SageMakerExecution", new: "attachPolicyToRole: arn:aws:iam::123456789012:role/x",
		want: `sagesize.yaml: notebooks[0].attachPolicyToRole: must be an IAM role name (not an ARN): up to 64 letters, digits and +=,.@_-, got "arn:aws:iam::123456789012:role/x"`,
	},
	{
		name: "created notebook without a subnet", old: "      subnetId: subnet-0123456789abcdef0\n", new: "",
		want: "sagesize.yaml: notebooks[1].create.subnetId: is required while directInternetAccess is false (SageMaker needs a VPC subnet to reach the notebook)",
	},
	{
		name: "created notebook with a bad role", old: "roleArn: arn:aws:iam::123456789012:role/SageMakerExecution", new: "roleArn: SageMakerExecution",
		want: `sagesize.yaml: notebooks[1].create.roleArn: is required: the execution role ARN, e.g. arn:aws:iam::123456789012:role/SageMakerExecution, got "SageMakerExecution"`,
	},
	{
		name: "more variants than SageMaker allows", old: "    variants:\n      - instanceType: ml.g5.xlarge\n",
		new: "    variants:\n" + strings.Repeat("      - instanceType: ml.g5.xlarge\n", 10) + "      - {name: v10, instanceType: ml.g5.xlarge}\n",
		want: "sagesize.yaml: endpoints[1].variants: has 11 variants; a SageMaker endpoint has at most 10 production variants\n" +
			variantNameRequired(10),
	},
	{
		name: "sharding stacks", old: "project: churn\n", new: "project: churn\nsharding: {stacks: -1}\n",
		want: "sagesize.yaml: sharding.stacks: must be between 1 and 200, or 0 to let sagesize choose, got -1",
	},
	{
		name: "Fargate size", old: "{cpu: 1024, memoryMiB: 2048}", new: "{cpu: 1024, memoryMiB: 1024}",
		want: "sagesize.yaml: loadTest: memoryMiB 1024 is not a Fargate size for cpu 1024: use 2048 to 8192 in steps of 1024",
	},
	{
		name: "plan beyond one task", old: `steps: "10@1m,20@1m,40@1m"`, new: `steps: "1000@1m,5000@1m"`,
		want: "sagesize.yaml: endpoints[1].loadTest: plans 2500 requests per second per task (peak 5000 over 2 tasks); one task of 1 vCPU is planned for at most 2000, so at least 3 tasks are needed: raise tasks or loadTest.cpu",
	},
	{
		name: "load test without a plan", old: `steps: "10@1m,20@1m,40@1m"`, new: "",
		want: `sagesize.yaml: endpoints[1].loadTest: needs a plan: rate (with duration), steps such as "10@1m,20@1m", or ramp such as "0:200" (with duration)`,
	},
	{
		name: "steps that do not parse", old: `steps: "10@1m,20@1m,40@1m"`, new: `steps: "10@1m,fast"`,
		want: `sagesize.yaml: endpoints[1].loadTest.steps: steps "10@1m,fast": step 2 "fast": want RATE@DURATION, e.g. 10@30s`,
	},
	{
		name: "rate without duration", old: `steps: "10@1m,20@1m,40@1m"`, new: "rate: 50",
		want: "sagesize.yaml: endpoints[1].loadTest.duration: is required with rate and must be positive, e.g. 10m",
	},
	{
		name: "payload not on S3", old: "payload: s3://sentiment-models/payloads/request.json", new: "payload: request.json",
		want: `sagesize.yaml: endpoints[1].loadTest.payload: must be an S3 object URI such as s3://my-bucket/payloads/request.json, got "request.json"`,
	},
	{
		name: "unknown target variant", old: "      tasks: 2\n", new: "      tasks: 2\n      variants: [gpu]\n",
		want: `sagesize.yaml: endpoints[1].loadTest.variants[0]: names no variant of endpoint sentiment: "gpu"`,
	},
	{
		name: "vpc without subnets", old: "{cpu: 1024, memoryMiB: 2048}", new: "{vpcId: vpc-0123456789abcdef0}",
		want: "sagesize.yaml: loadTest.subnetIds: vpcId and subnetIds go together: name the VPC and its subnets, or neither to let the stack create a VPC",
	},
	{
		name: "every problem at once", old: "project: churn", new: "project: 9lives\nrelease: v1.0",
		want: `sagesize.yaml: project: must start with a letter and hold at most 32 letters, digits and hyphens (it goes into stack names), got "9lives"` + "\n" +
			`sagesize.yaml: release: must be at most 32 letters, digits and hyphens (stack names allow no dots or underscores), e.g. "v1-0", got "v1.0"`,
	},
}

func TestLoad_BadConfigs(t *testing.T) {
	tests := badConfigs
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.old) {
				t.Fatalf("the good config has no %q", tc.old)
			}
			got := loadErr(t, strings.Replace(good, tc.old, tc.new, 1))
			if got != tc.want {
				t.Errorf("Load error:\n got: %s\nwant: %s", got, tc.want)
			}
		})
	}
}

// variantNameRequired is the message for each of the first n unnamed
// variants of endpoints[1].
func variantNameRequired(n int) string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf("sagesize.yaml: endpoints[1].variants[%d].name: is required when an endpoint has several variants (only a single variant defaults to AllTraffic)", i)
	}
	return strings.Join(lines, "\n")
}

func TestProblems_AreAllReported(t *testing.T) {
	bad := strings.NewReplacer("instanceCount: 2", "instanceCount: 0", "critical: 400ms", "critical: 100ms", "critical: 95%", "critical: 150%").Replace(good)
	_, err := Parse([]byte(bad), nil)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Parse error %v is not Problems", err)
	}
	// Three in the endpoints, two in the notebooks (critical: 95% twice).
	if len(ps) != 5 {
		t.Errorf("got %d problems, want 5:\n%v", len(ps), err)
	}
}

// Validate resolves every instance type once and keeps the catalogue entry
// (with configured prices) on the config value: endpoint variants, notebooks
// and sizing candidates.
func TestValidate_ResolvesInstances(t *testing.T) {
	c, err := Load(writeConfig(t, `project: fleet
prices: {ml.c5.xlarge: 0.5}
endpoints:
  - name: a
    variants:
      - {name: cpu, instanceType: ml.c5.xlarge}
      - {name: gpu, instanceType: ml.g5.12xlarge}
    slo: {latency: 100ms}
notebooks:
  - {name: nb, instanceType: ml.t3.medium, attachPolicyToRole: r}
sizing:
  model: m
  candidates: [{instanceType: ml.c6i.xlarge}]
  slo: {percentile: p99, latency: 150ms}
  targetRate: 10
  plan: {startRate: 1, maxRate: 2, body: "{}"}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := c.Endpoints[0]
	for _, tc := range []struct {
		what     string
		got      string
		want     string
		vcpus    int
		gotVCPUs int
	}{
		{"variant cpu", e.Variants[0].Instance.Type, "ml.c5.xlarge", 4, e.Variants[0].Instance.VCPUs},
		{"variant gpu", e.Variants[1].Instance.Type, "ml.g5.12xlarge", 48, e.Variants[1].Instance.VCPUs},
		{"notebook", c.Notebooks[0].Instance.Type, "ml.t3.medium", 2, c.Notebooks[0].Instance.VCPUs},
		{"sizing candidate", c.Sizing.Candidates[0].Instance.Type, "ml.c6i.xlarge", 4, c.Sizing.Candidates[0].Instance.VCPUs},
		{"sizing variant", c.SizingEndpoint().Variants[0].Instance.Type, "ml.c6i.xlarge", 4, c.SizingEndpoint().Variants[0].Instance.VCPUs},
	} {
		if tc.got != tc.want || tc.gotVCPUs != tc.vcpus {
			t.Errorf("%s: instance %s with %d vCPUs; want %s with %d", tc.what, tc.got, tc.gotVCPUs, tc.want, tc.vcpus)
		}
	}
	if got := e.Variants[0].Instance.PricePerHour; got != 0.5 {
		t.Errorf("variant price %v; want the configured 0.5", got)
	}
	if got := e.Variants[1].Instance.GPUs(); got != 4 {
		t.Errorf("g5.12xlarge GPUs = %d; want 4", got)
	}
}

// Anchors, aliases and merge keys work as YAML 1.1 says: a mapping's own
// keys override merged ones, of several merged mappings the earlier wins,
// and every alias use gets its own values.
func TestLoad_AnchorsAliasesAndMergeKeys(t *testing.T) {
	c, err := Load(writeConfig(t, `project: churn
alarmDefaults: &fast {period: 1m, evaluationPeriods: 3, datapointsToAlarm: 2}
endpoints:
  - name: a
    variants: &cpu [{instanceType: ml.c5.xlarge}]
    slo: &slo {percentile: p90, latency: 300ms}
    alarms: &std
      modelLatency: {warning: 250ms, critical: 300ms}
      cpuUtilization: {warning: 70%, critical: 90%}
  - name: b
    variants: *cpu
    slo: *slo
    alarms:
      <<: *std
      cpuUtilization: {critical: 80%}
    evaluation:
      <<: [*fast, {period: 5m, evaluationPeriods: 10}]
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := c.Endpoints[0], c.Endpoints[1]
	if b.Variants[0].InstanceType != "ml.c5.xlarge" || b.SLO.Percentile.Value != "p90" || b.SLO.Latency.Duration != 300*time.Millisecond {
		t.Errorf("endpoint b = %+v; want the aliased variants and SLO", b)
	}
	if got := b.Alarms.ModelLatency; got == nil || got.Critical.Duration != 300*time.Millisecond || got.Statistic.Value != "p90" {
		t.Errorf("b.alarms.modelLatency = %+v; want the merged 300ms critical at p90", got)
	}
	if got := b.Alarms.CPUUtilization; got.Warning != nil || got.Critical.Value != 80 {
		t.Errorf("b.alarms.cpuUtilization = %+v; want b's own {critical: 80%%} to replace the merged one whole", got)
	}
	if got := a.Alarms.CPUUtilization; got.Warning.Value != 70 || got.Critical.Value != 90 {
		t.Errorf("a.alarms.cpuUtilization = %+v; want the anchor's own 70%%/90%%", got)
	}
	if a.Alarms.ModelLatency == b.Alarms.ModelLatency {
		t.Error("a and b share one *LatencyThresholds; each alias use must get its own values")
	}
	if got, want := *b.Evaluation, (Evaluation{Period: Duration{time.Minute}, EvaluationPeriods: 3, DatapointsToAlarm: 2}); got != want {
		t.Errorf("b.evaluation = %+v; want %+v (the earlier merged mapping wins)", got, want)
	}
}

// Problems in the structure of the YAML name the file, the field path where
// the value is used and the line where it is written.
// yamlProblems edit the good config's YAML structure one way each.
var yamlProblems = []struct{ name, old, new, want string }{
	{
		name: "unknown key through a merge", old: "      cpuUtilization: {warning: 70%, critical: 90%}\n",
		new:  "      cpuUtilization: &cpu {warning: 70%, critical: 90%}\n      memoryUtilization: {<<: *cpu}\n      diskUtilization:\n        <<: *cpu\n        critcal: 95%\n",
		want: "sagesize.yaml: endpoints[0].alarms.diskUtilization.critcal (line 15): unknown field; valid fields here: warning, critical (did you mean critical?)",
	},
	{
		name: "unknown key in an anchor, reported once where it is written", old: "      cpuUtilization: {warning: 70%, critical: 90%}\n",
		new:  "      cpuUtilization: &cpu {warning: 70%, critcal: 90%}\n      memoryUtilization: *cpu\n      diskUtilization: {<<: *cpu}\n",
		want: "sagesize.yaml: endpoints[0].alarms.cpuUtilization.critcal (line 11): unknown field; valid fields here: warning, critical (did you mean critical?)",
	},
	{
		name: "two documents", old: "loadTest: {cpu: 1024, memoryMiB: 2048}\n", new: "---\nloadTest: {cpu: 1024, memoryMiB: 2048}\n",
		want: "sagesize.yaml: line 38: a second YAML document starts here; a config is one document: merge them, or keep one per file",
	},
	{
		name: "duplicate key", old: "project: churn\n", new: "project: churn\nproject: other\n",
		want: "sagesize.yaml: project (line 2): is already given on line 1; a key may appear once in a mapping",
	},
	{
		name: "duplicate key in a flow mapping", old: "{warning: 70%, critical: 90%}", new: "{warning: 70%, critical: 90%, warning: 80%}",
		want: "sagesize.yaml: endpoints[0].alarms.cpuUtilization.warning (line 11): is already given on line 11; a key may appear once in a mapping",
	},
	{
		name: "merge of a scalar", old: "{warning: 70%, critical: 90%}", new: "{<<: 70%}",
		want: `sagesize.yaml: endpoints[0].alarms.cpuUtilization (line 11): merge key << takes an alias of a mapping (<<: *defaults) or a list of them (<<: [*a, *b]), got "70%"`,
	},
	{
		name: "list inside a merge list", old: "{warning: 70%, critical: 90%}", new: "{<<: [[{warning: 70%}]], critical: 90%}",
		want: "sagesize.yaml: endpoints[0].alarms.cpuUtilization (line 11): merge key << takes mappings or aliases of mappings, got a list inside the list",
	},
	{
		name: "alias inside its own anchor", old: "{warning: 70%, critical: 90%}", new: "&self {warning: 70%, critical: 90%, x: *self}",
		want: "sagesize.yaml: endpoints[0].alarms.cpuUtilization.x (line 11): unknown field; valid fields here: warning, critical",
	},
	{
		name: "merge inside its own anchor", old: "{warning: 70%, critical: 90%}", new: "&self {warning: 70%, critical: 90%, <<: *self}",
		want: "sagesize.yaml: endpoints[0].alarms.cpuUtilization (line 11): merge <<: *self repeats a mapping that contains it; an anchor cannot be used inside itself",
	},
	{
		name: "list alias inside itself", old: "    variants:\n      - instanceType: ml.g5.xlarge\n", new: "    variants: &v\n      - instanceType: ml.g5.xlarge\n      - *v\n",
		want: "sagesize.yaml: endpoints[1].variants[1] (line 15): alias *v repeats a node that contains it; an anchor cannot be used inside itself",
	},
}

func TestLoad_YAMLStructureProblems(t *testing.T) {
	tests := yamlProblems
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.old) {
				t.Fatalf("the good config has no %q", tc.old)
			}
			if got := loadErr(t, strings.Replace(good, tc.old, tc.new, 1)); got != tc.want {
				t.Errorf("Load error:\n got: %s\nwant: %s", got, tc.want)
			}
		})
	}
}

// A trailing empty document (a last ---) is not a second document.
func TestLoad_TrailingDocumentMarker(t *testing.T) {
	if _, err := Load(writeConfig(t, good+"---\n"), nil); err != nil {
		t.Errorf("Load(good + ---) = %v; want the config", err)
	}
}

// numberCases are configs with a number that is not finite or does not fit; FuzzLoad starts from them too.
func numberCases() []struct{ name, config, want string } {
	endpoint := func(old, new string) string { return strings.Replace(good, old, new, 1) }
	sizing := func(old, new string) string { return strings.Replace(goodSizing, old, new, 1) }
	plan := `steps: "10@1m,20@1m,40@1m"`
	return []struct{ name, config, want string }{
		{"rate .nan", endpoint(plan, "rate: .nan\n      duration: 1m"),
			`endpoints[1].loadTest.rate (line 21): must be a finite number, got ".nan"`},
		{"rate .inf", endpoint(plan, "rate: .inf\n      duration: 1m"),
			`endpoints[1].loadTest.rate (line 21): must be a finite number, got ".inf"`},
		{"rate -.Inf", endpoint(plan, "rate: -.Inf\n      duration: 1m"),
			`endpoints[1].loadTest.rate (line 21): must be a finite number, got "-.Inf"`},
		{"rate beyond float64", endpoint(plan, "rate: 1e400\n      duration: 1m"),
			`endpoints[1].loadTest.rate (line 21): must be a finite number, got "1e400" (out of range)`},
		{"NaN in steps", endpoint(plan, `steps: "NaN@1m"`),
			`endpoints[1].loadTest.steps: steps "NaN@1m": step 1: rate NaN: rate must be a positive number of requests per second (not NaN or infinite)`},
		{"NaN percent", endpoint("{warning: 70%, critical: 90%}", "{warning: NaN%, critical: 90%}"),
			`endpoints[0].alarms.cpuUtilization.warning (line 11): must be a finite percentage such as 80% or 0.5%, got "NaN%"`},
		{"Inf percent", endpoint("{warning: 70%, critical: 90%}", "{warning: 70%, critical: Inf%}"),
			`endpoints[0].alarms.cpuUtilization.critical (line 11): must be a finite percentage such as 80% or 0.5%, got "Inf%"`},
		{"percent beyond float64", endpoint("{warning: 70%, critical: 90%}", "{warning: 70%, critical: 1e400%}"),
			`endpoints[0].alarms.cpuUtilization.critical (line 11): must be a finite percentage such as 80% or 0.5%, got "1e400%"`},
		{"price .nan", endpoint("project: churn\n", "project: churn\nprices: {ml.c5.xlarge: .nan}\n"),
			`prices.ml.c5.xlarge (line 2): must be a finite number, got ".nan"`},
		{"whole number overflow", endpoint("tasks: 2", "tasks: 99999999999999999999"),
			`endpoints[1].loadTest.tasks (line 20): "99999999999999999999" does not fit: whole numbers here are from -9223372036854775808 to 9223372036854775807`},
		{"growth .nan", sizing("    maxRate: 100\n", "    maxRate: 100\n    growth: .nan\n"),
			`sizing.plan.growth (line 12): must be a finite number, got ".nan"`},
		{"growth .inf", sizing("    maxRate: 100\n", "    maxRate: 100\n    growth: .inf\n"),
			`sizing.plan.growth (line 12): must be a finite number, got ".inf"`},
		{"explicit rate .inf", sizing("    startRate: 20\n    maxRate: 100\n", "    rates: [10, .inf]\n"),
			`sizing.plan.rates[1] (line 10): must be a finite number, got ".inf"`},
		{"headroom NaN%", sizing("  targetRate: 300\n", "  targetRate: 300\n  headroom: NaN%\n"),
			`sizing.headroom (line 9): must be a finite percentage such as 80% or 0.5%, got "NaN%"`},
		{"maxErrorRate Inf%", sizing("  targetRate: 300\n", "  targetRate: 300\n  maxErrorRate: Inf%\n"),
			`sizing.maxErrorRate (line 9): must be a finite percentage such as 80% or 0.5%, got "Inf%"`},
		{"targetRate .nan", sizing("targetRate: 300", "targetRate: .nan"),
			`sizing.targetRate (line 8): must be a finite number, got ".nan"`},
		{"candidate maxRate -.inf", sizing("maxRate: 2000", "maxRate: -.inf"),
			`sizing.candidates[1].maxRate (line 6): must be a finite number, got "-.inf"`},
	}
}

// NaN, infinities and numbers beyond float64 are refused wherever a number
// is read, naming the field; so are whole numbers that do not fit. Before,
// .nan growth gave an empty sizing plan, .inf rates a plan of no steps,
// NaN% thresholds passed, and a huge rate "-9223372036854775808 tasks".
func TestLoad_NumbersMustBeFinite(t *testing.T) {
	tests := numberCases()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := loadErr(t, tc.config), "sagesize.yaml: "+tc.want; got != want {
				t.Errorf("Load error:\n got: %s\nwant: %s", got, want)
			}
		})
	}
	// A finite rate too large for an int number of tasks.
	huge := strings.Replace(strings.Replace(goodSizing, "    startRate: 20\n    maxRate: 100\n", "    startRate: 1e25\n    maxRate: 1e25\n    tasks: 2\n", 1), ", maxRate: 2000", "", 1)
	got := loadErr(t, huge)
	if want := "one task of 1 vCPU is planned for at most 2000, so far more than 100 tasks would be needed"; !strings.Contains(got, want) || strings.Contains(got, "-9223372036854775808") {
		t.Errorf("Load error:\n got: %s\nwant it to end: %s", got, want)
	}
}

// nameCases are configs with a SageMaker name over 63 characters; FuzzLoad starts from them too.
func nameCases() []struct{ name, config, want string } {
	long := strings.Repeat("a-", 57) + "a" // 115 characters, matches the pattern
	rule := " names are 1-63 letters, digits and hyphens, starting and ending with a letter or digit (^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}, at most 63 characters); this one is "
	return []struct{ name, config, want string }{
		{"endpoint of 115", strings.Replace(good, "name: churn-xgb", "name: "+long, 1),
			`endpoints[0].name: SageMaker would reject "` + long[:40] + `…": endpoint` + rule + "115 characters"},
		{"endpoint of 64", strings.Replace(good, "name: churn-xgb", "name: "+strings.Repeat("e", 32)+"-"+strings.Repeat("e", 31), 1),
			`endpoints[0].name: SageMaker would reject "` + strings.Repeat("e", 32) + "-" + strings.Repeat("e", 7) + `…": endpoint` + rule + "64 characters"},
		{"variant of 64", strings.Replace(good, "name: AllTraffic", "name: "+strings.Repeat("v-", 31)+"vv", 1),
			`endpoints[0].variants[0].name: SageMaker would reject "` + strings.Repeat("v-", 20) + `…": variant` + rule + "64 characters"},
		{"notebook of 64", strings.Replace(good, "name: ds-gpu", "name: "+strings.Repeat("n-", 31)+"nn", 1),
			`notebooks[1].name: SageMaker would reject "` + strings.Repeat("n-", 20) + `…": notebook instance` + rule + "64 characters"},
		{"sizing candidate of 64", strings.Replace(goodSizing, "name: gpu,", "name: "+strings.Repeat("g-", 31)+"gg,", 1),
			`sizing.candidates[1].name: SageMaker would reject "` + strings.Repeat("g-", 20) + `…": variant` + rule + "64 characters"},
		{"sizing model of 64", strings.Replace(goodSizing, "model: shop-model-v3", "model: "+strings.Repeat("m-", 31)+"mm", 1),
			`sizing.model: SageMaker would reject "` + strings.Repeat("m-", 20) + `…": model` + rule + "64 characters"},
	}
}

// SageMaker's name pattern lets hyphens run on: a name of 115 characters
// matches it, and only the 63-character limit refuses it.
func TestLoad_NameLengths(t *testing.T) {
	tests := nameCases()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := loadErr(t, tc.config)
			if first, _, _ := strings.Cut(got, "\n"); first != "sagesize.yaml: "+tc.want {
				t.Errorf("Load error:\n got: %s\nwant: sagesize.yaml: %s", got, tc.want)
			}
		})
	}
	// 63 characters is legal.
	if _, err := Load(writeConfig(t, strings.Replace(good, "name: churn-xgb", "name: "+strings.Repeat("a-", 31)+"a", 1)), nil); err != nil {
		t.Errorf("a 63-character endpoint name: %v", err)
	}
}

// A file over MaxConfigBytes is refused before it is read or parsed.
func TestLoad_RefusesFilesOverTheSizeLimit(t *testing.T) {
	big := good + "# " + strings.Repeat("x", 5<<20) + "\n" // 5 MiB of comment
	if got, want := loadErr(t, big), "sagesize.yaml: the file is 5.0 MiB; sagesize reads configs of at most 1 MiB (1048576 bytes), several times a fleet of 300 endpoints"; got != want {
		t.Errorf("Load error:\n got: %s\nwant: %s", got, want)
	}
	if _, err := Parse([]byte(big), nil); err == nil || !strings.Contains(err.Error(), "at most 1 MiB (1048576 bytes)") {
		t.Errorf("Parse(5 MiB) = %v; want the size limit", err)
	}
	// Just under the limit is read.
	fits := good + "# " + strings.Repeat("x", MaxConfigBytes-len(good)-3) + "\n"
	if _, err := Load(writeConfig(t, fits), nil); err != nil {
		t.Errorf("Load(%d bytes) = %v; want the config", len(fits), err)
	}
}

// aliasBomb is a "billion laughs" file: each level merges the one below ten
// times, so prices expand to 10^levels keys walked.
func aliasBomb(levels int) string {
	var b strings.Builder
	b.WriteString(good + "l0: &l0 {ml.c5.xlarge: .5, ml.c5.large: x}\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "l%d: &l%d {<<: [%s]}\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	fmt.Fprintf(&b, "prices: {<<: *l%d}\n", levels)
	return b.String()
}

// Aliases may repeat at most MaxAliasValues values: an alias bomb gets that
// error, once, after a bounded walk (by count, not by clock).
func TestLoad_AliasBombIsRefused(t *testing.T) {
	_, err := Parse([]byte(aliasBomb(9)), nil)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Parse(alias bomb) = %v; want Problems", err)
	}
	last := ps[len(ps)-1]
	if want := "aliases repeat more than 100000 values; sagesize reads at most 100000 (aliases of nodes that hold aliases multiply: write such parts out)"; last.Msg != want || last.Path != "prices" {
		t.Errorf("last problem = %v; want at prices: %s", last, want)
	}
	// The unknown keys l0..l9, the bad price once (not once per use), the budget.
	if len(ps) != 12 {
		t.Errorf("got %d problems, want 12:\n%v", len(ps), err)
	}
	// A small bomb within the budget decodes: 10^3 merges of the same keys.
	if _, err := Parse([]byte(strings.Replace(aliasBomb(3), "ml.c5.large: x", "ml.c5.large: .1", 1)), nil); err == nil || strings.Contains(err.Error(), "aliases repeat") {
		t.Errorf("Parse(small bomb) = %v; want only the unknown l0..l3 keys", err)
	}
}

// An error lists at most MaxPrinted problems and says how many more there are.
func TestLoad_PrintsAtMostMaxPrintedProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString(good + "prices:\n")
	for i := range 25 {
		fmt.Fprintf(&b, "  ml.nope%d.large: 1\n", i)
	}
	got := loadErr(t, b.String())
	lines := strings.Split(got, "\n")
	if len(lines) != MaxPrinted+1 {
		t.Fatalf("%d lines; want %d problems and a summary:\n%s", len(lines), MaxPrinted, got)
	}
	if want := "sagesize.yaml: … and 5 more problems (25 in all; fix these and run again)"; lines[MaxPrinted] != want {
		t.Errorf("last line %q; want %q", lines[MaxPrinted], want)
	}
}

// Thousands of unknown instance types validate in linear time: only the
// first MaxPrinted get "did you mean" suggestions (an edit distance to every
// catalogue type each).
func TestLoad_SuggestsForTheFirstUnknownTypesOnly(t *testing.T) {
	var b strings.Builder
	b.WriteString(good + "prices:\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "  ml.c5.xlarge%d: 1\n", i)
	}
	_, err := Parse([]byte(b.String()), nil)
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 2000 {
		t.Fatalf("Parse = %d problems; want one per unknown type", len(ps))
	}
	with := 0
	for _, p := range ps {
		if strings.Contains(p.Msg, "did you mean") {
			with++
		}
	}
	if with != MaxPrinted {
		t.Errorf("%d problems carry suggestions; want the first %d", with, MaxPrinted)
	}
}

// A long bad value is quoted cut to 40 characters, not echoed whole.
func TestLoad_QuotesLongValuesCut(t *testing.T) {
	long := strings.Repeat("9", 5000) + "ms"
	got := loadErr(t, strings.Replace(good, "latency: 300ms}", "latency: x"+long+"}", 1))
	want := `sagesize.yaml: endpoints[0].slo.latency (line 8): must be a duration such as 300ms, 1.5s or 1m, got "x` + strings.Repeat("9", 39) + `…"`
	if got != want {
		t.Errorf("Load error:\n got: %s\nwant: %s", got, want)
	}
}

// pricesConfig is the good config with n price overrides for unknown
// instance types: the file the issue saw take 2.0/3.1/8.0 s at 5k/10k/20k.
func pricesConfig(n int) []byte {
	var b strings.Builder
	b.WriteString(good + "prices:\n")
	for i := range n {
		fmt.Fprintf(&b, "  ml.x%d.large: 1\n", i)
	}
	return []byte(b.String())
}

// BenchmarkLoad parses and validates configs of 1k and 10k price keys;
// scripts/bench-fuzz prints the time per KB of the larger against the
// smaller (1.0 is linear).
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		data := pricesConfig(n)
		b.Run(fmt.Sprintf("prices=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Parse(data, nil); err == nil {
					b.Fatal("Parse accepted unknown instance types")
				}
			}
		})
	}
}

// Bugs FuzzLoad found (seeds under testdata/fuzz/FuzzLoad).
func TestLoad_FuzzFindings(t *testing.T) {
	rates := func(r string) string {
		return strings.Replace(strings.Replace(goodSizing, "    startRate: 20\n    maxRate: 100\n", r, 1), ", maxRate: 2000", "", 1)
	}
	// A growth just above 1 took 3 s at 1.0000001 and hours closer to 1:
	// Rates steps through every rounded-away rate.
	got := loadErr(t, rates("    startRate: 20\n    maxRate: 100\n    growth: 1.000000000001\n"))
	if want := "sagesize.yaml: sizing.plan.growth: must be at least 1.01 (the ratio between consecutive rates, e.g. 1.5), got 1.000000000001"; got != want {
		t.Errorf("Load error:\n got: %s\nwant: %s", got, want)
	}
	// A start rate below 0.05 was rounded to a 0 req/s step, which made
	// the whole sizing plan empty without a word.
	c, err := Load(writeConfig(t, rates("    startRate: 0.01\n    maxRate: 0.04\n")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Sizing.Steps(0), "0.01@3m0s,0.015@3m0s,0.0225@3m0s,0.03375@3m0s,0.04@3m0s"; got != want {
		t.Errorf("Steps(0) = %q; want %q", got, want)
	}
}

// More FuzzLoad findings: every problem stays on one line that starts with
// the file name, and no value is echoed whole.
func TestLoad_ProblemsStayOnOneLine(t *testing.T) {
	tests := []struct{ name, old, new, want string }{
		{
			// Found by FuzzLoad: a key with line breaks broke the message
			// into lines that did not name the file.
			name: "key with line breaks", old: "{warning: 70%, critical: 90%}", new: `{warning: 70%, critical: 90%, "war\n\n0%": 1}`,
			want: `sagesize.yaml: endpoints[0].alarms.cpuUtilization."war\n\n0%" (line 11): unknown field; valid fields here: warning, critical`,
		},
		{
			name: "endpoint name with a line break", old: "name: churn-xgb", new: `name: "churn\nxgb"`,
			want: `sagesize.yaml: endpoints[0].name: SageMaker would reject "churn\nxgb": endpoint names are 1-63 letters, digits and hyphens, starting and ending with a letter or digit (^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}, at most 63 characters)`,
		},
		{
			// An edit distance to every catalogue type of a long name cost
			// seconds; it gets no suggestion and is cut.
			name: "long instance type", old: "ml.c5.xlarge", new: "ml." + strings.Repeat("c", 100000),
			want: `sagesize.yaml: endpoints[0].variants[0].instanceType: unknown instance type "ml.` + strings.Repeat("c", 37) + `…"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := loadErr(t, strings.Replace(good, tc.old, tc.new, 1)); got != tc.want {
				t.Errorf("Load error:\n got: %s\nwant: %s", got, tc.want)
			}
		})
	}
	// Another package's error that quotes a long value whole is cut at
	// maxLine characters.
	got := loadErr(t, strings.Replace(good, `steps: "10@1m,20@1m,40@1m"`, `steps: "`+strings.Repeat("10@1m,", 2000)+`x"`, 1))
	if n, want := len([]rune(got)), len("sagesize.yaml: ")+maxLine+1; n != want || !strings.HasSuffix(got, "…") {
		t.Errorf("long steps error: %d characters ending %q; want %d ending with …", n, got[len(got)-20:], want)
	}
}

// Top-level x- keys hold anchors, as in Docker Compose: ignored where they
// stand, checked where an alias uses them; other unknown keys stay errors.
func TestLoad_ExtensionKeysHoldAnchors(t *testing.T) {
	c, err := Load(writeConfig(t, `project: churn
x-alarms: &std
  cpuUtilization: {warning: 70%, critical: 90%}
x-unused: {anything: goes}
endpoints:
  - name: a
    variants: [{instanceType: ml.c5.xlarge}]
    slo: {latency: 300ms}
    alarms: *std
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Endpoints[0].Alarms.CPUUtilization; got == nil || got.Critical.Value != 90 {
		t.Errorf("alarms from x-alarms = %+v; want critical 90%%", got)
	}
	_, err = Load(writeConfig(t, `project: churn
x-alarms: &bad
  cpuUtilisation: {critical: 90%}
endpoints:
  - name: a
    variants: [{instanceType: ml.c5.xlarge}]
    slo: {latency: 300ms}
    alarms: *bad
`), nil)
	if err == nil || !strings.Contains(err.Error(), "endpoints[0].alarms.cpuUtilisation (line 3): unknown field") {
		t.Errorf("a bad key under x- used by an alias = %v; want it named at its use, with the line where it is written", err)
	}
	_, err = Load(writeConfig(t, "project: churn\nx_alarms: {}\nendpoints: []\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "x_alarms") {
		t.Errorf("x_alarms (not the x- prefix) = %v; want an unknown field", err)
	}
}
