// Package check validates CloudWatch dashboard bodies the way CloudWatch and
// the CloudWatch console read them, without an AWS account. The app runs it
// on every dashboard body it synthesizes; testkit/dashcheck adds the
// catalogue of published metrics and whole-template checks for the tests.
//
// No schema exists for a dashboard body (CloudFormation and cfn-lint see one
// opaque string); the rules here are those of the CloudWatch API reference
// "Dashboard Body Structure and Syntax": at most 500 widgets on a 24-column
// grid (x 0–23, width 1–24, height 1–1000), the widget types and their
// properties, the metrics array format ([Namespace, MetricName, dimension
// name, value, …, {rendering properties}] or [{expression, id, …}]), math
// expression ids (a lower-case letter first, unique in the widget, every
// referenced id defined) and at most 500 metrics per widget and 2,500 per
// dashboard, math inputs included. On top of those it requires what sagesize
// relies on: every metric is one that is actually published (a Catalogue,
// such as testkit/dashcheck's, of namespace, name and exact dimension set),
// SEARCH expressions included (each names its schema and MetricName, which
// are checked the same way), widgets do not overlap (the
// console would move them), every hidden (visible: false) line feeds an
// expression, and every alarm a widget lists exists.
package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Limits of a dashboard body, from the CloudWatch API reference.
const (
	// GridColumns is the width of the grid: x is 0–23, width 1–24.
	GridColumns = 24
	// MaxWidgets is the most widgets a dashboard holds.
	MaxWidgets = 500
	// MaxWidgetHeight is the tallest a widget may be, in grid rows.
	MaxWidgetHeight = 1000
	// MaxMetricsPerWidget is the most metrics and expressions one graph holds.
	MaxMetricsPerWidget = 500
	// MaxMetricsPerDashboard is the most metrics all graphs hold together.
	MaxMetricsPerDashboard = 2500
	// MaxAlarmsPerWidget is the most alarms an alarm status widget lists.
	MaxAlarmsPerWidget = 100
	// MaxDimensions is the most dimensions a metric has.
	MaxDimensions = 30
)

// Options configure a validation.
type Options struct {
	// Catalogue holds the metrics a graph may read; nil skips the check.
	Catalogue Catalogue
	// Alarms, when not nil, are the names of the alarms that exist: an alarm
	// status widget may list only those.
	Alarms map[string]bool
}

// Catalogue knows which metrics are published: Check fails for a
// namespace, metric name and dimension set that is not.
type Catalogue interface {
	Check(namespace, name string, dims []string) error
}

// ValidateBody checks one dashboard body (JSON, intrinsics already
// resolved) and returns every problem found, joined, or nil.
func ValidateBody(body []byte, opts Options) error {
	v := &validator{opts: opts, properties: map[string]bool{}}
	v.body(body)
	return errors.Join(v.errs...)
}

type validator struct {
	opts Options
	errs []error
	// properties are the dimension names of every metric line and the
	// property names of every metric widget: what a property variable may
	// replace.
	properties map[string]bool
}

func (v *validator) errf(path, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

// Decode parses a dashboard body as JSON, numbers kept as json.Number.
func Decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("dashboard body is not JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("dashboard body has data after the JSON object")
	}
	return out, nil
}

