package monitoring

import (
	"fmt"
	"strings"
	"time"

	"github.com/sagesize/sagesize/dashboard"
	"github.com/sagesize/sagesize/dashboard/check"
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

// sloText is the latency objective as the dashboards' tables print it
// ("p99 ≤ 300ms"), or "none" without one.
func sloText(percentile string, latency time.Duration) string {
	if latency <= 0 {
		return "none"
	}
	return fmt.Sprintf("%s ≤ %v", percentile, latency)
}

// sloLines is the SLO drawn on latency graphs, in ms: none when the
// endpoint has no latency objective (a sizing test bounding only TTFT
// and ITL has none for the whole request).
func sloLines(percentile string, latency time.Duration) []dashboard.Horizontal {
	if latency <= 0 {
		return nil
	}
	ms := metrics.Millis(latency)
	return []dashboard.Horizontal{{Label: "SLO " + percentile + " ≤ " + num(ms) + " ms", Value: ms, Color: colorSLO}}
}

// render renders the body of the dashboard name and checks it as
// CloudWatch would (package dashboard/check: widget, metric and alarm
// counts, positions, ids), so that a body CloudWatch would reject never
// leaves the app. The error names the dashboard and each violated rule.
func render(name string, b dashboard.Body) (string, error) {
	s, err := b.Render()
	if err != nil {
		return "", fmt.Errorf("dashboard %s: %w", name, err)
	}
	// The placeholders Fn::Sub fills at deploy time, filled with example
	// values of the same shape for the check.
	resolved := strings.NewReplacer(dashboard.Partition, "aws", dashboard.Region, "us-east-1", dashboard.AccountID, "123456789012").Replace(s)
	if err := check.ValidateBody([]byte(resolved), check.Options{}); err != nil {
		return "", fmt.Errorf("dashboard %s would be rejected by CloudWatch:\n%w", name, err)
	}
	return s, nil
}
