package monitoring

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/naming"
)

// widestEndpoint is the longest legal endpoint: a 65-character prefix
// (32-character project and release), 63-character endpoint and variant
// names, ten GPU variants and both thresholds on every alarm family.
func widestEndpoint(t *testing.T) (prefix string, props *EndpointMonitorProps) {
	t.Helper()
	prefix = strings.Repeat("p", 32) + "-" + strings.Repeat("r", 32)
	both := func(w, c float64) Thresholds { return Thresholds{Warning: val(w), Critical: val(c)} }
	pct := func() *Thresholds { th := both(70, 90); return &th }
	props = &EndpointMonitorProps{
		EndpointName:  strings.Repeat("e", 63),
		SLOPercentile: "p99", SLOLatency: time.Second,
		Alarms: EndpointAlarms{
			ModelLatency:           &LatencyThresholds{Statistic: "p99", Thresholds: both(800, 1000)},
			OverheadLatency:        &LatencyThresholds{Statistic: "Average", Thresholds: both(20, 50)},
			Invocation5XXErrorRate: pct(), ModelErrorRate: pct(), CPUUtilization: pct(), GPUUtilization: pct(),
			GPUMemoryUtilization: pct(), MemoryUtilization: pct(), DiskUtilization: pct(),
		},
		Evaluation: Evaluation{Period: time.Minute, EvaluationPeriods: 5, DatapointsToAlarm: 3},
	}
	for i := range 10 {
		props.Variants = append(props.Variants, Variant{Name: fmt.Sprintf("%s%d", strings.Repeat("v", 62), i), Count: 1, Instance: mustInstance(t, "ml.g5.xlarge")})
	}
	return prefix, props
}

// A composite rule over CloudWatch's 10,240 characters becomes composites
// of composites: the groups name every critical alarm, each rule within the
// limit, and the top composite keeps its name and actions. An alarm status
// widget over 100 alarms becomes several.
func TestEndpointMonitor_SplitsWhatIsOverTheLimits(t *testing.T) {
	prefix, props := widestEndpoint(t)
	app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
	stack := awscdk.NewStack(app, jsii.String("Wide"), nil)
	f := NewFacade(stack, jsii.String("Monitoring"), &FacadeProps{Prefix: prefix, Actions: Actions{CompositeActions: []string{"arn:aws:sns:us-east-1:123456789012:page"}}})
	m := addEndpoint(t, f, "Wide", props)
	j := *assertions.Template_FromStack(stack, nil).ToJSON()

	top := naming.Composite(prefix, props.EndpointName)
	var critical []string
	for _, a := range m.Alarms {
		if a.Severity == Critical {
			critical = append(critical, a.Name)
		}
	}
	if n := len(naming.Rule(critical)); n <= naming.MaxCompositeRule {
		t.Fatalf("the test's rule is only %d characters; it must exceed the limit", n)
	}
	rules := map[string]string{}
	actions := map[string]int{}
	for _, r := range j["Resources"].(map[string]any) {
		r := r.(map[string]any)
		if r["Type"] != "AWS::CloudWatch::CompositeAlarm" {
			continue
		}
		p := r["Properties"].(map[string]any)
		name, rule := p["AlarmName"].(string), p["AlarmRule"].(string)
		rules[name] = rule
		if acts, ok := p["AlarmActions"].([]any); ok {
			actions[name] = len(acts)
		}
		if len(rule) > naming.MaxCompositeRule {
			t.Errorf("composite %s has a rule of %d characters", name, len(rule))
		}
	}
	groups := naming.SplitComposite(top, critical)
	if len(rules) != 1+len(groups) || len(groups) < 2 {
		t.Fatalf("composites = %d (%v); want the top one and %d groups", len(rules), slices.Collect(maps.Keys(rules)), len(groups))
	}
	if want := naming.Rule(naming.GroupNames(groups)); rules[top] != want {
		t.Errorf("top composite rule = %q; want %q", rules[top], want)
	}
	if actions[top] != 1 || len(actions) != 1 {
		t.Errorf("composites with actions = %v; want only the top one, %s", actions, top)
	}
	quoted := regexp.MustCompile(`ALARM\("([^"]+)"\)`)
	var named []string
	for _, g := range groups {
		for _, m := range quoted.FindAllStringSubmatch(rules[g.Name], -1) {
			named = append(named, m[1])
		}
	}
	if strings.Join(named, ",") != strings.Join(critical, ",") {
		t.Errorf("the groups name %d alarms; want the %d critical ones, once each", len(named), len(critical))
	}

	// Alarm status widgets: every alarm and the composite, ≤ 100 each.
	var listed []string
	widgets := 0
	var raw struct {
		Widgets []struct {
			Type       string
			Properties struct{ Alarms []string }
		}
	}
	if err := json.Unmarshal([]byte(m.plan.body), &raw); err != nil {
		t.Fatal(err)
	}
	for _, w := range raw.Widgets {
		if w.Type != "alarm" {
			continue
		}
		widgets++
		if n := len(w.Properties.Alarms); n > dashboard.MaxAlarmsPerWidget {
			t.Errorf("an alarm widget lists %d alarms", n)
		}
		listed = append(listed, w.Properties.Alarms...)
	}
	if want := len(m.Alarms) + 1; len(listed) != want || widgets < 2 {
		t.Errorf("alarm widgets = %d listing %d alarms; want %d alarms over several widgets", widgets, len(listed), want)
	}
}
