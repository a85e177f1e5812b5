package loadgen

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Payload is one request body, with its SHA-256 computed once for SigV4.
type Payload struct {
	Body   []byte
	SHA256 string // hex
	Name   string // file name, or file:line for JSON Lines
	// InputTokens is the prompt's length in tokens of a rendered prompt
	// (RenderPrompts), counted as InputCounted says; 0 otherwise.
	InputTokens  int
	InputCounted string
}

// NewPayload returns a payload for body.
func NewPayload(name string, body []byte) Payload {
	sum := sha256.Sum256(body)
	return Payload{Body: body, SHA256: hex.EncodeToString(sum[:]), Name: name}
}

// Payloads is the set of request bodies of a test, read once into memory.
type Payloads struct {
	items []Payload
	// Source describes where the payloads came from.
	Source string
}

// PayloadStats describes a payload set in the report.
type PayloadStats struct {
	Source   string `json:"source"`
	Count    int    `json:"count"`
	Bytes    int64  `json:"total_bytes"`
	MinBytes int    `json:"min_bytes"`
	MaxBytes int    `json:"max_bytes"`
	Mode     string `json:"selection,omitempty"`
}

// NewPayloads returns a payload set holding the given payloads.
func NewPayloads(source string, items ...Payload) (*Payloads, error) {
	if len(items) == 0 {
		return nil, fmt.Errorf("payload %s: no payloads", source)
	}
	return &Payloads{items: items, Source: source}, nil
}

// Len returns the number of payloads.
func (p *Payloads) Len() int { return len(p.items) }

// At returns payload i.
func (p *Payloads) At(i int) *Payload { return &p.items[i] }

// Stats returns the set's size statistics.
func (p *Payloads) Stats() PayloadStats {
	s := PayloadStats{Source: p.Source, Count: len(p.items), MinBytes: -1}
	for _, it := range p.items {
		n := len(it.Body)
		s.Bytes += int64(n)
		if s.MinBytes < 0 || n < s.MinBytes {
			s.MinBytes = n
		}
		s.MaxBytes = max(s.MaxBytes, n)
	}
	return s
}

// ErrEmptyPayload is returned (wrapped) when a payload source holds no data.
var ErrEmptyPayload = errors.New("empty payload")

// LoadPayloads reads payloads from path once:
//   - a directory: every regular, non-hidden file in it (not recursive), in
//     name order, is one payload;
//   - a file ending in .jsonl or .ndjson: every non-blank line is one payload;
//   - any other file: the whole file is one payload.
//
// Empty files, empty directories and JSON Lines files without a line are
// errors wrapping [ErrEmptyPayload].
func LoadPayloads(path string) (*Payloads, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	if fi.IsDir() {
		return loadDir(path)
	}
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	if len(body) == 0 {
		return nil, fmt.Errorf("payload %s: %w (0 bytes)", path, ErrEmptyPayload)
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".jsonl" || ext == ".ndjson" {
		return splitLines(path, body)
	}
	return NewPayloads(path, NewPayload(filepath.Base(path), body))
}

func loadDir(dir string) (*Payloads, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var items []Payload
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		body, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("payload: %w", err)
		}
		if len(body) == 0 {
			return nil, fmt.Errorf("payload %s: %w (0 bytes)", p, ErrEmptyPayload)
		}
		items = append(items, NewPayload(e.Name(), body))
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("payload directory %s: %w (no regular files)", dir, ErrEmptyPayload)
	}
	return NewPayloads(dir, items...)
}

func splitLines(path string, data []byte) (*Payloads, error) {
	var items []Payload
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), len(data)+1)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		items = append(items, NewPayload(fmt.Sprintf("%s:%d", filepath.Base(path), line), bytes.Clone(b)))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("payload %s: %w", path, err)
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("payload %s: %w (no non-blank lines)", path, ErrEmptyPayload)
	}
	return NewPayloads(path, items...)
}

// picker chooses the payload of each request. It is used by one goroutine.
type picker struct {
	p    *Payloads
	rng  *rand.Rand // nil: cycle
	next int
}

func newPicker(p *Payloads, sample bool, seed uint64) *picker {
	pk := &picker{p: p}
	if sample {
		pk.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	}
	return pk
}

func (pk *picker) pick() *Payload {
	if pk.rng != nil {
		return pk.p.At(pk.rng.IntN(pk.p.Len()))
	}
	i := pk.next
	pk.next++
	if pk.next == pk.p.Len() {
		pk.next = 0
	}
	return pk.p.At(i)
}
