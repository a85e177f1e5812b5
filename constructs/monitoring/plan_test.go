package monitoring

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
)

func TestThresholds_Levels(t *testing.T) {
	tests := []struct {
		name string
		t    *Thresholds
		want string
	}{
		{"none", nil, ""},
		{"empty", &Thresholds{}, ""},
		{"warning only", &Thresholds{Warning: val(70)}, "Warning=70 #ff7f0e"},
		{"critical only", &Thresholds{Critical: val(90)}, "Critical=90 #d62728"},
		{"both, escalating", &Thresholds{Critical: val(90), Warning: val(70)}, "Warning=70 #ff7f0e,Critical=90 #d62728"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, l := range tc.t.levels() {
				got = append(got, l.severity+"="+num(l.value)+" "+severityColor(l.severity))
			}
			if s := strings.Join(got, ","); s != tc.want {
				t.Errorf("levels = %q; want %q", s, tc.want)
			}
		})
	}
	acts := Actions{WarningActions: []string{"w"}, CriticalActions: []string{"c"}, CompositeActions: []string{"x"}}
	for sev, want := range map[string]string{Warning: "w", Critical: "c"} {
		if got := acts.forSeverity(sev); len(got) != 1 || got[0] != want {
			t.Errorf("forSeverity(%s) = %v; want [%s]", sev, got, want)
		}
	}
}

// Every metric the dashboards draw from SageMaker's namespaces is in the
// catalogue of what SageMaker publishes, with that exact dimension set and a
// statistic the catalogue lists for it.
func TestPlanEndpoint_DrawsOnlyPublishedMetrics(t *testing.T) {
	p, err := PlanEndpoint("test", &EndpointMonitorProps{
		EndpointName: "ep",
		Variants: []Variant{
			{Name: "gpu", Count: 2, Instance: mustInstance(t, "ml.g5.12xlarge")},
			{Name: "cpu", Count: 1, Instance: mustInstance(t, "ml.c5.xlarge")},
		},
		SLOPercentile: "p99.9", SLOLatency: 250 * time.Millisecond,
		Alarms: EndpointAlarms{
			ModelLatency:    &LatencyThresholds{Statistic: "Maximum", Thresholds: Thresholds{Critical: val(300)}},
			OverheadLatency: &LatencyThresholds{Statistic: "p90", Thresholds: Thresholds{Warning: val(20)}},
		},
		LoadTestNamespace: metrics.NamespaceLoadTest,
		Evaluation:        Evaluation{Period: time.Minute, EvaluationPeriods: 5, DatapointsToAlarm: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	problems, checked := unpublished(p, metrics.RealTime())
	for _, pr := range problems {
		t.Error(pr)
	}
	if checked < 50 {
		t.Errorf("checked %d metric lines; want the lines of two variants, the comparison and the load test", checked)
	}
}

// graphs are the graphs of p's dashboard, row by row.
func graphs(p *EndpointPlan) []*dashboard.Graph {
	var out []*dashboard.Graph
	for _, row := range p.rows {
		for _, c := range row {
			if g, ok := c.Properties.(*dashboard.Graph); ok {
				out = append(out, g)
			}
		}
	}
	return out
}

// unpublished checks every line p's dashboard draws from SageMaker's
// namespaces against cat: it returns a problem per line whose metric, with
// that exact dimension set and statistic, is not in cat, and the number of
// lines checked.
func unpublished(p *EndpointPlan, cat []metrics.Metric) (problems []string, checked int) {
	for _, g := range graphs(p) {
		for _, l := range g.Metrics {
			m, ok := l.(dashboard.Metric)
			if !ok || (m.Namespace != metrics.NamespaceInvocations && m.Namespace != metrics.NamespaceInstances) {
				continue
			}
			dims := make([]string, len(m.Dims))
			for i, d := range m.Dims {
				dims[i] = d.Name
			}
			pub, ok := metrics.Lookup(cat, m.Namespace, m.Name, dims)
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s: %s %s%v is not published", g.Title, m.Namespace, m.Name, dims))
			case !pub.Allows(m.Stat):
				problems = append(problems, fmt.Sprintf("%s: %s %s has no statistic %s (valid: %v)", g.Title, m.Namespace, m.Name, m.Stat, pub.Statistics))
			}
			checked++
		}
	}
	return problems, checked
}

// AddEndpoint builds the plan the footprint was measured on: the template
// holds the planned dashboard body and as many resources as the footprint
// counts, and the alarms notify the facade's actions per severity.
func TestAddEndpoint_BuildsThePlanAsMeasured(t *testing.T) {
	_, j := synth(t)
	resources := j["Resources"].(map[string]any)
	for _, m := range facade.Endpoints() {
		name := m.DashboardName()
		n, body := 0, ""
		for _, r := range resources {
			p := r.(map[string]any)["Properties"].(map[string]any)
			if a, _ := p["AlarmName"].(string); strings.HasPrefix(a, name+"-") {
				n++
			}
			if p["DashboardName"] == name {
				n++
				body = subTemplate(p["DashboardBody"])
			}
		}
		if fp := m.plan.Footprint(); n != fp.Resources {
			t.Errorf("%s: %d resources in the template; the footprint counted %d", name, n, fp.Resources)
		}
		if body != m.plan.body {
			t.Errorf("%s: the template's dashboard body is not the planned one", name)
		}
		if m.Composite == nil || len(m.Alarms) == 0 || m.Alarms[0].Resource == nil {
			t.Errorf("%s: composite %v, alarms %d: the plan was not built", name, m.Composite, len(m.Alarms))
		}
	}
}

func TestAddEndpoint_PanicsOnMisuse(t *testing.T) {
	props := &EndpointMonitorProps{
		EndpointName: "ep", Variants: []Variant{{Name: "v", Count: 1, Instance: mustInstance(t, "ml.m5.large")}},
		SLOPercentile: "p99", SLOLatency: time.Second, Evaluation: Evaluation{Period: time.Minute, EvaluationPeriods: 1, DatapointsToAlarm: 1},
	}
	app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
	f := NewFacade(awscdk.NewStack(app, jsii.String("Misuse"), nil), jsii.String("Monitoring"), &FacadeProps{Prefix: "one"})
	other, err := PlanEndpoint("other", props)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := PlanEndpoint("one", props)
	if err != nil {
		t.Fatal(err)
	}
	f.AddEndpoint(jsii.String("Ep"), mine)
	for _, tc := range []struct {
		name string
		plan *EndpointPlan
	}{{"planned with another prefix", other}, {"built twice", mine}} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("AddEndpoint did not panic")
				}
			}()
			f.AddEndpoint(jsii.String("Ep2"), tc.plan)
		})
	}
}

