package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/app"
	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/internal/cdkout"
	"github.com/sagesize/sagesize/shard"
	"github.com/sagesize/sagesize/testkit/fleetgen"
)

func fleetConfig(t *testing.T, n int) *config.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fleet.yaml")
	if err := os.WriteFile(path, []byte(fleetgen.Config("fleet", n)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// A 300-endpoint fleet synthesizes into stacks and dashboards that are all
// within CloudFormation's and CloudWatch's limits.
func TestScale_300EndpointsStayWithinEveryLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("synthesizes 300 endpoints")
	}
	cfg := fleetConfig(t, 300)
	out := t.TempDir()
	a := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false), Outdir: jsii.String(out)})
	stacks, err := app.New(a, cfg, &app.Options{LoadgenImage: awsecs.ContainerImage_FromRegistry(jsii.String("sagesize/loadgen:test"), nil), Now: synthNow})
	if err != nil {
		t.Fatal(err)
	}
	a.Synth(nil)
	if stacks.Plan.Stacks < 2 || stacks.Overview == nil {
		t.Fatalf("300 endpoints in %d stack(s), overview %v; want several stacks and an overview", stacks.Plan.Stacks, stacks.Overview != nil)
	}
	read, err := cdkout.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(read), stacks.Plan.Stacks+1; got != want {
		t.Errorf("cloud assembly has %d stacks; want %d endpoint stacks + the overview", got, want)
	}
	endpoints, dashboards := 0, 0
	for _, st := range read {
		total := 0
		for _, n := range st.Resources {
			total += n
		}
		if total > shard.MaxResources || st.Bytes > shard.MaxTemplateBytes || len(st.Outputs) > shard.MaxOutputs {
			t.Errorf("stack %s: %d resources, %d bytes, %d outputs; CloudFormation allows %d, %d, %d",
				st.Name, total, st.Bytes, len(st.Outputs), shard.MaxResources, shard.MaxTemplateBytes, shard.MaxOutputs)
		}
		endpoints += len(st.Composites)
		raw, err := os.ReadFile(st.Template)
		if err != nil {
			t.Fatal(err)
		}
		var tmpl struct {
			Resources map[string]struct {
				Type       string
				Properties map[string]any
			}
		}
		if err := json.Unmarshal(raw, &tmpl); err != nil {
			t.Fatal(err)
		}
		for _, r := range tmpl.Resources {
			if r.Type != "AWS::CloudWatch::Dashboard" {
				continue
			}
			dashboards++
			name := r.Properties["DashboardName"].(string)
			body, _ := subTemplate(r.Properties["DashboardBody"])
			checkDashboardLimits(t, name, body)
		}
	}
	if endpoints != 300 {
		t.Errorf("found %d endpoint composite alarms across the stacks; want 300", endpoints)
	}
	if dashboards < 303 {
		t.Errorf("found %d dashboards; want 300 endpoint dashboards and the overview pages", dashboards)
	}
	checkTopicPolicySize(t, *assertions.Template_FromStack(stacks.Monitoring, nil).ToJSON())
}

// checkTopicPolicySize asserts that the alarm topic's policy, with its
// ARNs resolved in the longest partition and region names, stays within
// SNS's 30 KB, and still names the monitored endpoints one by one.
func checkTopicPolicySize(t *testing.T, tmpl map[string]any) {
	t.Helper()
	pol := tmpl["Resources"].(map[string]any)["AlarmTopicPolicy"].(map[string]any)["Properties"].(map[string]any)["PolicyDocument"]
	b, _ := json.Marshal(pol)
	resolved := strings.NewReplacer("${AWS::Partition}", "aws-us-gov", "${AWS::Region}", "ap-southeast-3", "${AWS::AccountId}", "123456789012").Replace(string(b))
	if len(resolved) > 30*1024 {
		t.Errorf("the alarm topic policy takes %d bytes resolved; SNS allows 30 KB", len(resolved))
	}
	if n := strings.Count(resolved, ":alarm:fleet-"); n != 300 {
		t.Errorf("the alarm topic policy has %d alarm patterns (%d bytes); want one per endpoint, 300", n, len(resolved))
	}
	t.Logf("alarm topic policy of 300 endpoints: %d bytes resolved (limit %d)", len(resolved), 30*1024)
}

