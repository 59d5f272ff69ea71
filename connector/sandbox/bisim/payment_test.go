package bisim

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func with(t tx, kv ...any) tx {
	out := tx{}
	for k, v := range t {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// TestValidation posts one transaction per case on Thursday 2015-05-21 and
// checks the exact answer: status, errors, and the amount the bank took.
func TestValidation(t *testing.T) {
	g := goodTx("V")
	move := map[string]any{"moveToNextBankDate": true}
	cases := []struct {
		name       string
		tx         tx
		opts       map[string]any
		status     int
		errs       []APIError
		instructed string // "" = no instructed amount expected
		payDate    string // ledger execution date when accepted
	}{
		{"valid domestic", g, nil, StatusCreated, nil, "154.00", "2015-05-21"},
		{"amount as JSON number", with(g, "amount", json.Number("154.5")), nil, StatusCreated, nil, "154.50", "2015-05-21"},
		{"amount with exponent", with(g, "amount", json.Number("1.5e2")), nil, StatusCreated, nil, "150.00", "2015-05-21"},
		{"one øre", with(g, "amount", "0.01"), nil, StatusCreated, nil, "0.01", "2015-05-21"},
		{"large amount exact", with(g, "amount", "92233720368547758.07"), nil, StatusCreated, nil, "92233720368547758.07", "2015-05-21"},
		{"no type, BBAN", with(g, "type", nil), nil, StatusCreated, nil, "154.00", "2015-05-21"},
		{"waitForBankResponse", g, map[string]any{"waitForBankResponse": true}, StatusPending, nil, "154.00", "2015-05-21"},
		{"three decimals", with(g, "amount", "154.001"), nil, StatusFailed,
			[]APIError{{"AM12", "amount 154.001 has more than 2 decimals"}}, "", ""},
		{"trailing zero third decimal", with(g, "amount", json.Number("154.000")), nil, StatusFailed,
			[]APIError{{"AM12", "amount 154.000 has more than 2 decimals"}}, "", ""},
		{"zero", with(g, "amount", "0.00"), nil, StatusFailed, []APIError{{"AM12", "amount 0.00 must be greater than zero"}}, "", ""},
		{"negative", with(g, "amount", json.Number("-5")), nil, StatusFailed, []APIError{{"AM12", "amount -5 must be greater than zero"}}, "", ""},
		{"missing amount", with(g, "amount", nil), nil, StatusFailed, []APIError{{"AM12", "amount is required"}}, "", ""},
		{"amount not a number", with(g, "amount", "12,50"), nil, StatusFailed, []APIError{{"AM12", `amount "12,50" is not a number`}}, "", ""},
		{"amount overflow", with(g, "amount", "92233720368547758.08"), nil, StatusFailed,
			[]APIError{{"AM12", "amount 92233720368547758.08 is out of range"}}, "", ""},
		{"lower-case currency", with(g, "currency", "dkk"), nil, StatusFailed, []APIError{{"AM03", `currency "dkk" is not an ISO 4217 code`}}, "", ""},
		{"missing currency", with(g, "currency", nil), nil, StatusFailed, []APIError{{"AM03", "currency is required"}}, "", ""},
		{"fraction of yen", with(g, "currency", "JPY", "amount", "100.50"), nil, StatusFailed,
			[]APIError{{"AM12", "amount 100.50: JPY has 0 decimals: more than 2 decimals"}}, "", ""},
		{"whole yen", with(g, "currency", "JPY", "amount", "100.00"), nil, StatusCreated, nil, "100.00", "2015-05-21"},
		{"past date", with(g, "paymentDate", "2015-05-20"), nil, StatusFailed,
			[]APIError{{"DT01", "paymentDate 2015-05-20 is in the past (bank date is 2015-05-21)"}}, "154.00", ""},
		{"past date moved", with(g, "paymentDate", "2015-05-20"), move, StatusCreated, nil, "154.00", "2015-05-21"},
		{"saturday", with(g, "paymentDate", "2015-05-23"), nil, StatusFailed,
			[]APIError{{"DT01", "paymentDate 2015-05-23 is not a bank day"}}, "154.00", ""},
		{"saturday moved to monday", with(g, "paymentDate", "2015-05-23"), move, StatusCreated, nil, "154.00", "2015-05-25"},
		{"future bank day", with(g, "paymentDate", "2015-06-01"), nil, StatusCreated, nil, "154.00", "2015-06-01"},
		{"date format", with(g, "paymentDate", "21-05-2015"), nil, StatusFailed,
			[]APIError{{"DT01", `paymentDate "21-05-2015" is not yyyy-MM-dd`}}, "154.00", ""},
		{"type 1 with IBAN", with(g, "account", "GB82WEST12345698765432"), nil, StatusFailed,
			[]APIError{{"AC01", `type 1 needs a 14-digit BBAN (reg. no. + account no.), got "GB82WEST12345698765432"`}}, "154.00", ""},
		{"type 11 IBAN", with(g, "type", 11, "account", "GB82WEST12345698765432", "currency", "EUR"), nil, StatusCreated, nil, "154.00", "2015-05-21"},
		{"type 11 bad IBAN", with(g, "type", 11, "account", "GB82WEST12345698765433"), nil, StatusFailed,
			[]APIError{{"AC01", `IBAN "GB82WEST12345698765433" has a wrong check digit`}}, "154.00", ""},
		{"FI 71", with(g, "type", 6, "account", "+71<000100017156728+81234567<"), nil, StatusCreated, nil, "154.00", "2015-05-21"},
		{"FI 71 bad check digit", with(g, "type", 6, "account", "+71<000100017156723+81234567<"), nil, StatusFailed,
			[]APIError{{"AC01", `FI string "+71<000100017156723+81234567<" for card +71: payment reference check digit is wrong`}}, "154.00", ""},
		{"FI 04", with(g, "type", 4, "account", "+04<2150263480000023+1234567<"), nil, StatusCreated, nil, "154.00", "2015-05-21"},
		{"FI 73 without closing", with(g, "type", 7, "account", "+73<+81234567"), nil, StatusCreated, nil, "154.00", "2015-05-21"},
		{"FI 01", with(g, "type", 3, "account", "+01<+1234567<"), nil, StatusCreated, nil, "154.00", "2015-05-21"},
		{"FI 75 wrong length", with(g, "type", 8, "account", "+75<123+81234567<"), nil, StatusFailed,
			[]APIError{{"AC01", `FI string "+75<123+81234567<" for card +75: payment reference must be 16 digits`}}, "154.00", ""},
		{"FI card type does not match type", with(g, "type", 6, "account", "+75<1234567890123456+81234567<"), nil, StatusFailed,
			[]APIError{{"AC01", `FI string "+75<1234567890123456+81234567<" for card +71: must start with +71<`}}, "154.00", ""},
		{"no type, FI inferred", with(g, "type", nil, "account", "+71<000100017156728+81234567<"), nil, StatusCreated, nil, "154.00", "2015-05-21"},
		{"unknown type", with(g, "type", 9), nil, StatusFailed, []APIError{{"AG03", "type 9 is not supported"}}, "154.00", ""},
		{"missing creditor", with(g, "creditor", nil), nil, StatusFailed, []APIError{{"RR03", "creditor.name is required"}}, "154.00", ""},
		{"missing paymentId", with(g, "paymentId", ""), nil, StatusFailed, []APIError{{"FF01", "paymentId is required"}}, "154.00", ""},
		{"several problems, fixed order", with(g, "amount", "1.001", "currency", "XYZ", "paymentDate", "2015-05-20", "account", "123", "creditor", nil), nil,
			StatusFailed, []APIError{
				{"AM12", "amount 1.001 has more than 2 decimals"},
				{"AM03", `currency "XYZ" is not an ISO 4217 code`},
				{"DT01", "paymentDate 2015-05-20 is in the past (bank date is 2015-05-21)"},
				{"AC01", `type 1 needs a 14-digit BBAN (reg. no. + account no.), got "123"`},
				{"RR03", "creditor.name is required"},
			}, "", ""},
	}
	h := newHarness(t, nil)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := h.sub(t)
			id := c.tx["paymentId"].(string)
			if id != "" {
				id = id + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
				c.tx = with(c.tx, "paymentId", id)
			}
			resp := h.pay([]tx{c.tx}, c.opts)
			if len(resp.Answers) != 1 {
				t.Fatalf("answers: %+v", resp.Answers)
			}
			a := resp.Answers[0]
			if a.PaymentID != id || a.Status != c.status || !reflect.DeepEqual(a.Errors, c.errs) {
				t.Fatalf("got status %d errors %#v, want %d %#v", a.Status, a.Errors, c.status, c.errs)
			}
			got := ""
			if a.Info != nil && a.Info.Instructed != nil {
				got = string(a.Info.Instructed.Amount)
			}
			if got != c.instructed {
				t.Errorf("instructed %q, want %q", got, c.instructed)
			}
			recs := h.srv.Ledger().Find(vecAccount, id)
			if len(recs) != 1 {
				t.Fatalf("ledger holds %d records", len(recs))
			}
			if c.status != StatusFailed && recs[0].PaymentDate != c.payDate {
				t.Errorf("execution date %s, want %s", recs[0].PaymentDate, c.payDate)
			}
			if recs[0].Status != a.Status {
				t.Errorf("ledger status %d, answer %d", recs[0].Status, a.Status)
			}
		})
	}
}

