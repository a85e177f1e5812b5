package config

import (
	"strings"
	"testing"
)

// Names that concatenate to the same alarm or dashboard name are refused,
// and the message names both config entries.
func TestLoad_DerivedNameCollisions(t *testing.T) {
	ep := func(name, variants, alarms string) string {
		return "  - name: " + name + "\n    variants: " + variants + "\n    slo: {latency: 300ms}\n" + alarms
	}
	tests := []struct {
		name, config, want string
	}{
		{
			name: "endpoint churn variant gpu-a beside endpoint churn-gpu variant a",
			config: "project: churn\nendpoints:\n" +
				ep("churn", "[{name: cpu, instanceType: ml.c5.xlarge}, {name: gpu-a, instanceType: ml.c5.xlarge}]", "") +
				ep("churn-gpu", "[{name: a, instanceType: ml.c5.xlarge}]", ""),
			want: `sagesize.yaml: endpoints[1].variants[0]: endpoint churn-gpu variant a makes alarm name "churn-churn-gpu-a-ModelLatency-Critical", which endpoints[0].variants[1] (endpoint churn variant gpu-a) also makes: rename one of them`,
		},
		{
			name: "notebook churn-xgb-AllTraffic beside endpoint churn-xgb",
			config: "project: churn\nendpoints:\n" +
				ep("churn-xgb", "[{instanceType: ml.c5.xlarge}]", "    alarms: {cpuUtilization: {critical: 90%}}\n") +
				"notebooks:\n  - {name: churn-xgb-AllTraffic, instanceType: ml.t3.medium, alarms: {cpuUtilization: {critical: 90%}}}\n",
			want: `sagesize.yaml: notebooks[0]: notebook churn-xgb-AllTraffic makes alarm name "churn-churn-xgb-AllTraffic-CPUUtilization-Critical", which endpoints[0].variants[0] (endpoint churn-xgb variant AllTraffic) also makes: rename one of them`,
		},
		{
			name: "endpoint named overview",
			config: "project: churn\nendpoints:\n" +
				ep("overview", "[{instanceType: ml.c5.xlarge}]", "") + ep("churn", "[{instanceType: ml.c5.xlarge}]", ""),
			want: `sagesize.yaml: endpoints[0]: endpoint overview makes dashboard name "churn-overview", which the fleet overview dashboard also makes: rename it`,
		},
		{
			name: "notebook named overview",
			config: "project: churn\nendpoints:\n" +
				ep("a", "[{instanceType: ml.c5.xlarge}]", "") + ep("b", "[{instanceType: ml.c5.xlarge}]", "") +
				"notebooks:\n  - {name: overview, instanceType: ml.t3.medium}\n",
			want: `sagesize.yaml: notebooks[0]: notebook overview makes dashboard name "churn-overview", which the fleet overview dashboard also makes: rename it`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := loadErr(t, tc.config); got != tc.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// Endpoint names that differ only by a hyphen are legal: their output ids
// are made distinct by the app, not refused here.
func TestLoad_NamesDifferingByAHyphenAreValid(t *testing.T) {
	path := writeConfig(t, "project: risk\nendpoints:\n"+
		"  - {name: risk-model-v2, variants: [{instanceType: ml.c5.xlarge}], slo: {latency: 300ms}}\n"+
		"  - {name: riskmodel-v2, variants: [{instanceType: ml.c5.xlarge}], slo: {latency: 300ms}}\n")
	if _, err := Load(path, nil); err != nil {
		t.Fatal(err)
	}
}

// Every example's derived names are free of problems, and include the
// composite and dashboard of each endpoint.
func TestDerivedNames_Examples(t *testing.T) {
	cfg, err := Load("../sagesize.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range cfg.DerivedNames() {
		names = append(names, d.Kind.What+" "+d.Name)
	}
	all := strings.Join(names, "\n")
	for _, e := range cfg.Endpoints {
		for _, want := range []string{"dashboard name " + cfg.Prefix() + "-" + e.NameInResources(), "alarm name " + cfg.Prefix() + "-" + e.NameInResources() + "-AnyCritical"} {
			if !strings.Contains(all, want+"\n") && !strings.HasSuffix(all, want) {
				t.Errorf("derived names lack %q:\n%s", want, all)
			}
		}
	}
}

// The sizing endpoint is part of the namespace: its candidates are its
// variants, and their alarm names collide like any other's.
func TestLoad_SizingEndpointNamesCollide(t *testing.T) {
	cfg := strings.Replace(goodSizing, "sizing:\n", "endpoints:\n  - {name: churn, variants: [{name: gpu-a, instanceType: ml.m5.large}], slo: {latency: 1s}}\nsizing:\n  endpoint: churn-gpu\n", 1)
	cfg = strings.Replace(cfg, "{name: gpu, instanceType", "{name: a, instanceType", 1)
	want := `sagesize.yaml: sizing.candidates[1]: sizing endpoint churn-gpu variant a makes alarm name "shop-churn-gpu-a-ModelLatency-Critical", which endpoints[0].variants[0] (endpoint churn variant gpu-a) also makes: rename one of them`
	if got := loadErr(t, cfg); got != want {
		t.Errorf("error:\n%s\nwant:\n%s", got, want)
	}
}
