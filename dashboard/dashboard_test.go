package dashboard

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestLayout_WrapsRowsAtGridWidth(t *testing.T) {
	text := func(w, h int) Cell { return TextCell(w, h, "x") }
	ws := Layout(
		[]Cell{text(16, 6), text(8, 4)},
		[]Cell{text(8, 6), text(8, 6), text(8, 6), text(12, 3)}, // the fourth wraps
		[]Cell{text(24, 1)},
	)
	type pos struct{ X, Y, W, H int }
	var got []pos
	for _, w := range ws {
		got = append(got, pos{w.X, w.Y, w.Width, w.Height})
	}
	want := []pos{{0, 0, 16, 6}, {16, 0, 8, 4}, {0, 6, 8, 6}, {8, 6, 8, 6}, {16, 6, 8, 6}, {0, 12, 12, 3}, {0, 15, 24, 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Layout positions = %v; want %v", got, want)
	}
}

func TestLayout_PanicsOnACellWiderThanTheGrid(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Layout accepted a 25-wide cell")
		}
	}()
	Layout([]Cell{TextCell(25, 1, "x")})
}

func TestRender_MetricAndExpressionArrays(t *testing.T) {
	g := &Graph{Title: "latency", Metrics: []Line{
		Metric{Namespace: "AWS/SageMaker", Name: "ModelLatency", Dims: []Dim{{"EndpointName", "e"}, {"VariantName", "v"}}, Stat: "p99", Period: 60, ID: "raw", Hidden: true},
		Expr{Expression: "raw/1000", Label: "p99 (ms)", ID: "ms"},
	}, Annotations: &Annotations{Horizontal: []Horizontal{{Label: "SLO", Value: 300}}}}
	body := Body{Widgets: Layout([]Cell{GraphCell(12, 6, g)})}
	s, err := body.Render()
	if err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Widgets []struct {
			Type       string
			Properties struct {
				Region  string
				View    string
				Metrics [][]any
			}
		}
	}
	if err := json.Unmarshal([]byte(s), &parsed); err != nil {
		t.Fatalf("Render produced invalid JSON: %v\n%s", err, s)
	}
	p := parsed.Widgets[0].Properties
	if p.Region != Region || p.View != "timeSeries" {
		t.Errorf("region, view = %q, %q; want %q, timeSeries", p.Region, p.View, Region)
	}
	wantMetric := []any{"AWS/SageMaker", "ModelLatency", "EndpointName", "e", "VariantName", "v",
		map[string]any{"stat": "p99", "period": 60.0, "id": "raw", "visible": false}}
	if !reflect.DeepEqual(p.Metrics[0], wantMetric) {
		t.Errorf("metric array = %v; want %v", p.Metrics[0], wantMetric)
	}
	wantExpr := []any{map[string]any{"expression": "raw/1000", "label": "p99 (ms)", "id": "ms"}}
	if !reflect.DeepEqual(p.Metrics[1], wantExpr) {
		t.Errorf("expression array = %v; want %v", p.Metrics[1], wantExpr)
	}
	if strings.Contains(s, `\u003e`) || strings.Contains(s, `\u0026`) {
		t.Errorf("Render escaped HTML characters: %s", s)
	}
	if got := body.MetricCount(); got != 2 {
		t.Errorf("MetricCount() = %d; want 2", got)
	}
}

func TestAlarmARN_HasPlaceholdersForFnSub(t *testing.T) {
	got := AlarmARN("p-e-v-ModelLatency-Critical")
	want := "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:p-e-v-ModelLatency-Critical"
	if got != want {
		t.Errorf("AlarmARN = %q; want %q", got, want)
	}
}
