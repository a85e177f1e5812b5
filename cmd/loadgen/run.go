package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"

	"github.com/sagesize/sagesize/loadgen"
)

// envPrefix prefixes the environment variable of every flag: -max-in-flight
// can also be set with LOADGEN_MAX_IN_FLIGHT. A flag on the command line
// wins over its environment variable.
const envPrefix = "LOADGEN_"

func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// config holds the parsed flags.
type config struct {
	endpoint, container, region, variant, contentType, accept, customAttributes string
	endpointURL, client                                                         string
	signCache                                                                   bool

	rate                 float64
	duration             time.Duration
	steps, ramp          string
	concurrency          int
	requests             uint64
	maxInFlight, workers int
	timeout, grace       time.Duration
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

Output: one JSON line per interval and a final summary line on -output;
a one-line progress view on stderr when it is a terminal. Exit status 1 when
the test did not run to the end of its plan (the summary is still written).

Options:
`

func newFlagSet(c *config, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	// Target.
	fs.StringVar(&c.endpoint, "endpoint", "", "SageMaker endpoint `name` to invoke, e.g. -endpoint churn-xgb")
	fs.StringVar(&c.container, "container", "", "base `URL` of a SageMaker-contract container to test instead of an endpoint (GET /ping, then POST /invocations), e.g. -container http://127.0.0.1:8080")
	fs.StringVar(&c.region, "region", "", "AWS `region` (default: the SDK's, e.g. AWS_REGION), e.g. -region eu-west-1")
	fs.StringVar(&c.variant, "variant", "", "production `variant` to target (TargetVariant), e.g. -variant ml-c5-xlarge")
	fs.StringVar(&c.contentType, "content-type", "application/json", "request Content-Type, e.g. -content-type text/csv")
	fs.StringVar(&c.accept, "accept", "", "response Accept type, e.g. -accept application/json")
	fs.StringVar(&c.customAttributes, "custom-attributes", "", "X-Amzn-SageMaker-Custom-Attributes value, e.g. -custom-attributes 'trace=1'")
	fs.StringVar(&c.endpointURL, "endpoint-url", "", "SageMaker Runtime base `URL` instead of the region's (tests, VPC endpoints), e.g. -endpoint-url https://runtime.sagemaker.eu-west-1.amazonaws.com")
	fs.StringVar(&c.client, "client", "fast", "how to call InvokeEndpoint: fast (SDK SigV4 signer and credentials over a tuned HTTP client) or sdk (the full sagemakerruntime client, ~3x the CPU per request), e.g. -client sdk")
	fs.BoolVar(&c.signCache, "sign-cache", true, "with -client fast, reuse a payload's SigV4 signature for identical requests within the same second (every request is still validly signed by the SDK signer); -sign-cache=false signs each request, e.g. -sign-cache=false")
	// Plan.
	fs.Float64Var(&c.rate, "rate", 0, "constant rate in requests per `second` (open model), e.g. -rate 50")
	fs.DurationVar(&c.duration, "duration", 0, "length of a -rate, -ramp or -concurrency test (0 with -rate: until stopped), e.g. -duration 5m")
	fs.StringVar(&c.steps, "steps", "", "list of RATE@DURATION steps run in order, e.g. -steps 10@30s,20@30s,40@1m")
	fs.StringVar(&c.ramp, "ramp", "", "linear ramp FROM:TO requests per second over -duration, e.g. -ramp 0:200 -duration 10m")
	fs.IntVar(&c.concurrency, "concurrency", 0, "closed-loop mode with this many workers, each waiting for its response before sending again; latencies are understated (coordinated omission): use only to compare with closed-loop tools, e.g. -concurrency 8")
	fs.Uint64Var(&c.requests, "requests", 0, "stop after this many requests (0: no limit), e.g. -requests 100000")
	fs.IntVar(&c.maxInFlight, "max-in-flight", loadgen.DefaultMaxInFlight, "most requests in flight; a request due beyond it is dropped and counted, not queued, e.g. -max-in-flight 500")
	fs.IntVar(&c.workers, "workers", loadgen.DefaultWorkers, "workers started up front; more start on demand up to -max-in-flight, e.g. -workers 64")
	fs.DurationVar(&c.timeout, "timeout", loadgen.DefaultTimeout, "per-request timeout, e.g. -timeout 10s")
	fs.DurationVar(&c.grace, "grace", loadgen.DefaultGrace, "after the plan ends or a signal, how long requests in flight may still finish, e.g. -grace 5s")
	fs.DurationVar(&c.interval, "interval", loadgen.DefaultInterval, "reporting and publishing interval, e.g. -interval 5s")
	fs.IntVar(&c.failFast, "fail-fast", loadgen.DefaultFailFast, "stop when this many requests ended and none succeeded (0: never), e.g. -fail-fast 50")
	// Payloads.
	fs.StringVar(&c.body, "body", "", "request body given inline, one payload (instead of -payload), e.g. -body '{\"features\":[1,2,3]}'")
	fs.StringVar(&c.payload, "payload", "", "request body: a file, a .jsonl/.ndjson file (one body per line), a directory (one body per file) or an S3 object s3://BUCKET/KEY read once at start (.jsonl/.ndjson keys split by line), e.g. -payload testdata/request.json")
	fs.StringVar(&c.s3Endpoint, "s3-endpoint-url", "", "S3 base `URL` instead of the region's, with path-style addressing (tests), e.g. -s3-endpoint-url http://127.0.0.1:9000")
	fs.BoolVar(&c.sample, "sample", false, "pick payloads at random (seeded by -seed) instead of cycling through them, e.g. -sample")
	fs.Uint64Var(&c.seed, "seed", 1, "random seed for -sample, e.g. -seed 42")
	// Outputs.
	fs.StringVar(&c.output, "output", "-", "where to write the JSON lines of intervals and the summary (- is stdout), e.g. -output results.jsonl")
	fs.StringVar(&c.summary, "summary", "", "also write the summary, indented, to this `file`, e.g. -summary summary.json")
	fs.StringVar(&c.hlog, "hlog", "", "write interval histograms (µs) in HdrHistogram log format to this `file`, e.g. -hlog latency.hlog")
	fs.StringVar(&c.progress, "progress", "auto", "one progress line per interval on stderr: auto (when stderr is a terminal), on or off, e.g. -progress on")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a Go CPU profile of the generator to this `file` (to find its own bottleneck), e.g. -cpuprofile cpu.pprof")
	// CloudWatch.
	fs.BoolVar(&c.cloudwatch, "cloudwatch", false, "publish each interval's latency distribution and counts to CloudWatch, e.g. -cloudwatch")
	fs.StringVar(&c.namespace, "namespace", loadgen.DefaultNamespace, "CloudWatch namespace, e.g. -namespace SageSize/LoadTest")
	fs.StringVar(&c.startAt, "start-at", "", "start the schedule at this wall-clock `time` (RFC 3339), waiting until then, so that several generators step together; refused when more than 5s past, e.g. -start-at 2026-11-27T10:15:00Z")
	fs.StringVar(&c.testID, "test-id", "", "test id: the TestId dimension and a label in every output (default: lt-<start time>), e.g. -test-id release-42-c5xl")
	fs.StringVar(&c.cloudwatchEndpoint, "cloudwatch-endpoint-url", "", "CloudWatch base `URL` instead of the region's (tests), e.g. -cloudwatch-endpoint-url http://127.0.0.1:4566")
	fs.VisitAll(func(f *flag.Flag) { f.Usage += " [env " + envName(f.Name) + "]" })
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHeader)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, then fills every flag not given on the command line
// from its environment variable.
func parse(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := newFlagSet(c, stderr)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q (every option is a flag; see -h)", fs.Args())
	}
	c.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { c.set[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if c.set[f.Name] {
			return
		}
		if v, ok := os.LookupEnv(envName(f.Name)); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", envName(f.Name), v, err))
			}
			c.set[f.Name] = true
		}
	})
	return c, errors.Join(errs...)
}

// plan builds the load plan from the flags.
func (c *config) plan() (loadgen.Pacer, error) {
	n := 0
	for _, set := range []bool{c.set["rate"], c.set["steps"], c.set["ramp"], c.set["concurrency"]} {
		if set {
			n++
		}
	}
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
		p, err := loadgen.ParseSteps(c.steps)
		if err != nil {
			return nil, fmt.Errorf("-steps: %w", err)
		}
		return p, nil
	case c.ramp != "":
		from, to, err := loadgen.ParseRamp(c.ramp)
		if err != nil {
			return nil, fmt.Errorf("-%w", err)
		}
		p, err := loadgen.NewLinearPacer(from, to, c.duration)
		if err != nil {
			return nil, fmt.Errorf("-ramp: %w", err)
		}
		return p, nil
	}
	p, err := loadgen.NewConstantPacer(c.rate, c.duration)
	if err != nil {
		return nil, fmt.Errorf("-rate: %w", err)
	}
	return p, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "loadgen: "+format+"\n", a...) }

	// Everything that can be checked without the network is checked
	// before anything is opened or sent.
	pacer, err := c.plan()
	if err != nil {
		return err
	}
	if (c.endpoint == "") == (c.container == "") {
		return errors.New("give exactly one target: -endpoint NAME or -container URL")
	}
	if c.client != "fast" && c.client != "sdk" {
		return fmt.Errorf("-client %q: want fast or sdk", c.client)
	}
	switch {
	case c.payload == "" && c.body == "":
		return errors.New("no payload: give -payload FILE|DIR|s3://BUCKET/KEY or -body TEXT")
	case c.payload != "" && c.body != "":
		return errors.New("-payload and -body are alternatives: give one")
	}
	var awsCfg aws.Config
	awsLoaded := false
	loadAWS := func() error {
		if awsLoaded {
			return nil
		}
		var loadOpts []func(*awsconfig.LoadOptions) error
		if c.region != "" {
			loadOpts = append(loadOpts, awsconfig.WithRegion(c.region))
		}
		var err error
		if awsCfg, err = awsconfig.LoadDefaultConfig(ctx, loadOpts...); err != nil {
			return fmt.Errorf("load AWS configuration: %w", err)
		}
		awsLoaded = true
		return nil
	}
	var payloads *loadgen.Payloads
	switch {
	case c.body != "":
		payloads, err = loadgen.NewPayloads("inline (-body)", loadgen.NewPayload("body", []byte(c.body)))
	case strings.HasPrefix(c.payload, "s3://"):
		if err := loadAWS(); err != nil {
			return err
		}
		client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
			if c.s3Endpoint != "" {
				o.BaseEndpoint = aws.String(c.s3Endpoint)
				o.UsePathStyle = true
			}
		})
		payloads, err = loadgen.LoadS3Payloads(ctx, client, c.payload)
	default:
		payloads, err = loadgen.LoadPayloads(c.payload)
	}
	if err != nil {
		return err
	}
	if c.testID == "" {
		c.testID = "lt-" + time.Now().UTC().Format("20060102T150405Z")
	}

	out, closeOut, err := create(c.output, stdout)
	if err != nil {
		return err
	}
	defer closeOut()
	// From here on a summary is always written, even when the test cannot
	// start, so that a consumer of the output always finds one.
	failEarly := func(err error) error {
		s := loadgen.Summary{Stats: loadgen.Stats{Type: "summary", TestID: c.testID, Mode: mode(c)},
			Payloads: payloads.Stats(), Stopped: "not started", Error: err.Error()}
		if encErr := json.NewEncoder(out).Encode(&s); encErr != nil {
			return errors.Join(err, encErr)
		}
		return err
	}

	opts := loadgen.Options{
		Pacer: pacer, Concurrency: c.concurrency, MaxRequests: c.requests,
		MaxInFlight: c.maxInFlight, Workers: c.workers, Timeout: c.timeout, Grace: c.grace,
		Interval: c.interval, FailFast: c.failFast, Payloads: payloads, Sample: c.sample, Seed: c.seed,
		TestID: c.testID, Output: out, Logf: logf,
	}
	if c.concurrency > 0 {
		opts.Duration = c.duration
	}
	if c.startAt != "" {
		t, err := time.Parse(time.RFC3339Nano, c.startAt)
		if err != nil {
			return failEarly(fmt.Errorf("-start-at %q: want an RFC 3339 time such as 2026-11-27T10:15:00Z", c.startAt))
		}
		opts.StartAt = t
	}
	if showProgress(c.progress, stderr) {
		opts.Progress = stderr
	}
	if c.hlog != "" {
		f, closeHlog, err := create(c.hlog, nil)
		if err != nil {
			return failEarly(err)
		}
		defer closeHlog()
		opts.HLog = f
	}

	maxConns := c.maxInFlight
	if c.concurrency > 0 {
		maxConns = c.concurrency
	}
	httpClient := loadgen.NewHTTPClient(maxConns)
	var target loadgen.Target
	dimName, dimVariant := c.endpoint, c.variant
	if c.endpoint != "" || c.cloudwatch {
		if err := loadAWS(); err != nil {
			return failEarly(err)
		}
	}
	if c.endpoint != "" {
		inv := loadgen.Invocation{EndpointName: c.endpoint, TargetVariant: c.variant, ContentType: c.contentType, Accept: c.accept, CustomAttributes: c.customAttributes}
		signed, err := loadgen.NewSignedTarget(ctx, awsCfg, httpClient, c.endpointURL, inv)
		if err != nil {
			return failEarly(err)
		}
		signed.SignEveryRequest = !c.signCache
		if err := signed.CheckCredentials(ctx); err != nil {
			return failEarly(err)
		}
		opts.Target = "sagemaker endpoint " + c.endpoint + " at " + signed.URL() + " (client " + c.client + ")"
		target = signed
		if c.client == "sdk" {
			sdkHTTP := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
				tr.MaxIdleConns = maxConns
				tr.MaxIdleConnsPerHost = maxConns
			})
			api := sagemakerruntime.NewFromConfig(awsCfg, func(o *sagemakerruntime.Options) {
				o.Retryer = aws.NopRetryer{}
				o.RetryMaxAttempts = 1
				o.HTTPClient = sdkHTTP
				if c.endpointURL != "" {
					o.BaseEndpoint = aws.String(c.endpointURL)
				}
			})
			target = loadgen.NewSDKTarget(api, inv)
		}
	} else {
		ct, err := loadgen.NewContainerTarget(httpClient, c.container, c.contentType, c.accept)
		if err != nil {
			return failEarly(err)
		}
		if err := ct.Ping(ctx); err != nil {
			return failEarly(err)
		}
		opts.Target = "container " + c.container
		target = ct
		if u, err := url.Parse(c.container); err == nil {
			dimName = "container:" + u.Host
		}
	}
	if dimVariant == "" {
		dimVariant = "AllVariants"
	}
	if c.cloudwatch {
		if awsCfg.Region == "" {
			return failEarly(errors.New("-cloudwatch: no AWS region (set -region or AWS_REGION)"))
		}
		cw := cloudwatch.NewFromConfig(awsCfg, func(o *cloudwatch.Options) {
			if c.cloudwatchEndpoint != "" {
				o.BaseEndpoint = aws.String(c.cloudwatchEndpoint)
			}
		})
		opts.Publisher = loadgen.NewPublisher(cw, c.namespace, dimName, dimVariant, c.testID)
	}

	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return failEarly(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return failEarly(fmt.Errorf("start CPU profile: %w", err))
		}
		defer pprof.StopCPUProfile()
	}
	sum, runErr := loadgen.Run(ctx, target, opts)
	if sum == nil && runErr != nil {
		return failEarly(runErr)
	}
	if sum != nil && c.summary != "" {
		if err := writeSummary(c.summary, sum); err != nil {
			runErr = errors.Join(runErr, err)
		}
	}
	if sum != nil && sum.PublishFailures > 0 {
		logf("cloudwatch: %d interval(s) not published (local results are complete)", sum.PublishFailures)
	}
	return runErr
}

func mode(c *config) string {
	if c.concurrency > 0 {
		return loadgen.ModeClosedLoop
	}
	return loadgen.ModeOpen
}

// create opens path for writing ("-" means stdout) and returns it with a
// function that flushes and closes it.
func create(path string, stdout io.Writer) (io.Writer, func(), error) {
	if path == "-" && stdout != nil {
		return stdout, func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { _ = f.Close() }, nil
}

func writeSummary(path string, sum *loadgen.Summary) error {
	b, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return fmt.Errorf("encode summary: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

// showProgress decides whether to print progress lines on stderr.
func showProgress(setting string, stderr io.Writer) bool {
	switch setting {
	case "on", "always", "true":
		return true
	case "off", "never", "false":
		return false
	}
	f, ok := stderr.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
