package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// loadgenFlags returns the flag names cmd/loadgen defines, read from its
// source (package main cannot be imported).
func loadgenFlags(t *testing.T) map[string]bool {
	t.Helper()
	src, err := os.ReadFile("../loadgen/flags.go")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, m := range regexp.MustCompile(`fs\.(?:\w+Var|Var)\([^,]+, "([\w-]+)"`).FindAllStringSubmatch(string(src), -1) {
		names[m[1]] = true
	}
	if !names["endpoint"] || !names["steps"] || !names["output"] {
		t.Fatalf("read only %d loadgen flags from flags.go: %v", len(names), names)
	}
	return names
}

// TestReleaseWorkflowUsesRealCommands parses the release-gate workflow and
// checks that every sagesize command parses through this version's
// command tree, that every loadgen flag exists, and that the steps run in
// the order that makes the gate sound: deploy, load test, gate, compare,
// comment and upload whatever happened, fail, and always destroy.
func TestReleaseWorkflowUsesRealCommands(t *testing.T) {
	const path = "../../examples/ci/github-actions-release.yml"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct{ Name, Run, If string } `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	job, ok := wf.Jobs["gate"]
	if !ok {
		t.Fatalf("%s has no gate job", path)
	}
	sagesizeRE := regexp.MustCompile(`\./sagesize (\w+)((?: --?[\w-]+(?: "[^"]*"| [^\s|-][^\s|]*)?)*)`)
	loadgenRE := regexp.MustCompile(`\./loadgen((?: -[\w-]+(?: "[^"]*"| [^\s|-][^\s|]*)?)*)`)
	lgFlags := loadgenFlags(t)
	seen := map[string]bool{}
	var order []string
	for _, st := range job.Steps {
		for _, m := range sagesizeRE.FindAllStringSubmatch(st.Run, -1) {
			name, args := m[1], strings.Fields(strings.ReplaceAll(m[2], `"`, ""))
			c, rest, err := newRootCmd(&bytes.Buffer{}, &bytes.Buffer{}).Find(append([]string{name}, args...))
			if err != nil || c.Name() != name {
				t.Errorf("step %q runs unknown command sagesize %s", st.Name, name)
				continue
			}
			if err := c.ParseFlags(rest); err != nil {
				t.Errorf("step %q: sagesize %s %v: %v", st.Name, name, args, err)
			} else if pos := c.Flags().Args(); len(pos) > 0 {
				t.Errorf("step %q: sagesize %s %v: arguments %q are not flags", st.Name, name, args, pos)
			}
			seen[name] = true
		}
		for _, m := range loadgenRE.FindAllStringSubmatch(st.Run, -1) {
			for _, f := range regexp.MustCompile(` -([\w-]+)`).FindAllStringSubmatch(m[1], -1) {
				if !lgFlags[f[1]] {
					t.Errorf("step %q: loadgen has no flag -%s", st.Name, f[1])
				}
			}
			seen["loadgen"] = true
		}
		order = append(order, stepKind(t, st.Name, st.Run, st.If)...)
	}
	if got := strings.Join(order, ","); got != "deploy,loadtest,gate,compare,comment,upload,fail,destroy" {
		t.Errorf("steps run %s; want deploy,loadtest,gate,compare,comment,upload,fail,destroy", got)
	}
	for _, want := range []string{"loadgen", "gate", "compare"} {
		if !seen[want] {
			t.Errorf("the workflow never runs %s (seen %v)", want, seen)
		}
	}
}

// stepKind classifies a step for the order check and checks the if: of
// the steps that must run whatever happened before.
func stepKind(t *testing.T, name, run, cond string) []string {
	always := func(kind string) []string {
		if !strings.HasPrefix(cond, "always()") {
			t.Errorf("step %q (%s) has if %q; want always(): it must run after a failed gate", name, kind, cond)
		}
		return []string{kind}
	}
	switch {
	case strings.Contains(run, "cdk deploy"):
		return []string{"deploy"}
	case strings.Contains(run, "./loadgen "):
		return []string{"loadtest"}
	case strings.Contains(run, "./sagesize gate"):
		return []string{"gate"}
	case strings.Contains(run, "./sagesize compare"):
		return []string{"compare"}
	case strings.Contains(run, "gh pr comment"):
		return always("comment")
	case strings.Contains(run, "aws s3 cp run.jsonl"):
		return always("upload")
	case strings.Contains(run, "exit 1"):
		return []string{"fail"}
	case strings.Contains(run, "cdk destroy"):
		return always("destroy")
	}
	return nil
}
