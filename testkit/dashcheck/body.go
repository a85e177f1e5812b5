// Package dashcheck checks CloudWatch dashboard bodies and alarms the way
// CloudWatch and the CloudWatch console read them, without an AWS account:
// the body rules are package dashboard/check's (which the app also runs at
// synth); this package adds, for the tests, the catalogue of published
// metrics, intrinsic resolution and whole-template checks.
package dashcheck

import (
	"encoding/json"

	"github.com/sagesize/sagesize/dashboard/check"
)

// Limits of a dashboard body, from the CloudWatch API reference.
const (
	GridColumns            = check.GridColumns
	MaxWidgets             = check.MaxWidgets
	MaxWidgetHeight        = check.MaxWidgetHeight
	MaxMetricsPerWidget    = check.MaxMetricsPerWidget
	MaxMetricsPerDashboard = check.MaxMetricsPerDashboard
	MaxAlarmsPerWidget     = check.MaxAlarmsPerWidget
	MaxDimensions          = check.MaxDimensions
)

// Options configure a validation (see check.Options).
type Options = check.Options

// ValidateBody checks one dashboard body (JSON, intrinsics already
// resolved) and returns every problem found, joined, or nil.
func ValidateBody(body []byte, opts Options) error { return check.ValidateBody(body, opts) }

// number is a JSON number as a float64.
func number(x any) (float64, bool) {
	n, ok := x.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}
