package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sagesize/sagesize/metrics"
)

// Predefined target-tracking metrics of a SageMaker production variant, as
// Application Auto Scaling names them (SageMaker Developer Guide, "Define a
// scaling policy").
const (
	// MetricInvocationsPerInstance is the average number of invocations per
	// instance per minute (InvocationsPerInstance); the default.
	MetricInvocationsPerInstance = "SageMakerVariantInvocationsPerInstance"
	// MetricConcurrentRequestsPerModel is the high-resolution (10 s)
	// number of concurrent requests per model container
	// (ConcurrentRequestsPerModel), queued ones included: the quicker
	// signal for long or streaming requests.
	MetricConcurrentRequestsPerModel = "SageMakerVariantConcurrentRequestsPerModelHighResolution"
)

// Autoscaling limits and defaults.
const (
	// MaxAutoscalingInstances bounds maxInstances: a guard against a typo
	// that would let a policy buy hundreds of instances.
	MaxAutoscalingInstances = 100
	// DefaultScaleInCooldown and DefaultScaleOutCooldown are Application
	// Auto Scaling's defaults for SageMaker variants, written out so that
	// the template says what applies.
	DefaultScaleInCooldown  = 300 * time.Second
	DefaultScaleOutCooldown = 300 * time.Second
	// maxCooldown is the longest cooldown sagesize accepts (one hour).
	maxCooldown = time.Hour
)

// Autoscaling asks for a target-tracking scaling policy on an
// instance-backed production variant: Application Auto Scaling keeps the
// variant's instance count between MinInstances and MaxInstances so that
// Metric stays near the target. The target is given directly, or taken
// from a sizing report (FromSizing): the sustainable rate per instance the
// sizing test measured × (1 − headroom), per minute.
type Autoscaling struct {
	// MinInstances and MaxInstances bound the instance count (1 ≤ min ≤ max).
	MinInstances int `yaml:"minInstances"`
	MaxInstances int `yaml:"maxInstances"`
	// Metric is MetricInvocationsPerInstance (default) or
	// MetricConcurrentRequestsPerModel.
	Metric string `yaml:"metric"`
	// TargetInvocationsPerInstance is the target of
	// MetricInvocationsPerInstance, in invocations per instance per MINUTE
	// (the metric's unit). With FromSizing it must not exceed the measured
	// sustainable rate; without, FromSizing computes it.
	TargetInvocationsPerInstance *float64 `yaml:"targetInvocationsPerInstance"`
	// TargetConcurrentRequestsPerModel is the target of
	// MetricConcurrentRequestsPerModel (requests in flight per model).
	TargetConcurrentRequestsPerModel *float64 `yaml:"targetConcurrentRequestsPerModel"`
	// FromSizing is the report.json `sagesize report` wrote, relative to
	// the config file's directory.
	FromSizing string `yaml:"fromSizing"`
	// SizingVariant picks the report's candidate; default the one whose
	// instance type is this variant's.
	SizingVariant string `yaml:"sizingVariant"`
	// Headroom is the share of the sustainable rate kept free; default
	// the report's headroom.
	Headroom *Percent `yaml:"headroom"`
	// ScaleInCooldown and ScaleOutCooldown are the policy's cooldowns;
	// default DefaultScaleInCooldown and DefaultScaleOutCooldown.
	ScaleInCooldown  *Duration `yaml:"scaleInCooldown"`
	ScaleOutCooldown *Duration `yaml:"scaleOutCooldown"`

	// Target is the resolved target value of Metric (per minute for
	// invocations), set by Validate.
	Target float64 `yaml:"-"`
	// Basis is the sizing measurement the target rests on, set by Validate
	// when FromSizing is given.
	Basis *SizingBasis `yaml:"-"`
}

// SizingBasis is what a sizing report measured for the candidate an
// autoscaling target comes from.
type SizingBasis struct {
	// Report is the report file as resolved; Variant and InstanceType the
	// candidate's.
	Report, Variant, InstanceType string
	// SustainablePerInstance is the measured sustainable rate per
	// instance, in requests per second.
	SustainablePerInstance float64
	// Headroom is the fraction kept free (0.3 = 30%).
	Headroom float64
	// LowerBound is true when every step held: the real limit is higher.
	LowerBound bool
}

// SustainablePerMinute is the sustainable rate per instance per minute, the
// unit of InvocationsPerInstance.
func (b *SizingBasis) SustainablePerMinute() float64 { return b.SustainablePerInstance * 60 }

// ScaleIn is the scale-in cooldown with its default applied.
func (a *Autoscaling) ScaleIn() time.Duration {
	return cooldown(a.ScaleInCooldown, DefaultScaleInCooldown)
}

