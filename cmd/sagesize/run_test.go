package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/testkit/awstest"
)

const testConfig = `project: churn
release: v42
endpoints:
  - name: churn-xgb
    variants:
      - {name: blue, instanceType: ml.c5.xlarge}
      - {name: green, instanceType: ml.c5.2xlarge}
    slo: {latency: 300ms}
    loadTest:
      tasks: 3
      rate: 90
      duration: 2m
      maxInFlight: 100
      payload: s3://churn-models/payloads/request.json
      contentType: text/csv
  - name: plain
    variants:
      - instanceType: ml.c5.xlarge
    slo: {latency: 300ms}
`

// awsEnv points the SDK's default configuration at local servers through
// the service-specific endpoint variables, with static credentials and no
// shared files or instance metadata. Tests using it cannot run in parallel.
func awsEnv(t *testing.T, cfnURL, ecsURL, cwURL string) {
	t.Helper()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDAWSTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "", "AWS_REGION": "us-east-1",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_CLOUDFORMATION": cfnURL, "AWS_ENDPOINT_URL_ECS": ecsURL, "AWS_ENDPOINT_URL_CLOUDWATCH": cwURL,
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_MAX_ATTEMPTS": "1",
	} {
		t.Setenv(k, v)
	}
}

func writeConfig(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sagesize.yaml")
	if err := os.WriteFile(p, []byte(testConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type servers struct {
	cfn *awstest.CloudFormation
	ecs *awstest.ECS
	cw  *awstest.CloudWatch
}

func startServers(t *testing.T, stack string) servers {
	t.Helper()
	s := servers{cfn: awstest.NewCloudFormation(), ecs: awstest.NewECS(awstest.ECSOptions{Cluster: "churn-v42-loadtest-cluster"}), cw: awstest.NewCloudWatch()}
	t.Cleanup(s.cfn.Close)
	t.Cleanup(s.ecs.Close)
	t.Cleanup(s.cw.Close)
	if stack != "" {
		s.cfn.SetStack(stack, map[string]string{"Cluster": "churn-v42-loadtest-cluster", "TaskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/lg:1",
			"Subnets": "subnet-0a", "SecurityGroup": "sg-0a", "AssignPublicIp": "DISABLED", "ContainerName": "loadgen", "LogGroup": "lg"})
	}
	awsEnv(t, s.cfn.URL, s.ecs.URL, s.cw.URL)
	return s
}

func TestRunCommandRunsEveryVariant(t *testing.T) {
	s := startServers(t, "churn-v42-loadtest")
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"run", "-config", writeConfig(t), "-endpoint", "churn-xgb", "-poll", "5ms"}, &out, &errOut)
	if err != nil {
		t.Fatalf("run: %v\n%s%s", err, out.String(), errOut.String())
	}
	calls := s.ecs.RunTaskCalls()
	if len(calls) != 2 || calls[0].Count != 3 {
		t.Fatalf("RunTask calls %+v; want one per variant with 3 tasks", calls)
	}
	for i, v := range []string{"blue", "green"} {
		env := calls[i].Env("loadgen")
		if env["LOADGEN_VARIANT"] != v || env["LOADGEN_RATE"] != "30" || env["LOADGEN_DURATION"] != "2m0s" ||
			!strings.HasPrefix(env["LOADGEN_TEST_ID"], "churn-xgb-"+v+"-2") || env["LOADGEN_CONTENT_TYPE"] != "text/csv" {
			t.Errorf("variant %s: environment %v", v, env)
		}
		// The config's stop budget (defaults here) reaches every task, and
		// with it the cap loadgen ends by itself at.
		if env["LOADGEN_GRACE"] != "15s" || env["LOADGEN_DRAIN"] != "5s" || env["LOADGEN_MAX_DURATION"] == "" {
			t.Errorf("variant %s: grace %q, drain %q, max duration %q; want 15s, 5s and a cap",
				v, env["LOADGEN_GRACE"], env["LOADGEN_DRAIN"], env["LOADGEN_MAX_DURATION"])
		}
	}
}

func TestRunCommandOverrides(t *testing.T) {
	s := startServers(t, "churn-v7-loadtest")
	var out bytes.Buffer
	err := run(context.Background(), []string{"run", "-config", writeConfig(t), "-release", "v7", "-endpoint", "churn-xgb", "-variant", "green",
		"-tasks", "12", "-test-id", "my-test", "-poll", "5ms"}, &out, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	calls := s.ecs.RunTaskCalls()
	if len(calls) != 2 || calls[0].Count != 10 || calls[1].Count != 2 {
		t.Fatalf("RunTask calls %+v; want 10 + 2", calls)
	}
	if env := calls[1].Env("loadgen"); env["LOADGEN_TEST_ID"] != "my-test" || env["LOADGEN_VARIANT"] != "green" || env["LOADGEN_RATE"] != "7.5" {
		t.Errorf("environment %v", env)
	}
}

func TestRunCommandBadInput(t *testing.T) {
	startServers(t, "")
	cfg := writeConfig(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-endpoint", "nope"}, `endpoint "nope" is not in`},
		{[]string{"-endpoint", "plain"}, "endpoint plain has no loadTest"},
		{[]string{"-endpoint", "churn-xgb", "-variant", "red"}, `-variant "red"`},
		{[]string{"-endpoint", "churn-xgb", "-tasks", "101"}, "must be between 1 and 100"},
		{[]string{}, "--endpoint NAME (an endpoint's loadTest) or --sizing (the config's sizing test) is required"},
		{[]string{"-endpoint", "churn-xgb"}, "stack churn-v42-loadtest: stack not deployed: deploy it first with cdk deploy --all"},
	} {
		err := run(context.Background(), append([]string{"run", "-config", cfg}, tt.args...), &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run %v = %v; want an error containing %q", tt.args, err, tt.want)
		}
	}
}

func TestRunCommandMissingCredentialsAndRegion(t *testing.T) {
	startServers(t, "churn-v42-loadtest")
	cfg := writeConfig(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := run(ctx, []string{"run", "-config", cfg, "-endpoint", "churn-xgb"}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "no AWS credentials") {
		t.Errorf("without credentials: %v; want a clear message", err)
	}
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	err = run(ctx, []string{"run", "-config", cfg, "-endpoint", "churn-xgb"}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "no AWS region") {
		t.Errorf("without region: %v; want a clear message", err)
	}
}

// A streaming test's settings reach every task, and synthetic prompts need
// no payload.
func TestRunCommandStreamingTest(t *testing.T) {
	s := startServers(t, "churn-v42-loadtest")
	cfg := strings.Replace(testConfig, `      payload: s3://churn-models/payloads/request.json
`, `      stream:
        format: tgi
        inputTokens: {mean: 512, stddev: 64}
        outputTokens: {mean: 200, stddev: 20}
        slo: {ttft: 800ms}
`, 1)
	p := filepath.Join(t.TempDir(), "sagesize.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"run", "-config", p, "-endpoint", "churn-xgb", "-variant", "blue", "-poll", "5ms"}, &out, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	env := s.ecs.RunTaskCalls()[0].Env("loadgen")
	for k, v := range map[string]string{"LOADGEN_STREAM": "true", "LOADGEN_FORMAT": "tgi", "LOADGEN_INPUT_TOKENS": "512:64",
		"LOADGEN_OUTPUT_TOKENS": "200:20", "LOADGEN_SLO_TTFT": "800ms"} {
		if env[k] != v {
			t.Errorf("%s = %q, want %q (environment %v)", k, env[k], v, env)
		}
	}
	if _, ok := env["LOADGEN_PAYLOAD"]; ok {
		t.Errorf("LOADGEN_PAYLOAD set without a payload: %v", env)
	}
}
