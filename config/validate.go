package config

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/internal/cwagent"
	"github.com/sagesize/sagesize/naming"
)

// Name rules. SageMaker's endpoint, production variant, model and notebook
// instance names match ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62} and are at most 63
// characters (the pattern alone lets hyphens run longer); project and release go into
// CloudFormation stack names, which allow only letters, digits and hyphens.
var (
	sageMakerNameRE = regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`)
	projectRE       = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]{0,31}$`)
	releaseRE       = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9-]{0,31}$`)
	accountRE       = regexp.MustCompile(`^\d{12}$`)
	regionRE        = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
	topicArnRE      = regexp.MustCompile(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$`)
)

// validSageMakerName reports whether SageMaker accepts s as an endpoint,
// variant, model or notebook instance name.
func validSageMakerName(s string) bool { return len(s) <= 63 && sageMakerNameRE.MatchString(s) }

// sageMakerNameRule states SageMaker's rule for names of kind, and the
// length of name when that is what breaks it.
func sageMakerNameRule(kind, name string) string {
	rule := kind + " names are 1-63 letters, digits and hyphens, starting and ending with a letter or digit (^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}, at most 63 characters)"
	if len(name) > 63 {
		rule += fmt.Sprintf("; this one is %d characters", len(name))
	}
	return rule
}

// Limits that bound generated names and alarm evaluation.
const (
	// maxVariants is SageMaker's limit of production variants per endpoint.
	maxVariants = 10
	// maxStacks bounds sharding.stacks (CloudFormation allows 2000 stacks
	// per account and region; a fleet needs far fewer).
	maxStacks       = 200
	maxAlarmNameLen = 255
	maxEvaluation   = 24 * time.Hour // CloudWatch: EvaluationPeriods × Period ≤ 1 day
	minutePeriod    = time.Minute
)

// Default alarm evaluation: 3 breaching one-minute data points out of 5.
const (
	DefaultPeriod            = time.Minute
	DefaultEvaluationPeriods = 5
	DefaultDatapointsToAlarm = 3
)

func (c *Config) setDefaults() {
	c.addSizingEndpoint()
	if c.Alarm.Period.Duration == 0 {
		c.Alarm.Period.Duration = DefaultPeriod
	}
	if c.Alarm.EvaluationPeriods == 0 {
		c.Alarm.EvaluationPeriods = DefaultEvaluationPeriods
	}
	if c.Alarm.DatapointsToAlarm == 0 {
		c.Alarm.DatapointsToAlarm = min(DefaultDatapointsToAlarm, c.Alarm.EvaluationPeriods)
	}
	for i := range c.Notebooks {
		n := &c.Notebooks[i]
		c.fillEvaluation(n.Evaluation)
		if n.Create != nil && n.Create.VolumeSizeGB == 0 {
			n.Create.VolumeSizeGB = DefaultNotebookVolumeGB
		}
	}
	for i := range c.Endpoints {
		e := &c.Endpoints[i]
		if e.Kind == "" {
			e.Kind = KindRealtime
		}
		if len(e.Variants) == 1 && e.Variants[0].Name == "" {
			e.Variants[0].Name = DefaultVariant
		}
		if e.SLO.Percentile.Value == "" {
			e.SLO.Percentile.Value = "p99"
		}
		c.fillEvaluation(e.Evaluation)
		a := &e.Alarms
		if a.ModelLatency == nil && e.SLO.Latency.Duration > 0 {
			crit := e.SLO.Latency
			a.ModelLatency = &LatencyThresholds{Critical: &crit}
		}
		if a.ModelLatency != nil && a.ModelLatency.Statistic.Value == "" {
			a.ModelLatency.Statistic.Value = e.SLO.Percentile.Value
		}
		if a.OverheadLatency != nil && a.OverheadLatency.Statistic.Value == "" {
			a.OverheadLatency.Statistic.Value = "Average"
		}
		if a.ModelLoadingWaitTime != nil && a.ModelLoadingWaitTime.Statistic.Value == "" {
			a.ModelLoadingWaitTime.Statistic.Value = "Average"
		}
	}
	c.setLoadTestDefaults()
	c.finishSizing()
}

