package config

import (
	"strings"
	"testing"
)

func TestLoad_CloudWatchPrices(t *testing.T) {
	c, err := Load(writeConfig(t, good+"cloudwatchPrices: {dashboard: 2.5, alarmMetric: 0}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := c.CloudWatchRates()
	if r.Dashboard != 2.5 || r.AlarmMetric != 0 || r.CompositeAlarm != 0.5 {
		t.Errorf("rates = %+v; want dashboard 2.5, alarmMetric 0, the rest the defaults (compositeAlarm 0.5)", r)
	}
}

func TestLoad_CloudWatchPricesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, prices string
		want         []string
	}{
		{"unknown name and negative price", "{dashbaord: 2, alarmMetric: -0.1}", []string{
			`cloudwatchPrices.dashbaord: unknown CloudWatch rate (did you mean "dashboard"?); valid: alarmMetric, compositeAlarm,`,
			"cloudwatchPrices.alarmMetric: -0.1 is not a price: want a finite number ≥ 0 (USD)",
		}},
		{"NaN and infinity, refused with their line", "{customMetric: .nan, compositeAlarm: .inf}", []string{
			`cloudwatchPrices.customMetric (line 39): must be a finite number, got ".nan"`,
			`cloudwatchPrices.compositeAlarm (line 39): must be a finite number, got ".inf"`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, good+"cloudwatchPrices: "+tc.prices+"\n"), nil)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not say %q:\n%v", want, err)
				}
			}
		})
	}
}
