package simhttp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Fault kinds both simulators act out the same way: below the bank's API, in
// the connection. Each simulator adds its own answers (status codes, error
// bodies, signatures) on top.
const (
	FaultDelay            = "delay"              // wait, then process normally
	FaultDropBeforeCommit = "drop-before-commit" // close the connection without processing
	FaultDropAfterCommit  = "drop-after-commit"  // process and store, then close without a response
	FaultSlowBody         = "slow-body"          // process and store, then trickle the answer's body
)

// ReadBody reads a request body of at most max bytes.
func ReadBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, fmt.Errorf("body larger than %d bytes", max)
	}
	return b, err
}

// ActTransportFault acts out a connection-level fault around serve, the
// bank's own handler (maxBody bounds the request body). known is false for a kind that is not one of these;
// proceed is true when the request should then be served normally (after a
// delay).
func ActTransportFault(kind string, delay time.Duration, maxBody int64, w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) (proceed, known bool) {
	switch kind {
	case FaultDelay:
		// Read the body first: net/http only notices a client that hung up
		// (and cancels the context) once the body has been consumed.
		body, err := ReadBody(w, r, maxBody)
		if err != nil {
			return false, true
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
			return true, true
		case <-r.Context().Done():
			return false, true
		}
	case FaultDropBeforeCommit:
		DropConnection(w)
		return false, true
	case FaultDropAfterCommit:
		// Process against a buffer so nothing reaches the client, then drop.
		serve(NewDiscardWriter(), r)
		DropConnection(w)
		return false, true
	case FaultSlowBody:
		buf := NewDiscardWriter()
		serve(buf, r)
		Trickle(w, buf, delay, r.Context().Done())
		return false, true
	}
	return true, false
}

// FaultQueue holds armed faults in the order they were armed; each fires for
// its next count requests to its path ("" : any path). Safe for concurrent use.
type FaultQueue[F any] struct {
	mu sync.Mutex
	q  []*queuedFault[F]
}

type queuedFault[F any] struct {
	path string
	left int
	f    F
}

// Add arms f for the next count (at least 1) requests to path.
func (q *FaultQueue[F]) Add(path string, count int, f F) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.q = append(q.q, &queuedFault[F]{path: path, left: max(count, 1), f: f})
}

// Take consumes one use of the first fault armed for path.
func (q *FaultQueue[F]) Take(path string) (F, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, e := range q.q {
		if e.path != "" && e.path != path {
			continue
		}
		if e.left--; e.left <= 0 {
			q.q = append(q.q[:i], q.q[i+1:]...)
		}
		return e.f, true
	}
	var zero F
	return zero, false
}

// Clear disarms everything.
func (q *FaultQueue[F]) Clear() {
	q.mu.Lock()
	q.q = nil
	q.mu.Unlock()
}
