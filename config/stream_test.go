package config

import (
	"strings"
	"testing"
)

const streamConfig = `project: demo
endpoints:
  - name: llm
    variants:
      - name: a
        instanceType: ml.g5.xlarge
    slo: {percentile: p99, latency: 2s}
    loadTest:
      rate: 5
      duration: 5m
      stream:
        format: %s
        firstTokenTimeout: 30s
        inputTokens: {mean: 512, stddev: 128}
        outputTokens: {mean: 200, stddev: %s}
        slo: {ttft: 500ms, tpot: %s}
`

func TestStream_EnvNamesLoadgenFlags(t *testing.T) {
	c, err := Parse([]byte((strings.Replace(strings.Replace(strings.Replace(streamConfig, "%s", "openai", 1), "%s", "40", 1), "%s", "25ms", 1))), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, v := range c.Endpoints[0].LoadTest.Stream.Env() {
		got[v.Name] = v.Value
	}
	want := map[string]string{"LOADGEN_STREAM": "true", "LOADGEN_FORMAT": "openai", "LOADGEN_FIRST_TOKEN_TIMEOUT": "30s",
		"LOADGEN_INPUT_TOKENS": "512:128", "LOADGEN_OUTPUT_TOKENS": "200:40", "LOADGEN_SLO_TTFT": "500ms", "LOADGEN_SLO_TPOT": "25ms"}
	if len(got) != len(want) {
		t.Errorf("env %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestStream_BadValuesNameTheField(t *testing.T) {
	cfg := strings.Replace(strings.Replace(strings.Replace(streamConfig, "%s", "vllm", 1), "%s", "300", 1), "%s", "-5ms", 1)
	_, err := Parse([]byte(cfg), nil)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`endpoints[0].loadTest.stream.format: must be one of auto, tgi, openai or text, got "vllm"`,
		`endpoints[0].loadTest.stream.outputTokens.stddev: must be between 0 and the mean`,
		`endpoints[0].loadTest.stream.slo.tpot: must be a positive duration`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "payload") {
		t.Errorf("synthetic prompts need no payload, got: %v", err)
	}
}
