package check

import (
	"fmt"
	"strings"
)

// Search is one SEARCH function of a math expression, as the validator
// reads it: the metric schema {Namespace, DimensionName, ...} and the
// MetricName="..." term. CloudWatch's "Search expression syntax" makes
// both optional; sagesize always writes both, so that a search matches one
// catalogued metric with its exact dimension set and can be checked.
type Search struct {
	Namespace  string
	Dimensions []string
	MetricName string
	// Stat is the statistic, the second argument.
	Stat string
	// Period is the third argument in seconds (0 when it is not a number).
	Period int
}

// Searches returns the SEARCH functions of expr, each with its schema,
// metric name and statistic, or an error naming what a search lacks.
func Searches(expr string) ([]Search, error) {
	var out []Search
	rest := expr
	for {
		i := strings.Index(rest, "SEARCH(")
		if i < 0 {
			return out, nil
		}
		rest = rest[i+len("SEARCH("):]
		q, after, err := quoted(strings.TrimLeft(rest, " "))
		if err != nil {
			return nil, fmt.Errorf("SEARCH: %w", err)
		}
		s, err := parseSearch(q)
		if err != nil {
			return nil, fmt.Errorf("SEARCH('%s'): %w", q, err)
		}
		stat, after, err := quoted(strings.TrimLeft(after, " ,"))
		if err != nil {
			return nil, fmt.Errorf("SEARCH('%s') statistic: %w", q, err)
		}
		if err := CheckStat(stat); err != nil {
			return nil, fmt.Errorf("SEARCH('%s'): %w", q, err)
		}
		s.Stat = stat
		s.Period, after = period(strings.TrimLeft(after, " ,"))
		out = append(out, s)
		rest = after
	}
}

// period reads the period argument s starts with, and what follows it.
func period(s string) (int, string) {
	n, i := 0, 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 1<<30; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n, s[i:]
}

// quoted returns the single-quoted string s starts with and what follows it.
func quoted(s string) (string, string, error) {
	if !strings.HasPrefix(s, "'") {
		return "", "", fmt.Errorf("the query must be a single-quoted string")
	}
	j := strings.IndexByte(s[1:], '\'')
	if j < 0 {
		return "", "", fmt.Errorf("unterminated query string")
	}
	return s[1 : j+1], s[j+2:], nil
}

// parseSearch reads a query's schema and MetricName term.
func parseSearch(q string) (Search, error) {
	q = strings.TrimSpace(q)
	if !strings.HasPrefix(q, "{") {
		return Search{}, fmt.Errorf("no metric schema {Namespace,DimensionName,...}: without one the search matches any dimension set and cannot be checked")
	}
	end := strings.IndexByte(q, '}')
	if end < 0 {
		return Search{}, fmt.Errorf("the metric schema has no closing }")
	}
	var s Search
	for i, f := range strings.Split(q[1:end], ",") {
		f = strings.Trim(strings.TrimSpace(f), `"`)
		if f == "" {
			return Search{}, fmt.Errorf("the metric schema has an empty name")
		}
		if i == 0 {
			s.Namespace = f
		} else {
			s.Dimensions = append(s.Dimensions, f)
		}
	}
	name, ok := term(q[end+1:], "MetricName")
	if !ok {
		return Search{}, fmt.Errorf(`no MetricName="..." term: the search would match every metric of the schema`)
	}
	s.MetricName = name
	return s, nil
}

// term returns the double-quoted value of key="value" in terms.
func term(terms, key string) (string, bool) {
	i := strings.Index(terms, key+`="`)
	if i < 0 {
		return "", false
	}
	v := terms[i+len(key)+2:]
	j := strings.IndexByte(v, '"')
	if j < 0 {
		return "", false
	}
	return v[:j], true
}
