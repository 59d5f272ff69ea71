package bijson

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

// basePayment is a valid domestic DKK payment; cases change one thing.
func basePayment() *formats.Payment {
	return &formats.Payment{
		Index: 7, Pos: formats.Pos{Line: 12, Path: "/Document/PmtInf[1]/CdtTrfTxInf[1]"},
		InstructionID: "INV-1", Amount: dkk(12500), RequestedDate: formats.Date{Year: 2025, Month: 3, Day: 14},
		DebtorAccount:   formats.Account{IBAN: debtorIBAN},
		CreditorAccount: formats.Account{Number: "80790000820049", Country: "DK"},
		Creditor:        formats.Party{Name: "Hansen ApS"},
	}
}

const fik71 = "+71<000100017156728+81234567<" // valid check digit (TestFIK vector)

// tx returns the single transaction of the single request, as compact JSON.
func tx(t *testing.T, rs []Request) string {
	t.Helper()
	if len(rs) != 1 {
		t.Fatalf("%d requests", len(rs))
	}
	var body struct{ Transactions []json.RawMessage }
	if err := json.Unmarshal(rs[0].Body, &body); err != nil || len(body.Transactions) != 1 {
		t.Fatalf("body %s: %v", rs[0].Body, err)
	}
	return string(body.Transactions[0])
}

