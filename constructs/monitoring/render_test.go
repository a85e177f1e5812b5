package monitoring

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sagesize/sagesize/dashboard"
)

// A body CloudWatch would reject does not leave the package: render names
// the dashboard and the violated limit, and returns no body.
func TestRender_RefusesWhatCloudWatchRejects(t *testing.T) {
	var arns []string
	for i := range dashboard.MaxAlarmsPerWidget + 1 {
		arns = append(arns, dashboard.AlarmARN(fmt.Sprintf("a%d", i)))
	}
	body, err := render("p-wide", dashboardBody([][]dashboard.Cell{{dashboard.AlarmStatusCell(thirdWidth, headerHeight, "Alarms", arns)}}))
	if err == nil || body != "" {
		t.Fatalf("render accepted an alarm widget of 101 alarms (err %v)", err)
	}
	want := "dashboard p-wide would be rejected by CloudWatch:\nwidgets[0].properties: alarms must be an array of 1–100 alarm ARNs, got "
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q; want it to start %q", err, want)
	}
	if _, err := render("p-ok", dashboardBody([][]dashboard.Cell{{dashboard.AlarmStatusCell(thirdWidth, headerHeight, "Alarms", arns[:100])}})); err != nil {
		t.Errorf("render refused 100 alarms: %v", err)
	}
}

// An endpoint without a latency objective (a sizing test bounding only
// TTFT and ITL) draws no SLO line at 0 ms.
func TestSLOLines_NoneWithoutALatencyObjective(t *testing.T) {
	if got := sloLines("p99", 0); got != nil {
		t.Errorf("sloLines(p99, 0) = %v, want none", got)
	}
	got := sloLines("p99", 250*time.Millisecond)
	if len(got) != 1 || got[0].Value != 250 || got[0].Label != "SLO p99 ≤ 250 ms" {
		t.Errorf("sloLines(p99, 250ms) = %+v", got)
	}
}
