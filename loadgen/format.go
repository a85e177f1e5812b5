package loadgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Response formats of a streamed answer (Options of the stream targets).
const (
	// FormatAuto tells the format from the first message: {"token":…}
	// is FormatTGI, {"choices":…} FormatOpenAI, anything that is not
	// JSON or server-sent events FormatText.
	FormatAuto = "auto"
	// FormatTGI is TGI / LMI token events, as server-sent events
	// (data:{"token":{…},"generated_text":…}) or JSON Lines: one token per
	// event, the stream ends with a non-null generated_text.
	FormatTGI = "tgi"
	// FormatOpenAI is OpenAI-compatible chat/completions chunks
	// (data: {"choices":[{"delta":{"content":…}}]}): one token arrival per
	// chunk with content; output tokens from the final usage chunk when
	// the server sends one; the stream ends with data: [DONE].
	FormatOpenAI = "openai"
	// FormatText is plain text: every chunk received is counted as one
	// arrival, and chunks (not tokens) are counted.
	FormatText = "text"
)

// Formats lists the values of -format.
var Formats = []string{FormatAuto, FormatTGI, FormatOpenAI, FormatText}

// What the output token counts are made of, as the summary says.
const (
	CountedTokens = "tokens"                 // the server's token events
	CountedUsage  = "tokens (usage)"         // the final usage chunk
	CountedChunks = "chunks (not tokens)"    // plain text, or OpenAI without usage
	countedNone   = "nothing received (yet)" // no message decoded
)

// ErrNoEnd is the error of a stream that ended without the end its format
// gives (TGI's generated_text, OpenAI's [DONE]): the answer may be cut.
var ErrNoEnd = errors.New("stream ended without its end marker")

// FormatError says that a response does not match the format chosen.
type FormatError struct {
	Format   string
	Received string // the start of what was received
	Reason   string
}

// Error implements error.
func (e *FormatError) Error() string {
	return fmt.Sprintf("response does not match -format %s: %s; received %q", e.Format, e.Reason, e.Received)
}

// streamDecoder reassembles the chunks of one response into messages (a
// message may be split across chunks, or a chunk hold several) and counts
// the token events in them.
type streamDecoder struct {
	format string // FormatAuto until told
	buf    []byte
	events int // token arrivals
	usage  int // completion_tokens of a usage chunk; -1 none
	prompt int // prompt_tokens of a usage chunk; 0 none
	ended  bool
}

func newStreamDecoder(format string) *streamDecoder {
	if format == "" {
		format = FormatAuto
	}
	return &streamDecoder{format: format, usage: -1}
}

// feed takes one chunk and returns the token arrivals it completed.
func (d *streamDecoder) feed(chunk []byte) (int, error) {
	if d.format == FormatAuto {
		d.sniff(chunk)
	}
	if d.format == FormatText {
		if len(chunk) == 0 {
			return 0, nil
		}
		d.events++
		return 1, nil
	}
	d.buf = append(d.buf, chunk...)
	n, used := 0, 0
	defer func() { d.keep(used) }()
	for {
		i := bytes.IndexByte(d.buf[used:], '\n')
		if i < 0 {
			return n, nil
		}
		k, err := d.line(bytes.TrimRight(d.buf[used:used+i], "\r"))
		used += i + 1
		n += k
		if err != nil {
			return n, err
		}
	}
}

// keep drops the first used bytes of the buffer, moving the rest to its
// start, so that the buffer's array is reused by the next chunk (no
// allocation per message).
func (d *streamDecoder) keep(used int) {
	d.buf = d.buf[:copy(d.buf, d.buf[used:])]
}

// sniff settles FormatAuto from the first bytes, when it can: JSON or
// server-sent events stay line-based (and are told apart by their first
// message); anything else is plain text.
func (d *streamDecoder) sniff(chunk []byte) {
	head := bytes.TrimLeft(append(d.buf[:len(d.buf):len(d.buf)], chunk...), " \t\r\n")
	if len(head) == 0 {
		return
	}
	for _, p := range []string{"{", "data:", "event:", ":", "id:"} {
		if strings.HasPrefix(p, string(head[:min(len(head), len(p))])) {
			return // JSON or SSE, or too short to tell
		}
	}
	d.format = FormatText
	if len(d.buf) > 0 {
		d.events++ // what was buffered is text
		d.buf = d.buf[:0]
	}
}

// tokenEvent holds the members of TGI/LMI and OpenAI messages we read.
type tokenEvent struct {
	Token         *json.RawMessage `json:"token"`
	GeneratedText *string          `json:"generated_text"`
	Choices       *[]struct {
		Delta *struct {
			Content *string `json:"content"`
		} `json:"delta"`
		Text *string `json:"text"`
	} `json:"choices"`
	Usage *struct {
		CompletionTokens int `json:"completion_tokens"`
		PromptTokens     int `json:"prompt_tokens"`
	} `json:"usage"`
}

// line decodes one complete line.
func (d *streamDecoder) line(l []byte) (int, error) {
	l = bytes.TrimSpace(l)
	if len(l) == 0 || l[0] == ':' || bytes.HasPrefix(l, []byte("event:")) || bytes.HasPrefix(l, []byte("id:")) || bytes.HasPrefix(l, []byte("retry:")) {
		return 0, nil
	}
	if data, ok := bytes.CutPrefix(l, []byte("data:")); ok {
		l = bytes.TrimSpace(data)
	}
	if string(l) == "[DONE]" {
		d.ended = true
		return 0, nil
	}
	if d.format == FormatTGI {
		if n, ok := d.fastTGI(l); ok {
			return n, nil
		}
	}
	var ev tokenEvent
	if err := json.Unmarshal(l, &ev); err != nil {
		return 0, d.mismatch(d.format, l, "a message is not JSON", nil)
	}
	if d.format == FormatAuto {
		switch {
		case ev.Token != nil:
			d.format = FormatTGI
		case ev.Choices != nil:
			d.format = FormatOpenAI
		default:
			return 0, d.mismatch(FormatAuto, l, "neither a TGI/LMI token event nor an OpenAI chunk: give -format", &ev)
		}
	}
	if d.format == FormatTGI {
		return d.tgi(&ev, l)
	}
	return d.openAI(&ev, l)
}

