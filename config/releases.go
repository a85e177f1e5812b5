package config

// ReleaseStacks tunes what the stacks of one model release (a release set
// in the config or with -c release=ID, typically a CI build) create.
type ReleaseStacks struct {
	// WarningAlarms, when false, leaves every warning alarm out of
	// per-release stacks: only critical alarms (and their composites) are
	// created. A per-release stack lives for a test and pages no one, so
	// its warnings guard nothing, and each costs an alarm metric-month
	// (sagesize summary prints the saving). Default true; a config without
	// a release creates warning alarms whatever this says.
	WarningAlarms *bool `yaml:"warningAlarms"`
	// Autoscaling, when true, lets per-release stacks register the
	// variants' autoscaling too. Default false: a variant has one scalable
	// target, so the long-lived stacks (no release) own it; a release's
	// stack that registered it would take it over, and destroying that
	// stack after its test would remove the production endpoint's
	// autoscaling. A config without a release creates autoscaling whatever
	// this says.
	Autoscaling *bool `yaml:"autoscaling"`
}

// CreatesWarningAlarms reports whether the stacks of c create warning
// alarms: always without a release, and with one unless
// releaseStacks.warningAlarms is false.
func (c *Config) CreatesWarningAlarms() bool {
	w := c.ReleaseStacks.WarningAlarms
	return c.Release == "" || w == nil || *w
}

// CreatesAutoscaling reports whether the stacks of c register the
// variants' autoscaling: always without a release, and with one only when
// releaseStacks.autoscaling is true.
func (c *Config) CreatesAutoscaling() bool {
	a := c.ReleaseStacks.Autoscaling
	return c.Release == "" || a != nil && *a
}
