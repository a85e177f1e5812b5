package monitoring

import (
	"fmt"

	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/naming"
)

// Multi-model endpoints publish a real-time endpoint's metrics and the
// model loading metrics (metrics.MultiModel), every one by EndpointName,
// VariantName. Their segment is a real-time variant's plus one row.

// Multi-model families: loading wait in ms; the cache hit ratio is
// ModelCacheHit's Average (a fraction) shown in %.
func modelLoadingWaitTime() family {
	return latencyFamily(naming.FamilyModelLoadingWaitTime, metrics.ModelLoadingWaitTime)
}
func modelCacheHitRatio() family {
	return family{key: naming.FamilyModelCacheHitRatio, namespace: metrics.NamespaceInvocations, metric: metrics.ModelCacheHit, unit: "%", scale: metrics.FractionAsPercent()}
}

// multiModelRow plans v's loading wait and cache hit alarms and returns
// its row: model loading times, cache hit ratio, loaded models.
func (p *EndpointPlan) multiModelRow(vi int, v Variant) []dashboard.Cell {
	a := p.props.Alarms
	vm := newVariantMetrics(p.props.EndpointName, v.Name)
	avg, maxStat := metrics.StatAverage, metrics.StatMaximum
	loadLines, loadAnn := p.latencyGraph(vi, v, modelLoadingWaitTime(), "mlw", []string{avg, maxStat}, a.ModelLoadingWaitTime)
	for i, m := range []string{metrics.ModelLoadingTime, metrics.ModelDownloadingTime, metrics.ModelUnloadingTime} {
		loadLines = append(loadLines, vm.display(latencyFamily(m, m), avg, lineID("mload", i), m+" avg (ms)", "")...)
	}
	f := modelCacheHitRatio()
	hitAnn := annotations(p.af.thresholds(a.ModelCacheHitRatio, alarmSpec{
		idPrefix: fmt.Sprintf("V%d%s", vi, f.key),
		name: func(severity string) string {
			return naming.EndpointAlarm(p.prefix, p.props.label(), v.Name, f.key, severity)
		},
		fam: f, dims: vm.dims(), stat: avg, what: "cache hit ratio", below: true,
		description: func(shown float64) string {
			return fmt.Sprintf("The model cache hit ratio (ModelCacheHit Average) of SageMaker multi-model endpoint %s variant %s (%s) is below %s %% (%s in the published unit).",
				p.props.EndpointName, v.Name, v.Instance.Type, num(shown), num(f.scale.ToPublished(shown)))
		},
	}))
	loaded := []dashboard.Line{
		dashboard.Metric{Namespace: metrics.NamespaceInstances, Name: metrics.LoadedModelCount, Dims: vm.dims(), Stat: avg, Period: vm.period, ID: "loaded", Label: "per instance (avg)"},
		dashboard.Metric{Namespace: metrics.NamespaceInstances, Name: metrics.LoadedModelCount, Dims: vm.dims(), Stat: metrics.StatSum, Period: vm.period, ID: "loadedsum", Label: "all instances (sum)"},
	}
	return []dashboard.Cell{
		graphCell(thirdWidth, v.Name+": Model loading (ms)", loadLines, dashboard.FromZeroAxis("ms"), loadAnn),
		graphCell(thirdWidth, v.Name+": Model cache hit ratio (%)", vm.display(f, avg, "hit", "cache hits (% of requests)", ""), dashboard.PercentAxis(), hitAnn),
		graphCell(thirdWidth, v.Name+": Loaded models", loaded, dashboard.FromZeroAxis("count"), nil),
	}
}
