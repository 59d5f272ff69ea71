package kbjson

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"erpconnector/formats"
)

// readAll drains a reader: payments, problems rendered "line path field: msg".
func readAll(t testing.TB, r *Reader) ([]*formats.Payment, []string) {
	t.Helper()
	var ps []*formats.Payment
	for i := 0; ; i++ {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if i > 1_000_000 {
			t.Fatal("Next does not end")
		}
		ps = append(ps, p)
	}
	var probs []string
	for _, p := range r.Problems().List() {
		probs = append(probs, fmt.Sprintf("%d %s %s: %s", p.Pos.Line, p.Pos.Path, p.Field, p.Msg))
	}
	return ps, probs
}

// The spec's §8 body, indented as printed there.
const specBodyPretty = `{"batchPaymentDataCollectionRequest":[
  {"paymentIdentification":{"instructionIdentification":"INV2026001"},
   "amount":{"instructedAmount":{"value":12500.00,"currency":"CZK"}},
   "requestedExecutionDate":"2026-06-16",
   "debtorAccount":{"identification":{"iban":"CZ0801000000192000145399"},"currency":"CZK"},
   "creditorAccount":{"identification":{"iban":"CZ5508000000001234567899"},"currency":"CZK"},
   "creditor":{"name":"Dodavatel s.r.o."},
   "remittanceInformation":{"unstructured":"Faktura 2026001",
     "structured":{"creditorReferenceInformation":{"reference":["VS:2026001","KS:308"]}}}},
  {"paymentIdentification":{"instructionIdentification":"RENT202606"},
   "amount":{"instructedAmount":{"value":499.50,"currency":"CZK"}},
   "requestedExecutionDate":"2026-06-16",
   "debtorAccount":{"identification":{"iban":"CZ0801000000192000145399"},"currency":"CZK"},
   "creditorAccount":{"identification":{"iban":"CZ6203000000001000000005"},"currency":"CZK"},
   "remittanceInformation":{"unstructured":"Najem cerven",
     "structured":{"creditorReferenceInformation":{"reference":["VS:20260042","SS:1234"]}}}}
]}
`

func TestReaderSpecExample(t *testing.T) {
	ps, probs := readAll(t, NewReader(strings.NewReader("\xEF\xBB\xBF"+specBodyPretty)))
	if len(probs) > 0 {
		t.Fatalf("problems: %q", probs)
	}
	if len(ps) != 2 {
		t.Fatalf("%d payments", len(ps))
	}
	p := ps[1]
	if p.Index != 1 || p.Pos.Line != 10 || p.Pos.Path != "/batchPaymentDataCollectionRequest/1" {
		t.Errorf("payment 1 at %+v, index %d", p.Pos, p.Index)
	}
	if p.InstructionID != "RENT202606" || p.Amount.String() != "499.50 CZK" || p.RequestedDate.String() != "2026-06-16" ||
		p.DebtorAccount.IBAN != "CZ0801000000192000145399" || p.DebtorAccount.Currency != "CZK" ||
		p.CreditorAccount.IBAN != "CZ6203000000001000000005" || p.Remittance.Unstructured != "Najem cerven" ||
		p.Remittance.VS != "20260042" || p.Remittance.KS != "" || p.Remittance.SS != "1234" || p.Batch != ps[0].Batch {
		t.Errorf("payment 1 read as %+v", p)
	}
	if ps[0].Creditor.Name != "Dodavatel s.r.o." || ps[0].Remittance.KS != "308" {
		t.Errorf("payment 0 read as %+v", ps[0])
	}
	// Re-encoding gives the spec's compact body byte for byte.
	reqs := encodeAll(t, testSource("passthrough.json"), Options{}, ps)
	if len(reqs) != 1 || string(reqs[0].Body) != specBody {
		t.Errorf("re-encoded body differs:\n%s", reqs[0].Body)
	}
}

