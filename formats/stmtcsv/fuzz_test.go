package stmtcsv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"erpconnector/formats"
	"erpconnector/formats/money"
	"erpconnector/formats/statement"
)

var fuzzCurrencies = []string{"CZK", "DKK", "JPY", "BHD"}

func fuzzStatement(data []byte, opening int64, text string, ccy uint8) *statement.Statement {
	c := fuzzCurrencies[int(ccy)%len(fuzzCurrencies)]
	s := &statement.Statement{ID: "F", Currency: c, Opening: statement.Balance{Minor: opening}}
	sum := opening
	for i := 0; len(data) >= 9 && i < 200; i++ {
		flags, v := data[0], int64(binary.LittleEndian.Uint64(data[1:9]))
		data = data[9:]
		if flags&1 == 0 {
			v %= 1e9
		}
		if v == 0 {
			v = 1
		}
		s.Entries = append(s.Entries, statement.Entry{
			ID: text, BookingDate: formats.Date{Year: 2024, Month: time.Month(1 + flags%12), Day: 1 + int(flags>>4)},
			Minor: v, Currency: c, Text: text, Counterparty: formats.Party{Name: text},
			Remittance: formats.Remittance{Unstructured: text, VS: text},
		})
		sum += v
	}
	s.Closing.Minor = sum
	return s
}

func FuzzWrite(f *testing.F) {
	f.Add([]byte("\x00\x10\x27\x00\x00\x00\x00\x00\x00\x05\xff\xff\xff\xff\xff\xff\xff\xff"), int64(-50000), "Žluťoučký; \"kůň\"\r\nx", uint8(0), ';', false)
	f.Add([]byte("\x01\xff\xff\xff\xff\xff\xff\xff\x7f"), int64(1), "a,b", uint8(2), ',', false)
	f.Add([]byte("\x01\x00\x00\x00\x00\x00\x00\x00\x80"), int64(0), "\t", uint8(3), '\t', true)
	f.Add([]byte{}, int64(-9223372036854775808), "", uint8(1), '|', true)
	f.Fuzz(func(t *testing.T, data []byte, opening int64, text string, ccy uint8, delim rune, comma bool) {
		s := fuzzStatement(data, opening, text, ccy)
		o := Options{Delimiter: delim, DecimalComma: comma, Header: true, Columns: []string{"amount", "balance_after", "message", "currency"}}
		var b bytes.Buffer
		err := Write(&b, s, o)
		if s.Check() != nil {
			if err == nil {
				t.Fatalf("statement fails Check (%v) but Write succeeded", s.Check())
			}
			return
		}
		if err != nil {
			if !errors.Is(err, ErrOptions) {
				t.Fatalf("Write of a checked statement: %v", err)
			}
			return
		}
		if delim == 0 {
			delim = ';'
		}
		recs := read(t, b.String(), delim)
		if len(recs) != len(s.Entries)+1 {
			t.Fatalf("%d rows for %d entries", len(recs), len(s.Entries))
		}
		if strings.Count(b.String(), "\n") != len(recs) {
			t.Fatalf("a row spans several lines:\n%q", b.String())
		}
		exp, _ := money.Exponent(s.Currency)
		bal := s.Opening.Minor
		for i, r := range recs[1:] {
			if got := parseMinor(t, r[0], exp, comma); got != s.Entries[i].Minor {
				t.Fatalf("row %d amount %q read back %d, want %d", i, r[0], got, s.Entries[i].Minor)
			}
			bal += s.Entries[i].Minor
			if got := parseMinor(t, r[1], exp, comma); got != bal {
				t.Fatalf("row %d balance %q read back %d, want %d", i, r[1], got, bal)
			}
			if r[3] != s.Currency {
				t.Fatalf("row %d currency %q", i, r[3])
			}
		}
		if bal != s.Closing.Minor {
			t.Fatalf("last balance %d, closing %d", bal, s.Closing.Minor)
		}
	})
}
