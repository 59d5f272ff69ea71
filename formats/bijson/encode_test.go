package bijson

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"erpconnector/formats"
	"erpconnector/formats/money"
	"erpconnector/internal/testenv"
)

// specPath is the BankIntegration spec, read in place (never copied here).
func specPath(t *testing.T) string { return testenv.Shared(t, "specs", "bankintegration.md") }

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
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
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n got: %s\nwant: %s", name, got, want)
	}
}

// indent renders a body for a golden file; json.Compact of it gives the
// body back byte for byte, because the body has no insignificant space.
func indent(t *testing.T, body []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, body); err != nil || !bytes.Equal(b.Bytes(), body) {
		t.Fatalf("body is not compact JSON: %v\n%s", err, body)
	}
	b.Reset()
	if err := json.Indent(&b, body, "", "  "); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	b.WriteByte('\n')
	return b.Bytes()
}

var testSource = Source{SHA256: sha256.Sum256([]byte("test file")), Name: "test.xml"}

const (
	debtorIBAN = "DK8152470021527478" // BBAN 52470021527478, the spec's account
	specBBAN   = "52470021527478"
)

func dkk(minor int64) money.Amount { return money.Amount{Minor: minor, Currency: "DKK"} }

// docsPayments are the two transactions of the docs' example request
// (bankintegration.md §3.1) as the model holds them.
func docsPayments() []*formats.Payment {
	batch := &formats.Batch{ID: "B1"}
	return []*formats.Payment{
		{
			Index: 0, Pos: formats.Pos{Line: 3}, Batch: batch,
			InstructionID: "PAY_01", Amount: dkk(15400), RequestedDate: formats.Date{Year: 2015, Month: 4, Day: 15},
			DebtorAccount:   formats.Account{IBAN: debtorIBAN},
			CreditorAccount: formats.Account{Number: "80790000820049", Country: "DK"},
			Creditor:        formats.Party{Name: "BankIntegration ApS"},
			OwnText:         "Tekst på mit kontoudtog",
			Remittance:      formats.Remittance{Unstructured: "På modtagers kontoudtog"},
		},
		{
			Index: 1, Pos: formats.Pos{Line: 6}, Batch: batch,
			InstructionID: "PAY_02", Amount: dkk(21750), RequestedDate: formats.Date{Year: 2015, Month: 4, Day: 16},
			Priority:        formats.PriorityHigh,
			DebtorAccount:   formats.Account{IBAN: debtorIBAN},
			CreditorAccount: formats.Account{Number: "80790000820064", Country: "DK"},
			Creditor:        formats.Party{Name: "Peter Hansen", Street: "Per Gøgls Vej", BuildingNo: "54", PostCode: "1234", Town: "Gødstrup"},
			OwnText:         "Anden tekst på kontoudtog",
			Remittance:      formats.Remittance{Unstructured: "På modtagers kontoudtog\nDette er test nr. 2\nfra mig til dig ;-)"},
		},
	}
}

// docsOptions are the options of the docs' example.
func docsOptions() Options {
	o := DefaultOptions("MyERP")
	o.RequestOptions = RequestOptions{WaitForBankResponse: true, CheckPaymentStatus: true, MoveToNextBankDate: true}
	return o
}

func encodeAll(t *testing.T, src Source, opts Options, ps []*formats.Payment) []Request {
	t.Helper()
	e := NewEncoder(src, opts)
	for _, p := range ps {
		if probs := e.Add(p); len(probs) > 0 {
			t.Fatalf("payment %d: %v", p.Index, probs)
		}
	}
	return e.Requests()
}

func TestEncodeDocsExample(t *testing.T) {
	rs := encodeAll(t, testSource, docsOptions(), docsPayments())
	if len(rs) != 1 {
		t.Fatalf("%d requests, want 1", len(rs))
	}
	r := rs[0]
	golden(t, "docs-example.json", indent(t, r.Body))
	if r.Method != "POST" || r.Path != "/payment" || r.Headers["Content-Type"] != "application/json" || len(r.Headers) != 1 {
		t.Errorf("request line/headers: %s %s %v", r.Method, r.Path, r.Headers)
	}
	if r.DebtorAccount != specBBAN {
		t.Errorf("DebtorAccount = %s", r.DebtorAccount)
	}
	if r.RequestID != RequestID(testSource.SHA256, 1) || !bytes.HasPrefix(r.Body, []byte(`{"requestId":"`+r.RequestID+`",`)) {
		t.Errorf("requestId %s not at the start of the body", r.RequestID)
	}
	if len(r.Payments) != 2 || r.Payments[0] != 0 || r.Payments[1] != 1 {
		t.Errorf("Payments = %v", r.Payments)
	}
	// The hash inputs are exactly the spec's §2.5 transactions, so the header
	// of this request carries the spec's hashes.
	if len(r.Hash) != 2 || r.Hash[0] != specTxs[0] || r.Hash[1] != specTxs[1] {
		t.Fatalf("Hash = %+v, want %+v", r.Hash, specTxs)
	}
	h, err := PaymentAuthorization(specCreds, "REQ_01", r.Hash, specNow)
	if err != nil {
		t.Fatal(err)
	}
	hd, _ := DecodeAuthorization(h)
	if hd.Hash[0].Hash != specPay01Hash || hd.Hash[1].Hash != specPay02Hash {
		t.Errorf("hashes %+v", hd.Hash)
	}
}