func TestEncodeRules(t *testing.T) {
	const head = `{"paymentId":"INV-1","paymentDate":"2025-03-14","urgency":1,"amount":125.00,`
	tests := []struct {
		name string
		opts func(*Options)
		mod  func(*formats.Payment)
		want string // the transaction, or "field: message" of the one problem
	}{
		{"domestic BBAN", nil, nil,
			head + `"type":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"Hansen ApS"}}`},
		{"debtor as BBAN number", nil, func(p *formats.Payment) { p.DebtorAccount = formats.Account{Number: specBBAN} },
			head + `"type":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"Hansen ApS"}}`},
		{"German debtor", nil, func(p *formats.Payment) { p.DebtorAccount = formats.Account{IBAN: "DE89370400440532013000"} },
			"debtor account: BankIntegration debits Danish accounts only: debtor account DE89370400440532013000 is not a Danish account"},
		{"Czech debtor", nil, func(p *formats.Payment) {
			p.DebtorAccount = formats.Account{Number: "19-2000145399", BankCode: "0800", Country: "CZ"}
		}, "debtor account: BankIntegration debits Danish accounts only: debtor account 19-2000145399/0800 is not a Danish account"},
		{"no debtor", nil, func(p *formats.Payment) { p.DebtorAccount = formats.Account{} },
			"debtor account: the debtor account is missing"},
		{"debtor IBAN checksum", nil, func(p *formats.Payment) { p.DebtorAccount = formats.Account{IBAN: "DK8252470021527478"} },
			`debtor account: IBAN "DK8252470021527478": check digits do not match (mod 97)`},
		{"debtor IBAN with spaces", nil, func(p *formats.Payment) { p.DebtorAccount = formats.Account{IBAN: "dk81 5247 0021 5274 78"} },
			head + `"type":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"Hansen ApS"}}`},

		{"DK IBAN creditor in DKK is domestic", nil, func(p *formats.Payment) { p.CreditorAccount = formats.Account{IBAN: "DK2280790000820049"} },
			head + `"type":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"Hansen ApS"}}`},
		{"DK IBAN creditor as IBAN when configured", func(o *Options) { o.DomesticIBANAsIBAN = true }, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{IBAN: "DK2280790000820049"}
			p.CreditorAgent.BIC = "DABADKKK"
		}, head + `"type":11,"currency":"DKK","account":"DK2280790000820049","creditor":{"name":"Hansen ApS","bic":"DABADKKK"}}`},
		{"foreign IBAN", nil, func(p *formats.Payment) {
			p.Amount = money.Amount{Minor: 12500, Currency: "EUR"}
			p.CreditorAccount = formats.Account{IBAN: "DE89370400440532013000"}
			p.CreditorAgent.BIC = "COBADEFFXXX"
			p.Creditor.Country = "DE"
		}, head + `"type":11,"currency":"EUR","account":"DE89370400440532013000","creditor":{"name":"Hansen ApS","country":"DE","bic":"COBADEFFXXX"}}`},
		{"foreign IBAN without BIC", nil, func(p *formats.Payment) { p.CreditorAccount = formats.Account{IBAN: "DE89370400440532013000"} },
			"creditor.bic: a transfer to IBAN DE89370400440532013000 (type 11) needs the creditor's BIC"},
		{"foreign IBAN without BIC allowed", func(o *Options) { o.RequireBICForIBAN = false }, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{IBAN: "DE89370400440532013000"}
		}, head + `"type":11,"currency":"DKK","account":"DE89370400440532013000","creditor":{"name":"Hansen ApS"}}`},
		{"bad BIC", nil, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{IBAN: "DE89370400440532013000"}
			p.CreditorAgent.BIC = "cobadeff"
		}, `creditor.bic: BIC "cobadeff": only A-Z and 0-9 are allowed (no spaces, upper case)`},
		{"bad creditor IBAN", nil, func(p *formats.Payment) { p.CreditorAccount = formats.Account{IBAN: "DE89370400440532013001"} },
			`account: creditor IBAN "DE89370400440532013001": check digits do not match (mod 97)`},
		{"DK BBAN in EUR goes as IBAN", nil, func(p *formats.Payment) {
			p.Amount = money.Amount{Minor: 12500, Currency: "EUR"}
			p.CreditorAgent.BIC = "DABADKKK"
		}, head + `"type":11,"currency":"EUR","account":"DK2280790000820049","creditor":{"name":"Hansen ApS","bic":"DABADKKK"}}`},
		{"Czech creditor", nil, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{Number: "19-2000145399", BankCode: "0800", Country: "CZ"}
		}, "account: creditor account 19-2000145399/0800 is neither a Danish account, an IBAN nor a FIK; BankIntegration cannot pay it"},
		{"short DK number", nil, func(p *formats.Payment) { p.CreditorAccount = formats.Account{Number: "8079820049", Country: "DK"} },
			`account: creditor Danish account "8079820049": without a separator it must be 14 digits (reg. no. 4 + account no. 10)`},
		{"no creditor account", nil, func(p *formats.Payment) { p.CreditorAccount = formats.Account{} },
			"account: the creditor account is missing"},

		{"FIK 71", nil, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{}
			p.Remittance.FIK = &formats.FIK{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}
		}, head + `"type":6,"currency":"DKK","account":"` + fik71 + `","creditor":{"name":"Hansen ApS"}}`},
		{"FIK 73 with message", nil, func(p *formats.Payment) {
			p.Remittance = formats.Remittance{FIK: &formats.FIK{Type: "73", Creditor: "81234567"}, Unstructured: "Faktura 12"}
		}, head + `"type":7,"currency":"DKK","account":"+73<+81234567<","creditorText":"Faktura 12","creditor":{"name":"Hansen ApS"}}`},
		{"FIK 01", nil, func(p *formats.Payment) { p.Remittance.FIK = &formats.FIK{Type: "01", Creditor: "1234567"} },
			head + `"type":3,"currency":"DKK","account":"+01<+1234567<","creditor":{"name":"Hansen ApS"}}`},
		{"FIK 71 with message", nil, func(p *formats.Payment) {
			p.Remittance = formats.Remittance{FIK: &formats.FIK{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}, Unstructured: "Faktura 12"}
		}, `creditorMessage: FIK +71 payments carry no message; the remittance text "Faktura 12" would not reach the creditor`},
		{"FIK 71 with message dropped", func(o *Options) { o.DropFIKMessage = true }, func(p *formats.Payment) {
			p.Remittance = formats.Remittance{FIK: &formats.FIK{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}, Unstructured: "Faktura 12"}
		}, head + `"type":6,"currency":"DKK","account":"` + fik71 + `","creditor":{"name":"Hansen ApS"}}`},
		{"FIK check digit", nil, func(p *formats.Payment) {
			p.Remittance.FIK = &formats.FIK{Type: "71", PaymentID: "000100017156723", Creditor: "81234567"}
		}, "account: FIK +71 payment ID 000100017156723: check digit is 3, expected 8"},
		{"FIK in EUR", nil, func(p *formats.Payment) {
			p.Amount.Currency = "EUR"
			p.Remittance.FIK = &formats.FIK{Type: "73", Creditor: "81234567"}
		}, "currency: FIK payments are in DKK only, not EUR"},

		{"JPY without decimals", func(o *Options) { o.RequireBICForIBAN = false }, func(p *formats.Payment) {
			p.Amount = money.Amount{Minor: 1000, Currency: "JPY"}
			p.CreditorAccount = formats.Account{IBAN: "DE89370400440532013000"}
		}, `{"paymentId":"INV-1","paymentDate":"2025-03-14","urgency":1,"amount":1000.00,"type":11,"currency":"JPY","account":"DE89370400440532013000","creditor":{"name":"Hansen ApS"}}`},
		{"BHD with 2 significant decimals", func(o *Options) { o.RequireBICForIBAN = false }, func(p *formats.Payment) {
			p.Amount = money.Amount{Minor: 1230, Currency: "BHD"}
			p.CreditorAccount = formats.Account{IBAN: "DE89370400440532013000"}
		}, `{"paymentId":"INV-1","paymentDate":"2025-03-14","urgency":1,"amount":1.23,"type":11,"currency":"BHD","account":"DE89370400440532013000","creditor":{"name":"Hansen ApS"}}`},
		{"BHD with 3 decimals", nil, func(p *formats.Payment) {
			p.Amount = money.Amount{Minor: 1234, Currency: "BHD"}
			p.CreditorAgent.BIC = "DABADKKK"
		},
			"amount: 1.234 BHD has 3 decimal places; BankIntegration takes at most 2"},
		{"zero amount", nil, func(p *formats.Payment) { p.Amount = dkk(0) }, "amount: 0.00 DKK: must be greater than zero"},
		{"no currency", nil, func(p *formats.Payment) { p.Amount = money.Amount{Minor: 1}; p.CreditorAgent.BIC = "DABADKKK" }, `amount: currency "" is not an ISO 4217 currency`},
		{"one øre", nil, func(p *formats.Payment) { p.Amount = dkk(1) },
			`{"paymentId":"INV-1","paymentDate":"2025-03-14","urgency":1,"amount":0.01,"type":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"Hansen ApS"}}`},

		{"no date", nil, func(p *formats.Payment) { p.RequestedDate = formats.Date{} }, "paymentDate: the requested execution date is missing"},
		{"impossible date", nil, func(p *formats.Payment) { p.RequestedDate = formats.Date{Year: 2025, Month: 2, Day: 30} }, "paymentDate: 2025-02-30 is not a date"},

		{"HIGH is same day", nil, func(p *formats.Payment) { p.Priority = formats.PriorityHigh },
			`{"paymentId":"INV-1","paymentDate":"2025-03-14","urgency":2,"amount":125.00,"type":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"Hansen ApS"}}`},
		{"INST refused", nil, func(p *formats.Payment) { p.Priority = formats.PriorityInstant },
			"urgency: instant payment (INST) requested; BankIntegration's urgency for instant payments is unknown and none is configured"},
		{"INST configured", func(o *Options) { o.UrgencyInstant = 3 }, func(p *formats.Payment) { p.Priority = formats.PriorityInstant },
			`{"paymentId":"INV-1","paymentDate":"2025-03-14","urgency":3,"amount":125.00,"type":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"Hansen ApS"}}`},

		{"end-to-end ID", nil, func(p *formats.Payment) { p.InstructionID, p.EndToEndID = "", "E2E-9" },
			`{"paymentId":"E2E-9","paymentDate":"2025-03-14","urgency":1,"amount":125.00,"type":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"Hansen ApS"}}`},
		{"generated ID", nil, func(p *formats.Payment) { p.InstructionID, p.EndToEndID = "", "NOTPROVIDED" },
			`{"paymentId":"P9a30a503b2862c51c3c5-7","paymentDate":"2025-03-14","urgency":1,"amount":125.00,"type":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"Hansen ApS"}}`},
		{"ID too long", nil, func(p *formats.Payment) { p.InstructionID = strings.Repeat("A", 36) },
			`paymentId: the instruction ID "` + strings.Repeat("A", 36) + `" has 36 characters; at most 35 are sent`},
		{"ID with #", nil, func(p *formats.Payment) { p.InstructionID, p.EndToEndID = "", "INV#1" },
			`paymentId: the end-to-end ID "INV#1": only printable ASCII characters other than '#' are allowed`},
		{"ID with ø", nil, func(p *formats.Payment) { p.InstructionID = "Købt-1" },
			`paymentId: the instruction ID "Købt-1": only printable ASCII characters other than '#' are allowed`},

		{"no creditor name", nil, func(p *formats.Payment) { p.Creditor.Name = " " }, "creditor.name: the creditor's name is missing"},
		{"creditor name too long", nil, func(p *formats.Payment) { p.Creditor.Name = strings.Repeat("æ", 71) },
			`creditor.name: "` + strings.Repeat("æ", 71) + `" has 71 characters; at most 70 are allowed`},
		{"creditor name with newline", nil, func(p *formats.Payment) { p.Creditor.Name = "Hansen\n  ApS" },
			head + `"type":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"Hansen ApS"}}`},
		{"creditor name with control", nil, func(p *formats.Payment) { p.Creditor.Name = "Hansen\x07ApS" },
			"creditor.name: contains the control character U+0007"},
		{"creditor name not UTF-8", nil, func(p *formats.Payment) { p.Creditor.Name = "Hansen \xe6" },
			"creditor.name: is not valid UTF-8"},
		{"address lines", nil, func(p *formats.Payment) { p.Creditor.AddressLines = []string{"Vestergade 1", "8000 Aarhus C"} },
			head + `"type":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"Hansen ApS","streetName":"Vestergade 1","city":"8000 Aarhus C"}}`},
		{"three address lines", nil, func(p *formats.Payment) { p.Creditor.AddressLines = []string{"a", "b", "c"} },
			"creditor.address: 3 unstructured address lines; BankIntegration takes 2 (street, then postcode and city)"},
		{"country omitted", func(o *Options) { o.OmitCreditorCountry = true }, func(p *formats.Payment) { p.Creditor.Country = "DK" },
			head + `"type":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"Hansen ApS"}}`},
		{"bad country", nil, func(p *formats.Payment) { p.Creditor.Country = "dk" }, `creditor.country: "dk" is not an ISO 3166 alpha-2 country code`},

		{"own text", nil, func(p *formats.Payment) { p.OwnText = "  Husleje marts " },
			head + `"type":1,"currency":"DKK","account":"80790000820049","text":"Husleje marts","creditor":{"name":"Hansen ApS"}}`},
		{"own text too long", nil, func(p *formats.Payment) { p.OwnText = strings.Repeat("x", 36) },
			`text: "` + strings.Repeat("x", 36) + `" has 36 characters; at most 35 are allowed`},
		{"own text limit configured", func(o *Options) { o.Limits.Text = 20 }, func(p *formats.Payment) { p.OwnText = "Tekst på mit kontoudtog" },
			`text: "Tekst på mit kontoudtog" has 23 characters; at most 20 are allowed`},
		{"long remittance", nil, func(p *formats.Payment) {
			p.Remittance.Unstructured = "Faktura 2025-0012 og 2025-0013 samt kreditnota 2025-0002, tak for samarbejdet"
		}, head + `"type":1,"currency":"DKK","account":"80790000820049","creditorText":"Faktura 2025-0012 og 2025-0013 samt","creditorMessage":["Faktura 2025-0012 og 2025-0013 samt","kreditnota 2025-0002, tak for","samarbejdet"],"creditor":{"name":"Hansen ApS"}}`},
		{"140 characters that wrap badly are cut", nil, func(p *formats.Payment) {
			p.Remittance.Unstructured = strings.Repeat("abcdefghijklmnopqrst ", 6) + "abcdefghijklmn" // 140
		}, head + `"type":1,"currency":"DKK","account":"80790000820049","creditorText":"abcdefghijklmnopqrst","creditorMessage":["abcdefghijklmnopqrst abcdefghijklmn","opqrst abcdefghijklmnopqrst abcdefg","hijklmnopqrst abcdefghijklmnopqrst","abcdefghijklmnopqrst abcdefghijklmn"],"creditor":{"name":"Hansen ApS"}}`},
		{"remittance too long", nil, func(p *formats.Payment) { p.Remittance.Unstructured = strings.Repeat("x", 141) },
			"creditorMessage: the message needs 5 lines of at most 35 characters; BankIntegration takes at most 4 (140 characters)"},
		{"multi-line remittance", nil, func(p *formats.Payment) { p.Remittance.Unstructured = "\r\nlinje 1\r\n\r\nlinje 2" },
			head + `"type":1,"currency":"DKK","account":"80790000820049","creditorMessage":["linje 1","linje 2"],"creditor":{"name":"Hansen ApS"}}`},
		{"multi-line creditorText too long", nil, func(p *formats.Payment) { p.Remittance.Unstructured = strings.Repeat("y", 36) + "\nx" },
			`creditorText: "` + strings.Repeat("y", 36) + `" has 36 characters; at most 35 are allowed`},
		{"reference", nil, func(p *formats.Payment) {
			p.Remittance = formats.Remittance{Reference: "RF18539007547034", Unstructured: "Faktura 12"}
		}, head + `"type":1,"currency":"DKK","account":"80790000820049","creditorText":"RF18539007547034","creditorMessage":["Faktura 12"],"creditor":{"name":"Hansen ApS"}}`},
		{"Czech symbol", nil, func(p *formats.Payment) { p.Remittance.VS = "1234" }, "VS: Czech payment symbols cannot be sent to BankIntegration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions("MyERP")
			if tt.opts != nil {
				tt.opts(&o)
			}
			p := basePayment()
			if tt.mod != nil {
				tt.mod(p)
			}
			e := NewEncoder(testSource, o)
			probs := e.Add(p)
			if strings.HasPrefix(tt.want, "{") {
				if len(probs) > 0 {
					t.Fatalf("problems: %v", probs)
				}
				if got := tx(t, e.Requests()); got != tt.want {
					t.Errorf("transaction\n got %s\nwant %s", got, tt.want)
				}
				return
			}
			if len(probs) != 1 {
				t.Fatalf("problems = %v, want one: %s", probs, tt.want)
			}
			if got := probs[0].Field + ": " + probs[0].Msg; got != tt.want {
				t.Errorf("problem\n got %s\nwant %s", got, tt.want)
			}
			if probs[0].Pos != p.Pos {
				t.Errorf("problem at %v, want the payment's position %v", probs[0].Pos, p.Pos)
			}
			if rs := e.Requests(); len(rs) != 0 {
				t.Errorf("a payment with a problem was put into a request")
			}
		})
	}
}

