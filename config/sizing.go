package config

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/loadplan"
	"github.com/sagesize/sagesize/metrics"
)

// Sizing is a sizing test: the stack creates one endpoint that serves an
// existing SageMaker model on every candidate instance type (one production
// variant each), `sagesize run -sizing` drives each variant with a stepped
// plan, and `sagesize report` picks the cheapest candidate that holds the
// SLO at the target rate.
type Sizing struct {
	// Endpoint is the name of the endpoint the stack creates; default
	// <project>[-<release>]-sizing.
	Endpoint string `yaml:"endpoint"`
	// Model is the name of an existing SageMaker model (CreateModel).
	Model string `yaml:"model"`
	// Candidates are the instance types to compare, one production variant
	// each (at most 10, SageMaker's limit per endpoint).
	Candidates []Candidate `yaml:"candidates"`
	// SLO is the client-side objective a step must hold at percentile p50
	// or p99: the latency loadgen measures and, for a streaming test, time
	// to first token, inter-token latency, time per output token and
	// end-to-end time.
	SLO *SizingSLO `yaml:"slo"`
	// MaxErrorPercent (key maxErrorRate) is the largest share of failed
	// requests a step may have, in percent; default 1%. SizingErrorBound is
	// it as the fraction sizing.Test.MaxErrorRate takes.
	MaxErrorPercent *Percent `yaml:"maxErrorRate"`
	// TargetRate is the production load in requests per second that the
	// recommendation must hold.
	TargetRate float64 `yaml:"targetRate"`
	// TargetTokensPerSecond is the production load in output tokens per
	// second, instead of TargetRate; streaming tests only.
	TargetTokensPerSecond float64 `yaml:"targetTokensPerSecond"`
	// HeadroomPercent (key headroom) is the share of a candidate's sustainable rate kept free in
	// production; default 30% (instances run at 70% of what they sustain).
	HeadroomPercent *Percent `yaml:"headroom"`
	// Plan is the stepped load plan every candidate runs.
	Plan SizingPlan `yaml:"plan"`
	// Parallel runs every candidate at the same time; default one after
	// another (the candidates share nothing but the endpoint, so parallel
	// is faster and as exact, but needs tasks for all at once).
	Parallel bool `yaml:"parallel"`
	// Deadline is how long after `cdk deploy` the sizing endpoint may
	// live: a schedule in the sizing stack deletes it then, whether or not
	// anyone ran `cdk destroy`. Default the plan's length plus
	// DefaultDeadlineSlack; at least the plan's length plus
	// MinDeadlineSlack, at most MaxDeadline.
	Deadline *Duration `yaml:"deadline"`
}

// Candidate is one instance type under test.
type Candidate struct {
	// Name is the production variant name; default the instance type
	// without "ml." and with dots as hyphens (ml.c6i.xlarge: c6i-xlarge).
	Name string `yaml:"name"`
	// InstanceType is an ml.* hosting instance type from the catalogue.
	InstanceType string `yaml:"instanceType"`
	// InstanceCount is the variant's instance count during the test; default 1.
	InstanceCount *int `yaml:"instanceCount"`
	// StartRate and MaxRate override the plan's for this candidate
	// (requests per second for the whole variant).
	StartRate float64 `yaml:"startRate"`
	MaxRate   float64 `yaml:"maxRate"`

	// Instance is InstanceType's catalogue entry, resolved by Validate.
	Instance catalog.Instance `yaml:"-"`
}

