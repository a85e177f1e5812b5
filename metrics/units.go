package metrics

import (
	"math"
	"strconv"
	"time"
)

// Scale converts a metric between the unit it is published in and the unit
// sagesize shows it in: shown = published × Mul ÷ Div. Thresholds are
// written and drawn in the shown unit and compared by CloudWatch in the
// published one.
type Scale struct {
	// Mul and Div are the factors from the published to the shown unit.
	Mul, Div float64
}

// Same is the scale of a metric shown as published.
func Same() Scale { return Scale{Mul: 1, Div: 1} }

// MicrosAsMillis shows a latency published in microseconds in milliseconds.
func MicrosAsMillis() Scale { return Scale{Mul: 1, Div: 1000} }

// SumAsInstancePercent shows a utilization that SageMaker publishes as the
// sum over units vCPUs or GPUs (0–100×units) as a percentage of the whole
// instance (0–100).
func SumAsInstancePercent(units int) Scale { return Scale{Mul: 1, Div: float64(units)} }

// FractionAsPercent shows a metric published as a fraction, such as the
// Average of SageMaker's error metrics (1 per failed invocation, 0 per good
// one), as a percentage.
func FractionAsPercent() Scale { return Scale{Mul: 100, Div: 1} }

// CountAsRate shows a count summed over a period (a Sum of loadgen's
// Requests, OutputTokens or GoodRequests per LoadTestPeriod) as a rate per
// second.
func CountAsRate(period time.Duration) Scale { return Scale{Mul: 1, Div: period.Seconds()} }

// ToPublished converts a value in the shown unit into the published unit.
func (s Scale) ToPublished(shown float64) float64 { return shown * s.Div / s.Mul }

// ToShown converts a published value into the shown unit.
func (s Scale) ToShown(published float64) float64 { return published * s.Mul / s.Div }

// Expr is the CloudWatch metric math that turns the published values of
// expr (a line id or an expression) into the shown unit; expr itself when
// the scale is Same.
func (s Scale) Expr(expr string) string {
	switch {
	case s.Mul == 1 && s.Div == 1:
		return expr
	case s.Mul == 1:
		return expr + "/" + formatNumber(s.Div)
	case s.Div == 1:
		return formatNumber(s.Mul) + "*" + expr
	default:
		return formatNumber(s.Mul) + "*" + expr + "/" + formatNumber(s.Div)
	}
}

func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Millis is d in milliseconds, the unit sagesize shows latencies in.
func Millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Micros is d in microseconds, the unit SageMaker and loadgen publish
// latencies in.
func Micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// FromMicros is a published latency in microseconds as a Duration, rounded
// to the nanosecond.
func FromMicros(us float64) time.Duration {
	return time.Duration(math.Round(us * float64(time.Microsecond)))
}

// Percent is a fraction (0.01) as a percentage (1).
func Percent(fraction float64) float64 { return fraction * 100 }

// Fraction is a percentage (1) as a fraction (0.01).
func Fraction(percent float64) float64 { return percent / 100 }