// fillEvaluation completes a partial per-resource evaluation from alarmDefaults.
func (c *Config) fillEvaluation(ev *Evaluation) {
	if ev == nil {
		return
	}
	if ev.Period.Duration == 0 {
		ev.Period = c.Alarm.Period
	}
	if ev.EvaluationPeriods == 0 {
		ev.EvaluationPeriods = c.Alarm.EvaluationPeriods
	}
	if ev.DatapointsToAlarm == 0 {
		ev.DatapointsToAlarm = min(c.Alarm.DatapointsToAlarm, ev.EvaluationPeriods)
	}
}

// Validate checks the whole config and returns every problem found as
// Problems, or nil.
func (c *Config) Validate() error {
	var ps Problems
	add := func(path, format string, args ...any) {
		ps = append(ps, Problem{Path: path, Msg: fmt.Sprintf(format, clip(args)...)})
	}
	c.validateIdentity(add)
	c.validateNotifications(add)
	validateEvaluation("alarmDefaults", c.Alarm, add)
	if c.Sharding.Stacks < 0 || c.Sharding.Stacks > maxStacks {
		add("sharding.stacks", "must be between 1 and %d, or 0 to let sagesize choose, got %d", maxStacks, c.Sharding.Stacks)
	}
	c.resolveCatalog(add)
	if p := c.ServerlessPricePerGBSecond; p != nil {
		if err := catalog.CheckServerlessPrice(*p); err != nil {
			add("serverlessPricePerGBSecond", "%v", err)
		}
	}
	seen := c.validateEndpoints(add)
	if e := c.SizingEndpoint(); e != nil {
		c.validateSizing(e, seen, add)
	}
	c.validateLoadTest(add)
	c.validateNotebooks(seen, add)
	c.validatePeriods(add)
	c.validateDashboards(add)
	c.validateCloudWatchPrices(add)
	if len(ps) == 0 {
		// Derived names are checked once every name and instance type is
		// valid, so that one bad name is reported once.
		c.validateNames(add)
	}
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// validateIdentity checks project and release, which go into stack names,
// and the account and region that pin the environment.
func (c *Config) validateIdentity(add func(path, format string, args ...any)) {
	switch {
	case c.Project == "":
		add("project", "is required: a short name such as churn-model (letters, digits, hyphens)")
	case !projectRE.MatchString(c.Project):
		add("project", "must start with a letter and hold at most 32 letters, digits and hyphens (it goes into stack names), got %q", c.Project)
	}
	if c.Release != "" && !releaseRE.MatchString(c.Release) {
		add("release", "must be at most 32 letters, digits and hyphens (stack names allow no dots or underscores), e.g. %q, got %q",
			strings.NewReplacer(".", "-", "_", "-").Replace(c.Release), c.Release)
	}
	if c.Account != "" && !accountRE.MatchString(c.Account) {
		add("account", "must be a 12-digit AWS account id, got %q", c.Account)
	}
	if c.Region != "" && !regionRE.MatchString(c.Region) {
		add("region", "must be an AWS region such as us-east-1, got %q", c.Region)
	}
	if (c.Account == "") != (c.Region == "") {
		add("account", "account and region go together: give both to pin the environment, or neither for an environment-agnostic stack")
	}
}

// validateNotifications checks the alarm topic or the e-mail addresses to
// subscribe to the topic sagesize creates.
func (c *Config) validateNotifications(add func(path, format string, args ...any)) {
	n := c.Notifications
	if n.TopicArn != "" && !topicArnRE.MatchString(n.TopicArn) {
		add("notifications.topicArn", "must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alerts, got %q", n.TopicArn)
	}
	if n.TopicArn != "" && len(n.Emails) > 0 {
		add("notifications.emails", "subscribes addresses to the topic sagesize creates; with topicArn, manage subscriptions on that topic instead")
	}
	for i, e := range n.Emails {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			add(fmt.Sprintf("notifications.emails[%d]", i), "must be a plain e-mail address such as oncall@example.com, got %q", e)
		}
	}
}

