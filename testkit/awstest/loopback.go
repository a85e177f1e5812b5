package awstest

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
)

// startLoopback starts h on 127.0.0.1 (never any other address).
func startLoopback(h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("awstest: listen on 127.0.0.1: %v", err))
	}
	srv.Listener = ln
	srv.Start()
	return srv
}
