package monitoring

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/naming"
)

// Overview sizes: variants per graph and per dashboard, alarms per alarm
// status widget (CloudWatch shows at most 100), table rows per text widget.
const (
	overviewVariantsPerGraph     = 50
	overviewVariantsPerDashboard = naming.VariantsPerOverviewPage
	overviewAlarmsPerWidget      = dashboard.MaxAlarmsPerWidget
	overviewRowsPerText          = 50
)

// OverviewEndpoint is one endpoint as the fleet overview shows it.
type OverviewEndpoint struct {
	Name          string
	Variants      []Variant
	SLOPercentile string
	SLOLatency    time.Duration
	// DashboardName and CompositeName are the endpoint's own dashboard and
	// composite alarm ("" when it has none); Stack is its stack number.
	DashboardName, CompositeName string
	Stack                        int
	// HasComponents marks an endpoint hosting inference components: its
	// invocation metrics are per component, so the overview draws its
	// variants' CPU and GPU, and Components' latency, errors and
	// invocations.
	HasComponents bool
	// Components are the names of the inference components it hosts.
	Components []string
}

// OverviewProps describes the whole fleet.
type OverviewProps struct {
	// Prefix names the dashboards: <prefix>-overview, <prefix>-overview-2, ...
	Prefix string
	// Endpoints in display order; Stacks is the number of endpoint stacks.
	Endpoints []OverviewEndpoint
	Stacks    int
}

// Overview is the fleet's overview dashboards.
type Overview struct {
	constructs.Construct
	// Dashboards are the overview dashboards, in order.
	Dashboards []awscloudwatch.CfnDashboard
	// Names are their names.
	Names []string
}

// overviewVariant is one line of the fleet graphs.
type overviewVariant struct {
	ep *OverviewEndpoint
	v  Variant
}

// overviewComponent is one inference component's line of the fleet's
// component graphs.
type overviewComponent struct {
	ep   *OverviewEndpoint
	name string
}

// OverviewPlan is the fleet's overview dashboards, planned and rendered
// once: the app checks their size against a stack's limits, then
// NewOverview creates them as they are.
type OverviewPlan struct {
	names, bodies []string
	bytes         int
}

// PlanOverview plans the overview dashboards without creating them: one
// line per endpoint variant for latency as % of its SLO, 5XX rate and CPU
// (and GPU) as % of the instance, split so that no graph or dashboard
// exceeds CloudWatch's metric limits, plus a table linking every endpoint's
// dashboard and an alarm status widget per stack. It fails when a
// dashboard cannot be rendered or breaks one of CloudWatch's rules.
func PlanOverview(props *OverviewProps) (*OverviewPlan, error) {
	names, bodies := overviewBodies(props)
	p := &OverviewPlan{names: names}
	for i, b := range bodies {
		s, err := render(names[i], b)
		if err != nil {
			return nil, fmt.Errorf("fleet overview: %w", err)
		}
		p.bodies = append(p.bodies, s)
		p.bytes += dashboardTemplateBytes(s)
	}
	return p, nil
}

// TemplateBytes estimates what the overview dashboards add to a template.
func (p *OverviewPlan) TemplateBytes() int { return p.bytes }

// Names are the overview dashboards' names, in order.
func (p *OverviewPlan) Names() []string { return slices.Clone(p.names) }

// overviewBodies lays out the overview dashboards.
func overviewBodies(props *OverviewProps) (names []string, bodies []dashboard.Body) {
	var lines []overviewVariant
	for i := range props.Endpoints {
		e := &props.Endpoints[i]
		for _, v := range e.Variants {
			lines = append(lines, overviewVariant{ep: e, v: v})
		}
	}
	drawn, drawnComponents := map[*OverviewEndpoint]bool{}, 0
	pages := chunk(lines, overviewVariantsPerDashboard)
	if len(pages) == 0 {
		pages = [][]overviewVariant{nil}
	}
	for pi, page := range pages {
		name := naming.Overview(props.Prefix, pi)
		var rows [][]dashboard.Cell
		if pi == 0 {
			rows = append(rows, overviewHeader(props, len(pages))...)
		} else {
			rows = append(rows, []dashboard.Cell{dashboard.TextCell(fullWidth, 2, fmt.Sprintf("# Fleet overview, page %d of %d\nVariants %d to %d. Page 1 is %s-overview.", pi+1, len(pages), pi*overviewVariantsPerDashboard+1, pi*overviewVariantsPerDashboard+len(page), props.Prefix))})
		}
		for gi, group := range chunk(page, overviewVariantsPerGraph) {
			rows = append(rows, overviewGraphs(pi*overviewVariantsPerDashboard+gi*overviewVariantsPerGraph, group))
		}
		comps := pageComponents(page, drawn)
		for gi, group := range chunk(comps, overviewVariantsPerGraph) {
			rows = append(rows, overviewComponentGraphs(drawnComponents+gi*overviewVariantsPerGraph, group))
		}
		drawnComponents += len(comps)
		names = append(names, name)
		bodies = append(bodies, dashboardBody(rows))
	}
	return names, bodies
}

