package test

import (
	"os"
	"testing"
	"time"

	"github.com/sagesize/sagesize/config"
	"go.yaml.in/yaml/v3"
)

// The CI example's credentials last as long as the job may run, and longer
// than the example plan plus an hour for deploy and destroy: the final
// `cdk destroy` must not run on expired credentials (their default is 1 h).
func TestCIExample_CredentialsOutliveTheJob(t *testing.T) {
	const path = "../examples/ci/github-actions-sizing.yml"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Timeout int `yaml:"timeout-minutes"`
			Steps   []struct {
				Uses string            `yaml:"uses"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	job := wf.Jobs["sizing"]
	var seconds string
	for _, st := range job.Steps {
		if len(st.Uses) > 0 && st.With["role-to-assume"] != "" {
			seconds = st.With["role-duration-seconds"]
		}
	}
	d, err := time.ParseDuration(seconds + "s")
	if err != nil {
		t.Fatalf("%s: role-duration-seconds %q: %v; the default 1 h is shorter than the job", path, seconds, err)
	}
	if jobMax := time.Duration(job.Timeout) * time.Minute; d < jobMax {
		t.Errorf("credentials last %v, the job up to %v (timeout-minutes)", d, jobMax)
	}
	cfg, err := config.Load(examples["sizing"], nil)
	if err != nil {
		t.Fatal(err)
	}
	if need := cfg.Sizing.Length() + time.Hour; d < need || d > 12*time.Hour {
		t.Errorf("credentials last %v; want the example plan (%v) + 1 h = %v, at most IAM's 12 h", d, cfg.Sizing.Length(), need)
	}
}
