package validate

import (
	"strings"
	"testing"
	"time"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

var today = formats.Date{Year: 2025, Month: time.March, Day: 14}

func rules() Rules { return Rules{Today: today} }

// czPayment is a complete valid domestic Czech payment.
func czPayment() *formats.Payment {
	return &formats.Payment{
		Pos:             formats.Pos{Line: 7},
		InstructionID:   "INV-2025-001",
		Amount:          money.Amount{Minor: 1250000, Currency: "CZK"},
		RequestedDate:   today,
		DebtorAccount:   formats.Account{Number: "19-2000145399", BankCode: "0800", Country: "CZ"},
		CreditorAccount: formats.Account{Number: "1234567899", BankCode: "0100"},
		Remittance:      formats.Remittance{VS: "2025001", KS: "0308", SS: "1", Unstructured: "Faktura 2025001 – děkujeme"},
	}
}

// dkPayment is a complete valid Danish FIK payment.
func dkPayment() *formats.Payment {
	return &formats.Payment{
		Pos:           formats.Pos{Path: "/Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]"},
		Amount:        money.Amount{Minor: 99995, Currency: "DKK"},
		RequestedDate: formats.Date{Year: 2025, Month: time.April, Day: 1},
		DebtorAccount: formats.Account{IBAN: "DK5000400440116243"},
		Remittance:    formats.Remittance{FIK: &formats.FIK{Type: "71", PaymentID: "000100017156728", Creditor: "85000001"}},
	}
}

func TestValidPaymentsHaveNoProblems(t *testing.T) {
	for name, p := range map[string]*formats.Payment{"cz": czPayment(), "dk-fik": dkPayment()} {
		if ps := Payment(p, rules()); len(ps) != 0 {
			t.Errorf("%s: unexpected problems %v", name, ps)
		}
	}
}

// TestRules: each case breaks one rule of a valid payment and expects exactly
// the problems named (field, and a fragment of the message).
func TestRules(t *testing.T) {
	type want struct{ field, msg string }
	tests := []struct {
		name   string
		base   func() *formats.Payment
		rules  func(*Rules)
		change func(*formats.Payment)
		want   []want
	}{
		// amount
		{"amount missing", czPayment, nil, func(p *formats.Payment) { p.Amount = money.Amount{} }, []want{{"amount", "missing"}}},
		{"amount missing after reader problems", czPayment, func(r *Rules) { r.ReaderHadProblems = true }, func(p *formats.Payment) { p.Amount = money.Amount{} }, nil},
		{"amount zero with currency", czPayment, func(r *Rules) { r.ReaderHadProblems = true }, func(p *formats.Payment) { p.Amount.Minor = 0 }, []want{{"amount", "greater than zero, got 0.00"}}},
		{"amount negative", czPayment, nil, func(p *formats.Payment) { p.Amount.Minor = -1 }, []want{{"amount", "greater than zero, got -0.01"}}},
		{"currency missing", czPayment, nil, func(p *formats.Payment) { p.Amount.Currency = "" }, []want{{"currency", "missing"}}},
		{"currency unknown", czPayment, nil, func(p *formats.Payment) { p.Amount.Currency = "czk" }, []want{{"currency", `"czk" is not an ISO 4217`}}},
		// date
		{"date missing", czPayment, nil, func(p *formats.Payment) { p.RequestedDate = formats.Date{} }, []want{{dateField, "missing"}}},
		{"date missing after reader problems", czPayment, func(r *Rules) { r.ReaderHadProblems = true }, func(p *formats.Payment) { p.RequestedDate = formats.Date{} }, nil},
		{"date past rejected", czPayment, nil, func(p *formats.Payment) { p.RequestedDate = formats.Date{Year: 2025, Month: 3, Day: 13} }, []want{{dateField, "2025-03-13 is in the past (today is 2025-03-14)"}}},
		{"date past moved", czPayment, func(r *Rules) { r.PastDates = MoveToToday }, func(p *formats.Payment) { p.RequestedDate = formats.Date{Year: 2024, Month: 12, Day: 31} }, nil},
		{"date today ok", czPayment, nil, func(p *formats.Payment) { p.RequestedDate = today }, nil},
		{"date not a date", czPayment, nil, func(p *formats.Payment) { p.RequestedDate = formats.Date{Year: 2025, Month: 2, Day: 29} }, []want{{dateField, "2025-02-29 is not a date"}}},
		{"date month 13", czPayment, nil, func(p *formats.Payment) { p.RequestedDate = formats.Date{Year: 2025, Month: 13, Day: 1} }, []want{{dateField, "is not a date"}}},
		{"date too far ahead", czPayment, func(r *Rules) { r.MaxDaysAhead = 365 }, func(p *formats.Payment) { p.RequestedDate = formats.Date{Year: 2052, Month: 3, Day: 14} }, []want{{dateField, "more than 365 days"}}},
		{"date at limit ok", czPayment, func(r *Rules) { r.MaxDaysAhead = 365 }, func(p *formats.Payment) { p.RequestedDate = formats.Date{Year: 2026, Month: 3, Day: 14} }, nil},
		{"today not given", czPayment, func(r *Rules) { r.Today = formats.Date{} }, nil, []want{{dateField, "today's date was not given"}}},
		// accounts
		{"debtor account missing", czPayment, nil, func(p *formats.Payment) { p.DebtorAccount = formats.Account{} }, []want{{"debtor account", "missing"}}},
		{"creditor account missing", czPayment, nil, func(p *formats.Payment) { p.CreditorAccount = formats.Account{} }, []want{{"creditor account", "missing"}}},
		{"creditor account not needed with FIK", dkPayment, nil, func(p *formats.Payment) { p.CreditorAccount = formats.Account{} }, nil},
		{"cz mod-11", czPayment, nil, func(p *formats.Payment) { p.CreditorAccount.Number = "1234567890" }, []want{{"creditor account", "fails the mod-11 check"}}},
		{"cz prefix mod-11", czPayment, nil, func(p *formats.Payment) { p.DebtorAccount.Number = "4278-727558021" }, []want{{"debtor account", "prefix 4278 fails the mod-11"}}},
		{"cz bank code missing", czPayment, nil, func(p *formats.Payment) { p.CreditorAccount.BankCode = ""; p.CreditorAccount.Country = "CZ" }, []want{{"creditor bank code", "missing for Czech account 1234567899"}}},
		{"cz bank code short", czPayment, nil, func(p *formats.Payment) { p.CreditorAccount.BankCode = "100" }, []want{{"creditor bank code", "exactly 4 digits"}}},
		{"cz bank codes disagree", czPayment, nil, func(p *formats.Payment) { p.CreditorAccount.Number = "1234567899/0300" }, []want{{"creditor bank code", "two bank codes, 0300 and 0100"}}},
		{"cz agent bank code disagrees", czPayment, nil, func(p *formats.Payment) { p.CreditorAgent.BankCode = "0300" }, []want{{"creditor bank code", "two bank codes, 0100 and 0300"}}},
		{"cz all zeros", czPayment, nil, func(p *formats.Payment) { p.CreditorAccount.Number = "0000000000" }, []want{{"creditor account", "all zeros"}}},
		{"cz garbage", czPayment, nil, func(p *formats.Payment) { p.CreditorAccount.Number = "12 345" }, []want{{"creditor account", "digits only"}}},
		{"country unknown", czPayment, nil, func(p *formats.Payment) { p.CreditorAccount.BankCode = "" }, []want{{"creditor account", "cannot tell which country"}}},
		{"country from default", czPayment, func(r *Rules) { r.DefaultCountry = "DK" }, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{Number: "5247 0021527478"}
			p.Creditor.Name = "Jensen ApS"
		}, nil},
		{"country code bad", czPayment, nil, func(p *formats.Payment) { p.CreditorAccount.Country = "cz" }, []want{{"creditor account country", `"cz" is not a 2-letter`}}},
		{"iban checksum", czPayment, nil, func(p *formats.Payment) { p.CreditorAccount = formats.Account{IBAN: "CZ6508000000192000145398"} }, []want{{"creditor IBAN", "check digits do not match"}}},
		{"iban LT00", czPayment, nil, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{IBAN: "LT007180000000000000"}
			p.Creditor.Name = "UAB"
		}, []want{{"creditor IBAN", "never valid"}}},
		{"iban unknown country", czPayment, nil, func(p *formats.Payment) { p.CreditorAccount = formats.Account{IBAN: "US6508000000192000145399"} }, []want{{"creditor IBAN", "does not use IBANs"}}},
		{"iban with spaces and lower case is fine", czPayment, nil, func(p *formats.Payment) { p.CreditorAccount = formats.Account{IBAN: "cz65 0800 0000 1920 0014 5399"} }, nil},
		{"iban and number agree", czPayment, nil, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{IBAN: "CZ6508000000192000145399", Number: "000019-2000145399", BankCode: "0800"}
		}, nil},
		{"iban and number disagree", czPayment, nil, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{IBAN: "CZ6508000000192000145399", Number: "1234567899", BankCode: "0800"}
		}, []want{{"creditor account", "disagree"}}},
		{"iban and bank code disagree", czPayment, nil, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{IBAN: "CZ6508000000192000145399", Number: "19-2000145399", BankCode: "0100"}
		}, []want{{"creditor account", "disagree"}}},
		{"dk iban and number disagree", dkPayment, nil, func(p *formats.Payment) { p.DebtorAccount.Number = "0040 0440116244" }, []want{{"debtor account", "disagree"}}},
		{"dk iban and number agree", dkPayment, nil, func(p *formats.Payment) { p.DebtorAccount.Number = "0040-440116243" }, nil},
		{"iban country vs account country", dkPayment, nil, func(p *formats.Payment) { p.DebtorAccount.Number = "00400440116243"; p.DebtorAccount.Country = "SE" }, []want{{"debtor account", "is from DK but the account number"}}},
		{"dk bban", dkPayment, nil, func(p *formats.Payment) { p.DebtorAccount = formats.Account{Number: "5247-21527478", Country: "DK"} }, nil},
		{"dk bban without separator must be 14", dkPayment, nil, func(p *formats.Payment) { p.DebtorAccount = formats.Account{Number: "524721527478", Country: "DK"} }, []want{{"debtor account", "must be 14 digits"}}},
		{"dk reg no from agent", dkPayment, nil, func(p *formats.Payment) {
			p.DebtorAccount = formats.Account{Number: "21527478", Country: "DK"}
			p.DebtorAgent.BankCode = "5247"
		}, nil},
		{"dk reg no of agent disagrees", dkPayment, nil, func(p *formats.Payment) {
			p.DebtorAccount = formats.Account{Number: "52470021527478", Country: "DK"}
			p.DebtorAgent.BankCode = "5248"
		}, []want{{"debtor bank code", "reg. no. 5248 of the bank differs from 5247"}}},
		{"dk bank code field misused", dkPayment, nil, func(p *formats.Payment) {
			p.DebtorAccount = formats.Account{Number: "21527478", BankCode: "5247", Country: "DK"}
		}, []want{{"debtor bank code", "belongs in the account number"}}},
		{"foreign number needs BIC", czPayment, nil, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{Number: "123456789", Country: "US"}
			p.Creditor.Name = "ACME Inc."
		}, []want{{"creditor BIC", "missing; required for account number 123456789 in US"}}},
		{"foreign number with blank BIC", czPayment, nil, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{Number: "123456789", Country: "US"}
			p.CreditorAgent.BIC = " \u00a0"
			p.Creditor.Name = "ACME Inc."
		}, []want{{"creditor BIC", "missing"}}},
		{"foreign number with BIC", czPayment, nil, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{Number: "123456789", Country: "US"}
			p.CreditorAgent.BIC = "CHASUS33"
			p.Creditor.Name = "ACME Inc."
		}, nil},
		{"account currency unknown", czPayment, nil, func(p *formats.Payment) { p.DebtorAccount.Currency = "KČ" }, []want{{"debtor account currency", "not an ISO 4217"}}},
		// BIC
		{"bic invalid", czPayment, nil, func(p *formats.Payment) { p.CreditorAgent.BIC = "KOMBCZPPX" }, []want{{"creditor BIC", "8 or 11"}}},
		{"bic 2014 strict", czPayment, nil, func(p *formats.Payment) { p.DebtorAgent.BIC = "K0MBCZPP" }, []want{{"debtor BIC", "characters 1-6 must be letters"}}},
		{"bic 2014 lenient", czPayment, func(r *Rules) { r.LenientBIC = true }, func(p *formats.Payment) { p.DebtorAgent.BIC = "K0MBCZPP" }, nil},
		{"bic lower case normalised", czPayment, nil, func(p *formats.Payment) { p.DebtorAgent.BIC = "kombczpp " }, nil},
		// FIK
		{"fik check digit", dkPayment, nil, func(p *formats.Payment) { p.Remittance.FIK.PaymentID = "000100017156723" }, []want{{"FIK", "check digit is 3, expected 8"}}},
		{"fik 73 with id", dkPayment, nil, func(p *formats.Payment) {
			p.Remittance.FIK = &formats.FIK{Type: "73", PaymentID: "1", Creditor: "85000001"}
		}, []want{{"FIK", "carries no payment ID"}}},
		{"fik creditor", dkPayment, nil, func(p *formats.Payment) { p.Remittance.FIK.Creditor = "12345678" }, []want{{"FIK", "must start with 8"}}},
		// symbols
		{"vs letters", czPayment, nil, func(p *formats.Payment) { p.Remittance.VS = "FV2025" }, []want{{"VS", "digits only"}}},
		{"vs 11 digits", czPayment, nil, func(p *formats.Payment) { p.Remittance.VS = "12345678901" }, []want{{"VS", "11 digits; at most 10"}}},
		{"vs 10 digits ok", czPayment, nil, func(p *formats.Payment) { p.Remittance.VS = "0012345678" }, nil},
		{"ks 10 digits ok", czPayment, nil, func(p *formats.Payment) { p.Remittance.KS = "1234567890" }, nil},
		{"ks 11 digits", czPayment, nil, func(p *formats.Payment) { p.Remittance.KS = "12345678901" }, []want{{"KS", "at most 10"}}},
		{"ss space", czPayment, nil, func(p *formats.Payment) { p.Remittance.SS = " 1" }, []want{{"SS", "digits only"}}},
		{"ss negative", czPayment, nil, func(p *formats.Payment) { p.Remittance.SS = "-1" }, []want{{"SS", "digits only"}}},
		// structured reference
		{"rf ok", czPayment, nil, func(p *formats.Payment) {
			p.Remittance.Reference, p.Remittance.ReferenceType = "RF18539007547034", "SCOR"
		}, nil},
		{"rf bad", czPayment, nil, func(p *formats.Payment) {
			p.Remittance.Reference, p.Remittance.ReferenceType = "RF19539007547034", "SCOR"
		}, []want{{"creditor reference", "check digits"}}},
		{"rf missing", czPayment, nil, func(p *formats.Payment) { p.Remittance.ReferenceType = "SCOR" }, []want{{"creditor reference", "missing"}}},
		{"local reference unchecked", czPayment, nil, func(p *formats.Payment) { p.Remittance.Reference, p.Remittance.ReferenceType = "RF19", "" }, nil},
		// creditor name
		{"cross-border needs name", czPayment, nil, func(p *formats.Payment) { p.CreditorAccount = formats.Account{IBAN: "DE89370400440532013000"} }, []want{{"creditor name", "required for a payment from CZ to DE"}}},
		{"cross-border with name", czPayment, nil, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{IBAN: "DE89370400440532013000"}
			p.Creditor.Name = "Müller GmbH"
		}, nil},
		{"domestic IBAN needs no name", czPayment, nil, func(p *formats.Payment) { p.CreditorAccount = formats.Account{IBAN: "CZ6508000000192000145399"} }, nil},
		{"blank name is no name", czPayment, nil, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{IBAN: "DE89370400440532013000"}
			p.Creditor.Name = "   "
		}, []want{{"creditor name", "missing"}}},
		{"name always required", czPayment, func(r *Rules) { r.RequireCreditorName = true }, nil, []want{{"creditor name", "missing"}}},
		{"FIK needs no name", dkPayment, func(r *Rules) { r.RequireCreditorName = true }, nil, nil},
		// text
		{"tab in name", czPayment, nil, func(p *formats.Payment) { p.Creditor.Name = "ACME\ts.r.o." }, []want{{"creditor name", "control character U+0009 at byte 4"}}},
		{"tab in remittance", czPayment, nil, func(p *formats.Payment) { p.Remittance.Unstructured = "a\tb" }, []want{{"remittance information", "U+0009"}}},
		{"CR in a remittance line", czPayment, nil, func(p *formats.Payment) { p.Remittance.Unstructured = "a\r\nb" }, []want{{"remittance information", "U+000D"}}},
		{"remittance lines", czPayment, nil, func(p *formats.Payment) { p.Remittance.Unstructured = "first line\nsecond line\n" }, nil},
		{"NUL in end-to-end", czPayment, nil, func(p *formats.Payment) { p.EndToEndID = "E2E\x00" }, []want{{"end-to-end ID", "U+0000"}}},
		{"C1 control", czPayment, nil, func(p *formats.Payment) { p.OwnText = "a\u0085" }, []want{{"own text", "U+0085"}}},
		{"line separator", czPayment, nil, func(p *formats.Payment) { p.Debtor.Town = "Praha\u2028" }, []want{{"debtor town", "line break"}}},
		{"invalid utf8", czPayment, nil, func(p *formats.Payment) { p.Creditor.Street = "Dlouh\xe1" }, []want{{"creditor street", "not valid UTF-8"}}},
		{"replacement char", czPayment, nil, func(p *formats.Payment) { p.Creditor.Street = "Dlouh\uFFFD" }, []want{{"creditor street", "U+FFFD"}}},
		{"address line", czPayment, nil, func(p *formats.Payment) { p.Creditor.AddressLines = []string{"ok", "bad\r"} }, []want{{"creditor address line 2", "U+000D"}}},
		{"control char in account number", czPayment, nil, func(p *formats.Payment) { p.CreditorAccount.Number = "1234567899\x00" }, []want{{"creditor account", "digits only"}, {"creditor account", "U+0000"}}},
		{"remittance 140 ok", czPayment, nil, func(p *formats.Payment) { p.Remittance.Unstructured = strings.Repeat("ž", 140) }, nil},
		{"remittance 141", czPayment, nil, func(p *formats.Payment) { p.Remittance.Unstructured = strings.Repeat("ž", 141) }, []want{{"remittance information", "141 characters; at most 140"}}},
		{"party country", czPayment, nil, func(p *formats.Payment) { p.Creditor.Country = "CZE" }, []want{{"creditor country", "2-letter"}}},
		{"charge bearer", czPayment, nil, func(p *formats.Payment) { p.ChargeBearer = "OUR" }, []want{{"charge bearer", "not DEBT, CRED, SHAR or SLEV"}}},
		{"charge bearer ok", czPayment, nil, func(p *formats.Payment) { p.ChargeBearer = "SLEV" }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.base()
			if tt.change != nil {
				tt.change(p)
			}
			r := rules()
			if tt.rules != nil {
				tt.rules(&r)
			}
			got := Payment(p, r)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems %v, want %v", len(got), got, tt.want)
			}
			for i, w := range tt.want {
				if got[i].Field != w.field || !strings.Contains(got[i].Msg, w.msg) {
					t.Errorf("problem %d = %q: %q, want %q containing %q", i, got[i].Field, got[i].Msg, w.field, w.msg)
				}
				if got[i].Pos != p.Pos {
					t.Errorf("problem %d at %v, want the payment's position %v", i, got[i].Pos, p.Pos)
				}
			}
		})
	}
}

