// Package config reads, decodes and validates the sagesize YAML file that
// names the SageMaker endpoints to watch, their latency SLO and their alarm
// thresholds.
//
// Decoding is strict: an unknown key, a value of the wrong type or a value
// that does not parse is reported with the file, the line, the field path and
// what would be valid. Validation reports every problem at once.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/sagesize/sagesize/catalog"
	"go.yaml.in/yaml/v3"
)

// DefaultPath is the config file read when no -c config=PATH is given.
const DefaultPath = "sagesize.yaml"

// DefaultVariant is the production variant name SageMaker's own tooling uses
// for a single-variant endpoint.
const DefaultVariant = "AllTraffic"

// Config is a validated sagesize configuration.
type Config struct {
	// Project names the deployment; it prefixes stack, dashboard and alarm names.
	Project string `yaml:"project"`
	// Release optionally identifies a model release (for example a CI build)
	// so that each release gets its own stack. -c release=ID overrides it.
	Release string `yaml:"release"`
	// Account and Region pin the stack's environment. Both empty means an
	// environment-agnostic template that deploys anywhere.
	Account string `yaml:"account"`
	Region  string `yaml:"region"`
	// Notifications says where alarm notifications go.
	Notifications Notifications `yaml:"notifications"`
	// Alarm holds the evaluation settings every alarm uses unless an endpoint
	// overrides them.
	Alarm Evaluation `yaml:"alarmDefaults"`
	// Prices overrides catalogue prices (USD per instance hour), keyed by
	// instance type, e.g. for a region other than the catalogue's or a
	// negotiated discount.
	Prices map[string]float64 `yaml:"prices"`
	// CloudWatchPrices overrides CloudWatch's list prices (USD) in the
	// estimate of `sagesize summary --config`, keyed by the rate names
	// --rate takes (dashboard, alarmMetric, ...; see cwcost.RateNames);
	// --rate wins over them.
	CloudWatchPrices map[string]float64 `yaml:"cloudwatchPrices"`
	// ServerlessPricePerGBSecond overrides the catalogue's Serverless
	// Inference compute price (USD per second per GB of configured memory;
	// catalog.ServerlessPricePerGBSecond, unverified) for the serverless
	// cost lines.
	ServerlessPricePerGBSecond *float64 `yaml:"serverlessPricePerGBSecond"`
	// Endpoints lists the SageMaker real-time endpoints to monitor.
	Endpoints []Endpoint `yaml:"endpoints"`
	// Notebooks lists the SageMaker notebook instances to make publish
	// utilization metrics, and to monitor.
	Notebooks []Notebook `yaml:"notebooks"`
	// Sharding controls how endpoints are spread across stacks.
	Sharding Sharding `yaml:"sharding"`
	// Dashboards chooses one dashboard per endpoint or shared dashboards.
	Dashboards Dashboards `yaml:"dashboards"`
	// ReleaseStacks tunes what per-release stacks create.
	ReleaseStacks ReleaseStacks `yaml:"releaseStacks"`
	// LoadTest configures the load-test infrastructure; it defaults when an
	// endpoint has a loadTest.
	LoadTest *LoadTestInfra `yaml:"loadTest"`
	// Sizing is a sizing test of candidate instance types (see Sizing).
	Sizing *Sizing `yaml:"sizing"`

	// Catalog is the instance catalogue with Prices applied; set by Load.
	Catalog *catalog.Catalog `yaml:"-"`

	// types bounds the "did you mean" work of one Validate (see lookup).
	types *typeIndex
	// dir is the config file's directory, where relative paths in it
	// start (empty: the working directory).
	dir string
}

// Notifications selects the SNS topic that alarm actions publish to: a new,
// encrypted topic that sagesize creates (optionally with e-mail
// subscriptions), or an existing topic given by ARN.
type Notifications struct {
	// TopicArn names an existing topic; when empty sagesize creates one.
	TopicArn string `yaml:"topicArn"`
	// Emails are subscribed to the topic sagesize creates.
	Emails []string `yaml:"emails"`
	// Warnings, when false, keeps warning alarms off the topic (they still
	// show on the dashboard). Default true.
	Warnings *bool `yaml:"warnings"`
}

