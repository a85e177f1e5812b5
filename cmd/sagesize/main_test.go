package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// runCLI runs the command line args as main would, returning what it wrote.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestHelpGoesToStdout(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want []string // in stdout
	}{
		{nil, []string{"sagesize is the command line", "Available Commands:", "summary", "report", "completion"}},
		{[]string{"-h"}, []string{"sagesize is the command line", "Usage:"}},
		{[]string{"--help"}, []string{"sagesize is the command line", "  run  "}},
		{[]string{"-help"}, []string{"sagesize is the command line"}},
		{[]string{"help"}, []string{"sagesize is the command line", "Flags:"}},
		{[]string{"help", "run"}, []string{"run starts the load generator", "Examples:", "--endpoint name", "--sizing"}},
		{[]string{"run", "-h"}, []string{"run starts the load generator", "sagesize run (--endpoint NAME | --sizing) [flags]"}},
		{[]string{"run", "--help"}, []string{"--poll interval", "(default 10s)"}},
		{[]string{"run", "-help"}, []string{"run starts the load generator"}},
		{[]string{"report", "--help"}, []string{"report reads the run record", "--slo SLO", "sagesize report --config"}},
		{[]string{"summary", "-h"}, []string{"summary lists what cdk deploy would create", "summary [DIR]"}},
		{[]string{"help", "completion"}, []string{"bash", "zsh", "fish", "powershell"}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			stdout, stderr, err := runCLI(t, tt.args...)
			if err != nil || stderr != "" {
				t.Errorf("sagesize %q: error %v, stderr %q; want help and no error", tt.args, err, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("sagesize %q: stdout lacks %q:\n%s", tt.args, w, stdout)
				}
			}
		})
	}
}

func TestVersion(t *testing.T) {
	want := "sagesize " + version() + "\n"
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}, {"-v"}} {
		stdout, stderr, err := runCLI(t, args...)
		if err != nil || stdout != want || stderr != "" {
			t.Errorf("sagesize %q = (%q, %q, %v); want (%q, \"\", nil)", args, stdout, stderr, err, want)
		}
	}
	if _, _, err := runCLI(t, "version", "extra"); err == nil || !strings.Contains(err.Error(), "Run 'sagesize version --help' for usage.") {
		t.Errorf("sagesize version extra: %v; want a usage error", err)
	}
}

func TestVersionOf(t *testing.T) {
	for _, tt := range []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"go test or -buildvcs=false", debug.BuildInfo{}, "(devel)"},
		{"no vcs", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)"},
		{"tagged", debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0"},
		{"from a checkout", debug.BuildInfo{Main: debug.Module{Version: "v1.4.1-0.20261127100000-3544df0a1b2c+dirty"}, Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "3544df0a1b2c"}, {Key: "vcs.time", Value: "2026-11-27T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}},
			"v1.4.1-0.20261127100000-3544df0a1b2c+dirty (commit 3544df0a1b2c, 2026-11-27T10:00:00Z, modified)"},
		{"clean checkout", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.modified", Value: "false"}, {Key: "vcs.time", Value: "2026-11-27T10:00:00Z"}, {Key: "vcs.revision", Value: "3544df0"}}},
			"(devel) (commit 3544df0, 2026-11-27T10:00:00Z)"},
	} {
		if got := versionOf(&tt.info); got != tt.want {
			t.Errorf("%s: versionOf = %q; want %q", tt.name, got, tt.want)
		}
	}
}

func TestUnknownCommandSuggests(t *testing.T) {
	for _, tt := range []struct {
		cmd, want string
	}{
		{"rn", "\n\trun\n"},
		{"reprot", "\n\treport\n"},
		{"summry", "\n\tsummary\n"},
		{"versio", "\n\tversion\n"},
	} {
		stdout, stderr, err := runCLI(t, tt.cmd, "--config", "x.yaml")
		if err == nil {
			t.Fatalf("sagesize %s: no error", tt.cmd)
		}
		want := `unknown command "` + tt.cmd + `" for "sagesize"` + "\n\nDid you mean this?" + tt.want + "Run 'sagesize --help' for usage."
		if err.Error() != want || stdout != "" || stderr != "" {
			t.Errorf("sagesize %s = (%q, %q, %q); want only the error %q", tt.cmd, stdout, stderr, err, want)
		}
	}
	if _, _, err := runCLI(t, "deploy"); err == nil || strings.Contains(err.Error(), "Did you mean") {
		t.Errorf("sagesize deploy: %v; want an error without a suggestion", err)
	}
}

