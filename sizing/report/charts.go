package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/color"

	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/sizing"
)

// Chart size, in the units gonum/plot renders.
const (
	chartWidth  = 16 * vg.Centimeter
	chartHeight = 9 * vg.Centimeter
)

// chart is one rendered chart: a title and a PNG as a data URI.
type chart struct {
	Title   string
	DataURI string
}

func pngDataURI(p *plot.Plot) (string, error) {
	wt, err := p.WriterTo(chartWidth, chartHeight, "png")
	if err != nil {
		return "", fmt.Errorf("report: rendering chart %q: %w", p.Title.Text, err)
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return "", fmt.Errorf("report: encoding chart %q: %w", p.Title.Text, err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// charts draws latency vs rate (with the SLO line), utilization vs rate and
// cost per million inferences.
func charts(r *sizing.Result) ([]chart, error) {
	builders := []func(*sizing.Result) (*plot.Plot, error){latencyChart, utilizationChart, costChart}
	if streaming(r) {
		builders = append(builders, tokenLatencyChart("TTFT", func(s *sizing.StreamStep, p99 bool) time.Duration { return pick(p99, s.TTFTP50, s.TTFTP99) }, r.SLO.TTFT),
			tokenLatencyChart("ITL", func(s *sizing.StreamStep, p99 bool) time.Duration { return pick(p99, s.ITLP50, s.ITLP99) }, r.SLO.ITL))
	}
	var out []chart
	for _, build := range builders {
		p, err := build(r)
		if err != nil {
			return nil, err
		}
		uri, err := pngDataURI(p)
		if err != nil {
			return nil, err
		}
		out = append(out, chart{Title: p.Title.Text, DataURI: uri})
	}
	return out, nil
}

func withData(steps []sizing.StepResult) []sizing.StepResult {
	var out []sizing.StepResult
	for _, s := range steps {
		if !s.NoData() {
			out = append(out, s)
		}
	}
	return out
}

func latencyChart(r *sizing.Result) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Client %s latency vs achieved rate", r.SLO.Percentile)
	p.X.Label.Text = "achieved rate (req/s)"
	p.Y.Label.Text = "latency (ms)"
	p.Y.Min = 0
	p.Add(plotter.NewGrid())
	maxX := 0.0
	for i, c := range r.Candidates {
		steps := withData(c.Steps)
		if len(steps) == 0 {
			continue
		}
		xys := make(plotter.XYs, len(steps))
		for j, s := range steps {
			xys[j] = plotter.XY{X: s.AchievedRate, Y: metrics.Millis(s.Latency)}
			maxX = max(maxX, s.AchievedRate)
		}
		if err := addSeries(p, i, c.Variant, xys, false); err != nil {
			return nil, err
		}
	}
	if r.SLO.Latency > 0 {
		slo := plotter.XYs{{X: 0, Y: metrics.Millis(r.SLO.Latency)}, {X: max(maxX, 1), Y: metrics.Millis(r.SLO.Latency)}}
		l, err := plotter.NewLine(slo)
		if err != nil {
			return nil, fmt.Errorf("report: SLO line: %w", err)
		}
		l.Color = color.RGBA{R: 200, A: 255}
		l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("SLO %s ms", sizing.FormatMillis(r.SLO.Latency)), l)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	return p, nil
}

func addSeries(p *plot.Plot, i int, name string, xys plotter.XYs, dashed bool) error {
	l, pts, err := plotter.NewLinePoints(xys)
	if err != nil {
		return fmt.Errorf("report: series %s: %w", name, err)
	}
	l.Color = plotutil.Color(i)
	pts.Color = plotutil.Color(i)
	pts.Shape = plotutil.Shape(i)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
	}
	p.Add(l, pts)
	p.Legend.Add(name, l, pts)
	return nil
}

func utilizationChart(r *sizing.Result) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Utilization vs achieved rate"
	p.X.Label.Text = "achieved rate (req/s)"
	p.Y.Label.Text = "utilization (% of instance)"
	p.Y.Min, p.Y.Max = 0, 100
	p.Add(plotter.NewGrid())
	for i, c := range r.Candidates {
		var cpu, gpu plotter.XYs
		for _, s := range withData(c.Steps) {
			if s.CPU != nil {
				cpu = append(cpu, plotter.XY{X: s.AchievedRate, Y: *s.CPU})
			}
			if s.GPU != nil {
				gpu = append(gpu, plotter.XY{X: s.AchievedRate, Y: *s.GPU})
			}
		}
		if len(cpu) > 0 {
			if err := addSeries(p, i, c.Variant+" CPU", cpu, false); err != nil {
				return nil, err
			}
		}
		if len(gpu) > 0 {
			if err := addSeries(p, i, c.Variant+" GPU", gpu, true); err != nil {
				return nil, err
			}
		}
	}
	p.Legend.Top = true
	p.Legend.Left = true
	return p, nil
}