// SizingPlan is the stepped plan: rates rising from StartRate by Growth
// until MaxRate (or the explicit Rates), each held for StepDuration, of
// which the first Warmup is not measured. A candidate stops early once a
// step breaks the SLO or the error bound.
type SizingPlan struct {
	// Rates lists the steps' rates explicitly (requests per second for the
	// whole variant), instead of StartRate/MaxRate/Growth.
	Rates []float64 `yaml:"rates"`
	// StartRate and MaxRate bound the geometric series of step rates.
	StartRate float64 `yaml:"startRate"`
	MaxRate   float64 `yaml:"maxRate"`
	// Growth is the ratio between consecutive rates; default 1.5.
	Growth float64 `yaml:"growth"`
	// StepDuration is how long each rate is held; default 3m.
	StepDuration *Duration `yaml:"stepDuration"`
	// Warmup is the start of each step that is not measured (autoscaling
	// of the generator, model caches, a new rate settling); default 1m.
	// Both are whole minutes: CloudWatch computes a window's percentiles
	// over one period (whole minutes above one), and windows then line up
	// with SageMaker's one-minute metrics.
	Warmup *Duration `yaml:"warmup"`
	// Tasks is the number of Fargate tasks per candidate; default the
	// fewest that hold the candidate's highest rate.
	Tasks int `yaml:"tasks"`
	// MaxInFlight bounds the requests in flight per task; default loadgen's.
	MaxInFlight int `yaml:"maxInFlight"`
	// Payload is the S3 object holding a request body (s3://bucket/key).
	Payload string `yaml:"payload"`
	// Body is the request body given inline instead of Payload.
	Body string `yaml:"body"`
	// ContentType of the requests; default application/json.
	ContentType string `yaml:"contentType"`
	// Stream makes every candidate's test a streaming (LLM) test.
	Stream *Stream `yaml:"stream"`
	// Refine, when set, bisects between the last step that held and the
	// first that did not, in short steps of their own.
	Refine *Refine `yaml:"refine"`
}

// SizingSLO is the objective of a sizing test: every bound given must hold
// at Percentile. Latency is the request's latency as loadgen measures it;
// TTFT, ITL, TPOT and E2E bound a streaming test's time to first token,
// inter-token latency, time per output token and end-to-end time.
type SizingSLO struct {
	Percentile Percentile `yaml:"percentile"`
	Latency    Duration   `yaml:"latency"`
	TTFT       *Duration  `yaml:"ttft"`
	ITL        *Duration  `yaml:"itl"`
	TPOT       *Duration  `yaml:"tpot"`
	E2E        *Duration  `yaml:"e2e"`
}

// tokenBounds returns the streaming objectives given, by key.
func (s *SizingSLO) tokenBounds() []namedBound {
	var out []namedBound
	for _, b := range []namedBound{{"ttft", s.TTFT}, {"itl", s.ITL}, {"tpot", s.TPOT}, {"e2e", s.E2E}} {
		if b.d != nil {
			out = append(out, b)
		}
	}
	return out
}

type namedBound struct {
	key string
	d   *Duration
}

// HasTokenObjectives reports whether the SLO bounds TTFT, ITL, TPOT or E2E.
func (s *SizingSLO) HasTokenObjectives() bool { return s != nil && len(s.tokenBounds()) > 0 }

// endpointSLO is the SLO the sizing endpoint's dashboard draws: Latency,
// or E2E when only that bounds the whole request.
func (s *SizingSLO) endpointSLO() SLO {
	out := SLO{Percentile: s.Percentile, Latency: s.Latency}
	if out.Latency.Duration == 0 && s.E2E != nil {
		out.Latency = *s.E2E
	}
	return out
}

// Refine is the knee refinement of a sizing plan: after a candidate's
// first step that does not hold, Steps more steps bisect between the last
// rate that held and the first that did not, each StepDuration long
// (whole minutes; the plan's warm-up is not measured).
type Refine struct {
	// Steps is the number of bisection steps: the bracket narrows to
	// 1/2^Steps of the step spacing.
	Steps int `yaml:"steps"`
	// StepDuration is how long each refinement step runs; default the
	// plan's warm-up plus one minute.
	StepDuration *Duration `yaml:"stepDuration"`
}

// RefineStartLag is what each refinement step adds to the test's length
// besides its own duration: its tasks' start (sagesize run -lead, 2m by
// default) and the wait for the next whole minute.
const RefineStartLag = 3 * time.Minute

// maxRefineSteps bounds the bisection (2^-8 of the spacing is below any
// measurement's noise).
const maxRefineSteps = 8

// RefineSteps is the number of bisection steps (0: no refinement).
func (p SizingPlan) RefineSteps() int {
	if p.Refine == nil {
		return 0
	}
	return p.Refine.Steps
}

// RefineStepLength is how long one refinement step runs.
func (p SizingPlan) RefineStepLength() time.Duration {
	if p.Refine == nil || p.Refine.StepDuration == nil {
		return p.WarmupLength() + time.Minute
	}
	return p.Refine.StepDuration.Duration
}

