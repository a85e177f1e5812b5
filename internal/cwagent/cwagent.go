// Package cwagent generates the CloudWatch agent configuration and the SageMaker
// notebook-instance on-start lifecycle script that makes a notebook instance publish
// CPU, memory, disk, swap and (on GPU instance types) NVIDIA GPU utilization metrics.
//
// SageMaker notebook instances publish no utilization metrics of their own. They do
// ship the CloudWatch agent (/opt/aws/amazon-cloudwatch-agent), so the on-start script
// writes the agent config embedded in it (nothing is downloaded at boot) and applies it
// with `amazon-cloudwatch-agent-ctl -a append-config -m ec2 -s`.
//
// # How the agent names metrics and dimensions
//
// These facts come from the agent's source (github.com/aws/amazon-cloudwatch-agent:
// translator/translate/metrics/..., plugins/outputs/cloudwatch/cloudwatch.go,
// plugins/inputs/nvidia_smi) and its documentation; Published models them.
//
//   - Metric name = "<plugin>_<field>": cpu_usage_active, mem_used_percent,
//     disk_used_percent, swap_used_percent. The "nvidia_gpu" config section maps to the
//     telegraf plugin "nvidia_smi", so its metrics are nvidia_smi_utilization_gpu etc.
//     A measurement's "rename" replaces the name (we never rename).
//   - The raw dimensions of a series are the plugin's tags: the per-plugin
//     append_dimensions (arbitrary keys allowed at plugin level), "host" unless
//     agent.omit_hostname is true, and the plugin's resource tags:
//     cpu: "cpu" (cpu-total when totalcpu, which defaults to true; cpu0..N when
//     resources contains "*"); disk: "path", "fstype", "device" (the last removed by
//     drop_device; "mode" is always excluded by the agent); nvidia_smi: "index", "name"
//     and, with nvidia-smi XML schema v12+ drivers, "arch" ("uuid", "pstate",
//     "compute_mode" are on the agent's deny list); mem and swap: none.
//   - metrics.aggregation_dimensions adds, for each listed dimension set D and each raw
//     series S, a copy of every datum with exactly the dimensions D, but only when every
//     key of D is present in S and len(D) < len(S) (ProcessRollup). CloudWatch then
//     aggregates all datums that share D: Average = mean over the rolled-up series
//     (e.g. over GPUs, already 0–100), Maximum = the fullest disk or busiest GPU.
//   - Tags prefixed "aws:" (e.g. aws:StorageResolution, added below a 60s interval)
//     are stripped by the agent's CloudWatch output and are never dimensions.
//   - A plugin's drop_original_metrics suppresses the raw series of the listed metrics
//     but keeps the rollups. Dropping a metric whose raw series has no rollup (because
//     its raw dimension set is already minimal, as for mem and swap) publishes nothing.
//
// # The configuration this package generates
//
// agent.omit_hostname is true (no "host" dimension: notebook hosts are anonymous and
// change on every restart). Every plugin appends {NotebookInstanceName: <name>} (the
// name is read at boot from /opt/ml/metadata/resource-metadata.json). Aggregation
// dimensions are [[NotebookInstanceName], [NotebookInstanceName, path]] plus, on GPU
// instance types, [NotebookInstanceName, index]. Raw series whose dimension sets are
// not fully predictable (disk: fstype/device; GPU: name/arch) or redundant (cpu: the
// constant cpu=cpu-total) are dropped, so every published series has a small dimension
// set whose values the dashboard knows. What gets published (see Published):
//
//	CPU         cpu_usage_active              {NotebookInstanceName}        0–100, all cores
//	memory      mem_used_percent              {NotebookInstanceName}        0–100
//	swap        swap_used_percent             {NotebookInstanceName}        0–100 (no data if no swap)
//	disk        disk_used_percent             {NotebookInstanceName, path}  path = "/" or "/home/ec2-user/SageMaker"
//	disk (any)  disk_used_percent             {NotebookInstanceName}        use Maximum: the fullest of the two volumes
//	GPU         nvidia_smi_utilization_gpu    {NotebookInstanceName}        Average = mean over GPUs, 0–100
//	GPU (each)  nvidia_smi_utilization_gpu    {NotebookInstanceName, index} index = "0", "1", ...
//	GPU memory  nvidia_smi_memory_used/_total {NotebookInstanceName[, index]} MiB as reported by nvidia-smi;
//	            plot 100*used/total (metric math) for GPU memory utilization
//	GPU memory bandwidth nvidia_smi_utilization_memory (same dimension sets), % of time memory was read/written
//
// The dashboard should use: CPU, memory, swap and GPU (utilization, memory used/total,
// memory busy) with {NotebookInstanceName} and statistic Average; disk with
// {NotebookInstanceName, path} per volume (SageMakerVolumePath is the one users fill).
package cwagent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sagesize/sagesize/metrics"
)

