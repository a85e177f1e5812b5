package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/testkit/awstest"
)

// bodyRecorder is a StreamScript that keeps every request body.
type bodyRecorder struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (b *bodyRecorder) script(inv *awstest.Invocation) awstest.StreamPlan {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bodies = append(b.bodies, inv.Body)
	return awstest.StreamPlan{}
}

// TestPromptsDataset streams a JSON Lines dataset from a file and from S3
// (as the Fargate task gets it, LOADGEN_PROMPTS): every line's prompt
// reaches the server in a TGI/LMI body with its max_tokens, the answers
// are that long, and the summary gives the estimated input tokens.
func TestPromptsDataset(t *testing.T) {
	awsEnv(t, testSecret)
	data := "{\"prompt\": \"one two three four\", \"max_tokens\": 3}\n\n{\"prompt\": \"five six seven eight nine ten eleven twelve\", \"max_tokens\": 5}\n"
	file := filepath.Join(t.TempDir(), "prompts.jsonl")
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	s3srv := awstest.NewS3()
	defer s3srv.Close()
	s3srv.Put("llm-data", "chat/prompts.jsonl", []byte(data))
	for _, source := range []string{file, "s3://llm-data/chat/prompts.jsonl"} {
		t.Run(filepath.Base(source), func(t *testing.T) {
			rec := &bodyRecorder{}
			srv := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: awstest.TokenModel{StepBase: time.Millisecond}, Script: rec.script})
			defer srv.Close()
			t.Setenv("LOADGEN_PROMPTS", source)
			t.Setenv("LOADGEN_S3_ENDPOINT_URL", s3srv.URL)
			var stdout, stderr bytes.Buffer
			args := []string{"-stream", "-endpoint", "llm-ep", "-endpoint-url", srv.URL, "-rate", "20", "-duration", "200ms", "-progress", "off"}
			if err := run(context.Background(), args, &stdout, &stderr); err != nil {
				t.Fatalf("run: %v\n%s", err, stderr.String())
			}
			s := summaryOf(t, stdout.Bytes())
			// 4 requests cycle through 2 prompts: 2 × (3 + 5) tokens;
			// input 2 × (18/4 + 44/4 rounded up) = 2 × (5 + 11).
			if s.OK != 4 || s.Stream == nil || s.Stream.OutputTokens != 16 || s.Stream.InputTokens != 32 || s.Stream.InputCounted != loadgen.InputEstimated {
				t.Errorf("summary: ok %d, stream %+v; want 4 ok, 16 output tokens, 32 estimated input tokens", s.OK, s.Stream)
			}
			if !strings.HasPrefix(s.Payloads.Source, source) || s.Payloads.Count != 2 {
				t.Errorf("payloads %+v; want the 2 prompts of %s", s.Payloads, source)
			}
			want := `{"inputs":"one two three four","parameters":{"max_new_tokens":3},"stream":true}`
			if len(rec.bodies) != 4 || string(rec.bodies[0]) != want {
				t.Errorf("server got %d bodies, first %s; want 4, first %s", len(rec.bodies), rec.bodies[0], want)
			}
		})
	}
}

