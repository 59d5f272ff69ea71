package kbsim

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"erpconnector/formats/account"
)

// fuzzServer is a simulator with a live bpisp token, served in process.
func fuzzServer(tb testing.TB) (*Server, string) {
	clock := &fakeClock{t: testStart}
	s, err := New(testConfig(clock))
	if err != nil {
		tb.Fatal(err)
	}
	s.mu.Lock()
	tok := s.mintLocked(kindAccess, testClient, []string{ScopeADAA, ScopeBPISP}, "fuzz", "authorization_code", testStart)
	s.mu.Unlock()
	return s, tok
}

func postBatch(s *Server, tok string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", PathBatchPayments, bytes.NewReader(body))
	for k, v := range batchHeaders(tok, "FUZZ-1") {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w
}

// FuzzBatch: random bodies never panic; the answer is 200 or 400; a 400
// carries coded errors and keeps nothing; a 200 is only given to a body that
// an independent reading (encoding/json + math/big) finds valid on the rules
// that matter for money: positive amounts with at most 2 decimals and their
// exact total, one currency, one consented debtor, valid distinct IBANs,
// identifications and dates.
func FuzzBatch(f *testing.F) {
	f.Add([]byte(specBody))
	f.Add([]byte(strings.ReplaceAll(specBody, "12500.00", "1.25e4")))
	f.Add([]byte(strings.ReplaceAll(specBody, "12500.00", "0.001")))
	f.Add([]byte(strings.ReplaceAll(specBody, `["VS:2026001","KS:308"]`, `"VS:2026001"`)))
	f.Add([]byte(strings.ReplaceAll(specBody, "2026-06-16", "2026-06-15")))
	f.Add([]byte(strings.Replace(specBody, debtorIBAN, debtor2IBAN, 1)))
	f.Add([]byte(`{"batchPaymentDataCollectionRequest":[]}`))
	f.Add([]byte(`{"batchPaymentDataCollectionRequest":[{}]}`))
	f.Add([]byte(`{"batchPaymentDataCollectionRequest":[{"amount":{"instructedAmount":{"value":1e400,"currency":"CZK"}}}]}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`))
	f.Add([]byte("{\"batchPaymentDataCollectionRequest\":\"\xff\"}"))
	s, tok := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		// Start each input from an empty ledger: the duplicate check must not
		// refuse a valid body because an earlier input was accepted, and the
		// reception log must not grow across millions of inputs.
		if err := s.Reset(); err != nil {
			t.Fatal(err)
		}
		w := postBatch(s, tok, body)
		switch w.Code {
		case http.StatusBadRequest:
			var eb errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &eb); err != nil || len(eb.Errors) == 0 {
				t.Fatalf("400 without errors: %s", w.Body)
			}
			for _, e := range eb.Errors {
				if e.Error == "" || e.Message == "" {
					t.Fatalf("uncoded error %+v", e)
				}
			}
			if n := len(s.Ledger().Batches); n != 0 {
				t.Fatalf("a refused body kept %d batches", n)
			}
		case http.StatusOK:
			var resp BatchResponse
			if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
				t.Fatal(err)
			}
			checkAccepted(t, body, resp)
		default:
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
	})
}

