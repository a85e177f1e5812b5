package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/testkit/awstest"
)

// lockedBuffer is a bytes.Buffer a subprocess writes while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// Stop budget of the SIGTERM tests, and the margin they allow on top: a
// loaded 2-core machine starts processes and schedules goroutines late.
const (
	testGrace  = 2 * time.Second
	testDrain  = 2 * time.Second
	exitMargin = 3 * time.Second
)

// TestSIGTERMAtEveryPhase runs the command in a subprocess against a
// CloudWatch that accepts connections and never answers, sends it SIGTERM
// at each phase of a run, and checks that it writes its summary and exits
// within -grace + -drain (+ a margin), however stuck CloudWatch is.
func TestSIGTERMAtEveryPhase(t *testing.T) {
	awsEnv(t, testSecret)
	hung := awstest.NewHanging()
	defer hung.Close()
	// A container whose /ping tells that loadgen is set up (its signal
	// handler is installed before): then it waits for its start time.
	var pings atomic.Int32
	container := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ping" {
			pings.Add(1)
		}
	}))
	defer container.Close()
	ok := awstest.Response{Latency: 20 * time.Millisecond}
	endpoint := "LOADGEN_ENDPOINT=sigterm-ep"
	for _, tt := range []struct {
		phase string
		env   []string
		// ready reports when to send SIGTERM.
		ready func(srv *awstest.SageMakerRuntime, stdout *lockedBuffer) bool
		// stuck makes every 5th request hang, so that the grace period
		// runs out.
		stuck bool
		// budget is how long the exit may take after SIGTERM.
		budget time.Duration
	}{
		{"start wait", []string{"LOADGEN_CONTAINER=" + container.URL, "LOADGEN_RATE=50", "LOADGEN_DURATION=10s", "LOADGEN_START_AT=" + time.Now().Add(5*time.Minute).UTC().Format(time.RFC3339)},
			func(*awstest.SageMakerRuntime, *lockedBuffer) bool { return pings.Load() > 0 }, false, testDrain},
		{"mid-plan", []string{endpoint, "LOADGEN_RATE=100"},
			func(srv *awstest.SageMakerRuntime, _ *lockedBuffer) bool { return srv.Requests() >= 50 }, false, testGrace + testDrain},
		{"grace", []string{endpoint, "LOADGEN_RATE=100", "LOADGEN_TIMEOUT=1m"},
			func(srv *awstest.SageMakerRuntime, _ *lockedBuffer) bool { return srv.Requests() >= 50 }, true, testGrace + testDrain},
		{"drain", []string{endpoint, "LOADGEN_RATE=100", "LOADGEN_DURATION=500ms"},
			func(_ *awstest.SageMakerRuntime, out *lockedBuffer) bool {
				return bytes.Contains(out.Bytes(), []byte(`"type":"summary"`))
			}, false, testDrain},
	} {
		t.Run(tt.phase, func(t *testing.T) {
			behavior := awstest.Cycle(ok)
			if tt.stuck {
				behavior = awstest.Cycle(awstest.Response{Hang: true}, ok, ok, ok, ok)
			}
			srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{Behavior: behavior})
			defer srv.Close()
			cmd := loadgenCommand()
			cmd.Env = append(append(os.Environ(),
				"LOADGEN_TEST_BE_MAIN=1", "LOADGEN_ENDPOINT_URL="+srv.URL, "LOADGEN_PAYLOAD="+payloadFile(t),
				"LOADGEN_INTERVAL=300ms", "LOADGEN_GRACE="+testGrace.String(), "LOADGEN_DRAIN="+testDrain.String(),
				"LOADGEN_CLOUDWATCH=true", "LOADGEN_CLOUDWATCH_ENDPOINT_URL="+hung.URL, "LOADGEN_TEST_ID=sigterm-"+strings.ReplaceAll(tt.phase, " ", "-"),
			), tt.env...)
			var stdout, stderr lockedBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for !tt.ready(srv, &stdout) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if tt.phase == "start wait" {
				time.Sleep(300 * time.Millisecond) // well into the wait
			}
			sent := time.Now()
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			exited := time.Since(sent)
			t.Logf("SIGTERM during %s: exited %v after the signal (budget %v + margin %v)", tt.phase, exited.Round(time.Millisecond), tt.budget, exitMargin)
			if exited > tt.budget+exitMargin {
				t.Errorf("exited %v after SIGTERM; want within %v + %v", exited, tt.budget, exitMargin)
			}
			s := summaryLine(t, stdout.Bytes())
			if s.Requests != srv.Requests() {
				t.Errorf("summary counts %d requests; the server saw %d", s.Requests, srv.Requests())
			}
			if tt.stuck && !strings.Contains(s.Stopped, "grace period were cancelled") {
				t.Errorf("summary stopped %q; want the grace period to have run out", s.Stopped)
			}
			if r := lastLine(t, stdout.Bytes()); !strings.Contains(r, `"type":"publish"`) || !strings.Contains(r, `"published":0`) {
				t.Errorf("last line %s; want the publish report, nothing published", r)
			}
		})
	}
}