// TestReaderRoundTrip: every body the encoder writes reads back into payments
// that encode to the same bytes.
func TestReaderRoundTrip(t *testing.T) {
	opt := valid(t)
	opt.EndToEndID = "E2E 42"
	opt.Priority = formats.PriorityHigh
	opt.ChargeBearer = "SLEV"
	opt.Creditor = formats.Party{Name: "Novák & syn \"Q\"", Street: "Na Příkopě", BuildingNo: "33", PostCode: "11407", Town: "Praha 1", Country: "CZ", AddressLines: []string{"A", "B"}}
	opt.CreditorAccount = formats.Account{IBAN: "DE89370400440532013000", Currency: "EUR"}
	opt.Remittance = formats.Remittance{Unstructured: "Záloha č. 5/2026 (červen) 'x' +", KS: "0558"}
	inputs := map[string][]*formats.Payment{
		"spec":     specPayments(t),
		"optional": {opt},
		"many":     manyPayments(t, 20, []string{"19-2000145399", "2198370339"}, []string{"CZK", "EUR", "JPY"}),
	}
	opts := Options{MaxItems: 7, AllowForeignCreditor: true}
	for name, ps := range inputs {
		src := testSource(name)
		for i, r := range encodeAll(t, src, opts, ps) {
			back, probs := readAll(t, NewReaderOptions(bytes.NewReader(r.Body), opts))
			if len(probs) > 0 {
				t.Fatalf("%s request %d: problems reading our own body: %q", name, i, probs)
			}
			again := encodeAll(t, src, opts, back)
			if len(again) != 1 || !bytes.Equal(again[0].Body, r.Body) {
				t.Errorf("%s request %d: round trip differs\nfirst:  %s\nsecond: %s", name, i, r.Body, again[0].Body)
			}
		}
	}
}

