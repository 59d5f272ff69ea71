package gpc

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

var fuzzCurrencies = []string{"CZK", "EUR", "JPY"}

// fuzzStatement: 9 bytes per entry (flags, then an 8-byte amount whose range
// the flags choose); the strings go into names, symbols and accounts.
func fuzzStatement(data []byte, opening int64, name, sym string, ccy uint8) *statement.Statement {
	c := fuzzCurrencies[int(ccy)%len(fuzzCurrencies)]
	s := &statement.Statement{
		ID: "F", Sequence: int(opening & 0xfff), Currency: c, Owner: name,
		Account: formats.Account{Number: "2600113745", BankCode: "2010"},
		From:    day(2024, 1, 1), To: day(2024, 12, 31),
		Opening: statement.Balance{Minor: opening},
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
			m = int64(v % 1e13)
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
			ID: sym, BookingDate: day(2024, time.Month(1+int(flags>>4)%12), 1+int(flags)%28), Minor: m, Currency: c,
			Reversal: flags&8 != 0, Counterparty: formats.Party{Name: name},
			Remittance: formats.Remittance{VS: sym, SS: sym},
		}
		if flags&16 != 0 {
			e.CounterpartyAccount = formats.Account{Number: sym, BankCode: "0100"}
		} else {
			e.CounterpartyAccount = formats.Account{IBAN: sym}
		}
		s.Entries = append(s.Entries, e)
		sum += m
	}
	s.Closing = statement.Balance{Minor: sum}
	return s
}

func FuzzWrite(f *testing.F) {
	f.Add([]byte("\x00\x10\x27\x00\x00\x00\x00\x00\x00\x15\xff\x00\x00\x00\x00\x00\x00\x00"), int64(31317477), "Žluťoučký kůň", "1446556401", uint8(0))
	f.Add([]byte("\x0e\x01\x02\x03\x04\x05\x06\x07\x08\xc9abcdefgh"), int64(-50000), "Smørrebrød\r\n日本", "19-2000145399", uint8(1))
	f.Add([]byte("\x03\xff\xff\xff\xff\xff\xff\xff\x7f"), int64(1), "", "CZ6508000000192000145399", uint8(2))
	f.Add([]byte{}, int64(-9223372036854775808), "x", "0000000000012", uint8(0))
	f.Add(bytes.Repeat([]byte("\x1a\x40\x42\x0f\x00\x00\x00\x00\x00"), 20), int64(99999999999999), strings.Repeat("ě", 30), "12345678901", uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, opening int64, name, sym string, ccy uint8) {
		s := fuzzStatement(data, opening, name, sym, ccy)
		for _, o := range []Options{{}, {InternalAccountFormat: true, ReversalCodes: Reversals45}} {
			var b bytes.Buffer
			err := Write(&b, s, o)
			if s.Check() != nil {
				if err == nil {
					t.Fatalf("statement fails Check (%v) but Write succeeded", s.Check())
				}
				return
			}
			if err != nil {
				if !errors.Is(err, ErrField) && !errors.Is(err, ErrCurrency) {
					t.Fatalf("unexpected error: %v", err)
				}
				if exp, _ := money.Exponent(s.Currency); errors.Is(err, ErrCurrency) != (exp != 2) {
					t.Fatalf("currency %s: %v", s.Currency, err)
				}
				return
			}
			h, items, err := readBack(b.Bytes())
			if err != nil {
				t.Fatalf("reading back: %v\n%q", err, b.Bytes())
			}
			if h.Old != s.Opening.Minor || h.New != s.Closing.Minor || len(items) != len(s.Entries) {
				t.Fatalf("read back %d/%d with %d items, want %d/%d with %d", h.Old, h.New, len(items), s.Opening.Minor, s.Closing.Minor, len(s.Entries))
			}
			if h.Old-h.Debit+h.Credit != h.New {
				t.Fatalf("turnovers do not reconcile: %+v", h)
			}
			for i, it := range items {
				m, err := signedAmount(it, o.ReversalCodes)
				if err != nil || m != s.Entries[i].Minor {
					t.Fatalf("item %d: read back %d (%v), want %d", i, m, err, s.Entries[i].Minor)
				}
				if it.Account != h.Account {
					t.Fatalf("item %d account %s, header %s", i, it.Account, h.Account)
				}
			}
		}
	})
}