// Sizing defaults and bounds.
const (
	DefaultSizingGrowth          = 1.5
	DefaultSizingStepDuration    = 3 * time.Minute
	DefaultSizingWarmup          = time.Minute
	DefaultSizingMaxErrorPercent = 1.0
	DefaultSizingHeadroomPercent = 30.0
	// DefaultDeadlineSlack is added to the plan's length for the default
	// deadline: endpoint creation, retries, the report.
	DefaultDeadlineSlack = 2 * time.Hour
	// MinDeadlineSlack is the least a deadline may leave beyond the plan
	// (creating an endpoint takes about 10 minutes).
	MinDeadlineSlack = 30 * time.Minute
	// MaxDeadline bounds a sizing endpoint's life.
	MaxDeadline = 7 * 24 * time.Hour
	// maxSizingSteps bounds a candidate's plan (steps × step duration is
	// the test's length, and the endpoint is billed meanwhile).
	maxSizingSteps = 30
	// minSizingGrowth bounds the work of Rates: steps 1% apart at least
	// (a growth of 1.0000001 took seconds to find it makes 81 steps).
	minSizingGrowth = 1.01
)

// defaultVariantName derives a variant name from an instance type.
func defaultVariantName(instanceType string) string {
	return strings.ReplaceAll(strings.TrimPrefix(instanceType, "ml."), ".", "-")
}

// Count is the candidate's instance count (1 when not given).
func (c Candidate) Count() int {
	if c.InstanceCount == nil {
		return 1
	}
	return *c.InstanceCount
}

// SizingStackName is the name of the stack that creates the sizing
// endpoint.
func (c *Config) SizingStackName() string { return c.Prefix() + "-sizing" }

// SizingEndpoint returns the endpoint that config sizing: adds to
// Endpoints, or nil when there is none.
func (c *Config) SizingEndpoint() *Endpoint {
	for i := range c.Endpoints {
		if c.Endpoints[i].Sizing {
			return &c.Endpoints[i]
		}
	}
	return nil
}

// StepLength is the plan's step duration.
func (p SizingPlan) StepLength() time.Duration {
	if p.StepDuration == nil {
		return DefaultSizingStepDuration
	}
	return p.StepDuration.Duration
}

// WarmupLength is the unmeasured start of each step.
func (p SizingPlan) WarmupLength() time.Duration {
	if p.Warmup == nil {
		return DefaultSizingWarmup
	}
	return p.Warmup.Duration
}

// Rates returns the step rates of candidate i, lowest first: the plan's
// explicit rates, or StartRate × Growth^k up to MaxRate (MaxRate is always
// the last step). Rates of 10 req/s and more are rounded to whole numbers.
func (s *Sizing) Rates(i int) []float64 {
	if len(s.Plan.Rates) > 0 {
		return append([]float64(nil), s.Plan.Rates...)
	}
	start, maxRate := s.Plan.StartRate, s.Plan.MaxRate
	if c := s.Candidates[i]; c.StartRate > 0 {
		start = c.StartRate
	}
	if c := s.Candidates[i]; c.MaxRate > 0 {
		maxRate = c.MaxRate
	}
	g := s.Plan.Growth
	if !(start > 0) || !(maxRate >= start) || !(g >= minSizingGrowth) {
		return nil
	}
	var rates []float64
	for r := start; r < maxRate*(1-1e-9) && len(rates) < 1000; r *= g {
		v := r
		if v >= 10 {
			v = math.Round(v)
		} else if t := math.Round(v*10) / 10; t > 0 {
			v = t // tenths, but a rate below 0.05 is not rounded to 0
		}
		if len(rates) == 0 || v > rates[len(rates)-1] {
			rates = append(rates, v)
		}
	}
	if len(rates) == 0 || rates[len(rates)-1] < maxRate {
		rates = append(rates, maxRate)
	}
	return rates
}