// resolveCatalog sets c.Catalog: the instance catalog with the config's
// valid prices (see checkPrices).
func (c *Config) resolveCatalog(add func(path, format string, args ...any)) {
	base := catalog.New()
	c.types = newTypeIndex(base)
	cat, err := base.WithPrices(c.checkPrices(base, add))
	if err != nil {
		add("prices", "%v", err) // checkPrices passes only valid prices
		cat = base
	}
	c.Catalog = cat
}

// validateEndpoints checks every endpoint but the sizing one (see
// validateSizing) and returns the index of each valid endpoint name, in
// lower case as SageMaker compares them.
func (c *Config) validateEndpoints(add func(path, format string, args ...any)) (seen map[string]int) {
	if len(c.Endpoints) == 0 && len(c.Notebooks) == 0 {
		add("endpoints", "is required: list at least one SageMaker endpoint (name, variants, slo), notebook instance (notebooks:) or a sizing test (sizing:)")
	}
	seen = make(map[string]int)
	for i := range c.Endpoints {
		e := &c.Endpoints[i]
		if e.Sizing {
			continue
		}
		p := fmt.Sprintf("endpoints[%d]", i)
		switch {
		case e.Name == "":
			add(p+".name", "is required: the SageMaker endpoint name")
		case !validSageMakerName(e.Name):
			add(p+".name", "SageMaker would reject %q: %s", e.Name, sageMakerNameRule("endpoint", e.Name))
		default:
			if j, dup := seen[strings.ToLower(e.Name)]; dup {
				add(p+".name", "duplicates endpoints[%d].name %q (SageMaker endpoint names are case-insensitive)", j, e.Name)
			}
			seen[strings.ToLower(e.Name)] = i
		}
		c.validateEndpoint(p, e, add)
		c.validateEndpointLoadTest(p, e, add)
	}
	return seen
}

// validateNotebooks checks every notebook, and that its name is neither
// another notebook's, nor an endpoint's in seen, nor the sizing endpoint's
// part of resource names.
func (c *Config) validateNotebooks(seen map[string]int, add func(path, format string, args ...any)) {
	nseen := make(map[string]int)
	for i := range c.Notebooks {
		n := &c.Notebooks[i]
		p := fmt.Sprintf("notebooks[%d]", i)
		if j, dup := nseen[n.Name]; dup && n.Name != "" {
			add(p+".name", "duplicates notebooks[%d].name %q", j, n.Name)
		}
		if j, dup := seen[strings.ToLower(n.Name)]; dup {
			add(p+".name", "is also endpoints[%d].name: dashboards and alarms are named after both, so give the notebook another name", j)
		}
		if e := c.SizingEndpoint(); e != nil && e.Label != "" && strings.EqualFold(n.Name, e.Label) {
			add(p+".name", "is the sizing endpoint's part of dashboard and alarm names (%s-%s): give the notebook another name, or name the sizing endpoint (sizing.endpoint)", c.Prefix(), e.Label)
		}
		nseen[n.Name] = i
		c.validateNotebook(p, n, add)
	}
}

