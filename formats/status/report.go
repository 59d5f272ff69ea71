package status

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

// Report is everything the connector tells the ERP about one input file at one
// moment. The daemon builds it from the store; the writers in this package and
// in formats/pain002 turn it into bytes without adding anything of their own.
type Report struct {
	// MessageID is the status message's own ID: deterministic (derived from
	// the file hash and the report's sequence number), 1–35 characters.
	MessageID string
	// Created is when the report was made. Injected: formats/ has no clock.
	Created time.Time
	File    FileRef
	// State is the file-level state: normally Summarise(Payments), or
	// Rejected/Duplicate/Received when the file as a whole got that outcome.
	// Writers use Summarise(Payments) when it is empty.
	State State
	// Reason explains a file-level Rejected or Duplicate (e.g. "duplicate of
	// invoices-0612.xml received 2026-06-12T08:15:00Z").
	Reason Reason
	// Problems are the rendered problems of a rejected file
	// ("FILE:LINE: field: problem"), see formats.Problem.Format.
	Problems []string
	Payments []Payment
}

// FileRef identifies the input file the report is about.
type FileRef struct {
	Name   string // base name as the ERP wrote it
	SHA256 string // lower-case hex of the content: the file's identity
	// OriginalMessageID is the file's own message ID (pain.001 GrpHdr/MsgId),
	// or "" for formats that have none.
	OriginalMessageID string
	// OriginalFormat names the input format: "pain.001.001.03",
	// "pain.001.001.09", "KPC", "CSV", "KB-JSON", "BI-JSON"; "" when the
	// format could not be recognised.
	OriginalFormat string
}

// Payment is the status of one payment of the file.
type Payment struct {
	Index         int // 0-based position in the file (formats.Payment.Index)
	BatchID       string
	InstructionID string
	EndToEndID    string
	// Amount is the zero Amount when the file's amount could not be read.
	Amount          money.Amount
	RequestedDate   formats.Date
	CreditorName    string
	CreditorAccount string // formats.Account.String(): IBAN, "number/bankcode" or number
	State           State
	Reason          Reason
	BankReference   string    // the bank's ID for the payment, when it gave one
	Updated         time.Time // when State last changed; zero when unknown
}

// Reason says why a file or payment is in its state.
type Reason struct {
	// Code is an ISO 20022 ExternalStatusReason1Code when known (AC03, AM04,
	// AM05, DS02, NARR, …), or the bank's own code.
	Code string
	Text string
}

// IsZero reports whether no reason was given.
func (r Reason) IsZero() bool { return r.Code == "" && r.Text == "" }

// ErrInvalidReport is wrapped by every error Validate returns.
var ErrInvalidReport = errors.New("invalid status report")

// MaxMessageID is the length limit of MessageID (ISO 20022 Max35Text).
const MaxMessageID = 35

// Validate checks what the writers rely on and what only a programming error
// can break: a message ID, a creation time, known states. Everything that
// comes from the input file (IDs, names, texts, amounts) is not checked here:
// writers clean, shorten or omit it so that a status file can always be
// written for any file, however broken.
func (r *Report) Validate() error {
	if r == nil {
		return fmt.Errorf("%w: nil report", ErrInvalidReport)
	}
	if r.MessageID == "" || utf8.RuneCountInString(r.MessageID) > MaxMessageID || Clean(r.MessageID) != r.MessageID {
		return fmt.Errorf("%w: message ID %q must be 1–%d printable characters", ErrInvalidReport, r.MessageID, MaxMessageID)
	}
	if r.Created.IsZero() || r.Created.Year() < 1 || r.Created.Year() > 9999 {
		return fmt.Errorf("%w: creation time %v is not set", ErrInvalidReport, r.Created)
	}
	if r.State != "" && !r.State.ValidFile() {
		return fmt.Errorf("%w: file state %q", ErrInvalidReport, r.State)
	}
	for i := range r.Payments {
		p := &r.Payments[i]
		if !p.State.ValidPayment() {
			return fmt.Errorf("%w: payment %d (index %d): state %q", ErrInvalidReport, i, p.Index, p.State)
		}
		if y := p.Updated.Year(); !p.Updated.IsZero() && (y < 1 || y > 9999) {
			return fmt.Errorf("%w: payment %d (index %d): update time %v", ErrInvalidReport, i, p.Index, p.Updated)
		}
	}
	return nil
}

// FileState is r.State, or Summarise(r.Payments) when r.State is empty.
func (r *Report) FileState() State {
	if r.State != "" {
		return r.State
	}
	return Summarise(r.Payments)
}

// PaymentReason is the reason to write for payment i: its own, or, for a
// duplicate payment of a duplicate file that has none, the file's (which names
// the first file), so that every row and transaction says why.
func (r *Report) PaymentReason(i int) Reason {
	p := &r.Payments[i]
	if p.Reason.IsZero() && p.State == Duplicate && r.FileState() == Duplicate {
		return r.Reason
	}
	return p.Reason
}

// KnownAmount reports whether a holds a usable amount: a positive number of
// minor units in a known currency. Writers omit amounts that are not known
// rather than write a misleading 0.
func KnownAmount(a money.Amount) bool {
	_, ok := money.Exponent(a.Currency)
	return ok && a.Minor > 0
}

// ValidDate reports whether d is a real calendar date in years 1–9999.
func ValidDate(d formats.Date) bool {
	if d.Year < 1 || d.Year > 9999 {
		return false
	}
	t := d.Time()
	return t.Month() == d.Month && t.Day() == d.Day
}