// NotifyWarnings reports whether warning alarms publish to the topic.
func (n Notifications) NotifyWarnings() bool { return n.Warnings == nil || *n.Warnings }

// Evaluation is how an alarm evaluates its metric: the period of one data
// point and "DatapointsToAlarm out of EvaluationPeriods" breaching points.
type Evaluation struct {
	Period            Duration `yaml:"period"`
	EvaluationPeriods int      `yaml:"evaluationPeriods"`
	DatapointsToAlarm int      `yaml:"datapointsToAlarm"`
}

// Endpoint kinds: what hosts the endpoint's models, which decides the
// metrics SageMaker publishes for it and so its dashboard and alarms.
const (
	// KindRealtime is an instance-backed real-time endpoint whose variants
	// carry an instance type (the default).
	KindRealtime = "realtime"
	// KindServerless is a serverless endpoint whose variants carry a
	// memory size and a maximum concurrency, and no instance type.
	KindServerless = "serverless"
	// KindAsync is an asynchronous endpoint: instance-backed variants, a
	// request queue, and no Invocations or OverheadLatency metrics.
	KindAsync = "async"
	// KindMultiModel is a multi-model endpoint: instance-backed variants
	// that load models on demand.
	KindMultiModel = "multiModel"
	// KindInferenceComponents is an endpoint hosting inference components:
	// instance-backed variants, and the components listed in
	// Endpoint.InferenceComponents, which carry the invocation metrics.
	KindInferenceComponents = "inferenceComponents"
)

// Endpoint is one SageMaker endpoint to monitor.
type Endpoint struct {
	// Name is the SageMaker endpoint name.
	Name string `yaml:"name"`
	// Kind is KindRealtime (default), KindServerless, KindAsync,
	// KindMultiModel or KindInferenceComponents.
	Kind string `yaml:"kind"`
	// InferenceComponents are the components an inferenceComponents
	// endpoint hosts; refused on any other kind.
	InferenceComponents []InferenceComponent `yaml:"inferenceComponents"`
	// Variants are the endpoint's production variants; default one
	// AllTraffic variant is not assumed: the instance type must be given.
	Variants []Variant `yaml:"variants"`
	// SLO is the latency objective drawn on every latency graph.
	SLO SLO `yaml:"slo"`
	// Alarms holds the thresholds, keyed by severity, per alarm family.
	Alarms Alarms `yaml:"alarms"`
	// Evaluation overrides the alarmDefaults for this endpoint's alarms.
	Evaluation *Evaluation `yaml:"evaluation"`
	// LoadTest is the endpoint's load-test plan, run by `sagesize run`.
	LoadTest *EndpointLoadTest `yaml:"loadTest"`
	// EnhancedMetrics says that the endpoint's configuration publishes
	// SageMaker's enhanced metrics (MetricsConfig), so that its dashboard
	// draws per-instance and per-GPU utilization; real-time and
	// inference-component endpoints only.
	EnhancedMetrics *EnhancedMetrics `yaml:"enhancedMetrics"`
	// Sizing marks the endpoint that config sizing: describes and the
	// stack creates. Its alarms show on the dashboard but do not notify: a
	// sizing test breaks the SLO on purpose.
	Sizing bool `yaml:"-"`
	// Label, when set, stands for Name in dashboard and alarm names: the
	// sizing endpoint's default name <prefix>-sizing already carries the
	// prefix, so its names use SizingLabel instead of repeating it.
	Label string `yaml:"-"`
}

// SizingLabel is the sizing endpoint's part of dashboard and alarm names when
// its name is the default one.
const SizingLabel = "sizing"

// NameInResources is the endpoint's part of its dashboard and alarm names:
// <prefix>-<NameInResources>, <prefix>-<NameInResources>-<variant>-...
func (e *Endpoint) NameInResources() string {
	if e.Label != "" {
		return e.Label
	}
	return e.Name
}