// DefaultNamespace is the CloudWatch namespace used when Options.Namespace is
// empty: metrics.NamespaceNotebook.
const DefaultNamespace = metrics.NamespaceNotebook

// MaxScriptChars is SageMaker's limit on a lifecycle hook's Content. Content is the
// base64 encoding of the script, so the limit applies to the encoded length: the raw
// script may be at most MaxScriptBytes long.
const MaxScriptChars = 16384

// MaxScriptBytes is the longest raw script whose base64 encoding fits MaxScriptChars.
const MaxScriptBytes = MaxScriptChars / 4 * 3

// NotebookDimension is the dimension key carrying the notebook instance name:
// metrics.DimNotebookInstanceName.
const NotebookDimension = metrics.DimNotebookInstanceName

// NamePlaceholder stands for the notebook instance name in AgentConfig's output; the
// on-start script replaces it with the name it reads from the instance metadata.
const NamePlaceholder = "__SAGESIZE_NOTEBOOK_INSTANCE_NAME__"

// Dimension keys and values the generated config produces, for dashboards.
const (
	// PathDimension is the disk plugin's mount-point dimension.
	PathDimension = "path"
	// GPUIndexDimension is the nvidia_smi plugin's GPU index dimension ("0", "1", ...).
	GPUIndexDimension = "index"
	// RootVolumePath is the root file system of the notebook instance.
	RootVolumePath = "/"
	// SageMakerVolumePath is the notebook's ML storage (EBS) volume, the one users fill.
	SageMakerVolumePath = "/home/ec2-user/SageMaker"
)

// Metric names the generated config publishes.
const (
	MetricCPUUtilization    = "cpu_usage_active"
	MetricMemoryUtilization = "mem_used_percent"
	MetricDiskUtilization   = "disk_used_percent"
	MetricSwapUtilization   = "swap_used_percent"
	MetricGPUUtilization    = "nvidia_smi_utilization_gpu"
	MetricGPUMemoryBusy     = "nvidia_smi_utilization_memory"
	MetricGPUMemoryUsed     = "nvidia_smi_memory_used"
	MetricGPUMemoryTotal    = "nvidia_smi_memory_total"
)

const (
	defaultInterval            = 60 * time.Second
	maxInterval                = time.Hour
	maxNamespaceLen            = 255
	highResolutionThresholdSec = 60
)

// Options for one notebook's agent config and on-start script.
type Options struct {
	// Namespace is the custom CloudWatch namespace; empty means DefaultNamespace.
	// It must be 1–255 printable ASCII characters, not start with "AWS/" (reserved)
	// or ":".
	Namespace string
	// GPU enables the nvidia_gpu plugin. Set it only for GPU instance types: the
	// agent's nvidia_smi input fails without nvidia-smi. The on-start script still
	// checks for a working nvidia-smi and falls back to the CPU-only config (logging a
	// warning) when it is missing, so that the notebook starts and CPU/memory/disk
	// metrics still flow; the GPU widgets then show no data.
	GPU bool
	// Interval is metrics_collection_interval for every plugin; zero means 60s. It
	// must be whole seconds between 1s and 1h. Below 60s the agent publishes the
	// metrics as high-resolution (StorageResolution 1; CloudWatch keeps sub-minute
	// data for 3 hours). The agent still flushes to CloudWatch every 60s.
	Interval time.Duration
}