// ScaleOut is the scale-out cooldown with its default applied.
func (a *Autoscaling) ScaleOut() time.Duration {
	return cooldown(a.ScaleOutCooldown, DefaultScaleOutCooldown)
}

func cooldown(d *Duration, def time.Duration) time.Duration {
	if d == nil {
		return def
	}
	return d.Duration
}

// MetricName is the metric the policy tracks, with its default applied.
func (a *Autoscaling) MetricName() string {
	if a.Metric == "" {
		return MetricInvocationsPerInstance
	}
	return a.Metric
}

// validateVariantAutoscaling checks variant v's autoscaling (at vp) on endpoint e
// and resolves its target; dir is where relative report paths start.
func validateVariantAutoscaling(vp string, e *Endpoint, v *Variant, dir string, add func(path, format string, args ...any)) {
	a := v.Autoscaling
	if a == nil {
		return
	}
	p := vp + ".autoscaling"
	if !autoscalingKindOK(p, e, add) {
		return
	}
	checkInstanceBounds(p, a, v, add)
	checkCooldown(p+".scaleInCooldown", a.ScaleInCooldown, add)
	checkCooldown(p+".scaleOutCooldown", a.ScaleOutCooldown, add)
	if a.Headroom != nil && (a.Headroom.Value < 0 || a.Headroom.Value >= 100) {
		add(p+".headroom", "must be at least 0%% and below 100%% (the share of the sustainable rate kept free), got %v", a.Headroom)
	}
	switch a.MetricName() {
	case MetricInvocationsPerInstance:
		resolveInvocationsTarget(p, a, v, dir, add)
	case MetricConcurrentRequestsPerModel:
		resolveConcurrencyTarget(p, a, add)
	default:
		add(p+".metric", "must be %s (default) or %s, got %q", MetricInvocationsPerInstance, MetricConcurrentRequestsPerModel, a.Metric)
	}
}

// autoscalingKindOK refuses autoscaling on the kinds whose variants
// Application Auto Scaling cannot scale by instance count the way
// sagesize sets it up, and says why.
func autoscalingKindOK(p string, e *Endpoint, add func(path, format string, args ...any)) bool {
	switch e.Kind {
	case KindServerless:
		add(p, "a serverless variant has no instances to scale (SageMaker scales it within serverless.maxConcurrency): remove autoscaling")
	case KindAsync:
		add(p, "asynchronous endpoints scale on their queue (ApproximateBacklogSizePerInstance, down to 0 instances), which sagesize does not set up: remove autoscaling and scale the endpoint with its own policy")
	case KindInferenceComponents:
		add(p, "an endpoint hosting inference components scales its components' copies (SageMakerInferenceComponentInvocationsPerCopy) and its instances through managed instance scaling, which sagesize does not set up: remove autoscaling")
	default:
		return true
	}
	return false
}

// checkInstanceBounds checks 1 ≤ minInstances ≤ maxInstances ≤
// MaxAutoscalingInstances and that a given instanceCount lies between them.
func checkInstanceBounds(p string, a *Autoscaling, v *Variant, add func(path, format string, args ...any)) {
	minOK := a.MinInstances >= 1
	if !minOK {
		add(p+".minInstances", "must be at least 1 (an instance-backed real-time variant cannot scale to 0), got %d", a.MinInstances)
	}
	maxOK := a.MaxInstances >= 1 && a.MaxInstances <= MaxAutoscalingInstances
	if !maxOK {
		add(p+".maxInstances", "must be between 1 and %d, got %d", MaxAutoscalingInstances, a.MaxInstances)
	}
	if minOK && maxOK && a.MinInstances > a.MaxInstances {
		add(p+".minInstances", "must be at most maxInstances (%d), got %d", a.MaxInstances, a.MinInstances)
		return
	}
	if n := v.Count(); v.InstanceCount != nil && minOK && maxOK && (n < a.MinInstances || n > a.MaxInstances) {
		add(strings.TrimSuffix(p, ".autoscaling")+".instanceCount", "is %d, outside autoscaling's %d-%d: Application Auto Scaling would change it at once; set it between minInstances and maxInstances, or remove it", n, a.MinInstances, a.MaxInstances)
	}
}

func checkCooldown(p string, d *Duration, add func(path, format string, args ...any)) {
	if d != nil && (d.Duration < 0 || d.Duration > maxCooldown || d.Duration%time.Second != 0) {
		add(p, "must be whole seconds from 0s to 1h, got %v", d.Duration)
	}
}

