package config

import (
	"strconv"
	"time"

	"github.com/sagesize/sagesize/loadplan"
)

// Stream makes a load test (an endpoint's loadTest or the sizing plan) a
// streaming LLM test: loadgen -stream calls InvokeEndpointWithResponseStream
// and measures time to first token, inter-token gaps, TPOT, end-to-end
// time and output tokens.
type Stream struct {
	// Format of the answers: auto (default), tgi (TGI/LMI token events),
	// openai (chat/completions chunks) or text (chunks counted, not tokens).
	Format string `yaml:"format"`
	// FirstTokenTimeout bounds the wait for the first token; default
	// loadgen's -first-token-timeout.
	FirstTokenTimeout *Duration `yaml:"firstTokenTimeout"`
	// Prompts is a JSON Lines prompt dataset in S3 (s3://bucket/key.jsonl,
	// one {"prompt": ..., "max_tokens": N} per line); the alternative to a
	// payload or body, and to InputTokens/OutputTokens.
	Prompts string `yaml:"prompts"`
	// InputTokens and OutputTokens make synthetic prompts of these token
	// length distributions, for users with no dataset.
	InputTokens  *TokenLength `yaml:"inputTokens"`
	OutputTokens *TokenLength `yaml:"outputTokens"`
	// SLO is the per-request objective that makes a request count towards
	// goodput (loadgen's -slo-ttft, -slo-tpot, -slo-e2e).
	SLO *StreamSLO `yaml:"slo"`
}

// TokenLength is a distribution of token counts: mean and standard deviation.
type TokenLength struct {
	Mean   float64 `yaml:"mean"`
	Stddev float64 `yaml:"stddev"`
}

// Flag is the distribution as loadgen's -input-tokens/-output-tokens take
// it: MEAN:STDDEV.
func (t TokenLength) Flag() string {
	return strconv.FormatFloat(t.Mean, 'f', -1, 64) + ":" + strconv.FormatFloat(t.Stddev, 'f', -1, 64)
}

// StreamSLO is the per-request goodput objective of a streaming test: a
// request is good when every given bound holds.
type StreamSLO struct {
	TTFT *Duration `yaml:"ttft"`
	TPOT *Duration `yaml:"tpot"`
	E2E  *Duration `yaml:"e2e"`
}

// Stream formats loadgen understands (its -format values).
var streamFormats = []string{"auto", "tgi", "openai", "text"}

// HasPrompts reports whether the stream brings its own requests (a prompt
// dataset or synthetic prompts), so that no payload or body is needed.
func (s *Stream) HasPrompts() bool {
	return s != nil && (s.Prompts != "" || s.InputTokens != nil)
}

// Env is the LOADGEN_* variables that make loadgen run this stream (empty
// on a nil receiver: not a streaming test). Flags are named as loadgen's.
func (s *Stream) Env() loadplan.Env {
	if s == nil {
		return nil
	}
	env := loadplan.Env{{Name: loadplan.EnvName("stream"), Value: "true"}}
	add := func(flag, v string) {
		if v != "" {
			env = append(env, loadplan.Var{Name: loadplan.EnvName(flag), Value: v})
		}
	}
	add("format", s.Format)
	add("first-token-timeout", durString(s.FirstTokenTimeout))
	add("prompts", s.Prompts)
	if s.InputTokens != nil {
		add("input-tokens", s.InputTokens.Flag())
	}
	if s.OutputTokens != nil {
		add("output-tokens", s.OutputTokens.Flag())
	}
	if s.SLO != nil {
		add("slo-ttft", durString(s.SLO.TTFT))
		add("slo-tpot", durString(s.SLO.TPOT))
		add("slo-e2e", durString(s.SLO.E2E))
	}
	return env
}

func durString(d *Duration) string {
	if d == nil {
		return ""
	}
	return d.Duration.String()
}

// validateStream checks the stream section at path p (nil: nothing to check).
func validateStream(p string, s *Stream, add func(path, format string, args ...any)) {
	if s == nil {
		return
	}
	p += ".stream"
	if s.Format != "" && !contains(streamFormats, s.Format) {
		add(p+".format", "must be one of auto, tgi, openai or text, got %q", s.Format)
	}
	positive(p+".firstTokenTimeout", s.FirstTokenTimeout, add)
	if s.Prompts != "" && !s3URIRE.MatchString(s.Prompts) {
		add(p+".prompts", "must be an S3 object URI of a JSON Lines prompt file such as s3://my-bucket/prompts.jsonl, got %q", s.Prompts)
	}
	if s.Prompts != "" && s.InputTokens != nil {
		add(p, "prompts and inputTokens are alternatives: give a prompt dataset or the synthetic prompts' lengths")
	}
	if s.OutputTokens != nil && s.InputTokens == nil && s.Prompts == "" {
		add(p+".inputTokens", "is required with outputTokens: synthetic prompts need both lengths")
	}
	checkTokens(p+".inputTokens", s.InputTokens, add)
	checkTokens(p+".outputTokens", s.OutputTokens, add)
	if s.SLO != nil {
		positive(p+".slo.ttft", s.SLO.TTFT, add)
		positive(p+".slo.tpot", s.SLO.TPOT, add)
		positive(p+".slo.e2e", s.SLO.E2E, add)
	}
}

// MaxTokenLength bounds a synthetic prompt or answer length in tokens (the
// longest context windows served on SageMaker are about this size).
const MaxTokenLength = 1 << 20

func checkTokens(p string, t *TokenLength, add func(path, format string, args ...any)) {
	if t == nil {
		return
	}
	if !(t.Mean >= 1 && t.Mean <= MaxTokenLength) {
		add(p+".mean", "must be a token count between 1 and %d, got %v", MaxTokenLength, t.Mean)
	}
	if !(t.Stddev >= 0 && t.Stddev <= t.Mean) {
		add(p+".stddev", "must be between 0 and the mean (%v), got %v", t.Mean, t.Stddev)
	}
}

func positive(p string, d *Duration, add func(path, format string, args ...any)) {
	if d != nil && d.Duration <= 0 {
		add(p, "must be a positive duration such as 500ms, got %s", d.Duration)
	}
	if d != nil && d.Duration > time.Hour {
		add(p, "must be at most 1h, got %s", d.Duration)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
