package camt053

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/bits"
	"strconv"
	"time"

	"erpconnector/formats"
	"erpconnector/formats/statement"
)

// maxAmount bounds every amount and sum we write: ISO 20022 amounts and
// DecimalNumber have at most 18 digits, and with a currency exponent ≤ 3
// every value below 10^18 minor units has at most 18.
const maxAmount = 1_000_000_000_000_000_000

// totals are the TxsSummry figures, computed exactly before anything is
// written (TxsSummry precedes the entries).
type totals struct {
	nCredit, nDebit int
	credit, debit   uint64 // magnitudes in minor units, each < maxAmount
}

// check runs every test the document needs before the first byte is
// written, so that an invalid statement leaves the writer untouched.
func (d *doc) check() error {
	s := d.s
	fail := func(field, format string, args ...any) error {
		return &FieldError{Entry: -1, Field: field, Problem: fmt.Sprintf(format, args...)}
	}
	if s.ID != "" {
		if err := checkID(s.ID, max35); err != nil {
			return fail("ID", "%v", err)
		}
	}
	if s.Sequence < 0 {
		return fail("Sequence", "%d is negative", s.Sequence)
	}
	if s.Created.IsZero() {
		return fail("Created", "not set (GrpHdr/CreDtTm is mandatory)")
	}
	if y := s.Created.Year(); y < 1 || y > 9999 {
		return fail("Created", "year %d cannot be written as xs:dateTime", y)
	}
	if err := checkAccount(s.Account, true); err != nil {
		return fail("Account", "%v", err)
	}
	if s.BIC != "" && !d.isBIC(s.BIC) {
		return fail("BIC", "%q is not a %s BIC", s.BIC, d.o.Version)
	}
	if s.Account.BankCode != "" {
		if err := checkID(s.Account.BankCode, max35); err != nil {
			return fail("Account.BankCode", "%v", err)
		}
	}
	for _, f := range []struct {
		name string
		d    formats.Date
	}{{"From", s.From}, {"To", s.To}} {
		if f.d.IsZero() {
			return fail(f.name, "not set (the statement period and balance dates need it)")
		}
		if !validDate(f.d) {
			return fail(f.name, "%v is not a date", f.d)
		}
	}
	if s.To.Before(s.From) {
		return fail("To", "%s is before From %s", s.To, s.From)
	}
	for _, b := range []struct {
		name string
		b    statement.Balance
	}{{"Opening", s.Opening}, {"Closing", s.Closing}} {
		if !b.b.Date.IsZero() && !validDate(b.b.Date) {
			return fail(b.name+".Date", "%v is not a date", b.b.Date)
		}
		if magnitude(b.b.Minor) >= maxAmount {
			return fail(b.name+".Minor", "%d has more than the 18 digits ISO 20022 allows", b.b.Minor)
		}
	}
	if u := d.unknown; u.Code == "" || checkID(u.Code, max35) != nil || (u.Issuer != "" && checkID(u.Issuer, max35) != nil) {
		return fail("Options.UnknownTxCode", "%q/%q is not a 1–35 character code and issuer", u.Code, u.Issuer)
	}

	for i := range s.Entries {
		e := &s.Entries[i]
		if err := d.checkEntry(e); err != nil {
			err.Entry, err.EntryID = i, e.ID
			return err
		}
		m := magnitude(e.Minor)
		if e.Minor > 0 {
			d.t.nCredit++
			d.t.credit = addBounded(d.t.credit, m)
		} else {
			d.t.nDebit++
			d.t.debit = addBounded(d.t.debit, m)
		}
	}
	if d.t.credit+d.t.debit >= maxAmount { // each < maxAmount, so no wrap
		return fail("Entries", "the sum of all entries has more than the 18 digits ISO 20022 allows")
	}
	return nil
}