func TestEncodeDuplicatePaymentID(t *testing.T) {
	e := NewEncoder(testSource, DefaultOptions("MyERP"))
	a, b := basePayment(), basePayment()
	b.Index, b.Pos = 8, formats.Pos{Line: 20}
	if ps := e.Add(a); len(ps) != 0 {
		t.Fatal(ps)
	}
	ps := e.Add(b)
	want := `paymentId: "INV-1" is already the ID of the payment at /Document/PmtInf[1]/CdtTrfTxInf[1]; BankIntegration would reject the second as a duplicate`
	if len(ps) != 1 || ps[0].Field+": "+ps[0].Msg != want {
		t.Fatalf("problems %v, want %s", ps, want)
	}
}

// TestEncodeSplit checks the deterministic split: by debtor in order of
// first appearance, then chunks of MaxTransactions in file order, request
// numbers counted over the file.
func TestEncodeSplit(t *testing.T) {
	debtors := []string{debtorIBAN, "DK7364600001234567", debtorIBAN, "DK8030000012345678", "DK7364600001234567", debtorIBAN, debtorIBAN}
	var ps []*formats.Payment
	for i, d := range debtors {
		p := basePayment()
		p.Index, p.InstructionID, p.DebtorAccount = i, "", formats.Account{IBAN: d}
		ps = append(ps, p)
	}
	o := DefaultOptions("MyERP")
	o.MaxTransactions = 2
	rs := encodeAll(t, testSource, o, ps)
	want := []struct {
		debtor   string
		payments []int
	}{
		{specBBAN, []int{0, 2}}, {specBBAN, []int{5, 6}},
		{"64600001234567", []int{1, 4}},
		{"30000012345678", []int{3}},
	}
	if len(rs) != len(want) {
		t.Fatalf("%d requests, want %d", len(rs), len(want))
	}
	for i, w := range want {
		r := rs[i]
		if r.DebtorAccount != w.debtor || !equalInts(r.Payments, w.payments) {
			t.Errorf("request %d: debtor %s payments %v, want %s %v", i, r.DebtorAccount, r.Payments, w.debtor, w.payments)
		}
		if r.RequestID != RequestID(testSource.SHA256, i+1) {
			t.Errorf("request %d: requestId %s", i, r.RequestID)
		}
		for j, h := range r.Hash {
			if h.PaymentID != PaymentID(testSource.SHA256, w.payments[j]) {
				t.Errorf("request %d tx %d: paymentId %s", i, j, h.PaymentID)
			}
		}
	}
	// Deterministic: the same input gives the same bytes, and another file
	// hash gives other IDs.
	again := encodeAll(t, testSource, o, ps)
	for i := range rs {
		if !bytes.Equal(rs[i].Body, again[i].Body) {
			t.Errorf("request %d differs on a second run", i)
		}
	}
	other := encodeAll(t, Source{SHA256: [32]byte{1}}, o, ps)
	if other[0].RequestID == rs[0].RequestID || other[0].Hash[0].PaymentID == rs[0].Hash[0].PaymentID {
		t.Error("IDs do not depend on the file hash")
	}
	if got := RequestID(testSource.SHA256, 1); got != "R9a30a503b2862c51c3c5-1" || len(PaymentID([32]byte{}, 999_999_999_999)) > 35 {
		t.Errorf("ID form changed: %s", got)
	}
}

