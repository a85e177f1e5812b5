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
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/loadplan"
)

// run is the whole command: flags, checks, payloads, the output, the target,
// then the test. Everything that can be checked without the network is
// checked before anything is opened or sent; once the output is open, a
// summary is always written, even when the test cannot start, so that a
// consumer of the output always finds one.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parse(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	pacer, err := c.check()
	if err != nil {
		return err
	}
	awsCfg := &awsLoader{region: c.region}
	payloads, err := c.loadPayloads(ctx, awsCfg)
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
	opts := loadgen.Options{
		Pacer: pacer, Concurrency: c.concurrency, MaxRequests: c.requests,
		MaxInFlight: c.maxInFlight, Workers: c.workers, Timeout: c.timeout, Grace: c.grace, Drain: c.drain,
		Interval: c.interval, FailFast: c.failFast, Payloads: payloads, Sample: c.sample, Seed: c.seed,
		TestID: c.testID, Output: out, Logf: func(format string, a ...any) { fmt.Fprintf(stderr, "loadgen: "+format+"\n", a...) },
		FirstTokenTimeout: time.Duration(c.firstToken),
		SLO:               loadgen.SLO{TTFT: time.Duration(c.sloTTFT), TPOT: time.Duration(c.sloTPOT), E2E: time.Duration(c.sloE2E)},
	}
	var cl closers
	// A closure: a deferred cl.close() would take cl as it is now, empty.
	defer func() { cl.close() }()
	target, err := c.setUp(ctx, awsCfg, &opts, &cl, stderr)
	if err != nil {
		return notStarted(&opts, err)
	}
	return c.runTest(ctx, target, &opts)
}

// check checks the flags that need no network and returns the load plan
// (nil for the closed loop).
func (c *config) check() (loadgen.Pacer, error) {
	pacer, err := c.plan()
	if err != nil {
		return nil, err
	}
	if (c.endpoint == "") == (c.container == "") {
		return nil, errors.New("give exactly one target: -endpoint NAME or -container URL")
	}
	if err := c.checkBudget(); err != nil {
		return nil, err
	}
	if c.client != "fast" && c.client != "sdk" {
		return nil, fmt.Errorf("-client %q: want fast or sdk", c.client)
	}
	if err := c.checkStream(); err != nil {
		return nil, err
	}
	if err := c.checkGate(); err != nil {
		return nil, err
	}
	return pacer, c.checkRequests()
}

// checkRequests checks that the requests come from exactly one source:
// -payload, -body, -prompts or -input-tokens.
func (c *config) checkRequests() error {
	var given []string
	for i, on := range []bool{c.payload != "", c.body != "", c.prompts != "", c.set["input-tokens"]} {
		if on {
			given = append(given, []string{"-payload", "-body", "-prompts", "-input-tokens"}[i])
		}
	}
	switch {
	case len(given) == 0:
		return errors.New("no payload: give -payload FILE|DIR|s3://BUCKET/KEY or -body TEXT (with -stream: or -prompts FILE|s3://BUCKET/KEY, or -input-tokens MEAN:STDDEV)")
	case len(given) > 1:
		return fmt.Errorf("%s are alternatives: give one source of requests", strings.Join(given, " and "))
	case c.set["output-tokens"] && !c.set["prompts"] && !c.set["input-tokens"]:
		return errors.New("-output-tokens sets the max_tokens of -prompts or -input-tokens requests: give one of them (a -payload or -body is sent as it is)")
	}
	return nil
}

// checkStream checks the flags of -stream: a known format, and no
// stream-only flag without -stream.
func (c *config) checkStream() error {
	if !slices.Contains(loadgen.Formats, c.format) {
		return fmt.Errorf("-format %q: want one of %s", c.format, strings.Join(loadgen.Formats, ", "))
	}
	if c.stream {
		return nil
	}
	for _, name := range []string{"format", "first-token-timeout", "slo-ttft", "slo-tpot", "slo-e2e", "prompts", "input-tokens", "output-tokens"} {
		if c.set[name] {
			return fmt.Errorf("-%s applies to streamed answers only: add -stream", name)
		}
	}
	return nil
}

