package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sagesize/sagesize/internal/editdist"
	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/loadplan"
	"github.com/sagesize/sagesize/metrics"
)

// config holds the parsed flags.
type config struct {
	endpoint, container, region, variant, contentType, accept, customAttributes string
	endpointURL, client                                                         string
	signCache                                                                   bool

	arrivals                  string
	stream                    bool
	format                    string
	firstToken                sloFlag
	sloTTFT, sloTPOT, sloE2E  sloFlag
	prompts                   string
	inputTokens, outputTokens tokenFlag

	rate                 float64
	duration             time.Duration
	steps, ramp          string
	concurrency          int
	requests             uint64
	maxInFlight, workers int
	timeout, grace       time.Duration
	drain, maxDuration   time.Duration
	interval             time.Duration
	failFast             int
	startAt              string

	payload string
	body    string
	sample  bool
	seed    uint64

	output, summary, hlog, progress string
	cpuProfile                      string

	cloudwatch         bool
	namespace, testID  string
	cloudwatchEndpoint string
	s3Endpoint         string

	gate gateFlags

	// set holds the flags given on the command line or in the environment.
	set map[string]bool
}

const usageHeader = `loadgen: load test a SageMaker endpoint (or a SageMaker-contract container)
with an open model: requests are sent on a schedule, not when the previous one
returns, and latency is measured from each request's scheduled start.

Usage:
  loadgen -endpoint NAME -region REGION -payload FILE (-rate R -duration D | -steps S | -ramp A:B -duration D) [options]
  loadgen -container http://127.0.0.1:8080 -payload FILE -rate 50 -duration 1m
  loadgen -endpoint NAME -payload FILE -concurrency 8 -duration 1m   # closed loop, for comparison only

Every option can also be set in the environment as LOADGEN_<NAME>, e.g.
LOADGEN_RATE=50 for -rate 50; a flag on the command line wins.

Output: one JSON line per interval, a summary line and, with -cloudwatch, a
last "publish" line on -output; a one-line progress view on stderr when it is
a terminal. The summary is written before publishing drains (-drain), so a
stuck CloudWatch never delays it. Exit status 1 when the test did not run to
the end of its plan (the summary is still written).

Options:
`

// helpHint ends every error about the command line.
const helpHint = "run 'loadgen -h' for the options"

