package config

import (
	"os"
	"strings"
	"testing"
)

func TestLoad_DashboardsLayout(t *testing.T) {
	c, err := Load(writeConfig(t, good), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Dashboards.Shared() || c.SharesDashboard(&c.Endpoints[0]) {
		t.Errorf("default layout shares dashboards; want one per endpoint")
	}
	c, err = Load("examples/fleet-shared.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range c.Endpoints {
		if !c.SharesDashboard(&e) {
			t.Errorf("fleet-shared: endpoint %s does not share a dashboard", e.Name)
		}
	}
}

// An endpoint with a load test keeps its own dashboard (its load-test rows
// name it in SEARCH expressions, which a variable cannot rewrite).
func TestSharesDashboard_NotWithALoadTest(t *testing.T) {
	c := &Config{Dashboards: Dashboards{Layout: LayoutShared}}
	if c.SharesDashboard(&Endpoint{LoadTest: &EndpointLoadTest{}}) || c.SharesDashboard(&Endpoint{Sizing: true}) {
		t.Error("an endpoint with a load test, or the sizing endpoint, shares a dashboard; want its own")
	}
	if !c.SharesDashboard(&Endpoint{}) {
		t.Error("a plain endpoint does not share a dashboard with layout shared")
	}
}

func TestLoad_DashboardsLayoutErrors(t *testing.T) {
	components, err := os.ReadFile("examples/components.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, config string
		want         []string
	}{
		{"unknown layout", good + "dashboards: {layout: perKind}\n",
			[]string{`dashboards.layout: must be perEndpoint (one dashboard per endpoint, the default) or shared`, `got "perKind"`}},
		{"inference components cannot share", string(components) + "dashboards: {layout: shared}\n",
			[]string{"endpoints[0].kind: endpoint shared-gpu hosts inference components, which cannot share a dashboard",
				"normalized against each component's own reservation", "use dashboards.layout: perEndpoint"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, tc.config), nil)
			if err == nil {
				t.Fatal("accepted; want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}