// Variant is one production variant of an endpoint.
type Variant struct {
	// Name is the production variant name; default AllTraffic.
	Name string `yaml:"name"`
	// InstanceType is an ml.* hosting instance type from the catalogue.
	InstanceType string `yaml:"instanceType"`
	// InstanceCount is the number of instances; default 1.
	InstanceCount *int `yaml:"instanceCount"`
	// Serverless is the variant's serverless configuration, required on a
	// serverless endpoint (which has no instance type) and refused on any
	// other.
	Serverless *Serverless `yaml:"serverless"`
	// Autoscaling, when set, gives the variant a target-tracking scaling
	// policy (see Autoscaling).
	Autoscaling *Autoscaling `yaml:"autoscaling"`

	// Instance is InstanceType's catalogue entry, resolved by Validate;
	// zero for a serverless variant.
	Instance catalog.Instance `yaml:"-"`
}

// Serverless is a serverless production variant's configuration, as
// AWS::SageMaker::EndpointConfig ServerlessConfig has it.
type Serverless struct {
	// MemorySizeInMB is 1024, 2048, 3072, 4096, 5120 or 6144.
	MemorySizeInMB int `yaml:"memorySizeInMB"`
	// MaxConcurrency is 1 to 200 concurrent invocations.
	MaxConcurrency int `yaml:"maxConcurrency"`
	// ProvisionedConcurrency, when above 0, is the warm concurrency
	// (at most MaxConcurrency); SageMaker then publishes the provisioned
	// concurrency metrics.
	ProvisionedConcurrency int `yaml:"provisionedConcurrency"`
}

// EnhancedMetrics describes an endpoint configuration's MetricsConfig:
// EnableEnhancedMetrics and MetricPublishFrequencyInSeconds.
type EnhancedMetrics struct {
	// Enabled is EnableEnhancedMetrics; default true when the block is given.
	Enabled *bool `yaml:"enabled"`
	// Period is MetricPublishFrequencyInSeconds, 10s or 60s; default 60s.
	Period *Duration `yaml:"period"`
}

// Enhanced-metrics publishing periods sagesize draws at: high resolution
// (the sizing endpoint's) and SageMaker's default.
const (
	EnhancedHighResolution = 10 * time.Second
	EnhancedDefaultPeriod  = time.Minute
)

// Enhanced returns the period at which e publishes enhanced metrics, and
// whether it does.
func (e *Endpoint) Enhanced() (time.Duration, bool) {
	m := e.EnhancedMetrics
	if m == nil || m.Enabled != nil && !*m.Enabled {
		return 0, false
	}
	if m.Period == nil {
		return EnhancedDefaultPeriod, true
	}
	return m.Period.Duration, true
}

// IsAsync reports whether e is an asynchronous endpoint.
func (e *Endpoint) IsAsync() bool { return e.Kind == KindAsync }

// InferenceComponent is one model hosted on an endpoint as an inference
// component, with its copies and, when known, its reservation per copy
// (ComputeResourceRequirements).
type InferenceComponent struct {
	// Name is the inference component name.
	Name string `yaml:"name"`
	// Copies is the copy count; default 1.
	Copies *int `yaml:"copies"`
	// CPUCores is NumberOfCpuCoresRequired (optional).
	CPUCores float64 `yaml:"cpuCores"`
	// MemoryMiB is MinMemoryRequiredInMb (optional).
	MemoryMiB int `yaml:"memoryMiB"`
	// Accelerators is NumberOfAcceleratorDevicesRequired (optional).
	Accelerators float64 `yaml:"accelerators"`
}

// CopyCount is the component's copies (1 when not given).
func (ic InferenceComponent) CopyCount() int {
	if ic.Copies == nil {
		return 1
	}
	return *ic.Copies
}

// HasComponents reports whether e is an endpoint hosting inference components.
func (e *Endpoint) HasComponents() bool { return e.Kind == KindInferenceComponents }

// IsMultiModel reports whether e is a multi-model endpoint.
func (e *Endpoint) IsMultiModel() bool { return e.Kind == KindMultiModel }

// IsServerless reports whether e is a serverless endpoint.
func (e *Endpoint) IsServerless() bool { return e.Kind == KindServerless }