// CandidatePlan returns candidate i's stepped plan: each of Rates(i) held
// for the plan's step duration. It is the zero plan when the config's plan
// is invalid (Validate says why).
func (s *Sizing) CandidatePlan(i int) loadplan.Plan {
	var steps []loadplan.Step
	for _, r := range s.Rates(i) {
		steps = append(steps, loadplan.Step{Rate: r, Duration: s.Plan.StepLength()})
	}
	p, _ := loadplan.NewSteps(steps)
	return p
}

// Steps returns candidate i's plan in loadgen's -steps form, e.g.
// "10@3m0s,15@3m0s".
func (s *Sizing) Steps(i int) string { return s.CandidatePlan(i).Spec().Steps }

// SizingTasks returns the number of Fargate tasks candidate i runs on: the
// plan's, or the fewest that hold its highest rate.
func (c *Config) SizingTasks(i int) int {
	s := c.Sizing
	if s.Plan.Tasks > 0 {
		return s.Plan.Tasks
	}
	if c.LoadTest == nil {
		return 1
	}
	return max(1, tasksFor(s.PeakRate(i), RatePerVCPU*c.LoadTest.VCPUs()))
}

// PeakRate is candidate i's highest step rate (0 when its plan is invalid).
func (s *Sizing) PeakRate(i int) float64 { return s.CandidatePlan(i).Peak() }

// Length is how long the sizing plan runs: every candidate's plan one
// after another, or the longest of them when Parallel.
func (s *Sizing) Length() time.Duration {
	var total time.Duration
	refine := time.Duration(s.Plan.RefineSteps()) * (s.Plan.RefineStepLength() + RefineStartLag)
	for i := range s.Candidates {
		d := s.CandidatePlan(i).Duration() + refine
		if s.Parallel {
			total = max(total, d)
		} else {
			total += d
		}
	}
	return total
}

// DeadlineAfter is how long after deployment the sizing endpoint is
// deleted: Deadline, or the plan's length plus DefaultDeadlineSlack.
func (s *Sizing) DeadlineAfter() time.Duration {
	if s.Deadline != nil {
		return s.Deadline.Duration
	}
	return s.Length() + DefaultDeadlineSlack
}

// SizingErrorBound is the largest accepted error rate as a fraction
// (MaxErrorPercent converted once, by metrics.Fraction).
func (s *Sizing) SizingErrorBound() float64 {
	if s.MaxErrorPercent == nil {
		return metrics.Fraction(DefaultSizingMaxErrorPercent)
	}
	return metrics.Fraction(s.MaxErrorPercent.Value)
}

// HeadroomFraction is the headroom as a fraction.
func (s *Sizing) HeadroomFraction() float64 {
	if s.HeadroomPercent == nil {
		return metrics.Fraction(DefaultSizingHeadroomPercent)
	}
	return metrics.Fraction(s.HeadroomPercent.Value)
}

// addSizingEndpoint appends the endpoint that sizing: describes, before
// defaults are filled, so that it is monitored like any other.
func (c *Config) addSizingEndpoint() {
	s := c.Sizing
	if s == nil {
		return
	}
	label := ""
	if s.Endpoint == "" {
		s.Endpoint = c.Prefix() + "-" + SizingLabel
		label = SizingLabel
	}
	if s.Plan.Growth == 0 {
		s.Plan.Growth = DefaultSizingGrowth
	}
	if s.Plan.ContentType == "" {
		s.Plan.ContentType = "application/json"
	}
	// The sizing endpoint's configuration publishes enhanced metrics every
	// 10 s, so that each step shows per instance and per GPU at that
	// resolution.
	e := Endpoint{Name: s.Endpoint, Sizing: true, Label: label,
		EnhancedMetrics: &EnhancedMetrics{Period: &Duration{EnhancedHighResolution}}}
	for i := range s.Candidates {
		cd := &s.Candidates[i]
		if cd.Name == "" {
			cd.Name = defaultVariantName(cd.InstanceType)
		}
		e.Variants = append(e.Variants, Variant{Name: cd.Name, InstanceType: cd.InstanceType, InstanceCount: cd.InstanceCount})
	}
	if s.SLO != nil {
		e.SLO = s.SLO.endpointSLO()
	}
	// The load test the endpoint carries makes the load-test stack grant
	// InvokeEndpoint on it and read access to the payload; the widest
	// candidate's plan is what the dashboard shows as planned.
	widest := 0
	for i := range s.Candidates {
		if s.PeakRate(i) > s.PeakRate(widest) {
			widest = i
		}
	}
	lt := &EndpointLoadTest{MaxInFlight: s.Plan.MaxInFlight, Payload: s.Plan.Payload, Body: s.Plan.Body, ContentType: s.Plan.ContentType, Stream: s.Plan.Stream}
	if len(s.Candidates) > 0 {
		lt.Steps = s.Steps(widest)
	}
	e.LoadTest = lt
	c.Endpoints = append(c.Endpoints, e)
}