// newFlagSet binds every flag to c. The back-quoted word of each usage is
// the flag's argument name in the help (-rate N). The flag set prints
// nothing itself: parse reports errors and -h prints the help.
func newFlagSet(c *config) *flag.FlagSet {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	// Target.
	fs.StringVar(&c.endpoint, "endpoint", "", "SageMaker endpoint `name` to invoke, e.g. -endpoint churn-xgb")
	fs.StringVar(&c.container, "container", "", "base `URL` of a SageMaker-contract container to test instead of an endpoint (GET /ping, then POST /invocations), e.g. -container http://127.0.0.1:8080")
	fs.StringVar(&c.region, "region", "", "AWS `region` (default: the SDK's, e.g. AWS_REGION), e.g. -region eu-west-1")
	fs.StringVar(&c.variant, "variant", "", "production `variant` to target (TargetVariant), e.g. -variant ml-c5-xlarge")
	fs.StringVar(&c.contentType, "content-type", "application/json", "request Content-Type (a media `type`), e.g. -content-type text/csv")
	fs.StringVar(&c.accept, "accept", "", "response Accept (a media `type`), e.g. -accept application/json")
	fs.StringVar(&c.customAttributes, "custom-attributes", "", "X-Amzn-SageMaker-Custom-Attributes `value`, e.g. -custom-attributes 'trace=1'")
	fs.StringVar(&c.endpointURL, "endpoint-url", "", "SageMaker Runtime base `URL` instead of the region's (tests, VPC endpoints), e.g. -endpoint-url https://runtime.sagemaker.eu-west-1.amazonaws.com")
	fs.StringVar(&c.client, "client", "fast", "how to call InvokeEndpoint (`fast|sdk`): fast signs with the SDK SigV4 signer and credentials over a tuned HTTP client, sdk uses the full sagemakerruntime client (~3x the CPU per request), e.g. -client sdk")
	fs.BoolVar(&c.signCache, "sign-cache", true, "with -client fast, reuse a payload's SigV4 signature for identical requests within the same second (every request is still validly signed by the SDK signer); -sign-cache=false signs each request, e.g. -sign-cache=false")
	// Streams.
	fs.BoolVar(&c.stream, "stream", false, "stream the answers (LLM endpoints): InvokeEndpointWithResponseStream through the SDK client, or a container's chunked POST /invocations; measures TTFT, inter-token gaps, TPOT and output tokens, e.g. -stream")
	fs.StringVar(&c.format, "format", loadgen.FormatAuto, "with -stream, the answers' `auto|tgi|openai|text` format: tgi is TGI/LMI token events (SSE or JSON Lines), openai chat/completions chunks (tokens from the usage chunk when sent), text counts chunks, not tokens; auto tells them apart, e.g. -format openai")
	fs.Var(&c.firstToken, "first-token-timeout", "with -stream, cancel a stream with no token this long after its scheduled start (class no_first_token; 0: only -timeout), a `duration`, e.g. -first-token-timeout 10s")
	fs.Var(&c.sloTTFT, "slo-ttft", "with -stream, time-to-first-token objective of the goodput (from the scheduled start), a `duration`, e.g. -slo-ttft 500ms")
	fs.Var(&c.sloTPOT, "slo-tpot", "with -stream, time-per-output-token objective of the goodput, a `duration`, e.g. -slo-tpot 50ms")
	fs.Var(&c.sloE2E, "slo-e2e", "with -stream, end-to-end objective of the goodput (from the scheduled start), a `duration`, e.g. -slo-e2e 20s")
	fs.StringVar(&c.prompts, "prompts", "", "with -stream, a JSON Lines prompt dataset at `path` (a file or s3://BUCKET/KEY, at most 64 MiB), one {\"prompt\": \"...\", \"max_tokens\": N} per line (max_tokens optional), each rendered into the request body of -format (openai: chat/completions messages; tgi, text, auto: TGI/LMI inputs+parameters), cycled or picked with -sample; instead of -payload or -body, e.g. -prompts prompts.jsonl")
	fs.Var(&c.inputTokens, "input-tokens", "with -stream, synthetic prompts (instead of a dataset) whose lengths in tokens are normally distributed, `MEAN[:STDDEV]`, seeded by -seed, e.g. -input-tokens 512:128")
	fs.Var(&c.outputTokens, "output-tokens", "with -prompts or -input-tokens, the answers' lengths asked for (max_tokens; a dataset line's own wins), normally distributed, `MEAN[:STDDEV]`, seeded by -seed, e.g. -output-tokens 200:50")
	// Plan.
	fs.Float64Var(&c.rate, "rate", 0, "constant rate of `N` requests per second (open model), e.g. -rate 50")
	fs.DurationVar(&c.duration, "duration", 0, "length of a -rate, -ramp or -concurrency test (0 with -rate: until stopped), e.g. -duration 5m")
	fs.StringVar(&c.steps, "steps", "", "list of `RATE@DURATION,...` steps run in order, e.g. -steps 10@30s,20@30s,40@1m")
	fs.StringVar(&c.ramp, "ramp", "", "linear ramp from FROM to TO requests per second over -duration (`FROM:TO`), e.g. -ramp 0:200 -duration 10m")
	fs.StringVar(&c.arrivals, "arrivals", loadgen.ArrivalsConstant, "how requests of the open model arrive, `constant|poisson`: poisson sends them with exponential gaps at the plan's rate (steps and ramps too), seeded by -seed, e.g. -arrivals poisson")
	fs.IntVar(&c.concurrency, "concurrency", 0, "closed-loop mode with `N` workers, each waiting for its response before sending again; latencies are understated (coordinated omission): use only to compare with closed-loop tools, e.g. -concurrency 8")
	fs.Uint64Var(&c.requests, "requests", 0, "stop after `N` requests (0: no limit), e.g. -requests 100000")
	fs.IntVar(&c.maxInFlight, "max-in-flight", loadgen.DefaultMaxInFlight, "most requests in flight (`N`); a request due beyond it is dropped and counted, not queued, e.g. -max-in-flight 500")
	fs.IntVar(&c.workers, "workers", loadgen.DefaultWorkers, "`N` workers started up front; more start on demand up to -max-in-flight, e.g. -workers 64")
	fs.DurationVar(&c.timeout, "timeout", loadgen.DefaultTimeout, "per-request timeout, e.g. -timeout 10s")
	fs.DurationVar(&c.grace, "grace", loadgen.DefaultGrace, "after the plan ends or a signal, how long requests in flight may still finish; -grace + -drain + 5s must fit the task's stop timeout (at most 120s), e.g. -grace 5s")
	fs.DurationVar(&c.drain, "drain", loadgen.DefaultDrain, "after the summary is written, how long publishing to CloudWatch may go on; what is left is counted as unpublished, e.g. -drain 10s")
	fs.DurationVar(&c.maxDuration, "max-duration", 0, "cap on the whole run (start wait, plan, grace, drain); loadgen stops by itself when it passes (default: start wait + plan + grace + drain + 1m, or 1h for a plan without an end), e.g. -max-duration 30m")
	fs.DurationVar(&c.interval, "interval", loadgen.DefaultInterval, "reporting and publishing interval, e.g. -interval 5s")
	fs.IntVar(&c.failFast, "fail-fast", loadgen.DefaultFailFast, "stop when `N` requests ended and none succeeded (0: never), e.g. -fail-fast 50")
	// Payloads.
	fs.StringVar(&c.body, "body", "", "request body given inline, one payload (instead of -payload), as `text`, e.g. -body '{\"features\":[1,2,3]}'")
	fs.StringVar(&c.payload, "payload", "", "request body at `path`: a file, a .jsonl/.ndjson file (one body per line), a directory (one body per file) or an S3 object s3://BUCKET/KEY read once at start (.jsonl/.ndjson keys split by line), e.g. -payload testdata/request.json")
	fs.StringVar(&c.s3Endpoint, "s3-endpoint-url", "", "S3 base `URL` instead of the region's, with path-style addressing (tests), e.g. -s3-endpoint-url http://127.0.0.1:9000")
	fs.BoolVar(&c.sample, "sample", false, "pick payloads at random (seeded by -seed) instead of cycling through them, e.g. -sample")
	fs.Uint64Var(&c.seed, "seed", 1, "random seed `N` for -sample and -arrivals poisson, e.g. -seed 42")
	// Outputs.
	fs.StringVar(&c.output, "output", "-", "`file` to write the JSON lines of intervals and the summary to (- is stdout), e.g. -output results.jsonl")
	fs.StringVar(&c.summary, "summary", "", "also write the summary, indented, to this `file`, e.g. -summary summary.json")
	fs.StringVar(&c.hlog, "hlog", "", "write interval histograms (µs) in HdrHistogram log format to this `file`, e.g. -hlog latency.hlog")
	fs.StringVar(&c.progress, "progress", "auto", "one progress line per interval on stderr, `auto|on|off`: auto when stderr is a terminal, e.g. -progress on")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a Go CPU profile of the generator to this `file` (to find its own bottleneck), e.g. -cpuprofile cpu.pprof")
	// CloudWatch.
	fs.BoolVar(&c.cloudwatch, "cloudwatch", false, "publish each interval's latency distribution and counts to CloudWatch, e.g. -cloudwatch")
	fs.StringVar(&c.namespace, "namespace", metrics.NamespaceLoadTest, "CloudWatch `namespace`, e.g. -namespace SageSize/LoadTest")
	fs.StringVar(&c.startAt, "start-at", "", "start the schedule at this wall-clock `time` (RFC 3339), waiting until then, so that several generators step together; refused when more than 5s past or more than 10m ahead, e.g. -start-at 2026-11-27T10:15:00Z")
	fs.StringVar(&c.testID, "test-id", "", "test `id`: the TestId dimension and a label in every output (default: lt-<start time>), e.g. -test-id release-42-c5xl")
	fs.StringVar(&c.cloudwatchEndpoint, "cloudwatch-endpoint-url", "", "CloudWatch base `URL` instead of the region's (tests), e.g. -cloudwatch-endpoint-url http://127.0.0.1:4566")
	// Gate.
	fs.DurationVar(&c.gate.p50, "gate-p50", 0, "fail the test (exit 2) when its client p50 latency is above this `duration`, e.g. -gate-p50 50ms")
	fs.DurationVar(&c.gate.p99, "gate-p99", 0, "fail the test (exit 2) when its client p99 latency is above this `duration`, e.g. -gate-p99 300ms")
	fs.Var(&c.gate.maxErrorRate, "gate-max-error-rate", "fail the test (exit 2) when more than this `percentage` of requests failed, e.g. -gate-max-error-rate 1%")
	fs.Var(&c.gate.minAchieved, "gate-min-achieved", "fail the test (exit 2) when less than this `percentage` of the planned rate completed, e.g. -gate-min-achieved 95%")
	fs.DurationVar(&c.gate.ttftP99, "gate-ttft-p99", 0, "with -stream, fail the test (exit 2) when its p99 time to first token is above this `duration`, e.g. -gate-ttft-p99 800ms")
	fs.DurationVar(&c.gate.itlP99, "gate-itl-p99", 0, "with -stream, fail the test (exit 2) when its p99 inter-token latency is above this `duration`, e.g. -gate-itl-p99 60ms")
	fs.VisitAll(func(f *flag.Flag) { f.Usage += " [env " + loadplan.EnvName(f.Name) + "]" })
	return fs
}