func (c *Config) validateEndpoint(p string, e *Endpoint, add func(path, format string, args ...any)) {
	if !validateKind(p, e, add) {
		return
	}
	c.validateAutoscaling(p, e, add)
	validateEnhanced(p, e, add)
	if e.IsServerless() {
		c.validateServerless(p, e, add)
		return
	}
	if len(e.Variants) == 0 {
		add(p+".variants", "is required: list the endpoint's production variants with their instance types, e.g. variants: [{instanceType: ml.c5.xlarge}] (a single variant is named %s)", DefaultVariant)
	}
	if len(e.Variants) > maxVariants {
		add(p+".variants", "has %d variants; a SageMaker endpoint has at most %d production variants", len(e.Variants), maxVariants)
	}
	vseen := make(map[string]int)
	anyGPU, allKnown := false, true
	for j, v := range e.Variants {
		vp := fmt.Sprintf("%s.variants[%d]", p, j)
		checkVariantName(p, vp, v.Name, vseen, j, add)
		if v.Count() < 1 {
			add(vp+".instanceCount", "must be at least 1, got %d", v.Count())
		}
		if v.Serverless != nil {
			add(vp+".serverless", "is only for serverless endpoints: set %s.kind: %s and remove instanceType, or remove serverless", p, KindServerless)
		}
		if v.InstanceType == "" {
			add(vp+".instanceType", "is required: an ml.* instance type such as ml.c5.xlarge")
			allKnown = false
			continue
		}
		inst, err := c.lookup(v.InstanceType)
		if err != nil {
			add(vp+".instanceType", "%v", err)
			allKnown = false
			continue
		}
		e.Variants[j].Instance = inst
		if inst.NotebookOnly {
			add(vp+".instanceType", "%s is a notebook instance type; SageMaker endpoints cannot run on it (try ml.m5.large or ml.c5.large)", inst.Type)
		}
		if inst.GPUs() > 0 {
			anyGPU = true
		}
		name := c.AlarmName(e.NameInResources(), v.Name, "GPUMemoryUtilization", "Critical")
		if len(name) > maxAlarmNameLen {
			add(vp+".name", "makes alarm names of %d characters such as %q; CloudWatch allows %d: shorten project, release, endpoint or variant names", len(name), name, maxAlarmNameLen)
		}
	}

	if e.SLO.Latency.Duration <= 0 {
		add(p+".slo.latency", "is required and must be positive: the latency objective, e.g. 300ms")
	}

	a := e.Alarms
	ap := p + ".alarms"
	checkLatency(ap+".modelLatency", a.ModelLatency, add)
	checkLatency(ap+".overheadLatency", a.OverheadLatency, add)
	checkPercent(ap+".invocation5xxErrorRate", a.Invocation5XXErrorRate, add)
	checkPercent(ap+".modelErrorRate", a.ModelErrorRate, add)
	checkPercent(ap+".cpuUtilization", a.CPUUtilization, add)
	checkPercent(ap+".gpuUtilization", a.GPUUtilization, add)
	checkPercent(ap+".gpuMemoryUtilization", a.GPUMemoryUtilization, add)
	checkPercent(ap+".memoryUtilization", a.MemoryUtilization, add)
	checkPercent(ap+".diskUtilization", a.DiskUtilization, add)
	if !anyGPU && allKnown {
		types := make([]string, 0, len(e.Variants))
		for _, v := range e.Variants {
			types = append(types, v.InstanceType)
		}
		for _, g := range []struct {
			name string
			t    *PercentThresholds
		}{{"gpuUtilization", a.GPUUtilization}, {"gpuMemoryUtilization", a.GPUMemoryUtilization}} {
			if g.t != nil {
				add(ap+"."+g.name, "no variant has an NVIDIA GPU (%s), so SageMaker publishes no GPU metrics: remove it or use a GPU instance type such as ml.g5.xlarge", strings.Join(types, ", "))
			}
		}
	}
	validateAsyncAlarms(p, e, add)
	validateMultiModelAlarms(p, e, add)
	validateComponents(p, e, add)
	if e.Evaluation != nil {
		validateEvaluation(p+".evaluation", *e.Evaluation, add)
	}
}

func checkLatency(p string, t *LatencyThresholds, add func(path, format string, args ...any)) {
	if t == nil {
		return
	}
	if t.Warning == nil && t.Critical == nil {
		add(p, "needs a warning or critical threshold, e.g. {warning: 250ms, critical: 400ms}")
	}
	if t.Warning != nil && t.Warning.Duration <= 0 {
		add(p+".warning", "must be positive, got %v", t.Warning.Duration)
	}
	if t.Critical != nil && t.Critical.Duration <= 0 {
		add(p+".critical", "must be positive, got %v", t.Critical.Duration)
	}
	if t.Warning != nil && t.Critical != nil && t.Critical.Duration <= t.Warning.Duration && t.Critical.Duration > 0 {
		add(p+".critical", "must be above warning (%v), got %v", t.Warning.Duration, t.Critical.Duration)
	}
}

