package monitoring

import (
	"fmt"
	"strings"
	"time"

	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
)

// loadTestPeriod is the period, in seconds, of the load-test graphs: loadgen
// publishes high-resolution data once per interval. Latency is a µs
// distribution (Values/Counts), so CloudWatch computes its percentiles over
// every task of a test; the other metrics are counts.
const loadTestPeriod = int(metrics.LoadTestPeriod / time.Second)

// loadTestSearch is a SEARCH over one endpoint's load-test metric: one
// series per test id and variant, whatever test ids runs use.
func loadTestSearch(namespace, endpoint, metric, stat string) string {
	q := fmt.Sprintf(`{%s,%s} %s="%s" MetricName="%s"`, namespace, sortedDimensions(metrics.LoadTestDimensions()), metrics.DimEndpointName, endpoint, metric)
	return fmt.Sprintf("SEARCH('%s', '%s', %d)", strings.ReplaceAll(q, "'", ""), stat, loadTestPeriod)
}

// loadTestRows are the client-side view of a load test, laid out so that
// client latency, the endpoint's own latency and its utilization share one
// screen: client p50/p99 beside ModelLatency and OverheadLatency beside
// CPU, memory and GPU of the first variant; then achieved vs planned
// request rate and client-side errors.
func (p *EndpointPlan) loadTestRows() [][]dashboard.Cell {
	e := p.props
	ns, ep := e.LoadTestNamespace, e.EndpointName
	inMillis := metrics.MicrosAsMillis()
	client := []dashboard.Line{
		dashboard.Expr{Expression: inMillis.Expr(loadTestSearch(ns, ep, metrics.LoadTestLatency, "p50")), Label: "client p50 (ms)", ID: "clp50"},
		dashboard.Expr{Expression: inMillis.Expr(loadTestSearch(ns, ep, metrics.LoadTestLatency, "p99")), Label: "client p99 (ms)", ID: "clp99"},
	}
	avg := metrics.StatAverage
	var server, util []dashboard.Line
	for i, v := range e.Variants {
		vm := newVariantMetrics(ep, v.Name)
		server = append(server, vm.display(modelLatency(), e.SLOPercentile, lineID("srvm", i), v.Name+" ModelLatency "+e.SLOPercentile+" (ms)", "")...)
		server = append(server, vm.display(overheadLatency(), avg, lineID("srvo", i), v.Name+" OverheadLatency avg (ms)", "")...)
		if v.Serverless == nil { // serverless variants publish no CPU metric
			util = append(util, vm.display(cpuUtilization(v.Instance), avg, lineID("ucpu", i), v.Name+" CPU (%)", "")...)
		}
		util = append(util, vm.display(memoryUtilization(), avg, lineID("umem", i), v.Name+" memory (%)", "")...)
		if v.Instance.GPUs() > 0 {
			util = append(util, vm.display(gpuUtilization(v.Instance), avg, lineID("ugpu", i), v.Name+" GPU (%)", "")...)
		}
	}
	// Counts per period, summed over tasks and tests, per second.
	rate := []dashboard.Line{
		dashboard.Expr{Expression: fmt.Sprintf("SUM(%s)/%d", search(ns, ep, metrics.LoadTestRequests), loadTestPeriod), Label: "achieved (req/s)", ID: "achieved"},
		dashboard.Expr{Expression: fmt.Sprintf("(SUM(%s)+SUM(%s))/%d", search(ns, ep, metrics.LoadTestRequests), search(ns, ep, metrics.LoadTestDropped), loadTestPeriod), Label: "planned (req/s)", ID: "planned"},
	}
	errs := []dashboard.Line{
		dashboard.Expr{Expression: search(ns, ep, metrics.LoadTestErrors), Label: "errors", ID: "errs"},
		dashboard.Expr{Expression: search(ns, ep, metrics.LoadTestThrottles), Label: "throttled", ID: "thr"},
		dashboard.Expr{Expression: search(ns, ep, metrics.LoadTestDropped), Label: "dropped (generator saturated)", ID: "drop"},
	}
	slo := sloLines(e.SLOPercentile, e.SLOLatency)
	clientSLO := slo
	if e.Stream != nil { // a stream's client latency is its end-to-end time
		clientSLO = append(sloLines(e.SLOPercentile, e.SLOLatency), streamSLOLine("E2E", e.Stream.E2E)...)
	}
	return [][]dashboard.Cell{
		{titleCell("## Load test (client side, every task of each test id; " + ns + ")")},
		{
			graphCell(thirdWidth, "Client latency (ms)", client, dashboard.FromZeroAxis("ms"), clientSLO),
			graphCell(thirdWidth, "Endpoint latency (ms)", server, dashboard.FromZeroAxis("ms"), slo),
			graphCell(thirdWidth, "Utilization (% of instance)", util, dashboard.PercentAxis(), nil),
		},
		{
			graphCell(halfWidth, "Request rate: achieved vs planned (req/s)", rate, dashboard.FromZeroAxis("req/s"), nil),
			graphCell(halfWidth, fmt.Sprintf("Client errors (per %d s)", loadTestPeriod), errs, dashboard.FromZeroAxis("count"), nil),
		},
	}
}

// search is a Sum SEARCH over one load-test count metric.
func search(ns, ep, metric string) string { return loadTestSearch(ns, ep, metric, metrics.StatSum) }
