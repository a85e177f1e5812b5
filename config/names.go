package config

import (
	"fmt"

	"github.com/sagesize/sagesize/naming"
)

// DerivedName is one name the app will give a resource, and the config
// entry it comes from.
type DerivedName struct {
	Kind  *naming.Kind
	Name  string
	Owner naming.Owner
}

// DerivedNames are every alarm, composite alarm, dashboard and lifecycle
// configuration name the app creates for c, built with package naming as
// the constructs build them, in creation order per resource. c must have
// been validated (instance types resolved).
func (c *Config) DerivedNames() []DerivedName {
	var out []DerivedName
	add := func(k *naming.Kind, name string, o naming.Owner) {
		out = append(out, DerivedName{Kind: k, Name: name, Owner: o})
	}
	prefix := c.Prefix()
	if len(c.Endpoints) >= 2 {
		variants := 0
		for _, e := range c.Endpoints {
			variants += len(e.Variants)
		}
		for page := range naming.OverviewPages(variants) {
			add(&naming.DashboardKind, naming.Overview(prefix, page), naming.Owner{What: "the fleet overview dashboard"})
		}
	}
	for i := range c.Endpoints {
		e := &c.Endpoints[i]
		p, what := c.endpointPath(i)
		owner := naming.Owner{Path: p, What: what}
		add(&naming.DashboardKind, naming.Dashboard(prefix, e.NameInResources()), owner)
		var alarms []alarmLevel
		for _, a := range endpointLevelAlarms(e) {
			name := naming.EndpointLevelAlarm(prefix, e.NameInResources(), a.family, a.severity)
			add(&naming.AlarmKind, name, owner)
			alarms = append(alarms, alarmLevel{name: name, severity: a.severity})
		}
		for k, ic := range e.InferenceComponents {
			co := naming.Owner{Path: fmt.Sprintf("%s.inferenceComponents[%d]", p, k), What: fmt.Sprintf("%s inference component %s", what, ic.Name)}
			for _, a := range componentAlarmLevels(e) {
				name := naming.ComponentAlarm(prefix, e.NameInResources(), ic.Name, a.family, a.severity)
				add(&naming.AlarmKind, name, co)
				alarms = append(alarms, alarmLevel{name: name, severity: a.severity})
			}
		}
		for j, v := range e.Variants {
			if e.HasComponents() {
				break // the components carry every alarm
			}
			vo := naming.Owner{Path: c.variantPath(i, j), What: fmt.Sprintf("%s variant %s", what, v.Name)}
			for _, a := range endpointAlarmLevels(e, v) {
				name := naming.EndpointAlarm(prefix, e.NameInResources(), v.Name, a.family, a.severity)
				add(&naming.AlarmKind, name, vo)
				alarms = append(alarms, alarmLevel{name: name, severity: a.severity})
			}
		}
		for _, n := range compositeNames(naming.Composite(prefix, e.NameInResources()), alarms) {
			add(&naming.AlarmKind, n, owner)
		}
		if e.Sizing {
			add(&naming.AlarmKind, naming.IdleAlarm(prefix, e.NameInResources()), owner)
		}
	}
	for i := range c.Notebooks {
		n := &c.Notebooks[i]
		owner := naming.Owner{Path: fmt.Sprintf("notebooks[%d]", i), What: "notebook " + n.Name}
		add(&naming.DashboardKind, naming.Dashboard(prefix, n.Name), owner)
		add(&naming.LifecycleConfigKind, naming.LifecycleConfig(prefix, n.Name), owner)
		var alarms []alarmLevel
		for _, a := range notebookAlarmLevels(n) {
			name := naming.NotebookAlarm(prefix, n.Name, a.family, a.severity)
			add(&naming.AlarmKind, name, owner)
			alarms = append(alarms, alarmLevel{name: name, severity: a.severity})
		}
		for _, name := range compositeNames(naming.Composite(prefix, n.Name), alarms) {
			add(&naming.AlarmKind, name, owner)
		}
	}
	return out
}

// validateNames checks every derived name: length, characters and that no
// two config entries make the same name.
func (c *Config) validateNames(add func(path, format string, args ...any)) {
	ch := naming.NewChecker()
	for _, d := range c.DerivedNames() {
		ch.Add(d.Kind, d.Name, d.Owner)
	}
	for _, p := range ch.Problems() {
		add(p.Path, "%s", p.Msg)
	}
}

// endpointPath is the config path of endpoint i and what it is.
func (c *Config) endpointPath(i int) (path, what string) {
	e := &c.Endpoints[i]
	if e.Sizing {
		return "sizing.endpoint", "sizing endpoint " + e.Name
	}
	return fmt.Sprintf("endpoints[%d]", i), "endpoint " + e.Name
}

// variantPath is the config path of variant j of endpoint i: the sizing
// endpoint's variants are the candidates.
func (c *Config) variantPath(i, j int) string {
	if c.Endpoints[i].Sizing {
		return fmt.Sprintf("sizing.candidates[%d]", j)
	}
	return fmt.Sprintf("endpoints[%d].variants[%d]", i, j)
}

// alarmLevel is one alarm: its family and severity, or its name.
type alarmLevel struct {
	family, severity, name string
}

