package app_test

import (
	"testing"

	"github.com/sagesize/sagesize/app"
	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/testkit/fleetgen"
)

// resources is the CloudFormation resources the endpoints of cfg's plans add.
func resources(t *testing.T, text string, release string) int {
	t.Helper()
	cfg, err := config.Parse([]byte(text), &config.Overrides{Release: release})
	if err != nil {
		t.Fatal(err)
	}
	plans, _, err := app.PlanShards(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range plans {
		n += p.Footprint().Resources
	}
	return n
}

// releaseStacks.warningAlarms: false leaves every warning alarm out of a
// release's stacks, and only of a release's: fleetgen's endpoints have 3
// warning levels (modelLatency, 5XX rate, CPU) per variant.
func TestReleaseStacks_WarningAlarmsFalseDropsThemFromReleasesOnly(t *testing.T) {
	const n = 10
	fleet := fleetgen.Config("fleet", n)
	skip := fleet + "releaseStacks: {warningAlarms: false}\n"
	variants := n + (n+4)/5 // every fifth endpoint has two variants
	all := resources(t, fleet, "v1")
	if got := resources(t, skip, "v1"); got != all-3*variants {
		t.Errorf("release v1 with warningAlarms false: %d resources; want %d - 3 warnings × %d variants = %d", got, all, variants, all-3*variants)
	}
	if got := resources(t, skip, ""); got != all {
		t.Errorf("no release, warningAlarms false: %d resources; want all %d (the option is for per-release stacks)", got, all)
	}
}

// stackResources is the CloudFormation resources the shard plan of cfg
// counts in its stacks, the endpoints' autoscaling included.
func stackResources(t *testing.T, text string, release string) int {
	t.Helper()
	cfg, err := config.Parse([]byte(text), &config.Overrides{Release: release})
	if err != nil {
		t.Fatal(err)
	}
	_, plan, err := app.PlanShards(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range plan.Loads {
		n += l.Resources
	}
	return n
}

// A release's stacks leave autoscaling to the long-lived stacks (which own
// the variant's one scalable target) unless releaseStacks.autoscaling is
// true: 2 resources (target and policy) per autoscaled variant.
func TestReleaseStacks_AutoscalingOnlyWhenAsked(t *testing.T) {
	const scaled = `project: p
endpoints:
  - name: churn
    variants:
      - instanceType: ml.c5.xlarge
        autoscaling: {minInstances: 1, maxInstances: 4, targetInvocationsPerInstance: 600}
    slo: {latency: 200ms}
`
	plain := stackResources(t, "project: p\nendpoints:\n  - name: churn\n    variants: [{instanceType: ml.c5.xlarge}]\n    slo: {latency: 200ms}\n", "v1")
	for _, tt := range []struct {
		name, text, release string
		want                int
	}{
		{"no release", scaled, "", plain + 2},
		{"release, default", scaled, "v1", plain},
		{"release, autoscaling false", scaled + "releaseStacks: {autoscaling: false}\n", "v1", plain},
		{"release, autoscaling true", scaled + "releaseStacks: {autoscaling: true}\n", "v1", plain + 2},
	} {
		if got := stackResources(t, tt.text, tt.release); got != tt.want {
			t.Errorf("%s: %d resources; want %d", tt.name, got, tt.want)
		}
	}
}
