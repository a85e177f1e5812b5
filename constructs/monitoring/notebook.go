package monitoring

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/internal/cwagent"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/naming"
)

// NotebookAlarms are a notebook's thresholds per alarm family, all in
// percent (CPU over all cores, GPU averaged over GPUs, GPU memory used of
// the total). A nil family has no alarms.
type NotebookAlarms struct {
	CPUUtilization       *Thresholds
	MemoryUtilization    *Thresholds
	DiskUtilization      *Thresholds
	GPUUtilization       *Thresholds
	GPUMemoryUtilization *Thresholds
}

// NotebookMonitorProps describes one SageMaker notebook instance whose
// CloudWatch agent (see constructs/notebook) publishes into Namespace.
type NotebookMonitorProps struct {
	// NotebookName is the notebook instance name, the value of the agent's
	// NotebookInstanceName dimension.
	NotebookName string
	// Instance is the notebook's instance type.
	Instance catalog.Instance
	// Namespace is where the agent publishes; empty means metrics.NamespaceNotebook.
	Namespace string
	// Interval is the agent's collection interval; graphs use it as their
	// period when it is under a minute.
	Interval time.Duration
	// LifecycleConfigName is shown in the header.
	LifecycleConfigName string
	// Alarms are the thresholds per alarm family and severity.
	Alarms NotebookAlarms
	// Evaluation is how the alarms evaluate.
	Evaluation Evaluation
}

// NotebookMonitor is the alarms and dashboard segment of one notebook instance.
type NotebookMonitor struct {
	constructs.Construct
	// Alarms are every threshold alarm, in creation order.
	Alarms []*Alarm
	// Composite is in ALARM while any critical alarm of the notebook is
	// (or any warning, when it has no critical thresholds); nil without alarms.
	Composite awscloudwatch.CfnCompositeAlarm

	props  *NotebookMonitorProps
	prefix string
	rows   [][]dashboard.Cell
}

// notebookMetrics builds the graph lines of one notebook: the metric names
// and dimension sets are exactly those cwagent's agent config publishes.
type notebookMetrics struct {
	namespace, notebook string
	period              int
}

func (m notebookMetrics) dims(extra ...dashboard.Dim) []dashboard.Dim {
	return append([]dashboard.Dim{{Name: cwagent.NotebookDimension, Value: m.notebook}}, extra...)
}

func (m notebookMetrics) line(metric, stat, id, label string, extra ...dashboard.Dim) dashboard.Metric {
	return dashboard.Metric{Namespace: m.namespace, Name: metric, Dims: m.dims(extra...), Stat: stat, Period: m.period, ID: id, Label: label}
}

// agentFamily is a percentage metric of the agent, published 0–100.
func agentFamily(namespace, key, metric string) family {
	return family{key: key, namespace: namespace, metric: metric, unit: "%", scale: metrics.Same()}
}

