package monitoring

import (
	"fmt"
	"strings"

	"github.com/sagesize/sagesize/dashboard"
)

// Load-test metrics, as loadgen publishes them: per interval, with the
// dimensions EndpointName, VariantName and TestId. Latency is a µs
// distribution (Values/Counts), so CloudWatch computes its percentiles over
// every task of a test; the others are counts.
const (
	loadTestLatency  = "Latency"
	loadTestRequests = "Requests"
	loadTestDropped  = "Dropped"
	loadTestErrors   = "Errors"
	loadTestThrottle = "Throttles"
	loadTestPeriod   = 10 // seconds: loadgen publishes high-resolution data
)

// loadTestSearch is a SEARCH over one endpoint's load-test metric: one
// series per test id and variant, whatever test ids runs use.
func loadTestSearch(namespace, endpoint, metric, stat string) string {
	q := fmt.Sprintf(`{%s,EndpointName,TestId,VariantName} EndpointName="%s" MetricName="%s"`, namespace, endpoint, metric)
	return fmt.Sprintf("SEARCH('%s', '%s', %d)", strings.ReplaceAll(q, "'", ""), stat, loadTestPeriod)
}

// loadTestRows are the client-side view of a load test, laid out so that
// client latency, the endpoint's own latency and its utilization share one
// screen: client p50/p99 beside ModelLatency and OverheadLatency beside
// CPU, memory and GPU of the first variant; then achieved vs planned
// request rate and client-side errors.
func (m *EndpointMonitor) loadTestRows() [][]dashboard.Cell {
	p := m.props
	ns, ep := p.LoadTestNamespace, p.EndpointName
	sloMs := float64(p.SLOLatency.Microseconds()) / 1000
	client := []dashboard.Line{
		dashboard.Expr{Expression: loadTestSearch(ns, ep, loadTestLatency, "p50") + "/1000", Label: "client p50 (ms)", ID: "clp50"},
		dashboard.Expr{Expression: loadTestSearch(ns, ep, loadTestLatency, "p99") + "/1000", Label: "client p99 (ms)", ID: "clp99"},
	}
	var server, util []dashboard.Line
	for i, v := range p.Variants {
		vm := variantMetrics{endpoint: ep, variant: v.Name, instance: v.Instance, period: 60}
		server = append(server, vm.display(modelLatency(), p.SLOPercentile, lineID("srvm", i), v.Name+" ModelLatency "+p.SLOPercentile+" (ms)", "")...)
		server = append(server, vm.display(overheadLatency(), "Average", lineID("srvo", i), v.Name+" OverheadLatency avg (ms)", "")...)
		util = append(util, vm.display(cpuUtilization(v.Instance), "Average", lineID("ucpu", i), v.Name+" CPU (%)", "")...)
		util = append(util, vm.display(memoryUtilization(), "Average", lineID("umem", i), v.Name+" memory (%)", "")...)
		if v.Instance.GPUs() > 0 {
			util = append(util, vm.display(gpuUtilization(v.Instance), "Average", lineID("ugpu", i), v.Name+" GPU (%)", "")...)
		}
	}
	// Counts per 10 s period, summed over tasks and tests, per second.
	rate := []dashboard.Line{
		dashboard.Expr{Expression: fmt.Sprintf("SUM(%s)/%d", search(ns, ep, loadTestRequests), loadTestPeriod), Label: "achieved (req/s)", ID: "achieved"},
		dashboard.Expr{Expression: fmt.Sprintf("(SUM(%s)+SUM(%s))/%d", search(ns, ep, loadTestRequests), search(ns, ep, loadTestDropped), loadTestPeriod), Label: "planned (req/s)", ID: "planned"},
	}
	errs := []dashboard.Line{
		dashboard.Expr{Expression: search(ns, ep, loadTestErrors), Label: "errors", ID: "errs"},
		dashboard.Expr{Expression: search(ns, ep, loadTestThrottle), Label: "throttled", ID: "thr"},
		dashboard.Expr{Expression: search(ns, ep, loadTestDropped), Label: "dropped (generator saturated)", ID: "drop"},
	}
	slo := []dashboard.Horizontal{sloLine(p.SLOPercentile, sloMs)}
	return [][]dashboard.Cell{
		{titleCell("## Load test (client side, every task of each test id; " + ns + ")")},
		{
			graphCell(thirdWidth, "Client latency (ms)", client, dashboard.FromZeroAxis("ms"), slo),
			graphCell(thirdWidth, "Endpoint latency (ms)", server, dashboard.FromZeroAxis("ms"), slo),
			graphCell(thirdWidth, "Utilization (% of instance)", util, dashboard.PercentAxis(), nil),
		},
		{
			graphCell(halfWidth, "Request rate: achieved vs planned (req/s)", rate, dashboard.FromZeroAxis("req/s"), nil),
			graphCell(halfWidth, "Client errors (per 10 s)", errs, dashboard.FromZeroAxis("count"), nil),
		},
	}
}

// search is a Sum SEARCH over one load-test count metric.
func search(ns, ep, metric string) string { return loadTestSearch(ns, ep, metric, "Sum") }