// parse parses args, then fills every flag not given on the command line
// from its environment variable. -h prints the help on stdout and returns
// flag.ErrHelp; any other problem with args is a short error with a hint.
func parse(args []string, stdout io.Writer) (*config, error) {
	c := &config{}
	fs := newFlagSet(c)
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		printHelp(fs, stdout)
		return nil, err
	} else if err != nil {
		return nil, usageError(fs, err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q (every option is a flag)\n%s", fs.Args(), helpHint)
	}
	c.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { c.set[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if c.set[f.Name] {
			return
		}
		name := loadplan.EnvName(f.Name)
		if v, ok := os.LookupEnv(name); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", name, v, err))
			}
			c.set[f.Name] = true
		}
	})
	return c, errors.Join(errs...)
}

// printHelp prints the full help: the header and every flag.
func printHelp(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprint(w, usageHeader)
	fs.SetOutput(w)
	defer fs.SetOutput(io.Discard)
	fs.PrintDefaults()
}

// usageError returns the flag package's one-line error, with the flag the
// user probably meant when a flag is unknown, and the hint to -h.
func usageError(fs *flag.FlagSet, err error) error {
	suggestion := ""
	if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if s := editdist.Closest(name, names); s != "" {
			suggestion = " (did you mean -" + s + "?)"
		}
	}
	return fmt.Errorf("%w%s\n%s", err, suggestion, helpHint)
}