// checkBudget checks -grace, -drain and -max-duration: grace and drain
// must fit a container stop timeout (loadplan.StopTimeout).
func (c *config) checkBudget() error {
	if c.grace <= 0 || c.drain <= 0 {
		return fmt.Errorf("-grace %v, -drain %v: both must be positive durations, e.g. -grace 15s -drain 5s", c.grace, c.drain)
	}
	if _, err := loadplan.StopTimeout(c.grace, c.drain); err != nil {
		return fmt.Errorf("-grace %v + -drain %v: %w: shorten them", c.grace, c.drain, err)
	}
	if c.set["max-duration"] && c.maxDuration <= c.grace+c.drain {
		return fmt.Errorf("-max-duration %v: must be longer than -grace + -drain (%v), e.g. -max-duration 30m", c.maxDuration, c.grace+c.drain)
	}
	return nil
}

// setMaxDuration sets the cap of the run and where it comes from:
// -max-duration, else loadgen.DefaultMaxDuration of the plan.
func (c *config) setMaxDuration(opts *loadgen.Options) {
	if c.set["max-duration"] {
		opts.MaxDuration, opts.MaxDurationSource = c.maxDuration, "-max-duration"
		return
	}
	plan := c.duration
	if opts.Pacer != nil {
		plan = opts.Pacer.Duration()
	}
	var wait time.Duration
	if !opts.StartAt.IsZero() {
		wait = time.Until(opts.StartAt)
	}
	opts.MaxDuration = loadgen.DefaultMaxDuration(wait, plan, c.grace, c.drain)
	opts.MaxDurationSource = "default: start wait + plan + grace + drain + " + loadgen.MaxDurationMargin.String()
	if plan <= 0 {
		opts.MaxDurationSource = "default for a plan without an end"
	}
}

// awsLoader loads the SDK's configuration once, when something needs it.
type awsLoader struct {
	region string
	cfg    *aws.Config
}

func (l *awsLoader) load(ctx context.Context) (aws.Config, error) {
	if l.cfg != nil {
		return *l.cfg, nil
	}
	var opts []func(*awsconfig.LoadOptions) error
	if l.region != "" {
		opts = append(opts, awsconfig.WithRegion(l.region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	l.cfg = &cfg
	return cfg, nil
}

// loadPayloads reads the request bodies: -body, an S3 object or local
// files.
func (c *config) loadPayloads(ctx context.Context, l *awsLoader) (*loadgen.Payloads, error) {
	switch {
	case c.prompts != "" || c.set["input-tokens"]:
		return c.loadPrompts(ctx, l)
	case c.body != "":
		return loadgen.NewPayloads("inline (-body)", loadgen.NewPayload("body", []byte(c.body)))
	case strings.HasPrefix(c.payload, "s3://"):
		cfg, err := l.load(ctx)
		if err != nil {
			return nil, err
		}
		return loadgen.LoadS3Payloads(ctx, c.s3Client(cfg), c.payload)
	}
	return loadgen.LoadPayloads(c.payload)
}

func (c *config) s3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if c.s3Endpoint != "" {
			o.BaseEndpoint = aws.String(c.s3Endpoint)
			o.UsePathStyle = true
		}
	})
}