// levels are the severities a threshold pair sets, Warning first.
func levels(family string, warning, critical bool) []alarmLevel {
	var out []alarmLevel
	if warning {
		out = append(out, alarmLevel{family: family, severity: naming.Warning})
	}
	if critical {
		out = append(out, alarmLevel{family: family, severity: naming.Critical})
	}
	return out
}

func percentLevels(family string, t *PercentThresholds) []alarmLevel {
	if t == nil {
		return nil
	}
	return levels(family, t.Warning != nil, t.Critical != nil)
}

// latencyLevels are the ModelLatency then OverheadLatency alarms of a.
func latencyLevels(a Alarms) []alarmLevel {
	var out []alarmLevel
	for _, l := range []struct {
		family string
		t      *LatencyThresholds
	}{{naming.FamilyModelLatency, a.ModelLatency}, {naming.FamilyOverheadLatency, a.OverheadLatency}} {
		if l.t != nil {
			out = append(out, levels(l.family, l.t.Warning != nil, l.t.Critical != nil)...)
		}
	}
	return out
}

// endpointAlarmLevels are the alarms of variant v of e, in the order the
// monitoring constructs plan them.
func endpointAlarmLevels(e *Endpoint, v Variant) []alarmLevel {
	a := e.Alarms
	out := latencyLevels(a)
	out = append(out, percentLevels(naming.FamilyInvocation5XXErrorRate, a.Invocation5XXErrorRate)...)
	out = append(out, percentLevels(naming.FamilyModelErrorRate, a.ModelErrorRate)...)
	if t := a.InvocationFailures; t != nil {
		out = append(out, levels(naming.FamilyInvocationFailures, t.Warning != nil, t.Critical != nil)...)
	}
	out = append(out, percentLevels(naming.FamilyCPUUtilization, a.CPUUtilization)...)
	out = append(out, percentLevels(naming.FamilyMemoryUtilization, a.MemoryUtilization)...)
	out = append(out, percentLevels(naming.FamilyDiskUtilization, a.DiskUtilization)...)
	if v.Instance.GPUs() > 0 {
		out = append(out, percentLevels(naming.FamilyGPUUtilization, a.GPUUtilization)...)
		out = append(out, percentLevels(naming.FamilyGPUMemoryUtilization, a.GPUMemoryUtilization)...)
	}
	if t := a.ModelLoadingWaitTime; t != nil {
		out = append(out, levels(naming.FamilyModelLoadingWaitTime, t.Warning != nil, t.Critical != nil)...)
	}
	return append(out, percentLevels(naming.FamilyModelCacheHitRatio, a.ModelCacheHitRatio)...)
}

// componentAlarmLevels are the alarms of each inference component of e, in
// the order the monitoring constructs plan them: the latency and error
// families, then CPU, memory, GPU and GPU memory over the component's
// reservation. (The constructs plan the GPU families when a variant has a
// GPU; validation refuses them on an endpoint without one.)
func componentAlarmLevels(e *Endpoint) []alarmLevel {
	a := e.Alarms
	out := latencyLevels(a)
	out = append(out, percentLevels(naming.FamilyInvocation5XXErrorRate, a.Invocation5XXErrorRate)...)
	out = append(out, percentLevels(naming.FamilyModelErrorRate, a.ModelErrorRate)...)
	out = append(out, percentLevels(naming.FamilyCPUUtilization, a.CPUUtilization)...)
	out = append(out, percentLevels(naming.FamilyMemoryUtilization, a.MemoryUtilization)...)
	out = append(out, percentLevels(naming.FamilyGPUUtilization, a.GPUUtilization)...)
	return append(out, percentLevels(naming.FamilyGPUMemoryUtilization, a.GPUMemoryUtilization)...)
}

// endpointLevelAlarms are the alarms of e on metrics published per
// endpoint (an asynchronous endpoint's queue), planned before its
// variants' alarms.
func endpointLevelAlarms(e *Endpoint) []alarmLevel {
	if t := e.Alarms.OldestRequestAge; t != nil {
		return levels(naming.FamilyOldestRequestAge, t.Warning != nil, t.Critical != nil)
	}
	return nil
}

// notebookAlarmLevels are the alarms of n, in the order the monitoring
// constructs plan them. (They plan the GPU families on a GPU instance;
// validation refuses them on another.)
func notebookAlarmLevels(n *Notebook) []alarmLevel {
	a := n.Alarms
	out := percentLevels(naming.FamilyCPUUtilization, a.CPUUtilization)
	out = append(out, percentLevels(naming.FamilyMemoryUtilization, a.MemoryUtilization)...)
	out = append(out, percentLevels(naming.FamilyDiskUtilization, a.DiskUtilization)...)
	out = append(out, percentLevels(naming.FamilyGPUUtilization, a.GPUUtilization)...)
	return append(out, percentLevels(naming.FamilyGPUMemoryUtilization, a.GPUMemoryUtilization)...)
}

// compositeNames are the composite alarms over alarms: none without
// alarms, else top and, when its rule must be split, its groups. The
// composite gathers the critical alarms, or every alarm when none is.
func compositeNames(top string, alarms []alarmLevel) []string {
	if len(alarms) == 0 {
		return nil
	}
	var gather, all []string
	for _, a := range alarms {
		all = append(all, a.name)
		if a.severity == naming.Critical {
			gather = append(gather, a.name)
		}
	}
	if len(gather) == 0 {
		gather = all
	}
	return append([]string{top}, naming.GroupNames(naming.SplitComposite(top, gather))...)
}
