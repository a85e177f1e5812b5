package cwcost

import (
	"fmt"
	"math"
)

// HighResolutionBelow is the alarm period under which CloudWatch bills an
// alarm as high resolution.
const HighResolutionBelow = 60

// AgentPutsPerMonth is the PutMetricData calls one notebook's CloudWatch
// agent makes in a month: one per flush, every 60 s (the agent's default
// force_flush_interval, which sagesize does not change).
const AgentPutsPerMonth = HoursPerMonth * 60

// Alarm is one metric alarm as a template declares it.
type Alarm struct {
	Name string `json:"name"`
	// Metrics is the number of metrics it reads: 1, or each metric of a
	// metric-math expression.
	Metrics int `json:"metrics"`
	// PeriodSeconds is the shortest period among them.
	PeriodSeconds int `json:"periodSeconds"`
	// AnomalyDetection is set when it alarms on an anomaly detection band
	// (billed as 3 metrics: the metric and the band's two bounds).
	AnomalyDetection bool `json:"anomalyDetection,omitempty"`
	// Warning is set for a warning-severity alarm (its name ends in -Warning).
	Warning bool `json:"warning,omitempty"`
}

// HighResolution reports whether a is billed as a high-resolution alarm.
func (a Alarm) HighResolution() bool {
	return a.PeriodSeconds > 0 && a.PeriodSeconds < HighResolutionBelow
}

// BilledMetrics is the alarm metrics a is billed for.
func (a Alarm) BilledMetrics() int {
	if a.AnomalyDetection {
		return a.Metrics + 2
	}
	return a.Metrics
}

// Monthly is what a costs per month at r.
func (a Alarm) Monthly(r Rates) float64 {
	rate := r.AlarmMetric
	if a.HighResolution() {
		rate = r.HighResolutionAlarmMetric
	}
	return float64(a.BilledMetrics()) * rate
}

// Notebook is the custom metrics one notebook's CloudWatch agent publishes.
type Notebook struct {
	Name string `json:"name"`
	// Metrics counts the distinct series (name and dimension values)
	// that do not depend on the GPU count; PerGPU those published once
	// per GPU index, GPUs times (at least once when GPUs is unknown, 0).
	Metrics int `json:"metrics"`
	PerGPU  int `json:"perGPU,omitempty"`
	GPUs    int `json:"gpus,omitempty"`
}

// Series is the number of custom metrics n publishes.
func (n Notebook) Series() int { return n.Metrics + n.PerGPU*max(n.GPUs, 1) }

// Stack is what one stack creates that CloudWatch bills by the month.
type Stack struct {
	Name       string
	Dashboards int
	Alarms     []Alarm
	Composites int
	Notebooks  []Notebook
}

// Line is one item of an estimate: Quantity × Rate = USD.
type Line struct {
	Item     string  `json:"item"`
	Quantity float64 `json:"quantity"`
	Rate     float64 `json:"rateUSD"`
	USD      float64 `json:"usd"`
}

// StackEstimate is one stack's monthly CloudWatch cost.
type StackEstimate struct {
	Stack      string  `json:"stack"`
	Lines      []Line  `json:"lines"`
	MonthlyUSD float64 `json:"monthlyUSD"`
	// DailyUSD is MonthlyUSD per day the stack stays up (no free tier).
	DailyUSD float64 `json:"dailyUSD"`
	// HighResolution names the high-resolution alarms and why they are.
	HighResolution []string `json:"highResolutionAlarms"`
	// WarningAlarms and WarningMonthlyUSD are the warning alarms and what
	// they cost: the saving of not creating them.
	WarningAlarms     int     `json:"warningAlarms"`
	WarningMonthlyUSD float64 `json:"warningMonthlyUSD"`
}

