package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Record is what `sagesize run -sizing` writes and `sagesize report` reads:
// which test ids ran on which variants, and when each step ran. It is
// rewritten after every step, so an interrupted run still leaves what it
// measured.
type Record struct {
	// Endpoint is the sizing endpoint; Region where it runs.
	Endpoint string `json:"endpoint"`
	Region   string `json:"region"`
	// Config and Release are the config file and release of the run.
	Config  string `json:"config"`
	Release string `json:"release,omitempty"`
	// Warmup is the unmeasured start of every step.
	Warmup Seconds `json:"warmup_seconds"`
	// Candidates in the order they ran (or started, in parallel).
	Candidates []RecordCandidate `json:"candidates"`
}

// Seconds is a duration written as a number of seconds.
type Seconds float64

// Duration converts s.
func (s Seconds) Duration() time.Duration { return time.Duration(float64(s) * float64(time.Second)) }

// RecordCandidate is one candidate's run.
type RecordCandidate struct {
	Variant       string `json:"variant"`
	InstanceType  string `json:"instance_type"`
	InstanceCount int    `json:"instance_count"`
	TestID        string `json:"test_id"`
	Tasks         int    `json:"tasks"`
	// StartAt is when the tasks started the schedule.
	StartAt time.Time `json:"start_at"`
	// Steps are the planned steps; Ended marks those that ran to their end.
	Steps []RecordStep `json:"steps"`
	// Outcome says how the run ended: "running", "completed", "stopped
	// early: …", "failed: …" or "interrupted".
	Outcome string `json:"outcome"`
	// EndpointSeconds is how long the candidate's runs (its plan and each
	// refinement step) kept the endpoint busy, from asking for tasks to
	// the verdict on the last step that ran (its end plus the wait for its
	// metrics).
	EndpointSeconds Seconds `json:"endpoint_seconds,omitempty"`
	// Refined says how the knee refinement ended, "" when none ran.
	Refined string `json:"refined,omitempty"`
}

// RecordStep is one step of a candidate's plan.
type RecordStep struct {
	Rate  float64   `json:"rate"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Ended is true once the step ran to its end before the run stopped.
	Ended bool `json:"ended"`
	// Refine marks a knee refinement step: a short run of its own, at a
	// rate between the last step that held and the first that did not.
	Refine bool `json:"refine,omitempty"`
}

// Ran returns the steps that ran to their end.
func (c RecordCandidate) Ran() []RecordStep {
	var out []RecordStep
	for _, s := range c.Steps {
		if s.Ended {
			out = append(out, s)
		}
	}
	return out
}

// WriteRecord writes r to path atomically (a temporary file renamed).
func WriteRecord(path string, r *Record) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode run record: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".sagesize-record-*")
	if err != nil {
		return fmt.Errorf("write run record: %w", err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write run record %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write run record %s: %w", path, err)
	}
	return nil
}

// ReadRecord reads a record written by WriteRecord.
func ReadRecord(path string) (*Record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read run record (written by sagesize run -sizing): %w", err)
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("run record %s: %w", path, err)
	}
	if r.Endpoint == "" || len(r.Candidates) == 0 {
		return nil, fmt.Errorf("run record %s names no endpoint or no candidate: is it the file sagesize run -sizing wrote?", path)
	}
	return &r, nil
}
