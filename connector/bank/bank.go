// Package bank holds what every bank client shares: how a failed call is
// classified, because that decides between "retry", "reject" and "ask the
// bank what happened" — the difference between paying once and paying twice.
package bank

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
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
	Status     int
	Body       string        // first bytes of the body, for the operator
	RetryAfter time.Duration // from Retry-After (429, 503); 0 when absent
}

func (e *HTTPError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("HTTP %d (retry after %s): %s", e.Status, e.RetryAfter, e.Body)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body)
}

// RetryAfterHint is the bank's Retry-After.
func (e *HTTPError) RetryAfterHint() time.Duration { return e.RetryAfter }

// MaxRetryAfter caps a Retry-After: a misconfigured gateway asking for a day
// must not silence a route for a day.
const MaxRetryAfter = time.Hour

// ParseRetryAfter reads a Retry-After header: seconds, or an HTTP date.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return min(time.Duration(n)*time.Second, MaxRetryAfter)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now).Round(time.Second), MaxRetryAfter)
	}
	return 0
}

// RetryAfter is how long the bank asked us to wait, from any error in err's
// chain that carries a Retry-After; 0 when none does.
func RetryAfter(err error) time.Duration {
	var h interface{ RetryAfterHint() time.Duration }
	if errors.As(err, &h) {
		return h.RetryAfterHint()
	}
	return 0
}

// Rejected reports whether the bank refused the request as invalid (4xx other
// than auth and rate limiting): it will refuse it again.
func (e *HTTPError) Rejected() bool {
	return e.Status >= 400 && e.Status < 500 && e.Status != 401 && e.Status != 403 && e.Status != 408 && e.Status != 429
}
