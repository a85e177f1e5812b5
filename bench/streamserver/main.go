// Command streamserver serves awstest.StreamingRuntime, the fake LLM
// endpoint of the tests (InvokeEndpointWithResponseStream with real event
// stream frames, and a container's streamed /invocations), on 127.0.0.1
// for bench/stream-cost.sh. It prints its URL on stdout and serves until
// it is interrupted.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sagesize/sagesize/testkit/awstest"
)

func main() {
	tokens := flag.Int("tokens", 200, "output tokens per answer")
	step := flag.Duration("step", time.Millisecond, "time between two tokens")
	format := flag.String("format", awstest.StreamTGI, "answer format: tgi, jsonl, openai or text")
	flag.Parse()
	srv := awstest.NewStreamingRuntime(awstest.StreamOptions{
		Model:  awstest.TokenModel{StepBase: *step, OutputTokens: *tokens},
		Format: *format,
	})
	defer srv.Close()
	fmt.Println(srv.URL)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	fmt.Fprintf(os.Stderr, "streamserver: %d streams, %d tokens\n", srv.Requests(), srv.TokensSent())
}