// The overview is planned once: NewOverview creates the dashboards whose
// size the plan reported.
func TestPlanOverview_SizeAndNames(t *testing.T) {
	var eps []OverviewEndpoint
	for _, name := range []string{"a", "b", "c"} {
		p, err := PlanEndpoint("fleet", &EndpointMonitorProps{
			EndpointName: name, Variants: []Variant{{Name: "v", Count: 1, Instance: mustInstance(t, "ml.m5.large")}},
			SLOPercentile: "p99", SLOLatency: 1500 * time.Microsecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		eps = append(eps, p.Overview(1))
	}
	plan, err := PlanOverview(&OverviewProps{Prefix: "fleet", Endpoints: eps, Stacks: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.Names(); len(got) != 1 || got[0] != "fleet-overview" {
		t.Errorf("Names() = %v; want [fleet-overview]", got)
	}
	total := 0
	for _, b := range plan.bodies {
		total += dashboardTemplateBytes(b)
		// ModelLatency in µs over the SLO in µs: 1.5 ms is 1500 µs.
		if !strings.Contains(b, `100*ml0raw/1500`) {
			t.Errorf("overview lacks the latency as %% of a 1500 µs SLO")
		}
	}
	if plan.TemplateBytes() != total || total == 0 {
		t.Errorf("TemplateBytes() = %d; the bodies take %d", plan.TemplateBytes(), total)
	}
	plan.Names()[0] = "changed"
	if plan.Names()[0] != "fleet-overview" {
		t.Error("Names() shares the plan's slice")
	}
}