// resolveInvocationsTarget sets a.Target (per minute) from the direct
// target, the sizing report, or both (the direct one, checked against the
// report's sustainable rate).
func resolveInvocationsTarget(p string, a *Autoscaling, v *Variant, dir string, add func(path, format string, args ...any)) {
	if a.TargetConcurrentRequestsPerModel != nil {
		add(p+".targetConcurrentRequestsPerModel", "is the target of metric %s; this policy tracks %s: give targetInvocationsPerInstance (per minute) or fromSizing", MetricConcurrentRequestsPerModel, MetricInvocationsPerInstance)
	}
	direct := a.TargetInvocationsPerInstance
	if direct != nil && !(*direct > 0 && !math.IsInf(*direct, 0)) {
		add(p+".targetInvocationsPerInstance", "must be a positive number of invocations per instance per minute, got %v", *direct)
		return
	}
	if a.FromSizing == "" {
		if direct == nil {
			add(p, "needs a target: targetInvocationsPerInstance (invocations per instance per minute) or fromSizing (the report.json of `sagesize report`)")
		} else {
			a.Target = *direct
		}
		return
	}
	b, err := sizingBasis(a, v, dir)
	if err != nil {
		add(p+".fromSizing", "%v", err)
		return
	}
	a.Basis = b
	if direct == nil {
		// Rounded to hundredths, so that templates and dashboards show
		// 831.6 rather than 831.5999999999999.
		a.Target = math.Round(b.SustainablePerMinute()*(1-b.Headroom)*100) / 100
		return
	}
	if *direct > b.SustainablePerMinute() {
		add(p+".targetInvocationsPerInstance", "is %v per minute, above the %.6g per minute (%.6g req/s) one %s instance sustained in the sizing test %s: at that target every instance runs past the SLO; use at most %.6g, or remove it to get %.6g (with %s headroom)",
			*direct, b.SustainablePerMinute(), b.SustainablePerInstance, b.InstanceType, b.Report, math.Floor(b.SustainablePerMinute()+1e-9), b.SustainablePerMinute()*(1-b.Headroom), formatFraction(b.Headroom))
		return
	}
	a.Target = *direct
}

// resolveConcurrencyTarget sets a.Target for the concurrency metric, which
// only a direct target gives: a sizing report measures rates, not requests
// in flight.
func resolveConcurrencyTarget(p string, a *Autoscaling, add func(path, format string, args ...any)) {
	if a.TargetInvocationsPerInstance != nil {
		add(p+".targetInvocationsPerInstance", "is the target of metric %s; this policy tracks %s: give targetConcurrentRequestsPerModel", MetricInvocationsPerInstance, MetricConcurrentRequestsPerModel)
	}
	if a.FromSizing != "" {
		add(p+".fromSizing", "a sizing report measures request rates, not concurrent requests: with metric %s give targetConcurrentRequestsPerModel, or track %s to use the report", MetricConcurrentRequestsPerModel, MetricInvocationsPerInstance)
	}
	t := a.TargetConcurrentRequestsPerModel
	switch {
	case t == nil:
		add(p+".targetConcurrentRequestsPerModel", "is required with metric %s: the concurrent requests per model to keep, e.g. 4", MetricConcurrentRequestsPerModel)
	case !(*t > 0 && !math.IsInf(*t, 0)):
		add(p+".targetConcurrentRequestsPerModel", "must be a positive number of concurrent requests, got %v", *t)
	default:
		a.Target = *t
	}
}

func formatFraction(f float64) string { return fmt.Sprintf("%.4g%%", metrics.Percent(f)) }

// sizingReport is the part of `sagesize report`'s report.json (package
// sizing/report, Document) that autoscaling reads; a test in this package
// keeps the field names in step with the writer.
type sizingReport struct {
	Endpoint   *string                 `json:"endpoint"`
	Headroom   *float64                `json:"headroom"`
	Candidates []sizingReportCandidate `json:"candidates"`
}

type sizingReportCandidate struct {
	Variant                string   `json:"variant"`
	InstanceType           string   `json:"instance_type"`
	Sustains               bool     `json:"sustains"`
	SustainablePerInstance *float64 `json:"sustainable_rate_per_instance"`
	NeverBroke             bool     `json:"never_broke"`
	TestID                 string   `json:"test_id"`
}

// maxReportBytes bounds the report file read at synthesis.
const maxReportBytes = 16 << 20