// docsBody extracts the docs' example request from the spec.
func docsBody(t *testing.T) []byte {
	t.Helper()
	spec, err := os.ReadFile(specPath(t))
	if err != nil {
		t.Fatal(err)
	}
	s := string(spec)
	i := strings.Index(s, "Docs example request (S3)")
	if i < 0 {
		t.Fatal("spec: docs example not found")
	}
	s = s[i:]
	start := strings.Index(s, "```json\n") + len("```json\n")
	end := strings.Index(s[start:], "```")
	return []byte(s[start : start+end])
}

// TestEncodeMatchesDocsExample compares our body with the docs' example,
// field by field. Two differences are intended: every transaction carries an
// explicit type (1, as C2 sends) and urgency (1 normal where the docs leave
// it out), and amounts are written with exactly two decimals (154.00 for the
// docs' 154.0).
func TestEncodeMatchesDocsExample(t *testing.T) {
	docs := decodeGeneric(t, docsBody(t))
	ours := decodeGeneric(t, encodeAll(t, testSource, docsOptions(), docsPayments())[0].Body)
	if !equalJSON(docs["options"], ours["options"]) {
		t.Errorf("options: docs %v, ours %v", docs["options"], ours["options"])
	}
	dt, ot := docs["transactions"].([]any), ours["transactions"].([]any)
	if len(dt) != len(ot) {
		t.Fatalf("%d transactions, docs have %d", len(ot), len(dt))
	}
	for i := range dt {
		d, o := dt[i].(map[string]any), ot[i].(map[string]any)
		for k, dv := range d {
			ov, ok := o[k]
			switch {
			case !ok:
				t.Errorf("transaction %d: %s missing", i, k)
			case k == "amount":
				dd, err1 := money.ParseDec(string(dv.(json.Number)))
				od, err2 := money.ParseDec(string(ov.(json.Number)))
				var sum money.Sum
				sum.Add(od)
				if err1 != nil || err2 != nil || !sum.Equal(dd) || !isAmount2(od.String()) {
					t.Errorf("transaction %d: amount %v, docs %v", i, ov, dv)
				}
			case !equalJSON(dv, ov):
				t.Errorf("transaction %d: %s = %v, docs %v", i, k, ov, dv)
			}
		}
		for k, ov := range o {
			if _, ok := d[k]; !ok {
				if !(k == "type" && ov == json.Number("1")) && !(k == "urgency" && ov == json.Number("1")) {
					t.Errorf("transaction %d: extra %s = %v", i, k, ov)
				}
			}
		}
	}
}

func decodeGeneric(t *testing.T, b []byte) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	return m
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// Every request the encoder makes can be signed at send time and verifies
// with the header account of that request.
func TestEncodedRequestsSign(t *testing.T) {
	ps := benchPayments(5)
	ps[3].DebtorAccount = formats.Account{IBAN: "DK7364600001234567"}
	o := DefaultOptions("MyERP")
	o.MaxTransactions = 2
	for _, r := range encodeAll(t, testSource, o, ps) {
		c := specCreds
		c.Account = r.DebtorAccount
		h, err := PaymentAuthorization(c, r.RequestID, r.Hash, specNow)
		if err != nil {
			t.Fatal(err)
		}
		hd, _ := DecodeAuthorization(h)
		if err := Verify(hd, c, r.Hash); err != nil {
			t.Errorf("request %s: %v", r.RequestID, err)
		}
		var body struct {
			Transactions []struct {
				PaymentID string `json:"paymentId"`
				Account   string `json:"account"`
			}
		}
		json.Unmarshal(r.Body, &body)
		for i, x := range body.Transactions {
			if hd.Hash[i].ID != x.PaymentID || r.Hash[i].CreditorAccount != x.Account {
				t.Errorf("request %s tx %d: hash input %+v, body %+v", r.RequestID, i, r.Hash[i], x)
			}
		}
	}
}
