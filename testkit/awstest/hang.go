package awstest

import (
	"fmt"
	"net"
	"sync"
)

// Hanging is a server on 127.0.0.1 that accepts connections, reads what
// is sent and never answers: a CloudWatch, a SageMaker endpoint or a model
// container that is reachable but stuck. A client that does not bound its
// calls waits for it forever.
type Hanging struct {
	// URL is http://127.0.0.1:PORT.
	URL string

	ln       net.Listener
	mu       sync.Mutex
	conns    []net.Conn
	accepted int
	wg       sync.WaitGroup
}

// NewHanging starts a hanging server. Close it when done.
func NewHanging() *Hanging {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("awstest: listen on 127.0.0.1: %v", err))
	}
	h := &Hanging{URL: "http://" + ln.Addr().String(), ln: ln}
	h.wg.Go(h.accept)
	return h
}

// accept takes every connection and reads it until it is closed.
func (h *Hanging) accept() {
	for {
		c, err := h.ln.Accept()
		if err != nil {
			return
		}
		h.mu.Lock()
		h.conns = append(h.conns, c)
		h.accepted++
		h.mu.Unlock()
		h.wg.Go(func() {
			buf := make([]byte, 32<<10)
			for {
				if _, err := c.Read(buf); err != nil {
					return
				}
			}
		})
	}
}

// Accepted returns how many connections the server accepted.
func (h *Hanging) Accepted() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.accepted
}

// Close stops listening and closes every connection.
func (h *Hanging) Close() {
	_ = h.ln.Close()
	h.mu.Lock()
	for _, c := range h.conns {
		_ = c.Close()
	}
	h.mu.Unlock()
	h.wg.Wait()
}
