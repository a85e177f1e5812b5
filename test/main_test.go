package test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sagesize/sagesize/internal/cdkout"
)

// buildApp builds the CDK app binary (main.go) once into dir.
func buildApp(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "sagesize-app")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/sagesize/sagesize")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runApp runs the app as the CDK CLI does: context in CDK_CONTEXT_JSON, the
// cloud assembly written to CDK_OUTDIR.
func runApp(t *testing.T, bin, outdir, contextJSON string) (stderr string, exitCode int) {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CDK_OUTDIR="+outdir, "CDK_CONTEXT_JSON="+contextJSON)
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return errBuf.String(), 0
	case errors.As(err, &exit):
		return errBuf.String(), exit.ExitCode()
	default:
		t.Fatalf("run app: %v", err)
		return "", -1
	}
}

// The app as `cdk synth` runs it: -c config and -c release reach it as
// context; a bad config exits non-zero, names file and field, and leaves no
// cloud assembly behind.
func TestApp_ContextAndBadConfig(t *testing.T) {
	dir := t.TempDir()
	bin := buildApp(t, dir)

	good := filepath.Join(dir, "good")
	if stderr, code := runApp(t, bin, good, `{"config":"config/examples/minimal.yaml","release":"ci-7"}`); code != 0 {
		t.Fatalf("good config: exit %d\n%s", code, stderr)
	}
	stacks, err := cdkout.Read(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(stacks) != 1 || stacks[0].Name != "fraud-ci-7-monitoring" {
		t.Errorf("stacks = %+v; want one stack fraud-ci-7-monitoring (release from -c release)", stacks)
	}
	if got := stacks[0].Alarms; len(got) != 1 || got[0] != "fraud-ci-7-fraud-detector-AllTraffic-ModelLatency-Critical" {
		t.Errorf("alarms = %v; want the SLO alarm with the release in its name", got)
	}

	// The sizing deadline counts from -c sagesize:now, so that a synth is
	// reproducible; a malformed time is refused by name.
	sizing, err := os.ReadFile(examples["sizing"])
	if err != nil {
		t.Fatal(err)
	}
	sizingPath := filepath.Join(dir, "sizing.yaml")
	withImage := strings.Replace(string(sizing), "loadTest:\n", "loadTest:\n  image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/loadgen:v1\n", 1)
	if err := os.WriteFile(sizingPath, []byte(withImage), 0o600); err != nil {
		t.Fatal(err)
	}
	now := filepath.Join(dir, "now")
	if stderr, code := runApp(t, bin, now, `{"config":"`+sizingPath+`","release":"v42","sagesize:now":"2026-03-01T10:00:00Z"}`); code != 0 {
		t.Fatalf("sizing with sagesize:now: exit %d\n%s", code, stderr)
	}
	raw, err := os.ReadFile(filepath.Join(now, "churn-xgb-v42-sizing.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"Value": "2026-03-01T14:06:00Z"`) || !strings.Contains(string(raw), `"at(2026-03-01T14:06:00)"`) {
		t.Errorf("sizing template lacks the deadline 2026-03-01T10:00:00Z + 4h6m in its output and schedule")
	}
	stderr, code := runApp(t, bin, filepath.Join(dir, "badnow"), `{"config":"`+sizingPath+`","sagesize:now":"tomorrow"}`)
	if want := "-c sagesize:now=tomorrow: want an RFC 3339 time such as 2026-01-01T00:00:00Z"; code == 0 || !strings.Contains(stderr, want) {
		t.Errorf("sagesize:now=tomorrow: exit %d, stderr %q; want an error containing %q", code, stderr, want)
	}

	bad := filepath.Join(dir, "bad.yaml")
	content := "project: fraud\nendpoints:\n  - name: fraud_detector\n    variants: [{instanceType: ml.m5.large}]\n    slo: {latency: 100ms}\n"
	if err := os.WriteFile(bad, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "bad")
	stderr, code = runApp(t, bin, out, `{"config":"`+bad+`"}`)
	if code == 0 {
		t.Fatalf("bad config exited 0; stderr:\n%s", stderr)
	}
	want := bad + `: endpoints[0].name: SageMaker would reject "fraud_detector"`
	if !strings.Contains(stderr, want) || !strings.Contains(stderr, "nothing was synthesized") {
		t.Errorf("stderr = %q; want it to contain %q and say nothing was synthesized", stderr, want)
	}
	if _, err := os.Stat(filepath.Join(out, "manifest.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a bad config left a cloud assembly manifest in %s (stat: %v)", out, err)
	}
}