// keys reports every key of m that is not in allowed.
func (v *validator) keys(path string, m map[string]any, allowed ...string) {
	var extra []string
	for k := range m {
		if !slices.Contains(allowed, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		v.errf(path, "unknown property %q (known: %s)", k, strings.Join(allowed, ", "))
	}
}

// integer returns m[key] as an int, reporting a missing or non-integer value.
func (v *validator) integer(path string, m map[string]any, key string) (int, bool) {
	raw, ok := m[key]
	if !ok {
		v.errf(path, "%s is missing", key)
		return 0, false
	}
	n, ok := raw.(json.Number)
	if !ok {
		v.errf(path, "%s must be a number, got %s", key, show(raw))
		return 0, false
	}
	f, err := n.Float64()
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e9 {
		v.errf(path, "%s must be an integer, got %s", key, n)
		return 0, false
	}
	return int(f), true
}

func show(x any) string {
	b, err := json.Marshal(x)
	if err != nil {
		return fmt.Sprint(x)
	}
	return clip(string(b))
}

func (v *validator) enum(path, key string, m map[string]any, values ...string) {
	raw, ok := m[key]
	if !ok {
		return
	}
	s, ok := raw.(string)
	if !ok || !slices.Contains(values, s) {
		v.errf(path, "%s must be one of %s, got %s", key, strings.Join(values, ", "), show(raw))
	}
}

func (v *validator) str(path, key string, m map[string]any, required bool) (string, bool) {
	raw, ok := m[key]
	if !ok {
		if required {
			v.errf(path, "%s is missing", key)
		}
		return "", false
	}
	s, ok := raw.(string)
	if !ok {
		v.errf(path, "%s must be a string, got %s", key, show(raw))
		return "", false
	}
	if required && s == "" {
		v.errf(path, "%s is empty", key)
		return "", false
	}
	return s, true
}

func (v *validator) boolean(path, key string, m map[string]any) {
	if raw, ok := m[key]; ok {
		if _, ok := raw.(bool); !ok {
			v.errf(path, "%s must be true or false, got %s", key, show(raw))
		}
	}
}

type rect struct{ x, y, w, h, index int }

func (v *validator) body(data []byte) {
	doc, err := Decode(data)
	if err != nil {
		v.errs = append(v.errs, err)
		return
	}
	top, ok := doc.(map[string]any)
	if !ok {
		v.errf("body", "must be a JSON object, got %s", show(doc))
		return
	}
	v.keys("body", top, "widgets", "start", "end", "periodOverride", "variables")
	v.enum("body", "periodOverride", top, "auto", "inherit")
	v.str("body", "start", top, false)
	v.str("body", "end", top, false)
	raw, ok := top["widgets"]
	if !ok {
		v.errf("body", "widgets is missing (it may be empty, not absent)")
		return
	}
	widgets, ok := raw.([]any)
	if !ok {
		v.errf("body", "widgets must be an array, got %s", show(raw))
		return
	}
	if len(widgets) > MaxWidgets {
		v.errf("body", "%d widgets; a dashboard holds at most %d", len(widgets), MaxWidgets)
	}
	var rects []rect
	total := 0
	for i, w := range widgets {
		path := fmt.Sprintf("widgets[%d]", i)
		m, ok := w.(map[string]any)
		if !ok {
			v.errf(path, "must be an object, got %s", show(w))
			continue
		}
		if r, ok := v.position(path, m); ok {
			r.index = i
			rects = append(rects, r)
		}
		total += v.widget(path, m)
	}
	if total > MaxMetricsPerDashboard {
		v.errf("body", "%d metrics in all widgets; a dashboard holds at most %d", total, MaxMetricsPerDashboard)
	}
	if raw, ok := top["variables"]; ok {
		w, _ := json.Marshal(widgets) // decoded JSON always marshals
		v.variables(raw, w)
	}
	for i, a := range rects {
		for _, b := range rects[i+1:] {
			if a.x < b.x+b.w && b.x < a.x+a.w && a.y < b.y+b.h && b.y < a.y+a.h {
				v.errf(fmt.Sprintf("widgets[%d]", b.index), "overlaps widgets[%d] (%d,%d %dx%d and %d,%d %dx%d)",
					a.index, b.x, b.y, b.w, b.h, a.x, a.y, a.w, a.h)
			}
		}
	}
}

// position checks x, y, width and height. The reference makes x and y
// optional (CloudWatch then places the widget); sagesize always places its
// widgets, so they are required here.
func (v *validator) position(path string, m map[string]any) (rect, bool) {
	x, okx := v.integer(path, m, "x")
	y, oky := v.integer(path, m, "y")
	w, okw := v.integer(path, m, "width")
	h, okh := v.integer(path, m, "height")
	ok := okx && oky && okw && okh
	if okx && (x < 0 || x > GridColumns-1) {
		v.errf(path, "x is %d; it must be 0–%d", x, GridColumns-1)
		ok = false
	}
	if oky && y < 0 {
		v.errf(path, "y is %d; it must be 0 or more", y)
		ok = false
	}
	if okw && (w < 1 || w > GridColumns) {
		v.errf(path, "width is %d; it must be 1–%d", w, GridColumns)
		ok = false
	}
	if okh && (h < 1 || h > MaxWidgetHeight) {
		v.errf(path, "height is %d; it must be 1–%d", h, MaxWidgetHeight)
		ok = false
	}
	if ok && x+w > GridColumns {
		v.errf(path, "x %d + width %d runs past the %d-column grid", x, w, GridColumns)
		ok = false
	}
	return rect{x: x, y: y, w: w, h: h}, ok
}

// widget checks one widget and returns how many metrics it holds.
func (v *validator) widget(path string, m map[string]any) int {
	v.keys(path, m, "type", "x", "y", "width", "height", "properties")
	typ, _ := v.str(path, "type", m, true)
	raw, ok := m["properties"]
	if !ok {
		v.errf(path, "properties is missing")
		return 0
	}
	props, ok := raw.(map[string]any)
	if !ok {
		v.errf(path, "properties must be an object, got %s", show(raw))
		return 0
	}
	path += ".properties"
	switch typ {
	case "metric":
		return v.metricWidget(path, props)
	case "text":
		v.keys(path, props, "markdown", "background")
		v.str(path, "markdown", props, true)
		v.enum(path, "background", props, "solid", "transparent")
	case "alarm":
		v.alarmWidget(path, props)
	case "log", "explorer", "custom", "alarm-list":
		v.errf(path, "widget type %q is valid in CloudWatch but this validator does not check its properties; teach it before generating one", typ)
	case "":
	default:
		v.errf(path, "unknown widget type %q (metric, text, alarm, log, explorer, custom)", typ)
	}
	return 0
}

var alarmARN = regexp.MustCompile(`^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:[0-9]{12}:alarm:(.+)$`)

func (v *validator) alarmWidget(path string, p map[string]any) {
	v.keys(path, p, "alarms", "sortBy", "states", "title")
	v.str(path, "title", p, false)
	v.enum(path, "sortBy", p, "default", "stateUpdatedTimestamp", "timestamp")
	if raw, ok := p["states"]; ok {
		states, ok := raw.([]any)
		if !ok {
			v.errf(path, "states must be an array, got %s", show(raw))
		}
		for _, s := range states {
			if !slices.Contains([]any{"ALARM", "INSUFFICIENT_DATA", "OK"}, s) {
				v.errf(path, "states: %s is not ALARM, INSUFFICIENT_DATA or OK", show(s))
			}
		}
	}
	raw, ok := p["alarms"]
	if !ok {
		v.errf(path, "alarms is missing")
		return
	}
	arns, ok := raw.([]any)
	if !ok || len(arns) == 0 || len(arns) > MaxAlarmsPerWidget {
		v.errf(path, "alarms must be an array of 1–%d alarm ARNs, got %s", MaxAlarmsPerWidget, show(raw))
		if !ok {
			return
		}
	}
	for i, a := range arns {
		s, _ := a.(string)
		mm := alarmARN.FindStringSubmatch(s)
		if mm == nil {
			v.errf(fmt.Sprintf("%s.alarms[%d]", path, i), "%s is not a CloudWatch alarm ARN", show(a))
			continue
		}
		if v.opts.Alarms != nil && !v.opts.Alarms[mm[1]] {
			v.errf(fmt.Sprintf("%s.alarms[%d]", path, i), "no alarm named %q exists", mm[1])
		}
	}
}

// line is one parsed entry of a metrics array.
type line struct {
	path    string
	id      string
	expr    string
	visible bool
}

func (v *validator) metricWidget(path string, p map[string]any) int {
	for k := range p {
		v.properties[k] = true
	}
	v.keys(path, p, "accountId", "annotations", "end", "legend", "liveData", "metrics", "period",
		"region", "setPeriodToTimeRange", "singleValueFullPrecision", "sparkline", "stacked", "start",
		"stat", "table", "timezone", "title", "trend", "view", "yAxis")
	v.str(path, "region", p, true)
	v.str(path, "title", p, false)
	v.enum(path, "view", p, "timeSeries", "singleValue", "gauge", "bar", "pie", "table")
	for _, b := range []string{"stacked", "liveData", "setPeriodToTimeRange", "singleValueFullPrecision", "sparkline", "trend"} {
		v.boolean(path, b, p)
	}
	if s, ok := v.str(path, "stat", p, false); ok {
		if err := CheckStat(s); err != nil {
			v.errf(path, "stat: %v", err)
		}
	}
	if _, ok := p["period"]; ok {
		if n, ok := v.integer(path, p, "period"); ok {
			if err := checkPeriod(n); err != nil {
				v.errf(path, "period: %v", err)
			}
		}
	}
	v.legend(path, p)
	v.yAxis(path, p)
	v.annotations(path, p)

	raw, ok := p["metrics"]
	if !ok {
		v.errf(path, "metrics is missing")
		return 0
	}
	arr, ok := raw.([]any)
	if !ok || len(arr) == 0 {
		v.errf(path, "metrics must be a non-empty array, got %s", show(raw))
		return 0
	}
	if len(arr) > MaxMetricsPerWidget {
		v.errf(path, "%d metrics; a widget holds at most %d", len(arr), MaxMetricsPerWidget)
	}
	var lines []line
	for i, l := range arr {
		if ln, ok := v.metricLine(fmt.Sprintf("%s.metrics[%d]", path, i), l); ok {
			lines = append(lines, ln)
		}
	}
	v.ids(path, lines)
	return len(arr)
}

var (
	idPattern    = regexp.MustCompile(`^[a-z][A-Za-z0-9_]*$`)
	colorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// metricLine checks one metrics array entry: a metric
// [Namespace, MetricName, dim, value, ..., {options}] or an expression
// [{expression, ...}].
func (v *validator) metricLine(path string, raw any) (line, bool) {
	arr, ok := raw.([]any)
	if !ok || len(arr) == 0 {
		v.errf(path, "must be a non-empty array, got %s", show(raw))
		return line{}, false
	}
	ln := line{path: path, visible: true}
	var opts map[string]any
	if last, ok := arr[len(arr)-1].(map[string]any); ok {
		opts = last
		arr = arr[:len(arr)-1]
	}
	if len(arr) == 0 { // [{expression ...}]
		if opts == nil {
			return ln, false
		}
		v.keys(path, opts, "expression", "id", "label", "color", "period", "region", "accountId", "visible", "yAxis")
		expr, ok := v.str(path, "expression", opts, true)
		if !ok {
			return ln, false
		}
		ln.expr = expr
		v.searches(path, expr)
	} else {
		for i, e := range arr {
			s, ok := e.(string)
			if !ok {
				v.errf(path, "element %d must be a string, got %s (only the last element may be an options object)", i, show(e))
				return ln, false
			}
			if s == "." || s == "..." {
				v.errf(path, "the %q shorthand is valid in the console but not generated by sagesize; write the line out", s)
				return ln, false
			}
			if s == "" {
				v.errf(path, "element %d is empty", i)
				return ln, false
			}
		}
		if len(arr) < 2 {
			v.errf(path, "a metric needs [Namespace, MetricName, ...], got %s", show(raw))
			return ln, false
		}
		if len(arr)%2 != 0 {
			v.errf(path, "dimension %q has no value", arr[len(arr)-1])
			return ln, false
		}
		ns, name := arr[0].(string), arr[1].(string)
		var dims []string
		for i := 2; i < len(arr); i += 2 {
			d := arr[i].(string)
			v.properties[d] = true
			if slices.Contains(dims, d) {
				v.errf(path, "dimension %q appears twice", d)
			}
			dims = append(dims, d)
		}
		if len(dims) > MaxDimensions {
			v.errf(path, "%d dimensions; a metric has at most %d", len(dims), MaxDimensions)
		}
		if v.opts.Catalogue != nil {
			if err := v.opts.Catalogue.Check(ns, name, dims); err != nil {
				v.errf(path, "%v", err)
			}
		}
		if opts != nil {
			v.keys(path, opts, "id", "label", "color", "period", "region", "accountId", "stat", "visible", "yAxis")
			if s, ok := v.str(path, "stat", opts, false); ok {
				if err := CheckStat(s); err != nil {
					v.errf(path, "stat: %v", err)
				}
			}
		}
	}
	if opts != nil {
		if id, ok := v.str(path, "id", opts, false); ok {
			if !idPattern.MatchString(id) {
				v.errf(path, "id %q must start with a lower-case letter and hold only letters, digits and _", id)
			}
			ln.id = id
		}
		v.str(path, "label", opts, false)
		if c, ok := v.str(path, "color", opts, false); ok && !colorPattern.MatchString(c) {
			v.errf(path, "color %q is not #rrggbb", c)
		}
		v.enum(path, "yAxis", opts, "left", "right")
		v.boolean(path, "visible", opts)
		if vis, ok := opts["visible"].(bool); ok {
			ln.visible = vis
		}
		if _, ok := opts["period"]; ok {
			if n, ok := v.integer(path, opts, "period"); ok {
				if err := checkPeriod(n); err != nil {
					v.errf(path, "period: %v", err)
				}
			}
		}
	}
	return ln, true
}

// searches checks every SEARCH of expr against the catalogue: its schema's
// namespace and exact dimension set with its MetricName.
func (v *validator) searches(path, expr string) {
	ss, err := Searches(expr)
	if err != nil {
		v.errf(path, "%v", err)
		return
	}
	if v.opts.Catalogue == nil {
		return
	}
	for _, s := range ss {
		if err := v.opts.Catalogue.Check(s.Namespace, s.MetricName, s.Dimensions); err != nil {
			v.errf(path, "SEARCH: %v", err)
		}
	}
}

// ids checks a widget's line ids and expression references: ids unique,
// every id an expression uses defined (and not the expression itself),
// every hidden line used by an expression, at least one line drawn.
func (v *validator) ids(path string, lines []line) {
	defined := map[string]bool{}
	for _, l := range lines {
		if l.id == "" {
			continue
		}
		if defined[l.id] {
			v.errf(l.path, "id %q is used twice in the widget", l.id)
		}
		defined[l.id] = true
	}
	used := map[string]bool{}
	for _, l := range lines {
		if l.expr == "" {
			continue
		}
		refs, err := ExprRefs(l.expr)
		if err != nil {
			v.errf(l.path, "expression %q: %v", l.expr, err)
			continue
		}
		for _, r := range refs {
			switch {
			case r == l.id:
				v.errf(l.path, "expression %q refers to its own id", l.expr)
			case !defined[r]:
				v.errf(l.path, "expression %q refers to id %q, which no line of the widget has", l.expr, r)
			}
			used[r] = true
		}
	}
	drawn := false
	for _, l := range lines {
		if l.visible {
			drawn = true
			continue
		}
		if l.id == "" || !used[l.id] {
			v.errf(l.path, "hidden (visible: false) but no expression uses it")
		}
	}
	if len(lines) > 0 && !drawn {
		v.errf(path, "every line is hidden: the graph draws nothing")
	}
}

// ExprRefs returns the metric ids a math expression refers to: the
// identifiers that start with a lower-case letter (functions and keywords
// are upper-case), outside string literals.
func ExprRefs(expr string) ([]string, error) {
	var refs []string
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(expr[i+1:], c)
			if j < 0 {
				return nil, errors.New("unterminated string")
			}
			i += j + 2
		case c >= '0' && c <= '9' || c == '.':
			for i < len(expr) && (isIdent(expr[i]) || expr[i] == '.') {
				i++
			}
		case isIdent(c):
			j := i
			for j < len(expr) && isIdent(expr[j]) {
				j++
			}
			if w := expr[i:j]; w[0] >= 'a' && w[0] <= 'z' && !slices.Contains(refs, w) {
				refs = append(refs, w)
			}
			i = j
		default:
			i++
		}
	}
	return refs, nil
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

var statPattern = regexp.MustCompile(`^(SampleCount|Average|Sum|Minimum|Maximum|IQM|(p|tm|tc|ts|wm|pr)\d{1,2}(\.\d{1,10})?|p100|(TM|TC|TS|WM|PR)\(\d*(\.\d+)?%?:\d*(\.\d+)?%?\))$`)

// CheckStat accepts the statistics CloudWatch knows: the five basic ones,
// percentiles and the extended statistics.
func CheckStat(s string) error {
	if !statPattern.MatchString(s) {
		return fmt.Errorf("%q is not a CloudWatch statistic (Average, Sum, Minimum, Maximum, SampleCount, pNN, tmNN, …)", s)
	}
	return nil
}

// checkPeriod accepts 1, 5, 10, 30 (high resolution) and multiples of 60.
func checkPeriod(n int) error {
	if n == 1 || n == 5 || n == 10 || n == 30 || n > 0 && n%60 == 0 {
		return nil
	}
	return fmt.Errorf("%d seconds: must be 1, 5, 10, 30 or a multiple of 60", n)
}

func (v *validator) legend(path string, p map[string]any) {
	raw, ok := p["legend"]
	if !ok {
		return
	}
	m, ok := raw.(map[string]any)
	if !ok {
		v.errf(path, "legend must be an object, got %s", show(raw))
		return
	}
	v.keys(path+".legend", m, "position")
	v.enum(path+".legend", "position", m, "bottom", "right", "hidden")
}

func (v *validator) yAxis(path string, p map[string]any) {
	raw, ok := p["yAxis"]
	if !ok {
		return
	}
	m, ok := raw.(map[string]any)
	if !ok {
		v.errf(path, "yAxis must be an object, got %s", show(raw))
		return
	}
	v.keys(path+".yAxis", m, "left", "right")
	for _, side := range []string{"left", "right"} {
		a, ok := m[side]
		if !ok {
			continue
		}
		am, ok := a.(map[string]any)
		ap := path + ".yAxis." + side
		if !ok {
			v.errf(ap, "must be an object, got %s", show(a))
			continue
		}
		v.keys(ap, am, "min", "max", "label", "showUnits")
		v.str(ap, "label", am, false)
		v.boolean(ap, "showUnits", am)
		lo, hasLo := number(am["min"])
		hi, hasHi := number(am["max"])
		for _, k := range []string{"min", "max"} {
			if x, ok := am[k]; ok {
				if _, isNum := number(x); !isNum {
					v.errf(ap, "%s must be a number, got %s", k, show(x))
				}
			}
		}
		if hasLo && hasHi && lo >= hi {
			v.errf(ap, "min %v is not below max %v", lo, hi)
		}
	}
}

func number(x any) (float64, bool) {
	n, ok := x.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func (v *validator) annotations(path string, p map[string]any) {
	raw, ok := p["annotations"]
	if !ok {
		return
	}
	m, ok := raw.(map[string]any)
	if !ok {
		v.errf(path, "annotations must be an object, got %s", show(raw))
		return
	}
	ap := path + ".annotations"
	v.keys(ap, m, "horizontal", "vertical")
	for _, dir := range []string{"horizontal", "vertical"} {
		raw, ok := m[dir]
		if !ok {
			continue
		}
		arr, ok := raw.([]any)
		if !ok {
			v.errf(ap, "%s must be an array, got %s", dir, show(raw))
			continue
		}
		for i, a := range arr {
			hp := fmt.Sprintf("%s.%s[%d]", ap, dir, i)
			// A band is a pair of annotations.
			parts := []any{a}
			if band, ok := a.([]any); ok {
				if len(band) != 2 {
					v.errf(hp, "a band is a pair of annotations, got %d", len(band))
					continue
				}
				parts = band
			}
			for _, part := range parts {
				am, ok := part.(map[string]any)
				if !ok {
					v.errf(hp, "must be an object, got %s", show(part))
					continue
				}
				v.keys(hp, am, "value", "label", "color", "fill", "visible", "yAxis")
				v.str(hp, "label", am, false)
				v.boolean(hp, "visible", am)
				if c, ok := v.str(hp, "color", am, false); ok && !colorPattern.MatchString(c) {
					v.errf(hp, "color %q is not #rrggbb", c)
				}
				if dir == "horizontal" {
					if _, ok := number(am["value"]); !ok {
						v.errf(hp, "value must be a number, got %s", show(am["value"]))
					}
					v.enum(hp, "fill", am, "above", "below", "between", "none")
					v.enum(hp, "yAxis", am, "left", "right")
				} else {
					v.str(hp, "value", am, true)
					v.enum(hp, "fill", am, "before", "after", "none")
				}
			}
		}
	}
}

// clip shortens s for a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
