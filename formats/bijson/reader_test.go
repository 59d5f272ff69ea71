package bijson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

var routeDebtor = formats.Account{IBAN: debtorIBAN}

// readAll reads every payment and the problems.
func readAll(t testing.TB, body []byte, debtor formats.Account) ([]*formats.Payment, []formats.Problem, *Reader) {
	t.Helper()
	r := NewReader(bytes.NewReader(body), debtor)
	var ps []*formats.Payment
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		ps = append(ps, p)
		if len(ps) > 1_000_000 {
			t.Fatal("Next does not end")
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next after EOF: %v", err)
	}
	return ps, r.Problems().List(), r
}

var _ formats.PaymentReader = (*Reader)(nil)

// The docs' example, dropped as is, maps to the model and re-encodes to
// exactly our golden body of the same example.
func TestReadDocsExample(t *testing.T) {
	ps, probs, r := readAll(t, docsBody(t), routeDebtor)
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	if len(ps) != 2 {
		t.Fatalf("%d payments", len(ps))
	}
	want := docsPayments()
	// The reader always writes creditorText + "\n" + message lines, so that
	// the encoder takes creditorText as given instead of deriving it.
	want[0].Remittance.Unstructured += "\n"
	for i, p := range ps {
		w := want[i]
		w.Batch, w.Pos = p.Batch, p.Pos
		if !equalJSON(p, w) {
			got, _ := json.Marshal(p)
			exp, _ := json.Marshal(w)
			t.Errorf("payment %d\n got %s\nwant %s", i, got, exp)
		}
	}
	if ps[0].Pos != (formats.Pos{Line: 4, Path: "/transactions/0"}) || ps[1].Pos != (formats.Pos{Line: 7, Path: "/transactions/1"}) {
		t.Errorf("positions %v %v", ps[0].Pos, ps[1].Pos)
	}
	if r.RequestID() != "REQ_01" || ps[0].Batch.MessageID != "REQ_01" {
		t.Errorf("requestId %q", r.RequestID())
	}
	o, ok := r.Options()
	if !ok || o != docsOptions().RequestOptions {
		t.Errorf("options %+v %v", o, ok)
	}
	opts := DefaultOptions("MyERP")
	opts.RequestOptions = o
	rs := encodeAll(t, testSource, opts, ps)
	golden(t, "docs-example.json", indent(t, rs[0].Body))
}

// Bodies the encoder writes read back to payments that encode to the same
// body, byte for byte.
func TestReadRoundTrip(t *testing.T) {
	var ps []*formats.Payment
	add := func(mod func(*formats.Payment)) {
		p := basePayment()
		p.Index = len(ps)
		p.InstructionID = ""
		mod(p)
		ps = append(ps, p)
	}
	add(func(p *formats.Payment) {})
	add(func(p *formats.Payment) {
		p.Remittance.FIK = &formats.FIK{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}
		p.OwnText = "FIK"
	})
	add(func(p *formats.Payment) {
		p.Remittance = formats.Remittance{FIK: &formats.FIK{Type: "75", PaymentID: "1234567890123456", Creditor: "81234567"}, Unstructured: "Tak"}
	})
	add(func(p *formats.Payment) {
		p.Amount = money.Amount{Minor: 1000, Currency: "JPY"}
		p.CreditorAccount = formats.Account{IBAN: "DE89370400440532013000"}
		p.CreditorAgent.BIC = "COBADEFFXXX"
		p.Creditor = formats.Party{Name: "Müller GmbH", Street: "Hauptstr.", BuildingNo: "1", PostCode: "10115", Town: "Berlin", Country: "DE"}
		p.Priority = formats.PriorityHigh
	})
	add(func(p *formats.Payment) {
		p.Remittance.Unstructured = "Faktura 2025-0012 og 2025-0013 samt kreditnota 2025-0002, tak for samarbejdet"
	})
	add(func(p *formats.Payment) {
		p.Remittance = formats.Remittance{Reference: "RF18539007547034", Unstructured: "Faktura 12"}
		p.InstructionID = "ERP/2025/12 a"
	})
	add(func(p *formats.Payment) {
		p.Amount = money.Amount{Minor: 1230, Currency: "BHD"}
		p.CreditorAgent.BIC = "DABADKKK"
	})

	rs := encodeAll(t, testSource, DefaultOptions("MyERP"), ps)
	if len(rs) != 1 {
		t.Fatalf("%d requests", len(rs))
	}
	back, probs, _ := readAll(t, rs[0].Body, routeDebtor)
	if len(probs) != 0 {
		t.Fatalf("problems reading our own body: %v\n%s", probs, rs[0].Body)
	}
	again := encodeAll(t, testSource, DefaultOptions("MyERP"), back)
	if !bytes.Equal(again[0].Body, rs[0].Body) {
		t.Errorf("re-encoded body differs\n got %s\nwant %s", again[0].Body, rs[0].Body)
	}
	golden(t, "roundtrip.json", indent(t, rs[0].Body))
}