func overviewHeader(props *OverviewProps, pages int) [][]dashboard.Cell {
	var rows [][]dashboard.Cell
	intro := fmt.Sprintf("# Fleet overview: %d endpoints in %s\n", len(props.Endpoints), plural(props.Stacks, "stack"))
	intro += "Latency is ModelLatency at each endpoint's SLO percentile as % of its SLO (100 % = on the SLO line); CPU and GPU are % of the whole instance."
	if slices.ContainsFunc(props.Endpoints, func(e OverviewEndpoint) bool { return len(e.Components) > 0 }) {
		intro += " Inference components have rows of their own: latency, 5XX errors, invocations and invocations per copy, by component."
	}
	if pages > 1 {
		intro += fmt.Sprintf(" The graphs continue on %d more pages: %s-overview-2 and on.", pages-1, props.Prefix)
	}
	rows = append(rows, []dashboard.Cell{dashboard.TextCell(fullWidth, 2, intro)})

	// An alarm status widget per stack, listing its endpoints' composites.
	var alarmRow []dashboard.Cell
	for s := range props.Stacks {
		var arns []string
		for _, e := range props.Endpoints {
			if e.Stack == s && e.CompositeName != "" {
				arns = append(arns, dashboard.AlarmARN(e.CompositeName))
			}
		}
		for ci, c := range chunk(arns, overviewAlarmsPerWidget) {
			title := fmt.Sprintf("Stack %d: endpoints in alarm", s)
			if ci > 0 {
				title += fmt.Sprintf(" (%d)", ci+1)
			}
			alarmRow = append(alarmRow, dashboard.AlarmStatusCell(thirdWidth, graphHeight, title, c))
		}
	}
	if len(alarmRow) > 0 {
		rows = append(rows, alarmRow)
	}

	// A table linking every endpoint's dashboard.
	var cells []dashboard.Cell
	for _, part := range chunk(props.Endpoints, overviewRowsPerText) {
		var b strings.Builder
		b.WriteString("| Endpoint | Variants | SLO | Stack |\n|---|---|---|---|\n")
		for _, e := range part {
			types := make([]string, len(e.Variants))
			for i, v := range e.Variants {
				types[i] = variantSummary(v)
			}
			fmt.Fprintf(&b, "| [%s](#dashboards:name=%s) | %s | %s | %d |\n", e.Name, e.DashboardName, strings.Join(types, ", "), sloText(e.SLOPercentile, e.SLOLatency), e.Stack)
		}
		cells = append(cells, dashboard.TextCell(halfWidth, min(2+len(part), 24), b.String()))
	}
	rows = append(rows, cells)
	return rows
}