// loadgenCommand returns the command the signal tests run: this test
// binary acting as loadgen or, when LOADGEN_TEST_BIN names one, another
// build of loadgen (e.g. main's, to measure the exit times before a
// change: LOADGEN_TEST_BIN=/tmp/loadgen-main go test -run TestSIGTERM).
func loadgenCommand() *exec.Cmd {
	if bin := os.Getenv("LOADGEN_TEST_BIN"); bin != "" {
		return exec.Command(bin)
	}
	return exec.Command(os.Args[0])
}

// summaryLine returns the summary line of out, wherever it is.
func summaryLine(t *testing.T, out []byte) loadgen.Summary {
	t.Helper()
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, `"type":"summary"`) {
			return summaryOf(t, []byte(l))
		}
	}
	t.Fatalf("no summary line in:\n%s", out)
	return loadgen.Summary{}
}

func lastLine(t *testing.T, out []byte) string {
	t.Helper()
	ls := strings.Split(strings.TrimSpace(string(out)), "\n")
	return ls[len(ls)-1]
}

// TestPingHonoursTimeout checks a container that accepts connections and
// never answers /ping: the check gives up after -timeout and names the URL
// and the timeout.
func TestPingHonoursTimeout(t *testing.T) {
	hung := awstest.NewHanging()
	defer hung.Close()
	var stdout, stderr bytes.Buffer
	start := time.Now()
	err := run(context.Background(), []string{"-container", hung.URL, "-timeout", "1s", "-rate", "10", "-duration", "1s", "-payload", payloadFile(t)}, &stdout, &stderr)
	took := time.Since(start)
	t.Logf("/ping of a hung container with -timeout 1s returned after %v", took.Round(time.Millisecond))
	want := "container health check GET " + hung.URL + "/ping: no answer within -timeout 1s"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("run = %v; want %q", err, want)
	}
	if took > time.Second+exitMargin {
		t.Errorf("the /ping check took %v; want about -timeout 1s", took)
	}
	if s := summaryOf(t, stdout.Bytes()); s.Stopped != "not started" || !strings.Contains(s.Error, want) {
		t.Errorf("summary %+v; want not started, with the error", s)
	}
}

// TestMaxDurationCapsARunWithoutDuration runs -rate without -duration: it
// ends by itself at -max-duration, successfully, and says so.
func TestMaxDurationCapsARunWithoutDuration(t *testing.T) {
	srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{})
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	start := time.Now()
	err := run(context.Background(), []string{"-container", srv.URL, "-rate", "20", "-max-duration", "1500ms", "-grace", "200ms", "-drain", "300ms", "-payload", payloadFile(t)}, &stdout, &stderr)
	took := time.Since(start)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	t.Logf("-max-duration 1.5s: run returned after %v", took.Round(time.Millisecond))
	if took > 1500*time.Millisecond+exitMargin {
		t.Errorf("run took %v; want it ended by -max-duration 1.5s", took)
	}
	if s := summaryOf(t, stdout.Bytes()); s.Stopped != "max duration 1.5s reached" || s.MaxDuration != "1.5s (-max-duration)" || s.Requests == 0 {
		t.Errorf("summary stopped %q, max_duration %q, %d requests", s.Stopped, s.MaxDuration, s.Requests)
	}
}

// TestDefaultMaxDuration checks the cap a run gets without -max-duration:
// the plan plus grace, drain and a minute, or an hour for a plan without an
// end, and that the summary says which.
func TestDefaultMaxDuration(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-rate", "10", "-duration", "200ms"}, "1m20.2s (default: start wait + plan + grace + drain + 1m0s)"},
		{[]string{"-rate", "10", "-requests", "2"}, "1h0m0s (default for a plan without an end)"},
	} {
		srv := awstest.NewSageMakerRuntime(awstest.SageMakerOptions{})
		var stdout, stderr bytes.Buffer
		args := append([]string{"-container", srv.URL, "-payload", payloadFile(t)}, tt.args...)
		if err := run(context.Background(), args, &stdout, &stderr); err != nil {
			t.Fatalf("run %q: %v", args, err)
		}
		srv.Close()
		if s := summaryOf(t, stdout.Bytes()); s.MaxDuration != tt.want {
			t.Errorf("run %q: max_duration %q; want %q", tt.args, s.MaxDuration, tt.want)
		}
	}
}
