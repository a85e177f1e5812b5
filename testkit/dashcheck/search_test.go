package dashcheck

import (
	"strings"
	"testing"

	"github.com/sagesize/sagesize/dashboard/check"
	contract "github.com/sagesize/sagesize/metrics"
)

// A load-test SEARCH is parsed into the metric it reads, and checked
// against the catalogue: the right metric passes; a wrong statistic, name
// or dimension set fails with a message naming it.
func TestSearches(t *testing.T) {
	const q = `{SageSize/LoadTest,EndpointName,TestId,VariantName} EndpointName="llm" MetricName="%s"`
	expr := `SEARCH('` + strings.Replace(q, "%s", "TimeToFirstToken", 1) + `', 'p99', 10)/1000`
	got, err := check.Searches(expr)
	if err != nil || len(got) != 1 {
		t.Fatalf("check.Searches(%q) = %v, %v; want one search", expr, got, err)
	}
	s := got[0]
	if s.Namespace != "SageSize/LoadTest" || s.MetricName != "TimeToFirstToken" || s.Stat != "p99" || s.Period != 10 ||
		strings.Join(s.Dimensions, ",") != "EndpointName,TestId,VariantName" {
		t.Errorf("check.Searches(%q) = %+v; want TimeToFirstToken p99 over 10 s with the load-test dimensions", expr, s)
	}
	cat := contract.LoadTest("")
	if err := CheckSearch(cat, s); err != nil {
		t.Errorf("CheckSearch(%+v) = %v; want nil", s, err)
	}
	for _, tc := range []struct {
		mutate func(*check.Search)
		want   string
	}{
		{func(s *check.Search) { s.MetricName = "GoodRequests"; s.Stat = "p99" }, `statistic "p99"`},
		{func(s *check.Search) { s.MetricName = "TimeToFirstTokens" }, "not in the catalogue"},
		{func(s *check.Search) { s.Dimensions = []string{"EndpointName", "VariantName"} }, "not in the catalogue"},
	} {
		bad := s
		tc.mutate(&bad)
		err := CheckSearch(cat, bad)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckSearch(%+v) = %v; want an error containing %q", bad, err, tc.want)
		}
	}
	two := `SUM(SEARCH('` + strings.Replace(q, "%s", "Requests", 1) + `', 'Sum', 10))+SUM(SEARCH('` + strings.Replace(q, "%s", "Dropped", 1) + `', 'Sum', 10))`
	if got, err := check.Searches(two); err != nil || len(got) != 2 || got[1].MetricName != "Dropped" {
		t.Errorf("check.Searches(two) = %+v, %v; want Requests and Dropped", got, err)
	}
	if _, err := check.Searches(`SEARCH('{SageSize/LoadTest,EndpointName} EndpointName="llm"', 'Sum', 10)`); err == nil {
		t.Error("a SEARCH without MetricName passes; want an error")
	}
}