func TestLedgerAmountMinor(t *testing.T) {
	h := newHarness(t, nil)
	h.pay([]tx{
		with(goodTx("D"), "amount", "1234.56"),
		with(goodTx("J"), "currency", "JPY", "amount", "1234"),
		with(goodTx("K"), "currency", "KWD", "amount", "1.23"),
	}, nil)
	l := h.srv.Ledger()
	for _, c := range []struct {
		id, ccy, amount string
		minor           int64
	}{{"D", "DKK", "1234.56", 123456}, {"J", "JPY", "1234.00", 1234}, {"K", "KWD", "1.23", 1230}} {
		p := l.Find(vecAccount, c.id)
		if len(p) != 1 || p[0].AmountMinor != c.minor || p[0].Currency != c.ccy || p[0].Amount != c.amount {
			t.Errorf("%s: %+v", c.id, p)
		}
	}
}

func TestBadRequests(t *testing.T) {
	h := newHarness(t, nil)
	now := h.clock.Now()
	cases := []struct {
		name, body, code string
		auth             string
	}{
		{"not JSON", `{"requestId":`, "FORMAT", h.sig.simple(now, "R")},
		{"trailing data", `{"requestId":"R","transactions":[]} x`, "FORMAT", h.sig.simple(now, "R")},
		{"type is a string", `{"requestId":"R","transactions":[{"paymentId":"A","type":"one"}]}`, "FORMAT", h.sig.header(now, "R", []sigItem{{id: "A"}})},
		{"transaction is null", `{"requestId":"R","transactions":[null]}`, "FORMAT", h.sig.header(now, "R", []sigItem{{}})},
		{"creditor is a string", `{"requestId":"R","transactions":[{"paymentId":"A","creditor":"x"}]}`, "FORMAT", h.sig.header(now, "R", []sigItem{{id: "A"}})},
		{"empty transactions", `{"requestId":"R","transactions":[]}`, "NO_TRANSACTIONS", h.sig.header(now, "R", []sigItem{{id: "R"}})},
		{"no requestId", `{"transactions":[{"paymentId":"A"}]}`, "REQUEST_ID", h.sig.header(now, "R", []sigItem{{id: "A"}})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.do("POST", "/payment", c.auth, []byte(c.body))
			if r.Code != 400 {
				t.Fatalf("%s %s", r.Status, r.Body)
			}
			var b errorBody
			if err := json.Unmarshal(r.Body, &b); err != nil || len(b.Errors) != 1 || b.Errors[0].Code != c.code {
				t.Fatalf("body %s, want code %s", r.Body, c.code)
			}
		})
	}
	if r := h.do("GET", "/payment", h.sig.simple(now, "R"), nil); r.Code != 405 {
		t.Errorf("GET /payment: %s", r.Status)
	}
	if r := h.do("GET", "/nothing", "", nil); r.Code != 404 {
		t.Errorf("GET /nothing: %s", r.Status)
	}
}

