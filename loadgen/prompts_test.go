package loadgen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/testkit/awstest"
)

func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLoadPrompts reads a dataset: blank lines skipped, max_tokens
// optional, the input length estimated as bytes / 4 and said so.
func TestLoadPrompts(t *testing.T) {
	path := writeFile(t, "chat.jsonl", "{\"prompt\": \"Say hello in French.\", \"max_tokens\": 16}\n\n  {\"prompt\":\"Summarise: a b c\"}\r\n")
	got, err := loadgen.LoadPrompts(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []loadgen.Prompt{
		{Text: "Say hello in French.", MaxTokens: 16, Name: "chat.jsonl:1", InputTokens: 5, InputCounted: loadgen.InputEstimated},
		{Text: "Summarise: a b c", Name: "chat.jsonl:3", InputTokens: 4, InputCounted: loadgen.InputEstimated},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("LoadPrompts = %+v; want %+v", got, want)
	}
}

// TestLoadPromptsBadInput: every bad dataset is refused with its file,
// its line and what was wrong.
func TestLoadPromptsBadInput(t *testing.T) {
	for _, tt := range []struct{ name, data, want string }{
		{"not JSON", "{\"prompt\":\"ok\"}\n{\"prompt\": \"unterminated\n", `prompts %s line 2: not valid JSON (unexpected end of JSON input); the line starts "{\"prompt\": \"unterminated"`},
		{"empty", "", "prompts %s: no prompts: the file is empty; want one {\"prompt\": \"...\", \"max_tokens\": N} per line"},
		{"blank", "\n  \n", "prompts %s: no prompts: the file is empty"},
		{"no prompt", "{\"text\":\"hi\"}\n", `prompts %s line 1: no "prompt" member (a non-empty string); the line starts "{\"text\":\"hi\"}"`},
		{"prompt not a string", "{\"prompt\":[1,2]}\n", `prompts %s line 1: "prompt" must be a string, not a JSON array`},
		{"bad max_tokens", "{\"prompt\":\"x\",\"max_tokens\":-3}\n", `prompts %s line 1: "max_tokens" must be a whole number of tokens between 1 and 1048576, got -3`},
		{"fractional max_tokens", "{\"prompt\":\"x\",\"max_tokens\":2.5}\n", `"max_tokens" must be a whole number of tokens between 1 and 1048576, got 2.5`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "p.jsonl", tt.data)
			_, err := loadgen.LoadPrompts(path)
			want := tt.want
			if strings.Contains(want, "%s") {
				want = strings.Replace(want, "%s", path, 1)
			}
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("LoadPrompts: %v; want an error containing %q", err, want)
			}
		})
	}
	t.Run("too large", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "huge.jsonl")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		// A sparse file: 64 MiB + 1 byte without writing them.
		if err := f.Truncate(loadgen.MaxPromptFileBytes + 1); err != nil {
			t.Fatal(err)
		}
		f.Close()
		_, err = loadgen.LoadPrompts(path)
		if err == nil || !strings.Contains(err.Error(), "larger than 64 MiB, the most read into memory") {
			t.Errorf("LoadPrompts(65 MiB) = %v; want the size refused", err)
		}
	})
}

// TestLoadS3Prompts reads a dataset through the SDK's S3 client from the
// fake S3; a bad line names the object and the line.
func TestLoadS3Prompts(t *testing.T) {
	srv := awstest.NewS3()
	defer srv.Close()
	srv.Put("llm-data", "prompts.jsonl", []byte("{\"prompt\":\"hi\",\"max_tokens\":3}\n"))
	srv.Put("llm-data", "bad.jsonl", []byte("{\"prompt\":\"hi\"}\nnot json\n"))
	api := s3.NewFromConfig(awsConfig(testSecret), func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL); o.UsePathStyle = true })
	got, err := loadgen.LoadS3Prompts(context.Background(), api, "s3://llm-data/prompts.jsonl")
	if err != nil || len(got) != 1 || got[0].Text != "hi" || got[0].MaxTokens != 3 {
		t.Errorf("LoadS3Prompts = %+v, %v", got, err)
	}
	_, err = loadgen.LoadS3Prompts(context.Background(), api, "s3://llm-data/bad.jsonl")
	if err == nil || !strings.Contains(err.Error(), `prompts s3://llm-data/bad.jsonl line 2: not valid JSON`) {
		t.Errorf("bad object: %v", err)
	}
}