// TestNormalisation: what Payment rewrites in place, and that it leaves
// invalid input as it was.
func TestNormalisation(t *testing.T) {
	p := czPayment()
	p.DebtorAccount = formats.Account{Number: "000019-2000145399/0800"}
	p.CreditorAccount = formats.Account{Number: "0006352242", Country: "CZ"}
	p.CreditorAgent = formats.Agent{BankCode: "0100", BIC: "komb czpp"}
	p.RequestedDate = formats.Date{Year: 2025, Month: 1, Day: 2}
	r := rules()
	r.PastDates = MoveToToday
	if ps := Payment(p, r); len(ps) != 0 {
		t.Fatalf("problems: %v", ps)
	}
	wantDebtor := formats.Account{Number: "19-2000145399", BankCode: "0800", Country: "CZ"}
	wantCreditor := formats.Account{Number: "6352242", BankCode: "0100", Country: "CZ"}
	if p.DebtorAccount != wantDebtor || p.CreditorAccount != wantCreditor {
		t.Errorf("accounts = %+v, %+v; want %+v, %+v", p.DebtorAccount, p.CreditorAccount, wantDebtor, wantCreditor)
	}
	if p.CreditorAgent.BIC != "KOMBCZPP" {
		t.Errorf("BIC = %q", p.CreditorAgent.BIC)
	}
	if p.RequestedDate != today {
		t.Errorf("past date under MoveToToday = %v, want %v", p.RequestedDate, today)
	}

	d := dkPayment()
	d.DebtorAccount = formats.Account{IBAN: "dk50 0040 0440 1162 43", Number: "0040 440116243"}
	if ps := Payment(d, rules()); len(ps) != 0 {
		t.Fatalf("problems: %v", ps)
	}
	if want := (formats.Account{IBAN: "DK5000400440116243", Number: "0040 440116243"}); d.DebtorAccount != want {
		t.Errorf("DK account = %+v, want %+v (IBAN normalised, number with IBAN left as given)", d.DebtorAccount, want)
	}

	// Invalid input is left as it was, and a past date is kept under RejectPast.
	bad := czPayment()
	bad.CreditorAccount = formats.Account{Number: "000-1234567890", BankCode: "0100"}
	bad.RequestedDate = formats.Date{Year: 2025, Month: 1, Day: 2}
	before := *bad
	if ps := Payment(bad, rules()); len(ps) != 2 {
		t.Fatalf("want 2 problems, got %v", ps)
	}
	if bad.CreditorAccount != before.CreditorAccount || bad.RequestedDate != before.RequestedDate {
		t.Errorf("invalid payment was rewritten: %+v", bad)
	}
}

func TestPastDatePolicyString(t *testing.T) {
	if RejectPast.String() != "reject" || MoveToToday.String() != "move-to-today" {
		t.Errorf("names: %s %s", RejectPast, MoveToToday)
	}
	var zero Rules
	if zero.PastDates != RejectPast {
		t.Error("the zero Rules must reject past dates")
	}
}