func TestDuplicates(t *testing.T) {
	h := newHarness(t, nil)
	first := h.pay([]tx{goodTx("PAY_D")}, nil).Answers[0]
	if first.Status != StatusCreated {
		t.Fatalf("first: %+v", first)
	}

	// Same paymentId again, new requestId: refused, original untouched.
	again := h.pay([]tx{with(goodTx("PAY_D"), "amount", "999.00")}, nil).Answers[0]
	if again.Status != StatusFailed || len(again.Errors) != 1 || again.Errors[0].Code != CodeDuplicate || again.EndToEndID != "" {
		t.Fatalf("duplicate answer: %+v", again)
	}
	l := h.srv.Ledger()
	recs := l.Find(vecAccount, "PAY_D")
	if len(recs) != 1 || l.Received(vecAccount, "PAY_D") != 2 || recs[0].Received != 2 ||
		recs[0].AmountMinor != 15400 || len(recs[0].RequestIDs) != 2 || recs[0].Receptions[1].Error != CodeDuplicate {
		t.Fatalf("ledger after duplicate: %+v", recs)
	}
	if st := h.statusOf("PAY_D"); st.Status != StatusCreated || st.EndToEndID != first.EndToEndID {
		t.Errorf("status after duplicate: %+v", st)
	}

	// The same paymentId twice within one request.
	both := h.pay([]tx{goodTx("PAY_E"), goodTx("PAY_E")}, nil).Answers
	if both[0].Status != StatusCreated || both[1].Status != StatusFailed || both[1].Errors[0].Code != CodeDuplicate {
		t.Errorf("in-request duplicate: %+v", both)
	}

	// Another account may use the same paymentId.
	other := h.sig
	other.account, other.code, other.erp = otherAccount, "Other", vecERP
	r := h.payRaw(other, "R-OTHER", []tx{goodTx("PAY_D")}, nil)
	if a := decodeResp(t, r).Answers; r.Code != 200 || a[0].Status != StatusCreated {
		t.Errorf("other account: %s %s", r.Status, r.Body)
	}

	// skipDuplicateCheck creates a second payment.
	skip := h.pay([]tx{goodTx("PAY_D")}, map[string]any{"skipDuplicateCheck": true}).Answers[0]
	if skip.Status != StatusCreated || skip.EndToEndID == first.EndToEndID {
		t.Errorf("skipDuplicateCheck: %+v", skip)
	}
	if n := len(h.srv.Ledger().Find(vecAccount, "PAY_D")); n != 2 {
		t.Errorf("skipDuplicateCheck: %d records", n)
	}

	// A failed attempt does not block the corrected resend.
	bad := h.pay([]tx{with(goodTx("PAY_F"), "paymentDate", "2015-05-01")}, nil).Answers[0]
	good := h.pay([]tx{goodTx("PAY_F")}, nil).Answers[0]
	if bad.Status != StatusFailed || good.Status != StatusCreated {
		t.Errorf("resend after failure: %+v / %+v", bad, good)
	}
	if st := h.statusOf("PAY_F"); st.Status != StatusCreated || st.EndToEndID != good.EndToEndID {
		t.Errorf("status picks the live record: %+v", st)
	}
	if n := h.srv.Ledger().Received(vecAccount, "PAY_F"); n != 2 {
		t.Errorf("PAY_F received %d times", n)
	}
}
