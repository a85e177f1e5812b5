// Command sagesize-app is the CDK app behind `cdk synth` and `cdk deploy`:
// it reads the sagesize config (-c config=PATH, default sagesize.yaml),
// builds the stacks and synthesizes them.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecrassets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/sagesize/sagesize/app"
	"github.com/sagesize/sagesize/config"
)

func main() {
	err := run()
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "sagesize:", err)
		fmt.Fprintln(os.Stderr, "sagesize: nothing was synthesized")
		os.Exit(1)
	}
}

func run() error {
	a := awscdk.NewApp(nil)
	path := contextString(a, "config", config.DefaultPath)
	cfg, err := config.Load(path, &config.Overrides{Release: contextString(a, "release", "")})
	if err != nil {
		return err
	}
	now, err := synthTime(a)
	if err != nil {
		return err
	}
	opts := &app.Options{Now: now}
	if cfg.NeedsLoadTest() && cfg.LoadTest.Image == "" {
		// Built by `cdk deploy` from the Dockerfile, for the task's architecture.
		platform := awsecrassets.Platform_LINUX_ARM64()
		if cfg.LoadTest.Architecture == "x86_64" {
			platform = awsecrassets.Platform_LINUX_AMD64()
		}
		opts.LoadgenImage = awsecs.ContainerImage_FromAsset(jsii.String("."), &awsecs.AssetImageProps{Platform: platform})
	}
	return withoutPanic(path, func() error {
		if _, err := app.New(a, cfg, opts); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if contextString(a, "nag", "") == "true" {
			awscdk.Aspects_Of(a).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
		}
		a.Synth(nil)
		return nil
	})
}

// withoutPanic runs build and turns a panic in it (CDK's own validation
// raises them through jsii) into an error naming the config, so that no
// config ever ends in a Go stack trace. Config validation is meant to
// refuse such a config first: the message asks for a report.
func withoutPanic(path string, build func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: the CDK refused to synthesize this config (%v); sagesize's validation should have caught it first: please report it with the config", path, r)
		}
	}()
	return build()
}

// synthTime is the time the sizing deadline counts from: the context value
// sagesize:now (RFC 3339, for reproducible templates), else the clock; `cdk
// deploy` synthesizes right before it deploys.
func synthTime(a awscdk.App) (time.Time, error) {
	v := contextString(a, "sagesize:now", "")
	if v == "" {
		return time.Now().UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("-c sagesize:now=%s: want an RFC 3339 time such as 2026-01-01T00:00:00Z: %w", v, err)
	}
	return t.UTC(), nil
}

// contextString reads a string context value (-c key=value or cdk.json).
func contextString(a awscdk.App, key, fallback string) string {
	v := a.Node().TryGetContext(jsii.String(key))
	switch s := v.(type) {
	case string:
		if s != "" {
			return s
		}
	case nil:
	default:
		return fmt.Sprint(s)
	}
	return fallback
}
