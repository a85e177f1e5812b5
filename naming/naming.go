// Package naming builds every name sagesize gives a CloudWatch or
// CloudFormation resource (alarms, composite alarms, dashboards, lifecycle
// configurations, output ids) and knows their limits. The config validation
// and the constructs call the same functions, so that the names a config is
// checked against are the names the app creates.
//
// It imports only the standard library: config uses it before any construct
// exists.
package naming

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// Limits of the names and rules sagesize generates.
const (
	// MaxAlarmName is CloudWatch's limit on an alarm name (PutMetricAlarm,
	// PutCompositeAlarm).
	MaxAlarmName = 255
	// MaxDashboardName is CloudWatch's limit on a dashboard name.
	MaxDashboardName = 255
	// MaxLifecycleConfigName is SageMaker's limit on a notebook instance
	// lifecycle configuration name.
	MaxLifecycleConfigName = 63
	// MaxLogicalID is CloudFormation's limit on a logical id (outputs too).
	MaxLogicalID = 255
	// MaxCompositeRule is CloudWatch's limit on a composite alarm's rule.
	MaxCompositeRule = 10240
	// VariantsPerOverviewPage is how many endpoint variants one fleet
	// overview dashboard shows; more continue on <prefix>-overview-2, ...
	VariantsPerOverviewPage = 150
)

// Severities, in the order they escalate; the last part of an alarm name.
const (
	Warning  = "Warning"
	Critical = "Critical"
)

// Alarm families: the <family> part of alarm names.
const (
	FamilyModelLatency           = "ModelLatency"
	FamilyOverheadLatency        = "OverheadLatency"
	FamilyInvocation5XXErrorRate = "Invocation5XXErrorRate"
	FamilyModelErrorRate         = "ModelErrorRate"
	FamilyCPUUtilization         = "CPUUtilization"
	FamilyMemoryUtilization      = "MemoryUtilization"
	FamilyDiskUtilization        = "DiskUtilization"
	FamilyGPUUtilization         = "GPUUtilization"
	FamilyGPUMemoryUtilization   = "GPUMemoryUtilization"
	// FamilyOldestRequestAge is an asynchronous endpoint's
	// ApproximateAgeOfOldestRequest (one alarm per endpoint).
	FamilyOldestRequestAge = "OldestRequestAge"
	// FamilyInvocationFailures is an asynchronous variant's InvocationFailures.
	FamilyInvocationFailures = "InvocationFailures"
	// FamilyModelLoadingWaitTime is a multi-model variant's ModelLoadingWaitTime.
	FamilyModelLoadingWaitTime = "ModelLoadingWaitTime"
	// FamilyModelCacheHitRatio is a multi-model variant's ModelCacheHit
	// Average (a lower bound).
	FamilyModelCacheHitRatio = "ModelCacheHitRatio"
)

// AnyCritical ends the name of a resource's composite alarm.
const AnyCritical = "AnyCritical"

// Join joins prefix and parts with hyphens: every dashboard and alarm name
// is <prefix>-<part>-<part>...
func Join(prefix string, parts ...string) string {
	return strings.Join(append([]string{prefix}, parts...), "-")
}

// Dashboard is the dashboard of one endpoint or notebook: <prefix>-<resource>.
func Dashboard(prefix, resource string) string { return Join(prefix, resource) }

// EndpointAlarm is <prefix>-<endpoint>-<variant>-<family>-<severity>.
func EndpointAlarm(prefix, endpoint, variant, family, severity string) string {
	return Join(prefix, endpoint, variant, family, severity)
}

// EndpointLevelAlarm is an alarm on a metric published per endpoint, not
// per variant (an asynchronous endpoint's backlog):
// <prefix>-<endpoint>-<family>-<severity>.
func EndpointLevelAlarm(prefix, endpoint, family, severity string) string {
	return Join(prefix, endpoint, family, severity)
}

// ComponentAlarm is an alarm on one inference component of an endpoint:
// <prefix>-<endpoint>-<component>-<family>-<severity>.
func ComponentAlarm(prefix, endpoint, component, family, severity string) string {
	return Join(prefix, endpoint, component, family, severity)
}

// NotebookAlarm is <prefix>-<notebook>-<family>-<severity>.
func NotebookAlarm(prefix, notebook, family, severity string) string {
	return Join(prefix, notebook, family, severity)
}

// Composite is the composite alarm of one endpoint or notebook:
// <prefix>-<resource>-AnyCritical.
func Composite(prefix, resource string) string { return Join(prefix, resource, AnyCritical) }

