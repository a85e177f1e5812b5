// Command minserver is the minimal HTTP server that bench/loadgen-vs-vegeta.sh
// loads: it answers every POST with a small JSON body, as fast as net/http
// can, so that the generators' own costs dominate. It listens on loopback
// only.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18080", "loopback address to listen on")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !(host == "localhost" || strings.HasPrefix(host, "127.")) {
		fmt.Fprintf(os.Stderr, "minserver: -addr %q: want a loopback address\n", *addr)
		os.Exit(2)
	}
	body := []byte(`{"predictions":[0.42]}`)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	log.Fatal(http.ListenAndServe(*addr, h))
}