// EstimateStack prices s at r.
func EstimateStack(s Stack, r Rates) StackEstimate {
	e := StackEstimate{Stack: s.Name}
	var std, hi float64
	for _, a := range s.Alarms {
		if a.HighResolution() {
			hi += float64(a.BilledMetrics())
			e.HighResolution = append(e.HighResolution, fmt.Sprintf("%s: period %d s < %d s", a.Name, a.PeriodSeconds, HighResolutionBelow))
		} else {
			std += float64(a.BilledMetrics())
		}
		if a.Warning {
			e.WarningAlarms++
			e.WarningMonthlyUSD += a.Monthly(r)
		}
	}
	var nbMetrics float64
	for _, n := range s.Notebooks {
		nbMetrics += float64(n.Series())
	}
	add := func(item string, q, rate float64) {
		if q > 0 {
			e.Lines = append(e.Lines, Line{Item: item, Quantity: q, Rate: rate, USD: q * rate})
		}
	}
	add("dashboards", float64(s.Dashboards), r.Dashboard)
	add("standard-resolution alarm metrics", std, r.AlarmMetric)
	add("high-resolution alarm metrics", hi, r.HighResolutionAlarmMetric)
	add("composite alarms", float64(s.Composites), r.CompositeAlarm)
	add("notebook agent custom metrics", nbMetrics, r.CustomMetric)
	add("notebook agent PutMetricData (thousands)", float64(len(s.Notebooks)*AgentPutsPerMonth)/1000, r.PutMetricData)
	for _, l := range e.Lines {
		e.MonthlyUSD += l.USD
	}
	e.DailyUSD = PerDay(e.MonthlyUSD)
	return e
}

// PerDay converts a monthly cost to a cost per day.
func PerDay(monthly float64) float64 { return monthly * 24 / HoursPerMonth }

// Estimate is the monthly CloudWatch cost of a cloud assembly.
type Estimate struct {
	Source string          `json:"ratesSource"`
	Date   string          `json:"ratesDate"`
	Rates  Rates           `json:"rates"`
	Stacks []StackEstimate `json:"stacks"`
	// FreeDashboardsUSD is the free tier taken off the total (≤ 0).
	FreeDashboardsUSD float64 `json:"freeDashboardsUSD"`
	// MonthlyUSD is the sum of the stacks, less the free dashboards.
	MonthlyUSD float64 `json:"monthlyUSD"`
	// ReleaseDailyUSD is what the stacks cost per day they stay up when
	// they are added to an account whose free tier is used: the figure a
	// per-release CI stack costs.
	ReleaseDailyUSD float64 `json:"releaseDailyUSD"`
	// WarningMonthlyUSD is what every warning alarm costs: the saving of
	// not creating them.
	WarningMonthlyUSD float64       `json:"warningMonthlyUSD"`
	Runs              []RunEstimate `json:"runs,omitempty"`
	Assumptions       []string      `json:"assumptions"`
}

// EstimateAll prices stacks and runs at r.
func EstimateAll(stacks []Stack, runs []Run, r Rates) Estimate {
	e := Estimate{Source: RatesSource, Date: RatesDate, Rates: r, Assumptions: assumptions(r)}
	var dashboards int
	var gross float64
	for _, s := range stacks {
		se := EstimateStack(s, r)
		e.Stacks = append(e.Stacks, se)
		gross += se.MonthlyUSD
		e.WarningMonthlyUSD += se.WarningMonthlyUSD
		dashboards += s.Dashboards
	}
	e.FreeDashboardsUSD = -math.Min(float64(dashboards), r.FreeDashboards) * r.Dashboard
	e.MonthlyUSD = gross + e.FreeDashboardsUSD
	e.ReleaseDailyUSD = PerDay(gross)
	for _, run := range runs {
		e.Runs = append(e.Runs, run.Estimate(r))
	}
	return e
}

func assumptions(r Rates) []string {
	return []string{
		fmt.Sprintf("rates: %s, read %s; override with the config's cloudwatchPrices or --rate NAME=USD", RatesSource, RatesDate),
		fmt.Sprintf("the first %g dashboards of the account are free (taken off the total once, not off a per-release stack)", r.FreeDashboards),
		"the free tier of 10 alarm metrics, 10 custom metrics and 1 million API requests is not taken off",
		fmt.Sprintf("an alarm with a period under %d s is high resolution; a metric-math alarm is billed for each metric of its expression; an anomaly detection alarm for 3", HighResolutionBelow),
		"notebook agents run all month and flush once a minute; a series with a path dimension counts once per disk (2), with a GPU index once per GPU",
		fmt.Sprintf("a load test publishes %d metrics per variant and test id (%d more when it streams; each run has a new test id, billed for the hours it publishes), one PutMetricData per task every %v", LoadgenMetrics, LoadgenStreamMetrics, LoadgenInterval),
	}
}
