// Package simhttp is what the bank simulators share: serving on a loopback
// address, and the two ways a simulated bank breaks a connection.
package simhttp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Listener is a handler served on a TCP address.
type Listener struct {
	URL  string // "http://127.0.0.1:port", no trailing slash
	srv  *http.Server
	done chan error

	once     sync.Once
	closeErr error
}

// Serve serves h on addr (e.g. "127.0.0.1:0"); name prefixes errors.
func Serve(name, addr string, h http.Handler) (*Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: listen %s: %w", name, addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	l := &Listener{URL: "http://" + ln.Addr().String(), srv: srv, done: make(chan error, 1)}
	go func() { l.done <- srv.Serve(ln) }()
	return l, nil
}

// Close stops accepting, waits for requests in flight until ctx ends, and
// closes the listener. Calling it again returns the first result.
func (l *Listener) Close(ctx context.Context) error {
	l.once.Do(func() {
		err := l.srv.Shutdown(ctx)
		if serr := <-l.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
		l.closeErr = err
	})
	return l.closeErr
}

// DropConnection closes the client connection without writing a response.
// Without a hijackable connection (HTTP/2) the handler is aborted, which
// resets the stream: the client sees a transport error either way.
func DropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// DiscardWriter swallows a response, for "the bank processed it but the
// answer never arrived". It is deliberately not a Hijacker, so that a
// response written while processing stays in the buffer too.
type DiscardWriter struct {
	H    http.Header
	Body bytes.Buffer
	Code int
}

// NewDiscardWriter returns an empty DiscardWriter.
func NewDiscardWriter() *DiscardWriter { return &DiscardWriter{H: http.Header{}} }

func (d *DiscardWriter) Header() http.Header         { return d.H }
func (d *DiscardWriter) Write(b []byte) (int, error) { return d.Body.Write(b) }
func (d *DiscardWriter) WriteHeader(code int)        { d.Code = code }

// Trickle writes a response buffered in d to w slowly: headers at once, then
// the body in at most ten pieces, each after a tenth of `over`, flushed one
// by one — a bank whose answer crawls through a congested link. It stops
// early when the client hangs up (done closes).
func Trickle(w http.ResponseWriter, d *DiscardWriter, over time.Duration, done <-chan struct{}) {
	for k, v := range d.H {
		w.Header()[k] = v
	}
	code := d.Code
	if code == 0 {
		code = http.StatusOK
	}
	w.WriteHeader(code)
	fl, _ := w.(http.Flusher)
	if fl != nil {
		fl.Flush() // the status line and headers now, the body later
	}
	body := d.Body.Bytes()
	const pieces = 10
	step := max((len(body)+pieces-1)/pieces, 1)
	pause := over / pieces
	for i := 0; i < len(body); i += step {
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-done:
			t.Stop()
			return
		}
		if _, err := w.Write(body[i:min(i+step, len(body))]); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
	}
}