// checkDashboardLimits asserts CloudWatch's widget and metric limits.
func checkDashboardLimits(t *testing.T, name, body string) {
	t.Helper()
	var b struct {
		Widgets []struct {
			Type       string
			Properties struct {
				Metrics []any
				Alarms  []string
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		t.Fatalf("dashboard %s: %v", name, err)
	}
	if len(b.Widgets) > dashboard.MaxWidgets {
		t.Errorf("dashboard %s has %d widgets; CloudWatch allows %d", name, len(b.Widgets), dashboard.MaxWidgets)
	}
	metrics := 0
	for i, w := range b.Widgets {
		if n := len(w.Properties.Metrics); n > dashboard.MaxMetricsPerWidget {
			t.Errorf("dashboard %s widget %d has %d metrics; CloudWatch allows %d", name, i, n, dashboard.MaxMetricsPerWidget)
		}
		if n := len(w.Properties.Alarms); n > 100 {
			t.Errorf("dashboard %s alarm widget %d lists %d alarms; CloudWatch shows at most 100", name, i, n)
		}
		metrics += len(w.Properties.Metrics)
	}
	if metrics > dashboard.MaxMetricsPerDashboard {
		t.Errorf("dashboard %s has %d metrics; CloudWatch allows %d", name, metrics, dashboard.MaxMetricsPerDashboard)
	}
}

// Adding an endpoint to a deployed fleet leaves every other endpoint in its
// stack (no mass replacement on the next deploy).
func TestScale_AddingAnEndpointMovesNoOther(t *testing.T) {
	_, before, err := app.PlanShards(fleetConfig(t, 300))
	if err != nil {
		t.Fatal(err)
	}
	_, after, err := app.PlanShards(fleetConfig(t, 301))
	if err != nil {
		t.Fatal(err)
	}
	if before.Stacks != after.Stacks {
		t.Fatalf("stacks %d -> %d when one endpoint was added", before.Stacks, after.Stacks)
	}
	for name, s := range before.Of {
		if after.Of[name] != s {
			t.Errorf("%s moved from stack %d to %d", name, s, after.Of[name])
		}
	}
}

// One endpoint that cannot fit is refused with the limit named, at config
// time (SageMaker's 10 variants) or when pinned stacks are too few.
func TestScale_TooFewPinnedStacks(t *testing.T) {
	cfg := fleetConfig(t, 100)
	cfg.Sharding.Stacks = 1
	_, _, err := app.PlanShards(cfg)
	if err == nil || !strings.Contains(err.Error(), "pinned by sharding.stacks would hold") {
		t.Fatalf("PlanShards with 100 endpoints in 1 pinned stack = %v; want the pinned limit named", err)
	}
}

// More pinned stacks than endpoints leave stacks with no endpoint: each
// still holds a resource (CloudFormation refuses an empty template, and
// CDK's metadata is off here, as in regions without it).
func TestScale_EmptyStacksStillDeploy(t *testing.T) {
	cfg := fleetConfig(t, 2)
	cfg.Sharding.Stacks = 5
	out := t.TempDir()
	a := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false), Outdir: jsii.String(out)})
	stacks, err := app.New(a, cfg, &app.Options{Now: synthNow})
	if err != nil {
		t.Fatal(err)
	}
	a.Synth(nil)
	read, err := cdkout.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	placeholders := 0
	for _, st := range read {
		total := 0
		for _, n := range st.Resources {
			total += n
		}
		if total == 0 {
			t.Errorf("stack %s has no resource: CloudFormation would refuse it", st.Name)
		}
		placeholders += st.Resources["AWS::CloudFormation::WaitConditionHandle"]
	}
	// 2 endpoints fill at most 2 of the 5 stacks; the core stack holds the topic.
	if placeholders < 2 || stacks.Plan.Stacks != 5 {
		t.Errorf("%d placeholder(s) in %d stacks; want one in each stack without an endpoint", placeholders, stacks.Plan.Stacks)
	}
}
