package monitoring

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/naming"
)

// Shared dashboards (the config's dashboards.layout: shared) show every
// endpoint variant of one kind on one instance type (or, serverless, one
// memory size and concurrency) on one dashboard, whose EndpointName and
// VariantName variables select the variant drawn. The grouping is what
// keeps the graphs right: CPU and GPU utilization are normalized by metric
// math with the instance type's vCPU and GPU count, which a dashboard
// variable cannot change, so every endpoint behind one selector must run
// on the same instance type; the GPU rows exist only on GPU instance types;
// and a kind decides which metrics exist (asynchronous queues, multi-model
// loading, serverless concurrency). Inference components cannot share (the
// config refuses them): their rows are per component, normalized against
// each component's reservation, and the components differ per endpoint.
//
// What differs per endpoint is not drawn: no alarm threshold lines (the
// alarm status widgets list every alarm of the dashboard's endpoints, at
// most 100 per widget), and the SLO line only when every endpoint of the
// dashboard has the same SLO. The header's table gives each endpoint's
// variant, instance count and SLO.

// sharedKey is the group of variant v of the endpoint props describes:
// its kind and instance type, or its serverless configuration.
func sharedKey(props *EndpointMonitorProps, v Variant) string {
	if s := v.Serverless; s != nil {
		return fmt.Sprintf("serverless-%dmb-c%d-pc%d", s.MemorySizeInMB, s.MaxConcurrency, s.ProvisionedConcurrency)
	}
	kind := "realtime"
	switch {
	case props.Async:
		kind = "async"
	case props.MultiModel:
		kind = "multimodel"
	}
	return kind + "-" + strings.ReplaceAll(v.Instance.Type, ".", "-")
}

// SharedDashboardName is the shared dashboard that shows the endpoint props
// describes (by its first variant): <prefix>-shared-<kind>-<instance type>.
func SharedDashboardName(prefix string, props *EndpointMonitorProps) string {
	return naming.Dashboard(prefix, "shared-"+sharedKey(props, props.Variants[0]))
}

// sharedMember is one endpoint variant on a shared dashboard.
type sharedMember struct {
	plan *EndpointPlan
	v    Variant
}

// SharedPlan is one shared dashboard, planned and rendered.
type SharedPlan struct {
	// Name is the dashboard name; Body its rendered body.
	Name, Body string
	// Endpoints are the endpoints it shows, in config order.
	Endpoints []string
}

// PlanShared plans the shared dashboards of every plan made with a
// SharedDashboard: one per kind and instance type, each variant on the
// dashboard of its own instance type, in the order of first appearance. It
// fails when a dashboard breaks one of CloudWatch's rules (for example
// more endpoints than one selector lists).
func PlanShared(prefix string, plans []*EndpointPlan) ([]*SharedPlan, error) {
	groups := map[string][]sharedMember{}
	var keys []string
	for _, p := range plans {
		if p.props.SharedDashboard == "" {
			continue
		}
		for _, v := range p.props.Variants {
			k := sharedKey(&p.props, v)
			if _, ok := groups[k]; !ok {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], sharedMember{plan: p, v: v})
		}
	}
	var out []*SharedPlan
	for _, k := range keys {
		sp, err := planShared(prefix, naming.Dashboard(prefix, "shared-"+k), groups[k])
		if err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, nil
}

// planShared renders the shared dashboard name of members.
func planShared(prefix, name string, members []sharedMember) (*SharedPlan, error) {
	rep := members[0]
	display := rep.plan.props
	display.Variants = []Variant{rep.v}
	display.Alarms = EndpointAlarms{}
	display.LoadTestNamespace, display.Description, display.Muted, display.SharedDashboard = "", "", false, ""
	rows := planRows(prefix, &display).rows[1:] // the endpoint's own header is replaced
	keepSLO := sameSLO(members)
	for _, row := range rows {
		for _, c := range row {
			generalize(c, rep.v, keepSLO)
		}
	}
	var endpoints, variants []string
	for _, m := range members {
		if !slices.Contains(endpoints, m.plan.props.EndpointName) {
			endpoints = append(endpoints, m.plan.props.EndpointName)
		}
		if !slices.Contains(variants, m.v.Name) {
			variants = append(variants, m.v.Name)
		}
	}
	body := dashboardBody(append([][]dashboard.Cell{sharedHeader(members, keepSLO)}, rows...))
	body.Variables = []dashboard.Variable{
		dashboard.PropertySelect("endpoint", metrics.DimEndpointName, "Endpoint", endpoints),
		dashboard.PropertySelect("variant", metrics.DimVariantName, "Variant", variants),
	}
	s, err := render(name, body)
	if err != nil {
		return nil, err
	}
	return &SharedPlan{Name: name, Body: s, Endpoints: endpoints}, nil
}

// sameSLO reports whether every member has the same latency objective.
func sameSLO(members []sharedMember) bool {
	first := members[0].plan.props
	for _, m := range members[1:] {
		if m.plan.props.SLOPercentile != first.SLOPercentile || m.plan.props.SLOLatency != first.SLOLatency {
			return false
		}
	}
	return true
}

