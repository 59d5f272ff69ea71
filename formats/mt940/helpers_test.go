package mt940

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"erpconnector/formats"
	"erpconnector/formats/statement"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func day(y int, m time.Month, d int) formats.Date { return formats.Date{Year: y, Month: m, Day: d} }

// dkStatement is a Danish account with a credit, a fee, a reversal and text
// that needs transliteration.
func dkStatement() *statement.Statement {
	return &statement.Statement{
		ID:       "DK-5247-2024-117",
		Sequence: 117,
		Account:  formats.Account{IBAN: "DK5000400440116243", Currency: "DKK"},
		Currency: "DKK",
		Owner:    "Smørrebrød ApS",
		From:     day(2024, 4, 26), To: day(2024, 4, 29),
		Opening: statement.Balance{Minor: 1234567, Date: day(2024, 4, 25)},
		Closing: statement.Balance{Minor: 1234567 + 1250000 - 2500 - 99900 + 99900, Date: day(2024, 4, 29)},
		Entries: []statement.Entry{
			{
				ID: "BI-0001", BookingDate: day(2024, 4, 26), ValueDate: day(2024, 4, 26),
				Minor: 1250000, Currency: "DKK", EndToEndID: "INV-2024-0042", BankReference: "5247260424A1",
				Counterparty: formats.Party{Name: "Ærø Købmandshandel & Søn"},
				Remittance:   formats.Remittance{Unstructured: "Faktura 42\nTak for handlen – på gensyn"},
				Text:         "Overførsel", TxCode: statement.TxCode{Domain: "PMNT", Family: "RCDT", SubFamily: "DMCT"},
			},
			{
				ID: "BI-0002", BookingDate: day(2024, 4, 29), ValueDate: day(2024, 4, 30),
				Minor: -2500, Currency: "DKK", Text: "Gebyr",
			},
			{
				ID: "BI-0003", BookingDate: day(2024, 4, 29), ValueDate: day(2024, 4, 29),
				Minor: -99900, Currency: "DKK", EndToEndID: "A-VERY-LONG-END-TO-END-ID-0001",
				Counterparty: formats.Party{Name: "Nørgaard Åkande"},
				Remittance:   formats.Remittance{FIK: &formats.FIK{Type: "71", PaymentID: "000000001234567", Creditor: "12345678"}},
				Text:         "Betalingsservice", TxCode: statement.TxCode{Domain: "PMNT", Family: "IDDT", SubFamily: "ESDD"},
			},
			{
				ID: "BI-0004", BookingDate: day(2024, 4, 29), ValueDate: day(2024, 4, 29),
				Minor: 99900, Currency: "DKK", Reversal: true, EndToEndID: "NOTPROVIDED",
				Counterparty: formats.Party{Name: "Nørgaard Åkande"}, Text: "Tilbageført",
			},
		},
	}
}

// czStatement is a Czech account with symbols, a counter-account with bank
// code, and diacritics.
func czStatement() *statement.Statement {
	return &statement.Statement{
		ID:       "KB-19-2000145399-20240930-long",
		Sequence: 9,
		Account:  formats.Account{Number: "19-2000145399", BankCode: "0800", Country: "CZ"},
		Currency: "CZK",
		Owner:    "Řeznictví Šťastný s.r.o.",
		From:     day(2024, 9, 30), To: day(2024, 9, 30),
		Opening: statement.Balance{Minor: -50000, Date: day(2024, 9, 29)},
		Closing: statement.Balance{Minor: -50000 + 12345600 - 123456},
		Entries: []statement.Entry{
			{
				ID: "1001", BookingDate: day(2024, 9, 30), ValueDate: day(2024, 9, 30),
				Minor: 12345600, Currency: "CZK", EndToEndID: "E2E-77",
				Counterparty:        formats.Party{Name: "Žluťoučký kůň a.s."},
				CounterpartyAccount: formats.Account{Number: "7770227", BankCode: "0100", Country: "CZ"},
				Remittance: formats.Remittance{VS: "1446556401", KS: "0308", SS: "7815392681",
					Unstructured: "Úhrada faktury 2024/118 za dodávku zboží, děkujeme za spolupráci a těšíme se na další objednávky"},
				Text: "Příchozí platba",
			},
			{
				ID: "1002", BookingDate: day(2024, 9, 30), ValueDate: day(2024, 9, 30),
				Minor: -123456, Currency: "CZK", BankReference: "KB/REF/99",
				Counterparty:        formats.Party{Name: "ČEZ, a. s."},
				CounterpartyAccount: formats.Account{IBAN: "CZ5508000000001234567899"},
				Remittance:          formats.Remittance{VS: "42"},
				Text:                "Odchozí platba",
			},
		},
	}
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}
