// Package dashboard models a CloudWatch dashboard body (widgets, metrics,
// math expressions, annotations) in plain Go and renders it as the JSON that
// the PutDashboard API and AWS::CloudWatch::Dashboard's DashboardBody take.
//
// Building the body in Go rather than through the CDK's L2 widget classes
// keeps synthesis fast (one jsii call per dashboard instead of several per
// metric) and lets the body be checked without a jsii runtime. The rules it
// follows are those of the CloudWatch API reference "Dashboard Body Structure
// and Syntax".
package dashboard

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Grid and size limits of a dashboard body.
const (
	// GridWidth is the number of columns of the dashboard grid.
	GridWidth = 24
	// MaxWidgets is the most widgets one dashboard may hold.
	MaxWidgets = 500
	// MaxMetricsPerWidget is the most metrics (math inputs included) one
	// graph may hold.
	MaxMetricsPerWidget = 500
	// MaxMetricsPerDashboard is the most metrics one dashboard may hold.
	MaxMetricsPerDashboard = 2500
	// MaxAlarmsPerWidget is the most alarms one alarm status widget may list.
	MaxAlarmsPerWidget = 100
)

// Placeholders that Render leaves for CloudFormation's Fn::Sub to fill.
// ConsoleDomain is not a pseudo parameter: the Fn::Sub that fills it maps
// ${AWS::Partition} to its console domain (see ConsoleDomains).
const (
	Region        = "${AWS::Region}"
	Partition     = "${AWS::Partition}"
	AccountID     = "${AWS::AccountId}"
	ConsoleDomain = "${ConsoleDomain}"
)

// ConsoleDomainVariable is the Fn::Sub variable of ConsoleDomain.
const ConsoleDomainVariable = "ConsoleDomain"

// ConsoleDomains are the AWS Management Console's domains by partition:
// a link to the commercial console is wrong in GovCloud and China.
func ConsoleDomains() map[string]string {
	return map[string]string{
		"aws":        "console.aws.amazon.com",
		"aws-us-gov": "console.amazonaws-us-gov.com",
		"aws-cn":     "console.amazonaws.cn",
	}
}

// Body is a whole dashboard.
type Body struct {
	// Start is the default time range, e.g. "-PT3H".
	Start string `json:"start,omitempty"`
	// PeriodOverride is "auto" or "inherit".
	PeriodOverride string `json:"periodOverride,omitempty"`
	// Widgets in display order, with positions set by Layout.
	Widgets []Widget `json:"widgets"`
	// Variables are the dashboard's variables (selectors in its toolbar).
	Variables []Variable `json:"variables,omitempty"`
}

// Variable is a dashboard variable, as the CloudWatch API reference
// "Dashboard Body Structure and Syntax" describes it (and the CDK's
// DashboardVariable renders it). sagesize generates property variables
// only: Property names a property of the widgets, such as a dimension
// (EndpointName), and selecting a value replaces that property's value in
// every widget of the dashboard.
type Variable struct {
	// Type is "property" (or "pattern", which sagesize does not generate).
	Type string `json:"type"`
	// Property is the property whose value the variable replaces.
	Property string `json:"property"`
	// InputType is "select" (a drop-down), "radio" or "input" (free text).
	InputType string `json:"inputType"`
	// ID is unique among the dashboard's variables; Label is the toolbar's
	// label.
	ID    string `json:"id"`
	Label string `json:"label,omitempty"`
	// DefaultValue is the value selected when the dashboard opens.
	DefaultValue string `json:"defaultValue,omitempty"`
	Visible      bool   `json:"visible"`
	// Values are the choices, listed explicitly (no metric search).
	Values []VariableValue `json:"values"`
}

// VariableValue is one choice of a select or radio variable.
type VariableValue struct {
	Label string `json:"label,omitempty"`
	Value string `json:"value"`
}

// PropertySelect is a visible drop-down property variable over values, the
// first selected by default.
func PropertySelect(id, property, label string, values []string) Variable {
	v := Variable{Type: "property", Property: property, InputType: "select", ID: id, Label: label, Visible: true}
	for _, s := range values {
		v.Values = append(v.Values, VariableValue{Label: s, Value: s})
	}
	if len(values) > 0 {
		v.DefaultValue = values[0]
	}
	return v
}

// Widget is one placed widget.
type Widget struct {
	Type       string `json:"type"`
	X          int    `json:"x"`
	Y          int    `json:"y"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	Properties any    `json:"properties"`
}

// Render returns the body as compact JSON with the Region, Partition and
// AccountID placeholders in place, for Fn::Sub.
func (b Body) Render() (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return "", fmt.Errorf("render dashboard body: %w", err)
	}
	return string(bytes.TrimRight(buf.Bytes(), "\n")), nil
}

// MetricCount returns how many metrics the dashboard holds, counting every
// metric and expression line of every graph.
func (b Body) MetricCount() int {
	n := 0
	for _, w := range b.Widgets {
		if g, ok := w.Properties.(*Graph); ok {
			n += len(g.Metrics)
		}
	}
	return n
}

// Cell is a widget waiting for a position: its size and properties.
type Cell struct {
	Width, Height int
	Type          string
	Properties    any
}

// Layout places rows of cells top to bottom, each row's cells left to right,
// wrapping to a new line when a row is wider than the grid. It panics on a
// cell that can never fit, a programmer error.
func Layout(rows ...[]Cell) []Widget {
	var ws []Widget
	y := 0
	for _, row := range rows {
		x, rowH := 0, 0
		for _, c := range row {
			if c.Width < 1 || c.Width > GridWidth || c.Height < 1 {
				panic(fmt.Sprintf("dashboard: cell %dx%d does not fit the grid", c.Width, c.Height))
			}
			if x+c.Width > GridWidth {
				y += rowH
				x, rowH = 0, 0
			}
			ws = append(ws, Widget{Type: c.Type, X: x, Y: y, Width: c.Width, Height: c.Height, Properties: c.Properties})
			x += c.Width
			rowH = max(rowH, c.Height)
		}
		y += rowH
	}
	return ws
}

// Text is a markdown widget's properties.
type Text struct {
	Markdown   string `json:"markdown"`
	Background string `json:"background,omitempty"` // "solid" or "transparent"
}

// TextCell is a markdown widget of the given size.
func TextCell(w, h int, markdown string) Cell {
	return Cell{Width: w, Height: h, Type: "text", Properties: &Text{Markdown: markdown}}
}

// AlarmStatus is an alarm status widget's properties.
type AlarmStatus struct {
	Title  string   `json:"title"`
	Alarms []string `json:"alarms"`
	SortBy string   `json:"sortBy,omitempty"` // "stateUpdatedTimestamp" or "default"
	States []string `json:"states,omitempty"`
}

// AlarmStatusCell is an alarm status widget listing alarmARNs.
func AlarmStatusCell(w, h int, title string, alarmARNs []string) Cell {
	return Cell{Width: w, Height: h, Type: "alarm", Properties: &AlarmStatus{Title: title, Alarms: alarmARNs, SortBy: "stateUpdatedTimestamp"}}
}

// AlarmARN is the ARN of the alarm named name in the stack's account and
// region, with placeholders for Fn::Sub.
func AlarmARN(name string) string {
	return "arn:" + Partition + ":cloudwatch:" + Region + ":" + AccountID + ":alarm:" + name
}
