package camt053

import (
	"time"

	"erpconnector/formats"
	"erpconnector/formats/money"
	"erpconnector/formats/statement"
)

func date(y int, m time.Month, d int) formats.Date { return formats.Date{Year: y, Month: m, Day: d} }

var cet = time.FixedZone("CET", 3600)

// danish is a DKK statement with credits and debits: an RF-referenced
// incoming transfer, an outgoing FIK payment, a fee with no ISO code, and a
// reversal (storno) of the FIK payment.
func danish() *statement.Statement {
	return &statement.Statement{
		ID:       "DK-DRIFT-2025-03",
		Sequence: 42,
		Created:  time.Date(2025, 4, 1, 6, 0, 0, 0, cet),
		Account:  formats.Account{IBAN: "DK5000400440116243", Number: "00400440116243", Country: "DK"},
		Currency: "DKK",
		Owner:    "Jensen & Søn ApS",
		Name:     "Driftkonto",
		BIC:      "NDEADKKK",
		From:     date(2025, 3, 1),
		To:       date(2025, 3, 31),
		Opening:  statement.Balance{Minor: 10000000, Date: date(2025, 3, 1)},
		Closing:  statement.Balance{Minor: 11225000, Date: date(2025, 3, 31)},
		Entries: []statement.Entry{
			{
				ID: "BI-20250303-0001", BookingDate: date(2025, 3, 3), ValueDate: date(2025, 3, 3),
				Minor: 1250000, Currency: "DKK",
				EndToEndID: "INV-2025-117", BankReference: "NDEA250303AB12",
				Counterparty:        formats.Party{Name: "Hansen Tømrer <A/S>", Street: "Østergade", BuildingNo: "12", PostCode: "8000", Town: "Aarhus C", Country: "DK"},
				CounterpartyAccount: formats.Account{IBAN: "DK9520000123456789"},
				CounterpartyBIC:     "DABADKKK",
				Remittance:          formats.Remittance{Unstructured: "Faktura 117\nTak for handlen", Reference: "RF18539007547034", ReferenceType: "RF"},
				Text:                "Overførsel",
				TxCode:              statement.TxCode{Domain: "PMNT", Family: "RCDT", SubFamily: "DMCT"},
			},
			{
				ID: "BI-20250310-0002", BookingDate: date(2025, 3, 10), ValueDate: date(2025, 3, 10),
				Minor: -349995, Currency: "DKK",
				EndToEndID: "E2E-0007", InstructionID: "ERP-PAY-0007", BankReference: "NDEA250310CD34",
				Counterparty:        formats.Party{Name: "Elselskabet A/S", AddressLines: []string{"Strandvejen 1", "2900 Hellerup"}, Country: "DK"},
				CounterpartyAccount: formats.Account{Number: "30000012345678", Country: "DK"},
				Remittance:          formats.Remittance{FIK: &formats.FIK{Type: "71", PaymentID: "000000001234567", Creditor: "12345678"}},
				Text:                "FI-kort 71",
				TxCode:              statement.TxCode{Domain: "PMNT", Family: "ICDT", SubFamily: "DMCT"},
			},
			{
				ID: "BI-20250331-0003", BookingDate: date(2025, 3, 31), ValueDate: date(2025, 3, 31),
				Minor: -25000, Currency: "DKK",
				Text: "Gebyr for kvartal",
			},
			{
				ID: "BI-20250312-0004", BookingDate: date(2025, 3, 31), ValueDate: date(2025, 3, 10),
				Minor: 349995, Currency: "DKK",
				EndToEndID: "E2E-0007", BankReference: "NDEA250312EF56",
				Counterparty: formats.Party{Name: "Elselskabet A/S"},
				Text:         "Tilbageført",
				TxCode:       statement.TxCode{Domain: "PMNT", Family: "ICDT", SubFamily: "RRTN"},
				Reversal:     true,
			},
		},
	}
}

