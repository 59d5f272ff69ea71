package camt053

import (
	"bytes"
	"errors"
	"flag"
	"testing"
	"time"

	"erpconnector/formats"
	"erpconnector/formats/statement"
	"erpconnector/internal/testenv"
)

// fuzzing reports whether the test binary runs with -fuzz. The fuzzer's
// own inputs skip xmllint (one process per input would starve it); every
// input kept in testdata/fuzz runs through xmllint in plain go test.
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

var fuzzCurrencies = []string{"CZK", "DKK", "EUR", "JPY", "BHD"}

// FuzzWrite builds statements from fuzzed amounts and texts. Whatever passes
// Check must either be refused with ErrInvalid (and nothing written) or give
// a well-formed document that reads back with the same amounts, balances,
// summary, references and cleaned texts; seeds are also schema-validated.
func FuzzWrite(f *testing.F) {
	f.Add(int64(10000000), int64(1250000), int64(-349995), int64(-25000), "Faktura 117\nTak for handlen", "Hansen Tømrer <A/S>", "INV-2025-117", "2026001", uint8(0), uint8(0))
	f.Add(int64(-120000), int64(50000), int64(-10000), int64(0), "Vklad", "Novák", "", "", uint8(0), uint8(1))
	f.Add(int64(0), int64(0), int64(0), int64(0), "", "", "", "", uint8(2), uint8(3))
	f.Add(int64(999999999999999999), int64(-999999999999999999), int64(1), int64(-1), "&<>\"'", "]]>", "E2E&1", "0000000001", uint8(4), uint8(6))
	f.Add(int64(-999999999999999999), int64(999999999999999999), int64(999999999999999999), int64(-999999999999999999), "x", "y", "z", "1", uint8(1), uint8(7))
	f.Add(int64(5), int64(1), int64(-1), int64(1), "\x00\x01\xff\xfe\uFFFE\u0085 text", "\t\r\n", "ID\u00e9", "12", uint8(3), uint8(5))
	f.Add(int64(100), int64(-9223372036854775807), int64(1), int64(1), "a", "b", "c", "d", uint8(2), uint8(0))
	f.Fuzz(func(t *testing.T, opening, a1, a2, a3 int64, remit, name, id, vs string, ccy, flags uint8) {
		cur := fuzzCurrencies[int(ccy)%len(fuzzCurrencies)]
		s := &statement.Statement{
			ID: "FUZZ-1", Sequence: 1, Created: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
			Account:  formats.Account{IBAN: "CZ5508000000001234567899"},
			Currency: cur, Owner: name, Name: remit, BIC: "KOMBCZPP",
			From: date(2025, 1, 1), To: date(2025, 1, 31),
			Opening: statement.Balance{Minor: opening},
		}
		sum := opening
		for i, a := range []int64{a1, a2, a3} {
			if a == 0 {
				continue
			}
			next := sum + a
			if (a > 0 && next < sum) || (a < 0 && next > sum) {
				return // Check would refuse it; not what this target explores
			}
			sum = next
			e := statement.Entry{
				ID: id, BookingDate: date(2025, 1, 1+i), ValueDate: date(2025, 1, 1+i),
				Minor: a, Currency: cur, EndToEndID: id, BankReference: vs,
				Counterparty:        formats.Party{Name: name, AddressLines: []string{remit}},
				CounterpartyAccount: formats.Account{Number: id},
				Remittance:          formats.Remittance{Unstructured: remit, VS: vs, KS: vs, Reference: id},
				Text:                remit, Reversal: flags&4 != 0,
			}
			if i == 1 {
				e.TxCode = statement.TxCode{Domain: "PMNT", Family: "RCDT", SubFamily: "DMCT"}
			}
			s.Entries = append(s.Entries, e)
		}
		s.Closing = statement.Balance{Minor: sum}
		if s.Check() != nil {
			return
		}
		o := Options{Version: V02, Symbols: SymbolsPrefixed}
		if flags&1 != 0 {
			o.Version = V08
		}
		if flags&2 != 0 {
			o.Symbols = SymbolsTyped
		}
		var buf bytes.Buffer
		if err := WriteOptions(&buf, s, o); err != nil {
			var fe *FieldError
			if !errors.Is(err, ErrInvalid) || !errors.As(err, &fe) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			if buf.Len() != 0 {
				t.Fatalf("%d bytes written before refusing: %v", buf.Len(), err)
			}
			return
		}
		checkReadBack(t, s, o, buf.Bytes())
		if !fuzzing() {
			testenv.ValidateXSD(t, xsdOf(o.Version), buf.Bytes())
		}
	})
}