// Count is the variant's instance count (1 when not given).
func (v Variant) Count() int {
	if v.InstanceCount == nil {
		return 1
	}
	return *v.InstanceCount
}

// SLO is a latency service level objective: Percentile of requests finish
// within Latency.
type SLO struct {
	Percentile Percentile `yaml:"percentile"`
	Latency    Duration   `yaml:"latency"`
}

// Alarms holds the configured thresholds of every alarm family. A nil
// family has no alarms, except ModelLatency, which defaults to a critical
// alarm at the SLO.
type Alarms struct {
	ModelLatency           *LatencyThresholds `yaml:"modelLatency"`
	OverheadLatency        *LatencyThresholds `yaml:"overheadLatency"`
	Invocation5XXErrorRate *PercentThresholds `yaml:"invocation5xxErrorRate"`
	ModelErrorRate         *PercentThresholds `yaml:"modelErrorRate"`
	CPUUtilization         *PercentThresholds `yaml:"cpuUtilization"`
	GPUUtilization         *PercentThresholds `yaml:"gpuUtilization"`
	GPUMemoryUtilization   *PercentThresholds `yaml:"gpuMemoryUtilization"`
	MemoryUtilization      *PercentThresholds `yaml:"memoryUtilization"`
	DiskUtilization        *PercentThresholds `yaml:"diskUtilization"`
	// OldestRequestAge (ApproximateAgeOfOldestRequest, per endpoint) and
	// InvocationFailures (per variant and alarm period) are asynchronous
	// endpoints' only.
	OldestRequestAge   *DurationThresholds `yaml:"oldestRequestAge"`
	InvocationFailures *CountThresholds    `yaml:"invocationFailures"`
	// ModelLoadingWaitTime (upper bounds) and ModelCacheHitRatio (lower
	// bounds: the alarm fires below them) are multi-model endpoints' only.
	ModelLoadingWaitTime *LatencyThresholds `yaml:"modelLoadingWaitTime"`
	ModelCacheHitRatio   *PercentThresholds `yaml:"modelCacheHitRatio"`
}

// DurationThresholds are upper bounds on a duration (the Maximum of the
// metric over the alarm period).
type DurationThresholds struct {
	Warning  *Duration `yaml:"warning"`
	Critical *Duration `yaml:"critical"`
}

// CountThresholds are upper bounds on a count per alarm period (Sum).
type CountThresholds struct {
	Warning  *int `yaml:"warning"`
	Critical *int `yaml:"critical"`
}

// LatencyThresholds are upper bounds on a latency statistic.
type LatencyThresholds struct {
	// Statistic is a percentile (p99), Average or Maximum. ModelLatency
	// defaults to the SLO percentile, OverheadLatency to Average.
	Statistic Statistic `yaml:"statistic"`
	Warning   *Duration `yaml:"warning"`
	Critical  *Duration `yaml:"critical"`
}

// PercentThresholds are upper bounds on a percentage (error rate or
// utilization normalized to the whole instance).
type PercentThresholds struct {
	Warning  *Percent `yaml:"warning"`
	Critical *Percent `yaml:"critical"`
}

// Sharding controls how endpoints are spread across CloudFormation stacks.
type Sharding struct {
	// Stacks pins the number of endpoint stacks. 0 (the default) lets
	// sagesize choose the smallest number that keeps every stack at about
	// half of CloudFormation's limits. Pin it once a fleet is deployed so
	// that growth never moves an endpoint to another stack.
	Stacks int `yaml:"stacks"`
}