func TestReaderProblems(t *testing.T) {
	item := func(fields string) string {
		return `{"paymentIdentification":{"instructionIdentification":"A1"},` +
			`"amount":{"instructedAmount":{"value":10.00,"currency":"CZK"}},"requestedExecutionDate":"2026-06-16",` +
			`"debtorAccount":{"identification":{"iban":"CZ0801000000192000145399"},"currency":"CZK"},` +
			`"creditorAccount":{"identification":{"iban":"CZ5508000000001234567899"},"currency":"CZK"}` + fields + `}`
	}
	body := func(items ...string) string {
		return "{\"batchPaymentDataCollectionRequest\":[\n" + strings.Join(items, ",\n") + "\n]}"
	}
	const p0 = "/batchPaymentDataCollectionRequest/0"
	tests := []struct {
		name, in string
		payments int
		want     []string
	}{
		{"valid", body(item("")), 1, nil},
		{"empty file", "", 0, []string{`1  : the file is empty: expected a KB BATCHDA JSON body`}},
		{"not an object", "[1]", 0, []string{`1  : a KB BATCHDA body must be a JSON object {"batchPaymentDataCollectionRequest":[...]} (FF01)`}},
		{"no array", "{}", 0, []string{`1 /batchPaymentDataCollectionRequest : missing: the body has no payments (FIELD_MISSING)`}},
		{"empty array", "{\"batchPaymentDataCollectionRequest\":[\n]}", 0, []string{`2 /batchPaymentDataCollectionRequest : is empty: KB needs at least one payment (FIELD_MISSING)`}},
		{"array is an object", `{"batchPaymentDataCollectionRequest":{"a":[1]}}`, 0, []string{
			`1 /batchPaymentDataCollectionRequest batchPaymentDataCollectionRequest: must be an array of payments (FIELD_INVALID)`}},
		{"unknown top-level key", "{\"x\":{\"y\":[1,2]},\n\"batchPaymentDataCollectionRequest\":[\n" + item("") + "]}", 1, []string{
			`1 /x x: unknown field: a KB BATCHDA body has only batchPaymentDataCollectionRequest (FIELD_INVALID)`}},
		{"trailing data", body(item("")) + " {}", 1, []string{`3  : unexpected data after the JSON object (FF01)`}},
		{"broken JSON mid-file", body(item(""), strings.Replace(item(""), `"A1"`, `"A2"`, 1), `{"amount":}`, item("")), 2, []string{
			`4  : invalid JSON: invalid character '}' looking for beginning of value (FF01)`}},
		{"truncated", body(item(""))[:60], 0, []string{`2  : invalid JSON: unexpected end of file (FF01)`}},
		{"item not an object", body(`"x"`), 1, []string{`2 ` + p0 + ` : a payment must be a JSON object (FIELD_INVALID)`}},
		{"unknown item key", body(item(`,"foo":1`)), 1, []string{`2 ` + p0 + `/foo foo: unknown field: not part of a KB BATCHDA payment item (FIELD_INVALID)`}},
		{"not supported keys", body(item(`,"exchangeRateInformation":{"exchangeRate":"25.1"},"ultimateDebtor":{"name":"X"},"creditorAgent":{"financialInstitutionIdentification":{"bic":"GIBACZPX"}}`)), 1, []string{
			`2 ` + p0 + `/exchangeRateInformation exchangeRateInformation: not supported: agreed exchange rates are not passed on`,
			`2 ` + p0 + `/ultimateDebtor ultimateDebtor: not supported: ultimate debtors are not passed on`,
			`2 ` + p0 + `/creditorAgent creditorAgent: not supported: the creditor's bank is given by the creditor IBAN`}},
		{"nested not supported", body(strings.Replace(item(""), `"iban":"CZ5508000000001234567899"}`, `"other":{"identification":"1234567899/0800"}}`, 1)), 1, []string{
			`2 ` + p0 + `/creditorAccount/identification/other creditorAccount.identification.other: not supported: give the account as identification.iban`}},
		{"duplicate key", body(item(`,"chargeBearer":"SHAR","chargeBearer":"DEBT"`)), 1, []string{
			`2 ` + p0 + `/chargeBearer chargeBearer: appears twice in the same object (FIELD_INVALID)`}},
		{"amount as string", body(strings.Replace(item(""), `10.00`, `"10.00"`, 1)), 1, []string{
			`2 ` + p0 + `/amount/instructedAmount/value amount.instructedAmount.value: must be a JSON number (FIELD_INVALID)`}},
		{"amount three decimals", body(strings.Replace(item(""), `10.00`, `10.001`, 1)), 1, []string{
			`2 ` + p0 + `/amount/instructedAmount/value amount.instructedAmount.value: 10.001 has more decimal places than CZK allows (2) (AM12)`}},
		{"amount exponent", body(strings.Replace(item(""), `10.00`, `1e3`, 1)), 1, []string{
			`2 ` + p0 + `/amount/instructedAmount/value amount.instructedAmount.value: 1e3 is not a plain decimal number such as 12500.00 (AM12)`}},
		{"amount negative", body(strings.Replace(item(""), `10.00`, `-10.00`, 1)), 1, []string{
			`2 ` + p0 + `/amount/instructedAmount/value amount.instructedAmount.value: -10.00 must be greater than zero (AM12)`}},
		{"currency unknown", body(strings.Replace(item(""), `"currency":"CZK"}}`, `"currency":"XYZ"}}`, 1)), 1, []string{
			`2 ` + p0 + `/amount/instructedAmount/currency amount.instructedAmount.currency: "XYZ" is not an ISO 4217 currency code (AM11)`}},
		{"currency missing", body(strings.Replace(item(""), `,"currency":"CZK"}}`, `}}`, 1)), 1, []string{
			`2 ` + p0 + `/amount/instructedAmount/currency amount.instructedAmount.currency: missing: the amount needs its currency (FIELD_MISSING)`}},
		{"amount missing", body(strings.Replace(item(""), `"amount":{"instructedAmount":{"value":10.00,"currency":"CZK"}},`, ``, 1)), 1, []string{
			`2 ` + p0 + `/amount/instructedAmount amount.instructedAmount: missing: KB needs an amount and its currency`}},
		{"date", body(strings.Replace(item(""), `2026-06-16`, `16.06.2026`, 1)), 1, []string{
			`2 ` + p0 + `/requestedExecutionDate requestedExecutionDate: "16.06.2026" is not a date in the form YYYY-MM-DD (DT01)`}},
		{"priority", body(item(`,"paymentTypeInformation":{"instructionPriority":"URGP"}`)), 1, []string{
			`2 ` + p0 + `/paymentTypeInformation/instructionPriority paymentTypeInformation.instructionPriority: "URGP" must be NORM, HIGH or INST (FIELD_INVALID)`}},
		{"references", body(item(`,"remittanceInformation":{"structured":{"creditorReferenceInformation":{"reference":["VS:1","XS:2","VS:3",4]}}}`)), 1, []string{
			`2 ` + p0 + `/remittanceInformation/structured/creditorReferenceInformation/reference/3 remittanceInformation.structured.creditorReferenceInformation.reference.3: must be a string (FIELD_INVALID)`,
			`2 ` + p0 + `/remittanceInformation/structured/creditorReferenceInformation/reference/1 remittanceInformation.structured.creditorReferenceInformation.reference.1: "XS:2" must be VS:, KS: or SS: followed by 1 to 10 digits (FIELD_INVALID)`,
			`2 ` + p0 + `/remittanceInformation/structured/creditorReferenceInformation/reference/2 remittanceInformation.structured.creditorReferenceInformation.reference.2: VS is given twice (FIELD_INVALID)`}},
		{"reference as a string", body(item(`,"remittanceInformation":{"structured":{"creditorReferenceInformation":{"reference":"KS:0308"}}}`)), 1, nil},
		{"unstructured charset", body(item(`,"remittanceInformation":{"unstructured":"Faktura #12"}`)), 1, []string{
			`2 ` + p0 + `/remittanceInformation/unstructured remittanceInformation.unstructured: character '#' at position 9 is not in the Czech payment character set (letters (Czech diacritics allowed), digits, space and / - ? : ( ) . , ' +) (RF01)`}},
		{"same account", body(strings.Replace(item(""), `CZ5508000000001234567899`, `CZ0801000000192000145399`, 1)), 1, []string{
			`2 ` + p0 + `/creditorAccount creditorAccount: CZ0801000000192000145399 is the debtor's own account: payer and payee must differ (REC_SEND)`}},
		{"bad IBAN", body(strings.Replace(item(""), `CZ5508000000001234567899`, `CZ5508000000001234567898`, 1)), 1, []string{
			`2 ` + p0 + `/creditorAccount creditorAccount: IBAN "CZ5508000000001234567898": check digits do not match (mod 97) (AC03)`}},
		{"not UTF-8", body(item(`,"creditor":{"name":"Dodavatel s.r.o. ` + "\x9a" + `"}`)), 1, []string{
			`2 ` + p0 + ` : byte 377 of the payment is not valid UTF-8: a KB BATCHDA body must be UTF-8 (RF01)`}},
		{"nulls are absent", body(item(`,"chargeBearer":null,"creditor":{"name":null}`)), 1, nil},
		{"wrong types", body(item(`,"chargeBearer":1,"creditor":"X","remittanceInformation":{"unstructured":["a"]}`)), 1, []string{
			`2 ` + p0 + `/chargeBearer chargeBearer: must be a string (FIELD_INVALID)`,
			`2 ` + p0 + `/creditor creditor: must be an object (FIELD_INVALID)`,
			`2 ` + p0 + `/remittanceInformation/unstructured remittanceInformation.unstructured: must be a string (FIELD_INVALID)`}},
		{"problems of every item", body(strings.Replace(item(""), `"A1"`, `"B1"`, 1), item(`,"chargeBearer":"OUR"`), item(`,"chargeBearer":"X"`)), 3, []string{
			`3 /batchPaymentDataCollectionRequest/1/chargeBearer chargeBearer: "OUR" must be DEBT, CRED, SHAR or SLEV (BE19)`,
			`4 /batchPaymentDataCollectionRequest/2/chargeBearer chargeBearer: "X" must be DEBT, CRED, SHAR or SLEV (BE19)`,
			`4 /batchPaymentDataCollectionRequest/2/paymentIdentification/instructionIdentification paymentIdentification.instructionIdentification: "A1" is already used by the payment at /batchPaymentDataCollectionRequest/1 (AM05)`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps, got := readAll(t, NewReader(strings.NewReader(tc.in)))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("problems\n got: %q\nwant: %q", got, tc.want)
			}
			if len(ps) != tc.payments {
				t.Errorf("%d payments, want %d", len(ps), tc.payments)
			}
		})
	}
}

