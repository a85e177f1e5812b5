package report

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/sagesize/sagesize/sizing"
)

// Autoscaling recommendations, from the recommended candidate.
const (
	// policyMetric is the metric the recommended policy tracks.
	policyMetric = "SageMakerVariantInvocationsPerInstance"
	// burstFactor sizes maxInstances: room for bursts of twice the target
	// rate at the target utilization.
	burstFactor = 2
	// maxPolicyInstances is config's bound on maxInstances.
	maxPolicyInstances = 100
	// Recommended cooldowns: scale out quickly, scale in slowly.
	scaleOutCooldown = "60s"
	scaleInCooldown  = "300s"
)

// Policy is the target-tracking policy a sizing result recommends for its
// recommended candidate.
type Policy struct {
	// Variant and InstanceType are the recommended candidate's.
	Variant, InstanceType string
	// TargetPerMinute is the sustainable rate per instance × (1 −
	// headroom) × 60, rounded to hundredths as config computes it from
	// this report: invocations per instance per minute.
	TargetPerMinute float64
	// MinInstances hold the target rate at the sustainable rate (no
	// headroom), so that the SLO holds while scale-out reacts to a return
	// to the target load.
	MinInstances int
	// MaxInstances is burstFactor × the instances that hold the target
	// rate with headroom.
	MaxInstances int
	// LowerBound is true when every step held: the sustainable rate, and
	// so the target, is a lower bound.
	LowerBound bool
}

// RecommendPolicy returns the policy for r's recommended candidate, or nil
// when there is none or it sustained nothing.
func RecommendPolicy(r *sizing.Result) *Policy {
	c := r.Recommendation()
	if c == nil || !c.Sustains || !(c.SustainablePerInstance > 0) || r.TargetRate <= 0 || r.Headroom < 0 || r.Headroom >= 1 {
		return nil
	}
	minN := max(1, int(math.Ceil(r.TargetRate/c.SustainablePerInstance)))
	maxN := min(maxPolicyInstances, max(minN, burstFactor*c.InstancesForTarget))
	return &Policy{
		Variant: c.Variant, InstanceType: c.InstanceType,
		TargetPerMinute: math.Round(c.SustainablePerInstance*(1-r.Headroom)*60*100) / 100,
		MinInstances:    minN, MaxInstances: maxN, LowerBound: c.NeverBroke,
	}
}

// writeAutoscaling writes the recommended policy and the config snippet
// that applies it (fromSizing reads this report's report.json).
func writeAutoscaling(w io.Writer, r *sizing.Result) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	pol := RecommendPolicy(r)
	p("## Autoscaling policy\n\n")
	if pol == nil {
		p("None: there is no recommended candidate with a sustainable rate to scale on.\n\n")
		return
	}
	c := r.Recommendation()
	p("Target tracking on `%s` for %s (%s):\n\n", policyMetric, pol.Variant, pol.InstanceType)
	p("- target: **%s invocations per instance per minute** (%s req/s sustained per instance × (1 − %s headroom) × 60)\n",
		num(pol.TargetPerMinute), sizing.FormatRate(c.SustainablePerInstance), sizing.FormatPercent(r.Headroom))
	p("- minInstances: %d (hold the %s req/s target at the sustainable rate)\n", pol.MinInstances, sizing.FormatRate(r.TargetRate))
	p("- maxInstances: %d (%d × the %d instances that hold the target with headroom)\n", pol.MaxInstances, burstFactor, c.InstancesForTarget)
	p("- cooldowns: scale out %s, scale in %s\n", scaleOutCooldown, scaleInCooldown)
	if pol.LowerBound {
		p("- every step held: the sustainable rate is a lower bound, so the target is conservative\n")
	}
	p("\nIn the production endpoint's config (fromSizing is this report's report.json, relative to the config file):\n\n")
	p("```yaml\n      - instanceType: %s\n        autoscaling:\n          minInstances: %d\n          maxInstances: %d\n", pol.InstanceType, pol.MinInstances, pol.MaxInstances)
	p("          fromSizing: report.json\n          sizingVariant: %s\n          scaleOutCooldown: %s\n          scaleInCooldown: %s\n```\n\n", pol.Variant, scaleOutCooldown, scaleInCooldown)
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