// Notebook is one SageMaker notebook instance. Notebook instances publish no
// utilization metrics by default; sagesize's lifecycle configuration makes
// the preinstalled CloudWatch agent publish them.
type Notebook struct {
	// Name is the notebook instance name.
	Name string `yaml:"name"`
	// InstanceType is the notebook's ml.* instance type (ml.t3 allowed).
	InstanceType string `yaml:"instanceType"`
	// MetricsInterval is how often the agent collects metrics: whole seconds
	// from 1s to 1h; below 60s the metrics are high resolution. Default 60s.
	MetricsInterval *Duration `yaml:"metricsInterval"`
	// AttachPolicyToRole names an existing IAM role (the notebook's execution
	// role) to which the stack attaches the metrics policy.
	AttachPolicyToRole string `yaml:"attachPolicyToRole"`
	// Create, when set, makes the stack create the notebook instance itself.
	Create *NotebookCreate `yaml:"create"`
	// Alarms holds the thresholds, keyed by severity, per alarm family.
	Alarms NotebookAlarms `yaml:"alarms"`
	// Evaluation overrides the alarmDefaults for this notebook's alarms.
	Evaluation *Evaluation `yaml:"evaluation"`

	// Instance is InstanceType's catalogue entry, resolved by Validate.
	Instance catalog.Instance `yaml:"-"`
}

// NotebookCreate describes a notebook instance the stack creates, with the
// lifecycle configuration attached.
type NotebookCreate struct {
	// RoleArn is the execution role; the metrics policy is attached to it.
	RoleArn string `yaml:"roleArn"`
	// VolumeSizeGB is the ML storage volume size; default 20.
	VolumeSizeGB int `yaml:"volumeSizeGB"`
	// SubnetID and SecurityGroupIDs place the notebook in a VPC; required
	// while direct internet access is off.
	SubnetID         string   `yaml:"subnetId"`
	SecurityGroupIDs []string `yaml:"securityGroupIds"`
	// KMSKeyArn encrypts the volume; default a key the stack creates.
	KMSKeyArn string `yaml:"kmsKeyArn"`
	// DirectInternetAccess through SageMaker's network; default false.
	DirectInternetAccess bool `yaml:"directInternetAccess"`
	// RootAccess for notebook users; default false (lifecycle scripts run as
	// root either way).
	RootAccess bool `yaml:"rootAccess"`
}

// NotebookAlarms holds the thresholds of a notebook's alarm families, all
// percentages (CPU over all cores, GPU averaged over GPUs).
type NotebookAlarms struct {
	CPUUtilization       *PercentThresholds `yaml:"cpuUtilization"`
	MemoryUtilization    *PercentThresholds `yaml:"memoryUtilization"`
	DiskUtilization      *PercentThresholds `yaml:"diskUtilization"`
	GPUUtilization       *PercentThresholds `yaml:"gpuUtilization"`
	GPUMemoryUtilization *PercentThresholds `yaml:"gpuMemoryUtilization"`
}

// Interval is the notebook's metrics collection interval (60s by default).
func (n Notebook) Interval() time.Duration {
	if n.MetricsInterval == nil {
		return time.Minute
	}
	return n.MetricsInterval.Duration
}

// LifecycleConfigName is the name of the notebook's lifecycle configuration.
func (c *Config) LifecycleConfigName(n *Notebook) string { return c.Prefix() + "-" + n.Name }

// EvaluationForNotebook returns the alarm evaluation settings of notebook n.
func (c *Config) EvaluationForNotebook(n *Notebook) Evaluation {
	if n.Evaluation != nil {
		return *n.Evaluation
	}
	return c.Alarm
}

// Overrides are values given on the command line that win over the file.
type Overrides struct {
	// Release replaces the file's release when non-empty (-c release=ID).
	Release string
	// SizingSLO replaces sizing.slo when not nil (sagesize report -slo).
	SizingSLO *SizingSLO
}

// MaxConfigBytes is the largest config file sagesize reads: 1 MiB. A fleet
// of 300 endpoints with alarms and load tests is about 136 KB (go run
// ./bench/genconfig 300), and CloudFormation's 500 resources per stack
// and sharding.stacks' 200 stacks bound a real fleet well below seven times
// that; a file beyond it is generated by mistake or meant to exhaust.
const MaxConfigBytes = 1 << 20

// MaxPrinted is how many problems an error message lists; a last line says
// how many more there are.
const MaxPrinted = 20

// Load reads the YAML file at path, decodes it strictly, applies o (which may
// be nil), fills defaults and validates the result. Every error names path.
func Load(path string, o *Overrides) (*Config, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, err
	}
	c, err := parse(data, o, filepath.Dir(path))
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	return c, nil
}

