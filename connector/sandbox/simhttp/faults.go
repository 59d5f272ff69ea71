package simhttp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
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