// checkPercent checks percentage thresholds that are upper bounds: each
// in 0-100 %, critical above warning.
func checkPercent(p string, t *PercentThresholds, add func(path, format string, args ...any)) {
	checkPercentThresholds(p, t, false, add)
}

// checkPercentThresholds checks t's thresholds: at least one, each above 0 %
// and at most 100 %, and critical beyond warning: above it, or below it when
// the alarm fires below its threshold (lower).
func checkPercentThresholds(p string, t *PercentThresholds, lower bool, add func(path, format string, args ...any)) {
	if t == nil {
		return
	}
	if t.Warning == nil && t.Critical == nil {
		if lower {
			add(p, "needs a warning or critical threshold (the alarm fires below it), e.g. {warning: 90%%, critical: 70%%}")
		} else {
			add(p, "needs a warning or critical threshold, e.g. {warning: 70%%, critical: 90%%}")
		}
	}
	inRange := func(sub string, v *Percent) bool {
		if v == nil {
			return false
		}
		if v.Value <= 0 || v.Value > 100 {
			add(p+"."+sub, "must be above 0%% and at most 100%%, got %v", v)
			return false
		}
		return true
	}
	if w, c := inRange("warning", t.Warning), inRange("critical", t.Critical); !w || !c {
		return
	}
	switch {
	case lower && t.Critical.Value >= t.Warning.Value:
		add(p+".critical", "must be below warning (%v): the alarm fires when the hit ratio falls below it, got %v", t.Warning, t.Critical)
	case !lower && t.Critical.Value <= t.Warning.Value:
		add(p+".critical", "must be above warning (%v), got %v", t.Warning, t.Critical)
	}
}

func validateEvaluation(p string, e Evaluation, add func(path, format string, args ...any)) {
	d := e.Period.Duration
	if d != 10*time.Second && d != 30*time.Second && (d < minutePeriod || d%minutePeriod != 0) {
		add(p+".period", "must be 10s, 30s or a whole number of minutes, got %v", d)
	}
	if e.EvaluationPeriods < 1 {
		add(p+".evaluationPeriods", "must be at least 1, got %d", e.EvaluationPeriods)
	}
	if e.DatapointsToAlarm < 1 || e.DatapointsToAlarm > e.EvaluationPeriods {
		add(p+".datapointsToAlarm", "must be between 1 and evaluationPeriods (%d), got %d", e.EvaluationPeriods, e.DatapointsToAlarm)
	}
	if d > 0 && time.Duration(e.EvaluationPeriods)*d > maxEvaluation {
		add(p+".evaluationPeriods", "evaluationPeriods × period is %v; CloudWatch allows at most 24h", time.Duration(e.EvaluationPeriods)*d)
	}
}

// AlarmName is <project>[-<release>]-<endpoint>-<variant>-<metric>-<severity>.
func (c *Config) AlarmName(endpoint, variant, metric, severity string) string {
	return naming.EndpointAlarm(c.Prefix(), endpoint, variant, metric, severity)
}

