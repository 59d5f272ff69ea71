// Package statement holds the canonical account statement that every
// statement source produces and every statement writer (camt.053, MT940,
// GPC, CSV) consumes. Like the rest of formats/ it is pure.
package statement

import (
	"errors"
	"fmt"
	"time"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

// Statement is the movements of one account over a period, with the balances
// that frame them: Opening + Σ Entries = Closing, exactly.
type Statement struct {
	// ID is the statement's own identifier, deterministic (derived by the
	// caller from bank, account and period), at most 35 characters.
	ID string
	// Sequence is the statement number for the account (1, 2, …): MT940
	// :28C:, GPC 074 statement number, camt.053 ElctrncSeqNb.
	Sequence int
	Created  time.Time // injected: formats/ has no clock

	Account  formats.Account // IBAN and/or domestic number (CZ with BankCode, DK 14 digits)
	Currency string          // ISO 4217 of the account
	Owner    string          // account holder's name
	Name     string          // account's own name ("Driftkonto"), optional
	BIC      string          // servicing bank, optional

	From, To formats.Date // the period covered, inclusive

	Opening Balance // before the first entry of From
	Closing Balance // after the last entry of To
	Entries []Entry // in booking order
}

// Balance is a signed amount at a date. Minor < 0 means overdrawn (debit).
type Balance struct {
	Minor int64
	Date  formats.Date
}

// Entry is one booked movement.
type Entry struct {
	// ID is the bank's identifier of the entry, the key statements are
	// de-duplicated by (BankIntegration id, KB entryReference).
	ID          string
	BookingDate formats.Date
	ValueDate   formats.Date
	// Minor is signed: negative is money out (debit), positive money in.
	Minor    int64
	Currency string // normally the account currency

	// References.
	EndToEndID    string // as the payer gave it: how a submitted payment is matched
	BankReference string // the bank's transaction reference (AcctSvcrRef)
	InstructionID string

	Counterparty        formats.Party
	CounterpartyAccount formats.Account
	CounterpartyBIC     string

	Remittance formats.Remittance // message, VS/KS/SS, structured reference
	Text       string             // the bank's booking text ("Overførsel", "Platba")
	// TxCode is the ISO 20022 bank transaction code when known.
	TxCode TxCode
	// Reversal marks a reversal (storno) of an earlier entry.
	Reversal bool
}

// TxCode is an ISO 20022 bank transaction code (Domain/Family/SubFamily,
// e.g. PMNT/RCDT/DMCT for a received domestic transfer).
type TxCode struct{ Domain, Family, SubFamily string }

// Debit reports whether the entry takes money out.
func (e Entry) Debit() bool { return e.Minor < 0 }

// Amount is the entry's magnitude as an amount.
func (e Entry) Amount() money.Amount {
	m := e.Minor
	if m < 0 {
		m = -m
	}
	return money.Amount{Minor: m, Currency: e.Currency}
}

// ErrUnbalanced is returned by Check when the balances do not add up.
var ErrUnbalanced = errors.New("opening balance plus entries does not equal closing balance")

// Check verifies what every writer relies on: the currency is known, every
// entry is in it, the balances reconcile exactly, nothing overflows.
func (s *Statement) Check() error {
	if _, ok := money.Exponent(s.Currency); !ok {
		return fmt.Errorf("statement %s: unknown currency %q", s.ID, s.Currency)
	}
	sum := s.Opening.Minor
	for i, e := range s.Entries {
		if e.Currency != s.Currency {
			return fmt.Errorf("statement %s: entry %d (%s) is in %s, the account in %s", s.ID, i, e.ID, e.Currency, s.Currency)
		}
		if e.Minor == 0 {
			return fmt.Errorf("statement %s: entry %d (%s) has no amount", s.ID, i, e.ID)
		}
		next := sum + e.Minor
		if (e.Minor > 0 && next < sum) || (e.Minor < 0 && next > sum) {
			return fmt.Errorf("statement %s: balance overflows at entry %d", s.ID, i)
		}
		sum = next
	}
	if sum != s.Closing.Minor {
		return fmt.Errorf("statement %s: %w: %s + entries = %s, closing %s", s.ID, ErrUnbalanced,
			money.FormatMinor(s.Opening.Minor, exp(s.Currency)), money.FormatMinor(sum, exp(s.Currency)),
			money.FormatMinor(s.Closing.Minor, exp(s.Currency)))
	}
	return nil
}

// Totals returns the sums of credits and of debits (both positive).
func (s *Statement) Totals() (credit, debit int64) {
	for _, e := range s.Entries {
		if e.Minor > 0 {
			credit += e.Minor
		} else {
			debit -= e.Minor
		}
	}
	return credit, debit
}

func exp(ccy string) int {
	e, _ := money.Exponent(ccy)
	return e
}
