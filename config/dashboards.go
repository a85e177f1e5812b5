package config

import (
	"fmt"
	"slices"
)

// Dashboard layouts (dashboards.layout).
const (
	// LayoutPerEndpoint gives every endpoint a dashboard of its own (the
	// default).
	LayoutPerEndpoint = "perEndpoint"
	// LayoutShared gives every endpoint kind and instance type one shared
	// dashboard whose EndpointName and VariantName variables select the
	// endpoint shown: fewer dashboards, so cheaper from a few endpoints on
	// (see the README).
	LayoutShared = "shared"
)

var layouts = []string{LayoutPerEndpoint, LayoutShared}

// Dashboards chooses how endpoint dashboards are laid out.
type Dashboards struct {
	// Layout is LayoutPerEndpoint (default) or LayoutShared.
	Layout string `yaml:"layout"`
}

// Shared reports whether endpoints share dashboards.
func (d Dashboards) Shared() bool { return d.Layout == LayoutShared }

// SharesDashboard reports whether e is shown on a shared dashboard rather
// than its own: with the shared layout, every endpoint but the sizing
// endpoint and endpoints with a load test. Those keep their own: the
// sizing dashboard compares its candidate variants side by side, and the
// load-test rows read SEARCH expressions that name the endpoint, which a
// dashboard variable cannot rewrite.
func (c *Config) SharesDashboard(e *Endpoint) bool {
	return c.Dashboards.Shared() && !e.Sizing && e.LoadTest == nil
}

// validateDashboards checks dashboards.layout, and that every endpoint the
// shared layout would share can share.
func (c *Config) validateDashboards(add func(path, format string, args ...any)) {
	if c.Dashboards.Layout != "" && !slices.Contains(layouts, c.Dashboards.Layout) {
		add("dashboards.layout", "must be %s (one dashboard per endpoint, the default) or %s (one per endpoint kind and instance type, with an endpoint selector), got %q",
			LayoutPerEndpoint, LayoutShared, c.Dashboards.Layout)
		return
	}
	if !c.Dashboards.Shared() {
		return
	}
	for i := range c.Endpoints {
		e := &c.Endpoints[i]
		if e.HasComponents() && c.SharesDashboard(e) {
			add(fmt.Sprintf("endpoints[%d].kind", i),
				"endpoint %s hosts inference components, which cannot share a dashboard: its rows are per component (InferenceComponentName), normalized against each component's own reservation, and the set of components differs per endpoint, so an EndpointName selector cannot show them; use dashboards.layout: %s (the shared layout serves %s, %s, %s and %s endpoints)",
				e.Name, LayoutPerEndpoint, KindRealtime, KindAsync, KindMultiModel, KindServerless)
		}
	}
}
