// Package shard spreads monitored resources across CloudFormation stacks so
// that no stack exceeds CloudFormation's limits, with an assignment that
// stays put as the fleet grows.
//
// An item goes to stack JumpHash(FNV-1a(lower-case name), K): its stack
// depends only on its own name and the number of stacks K, never on the other
// items. Adding or removing an item therefore moves no other item while K
// stays the same. K is the smallest count whose stacks all fit the limits
// (or the count pinned in the config). When growth makes a stack overflow, K
// grows by one, and jump consistent hashing (Lamping and Veach, 2014) moves
// only about 1/K of the items, all of them into the new, last stack.
package shard

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// CloudFormation's per-stack limits.
const (
	MaxResources     = 500
	MaxTemplateBytes = 1_000_000
	MaxOutputs       = 200
)

// Limits bound what one stack may hold.
type Limits struct {
	Resources, TemplateBytes, Outputs int
}

// Hard is the most a stack may hold: CloudFormation's limits less 10 %
// headroom for what the estimate does not see (metadata, parameters, rules).
func Hard() Limits {
	return Limits{Resources: MaxResources * 9 / 10, TemplateBytes: MaxTemplateBytes * 9 / 10, Outputs: MaxOutputs * 9 / 10}
}

// Target is the fill a new stack count aims at, half the limits, so that the
// fleet can grow for a while before a stack overflows and K must grow.
func Target() Limits {
	return Limits{Resources: MaxResources / 2, TemplateBytes: MaxTemplateBytes / 2, Outputs: MaxOutputs / 2}
}

// Load is what one item, or one stack, holds.
type Load struct {
	Resources, TemplateBytes, Outputs int
}

// Add returns l plus o.
func (l Load) Add(o Load) Load {
	return Load{l.Resources + o.Resources, l.TemplateBytes + o.TemplateBytes, l.Outputs + o.Outputs}
}

// fits reports whether l is within lim, and if not which limit it breaks.
func (l Load) fits(lim Limits) (bool, string) {
	switch {
	case l.Resources > lim.Resources:
		return false, fmt.Sprintf("%d resources (at most %d of CloudFormation's %d)", l.Resources, lim.Resources, MaxResources)
	case l.TemplateBytes > lim.TemplateBytes:
		return false, fmt.Sprintf("about %d template bytes (at most %d of CloudFormation's %d)", l.TemplateBytes, lim.TemplateBytes, MaxTemplateBytes)
	case l.Outputs > lim.Outputs:
		return false, fmt.Sprintf("%d outputs (at most %d of CloudFormation's %d)", l.Outputs, lim.Outputs, MaxOutputs)
	}
	return true, ""
}

// Item is one resource to place.
type Item struct {
	Name string
	Load Load
}

// Plan is an assignment of items to stacks.
type Plan struct {
	// Stacks is the number of stacks K.
	Stacks int
	// Of maps an item name to its stack, 0..K-1.
	Of map[string]int
	// Loads is each stack's load, base included.
	Loads []Load
}

// Options tune Assign.
type Options struct {
	// Stacks pins K; 0 chooses it.
	Stacks int
	// Base is what stack 0 holds besides the items (topic, key, ...).
	Base Load
	// Target and Hard default to Target() and Hard().
	Target, Hard *Limits
}

// MaxStacksPerItem bounds the automatic stack count at this many stacks
// per item (plus one).
const MaxStacksPerItem = 4

// Assign places items. With a pinned K that cannot hold them, or an item
// that no stack could hold, it returns an error naming the stack and limit.
func Assign(items []Item, o *Options) (*Plan, error) {
	if o == nil {
		o = &Options{}
	}
	target, hard := Target(), Hard()
	if o.Target != nil {
		target = *o.Target
	}
	if o.Hard != nil {
		hard = *o.Hard
	}
	total := o.Base
	for _, it := range items {
		if ok, why := it.Load.fits(hard); !ok {
			return nil, fmt.Errorf("%s alone needs %s: it cannot fit any stack", it.Name, why)
		}
		total = total.Add(it.Load)
	}
	k := o.Stacks
	if k == 0 {
		k = max(1, ceilDiv(total.Resources, target.Resources), ceilDiv(total.TemplateBytes, target.TemplateBytes), ceilDiv(total.Outputs, target.Outputs))
	}
	for {
		p := place(items, k, o.Base)
		stack, why := p.overflow(hard)
		if stack < 0 {
			return p, nil
		}
		if o.Stacks != 0 {
			return nil, fmt.Errorf("stack %d of the %d pinned by sharding.stacks would hold %s: raise sharding.stacks (about 1/%d of the endpoints then move, all into the new last stack)", stack, k, why, k+1)
		}
		// Items that each need most of a stack (over a third of the
		// limits) may still share one at K = items: jump hashing is not a
		// perfect matching. Search on up to MaxStacksPerItem stacks per
		// item; the stacks left empty hold a placeholder.
		if k >= MaxStacksPerItem*len(items)+1 {
			return nil, fmt.Errorf("stack %d would hold %s even with %d stacks for %d item(s): split the config", stack, why, k, len(items))
		}
		k++
	}
}

func place(items []Item, k int, base Load) *Plan {
	p := &Plan{Stacks: k, Of: make(map[string]int, len(items)), Loads: make([]Load, k)}
	p.Loads[0] = base
	for _, it := range items {
		s := Of(it.Name, k)
		p.Of[it.Name] = s
		p.Loads[s] = p.Loads[s].Add(it.Load)
	}
	return p
}

// overflow returns the first stack over lim and why, or -1.
func (p *Plan) overflow(lim Limits) (int, string) {
	for i, l := range p.Loads {
		if ok, why := l.fits(lim); !ok {
			return i, why
		}
	}
	return -1, ""
}

// Of is the stack of the item named name among k stacks.
func Of(name string, k int) int {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(name)))
	return JumpHash(h.Sum64(), k)
}

// JumpHash is Lamping and Veach's jump consistent hash: key's bucket among
// buckets, such that going from n to n+1 buckets moves a key only into the
// new bucket n, and then only with probability 1/(n+1). It returns -1 when
// buckets < 1.
func JumpHash(key uint64, buckets int) int {
	var b, j int64 = -1, 0
	for j < int64(buckets) {
		b = j
		key = key*2862933555777941757 + 1
		j = int64(float64(b+1) * (float64(int64(1)<<31) / float64((key>>33)+1)))
	}
	return int(b)
}

func ceilDiv(a, b int) int {
	if b <= 0 {
		return 1
	}
	return (a + b - 1) / b
}
