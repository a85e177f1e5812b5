package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestCIWorkflowUsesRealCommands parses the example CI workflow and checks
// that every sagesize command it runs parses through the command tree with
// this version's flags,
// that it fails on the report, and that it destroys the stacks whatever
// happened before.
func TestCIWorkflowUsesRealCommands(t *testing.T) {
	const path = "../../examples/ci/github-actions-sizing.yml"
	job := workflowJob(t, path, "sizing")
	cmdRE := regexp.MustCompile(`\./sagesize (\w+)((?: -[\w-]+(?: "[^"]*"| [^\s|-][^\s|]*)?)*)`)
	seen := map[string]bool{}
	var order []string
	for _, st := range job {
		for _, m := range cmdRE.FindAllStringSubmatch(st.Run, -1) {
			// The command tree parses the arguments as written, without
			// dashLongFlags: the workflow must use the documented --flags.
			name := checkSagesizeCommand(t, st.Name, m[1], m[2])
			if name == "" {
				continue
			}
			seen[name] = true
		}
		switch {
		case strings.Contains(st.Run, "cdk deploy"):
			order = append(order, "deploy")
		case strings.Contains(st.Run, "sagesize run --sizing"):
			order = append(order, "run")
		case strings.Contains(st.Run, "sagesize report"):
			order = append(order, "report")
			if st.If != "always()" {
				t.Errorf("the report step runs only when the run succeeded (if %q): a failed run must still be reported", st.If)
			}
		case strings.Contains(st.Run, "cdk destroy"):
			order = append(order, "destroy")
			if st.If != "always()" {
				t.Errorf("the destroy step has if %q; want always(): the endpoint must go even when the report fails", st.If)
			}
		}
	}
	if got := strings.Join(order, ","); got != "deploy,run,report,destroy" {
		t.Errorf("steps run %s; want deploy,run,report,destroy", got)
	}
	if !seen["run"] || !seen["report"] {
		t.Errorf("commands seen %v; want run and report", seen)
	}
}

// workflowStep is one step of a GitHub Actions job.
type workflowStep struct{ Name, Run, If string }

// workflowJob returns the steps of job in the workflow file at path.
func workflowJob(t *testing.T, path, job string) []workflowStep {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []workflowStep `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	j, ok := wf.Jobs[job]
	if !ok {
		t.Fatalf("%s has no %s job", path, job)
	}
	return j.Steps
}

// checkSagesizeCommand reports an error unless `sagesize name args` (args
// as written in step, quotes dropped) parses through this version's command
// tree with flags only; it returns the command's name, or "" when no such
// command exists.
func checkSagesizeCommand(t *testing.T, step, name, argText string) string {
	t.Helper()
	args := strings.Fields(strings.ReplaceAll(argText, `"`, ""))
	c, rest, err := newRootCmd(&bytes.Buffer{}, &bytes.Buffer{}).Find(append([]string{name}, args...))
	if err != nil || c.Name() != name {
		t.Errorf("step %q runs unknown command sagesize %s", step, name)
		return ""
	}
	if err := c.ParseFlags(rest); err != nil {
		t.Errorf("step %q: sagesize %s %v: %v", step, name, args, err)
	} else if pos := c.Flags().Args(); len(pos) > 0 {
		t.Errorf("step %q: sagesize %s %v: arguments %q are not flags", step, name, args, pos)
	}
	return name
}
