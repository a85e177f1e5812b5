package dashboard

import (
	"encoding/json"
)

// Graph is a metric widget's properties.
type Graph struct {
	Title       string       `json:"title"`
	View        string       `json:"view"`
	Stacked     bool         `json:"stacked"`
	Region      string       `json:"region"`
	Period      int          `json:"period,omitempty"`
	Stat        string       `json:"stat,omitempty"`
	Metrics     []Line       `json:"metrics"`
	YAxis       *YAxes       `json:"yAxis,omitempty"`
	Annotations *Annotations `json:"annotations,omitempty"`
	Legend      *Legend      `json:"legend,omitempty"`
}

// GraphCell is a time-series graph of the given size.
func GraphCell(w, h int, g *Graph) Cell {
	if g.View == "" {
		g.View = "timeSeries"
	}
	if g.Region == "" {
		g.Region = Region
	}
	if g.Legend == nil {
		g.Legend = &Legend{Position: "bottom"}
	}
	return Cell{Width: w, Height: h, Type: "metric", Properties: g}
}

// YAxes holds the left and right axis settings.
type YAxes struct {
	Left  *Axis `json:"left,omitempty"`
	Right *Axis `json:"right,omitempty"`
}

// Axis is one y axis.
type Axis struct {
	Min       *float64 `json:"min,omitempty"`
	Max       *float64 `json:"max,omitempty"`
	Label     string   `json:"label,omitempty"`
	ShowUnits bool     `json:"showUnits"`
}

// PercentAxis is a fresh 0–100 % left axis.
func PercentAxis() *YAxes {
	lo, hi := 0.0, 100.0
	return &YAxes{Left: &Axis{Min: &lo, Max: &hi, Label: "%"}}
}

// FromZeroAxis is a fresh left axis that starts at zero, labelled unit.
func FromZeroAxis(unit string) *YAxes {
	lo := 0.0
	return &YAxes{Left: &Axis{Min: &lo, Label: unit}}
}

// Annotations are lines drawn across a graph.
type Annotations struct {
	Horizontal []Horizontal `json:"horizontal,omitempty"`
}

// Horizontal is a horizontal line at Value, such as an alarm threshold or an SLO.
type Horizontal struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
	Color string  `json:"color,omitempty"`
	Fill  string  `json:"fill,omitempty"` // "above", "below" or "none"
}

// Legend places a graph's legend.
type Legend struct {
	Position string `json:"position"`
}

// Line is one entry of a graph's metrics array: a metric or a math expression.
type Line interface {
	json.Marshaler
	// LineID is the line's id ("" when it has none).
	LineID() string
}

// Dim is one metric dimension.
type Dim struct{ Name, Value string }

// Metric is a CloudWatch metric line.
type Metric struct {
	Namespace string
	Name      string
	Dims      []Dim
	// Stat is the statistic: Average, Sum, Maximum, p99, ...
	Stat   string
	Period int
	Label  string
	ID     string
	Color  string
	// Hidden metrics are math inputs that are not drawn themselves.
	Hidden bool
}

// LineID implements Line.
func (m Metric) LineID() string { return m.ID }

type lineOptions struct {
	Stat    string `json:"stat,omitempty"`
	Period  int    `json:"period,omitempty"`
	Label   string `json:"label,omitempty"`
	ID      string `json:"id,omitempty"`
	Color   string `json:"color,omitempty"`
	Visible *bool  `json:"visible,omitempty"`
	Expr    string `json:"expression,omitempty"`
}

// MarshalJSON renders [Namespace, Name, dim, value, ..., {options}].
func (m Metric) MarshalJSON() ([]byte, error) {
	arr := make([]any, 0, 3+2*len(m.Dims))
	arr = append(arr, m.Namespace, m.Name)
	for _, d := range m.Dims {
		arr = append(arr, d.Name, d.Value)
	}
	opts := lineOptions{Stat: m.Stat, Period: m.Period, Label: m.Label, ID: m.ID, Color: m.Color}
	if m.Hidden {
		f := false
		opts.Visible = &f
	}
	arr = append(arr, opts)
	return json.Marshal(arr)
}

// Expr is a metric math expression line.
type Expr struct {
	Expression string
	Label      string
	ID         string
	Color      string
	Period     int
	// Hidden expressions feed other expressions and are not drawn.
	Hidden bool
}

// LineID implements Line.
func (e Expr) LineID() string { return e.ID }

// MarshalJSON renders [{expression, label, id}].
func (e Expr) MarshalJSON() ([]byte, error) {
	o := lineOptions{Expr: e.Expression, Label: e.Label, ID: e.ID, Color: e.Color, Period: e.Period}
	if e.Hidden {
		f := false
		o.Visible = &f
	}
	return json.Marshal([]any{o})
}
