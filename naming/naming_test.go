package naming

import (
	"strings"
	"testing"
)

// Ids whose logical ids are distinct stay as they are; ids that collide
// once CDK strips hyphens get distinct, stable suffixes.
func TestUniqueIDs(t *testing.T) {
	ids := []string{"Dashboard-risk-model-v2", "Dashboard-riskmodel-v2", "Dashboard-churn", "AlarmTopicArn"}
	got := UniqueIDs(ids)
	if got[2] != "Dashboard-churn" || got[3] != "AlarmTopicArn" {
		t.Errorf("ids without collision changed: %v", got)
	}
	if OutputID(got[0]) == OutputID(got[1]) {
		t.Errorf("colliding ids still collide: %q, %q", got[0], got[1])
	}
	for i := range 2 {
		if !strings.HasPrefix(got[i], ids[i]+"-") || len(got[i]) != len(ids[i])+9 {
			t.Errorf("id %d = %q; want %q with a hyphen and 8 hex digits", i, got[i], ids[i])
		}
	}
	if again := UniqueIDs(ids); again[0] != got[0] || again[1] != got[1] {
		t.Errorf("ids are not stable: %v then %v", got, again)
	}
	if got := OutputID("Dashboard-risk_model.v2"); got != "Dashboardriskmodelv2" {
		t.Errorf("OutputID = %q", got)
	}
}

// A rule over the limit is split into groups, each within the limit, that
// name every alarm once, in order; one that fits is not split.
func TestSplitComposite(t *testing.T) {
	if g := SplitComposite("p-e-AnyCritical", []string{"a", "b"}); g != nil {
		t.Errorf("a short rule was split: %v", g)
	}
	var alarms []string
	for i := range 90 {
		alarms = append(alarms, strings.Repeat("x", 200)+"-"+string(rune('A'+i%26))+strings.Repeat("y", i))
	}
	if n := len(Rule(alarms)); n <= MaxCompositeRule {
		t.Fatalf("test rule is only %d characters", n)
	}
	groups := SplitComposite("p-e-AnyCritical", alarms)
	if len(groups) < 2 {
		t.Fatalf("groups = %d; want a split", len(groups))
	}
	var all []string
	for i, g := range groups {
		if want := "p-e-AnyCritical-" + string(rune('1'+i)); g.Name != want {
			t.Errorf("group %d is named %q; want %q", i, g.Name, want)
		}
		if n := len(Rule(g.Alarms)); n > MaxCompositeRule {
			t.Errorf("group %s rule is %d characters", g.Name, n)
		}
		all = append(all, g.Alarms...)
	}
	if strings.Join(all, ",") != strings.Join(alarms, ",") {
		t.Errorf("groups do not hold every alarm once, in order")
	}
	if n := len(Rule(GroupNames(groups))); n > MaxCompositeRule {
		t.Errorf("top rule is %d characters", n)
	}
}

// Every kind refuses names too long or with a bad character, and a
// collision names both owners once.
func TestChecker(t *testing.T) {
	c := NewChecker()
	a := Owner{Path: "endpoints[0]", What: "endpoint a"}
	b := Owner{Path: "endpoints[1]", What: "endpoint b"}
	c.Add(&DashboardKind, "p-a.b", a)
	c.Add(&LifecycleConfigKind, strings.Repeat("n", 64), a)
	c.Add(&AlarmKind, "x", a)
	c.Add(&AlarmKind, "x", b)
	c.Add(&AlarmKind, "y", a)
	c.Add(&AlarmKind, "y", b)
	want := []string{
		`endpoints[0]: endpoint a makes dashboard name "p-a.b", which may hold only letters, digits, hyphens and underscores`,
		`endpoints[0]: endpoint a makes lifecycle configuration name "` + strings.Repeat("n", 64) + `" of 64 characters; 63 is the most allowed: shorten project, release or the names in it`,
		`endpoints[1]: endpoint b makes alarm name "x", which endpoints[0] (endpoint a) also makes: rename one of them`,
	}
	var got []string
	for _, p := range c.Problems() {
		got = append(got, p.Path+": "+p.Msg)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
