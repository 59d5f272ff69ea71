package gpc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"

	"erpconnector/formats"
	"erpconnector/formats/money"
	"erpconnector/formats/statement"
)

// ReversalCodes is which posting codes mark reversals (storno), which
// differs by bank (abo-kpc-gpc.md §7.2).
type ReversalCodes int

const (
	// Reversals34: 3 reversal of a debit, 4 reversal of a credit (Česká
	// spořitelna's documentation). The default.
	Reversals34 ReversalCodes = iota
	// Reversals45: 4 reversal of a debit, 5 reversal of a credit (as the
	// jakubzapletal/bank-statements parser reads them).
	Reversals45
)

// Options configure Write. The zero value writes the standard account
// format, ČS reversal codes, the owner's name, '0' turnover signs and data
// type "0203".
type Options struct {
	// InternalAccountFormat permutes both accounts of every record into the
	// internal format (§7.3) that some banks' importers expect.
	InternalAccountFormat bool
	ReversalCodes         ReversalCodes
	// ClientName replaces Statement.Owner in the 074 header (cut to 20).
	ClientName string
	// TurnoverSign is the sign character of a non-negative turnover: '0'
	// (default) or '+'.
	TurnoverSign byte
	// DataType is positions 119–122 of every 075, 4 digits; "" is "0203".
	DataType string
}

// Errors callers branch on; returned errors wrap them.
var (
	ErrStatement = errors.New("gpc: statement cannot be written")
	ErrCurrency  = errors.New("gpc: currency has no two-decimal minor unit")
	ErrAccount   = errors.New("gpc: account is not a Czech account")
	ErrField     = errors.New("gpc: value does not fit its field")
)

// RecordLen is the length of every record without its CRLF.
const RecordLen = 128