// loadPrompts reads the -prompts dataset or makes the -input-tokens
// prompts, and renders them into request bodies of -format.
func (c *config) loadPrompts(ctx context.Context, l *awsLoader) (*loadgen.Payloads, error) {
	out := loadgen.TokenDist(c.outputTokens)
	if c.set["input-tokens"] {
		in := loadgen.TokenDist(c.inputTokens)
		n := loadgen.SyntheticCount(in, c.requests)
		source := fmt.Sprintf("synthetic prompts (-input-tokens %v, -output-tokens %v, seed %d, %d made)", in, out, c.seed, n)
		return loadgen.RenderPrompts(source, loadgen.SyntheticPrompts(in, out, n, c.seed), c.format)
	}
	var prompts []loadgen.Prompt
	var err error
	if strings.HasPrefix(c.prompts, "s3://") {
		cfg, lerr := l.load(ctx)
		if lerr != nil {
			return nil, lerr
		}
		prompts, err = loadgen.LoadS3Prompts(ctx, c.s3Client(cfg), c.prompts)
	} else {
		prompts, err = loadgen.LoadPrompts(c.prompts)
	}
	if err != nil {
		return nil, err
	}
	if !out.IsZero() {
		loadgen.FillMaxTokens(prompts, out, c.seed)
	}
	return loadgen.RenderPrompts(c.prompts, prompts, c.format)
}

// closers closes what run opened, last opened first.
type closers []func()

func (cl *closers) add(f func()) { *cl = append(*cl, f) }

func (cl closers) close() {
	for i := len(cl) - 1; i >= 0; i-- {
		cl[i]()
	}
}

// setUp completes opts (start time, progress, .hlog, publisher), starts the
// CPU profile and returns the target, ready: its credentials or /ping
// checked.
func (c *config) setUp(ctx context.Context, l *awsLoader, opts *loadgen.Options, cl *closers, stderr io.Writer) (loadgen.Target, error) {
	if c.startAt != "" {
		t, err := time.Parse(time.RFC3339Nano, c.startAt)
		if err != nil {
			return nil, fmt.Errorf("-start-at %q: want an RFC 3339 time such as 2026-11-27T10:15:00Z", c.startAt)
		}
		opts.StartAt = t
	}
	c.setMaxDuration(opts)
	if showProgress(c.progress, stderr) {
		opts.Progress = stderr
	}
	if c.hlog != "" {
		f, closeHlog, err := create(c.hlog, nil)
		if err != nil {
			return nil, err
		}
		cl.add(closeHlog)
		opts.HLog = f
	}
	var awsCfg aws.Config
	if c.endpoint != "" || c.cloudwatch {
		var err error
		if awsCfg, err = l.load(ctx); err != nil {
			return nil, err
		}
	}
	target, dimName, err := c.newTarget(ctx, awsCfg, opts)
	if err != nil {
		return nil, err
	}
	if c.cloudwatch {
		if opts.Publisher, err = c.newPublisher(awsCfg, dimName); err != nil {
			return nil, err
		}
	}
	return target, c.startProfile(cl)
}

// newTarget returns the endpoint or the container to test, checked, and
// the name its metrics carry as EndpointName; it sets opts.Target.
func (c *config) newTarget(ctx context.Context, awsCfg aws.Config, opts *loadgen.Options) (loadgen.Target, string, error) {
	maxConns := c.maxInFlight
	if c.concurrency > 0 {
		maxConns = c.concurrency
	}
	httpClient := loadgen.NewHTTPClient(maxConns)
	if c.container != "" {
		ct, err := loadgen.NewContainerTarget(httpClient, c.container, c.contentType, c.accept)
		if err != nil {
			return nil, "", err
		}
		if err := c.ping(ctx, ct); err != nil {
			return nil, "", err
		}
		opts.Target = "container " + c.container
		dimName := c.endpoint
		if u, err := url.Parse(c.container); err == nil {
			dimName = "container:" + u.Host
		}
		if c.stream {
			opts.Target += " (streamed, format " + c.format + ")"
			st, err := loadgen.NewContainerStreamTarget(ct, c.format)
			return st, dimName, err
		}
		return ct, dimName, nil
	}
	inv := loadgen.Invocation{EndpointName: c.endpoint, TargetVariant: c.variant, ContentType: c.contentType, Accept: c.accept, CustomAttributes: c.customAttributes}
	signed, err := loadgen.NewSignedTarget(ctx, awsCfg, httpClient, c.endpointURL, inv)
	if err != nil {
		return nil, "", err
	}
	signed.SignEveryRequest = !c.signCache
	if err := signed.CheckCredentials(ctx); err != nil {
		return nil, "", err
	}
	opts.Target = "sagemaker endpoint " + c.endpoint + " at " + signed.URL() + " (client " + c.client + ")"
	if c.stream {
		opts.Target = "sagemaker endpoint " + c.endpoint + " (InvokeEndpointWithResponseStream, sdk client, format " + c.format + ")"
	} else if c.client == "fast" {
		return signed, c.endpoint, nil
	}
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
	if c.stream {
		st, err := loadgen.NewSDKStreamTarget(api, inv, c.format)
		return st, c.endpoint, err
	}
	return loadgen.NewSDKTarget(api, inv), c.endpoint, nil
}

