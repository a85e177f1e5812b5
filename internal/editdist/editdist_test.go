package editdist

import "testing"

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"xlarge", "xlarge", 0},
		{"xlrge", "xlarge", 1},   // insertion
		{"xlaarge", "xlarge", 1}, // deletion
		{"xlerge", "xlarge", 1},  // substitution
		{"xlagre", "xlarge", 1},  // adjacent transposition
		{"kitten", "sitting", 3},
		{"g5.2xlarge", "g5.xlarge", 1},
		{"ml.g4dn.xlarge", "ml.g5.xlarge", 3},
		{"instanceTyp", "instanceType", 1},
		{"ModelLatancy", "ModelLatency", 1},
		{"héllo", "hello", 1}, // runes, not bytes
	}
	for _, tc := range tests {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d; want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Distance(tc.b, tc.a); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d; want %d (symmetric)", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"rate", "ramp", "steps", "duration", "max-in-flight"}
	for _, tc := range []struct{ s, want string }{
		{"rat", "rate"},
		{"RATE", "rate"},
		{"stpes", "steps"},
		{"max-inflight", "max-in-flight"},
		{"concurrency", ""}, // nothing near
	} {
		if got := Closest(tc.s, names); got != tc.want {
			t.Errorf("Closest(%q) = %q; want %q", tc.s, got, tc.want)
		}
	}
	if got := Closest("rate", nil); got != "" {
		t.Errorf("Closest(no candidates) = %q; want none", got)
	}
}