// sizingBasis reads a.FromSizing (relative to dir) and returns the measured
// basis of v's target.
func sizingBasis(a *Autoscaling, v *Variant, dir string) (*SizingBasis, error) {
	path := a.FromSizing
	if !filepath.IsAbs(path) && dir != "" {
		path = filepath.Join(dir, path)
	}
	r, err := readSizingReport(path)
	if err != nil {
		return nil, err
	}
	c, err := pickCandidate(path, r, a.SizingVariant, v.InstanceType)
	if err != nil {
		return nil, err
	}
	per := *c.SustainablePerInstance
	if !c.Sustains || !(per > 0) || math.IsInf(per, 0) {
		return nil, fmt.Errorf("%s: candidate %s (%s) sustained no step of the sizing test (sustainable rate per instance %v): there is no measured rate to scale on; size again or give targetInvocationsPerInstance without fromSizing", path, c.Variant, c.InstanceType, per)
	}
	h := *r.Headroom
	if a.Headroom != nil {
		h = metrics.Fraction(a.Headroom.Value)
	}
	if !(h >= 0 && h < 1) {
		return nil, fmt.Errorf("%s: headroom %v is outside [0, 1); set autoscaling.headroom, e.g. 30%%", path, h)
	}
	return &SizingBasis{Report: path, Variant: c.Variant, InstanceType: c.InstanceType, SustainablePerInstance: per, Headroom: h, LowerBound: c.NeverBroke}, nil
}

// readSizingReport reads and decodes a sizing report, telling a run record
// (which holds no rates) and other JSON apart from it. Only a regular file
// of at most maxReportBytes is read.
func readSizingReport(path string) (*sizingReport, error) {
	data, err := readReportFile(path)
	if err != nil {
		return nil, err
	}
	var r sizingReport
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s is not a sizing report (report.json of `sagesize report`): %w", path, err)
	}
	for _, c := range r.Candidates {
		if c.TestID != "" && c.SustainablePerInstance == nil {
			return nil, fmt.Errorf("%s is the run record of `sagesize run --sizing`: it holds the test windows, not the measured rates; run `sagesize report --record %s` and give its report.json", path, filepath.Base(path))
		}
	}
	if r.Endpoint == nil || r.Headroom == nil || len(r.Candidates) == 0 {
		return nil, fmt.Errorf("%s is not a sizing report: it lacks endpoint, headroom or candidates (give the report.json of `sagesize report`)", path)
	}
	return &r, nil
}

// readReportFile reads the regular file at path, refusing one over
// maxReportBytes before reading it.
func readReportFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no such file %s: give the report.json that `sagesize report` wrote (relative paths start at the config file's directory)", path)
	case err != nil:
		return nil, fmt.Errorf("read sizing report: %w", err)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file: give the report.json that `sagesize report` wrote", path)
	case fi.Size() > maxReportBytes:
		return nil, fmt.Errorf("%s is %d bytes; a sizing report is far smaller (at most %d MiB read): is it the report.json of `sagesize report`?", path, fi.Size(), maxReportBytes>>20)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read sizing report: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxReportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read sizing report %s: %w", path, err)
	}
	if len(data) > maxReportBytes {
		return nil, fmt.Errorf("%s grew past %d MiB while read", path, maxReportBytes>>20)
	}
	return data, nil
}

// pickCandidate finds the report's candidate named variant, or else the
// only one of instance type typ.
func pickCandidate(path string, r *sizingReport, variant, typ string) (*sizingReportCandidate, error) {
	var names, types []string
	var match []*sizingReportCandidate
	for i := range r.Candidates {
		c := &r.Candidates[i]
		names, types = append(names, c.Variant), append(types, c.InstanceType)
		if variant != "" && c.Variant == variant || variant == "" && c.InstanceType == typ {
			match = append(match, c)
		}
	}
	switch {
	case len(match) == 1 && match[0].SustainablePerInstance == nil:
		return nil, fmt.Errorf("%s: candidate %s has no sustainable_rate_per_instance", path, match[0].Variant)
	case len(match) == 1 && match[0].InstanceType != typ:
		return nil, fmt.Errorf("%s: candidate %s ran on %s, but this variant runs on %s: a rate measured on another instance type does not apply; size %s, or pick a %s candidate", path, variant, match[0].InstanceType, typ, typ, typ)
	case len(match) == 1:
		return match[0], nil
	case variant != "":
		return nil, fmt.Errorf("%s has no candidate %q (sizingVariant); it has %s", path, variant, strings.Join(names, ", "))
	case len(match) == 0:
		return nil, fmt.Errorf("%s measured no %s candidate (it has %s): size this instance type, or change the variant's instanceType", path, typ, strings.Join(types, ", "))
	default:
		return nil, fmt.Errorf("%s has %d %s candidates: pick one with sizingVariant (one of %s)", path, len(match), typ, strings.Join(names, ", "))
	}
}

// validateAutoscaling checks the autoscaling of every variant of e (at p).
func (c *Config) validateAutoscaling(p string, e *Endpoint, add func(path, format string, args ...any)) {
	for j := range e.Variants {
		validateVariantAutoscaling(fmt.Sprintf("%s.variants[%d]", p, j), e, &e.Variants[j], c.dir, add)
	}
}
