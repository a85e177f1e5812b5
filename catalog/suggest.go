package catalog

import (
	"github.com/sagesize/sagesize/internal/editdist"

	"sort"
	"strings"
)

// Suggest returns at most n valid instance type names closest to typ, best
// first. Closeness is the edit distance (insertions, deletions,
// substitutions and swaps of two adjacent characters) between the
// catalogue's names and typ lowercased, trimmed and, when it lacks one,
// given the "ml." prefix. When typ names a family of the catalogue, that
// family's names come first (the size is what was mistyped); otherwise, and
// within each group, the closest names come first, then those sharing a
// longer beginning with typ, then by family name and from the smallest size
// up. Only plausible names are returned (names within three edits, the
// sizes of the family typ names, names that typ abbreviates), so fewer than
// n, or none, may come back.
func (c *Catalog) Suggest(typ string, n int) []string {
	if n <= 0 {
		return nil
	}
	norm := normalize(typ)
	if norm == "ml." {
		return nil
	}
	fam := familyOf(norm)

	type candidate struct {
		inst       Instance
		dist       int
		prefix     int // length of the prefix shared with norm
		sameFamily bool
	}
	var cands []candidate
	for _, t := range c.types {
		d := editdist.Distance(norm, t)
		inst := c.byType[t]
		// Plausible: a name within maxTypoDistance edits, a size of the
		// family norm names, or a name norm abbreviates ("ml.p5.48xl").
		if d > maxTypoDistance && inst.Family != fam && (fam == "" || !strings.HasPrefix(t, norm)) {
			continue
		}
		cands = append(cands, candidate{
			inst:       inst,
			dist:       d,
			prefix:     commonPrefixLen(norm, t),
			sameFamily: inst.Family == fam,
		})
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.sameFamily != b.sameFamily {
			return a.sameFamily
		}
		if a.dist != b.dist {
			return a.dist < b.dist
		}
		if a.prefix != b.prefix {
			return a.prefix > b.prefix
		}
		if a.inst.Family != b.inst.Family {
			return a.inst.Family < b.inst.Family
		}
		if a.inst.VCPUs != b.inst.VCPUs {
			return a.inst.VCPUs < b.inst.VCPUs
		}
		if a.inst.AcceleratorCount != b.inst.AcceleratorCount {
			return a.inst.AcceleratorCount < b.inst.AcceleratorCount
		}
		return a.inst.Type < b.inst.Type
	})
	if len(cands) > n {
		cands = cands[:n]
	}
	out := make([]string, len(cands))
	for i, cand := range cands {
		out[i] = cand.inst.Type
	}
	return out
}

// maxTypoDistance is the largest edit distance at which Suggest still
// takes a name for a typo of another.
const maxTypoDistance = 3

// commonPrefixLen returns the number of leading bytes a and b share.
func commonPrefixLen(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// normalize lowercases and trims a type name and adds a missing "ml." prefix.
func normalize(typ string) string {
	s := strings.ToLower(strings.TrimSpace(typ))
	if !strings.HasPrefix(s, "ml.") {
		s = "ml." + s
	}
	return s
}

// familyOf returns the family part of a normalized name ("g5" for
// "ml.g5.xlarge"), or "" when there is none.
func familyOf(norm string) string {
	parts := strings.SplitN(norm, ".", 3)
	if len(parts) < 3 {
		return ""
	}
	return parts[1]
}
