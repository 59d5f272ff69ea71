// Package validate checks one canonical payment for what every bank needs:
// valid accounts and bank identifiers, Czech symbols, a usable execution date,
// an amount, and text without control characters. Bank-specific limits (field
// lengths, allowed currencies, KPC's 4-digit KS) belong to the encoders and
// readers; this package holds the rules that are the same for all of them.
package validate

import (
	"erpconnector/formats"
	"erpconnector/formats/account"
)

// PastDatePolicy says what happens to a requested execution date before
// today. It is chosen by configuration: some ERPs write yesterday's date into
// every file sent after midnight, and some users want those paid today.
type PastDatePolicy int

const (
	// RejectPast reports a past date as a problem (the default): a payment
	// meant for a date that has gone may be a stale file sent again.
	RejectPast PastDatePolicy = iota
	// MoveToToday silently sets a past date to Rules.Today.
	MoveToToday
)

func (p PastDatePolicy) String() string {
	if p == MoveToToday {
		return "move-to-today"
	}
	return "reject"
}

// Rules configures Payment. The zero value except Today is the strict
// default.
type Rules struct {
	// Today is the current date in the bank's time zone, injected because
	// formats/ has no clock. If it is zero, every payment gets a problem: a
	// missing clock must not silently disable the past-date check.
	Today formats.Date
	// PastDates decides what a requested date before Today does.
	PastDates PastDatePolicy
	// MaxDaysAhead, when positive, rejects requested dates more than this
	// many days after Today (a year typed wrong, "2052" for "2025"). Zero
	// means no limit.
	MaxDaysAhead int

	// DefaultCountry is the country of a domestic account Number whose
	// Account.Country is empty and whose country cannot be inferred (see
	// Payment). Typically the country of the route's bank: "CZ" or "DK".
	// Empty means such accounts are a problem.
	DefaultCountry string

	// LenientBIC accepts ISO 9362:2014 BICs (digits in the institution code,
	// pain.001.001.09 BICFI). Leave false unless every output this route
	// writes takes them: the .03 schema and most banks do not.
	LenientBIC bool

	// RequireCreditorName requires a creditor name on every payment, not only
	// cross-border ones.
	RequireCreditorName bool

	// ReaderHadProblems tells Payment that the reader already reported
	// problems in this file. Readers leave a field they could not parse at its
	// zero value, so a zero amount or date would otherwise be reported twice;
	// with this set, "missing amount" and "missing requested execution date"
	// are not reported again (the file is rejected anyway, with the reader's
	// more precise message). Leave it false when unsure: a duplicate message
	// is better than a payment without an amount passing unnoticed.
	ReaderHadProblems bool
}

// Payment checks p and returns its problems, all positioned at p.Pos, each
// with the field named as the person fixing the ERP export knows it
// ("creditor IBAN", "creditor BIC", "VS", "requested execution date", …).
// A nil result means the payment is acceptable to every bank as far as
// bank-neutral rules go.
//
// Payment normalises p in place, but only to forms that mean exactly the
// same account, date or code:
//   - IBANs and BICs lose spaces and are upper-cased (NormalizeIBAN);
//   - a valid Czech domestic account gets its canonical Number
//     ("19-2000145399"), its BankCode (split off "…/0100" in Number, or taken
//     from the agent's clearing code) and Country "CZ";
//   - a valid Danish domestic account becomes the 14-digit BBAN, Country "DK";
//   - a requested date before Rules.Today becomes Rules.Today under
//     MoveToToday.
//
// Invalid values are left as they were, so the problem quotes the input.
//
// Rules, in order of the problems reported:
//   - Amount: a zero Amount (Amount.IsZero) is "missing" (see
//     Rules.ReaderHadProblems); a set amount must be positive and have a known
//     currency. Parse errors are the reader's to report.
//   - Requested execution date: required; a date that does not exist is a
//     problem; before Today per Rules.PastDates; beyond Rules.MaxDaysAhead.
//   - Debtor account: required; creditor account: required unless the
//     payment is a FIK payment (Remittance.FIK), whose creditor is in the FIK.
//     Each account is an IBAN (ValidateIBAN, including the Czech mod-11) or a
//     domestic Number; if both are given for CZ or DK they must agree.
//     A domestic Number's country is Account.Country, else "CZ" when
//     Account.BankCode is set (the model keeps BankCode for Czech accounts
//     only) or Number has the Czech "number/bank" form, else
//     Rules.DefaultCountry, else a problem. (The agent's clearing code alone
//     does not decide: a Danish reg. no. is 4 digits too.) CZ: mod-11 and a
//     4-digit bank code (from the account or the agent's clearing code, which
//     must agree). DK: reg. no. + account no. (the reg. no. may come from the
//     agent's clearing code when Number holds the account no. alone). Any
//     other country cannot be checked here and needs the agent's BIC.
//   - BICs of both agents when present: ValidateBIC (or ValidateBIC2014 with
//     LenientBIC).
//   - FIK when present: ValidateFIK.
//   - Symbols: VS, SS and KS digits only, at most 10 each (KPC's 4-digit KS
//     is the KPC reader's rule).
//   - Structured reference of type SCOR/RF: ISO 11649 check digits.
//   - Creditor name: required when the creditor's country (from the IBAN or
//     the domestic account) differs from the debtor's, when either country is
//     unknown, or always with Rules.RequireCreditorName. FIK payments need
//     none: the creditor number identifies the payee.
//   - Text: every text field is valid UTF-8 without control characters,
//     line or paragraph separators or U+FFFD (the mark of a mis-decoded
//     file); nothing is stripped. Unstructured remittance is at most 140
//     characters. Country codes are two letters A-Z; ChargeBearer one of
//     DEBT, CRED, SHAR, SLEV.
func Payment(p *formats.Payment, r Rules) []formats.Problem {
	c := checker{p: p, r: r}
	// BICs first: the account rules ask whether one is present, and a BIC
	// of blanks is none. NormalizeIBAN is the same normalisation a BIC needs.
	p.DebtorAgent.BIC = account.NormalizeIBAN(p.DebtorAgent.BIC)
	p.CreditorAgent.BIC = account.NormalizeIBAN(p.CreditorAgent.BIC)
	c.amount()
	c.date()
	debtorCC := c.account(&p.DebtorAccount, &p.DebtorAgent, "debtor", true)
	creditorCC := c.account(&p.CreditorAccount, &p.CreditorAgent, "creditor", p.Remittance.FIK == nil)
	c.bic(&p.DebtorAgent, "debtor")
	c.bic(&p.CreditorAgent, "creditor")
	c.fik()
	c.symbols()
	c.reference()
	c.creditorName(debtorCC, creditorCC)
	c.texts()
	return c.problems
}

// checker gathers the problems of one payment.
type checker struct {
	p        *formats.Payment
	r        Rules
	problems []formats.Problem
}

func (c *checker) add(field, msg string) {
	c.problems = append(c.problems, formats.Problem{Pos: c.p.Pos, Field: field, Msg: msg})
}
