package test

import (
	"encoding/json"
	"strings"
	"testing"

	bodycheck "github.com/sagesize/sagesize/dashboard/check"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/testkit/dashcheck"
)

// llmStreamMetrics are the metrics only a streaming test publishes.
var llmStreamMetrics = []string{metrics.LoadTestTTFT, metrics.LoadTestITL, metrics.LoadTestTPOT,
	metrics.LoadTestOutputTokens, metrics.LoadTestOutputTokensPerRequest, metrics.LoadTestGoodRequests}

// dashboardSearches returns, per dashboard, every SEARCH its graph lines
// read, failing the test on one that names no metric.
func dashboardSearches(t *testing.T, s *synthesized) map[string][]bodycheck.Search {
	t.Helper()
	out := map[string][]bodycheck.Search{}
	for name, body := range s.dashboards(t) {
		for _, w := range body["widgets"].([]any) {
			ms, _ := w.(map[string]any)["properties"].(map[string]any)["metrics"].([]any)
			for _, m := range ms {
				arr := m.([]any)
				opts, ok := arr[len(arr)-1].(map[string]any)
				if !ok || opts["expression"] == nil {
					continue
				}
				ss, err := bodycheck.Searches(opts["expression"].(string))
				if err != nil {
					t.Fatalf("dashboard %s: %v", name, err)
				}
				out[name] = append(out[name], ss...)
			}
		}
	}
	return out
}

// Every SEARCH of every example's dashboards reads a load-test or
// enhanced (per-instance, per-GPU) metric of the catalogue, with its
// dimension set and one of its statistics; only the dashboards of
// streaming tests (llm.yaml's endpoint and sizing endpoint, llm-sizing.yaml's
// sizing endpoint) read the streaming metrics.
func TestDashboards_SearchesReadTheLoadTestCatalogue(t *testing.T) {
	cat := append(metrics.LoadTest(""), metrics.Enhanced()...)
	for name := range examples {
		t.Run(name, func(t *testing.T) {
			s := synth(t, name)
			for dash, ss := range dashboardSearches(t, s) {
				streaming := 0
				for _, sr := range ss {
					if err := dashcheck.CheckSearch(cat, sr); err != nil {
						t.Errorf("dashboard %s: %v", dash, err)
					}
					if err := bodycheck.CheckStat(sr.Stat); err != nil {
						t.Errorf("dashboard %s: %v", dash, err)
					}
					for _, m := range llmStreamMetrics {
						if sr.MetricName == m {
							streaming++
						}
					}
				}
				want := name == "llm" && (strings.HasSuffix(dash, "-llama-chat") || strings.HasSuffix(dash, "-sizing")) ||
					name == "llm-sizing" && dash == "llm-sizing"
				if (streaming > 0) != want {
					t.Errorf("dashboard %s reads %d streaming metric lines; want them only on streaming tests' dashboards", dash, streaming)
				}
			}
		})
	}
}

// The LLM example's endpoint and sizing endpoint dashboards draw TTFT and
// ITL/TPOT beside GPU and GPU memory, output tokens/s and goodput beside
// the request rate; every metric line is one SageMaker publishes for a
// real-time endpoint or loadgen publishes; the tasks may read the sizing
// plan's prompt dataset and nothing else in S3; the ready run-task command
// starts a streaming test with synthetic prompts and no payload.
func TestLLM_Example(t *testing.T) {
	s := synth(t, "llm")
	dashboards := s.dashboards(t)
	for _, name := range []string{"llm-chat-llama-chat", "llm-chat-sizing"} {
		body, ok := dashboards[name]
		if !ok {
			t.Fatalf("no dashboard %s among %v", name, keys(dashboards))
		}
		rows := map[float64][]string{}
		for _, w := range body["widgets"].([]any) {
			w := w.(map[string]any)
			if title, ok := w["properties"].(map[string]any)["title"].(string); ok {
				rows[w["y"].(float64)] = append(rows[w["y"].(float64)], title)
			}
		}
		var ttftRow, goodRow string
		for _, titles := range rows {
			joined := strings.Join(titles, "|")
			if strings.HasPrefix(joined, "Time to first token (ms)") {
				ttftRow = joined
			}
			if strings.HasPrefix(joined, "Output tokens per second") {
				goodRow = joined
			}
		}
		if ttftRow != "Time to first token (ms)|Inter-token latency and TPOT (ms)|GPU and GPU memory (% of instance)" {
			t.Errorf("%s: the TTFT row holds %q; want TTFT, ITL/TPOT and GPU side by side", name, ttftRow)
		}
		if goodRow != "Output tokens per second|Goodput vs request rate (req/s)|Output tokens per request" {
			t.Errorf("%s: the token rate row holds %q; want tokens/s, goodput and tokens per request", name, goodRow)
		}
	}
	cat, err := dashcheck.KindCatalogue(metrics.KindRealtime, dashcheck.LoadTestMetrics("")...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dashcheck.CheckTemplate(s.json, dashcheck.DefaultEnv(), dashcheck.Options{Catalogue: cat}); err != nil {
		t.Errorf("llm dashboards and alarms: %v", err)
	}

	lt, ok := s.others[s.cfg.LoadTestStackName()]
	if !ok {
		t.Fatalf("no stack %s", s.cfg.LoadTestStackName())
	}
	policies, _ := json.Marshal(resourcesOf(lt, "AWS::IAM::Policy"))
	if !strings.Contains(string(policies), `"Action":"s3:GetObject","Effect":"Allow","Resource":{"Fn::Sub":"arn:${AWS::Partition}:s3:::llm-chat-prompts/chat.jsonl"}`) {
		t.Errorf("task policies %s; want s3:GetObject on the prompt dataset object only", policies)
	}
	if strings.Count(string(policies), `"Action":"s3:`) != 1 {
		t.Errorf("task policies grant S3 beyond the prompt dataset: %s", policies)
	}
	cmd, _ := json.Marshal(lt["Outputs"].(map[string]any)["RunTaskCommand"])
	for _, want := range []string{`{\"name\":\"LOADGEN_STREAM\",\"value\":\"true\"}`, `{\"name\":\"LOADGEN_INPUT_TOKENS\",\"value\":\"512:128\"}`,
		`{\"name\":\"LOADGEN_SLO_E2E\",\"value\":\"30s\"}`} {
		if !strings.Contains(string(cmd), want) {
			t.Errorf("RunTaskCommand %s lacks %s", cmd, want)
		}
	}
	if strings.Contains(string(cmd), "LOADGEN_PAYLOAD") {
		t.Errorf("RunTaskCommand %s sets a payload; synthetic prompts need none", cmd)
	}
}