// normalize applies defaults and validates o.
func (o Options) normalize() (Options, error) {
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.Interval == 0 {
		o.Interval = defaultInterval
	}
	var errs []error
	if n := len(o.Namespace); n > maxNamespaceLen {
		errs = append(errs, fmt.Errorf("namespace is %d characters long, CloudWatch allows at most %d", n, maxNamespaceLen))
	}
	for _, r := range o.Namespace {
		if r < 0x20 || r > 0x7e {
			errs = append(errs, fmt.Errorf("namespace %q: only printable ASCII characters are allowed", o.Namespace))
			break
		}
	}
	if strings.HasPrefix(o.Namespace, "AWS/") {
		errs = append(errs, fmt.Errorf("namespace %q: the AWS/ prefix is reserved for AWS services", o.Namespace))
	}
	if strings.HasPrefix(o.Namespace, ":") {
		errs = append(errs, fmt.Errorf("namespace %q must not start with ':'", o.Namespace))
	}
	if o.Interval < time.Second || o.Interval > maxInterval || o.Interval%time.Second != 0 {
		errs = append(errs, fmt.Errorf("interval %v: must be whole seconds between 1s and %v", o.Interval, maxInterval))
	}
	return o, errors.Join(errs...)
}

// HighResolution reports whether the agent will publish o's metrics as
// high-resolution (collection interval below 60 seconds).
func (o Options) HighResolution() bool {
	o, err := o.normalize()
	return err == nil && o.Interval < highResolutionThresholdSec*time.Second
}

// The JSON document, as ordered structs so that the output is deterministic and reads
// in a natural order (encoding/json sorts map keys).
type agentConfig struct {
	Agent   agentSection   `json:"agent"`
	Metrics metricsSection `json:"metrics"`
}

type agentSection struct {
	OmitHostname bool `json:"omit_hostname"`
}

type metricsSection struct {
	Namespace             string           `json:"namespace"`
	AggregationDimensions [][]string       `json:"aggregation_dimensions"`
	MetricsCollected      metricsCollected `json:"metrics_collected"`
}

type metricsCollected struct {
	CPU       *pluginSection `json:"cpu,omitempty"`
	Mem       *pluginSection `json:"mem,omitempty"`
	Swap      *pluginSection `json:"swap,omitempty"`
	Disk      *pluginSection `json:"disk,omitempty"`
	NvidiaGPU *pluginSection `json:"nvidia_gpu,omitempty"`
}

type pluginSection struct {
	Measurement         []measurement     `json:"measurement"`
	Resources           []string          `json:"resources,omitempty"`
	TotalCPU            *bool             `json:"totalcpu,omitempty"`
	DropDevice          *bool             `json:"drop_device,omitempty"`
	Interval            int               `json:"metrics_collection_interval"`
	AppendDimensions    map[string]string `json:"append_dimensions"`
	DropOriginalMetrics []string          `json:"drop_original_metrics,omitempty"`
}

type measurement struct {
	Name string `json:"name"`
	Unit string `json:"unit,omitempty"`
}

