// Package bank holds what every bank client shares: how a failed call is
// classified, because that decides between "retry", "reject" and "ask the
// bank what happened" — the difference between paying once and paying twice.
package bank

import (
	"errors"
	"fmt"
)

// ErrNotSent wraps a failure that happened before any byte of the request
// left this machine (connection refused, DNS): resending is safe.
var ErrNotSent = errors.New("request not sent")

// ErrOutcomeUnknown wraps a failure after the request may have reached the
// bank (timeout, dropped connection, 5xx): the bank may have acted on it. The
// caller must find out before sending it again.
var ErrOutcomeUnknown = errors.New("outcome unknown")

// ErrAuth wraps 401/403 answers: credentials or signature are wrong. Nothing
// was done; resending will not help until an admin fixes the configuration.
var ErrAuth = errors.New("authentication failed")

// HTTPError is a non-2xx answer.
type HTTPError struct {
	Status int
	Body   string // first bytes of the body, for the operator
}

func (e *HTTPError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body) }

// Rejected reports whether the bank refused the request as invalid (4xx other
// than auth and rate limiting): it will refuse it again.
func (e *HTTPError) Rejected() bool {
	return e.Status >= 400 && e.Status < 500 && e.Status != 401 && e.Status != 403 && e.Status != 408 && e.Status != 429
}
