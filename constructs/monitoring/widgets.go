package monitoring

import (
	"time"

	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/metrics"
)

// Layout sizes, named once.
const (
	fullWidth    = dashboard.GridWidth
	halfWidth    = fullWidth / 2
	thirdWidth   = fullWidth / 3
	graphHeight  = 6
	headerHeight = 6
	titleHeight  = 1
)

// graphCell is a time-series graph of the given width with the standard height.
func graphCell(w int, title string, lines []dashboard.Line, axis *dashboard.YAxes, ann []dashboard.Horizontal) dashboard.Cell {
	g := &dashboard.Graph{Title: title, Metrics: lines, YAxis: axis}
	if len(ann) > 0 {
		g.Annotations = &dashboard.Annotations{Horizontal: ann}
	}
	return dashboard.GraphCell(w, graphHeight, g)
}

// titleCell is a one-line section heading across the dashboard.
func titleCell(markdown string) dashboard.Cell {
	c := dashboard.TextCell(fullWidth, titleHeight, markdown)
	c.Properties.(*dashboard.Text).Background = "transparent"
	return c
}

// sloLine is the SLO drawn on latency graphs, in ms.
func sloLine(percentile string, latency time.Duration) dashboard.Horizontal {
	ms := metrics.Millis(latency)
	return dashboard.Horizontal{Label: "SLO " + percentile + " ≤ " + num(ms) + " ms", Value: ms, Color: colorSLO}
}
