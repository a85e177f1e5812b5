package cdkout

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/sagesize/sagesize/cwcost"
	"github.com/sagesize/sagesize/internal/cwagent"
)

// billedAlarm reads what CloudWatch bills an alarm for from its
// properties: the metrics it reads (each MetricStat of a metric-math
// alarm), its shortest period, and whether it alarms on an anomaly
// detection band.
func billedAlarm(name string, p map[string]any) cwcost.Alarm {
	a := cwcost.Alarm{Name: name, Warning: strings.HasSuffix(name, "-Warning")}
	a.PeriodSeconds = intOf(p["Period"])
	queries, _ := p["Metrics"].([]any)
	for _, q := range queries {
		m, _ := q.(map[string]any)
		if ms, ok := m["MetricStat"].(map[string]any); ok {
			a.Metrics++
			if per := intOf(ms["Period"]); per > 0 && (a.PeriodSeconds == 0 || per < a.PeriodSeconds) {
				a.PeriodSeconds = per
			}
		}
		if e, _ := m["Expression"].(string); strings.Contains(e, "ANOMALY_DETECTION_BAND") {
			a.AnomalyDetection = true
		}
	}
	if len(queries) == 0 {
		a.Metrics = 1
	}
	return a
}

func intOf(v any) int {
	f, _ := v.(float64)
	return int(f)
}

// agentMetrics counts the custom metrics the CloudWatch agent config
// embedded in a sagesize lifecycle configuration's on-start script
// publishes: the GPU config when the script requests the GPU, else the CPU
// one. ok is false for a lifecycle configuration that is not sagesize's.
func agentMetrics(p map[string]any) (nb cwcost.Notebook, ok bool, err error) {
	nb.Name, _ = p["NotebookInstanceLifecycleConfigName"].(string)
	script, err := onStart(p)
	if err != nil {
		return nb, false, fmt.Errorf("lifecycle configuration %s: %w", nb.Name, err)
	}
	marker := "SAGESIZE_CPU_CONFIG"
	if strings.Contains(script, "\nGPU_REQUESTED=true\n") {
		marker = "SAGESIZE_GPU_CONFIG"
	}
	_, cfg, found := strings.Cut(script, "<<'"+marker+"' || true\n")
	if !found {
		return nb, false, nil
	}
	cfg, _, _ = strings.Cut(cfg, marker)
	nb, err = countSeries(nb, []byte(cfg))
	return nb, true, err
}

// onStart decodes the first OnStart hook's content (base64, as a string
// or inside Fn::Base64).
func onStart(p map[string]any) (string, error) {
	hooks, _ := p["OnStart"].([]any)
	if len(hooks) == 0 {
		return "", nil
	}
	h, _ := hooks[0].(map[string]any)
	switch c := h["Content"].(type) {
	case string:
		raw, err := base64.StdEncoding.DecodeString(c)
		if err != nil {
			return "", fmt.Errorf("OnStart content is not base64: %w", err)
		}
		return string(raw), nil
	case map[string]any:
		if s, ok := c["Fn::Base64"].(string); ok {
			return s, nil
		}
	}
	return "", errors.New("OnStart content is neither base64 text nor Fn::Base64 of a string")
}

// countSeries counts the series cwagent.Published says the agent config
// publishes: once per disk for a path dimension, once per GPU for an index.
func countSeries(nb cwcost.Notebook, cfg []byte) (cwcost.Notebook, error) {
	ms, err := cwagent.Published(cfg)
	if err != nil {
		return nb, fmt.Errorf("lifecycle configuration %s: %w", nb.Name, err)
	}
	disks := strings.Count(string(cfg), `"`+cwagent.RootVolumePath+`"`) + strings.Count(string(cfg), `"`+cwagent.SageMakerVolumePath+`"`)
	for _, m := range ms {
		n, perGPU := 1, false
		for _, d := range m.Dimensions {
			switch d {
			case cwagent.PathDimension:
				n *= max(disks, 1)
			case cwagent.GPUIndexDimension:
				perGPU = true
			}
		}
		if perGPU {
			nb.PerGPU += n
		} else {
			nb.Metrics += n
		}
	}
	return nb, nil
}
