// Package monitoring provides the CloudWatch dashboards and alarms that
// sagesize creates per monitored SageMaker resource.
//
// A Facade is the single entry point: it owns the naming of dashboards and
// alarms and where alarms notify, and each AddX method adds one monitored
// resource (a segment) with its alarms and its dashboard. Metric names,
// namespaces and units live in metrics.go, alarm naming and defaults in
// alarms.go, layout in widgets.go.
package monitoring

import (
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

// names joins the prefix and parts with hyphens.
func (f *Facade) names(parts ...string) string { return namer(f.props.Prefix)(parts...) }

// namer returns the naming function of a prefix: prefix-part-part...
func namer(prefix string) func(parts ...string) string {
	return func(parts ...string) string {
		return strings.Join(append([]string{prefix}, parts...), "-")
	}
}

// Footprint is what one monitored resource adds to its stack and dashboard.
type Footprint struct {
	// Resources is the number of CloudFormation resources: alarms, the
	// composite alarm and the dashboard.
	Resources int
	// TemplateBytes estimates what those resources add to the template.
	TemplateBytes int
	// Widgets and Metrics are the counts of its dashboard.
	Widgets, Metrics int
}

// EndpointFootprint plans the monitoring of one endpoint without creating
// anything, so that the app can decide which stack it goes to before any
// stack exists.
func EndpointFootprint(prefix string, props *EndpointMonitorProps) (Footprint, error) {
	m := planEndpoint(props, namer(prefix), Actions{})
	body := dashboardBody(m.Rows())
	s, err := body.Render()
	if err != nil {
		return Footprint{}, err
	}
	return Footprint{
		Resources:     m.af.resources() + 1,
		TemplateBytes: m.af.bytes + dashboardTemplateBytes(s),
		Widgets:       len(body.Widgets),
		Metrics:       body.MetricCount(),
	}, nil
}

// dashboardTemplateBytes estimates the template bytes of a dashboard whose
// body is s: the body is a JSON string inside the template, so every quote
// and backslash is escaped once more, plus the resource's own keys.
func dashboardTemplateBytes(s string) int {
	return len(s) + strings.Count(s, `"`) + strings.Count(s, `\`) + 300
}

// AddEndpoint monitors one SageMaker real-time endpoint: it creates the
// endpoint's alarms, a composite alarm and a dashboard.
func (f *Facade) AddEndpoint(id *string, props *EndpointMonitorProps) *EndpointMonitor {
	m := newEndpointMonitor(f.Construct, id, props, f.names, f.props.Actions)
	f.endpoints = append(f.endpoints, m)
	f.addDashboard(m.Construct, m)
	return m
}

// AddNotebook monitors one SageMaker notebook instance through the metrics
// its CloudWatch agent publishes: alarms, a composite alarm and a dashboard.
func (f *Facade) AddNotebook(id *string, props *NotebookMonitorProps) *NotebookMonitor {
	m := newNotebookMonitor(f.Construct, id, props, f.names, f.props.Actions)
	f.notebooks = append(f.notebooks, m)
	f.addDashboard(m.Construct, m)
	return m
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

// addDashboard renders seg's rows into a dashboard under scope. The body is
// built in Go and handed to CloudFormation as one Fn::Sub string, so the
// region, partition and account are filled in at deploy time.
func (f *Facade) addDashboard(scope constructs.Construct, seg Segment) awscloudwatch.CfnDashboard {
	body, err := dashboardBody(seg.Rows()).Render()
	if err != nil {
		panic(err) // only unmarshalable types fail; a programmer error
	}
	d := awscloudwatch.NewCfnDashboard(scope, jsii.String("Dashboard"), &awscloudwatch.CfnDashboardProps{
		DashboardName: jsii.String(seg.DashboardName()),
		DashboardBody: awscdk.Fn_Sub(jsii.String(body), nil),
	})
	f.dashboards = append(f.dashboards, d)
	return d
}

// DashboardURL is the console address of the dashboard named name, with
// placeholders for Fn::Sub.
func DashboardURL(name string) string {
	return "https://console.aws.amazon.com/cloudwatch/home?region=" + dashboard.Region + "#dashboards:name=" + name
}
