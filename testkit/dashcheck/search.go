package dashcheck

import (
	"fmt"
	"strings"

	"github.com/sagesize/sagesize/dashboard/check"
	contract "github.com/sagesize/sagesize/metrics"
)

// Search is one SEARCH function of a metric math expression, narrowed to
// one metric name: SEARCH('{Namespace,Dim1,Dim2} ... MetricName="Name"',
// 'Stat', Period). The schema in braces is the exact dimension set every
// series it returns has.
type Search struct {
	Namespace  string
	Dimensions []string
	Metric     string
	Stat       string
	Period     int
}

// Searches returns every SEARCH of expr, as the dashboard validator
// (package dashboard/check) reads them. A SEARCH whose query names no
// MetricName, or whose schema is not {Namespace,dims...}, is an error:
// sagesize's dashboards always narrow a SEARCH to one metric of a known
// dimension set, so that it can be checked against the catalogue.
func Searches(expr string) ([]Search, error) {
	ss, err := check.Searches(expr)
	if err != nil {
		return nil, err
	}
	out := make([]Search, 0, len(ss))
	for _, s := range ss {
		out = append(out, Search{Namespace: s.Namespace, Dimensions: s.Dimensions, Metric: s.MetricName, Stat: s.Stat, Period: s.Period})
	}
	return out, nil
}

// CheckSearch reports whether s reads a metric of catalogue (package
// metrics: namespace, name, exact dimension set) with one of its
// statistics, and if not, what is wrong.
func CheckSearch(catalogue []contract.Metric, s Search) error {
	m, ok := contract.Lookup(catalogue, s.Namespace, s.Metric, s.Dimensions)
	if !ok {
		return fmt.Errorf("SEARCH reads %s %s{%s}, which is not in the catalogue", s.Namespace, s.Metric, strings.Join(s.Dimensions, ","))
	}
	if !m.Allows(s.Stat) {
		return fmt.Errorf("SEARCH reads %s %s with statistic %q; its statistics are %s (percentiles: %v)", s.Namespace, s.Metric, s.Stat, strings.Join(m.Statistics, ", "), m.Percentiles)
	}
	return nil
}