// TestSyntheticPromptsFromTheEnvironment runs synthetic prompts as the
// config hands them to the task (LOADGEN_INPUT_TOKENS=MEAN:STDDEV): the
// server gets OpenAI bodies whose max_tokens come from the output
// distribution, and the summary names the generator.
func TestSyntheticPromptsFromTheEnvironment(t *testing.T) {
	rec := &bodyRecorder{}
	srv := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: awstest.TokenModel{StepBase: time.Millisecond}, Format: awstest.StreamOpenAI, Script: rec.script})
	defer srv.Close()
	t.Setenv("LOADGEN_INPUT_TOKENS", "40:10")
	t.Setenv("LOADGEN_OUTPUT_TOKENS", "6:2")
	var stdout, stderr bytes.Buffer
	args := []string{"-stream", "-format", "openai", "-container", srv.URL, "-rate", "50", "-duration", "400ms", "-seed", "9", "-progress", "off"}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	s := summaryOf(t, stdout.Bytes())
	var sumMax uint64
	for _, b := range rec.bodies {
		var req struct {
			Messages  []struct{ Content string }
			MaxTokens int  `json:"max_tokens"`
			Stream    bool `json:"stream"`
		}
		if err := json.Unmarshal(b, &req); err != nil || len(req.Messages) != 1 || req.MaxTokens < 1 || !req.Stream {
			t.Fatalf("server got %s (%v); want an OpenAI streaming chat request with max_tokens", b, err)
		}
		sumMax += uint64(req.MaxTokens)
	}
	if s.OK != 20 || len(rec.bodies) != 20 || s.Stream.OutputTokens != sumMax || s.Stream.InputCounted != loadgen.InputUsage {
		t.Errorf("summary: ok %d, stream %+v; server got %d bodies asking for %d tokens", s.OK, s.Stream, len(rec.bodies), sumMax)
	}
	if m := s.Stream.InputTokensPerRequest; m < 30 || m > 50 {
		t.Errorf("input tokens per request %.1f; want about 40", m)
	}
	if want := "synthetic prompts (-input-tokens 40:10, -output-tokens 6:2, seed 9, 1000 made)"; !strings.HasPrefix(s.Payloads.Source, want) {
		t.Errorf("payload source %q; want it to start %q", s.Payloads.Source, want)
	}
}

// TestPromptsBadInput: a bad dataset or distribution is refused before
// anything is sent, with a message naming the flag, file or line.
func TestPromptsBadInput(t *testing.T) {
	awsEnv(t, testSecret)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	if err := os.WriteFile(bad, []byte("{\"prompt\":\"ok\"}\n{\"prompt\": oops}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"-container", "http://127.0.0.1:1", "-rate", "5", "-duration", "1s"}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-stream", "-prompts", bad}, "prompts " + bad + ` line 2: not valid JSON (invalid character 'o' looking for beginning of value); the line starts "{\"prompt\": oops}"`},
		{[]string{"-stream", "-prompts", empty}, "prompts " + empty + ": no prompts: the file is empty"},
		{[]string{"-stream", "-prompts", filepath.Join(dir, "gone.jsonl")}, "prompts: open " + filepath.Join(dir, "gone.jsonl") + ": no such file"},
		{[]string{"-prompts", bad}, "-prompts applies to streamed answers only: add -stream"},
		{[]string{"-stream", "-prompts", bad, "-body", "{}"}, "-body and -prompts are alternatives: give one source of requests"},
		{[]string{"-stream", "-prompts", bad, "-input-tokens", "5"}, "-prompts and -input-tokens are alternatives"},
		{[]string{"-stream", "-body", "{}", "-output-tokens", "5"}, "-output-tokens sets the max_tokens of -prompts or -input-tokens requests"},
		{[]string{"-stream", "-input-tokens", "NaN"}, `invalid value "NaN" for flag -input-tokens: "NaN": want MEAN[:STDDEV] in tokens, MEAN a number between 1 and 1048576, e.g. 512:128`},
		{[]string{"-stream", "-input-tokens", "-3"}, `invalid value "-3" for flag -input-tokens`},
		{[]string{"-stream", "-input-tokens", "5", "-output-tokens", "100:200"}, `invalid value "100:200" for flag -output-tokens: "100:200": STDDEV must be a number between 0 and the mean (100)`},
		{[]string{"-stream", "-input-tokens", "lots"}, `invalid value "lots" for flag -input-tokens`},
	} {
		args := append(append([]string{}, tt.args...), base...)
		var stdout bytes.Buffer
		err := run(context.Background(), args, &stdout, new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%q) = %v; want an error containing %q", tt.args, err, tt.want)
		}
	}
	t.Setenv("LOADGEN_OUTPUT_TOKENS", "garbage")
	err := run(context.Background(), append([]string{"-stream", "-input-tokens", "5"}, base...), new(bytes.Buffer), new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), `LOADGEN_OUTPUT_TOKENS="garbage"`) {
		t.Errorf("LOADGEN_OUTPUT_TOKENS=garbage: %v; want the variable named", err)
	}
}
