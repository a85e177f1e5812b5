package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/loadplan"
	"github.com/sagesize/sagesize/metrics"
	"github.com/sagesize/sagesize/testkit/awstest"
)

// TestMain lets the test binary act as the loadgen command, configured by
// LOADGEN_* variables only, for the signal test.
func TestMain(m *testing.M) {
	if os.Getenv("LOADGEN_TEST_BE_MAIN") == "1" {
		os.Args = []string{"loadgen"}
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const (
	testKey    = "AKIDLOADGENCMD"
	testSecret = "cmd-secret"
)

// awsEnv points the SDK at static test credentials and nothing else.
func awsEnv(t *testing.T, secret string) {
	t.Setenv("AWS_ACCESS_KEY_ID", testKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	// Should a test forget -endpoint-url, it fails on loopback instead of
	// reaching AWS.
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
}

func payloadFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "req.json")
	if err := os.WriteFile(p, []byte(`{"instances":[[1,2,3]]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func summaryOf(t *testing.T, out []byte) loadgen.Summary {
	t.Helper()
	ls := strings.Split(strings.TrimSpace(string(out)), "\n")
	var s loadgen.Summary
	if err := json.Unmarshal([]byte(ls[len(ls)-1]), &s); err != nil || s.Type != "summary" {
		t.Fatalf("last output line is not a summary (%v):\n%s", err, out)
	}
	return s
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, &stdout, &stderr); err != nil {
		t.Fatalf("run -h: %v", err)
	}
	fs := newFlagSet(&config{})
	for _, name := range []string{"rate", "steps", "ramp", "concurrency", "endpoint", "container", "payload", "cloudwatch", "max-in-flight", "hlog"} {
		f := fs.Lookup(name)
		if f == nil {
			t.Fatalf("no flag -%s", name)
		}
		if !strings.Contains(f.Usage, "e.g. -"+name) || !strings.Contains(stdout.String(), loadplan.EnvName(name)) {
			t.Errorf("-%s: usage %q lacks an example or -h lacks %s", name, f.Usage, loadplan.EnvName(name))
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("-h wrote %q on stderr; want the help on stdout only", stderr.String())
	}
}

// TestEnvConstantsNameFlags checks that every LOADGEN_* variable sagesize
// sets on a task (loadplan's constants) is the variable of a loadgen flag.
func TestEnvConstantsNameFlags(t *testing.T) {
	flags := map[string]bool{}
	newFlagSet(&config{}).VisitAll(func(f *flag.Flag) { flags[loadplan.EnvName(f.Name)] = true })
	for _, name := range []string{
		loadplan.EnvRate, loadplan.EnvDuration, loadplan.EnvSteps, loadplan.EnvRamp, loadplan.EnvEndpoint,
		loadplan.EnvVariant, loadplan.EnvMaxInFlight, loadplan.EnvPayload, loadplan.EnvBody, loadplan.EnvContentType,
		loadplan.EnvTestID, loadplan.EnvStartAt, loadplan.EnvCloudWatch, loadplan.EnvNamespace, loadplan.EnvRegion,
		loadplan.EnvProgress, loadplan.EnvMaxDuration, loadplan.EnvGrace, loadplan.EnvDrain,
	} {
		if !flags[name] {
			t.Errorf("%s sets no loadgen flag", name)
		}
	}
}

// TestHelpArgumentNames checks the argument name the help shows for every
// flag (the flag package takes the back-quoted word of a usage, else the
// value's Go type): each must say what to give.
func TestHelpArgumentNames(t *testing.T) {
	want := map[string]string{
		"endpoint": "name", "container": "URL", "region": "region", "variant": "variant", "content-type": "type",
		"accept": "type", "custom-attributes": "value", "endpoint-url": "URL", "client": "fast|sdk", "sign-cache": "",
		"rate": "N", "duration": "duration", "steps": "RATE@DURATION,...", "ramp": "FROM:TO", "concurrency": "N",
		"requests": "N", "max-in-flight": "N", "workers": "N", "timeout": "duration", "grace": "duration",
		"drain": "duration", "max-duration": "duration",
		"interval": "duration", "fail-fast": "N", "body": "text", "payload": "path", "s3-endpoint-url": "URL",
		"sample": "", "seed": "N", "output": "file", "summary": "file", "hlog": "file", "progress": "auto|on|off",
		"cpuprofile": "file", "cloudwatch": "", "namespace": "namespace", "start-at": "time", "test-id": "id",
		"cloudwatch-endpoint-url": "URL", "stream": "", "format": "auto|tgi|openai|text", "first-token-timeout": "duration",
		"slo-ttft": "duration", "slo-tpot": "duration", "slo-e2e": "duration", "arrivals": "constant|poisson",
		"prompts": "path", "input-tokens": "MEAN[:STDDEV]", "output-tokens": "MEAN[:STDDEV]",
		"gate-p50": "duration", "gate-p99": "duration", "gate-max-error-rate": "percentage", "gate-min-achieved": "percentage",
		"gate-ttft-p99": "duration", "gate-itl-p99": "duration",
	}
	newFlagSet(&config{}).VisitAll(func(f *flag.Flag) {
		got, _ := flag.UnquoteUsage(f)
		w, ok := want[f.Name]
		if !ok {
			t.Errorf("-%s %s: a flag this test does not know; add its argument name", f.Name, got)
		} else if got != w {
			t.Errorf("-h shows -%s %s; want -%s %s", f.Name, got, f.Name, w)
		}
	})
}

// TestBadFlagIsShort checks that a mistyped flag gets a short error, a
// suggestion when one is close, and the hint to -h: not the whole help.
func TestBadFlagIsShort(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-rat", "50"}, "flag provided but not defined: -rat (did you mean -rate?)\nrun 'loadgen -h' for the options"},
		{[]string{"--max-inflight=5"}, "flag provided but not defined: -max-inflight (did you mean -max-in-flight?)\nrun 'loadgen -h' for the options"},
		{[]string{"-zzz"}, "flag provided but not defined: -zzz\nrun 'loadgen -h' for the options"},
		{[]string{"-rate", "fast"}, "invalid value \"fast\" for flag -rate: parse error\nrun 'loadgen -h' for the options"},
		{[]string{"-rate", "5", "extra"}, "unexpected arguments [\"extra\"] (every option is a flag)\nrun 'loadgen -h' for the options"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			if err == nil || err.Error() != tt.want {
				t.Errorf("run(%q) = %v; want %q", tt.args, err, tt.want)
			}
			if stdout.Len()+stderr.Len() != 0 {
				t.Errorf("run(%q) printed %q and %q; want only the error", tt.args, stdout.String(), stderr.String())
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	awsEnv(t, testSecret)
	payload := payloadFile(t)
	empty := filepath.Join(t.TempDir(), "empty.json")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// A path below a regular file cannot be read, even by root.
	unreadable := filepath.Join(payload, "req.json")
	sick := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{})
	defer sick.Close()
	sick.SetPingStatus(503)
	guarded := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Auth: &awstest.SigV4Check{Keys: map[string]string{testKey: "the-real-secret"}, Region: "us-east-1", Service: "sagemaker"}})
	defer guarded.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	// Every case names a loopback endpoint, so that none can reach AWS.
	ep := []string{"-endpoint", "ep", "-payload", payload, "-endpoint-url", closed}
	for _, tt := range []struct {
		name     string
		args     []string
		want     string // in the error
		summary  bool   // a summary line is written
		measured bool   // and it counts requests
	}{
		{"missing payload", append(ep, "-rate", "1", "-payload", "/nonexistent/req.json"), "no such file", false, false},
		{"unreadable payload", append(ep, "-rate", "1", "-payload", unreadable), "not a directory", false, false},
		{"empty payload", append(ep, "-rate", "1", "-payload", empty), "empty payload", false, false},
		{"no payload", []string{"-endpoint", "ep", "-endpoint-url", closed, "-rate", "1"}, "no payload", false, false},
		{"zero rate", append([]string{"-rate", "0"}, ep...), "rate must be a positive number", false, false},
		{"negative rate", append([]string{"-rate", "-3"}, ep...), "rate must be a positive number", false, false},
		{"bad steps", append([]string{"-steps", "10@30s,20"}, ep...), `step 2 "20": want RATE@DURATION`, false, false},
		{"bad step duration", append([]string{"-steps", "10@30"}, ep...), "missing unit in duration", false, false},
		{"bad ramp", append([]string{"-ramp", "fast", "-duration", "1m"}, ep...), "-ramp \"fast\": want FROM:TO", false, false},
		{"bad start time", append([]string{"-rate", "5", "-duration", "1s", "-start-at", "tomorrow"}, ep...), "-start-at \"tomorrow\": want an RFC 3339 time", true, false},
		{"start time long past", append([]string{"-rate", "5", "-duration", "1s", "-start-at", "2026-01-01T00:00:00Z"}, ep...), "start time 2026-01-01T00:00:00Z passed", true, false},
		{"start time far ahead", append([]string{"-rate", "5", "-duration", "1s", "-start-at", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, ep...), "ahead (more than 10m0s): give an earlier start time", true, false},
		{"stop budget over Fargate's", append([]string{"-rate", "5", "-grace", "100s", "-drain", "30s"}, ep...), "-grace 1m40s + -drain 30s: grace (1m40s) + drain (30s) + 5s to exit is 2m15s, over Fargate's longest stop timeout 2m0s: shorten them", false, false},
		{"zero drain", append([]string{"-rate", "5", "-drain", "0s"}, ep...), "both must be positive durations", false, false},
		{"max duration within the budget", append([]string{"-rate", "5", "-max-duration", "20s"}, ep...), "-max-duration 20s: must be longer than -grace + -drain (20s)", false, false},
		{"payload and body", append([]string{"-rate", "5", "-body", "{}"}, ep...), "-payload and -body are alternatives", false, false},
		{"two plans", append([]string{"-rate", "5", "-concurrency", "2"}, ep...), "mutually exclusive", false, false},
		{"no plan", ep, "no load plan", false, false},
		{"no target", []string{"-rate", "1", "-payload", payload}, "exactly one target", false, false},
		{"bad flag", []string{"-rate", "fast"}, "invalid value", false, false},
		{"gate TTFT without a stream", append([]string{"-rate", "5", "-gate-ttft-p99", "1s"}, ep...), "-gate-ttft-p99 and -gate-itl-p99 judge a streaming test: add -stream", false, false},
		{"gate p99 not positive", append([]string{"-rate", "5", "-gate-p99", "0s"}, ep...), "-gate-p99 0s: give a positive duration", false, false},
		{"gate achieved of a closed loop", []string{"-endpoint", "ep", "-payload", payload, "-endpoint-url", closed, "-concurrency", "2", "-duration", "1s", "-gate-min-achieved", "95%"}, "a closed loop (-concurrency) plans no rate", false, false},
		{"gate error rate without its sign", append([]string{"-rate", "5", "-gate-max-error-rate", "0.01"}, ep...), `"0.01" is not a percentage`, false, false},
		{"failing ping", []string{"-container", sick.URL, "-rate", "10", "-duration", "1s", "-payload", payload}, "container health check GET " + sick.URL + "/ping: HTTP 503", true, false},
		{"unreachable endpoint", append([]string{"-rate", "50", "-duration", "10s"}, ep...), "connection refused", true, true},
		{"SigV4 rejection", append(append([]string{"-rate", "50", "-duration", "10s"}, ep...), "-endpoint-url", guarded.URL), "InvalidSignatureException", true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run(%q) = %v; want an error containing %q", tt.args, err, tt.want)
			}
			if !tt.summary {
				if stdout.Len() != 0 {
					t.Errorf("stdout = %q; want nothing", stdout.String())
				}
				return
			}
			s := summaryOf(t, stdout.Bytes())
			if !strings.Contains(s.Error, tt.want) {
				t.Errorf("summary error = %q; want it to contain %q", s.Error, tt.want)
			}
			if tt.measured && (s.Requests == 0 || s.Errors != s.Requests) {
				t.Errorf("summary counts %d requests, %d errors; want the failed requests reported", s.Requests, s.Errors)
			}
		})
	}
}

// TestInlineBody sends the -body given in the environment, as a task
// started with an inline body does.
func TestInlineBody(t *testing.T) {
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{KeepInvocations: true})
	defer srv.Close()
	t.Setenv("LOADGEN_BODY", `{"tenure": 14}`)
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-container", srv.URL, "-rate", "20", "-duration", "250ms"}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	inv := srv.Invocations()
	if len(inv) != 5 || string(inv[0].Body) != `{"tenure": 14}` || string(inv[4].Body) != `{"tenure": 14}` {
		t.Errorf("server got %d requests, first body %q; want 5 with the inline body", len(inv), inv[0].Body)
	}
	if s := summaryOf(t, stdout.Bytes()); s.Payloads.Source != "inline (-body)" || s.Payloads.Count != 1 {
		t.Errorf("summary payloads %+v; want one inline payload", s.Payloads)
	}
}

func TestEnvironmentConfiguresARun(t *testing.T) {
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{KeepInvocations: true})
	defer srv.Close()
	dir := t.TempDir()
	t.Setenv("LOADGEN_CONTAINER", srv.URL)
	t.Setenv("LOADGEN_PAYLOAD", payloadFile(t))
	t.Setenv("LOADGEN_STEPS", "20@500ms,40@500ms")
	t.Setenv("LOADGEN_CONTENT_TYPE", "text/csv")
	t.Setenv("LOADGEN_OUTPUT", filepath.Join(dir, "out.jsonl"))
	t.Setenv("LOADGEN_SUMMARY", filepath.Join(dir, "summary.json"))
	t.Setenv("LOADGEN_HLOG", filepath.Join(dir, "latency.hlog"))
	t.Setenv("LOADGEN_INTERVAL", "250ms")
	t.Setenv("LOADGEN_TEST_ID", "from-env")
	var stdout, stderr bytes.Buffer
	// The command line wins over the environment.
	if err := run(context.Background(), []string{"-content-type", "application/json"}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	out, err := os.ReadFile(filepath.Join(dir, "out.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	s := summaryOf(t, out)
	if s.Requests != 30 || s.OK != 30 || s.TestID != "from-env" || !strings.HasPrefix(s.Plan, "steps 20@500ms,40@500ms") || srv.Requests() != 30 {
		t.Errorf("summary %+v; server saw %d", s, srv.Requests())
	}
	if got := srv.Invocations()[0].ContentType; got != "application/json" {
		t.Errorf("content type %q; the flag should win over LOADGEN_CONTENT_TYPE", got)
	}
	var indented loadgen.Summary
	if b, err := os.ReadFile(filepath.Join(dir, "summary.json")); err != nil || json.Unmarshal(b, &indented) != nil || indented.Requests != 30 {
		t.Errorf("summary.json: %v, %+v", err, indented.Stats)
	}
	// The .hlog reads back with HdrHistogram's own reader and holds every
	// latency.
	f, err := os.Open(filepath.Join(dir, "latency.hlog"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := hdrhistogram.NewHistogramLogReader(f)
	var n int64
	for {
		h, err := r.NextIntervalHistogram()
		if err != nil {
			t.Fatalf("read hlog: %v", err)
		}
		if h == nil {
			break
		}
		n += h.TotalCount()
	}
	if n != 30 {
		t.Errorf(".hlog holds %d latencies; want 30", n)
	}
}

func TestCancelledRunReportsEverything(t *testing.T) {
	awsEnv(t, testSecret)
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Fixed(30 * time.Millisecond)})
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(time.Second, cancel)
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"-endpoint", "ep", "-endpoint-url", srv.URL, "-payload", payloadFile(t), "-rate", "200", "-interval", "300ms"}, &stdout, &stderr)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("run = %v; want an error wrapping context.Canceled", err)
	}
	s := summaryOf(t, stdout.Bytes())
	if s.Requests == 0 || s.Requests != srv.Requests() || s.OK != s.Requests {
		t.Errorf("summary: %d requests (%d ok); server saw %d", s.Requests, s.OK, srv.Requests())
	}
}

// TestSIGTERMMidRun runs the real command in a subprocess, sends it SIGTERM
// and checks that its summary counts exactly the requests the server saw.
func TestSIGTERMMidRun(t *testing.T) {
	awsEnv(t, testSecret)
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.LogNormal(40*time.Millisecond, 0.5, 3)})
	defer srv.Close()
	cw := awstest.NewCloudWatch()
	defer cw.Close()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(),
		"LOADGEN_TEST_BE_MAIN=1",
		"LOADGEN_ENDPOINT=sigterm-ep", "LOADGEN_ENDPOINT_URL="+srv.URL, "LOADGEN_PAYLOAD="+payloadFile(t),
		"LOADGEN_RATE=150", "LOADGEN_INTERVAL=400ms", "LOADGEN_GRACE=5s",
		"LOADGEN_CLOUDWATCH=true", "LOADGEN_CLOUDWATCH_ENDPOINT_URL="+cw.URL, "LOADGEN_TEST_ID=sigterm",
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for the load to be under way, then stop it as ECS does.
	deadline := time.Now().Add(10 * time.Second)
	for srv.Requests() < 100 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("exit: %v; want status 1 (stopped before the end of the plan)", err)
	}
	if !strings.Contains(stderr.String(), "context canceled") {
		t.Errorf("stderr %q does not say why it stopped", stderr.String())
	}
	s := summaryLine(t, stdout.Bytes())
	if s.Requests < 100 || s.Requests != srv.Requests() || s.OK != s.Requests {
		t.Errorf("summary: %d requests (%d ok); server saw %d", s.Requests, s.OK, srv.Requests())
	}
	if r := lastLine(t, stdout.Bytes()); !strings.Contains(r, fmt.Sprintf(`"intervals":%d,"published":%d,"unpublished":0`, s.Intervals, s.Intervals)) {
		t.Errorf("last line %s; want the publish report of all %d intervals published", r, s.Intervals)
	}
	// The last, partial interval reached CloudWatch too, after the summary.
	var published float64
	for _, d := range cw.Datums() {
		if d.MetricName == metrics.LoadTestRequests {
			published += *d.Value
		}
	}
	if published != float64(s.Requests) {
		t.Errorf("CloudWatch got %v requests; the summary counts %d", published, s.Requests)
	}
}

// TestCPUProfileIsWritten: -cpuprofile leaves a profile once run returns
// (the profile is stopped and its file closed; it used to stay empty).
func TestCPUProfileIsWritten(t *testing.T) {
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{})
	defer srv.Close()
	prof := t.TempDir() + "/cpu.pprof"
	args := []string{"-container", srv.URL, "-body", "{}", "-rate", "50", "-duration", "200ms", "-cpuprofile", prof}
	if err := run(context.Background(), args, new(bytes.Buffer), new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(prof); err != nil || fi.Size() == 0 {
		t.Errorf("-cpuprofile %s: %v, %v; want a profile", prof, fi, err)
	}
}

// The -gate-* criteria judge the finished test: a verdict line on stderr,
// exit 2 when a criterion fails (the summary is still written), 0 when all
// hold; LOADGEN_GATE_* set them as for a Fargate task.
func TestGateCriteria(t *testing.T) {
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: awstest.Fixed(20 * time.Millisecond)})
	defer srv.Close()
	base := []string{"-container", srv.URL, "-body", "{}", "-rate", "20", "-duration", "1s"}
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		line string
	}{
		{"p99 fails", []string{"-gate-p99", "5ms", "-gate-max-error-rate", "1%"}, nil, exitFailed, "loadgen: gate: FAIL: p99 "},
		{"all hold", []string{"-gate-p99", "5s", "-gate-max-error-rate", "0%", "-gate-min-achieved", "90%"}, nil, 0, "loadgen: gate: PASS: p99 "},
		{"from the environment", nil, map[string]string{"LOADGEN_GATE_P50": "1ms"}, exitFailed, "loadgen: gate: FAIL: p50 "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append(slices.Clone(base), tt.args...), &stdout, &stderr)
			if exitCode(err) != tt.code || !strings.Contains(stderr.String(), tt.line) {
				t.Errorf("exit %d (%v), stderr %q; want exit %d and a line containing %q", exitCode(err), err, stderr.String(), tt.code, tt.line)
			}
			if s := summaryOf(t, stdout.Bytes()); s.Requests != 20 {
				t.Errorf("summary counts %d requests; want the 20 sent", s.Requests)
			}
		})
	}
}