func costChart(r *sizing.Result) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Cost per million inferences at the sustainable rate"
	p.Y.Label.Text = "USD per million"
	var vals plotter.Values
	var names []string
	for _, c := range r.Candidates {
		name := c.Variant + "\n" + c.InstanceType
		if !c.Sustains {
			name += "\n(no sustainable rate)"
		}
		names = append(names, name)
		vals = append(vals, c.CostPerMillion)
	}
	if len(vals) == 0 {
		return p, nil
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(40))
	if err != nil {
		return nil, fmt.Errorf("report: cost bars: %w", err)
	}
	bars.Color = plotutil.Color(0)
	p.Add(bars)
	p.NominalX(names...)
	p.Y.Min = 0
	return p, nil
}

// streaming reports whether any step of r has streaming figures.
func streaming(r *sizing.Result) bool {
	for _, c := range r.Candidates {
		for _, s := range c.Steps {
			if s.Stream != nil {
				return true
			}
		}
	}
	return false
}

func pick(p99 bool, p50, p99v time.Duration) time.Duration {
	if p99 {
		return p99v
	}
	return p50
}

// tokenLatencyChart draws a streaming figure (TTFT, ITL) at the SLO's
// percentile against the achieved rate, with its SLO line when bounded.
func tokenLatencyChart(name string, get func(*sizing.StreamStep, bool) time.Duration, bound time.Duration) func(*sizing.Result) (*plot.Plot, error) {
	return func(r *sizing.Result) (*plot.Plot, error) {
		p99 := strings.ToLower(r.SLO.Percentile) == sizing.P99
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s %s vs achieved rate", name, r.SLO.Percentile)
		p.X.Label.Text = "achieved rate (req/s)"
		p.Y.Label.Text = name + " (ms)"
		p.Y.Min = 0
		p.Add(plotter.NewGrid())
		maxX := 1.0
		for i, c := range r.Candidates {
			var xys plotter.XYs
			for _, s := range withData(c.Steps) {
				if s.Stream != nil {
					xys = append(xys, plotter.XY{X: s.AchievedRate, Y: metrics.Millis(get(s.Stream, p99))})
					maxX = max(maxX, s.AchievedRate)
				}
			}
			if len(xys) > 0 {
				if err := addSeries(p, i, c.Variant, xys, false); err != nil {
					return nil, err
				}
			}
		}
		if bound > 0 {
			l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: metrics.Millis(bound)}, {X: maxX, Y: metrics.Millis(bound)}})
			if err != nil {
				return nil, fmt.Errorf("report: %s SLO line: %w", name, err)
			}
			l.Color = color.RGBA{R: 200, A: 255}
			l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
			p.Add(l)
			p.Legend.Add(fmt.Sprintf("SLO %s ms", sizing.FormatMillis(bound)), l)
		}
		p.Legend.Top, p.Legend.Left = true, true
		return p, nil
	}
}