// Notebook rules: SageMaker's NotebookInstanceName and lifecycle config names
// match ^[a-zA-Z0-9](-*[a-zA-Z0-9])* and are at most 63 characters.
var (
	roleNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	roleArnRE  = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
	subnetRE   = regexp.MustCompile(`^subnet-[0-9a-f]{8,17}$`)
	sgRE       = regexp.MustCompile(`^sg-[0-9a-f]{8,17}$`)
	kmsArnRE   = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[\w/-]+$`)
)

// DefaultNotebookVolumeGB is the ML storage volume of a notebook the stack creates.
const DefaultNotebookVolumeGB = 20

func (c *Config) validateNotebook(p string, n *Notebook, add func(path, format string, args ...any)) {
	switch {
	case n.Name == "":
		add(p+".name", "is required: the notebook instance name")
	case !validSageMakerName(n.Name):
		add(p+".name", "SageMaker would reject %q: %s", n.Name, sageMakerNameRule("notebook instance", n.Name))
	case len(c.LifecycleConfigName(n)) > 63:
		add(p+".name", "makes the lifecycle configuration name %q (%d characters); SageMaker allows 63: shorten project, release or notebook name", c.LifecycleConfigName(n), len(c.LifecycleConfigName(n)))
	}
	gpus, known := 0, false
	switch {
	case n.InstanceType == "":
		add(p+".instanceType", "is required: an ml.* notebook instance type such as ml.t3.medium")
	default:
		inst, err := c.lookup(n.InstanceType)
		if err != nil {
			add(p+".instanceType", "%v", err)
		} else {
			n.Instance = inst
			gpus, known = inst.GPUs(), true
		}
	}
	intervalOK := true
	if d := n.Interval(); d < time.Second || d > time.Hour || d%time.Second != 0 {
		add(p+".metricsInterval", "must be whole seconds from 1s to 1h, got %v", d)
		intervalOK = false
	}
	a := n.Alarms
	ap := p + ".alarms"
	checkPercent(ap+".cpuUtilization", a.CPUUtilization, add)
	checkPercent(ap+".memoryUtilization", a.MemoryUtilization, add)
	checkPercent(ap+".diskUtilization", a.DiskUtilization, add)
	checkPercent(ap+".gpuUtilization", a.GPUUtilization, add)
	checkPercent(ap+".gpuMemoryUtilization", a.GPUMemoryUtilization, add)
	if known && gpus == 0 {
		for _, g := range []struct {
			name string
			t    *PercentThresholds
		}{{"gpuUtilization", a.GPUUtilization}, {"gpuMemoryUtilization", a.GPUMemoryUtilization}} {
			if g.t != nil {
				add(ap+"."+g.name, "%s has no NVIDIA GPU, so the agent publishes no GPU metrics: remove it or use a GPU instance type such as ml.g5.xlarge", n.InstanceType)
			}
		}
	}
	if n.AttachPolicyToRole != "" && !roleNameRE.MatchString(n.AttachPolicyToRole) {
		add(p+".attachPolicyToRole", "must be an IAM role name (not an ARN): up to 64 letters, digits and +=,.@_-, got %q", n.AttachPolicyToRole)
	}
	if cr := n.Create; cr != nil {
		cp := p + ".create"
		if !roleArnRE.MatchString(cr.RoleArn) {
			add(cp+".roleArn", "is required: the execution role ARN, e.g. arn:aws:iam::123456789012:role/SageMakerExecution, got %q", cr.RoleArn)
		}
		if cr.VolumeSizeGB < 5 || cr.VolumeSizeGB > 16384 {
			add(cp+".volumeSizeGB", "must be between 5 and 16384, got %d", cr.VolumeSizeGB)
		}
		if !cr.DirectInternetAccess && cr.SubnetID == "" {
			add(cp+".subnetId", "is required while directInternetAccess is false (SageMaker needs a VPC subnet to reach the notebook)")
		}
		if cr.SubnetID != "" && !subnetRE.MatchString(cr.SubnetID) {
			add(cp+".subnetId", "must be a subnet id such as subnet-0123456789abcdef0, got %q", cr.SubnetID)
		}
		if cr.SubnetID != "" && len(cr.SecurityGroupIDs) == 0 {
			add(cp+".securityGroupIds", "is required with subnetId: at least one security group id such as sg-0123456789abcdef0")
		}
		for i, sg := range cr.SecurityGroupIDs {
			if !sgRE.MatchString(sg) {
				add(fmt.Sprintf("%s.securityGroupIds[%d]", cp, i), "must be a security group id such as sg-0123456789abcdef0, got %q", sg)
			}
		}
		if cr.KMSKeyArn != "" && !kmsArnRE.MatchString(cr.KMSKeyArn) {
			add(cp+".kmsKeyArn", "must be a KMS key ARN such as arn:aws:kms:us-east-1:123456789012:key/..., got %q", cr.KMSKeyArn)
		}
	}
	if n.Evaluation != nil {
		validateEvaluation(p+".evaluation", *n.Evaluation, add)
	}
	if known && intervalOK {
		if _, err := cwagent.OnStartScript(cwagent.Options{GPU: gpus > 0, Interval: n.Interval()}); err != nil {
			add(p, "the lifecycle script cannot be generated: %v", err)
		}
	}
}
