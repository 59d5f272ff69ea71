// Package account validates and converts bank account identifiers: IBAN and
// BIC, Czech domestic accounts (prefix-number/bank code, ČNB mod-11), Danish
// reg. no. + account no. (BBAN) and Danish FIK payment-slip references.
//
// Everything here is pure and allocation-light. Every error returned wraps
// exactly one of ErrFormat, ErrChecksum, ErrCountry or ErrLength, so callers
// can branch with errors.Is and still show the wrapped message to a person.
package account

import (
	"errors"
	"fmt"
)

// Sentinel errors. The message of the wrapping error says what exactly is
// wrong and quotes the input; the sentinel says which kind of wrong it is.
var (
	// ErrFormat: characters or structure are not allowed (letters in a
	// number, a BBAN that does not match its country's pattern, …).
	ErrFormat = errors.New("invalid format")
	// ErrChecksum: the structure is right but a check digit is wrong —
	// usually a typing error, so the account must not be used.
	ErrChecksum = errors.New("check digit mismatch")
	// ErrCountry: the country code is unknown or not allowed here.
	ErrCountry = errors.New("unsupported country")
	// ErrLength: too short or too long for what it claims to be.
	ErrLength = errors.New("wrong length")
)

// kindError carries a message written for the person fixing the input and
// the sentinel for code; Error() is the message alone so that problems read
// naturally ("check digits do not match") without a generic prefix.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

func errf(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}
