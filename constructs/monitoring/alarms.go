package monitoring

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/naming"
)

// Severities, in the order they escalate.
const (
	Warning  = naming.Warning
	Critical = naming.Critical
)

// Annotation colours, one per severity, and the SLO's.
const (
	colorWarning  = "#ff7f0e"
	colorCritical = "#d62728"
	colorSLO      = "#2ca02c"
)

// Evaluation is how every alarm of a segment evaluates its metric.
type Evaluation struct {
	Period            time.Duration
	EvaluationPeriods int
	DatapointsToAlarm int
}

// Actions are the ARNs alarms notify, per severity. Critical alarms of an
// endpoint are gathered into one composite alarm, which notifies
// CompositeActions; the individual critical alarms notify CriticalActions
// (empty by default, so that one incident pages once).
type Actions struct {
	WarningActions   []string
	CriticalActions  []string
	CompositeActions []string
}

// Thresholds are the upper bounds of one alarm family, in the unit the
// dashboard shows the metric in: milliseconds for latencies, percent for
// error rates and utilizations (of the whole instance). A nil bound has no
// alarm.
type Thresholds struct {
	Warning, Critical *float64
}

// level is one bound of a Thresholds, in display units.
type level struct {
	severity string
	value    float64
}

// levels are t's bounds in the order they escalate, Warning then Critical,
// without the unset ones; none for a nil t.
func (t *Thresholds) levels() []level {
	if t == nil {
		return nil
	}
	var ls []level
	for _, l := range []struct {
		severity string
		value    *float64
	}{{Warning, t.Warning}, {Critical, t.Critical}} {
		if l.value != nil {
			ls = append(ls, level{l.severity, *l.value})
		}
	}
	return ls
}

// The severity helper: what an alarm of a severity notifies and the colour
// of its threshold line.

// forSeverity is where alarms of severity notify.
func (a Actions) forSeverity(severity string) []string {
	if severity == Critical {
		return a.CriticalActions
	}
	return a.WarningActions
}

// severityColor is the colour of a threshold line of severity.
func severityColor(severity string) string {
	if severity == Critical {
		return colorCritical
	}
	return colorWarning
}

// alarmSpec is one alarm family on one metric: every level of its
// Thresholds becomes an alarm.
type alarmSpec struct {
	// idPrefix gives the alarm at severity s the construct id idPrefix+s
	// (stable across releases); name(s) is its name, from package naming.
	idPrefix string
	name     func(severity string) string
	// description describes the alarm at a threshold in display units.
	description func(shown float64) string
	fam         family
	dims        []dashboard.Dim
	stat        string // Average, Maximum, p99, ...
	what        string // the threshold's subject in the annotation label
	// ratio, when set, makes the alarm compare 100×ratio[0]/ratio[1] (the
	// Average of each metric of fam.namespace, such as GPU memory used
	// over total) by metric math, instead of fam.metric.
	ratio *[2]string
	// below makes the alarm fire below the threshold (a hit ratio) instead
	// of above it.
	below bool
}

// Alarm is a created alarm with what the dashboard needs to draw it.
type Alarm struct {
	// Name is the alarm name.
	Name string
	// Severity is Warning or Critical.
	Severity string
	// Resource is the CloudFormation alarm, set once the plan is built.
	Resource awscloudwatch.CfnAlarm
	// Threshold is the threshold in the unit the metric is published in.
	Threshold float64
	// Annotation is the threshold line in display units for the metric's graph.
	Annotation dashboard.Horizontal
}

// annotations are the threshold lines of alarms.
func annotations(alarms []*Alarm) []dashboard.Horizontal {
	var ann []dashboard.Horizontal
	for _, a := range alarms {
		ann = append(ann, a.Annotation)
	}
	return ann
}

// alarmFactory plans the alarms of one segment with its naming, defaults
// and evaluation, so that callers pass only what differs: metric and
// thresholds. Planning needs no jsii runtime (a segment's footprint is known
// before any stack exists); build then creates the CloudFormation
// resources, with the actions of the stack the segment lands in.
type alarmFactory struct {
	eval Evaluation
	// prefix starts every name: <project>[-<release>].
	prefix string
	// alarms are every planned threshold alarm, in creation order.
	alarms   []*Alarm
	creators []func(scope constructs.Construct, acts Actions)
	// compositeCreator, when planned, creates the composite alarm under
	// scope, depending on every alarm under children.
	compositeCreator func(scope, children constructs.Construct, acts Actions) awscloudwatch.CfnCompositeAlarm
	// composites is the number of composite alarms planned: 1, or more
	// when the rule is split.
	composites int
	// bytes estimates what the planned resources add to a template.
	bytes int
}