func TestReadProblems(t *testing.T) {
	const okTx = `{"paymentId":"P1","paymentDate":"2025-03-14","amount":1.00,"currency":"DKK","account":"80790000820049","creditor":{"name":"N"}}`
	wrap := func(tx string) string { return `{"requestId":"R","transactions":[` + tx + `]}` }
	tests := []struct {
		name string
		body string
		want []string // "line path field: message"
	}{
		{"minimal", wrap(okTx), nil},
		{"unknown key", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"N"},"endToEndId":"x"}`),
			[]string{"1 /transactions/0/endToEndId endToEndId: unknown key"}},
		{"unknown creditor key", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"N","iban":"x"}}`),
			[]string{"1 /transactions/0/creditor/iban creditor.iban: unknown key"}},
		{"unknown top-level key", `{"requestId":"R","user":"u","transactions":[` + okTx + `]}`,
			[]string{"1 /user user: unknown key"}},
		{"missing keys", wrap(`{"paymentId":"P1"}`), []string{
			"1 /transactions/0/paymentDate paymentDate: is missing", "1 /transactions/0/amount amount: is missing",
			"1 /transactions/0/currency currency: is missing", "1 /transactions/0/account account: is missing",
			"1 /transactions/0/creditor creditor: is missing"}},
		{"null paymentId", wrap(`{"paymentId":null,"paymentDate":"2025-03-14","amount":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/paymentId paymentId: is missing"}},
		{"empty paymentId", wrap(`{"paymentId":"","paymentDate":"2025-03-14","amount":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/paymentId paymentId: is empty"}},
		{"amount as string", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":"154.00","currency":"DKK","account":"80790000820049","creditor":{"name":"N"}}`), nil},
		{"amount 3 decimals", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":154.000,"currency":"DKK","account":"80790000820049","creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/amount amount: 154.000 has 3 decimal places; BankIntegration takes at most 2"}},
		{"amount exponent", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1.54e2,"currency":"DKK","account":"80790000820049","creditor":{"name":"N"}}`),
			[]string{`1 /transactions/0/amount amount: "1.54e2" is not a plain decimal number`}},
		{"amount negative", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":-5,"currency":"DKK","account":"80790000820049","creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/amount amount: -5: the amount must be greater than zero"}},
		{"amount zero string", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":"0.00","currency":"DKK","account":"80790000820049","creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/amount amount: 0.00: the amount must be greater than zero"}},
		{"amount boolean", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":true,"currency":"DKK","account":"80790000820049","creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/amount amount: must be a number or a numeric string, not a boolean"}},
		{"JPY with cents", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1000.50,"currency":"JPY","account":"DE89370400440532013000","creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/amount amount: 1000.50 has more decimal places than JPY allows"}},
		{"unknown currency", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"currency":"XXX","account":"80790000820049","creditor":{"name":"N"}}`),
			[]string{`1 /transactions/0/currency currency: "XXX" is not an ISO 4217 currency code`}},
		{"bad date", wrap(`{"paymentId":"P1","paymentDate":"2025-02-30","amount":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"N"}}`),
			[]string{`1 /transactions/0/paymentDate paymentDate: "2025-02-30" is not a date in the form 2006-01-02`}},
		{"unknown urgency", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","urgency":3,"amount":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/urgency urgency: urgency 3 is not known (1 normal, 2 same day)"}},
		{"unsupported type", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"type":9,"currency":"DKK","account":"80790000820049","creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/type type: type 9 is not supported (1 domestic, 3–8 FIK, 11 IBAN)"}},
		{"type mismatch FIK", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"type":7,"currency":"DKK","account":"` + fik71 + `","creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/account account: type 7 does not go with the FIK +71 line " + fik71}},
		{"type mismatch BBAN", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"type":11,"currency":"DKK","account":"80790000820049","creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/account account: type 11 does not go with the Danish account 80790000820049 (type 1)"}},
		{"type 1 with IBAN", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"type":1,"currency":"DKK","account":"DK2280790000820049","creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/account account: type 1 does not go with the IBAN DK2280790000820049 (type 11)"}},
		{"bad account", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"currency":"DKK","account":"12345","creditor":{"name":"N"}}`),
			[]string{`1 /transactions/0/account account: "12345" is neither a 14-digit Danish account, a FIK line nor an IBAN: IBAN "12345" must start with a 2-letter country code and 2 check digits`}},
		{"bad FIK", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"currency":"DKK","account":"+71<000100017156723+81234567<","creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/account account: FIK +71 payment ID 000100017156723: check digit is 3, expected 8"}},
		{"text with line break", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"currency":"DKK","account":"80790000820049","text":"a\nb","creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/text text: contains a line break"}},
		{"message not strings", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"currency":"DKK","account":"80790000820049","creditorMessage":"x","creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/creditorMessage creditorMessage: must be an array of strings, not a string"}},
		{"message line break", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"currency":"DKK","account":"80790000820049","creditorMessage":["a","b\r"],"creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/creditorMessage/1 creditorMessage: line 2 contains a line break"}},
		{"creditor not object", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"currency":"DKK","account":"80790000820049","creditor":"N"}`),
			[]string{"1 /transactions/0/creditor creditor: must be an object, not a string"}},
		{"duplicate key", wrap(`{"paymentId":"P1","paymentId":"P2","paymentDate":"2025-03-14","amount":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/paymentId paymentId: the key appears twice"}},
		{"name not string", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"currency":"DKK","account":"80790000820049","creditor":{"name":5}}`),
			[]string{"1 /transactions/0/creditor/name creditor.name: must be a string, not a number"}},
		{"element not object", wrap(`5,` + okTx), []string{"1 /transactions/0 transactions: must be an object, not a number"}},
		{"no transactions key", `{"requestId":"R"}`, []string{"1 /transactions transactions: the body has no transactions"}},
		{"empty transactions", `{"requestId":"R","transactions":[]}`, []string{"1 /transactions transactions: the body has no transactions"}},
		{"transactions not array", `{"requestId":"R","transactions":{"a":[1,{"b":2}]}}`,
			[]string{"1 /transactions transactions: must be an array, not an object"}},
		{"requestId not string", `{"requestId":5,"transactions":[` + okTx + `]}`, []string{"1 /requestId requestId: must be a non-empty string"}},
		{"duplicate top-level key", `{"requestId":"R","requestId":"S","transactions":[` + okTx + `]}`, []string{"1 /requestId requestId: the key appears twice"}},
		{"options", `{"transactions":[` + okTx + `],"options":{"useIban":1,"fast":true}}`, []string{
			"1 /options/useIban useIban: must be true or false, not a number", "1 /options/fast fast: unknown option"}},
		{"options not object", `{"transactions":[` + okTx + `],"options":[]}`, []string{"1 /options options: must be an object, not an array"}},
		{"not an object", `[` + okTx + `]`, []string{"1  : a BankIntegration payment body is a JSON object, not an array"}},
		{"empty file", ``, []string{"1  : the file ends before the JSON body is complete"}},
		{"truncated", wrap(okTx)[:60], []string{"1  : the file ends before the JSON body is complete"}},
		{"syntax error", "{\n\"requestId\":\"R\",\n\"transactions\":[\n" + okTx + ",\n{\"paymentId\" \"P2\"}]}",
			[]string{"5  : invalid JSON: invalid character '\"' after object key"}},
		{"trailing data", wrap(okTx) + ` {}`, []string{"1  : data after the JSON object: an object"}},
		{"trailing garbage", wrap(okTx) + ` x`, []string{"1  : invalid JSON: invalid character 'x' looking for beginning of value"}},
		{"byte order mark", "\xef\xbb\xbf" + wrap(okTx), nil},
		{"escaped key and value", wrap(`{"paymentI\u0064":"P\u0031","paymentDate":"2025-03-14","amount":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"N\u00f8"}}`), nil},
		{"invalid UTF-8", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"currency":"DKK","account":"80790000820049","text":"` + "\xff" + `","creditor":{"name":"N"}}`),
			[]string{"1 /transactions/0/text text: is not valid UTF-8"}},
		{"many keys, one twice", wrap(`{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"N"},` +
			`"k1":1,"k2":1,"k3":1,"k4":1,"k5":1,"k6":1,"k7":1,"k8":1,"k9":1,"k10":1,"k11":1,"k12":1,"account":"x"}`),
			[]string{"1 /transactions/0/account account: the key appears twice",
				"1 /transactions/0/k1 k1: unknown key", "1 /transactions/0/k2 k2: unknown key", "1 /transactions/0/k3 k3: unknown key",
				"1 /transactions/0/k4 k4: unknown key", "1 /transactions/0/k5 k5: unknown key", "1 /transactions/0/k6 k6: unknown key",
				"1 /transactions/0/k7 k7: unknown key", "1 /transactions/0/k8 k8: unknown key", "1 /transactions/0/k9 k9: unknown key",
				"1 /transactions/0/k10 k10: unknown key", "1 /transactions/0/k11 k11: unknown key", "1 /transactions/0/k12 k12: unknown key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs, _ := readAll(t, []byte(tt.body), routeDebtor)
			var got []string
			for _, p := range probs {
				got = append(got, itoa(p.Pos.Line)+" "+p.Pos.Path+" "+p.Field+": "+p.Msg)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestReadLinesAndValues(t *testing.T) {
	body := "{\n  \"requestId\": \"REQ_9\",\n  \"transactions\": [\n" +
		"    {\"paymentId\": \"A\", \"paymentDate\": \"2025-03-14\", \"amount\": \"1000.00\", \"currency\": \"JPY\",\n" +
		"     \"account\": \"DE89370400440532013000\", \"type\": 11, \"urgency\": 2,\n" +
		"     \"creditor\": {\"name\": \"N\", \"bic\": \"COBADEFFXXX\"}},\n" +
		"    {\"paymentId\": \"B\", \"paymentDate\": \"2025-03-15\", \"amount\": 154.0, \"currency\": \"DKK\",\n" +
		"     \"account\": \"" + fik71 + "\",\n" +
		"     \"creditor\": {\n        \"name\": \"M\",\n        \"zip\": \"1\"}}\n" +
		"  ]\n}\n"
	ps, probs, _ := readAll(t, []byte(body), formats.Account{})
	if len(ps) != 2 {
		t.Fatalf("%d payments", len(ps))
	}
	want := []string{
		"0  debtor account: the route names no debtor account, and a BankIntegration body does not carry one",
		"11 /transactions/1/creditor/zip creditor.zip: unknown key",
	}
	var got []string
	for _, p := range probs {
		got = append(got, itoa(p.Pos.Line)+" "+p.Pos.Path+" "+p.Field+": "+p.Msg)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems\n got %q\nwant %q", got, want)
	}
	a, b := ps[0], ps[1]
	if a.Pos.Line != 4 || b.Pos.Line != 7 {
		t.Errorf("lines %d %d", a.Pos.Line, b.Pos.Line)
	}
	if a.Amount != (money.Amount{Minor: 1000, Currency: "JPY"}) || a.Priority != formats.PriorityHigh ||
		a.CreditorAccount.IBAN != "DE89370400440532013000" || a.CreditorAgent.BIC != "COBADEFFXXX" || a.InstructionID != "A" {
		t.Errorf("payment A: %+v", a)
	}
	if b.Amount != dkk(15400) || b.Remittance.FIK == nil || b.Remittance.FIK.String() != fik71 || !b.CreditorAccount.IsZero() ||
		b.RequestedDate != (formats.Date{Year: 2025, Month: 3, Day: 15}) {
		t.Errorf("payment B: %+v", b)
	}
	if !a.DebtorAccount.IsZero() || a.Batch != b.Batch || a.Batch.MessageID != "REQ_9" {
		t.Errorf("debtor/batch: %+v %+v", a.DebtorAccount, a.Batch)
	}
}

func TestReadIOError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := NewReader(io.MultiReader(strings.NewReader(`{"transactions":[`), iotest.ErrReader(boom)), routeDebtor)
	_, err := r.Next()
	if !errors.Is(err, boom) {
		t.Fatalf("Next error = %v, want the reader's error", err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("after an I/O error Next = %v, want io.EOF", err)
	}
}

func TestReadValueTooLarge(t *testing.T) {
	big := `{"transactions":[{"paymentId":"` + strings.Repeat("x", MaxValueBytes) + `"}]}`
	ps, probs, _ := readAll(t, []byte(big), routeDebtor)
	if len(ps) != 0 || len(probs) != 1 || probs[0].Msg != "a value is larger than 1048576 bytes; the file cannot be read further" {
		t.Fatalf("payments %d, problems %v", len(ps), probs)
	}
	// Many ordinary transactions are fine: the bound is per value.
	var b strings.Builder
	b.WriteString(`{"transactions":[`)
	const n = 3000
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(`{"paymentId":"P` + itoa(i) + `","paymentDate":"2025-03-14","amount":1,"currency":"DKK","account":"80790000820049","creditor":{"name":"` + strings.Repeat("n", 500) + `"}}`)
	}
	b.WriteString("]}")
	ps, probs, _ = readAll(t, []byte(b.String()), routeDebtor)
	if len(ps) != n || len(probs) != 0 || ps[n-1].Pos.Line != n {
		t.Fatalf("%d payments, problems %v, last line %d", len(ps), probs, ps[len(ps)-1].Pos.Line)
	}
}

// A reader that hands out one byte at a time must give the same result.
func TestReadOneByteReader(t *testing.T) {
	body := docsBody(t)
	r := NewReader(iotest.OneByteReader(bytes.NewReader(body)), routeDebtor)
	n := 0
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Pos.Line != []int{4, 7}[n] {
			t.Errorf("payment %d at line %d", n, p.Pos.Line)
		}
		n++
	}
	if n != 2 || r.Problems().Len() != 0 {
		t.Fatalf("%d payments, problems %v", n, r.Problems().List())
	}
}

// A DKK payment to a Danish IBAN sent as type 11 is re-encoded as the
// domestic transfer it is, unless the route sends Danish IBANs as IBANs.
func TestReadDanishIBANType11(t *testing.T) {
	body := `{"transactions":[{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"type":11,"currency":"DKK","account":"DK2280790000820049","creditor":{"name":"N","bic":"DABADKKK"}}]}`
	ps, probs, _ := readAll(t, []byte(body), routeDebtor)
	if len(probs) != 0 {
		t.Fatal(probs)
	}
	if got := tx(t, encodeAll(t, testSource, DefaultOptions("E"), ps)); !strings.Contains(got, `"type":1,"currency":"DKK","account":"80790000820049"`) {
		t.Errorf("default: %s", got)
	}
	o := DefaultOptions("E")
	o.DomesticIBANAsIBAN = true
	if got := tx(t, encodeAll(t, testSource, o, ps)); !strings.Contains(got, `"type":11,"currency":"DKK","account":"DK2280790000820049"`) {
		t.Errorf("DomesticIBANAsIBAN: %s", got)
	}
}
