// Command loadgen load tests a SageMaker endpoint, or a container that
// implements the SageMaker hosting contract, with an open-model load
// generator that measures latency from each request's scheduled start.
// Run "loadgen -h" for the options; see README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	// A load generator allocates per request and keeps little: trading a
	// few MiB of heap for a quarter of the GC work leaves more CPU for
	// requests. GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, restore the default behaviour so that a
	// second one kills the process at once.
	go func() { <-ctx.Done(); stop() }()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(exitCode(err))
	}
}