// build creates every planned resource, notifying acts: the alarms under a
// child construct "Alarms" of scope, the composite alarm (returned; nil
// when none is planned) under scope.
func (f *alarmFactory) build(scope constructs.Construct, acts Actions) awscloudwatch.CfnCompositeAlarm {
	if len(f.creators) == 0 {
		return nil
	}
	alarms := constructs.NewConstruct(scope, jsii.String("Alarms"))
	for _, create := range f.creators {
		create(alarms, acts)
	}
	if f.compositeCreator == nil {
		return nil
	}
	return f.compositeCreator(scope, alarms, acts)
}

// resources is the number of CloudFormation resources planned.
func (f *alarmFactory) resources() int {
	return len(f.creators) + f.composites
}

// Template size estimates per resource: a CfnAlarm renders to about 700
// bytes of indented JSON besides its name and description (a metric-math
// alarm to twice that).
const (
	alarmBytes          = 700
	compositeBytes      = 400
	compositeMemberSize = 110
)

// thresholds plans an alarm on s for every level of t, Warning first, and
// returns them.
func (f *alarmFactory) thresholds(t *Thresholds, s alarmSpec) []*Alarm {
	var out []*Alarm
	for _, l := range t.levels() {
		out = append(out, f.add(s, l))
	}
	return out
}

// add plans the alarm of s at level l. The threshold, given in display
// units, is converted to the published unit here, once; the annotation
// draws the display value.
func (f *alarmFactory) add(s alarmSpec, l level) *Alarm {
	name := s.name(l.severity)
	description := s.description(l.value)
	published := s.fam.scale.ToPublished(l.value)
	dims := make([]any, len(s.dims))
	for i, d := range s.dims {
		dims[i] = &awscloudwatch.CfnAlarm_DimensionProperty{Name: jsii.String(d.Name), Value: jsii.String(d.Value)}
	}
	props := &awscloudwatch.CfnAlarmProps{
		AlarmName:          jsii.String(name),
		AlarmDescription:   jsii.String(description),
		EvaluationPeriods:  jsii.Number(f.eval.EvaluationPeriods),
		DatapointsToAlarm:  jsii.Number(f.eval.DatapointsToAlarm),
		Threshold:          jsii.Number(published),
		ComparisonOperator: jsii.String(s.comparison()),
		// No traffic means no latency or error data; that is not an incident.
		TreatMissingData: jsii.String("notBreaching"),
	}
	bytes := alarmBytes
	if s.ratio != nil {
		stat := func(id, metric string) *awscloudwatch.CfnAlarm_MetricDataQueryProperty {
			return &awscloudwatch.CfnAlarm_MetricDataQueryProperty{
				Id:         jsii.String(id),
				ReturnData: jsii.Bool(false),
				MetricStat: &awscloudwatch.CfnAlarm_MetricStatProperty{
					Metric: &awscloudwatch.CfnAlarm_MetricProperty{Namespace: jsii.String(s.fam.namespace), MetricName: jsii.String(metric), Dimensions: &dims},
					Period: jsii.Number(f.eval.Period.Seconds()),
					Stat:   jsii.String(s.stat),
				},
			}
		}
		props.Metrics = &[]any{
			stat("num", s.ratio[0]), stat("den", s.ratio[1]),
			&awscloudwatch.CfnAlarm_MetricDataQueryProperty{Id: jsii.String("pct"), Expression: jsii.String(metrics.FractionAsPercent().Expr("num/den")), Label: jsii.String(s.what + " (" + s.fam.unit + ")"), ReturnData: jsii.Bool(true)},
		}
		bytes = 2 * alarmBytes
	} else {
		props.Namespace = jsii.String(s.fam.namespace)
		props.MetricName = jsii.String(s.fam.metric)
		props.Dimensions = &dims
		props.Period = jsii.Number(f.eval.Period.Seconds())
		if strings.HasPrefix(s.stat, "p") {
			props.ExtendedStatistic = jsii.String(s.stat)
			// Percentiles over too few samples are noise: evaluate them
			// only when the period holds enough data points.
			props.EvaluateLowSampleCountPercentile = jsii.String("ignore")
		} else {
			props.Statistic = jsii.String(s.stat)
		}
	}
	a := &Alarm{
		Name:       name,
		Severity:   l.severity,
		Threshold:  published,
		Annotation: dashboard.Horizontal{Label: l.severity + ": " + s.what + " " + s.comparisonSign() + " " + num(l.value) + " " + s.fam.unit, Value: l.value, Color: severityColor(l.severity)},
	}
	id := s.idPrefix + l.severity
	f.creators = append(f.creators, func(scope constructs.Construct, acts Actions) {
		if notify := acts.forSeverity(l.severity); len(notify) > 0 {
			props.AlarmActions = anyStrings(notify)
			props.OkActions = anyStrings(notify)
		}
		a.Resource = awscloudwatch.NewCfnAlarm(scope, jsii.String(id), props)
	})
	f.alarms = append(f.alarms, a)
	f.bytes += bytes + 2*len(name) + len(description)
	return a
}

