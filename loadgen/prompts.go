package loadgen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// MaxPromptFileBytes bounds the size of a prompt dataset read into memory.
const MaxPromptFileBytes = 64 << 20

// What the input token counts of a request are made of, as the summary
// says.
const (
	// InputEstimated is a prompt's length in bytes divided by 4 (rounded
	// up), the usual rule of thumb for English text with BPE tokenizers:
	// an estimate, not the model's count.
	InputEstimated = "estimate (prompt bytes / 4)"
	// InputWords is a synthetic prompt's word count: it is made of common
	// English words that GPT-style and Llama tokenizers encode as one
	// token each, so it is close to, but not exactly, the model's count.
	InputWords = "synthetic words (about one token each)"
	// InputUsage is the server's own count (usage.prompt_tokens).
	InputUsage = "tokens (usage)"
)

// Prompt is one request of an LLM test: the prompt text and the output
// length it asks for.
type Prompt struct {
	Text      string
	MaxTokens int    // 0: the server's default
	Name      string // file:line, or synthetic:N
	// InputTokens is the prompt's length in tokens, counted as
	// InputCounted says.
	InputTokens  int
	InputCounted string
}

// promptLine is one line of a prompt dataset.
type promptLine struct {
	Prompt    *string          `json:"prompt"`
	MaxTokens *json.RawMessage `json:"max_tokens"`
}

// ErrEmptyPrompts is returned (wrapped) for a prompt dataset without a prompt.
var ErrEmptyPrompts = errors.New("no prompts")

// LoadPrompts reads a JSON Lines prompt dataset from a file: one
// {"prompt": "...", "max_tokens": N} per line, max_tokens optional, blank
// lines skipped. A file larger than MaxPromptFileBytes is refused.
func LoadPrompts(path string) ([]Prompt, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("prompts: %w", err)
	}
	defer f.Close()
	data, err := readCapped(f, path)
	if err != nil {
		return nil, err
	}
	return ParsePrompts(path, data)
}

// readCapped reads r whole, refusing more than MaxPromptFileBytes.
func readCapped(r io.Reader, source string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxPromptFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("prompts %s: %w", source, err)
	}
	if len(data) > MaxPromptFileBytes {
		return nil, fmt.Errorf("prompts %s: larger than %d MiB, the most read into memory: use a sample of it", source, MaxPromptFileBytes>>20)
	}
	return data, nil
}

// ParsePrompts parses a JSON Lines prompt dataset; source names it in
// errors (a line that is not JSON gives its line number and start).
func ParsePrompts(source string, data []byte) ([]Prompt, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("prompts %s: %w: the file is empty; want one {\"prompt\": \"...\", \"max_tokens\": N} per line", source, ErrEmptyPrompts)
	}
	var prompts []Prompt
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), len(data)+1)
	for n := 1; sc.Scan(); n++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		p, err := parsePromptLine(b)
		if err != nil {
			return nil, fmt.Errorf("prompts %s line %d: %w; the line starts %q", source, n, err, clip(b))
		}
		p.Name = fmt.Sprintf("%s:%d", filepath.Base(source), n)
		prompts = append(prompts, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("prompts %s: %w", source, err)
	}
	if len(prompts) == 0 {
		return nil, fmt.Errorf("prompts %s: %w: only blank lines", source, ErrEmptyPrompts)
	}
	return prompts, nil
}

func parsePromptLine(b []byte) (Prompt, error) {
	var l promptLine
	if err := json.Unmarshal(b, &l); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return Prompt{}, fmt.Errorf(`"prompt" must be a string, not a JSON %s`, typeErr.Value)
		}
		return Prompt{}, fmt.Errorf("not valid JSON (%v)", err)
	}
	if l.Prompt == nil || *l.Prompt == "" {
		return Prompt{}, errors.New(`no "prompt" member (a non-empty string)`)
	}
	p := Prompt{Text: *l.Prompt, InputTokens: estimateTokens(*l.Prompt), InputCounted: InputEstimated}
	if l.MaxTokens != nil && string(*l.MaxTokens) != "null" {
		if err := json.Unmarshal(*l.MaxTokens, &p.MaxTokens); err != nil || p.MaxTokens < 1 || p.MaxTokens > MaxTokenLength {
			return Prompt{}, fmt.Errorf(`"max_tokens" must be a whole number of tokens between 1 and %d, got %s`, MaxTokenLength, *l.MaxTokens)
		}
	}
	return p, nil
}

// estimateTokens estimates a text's token count: its bytes / 4, rounded
// up (InputEstimated).
func estimateTokens(s string) int { return (len(s) + 3) / 4 }

// RenderPrompts turns prompts into the request bodies of format (see
// PromptBody) and returns them as a payload set named source.
func RenderPrompts(source string, prompts []Prompt, format string) (*Payloads, error) {
	if err := checkFormat(format); err != nil {
		return nil, err
	}
	items := make([]Payload, len(prompts))
	for i := range prompts {
		p := &prompts[i]
		items[i] = NewPayload(p.Name, PromptBody(format, p.Text, p.MaxTokens))
		items[i].InputTokens, items[i].InputCounted = p.InputTokens, p.InputCounted
	}
	return NewPayloads(source+" (bodies: "+BodyStyle(format)+")", items...)
}

// BodyStyle names the request body PromptBody writes for format.
func BodyStyle(format string) string {
	if format == FormatOpenAI {
		return "OpenAI chat/completions"
	}
	return "TGI/LMI inputs+parameters"
}

// PromptBody returns the streaming request body of a prompt for format:
//   - openai: {"messages":[{"role":"user","content":PROMPT}],
//     "max_tokens":N,"stream":true,"stream_options":{"include_usage":true}}
//     (the usage chunk gives exact token counts);
//   - tgi, text and auto: TGI/LMI's {"inputs":PROMPT,
//     "parameters":{"max_new_tokens":N},"stream":true}, the schema of the
//     TGI and LMI containers that SageMaker LLM endpoints mostly run.
//
// maxTokens 0 leaves the output length to the server.
func PromptBody(format, prompt string, maxTokens int) []byte {
	var v any
	if format == FormatOpenAI {
		v = openAIBody{Messages: []chatMessage{{Role: "user", Content: prompt}}, MaxTokens: maxTokens, Stream: true,
			StreamOptions: streamOptions{IncludeUsage: true}}
	} else {
		b := tgiBody{Inputs: prompt, Stream: true}
		if maxTokens > 0 {
			b.Parameters = &tgiParameters{MaxNewTokens: maxTokens}
		}
		v = b
	}
	body, err := json.Marshal(v)
	if err != nil {
		panic(err) // strings and ints always encode
	}
	return body
}

type tgiBody struct {
	Inputs     string         `json:"inputs"`
	Parameters *tgiParameters `json:"parameters,omitempty"`
	Stream     bool           `json:"stream"`
}

type tgiParameters struct {
	MaxNewTokens int `json:"max_new_tokens"`
}

type openAIBody struct {
	Messages      []chatMessage `json:"messages"`
	MaxTokens     int           `json:"max_tokens,omitempty"`
	Stream        bool          `json:"stream"`
	StreamOptions streamOptions `json:"stream_options"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}
