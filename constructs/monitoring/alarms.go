package monitoring

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/dashboard"
)

// Severities, in the order they escalate.
const (
	Warning  = "Warning"
	Critical = "Critical"
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

// alarmSpec is one threshold on one metric.
type alarmSpec struct {
	id          string // construct id, stable across releases
	name        string
	description string
	fam         family
	dims        []dashboard.Dim
	stat        string  // Average, Maximum, p99, ...
	display     float64 // threshold in display units
	severity    string
	what        string // the threshold's subject in the annotation label
}

// Alarm is a created alarm with what the dashboard needs to draw it.
type Alarm struct {
	// Name is the alarm name.
	Name string
	// Severity is Warning or Critical.
	Severity string
	// Resource is the CloudFormation alarm.
	Resource awscloudwatch.CfnAlarm
	// Threshold is the threshold in the unit the metric is published in.
	Threshold float64
	// Annotation is the threshold line in display units for the metric's graph.
	Annotation dashboard.Horizontal
}

// alarmFactory plans the alarms of one segment with its naming, defaults
// and actions, so that callers pass only what differs: metric and threshold.
// Planning needs no jsii runtime (a segment's footprint is known before any
// stack exists); materialize then creates the CloudFormation resources.
type alarmFactory struct {
	eval     Evaluation
	actions  Actions
	creators []func(scope constructs.Construct)
	// composite, when planned, creates the composite alarm under scope,
	// depending on every alarm under alarms.
	compositeCreator func(scope, alarms constructs.Construct)
	// bytes estimates what the planned resources add to a template.
	bytes int
}

// materialize creates every planned resource: the alarms under a child
// construct "Alarms" of scope, the composite alarm under scope.
func (f *alarmFactory) materialize(scope constructs.Construct) {
	if len(f.creators) == 0 {
		return
	}
	alarms := constructs.NewConstruct(scope, jsii.String("Alarms"))
	for _, create := range f.creators {
		create(alarms)
	}
	if f.compositeCreator != nil {
		f.compositeCreator(scope, alarms)
	}
}

// resources is the number of CloudFormation resources planned.
func (f *alarmFactory) resources() int {
	n := len(f.creators)
	if f.compositeCreator != nil {
		n++
	}
	return n
}

// Template size estimates per resource: a CfnAlarm renders to about 700
// bytes of indented JSON besides its name and description.
const (
	alarmBytes          = 700
	compositeBytes      = 400
	compositeMemberSize = 110
)

func (f *alarmFactory) add(s alarmSpec) *Alarm {
	published := s.fam.toPublished(s.display)
	dims := make([]any, len(s.dims))
	for i, d := range s.dims {
		dims[i] = &awscloudwatch.CfnAlarm_DimensionProperty{Name: jsii.String(d.Name), Value: jsii.String(d.Value)}
	}
	props := &awscloudwatch.CfnAlarmProps{
		AlarmName:          jsii.String(s.name),
		AlarmDescription:   jsii.String(s.description),
		Namespace:          jsii.String(s.fam.namespace),
		MetricName:         jsii.String(s.fam.metric),
		Dimensions:         &dims,
		Period:             jsii.Number(f.eval.Period.Seconds()),
		EvaluationPeriods:  jsii.Number(f.eval.EvaluationPeriods),
		DatapointsToAlarm:  jsii.Number(f.eval.DatapointsToAlarm),
		Threshold:          jsii.Number(published),
		ComparisonOperator: jsii.String("GreaterThanThreshold"),
		// No traffic means no latency or error data; that is not an incident.
		TreatMissingData: jsii.String("notBreaching"),
	}
	if strings.HasPrefix(s.stat, "p") {
		props.ExtendedStatistic = jsii.String(s.stat)
		// Percentiles over too few samples are noise: evaluate them only
		// when the period holds enough data points.
		props.EvaluateLowSampleCountPercentile = jsii.String("ignore")
	} else {
		props.Statistic = jsii.String(s.stat)
	}
	acts := f.actions.WarningActions
	if s.severity == Critical {
		acts = f.actions.CriticalActions
	}
	if len(acts) > 0 {
		props.AlarmActions = anyStrings(acts)
		props.OkActions = anyStrings(acts)
	}
	color := colorWarning
	if s.severity == Critical {
		color = colorCritical
	}
	a := &Alarm{
		Name:       s.name,
		Severity:   s.severity,
		Threshold:  published,
		Annotation: dashboard.Horizontal{Label: s.severity + ": " + s.what + " > " + num(s.display) + " " + s.fam.unit, Value: s.display, Color: color},
	}
	f.creators = append(f.creators, func(scope constructs.Construct) {
		a.Resource = awscloudwatch.NewCfnAlarm(scope, jsii.String(s.id), props)
	})
	f.bytes += alarmBytes + 2*len(s.name) + len(s.description)
	return a
}

// composite plans one alarm that is in ALARM while any of alarms is; out
// receives it when the plan is materialized. The rule names the alarms, and
// one construct dependency makes CloudFormation create them first: cheaper
// at synth than an ARN attribute per alarm.
func (f *alarmFactory) composite(id, name, description string, alarms []*Alarm, out *awscloudwatch.CfnCompositeAlarm) {
	terms := make([]string, len(alarms))
	for i, a := range alarms {
		terms[i] = fmt.Sprintf("ALARM(%q)", a.Name)
	}
	rule := strings.Join(terms, " OR ")
	f.compositeCreator = func(scope, children constructs.Construct) {
		props := &awscloudwatch.CfnCompositeAlarmProps{
			AlarmName:        jsii.String(name),
			AlarmDescription: jsii.String(description),
			AlarmRule:        jsii.String(rule),
		}
		if len(f.actions.CompositeActions) > 0 {
			props.AlarmActions = anyStrings(f.actions.CompositeActions)
			props.OkActions = anyStrings(f.actions.CompositeActions)
		}
		c := awscloudwatch.NewCfnCompositeAlarm(scope, jsii.String(id), props)
		c.Node().AddDependency(children)
		*out = c
	}
	f.bytes += compositeBytes + len(name) + len(description) + compositeMemberSize*len(alarms)
}

func anyStrings(ss []string) *[]any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = jsii.String(s)
	}
	return &out
}