// IdleAlarm is the sizing endpoint's idle alarm (its cost guard):
// <prefix>-<endpoint>-Idle.
func IdleAlarm(prefix, endpoint string) string { return Join(prefix, endpoint, "Idle") }

// AlarmPattern matches every alarm of one endpoint or notebook (variant,
// notebook and composite alarms): <prefix>-<resource>-*.
func AlarmPattern(prefix, resource string) string { return Join(prefix, resource, "*") }

// LifecycleConfig is a notebook's lifecycle configuration: <prefix>-<notebook>.
func LifecycleConfig(prefix, notebook string) string { return Join(prefix, notebook) }

// Overview is the fleet overview dashboard of page (0-based):
// <prefix>-overview, then <prefix>-overview-2, -3, ...
func Overview(prefix string, page int) string {
	if page == 0 {
		return prefix + "-overview"
	}
	return fmt.Sprintf("%s-overview-%d", prefix, page+1)
}

// OverviewPages is the number of overview dashboards for a fleet of
// variants endpoint variants (at least one).
func OverviewPages(variants int) int {
	return max(1, (variants+VariantsPerOverviewPage-1)/VariantsPerOverviewPage)
}

// Rule is the composite alarm rule that is in ALARM while any of alarms is.
func Rule(alarms []string) string {
	terms := make([]string, len(alarms))
	for i, a := range alarms {
		terms[i] = fmt.Sprintf("ALARM(%q)", a)
	}
	return strings.Join(terms, " OR ")
}

// CompositeGroup is one composite alarm of a split composite: its name and
// the alarms its rule names.
type CompositeGroup struct {
	Name   string
	Alarms []string
}

// SplitComposite splits the composite alarm top over alarms when its rule
// would exceed MaxCompositeRule characters: the alarms are packed, in
// order, into groups named <top>-1, <top>-2, ..., each rule within the
// limit, and top's rule names the groups instead (so top keeps its name and
// its notifications). It returns nil when one rule fits.
func SplitComposite(top string, alarms []string) []CompositeGroup {
	if len(Rule(alarms)) <= MaxCompositeRule {
		return nil
	}
	var groups []CompositeGroup
	var cur []string
	size := 0
	for _, a := range alarms {
		term := len(Rule([]string{a}))
		if len(cur) > 0 && size+len(" OR ")+term > MaxCompositeRule {
			groups = append(groups, CompositeGroup{Alarms: cur})
			cur, size = nil, 0
		}
		if len(cur) > 0 {
			size += len(" OR ")
		}
		cur = append(cur, a)
		size += term
	}
	groups = append(groups, CompositeGroup{Alarms: cur})
	for i := range groups {
		groups[i].Name = fmt.Sprintf("%s-%d", top, i+1)
	}
	return groups
}

// GroupNames are the names of groups, in order.
func GroupNames(groups []CompositeGroup) []string {
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.Name
	}
	return names
}

// OutputID is the CloudFormation logical id CDK derives from a construct id
// directly under a stack: the id with everything but letters and digits
// removed.
func OutputID(id string) string {
	var b strings.Builder
	for _, r := range id {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// UniqueIDs returns construct ids for ids, which go directly under one
// stack, such that their logical ids (OutputID) differ: an id whose logical
// id no other id shares is kept as it is, so that configs without
// collisions keep their ids; ids that collide get a hyphen and a short
// hash of the whole id, which is stable and differs between them.
func UniqueIDs(ids []string) []string {
	count := map[string]int{}
	for _, id := range ids {
		count[OutputID(id)]++
	}
	out := make([]string, len(ids))
	taken := map[string]bool{}
	for i, id := range ids {
		if count[OutputID(id)] == 1 {
			out[i] = id
			taken[OutputID(id)] = true
		}
	}
	for i, id := range ids {
		if out[i] != "" {
			continue
		}
		out[i] = hashed(id, taken)
	}
	return out
}

// hashed is id with a hash suffix whose logical id is not in taken (which
// it then joins).
func hashed(id string, taken map[string]bool) string {
	for salt := 0; ; salt++ {
		h := fnv.New32a()
		fmt.Fprintf(h, "%s#%d", id, salt)
		c := fmt.Sprintf("%s-%08x", id, h.Sum32())
		if !taken[OutputID(c)] {
			taken[OutputID(c)] = true
			return c
		}
	}
}
