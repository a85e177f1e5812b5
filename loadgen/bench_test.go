package loadgen_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/loadplan"
)

// minimalServer answers every request at once, like bench/minserver.
func minimalServer(b *testing.B) *httptest.Server {
	b.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"predictions":[0.42]}`))
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv.Listener = ln
	srv.Start()
	b.Cleanup(srv.Close)
	return srv
}

func benchPayload() *loadgen.Payload {
	p := loadgen.NewPayload("1KiB", bytes.Repeat([]byte("x"), 1024))
	return &p
}

// BenchmarkInvoke measures the cost of one request through each target
// (client and in-process server together; compare the targets, not the
// absolute numbers).
func BenchmarkInvoke(b *testing.B) {
	srv := minimalServer(b)
	ts := targets(&testing.T{}, srv.URL, testSecret)
	container, err := loadgen.NewContainerTarget(loadgen.NewHTTPClient(64), srv.URL, "application/json", "")
	if err != nil {
		b.Fatal(err)
	}
	ts["container"] = container
	p := benchPayload()
	for _, name := range []string{"fast", "sdk", "container"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := ts[name].Invoke(context.Background(), p); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// nopTarget answers at once without any I/O: it isolates the engine's own
// cost per request (pacing, workers, recording).
type nopTarget struct{}

func (nopTarget) Invoke(context.Context, *loadgen.Payload) error { return nil }

func BenchmarkEngine(b *testing.B) {
	b.ReportAllocs()
	ps, _ := loadgen.NewPayloads("bench", *benchPayload())
	// Due immediately: a very high rate, bounded by b.N requests.
	plan, _ := loadplan.NewConstant(1e9, 0)
	p, _ := loadgen.NewPacer(plan)
	b.ResetTimer()
	_, err := loadgen.Run(context.Background(), nopTarget{}, loadgen.Options{
		Pacer: p, MaxRequests: uint64(b.N), Payloads: ps, Output: io.Discard, Interval: time.Hour,
	})
	if err != nil {
		b.Fatal(err)
	}
}
