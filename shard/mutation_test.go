package shard

import (
	"strings"
	"testing"
)

// The tests in this file pin what mutation testing (scripts/mutate,
// docs/mutation.md) found unpinned in shard.go.

// TestOf_AssignmentsNeverChange pins stacks of known names. A deployed
// fleet's endpoints stay in their stacks across sagesize releases only if
// FNV-1a and the jump hash never change: any change to either moves
// endpoints between stacks (CloudFormation would delete and recreate
// their dashboards and alarms). The values were checked against an
// independent implementation of FNV-1a 64 and of Lamping and Veach's
// jump hash (Python, from the paper).
func TestOf_AssignmentsNeverChange(t *testing.T) {
	for _, tc := range []struct {
		name      string
		k7, k1000 int
	}{
		{"churn-prod", 3, 506}, {"Churn-Prod", 3, 506}, {"fraud-v2", 0, 227}, {"model-0000", 5, 373}, {"a", 2, 163},
	} {
		if got := Of(tc.name, 1); got != 0 {
			t.Errorf("Of(%q, 1) = %d; want 0", tc.name, got)
		}
		if got7, got1000 := Of(tc.name, 7), Of(tc.name, 1000); got7 != tc.k7 || got1000 != tc.k1000 {
			t.Errorf("Of(%q, 7), Of(%q, 1000) = %d, %d; want %d, %d", tc.name, tc.name, got7, got1000, tc.k7, tc.k1000)
		}
	}
	for _, tc := range []struct {
		key     uint64
		buckets int
		want    int
	}{
		{1, 10, 6}, {1, 1 << 20, 985611}, {0xdeadbeef, 10, 5}, {0xdeadbeef, 1 << 20, 479362}, {1 << 63, 1 << 20, 802256},
		{1, 0, -1}, // no bucket
	} {
		if got := JumpHash(tc.key, tc.buckets); got != tc.want {
			t.Errorf("JumpHash(%d, %d) = %d; want %d", tc.key, tc.buckets, got, tc.want)
		}
	}
}

func TestLimits(t *testing.T) {
	if got, want := Hard(), (Limits{Resources: 450, TemplateBytes: 900_000, Outputs: 180}); got != want {
		t.Errorf("Hard() = %+v; want %+v (CloudFormation's limits less 10%%)", got, want)
	}
	if got, want := Target(), (Limits{Resources: 250, TemplateBytes: 500_000, Outputs: 100}); got != want {
		t.Errorf("Target() = %+v; want %+v (half of CloudFormation's limits)", got, want)
	}
	if got, want := (Load{1, 20, 3}).Add(Load{10, 200, 30}), (Load{11, 220, 33}); got != want {
		t.Errorf("Add = %+v; want %+v", got, want)
	}
}

// TestAssign_ChoosesTheSmallestStackCount: K is the total over the target
// fill, rounded up.
func TestAssign_ChoosesTheSmallestStackCount(t *testing.T) {
	for _, tc := range []struct {
		n, want int
	}{{50, 1}, {100, 2}, {101, 3}} {
		p, err := Assign(items(tc.n, Load{Resources: 5}), nil)
		if err != nil || p.Stacks != tc.want {
			t.Errorf("Assign(%d items of 5 resources) = %d stacks, %v; want %d (%d resources, 250 per stack)", tc.n, p.Stacks, err, tc.want, 5*tc.n)
		}
	}
	// A zero target fill (Options.Target) chooses one stack rather than
	// dividing by zero.
	p, err := Assign(items(3, Load{Resources: 1}), &Options{Target: &Limits{}})
	if err != nil || p.Stacks != 1 {
		t.Errorf("Assign with a zero target = %+v, %v; want 1 stack", p, err)
	}
}

func TestAssign_ErrorsNameTheCounts(t *testing.T) {
	_, err := Assign(items(100, Load{Resources: 20}), &Options{Stacks: 2})
	if err == nil || !strings.Contains(err.Error(), "stack 0 of the 2 pinned by sharding.stacks would hold") || !strings.Contains(err.Error(), "about 1/3 of the endpoints then move") {
		t.Errorf("Assign with 2 pinned stacks = %v; want stack 0 and the 1/3 that would move named", err)
	}
	// A base no stack 0 can hold: the search gives up at
	// MaxStacksPerItem stacks per item, plus one.
	_, err = Assign(items(2, Load{Resources: 1}), &Options{Base: Load{Resources: 500}})
	want := "stack 0 would hold 500 resources (at most 450 of CloudFormation's 500) even with 9 stacks for 2 item(s): split the config"
	if err == nil || err.Error() != want {
		t.Errorf("Assign with an oversized base = %v; want %q", err, want)
	}
}

// TestLoad_FitsUpToTheLimit: a load exactly at each limit fits; one more
// of any kind does not, and the limit it breaks is named. (gremlins v0.6.0
// reports the cases of a tagless switch as not covered, so it never
// mutates these comparisons: this test pins them by hand.)
func TestLoad_FitsUpToTheLimit(t *testing.T) {
	lim := Limits{Resources: 10, TemplateBytes: 1000, Outputs: 5}
	if ok, why := (Load{10, 1000, 5}).fits(lim); !ok {
		t.Errorf("a load at the limits does not fit: %s", why)
	}
	for _, tc := range []struct {
		load Load
		why  string
	}{
		{Load{11, 1000, 5}, "11 resources (at most 10 of CloudFormation's 500)"},
		{Load{10, 1001, 5}, "about 1001 template bytes (at most 1000 of CloudFormation's 1000000)"},
		{Load{10, 1000, 6}, "6 outputs (at most 5 of CloudFormation's 200)"},
	} {
		if ok, why := tc.load.fits(lim); ok || why != tc.why {
			t.Errorf("%+v fits %v (%q); want it refused with %q", tc.load, ok, why, tc.why)
		}
	}
}
