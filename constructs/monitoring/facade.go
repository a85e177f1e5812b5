// Package monitoring provides the CloudWatch dashboards and alarms that
// sagesize creates per monitored SageMaker resource.
//
// A Facade is the single entry point: it owns the naming of dashboards and
// alarms and where alarms notify, and each AddX method adds one monitored
// resource (a segment) with its alarms and its dashboard. Endpoints are
// planned first (PlanEndpoint), without a jsii runtime, so that the app can
// spread them across stacks by their footprint, and then built as planned.
// Props are plain values in the units the dashboards show (ms, %); the
// metric contract (names, namespaces, units and their conversions) is
// package metrics, and metrics.go says which metrics are shown and how.
// Alarm naming, defaults and severities live in alarms.go, layout in
// widgets.go.
package monitoring

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/dashboard"
)

// FacadeProps configures a Facade.
type FacadeProps struct {
	// Prefix starts every dashboard and alarm name: <project>[-<release>].
	Prefix string
	// Actions are the ARNs alarms notify, per severity.
	Actions Actions
}

// Segment is one monitored resource's share of a dashboard.
type Segment interface {
	// Rows are the dashboard's widgets, top to bottom, each row left to right.
	Rows() [][]dashboard.Cell
	// DashboardName is the name of the segment's dashboard.
	DashboardName() string
}

var (
	_ Segment = (*EndpointMonitor)(nil)
	_ Segment = (*NotebookMonitor)(nil)
)

// Facade creates monitoring for SageMaker resources: one dashboard and a set
// of alarms per resource.
type Facade struct {
	constructs.Construct
	props      FacadeProps
	endpoints  []*EndpointMonitor
	notebooks  []*NotebookMonitor
	dashboards []awscloudwatch.CfnDashboard
}

// NewFacade returns an empty facade under scope.
func NewFacade(scope constructs.Construct, id *string, props *FacadeProps) *Facade {
	if props == nil || props.Prefix == "" {
		panic("monitoring: NewFacade needs a Prefix") // programmer error
	}
	return &Facade{Construct: constructs.NewConstruct(scope, id), props: *props}
}

// Footprint is what one monitored resource adds to its stack and dashboard
// (see EndpointPlan.Footprint).
type Footprint struct {
	// Resources is the number of CloudFormation resources: alarms, the
	// composite alarm and the dashboard.
	Resources int
	// TemplateBytes estimates what those resources add to the template.
	TemplateBytes int
	// Widgets and Metrics are the counts of its dashboard.
	Widgets, Metrics int
}