// TestBadFlagIsShort checks that a command-line error is the error and a
// hint, not the whole usage, and that nothing is run.
func TestBadFlagIsShort(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string // the first line of the error
		cmd  string // in the hint
	}{
		{[]string{"run", "--endpiont", "churn"}, "unknown flag: --endpiont", "sagesize run"},
		{[]string{"run", "-endpiont", "churn"}, "unknown flag: --endpiont", "sagesize run"},
		{[]string{"run", "--tasks", "many"}, `invalid argument "many" for "--tasks" flag`, "sagesize run"},
		{[]string{"run", "-poll=soon"}, `invalid argument "soon" for "--poll" flag`, "sagesize run"},
		{[]string{"report", "--slo"}, "flag needs an argument: --slo", "sagesize report"},
		{[]string{"summary", "--out", "x"}, "unknown flag: --out", "sagesize summary"},
		{[]string{"summary", "a", "b"}, "accepts at most 1 arg(s), received 2", "sagesize summary"},
		{[]string{"--endpoint", "x"}, "unknown flag: --endpoint", "sagesize"},
	} {
		stdout, stderr, err := runCLI(t, tt.args...)
		if err == nil {
			t.Errorf("sagesize %q: no error", tt.args)
			continue
		}
		lines := strings.Split(err.Error(), "\n")
		hint := "Run '" + tt.cmd + " --help' for usage."
		if !strings.HasPrefix(lines[0], tt.want) || lines[len(lines)-1] != hint || len(lines) >= 5 {
			t.Errorf("sagesize %q: error\n%s\nwant %q, then %q, in fewer than 5 lines", tt.args, err, tt.want, hint)
		}
		if stdout != "" || stderr != "" {
			t.Errorf("sagesize %q wrote stdout %q, stderr %q; want nothing but the returned error", tt.args, stdout, stderr)
		}
	}
}

