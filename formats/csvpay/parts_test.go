package csvpay

import (
	"strings"
	"testing"
	"time"

	"erpconnector/formats"
)

func TestParseAccount(t *testing.T) {
	tests := []struct {
		in, bank, country string
		want              formats.Account
		err               string
	}{
		{in: "DK50 0040 0440 1162 43", want: formats.Account{IBAN: "DK5000400440116243"}},
		{in: "dk5000400440116243", want: formats.Account{IBAN: "DK5000400440116243"}},
		{in: " CZ0801000000192000145399 ", want: formats.Account{IBAN: "CZ0801000000192000145399"}},
		{in: "CZ0801000000192000145399", bank: "0100", want: formats.Account{IBAN: "CZ0801000000192000145399"}},
		{in: "CZ0801000000192000145399", bank: "0800", err: "bank code 0800 differs from the bank code 0100 in IBAN CZ0801000000192000145399"},
		{in: "DK50", err: `"DK50" is not an IBAN`},
		{in: "DKXX00400440116243", err: `not an IBAN, a Czech account`},
		{in: "DK50-0040", err: `"DK50-0040" is not an IBAN`},
		{in: "19-2000145399/0100", want: formats.Account{Number: "19-2000145399", BankCode: "0100", Country: "CZ"}},
		{in: "000019-2000145399/0100", want: formats.Account{Number: "19-2000145399", BankCode: "0100", Country: "CZ"}},
		{in: "000000-0001234567/0800", want: formats.Account{Number: "1234567", BankCode: "0800", Country: "CZ"}},
		{in: "1234567899 / 0800", want: formats.Account{Number: "1234567899", BankCode: "0800", Country: "CZ"}},
		{in: "1234567899", bank: "0800", want: formats.Account{Number: "1234567899", BankCode: "0800", Country: "CZ"}},
		{in: "19-2000145399", bank: "0100", want: formats.Account{Number: "19-2000145399", BankCode: "0100", Country: "CZ"}},
		{in: "1234567899/0800", bank: "0100", err: `bank code 0100 differs from the bank code in "1234567899/0800"`},
		{in: "1234567899/800", err: `the Czech bank code must be 4 digits, not "800"`},
		{in: "1234567-1234567899/0800", err: "the Czech account prefix must be 1 to 6 digits"},
		{in: "-1234567899/0800", err: "the Czech account prefix must be 1 to 6 digits"},
		{in: "12345678901/0800", err: "the Czech account number must be 1 to 10 digits"},
		{in: "0000000000/0800", err: "the Czech account number is zero"},
		{in: "12a4/0800", err: "the Czech account number must be 1 to 10 digits"},
		{in: "1551 0003456789", want: formats.Account{Number: "15510003456789", Country: "DK"}},
		{in: "1551 3456789", want: formats.Account{Number: "15510003456789", Country: "DK"}},
		{in: "1551-3456789", want: formats.Account{Number: "15510003456789", Country: "DK"}},
		{in: "15510003456789", want: formats.Account{Number: "15510003456789", Country: "DK"}},
		{in: "1551 00034567890", err: "not an IBAN, a Czech account"},
		{in: "155 10003456789", err: "not an IBAN, a Czech account"},
		{in: "1551000345678", err: "not an IBAN, a Czech account"},
		{in: "", err: "not an IBAN, a Czech account"},
		{in: "+71<000000001234567+12345678<", err: "not an IBAN, a Czech account"},
		{in: "1234-5678901234", want: formats.Account{Number: "12345678901234", Country: "DK"}},
		{in: "1234-5678901234", country: "CZ", err: `not an IBAN or a Czech account "[prefix-]number/bank" (account_country = "CZ")`},
		{in: "1234-5678901234/0800", country: "CZ", want: formats.Account{Number: "1234-5678901234", BankCode: "0800", Country: "CZ"}},
		{in: "DK5000400440116243", country: "CZ", want: formats.Account{IBAN: "DK5000400440116243"}},
		{in: "1234567899", bank: "0800", country: "DK", err: `not an IBAN or a Danish account (account_country = "DK")`},
		{in: "1234567899/0800", country: "DK", err: `not an IBAN or a Danish account (account_country = "DK")`},
		{in: "1551 3456789", country: "DK", want: formats.Account{Number: "15510003456789", Country: "DK"}},
	}
	for _, tt := range tests {
		t.Run(tt.in+"|"+tt.bank+"|"+tt.country, func(t *testing.T) {
			got, err := parseAccount(tt.in, tt.bank, tt.country)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parseAccount = %+v, %v; want error containing %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseAccount = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestParseFIK(t *testing.T) {
	tests := []struct {
		in   string
		want formats.FIK
		err  string
	}{
		{in: "+71<000000001234567+12345678<", want: formats.FIK{Type: "71", PaymentID: "000000001234567", Creditor: "12345678"}},
		{in: " +73<+81234567< ", want: formats.FIK{Type: "73", Creditor: "81234567"}},
		{in: "+75<0000000012345678+81234567<", want: formats.FIK{Type: "75", PaymentID: "0000000012345678", Creditor: "81234567"}},
		{in: "+04<2150263480000023+1234567<", want: formats.FIK{Type: "04", PaymentID: "2150263480000023", Creditor: "1234567"}},
		{in: "+01<+1234567<", want: formats.FIK{Type: "01", Creditor: "1234567"}},
		{in: "+15<123456+12345678<", want: formats.FIK{Type: "15", PaymentID: "123456", Creditor: "12345678"}},
		{in: "+72<000000001234567+12345678<", err: "card type +72 is not 01, 04, 15, 71, 73 or 75"},
		{in: "+71<00000000123456+12345678<", err: "card type +71 needs a 15-digit payment ID"},
		{in: "+71<+12345678<", err: "card type +71 needs a 15-digit payment ID"},
		{in: "+73<123+81234567<", err: "card type +73 has no payment ID"},
		{in: "+15<+12345678<", err: "card type +15 needs a payment ID of 1 to 16 digits"},
		{in: "+71<00000000123456X+12345678<", err: "card type +71 needs a 15-digit payment ID"},
		{in: "+71<000000001234567+1234567<", err: "the creditor number must be 8 digits"},
		{in: "+01<+123456<", err: "the creditor number must be 7 to 8 digits"},
		{in: "+71<000000001234567+12345678", err: "(form)"},
		{in: "71<000000001234567+12345678<", err: "(form)"},
		{in: "+71<00000000123456712345678<", err: "no creditor number"},
		{in: "+", err: "(form)"},
		{in: "+01<", err: "(form)"},
		{in: "+01<<", err: "no creditor number"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseFIK(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parseFIK = %+v, %v; want error containing %q", got, err, tt.err)
				}
				return
			}
			if err != nil || *got != tt.want {
				t.Fatalf("parseFIK = %+v, %v; want %+v", got, err, tt.want)
			}
			if got.String() != strings.TrimSpace(tt.in) {
				t.Errorf("round trip: %q -> %q", tt.in, got.String())
			}
		})
	}
}

func TestDateLayouts(t *testing.T) {
	d := func(y int, m time.Month, day int) formats.Date { return formats.Date{Year: y, Month: m, Day: day} }
	tests := []struct {
		layout, in string
		want       formats.Date
		err        string
	}{
		{"YYYY-MM-DD", "2026-03-15", d(2026, 3, 15), ""},
		{"DD.MM.YYYY", "15.03.2026", d(2026, 3, 15), ""},
		{"D.M.YYYY", "5.3.2026", d(2026, 3, 5), ""},
		{"D.M.YYYY", "15.12.2026", d(2026, 12, 15), ""},
		{"D. M. YYYY", "5. 3. 2026", d(2026, 3, 5), ""},
		{"DD-MM-YY", "15-03-26", d(2026, 3, 15), ""},
		{"DD-MM-YY", "31-12-99", d(2099, 12, 31), ""},
		{"YYYYMMDD", "20260315", d(2026, 3, 15), ""},
		{"MM/DD/YYYY", "03/15/2026", d(2026, 3, 15), ""},
		{"YYYY-MM-DD", "2024-02-29", d(2024, 2, 29), ""},
		{"YYYY-MM-DD", "2026-02-29", formats.Date{}, `"2026-02-29" is not a calendar date`},
		{"YYYY-MM-DD", "2026-13-01", formats.Date{}, `"2026-13-01" is not a calendar date`},
		{"YYYY-MM-DD", "2026-00-10", formats.Date{}, `"2026-00-10" is not a calendar date`},
		{"YYYY-MM-DD", "0000-01-01", formats.Date{}, `"0000-01-01" is not a calendar date`},
		{"DD.MM.YYYY", "5.3.2026", formats.Date{}, `"5.3.2026" is not a date in the form DD.MM.YYYY`},
		{"DD.MM.YYYY", "15.03.2026 00:00", formats.Date{}, `is not a date in the form DD.MM.YYYY`},
		{"DD.MM.YYYY", "15-03-2026", formats.Date{}, `is not a date in the form DD.MM.YYYY`},
		{"YYYYMMDD", "2026315", formats.Date{}, `is not a date in the form YYYYMMDD`},
		{"D.M.YYYY", "123.3.2026", formats.Date{}, `is not a date in the form D.M.YYYY`},
		{"YYYY-MM-DD", "", formats.Date{}, `is not a date`},
	}
	for _, tt := range tests {
		t.Run(tt.layout+" "+tt.in, func(t *testing.T) {
			l, err := parseLayout(tt.layout)
			if err != nil {
				t.Fatal(err)
			}
			got, err := l.parse(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parse = %v, %v; want error containing %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parse = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestAmounts(t *testing.T) {
	tests := []struct {
		decimal   rune
		thousands string
		in, ccy   string
		minor     int64
		err       string
	}{
		{',', ".", "1.234,50", "DKK", 123450, ""},
		{',', ".", "1234,5", "DKK", 123450, ""},
		{',', ".", "12.345.678,90", "DKK", 1234567890, ""},
		{',', ".", "0,01", "DKK", 1, ""},
		{',', ".", "+7", "DKK", 700, ""},
		{',', " ", "1 234,50", "CZK", 123450, ""},
		{',', " ", "1\u00a0234,50", "CZK", 123450, ""},
		{',', " ", "1\u202f234\u202f567,00", "CZK", 123456700, ""},
		{'.', ",", "1,234.50", "EUR", 123450, ""},
		{'.', ",'", "1'234.50", "CHF", 123450, ""},
		{'.', "", "1000", "JPY", 1000, ""},
		{'.', "", "1.250", "BHD", 1250, ""},
		{',', ".", "1.234.50", "DKK", 0, `"1.234.50" is not an amount (decimal separator ',', thousands separator ".")`},
		{',', ".", "1.23,50", "DKK", 0, `is not an amount`},
		{',', ".", "1234.50", "DKK", 0, `is not an amount`},
		{',', ".", ".123,50", "DKK", 0, `is not an amount`},
		{',', ".", "1,234.50", "DKK", 0, `is not an amount`},
		{',', ".", "1,2.3", "DKK", 0, `is not an amount`},
		{',', "", "1.234,50", "DKK", 0, `"1.234,50" is not an amount (decimal separator ',', no thousands separator)`},
		{'.', "", "1,5", "DKK", 0, `is not an amount`},
		{',', ".", "-1.234,50", "DKK", 0, `"-1.234,50": must be greater than zero`},
		{',', ".", "0,00", "DKK", 0, `must be greater than zero`},
		{',', ".", "1,005", "DKK", 0, `"1,005": more decimal places than DKK has (2)`},
		{',', ".", "1,50", "JPY", 0, `more decimal places than JPY has (0)`},
		{',', ".", "1,5 kr", "DKK", 0, `is not an amount`},
		{',', ".", "1e3", "DKK", 0, `is not an amount`},
		{',', ".", "١٢٣", "DKK", 0, `is not an amount`},
		{'.', "", "92233720368547758.08", "DKK", 0, `too large`},
	}
	for _, tt := range tests {
		t.Run(tt.in+" "+tt.ccy, func(t *testing.T) {
			a, err := newAmountFormat(tt.decimal, tt.thousands).parse(tt.in, tt.ccy)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parse = %v, %v; want error containing %q", a, err, tt.err)
				}
				return
			}
			if err != nil || a.Minor != tt.minor || a.Currency != tt.ccy {
				t.Fatalf("parse = %+v, %v; want %d %s", a, err, tt.minor, tt.ccy)
			}
		})
	}
}

// TestEncodings reads hand-written bytes of each code page, not bytes made by
// the same codec, so that a wrong table would show (golang/go#28298).
func TestEncodings(t *testing.T) {
	tests := []struct {
		encoding string
		name     []byte
		want     string
	}{
		{"utf-8", []byte("Příliš žluťoučký kůň"), "Příliš žluťoučký kůň"},
		{"windows-1252", []byte{'S', 0xF8, 'r', 'e', 'n', ' ', 0xC6, 'r', 0xF8, ' ', 0xE5, ' ', 0x80}, "Søren Ærø å €"},
		{"iso-8859-1", []byte{'M', 0xFC, 'l', 'l', 'e', 'r', ' ', 0xE6, 0xF8, 0xE5}, "Müller æøå"},
		{"windows-1250", []byte{'P', 0xF8, 0xED, 'l', 'i', 0x9A, ' ', 0x9E, 'l', 'u', 0x9D, 'o', 'u', 0xE8, 'k', 0xFD, ' ', 'k', 0xF9, 0xF2}, "Příliš žluťoučký kůň"},
		{"iso-8859-2", []byte{'P', 0xF8, 0xED, 'l', 'i', 0xB9, ' ', 0xBE, 'l', 'u', 0xBB, 'o', 'u', 0xE8, 'k', 0xFD, ' ', 'k', 0xF9, 0xF2}, "Příliš žluťoučký kůň"},
		{"cp852", []byte{'P', 0xFD, 0xA1, 'l', 'i', 0xE7, ' ', 0xA7, 'l', 'u', 0x9C, 'o', 'u', 0x9F, 'k', 0xEC, ' ', 'k', 0x85, 0xE5}, "Příliš žluťoučký kůň"},
	}
	for _, tt := range tests {
		t.Run(tt.encoding, func(t *testing.T) {
			m := valid()
			m.Encoding = tt.encoding
			m.Delimiter = ";"
			m.Columns["creditor_name"] = Column{Index: 3}
			data := append([]byte("1551 0003456789;10.00;"), tt.name...)
			d := readAll(t, append(data, '\r', '\n'), &m)
			if len(d.Problems) > 0 || len(d.Payments) != 1 {
				t.Fatalf("problems %v, %d payments", d.Problems, len(d.Payments))
			}
			if got := d.Payments[0].Creditor.Name; got != tt.want {
				t.Errorf("name = %q, want %q", got, tt.want)
			}
		})
	}
}
