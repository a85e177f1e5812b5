// Command sagesize is the user's command line for what happens around
// `cdk deploy`: it summarizes a synthesized cloud assembly, runs an
// endpoint's load test or the sizing test on the deployed Fargate tasks, and
// reports which instance type to buy. `sagesize --help` lists the commands;
// README.md describes them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal (which makes run stop its tasks), restore the
	// default behaviour so that a second one kills the process at once.
	go func() { <-ctx.Done(); stop() }()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "sagesize:", err)
		stop()
		os.Exit(exitCode(err))
	}
}

// run runs the command that args name. Help, version and completion
// scripts go to stdout; the caller prints the returned error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(dashLongFlags(root, args)) // never nil: cobra would read os.Args
	cmd, err := root.ExecuteContextC(ctx)
	var usage *usageError
	if err != nil && cmd == root && !errors.As(err, &usage) {
		// The root runs nothing: this is cobra's "unknown command", with
		// its suggestions, which it ends with a newline.
		return newUsageError(root, errors.New(strings.TrimSpace(err.Error())))
	}
	return err
}