// AgentConfig returns the CloudWatch agent JSON (deterministic, indented, ending in a
// newline) for o. The notebook name appears as NamePlaceholder.
//
// Choices, besides those in the package documentation:
//   - Only "agent.omit_hostname" is set in the agent section and every interval is
//     per plugin, so append-config merges with other config files (e.g. one that ships
//     logs) without conflicting agent-level keys. The agent refuses to merge files that
//     define the same plugin or the same key with different values; the on-start
//     script then fails loudly (the notebook does not start) rather than silently
//     publishing nothing.
//   - cpu: totalcpu only (no per-core series), measurement usage_active (100 - idle,
//     over all cores, so already normalized to 0–100).
//   - disk: resources are the root volume and the SageMaker EBS volume only (no
//     tmpfs/overlay noise); drop_device because the device name (xvda1, nvme0n1p1, ...)
//     depends on the instance family.
//   - Units: "Percent" on percentages; GPU memory used/total carry no unit (nvidia-smi
//     reports MiB, which has no CloudWatch unit).
func AgentConfig(o Options) ([]byte, error) {
	o, err := o.normalize()
	if err != nil {
		return nil, fmt.Errorf("cwagent: %w", err)
	}
	interval := int(o.Interval / time.Second)
	dims := func() map[string]string { return map[string]string{NotebookDimension: NamePlaceholder} }
	yes := true
	percent := func(name string) measurement { return measurement{Name: name, Unit: "Percent"} }

	cfg := agentConfig{
		Agent: agentSection{OmitHostname: true},
		Metrics: metricsSection{
			Namespace: o.Namespace,
			AggregationDimensions: [][]string{
				{NotebookDimension},
				{NotebookDimension, PathDimension},
			},
			MetricsCollected: metricsCollected{
				CPU: &pluginSection{
					Measurement:         []measurement{percent(MetricCPUUtilization)},
					TotalCPU:            &yes,
					Interval:            interval,
					AppendDimensions:    dims(),
					DropOriginalMetrics: []string{MetricCPUUtilization},
				},
				Mem: &pluginSection{
					Measurement:      []measurement{percent(MetricMemoryUtilization)},
					Interval:         interval,
					AppendDimensions: dims(),
				},
				Swap: &pluginSection{
					Measurement:      []measurement{percent(MetricSwapUtilization)},
					Interval:         interval,
					AppendDimensions: dims(),
				},
				Disk: &pluginSection{
					Measurement:         []measurement{percent(MetricDiskUtilization)},
					Resources:           []string{RootVolumePath, SageMakerVolumePath},
					DropDevice:          &yes,
					Interval:            interval,
					AppendDimensions:    dims(),
					DropOriginalMetrics: []string{MetricDiskUtilization},
				},
			},
		},
	}
	if o.GPU {
		cfg.Metrics.AggregationDimensions = append(cfg.Metrics.AggregationDimensions,
			[]string{NotebookDimension, GPUIndexDimension})
		gpuMetrics := []string{MetricGPUUtilization, MetricGPUMemoryBusy, MetricGPUMemoryUsed, MetricGPUMemoryTotal}
		cfg.Metrics.MetricsCollected.NvidiaGPU = &pluginSection{
			Measurement: []measurement{
				percent(MetricGPUUtilization),
				percent(MetricGPUMemoryBusy),
				{Name: MetricGPUMemoryUsed},
				{Name: MetricGPUMemoryTotal},
			},
			Interval:            interval,
			AppendDimensions:    dims(),
			DropOriginalMetrics: gpuMetrics,
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(cfg); err != nil {
		return nil, fmt.Errorf("cwagent: encode agent config: %w", err)
	}
	return buf.Bytes(), nil
}

// Metric is one metric the agent publishes: name and the exact, sorted set of
// dimension names.
type Metric struct {
	Name       string
	Dimensions []string
}

// String renders m as "name{dim1,dim2}".
func (m Metric) String() string {
	return m.Name + "{" + strings.Join(m.Dimensions, ",") + "}"
}

// pluginModel describes what one metrics_collected section makes the agent publish.
type pluginModel struct {
	// prefix is the telegraf plugin name that prefixes metric names.
	prefix string
	// fields the model knows (measurement names without the prefix).
	fields []string
	// tags returns the plugin's resource tags for a section: those it always has, and
	// those it may have depending on the agent version or the GPU driver.
	tags func(section map[string]any) (always, maybe []string, err error)
}

var pluginModels = map[string]pluginModel{
	"cpu": {
		prefix: "cpu",
		fields: []string{"usage_active", "usage_idle", "usage_iowait", "usage_user", "usage_system",
			"usage_nice", "usage_steal", "usage_irq", "usage_softirq", "usage_guest", "usage_guest_nice"},
		tags: func(s map[string]any) ([]string, []string, error) {
			total, err := boolField(s, "totalcpu", true)
			if err != nil {
				return nil, nil, err
			}
			perCPU := false
			if res, ok := s["resources"].([]any); ok {
				for _, r := range res {
					if r == "*" {
						perCPU = true
					}
				}
			}
			if !total && !perCPU {
				return nil, nil, errors.New("cpu: totalcpu is false and resources has no \"*\": the agent publishes nothing")
			}
			return []string{"cpu"}, nil, nil
		},
	},
	"mem": {
		prefix: "mem",
		fields: []string{"used_percent", "available_percent", "used", "free", "total", "available",
			"cached", "buffered", "active", "inactive"},
		tags: func(map[string]any) ([]string, []string, error) { return nil, nil, nil },
	},
	"swap": {
		prefix: "swap",
		fields: []string{"used_percent", "used", "free"},
		tags:   func(map[string]any) ([]string, []string, error) { return nil, nil, nil },
	},
	"disk": {
		prefix: "disk",
		fields: []string{"used_percent", "free", "total", "used", "inodes_free", "inodes_used", "inodes_total"},
		tags: func(s map[string]any) ([]string, []string, error) {
			dropDevice, err := boolField(s, "drop_device", false)
			if err != nil {
				return nil, nil, err
			}
			always := []string{"fstype", "path"}
			if !dropDevice {
				always = append(always, "device")
			}
			// Newer telegraf versions may tag disks with their file-system label.
			return always, []string{"label"}, nil
		},
	},
	"nvidia_gpu": {
		prefix: "nvidia_smi",
		fields: []string{"utilization_gpu", "utilization_memory", "memory_total", "memory_used", "memory_free",
			"temperature_gpu", "power_draw", "fan_speed", "clocks_current_graphics", "clocks_current_sm",
			"clocks_current_memory", "clocks_current_video"},
		tags: func(map[string]any) ([]string, []string, error) {
			// "arch" is added only by drivers whose nvidia-smi speaks XML schema v12+;
			// "uuid", "pstate" and "compute_mode" are on the agent's deny list.
			return []string{"index", "name"}, []string{"arch"}, nil
		},
	},
}

// Published parses an agent config JSON (the one AgentConfig produced) and returns
// every (metric name, dimension set) it causes the agent to publish, sorted by name,
// then by number of dimensions, then by dimension names. It derives the answer from the config itself: measurement
// lists (and renames), agent.omit_hostname, per-plugin append_dimensions and resource
// tags, metrics.aggregation_dimensions and drop_original_metrics, following the
// agent's rules described in the package documentation.
//
// It refuses, rather than guesses, what it cannot predict exactly: plugins or fields
// it does not model, metrics-level append_dimensions, and raw (non-rolled-up) series
// of plugins whose tag set varies by agent or driver version (disk, nvidia_gpu) unless
// those metrics are listed in drop_original_metrics.
func Published(agentConfig []byte) ([]Metric, error) {
	doc, err := parseAgentDoc(agentConfig)
	if err != nil {
		return nil, err
	}
	var set metricSet
	var errs []error
	for _, plugin := range sortedKeys(doc.collected) {
		s, err := parsePlugin(plugin, doc.collected[plugin], doc.omitHost)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, s.publish(doc.rollups, &set)...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("cwagent: %w", err)
	}
	return set.sorted(), nil
}

// agentDoc is what Published reads from an agent config besides the plugin
// sections' contents.
type agentDoc struct {
	// omitHost is agent.omit_hostname: no "host" tag on any series.
	omitHost bool
	// rollups is metrics.aggregation_dimensions.
	rollups [][]string
	// collected is metrics.metrics_collected, keyed by plugin section name.
	collected map[string]any
}

// parseAgentDoc decodes an agent config and checks its agent and metrics
// sections, refusing metrics-level append_dimensions.
func parseAgentDoc(agentConfig []byte) (agentDoc, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(agentConfig))
	if err := dec.Decode(&doc); err != nil {
		return agentDoc{}, fmt.Errorf("cwagent: parse agent config: %w", err)
	}
	var d agentDoc
	var err error
	if agent, ok := doc["agent"].(map[string]any); ok {
		if d.omitHost, err = boolField(agent, "omit_hostname", false); err != nil {
			return agentDoc{}, fmt.Errorf("cwagent: agent: %w", err)
		}
	}
	sec, ok := doc["metrics"].(map[string]any)
	if !ok {
		return agentDoc{}, errors.New("cwagent: agent config has no metrics section")
	}
	if _, ok := sec["append_dimensions"]; ok {
		return agentDoc{}, errors.New("cwagent: metrics-level append_dimensions is not modelled (it only takes ${aws:...} values and drops host); use per-plugin append_dimensions")
	}
	if d.rollups, err = stringSets(sec["aggregation_dimensions"]); err != nil {
		return agentDoc{}, fmt.Errorf("cwagent: aggregation_dimensions: %w", err)
	}
	if d.collected, ok = sec["metrics_collected"].(map[string]any); !ok || len(d.collected) == 0 {
		return agentDoc{}, errors.New("cwagent: metrics.metrics_collected is missing or empty")
	}
	return d, nil
}

// pluginSeries is what one metrics_collected section makes the agent collect:
// its metrics and the tags of their raw series.
type pluginSeries struct {
	plugin string
	names  []metricName
	// raw holds the tags every raw series has; maybe those it may also have,
	// depending on the agent or driver version.
	raw, maybe map[string]bool
	// dropped holds the prefixed fields whose raw series are not published.
	dropped map[string]bool
}

// parsePlugin reads the metrics_collected section of plugin from section,
// with the "host" tag unless omitHost.
func parsePlugin(plugin string, section any, omitHost bool) (pluginSeries, error) {
	model, ok := pluginModels[plugin]
	if !ok {
		return pluginSeries{}, fmt.Errorf("plugin %q is not modelled", plugin)
	}
	sec, ok := section.(map[string]any)
	if !ok {
		return pluginSeries{}, fmt.Errorf("%s: section is not an object", plugin)
	}
	names, err := metricNames(plugin, model, sec)
	if err != nil {
		return pluginSeries{}, err
	}
	always, maybe, err := model.tags(sec)
	if err != nil {
		return pluginSeries{}, err
	}
	appendDims, err := stringMapKeys(sec["append_dimensions"])
	if err != nil {
		return pluginSeries{}, fmt.Errorf("%s: append_dimensions: %w", plugin, err)
	}
	dropList, err := stringList(sec["drop_original_metrics"])
	if err != nil {
		return pluginSeries{}, fmt.Errorf("%s: drop_original_metrics: %w", plugin, err)
	}
	s := pluginSeries{plugin: plugin, names: names, raw: map[string]bool{}, maybe: map[string]bool{}, dropped: map[string]bool{}}
	for _, k := range append(appendDims, always...) {
		s.raw[k] = true
	}
	if !omitHost {
		s.raw["host"] = true
	}
	for _, k := range maybe {
		if !s.raw[k] {
			s.maybe[k] = true
		}
	}
	for _, d := range dropList {
		s.dropped[model.prefix+"_"+strings.TrimPrefix(d, model.prefix+"_")] = true
	}
	return s, nil
}

// publish adds to set every series s's metrics are published as: the raw
// series of those not dropped, and the rollups of every metric to each of
// rollups that applies. It returns an error for each series it cannot
// predict exactly.
func (s pluginSeries) publish(rollups [][]string, set *metricSet) []error {
	var errs []error
	rawDims := sortedKeys(s.raw)
	for _, n := range s.names {
		if !s.dropped[n.field] {
			if len(s.maybe) > 0 {
				errs = append(errs, fmt.Errorf("%s: the raw series of %s has dimensions %v plus possibly %v depending on the agent or driver version; list it in drop_original_metrics and use aggregation_dimensions", s.plugin, n.name, rawDims, sortedKeys(s.maybe)))
			} else {
				set.add(n.name, rawDims)
			}
		}
		for _, target := range rollups {
			applies, err := s.rollup(target, n.name)
			if err != nil {
				errs = append(errs, err)
			} else if applies {
				set.add(n.name, target)
			}
		}
	}
	return errs
}

// rollup reports whether the agent's ProcessRollup rolls metric's raw series
// up to target: every key of target present in the raw series, and strictly
// fewer keys than the raw series. It returns an error when that depends on
// the agent or driver version.
func (s pluginSeries) rollup(target []string, metric string) (bool, error) {
	present, unsure := true, false
	for _, k := range target {
		switch {
		case s.raw[k]:
		case s.maybe[k]:
			unsure = true
		default:
			present = false
		}
	}
	switch {
	case !present:
		return false, nil
	case unsure:
		return false, fmt.Errorf("%s: aggregation %v uses a dimension of %s that depends on the agent or driver version", s.plugin, target, metric)
	case len(target) < len(s.raw):
		return true, nil
	case len(target) >= len(s.raw)+len(s.maybe):
		// Not fewer keys than the raw series: the agent skips it.
		return false, nil
	default:
		return false, fmt.Errorf("%s: whether aggregation %v applies to %s depends on the agent or driver version", s.plugin, target, metric)
	}
}

// metricSet collects published metrics without duplicates.
type metricSet struct {
	seen map[string]bool
	list []Metric
}

// add records metric name with the dimensions dims (in any order).
func (s *metricSet) add(name string, dims []string) {
	d := append([]string(nil), dims...)
	sort.Strings(d)
	m := Metric{Name: name, Dimensions: d}
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	if !s.seen[m.String()] {
		s.seen[m.String()] = true
		s.list = append(s.list, m)
	}
}

// sorted returns the metrics sorted by name, then by number of dimensions,
// then by dimension names.
func (s *metricSet) sorted() []Metric {
	out := s.list
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if len(a.Dimensions) != len(b.Dimensions) {
			return len(a.Dimensions) < len(b.Dimensions)
		}
		return strings.Join(a.Dimensions, ",") < strings.Join(b.Dimensions, ",")
	})
	return out
}

