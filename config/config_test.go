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

func TestLoad_BadConfigs(t *testing.T) {
	// Each case edits the good config; want is the whole error message.
	tests := []struct {
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
			want: "sagesize.yaml: endpoints[0].variants[0].instanceTyp (line 6): unknown field; valid fields here: name, instanceType, instanceCount (did you mean instanceType?)",
		},
		{
			name: "every unknown key at once", old: "project: churn\n", new: "projet: churn\nendpoint: []\n",
			want: "sagesize.yaml: projet (line 1): unknown field; valid fields here: project, release, account, region, notifications, alarmDefaults, prices, endpoints, notebooks, sharding, loadTest, sizing (did you mean project?)\n" +
				"sagesize.yaml: endpoint (line 2): unknown field; valid fields here: project, release, account, region, notifications, alarmDefaults, prices, endpoints, notebooks, sharding, loadTest, sizing (did you mean endpoints?)",
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
			want: `sagesize.yaml: endpoints[0].name: SageMaker would reject "churn_xgb": endpoint names are 1-63 letters, digits and hyphens, starting and ending with a letter or digit`,
		},
		{
			name: "endpoint name too long", old: "name: churn-xgb", new: "name: " + strings.Repeat("a", 64),
			want: `sagesize.yaml: endpoints[0].name: SageMaker would reject "` + strings.Repeat("a", 64) + `": endpoint names are 1-63 letters, digits and hyphens, starting and ending with a letter or digit`,
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
			want: `sagesize.yaml: notebooks[0].name: SageMaker would reject "ds_sandbox": notebook instance names are 1-63 letters, digits and hyphens, starting and ending with a letter or digit`,
		},
		{
			name: "lifecycle config name too long", old: "name: ds-sandbox", new: "name: " + strings.Repeat("n", 60),
			want: `sagesize.yaml: notebooks[0].name: makes the lifecycle configuration name "churn-` + strings.Repeat("n", 60) + `" (66 characters); SageMaker allows 63: shorten project, release or notebook name`,
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
