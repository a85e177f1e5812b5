package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
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
	job := workflowJob(t, path, "gate")
	sagesizeRE := regexp.MustCompile(`\./sagesize (\w+)((?: --?[\w-]+(?: "[^"]*"| [^\s|-][^\s|]*)?)*)`)
	loadgenRE := regexp.MustCompile(`\./loadgen((?: -[\w-]+(?: "[^"]*"| [^\s|-][^\s|]*)?)*)`)
	lgFlags := loadgenFlags(t)
	seen := map[string]bool{}
	var order []string
	for _, st := range job {
		for _, m := range sagesizeRE.FindAllStringSubmatch(st.Run, -1) {
			name := checkSagesizeCommand(t, st.Name, m[1], m[2])
			if name == "" {
				continue
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
