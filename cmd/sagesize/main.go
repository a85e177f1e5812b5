// Command sagesize is the user's command line for what happens around
// `cdk deploy`. Subcommands:
//
//	sagesize summary [DIR]   summarize a synthesized cloud assembly (default cdk.out)
//	sagesize run -endpoint NAME [flags]   run the endpoint's load test on Fargate (see README.md)
//	sagesize run -sizing [flags]          run the sizing test's candidates, one stepped plan each
//	sagesize report [flags]               read a sizing run back from CloudWatch and recommend an instance type
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/sagesize/sagesize/internal/cdkout"
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
		os.Exit(1)
	}
}

// command is one subcommand: its flags and what it does with the rest of the arguments.
type command struct {
	fs  *flag.FlagSet
	run func(ctx context.Context, args []string, stdout io.Writer) error
	doc string
}

func commands(stderr io.Writer) map[string]command {
	summary := flag.NewFlagSet("sagesize summary", flag.ContinueOnError)
	summary.SetOutput(stderr)
	rf := &runFlags{}
	pf := &reportFlags{}
	return map[string]command{
		"report": {
			fs:  reportFlagSet(pf, stderr),
			doc: "report [-config F] [-release ID] [-record sagesize-sizing.json] [-out sizing-report] [-region R] [-slo p99:150ms]: read a sizing run back from CloudWatch, recommend the cheapest candidate that holds the SLO at the target rate, write report.md/.html/.json; exit 1 when none does or data is missing",
			run: func(ctx context.Context, args []string, stdout io.Writer) error {
				return reportCommand(ctx, pf, args, stdout)
			},
		},
		"run": {
			fs:  runFlagSet(rf, stderr),
			doc: "run (-endpoint NAME | -sizing [-parallel] [-record F] [-lead 2m]) [-config F] [-release ID] [-variant V] [-tasks N] [-test-id ID] [-region R] [-poll 10s]: run an endpoint's loadTest plan, or the sizing test's candidates, on the <prefix>-loadtest stack's Fargate tasks, with a live view; Ctrl-C stops every task",
			run: func(ctx context.Context, args []string, stdout io.Writer) error {
				return runCommand(ctx, rf, args, stdout)
			},
		},
		"summary": {
			fs:  summary,
			doc: "summary [DIR]: list the stacks, dashboards and alarms of a synthesized cloud assembly (default cdk.out)",
			run: func(_ context.Context, args []string, stdout io.Writer) error {
				dir := "cdk.out"
				if len(args) > 0 {
					dir = args[0]
				}
				stacks, err := cdkout.Read(dir)
				if err != nil {
					return err
				}
				return cdkout.Print(stdout, stacks)
			},
		},
	}
}

// run dispatches args to a subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmds := commands(stderr)
	usage := func() {
		fmt.Fprintln(stderr, "usage: sagesize COMMAND [ARGS]\ncommands:")
		names := make([]string, 0, len(cmds))
		for n := range cmds {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintln(stderr, "  "+cmds[n].doc)
		}
	}
	if len(args) == 0 {
		usage()
		return errors.New("no command given")
	}
	c, ok := cmds[args[0]]
	if !ok {
		usage()
		return fmt.Errorf("unknown command %q", args[0])
	}
	if err := c.fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	return c.run(ctx, c.fs.Args(), stdout)
}
