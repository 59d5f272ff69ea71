package oauth

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrReauthorize is wrapped when the token endpoint answers invalid_grant (or
// no refresh token is stored): a person must run the authorization again.
var ErrReauthorize = errors.New("re-authorisation needed")

// ErrRateLimited is wrapped for a 429 from the token endpoint; the
// *TokenError carries Retry-After.
var ErrRateLimited = errors.New("token endpoint rate limit")

// ErrClientRejected is wrapped for invalid_client: the bank does not accept
// client_id/client_secret (or the apiKey). An admin must fix the config.
var ErrClientRejected = errors.New("client credentials rejected")

// ErrNotSaved is wrapped when new tokens could not be persisted. They are
// kept in memory and the save is retried on the next call.
var ErrNotSaved = errors.New("tokens not saved")

// ReasonInvalidGrant is the Health reason after the bank refused the refresh token.
const ReasonInvalidGrant = "re-authorisation needed: the bank refused the refresh token (invalid_grant)"

// TokenError is a non-2xx answer (or an unusable 2xx answer) of the token
// endpoint. It never holds a secret: Description is redacted and cut.
type TokenError struct {
	Grant         string        // "refresh_token" or "authorization_code"
	Status        int           // HTTP status
	Code          string        // RFC 6749 "error", or KB's errors[0].code/error
	Description   string        // redacted, at most 200 characters
	RetryAfter    time.Duration // 429/503: how long to wait (0: not said)
	CorrelationID string        // x-correlation-id of the call, for KB support
}

func (e *TokenError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "oauth: %s grant: HTTP %d", e.Grant, e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	if e.CorrelationID != "" {
		fmt.Fprintf(&b, " [x-correlation-id %s]", e.CorrelationID)
	}
	return b.String()
}

// Is makes errors.Is work with the sentinels callers branch on.
func (e *TokenError) Is(target error) bool {
	switch target {
	case ErrReauthorize:
		return e.Code == "invalid_grant"
	case ErrRateLimited:
		return e.Status == 429
	case ErrClientRejected:
		return e.Code == "invalid_client"
	}
	return false
}

// redactor removes known secret values from text that came from outside
// (server descriptions, transport errors).
type redactor []string

const redacted = "[REDACTED]"

func (r redactor) clean(s string, max int) string {
	for _, sec := range r {
		// Very short values would wipe ordinary words; real secrets are longer.
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	return printable(s, max)
}

// printable keeps one line of printable text of at most max runes, so a
// hostile server cannot inject log lines or flood the status page.
func printable(s string, max int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == max {
			b.WriteString("…")
			break
		}
		if !unicode.IsPrint(r) {
			r = ' '
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// redactedError hides secrets in an error's text but keeps its chain for
// errors.Is/As (e.g. context.DeadlineExceeded).
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func (r redactor) wrap(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: r.clean(err.Error(), 500), err: err}
}

// RetryAfterHint is the token endpoint's Retry-After (see bank.RetryAfter).
func (e *TokenError) RetryAfterHint() time.Duration { return e.RetryAfter }