// generalize makes cell c, drawn for the representative variant rep, read
// for whichever variant the selectors pick: titles lose rep's name and
// instance count, and the SLO line goes unless keepSLO.
func generalize(c dashboard.Cell, rep Variant, keepSLO bool) {
	switch p := c.Properties.(type) {
	case *dashboard.Graph:
		p.Title = strings.TrimPrefix(p.Title, rep.Name+": ")
		if p.Annotations != nil && !keepSLO {
			p.Annotations.Horizontal = slices.DeleteFunc(p.Annotations.Horizontal, func(h dashboard.Horizontal) bool {
				return strings.HasPrefix(h.Label, "SLO ")
			})
			if len(p.Annotations.Horizontal) == 0 {
				p.Annotations = nil
			}
		}
	case *dashboard.Text:
		if strings.HasPrefix(p.Markdown, "## Variant ") {
			p.Markdown = "## Selected endpoint variant · " + sharedSummary(rep)
		}
	}
}

// sharedSummary is what every variant of a shared dashboard has in common:
// "ml.g5.xlarge" or "serverless, 2048 MB, max concurrency 20".
func sharedSummary(v Variant) string {
	if s := v.Serverless; s != nil {
		return fmt.Sprintf("serverless, %d MB, max concurrency %d", s.MemorySizeInMB, s.MaxConcurrency)
	}
	return v.Instance.Type
}

// sharedHeader is the shared dashboard's first row: what it shows and how
// the graphs are normalized, a table of its endpoints, and alarm status
// widgets listing every alarm of them (composites first), at most
// dashboard.MaxAlarmsPerWidget each.
func sharedHeader(members []sharedMember, keepSLO bool) []dashboard.Cell {
	rep := members[0]
	var b strings.Builder
	kind, _, _ := strings.Cut(sharedKey(&rep.plan.props, rep.v), "-")
	fmt.Fprintf(&b, "# Shared: %s endpoints · %s · %s\n", kind, sharedSummary(rep.v), plural(len(members), "variant"))
	b.WriteString("Pick the endpoint and variant in the **Endpoint** and **Variant** selectors above. ")
	if rep.v.Serverless == nil {
		i := rep.v.Instance
		fmt.Fprintf(&b, "Every variant here runs on %s, so CPU is shown as %% of its %s", i.Type, plural(i.VCPUs, "vCPU"))
		if i.GPUs() > 0 {
			fmt.Fprintf(&b, " and GPU as %% of its %s", plural(i.GPUs(), "GPU"))
		}
		b.WriteString(", for whichever variant is selected. ")
	}
	b.WriteString("Alarm thresholds differ per endpoint and are not drawn: the alarm widgets list every alarm of these endpoints.")
	if !keepSLO {
		b.WriteString(" The SLO differs per endpoint (see the table) and is not drawn.")
	}
	b.WriteString("\n\n| Endpoint | Variant | Instances | SLO |\n|---|---|---|---|\n")
	var arns []string
	seen := map[*EndpointPlan]bool{}
	for _, m := range members {
		e := m.plan.props
		fmt.Fprintf(&b, "| %s | %s | %d | %s |\n", e.EndpointName, m.v.Name, m.v.Count, sloText(e.SLOPercentile, e.SLOLatency))
		if seen[m.plan] {
			continue
		}
		seen[m.plan] = true
		if m.plan.compositeName != "" {
			arns = append(arns, dashboard.AlarmARN(m.plan.compositeName))
		}
		for _, a := range m.plan.af.alarms {
			arns = append(arns, dashboard.AlarmARN(a.Name))
		}
	}
	row := []dashboard.Cell{dashboard.TextCell(2*thirdWidth, headerHeight, b.String())}
	parts := chunk(arns, dashboard.MaxAlarmsPerWidget)
	for i, part := range parts {
		row = append(row, dashboard.AlarmStatusCell(thirdWidth, headerHeight, fmt.Sprintf("Alarms (%d of %d)", i+1, len(parts)), part))
	}
	return row
}

// SharedTemplateBytes estimates what the dashboards of plans add to a
// template.
func SharedTemplateBytes(plans []*SharedPlan) int {
	n := 0
	for _, p := range plans {
		n += dashboardTemplateBytes(p.Body)
	}
	return n
}

// Shared is the shared dashboards of a fleet.
type Shared struct {
	constructs.Construct
	// Dashboards are the shared dashboards, in plan order.
	Dashboards []awscloudwatch.CfnDashboard
}

// NewShared creates the dashboards of plans under a new construct.
func NewShared(scope constructs.Construct, id *string, plans []*SharedPlan) *Shared {
	s := &Shared{Construct: constructs.NewConstruct(scope, id)}
	for i, p := range plans {
		s.Dashboards = append(s.Dashboards, newDashboard(s.Construct, fmt.Sprintf("Dashboard%d", i+1), p.Name, p.Body))
	}
	return s
}
