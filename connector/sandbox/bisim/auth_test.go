package bisim

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The §2.5 test vectors, verbatim from the spec.
const (
	vecToken      = "fb54b44efd85cd0f7c4c8ea9d317df6d127d726a7ad5b638480289de54ad4658"
	vecSimpleHash = "7DeeOxPzNdz2icDVUtYz/yE4/ZEcteLNDE1T9+2GKAk="
	vecHeader     = "eyJzZXJ2aWNlUHJvdmlkZXIiOiJNeUVSUCIsImFjY291bnQiOiI1MjQ3MDAyMTUyNzQ3OCIsInRpbWUiOiIyMDE1LTA1LTIxVDEwOjQ1OjIzIiwicmVxdWVzdElkIjoiUkVRXzAxIiwiaGFzaCI6W3siaWQiOiJSRVFfMDEiLCJoYXNoIjoiN0RlZU94UHpOZHoyaWNEVlV0WXoveUU0L1pFY3RlTE5ERTFUOSsyR0tBaz0ifV19"
	vecWrongHash  = "Fd9wO/2EeLh6lrFs2ymlAPLaOKZTrHrKveRYKz21t/A="
	vecPay01Hash  = "+WcRKn8qTIcZAUXviRxHohkHbr/qPcOMd11UU2CD1F0="
	vecPay02Hash  = "Ilz0zHUlXcfw6elI0fj8i0kPLmEP5VkrFsURelhEKUk="
)

// docsPayment is the §3.1 docs example request, amounts as JSON numbers.
const docsPayment = `{
  "requestId": "REQ_01",
  "transactions": [
    { "paymentId": "PAY_01", "paymentDate": "2015-04-15", "amount": 154.0, "currency": "DKK",
      "account": "80790000820049", "text": "Tekst på mit kontoudtog", "creditorText": "På modtagers kontoudtog",
      "creditor": { "name": "BankIntegration ApS" } },
    { "paymentId": "PAY_02", "paymentDate": "2015-04-16", "urgency": 2, "amount": 217.5, "currency": "DKK",
      "account": "80790000820064", "text": "Anden tekst på kontoudtog", "creditorText": "På modtagers kontoudtog",
      "creditorMessage": [ "Dette er test nr. 2", "fra mig til dig ;-)" ],
      "creditor": { "name": "Peter Hansen", "streetName": "Per Gøgls Vej", "streetNbr": "54",
                    "postalCode": "1234", "city": "Gødstrup" } }
  ],
  "options": { "waitForBankResponse": true, "checkPaymentStatus": true, "moveToNextBankDate": true,
               "useIban": false, "skipDuplicateCheck": false }
}`

func TestSpecVectorsServerSide(t *testing.T) {
	s, err := New(testConfig(&fakeClock{t: vecTime}))
	if err != nil {
		t.Fatal(err)
	}
	h, aerr := parseAuthorization("Basic " + vecHeader)
	if aerr != nil {
		t.Fatal(aerr)
	}
	id, aerr := s.identify(h, vecTime)
	if aerr != nil {
		t.Fatal(aerr)
	}
	if id.token != vecToken {
		t.Errorf("token %s, want %s", id.token, vecToken)
	}
	if got := id.mac("REQ_01", signed{ID: "REQ_01"}); got != vecSimpleHash {
		t.Errorf("simple hash %s, want %s", got, vecSimpleHash)
	}
	for _, c := range []struct {
		x    signed
		want string
	}{
		{signed{"PAY_01", "DKK", "20150415", "154.00", "80790000820049"}, vecPay01Hash},
		{signed{"PAY_02", "DKK", "20150416", "217.50", "80790000820064"}, vecPay02Hash},
	} {
		if got := id.mac("REQ_01", c.x); got != c.want {
			t.Errorf("%s: hash %s, want %s", c.x.ID, got, c.want)
		}
	}
	if k, _ := guidKey(vecKey); base64.StdEncoding.EncodeToString(k) != base64.StdEncoding.EncodeToString([]byte{0x5b, 0xad, 0x8f, 0x0f, 0xcb, 0xd9, 0x9f, 0x46, 0xa1, 0x65, 0x70, 0x86, 0x77, 0x28, 0x95, 0x0e}) {
		t.Errorf("GUID key bytes %x", k)
	}
	// The test signer reproduces the documented header byte for byte.
	sig := defaultSigner()
	sig.prefix = ""
	if got := sig.simple(vecTime, "REQ_01"); got != vecHeader {
		t.Errorf("test signer header differs from the spec vector:\n%s\n%s", got, vecHeader)
	}
}