// ping checks the container's GET /ping within -timeout.
func (c *config) ping(ctx context.Context, ct *loadgen.ContainerTarget) error {
	pctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	err := ct.Ping(pctx)
	if err != nil && errors.Is(pctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("container health check GET %s/ping: no answer within -timeout %v", strings.TrimSuffix(c.container, "/"), c.timeout)
	}
	return err
}

// newPublisher returns the CloudWatch publisher of -cloudwatch, with the
// dimensions EndpointName dimName, VariantName and TestId.
func (c *config) newPublisher(awsCfg aws.Config, dimName string) (*loadgen.Publisher, error) {
	if awsCfg.Region == "" {
		return nil, errors.New("-cloudwatch: no AWS region (set -region or AWS_REGION)")
	}
	cw := cloudwatch.NewFromConfig(awsCfg, func(o *cloudwatch.Options) {
		// The publisher retries itself, with backoff, within each
		// interval's window and the drain (see loadgen.Options).
		o.Retryer = aws.NopRetryer{}
		o.RetryMaxAttempts = 1
		if c.cloudwatchEndpoint != "" {
			o.BaseEndpoint = aws.String(c.cloudwatchEndpoint)
		}
	})
	variant := c.variant
	if variant == "" {
		variant = "AllVariants"
	}
	return loadgen.NewPublisher(cw, c.namespace, dimName, variant, c.testID), nil
}

// startProfile starts the -cpuprofile, stopped by cl.
func (c *config) startProfile(cl *closers) error {
	if c.cpuProfile == "" {
		return nil
	}
	f, err := os.Create(c.cpuProfile)
	if err != nil {
		return err
	}
	cl.add(func() { _ = f.Close() })
	if err := pprof.StartCPUProfile(f); err != nil {
		return fmt.Errorf("start CPU profile: %w", err)
	}
	cl.add(pprof.StopCPUProfile)
	return nil
}

// runTest runs the test and writes the -summary file.
func (c *config) runTest(ctx context.Context, target loadgen.Target, opts *loadgen.Options) error {
	sum, runErr := loadgen.Run(ctx, target, *opts)
	if sum == nil {
		return notStarted(opts, runErr)
	}
	if c.summary != "" {
		if err := writeSummary(c.summary, sum); err != nil {
			runErr = errors.Join(runErr, err)
		}
	}
	if n := sum.PublishFailures + sum.PublishPending; n > 0 {
		opts.Logf("cloudwatch: %d of %d interval(s) not published (local results are complete)", n, sum.Intervals)
	}
	return c.judge(sum, runErr, opts.Logf)
}

// notStarted writes the summary of a test that could not start, which says
// why, and returns err.
func notStarted(opts *loadgen.Options, err error) error {
	mode := loadgen.ModeOpen
	if opts.Concurrency > 0 {
		mode = loadgen.ModeClosedLoop
	}
	s := loadgen.Summary{Stats: loadgen.Stats{Type: "summary", TestID: opts.TestID, Mode: mode},
		Payloads: opts.Payloads.Stats(), Stopped: "not started", Error: err.Error()}
	if encErr := json.NewEncoder(opts.Output).Encode(&s); encErr != nil {
		return errors.Join(err, encErr)
	}
	return err
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
