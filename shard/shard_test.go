package shard

import (
	"fmt"
	"strings"
	"testing"
)

func items(n int, load Load) []Item {
	out := make([]Item, n)
	for i := range out {
		out[i] = Item{Name: fmt.Sprintf("model-%04d", i), Load: load}
	}
	return out
}

func TestJumpHash_MovesKeysOnlyIntoTheNewBucket(t *testing.T) {
	moved := 0
	const keys = 10000
	for k := uint64(0); k < keys; k++ {
		key := k*0x9E3779B97F4A7C15 + 1
		a, b := JumpHash(key, 7), JumpHash(key, 8)
		if a != b {
			moved++
			if b != 7 {
				t.Fatalf("key %d moved from %d to %d; jump hash moves keys only into the new bucket 7", key, a, b)
			}
		}
		if a < 0 || a >= 7 {
			t.Fatalf("JumpHash(%d, 7) = %d; out of range", key, a)
		}
	}
	// About 1/8 of the keys move.
	if frac := float64(moved) / keys; frac < 0.10 || frac > 0.15 {
		t.Errorf("%.3f of the keys moved from 7 to 8 buckets; want about 1/8", frac)
	}
}

func TestAssign_StableWhenAnItemIsAdded(t *testing.T) {
	tests := []struct {
		name   string
		load   Load
		pinned int
	}{
		// 300 and 301 such items need the same number of stacks.
		{"chosen stack count", Load{Resources: 14, TemplateBytes: 24000, Outputs: 1}, 0},
		// 301 of these need one stack more than 300 would: a pinned count
		// keeps every assignment anyway.
		{"pinned stack count", Load{Resources: 14, TemplateBytes: 30000, Outputs: 1}, 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := &Options{Stacks: tc.pinned}
			before, err := Assign(items(300, tc.load), o)
			if err != nil {
				t.Fatal(err)
			}
			after, err := Assign(append(items(300, tc.load), Item{Name: "new-model", Load: tc.load}), o)
			if err != nil {
				t.Fatal(err)
			}
			if before.Stacks != after.Stacks {
				t.Fatalf("stacks went from %d to %d when one item was added", before.Stacks, after.Stacks)
			}
			for name, s := range before.Of {
				if after.Of[name] != s {
					t.Errorf("%s moved from stack %d to %d when new-model was added", name, s, after.Of[name])
				}
			}
		})
	}
}

func TestAssign_GrowthMovesItemsOnlyIntoTheNewStack(t *testing.T) {
	load := Load{Resources: 14, TemplateBytes: 30000, Outputs: 1}
	before, err := Assign(items(300, load), nil)
	if err != nil {
		t.Fatal(err)
	}
	after, err := Assign(items(301, load), nil)
	if err != nil {
		t.Fatal(err)
	}
	if after.Stacks != before.Stacks+1 {
		t.Fatalf("stacks %d -> %d; this case is meant to add one stack", before.Stacks, after.Stacks)
	}
	moved := 0
	for name, s := range before.Of {
		if t2 := after.Of[name]; t2 != s {
			moved++
			if t2 != after.Stacks-1 {
				t.Errorf("%s moved from stack %d to %d, not into the new last stack", name, s, t2)
			}
		}
	}
	if moved == 0 || moved > 300/after.Stacks*2 {
		t.Errorf("%d of 300 items moved; want about 1/%d of them", moved, after.Stacks)
	}
}

func TestAssign_EveryStackWithinTheHardLimits(t *testing.T) {
	tests := []struct {
		name string
		n    int
		load Load
		base Load
	}{
		{"resource bound", 300, Load{Resources: 20, TemplateBytes: 5000, Outputs: 1}, Load{Resources: 10}},
		{"bytes bound", 300, Load{Resources: 5, TemplateBytes: 60000, Outputs: 1}, Load{}},
		{"outputs bound", 1000, Load{Resources: 1, TemplateBytes: 100, Outputs: 3}, Load{}},
		{"one item", 1, Load{Resources: 20, TemplateBytes: 5000, Outputs: 1}, Load{Resources: 10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Assign(items(tc.n, tc.load), &Options{Base: tc.base})
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range p.Loads {
				if ok, why := l.fits(Hard()); !ok {
					t.Errorf("stack %d of %d holds %s", i, p.Stacks, why)
				}
			}
			if len(p.Of) != tc.n {
				t.Errorf("placed %d items; want %d", len(p.Of), tc.n)
			}
		})
	}
}

func TestAssign_Errors(t *testing.T) {
	_, err := Assign([]Item{{Name: "huge", Load: Load{Resources: 600}}}, nil)
	if err == nil || !strings.Contains(err.Error(), "huge alone needs 600 resources (at most 450 of CloudFormation's 500): it cannot fit any stack") {
		t.Errorf("Assign(huge) = %v; want the resource limit named", err)
	}
	_, err = Assign(items(100, Load{Resources: 20}), &Options{Stacks: 2})
	if err == nil || !strings.Contains(err.Error(), "of the 2 pinned by sharding.stacks would hold") || !strings.Contains(err.Error(), "raise sharding.stacks") {
		t.Errorf("Assign with too few pinned stacks = %v; want the pinned count and the fix named", err)
	}
}

func TestAssign_PinnedStacksAreKept(t *testing.T) {
	p, err := Assign(items(10, Load{Resources: 10}), &Options{Stacks: 4})
	if err != nil {
		t.Fatal(err)
	}
	if p.Stacks != 4 {
		t.Errorf("Stacks = %d; want the pinned 4", p.Stacks)
	}
}

// Items that each take more than half a stack cannot share one; jump
// hashing puts two of these three in one stack for every K up to 5 (they
// first part at 6), and Assign must search on rather than refuse a legal
// fleet.
func TestAssign_WideItemsEachGetAStack(t *testing.T) {
	wide := Load{Resources: 300, TemplateBytes: 450_000, Outputs: 1}
	its := []Item{{Name: "wide-3", Load: wide}, {Name: "wide-4", Load: wide}, {Name: "wide-5", Load: wide}}
	p, err := Assign(its, nil)
	if err != nil {
		t.Fatalf("Assign(3 wide items) = %v; want a plan", err)
	}
	seen := map[int]string{}
	for _, it := range its {
		s := p.Of[it.Name]
		if other, ok := seen[s]; ok {
			t.Errorf("%s and %s share stack %d", it.Name, other, s)
		}
		seen[s] = it.Name
	}
}
