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

	bad := filepath.Join(dir, "bad.yaml")
	content := "project: fraud\nendpoints:\n  - name: fraud_detector\n    variants: [{instanceType: ml.m5.large}]\n    slo: {latency: 100ms}\n"
	if err := os.WriteFile(bad, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "bad")
	stderr, code := runApp(t, bin, out, `{"config":"`+bad+`"}`)
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
