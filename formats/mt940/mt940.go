package mt940

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"erpconnector/formats"
	"erpconnector/formats/account"
	"erpconnector/formats/money"
	"erpconnector/formats/statement"
)

// Dialect is how the :86: field is structured (see the package doc).
type Dialect int

const (
	DK Dialect = iota // unlabelled lines: name, message, end-to-end ID, reference
	CZ                // labelled lines: VS/KS/SS, EREF, REF, NAME, ACCT, MSG
)

func (d Dialect) String() string {
	switch d {
	case DK:
		return "dk"
	case CZ:
		return "cz"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// AccountStyle is how :25: names the account.
type AccountStyle int

const (
	// AccountDomestic writes the dialect's domestic form when the account
	// allows it (DK 14 digits, CZ "prefix-number/bank"), else the IBAN.
	AccountDomestic AccountStyle = iota
	// AccountIBAN writes the IBAN when there is one, else the domestic form.
	AccountIBAN
)

// Options configure Write. The zero value is the Danish dialect with the
// domestic account form and the default type-code mapping.
type Options struct {
	Dialect Dialect
	Account AccountStyle
	// TypeCode, when set, gives the 3-character transaction type code of an
	// entry instead of the package's TypeCode. It must return three
	// upper-case letters or digits, or "" to use the default.
	TypeCode func(statement.Entry) string
}

// Errors callers branch on; returned errors wrap them.
var (
	// ErrAmount: an amount does not fit the 15-character SWIFT amount field.
	ErrAmount = errors.New("mt940: amount too long for the 15-character amount field")
	// ErrStatement: the statement cannot be written (fails Check, lacks an
	// account or a date, bad option).
	ErrStatement = errors.New("mt940: statement cannot be written")
)

const maxLine = 65

// Write writes s as one MT940 message. s must pass Check.
func Write(w io.Writer, s *statement.Statement, o Options) error {
	if err := s.Check(); err != nil {
		return fmt.Errorf("%w: %w", ErrStatement, err)
	}
	if o.Dialect != DK && o.Dialect != CZ {
		return fmt.Errorf("%w: unknown dialect %d", ErrStatement, int(o.Dialect))
	}
	if s.Sequence < 0 {
		return fmt.Errorf("%w: statement %s: negative sequence number %d", ErrStatement, s.ID, s.Sequence)
	}
	exp, _ := money.Exponent(s.Currency) // Check verified the currency
	acct, err := accountField(s.Account, o)
	if err != nil {
		return fmt.Errorf("%w: statement %s: %w", ErrStatement, s.ID, err)
	}
	open, err := balanceField(s.Opening, s.From, s.Currency, exp)
	if err != nil {
		return fmt.Errorf("statement %s: opening balance: %w", s.ID, err)
	}
	closing, err := balanceField(s.Closing, s.To, s.Currency, exp)
	if err != nil {
		return fmt.Errorf("statement %s: closing balance: %w", s.ID, err)
	}

	bw := bufio.NewWriterSize(w, 64<<10)
	line := func(l string) { bw.WriteString(l); bw.WriteString("\r\n") }
	line(":20:" + reference(s.ID))
	line(":25:" + acct)
	line(fmt.Sprintf(":28C:%05d/001", s.Sequence%100000))
	line(":60F:" + open)
	for i := range s.Entries {
		e := &s.Entries[i]
		l61, supp, err := statementLine(e, exp, o)
		if err != nil {
			return fmt.Errorf("statement %s: entry %d (%s): %w", s.ID, i, e.ID, err)
		}
		line(":61:" + l61)
		if supp != "" {
			line(supp)
		}
		info := information(e, o.Dialect)
		for j, l := range info {
			if j == 0 {
				line(":86:" + l)
			} else {
				line(l)
			}
		}
	}
	line(":62F:" + closing)
	line(":64:" + closing)
	line("-")
	return bw.Flush()
}

// reference is :20:. A longer ID is shortened deterministically (see the
// package doc) because two statements must not share a reference.
func reference(id string) string {
	r := strings.ReplaceAll(oneLine(id), " ", "")
	r = strings.Trim(r, "/")
	for strings.Contains(r, "//") {
		r = strings.ReplaceAll(r, "//", "/")
	}
	if r == "" {
		return "NONREF"
	}
	if len(r) <= 16 {
		return r
	}
	sum := sha256.Sum256([]byte(id))
	return strings.TrimRight(cut(r, 8), "/") + strings.ToUpper(hex.EncodeToString(sum[:4]))
}

// accountField is :25:.
func accountField(a formats.Account, o Options) (string, error) {
	dom := domestic(a, o.Dialect)
	var v string
	switch {
	case o.Account == AccountIBAN && a.IBAN != "":
		v = a.IBAN
	case dom != "":
		v = dom
	case a.IBAN != "":
		v = a.IBAN
	default:
		v = a.String() // number/bank where there is a bank code
	}
	v = strings.ReplaceAll(oneLine(v), " ", "")
	if v == "" {
		return "", errors.New("no account")
	}
	if len(v) > 35 {
		return "", fmt.Errorf("account %q is longer than 35 characters", v)
	}
	return v, nil
}

// domestic is the dialect's domestic account form, or "" when a does not
// give one.
func domestic(a formats.Account, d Dialect) string {
	switch d {
	case DK:
		if a.IBAN != "" {
			if bban, err := account.DKFromIBAN(a.IBAN); err == nil {
				return bban
			}
		}
		if a.Number != "" && (a.Country == "" || a.Country == "DK") {
			if bban, err := account.ParseDK(a.Number); err == nil {
				return bban
			}
		}
	case CZ:
		return czAccount(a)
	}
	return ""
}

// czAccount is "prefix-number/bank" from a Czech number with a bank code or
// a Czech IBAN, or "". A failed mod-11 check is not ours to judge: the bank
// reported the account, so its digits are kept.
func czAccount(a formats.Account) string {
	if strings.HasPrefix(a.IBAN, "CZ") {
		if p, n, b, err := account.CZFromIBAN(a.IBAN); err == nil {
			return account.FormatCZ(p, n) + "/" + b
		}
	}
	if a.Number != "" && (a.Country == "" || a.Country == "CZ") {
		p, n, b, err := account.ParseCZ(a.Number)
		if n == "" && err != nil {
			return ""
		}
		if b == "" {
			b = a.BankCode
		}
		if account.ValidateCZBankCode(b) != nil {
			return ""
		}
		return account.FormatCZ(p, n) + "/" + b
	}
	return ""
}

// balanceField is the body of :60F:, :62F: and :64:. The date falls back
// to the period's bound when the balance has none.
func balanceField(b statement.Balance, fallback formats.Date, ccy string, exp int) (string, error) {
	d := b.Date
	if d.IsZero() {
		d = fallback
	}
	if d.IsZero() {
		return "", fmt.Errorf("%w: balance has no date and the period no bound", ErrStatement)
	}
	if err := checkDate(d); err != nil {
		return "", err
	}
	mark := "C"
	if b.Minor < 0 {
		mark = "D"
	}
	amt, err := amount(b.Minor, exp)
	if err != nil {
		return "", err
	}
	return mark + yymmdd(d) + ccy + amt, nil
}

// amount writes |minor| with a decimal comma and exactly exp decimals; SWIFT
// requires the comma even without decimals.
func amount(minor int64, exp int) (string, error) {
	s := strings.TrimPrefix(money.FormatMinor(minor, exp), "-")
	if exp == 0 {
		s += ","
	} else {
		s = strings.Replace(s, ".", ",", 1)
	}
	if len(s) > 15 {
		return "", fmt.Errorf("%w: %s", ErrAmount, s)
	}
	return s, nil
}

// checkDate rejects dates that YYMMDD cannot carry or that do not exist.
func checkDate(d formats.Date) error {
	if d.Year < 1 || d.Year > 9999 || formats.DateOf(d.Time()) != d {
		return fmt.Errorf("%w: %04d-%02d-%02d is not a date", ErrStatement, d.Year, int(d.Month), d.Day)
	}
	return nil
}

func yymmdd(d formats.Date) string {
	return fmt.Sprintf("%02d%02d%02d", d.Year%100, int(d.Month), d.Day)
}

// statementLine is the :61: body and its optional supplementary line.
func statementLine(e *statement.Entry, exp int, o Options) (string, string, error) {
	value, booking := e.ValueDate, e.BookingDate
	if value.IsZero() {
		value = booking
	}
	if value.IsZero() {
		return "", "", fmt.Errorf("%w: entry has neither value nor booking date", ErrStatement)
	}
	if err := checkDate(value); err != nil {
		return "", "", err
	}
	if !booking.IsZero() {
		if err := checkDate(booking); err != nil {
			return "", "", err
		}
	}
	mark := "C"
	switch {
	case e.Reversal && e.Minor < 0:
		mark = "RC" // a reversed credit takes money out
	case e.Reversal:
		mark = "RD" // a reversed debit brings it back
	case e.Minor < 0:
		mark = "D"
	}
	amt, err := amount(e.Minor, exp)
	if err != nil {
		return "", "", err
	}
	code := ""
	if o.TypeCode != nil {
		code = o.TypeCode(*e)
	}
	if code == "" {
		code = TypeCode(*e)
	}
	if !validCode(code) {
		return "", "", fmt.Errorf("%w: transaction type code %q is not 3 upper-case letters or digits", ErrStatement, code)
	}
	var b strings.Builder
	b.WriteString(yymmdd(value))
	if !booking.IsZero() {
		fmt.Fprintf(&b, "%02d%02d", int(booking.Month), booking.Day)
	}
	b.WriteString(mark)
	b.WriteString(amt)
	b.WriteString("N")
	b.WriteString(code)
	if isReference(e.EndToEndID) && e.EndToEndID != "NOTPROVIDED" {
		b.WriteString(e.EndToEndID)
	} else {
		b.WriteString("NONREF")
	}
	bank := e.BankReference
	if !isReference(bank) {
		bank = e.ID
	}
	if isReference(bank) {
		// ":61:" + line must stay within 65: cut the bank reference, which
		// is informative, rather than anything a balance depends on.
		room := maxLine - len(":61:") - b.Len() - 2
		if bank = strings.TrimRight(cut(bank, room), "/"); room > 0 && bank != "" {
			b.WriteString("//")
			b.WriteString(bank)
		}
	}
	supp := continuation(cut(oneLine(e.Text), 34))
	return b.String(), supp, nil
}

// information is the :86: content, at most six lines, the first at most
// 61 characters (it follows ":86:") and the others at most 65.
func information(e *statement.Entry, d Dialect) []string {
	var fixed []string // lines that must not be cut, in output order
	var msg []string   // message lines, cut to what room is left
	msgAt := 0         // index in fixed before which the message goes
	e2e := oneLine(e.EndToEndID)
	if e2e == "NOTPROVIDED" {
		e2e = ""
	}
	ref := oneLine(e.Remittance.Reference)
	if ref == "" && e.Remittance.FIK != nil {
		f := e.Remittance.FIK
		ref = oneLine("+" + f.Type + " " + f.PaymentID + " +" + f.Creditor)
	}
	name := oneLine(e.Counterparty.Name)
	add := func(label, v string) {
		if v != "" {
			fixed = append(fixed, cut(label+v, maxLine))
		}
	}
	switch d {
	case CZ:
		var sym []string
		for _, p := range [][2]string{{"VS:", e.Remittance.VS}, {"KS:", e.Remittance.KS}, {"SS:", e.Remittance.SS}} {
			if v := strings.ReplaceAll(oneLine(p[1]), " ", ""); v != "" {
				sym = append(sym, p[0]+v)
			}
		}
		add("", strings.Join(sym, " "))
		add("EREF:", e2e)
		add("REF:", ref)
		add("NAME:", name)
		add("ACCT:", counterAccount(e))
		msgAt = len(fixed)
		if m := oneLine(e.Remittance.Unstructured); m != "" {
			msg = wrap("MSG:"+m, maxLine)
		}
	default:
		add("", name)
		msgAt = len(fixed)
		for _, l := range strings.Split(e.Remittance.Unstructured, "\n") {
			msg = append(msg, wrap(oneLine(l), maxLine)...)
		}
		add("", e2e)
		add("", ref)
	}
	if room := 6 - len(fixed); len(msg) > room {
		msg = msg[:room]
	}
	lines := make([]string, 0, 6)
	lines = append(lines, fixed[:msgAt]...)
	lines = append(lines, msg...)
	lines = append(lines, fixed[msgAt:]...)
	if len(lines) == 0 {
		if t := oneLine(e.Text); t != "" {
			lines = wrap(t, maxLine)
			if len(lines) > 6 {
				lines = lines[:6]
			}
		}
	}
	return fitFirst(lines)
}

// fitFirst makes the first line fit after ":86:" by moving its overflow to
// a line of its own when there is room, else cutting it, and makes every
// later line safe as a continuation.
func fitFirst(lines []string) []string {
	const first = maxLine - len(":86:")
	if len(lines) > 0 && len(lines[0]) > first {
		head, tail := lines[0][:first], lines[0][first:]
		if len(lines) < 6 {
			lines = append([]string{head, tail}, lines[1:]...)
		} else {
			lines[0] = head
		}
	}
	for i := 1; i < len(lines); i++ {
		lines[i] = continuation(lines[i])
	}
	return lines
}

// counterAccount is the counterparty's account for the CZ layout.
func counterAccount(e *statement.Entry) string {
	a := e.CounterpartyAccount
	if cz := czAccount(a); cz != "" {
		return cz
	}
	return strings.ReplaceAll(oneLine(a.String()), " ", "")
}
