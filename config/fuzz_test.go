package config

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// seedConfigs are every example config and every config the tests build:
// the examples, the good configs and each edit of them in the test tables.
func seedConfigs(tb testing.TB) []string {
	tb.Helper()
	paths, err := filepath.Glob("examples/*.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	var seeds []string
	for _, p := range append(paths, filepath.Join("..", DefaultPath)) {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, string(data))
	}
	seeds = append(seeds, good, goodSizing, aliasBomb(2), aliasBomb(9))
	for _, tc := range badConfigs {
		seeds = append(seeds, strings.Replace(good, tc.old, tc.new, 1))
	}
	for _, tc := range yamlProblems {
		seeds = append(seeds, strings.Replace(good, tc.old, tc.new, 1))
	}
	for _, tc := range append(numberCases(), nameCases()...) {
		seeds = append(seeds, tc.config)
	}
	return seeds
}

// FuzzLoad: no input makes Load panic or run for long; it returns a config
// that passes Validate again and whose load tests and sizing candidates all
// have plans, or an error of at most MaxPrinted+1 lines, each starting
// with the file name. Where yaml.v3's own decoder and decodeShape both
// accept a document, they decode the same values.
//
// go test ./config -run '^$' -fuzz FuzzLoad -fuzztime 20s (scripts/test with
// CI=true; scripts/bench-fuzz runs it longer). Inputs that failed are kept
// under testdata/fuzz/FuzzLoad and run by every go test.
func FuzzLoad(f *testing.F) {
	for _, s := range seedConfigs(f) {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		within(t, 20*time.Second, func() { checkLoad(t, path, data) })
	})
}

// checkLoad is FuzzLoad's property for one input (t.Errorf only: it runs
// on its own goroutine).
func checkLoad(t *testing.T, path string, data []byte) {
	c, err := Load(path, nil)
	if err == nil {
		if err := c.Validate(); err != nil {
			t.Errorf("Load accepted a config that Validate then rejects: %v", err)
			return
		}
		plansAreWhole(t, c)
		sameAsYAMLDecode(t, data)
		return
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) > MaxPrinted+1 {
		t.Errorf("error of %d lines; want at most %d", len(lines), MaxPrinted+1)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, path+": ") {
			t.Errorf("error line %q does not start with the file name\n%v", l, err)
			return
		}
	}
}

// plansAreWhole checks that an accepted config plans something: every
// load test has a plan and every sizing candidate steps (an empty plan was
// once accepted without a word).
func plansAreWhole(t *testing.T, c *Config) {
	for i, e := range c.Endpoints {
		if e.LoadTest == nil {
			continue
		}
		if p, err := e.LoadTest.Plan(); err != nil || p.Duration() <= 0 {
			t.Errorf("endpoints[%d] (%s): accepted load test has plan %+v, error %v", i, e.Name, p, err)
		}
	}
	if c.Sizing == nil {
		return
	}
	for i := range c.Sizing.Candidates {
		if c.Sizing.Steps(i) == "" {
			t.Errorf("sizing candidate %d: accepted with no steps (rates %v)", i, c.Sizing.Rates(i))
		}
	}
}

// within runs f, failing t with every goroutine's stack when f takes longer
// than limit: a generous bound that turns a hang into an input the fuzzer
// saves.
func within(t *testing.T, limit time.Duration, f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(limit):
		buf := make([]byte, 1<<20)
		t.Fatalf("took over %v:\n%s", limit, buf[:runtime.Stack(buf, true)])
	}
}

// sameAsYAMLDecode checks that decodeShape fills a Config as yaml.v3's
// decoder does, when both accept data.
func sameAsYAMLDecode(t *testing.T, data []byte) {
	t.Helper()
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return
	}
	var want, got Config
	if root.Decode(&want) != nil {
		return // e.g. yaml.v3 refuses an alias it finds excessive
	}
	if ps := decodeShape(&root, &got); len(ps) > 0 {
		t.Errorf("decodeShape: %v, after Load accepted the same data", ps)
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decodeShape and yaml.v3 decode differently:\n got: %+v\nwant: %+v", got, want)
	}
}

// The examples decode to the same values through decodeShape as through
// yaml.v3's decoder (the one sagesize used before).
func TestDecodeShape_MatchesYAMLDecodeOnTheSeeds(t *testing.T) {
	accepted := 0
	for _, s := range seedConfigs(t) {
		if _, err := Parse([]byte(s), nil); err == nil {
			sameAsYAMLDecode(t, []byte(s))
			accepted++
		}
	}
	if accepted < 5 {
		t.Errorf("only %d seeds load; want the examples and the good configs", accepted)
	}
}
