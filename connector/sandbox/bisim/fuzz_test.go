package bisim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func fuzzServer(tb testing.TB) *Server {
	s, err := New(testConfig(&fakeClock{t: vecTime}))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// FuzzAuthorization: the header parser never panics, every refusal carries a
// code, and a header that is accepted stops being accepted as soon as any
// character of any HMAC is changed.
func FuzzAuthorization(f *testing.F) {
	sig := defaultSigner()
	f.Add("Basic "+vecHeader, uint16(0), byte('A'))
	f.Add("BASIC "+vecHeader, uint16(43), byte('='))
	f.Add(vecHeader, uint16(7), byte('/'))
	f.Add(sig.header(vecTime, "R", []sigItem{{id: "R"}, {id: "R"}}), uint16(3), byte('x'))
	f.Add(sig.simple(vecTime.Add(-9*60e9), "Ré ünïcode"), uint16(12), byte('0'))
	f.Add("Basic e30=", uint16(0), byte(0))
	f.Add("Basic "+base64.StdEncoding.EncodeToString([]byte(`{"serviceProvider":"MyERP","account":"52470021527478","time":"2015-05-21T10:45:23","requestId":"R","hash":[{"id":"R","hash":7}]}`)), uint16(0), byte(0))
	f.Add("Basic not base64!", uint16(0), byte(0))
	s := fuzzServer(f)
	f.Fuzz(func(t *testing.T, header string, pos uint16, with byte) {
		h, aerr := parseAuthorization(header)
		if aerr != nil {
			if aerr.Code != AuthHeader || aerr.Text == "" {
				t.Fatalf("parse refusal %+v", aerr)
			}
			return
		}
		if !accepted(s, h) {
			return
		}
		// Accepted: the hash must be the HMAC the server computes, and
		// altering any byte of it must be refused.
		hash := h.Hash[0].Hash
		i := int(pos) % len(hash)
		if hash[i] == with {
			with ^= 1
		}
		altered := h
		altered.Hash = append([]hashItem(nil), h.Hash...)
		altered.Hash[0].Hash = hash[:i] + string(with) + hash[i+1:]
		js, _ := json.Marshal(altered)
		h2, aerr := parseAuthorization("Basic " + base64.StdEncoding.EncodeToString(js))
		if aerr != nil {
			t.Fatalf("re-encoded header refused by the parser: %v", aerr)
		}
		if accepted(s, h2) {
			t.Fatalf("altered hash %q (was %q) accepted", altered.Hash[0].Hash, hash)
		}
	})
}

// accepted runs identity and signature checks the way /status does.
func accepted(s *Server, h authHeader) bool {
	id, aerr := s.identify(h, vecTime)
	if aerr != nil {
		return false
	}
	return id.verify(h.RequestID, []signed{{ID: h.RequestID}}) == nil
}

// FuzzAmount: the exact reader agrees with math/big on every input it takes,
// including the half-away-from-zero rounding used for the hash payload, and
// formatting what it read reads back the same.
func FuzzAmount(f *testing.F) {
	for _, s := range []string{"154.0", "217.5", "0.01", "154.001", "154.005", "-0.005", "1e2", "1.5E-1", "0", "-0",
		"92233720368547758.07", "92233720368547758.075", "92233720368547758.08", "01", "1.", ".5", "+1", "1e", "1e99999999",
		"0.000000000000000000000000000000000000000000000000000001", "12,50", "NaN", "1_000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseDecimalText(s)
		if err != nil && !errors.Is(err, errAmountDecimals) && !errors.Is(err, errAmountRange) && !errors.Is(err, errAmountSyntax) {
			t.Fatalf("%q: unexpected error %v", s, err)
		}
		if errors.Is(err, errAmountSyntax) {
			return
		}
		if a.Cents < 0 {
			t.Fatalf("%q: negative magnitude %d", s, a.Cents)
		}
		hasExp := strings.ContainsAny(s, "eE")
		if len(s) > 200 || hasExp && (len(s) > 40 || errors.Is(err, errAmountRange)) {
			return // keep big.Rat cheap; it refuses huge exponents anyway
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("%q accepted but math/big cannot read it", s)
		}
		r.Abs(r)
		hund := new(big.Rat).Mul(r, big.NewRat(100, 1))
		q, m := new(big.Int).QuoRem(hund.Num(), hund.Denom(), new(big.Int))
		if m.Sign() != 0 && new(big.Int).Mul(m, big.NewInt(2)).Cmp(hund.Denom()) >= 0 {
			q.Add(q, big.NewInt(1)) // half away from zero on the magnitude
		}
		if errors.Is(err, errAmountRange) {
			if q.IsInt64() && q.Int64() < math.MaxInt64 {
				t.Fatalf("%q: out of range but is %s hundredths", s, q)
			}
			return
		}
		if !q.IsInt64() || q.Int64() != a.Cents {
			t.Fatalf("%q: read %d hundredths, math/big says %s", s, a.Cents, q)
		}
		if err == nil && m.Sign() != 0 {
			t.Fatalf("%q: a value with a remainder was read as exact", s)
		}
		back, err2 := parseDecimalText(formatCents(a.Cents))
		if err2 != nil || back.Cents != a.Cents {
			t.Fatalf("%q: %s reads back as %d (%v)", s, formatCents(a.Cents), back.Cents, err2)
		}
	})
}

