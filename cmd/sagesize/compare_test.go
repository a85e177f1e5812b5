package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Real loadgen runs against a local container: a release whose answers
// take 4× longer is flagged (exit 2) with every output written; the same
// run against itself is not (exit 0).
func TestCompareCommand(t *testing.T) {
	const steps = "40@2s,80@2s"
	fast := loadgenRun(t, 3*time.Millisecond, steps, 200*time.Millisecond)
	slow := loadgenRun(t, 12*time.Millisecond, steps, 200*time.Millisecond)
	out := filepath.Join(t.TempDir(), "cmp")
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"compare", "--baseline", fast, "--candidate", slow, "--out", out, "--min-requests", "50"}, &stdout, &stdout)
	if exitCode(err) != exitFailed || !strings.HasPrefix(stdout.String(), "### Release comparison: REGRESSION: ") {
		t.Fatalf("slow vs fast: exit %d (%v); want 2 and a regression first:\n%s", exitCode(err), err, stdout.String())
	}
	for _, f := range []string{"compare.md", "compare.html", "compare.json", "compare-p99.svg"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	var doc struct {
		Regressed bool
		Steps     []struct{ Rate float64 }
	}
	raw, _ := os.ReadFile(filepath.Join(out, "compare.json"))
	if err := json.Unmarshal(raw, &doc); err != nil || !doc.Regressed || len(doc.Steps) != 2 || doc.Steps[1].Rate != 80 {
		t.Errorf("compare.json: %v %+v", err, doc)
	}
	stdout.Reset()
	err = run(context.Background(), []string{"compare", "--baseline", fast, "--candidate", fast, "--out", out, "--min-requests", "50"}, &stdout, &stdout)
	if err != nil || !strings.HasPrefix(stdout.String(), "### Release comparison: NO REGRESSION") {
		t.Errorf("a run against itself: %v\n%s", err, stdout.String())
	}
}

// Too few requests per step: exit 1 naming how many are needed, and the
// files are still written.
func TestCompareCommandBadInput(t *testing.T) {
	a := loadgenRun(t, time.Millisecond, "20@1s", 200*time.Millisecond)
	out := filepath.Join(t.TempDir(), "cmp")
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"compare", "--baseline", a, "--candidate", a, "--out", out}, &stdout, &stdout)
	if exitCode(err) != exitError || !strings.Contains(err.Error(), "needs at least 5 intervals and 500 requests per run in each step") {
		t.Errorf("too few requests: exit %d, %v", exitCode(err), err)
	}
	if _, err := os.Stat(filepath.Join(out, "compare.md")); err != nil {
		t.Errorf("compare.md not written: %v", err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--baseline", a}, "--baseline FILE and --candidate FILE are required"},
		{[]string{"--baseline", a, "--candidate", "nope.jsonl"}, "--candidate: read loadgen output"},
		{[]string{"--baseline", a, "--candidate", a, "--confidence", "40%"}, "--confidence 40%: give 50% or more"},
	} {
		err := run(context.Background(), append([]string{"compare", "--out", out}, tt.args...), &bytes.Buffer{}, &bytes.Buffer{})
		if exitCode(err) != exitError || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("compare %v: exit %d, %v; want %q", tt.args, exitCode(err), err, tt.want)
		}
	}
}
