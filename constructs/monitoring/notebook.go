package monitoring

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/sagesize/sagesize/catalog"
	"github.com/sagesize/sagesize/config"
	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/internal/cwagent"
)

// NotebookMonitorProps describes one SageMaker notebook instance whose
// CloudWatch agent (see constructs/notebook) publishes into Namespace.
type NotebookMonitorProps struct {
	// NotebookName is the notebook instance name, the value of the agent's
	// NotebookInstanceName dimension.
	NotebookName string
	// Instance is the notebook's instance type.
	Instance catalog.Instance
	// Namespace is where the agent publishes; empty means cwagent.DefaultNamespace.
	Namespace string
	// Interval is the agent's collection interval; graphs use it as their
	// period when it is under a minute.
	Interval time.Duration
	// LifecycleConfigName is shown in the header.
	LifecycleConfigName string
	// Alarms are the thresholds per alarm family and severity.
	Alarms config.NotebookAlarms
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

	props *NotebookMonitorProps
	names func(parts ...string) string
	rows  [][]dashboard.Cell
	af    *alarmFactory
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
	return family{key: key, namespace: namespace, metric: metric, unit: "%", mul: 1, div: 1}
}

func newNotebookMonitor(scope constructs.Construct, id *string, props *NotebookMonitorProps, names func(...string) string, actions Actions) *NotebookMonitor {
	ns := props.Namespace
	if ns == "" {
		ns = cwagent.DefaultNamespace
	}
	period := 60
	if s := int(props.Interval.Seconds()); s > 0 && s < period {
		period = s
	}
	m := &NotebookMonitor{props: props, names: names}
	af := &alarmFactory{eval: props.Evaluation, actions: actions}
	m.af = af
	nm := notebookMetrics{namespace: ns, notebook: props.NotebookName, period: period}
	a := props.Alarms
	name := props.NotebookName
	volume := dashboard.Dim{Name: cwagent.PathDimension, Value: cwagent.SageMakerVolumePath}
	root := dashboard.Dim{Name: cwagent.PathDimension, Value: cwagent.RootVolumePath}

	threshold := func(f family, what string, dims []dashboard.Dim, t *config.PercentThresholds) []dashboard.Horizontal {
		if t == nil {
			return nil
		}
		var ann []dashboard.Horizontal
		for _, s := range []struct {
			sev string
			val *float64
		}{{Warning, pct(t.Warning)}, {Critical, pct(t.Critical)}} {
			if s.val == nil {
				continue
			}
			al := af.add(alarmSpec{
				id: f.key + s.sev, name: names(name, f.key, s.sev), fam: f, dims: dims, stat: "Average",
				display: *s.val, severity: s.sev, what: what,
				description: fmt.Sprintf("%s of SageMaker notebook instance %s (%s) is above %s %%.", what, name, props.Instance.Type, num(*s.val)),
			})
			m.Alarms = append(m.Alarms, al)
			ann = append(ann, al.Annotation)
		}
		return ann
	}

	cpuAnn := threshold(agentFamily(ns, "CPUUtilization", cwagent.MetricCPUUtilization), "CPU", nm.dims(), a.CPUUtilization)
	memAnn := threshold(agentFamily(ns, "MemoryUtilization", cwagent.MetricMemoryUtilization), "memory", nm.dims(), a.MemoryUtilization)
	diskAnn := threshold(agentFamily(ns, "DiskUtilization", cwagent.MetricDiskUtilization), "disk "+cwagent.SageMakerVolumePath, nm.dims(volume), a.DiskUtilization)

	inst := props.Instance
	rows := [][]dashboard.Cell{{
		graphCell(thirdWidth, fmt.Sprintf("%s: CPU (%% of %s)", name, plural(inst.VCPUs, "vCPU")), []dashboard.Line{
			nm.line(cwagent.MetricCPUUtilization, "Average", "cpu", "CPU avg (%)"),
			nm.line(cwagent.MetricCPUUtilization, "Maximum", "cpumax", "CPU max (%)"),
		}, dashboard.PercentAxis(), cpuAnn),
		graphCell(thirdWidth, name+": Memory and swap (%)", []dashboard.Line{
			nm.line(cwagent.MetricMemoryUtilization, "Average", "mem", "Memory (%)"),
			nm.line(cwagent.MetricSwapUtilization, "Average", "swap", "Swap (%)"),
		}, dashboard.PercentAxis(), memAnn),
		graphCell(thirdWidth, name+": Disk (%)", []dashboard.Line{
			nm.line(cwagent.MetricDiskUtilization, "Average", "diskml", "ML volume "+cwagent.SageMakerVolumePath+" (%)", volume),
			nm.line(cwagent.MetricDiskUtilization, "Average", "diskroot", "Root volume / (%)", root),
		}, dashboard.PercentAxis(), diskAnn),
	}}

	if gpus := inst.GPUs(); gpus > 0 {
		gAnn := threshold(agentFamily(ns, "GPUUtilization", cwagent.MetricGPUUtilization), "GPU", nm.dims(), a.GPUUtilization)
		var gmAnn []dashboard.Horizontal
		if t := a.GPUMemoryUtilization; t != nil {
			for _, s := range []struct {
				sev string
				val *float64
			}{{Warning, pct(t.Warning)}, {Critical, pct(t.Critical)}} {
				if s.val == nil {
					continue
				}
				al := af.addRatio(ratioSpec{
					id: "GPUMemoryUtilization" + s.sev, name: names(name, "GPUMemoryUtilization", s.sev), severity: s.sev, what: "GPU memory",
					namespace: ns, num: cwagent.MetricGPUMemoryUsed, den: cwagent.MetricGPUMemoryTotal, dims: nm.dims(), display: *s.val,
					description: fmt.Sprintf("GPU memory used of SageMaker notebook instance %s (%s) is above %s %% of the total.", name, inst.Type, num(*s.val)),
				})
				m.Alarms = append(m.Alarms, al)
				gmAnn = append(gmAnn, al.Annotation)
			}
		}
		gpuLines := []dashboard.Line{nm.line(cwagent.MetricGPUUtilization, "Average", "gpu", "GPU avg over GPUs (%)")}
		if gpus > 1 {
			for i := range gpus {
				gpuLines = append(gpuLines, nm.line(cwagent.MetricGPUUtilization, "Average", lineID("gpu", i), fmt.Sprintf("GPU %d (%%)", i),
					dashboard.Dim{Name: cwagent.GPUIndexDimension, Value: fmt.Sprint(i)}))
			}
		}
		used := nm.line(cwagent.MetricGPUMemoryUsed, "Average", "gmused", "")
		total := nm.line(cwagent.MetricGPUMemoryTotal, "Average", "gmtotal", "")
		used.Hidden, total.Hidden = true, true
		rows = append(rows, []dashboard.Cell{
			graphCell(halfWidth, fmt.Sprintf("%s: GPU (%% of %s)", name, plural(gpus, "GPU")), gpuLines, dashboard.PercentAxis(), gAnn),
			graphCell(halfWidth, fmt.Sprintf("%s: GPU memory used (%% of %s GiB)", name, num(inst.AcceleratorMemoryGiB)), []dashboard.Line{
				used, total, dashboard.Expr{Expression: "100*gmused/gmtotal", Label: "GPU memory used (%)", ID: "gmpct"},
				nm.line(cwagent.MetricGPUMemoryBusy, "Average", "gmbusy", "GPU memory busy, % of time"),
			}, dashboard.PercentAxis(), gmAnn),
		})
	}

	var arns []string
	if gather := gatherForComposite(m.Alarms); len(gather) > 0 {
		compositeName := names(name, "AnyCritical")
		af.composite("AnyCritical", compositeName,
			fmt.Sprintf("SageMaker notebook instance %s breaks a critical threshold. See the dashboard %s.", name, m.DashboardName()), gather, &m.Composite)
		arns = append(arns, dashboard.AlarmARN(compositeName))
	}
	for _, al := range m.Alarms {
		arns = append(arns, dashboard.AlarmARN(al.Name))
	}
	top := []dashboard.Cell{dashboard.TextCell(2*thirdWidth, headerHeight, m.headerMarkdown(ns))}
	if len(arns) > 0 {
		top = append(top, dashboard.AlarmStatusCell(thirdWidth, headerHeight, "Alarms", arns))
	}
	m.rows = append([][]dashboard.Cell{top}, rows...)
	m.Construct = constructs.NewConstruct(scope, id)
	af.materialize(m.Construct)
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
	fmt.Fprintf(&b, " · [Notebook in the SageMaker console](https://console.aws.amazon.com/sagemaker/home?region=%s#/notebook-instances/%s)\n\n", dashboard.Region, p.NotebookName)
	fmt.Fprintf(&b, "Metrics come from the CloudWatch agent started by the lifecycle configuration **%s** (namespace `%s`). ", p.LifecycleConfigName, ns)
	b.WriteString("No data means the notebook was not (re)started with it, or its role lacks the sagesize metrics policy.")
	return b.String()
}

// DashboardName is <prefix>-<notebook>.
func (m *NotebookMonitor) DashboardName() string { return m.names(m.props.NotebookName) }

// Rows are the dashboard rows: header, utilization, and GPU on GPU instances.
func (m *NotebookMonitor) Rows() [][]dashboard.Cell { return m.rows }

// gatherForComposite picks the alarms a composite gathers: the critical
// ones, or every alarm when none is critical.
func gatherForComposite(alarms []*Alarm) []*Alarm {
	var critical []*Alarm
	for _, a := range alarms {
		if a.Severity == Critical {
			critical = append(critical, a)
		}
	}
	if len(critical) == 0 {
		return alarms
	}
	return critical
}
