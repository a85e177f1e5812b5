package cwcost

import (
	"math"
	"time"
)

// What loadgen and the sagesize CLI send to CloudWatch (the tests tie
// these to loadgen's publisher).
const (
	// LoadgenMetrics is the metrics loadgen publishes per variant and test
	// id: the latency distribution and 7 counts (loadgen.Publisher.Datums).
	LoadgenMetrics = 8
	// LoadgenStreamMetrics is the metrics a streaming test (loadgen
	// -stream) publishes besides LoadgenMetrics: the TTFT, inter-token gap,
	// TPOT and output tokens per request distributions and the
	// OutputTokens and GoodRequests counts.
	LoadgenStreamMetrics = 6
	// LoadgenInterval is how often each task publishes, in one
	// PutMetricData call (its datums stay far below 1,000 and 1 MB).
	LoadgenInterval = 10 * time.Second
	// LiveViewMetrics is the metrics `sagesize run` requests per poll (two
	// GetMetricData calls of 4 queries, sizing/runner.readFigures) every
	// LiveViewPoll (its --poll default).
	LiveViewMetrics = 8
	LiveViewPoll    = 10 * time.Second
)

// Run is one load test or sizing run as the config plans it.
type Run struct {
	Name string `json:"name"`
	// Variants is the number of variants driven, one after another, each
	// under its own test id; Tasks the Fargate tasks of each; Duration
	// how long each variant is driven.
	Variants int           `json:"variants"`
	Tasks    int           `json:"tasks"`
	Duration time.Duration `json:"duration"`
	// MeasuredMetrics is the metrics a sizing run's report reads back
	// (sizing/measure: per step, the figures and the Intervals count).
	MeasuredMetrics int `json:"measuredMetrics,omitempty"`
	// Stream marks a streaming test, which publishes LoadgenStreamMetrics
	// more per variant and test id.
	Stream bool `json:"stream,omitempty"`
}

// RunEstimate is what one run costs in CloudWatch.
type RunEstimate struct {
	Run
	CustomMetrics    int     `json:"customMetrics"`
	MetricHours      float64 `json:"metricHours"`
	PutMetricData    int     `json:"putMetricDataCalls"`
	GetMetricData    int     `json:"getMetricDataMetrics"`
	CustomMetricsUSD float64 `json:"customMetricsUSD"`
	PutUSD           float64 `json:"putMetricDataUSD"`
	GetUSD           float64 `json:"getMetricDataUSD"`
	USD              float64 `json:"usd"`
}

// Estimate prices one run of r at rates.
func (r Run) Estimate(rates Rates) RunEstimate {
	e := RunEstimate{Run: r}
	intervals := int(math.Ceil(r.Duration.Seconds() / LoadgenInterval.Seconds()))
	polls := int(math.Ceil(r.Duration.Seconds() / LiveViewPoll.Seconds()))
	hours := math.Ceil(r.Duration.Hours())
	e.CustomMetrics = LoadgenMetrics * r.Variants
	if r.Stream {
		e.CustomMetrics += LoadgenStreamMetrics * r.Variants
	}
	e.MetricHours = float64(e.CustomMetrics) * hours
	e.PutMetricData = r.Variants * r.Tasks * intervals
	e.GetMetricData = r.Variants*polls*LiveViewMetrics + r.MeasuredMetrics
	e.CustomMetricsUSD = e.MetricHours * rates.CustomMetric / HoursPerMonth
	e.PutUSD = float64(e.PutMetricData) / 1000 * rates.PutMetricData
	e.GetUSD = float64(e.GetMetricData) / 1000 * rates.GetMetricData
	e.USD = e.CustomMetricsUSD + e.PutUSD + e.GetUSD
	return e
}