func TestSpecVectorsOverHTTP(t *testing.T) {
	h := newHarness(t, nil)
	for _, prefix := range []string{"Basic ", "BASIC ", "basic ", ""} {
		r := h.do("GET", "/status?requestId=REQ_01", prefix+vecHeader, nil)
		if r.Code != 200 {
			t.Fatalf("prefix %q: %s %s", prefix, r.Status, r.Body)
		}
		got := decodeResp(t, r)
		if got.Account != vecAccount || got.RequestID != "REQ_01" || got.Time != "2015-05-21T12:45:23+02:00" {
			t.Errorf("prefix %q: response header %+v", prefix, got)
		}
	}

	// The negative vector: HMAC keyed with the GUID text is refused.
	wrong := strings.Replace(mustB64Decode(t, vecHeader), vecSimpleHash, vecWrongHash, 1)
	r := h.do("GET", "/status?requestId=REQ_01", "Basic "+base64.StdEncoding.EncodeToString([]byte(wrong)), nil)
	if r.Code != 401 || r.Status != "401 Invalid Signature" {
		t.Fatalf("negative vector: %s %s", r.Status, r.Body)
	}

	// The docs payment with the documented per-transaction hashes.
	hdr := hdrJSON{ServiceProvider: vecERP, Account: vecAccount, Time: "2015-05-21T10:45:23", RequestID: "REQ_01",
		Hash: []hdrHash{{"PAY_01", vecPay01Hash}, {"PAY_02", vecPay02Hash}}}
	r = h.do("POST", "/payment", h.sig.headerFrom(hdr), []byte(docsPayment))
	if r.Code != 200 {
		t.Fatalf("docs payment: %s %s", r.Status, r.Body)
	}
	resp := decodeResp(t, r)
	if len(resp.Answers) != 2 {
		t.Fatalf("answers %+v", resp.Answers)
	}
	for i, want := range []struct{ id, amount string }{{"PAY_01", "154.00"}, {"PAY_02", "217.50"}} {
		a := resp.Answers[i]
		// waitForBankResponse: already at the bank; the past dates were moved.
		if a.PaymentID != want.id || a.Status != StatusPending || len(a.Errors) != 0 ||
			a.Info == nil || a.Info.Instructed == nil || string(a.Info.Instructed.Amount) != want.amount ||
			a.Info.Instructed.Currency != "DKK" || len(a.EndToEndID) != 32 || strings.ToUpper(a.EndToEndID) != a.EndToEndID {
			t.Errorf("answer %d: %+v info %+v", i, a, a.Info)
		}
	}
	if resp.Answers[0].TransID == "" || resp.Answers[0].TransID != resp.Answers[1].TransID {
		t.Errorf("one transId per request, got %q and %q", resp.Answers[0].TransID, resp.Answers[1].TransID)
	}
	// The raw JSON carries the amount as a number with two decimals.
	if !strings.Contains(string(r.Body), `"instructed":{"amount":217.50,"currency":"DKK"}`) {
		t.Errorf("amount not written as 217.50: %s", r.Body)
	}
	l := h.srv.Ledger()
	if p := l.Find(vecAccount, "PAY_01"); len(p) != 1 || p[0].PaymentDate != "2015-05-21" || p[0].RequestedDate != "2015-04-15" || p[0].AmountMinor != 15400 {
		t.Errorf("ledger PAY_01: %+v", p)
	}
}

