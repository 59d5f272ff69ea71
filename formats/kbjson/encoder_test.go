package kbjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"erpconnector/formats"
	"erpconnector/internal/testenv"
)

// specBody is kb-batchda.md §8's body, compacted: the encoder must write
// exactly these bytes for the KPC example.
const specBody = `{"batchPaymentDataCollectionRequest":[` +
	`{"paymentIdentification":{"instructionIdentification":"INV2026001"},` +
	`"amount":{"instructedAmount":{"value":12500.00,"currency":"CZK"}},` +
	`"requestedExecutionDate":"2026-06-16",` +
	`"debtorAccount":{"identification":{"iban":"CZ0801000000192000145399"},"currency":"CZK"},` +
	`"creditorAccount":{"identification":{"iban":"CZ5508000000001234567899"},"currency":"CZK"},` +
	`"creditor":{"name":"Dodavatel s.r.o."},` +
	`"remittanceInformation":{"unstructured":"Faktura 2026001",` +
	`"structured":{"creditorReferenceInformation":{"reference":["VS:2026001","KS:308"]}}}},` +
	`{"paymentIdentification":{"instructionIdentification":"RENT202606"},` +
	`"amount":{"instructedAmount":{"value":499.50,"currency":"CZK"}},` +
	`"requestedExecutionDate":"2026-06-16",` +
	`"debtorAccount":{"identification":{"iban":"CZ0801000000192000145399"},"currency":"CZK"},` +
	`"creditorAccount":{"identification":{"iban":"CZ6203000000001000000005"},"currency":"CZK"},` +
	`"remittanceInformation":{"unstructured":"Najem cerven",` +
	`"structured":{"creditorReferenceInformation":{"reference":["VS:20260042","SS:1234"]}}}}]}`

func TestSpecExample(t *testing.T) {
	reqs := encodeAll(t, testSource("Dodavatele.kpc"), Options{}, specPayments(t))
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if string(r.Body) != specBody {
		t.Errorf("body differs from kb-batchda.md §8\n got: %s\nwant: %s", r.Body, specBody)
	}
	if r.Count != 2 || r.Total.String() != "12999.50 CZK" || r.DebtorIBAN != "CZ0801000000192000145399" || r.Currency != "CZK" {
		t.Errorf("count %d total %s debtor %s currency %s; want 2, 12999.50 CZK (spec §8: totalDebitAmount 12999.5), CZ0801000000192000145399, CZK",
			r.Count, r.Total, r.DebtorIBAN, r.Currency)
	}
	if fmt.Sprint(r.Payments) != "[0 1]" {
		t.Errorf("payments %v", r.Payments)
	}
	golden(t, "spec_example.request", dumpRequests(reqs))
}

