package config

import (
	"strings"
	"testing"
)

// An alarm period shorter than its metric's publish interval can never
// fire and is refused, naming the field; a notebook publishing every 10s
// may alarm on 10s periods.
func TestLoad_PeriodsThatCanFire(t *testing.T) {
	ep := "  - {name: churn-xgb, variants: [{instanceType: ml.c5.xlarge}], slo: {latency: 300ms}%s}\n"
	tests := []struct {
		name, config, want string
	}{
		{
			name:   "alarmDefaults 10s on an endpoint",
			config: "project: churn\nalarmDefaults: {period: 10s}\nendpoints:\n" + strings.Replace(ep, "%s", "", 1),
			want:   "sagesize.yaml: alarmDefaults.period: is 10s, shorter than the 1m at which SageMaker publishes endpoint metrics, so the alarms of endpoints[0] (endpoint churn-xgb) would never fire: use 1m or a whole number of minutes (notebooks may set a shorter evaluation.period with metricsInterval)",
		},
		{
			name:   "endpoint evaluation 30s",
			config: "project: churn\nendpoints:\n" + strings.Replace(ep, "%s", ", evaluation: {period: 30s}", 1),
			want:   "sagesize.yaml: endpoints[0].evaluation.period: is 30s, shorter than the 1m at which SageMaker publishes endpoint metrics, so its alarms would never fire: use 1m or a whole number of minutes",
		},
		{
			name:   "notebook 10s period with the default 60s interval",
			config: "project: churn\nnotebooks:\n  - {name: ds, instanceType: ml.t3.medium, evaluation: {period: 10s}, alarms: {cpuUtilization: {critical: 90%}}}\n",
			want:   "sagesize.yaml: notebooks[0].evaluation.period: is 10s, shorter than the 1m at which notebook ds's agent publishes (notebooks[0].metricsInterval), so its alarms would never fire: use a period of at least 1m, or a metricsInterval of at most 10s",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := loadErr(t, tc.config); got != tc.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
	ok := "project: churn\nnotebooks:\n  - {name: ds, instanceType: ml.t3.medium, metricsInterval: 10s, evaluation: {period: 10s}, alarms: {cpuUtilization: {critical: 90%}}}\n"
	if _, err := Load(writeConfig(t, ok), nil); err != nil {
		t.Errorf("a 10s period on a notebook publishing every 10s was refused: %v", err)
	}
}