// Write writes s as one 074 header and its 075 items.
func Write(w io.Writer, s *statement.Statement, o Options) error {
	if err := s.Check(); err != nil {
		return fmt.Errorf("%w: %w", ErrStatement, err)
	}
	if err := o.check(); err != nil {
		return err
	}
	if exp, _ := money.Exponent(s.Currency); exp != 2 {
		return fmt.Errorf("%w: statement %s is in %s", ErrCurrency, s.ID, s.Currency)
	}
	if s.Sequence < 0 {
		return fmt.Errorf("%w: statement %s: negative sequence number %d", ErrStatement, s.ID, s.Sequence)
	}
	own, _, ok := czParts(s.Account)
	if !ok {
		return fmt.Errorf("%w: statement %s: own account %s", ErrAccount, s.ID, s.Account)
	}
	if o.InternalAccountFormat {
		own, _ = InternalAccount(own) // czParts returns 16 digits
	}
	rec := make([]byte, 0, RecordLen+2)
	rec, err := header(rec, s, own, o)
	if err != nil {
		return fmt.Errorf("statement %s: 074: %w", s.ID, err)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(rec)
	for i := range s.Entries {
		rec, err = item(rec[:0], &s.Entries[i], own, o)
		if err != nil {
			return fmt.Errorf("statement %s: entry %d (%s): %w", s.ID, i, s.Entries[i].ID, err)
		}
		bw.Write(rec)
	}
	return bw.Flush()
}

func (o Options) check() error {
	if o.ReversalCodes != Reversals34 && o.ReversalCodes != Reversals45 {
		return fmt.Errorf("%w: unknown reversal codes %d", ErrStatement, int(o.ReversalCodes))
	}
	if o.TurnoverSign != 0 && o.TurnoverSign != '0' && o.TurnoverSign != '+' {
		return fmt.Errorf("%w: turnover sign %q (want '0' or '+')", ErrStatement, o.TurnoverSign)
	}
	if o.DataType != "" && (len(o.DataType) != 4 || !digits(o.DataType)) {
		return fmt.Errorf("%w: data type %q is not 4 digits", ErrStatement, o.DataType)
	}
	return nil
}

func header(rec []byte, s *statement.Statement, own string, o Options) ([]byte, error) {
	oldDate, newDate := s.Opening.Date, s.To
	if oldDate.IsZero() {
		oldDate = s.From
	}
	if newDate.IsZero() {
		newDate = s.Closing.Date
	}
	if oldDate.IsZero() || newDate.IsZero() {
		return nil, fmt.Errorf("%w: no date for the old balance or the statement", ErrStatement)
	}
	if err := checkDate(oldDate); err != nil {
		return nil, err
	}
	if err := checkDate(newDate); err != nil {
		return nil, err
	}
	// Turnovers per posting code: a reversed debit lowers the debit
	// turnover, a reversed credit the credit turnover (see the package doc).
	var debit, credit int64
	for i, e := range s.Entries {
		// Every amount must fit its 12 digits: checking here also bounds
		// the sums below far from overflow, and fails before any output.
		if e.Minor > maxAmount || e.Minor < -maxAmount {
			return nil, fmt.Errorf("%w: entry %d (%s): amount %d has more than 12 digits", ErrField, i, e.ID, e.Minor)
		}
		switch {
		case e.Reversal && e.Minor > 0:
			debit -= e.Minor
		case e.Reversal:
			credit += e.Minor
		case e.Minor < 0:
			debit -= e.Minor
		default:
			credit += e.Minor
		}
	}
	name := o.ClientName
	if name == "" {
		name = s.Owner
	}
	plus := o.TurnoverSign
	if plus == 0 {
		plus = '0'
	}
	var err error
	rec = append(rec, "074"...)
	rec = append(rec, own...)
	rec = encodeText(rec, name, 20)
	rec = ddmmrr(rec, oldDate)
	for _, f := range []struct {
		what  string
		v     int64
		plus  byte
		width int
	}{{"old balance", s.Opening.Minor, '+', 14}, {"new balance", s.Closing.Minor, '+', 14},
		{"debit turnover", debit, plus, 14}, {"credit turnover", credit, plus, 14}} {
		if rec, err = signed(rec, f.what, f.v, f.plus, f.width); err != nil {
			return nil, err
		}
	}
	rec = fmt.Appendf(rec, "%03d", s.Sequence%1000)
	rec = ddmmrr(rec, newDate)
	rec = append(rec, "              "...)
	return append(rec, '\r', '\n'), nil
}

func item(rec []byte, e *statement.Entry, own string, o Options) ([]byte, error) {
	value, due := e.ValueDate, e.BookingDate
	if value.IsZero() {
		value = due
	}
	if due.IsZero() {
		due = value
	}
	if value.IsZero() {
		return nil, fmt.Errorf("%w: entry has neither value nor booking date", ErrStatement)
	}
	if err := checkDate(value); err != nil {
		return nil, err
	}
	if err := checkDate(due); err != nil {
		return nil, err
	}
	counter, bank, ok := czParts(e.CounterpartyAccount)
	if !ok {
		counter = "0000000000000000"
	}
	if bank == "" {
		bank = "0000"
	}
	if o.InternalAccountFormat {
		counter, _ = InternalAccount(counter)
	}
	doc := "0"
	for _, c := range []string{e.ID, e.BankReference} {
		if c != "" && len(c) <= 13 && digits(c) {
			doc = c
			break
		}
	}
	code := postingCode(e, o.ReversalCodes)
	dataType := o.DataType
	if dataType == "" {
		dataType = "0203"
	}
	var err error
	rec = append(rec, "075"...)
	rec = append(rec, own...)
	rec = append(rec, counter...)
	rec = append(rec, pad(doc, 13)...)
	if rec, err = number(rec, "amount", e.Amount().Minor, 12); err != nil {
		return nil, err
	}
	rec = append(rec, code)
	if rec, err = symbol(rec, "VS", e.Remittance.VS, 10); err != nil {
		return nil, err
	}
	rec = append(rec, "00"...)
	rec = append(rec, bank...)
	if rec, err = symbol(rec, "KS", e.Remittance.KS, 4); err != nil {
		return nil, err
	}
	if rec, err = symbol(rec, "SS", e.Remittance.SS, 10); err != nil {
		return nil, err
	}
	rec = ddmmrr(rec, value)
	detail := e.Counterparty.Name
	if detail == "" {
		detail = e.Text // the spec allows the transaction type here
	}
	rec = encodeText(rec, detail, 20)
	rec = append(rec, '0')
	rec = append(rec, dataType...)
	rec = ddmmrr(rec, due)
	return append(rec, '\r', '\n'), nil
}

// postingCode is position 61: 1 debit, 2 credit, and the reversal codes.
func postingCode(e *statement.Entry, rc ReversalCodes) byte {
	base := byte('3') // ČS: 3 reversed debit, 4 reversed credit
	if rc == Reversals45 {
		base = '4'
	}
	switch {
	case e.Reversal && e.Minor > 0: // money back: a debit reversed
		return base
	case e.Reversal:
		return base + 1
	case e.Minor < 0:
		return '1'
	}
	return '2'
}

// number appends v (≥ 0) zero-padded to width digits.
func number(rec []byte, what string, v int64, width int) ([]byte, error) {
	d := strconv.FormatInt(v, 10)
	if v < 0 || len(d) > width {
		return nil, fmt.Errorf("%w: %s %d has more than %d digits", ErrField, what, v, width)
	}
	return append(rec, pad(d, width)...), nil
}

// signed appends |v| in width digits and its sign character.
func signed(rec []byte, what string, v int64, plus byte, width int) ([]byte, error) {
	sign := plus
	u := uint64(v)
	if v < 0 {
		sign, u = '-', uint64(-(v+1))+1
	}
	d := strconv.FormatUint(u, 10)
	if len(d) > width {
		return nil, fmt.Errorf("%w: %s %s has more than %d digits", ErrField, what, d, width)
	}
	rec = append(rec, pad(d, width)...)
	return append(rec, sign), nil
}

// symbol appends a payment symbol, digits only, zero-padded to width.
func symbol(rec []byte, what, v string, width int) ([]byte, error) {
	if !digits(v) || len(v) > width {
		// A longer symbol whose extra digits are leading zeros still fits.
		t := v
		for len(t) > width && t[0] == '0' {
			t = t[1:]
		}
		if !digits(t) || len(t) > width {
			return nil, fmt.Errorf("%w: %s %q is not at most %d digits", ErrField, what, v, width)
		}
		v = t
	}
	return append(rec, pad(v, width)...), nil
}

// maxAmount is the largest amount the 12-digit 075 field holds.
const maxAmount = 999999999999

// checkDate rejects dates that DDMMRR cannot carry or that do not exist.
func checkDate(d formats.Date) error {
	if d.Year < 1 || d.Year > 9999 || formats.DateOf(d.Time()) != d {
		return fmt.Errorf("%w: %04d-%02d-%02d is not a date", ErrStatement, d.Year, int(d.Month), d.Day)
	}
	return nil
}

func ddmmrr(rec []byte, d formats.Date) []byte {
	return fmt.Appendf(rec, "%02d%02d%02d", d.Day, int(d.Month), d.Year%100)
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
