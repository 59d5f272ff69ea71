package mt940

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

var fuzzCurrencies = []string{"DKK", "CZK", "EUR", "JPY", "BHD"}

// fuzzStatement builds a statement from fuzz input: 9 bytes per entry (a
// flag byte choosing sign, reversal and magnitude range, then 8 bytes of
// amount); texts go into names, messages, references and symbols.
func fuzzStatement(data []byte, opening int64, text, ref string, ccy uint8) *statement.Statement {
	c := fuzzCurrencies[int(ccy)%len(fuzzCurrencies)]
	s := &statement.Statement{
		ID: ref + text, Sequence: int(opening & 0x3ffff), Currency: c,
		Account: formats.Account{IBAN: "DK5000400440116243"},
		From:    day(2024, 1, 1), To: day(2024, 12, 31),
		Opening: statement.Balance{Minor: opening},
	}
	if ccy&0x80 != 0 {
		s.Account = formats.Account{Number: "19-2000145399", BankCode: "0800"}
	}
	sum := opening
	for i := 0; len(data) >= 9 && i < 200; i++ {
		flags, v := data[0], binary.LittleEndian.Uint64(data[1:9])
		data = data[9:]
		var m int64
		switch flags & 3 {
		case 0:
			m = int64(v % 1e6)
		case 1:
			m = int64(v % 1e12)
		case 2:
			m = int64(v % 1e15)
		default:
			m = int64(v >> 1)
		}
		if m == 0 {
			m = 1
		}
		if flags&4 != 0 {
			m = -m
		}
		e := statement.Entry{
			ID: ref, BookingDate: day(2024, time.Month(1+int(flags>>4)%12), 1+int(flags)%28), Minor: m, Currency: c,
			EndToEndID: ref, BankReference: text, Reversal: flags&8 != 0, Text: text,
			Counterparty: formats.Party{Name: text},
			Remittance:   formats.Remittance{Unstructured: strings.Repeat(text+"\n", int(flags>>6)), VS: ref, KS: text, Reference: ref},
		}
		if flags&16 != 0 {
			e.ValueDate = day(2023, 12, 31)
		}
		s.Entries = append(s.Entries, e)
		sum += m
	}
	s.Closing = statement.Balance{Minor: sum}
	return s
}

func FuzzWrite(f *testing.F) {
	f.Add([]byte("\x00\x10\x27\x00\x00\x00\x00\x00\x00\x05\xff\x00\x00\x00\x00\x00\x00\x00"), int64(123456), "Ærø Købmand & Søn", "INV-1", uint8(0))
	f.Add([]byte("\x0e\x01\x02\x03\x04\x05\x06\x07\x08\xc1abcdefgh"), int64(-50000), "Žluťoučký kůň\npěl ódy", "E2E/77//x", uint8(0x81))
	f.Add([]byte("\x03\xff\xff\xff\xff\xff\xff\xff\x7f"), int64(1), "-:86:", ":20:", uint8(3))
	f.Add([]byte{}, int64(-9223372036854775808), "", "", uint8(4))
	f.Add(bytes.Repeat([]byte("\xc2\x40\x42\x0f\x00\x00\x00\x00\x00"), 20), int64(0), strings.Repeat("long text ", 30), "REFERENCE-LONGER-THAN-16", uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, opening int64, text, ref string, ccy uint8) {
		s := fuzzStatement(data, opening, text, ref, ccy)
		for _, d := range []Dialect{DK, CZ} {
			var b bytes.Buffer
			err := Write(&b, s, Options{Dialect: d})
			if s.Check() != nil {
				if err == nil {
					t.Fatalf("statement fails Check (%v) but Write succeeded", s.Check())
				}
				return
			}
			if err != nil {
				if !errors.Is(err, ErrAmount) || !tooLong(s) {
					t.Fatalf("Write of a checked statement failed: %v", err)
				}
				return
			}
			if tooLong(s) {
				t.Fatalf("an amount over 15 characters was written:\n%s", b.String())
			}
			exp, _ := money.Exponent(s.Currency)
			p, err := parse(b.String(), exp)
			if err != nil {
				t.Fatalf("reading back: %v\n%s", err, b.String())
			}
			if p.Opening.Minor != s.Opening.Minor || p.Closing.Minor != s.Closing.Minor || len(p.Entries) != len(s.Entries) {
				t.Fatalf("read back %+v %+v %d entries", p.Opening, p.Closing, len(p.Entries))
			}
			for i, e := range p.Entries {
				if e.Minor != s.Entries[i].Minor {
					t.Fatalf("entry %d read back %d, want %d", i, e.Minor, s.Entries[i].Minor)
				}
				if len(e.Info) > 6 {
					t.Fatalf("entry %d: %d :86: lines", i, len(e.Info))
				}
			}
		}
	})
}

// tooLong reports whether any amount of s needs more than 15 characters.
func tooLong(s *statement.Statement) bool {
	exp, _ := money.Exponent(s.Currency)
	long := func(m int64) bool {
		a := strings.TrimPrefix(money.FormatMinor(m, exp), "-")
		if exp == 0 {
			a += ","
		}
		return len(a) > 15
	}
	if long(s.Opening.Minor) || long(s.Closing.Minor) {
		return true
	}
	for _, e := range s.Entries {
		if long(e.Minor) {
			return true
		}
	}
	return false
}