// dashboardTemplateBytes estimates the template bytes of a dashboard whose
// body is s: the body is a JSON string inside the template, so every quote
// and backslash is escaped once more, plus the resource's own keys.
func dashboardTemplateBytes(s string) int {
	return len(s) + strings.Count(s, `"`) + strings.Count(s, `\`) + 300
}

// AddEndpoint monitors one SageMaker real-time endpoint: it builds plan (see
// PlanEndpoint), the endpoint's alarms, composite alarm and dashboard, as
// planned (an endpoint shown on a shared dashboard gets no dashboard of
// its own). plan must have been made with the facade's prefix, and is
// built once.
func (f *Facade) AddEndpoint(id *string, plan *EndpointPlan) *EndpointMonitor {
	if plan.prefix != f.props.Prefix {
		panic("monitoring: endpoint " + plan.props.EndpointName + " was planned with prefix " + plan.prefix + ", not " + f.props.Prefix) // programmer error
	}
	m := newEndpointMonitor(f.Construct, id, plan, f.props.Actions)
	f.endpoints = append(f.endpoints, m)
	if plan.props.SharedDashboard == "" {
		f.addDashboard(m.Construct, m.DashboardName(), plan.body)
	}
	return m
}

// AddNotebook monitors one SageMaker notebook instance through the metrics
// its CloudWatch agent publishes: alarms, a composite alarm and a dashboard.
// It fails when the dashboard breaks one of CloudWatch's rules.
func (f *Facade) AddNotebook(id *string, props *NotebookMonitorProps) (*NotebookMonitor, error) {
	m := newNotebookMonitor(f.Construct, id, props, f.props.Prefix, f.props.Actions)
	body, err := render(m.DashboardName(), dashboardBody(m.Rows()))
	if err != nil {
		return nil, fmt.Errorf("notebook %s: %w", props.NotebookName, err)
	}
	f.notebooks = append(f.notebooks, m)
	f.addDashboard(m.Construct, m.DashboardName(), body)
	return m, nil
}

// Notebooks returns the notebook segments added so far.
func (f *Facade) Notebooks() []*NotebookMonitor { return f.notebooks }

// Endpoints returns the endpoint segments added so far.
func (f *Facade) Endpoints() []*EndpointMonitor { return f.endpoints }

// Alarms returns every threshold alarm of every segment.
func (f *Facade) Alarms() []*Alarm {
	var all []*Alarm
	for _, m := range f.endpoints {
		all = append(all, m.Alarms...)
	}
	for _, m := range f.notebooks {
		all = append(all, m.Alarms...)
	}
	return all
}

// Dashboards returns the dashboards created so far.
func (f *Facade) Dashboards() []awscloudwatch.CfnDashboard { return f.dashboards }

// addDashboard creates the dashboard name with the rendered body under
// scope. The body is built in Go and handed to CloudFormation as one
// Fn::Sub string, so the region, partition and account are filled in at
// deploy time.
func (f *Facade) addDashboard(scope constructs.Construct, name, body string) {
	f.dashboards = append(f.dashboards, newDashboard(scope, "Dashboard", name, body))
}

// newDashboard creates a dashboard from a rendered body under scope. A
// body with console links gets the partition's console domain.
func newDashboard(scope constructs.Construct, id, name, body string) awscloudwatch.CfnDashboard {
	var vars *map[string]*string
	if strings.Contains(body, dashboard.ConsoleDomain) {
		vars = &map[string]*string{dashboard.ConsoleDomainVariable: jsii.String(ConsoleDomain(scope))}
	}
	return awscloudwatch.NewCfnDashboard(scope, jsii.String(id), &awscloudwatch.CfnDashboardProps{
		DashboardName: jsii.String(name),
		DashboardBody: awscdk.Fn_Sub(jsii.String(body), vars),
	})
}

// DashboardURL is the console address of the dashboard named name, with
// the placeholders dashboard.ConsoleDomain and dashboard.Region (see
// ConsoleURL).
func DashboardURL(name string) string {
	return "https://" + dashboard.ConsoleDomain + "/cloudwatch/home?region=" + dashboard.Region + "#dashboards:name=" + name
}

// consoleMappingID is the id of the stack's mapping of partition to console domain.
const consoleMappingID = "ConsoleDomains"

// ConsoleDomain is the AWS console's domain in the partition scope's stack
// deploys to: a Fn::FindInMap on a mapping of dashboard.ConsoleDomains
// keyed by AWS::Partition, which it adds to the stack once.
func ConsoleDomain(scope constructs.Construct) string {
	stack := awscdk.Stack_Of(scope)
	m, ok := stack.Node().TryFindChild(jsii.String(consoleMappingID)).(awscdk.CfnMapping)
	if !ok {
		mapping := map[string]*map[string]any{}
		for partition, domain := range dashboard.ConsoleDomains() {
			mapping[partition] = &map[string]any{"domain": domain}
		}
		m = awscdk.NewCfnMapping(stack, jsii.String(consoleMappingID), &awscdk.CfnMappingProps{Mapping: &mapping})
	}
	return *m.FindInMap(awscdk.Aws_PARTITION(), jsii.String("domain"), nil)
}

// ConsoleURL returns a function that fills the placeholders of a console
// URL (see DashboardURL) for scope's stack with tokens, without an Fn::Sub
// per URL.
func ConsoleURL(scope constructs.Construct) func(url string) string {
	r := strings.NewReplacer(dashboard.ConsoleDomain, ConsoleDomain(scope), dashboard.Region, *awscdk.Aws_REGION())
	return r.Replace
}