func TestEncodeDefaults(t *testing.T) {
	ps := []*formats.Payment{basePayment()}
	rs := encodeAll(t, testSource, Options{}, ps) // zero options: numeric defaults, booleans false
	if !bytes.Contains(rs[0].Body, []byte(`"urgency":1,`)) ||
		!bytes.HasSuffix(rs[0].Body, []byte(`"options":{"waitForBankResponse":false,"checkPaymentStatus":false,"moveToNextBankDate":false,"useIban":false,"skipDuplicateCheck":false}}`)) {
		t.Errorf("zero options body: %s", rs[0].Body)
	}
	rs = encodeAll(t, testSource, DefaultOptions("MyERP"), ps)
	if !bytes.HasSuffix(rs[0].Body, []byte(`"options":{"waitForBankResponse":false,"checkPaymentStatus":true,"moveToNextBankDate":false,"useIban":false,"skipDuplicateCheck":false}}`)) {
		t.Errorf("default options body: %s", rs[0].Body)
	}
	many := make([]*formats.Payment, 501)
	for i := range many {
		many[i] = basePayment()
		many[i].Index, many[i].InstructionID = i, ""
	}
	if rs := encodeAll(t, testSource, DefaultOptions("MyERP"), many); len(rs) != 2 || len(rs[0].Payments) != 500 || len(rs[1].Payments) != 1 {
		t.Errorf("501 payments split into %d requests", len(rs))
	}
}

func TestNewEncoderNeedsHash(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a zero file hash")
		}
	}()
	NewEncoder(Source{}, DefaultOptions("x"))
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
