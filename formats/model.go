// Package formats holds the canonical payment model that every reader produces
// and every bank encoder consumes. Its subpackages are the codecs. Everything
// under formats/ is pure: bytes in, model out, model in, bytes out, with no
// clock, no network and no file system.
package formats

import (
	"fmt"
	"strconv"
	"time"

	"erpconnector/formats/money"
)

// Payment is one credit transfer, complete in itself: it carries its own debtor
// so that encoders can group payments without looking back at a header.
type Payment struct {
	// Index is the payment's 0-based position in its file. With the file's
	// SHA-256 it identifies the payment for ever.
	Index int
	// Pos is where the payment starts in the file.
	Pos Pos
	// Batch is the block the payment came in (PmtInf, KPC group, CSV file).
	// Payments of one batch share the pointer.
	Batch *Batch

	InstructionID string // the ERP's ID of the order (PmtId/InstrId, KB instructionIdentification, BI paymentId)
	EndToEndID    string // passed on to the creditor unchanged

	Amount        money.Amount
	RequestedDate Date // requested execution date
	Priority      Priority

	Debtor          Party
	DebtorAccount   Account
	DebtorAgent     Agent
	Creditor        Party
	CreditorAccount Account
	CreditorAgent   Agent

	ChargeBearer string // DEBT, CRED, SHAR, SLEV or empty

	Remittance Remittance

	// OwnText is a text for the debtor's own statement (BankIntegration "text").
	OwnText string
}

// Batch is what a file groups payments under: a pain.001 PmtInf block, a KPC
// group, or the whole of a CSV or JSON file.
type Batch struct {
	ID        string // PmtInfId, or a generated "G<n>" for formats without one
	MessageID string // GrpHdr/MsgId where the format has one
	Pos       Pos
}

// Priority is the requested speed of execution.
type Priority uint8

const (
	PriorityNormal  Priority = iota // NORM
	PriorityHigh                    // HIGH: express, same day
	PriorityInstant                 // INST
)

func (p Priority) String() string {
	switch p {
	case PriorityHigh:
		return "HIGH"
	case PriorityInstant:
		return "INST"
	}
	return "NORM"
}

// Party is a debtor or creditor.
type Party struct {
	Name         string
	Street       string
	BuildingNo   string
	PostCode     string
	Town         string
	Country      string   // ISO 3166 alpha-2
	AddressLines []string // unstructured address lines, when the source has no fields
}

// Account identifies an account either by IBAN or by a domestic number.
// Exactly one of IBAN and Number is normally set; readers keep what the file
// said and validation decides whether it is acceptable.
type Account struct {
	IBAN string // upper case, no spaces
	// Number is a domestic account number in its canonical form for Country:
	// CZ "prefix-number" without leading zeros in either part ("19-2000145399",
	// "1234567899"); DK the 14-digit reg. no. + account no.; otherwise as given.
	Number   string
	BankCode string // CZ 4-digit bank code; DK reg. no. is part of Number
	Country  string // ISO 3166 alpha-2 of a domestic Number, when known
	Currency string // account currency, when the file states it
}

// IsZero reports whether no account was given.
func (a Account) IsZero() bool { return a.IBAN == "" && a.Number == "" }

// String is the IBAN, or "number/bankcode", or the number.
func (a Account) String() string {
	switch {
	case a.IBAN != "":
		return a.IBAN
	case a.BankCode != "":
		return a.Number + "/" + a.BankCode
	}
	return a.Number
}

// Agent is a bank: by BIC or by a domestic clearing code.
type Agent struct {
	BIC      string
	BankCode string // clearing system member ID (CZ bank code, DK reg. no.)
	Name     string
}

// Remittance is what the creditor is told about the payment.
type Remittance struct {
	// Unstructured is free text, at most 140 characters. It may hold several
	// lines separated by "\n" where the source kept them apart (the
	// BankIntegration creditorText and creditorMessage lines); no other
	// control character is ever valid. Encoders that carry one line join the
	// lines or report a problem.
	Unstructured string
	// Czech payment symbols, digits only, leading zeros kept as the file gave
	// them (encoders strip them where the bank wants that).
	VS, KS, SS string
	// Reference is a structured creditor reference (ISO 11649 RF, or a local
	// scheme named by ReferenceType).
	Reference     string
	ReferenceType string
	// FIK is set for Danish payment-slip payments (+01/+04/+15/+71/+73/+75).
	FIK *FIK
}

// FIK is a Danish "Fælles Indbetalingskort" payment: card type, payment ID
// (empty for +01 and +73) and the 8-digit creditor number.
type FIK struct {
	Type      string // "01", "04", "15", "71", "73", "75"
	PaymentID string
	Creditor  string
}

// String is the OCR line form "+71<000000001234567+12345678<".
func (f FIK) String() string {
	if f.PaymentID == "" {
		return "+" + f.Type + "<+" + f.Creditor + "<"
	}
	return "+" + f.Type + "<" + f.PaymentID + "+" + f.Creditor + "<"
}

// Date is a calendar date without a time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads a date with a time layout ("2006-01-02", "020106", …) and
// rejects dates that do not exist (31 February).
func ParseDate(layout, s string) (Date, error) {
	t, err := time.Parse(layout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date in the form %s", s, layout)
	}
	return DateOf(t), nil
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d == Date{} }

// String is "2006-01-02".
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Compact is "20060102".
func (d Date) Compact() string {
	return fmt.Sprintf("%04d%02d%02d", d.Year, int(d.Month), d.Day)
}

// Time is midnight UTC of the date.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.Time().Before(e.Time()) }

// Pos is a place in a file: a 1-based line, or an XML element path such as
// /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[2]/Amt/InstdAmt, or both.
type Pos struct {
	Line int
	Path string
}

// String is the path if there is one, else the line number.
func (p Pos) String() string {
	if p.Path != "" {
		return p.Path
	}
	return strconv.Itoa(p.Line)
}
