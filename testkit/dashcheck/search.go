package dashcheck

import (
	"fmt"
	"strings"

	"github.com/sagesize/sagesize/dashboard/check"
	contract "github.com/sagesize/sagesize/metrics"
)

// CheckSearch reports whether s, a SEARCH as the dashboard validator
// reads it (check.Searches), reads a metric of catalogue (package metrics:
// namespace, name, exact dimension set) with one of its statistics, and if
// not, what is wrong. sagesize's dashboards always narrow a SEARCH to one
// metric of a known dimension set, so that it can be checked so.
func CheckSearch(catalogue []contract.Metric, s check.Search) error {
	m, ok := contract.Lookup(catalogue, s.Namespace, s.MetricName, s.Dimensions)
	if !ok {
		return fmt.Errorf("SEARCH reads %s %s{%s}, which is not in the catalogue", s.Namespace, s.MetricName, strings.Join(s.Dimensions, ","))
	}
	if !m.Allows(s.Stat) {
		return fmt.Errorf("SEARCH reads %s %s with statistic %q; its statistics are %s (percentiles: %v)", s.Namespace, s.MetricName, s.Stat, strings.Join(m.Statistics, ", "), m.Percentiles)
	}
	return nil
}