// czech is a CZK statement of a domestic account with the Czech payment
// symbols VS, KS and SS, domestic counter-accounts by bank code, diacritics.
func czech() *statement.Statement {
	return &statement.Statement{
		ID:       "KB-2000145399-2025-059",
		Sequence: 59,
		Created:  time.Date(2025, 3, 1, 2, 30, 0, 0, cet),
		Account:  formats.Account{Number: "19-2000145399", BankCode: "0800", Country: "CZ"},
		Currency: "CZK",
		Owner:    "Pražská obchodní s.r.o.",
		BIC:      "GIBACZPX",
		From:     date(2025, 2, 28),
		To:       date(2025, 2, 28),
		Opening:  statement.Balance{Minor: 5000000},
		Closing:  statement.Balance{Minor: 6450100},
		Entries: []statement.Entry{
			{
				ID: "0800-250228-000001", BookingDate: date(2025, 2, 28), ValueDate: date(2025, 2, 28),
				Minor: 1500050, Currency: "CZK",
				BankReference:       "250228CZ0001",
				Counterparty:        formats.Party{Name: "Žluťoučký kůň, a.s."},
				CounterpartyAccount: formats.Account{Number: "1234567899", BankCode: "0100", Country: "CZ"},
				Remittance:          formats.Remittance{Unstructured: "Platba za zboží, faktura 2026001", VS: "2026001", KS: "0308"},
				Text:                "Platba",
			},
			{
				ID: "0800-250228-000002", BookingDate: date(2025, 2, 28), ValueDate: date(2025, 2, 28),
				Minor: -49950, Currency: "CZK",
				EndToEndID: "KPC-7f3a-0002", BankReference: "250228CZ0002",
				Counterparty:        formats.Party{Name: "Dodavatel & syn"},
				CounterpartyAccount: formats.Account{IBAN: "CZ6203000000001000000005"},
				CounterpartyBIC:     "CEKOCZPP",
				Remittance:          formats.Remittance{VS: "20260042", SS: "1234", KS: "0008"},
				Text:                "Úhrada",
				TxCode:              statement.TxCode{Domain: "PMNT", Family: "ICDT", SubFamily: "DMCT"},
			},
		},
	}
}

// empty has no entries: the balances are equal.
func empty() *statement.Statement {
	return &statement.Statement{
		ID:       "EMPTY-2025-01-15",
		Sequence: 1,
		Created:  time.Date(2025, 1, 16, 0, 5, 0, 0, time.UTC),
		Account:  formats.Account{IBAN: "CZ5508000000001234567899"},
		Currency: "EUR",
		From:     date(2025, 1, 15),
		To:       date(2025, 1, 15),
		Opening:  statement.Balance{Minor: 500000},
		Closing:  statement.Balance{Minor: 500000},
	}
}

// overdrawn starts with a negative (debit) opening balance and ends
// overdrawn too; the net of its entries is a credit.
func overdrawn() *statement.Statement {
	return &statement.Statement{
		ID:       "OD-2025-02",
		Sequence: 2,
		Created:  time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
		Account:  formats.Account{IBAN: "CZ0801000000192000145399"},
		Currency: "CZK",
		Owner:    "Novák",
		From:     date(2025, 2, 1),
		To:       date(2025, 2, 28),
		Opening:  statement.Balance{Minor: -120000, Date: date(2025, 1, 31)},
		Closing:  statement.Balance{Minor: -80000},
		Entries: []statement.Entry{
			{ID: "OD-1", BookingDate: date(2025, 2, 5), Minor: 50000, Currency: "CZK", Text: "Vklad"},
			{ID: "OD-2", BookingDate: date(2025, 2, 20), Minor: -10000, Currency: "CZK", Text: "Poplatek"},
		},
	}
}

var fixtures = []struct {
	name string
	make func() *statement.Statement
}{
	{"danish", danish},
	{"czech", czech},
	{"empty", empty},
	{"overdrawn", overdrawn},
}

func exp(ccy string) int {
	e, _ := money.Exponent(ccy)
	return e
}

func fmtMinor(m int64, exp int) string { return money.FormatMinor(m, exp) }
