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