// finishSizing sets the sizing endpoint's task count once the load-test
// infrastructure has its defaults.
func (c *Config) finishSizing() {
	e := c.SizingEndpoint()
	if e == nil {
		return
	}
	tasks := 1
	for i := range c.Sizing.Candidates {
		tasks = max(tasks, c.SizingTasks(i))
	}
	e.LoadTest.Tasks = tasks
}

// validateSizing checks sizing: with its own paths. The derived endpoint's
// variants are checked by validateEndpoint, with paths rewritten to
// sizing.candidates[i].
func (c *Config) validateSizing(e *Endpoint, endpointIndex map[string]int, add func(path, format string, args ...any)) {
	s := c.Sizing
	p := "sizing"
	rewrite := func(path, format string, args ...any) {
		r := strings.NewReplacer(p+".variants", p+".candidates")
		if s.SLO == nil && strings.HasPrefix(path, p+".slo") {
			return // reported below, once
		}
		if path == p+".slo.latency" && s.SLO.HasTokenObjectives() {
			return // the token objectives suffice
		}
		add(r.Replace(path), "%s", r.Replace(fmt.Sprintf(format, clip(args)...)))
	}
	if !validSageMakerName(s.Endpoint) {
		add(p+".endpoint", "SageMaker would reject %q: %s", s.Endpoint, sageMakerNameRule("endpoint", s.Endpoint))
	} else if j, dup := endpointIndex[strings.ToLower(s.Endpoint)]; dup {
		add(p+".endpoint", "is also endpoints[%d].name %q: the sizing test creates its own endpoint, give it another name", j, s.Endpoint)
	} else if j, dup := endpointIndex[strings.ToLower(e.NameInResources())]; dup && e.Label != "" {
		add(p+".endpoint", "defaults to %s, whose dashboard and alarms are named %s-%s like those of endpoints[%d] %q: name the sizing endpoint (sizing.endpoint) or rename that endpoint",
			s.Endpoint, c.Prefix(), e.Label, j, c.Endpoints[j].Name)
	}
	switch {
	case s.Model == "":
		add(p+".model", "is required: the name of an existing SageMaker model (aws sagemaker list-models) that every candidate serves")
	case !validSageMakerName(s.Model):
		add(p+".model", "SageMaker would reject %q: %s", s.Model, sageMakerNameRule("model", s.Model))
	}
	switch {
	case len(s.Candidates) == 0:
		add(p+".candidates", "is required: list the instance types to compare, e.g. - instanceType: ml.c6i.xlarge")
	case len(s.Candidates) > maxVariants:
		add(p+".candidates", "has %d candidates; one SageMaker endpoint holds at most %d production variants: split the test", len(s.Candidates), maxVariants)
	default:
		c.validateEndpoint(p, e, rewrite)
		// The sizing endpoint's variants are the candidates, in order.
		for i := range s.Candidates {
			s.Candidates[i].Instance = e.Variants[i].Instance
		}
	}
	if s.SLO == nil {
		add(p+".slo", "is required: the latency objective every candidate must hold, e.g. {percentile: p99, latency: 200ms} (or, streaming, {percentile: p99, ttft: 800ms, itl: 60ms})")
	} else if pc := s.SLO.Percentile.Value; pc != "p50" && pc != "p99" {
		add(p+".slo.percentile", "must be p50 or p99 (the client percentiles a sizing test measures), got %q", pc)
	}
	validateSizingSLO(s, add)
	validateTarget(s, add)
	if m := s.MaxErrorPercent; m != nil && (m.Value < 0 || m.Value >= 100) {
		add(p+".maxErrorRate", "must be from 0%% to below 100%%, got %s", m)
	}
	if h := s.HeadroomPercent; h != nil && (h.Value < 0 || h.Value >= 100) {
		add(p+".headroom", "must be from 0%% to below 100%%, got %s", h)
	}
	c.validateSizingPlan(add)
	validateDeadline(s, add)
}