// Lines inside a multi-line item point at the field's own line.
func TestReaderFieldLines(t *testing.T) {
	in := strings.Replace(specBodyPretty, `"value":499.50`, `"value":499.505`, 1)
	in = strings.Replace(in, `"unstructured":"Faktura 2026001"`, `"unstructured":"Faktura | 2026001"`, 1)
	_, got := readAll(t, NewReader(strings.NewReader(in)))
	want := []string{
		`8 /batchPaymentDataCollectionRequest/0/remittanceInformation/unstructured remittanceInformation.unstructured: character '|' at position 9 is not in the Czech payment character set (letters (Czech diacritics allowed), digits, space and / - ? : ( ) . , ' +) (RF01)`,
		`11 /batchPaymentDataCollectionRequest/1/amount/instructedAmount/value amount.instructedAmount.value: 499.505 has more decimal places than CZK allows (2) (AM12)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestReaderIOError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := NewReader(io.MultiReader(strings.NewReader(specBodyPretty[:900]), iotest.ErrReader(boom)))
	var err error
	for range 10 {
		if _, err = r.Next(); err != nil {
			break
		}
	}
	if !errors.Is(err, boom) {
		t.Errorf("Next = %v, want the reader's error", err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after an I/O error Next = %v, want io.EOF", err)
	}
}

func TestReaderOptions(t *testing.T) {
	in := strings.Replace(specBodyPretty, `CZ5508000000001234567899`, `DE89370400440532013000`, 1)
	_, probs := readAll(t, NewReader(strings.NewReader(in)))
	if len(probs) != 1 || !strings.Contains(probs[0], "is not a Czech account") {
		t.Errorf("default options: %q", probs)
	}
	_, probs = readAll(t, NewReaderOptions(strings.NewReader(in), Options{AllowForeignCreditor: true}))
	if len(probs) != 0 {
		t.Errorf("AllowForeignCreditor: %q", probs)
	}
	_, probs = readAll(t, NewReaderOptions(strings.NewReader(specBodyPretty), Options{ProcessingMode: "SLOW"}))
	if len(probs) != 1 || !strings.Contains(probs[0], "processing mode") {
		t.Errorf("bad options: %q", probs)
	}
}