// ratioSpec is a threshold on 100*num/den of two metrics, such as GPU memory
// used over total, evaluated by metric math.
type ratioSpec struct {
	id, name, description, what, severity string
	namespace, num, den                   string
	dims                                  []dashboard.Dim
	display                               float64 // threshold in %
}

// addRatio creates a metric-math alarm on 100*num/den (Average of each).
func (f *alarmFactory) addRatio(s ratioSpec) *Alarm {
	dims := make([]any, len(s.dims))
	for i, d := range s.dims {
		dims[i] = &awscloudwatch.CfnAlarm_DimensionProperty{Name: jsii.String(d.Name), Value: jsii.String(d.Value)}
	}
	stat := func(id, metric string) *awscloudwatch.CfnAlarm_MetricDataQueryProperty {
		return &awscloudwatch.CfnAlarm_MetricDataQueryProperty{
			Id:         jsii.String(id),
			ReturnData: jsii.Bool(false),
			MetricStat: &awscloudwatch.CfnAlarm_MetricStatProperty{
				Metric: &awscloudwatch.CfnAlarm_MetricProperty{Namespace: jsii.String(s.namespace), MetricName: jsii.String(metric), Dimensions: &dims},
				Period: jsii.Number(f.eval.Period.Seconds()),
				Stat:   jsii.String("Average"),
			},
		}
	}
	props := &awscloudwatch.CfnAlarmProps{
		AlarmName:        jsii.String(s.name),
		AlarmDescription: jsii.String(s.description),
		Metrics: &[]any{
			stat("num", s.num), stat("den", s.den),
			&awscloudwatch.CfnAlarm_MetricDataQueryProperty{Id: jsii.String("pct"), Expression: jsii.String("100*num/den"), Label: jsii.String(s.what + " (%)"), ReturnData: jsii.Bool(true)},
		},
		EvaluationPeriods:  jsii.Number(f.eval.EvaluationPeriods),
		DatapointsToAlarm:  jsii.Number(f.eval.DatapointsToAlarm),
		Threshold:          jsii.Number(s.display),
		ComparisonOperator: jsii.String("GreaterThanThreshold"),
		TreatMissingData:   jsii.String("notBreaching"),
	}
	acts := f.actions.WarningActions
	color := colorWarning
	if s.severity == Critical {
		acts, color = f.actions.CriticalActions, colorCritical
	}
	if len(acts) > 0 {
		props.AlarmActions = anyStrings(acts)
		props.OkActions = anyStrings(acts)
	}
	a := &Alarm{
		Name:       s.name,
		Severity:   s.severity,
		Threshold:  s.display,
		Annotation: dashboard.Horizontal{Label: s.severity + ": " + s.what + " > " + num(s.display) + " %", Value: s.display, Color: color},
	}
	f.creators = append(f.creators, func(scope constructs.Construct) {
		a.Resource = awscloudwatch.NewCfnAlarm(scope, jsii.String(s.id), props)
	})
	f.bytes += 2*alarmBytes + 2*len(s.name) + len(s.description)
	return a
}