// validateDeadline checks sizing.deadline against the plan's length and
// MaxDeadline.
func validateDeadline(s *Sizing, add func(path, format string, args ...any)) {
	d, length := s.DeadlineAfter(), s.Length()
	switch {
	case d > MaxDeadline:
		add("sizing.deadline", "is %v; a sizing endpoint lives at most %v (7 days): give a shorter deadline or shorten the plan", d, MaxDeadline)
	case d < length+MinDeadlineSlack:
		add("sizing.deadline", "is %v; the plan runs %v and the endpoint takes minutes to create: give at least %v (the plan + %v)", d, length, length+MinDeadlineSlack, MinDeadlineSlack)
	}
}

func (c *Config) validateSizingPlan(add func(path, format string, args ...any)) {
	s := c.Sizing
	pl := s.Plan
	p := "sizing.plan"
	explicit := len(pl.Rates) > 0
	series := pl.StartRate != 0 || pl.MaxRate != 0
	switch {
	case explicit && series:
		add(p, "rates and startRate/maxRate are alternatives: give one")
	case explicit:
		for i, r := range pl.Rates {
			if !(r > 0) {
				add(fmt.Sprintf("%s.rates[%d]", p, i), "must be a positive number of requests per second, got %v", r)
			} else if i > 0 && r <= pl.Rates[i-1] {
				add(fmt.Sprintf("%s.rates[%d]", p, i), "must be above the rate before it (%v): steps rise", pl.Rates[i-1])
			}
		}
		for i, cd := range s.Candidates {
			if cd.StartRate != 0 || cd.MaxRate != 0 {
				add(fmt.Sprintf("sizing.candidates[%d]", i), "startRate/maxRate override plan.startRate/maxRate; with plan.rates, remove them")
			}
		}
	default:
		for i, cd := range s.Candidates {
			start, maxRate := pl.StartRate, pl.MaxRate
			cp := p
			if cd.StartRate != 0 {
				start, cp = cd.StartRate, fmt.Sprintf("sizing.candidates[%d]", i)
			}
			if cd.MaxRate != 0 {
				maxRate, cp = cd.MaxRate, fmt.Sprintf("sizing.candidates[%d]", i)
			}
			switch {
			case !(start > 0) || !(maxRate > 0):
				if cp == p && i > 0 {
					continue // reported once for the plan
				}
				add(cp, "needs startRate and maxRate (requests per second for the whole variant), e.g. startRate: 10, maxRate: 400; or plan.rates: [10, 20, 40]")
			case maxRate < start:
				add(cp+".maxRate", "must be at least startRate (%v), got %v", start, maxRate)
			}
		}
		if !(pl.Growth >= minSizingGrowth) {
			add(p+".growth", "must be at least %v (the ratio between consecutive rates, e.g. 1.5), got %v", minSizingGrowth, pl.Growth)
		}
	}
	step, warm := pl.StepLength(), pl.WarmupLength()
	measured := step - warm
	switch {
	case step <= 0:
		add(p+".stepDuration", "must be positive, e.g. 3m")
	case warm < 0:
		add(p+".warmup", "must be zero or positive, got %v", warm)
	case step%time.Minute != 0 || warm%time.Minute != 0:
		add(p, "stepDuration (%v) and warmup (%v) must be whole minutes: a step's measured window is one CloudWatch period (whole minutes above one) and lines up with SageMaker's one-minute metrics", step, warm)
	case measured < time.Minute:
		add(p+".warmup", "must be shorter than stepDuration (%v) by at least 1m, the measured window, got %v", step, warm)
	}
	for i := range s.Candidates {
		if n := len(s.Rates(i)); n > maxSizingSteps {
			add(p, "candidate %s would run %d steps; at most %d: raise growth or narrow startRate..maxRate", s.Candidates[i].Name, n, maxSizingSteps)
			break
		}
	}
	if pl.Tasks < 0 || pl.Tasks > MaxTasks {
		add(p+".tasks", "must be between 1 and %d, or 0 to use the fewest that hold the highest rate, got %d", MaxTasks, pl.Tasks)
	} else if pl.Tasks == 0 && c.LoadTest != nil {
		for i := range s.Candidates {
			if n := c.SizingTasks(i); n > MaxTasks {
				add(p, "candidate %s peaks at %v requests per second, which needs %d tasks of %.2g vCPU; at most %d: raise loadTest.cpu or lower its maxRate",
					s.Candidates[i].Name, s.PeakRate(i), n, c.LoadTest.VCPUs(), MaxTasks)
				break
			}
		}
	} else if c.LoadTest != nil { // pl.Tasks > 0
		for i := range s.Candidates {
			if err := c.LoadTest.CheckCapacity(s.PeakRate(i), pl.Tasks); err != nil {
				add(p+".tasks", "candidate %s: %v", s.Candidates[i].Name, err)
				break
			}
		}
	}
	if pl.MaxInFlight < 0 {
		add(p+".maxInFlight", "must be positive, got %d", pl.MaxInFlight)
	}
	if !pl.Stream.HasPrompts() || pl.Payload != "" || pl.Body != "" {
		checkBody(p, pl.Payload, pl.Body, add)
	}
	validateStream(p, pl.Stream, add)
	validateRefine(pl, add)
}

