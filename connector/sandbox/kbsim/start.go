package kbsim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Running is a simulator listening on a TCP address.
type Running struct {
	URL    string // "http://127.0.0.1:port", no trailing slash
	Server *Server
	srv    *http.Server
	done   chan error

	once     sync.Once
	closeErr error
}

// Start creates a Server and serves it on addr (e.g. "127.0.0.1:0").
func Start(addr string, cfg Config) (*Running, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("kbsim: listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	r := &Running{URL: "http://" + ln.Addr().String(), Server: s, srv: srv, done: make(chan error, 1)}
	go func() { r.done <- srv.Serve(ln) }()
	return r, nil
}

// Close stops accepting, waits for requests in flight until ctx ends, and
// closes the listener. Calling it again returns the first result.
func (r *Running) Close(ctx context.Context) error {
	r.once.Do(func() {
		err := r.srv.Shutdown(ctx)
		if serr := <-r.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
		r.closeErr = err
	})
	return r.closeErr
}