type metricName struct {
	field string // prefixed field name, used to match drop_original_metrics
	name  string // CloudWatch metric name (after rename)
}

func metricNames(plugin string, model pluginModel, section map[string]any) ([]metricName, error) {
	list, ok := section["measurement"].([]any)
	if !ok || len(list) == 0 {
		return nil, fmt.Errorf("%s: measurement is missing or empty", plugin)
	}
	var out []metricName
	for _, item := range list {
		var name, rename string
		switch v := item.(type) {
		case string:
			name = v
		case map[string]any:
			name, _ = v["name"].(string)
			rename, _ = v["rename"].(string)
		}
		field := strings.TrimPrefix(strings.TrimSpace(name), model.prefix+"_")
		known := false
		for _, f := range model.fields {
			if f == field {
				known = true
			}
		}
		if !known {
			return nil, fmt.Errorf("%s: measurement %q is not a field this package models", plugin, name)
		}
		n := metricName{field: model.prefix + "_" + field, name: model.prefix + "_" + field}
		if rename = strings.TrimSpace(rename); rename != "" {
			n.name = rename
		}
		out = append(out, n)
	}
	return out, nil
}

func boolField(m map[string]any, key string, def bool) (bool, error) {
	v, ok := m[key]
	if !ok {
		return def, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("%s must be a boolean, got %v", key, v)
	}
	return b, nil
}

func stringList(v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("want a list of strings, got %v", v)
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("want a list of strings, got element %v", x)
		}
		out = append(out, s)
	}
	return out, nil
}

func stringSets(v any) ([][]string, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("want a list of lists of strings, got %v", v)
	}
	var out [][]string
	for _, x := range list {
		s, err := stringList(x)
		if err != nil {
			return nil, err
		}
		if s == nil {
			s = []string{}
		}
		out = append(out, s)
	}
	return out, nil
}

func stringMapKeys(v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want an object, got %v", v)
	}
	for k, val := range m {
		if _, ok := val.(string); !ok {
			return nil, fmt.Errorf("value of %q must be a string", k)
		}
		if strings.HasPrefix(k, "aws:") {
			return nil, fmt.Errorf("key %q: aws: keys are reserved by the agent", k)
		}
	}
	return sortedKeys(m), nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
