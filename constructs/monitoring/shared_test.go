package monitoring

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// sharedBody is the part of a shared dashboard body the tests read.
type sharedBody struct {
	Variables []struct {
		Property     string
		DefaultValue string
		Values       []struct{ Value string }
	}
	Widgets []struct {
		Type       string
		Properties struct {
			Title       string
			Markdown    string
			Alarms      []string
			Metrics     []json.RawMessage
			Annotations *struct{ Horizontal []struct{ Label string } }
		}
	}
}

func decodeShared(t *testing.T, p *SharedPlan) sharedBody {
	t.Helper()
	var b sharedBody
	if err := json.Unmarshal([]byte(p.Body), &b); err != nil {
		t.Fatalf("%s: %v", p.Name, err)
	}
	return b
}

// values are the listed values of the variable over property.
func (b sharedBody) values(property string) []string {
	var out []string
	for _, v := range b.Variables {
		if v.Property == property {
			for _, x := range v.Values {
				out = append(out, x.Value)
			}
		}
	}
	return out
}

func planSharedFleet(t *testing.T, props ...*EndpointMonitorProps) ([]*EndpointPlan, []*SharedPlan) {
	t.Helper()
	var plans []*EndpointPlan
	for _, p := range props {
		p.SharedDashboard = SharedDashboardName("fleet", p)
		plan, err := PlanEndpoint("fleet", p)
		if err != nil {
			t.Fatal(err)
		}
		plans = append(plans, plan)
	}
	shared, err := PlanShared("fleet", plans)
	if err != nil {
		t.Fatal(err)
	}
	return plans, shared
}

// One shared dashboard per kind and instance type: each variant is on the
// dashboard of its own instance type, CPU is divided by that type's vCPUs,
// GPU rows are only on the GPU type's, and the selectors list exactly the
// endpoints and variants of the dashboard.
func TestPlanShared_OneDashboardPerKindAndInstanceType(t *testing.T) {
	m5, g5 := mustInstance(t, "ml.m5.xlarge"), mustInstance(t, "ml.g5.2xlarge")
	slo := 100 * time.Millisecond
	cpu := EndpointAlarms{CPUUtilization: &Thresholds{Warning: val(70), Critical: val(90)}}
	plans, shared := planSharedFleet(t,
		&EndpointMonitorProps{EndpointName: "a", Variants: []Variant{{Name: "AllTraffic", Count: 2, Instance: m5}}, SLOPercentile: "p99", SLOLatency: slo, Alarms: cpu},
		&EndpointMonitorProps{EndpointName: "b", Variants: []Variant{{Name: "AllTraffic", Count: 1, Instance: m5}, {Name: "gpu", Count: 1, Instance: g5}}, SLOPercentile: "p99", SLOLatency: slo},
		&EndpointMonitorProps{EndpointName: "q", Async: true, Variants: []Variant{{Name: "AllTraffic", Count: 1, Instance: m5}}, SLOPercentile: "p99", SLOLatency: time.Minute},
	)
	var names []string
	for _, s := range shared {
		names = append(names, s.Name)
	}
	want := []string{"fleet-shared-realtime-ml-m5-xlarge", "fleet-shared-realtime-ml-g5-2xlarge", "fleet-shared-async-ml-m5-xlarge"}
	if !slices.Equal(names, want) {
		t.Fatalf("shared dashboards = %v; want %v", names, want)
	}
	if got := plans[1].DashboardName(); got != want[0] {
		t.Errorf("endpoint b's dashboard = %q; want its first variant's shared dashboard %q", got, want[0])
	}
	m5Body, g5Body := decodeShared(t, shared[0]), decodeShared(t, shared[1])
	for _, c := range []struct {
		b                  sharedBody
		endpoints, variant []string
		cpuDiv             string
		gpu                bool
	}{
		{m5Body, []string{"a", "b"}, []string{"AllTraffic"}, "/4", false},
		{g5Body, []string{"b"}, []string{"gpu"}, "/8", true},
	} {
		if got := c.b.values("EndpointName"); !slices.Equal(got, c.endpoints) {
			t.Errorf("EndpointName values = %v; want %v", got, c.endpoints)
		}
		if got := c.b.values("VariantName"); !slices.Equal(got, c.variant) {
			t.Errorf("VariantName values = %v; want %v", got, c.variant)
		}
		var gpu bool
		for _, w := range c.b.Widgets {
			title := w.Properties.Title
			gpu = gpu || strings.HasPrefix(title, "GPU")
			if strings.HasPrefix(title, "CPU") && !strings.Contains(string(w.Properties.Metrics[1]), c.cpuDiv) {
				t.Errorf("%s: CPU graph does not divide by the instance's vCPUs (%s): %s", c.endpoints, c.cpuDiv, w.Properties.Metrics[1])
			}
			if w.Properties.Annotations != nil && len(w.Properties.Annotations.Horizontal) > 0 && !strings.HasPrefix(w.Properties.Annotations.Horizontal[0].Label, "SLO") {
				t.Errorf("%s: graph %q draws a threshold of one endpoint: %v", c.endpoints, title, w.Properties.Annotations.Horizontal)
			}
		}
		if gpu != c.gpu {
			t.Errorf("%s: GPU rows = %v; want %v", c.endpoints, gpu, c.gpu)
		}
	}
	// The m5 dashboard's alarm widgets list a's composite and alarms (b has
	// none).
	var arns []string
	for _, w := range m5Body.Widgets {
		arns = append(arns, w.Properties.Alarms...)
	}
	wantAlarms := len(plans[0].af.alarms) + 1
	if plans[1].CompositeName() != "" || len(plans[1].af.alarms) != 0 {
		t.Fatalf("endpoint b was given alarms: %v", plans[1].af.alarms)
	}
	if len(arns) != wantAlarms || !strings.HasSuffix(arns[0], ":alarm:"+plans[0].CompositeName()) {
		t.Errorf("alarm widgets list %d alarms starting %v; want %d, a's composite first", len(arns), arns[:1], wantAlarms)
	}
}