// checkEntry returns a FieldError without its position; check fills it in.
func (d *doc) checkEntry(e *statement.Entry) *FieldError {
	fail := func(field, format string, args ...any) *FieldError {
		return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
	}
	if magnitude(e.Minor) >= maxAmount {
		return fail("Minor", "%d has more than the 18 digits ISO 20022 allows", e.Minor)
	}
	for _, id := range []struct{ name, v string }{
		{"ID", e.ID}, {"EndToEndID", e.EndToEndID}, {"BankReference", e.BankReference},
		{"InstructionID", e.InstructionID}, {"Remittance.Reference", e.Remittance.Reference},
		{"Remittance.ReferenceType", e.Remittance.ReferenceType},
	} {
		if id.v == "" {
			continue
		}
		if err := checkID(id.v, max35); err != nil {
			return fail(id.name, "%v", err)
		}
	}
	syms, n := symbols(e.Remittance)
	for _, sym := range syms[:n] {
		if err := checkID(sym.value, symbolRoom(d.o.Symbols)); err != nil {
			return fail("Remittance."+sym.kind, "%v", err)
		}
	}
	if f := e.Remittance.FIK; f != nil {
		if err := checkID(f.String(), max35); err != nil {
			return fail("Remittance.FIK", "%v", err)
		}
	}
	for _, dt := range []struct {
		name string
		d    formats.Date
	}{{"BookingDate", e.BookingDate}, {"ValueDate", e.ValueDate}} {
		if !dt.d.IsZero() && !validDate(dt.d) {
			return fail(dt.name, "%v is not a date", dt.d)
		}
	}
	if c := e.TxCode; c != (statement.TxCode{}) && (!isCode(c.Domain) || !isCode(c.Family) || !isCode(c.SubFamily)) {
		return fail("TxCode", "%q/%q/%q is not a complete ISO bank transaction code (1–4 letters or digits each)",
			c.Domain, c.Family, c.SubFamily)
	}
	if err := checkAccount(e.CounterpartyAccount, false); err != nil {
		return fail("CounterpartyAccount", "%v", err)
	}
	if e.CounterpartyBIC != "" && !d.isBIC(e.CounterpartyBIC) {
		return fail("CounterpartyBIC", "%q is not a %s BIC", e.CounterpartyBIC, d.o.Version)
	}
	if bc := e.CounterpartyAccount.BankCode; bc != "" {
		if err := checkID(bc, max35); err != nil {
			return fail("CounterpartyAccount.BankCode", "%v", err)
		}
	}
	if c := e.Counterparty.Country; c != "" && !isCountry(c) {
		return fail("Counterparty.Country", "%q is not an ISO 3166 alpha-2 code", c)
	}
	return nil
}

// checkAccount requires an account that fits AccountIdentification4Choice:
// an IBAN matching the schema pattern, or a domestic number that fits Othr/Id
// as number/bankcode. Account numbers are IDs: never cleaned or cut.
func checkAccount(a formats.Account, required bool) error {
	switch {
	case a.IBAN != "":
		if !isIBAN(a.IBAN) {
			return fmt.Errorf("IBAN %q does not match the ISO 20022 IBAN pattern", a.IBAN)
		}
	case a.Number != "":
		return checkID(a.String(), max34)
	case required:
		return fmt.Errorf("neither IBAN nor Number is set")
	}
	return nil
}

func (d *doc) isBIC(s string) bool {
	if d.v08 {
		return isBIC08(s)
	}
	return isBIC02(s)
}

// validDate reports whether d is a real calendar date xs:date can carry.
func validDate(d formats.Date) bool {
	return d.Year >= 1 && d.Year <= 9999 && formats.DateOf(d.Time()) == d
}

// magnitude is |m| without overflow for math.MinInt64.
func magnitude(m int64) uint64 {
	if m < 0 {
		return uint64(-(m + 1)) + 1
	}
	return uint64(m)
}

// addBounded adds and saturates at maxAmount, which check then reports.
func addBounded(a, b uint64) uint64 {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 || s > maxAmount {
		return maxAmount
	}
	return s
}

// messageID is the statement's ID, or one derived deterministically from
// what identifies a statement: "<account>-<To yyyymmdd>-<Sequence>" when that
// fits 35 characters, else "S" and the first 34 hex digits of the SHA-256 of
// account, period and sequence.
func messageID(s *statement.Statement) string {
	if s.ID != "" {
		return s.ID
	}
	acct := s.Account.String()
	id := acct + "-" + s.To.Compact() + "-" + strconv.Itoa(s.Sequence)
	if len(id) <= max35 && checkID(id, max35) == nil {
		return id
	}
	sum := sha256.Sum256([]byte(acct + "|" + s.From.String() + "|" + s.To.String() + "|" + strconv.Itoa(s.Sequence)))
	return "S" + hex.EncodeToString(sum[:])[:34]
}

// isoDateTime writes t as xs:dateTime in its own zone, with fractional
// seconds only when there are any. Zones xs:dateTime cannot express (offsets
// with seconds, beyond ±14:00) are written as the same instant in UTC.
func isoDateTime(t time.Time) string {
	if _, off := t.Zone(); off%60 != 0 || off > 14*3600 || off < -14*3600 {
		t = t.UTC()
	}
	return t.Format("2006-01-02T15:04:05.999999999Z07:00")
}