// readLimited reads the file at path, refusing one over MaxConfigBytes
// before reading it.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err) // *fs.PathError names the file
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	if len(data) > MaxConfigBytes {
		return nil, &FileError{Path: path, Err: tooLarge(f)}
	}
	return data, nil
}

func tooLarge(f *os.File) Problems {
	size := "more than 1 MiB"
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fmt.Sprintf("%.1f MiB", float64(fi.Size())/(1<<20))
	}
	return Problems{{Msg: fmt.Sprintf("the file is %s; sagesize reads configs of at most 1 MiB (%d bytes), several times a fleet of 300 endpoints", size, MaxConfigBytes)}}
}

// Parse decodes, defaults and validates a config held in memory (at most
// MaxConfigBytes, one YAML document). Relative paths in it start at the
// working directory.
func Parse(data []byte, o *Overrides) (*Config, error) { return parse(data, o, "") }

// parse is Parse with relative paths starting at dir.
func parse(data []byte, o *Overrides, dir string) (*Config, error) {
	if len(data) > MaxConfigBytes {
		return nil, Problems{{Msg: fmt.Sprintf("the config is %d bytes; sagesize reads configs of at most 1 MiB (%d bytes)", len(data), MaxConfigBytes)}}
	}
	if strings.TrimSpace(stripComments(data)) == "" {
		return nil, Problems{{Msg: "the file is empty; start from sagesize.yaml or config/examples/"}}
	}
	root, err := oneDocument(data)
	if err != nil {
		return nil, err
	}
	c := Config{dir: dir}
	if ps := decodeShape(root, &c); len(ps) > 0 {
		return nil, ps
	}
	if o != nil && o.Release != "" {
		c.Release = o.Release
	}
	if o != nil && o.SizingSLO != nil && c.Sizing != nil {
		slo := *o.SizingSLO
		c.Sizing.SLO = &slo
	}
	c.setDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// oneDocument parses data as YAML and refuses a second document: sagesize
// would otherwise read the first and silently drop the rest. An empty
// document after the first (a trailing ---) is allowed.
func oneDocument(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root, next yaml.Node
	if err := dec.Decode(&root); err != nil {
		return nil, Problems{{Msg: err.Error()}}
	}
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
		return &root, nil
	case err != nil:
		return nil, Problems{{Msg: err.Error()}}
	case len(next.Content) == 1 && next.Content[0].Tag == "!!null" && next.Content[0].Value == "":
		if err := dec.Decode(&next); errors.Is(err, io.EOF) {
			return &root, nil
		}
	}
	return nil, Problems{{Line: next.Line, Msg: "a second YAML document starts here; a config is one document: merge them, or keep one per file"}}
}

// FileError is a config problem in a named file. Its message prefixes every
// problem line with the file name.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string {
	var ps Problems
	if errors.As(e.Err, &ps) {
		return ps.render(e.Path + ": ")
	}
	return e.Path + ": " + e.Err.Error()
}

func (e *FileError) Unwrap() error { return e.Err }

// Problem is one thing wrong with a config: where (a field path such as
// endpoints[1].alarms.modelLatency.critical, and the line when known) and what.
type Problem struct {
	Path string
	Line int
	Msg  string
}

// maxLine bounds a rendered problem: values in messages are quoted cut
// (see quote), but a message may carry another package's error that quotes
// a long value whole, such as a load plan of thousands of steps.
const maxLine = 1000

// String renders the problem as "path: msg" or "path (line N): msg", at
// most maxLine characters.
func (p Problem) String() string {
	s := p.render()
	if r := []rune(s); len(r) > maxLine {
		s = string(r[:maxLine]) + "…"
	}
	return s
}

func (p Problem) render() string {
	switch {
	case p.Path == "" && p.Line == 0:
		return p.Msg
	case p.Path == "":
		return fmt.Sprintf("line %d: %s", p.Line, p.Msg)
	case p.Line == 0:
		return p.Path + ": " + p.Msg
	default:
		return fmt.Sprintf("%s (line %d): %s", p.Path, p.Line, p.Msg)
	}
}