// FuzzPaymentRequest drives a signed /payment with arbitrary bodies through
// the real handler: whatever the body, the answer is 200 with one answer per
// transaction in a legal status, or a 400; failures always carry errors;
// accepted payments are exactly what validation allows.
func FuzzPaymentRequest(f *testing.F) {
	f.Add([]byte(docsPayment))
	for _, b := range []string{
		`{"requestId":"R","transactions":[{"paymentId":"A","paymentDate":"2015-05-21","amount":"1.00","currency":"DKK","account":"80790000820049","type":1,"creditor":{"name":"x"}}]}`,
		`{"requestId":"R","transactions":[{"paymentId":"A","paymentDate":"2015-05-23","amount":1e1,"currency":"EUR","account":"GB82WEST12345698765432","type":11,"creditor":{"name":"x"}},{"paymentId":"A"}],"options":{"moveToNextBankDate":true}}`,
		`{"requestId":"R","transactions":[{"paymentId":"B","paymentDate":"2015-06-01","amount":"0.005","currency":"JPY","account":"+71<000100017156728+81234567<","type":6,"creditor":{"name":"y"}}]}`,
		`{"requestId":"R","transactions":[]}`,
		`{"requestId":"R","transactions":[{"paymentId":"C","type":"1"}]}`,
		`[]`,
	} {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s := fuzzServer(t)
		req, txs, err := decodePaymentRequest(body)
		reqID := req.RequestID
		var items []sigItem
		if err == nil {
			for i := range txs {
				x := txs[i].signed()
				items = append(items, sigItem{x.ID, x.Currency, x.PayDate, x.Amount, x.CredAcc})
			}
		}
		if len(items) == 0 {
			items = []sigItem{{id: reqID}}
		}
		r := httptest.NewRequest("POST", "/payment", bytes.NewReader(body))
		r.Header.Set("Authorization", defaultSigner().header(vecTime, reqID, items))
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if reqID == "" {
			// A header cannot carry an empty requestId: 401 before the body.
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("empty requestId answered %d: %s", w.Code, w.Body)
			}
			return
		}
		if err != nil || len(txs) == 0 {
			if w.Code != http.StatusBadRequest {
				t.Fatalf("bad request answered %d: %s", w.Code, w.Body)
			}
			return
		}
		if w.Code != http.StatusOK {
			t.Fatalf("answered %d: %s", w.Code, w.Body)
		}
		var resp response
		dec := json.NewDecoder(w.Body)
		dec.UseNumber()
		if err := dec.Decode(&resp); err != nil {
			t.Fatal(err)
		}
		if len(resp.Answers) != len(txs) {
			t.Fatalf("%d answers for %d transactions", len(resp.Answers), len(txs))
		}
		l := s.Ledger()
		for i, a := range resp.Answers {
			switch a.Status {
			case StatusCreated, StatusPending:
			case StatusFailed:
				if len(a.Errors) == 0 {
					t.Fatalf("answer %d: 32 without errors", i)
				}
				for _, e := range a.Errors {
					if len(e.Code) != 4 || e.Text == "" {
						t.Fatalf("answer %d: error %+v", i, e)
					}
				}
				continue
			default:
				t.Fatalf("answer %d: status %d", i, a.Status)
			}
			recs := l.Find(vecAccount, a.PaymentID)
			if len(recs) == 0 {
				t.Fatalf("answer %d not in the ledger", i)
			}
			p := recs[len(recs)-1]
			if p.PaymentID == "" || p.AmountMinor <= 0 || p.CreditorName == "" || a.Info == nil || a.Info.Instructed == nil {
				t.Fatalf("accepted an incomplete payment: %+v", p)
			}
			if _, perr := parseDecimalText(string(a.Info.Instructed.Amount)); perr != nil {
				t.Fatalf("instructed amount %q", a.Info.Instructed.Amount)
			}
			if p.PaymentDate < "2015-05-21" {
				t.Fatalf("accepted execution date %s in the past", p.PaymentDate)
			}
		}
	})
}
