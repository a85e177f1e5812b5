package main

import (
	"errors"
	"strings"
	"testing"
)

// A panic while building or synthesizing (CDK's validation raises them
// through jsii) becomes an error naming the config, never a stack trace.
func TestWithoutPanic_TurnsAPanicIntoAnError(t *testing.T) {
	err := withoutPanic("fleet.yaml", func() error { panic(errors.New("Error: Alarm rule too long")) })
	if err == nil || !strings.HasPrefix(err.Error(), "fleet.yaml: the CDK refused to synthesize this config (Error: Alarm rule too long)") {
		t.Fatalf("withoutPanic = %v; want the config and the CDK's reason", err)
	}
	want := errors.New("endpoints[0]: bad")
	if err := withoutPanic("x.yaml", func() error { return want }); err != want {
		t.Errorf("withoutPanic passed %v; want the build's own error unchanged", err)
	}
}
