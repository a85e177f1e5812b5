package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/testkit/awstest"
)

const streamPrompt = `{"inputs":"a b c d e f g h i j","parameters":{"max_new_tokens":12}}`

var streamModel = awstest.TokenModel{PrefillPerToken: time.Millisecond, StepBase: 3 * time.Millisecond, OutputTokens: 12}

// TestStreamRun streams an endpoint and a container from the command line:
// the summary carries the token measurements and the goodput of the SLO.
func TestStreamRun(t *testing.T) {
	awsEnv(t, testSecret)
	srv := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: streamModel, Format: awstest.StreamOpenAI, Split: true})
	defer srv.Close()
	for _, target := range [][]string{{"-endpoint", "llm-ep", "-endpoint-url", srv.URL}, {"-container", srv.URL}} {
		t.Run(target[0], func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"-stream", "-format", "openai", "-rate", "10", "-duration", "1s", "-body", streamPrompt,
				"-slo-ttft", "1s", "-slo-tpot", "100ms", "-progress", "on"}, target...)
			if err := run(context.Background(), args, &stdout, &stderr); err != nil {
				t.Fatalf("run: %v\n%s", err, stderr.String())
			}
			s := summaryOf(t, stdout.Bytes())
			if s.OK != 10 || s.Stream == nil || s.Stream.OutputTokens != 120 || s.Stream.Counted != loadgen.CountedUsage || s.Stream.Good != 10 {
				t.Errorf("summary ok %d, stream %+v; want 10 ok, 120 tokens from usage, 10 good", s.OK, s.Stream)
			}
			if !strings.Contains(stderr.String(), "ttft ms p50") {
				t.Errorf("progress lines lack the stream figures:\n%s", stderr.String())
			}
		})
	}
}

// TestStreamBadInput: every mistake of a streaming test gets a message that
// names its cause; the ones found while running still report what was
// measured.
func TestStreamBadInput(t *testing.T) {
	awsEnv(t, testSecret)
	tgi := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: streamModel})
	defer tgi.Close()
	plain := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{})
	defer plain.Close()
	notStreaming := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: streamModel,
		Script: func(*awstest.Invocation) awstest.StreamPlan {
			return awstest.StreamPlan{Fault: awstest.FaultNotStreaming}
		}})
	defer notStreaming.Close()
	refusing := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: streamModel,
		Script: func(*awstest.Invocation) awstest.StreamPlan {
			return awstest.StreamPlan{Reject: awstest.RejectStreaming}
		}})
	defer refusing.Close()
	whole := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: streamModel,
		Script: func(*awstest.Invocation) awstest.StreamPlan {
			return awstest.StreamPlan{Fault: awstest.FaultWholeAnswer}
		}})
	defer whole.Close()
	base := []string{"-rate", "20", "-duration", "2s", "-body", streamPrompt}
	for _, tt := range []struct {
		name     string
		args     []string
		want     string
		measured bool
	}{
		{"SLO without unit", []string{"-stream", "-slo-ttft", "500"}, `invalid value "500" for flag -slo-ttft: "500" is not a duration: give a number with its unit, e.g. 500ms or 1.5s`, false},
		{"unknown format", append([]string{"-stream", "-format", "gpt", "-container", tgi.URL}, base...), `-format "gpt": want one of auto, tgi, openai, text`, false},
		{"SLO without -stream", append([]string{"-slo-tpot", "50ms", "-container", tgi.URL}, base...), "-slo-tpot applies to streamed answers only: add -stream", false},
		{"format mismatch", append([]string{"-stream", "-format", "openai", "-endpoint", "ep", "-endpoint-url", tgi.URL}, base...), `response does not match -format openai: no "choices" nor "usage" member (it is a TGI/LMI token event: -format tgi); received "{\"token\":`, true},
		{"container that does not stream", append([]string{"-stream", "-container", plain.URL}, base...), `response does not match -format auto: neither a TGI/LMI token event nor an OpenAI chunk: give -format (the first message: if it is a whole answer, the server does not stream); received "{\"ok\":true}"`, true},
		{"endpoint that does not stream", append([]string{"-stream", "-endpoint", "ep", "-endpoint-url", notStreaming.URL}, base...),
			`the endpoint did not stream: InvokeEndpointWithResponseStream was answered with Content-Type "application/json", not application/vnd.amazon.eventstream (is it a streaming endpoint? run without -stream to test it request/response); received "[{\"generated_text\":`, true},
		{"endpoint that refuses to stream", append([]string{"-stream", "-endpoint", "ep", "-endpoint-url", refusing.URL}, base...),
			"ValidationError: Model does not support streaming (the endpoint refused to stream: -stream needs a container that streams its answers; run without -stream to test it request/response)", true},
		{"whole answer in one part", append([]string{"-stream", "-format", "tgi", "-endpoint", "ep", "-endpoint-url", whole.URL}, base...),
			`response does not match -format tgi: a message is not JSON (the first message: if it is a whole answer, the server does not stream); received "[{\"generated_text\":\"t0 t1 t2 (12 tokens, not streamed)\"}]"`, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run(%q) = %v; want an error containing %q", tt.args, err, tt.want)
			}
			if !tt.measured {
				return
			}
			if s := summaryOf(t, stdout.Bytes()); s.Requests == 0 || s.Errors != s.Requests || !strings.Contains(s.Error, tt.want) {
				t.Errorf("summary: %d requests, %d errors, error %q; want the failed requests and the cause", s.Requests, s.Errors, s.Error)
			}
		})
	}
}