// sloFlag is a duration flag whose error says what a duration looks like:
// an objective without a unit (-slo-ttft 500) is refused, not guessed.
type sloFlag time.Duration

// String implements flag.Value.
func (f *sloFlag) String() string { return time.Duration(*f).String() }

// Set implements flag.Value.
func (f *sloFlag) Set(v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("%q is not a duration: give a number with its unit, e.g. 500ms or 1.5s", v)
	}
	*f = sloFlag(d)
	return nil
}

// tokenFlag is a -input-tokens/-output-tokens distribution, MEAN[:STDDEV].
type tokenFlag loadgen.TokenDist

// String implements flag.Value.
func (f *tokenFlag) String() string {
	if f == nil || loadgen.TokenDist(*f).IsZero() {
		return ""
	}
	return loadgen.TokenDist(*f).String()
}

// Set implements flag.Value.
func (f *tokenFlag) Set(v string) error {
	d, err := loadgen.ParseTokenDist(v)
	if err != nil {
		return err
	}
	*f = tokenFlag(d)
	return nil
}

// plan builds the load plan from the flags: a pacer for the open model, nil
// for the closed loop (-concurrency).
func (c *config) plan() (loadgen.Pacer, error) {
	n := 0
	for _, set := range []bool{c.set["rate"], c.set["steps"], c.set["ramp"], c.set["concurrency"]} {
		if set {
			n++
		}
	}
	if err := c.checkArrivals(); err != nil {
		return nil, err
	}
	var p loadplan.Plan
	var err error
	switch {
	case n == 0:
		return nil, errors.New("no load plan: give -rate, -steps, -ramp or -concurrency")
	case n > 1:
		return nil, errors.New("-rate, -steps, -ramp and -concurrency are mutually exclusive")
	case c.set["concurrency"] && c.concurrency <= 0:
		return nil, fmt.Errorf("-concurrency %d: must be positive", c.concurrency)
	case c.concurrency > 0:
		return nil, nil
	case c.steps != "":
		p, err = loadplan.ParseSteps(c.steps)
	case c.ramp != "":
		p, err = loadplan.ParseRamp(c.ramp, c.duration)
	default:
		p, err = loadplan.NewConstant(c.rate, c.duration)
	}
	if err != nil {
		return nil, flagError(err)
	}
	pacer, err := loadgen.NewPacer(p)
	if err != nil || c.arrivals == loadgen.ArrivalsConstant {
		return pacer, err
	}
	return loadgen.NewPoissonPacer(pacer, c.seed), nil
}

// checkArrivals checks -arrivals: a known process, for the open model.
func (c *config) checkArrivals() error {
	switch {
	case c.arrivals != loadgen.ArrivalsConstant && c.arrivals != loadgen.ArrivalsPoisson:
		return fmt.Errorf("-arrivals %q: want constant or poisson", c.arrivals)
	case c.arrivals == loadgen.ArrivalsPoisson && c.set["concurrency"]:
		return errors.New("-arrivals poisson paces the open model (-rate, -steps, -ramp); a closed loop (-concurrency) sends when each answer returns")
	}
	return nil
}

// flagError names the flag a plan error is about: the message itself when
// it starts with the flag's name (-ramp "fast": want FROM:TO ...), else
// before it (-rate: constant rate 0: ...).
func flagError(err error) error {
	e := loadplan.Errors(err)[0]
	switch {
	case e.Field == loadplan.FieldPlan:
		return err
	case strings.HasPrefix(e.Error(), string(e.Field)+" "):
		return fmt.Errorf("-%w", e)
	}
	return fmt.Errorf("-%s: %w", e.Field, e)
}