func TestDashLongFlags(t *testing.T) {
	root := newRootCmd(&bytes.Buffer{}, &bytes.Buffer{})
	for _, tt := range []struct {
		in, want string
	}{
		{"run -endpoint churn -config f.yaml", "run --endpoint churn --config f.yaml"},
		{"run -endpoint=churn -tasks=4 -poll 5s", "run --endpoint=churn --tasks=4 --poll 5s"},
		{"report -slo p99:150ms -out r", "report --slo p99:150ms --out r"},
		{"report -slo=p99:150ms", "report --slo=p99:150ms"},
		{"run -sizing -parallel -record r.json", "run --sizing --parallel --record r.json"}, // bool flags take no value
		{"run -sizing=false -endpoint e", "run --sizing=false --endpoint e"},
		{"run --test-id -x -endpoint e", "run --test-id -x --endpoint e"},              // a value stays
		{"run -test-id -endpoint -endpoint e", "run --test-id -endpoint --endpoint e"}, // a value stays
		{"run -tasks -1", "run --tasks -1"},
		{"run --endpoint e -- -config x", "run --endpoint e -- -config x"}, // nothing after --
		{"run -h", "run -h"},
		{"run -help", "run --help"},
		{"-version", "--version"},
		{"-v", "-v"},
		{"-config f run", "--config f run"},         // not the root's, but no shorthand either
		{"summary -config f", "summary --config f"}, // same: pflag then names it
		{"summary cdk.out", "summary cdk.out"},      // arguments stay
		{"help run", "help run"},                    //
		{"completion bash -no-descriptions", "completion bash --no-descriptions"}, // a subcommand's own flags
		{"--config=f run", "--config=f run"},
		{"", ""},
	} {
		got := strings.Join(dashLongFlags(root, strings.Fields(tt.in)), " ")
		if got != tt.want {
			t.Errorf("dashLongFlags(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	if got := dashLongFlags(root, nil); got == nil {
		t.Error("dashLongFlags(nil) = nil; want an empty slice (cobra reads os.Args for nil)")
	}
}

// TestSingleDashFormParsesAsDoubleDash parses each command line of earlier
// versions through the command tree and checks that every flag gets the
// value of the documented --form.
func TestSingleDashFormParsesAsDoubleDash(t *testing.T) {
	for _, tt := range []struct{ old, doc string }{
		{"run -endpoint churn-xgb -config f.yaml -variant blue -tasks 12 -test-id -my-test -region eu-west-1 -poll 5s -release v7",
			"run --endpoint churn-xgb --config f.yaml --variant blue --tasks 12 --test-id -my-test --region eu-west-1 --poll 5s --release v7"},
		{"run -sizing -parallel -record=r.json -lead 30s", "run --sizing --parallel --record r.json --lead 30s"},
		{"report -config f.yaml -record r.json -out dir -slo=p99:150ms -namespace NS", "report --config f.yaml --record r.json --out dir --slo p99:150ms --namespace NS"},
	} {
		oldFlags, oldArgs := parsedFlags(t, strings.Fields(tt.old), true)
		docFlags, docArgs := parsedFlags(t, strings.Fields(tt.doc), false)
		if !slices.Equal(oldFlags, docFlags) || len(oldArgs)+len(docArgs) > 0 {
			t.Errorf("%q parses as\n%q, arguments %q; want as %q:\n%q, arguments %q", tt.old, oldFlags, oldArgs, tt.doc, docFlags, docArgs)
		}
		if len(docFlags) < 4 {
			t.Errorf("%q set the flags %q; want every one of them", tt.doc, docFlags)
		}
	}
}

// parsedFlags parses args through a fresh command tree (after dashLongFlags
// when compat) and returns the flags set, as name=value, and the arguments.
func parsedFlags(t *testing.T, args []string, compat bool) ([]string, []string) {
	t.Helper()
	root := newRootCmd(&bytes.Buffer{}, &bytes.Buffer{})
	if compat {
		args = dashLongFlags(root, args)
	}
	cmd, rest, err := root.Find(args)
	if err != nil {
		t.Fatalf("find %q: %v", args, err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	var set []string
	cmd.Flags().Visit(func(f *pflag.Flag) { set = append(set, f.Name+"="+f.Value.String()) })
	return set, cmd.Flags().Args()
}

func TestEveryCommandIsDocumented(t *testing.T) {
	root := newRootCmd(&bytes.Buffer{}, &bytes.Buffer{})
	var names []string
	walk(root, func(c *cobra.Command) {
		names = append(names, c.CommandPath())
		if c.Short == "" || c.Long == "" {
			t.Errorf("%s: Short %q, Long %q; want both", c.CommandPath(), c.Short, c.Long)
		}
	})
	for _, name := range []string{"summary", "run", "report"} {
		if c, _, err := root.Find([]string{name}); err != nil || c.Name() != name || c.Example == "" {
			t.Errorf("sagesize %s: want a command with an Example (found %v, %v)", name, c.CommandPath(), err)
		}
	}
	for _, want := range []string{"sagesize help", "sagesize version", "sagesize completion bash", "sagesize completion zsh",
		"sagesize completion fish", "sagesize completion powershell"} {
		if !slices.Contains(names, want) {
			t.Errorf("the command tree %q lacks %q", names, want)
		}
	}
}

func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string]string{
		"bash":       "# bash completion V2 for sagesize",
		"zsh":        "#compdef sagesize",
		"fish":       "complete -c sagesize",
		"powershell": "Register-ArgumentCompleter",
	} {
		stdout, stderr, err := runCLI(t, "completion", shell)
		if err != nil || stderr != "" || !strings.Contains(stdout, want) || len(stdout) < 1000 {
			t.Errorf("sagesize completion %s: error %v, stderr %q, %d bytes; want a script with %q", shell, err, stderr, len(stdout), want)
		}
	}
}

func TestSummary(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"manifest.json":     `{"artifacts": {"s": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "s.template.json", "stackName": "demo"}}}}`,
		"s.template.json":   `{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"TopicArn": {}}}`,
		"unrelated.txt.bak": "x",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stdout, _, err := runCLI(t, "summary", dir)
	if err != nil || !strings.Contains(stdout, "stack demo\n") || !strings.Contains(stdout, "outputs:    TopicArn") {
		t.Errorf("sagesize summary: %v\n%s", err, stdout)
	}
	if _, _, err := runCLI(t, "summary", filepath.Join(dir, "none")); err == nil || !strings.Contains(err.Error(), "read cloud assembly") {
		t.Errorf("sagesize summary of no assembly: %v; want an error", err)
	}
}