// TestStreamSIGTERMMidStream stops a streaming loadgen process as ECS does
// while 200-token streams are open: it exits 1, and its summary's classes
// add up to the requests the server received (the streams cut by the end
// of the grace period are counted as cancelled).
func TestStreamSIGTERMMidStream(t *testing.T) {
	awsEnv(t, testSecret)
	m := streamModel
	m.OutputTokens = 200
	srv := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: m})
	defer srv.Close()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "LOADGEN_TEST_BE_MAIN=1", "LOADGEN_STREAM=true",
		"LOADGEN_ENDPOINT=sigterm-llm", "LOADGEN_ENDPOINT_URL="+srv.URL, `LOADGEN_BODY={"inputs":"a b c"}`,
		"LOADGEN_RATE=40", "LOADGEN_INTERVAL=300ms", "LOADGEN_GRACE=200ms")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for srv.TokensSent() < 500 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("exit: %v; want status 1\n%s", err, stderr.String())
	}
	s := summaryLine(t, stdout.Bytes())
	if s.Requests == 0 || s.Requests != srv.Requests() || s.OK+s.Errors != s.Requests || s.ByClass.Cancelled == 0 || s.Errors != s.ByClass.Cancelled {
		t.Errorf("summary: %d requests = %d ok + %d errors (%d cancelled); server saw %d", s.Requests, s.OK, s.Errors, s.ByClass.Cancelled, srv.Requests())
	}
	if s.Stream == nil || s.Stream.PartialTokens == 0 {
		t.Errorf("summary stream %+v; want the cancelled streams' tokens counted as partial", s.Stream)
	}
}

// TestPoissonArrivalsFromTheCommandLine: -arrivals poisson paces a run
// with the -seed given (the summary says so, and the same seed sends the
// same number of requests), and is refused where it cannot apply.
func TestPoissonArrivalsFromTheCommandLine(t *testing.T) {
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{})
	defer srv.Close()
	base := []string{"-container", srv.URL, "-body", "{}", "-rate", "100", "-duration", "1s", "-arrivals", "poisson", "-seed", "3"}
	var counts []uint64
	for range 2 {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), base, &stdout, &stderr); err != nil {
			t.Fatalf("run: %v\n%s", err, stderr.String())
		}
		s := summaryOf(t, stdout.Bytes())
		if !strings.Contains(s.Plan, "Poisson arrivals (seed 3)") || s.Requests < 70 || s.Requests > 130 {
			t.Errorf("plan %q, %d requests; want Poisson arrivals (seed 3), about 100", s.Plan, s.Requests)
		}
		counts = append(counts, s.Requests)
	}
	if counts[0] != counts[1] {
		t.Errorf("the same seed sent %d then %d requests", counts[0], counts[1])
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-container", srv.URL, "-body", "{}", "-rate", "5", "-arrivals", "burst"}, `-arrivals "burst": want constant or poisson`},
		{[]string{"-container", srv.URL, "-body", "{}", "-concurrency", "2", "-arrivals", "poisson"}, "-arrivals poisson paces the open model"},
	} {
		if err := run(context.Background(), tt.args, new(bytes.Buffer), new(bytes.Buffer)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%q) = %v; want %q", tt.args, err, tt.want)
		}
	}
}
