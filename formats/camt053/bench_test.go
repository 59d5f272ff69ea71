package camt053

import (
	"fmt"
	"io"
	"testing"

	"erpconnector/formats"
	"erpconnector/formats/statement"
)

// bigStatement is n entries alternating Danish credits and Czech-style
// debits with symbols, counterparties and texts: a realistic mix.
func bigStatement(n int) *statement.Statement {
	s := danish()
	s.Entries = make([]statement.Entry, 0, n)
	sum := s.Opening.Minor
	for i := range n {
		e := statement.Entry{
			ID: fmt.Sprintf("BI-%08d", i), BookingDate: s.From, ValueDate: s.From,
			Currency: "DKK", EndToEndID: fmt.Sprintf("E2E-%08d", i), BankReference: fmt.Sprintf("NDEA%010d", i),
			Counterparty:        formats.Party{Name: "Hansen Tømrer A/S", Town: "Aarhus C", Country: "DK"},
			CounterpartyAccount: formats.Account{IBAN: "DK9520000123456789"},
			Text:                "Overførsel",
		}
		if i%2 == 0 {
			e.Minor = int64(100000 + i)
			e.TxCode = statement.TxCode{Domain: "PMNT", Family: "RCDT", SubFamily: "DMCT"}
			e.Remittance = formats.Remittance{Unstructured: "Faktura 117 — tak for handlen", Reference: "RF18539007547034"}
		} else {
			e.Minor = -int64(50000 + i)
			e.Remittance = formats.Remittance{VS: "2026001", KS: "0308", SS: "42"}
		}
		sum += e.Minor
		s.Entries = append(s.Entries, e)
	}
	s.Closing.Minor = sum
	return s
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

func BenchmarkWrite100k(b *testing.B) {
	s := bigStatement(100_000)
	for _, ver := range versions {
		b.Run(ver.suffix, func(b *testing.B) {
			var n countWriter
			if err := Write(&n, s, ver.v); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(n))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := Write(io.Discard, s, ver.v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
