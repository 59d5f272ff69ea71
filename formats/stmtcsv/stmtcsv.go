// Package stmtcsv writes an account statement as CSV, one row per entry, for
// ERPs that import bank movements from a spreadsheet-like file.
//
// The output is UTF-8 (with a byte-order mark when Options.BOM is set), rows
// end in CRLF, and fields are quoted as RFC 4180 requires (encoding/csv):
// only when they contain the delimiter, a quote, a line break or leading
// space. Amounts are written from the integer minor units with exactly the
// currency's decimals, never through a float.
//
// Columns (Options.Columns selects and orders them; the default is all, in
// this order):
//
//	booking_date          the entry's booking date (Options.DateLayout)
//	value_date            its value date; empty when the bank gave none
//	amount                signed: negative is money out ("-1234.50")
//	currency              ISO 4217 code of the entry
//	counterparty_name     the other party's name
//	counterparty_account  its IBAN, or "number/bank code", or number
//	message               the remittance text
//	vs, ks, ss            Czech variable, constant and specific symbols, as given
//	end_to_end_id         the payer's end-to-end reference
//	bank_reference        the bank's reference of the transaction
//	entry_id              the bank's identifier of the entry (unique per account)
//	text                  the bank's booking text
//	balance_after         running balance after the entry, signed: the
//	                      opening balance plus this and every earlier entry
//
// Line breaks and tabs in any text become spaces, so every row is one line.
//
// On error, w may already hold part of the file: write to a temporary file
// and rename it only after Write succeeded.
package stmtcsv

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"erpconnector/formats"
	"erpconnector/formats/money"
	"erpconnector/formats/statement"
)

// Columns is every column, in the default order.
var Columns = []string{
	"booking_date", "value_date", "amount", "currency", "counterparty_name", "counterparty_account",
	"message", "vs", "ks", "ss", "end_to_end_id", "bank_reference", "entry_id", "text", "balance_after",
}

// Options configure Write. The zero value writes every column, ';'
// delimited, decimal point, ISO dates, no header row.
type Options struct {
	Delimiter    rune     // 0 is ';'
	DecimalComma bool     // "1234,50" instead of "1234.50"
	Columns      []string // nil is Columns
	DateLayout   string   // a time layout; "" is "2006-01-02"
	Header       bool     // write the column names as the first row
	BOM          bool     // start with a UTF-8 byte-order mark (for Excel)
}

// Errors callers branch on; returned errors wrap them.
var (
	ErrColumn    = errors.New("stmtcsv: unknown column")
	ErrOptions   = errors.New("stmtcsv: invalid options")
	ErrStatement = errors.New("stmtcsv: statement cannot be written")
)

// row is the state a column reads: the entry and the running balance.
type row struct {
	e       *statement.Entry
	balance int64
	exp     int
	o       *Options
}

var columnFuncs = map[string]func(r *row) string{
	"booking_date":         func(r *row) string { return date(r.e.BookingDate, r.o.DateLayout) },
	"value_date":           func(r *row) string { return date(r.e.ValueDate, r.o.DateLayout) },
	"amount":               func(r *row) string { return decimal(r.e.Minor, r.exp, r.o.DecimalComma) },
	"currency":             func(r *row) string { return r.e.Currency },
	"counterparty_name":    func(r *row) string { return oneLine(r.e.Counterparty.Name) },
	"counterparty_account": func(r *row) string { return r.e.CounterpartyAccount.String() },
	"message":              func(r *row) string { return oneLine(r.e.Remittance.Unstructured) },
	"vs":                   func(r *row) string { return r.e.Remittance.VS },
	"ks":                   func(r *row) string { return r.e.Remittance.KS },
	"ss":                   func(r *row) string { return r.e.Remittance.SS },
	"end_to_end_id":        func(r *row) string { return oneLine(r.e.EndToEndID) },
	"bank_reference":       func(r *row) string { return oneLine(r.e.BankReference) },
	"entry_id":             func(r *row) string { return oneLine(r.e.ID) },
	"text":                 func(r *row) string { return oneLine(r.e.Text) },
	"balance_after":        func(r *row) string { return decimal(r.balance, r.exp, r.o.DecimalComma) },
}

// Write writes one row per entry of s.
func Write(w io.Writer, s *statement.Statement, o Options) error {
	if err := s.Check(); err != nil {
		return fmt.Errorf("%w: %w", ErrStatement, err)
	}
	cols, err := o.resolve()
	if err != nil {
		return err
	}
	exp, _ := money.Exponent(s.Currency)
	bw := bufio.NewWriterSize(w, 64<<10)
	if o.BOM {
		bw.WriteString("\ufeff")
	}
	cw := csv.NewWriter(bw)
	cw.Comma = o.Delimiter
	cw.UseCRLF = true
	if o.Header {
		if err := cw.Write(o.Columns); err != nil {
			return fmt.Errorf("stmtcsv: header: %w", err)
		}
	}
	r := row{balance: s.Opening.Minor, exp: exp, o: &o}
	rec := make([]string, len(cols))
	for i := range s.Entries {
		r.e = &s.Entries[i]
		r.balance += r.e.Minor // Check proved this cannot overflow
		for j, f := range cols {
			rec[j] = f(&r)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("stmtcsv: entry %d (%s): %w", i, r.e.ID, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("stmtcsv: %w", err)
	}
	return bw.Flush()
}

// resolve fills in the defaults and checks the options.
func (o *Options) resolve() ([]func(*row) string, error) {
	if o.Delimiter == 0 {
		o.Delimiter = ';'
	}
	if d := o.Delimiter; d == '"' || d == '\r' || d == '\n' || d == utf8.RuneError || !utf8.ValidRune(d) {
		return nil, fmt.Errorf("%w: delimiter %q", ErrOptions, d)
	}
	if o.DecimalComma && o.Delimiter == ',' {
		return nil, fmt.Errorf("%w: a ',' delimiter with decimal commas would split every amount", ErrOptions)
	}
	if o.DateLayout == "" {
		o.DateLayout = "2006-01-02"
	}
	if len(o.Columns) == 0 {
		o.Columns = Columns
	}
	cols := make([]func(*row) string, len(o.Columns))
	seen := map[string]bool{}
	for i, c := range o.Columns {
		f, ok := columnFuncs[c]
		if !ok {
			return nil, fmt.Errorf("%w %q (known: %s)", ErrColumn, c, strings.Join(Columns, ", "))
		}
		if seen[c] {
			return nil, fmt.Errorf("%w: column %q given twice", ErrOptions, c)
		}
		seen[c] = true
		cols[i] = f
	}
	return cols, nil
}

// lineBreaks keeps every row on one physical line: importers that split on
// line ends (many ERPs) would break a quoted multi-line field.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ")

func oneLine(s string) string { return lineBreaks.Replace(s) }

func date(d formats.Date, layout string) string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format(layout)
}

// decimal writes minor units signed with exactly exp decimals.
func decimal(minor int64, exp int, comma bool) string {
	s := money.FormatMinor(minor, exp)
	if comma {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