// fastTGI reads a TGI/LMI token event without decoding it into values
// (no allocation): l must be valid JSON whose top level has a "token"
// object; a non-null top-level "generated_text" ends the stream. ok is
// false when l is anything else: the full decoder then says why.
func (d *streamDecoder) fastTGI(l []byte) (n int, ok bool) {
	if !json.Valid(l) {
		return 0, false
	}
	var token, generated []byte
	if !topLevel(l, func(key, val []byte) {
		switch string(key) {
		case "token":
			token = val
		case "generated_text":
			generated = val
		}
	}) || len(token) == 0 || token[0] != '{' {
		return 0, false
	}
	if len(generated) > 0 && string(generated) != "null" {
		d.ended = true
	}
	d.events++
	return 1, true
}

// topLevel calls visit with the raw key (between its quotes, escapes
// left as they are) and raw value of every member of the JSON object
// obj, which must be valid JSON; it reports false when obj is not an
// object.
func topLevel(obj []byte, visit func(key, val []byte)) bool {
	if len(obj) == 0 || obj[0] != '{' {
		return false
	}
	i := 1
	for {
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] != '"' {
			return true // '}' (valid JSON)
		}
		keyEnd := stringEnd(obj, i)
		key := obj[i+1 : keyEnd-1]
		i = skipSpace(obj, keyEnd) + 1 // past ':'
		i = skipSpace(obj, i)
		end := valueEnd(obj, i)
		visit(key, obj[i:end])
		i = skipSpace(obj, end)
		if i >= len(obj) || obj[i] != ',' {
			return true
		}
		i++
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the closing quote of the string
// starting at b[i] == '"'.
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// valueEnd returns the index after the JSON value starting at b[i].
func valueEnd(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch c := b[i]; {
		case c == '"':
			i = stringEnd(b, i)
			if depth == 0 {
				return i
			}
			continue
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth == 0 {
				return i
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			return i
		}
		i++
	}
	return i
}

func (d *streamDecoder) tgi(ev *tokenEvent, l []byte) (int, error) {
	if ev.Token == nil {
		return 0, d.mismatch(FormatTGI, l, `no "token" member`, ev)
	}
	if ev.GeneratedText != nil {
		d.ended = true
	}
	d.events++
	return 1, nil
}

func (d *streamDecoder) openAI(ev *tokenEvent, l []byte) (int, error) {
	if ev.Choices == nil && ev.Usage == nil {
		return 0, d.mismatch(FormatOpenAI, l, `no "choices" nor "usage" member`, ev)
	}
	if ev.Usage != nil {
		d.usage, d.prompt = ev.Usage.CompletionTokens, ev.Usage.PromptTokens
	}
	if ev.Choices == nil {
		return 0, nil
	}
	for _, c := range *ev.Choices {
		if (c.Delta != nil && c.Delta.Content != nil && *c.Delta.Content != "") || (c.Text != nil && *c.Text != "") {
			d.events++
			return 1, nil
		}
	}
	return 0, nil
}

// mismatch returns the *FormatError of message l (ev: l decoded, nil if
// it is not JSON): the format it is in when it is a known one, else,
// before any token, the likely cause of a whole answer in one message.
func (d *streamDecoder) mismatch(format string, l []byte, reason string, ev *tokenEvent) *FormatError {
	switch {
	case ev != nil && ev.Token != nil:
		reason += " (it is a TGI/LMI token event: -format tgi)"
	case ev != nil && ev.Choices != nil:
		reason += " (it is an OpenAI chunk: -format openai)"
	case d.events == 0:
		reason += " (the first message: if it is a whole answer, the server does not stream)"
	}
	return &FormatError{Format: format, Received: clip(l), Reason: reason}
}

// finish is called at the end of the stream: it returns the output
// tokens, what they count, and ErrNoEnd when the format has an end that
// did not come.
func (d *streamDecoder) finish() (tokens int, counted string, err error) {
	if rest := bytes.TrimSpace(d.buf); len(rest) > 0 && d.format != FormatText {
		k, lerr := d.line(rest)
		_ = k
		if lerr != nil {
			return d.events, d.counted(), lerr
		}
	}
	tokens, counted = d.events, d.counted()
	if d.usage >= 0 {
		tokens = d.usage
	}
	if !d.ended && (d.format == FormatTGI || d.format == FormatOpenAI) {
		return tokens, counted, ErrNoEnd
	}
	return tokens, counted, nil
}

// counted says what the token counts are made of.
func (d *streamDecoder) counted() string {
	switch {
	case d.format == FormatTGI:
		return CountedTokens
	case d.format == FormatOpenAI && d.usage >= 0:
		return CountedUsage
	case d.format == FormatOpenAI || d.format == FormatText:
		return CountedChunks
	}
	return countedNone
}

// clip returns the start of b, for an error message.
func clip(b []byte) string {
	if len(b) > 120 {
		return string(b[:120]) + "..."
	}
	return string(b)
}
