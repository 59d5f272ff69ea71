package kb

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"erpconnector/connector/bank"
	"erpconnector/connector/bank/oauth"
)

// ErrInvalidSent wraps a Sent (or a Client configuration) that cannot be
// submitted as it is. Nothing left this machine, but resending the same Sent
// will fail the same way: it is a programming or configuration error.
var ErrInvalidSent = errors.New("kb: request cannot be sent")

// Problem is one item of KB's "errors" array, whichever envelope it came in
// (spec §6): COBS {error, scope, message}, ADAA {code, message,
// additionalInfo.parameterName}, client-registration {errorCode, scope,
// description}, an RFC 6749 {error, error_description} or a WSO2 gateway XML
// fault {code, message, description}.
type Problem struct {
	Code    string // COBS error code (AM05, FIELD_INVALID…), ADAA code, WSO2 fault code
	Scope   string // JSON path or header name the problem is about, when given
	Message string
}

func (p Problem) String() string {
	s := p.Code
	if p.Scope != "" {
		s = strings.TrimSpace(s + " at " + p.Scope)
	}
	if p.Message != "" {
		if s != "" {
			s += ": "
		}
		s += p.Message
	}
	return s
}

func problemsText(ps []Problem) string {
	if len(ps) == 0 {
		return ""
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

// RejectedError is a 4xx refusal (other than 401, 403, 408 and 429): KB
// validated the request and kept nothing. Resending the same bytes will be
// refused again. It unwraps to a *bank.HTTPError whose Rejected() is true.
type RejectedError struct {
	Status        int
	Problems      []Problem
	CorrelationID string // the x-correlation-id we sent, for KB support
	Body          string // first bytes of the answer, for the operator
}

func (e *RejectedError) Error() string {
	msg := problemsText(e.Problems)
	if msg == "" {
		msg = e.Body
	}
	return fmt.Sprintf("kb: batch refused (HTTP %d, x-correlation-id %s): %s", e.Status, e.CorrelationID, msg)
}

func (e *RejectedError) Unwrap() error { return &bank.HTTPError{Status: e.Status, Body: e.Body} }

// StatusError is any other non-2xx answer. Class is bank.ErrNotSent (429,
// 408: refused before processing), bank.ErrAuth (401 after one refresh, 403)
// or bank.ErrOutcomeUnknown (5xx, 3xx and anything else: the bank may have
// imported the batch). errors.Is works on the class, errors.As on a
// *bank.HTTPError.
type StatusError struct {
	Status        int
	Class         error
	Problems      []Problem
	RetryAfter    time.Duration // from Retry-After; 0 when absent or unreadable
	CorrelationID string
	Body          string
}

func (e *StatusError) Error() string {
	msg := problemsText(e.Problems)
	if msg == "" {
		msg = e.Body
	}
	s := fmt.Sprintf("kb: %v: HTTP %d (x-correlation-id %s)", e.Class, e.Status, e.CorrelationID)
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(", retry after %s", e.RetryAfter)
	}
	if msg != "" {
		s += ": " + msg
	}
	return s
}

func (e *StatusError) Unwrap() []error {
	return []error{e.Class, &bank.HTTPError{Status: e.Status, Body: e.Body}}
}

// MismatchError is a 2xx answer that does not confirm what was sent: counts,
// totals or echoes differ, a field is missing or malformed, or the body is
// not the §5.4 JSON at all. KB answered success, so the batch WAS imported in
// some form: the caller must treat it as an outcome that needs a person to
// check internet banking, and must never resend. It unwraps to
// bank.ErrOutcomeUnknown so that callers branching on the bank classes do
// the safe thing.
type MismatchError struct {
	Response *Response // never nil: what could be read (Raw and CorrelationID at least)
	Why      string
}

func (e *MismatchError) Error() string {
	id := ""
	if e.Response != nil && e.Response.TransactionIdentification != "" {
		id = " " + e.Response.TransactionIdentification
	}
	cid := ""
	if e.Response != nil {
		cid = e.Response.CorrelationID
	}
	return fmt.Sprintf("kb: batch%s imported but the answer does not match the request (x-correlation-id %s): %s", id, cid, e.Why)
}

func (e *MismatchError) Unwrap() error { return bank.ErrOutcomeUnknown }

// transportError is a failure without an HTTP answer. Class is
// bank.ErrNotSent when not a byte of the request was written, otherwise
// bank.ErrOutcomeUnknown.
type transportError struct {
	Class         error
	CorrelationID string
	Err           error
}

func (e *transportError) Error() string {
	what := "the request may have reached KB"
	if e.Class == bank.ErrNotSent {
		what = "nothing was sent"
	}
	return fmt.Sprintf("kb: %v (%s; x-correlation-id %s): %v", e.Class, what, e.CorrelationID, e.Err)
}

func (e *transportError) Unwrap() []error { return []error{e.Class, e.Err} }

// tokenError is a failure to get an access token: the batch did not leave.
// A token source that reports bank.ErrAuth, oauth.ErrReauthorize or
// oauth.ErrClientRejected (consent withdrawn, refresh token expired, client
// refused) is bank.ErrAuth; anything else is bank.ErrNotSent. The cause is
// kept for errors.Is unless it claims an outcome class of its own, which
// would contradict "not sent".
type tokenError struct {
	Class error
	Err   error
}

func (e *tokenError) Error() string {
	return fmt.Sprintf("kb: %v: getting an access token: %v", e.Class, e.Err)
}

func (e *tokenError) Unwrap() []error {
	if e.Class != bank.ErrOutcomeUnknown && errors.Is(e.Err, bank.ErrOutcomeUnknown) {
		return []error{e.Class}
	}
	return []error{e.Class, e.Err}
}

func newTokenError(err error) error {
	class := bank.ErrNotSent
	// oauth's "authorise again" and "client credentials refused" are auth
	// failures too, though they do not wrap bank.ErrAuth.
	if errors.Is(err, bank.ErrAuth) || errors.Is(err, oauth.ErrReauthorize) || errors.Is(err, oauth.ErrClientRejected) {
		class = bank.ErrAuth
	}
	return &tokenError{Class: class, Err: err}
}

// RetryAfterHint is KB's Retry-After (see bank.RetryAfter).
func (e *StatusError) RetryAfterHint() time.Duration { return e.RetryAfter }