// comparison is the alarm's CloudWatch comparison operator.
func (s alarmSpec) comparison() string {
	if s.below {
		return "LessThanThreshold"
	}
	return "GreaterThanThreshold"
}

// comparisonSign is the comparison as a threshold line's label shows it.
func (s alarmSpec) comparisonSign() string {
	if s.below {
		return "<"
	}
	return ">"
}

// composite plans one alarm that is in ALARM while any of alarms is. The
// rule names the alarms, and one construct dependency makes CloudFormation
// create them first: cheaper at synth than an ARN attribute per alarm. A
// rule over CloudWatch's limit is split (naming.SplitComposite): composites
// <name>-1, -2, ... over groups of alarms, and the composite name over
// them, so that its name and notifications stay the same.
func (f *alarmFactory) composite(id, name, description string, alarms []*Alarm) {
	names := make([]string, len(alarms))
	for i, a := range alarms {
		names[i] = a.Name
	}
	groups := naming.SplitComposite(name, names)
	f.composites = 1 + len(groups)
	f.compositeCreator = func(scope, children constructs.Construct, acts Actions) awscloudwatch.CfnCompositeAlarm {
		if len(groups) == 0 {
			return newComposite(scope, id, name, description, naming.Rule(names), acts, children)
		}
		// The groups notify no one: the composite over them does.
		parts := constructs.NewConstruct(scope, jsii.String(id+"Groups"))
		for i, g := range groups {
			newComposite(parts, fmt.Sprintf("%s%d", id, i+1), g.Name, fmt.Sprintf("Part %d of %d of %s: %s", i+1, len(groups), name, description), naming.Rule(g.Alarms), Actions{}, children)
		}
		return newComposite(scope, id, name, description, naming.Rule(naming.GroupNames(groups)), acts, parts)
	}
	f.bytes += f.composites*(compositeBytes+len(name)+len(description)) + compositeMemberSize*(len(alarms)+len(groups))
}

// newComposite creates one composite alarm with rule under scope, notifying
// acts.CompositeActions, after the alarms under after.
func newComposite(scope constructs.Construct, id, name, description, rule string, acts Actions, after constructs.Construct) awscloudwatch.CfnCompositeAlarm {
	props := &awscloudwatch.CfnCompositeAlarmProps{
		AlarmName:        jsii.String(name),
		AlarmDescription: jsii.String(description),
		AlarmRule:        jsii.String(rule),
	}
	if len(acts.CompositeActions) > 0 {
		props.AlarmActions = anyStrings(acts.CompositeActions)
		props.OkActions = anyStrings(acts.CompositeActions)
	}
	c := awscloudwatch.NewCfnCompositeAlarm(scope, jsii.String(id), props)
	c.Node().AddDependency(after)
	return c
}

// header plans the composite alarm of a segment's alarms, named
// <prefix>-<resource>-AnyCritical, and returns the dashboard's first row:
// markdown beside alarm status widgets that list the composite and every
// alarm, at most dashboard.MaxAlarmsPerWidget each. The composite gathers
// the critical alarms, or every alarm when none is critical; compositeName
// is "" without alarms. describe describes the composite.
func (f *alarmFactory) header(resource, markdown string, describe func() string) (row []dashboard.Cell, compositeName string) {
	arns := make([]string, 0, len(f.alarms)+1)
	if gather := gatherForComposite(f.alarms); len(gather) > 0 {
		compositeName = naming.Composite(f.prefix, resource)
		f.composite(naming.AnyCritical, compositeName, describe(), gather)
		arns = append(arns, dashboard.AlarmARN(compositeName))
	}
	for _, a := range f.alarms {
		arns = append(arns, dashboard.AlarmARN(a.Name))
	}
	row = []dashboard.Cell{dashboard.TextCell(2*thirdWidth, headerHeight, markdown)}
	parts := chunk(arns, dashboard.MaxAlarmsPerWidget)
	for i, part := range parts {
		title := "Alarms"
		if len(parts) > 1 {
			title = fmt.Sprintf("Alarms (%d of %d)", i+1, len(parts))
		}
		row = append(row, dashboard.AlarmStatusCell(thirdWidth, headerHeight, title, part))
	}
	return row, compositeName
}

// gatherForComposite picks the alarms a composite gathers: the critical
// ones, or every alarm when none is critical.
func gatherForComposite(alarms []*Alarm) []*Alarm {
	var critical []*Alarm
	for _, a := range alarms {
		if a.Severity == Critical {
			critical = append(critical, a)
		}
	}
	if len(critical) == 0 {
		return alarms
	}
	return critical
}

func anyStrings(ss []string) *[]any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = jsii.String(s)
	}
	return &out
}
