package config

import (
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// scalar is a config value written as one YAML scalar and parsed by its own
// rules. decodeShape calls parse with the field's path in hand, so a value that
// does not parse is reported as a problem at that path.
type scalar interface {
	parse(s string) error
}

// Duration is a Go duration string such as 300ms, 1.5s or 2m.
type Duration struct{ time.Duration }

func (d *Duration) parse(s string) error {
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("must be a duration such as 300ms, 1.5s or 1m, got %s", quote(s))
	}
	d.Duration = v
	return nil
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error { return d.parse(n.Value) }

// MarshalYAML implements yaml.Marshaler.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// Percent is a percentage written with a percent sign, such as 80% or 0.5%.
// Its value is the number before the sign (80, 0.5).
type Percent struct{ Value float64 }

func (p *Percent) parse(s string) error {
	t := strings.TrimSpace(s)
	num, ok := strings.CutSuffix(t, "%")
	if !ok {
		return fmt.Errorf("must be a percentage with a %% sign such as 80%% or 0.5%%, got %s", quote(s))
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	switch {
	case errors.Is(err, strconv.ErrRange) || err == nil && (math.IsNaN(v) || math.IsInf(v, 0)):
		return fmt.Errorf("must be a finite percentage such as 80%% or 0.5%%, got %s", quote(s))
	case err != nil:
		return fmt.Errorf("must be a percentage such as 80%% or 0.5%%, got %s", quote(s))
	}
	p.Value = v
	return nil
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (p *Percent) UnmarshalYAML(n *yaml.Node) error { return p.parse(n.Value) }

// String renders the percentage as written, e.g. "80%".
func (p Percent) String() string { return strconv.FormatFloat(p.Value, 'f', -1, 64) + "%" }

var percentileRE = regexp.MustCompile(`^p(\d{1,2}(\.\d{1,3})?)$`)

// Percentile is a CloudWatch percentile statistic such as p50, p99 or p99.9.
type Percentile struct{ Value string }

func (p *Percentile) parse(s string) error {
	t := strings.TrimSpace(s)
	m := percentileRE.FindStringSubmatch(t)
	if m == nil {
		return fmt.Errorf("must be a percentile such as p50, p90, p99 or p99.9, got %s", quote(s))
	}
	// The pattern allows at most two digits before the point: below 100.
	if v, _ := strconv.ParseFloat(m[1], 64); v <= 0 {
		return fmt.Errorf("must be a percentile between p0 and p100 (exclusive), got %s", quote(s))
	}
	p.Value = t
	return nil
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (p *Percentile) UnmarshalYAML(n *yaml.Node) error { return p.parse(n.Value) }

// String returns the percentile as CloudWatch writes it, e.g. "p99".
func (p Percentile) String() string { return p.Value }

// Statistic is a CloudWatch statistic for a latency alarm: a percentile
// (p99), Average, Maximum or Minimum.
type Statistic struct{ Value string }

func (s *Statistic) parse(v string) error {
	t := strings.TrimSpace(v)
	switch t {
	case "Average", "Maximum", "Minimum":
		s.Value = t
		return nil
	}
	var p Percentile
	if err := p.parse(t); err != nil {
		return fmt.Errorf("must be a percentile (p50, p99, p99.9), Average, Maximum or Minimum, got %s", quote(v))
	}
	s.Value = p.Value
	return nil
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *Statistic) UnmarshalYAML(n *yaml.Node) error { return s.parse(n.Value) }

// IsPercentile reports whether the statistic is a percentile (an
// ExtendedStatistic in CloudWatch terms).
func (s Statistic) IsPercentile() bool { return strings.HasPrefix(s.Value, "p") }

// String returns the statistic as CloudWatch writes it.
func (s Statistic) String() string { return s.Value }

// clipped is a string argument of a problem message: %q quotes it cut to
// maxQuoted characters (see quote); other verbs print it whole unless it
// holds a line break or another unprintable character, which would break
// the one-problem-a-line message: then it is quoted too.
type clipped string

// Format implements fmt.Formatter.
func (c clipped) Format(f fmt.State, verb rune) {
	s := string(c)
	if verb == 'q' || strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) {
		s = quote(s)
	}
	io.WriteString(f, s)
}

// clip wraps the string arguments of a problem message so that the values
// it quotes are cut to maxQuoted characters.
func clip(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if s, ok := a.(string); ok {
			a = clipped(s)
		}
		out[i] = a
	}
	return out
}