// Problems is every problem found in one config; it is the error Validate
// and Parse return. Its message lists the first MaxPrinted.
type Problems []Problem

func (ps Problems) Error() string { return ps.render("") }

// render lists the first MaxPrinted problems, one a line after prefix, and
// then how many more there are.
func (ps Problems) render(prefix string) string {
	var b strings.Builder
	for i, p := range ps[:min(len(ps), MaxPrinted)] {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(prefix + p.String())
	}
	if more := len(ps) - MaxPrinted; more > 0 {
		fmt.Fprintf(&b, "\n%s… and %d more problems (%d in all; fix these and run again)", prefix, more, len(ps))
	}
	return b.String()
}

// stripComments drops YAML comment lines so that a file of comments counts as empty.
func stripComments(data []byte) string {
	var b strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") && t != "---" {
			b.WriteString(t)
		}
	}
	return b.String()
}

// StackName is the CloudFormation stack name for this project and release.
func (c *Config) StackName() string { return c.Prefix() + "-monitoring" }

// Prefix is project[-release], the start of every stack, dashboard and
// alarm name.
func (c *Config) Prefix() string {
	if c.Release == "" {
		return c.Project
	}
	return c.Project + "-" + c.Release
}

// EvaluationFor returns the alarm evaluation settings of endpoint e.
func (c *Config) EvaluationFor(e *Endpoint) Evaluation {
	if e.Evaluation != nil {
		return *e.Evaluation
	}
	return c.Alarm
}

// typeIndex answers "is this an instance type" in constant time and counts
// the unknown types given suggestions: each suggestion costs an edit
// distance to every catalogue type, so only the first MaxPrinted unknown
// types get one, and a config with thousands of wrong types still
// validates in milliseconds.
type typeIndex struct {
	known     map[string]bool
	suggested int
}

func newTypeIndex(cat *catalog.Catalog) *typeIndex {
	ix := &typeIndex{known: make(map[string]bool, cat.Len())}
	for _, t := range cat.Types() {
		ix.known[t] = true
	}
	return ix
}

// unknown returns the error for an unknown instance type typ, with
// suggestions from cat while the budget lasts.
func (ix *typeIndex) unknown(cat *catalog.Catalog, typ string) error {
	if r := []rune(typ); len(r) > maxQuoted {
		// Too long to be a typo, and too costly to measure: no suggestion.
		return &catalog.UnknownTypeError{Type: string(r[:maxQuoted]) + "…"}
	}
	if ix.suggested < MaxPrinted {
		ix.suggested++
		_, err := cat.Lookup(typ)
		return err
	}
	return &catalog.UnknownTypeError{Type: typ}
}

// lookup resolves an instance type in c.Catalog (see typeIndex).
func (c *Config) lookup(typ string) (catalog.Instance, error) {
	if c.types == nil || c.types.known[typ] {
		return c.Catalog.Lookup(typ)
	}
	return catalog.Instance{}, c.types.unknown(c.Catalog, typ)
}

// ServerlessPrice is the Serverless Inference price per GB-second the
// cost lines use, and whether the config set it (else it is the
// catalogue's unverified built-in rate).
func (c *Config) ServerlessPrice() (perGBSecond float64, configured bool) {
	if p := c.ServerlessPricePerGBSecond; p != nil {
		return *p, true
	}
	return catalog.ServerlessPricePerGBSecond, false
}

// checkPrices reports each price override for an unknown type or of a
// price that is not a positive finite number, and returns the valid ones.
func (c *Config) checkPrices(base *catalog.Catalog, add func(path, format string, args ...any)) map[string]float64 {
	keys := make([]string, 0, len(c.Prices))
	for k := range c.Prices {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	valid := make(map[string]float64, len(keys))
	for _, k := range keys {
		p := c.Prices[k]
		switch {
		case !c.types.known[k]:
			add("prices", "price override: %v", c.types.unknown(base, k))
		case !(p > 0) || math.IsInf(p, 0):
			add("prices", "%v", &catalog.InvalidPriceError{Type: k, Price: p})
		default:
			valid[k] = p
		}
	}
	return valid
}
