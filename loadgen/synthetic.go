package loadgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// MaxTokenLength bounds a synthetic prompt or answer length, and a
// dataset's max_tokens, in tokens (the longest context windows served on
// SageMaker are about this size).
const MaxTokenLength = 1 << 20

// TokenDist is a normal distribution of token counts (-input-tokens,
// -output-tokens): samples are rounded and clamped to [1, MaxTokenLength].
type TokenDist struct {
	Mean, Stddev float64
}

// ParseTokenDist parses MEAN[:STDDEV], e.g. "512:128" or "256" (stddev 0).
// The mean is a token count between 1 and MaxTokenLength, the stddev
// between 0 and the mean.
func ParseTokenDist(s string) (TokenDist, error) {
	meanS, sdS, hasSD := strings.Cut(s, ":")
	mean, err := strconv.ParseFloat(strings.TrimSpace(meanS), 64)
	if err != nil || math.IsNaN(mean) || mean < 1 || mean > MaxTokenLength {
		return TokenDist{}, fmt.Errorf("%q: want MEAN[:STDDEV] in tokens, MEAN a number between 1 and %d, e.g. 512:128", s, MaxTokenLength)
	}
	d := TokenDist{Mean: mean}
	if !hasSD {
		return d, nil
	}
	d.Stddev, err = strconv.ParseFloat(strings.TrimSpace(sdS), 64)
	if err != nil || math.IsNaN(d.Stddev) || d.Stddev < 0 || d.Stddev > mean {
		return TokenDist{}, fmt.Errorf("%q: STDDEV must be a number between 0 and the mean (%v), e.g. 512:128", s, mean)
	}
	return d, nil
}

// String returns MEAN:STDDEV.
func (d TokenDist) String() string {
	return strconv.FormatFloat(d.Mean, 'f', -1, 64) + ":" + strconv.FormatFloat(d.Stddev, 'f', -1, 64)
}

// IsZero reports whether d is unset.
func (d TokenDist) IsZero() bool { return d == TokenDist{} }

// Sample draws one length from d.
func (d TokenDist) Sample(rng *rand.Rand) int {
	v := math.Round(d.Mean + d.Stddev*rng.NormFloat64())
	return int(min(max(v, 1), MaxTokenLength))
}

// syntheticWords are common English words that GPT-style (cl100k, o200k)
// and Llama tokenizers encode as a single token each, with or without a
// leading space: a prompt of N of them is about N tokens long.
var syntheticWords = strings.Fields(`the of and to in is that for it as was with be by on not he this are or
his from at which but have an they you were her she there one all we their has been if more when will would
who so no time out up can only other new some what also into two could first than these may any after most
over very through where just made our long many before must back way well should because each people state
year work day part world good life end case point group number system place water small house book city name
line table light word sound music plant food river power model paper market price order level image data`)

// syntheticBytesPerToken is the average length of a synthetic word and
// its space, to bound the memory of a pool of prompts.
const syntheticBytesPerToken = 6

// MaxSyntheticPrompts is the most synthetic prompts made up front; the
// test cycles through them (or samples them with -sample).
const MaxSyntheticPrompts = 1000

// SyntheticCount returns how many synthetic prompts of in to make: at most
// MaxSyntheticPrompts, at most requests when it is not 0, and no more
// than MaxPromptFileBytes of prompt text in all (at least one).
func SyntheticCount(in TokenDist, requests uint64) int {
	n := MaxSyntheticPrompts
	if requests > 0 && requests < uint64(n) {
		n = int(requests)
	}
	perPrompt := (in.Mean + 3*in.Stddev) * syntheticBytesPerToken
	return max(1, min(n, int(MaxPromptFileBytes/perPrompt)))
}

// SyntheticPrompts makes n prompts, seeded: their lengths in tokens drawn
// from in, their max_tokens from out (none when out is zero). The same
// seed makes the same prompts.
func SyntheticPrompts(in, out TokenDist, n int, seed uint64) []Prompt {
	rng := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	prompts := make([]Prompt, n)
	var b strings.Builder
	for i := range prompts {
		words := in.Sample(rng)
		b.Reset()
		b.Grow(words * syntheticBytesPerToken)
		for w := range words {
			if w > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(syntheticWords[rng.IntN(len(syntheticWords))])
		}
		p := Prompt{Text: b.String(), Name: fmt.Sprintf("synthetic:%d", i+1), InputTokens: words, InputCounted: InputWords}
		if !out.IsZero() {
			p.MaxTokens = out.Sample(rng)
		}
		prompts[i] = p
	}
	return prompts
}

// FillMaxTokens gives every prompt without a max_tokens one drawn from
// out, seeded (a dataset's own max_tokens win).
func FillMaxTokens(prompts []Prompt, out TokenDist, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))
	for i := range prompts {
		if prompts[i].MaxTokens == 0 {
			prompts[i].MaxTokens = out.Sample(rng)
		}
	}
}