// newNotebookMonitor plans the notebook's alarms and dashboard rows and
// creates the alarms under a new construct. Facade.AddNotebook is the
// public entry.
func newNotebookMonitor(scope constructs.Construct, id *string, props *NotebookMonitorProps, prefix string, actions Actions) *NotebookMonitor {
	ns := props.Namespace
	if ns == "" {
		ns = metrics.NamespaceNotebook
	}
	period := int(time.Minute / time.Second) // the agent's default interval
	if s := int(props.Interval.Seconds()); s > 0 && s < period {
		period = s
	}
	m := &NotebookMonitor{props: props, prefix: prefix}
	af := &alarmFactory{eval: props.Evaluation, prefix: prefix}
	nm := notebookMetrics{namespace: ns, notebook: props.NotebookName, period: period}
	a := props.Alarms
	name := props.NotebookName
	inst := props.Instance
	avg := metrics.StatAverage
	volume := dashboard.Dim{Name: cwagent.PathDimension, Value: cwagent.SageMakerVolumePath}
	root := dashboard.Dim{Name: cwagent.PathDimension, Value: cwagent.RootVolumePath}

	threshold := func(f family, what string, dims []dashboard.Dim, t *Thresholds) []dashboard.Horizontal {
		return annotations(af.thresholds(t, alarmSpec{
			idPrefix: f.key, name: func(severity string) string { return naming.NotebookAlarm(prefix, name, f.key, severity) }, fam: f, dims: dims, stat: avg, what: what,
			description: func(shown float64) string {
				return fmt.Sprintf("%s of SageMaker notebook instance %s (%s) is above %s %%.", what, name, inst.Type, num(shown))
			},
		}))
	}

	cpuAnn := threshold(agentFamily(ns, naming.FamilyCPUUtilization, cwagent.MetricCPUUtilization), "CPU", nm.dims(), a.CPUUtilization)
	memAnn := threshold(agentFamily(ns, naming.FamilyMemoryUtilization, cwagent.MetricMemoryUtilization), "memory", nm.dims(), a.MemoryUtilization)
	diskAnn := threshold(agentFamily(ns, naming.FamilyDiskUtilization, cwagent.MetricDiskUtilization), "disk "+cwagent.SageMakerVolumePath, nm.dims(volume), a.DiskUtilization)

	rows := [][]dashboard.Cell{{
		graphCell(thirdWidth, fmt.Sprintf("%s: CPU (%% of %s)", name, plural(inst.VCPUs, "vCPU")), []dashboard.Line{
			nm.line(cwagent.MetricCPUUtilization, avg, "cpu", "CPU avg (%)"),
			nm.line(cwagent.MetricCPUUtilization, metrics.StatMaximum, "cpumax", "CPU max (%)"),
		}, dashboard.PercentAxis(), cpuAnn),
		graphCell(thirdWidth, name+": Memory and swap (%)", []dashboard.Line{
			nm.line(cwagent.MetricMemoryUtilization, avg, "mem", "Memory (%)"),
			nm.line(cwagent.MetricSwapUtilization, avg, "swap", "Swap (%)"),
		}, dashboard.PercentAxis(), memAnn),
		graphCell(thirdWidth, name+": Disk (%)", []dashboard.Line{
			nm.line(cwagent.MetricDiskUtilization, avg, "diskml", "ML volume "+cwagent.SageMakerVolumePath+" (%)", volume),
			nm.line(cwagent.MetricDiskUtilization, avg, "diskroot", "Root volume / (%)", root),
		}, dashboard.PercentAxis(), diskAnn),
	}}

	if gpus := inst.GPUs(); gpus > 0 {
		gAnn := threshold(agentFamily(ns, naming.FamilyGPUUtilization, cwagent.MetricGPUUtilization), "GPU", nm.dims(), a.GPUUtilization)
		gmAnn := annotations(af.thresholds(a.GPUMemoryUtilization, alarmSpec{
			idPrefix: naming.FamilyGPUMemoryUtilization, what: "GPU memory",
			name: func(severity string) string {
				return naming.NotebookAlarm(prefix, name, naming.FamilyGPUMemoryUtilization, severity)
			},
			fam: agentFamily(ns, naming.FamilyGPUMemoryUtilization, ""), dims: nm.dims(), stat: avg,
			ratio: &[2]string{cwagent.MetricGPUMemoryUsed, cwagent.MetricGPUMemoryTotal},
			description: func(shown float64) string {
				return fmt.Sprintf("GPU memory used of SageMaker notebook instance %s (%s) is above %s %% of the total.", name, inst.Type, num(shown))
			},
		}))
		gpuLines := []dashboard.Line{nm.line(cwagent.MetricGPUUtilization, avg, "gpu", "GPU avg over GPUs (%)")}
		if gpus > 1 {
			for i := range gpus {
				gpuLines = append(gpuLines, nm.line(cwagent.MetricGPUUtilization, avg, lineID("gpu", i), fmt.Sprintf("GPU %d (%%)", i),
					dashboard.Dim{Name: cwagent.GPUIndexDimension, Value: fmt.Sprint(i)}))
			}
		}
		used := nm.line(cwagent.MetricGPUMemoryUsed, avg, "gmused", "")
		total := nm.line(cwagent.MetricGPUMemoryTotal, avg, "gmtotal", "")
		used.Hidden, total.Hidden = true, true
		rows = append(rows, []dashboard.Cell{
			graphCell(halfWidth, fmt.Sprintf("%s: GPU (%% of %s)", name, plural(gpus, "GPU")), gpuLines, dashboard.PercentAxis(), gAnn),
			graphCell(halfWidth, fmt.Sprintf("%s: GPU memory used (%% of %s GiB)", name, num(inst.AcceleratorMemoryGiB)), []dashboard.Line{
				used, total, dashboard.Expr{Expression: metrics.FractionAsPercent().Expr("gmused/gmtotal"), Label: "GPU memory used (%)", ID: "gmpct"},
				nm.line(cwagent.MetricGPUMemoryBusy, avg, "gmbusy", "GPU memory busy, % of time"),
			}, dashboard.PercentAxis(), gmAnn),
		})
	}

	top, _ := af.header(name, m.headerMarkdown(ns), func() string {
		return fmt.Sprintf("SageMaker notebook instance %s breaks a critical threshold. See the dashboard %s.", name, m.DashboardName())
	})
	m.rows = append([][]dashboard.Cell{top}, rows...)
	m.Alarms = af.alarms
	m.Construct = constructs.NewConstruct(scope, id)
	m.Composite = af.build(m.Construct, actions)
	return m
}

func (m *NotebookMonitor) headerMarkdown(ns string) string {
	p := m.props
	i := p.Instance
	var b strings.Builder
	fmt.Fprintf(&b, "# Notebook instance %s\n", p.NotebookName)
	fmt.Fprintf(&b, "**%s**: %d vCPU, %s GiB", i.Type, i.VCPUs, num(i.MemoryGiB))
	if i.AcceleratorCount > 0 {
		fmt.Fprintf(&b, ", %d× %s (%s GiB)", i.AcceleratorCount, i.AcceleratorModel, num(i.AcceleratorMemoryGiB))
	}
	fmt.Fprintf(&b, " · [Notebook in the SageMaker console](https://%s/sagemaker/home?region=%s#/notebook-instances/%s)\n\n", dashboard.ConsoleDomain, dashboard.Region, p.NotebookName)
	fmt.Fprintf(&b, "Metrics come from the CloudWatch agent started by the lifecycle configuration **%s** (namespace `%s`). ", p.LifecycleConfigName, ns)
	b.WriteString("No data means the notebook was not (re)started with it, or its role lacks the sagesize metrics policy.")
	return b.String()
}

// DashboardName is <prefix>-<notebook>.
func (m *NotebookMonitor) DashboardName() string {
	return naming.Dashboard(m.prefix, m.props.NotebookName)
}

// Rows are the dashboard rows: header, utilization, and GPU on GPU instances.
func (m *NotebookMonitor) Rows() [][]dashboard.Cell { return m.rows }