// TestSpecExampleFromSharedSpec reads the example out of the spec itself, so
// that a change to the spec is noticed.
func TestSpecExampleFromSharedSpec(t *testing.T) {
	path := testenv.Shared(t, "specs", "kb-batchda.md")
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)POST /directapi/batchda/v3/batchPayments HTTP/1.1\n(.*?)\n\n(\\{.*?\\n\\]\\})\n```").FindSubmatch(text)
	if m == nil {
		t.Fatal("§8 example not found in kb-batchda.md")
	}
	var want bytes.Buffer
	if err := json.Compact(&want, m[2]); err != nil {
		t.Fatalf("spec example is not JSON: %v", err)
	}
	reqs := encodeAll(t, testSource("Dodavatele.kpc"), Options{}, specPayments(t))
	if got := reqs[0].Body; !bytes.Equal(got, want.Bytes()) {
		t.Errorf("body differs from the spec\n got: %s\nwant: %s", got, want.Bytes())
	}
	for _, h := range []string{"Content-Type: application/json", "Accept: application/json", "x-batch-processing-mode: ONLINE"} {
		if !bytes.Contains(m[1], []byte(h)) {
			t.Errorf("spec headers lack %q", h)
		}
		k, v, _ := strings.Cut(h, ": ")
		if reqs[0].Headers[k] != v {
			t.Errorf("header %s = %q, want %q", k, reqs[0].Headers[k], v)
		}
	}
}

// Without ERP IDs (a real KPC file has none) the body is the spec's except
// for the derived instruction IDs.
func TestSpecExampleDerivedIDs(t *testing.T) {
	ps := specPayments(t)
	for _, p := range ps {
		p.InstructionID = ""
	}
	src := testSource("Dodavatele.kpc")
	reqs := encodeAll(t, src, Options{}, ps)
	want := strings.NewReplacer(
		`"INV2026001"`, `"EC`+fmt.Sprintf("%x", src.SHA256[:10])+`-0"`,
		`"RENT202606"`, `"EC`+fmt.Sprintf("%x", src.SHA256[:10])+`-1"`,
	).Replace(specBody)
	if string(reqs[0].Body) != want {
		t.Errorf("got  %s\nwant %s", reqs[0].Body, want)
	}
	// The derived ID changes with the file content.
	other := encodeAll(t, testSource("other.kpc"), Options{}, func() []*formats.Payment {
		ps := specPayments(t)
		for _, p := range ps {
			p.InstructionID = ""
		}
		return ps
	}())
	if bytes.Equal(other[0].Body, reqs[0].Body) {
		t.Error("derived IDs do not depend on the file hash")
	}
	// The end-to-end ID stands in for a missing instruction ID.
	ps = specPayments(t)
	ps[0].InstructionID, ps[0].EndToEndID = "", "E2E-1"
	reqs = encodeAll(t, src, Options{}, ps)
	if !bytes.Contains(reqs[0].Body, []byte(`{"paymentIdentification":{"instructionIdentification":"E2E-1","endToEndIdentification":"E2E-1"}`)) {
		t.Errorf("end-to-end ID not used: %s", reqs[0].Body)
	}
}

func TestOptionalFields(t *testing.T) {
	p := valid(t)
	p.EndToEndID = "E2E 42"
	p.Priority = formats.PriorityInstant
	p.ChargeBearer = "SHAR"
	p.Creditor = formats.Party{Name: "Novák & syn", Street: "Na Příkopě", BuildingNo: "33", PostCode: "11407", Town: "Praha 1",
		Country: "CZ", AddressLines: []string{"budova A", "", "3. patro"}}
	p.CreditorAccount = formats.Account{IBAN: "cz55 0800 0000 0012 3456 7899", Currency: "EUR"}
	p.Remittance = formats.Remittance{Unstructured: "Záloha č. 5/2026 (červen)", SS: "77"}
	reqs := encodeAll(t, testSource("optional.xml"), Options{}, []*formats.Payment{p})
	golden(t, "optional_fields.request", dumpRequests(reqs))
	want := `{"batchPaymentDataCollectionRequest":[{"paymentIdentification":{"instructionIdentification":"INV2026001","endToEndIdentification":"E2E 42"},` +
		`"paymentTypeInformation":{"instructionPriority":"INST"},"amount":{"instructedAmount":{"value":12500.00,"currency":"CZK"}},` +
		`"requestedExecutionDate":"2026-06-16","chargeBearer":"SHAR",` +
		`"debtorAccount":{"identification":{"iban":"CZ0801000000192000145399"},"currency":"CZK"},` +
		`"creditorAccount":{"identification":{"iban":"CZ5508000000001234567899"},"currency":"EUR"},` +
		`"creditor":{"name":"Novák & syn","postalAddress":{"streetName":"Na Příkopě","buildingNumber":"33","postCode":"11407","townName":"Praha 1","country":"CZ","addressLine":"budova A, 3. patro"}},` +
		`"remittanceInformation":{"unstructured":"Záloha č. 5/2026 (červen)","structured":{"creditorReferenceInformation":{"reference":["SS:77"]}}}}]}`
	if string(reqs[0].Body) != want {
		t.Errorf("got  %s\nwant %s", reqs[0].Body, want)
	}
}

func TestAmountsAreExactNumbers(t *testing.T) {
	for _, tc := range []struct{ value, ccy, want string }{
		{"0.01", "CZK", `"value":0.01,`},
		{"1", "CZK", `"value":1.00,`},
		{"999999999999999.99", "CZK", `"value":999999999999999.99,`},
		{"1000000000000000", "EUR", `"value":1000000000000000.00,`},
		{"123456", "JPY", `"value":123456,`},
	} {
		p := valid(t)
		p.Amount = mustAmount(t, tc.value, tc.ccy)
		p.DebtorAccount.Currency = ""
		reqs := encodeAll(t, testSource("a"), Options{}, []*formats.Payment{p})
		if !bytes.Contains(reqs[0].Body, []byte(tc.want)) {
			t.Errorf("%s %s: body lacks %s: %s", tc.value, tc.ccy, tc.want, reqs[0].Body)
		}
		if reqs[0].Total != p.Amount {
			t.Errorf("total %v, want %v", reqs[0].Total, p.Amount)
		}
	}
}

// TestRules: one rule per row, exact problem text.
func TestRules(t *testing.T) {
	date := func(y, m, d int) formats.Date { return formats.Date{Year: y, Month: time.Month(m), Day: d} }
	tests := []struct {
		name  string
		opts  Options
		edit  func(p *formats.Payment)
		wants []string
	}{
		{"instruction ID too long", Options{}, func(p *formats.Payment) { p.InstructionID = strings.Repeat("A", 36) },
			[]string{`4: paymentIdentification.instructionIdentification: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA": 36 characters long; KB allows at most 35`}},
		{"instruction ID charset", Options{}, func(p *formats.Payment) { p.InstructionID = "INV_1" },
			[]string{`4: paymentIdentification.instructionIdentification: "INV_1": character '_' at position 4 is not in the Czech payment character set (letters (Czech diacritics allowed), digits, space and / - ? : ( ) . , ' +) (RF01)`}},
		{"extra chars allowed", Options{ExtraTextChars: "_"}, func(p *formats.Payment) { p.InstructionID = "INV_1" }, nil},
		{"end-to-end too long", Options{}, func(p *formats.Payment) { p.EndToEndID = strings.Repeat("9", 36) },
			[]string{`4: paymentIdentification.endToEndIdentification: "999999999999999999999999999999999999": 36 characters long; KB allows at most 35`}},
		{"NOTPROVIDED is no ID", Options{}, func(p *formats.Payment) { p.EndToEndID = "NOTPROVIDED" }, nil},
		{"amount missing", Options{}, func(p *formats.Payment) { p.Amount.Minor, p.Amount.Currency = 0, "" },
			[]string{`4: amount.instructedAmount: missing: KB needs an amount and its currency`}},
		{"amount zero", Options{}, func(p *formats.Payment) { p.Amount.Minor = 0 },
			[]string{`4: amount.instructedAmount.value: 0.00 must be greater than zero (AM12)`}},
		{"amount negative", Options{}, func(p *formats.Payment) { p.Amount.Minor = -100 },
			[]string{`4: amount.instructedAmount.value: -1.00 must be greater than zero (AM12)`}},
		{"amount over 10^15", Options{}, func(p *formats.Payment) { p.Amount.Minor = 100_000_000_000_000_001 },
			[]string{`4: amount.instructedAmount.value: 1000000000000000.01 is more than KB's maximum of 1000000000000000 (AM12)`}},
		{"currency with 3 decimals", Options{}, func(p *formats.Payment) { p.Amount = mustAmount(t, "1.234", "BHD"); p.DebtorAccount.Currency = "" },
			[]string{`4: amount.instructedAmount.currency: BHD has 3 decimal places; KB accepts amounts with at most 2 (AM12)`}},
		{"unknown currency", Options{}, func(p *formats.Payment) { p.Amount.Currency = "czk" },
			[]string{`4: amount.instructedAmount.currency: "czk" is not an ISO 4217 currency code (AM11)`}},
		{"date missing", Options{}, func(p *formats.Payment) { p.RequestedDate = formats.Date{} },
			[]string{`4: requestedExecutionDate: missing: KB needs the requested execution date`}},
		{"date invalid", Options{}, func(p *formats.Payment) { p.RequestedDate = date(2026, 2, 30) },
			[]string{`4: requestedExecutionDate: 2026-02-30 is not a calendar date (DT01)`}},
		{"date in the past", Options{NotBefore: date(2026, 6, 17)}, func(p *formats.Payment) {},
			[]string{`4: requestedExecutionDate: 2026-06-16 is in the past (earliest 2026-06-17) (DT01)`}},
		{"date today ok", Options{NotBefore: date(2026, 6, 16)}, func(p *formats.Payment) {}, nil},
		{"charge bearer", Options{}, func(p *formats.Payment) { p.ChargeBearer = "OUR" },
			[]string{`4: chargeBearer: "OUR" must be DEBT, CRED, SHAR or SLEV (BE19)`}},
		{"priority", Options{}, func(p *formats.Payment) { p.Priority = 7 },
			[]string{`4: paymentTypeInformation.instructionPriority: unknown priority 7`}},
		{"debtor not at KB", Options{}, func(p *formats.Payment) {
			p.DebtorAccount = formats.Account{IBAN: "CZ5508000000001234567899"}
		}, []string{`4: debtorAccount: CZ5508000000001234567899 is not a Komerční banka account (bank code 0100): KB can only debit its clients' own accounts (AC02)`}},
		{"debtor agent not KB", Options{}, func(p *formats.Payment) { p.DebtorAgent.BIC = "GIBACZPX" },
			[]string{`4: debtorAgent: the debtor's bank is GIBACZPX, but KB can only debit Komerční banka accounts (BIC KOMBCZPP) (AC02)`}},
		{"debtor missing", Options{}, func(p *formats.Payment) { p.DebtorAccount = formats.Account{} },
			[]string{`4: debtorAccount: missing: KB needs an IBAN or a Czech account number with bank code (AC02)`}},
		{"debtor currency differs", Options{}, func(p *formats.Payment) { p.DebtorAccount.Currency = "EUR" },
			[]string{`4: debtorAccount.currency: the account currency "EUR" differs from the payment currency CZK; a KB batch is in the debtor account's currency (CURR_DIFFERENT)`}},
		{"creditor DK BBAN", Options{}, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{Number: "30000012345678", Country: "DK"}
		}, []string{`4: creditorAccount: account "30000012345678" (DK): KB needs an IBAN or a Czech account number with bank code (AC03)`}},
		{"creditor without bank code", Options{}, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{Number: "1234567899"}
		}, []string{`4: creditorAccount: account "1234567899" has no bank code: KB needs an IBAN or a Czech account number with bank code (AC03)`}},
		{"creditor bank code from agent", Options{}, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{Number: "1234567899"}
			p.CreditorAgent.BankCode = "0800"
		}, nil},
		{"creditor bank codes disagree", Options{}, func(p *formats.Payment) { p.CreditorAgent.BankCode = "0300" },
			[]string{`4: creditorAccount: account "1234567899": bank codes 0800 and 0300 disagree (AC03)`}},
		{"creditor mod-11", Options{}, func(p *formats.Payment) { p.CreditorAccount.Number = "1234567890" },
			[]string{`4: creditorAccount: Czech account "1234567890": Czech account number 1234567890 fails the mod-11 check (AC03)`}},
		{"creditor IBAN checksum", Options{}, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{IBAN: "CZ5508000000001234567898"}
		}, []string{`4: creditorAccount: IBAN "CZ5508000000001234567898": check digits do not match (mod 97) (AC03)`}},
		{"creditor IBAN and number disagree", Options{}, func(p *formats.Payment) { p.CreditorAccount.IBAN = "CZ6203000000001000000005" },
			[]string{`4: creditorAccount: IBAN CZ6203000000001000000005 and account "1234567899" name different accounts (its IBAN is CZ5508000000001234567899) (AC03)`}},
		{"creditor IBAN and agent disagree", Options{}, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{IBAN: "CZ6203000000001000000005"}
			p.CreditorAgent.BankCode = "0800"
		}, []string{`4: creditorAccount: IBAN CZ6203000000001000000005 is at bank 0300, but the bank code given is 0800 (AC03)`}},
		{"creditor foreign", Options{}, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{IBAN: "DE89370400440532013000"}
		}, []string{`4: creditorAccount: DE89370400440532013000 is not a Czech account: KB BATCHDA is only known to carry domestic payments (set AllowForeignCreditor to send it anyway)`}},
		{"creditor foreign allowed", Options{AllowForeignCreditor: true}, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{IBAN: "DE89370400440532013000"}
		}, nil},
		{"payer is payee", Options{}, func(p *formats.Payment) {
			p.CreditorAccount = formats.Account{IBAN: "CZ0801000000192000145399"}
		}, []string{`4: creditorAccount: CZ0801000000192000145399 is the debtor's own account: payer and payee must differ (REC_SEND)`}},
		{"unstructured too long", Options{}, func(p *formats.Payment) { p.Remittance.Unstructured = strings.Repeat("ž", 141) },
			[]string{`4: remittanceInformation.unstructured: 141 characters long; KB allows at most 140`}},
		{"unstructured 140 ok", Options{}, func(p *formats.Payment) { p.Remittance.Unstructured = strings.Repeat("ž", 140) }, nil},
		{"unstructured charset", Options{}, func(p *formats.Payment) { p.Remittance.Unstructured = "Faktura 12|dodávka @5" },
			[]string{`4: remittanceInformation.unstructured: character '|' at position 11 is not in the Czech payment character set (letters (Czech diacritics allowed), digits, space and / - ? : ( ) . , ' +) (RF01)`}},
		{"unstructured newline", Options{}, func(p *formats.Payment) { p.Remittance.Unstructured = "a\nb" },
			[]string{`4: remittanceInformation.unstructured: character U+000A at position 2 is not in the Czech payment character set (letters (Czech diacritics allowed), digits, space and / - ? : ( ) . , ' +) (RF01)`}},
		{"unstructured bad UTF-8", Options{}, func(p *formats.Payment) { p.Remittance.Unstructured = "ab\xff" },
			[]string{`4: remittanceInformation.unstructured: not valid UTF-8 (byte 3)`}},
		{"VS letters", Options{}, func(p *formats.Payment) { p.Remittance.VS = "12A" },
			[]string{`4: remittanceInformation.structured.creditorReferenceInformation.reference: VS "12A" must be digits only`}},
		{"SS too long", Options{}, func(p *formats.Payment) { p.Remittance.SS = "12345678901" },
			[]string{`4: remittanceInformation.structured.creditorReferenceInformation.reference: SS "12345678901" has more than 10 digits`}},
		{"RF reference", Options{}, func(p *formats.Payment) { p.Remittance.Reference = "RF18539007547034" },
			[]string{`4: remittanceInformation.structured: creditor reference "RF18539007547034" cannot be sent: KB carries only VS, KS and SS as structured references`}},
		{"FIK", Options{}, func(p *formats.Payment) {
			p.Remittance.FIK = &formats.FIK{Type: "71", PaymentID: "1234", Creditor: "12345678"}
		},
			[]string{`4: remittanceInformation: a Danish FIK payment (+71<1234+12345678<) cannot be sent through KB`}},
		{"creditor name control char", Options{}, func(p *formats.Payment) { p.Creditor.Name = "A\tB" },
			[]string{`4: creditor.name: "A\tB": control character U+0009 at position 2 is not allowed`}},
		{"creditor country", Options{}, func(p *formats.Payment) { p.Creditor.Country = "Czechia" },
			[]string{`4: creditor.postalAddress.country: "Czechia" is not an ISO 3166 alpha-2 country code`}},
		{"several problems at once", Options{}, func(p *formats.Payment) {
			p.RequestedDate = formats.Date{}
			p.ChargeBearer = "X"
		}, []string{`4: requestedExecutionDate: missing: KB needs the requested execution date`, `4: chargeBearer: "X" must be DEBT, CRED, SHAR or SLEV (BE19)`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := valid(t)
			tc.edit(p)
			e := NewEncoder(testSource("rules"), tc.opts)
			got := problemStrings(e.Add(p))
			if strings.Join(got, "\n") != strings.Join(tc.wants, "\n") {
				t.Errorf("problems\n got: %q\nwant: %q", got, tc.wants)
			}
			if n := len(e.Requests()); (n == 0) != (len(tc.wants) > 0) {
				t.Errorf("%d requests; a payment with problems must not be queued, a valid one must", n)
			}
		})
	}
}
