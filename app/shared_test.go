package app_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/sagesize/sagesize/app"
	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/constructs/monitoring"
	"github.com/sagesize/sagesize/testkit/fleetgen"
)

// Every endpoint variant of a generated 300-endpoint fleet on the shared
// layout can be selected on a shared dashboard of its instance type: the
// dashboard's EndpointName variable lists the endpoint and its VariantName
// variable the variant; and the dashboard an endpoint's links name (its
// first variant's) is one of them. The fleet's 9 instance types make 9
// shared dashboards instead of 300.
func TestSharedLayout_EveryEndpointIsReachableThroughAVariable(t *testing.T) {
	cfg, err := config.Parse([]byte(fleetgen.Config("fleet", 300)+"dashboards: {layout: shared}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	plans, _, err := app.PlanShards(cfg)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := monitoring.PlanShared(cfg.Prefix(), plans)
	if err != nil {
		t.Fatal(err)
	}
	if len(shared) != 9 {
		t.Errorf("%d shared dashboards; want 9, one per instance type of the fleet", len(shared))
	}
	type pair struct{ endpoint, variant string }
	reachable := map[pair][]string{} // dashboards that can select the pair
	for _, s := range shared {
		var body struct {
			Variables []struct {
				Property string
				Values   []struct{ Value string }
			}
		}
		if err := json.Unmarshal([]byte(s.Body), &body); err != nil {
			t.Fatal(err)
		}
		values := map[string][]string{}
		for _, v := range body.Variables {
			for _, x := range v.Values {
				values[v.Property] = append(values[v.Property], x.Value)
			}
		}
		for _, e := range values["EndpointName"] {
			for _, v := range values["VariantName"] {
				reachable[pair{e, v}] = append(reachable[pair{e, v}], s.Name)
			}
		}
	}
	for i, e := range cfg.Endpoints {
		for _, v := range e.Variants {
			if len(reachable[pair{e.Name, v.Name}]) == 0 {
				t.Errorf("endpoint %s variant %s is on no shared dashboard's selectors", e.Name, v.Name)
			}
		}
		if own := plans[i].DashboardName(); !slices.Contains(reachable[pair{e.Name, e.Variants[0].Name}], own) {
			t.Errorf("endpoint %s links dashboard %s, which cannot select it (those that can: %v)", e.Name, own, reachable[pair{e.Name, e.Variants[0].Name}])
		}
	}
}