// overviewGraphs draws one row of fleet graphs for a group of variants;
// first is the group's first line number, for unique titles and ids.
func overviewGraphs(first int, group []overviewVariant) []dashboard.Cell {
	var lat, errs, cpu, gpu []dashboard.Line
	for i, ov := range group {
		e, v := ov.ep, ov.v
		vm := newVariantMetrics(e.Name, v.Name)
		label := e.Name + "/" + v.Name
		if !e.HasComponents {
			// ModelLatency as published (µs) over the SLO in µs, as %
			// (an endpoint with no latency objective has no line).
			if e.SLOLatency > 0 {
				raw := vm.raw(modelLatency(), e.SLOPercentile, lineID("l", i, "raw"), true)
				lat = append(lat, raw, dashboard.Expr{
					Expression: metrics.FractionAsPercent().Expr(raw.ID + "/" + num(metrics.Micros(e.SLOLatency))),
					Label:      label + " (" + e.SLOPercentile + ")", ID: lineID("l", i),
				})
			}
			errs = append(errs, vm.display(invocation5XXRate(), metrics.StatAverage, lineID("e", i), label, "")...)
		}
		if v.Serverless == nil { // serverless variants publish no CPU metric
			cpu = append(cpu, vm.display(cpuUtilization(v.Instance), metrics.StatAverage, lineID("c", i), label, "")...)
		}
		if v.Instance.GPUs() > 0 {
			gpu = append(gpu, vm.display(gpuUtilization(v.Instance), metrics.StatAverage, lineID("g", i), label, "")...)
		}
	}
	span := fmt.Sprintf(" (%d–%d)", first+1, first+len(group))
	slo := []dashboard.Horizontal{{Label: "SLO", Value: 100, Color: colorSLO}}
	var row []dashboard.Cell
	if len(lat) > 0 {
		row = append(row, graphCell(thirdWidth, "Latency, % of SLO"+span, lat, dashboard.FromZeroAxis("% of SLO"), slo),
			graphCell(thirdWidth, "5XX errors (%)"+span, errs, dashboard.FromZeroAxis("%"), nil))
	}
	if len(cpu) > 0 {
		row = append(row, graphCell(thirdWidth, "CPU (% of instance)"+span, cpu, dashboard.PercentAxis(), nil))
	}
	if len(gpu) > 0 {
		row = append(row, graphCell(thirdWidth, "GPU (% of instance)"+span, gpu, dashboard.PercentAxis(), nil))
	}
	return row
}

// pageComponents are the inference components of the endpoints whose
// variants are on page, each endpoint's on the page of its first variant
// (drawn records the endpoints already placed).
func pageComponents(page []overviewVariant, drawn map[*OverviewEndpoint]bool) []overviewComponent {
	var out []overviewComponent
	for _, ov := range page {
		if drawn[ov.ep] {
			continue
		}
		drawn[ov.ep] = true
		for _, c := range ov.ep.Components {
			out = append(out, overviewComponent{ep: ov.ep, name: c})
		}
	}
	return out
}

// overviewComponentGraphs draws one row of fleet graphs for a group of
// inference components (metrics by InferenceComponentName): latency as %
// of the endpoint's SLO, 5XX rate, invocations and invocations per copy;
// first is the group's first component number, for unique titles.
func overviewComponentGraphs(first int, group []overviewComponent) []dashboard.Cell {
	var lat, errs, inv, perCopy []dashboard.Line
	for i, oc := range group {
		e := oc.ep
		cm := variantMetrics{period: sageMakerPeriod, custom: []dashboard.Dim{{Name: metrics.DimInferenceComponentName, Value: oc.name}}}
		label := e.Name + "/" + oc.name
		raw := cm.raw(modelLatency(), e.SLOPercentile, lineID("k", i, "raw"), true)
		lat = append(lat, raw, dashboard.Expr{
			Expression: metrics.FractionAsPercent().Expr(raw.ID + "/" + num(metrics.Micros(e.SLOLatency))),
			Label:      label + " (" + e.SLOPercentile + ")", ID: lineID("k", i),
		})
		errs = append(errs, cm.display(invocation5XXRate(), metrics.StatAverage, lineID("e", i), label, "")...)
		inv = append(inv, cm.count(metrics.Invocations, lineID("n", i), label))
		perCopy = append(perCopy, cm.count(metrics.InvocationsPerCopy, lineID("p", i), label))
	}
	span := fmt.Sprintf(" (components %d–%d)", first+1, first+len(group))
	slo := []dashboard.Horizontal{{Label: "SLO", Value: 100, Color: colorSLO}}
	return []dashboard.Cell{
		graphCell(quarterWidth, "Latency, % of SLO"+span, lat, dashboard.FromZeroAxis("% of SLO"), slo),
		graphCell(quarterWidth, "5XX errors (%)"+span, errs, dashboard.FromZeroAxis("%"), nil),
		graphCell(quarterWidth, "Invocations (per minute)"+span, inv, dashboard.FromZeroAxis("count"), nil),
		graphCell(quarterWidth, "Invocations per copy (per minute)"+span, perCopy, dashboard.FromZeroAxis("count"), nil),
	}
}

// NewOverview creates the overview dashboards of plan under scope.
func NewOverview(scope constructs.Construct, id *string, plan *OverviewPlan) *Overview {
	o := &Overview{Construct: constructs.NewConstruct(scope, id), Names: plan.Names()}
	for i, body := range plan.bodies {
		o.Dashboards = append(o.Dashboards, newDashboard(o.Construct, fmt.Sprintf("Dashboard%d", i+1), plan.names[i], body))
	}
	return o
}

// chunk splits s into parts of at most n.
func chunk[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}