// validateSizingSLO checks the streaming objectives: positive, and only
// with a streaming test (plan.stream), the only one that measures them.
func validateSizingSLO(s *Sizing, add func(path, format string, args ...any)) {
	if s.SLO == nil {
		return
	}
	for _, b := range s.SLO.tokenBounds() {
		path := "sizing.slo." + b.key
		positive(path, b.d, add)
		if s.Plan.Stream == nil {
			add(path, "bounds a token stream, but the test is not a streaming test: add sizing.plan.stream (e.g. {inputTokens: {mean: 512}, outputTokens: {mean: 256}}) or bound the request with latency: instead")
		}
	}
}

// validateTarget checks the production target: requests/s or, for a
// streaming test, output tokens/s; one of the two.
func validateTarget(s *Sizing, add func(path, format string, args ...any)) {
	p := "sizing"
	switch {
	case s.TargetRate != 0 && s.TargetTokensPerSecond != 0:
		add(p, "targetRate and targetTokensPerSecond are alternatives: give the production load in requests/s or in output tokens/s")
	case s.TargetTokensPerSecond != 0 && s.Plan.Stream == nil:
		add(p+".targetTokensPerSecond", "needs a streaming test, the only one that counts output tokens: add sizing.plan.stream, or give targetRate in requests per second")
	case s.TargetTokensPerSecond < 0 || math.IsNaN(s.TargetTokensPerSecond):
		add(p+".targetTokensPerSecond", "must be a positive number of output tokens per second, e.g. 5000, got %v", s.TargetTokensPerSecond)
	case s.TargetTokensPerSecond > 0:
	case !(s.TargetRate > 0):
		add(p+".targetRate", "is required: the production load in requests per second the recommendation must hold, e.g. 300 (or targetTokensPerSecond for a streaming test)")
	}
}

// validateRefine checks plan.refine: a bounded number of steps, each long
// enough to hold the warm-up and one whole CloudWatch period.
func validateRefine(pl SizingPlan, add func(path, format string, args ...any)) {
	r := pl.Refine
	if r == nil {
		return
	}
	p := "sizing.plan.refine"
	if r.Steps < 1 || r.Steps > maxRefineSteps {
		add(p+".steps", "must be from 1 to %d (each halves the bracket around the knee), got %d", maxRefineSteps, r.Steps)
	}
	d, warm := pl.RefineStepLength(), pl.WarmupLength()
	switch {
	case d%time.Minute != 0 || d-warm < time.Minute:
		add(p+".stepDuration", "is %v: a refinement step must hold the warm-up (%v) and at least one whole metric period of 1m to measure, in whole minutes: give at least %v", d, warm, warm+time.Minute)
	case d > pl.StepLength():
		add(p+".stepDuration", "is %v, longer than the plan's steps (%v): refinement steps are the short ones", d, pl.StepLength())
	}
}
