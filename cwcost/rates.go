// Package cwcost estimates what the CloudWatch side of a synthesized
// sagesize config costs: dashboards, alarms (by resolution and kind),
// composite alarms, the custom metrics notebook agents and load tests
// publish, and the PutMetricData/GetMetricData calls of a load test or a
// sizing run. It is pure arithmetic over counts; internal/cdkout reads the
// counts from a cloud assembly.
package cwcost

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/sagesize/sagesize/internal/editdist"
)

// RatesSource and RatesDate say where and when the default rates were read:
// the public list prices of US East (N. Virginia), first usage tier, without
// any free tier except FreeDashboards.
const (
	RatesSource = "https://aws.amazon.com/cloudwatch/pricing/ (US East (N. Virginia), first tier)"
	RatesDate   = "2026-11-27"
)

// HoursPerMonth is the month CloudWatch prorates metrics and alarms over.
const HoursPerMonth = 730

// Rates are CloudWatch list prices in USD.
type Rates struct {
	// Dashboard is per dashboard-month beyond FreeDashboards.
	Dashboard float64 `json:"dashboard"`
	// FreeDashboards is the account's free-tier dashboards (3; each may
	// reference up to 50 metrics).
	FreeDashboards float64 `json:"freeDashboards"`
	// AlarmMetric and HighResolutionAlarmMetric are per alarm metric-month
	// (a metric-math alarm is billed for each metric of its expression).
	AlarmMetric               float64 `json:"alarmMetric"`
	HighResolutionAlarmMetric float64 `json:"highResolutionAlarmMetric"`
	// CompositeAlarm is per composite alarm-month.
	CompositeAlarm float64 `json:"compositeAlarm"`
	// CustomMetric is per custom metric-month, prorated by the hour.
	CustomMetric float64 `json:"customMetric"`
	// PutMetricData is per 1,000 requests; GetMetricData per 1,000
	// metrics requested.
	PutMetricData float64 `json:"putMetricDataPer1000"`
	GetMetricData float64 `json:"getMetricDataPer1000"`
}

// DefaultRates returns the rates read from RatesSource on RatesDate.
func DefaultRates() Rates {
	return Rates{
		Dashboard: 3, FreeDashboards: 3,
		AlarmMetric: 0.10, HighResolutionAlarmMetric: 0.30, CompositeAlarm: 0.50,
		CustomMetric: 0.30, PutMetricData: 0.01, GetMetricData: 0.01,
	}
}

// rateFields maps each override name to its field.
func (r *Rates) rateFields() map[string]*float64 {
	return map[string]*float64{
		"dashboard":                 &r.Dashboard,
		"freeDashboards":            &r.FreeDashboards,
		"alarmMetric":               &r.AlarmMetric,
		"highResolutionAlarmMetric": &r.HighResolutionAlarmMetric,
		"compositeAlarm":            &r.CompositeAlarm,
		"customMetric":              &r.CustomMetric,
		"putMetricDataPer1000":      &r.PutMetricData,
		"getMetricDataPer1000":      &r.GetMetricData,
	}
}

// RateNames lists the names Override accepts, sorted.
func RateNames() []string {
	var r Rates
	names := make([]string, 0, 8)
	for n := range r.rateFields() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Override returns r with the rates in o replaced, or every problem at once:
// a name that is not a rate (with the closest one), a negative, NaN or
// infinite value.
func (r Rates) Override(o map[string]float64) (Rates, error) {
	fields := r.rateFields()
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []error
	for _, k := range keys {
		v := o[k]
		f, ok := fields[k]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("rate %q: unknown CloudWatch rate%s; valid: %s", k, didYouMean(k), strings.Join(RateNames(), ", ")))
		case v < 0 || math.IsNaN(v) || math.IsInf(v, 0):
			errs = append(errs, fmt.Errorf("rate %s: %v is not a price: want a finite number ≥ 0 (USD)", k, v))
		default:
			*f = v
		}
	}
	return r, errors.Join(errs...)
}

func didYouMean(name string) string {
	if c := editdist.Closest(name, RateNames()); c != "" {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
}

// ParseOverride parses one "name=value" override, as given to
// `sagesize summary --rate`.
func ParseOverride(s string) (string, float64, error) {
	name, val, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return "", 0, fmt.Errorf("rate %q: want name=USD, e.g. dashboard=3; names: %s", s, strings.Join(RateNames(), ", "))
	}
	var v float64
	if _, err := fmt.Sscan(val, &v); err != nil {
		return "", 0, fmt.Errorf("rate %q: %q is not a number: %w", s, val, err)
	}
	return name, v, nil
}
