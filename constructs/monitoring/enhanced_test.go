package monitoring

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/dashboard/check"
	"github.com/sagesize/sagesize/metrics"
)

// enhancedProps is a real-time endpoint on a 4-GPU instance whose
// configuration publishes enhanced metrics every period.
func enhancedProps(t *testing.T, period time.Duration) *EndpointMonitorProps {
	return &EndpointMonitorProps{
		EndpointName: "llm", Variants: []Variant{{Name: "AllTraffic", Count: 2, Instance: mustInstance(t, "ml.g5.12xlarge")}},
		SLOPercentile: "p99", SLOLatency: 2 * time.Second,
		Evaluation:     Evaluation{Period: time.Minute, EvaluationPeriods: 5, DatapointsToAlarm: 3},
		EnhancedPeriod: period,
	}
}

// enhancedSearches are the SEARCH functions of p's dashboard, each with the
// period of its line, by graph title.
func enhancedSearches(t *testing.T, p *EndpointPlan) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, s := range searches(t, p) {
		out[s.graph] = append(out[s.graph], fmt.Sprintf("%s %s%v %s every %d", s.Namespace, s.MetricName, s.Dimensions, s.Stat, s.period))
	}
	return out
}

// Every per-instance and per-GPU line reads a metric of the enhanced
// catalogue (metrics.Enhanced) with its exact dimension set and a
// statistic it has, every 10 s; the per-GPU graphs draw the hottest GPU.
func TestPlanEndpoint_EnhancedLinesUseCatalogueDimensionSets(t *testing.T) {
	p, err := PlanEndpoint("test", enhancedProps(t, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	got := enhancedSearches(t, p)
	want := map[string]string{
		"AllTraffic: CPU per instance (% of 48 vCPUs)":      "CPUUtilization[EndpointName InstanceId VariantName] Average every 10",
		"AllTraffic: Memory per instance (%)":               "MemoryUtilization[EndpointName InstanceId VariantName] Average every 10",
		"AllTraffic: GPU per GPU, hottest first (%)":        "GPUUtilization[AcceleratorId EndpointName InstanceId VariantName] Maximum every 10",
		"AllTraffic: GPU memory per GPU, hottest first (%)": "GPUMemoryUtilization[AcceleratorId EndpointName InstanceId VariantName] Maximum every 10",
	}
	if len(got) != len(want) {
		t.Errorf("graphs with SEARCH: %v; want %d", got, len(want))
	}
	enhanced := metrics.Enhanced()
	for title, w := range want {
		lines := got[title]
		if len(lines) == 0 {
			t.Errorf("no graph %q", title)
		}
		for _, l := range lines {
			if l != metrics.NamespaceInstances+" "+w {
				t.Errorf("%s: %s; want %s", title, l, w)
			}
		}
	}
	for _, s := range searches(t, p) {
		m, ok := metrics.Lookup(enhanced, s.Namespace, s.MetricName, s.Dimensions)
		if !ok || !m.Allows(s.Stat) {
			t.Errorf("%s: %s %s%v %s is not in the enhanced catalogue", s.graph, s.Namespace, s.MetricName, s.Dimensions, s.Stat)
		}
		if strings.HasPrefix(s.expr, "MAX(SEARCH(") && s.label != "hottest GPU" {
			t.Errorf("%s: the maximum over GPUs is labelled %q; want hottest GPU", s.graph, s.label)
		}
	}
}

// The multi-model catalogue has every real-time metric but no enhanced
// metric: the enhanced lines, and only they, fail it; without enhanced
// metrics the dashboard draws no SEARCH at all.
func TestPlanEndpoint_EnhancedLinesFailACatalogueWithoutThem(t *testing.T) {
	p, err := PlanEndpoint("test", enhancedProps(t, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	err = check.ValidateBody([]byte(resolvedBody(p)), check.Options{Catalogue: lookupCatalogue(metrics.MultiModel())})
	if err == nil {
		t.Fatal("the enhanced dashboard passes the multi-model catalogue; want the per-instance and per-GPU lines refused")
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if !strings.Contains(line, "SEARCH") {
			t.Errorf("a non-enhanced line fails the multi-model catalogue: %s", line)
		}
	}
	if err := check.ValidateBody([]byte(resolvedBody(p)), check.Options{Catalogue: lookupCatalogue(metrics.RealTime())}); err != nil {
		t.Errorf("the real-time catalogue refuses the enhanced dashboard: %v", err)
	}
	plain, err := PlanEndpoint("test", enhancedProps(t, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got := enhancedSearches(t, plain); len(got) != 0 {
		t.Errorf("without enhanced metrics the dashboard searches %v; want nothing", got)
	}
}

// lookupCatalogue is a check.Catalogue of ms.
type lookupCatalogue []metrics.Metric

func (c lookupCatalogue) Check(namespace, name string, dims []string) error {
	if _, ok := metrics.Lookup(c, namespace, name, dims); !ok {
		return fmt.Errorf("%s %s%v is not catalogued", namespace, name, dims)
	}
	return nil
}

// resolvedBody is p's body with the Fn::Sub placeholders filled.
func resolvedBody(p *EndpointPlan) string {
	return strings.NewReplacer(dashboard.Partition, "aws", dashboard.Region, "us-east-1", dashboard.AccountID, "123456789012").Replace(p.body)
}
