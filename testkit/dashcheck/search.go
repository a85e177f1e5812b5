package dashcheck

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

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

var (
	searchPattern     = regexp.MustCompile(`SEARCH\('\{([^}]*)\}([^']*)',\s*'([^']*)',\s*(\d+)\)`)
	metricNamePattern = regexp.MustCompile(`MetricName="([^"]*)"`)
)

// Searches returns every SEARCH of expr. A SEARCH whose query names no
// MetricName, or whose schema is not {Namespace,dims...}, is an error:
// sagesize's dashboards always narrow a SEARCH to one metric of a known
// dimension set, so that it can be checked against the catalogue.
func Searches(expr string) ([]Search, error) {
	var out []Search
	for _, m := range searchPattern.FindAllStringSubmatch(expr, -1) {
		schema := strings.Split(m[1], ",")
		name := metricNamePattern.FindStringSubmatch(m[2])
		if len(schema) < 2 || name == nil {
			return nil, fmt.Errorf("SEARCH %q: want a schema {Namespace,Dim,...} and a MetricName=\"...\" term", m[0])
		}
		period, _ := strconv.Atoi(m[4]) // \d+ always converts
		out = append(out, Search{Namespace: schema[0], Dimensions: schema[1:], Metric: name[1], Stat: m[3], Period: period})
	}
	if n := strings.Count(expr, "SEARCH("); n != len(out) {
		return nil, fmt.Errorf("expression %q: %d SEARCH functions, %d of the form SEARCH('{Namespace,dims} ... MetricName=\"X\"', 'stat', period)", expr, n, len(out))
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