// TestPromptBody renders the request body of each format as the
// containers expect it.
func TestPromptBody(t *testing.T) {
	for _, tt := range []struct {
		format    string
		maxTokens int
		want      string
	}{
		{loadgen.FormatTGI, 64, `{"inputs":"Hi \"you\"","parameters":{"max_new_tokens":64},"stream":true}`},
		{loadgen.FormatAuto, 0, `{"inputs":"Hi \"you\"","stream":true}`},
		{loadgen.FormatText, 8, `{"inputs":"Hi \"you\"","parameters":{"max_new_tokens":8},"stream":true}`},
		{loadgen.FormatOpenAI, 64, `{"messages":[{"role":"user","content":"Hi \"you\""}],"max_tokens":64,"stream":true,"stream_options":{"include_usage":true}}`},
		{loadgen.FormatOpenAI, 0, `{"messages":[{"role":"user","content":"Hi \"you\""}],"stream":true,"stream_options":{"include_usage":true}}`},
	} {
		if got := string(loadgen.PromptBody(tt.format, `Hi "you"`, tt.maxTokens)); got != tt.want {
			t.Errorf("PromptBody(%s, %d) = %s; want %s", tt.format, tt.maxTokens, got, tt.want)
		}
	}
}

// TestParseTokenDist accepts MEAN[:STDDEV] and refuses the rest with the
// form it wants.
func TestParseTokenDist(t *testing.T) {
	for in, want := range map[string]loadgen.TokenDist{"512:128": {512, 128}, "256": {256, 0}, "1:1": {1, 1}, " 64 : 0 ": {64, 0}} {
		if got, err := loadgen.ParseTokenDist(in); err != nil || got != want {
			t.Errorf("ParseTokenDist(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "NaN", "NaN:1", "-5", "0", "0.5", "512:-1", "512:600", "512:NaN", "512:x", "2000000", "Inf", "512:128:3"} {
		_, err := loadgen.ParseTokenDist(in)
		if err == nil || !strings.Contains(err.Error(), "e.g. 512:128") {
			t.Errorf("ParseTokenDist(%q) = %v; want an error showing the form", in, err)
		}
	}
}

// TestSyntheticPrompts: over 5,000 prompts of a fixed seed, the lengths'
// mean and stddev are the distribution's within 3%; the same seed makes
// the same prompts, another seed other ones; lengths are never below 1.
func TestSyntheticPrompts(t *testing.T) {
	in, out := loadgen.TokenDist{Mean: 64, Stddev: 16}, loadgen.TokenDist{Mean: 200, Stddev: 50}
	a := loadgen.SyntheticPrompts(in, out, 5000, 7)
	var inLens, outLens []float64
	for _, p := range a {
		words := len(strings.Fields(p.Text))
		if words != p.InputTokens || p.InputCounted != loadgen.InputWords || words < 1 || p.MaxTokens < 1 {
			t.Fatalf("prompt %s: %d words, input tokens %d (%s), max_tokens %d", p.Name, words, p.InputTokens, p.InputCounted, p.MaxTokens)
		}
		inLens, outLens = append(inLens, float64(words)), append(outLens, float64(p.MaxTokens))
	}
	for _, c := range []struct {
		name string
		xs   []float64
		d    loadgen.TokenDist
	}{{"input", inLens, in}, {"output", outLens, out}} {
		m, sd := meanStddev(c.xs)
		if math.Abs(m-c.d.Mean) > 0.03*c.d.Mean || math.Abs(sd-c.d.Stddev) > 0.03*c.d.Stddev {
			t.Errorf("%s lengths: mean %.2f stddev %.2f; want %v within 3%%", c.name, m, sd, c.d)
		}
	}
	b := loadgen.SyntheticPrompts(in, out, 5000, 7)
	c := loadgen.SyntheticPrompts(in, out, 5000, 8)
	same, differ := true, false
	for i := range a {
		same = same && a[i] == b[i]
		differ = differ || a[i].Text != c[i].Text
	}
	if !same || !differ {
		t.Errorf("seed 7 twice: same %v; seed 8: differs %v", same, differ)
	}
	for _, p := range loadgen.SyntheticPrompts(loadgen.TokenDist{Mean: 2, Stddev: 2}, loadgen.TokenDist{}, 500, 1) {
		if p.InputTokens < 1 || p.MaxTokens != 0 {
			t.Fatalf("clamped prompt %+v: want at least one token and no max_tokens", p)
		}
	}
}

func meanStddev(xs []float64) (mean, sd float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)-1))
}

