package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"

	"github.com/sagesize/sagesize/sizing"
)

// chartText draws p on a recording canvas and returns every string it
// drew: title, axis labels, tick labels and legend entries.
func chartText(t *testing.T, p *plot.Plot) []string {
	t.Helper()
	var rec recorder.Canvas
	p.Draw(draw.Canvas{Canvas: &rec, Rectangle: vg.Rectangle{Max: vg.Point{X: chartWidth, Y: chartHeight}}})
	var out []string
	for _, a := range rec.Actions {
		if s, ok := a.(*recorder.FillString); ok {
			out = append(out, s.String)
		}
	}
	return out
}

// legendOf returns the strings of text that end
// with one of suffixes: the chart's series names, without its tick labels.
func legendOf(text []string, suffixes ...string) []string {
	var out []string
	for _, s := range text {
		for _, suf := range suffixes {
			if strings.HasSuffix(s, suf) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// TestLatencyChartDrawsEveryCandidateWithDataAndTheSLO: one series per
// candidate that has a step with data (inf2-xl never received traffic: no
// series), and the SLO line when the SLO has a latency, none otherwise.
func TestLatencyChartDrawsEveryCandidateWithDataAndTheSLO(t *testing.T) {
	r := sizing.Decide(scenario())
	p, err := latencyChart(r)
	if err != nil {
		t.Fatal(err)
	}
	got := legendOf(chartText(t, p), "-xl", " ms")
	want := []string{"c5-xl", "g5-xl", "m5-xl", "SLO 200.0 ms"}
	if !slices.Equal(got, want) {
		t.Errorf("latency chart legend %q, want %q", got, want)
	}

	r.SLO.Latency = 0
	p, err = latencyChart(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range chartText(t, p) {
		if strings.HasPrefix(s, "SLO") {
			t.Errorf("latency chart without an SLO latency draws an SLO line %q", s)
		}
	}
}

// TestUtilizationChartDrawsOnlyPublishedUtilization: a CPU series for
// each candidate with CPU data, a GPU series only where a GPU was
// published (g5-xl), nothing for a candidate without data.
func TestUtilizationChartDrawsOnlyPublishedUtilization(t *testing.T) {
	p, err := utilizationChart(sizing.Decide(scenario()))
	if err != nil {
		t.Fatal(err)
	}
	got := legendOf(chartText(t, p), " CPU", " GPU")
	want := []string{"c5-xl CPU", "g5-xl CPU", "g5-xl GPU", "m5-xl CPU"}
	if !slices.Equal(got, want) {
		t.Errorf("utilization chart legend %q, want %q", got, want)
	}
}

// TestCostChartMarksCandidatesWithoutASustainableRate: a bar per
// candidate, and only those that sustain no rate are labelled so.
func TestCostChartMarksCandidatesWithoutASustainableRate(t *testing.T) {
	r := sizing.Decide(scenario())
	p, err := costChart(r)
	if err != nil {
		t.Fatal(err)
	}
	label := strings.Join(chartText(t, p), "\n")
	var sustains, not int
	for _, c := range r.Candidates {
		if !strings.Contains(label, c.InstanceType) {
			t.Errorf("cost chart has no bar for %s", c.InstanceType)
		}
		if c.Sustains {
			sustains++
		} else {
			not++
		}
	}
	if sustains == 0 || not == 0 {
		t.Fatalf("scenario has %d sustaining and %d failing candidates; the test needs both", sustains, not)
	}
	if n := strings.Count(label, "(no sustainable rate)"); n != not {
		t.Errorf("cost chart marks %d candidates as without a sustainable rate, want %d", n, not)
	}
}

// TestMarkdownProblemsOnlyWhenThereAreSome: the Problems section is
// there when the decision has problems and absent when it has none.
func TestMarkdownProblemsOnlyWhenThereAreSome(t *testing.T) {
	r := sizing.Decide(scenario())
	if len(r.Problems) == 0 {
		t.Fatal("scenario has no problems; the test needs some")
	}
	for _, problems := range [][]string{r.Problems, nil} {
		r.Problems = problems
		var b bytes.Buffer
		if err := Markdown(&b, r); err != nil {
			t.Fatal(err)
		}
		if has := strings.Contains(b.String(), "## Problems"); has != (len(problems) > 0) {
			t.Errorf("%d problems: Markdown has a Problems section: %v", len(problems), has)
		}
	}
}
