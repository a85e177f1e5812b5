package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/sagesize/sagesize/metrics"
)

// validatePeriods refuses alarm periods shorter than the interval their
// metric is published at: such a period holds no data point most of the
// time, which the alarms treat as not breaching, so they never fire.
// Endpoint metrics (invocations, latency, errors, utilization) are
// published every minute (metrics.SageMakerPeriod); enhanced metrics
// (enhancedMetrics, and the sizing endpoint) may publish them every 10 s,
// which only the per-instance graphs use, so alarms keep the minute. A notebook's
// agent publishes every metricsInterval, so a 10s period is legal for a
// notebook whose metricsInterval is at most 10s.
func (c *Config) validatePeriods(add func(path, format string, args ...any)) {
	var byDefault []string
	for i := range c.Endpoints {
		e := &c.Endpoints[i]
		d := c.EvaluationFor(e).Period.Duration
		if !validPeriod(d) || d >= metrics.SageMakerPeriod {
			continue
		}
		p, what := c.endpointPath(i)
		if e.Evaluation == nil || e.Evaluation.Period == c.Alarm.Period {
			byDefault = append(byDefault, p+" ("+what+")")
			continue
		}
		add(p+".evaluation.period", "is %s, shorter than the %s at which SageMaker publishes endpoint metrics, so its alarms would never fire: use 1m or a whole number of minutes", short(d), short(metrics.SageMakerPeriod))
	}
	if len(byDefault) > 0 {
		add("alarmDefaults.period", "is %s, shorter than the %s at which SageMaker publishes endpoint metrics, so the alarms of %s would never fire: use 1m or a whole number of minutes (notebooks may set a shorter evaluation.period with metricsInterval)",
			short(c.Alarm.Period.Duration), short(metrics.SageMakerPeriod), listSome(byDefault, 3))
	}
	for i := range c.Notebooks {
		n := &c.Notebooks[i]
		d, every := c.EvaluationForNotebook(n).Period.Duration, n.Interval()
		if !validPeriod(d) || d >= every {
			continue
		}
		path := fmt.Sprintf("notebooks[%d].evaluation.period", i)
		if n.Evaluation == nil || n.Evaluation.Period == c.Alarm.Period {
			path = "alarmDefaults.period"
		}
		add(path, "is %s, shorter than the %s at which notebook %s's agent publishes (notebooks[%d].metricsInterval), so its alarms would never fire: use a period of at least %s, or a metricsInterval of at most %s",
			short(d), short(every), n.Name, i, short(every), short(d))
	}
}

// listSome joins the first n items and says how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

// validPeriod is a period validateEvaluation accepts; others are reported
// there, once.
func validPeriod(d time.Duration) bool {
	return d == 10*time.Second || d == 30*time.Second || (d >= time.Minute && d%time.Minute == 0)
}

// short renders d as a config would write it: 10s, 1m, 90s.
func short(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}