// TestSyntheticCount bounds the pool of synthetic prompts by -requests
// and by memory.
func TestSyntheticCount(t *testing.T) {
	for _, tt := range []struct {
		in       loadgen.TokenDist
		requests uint64
		want     int
	}{
		{loadgen.TokenDist{Mean: 512, Stddev: 128}, 0, loadgen.MaxSyntheticPrompts},
		{loadgen.TokenDist{Mean: 512, Stddev: 128}, 30, 30},
		{loadgen.TokenDist{Mean: 1 << 20, Stddev: 0}, 0, 10},
	} {
		if got := loadgen.SyntheticCount(tt.in, tt.requests); got != tt.want {
			t.Errorf("SyntheticCount(%v, %d) = %d; want %d", tt.in, tt.requests, got, tt.want)
		}
	}
}

// TestStreamPromptsReachTheServer streams rendered synthetic prompts
// through the SDK to the fake endpoint in the OpenAI format: the server
// sees each prompt's max_tokens and answers with that many tokens; the
// summary sums the input tokens the server's usage chunk reported.
func TestStreamPromptsReachTheServer(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string]int{} // content -> max_tokens
	srv := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: awstest.TokenModel{StepBase: time.Millisecond}, Format: awstest.StreamOpenAI,
		Script: func(inv *awstest.Invocation) awstest.StreamPlan {
			var b struct {
				Messages  []struct{ Content string }
				MaxTokens int `json:"max_tokens"`
			}
			_ = json.Unmarshal(inv.Body, &b)
			mu.Lock()
			seen[b.Messages[0].Content] = b.MaxTokens
			mu.Unlock()
			return awstest.StreamPlan{}
		}})
	defer srv.Close()
	ps := loadgen.SyntheticPrompts(loadgen.TokenDist{Mean: 12, Stddev: 3}, loadgen.TokenDist{Mean: 6, Stddev: 2}, 8, 3)
	payloads, err := loadgen.RenderPrompts("synthetic", ps, loadgen.FormatOpenAI)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sum, err := loadgen.Run(context.Background(), streamTarget(t, srv.URL, loadgen.FormatOpenAI), loadgen.Options{
		Pacer: constant(t, 40, 200*time.Millisecond), Payloads: payloads, Output: &out, Interval: time.Second})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var wantIn, wantOut uint64
	for _, p := range ps {
		if got, ok := seen[p.Text]; !ok || got != p.MaxTokens {
			t.Errorf("prompt %s: server saw max_tokens %d (sent: %v); want %d", p.Name, got, ok, p.MaxTokens)
		}
		wantIn, wantOut = wantIn+uint64(p.InputTokens), wantOut+uint64(p.MaxTokens)
	}
	s := sum.Stream
	if sum.OK != 8 || s.OutputTokens != wantOut || s.InputTokens != wantIn || s.InputCounted != loadgen.InputUsage {
		t.Errorf("summary: ok %d, output %d, input %d (%s); want 8 ok, %d output, %d input tokens (usage)", sum.OK, s.OutputTokens, s.InputTokens, s.InputCounted, wantOut, wantIn)
	}
	if !strings.Contains(sum.Payloads.Source, "OpenAI chat/completions") {
		t.Errorf("payload source %q; want the body style named", sum.Payloads.Source)
	}
}