// checkAccepted re-reads an accepted body independently of the server code.
func checkAccepted(t *testing.T, body []byte, resp BatchResponse) {
	t.Helper()
	var root struct {
		Items []struct {
			PaymentIdentification struct {
				InstructionIdentification *string `json:"instructionIdentification"`
			} `json:"paymentIdentification"`
			Amount struct {
				InstructedAmount struct {
					Value    json.Number `json:"value"`
					Currency string      `json:"currency"`
				} `json:"instructedAmount"`
			} `json:"amount"`
			Date          string `json:"requestedExecutionDate"`
			DebtorAccount struct {
				Identification struct{ IBAN string } `json:"identification"`
			} `json:"debtorAccount"`
			CreditorAccount struct {
				Identification struct{ IBAN string } `json:"identification"`
			} `json:"creditorAccount"`
		} `json:"batchPaymentDataCollectionRequest"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		t.Fatalf("accepted a body encoding/json cannot read: %v", err)
	}
	if len(root.Items) == 0 || resp.TransactionDebitCount != len(root.Items) || resp.RejectedTransactionDebitCount != 0 || resp.InstructionStatus != "ACTC" {
		t.Fatalf("counts %+v for %d items", resp, len(root.Items))
	}
	total := new(big.Rat)
	hundred := big.NewRat(100, 1)
	ccy, debtor := root.Items[0].Amount.InstructedAmount.Currency, root.Items[0].DebtorAccount.Identification.IBAN
	for i, it := range root.Items {
		v, ok := new(big.Rat).SetString(string(it.Amount.InstructedAmount.Value))
		if !ok || v.Sign() <= 0 || !new(big.Rat).Mul(v, hundred).IsInt() {
			t.Fatalf("item %d: accepted amount %q", i, it.Amount.InstructedAmount.Value)
		}
		total.Add(total, v)
		if it.Amount.InstructedAmount.Currency != ccy || ccy != "CZK" {
			t.Fatalf("item %d: currency %q in a %s batch", i, it.Amount.InstructedAmount.Currency, ccy)
		}
		d, c := it.DebtorAccount.Identification.IBAN, it.CreditorAccount.Identification.IBAN
		if d != debtor || (d != debtorIBAN && d != debtor2IBAN) || account.ValidateIBAN(c) != nil || c == d {
			t.Fatalf("item %d: accounts %q → %q", i, d, c)
		}
		if id := it.PaymentIdentification.InstructionIdentification; id == nil || *id == "" || utf8.RuneCountInString(*id) > 35 {
			t.Fatalf("item %d: instructionIdentification %v", i, id)
		}
		if day, err := time.Parse(dateLayout, it.Date); err != nil || it.Date < "2026-06-16" || day.Format(dateLayout) != it.Date {
			t.Fatalf("item %d: date %q", i, it.Date)
		}
	}
	got, ok := new(big.Rat).SetString(string(resp.TotalDebitAmount))
	if !ok || got.Cmp(total) != 0 {
		t.Fatalf("totalDebitAmount %s, independent sum %s", resp.TotalDebitAmount, total.FloatString(2))
	}
	sum := sha1.Sum(body)
	if resp.BatchDigest != strings.ToUpper(hex.EncodeToString(sum[:])) {
		t.Fatalf("digest %s", resp.BatchDigest)
	}
}

// FuzzPlainDecimal: the exponent expansion is exact (math/big agrees).
func FuzzPlainDecimal(f *testing.F) {
	for _, s := range []string{"12500.00", "1.25e3", "5E-1", "-1e2", "0.5e1", "1e40", "1.000e-5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, n string) {
		// Only JSON number literals, exactly as the decoder hands them over,
		// reach plainDecimal.
		dec := json.NewDecoder(strings.NewReader(n))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			return
		}
		if num, ok := v.(json.Number); !ok || string(num) != n {
			return
		}
		p, err := plainDecimal(n)
		if err != nil {
			return
		}
		want, ok1 := new(big.Rat).SetString(n)
		got, ok2 := new(big.Rat).SetString(p)
		if !ok1 || !ok2 || want.Cmp(got) != 0 || strings.ContainsAny(p, "eE+") {
			t.Fatalf("plainDecimal(%s) = %s", n, p)
		}
	})
}

func BenchmarkBatch(b *testing.B) {
	s, tok := fuzzServer(b)
	s.cfg.DisableDuplicateCheck = true
	body := []byte(specBody)
	for b.Loop() {
		if w := postBatch(s, tok, body); w.Code != 200 {
			b.Fatal(w.Code)
		}
		s.mu.Lock()
		s.st.Batches, s.st.Receptions = nil, nil
		s.mu.Unlock()
	}
}