// The SLO line is drawn only when every endpoint of the dashboard has the
// same SLO; thresholds are never drawn.
func TestPlanShared_SLOLineOnlyWhenShared(t *testing.T) {
	m5 := mustInstance(t, "ml.m5.xlarge")
	for _, c := range []struct {
		name string
		b    time.Duration
		want bool
	}{{"same SLO", 100 * time.Millisecond, true}, {"different SLOs", 200 * time.Millisecond, false}} {
		t.Run(c.name, func(t *testing.T) {
			_, shared := planSharedFleet(t,
				&EndpointMonitorProps{EndpointName: "a", Variants: []Variant{{Name: "AllTraffic", Count: 1, Instance: m5}}, SLOPercentile: "p99", SLOLatency: 100 * time.Millisecond},
				&EndpointMonitorProps{EndpointName: "b", Variants: []Variant{{Name: "AllTraffic", Count: 1, Instance: m5}}, SLOPercentile: "p99", SLOLatency: c.b},
			)
			got := strings.Contains(shared[0].Body, `"label":"SLO p99`)
			if got != c.want {
				t.Errorf("SLO line drawn = %v; want %v", got, c.want)
			}
		})
	}
}

// More alarms than one alarm status widget holds are split over widgets of
// at most 100.
func TestPlanShared_SplitsAlarmWidgetsAt100(t *testing.T) {
	m5 := mustInstance(t, "ml.m5.xlarge")
	all := EndpointAlarms{CPUUtilization: &Thresholds{Warning: val(70), Critical: val(90)}, MemoryUtilization: &Thresholds{Warning: val(70), Critical: val(90)}}
	var props []*EndpointMonitorProps
	for i := range 30 {
		props = append(props, &EndpointMonitorProps{EndpointName: "ep" + string(rune('a'+i%26)) + strings.Repeat("x", i/26),
			Variants: []Variant{{Name: "AllTraffic", Count: 1, Instance: m5}}, SLOPercentile: "p99", SLOLatency: time.Second, Alarms: all})
	}
	plans, shared := planSharedFleet(t, props...)
	want := 0
	for _, p := range plans {
		want += len(p.af.alarms) + 1
	}
	var got, widgets int
	for _, w := range decodeShared(t, shared[0]).Widgets {
		if w.Type == "alarm" {
			widgets++
			got += len(w.Properties.Alarms)
			if len(w.Properties.Alarms) > 100 {
				t.Errorf("an alarm widget lists %d alarms; CloudWatch shows at most 100", len(w.Properties.Alarms))
			}
		}
	}
	if got != want || widgets != (want+99)/100 {
		t.Errorf("%d alarms in %d widgets; want %d in %d", got, widgets, want, (want+99)/100)
	}
}