func mustB64Decode(t *testing.T, s string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestUnauthorized(t *testing.T) {
	two := []tx{goodTx("P1"), goodTx("P2")}
	type call struct {
		method, path, auth string
		body               []byte
	}
	payBody := func(reqID string, txs []tx) []byte {
		b, _ := json.Marshal(map[string]any{"requestId": reqID, "transactions": txs})
		return b
	}
	statusBody := func(reqID string) []byte {
		b, _ := json.Marshal(map[string]any{"requestId": reqID, "paymentIds": []string{"X"}})
		return b
	}
	base := defaultSigner()
	cases := []struct {
		name string
		code string
		make func(now time.Time) call
	}{
		{"no header", AuthHeader, func(now time.Time) call { return call{"POST", "/status", "", statusBody("R")} }},
		{"not base64", AuthHeader, func(now time.Time) call { return call{"POST", "/status", "Basic ***", statusBody("R")} }},
		{"not json", AuthHeader, func(now time.Time) call {
			return call{"POST", "/status", "Basic " + base64.StdEncoding.EncodeToString([]byte("[1,2]")), statusBody("R")}
		}},
		{"unknown ERP", AuthERP, func(now time.Time) call {
			s := base
			s.erp = "NoSuchERP"
			return call{"POST", "/status", s.simple(now, "R"), statusBody("R")}
		}},
		{"unknown account", AuthAccount, func(now time.Time) call {
			s := base
			s.account = "99990000000001"
			return call{"POST", "/status", s.simple(now, "R"), statusBody("R")}
		}},
		{"account not linked to ERP", AuthAccount, func(now time.Time) call {
			s := base
			s.erp, s.apiKey = "OtherERP", "11111111-2222-3333-4444-555555555555"
			return call{"POST", "/status", s.simple(now, "R"), statusBody("R")}
		}},
		{"wrong integration code", AuthHash, func(now time.Time) call {
			s := base
			s.code = "TestKode124"
			return call{"POST", "/status", s.simple(now, "R"), statusBody("R")}
		}},
		{"wrong API key", AuthHash, func(now time.Time) call {
			s := base
			s.apiKey = "0f8fad5b-d9cb-469f-a165-70867728950f"
			return call{"POST", "/status", s.simple(now, "R"), statusBody("R")}
		}},
		{"key as UTF-8 text", AuthHash, func(now time.Time) call {
			s := base
			s.keyAsText = true
			return call{"POST", "/status", s.simple(now, "R"), statusBody("R")}
		}},
		{"time 11 minutes behind", AuthTime, func(now time.Time) call {
			return call{"POST", "/status", base.simple(now.Add(-11*time.Minute), "R"), statusBody("R")}
		}},
		{"time 11 minutes ahead", AuthTime, func(now time.Time) call {
			return call{"POST", "/status", base.simple(now.Add(11*time.Minute), "R"), statusBody("R")}
		}},
		{"time with offset", AuthTime, func(now time.Time) call {
			h := hdrJSON{ServiceProvider: vecERP, Account: vecAccount, Time: now.Format(time.RFC3339), RequestID: "R",
				Hash: []hdrHash{{"R", base.hash(now, "R", sigItem{id: "R"})}}}
			return call{"POST", "/status", base.headerFrom(h), statusBody("R")}
		}},
		{"status: two hash objects", AuthHashCount, func(now time.Time) call {
			return call{"POST", "/status", base.header(now, "R", []sigItem{{id: "R"}, {id: "R"}}), statusBody("R")}
		}},
		{"status: hash id is not the requestId", AuthHashCount, func(now time.Time) call {
			return call{"POST", "/status", base.header(now, "R", []sigItem{{id: "X"}}), statusBody("R")}
		}},
		{"status: requestId differs", AuthRequestID, func(now time.Time) call {
			return call{"POST", "/status", base.simple(now, "R"), statusBody("R2")}
		}},
		{"GET status: requestId differs", AuthRequestID, func(now time.Time) call {
			return call{"GET", "/status?requestId=Q", base.simple(now, "R"), nil}
		}},
		{"payment: one hash for two transactions", AuthHashCount, func(now time.Time) call {
			return call{"POST", "/payment", base.header(now, "R", txItems(two[:1])), payBody("R", two)}
		}},
		{"payment: hashes in the wrong order", AuthHashCount, func(now time.Time) call {
			it := txItems(two)
			return call{"POST", "/payment", base.header(now, "R", []sigItem{it[1], it[0]}), payBody("R", two)}
		}},
		{"payment: signed like a status request", AuthHashCount, func(now time.Time) call {
			return call{"POST", "/payment", base.simple(now, "R"), payBody("R", two[:1])}
		}},
		{"payment: requestId differs", AuthRequestID, func(now time.Time) call {
			return call{"POST", "/payment", base.header(now, "R", txItems(two)), payBody("R2", two)}
		}},
		{"payment: amount changed after signing", AuthHash, func(now time.Time) call {
			changed := []tx{goodTx("P1"), goodTx("P2")}
			changed[1]["amount"] = "1154.00"
			return call{"POST", "/payment", base.header(now, "R", txItems(two)), payBody("R", changed)}
		}},
		{"payment: creditor account changed after signing", AuthHash, func(now time.Time) call {
			changed := []tx{goodTx("P1")}
			changed[0]["account"] = "80790000820064"
			return call{"POST", "/payment", base.header(now, "R", txItems(two[:1])), payBody("R", changed)}
		}},
		{"cancel: requestId differs", AuthRequestID, func(now time.Time) call {
			return call{"POST", "/payment/cancel", base.simple(now, "R"), statusBody("R2")}
		}},
	}
	h := newHarness(t, nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := c.make(h.clock.Now())
			r := h.do(cl.method, cl.path, cl.auth, cl.body)
			if r.Code != 401 || r.Status != "401 Invalid Signature" {
				t.Fatalf("got %s %s", r.Status, r.Body)
			}
			var body errorBody
			if err := json.Unmarshal(r.Body, &body); err != nil || len(body.Errors) != 1 || body.Errors[0].Code != c.code ||
				!strings.HasPrefix(body.Errors[0].Text, "Invalid Signature: ") {
				t.Fatalf("body %s (err %v), want code %s", r.Body, err, c.code)
			}
		})
	}
	if n := len(h.srv.Ledger().Payments); n != 0 {
		t.Errorf("unauthorized requests stored %d payments", n)
	}
	// The boundary of the window is accepted.
	r := h.do("GET", "/status?requestId=R", base.simple(h.clock.Now().Add(-10*time.Minute), "R"), nil)
	if r.Code != 200 {
		t.Errorf("time exactly MaxSkew old: %s %s", r.Status, r.Body)
	}
}
