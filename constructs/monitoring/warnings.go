package monitoring

// dropWarning removes the warning level of *t, leaving a copy (thresholds
// may be shared between props).
func dropWarning(t **Thresholds) {
	if *t != nil {
		*t = &Thresholds{Critical: (*t).Critical}
	}
}

// dropLatencyWarning removes the warning level of *t, leaving a copy.
func dropLatencyWarning(t **LatencyThresholds) {
	if *t != nil {
		*t = &LatencyThresholds{Statistic: (*t).Statistic, Thresholds: Thresholds{Critical: (*t).Critical}}
	}
}

// WithoutWarnings returns a with every warning level removed, so that only
// the critical alarms are created (a per-release stack that skips warning
// alarms, see config.ReleaseStacks). A test checks that it covers every
// family.
func (a EndpointAlarms) WithoutWarnings() EndpointAlarms {
	for _, t := range []**LatencyThresholds{&a.ModelLatency, &a.OverheadLatency, &a.ModelLoadingWaitTime} {
		dropLatencyWarning(t)
	}
	for _, t := range []**Thresholds{&a.Invocation5XXErrorRate, &a.ModelErrorRate, &a.CPUUtilization, &a.GPUUtilization,
		&a.GPUMemoryUtilization, &a.MemoryUtilization, &a.DiskUtilization, &a.OldestRequestAge, &a.InvocationFailures, &a.ModelCacheHitRatio} {
		dropWarning(t)
	}
	return a
}

// WithoutWarnings returns a with every warning level removed.
func (a NotebookAlarms) WithoutWarnings() NotebookAlarms {
	for _, t := range []**Thresholds{&a.CPUUtilization, &a.MemoryUtilization, &a.DiskUtilization, &a.GPUUtilization, &a.GPUMemoryUtilization} {
		dropWarning(t)
	}
	return a
}
