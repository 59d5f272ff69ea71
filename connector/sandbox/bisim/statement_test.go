package bisim

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// report asks /report/account or /report/balance, by POST JSON (params
// become the body) or GET query, signed as a non-payment request.
func (h *harness) report(method, path string, params map[string]any) httpResult {
	h.t.Helper()
	id := h.reqID()
	p := map[string]any{"requestId": id}
	for k, v := range params {
		p[k] = v
	}
	if method == "GET" {
		q := url.Values{}
		for k, v := range p {
			b, _ := json.Marshal(v)
			q.Set(k, strings.Trim(string(b), `"`))
		}
		return h.do("GET", path+"?"+q.Encode(), h.sig.simple(h.clock.Now(), id), nil)
	}
	b, _ := json.Marshal(p)
	return h.do("POST", path, h.sig.simple(h.clock.Now(), id), b)
}

type testReport struct {
	Account   string `json:"account"`
	RequestID string `json:"requestId"`
	Currency  string `json:"currency"`
	Name      string `json:"name"`
	From, To  string
	Entries   []map[string]any `json:"entries"`
	Errors    []APIError       `json:"errors"`
}

func (h *harness) statement(params map[string]any) testReport {
	h.t.Helper()
	r := h.report("POST", "/report/account", params)
	if r.Code != 200 {
		h.t.Fatalf("/report/account %v: %s %s", params, r.Status, r.Body)
	}
	return decodeReport(h.t, r.Body)
}

func decodeReport(t *testing.T, b []byte) testReport {
	t.Helper()
	var out testReport
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return out
}

func ids(es []map[string]any) []string {
	var out []string
	for _, e := range es {
		out = append(out, e["id"].(string))
	}
	return out
}

// bookTwo pays 154.00 and 217.50 DKK and lets both reach 8 Succeeded.
func bookTwo(h *harness) {
	h.t.Helper()
	t2 := goodTx("PAY_02")
	t2["amount"] = "217.50"
	t2["creditorText"] = "Husleje maj"
	t2["creditorMessage"] = []string{"Lejemål 12", "Maj 2015"}
	h.pay([]tx{goodTx("PAY_01"), t2}, nil)
	h.advance("10s")
}

func TestStatementBooksSucceededPayments(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Accounts[0].Owner, c.Accounts[0].BIC = "Bennys Pølsebar", "DABADKKK" })
	if got := h.statement(nil); len(got.Entries) != 0 {
		t.Fatalf("entries before booking: %v", got.Entries)
	}
	h.pay([]tx{goodTx("PAY_00")}, nil)
	if got := h.statement(nil); len(got.Entries) != 0 {
		t.Fatalf("a payment in status 1 is on the statement: %v", got.Entries)
	}
	h.advance("10s")
	t2 := goodTx("PAY_02")
	t2["amount"] = "217.50"
	t2["creditorText"] = "Husleje maj"
	t2["creditorMessage"] = []string{"Lejemål 12", "Maj 2015"}
	h.pay([]tx{t2}, nil)
	h.advance("10s")
	led := h.srv.Ledger()
	e2e := led.Find(vecAccount, "PAY_02")[0].EndToEndID

	for _, method := range []string{"POST", "GET"} {
		r := h.report(method, "/report/account", map[string]any{"from": "2015-05-21", "to": "150521"})
		if r.Code != 200 {
			t.Fatalf("%s: %s %s", method, r.Status, r.Body)
		}
		got := decodeReport(t, r.Body)
		if got.Account != vecAccount || got.Currency != "DKK" || got.Name != "Driftkonto" || got.From != "2015-05-21T00:00:00" || got.To != "2015-05-21T00:00:00" {
			t.Errorf("%s header: %+v", method, got)
		}
		if len(got.Entries) != 2 {
			t.Fatalf("%s: %d entries: %s", method, len(got.Entries), r.Body)
		}
		e := got.Entries[1]
		want := map[string]any{
			"id": e["id"], "sequence": json.Number("2"),
			"date":   map[string]any{"booking": "2015-05-21T00:00:00", "value": "2015-05-21T00:00:00"},
			"amount": json.Number("-217.50"), "balance": json.Number("25045.50"), // 25417.00 − 154.00 − 217.50
			"text": "Faktura PAY_02", "type": "BGS", "primaryReference": e["primaryReference"], "endToEndId": e2e,
			"debtorsPaymentId": "PAY_02", "creditorText": "Husleje maj", "creditorMessage": "Lejemål 12\nMaj 2015",
			"creditorAccount": "80790000820049", "creditor": map[string]any{"name": "BankIntegration ApS"},
			"transactionCodes": map[string]any{"domain": "PMNT", "family": "ICDT", "subFamily": "DMCT"},
		}
		if !reflect.DeepEqual(e, want) {
			t.Errorf("%s entry:\n got %v\nwant %v", method, e, want)
		}
		if got.Entries[0]["amount"] != json.Number("-154.00") || got.Entries[0]["balance"] != json.Number("25263.00") {
			t.Errorf("first entry %v", got.Entries[0])
		}
		if !strings.Contains(string(r.Body), `"owner":{"name":"Bennys Pølsebar"}`) || !strings.Contains(string(r.Body), `"bic":"DABADKKK"`) {
			t.Errorf("owner/bic missing: %s", r.Body)
		}
	}
	// Ids and sequences are stable across calls.
	a, b := h.statement(nil), h.statement(nil)
	if !reflect.DeepEqual(ids(a.Entries), ids(b.Entries)) || len(a.Entries) != 2 {
		t.Errorf("ids changed: %v %v", ids(a.Entries), ids(b.Entries))
	}
	// Another day, out of range.
	if got := h.statement(map[string]any{"from": "2015-05-22", "to": "2015-05-30"}); len(got.Entries) != 0 {
		t.Errorf("next week: %v", got.Entries)
	}
	// The other account sees nothing of ours.
	if es, _ := h.srv.Entries(otherAccount); len(es) != 0 {
		t.Errorf("other account: %v", es)
	}
}

func TestStatementRequestErrors(t *testing.T) {
	h := newHarness(t, nil)
	for _, c := range []struct {
		name   string
		params map[string]any
		code   string
	}{
		{"from after to", map[string]any{"from": "2015-05-22", "to": "2015-05-21"}, CodeReportRange},
		{"from after to, short form", map[string]any{"from": "150522", "to": "150521"}, CodeReportRange},
		{"bad from", map[string]any{"from": "21-05-2015"}, CodeReportDate},
		{"bad to", map[string]any{"to": "2015-02-30"}, CodeReportDate},
		{"from after default today", map[string]any{"from": "2015-05-22"}, CodeReportRange},
	} {
		for _, path := range []string{"/report/account", "/report/balance"} {
			r := h.report("POST", path, c.params)
			got := decodeReport(t, r.Body)
			if r.Code != 400 || len(got.Errors) != 1 || got.Errors[0].Code != c.code {
				t.Errorf("%s %s: %d %s", c.name, path, r.Code, r.Body)
			}
		}
	}
	// newOnly ignores from/to, even invalid ones.
	if r := h.report("POST", "/report/account", map[string]any{"newOnly": true, "from": "2015-05-22", "to": "2015-05-21"}); r.Code != 200 {
		t.Errorf("newOnly with from>to: %d %s", r.Code, r.Body)
	}
	if r := h.report("POST", "/report/balance", map[string]any{"type": 4}); r.Code != 400 {
		t.Errorf("balance type 4: %d", r.Code)
	}
	// Signature: a hash over another requestId, a wrong integration code, no header.
	id := h.reqID()
	body, _ := json.Marshal(map[string]any{"requestId": id})
	if r := h.do("POST", "/report/account", h.sig.simple(h.clock.Now(), "OTHER"), body); r.Code != 401 {
		t.Errorf("requestId mismatch: %d", r.Code)
	}
	bad := h.sig
	bad.code = "wrong"
	if r := h.do("POST", "/report/account", bad.simple(h.clock.Now(), id), body); r.Code != 401 || !strings.Contains(r.Status, "Invalid Signature") {
		t.Errorf("wrong integration code: %s", r.Status)
	}
	if r := h.do("GET", "/report/balance?requestId="+id, "", nil); r.Code != 401 {
		t.Errorf("unsigned: %d", r.Code)
	}
	if r := h.do("PUT", "/report/account", h.sig.simple(h.clock.Now(), id), body); r.Code != 405 {
		t.Errorf("PUT: %d", r.Code)
	}
}

func TestNewOnlyCursorAndRedelivery(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "bisim.json")
	h := newHarness(t, func(c *Config) { c.StatePath = state })
	bookTwo(h)
	first := h.statement(map[string]any{"newOnly": true})
	if len(first.Entries) != 2 {
		t.Fatalf("first newOnly: %v", first.Entries)
	}
	if again := h.statement(map[string]any{"newOnly": "true"}); len(again.Entries) != 0 {
		t.Fatalf("second newOnly repeats: %v", again.Entries)
	}
	if _, err := h.srv.InjectCredit(Credit{Account: vecAccount, Amount: "1000.01", Name: "Hansen & Søn ApS", Text: "Faktura 77"}); err != nil {
		t.Fatal(err)
	}

	// Restart from the state file: the cursor survived.
	clock := h.clock
	cfg := testConfig(clock)
	cfg.StatePath = state
	s2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h2 := &harness{t: t, srv: s2, url: newTestServer(t, s2).URL, clock: clock, sig: defaultSigner(), seq: h.seq}
	third := h2.statement(map[string]any{"newOnly": true})
	if len(third.Entries) != 1 || third.Entries[0]["amount"] != json.Number("1000.01") || third.Entries[0]["balance"] != json.Number("26045.51") {
		t.Fatalf("after restart: %v", third.Entries)
	}
	if third.Entries[0]["debtor"].(map[string]any)["name"] != "Hansen & Søn ApS" || third.Entries[0]["creditorText"] != "Faktura 77" {
		t.Errorf("credit counterparty: %v", third.Entries[0])
	}
	// Armed redelivery: the last two come again, once.
	h2.control("/_sim/redeliver", map[string]any{"account": vecAccount, "count": 2}, nil)
	re := h2.statement(map[string]any{"newOnly": true})
	all := append(append([]string{}, ids(first.Entries)...), ids(third.Entries)...)
	if !reflect.DeepEqual(ids(re.Entries), all[1:]) {
		t.Errorf("redelivered %v, want %v", ids(re.Entries), all[1:])
	}
	if got := h2.statement(map[string]any{"newOnly": true}); len(got.Entries) != 0 {
		t.Errorf("redelivery not one-shot: %v", ids(got.Entries))
	}
}

func TestOverlapEntriesConfig(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.OverlapEntries = 1 })
	bookTwo(h)
	a := h.statement(map[string]any{"newOnly": true})
	b := h.statement(map[string]any{"newOnly": true})
	if len(a.Entries) != 2 || len(b.Entries) != 1 || b.Entries[0]["id"] != a.Entries[1]["id"] {
		t.Errorf("overlap: %v then %v", ids(a.Entries), ids(b.Entries))
	}
}

func TestInventedCreditsAreDeterministic(t *testing.T) {
	mk := func() *harness {
		return newHarness(t, func(c *Config) { c.Credits = Credits{Every: 6 * time.Hour, Seed: 42} })
	}
	h1, h2 := mk(), mk()
	for _, h := range []*harness{h1, h2} {
		h.pay([]tx{goodTx("PAY_01")}, nil)
		h.advance("49h")
	}
	e1, _ := h1.srv.Entries(vecAccount)
	e2, _ := h2.srv.Entries(vecAccount)
	if len(e1) > 0 && len(e2) > 0 { // the payment's endToEndId is random by design
		e2[0].EndToEndID = e1[0].EndToEndID
	}
	if len(e1) != 9 || !reflect.DeepEqual(e1, e2) { // 1 payment + 8 credits in 49 hours
		t.Fatalf("entries differ or wrong count %d:\n%v\n%v", len(e1), e1, e2)
	}
	bal := int64(2541700)
	credits := 0
	for i, e := range e1 {
		bal += e.Minor
		if e.Balance != bal || e.Sequence != int64(i+1) {
			t.Errorf("entry %d: balance %d, want %d (seq %d)", i, e.Balance, bal, e.Sequence)
		}
		if i > 0 && e.BookedAt.Before(e1[i-1].BookedAt) {
			t.Errorf("entry %d booked before its predecessor", i)
		}
		if e.Kind == EntryCredit {
			credits++
			if e.Minor < 10000 || e.Minor > 2500000 || e.PartyName == "" || e.PartyText == "" {
				t.Errorf("credit %+v", e)
			}
		}
	}
	if credits != 8 {
		t.Errorf("%d credits", credits)
	}
	// Without Credits (the default) nothing is invented.
	h3 := newHarness(t, nil)
	h3.advance("49h")
	if e, _ := h3.srv.Entries(vecAccount); len(e) != 0 {
		t.Errorf("credits invented by default: %v", e)
	}
}

func TestFullTypeAddsAmounts(t *testing.T) {
	h := newHarness(t, nil)
	bookTwo(h)
	simple := h.statement(map[string]any{"type": "Simple"})
	full := h.statement(map[string]any{"type": "Full"})
	if _, ok := simple.Entries[0]["amounts"]; ok {
		t.Errorf("Simple has amounts")
	}
	want := map[string]any{"booked": map[string]any{"amount": json.Number("154.00"), "currency": "DKK"},
		"instructed": map[string]any{"amount": json.Number("154.00"), "currency": "DKK"}}
	if !reflect.DeepEqual(full.Entries[0]["amounts"], want) {
		t.Errorf("Full amounts %v", full.Entries[0]["amounts"])
	}
}

type testBalance struct {
	From, To string
	Entries  []struct {
		Date   string      `json:"date"`
		Amount json.Number `json:"amount"`
		Type   int         `json:"type"`
	} `json:"entries"`
}

func TestBalanceReport(t *testing.T) {
	h := newHarness(t, nil)
	bookTwo(h) // 2015-05-21: 25417.00 → 25045.50
	h.advance("24h")
	if _, err := h.srv.InjectCredit(Credit{Account: vecAccount, Amount: "0.50", Name: "Skov Elektrik ApS", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	// Bank date is now 2015-05-22; its closing is not reported yet.
	get := func(method string, params map[string]any) string {
		r := h.report(method, "/report/balance", params)
		if r.Code != 200 {
			t.Fatalf("%s: %s", r.Status, r.Body)
		}
		var b testBalance
		json.Unmarshal(r.Body, &b)
		var parts []string
		for _, e := range b.Entries {
			parts = append(parts, e.Date+" "+e.Amount.String()+" "+string(rune('0'+e.Type)))
		}
		return b.From + ".." + b.To + ": " + strings.Join(parts, "; ")
	}
	for _, c := range []struct {
		method string
		params map[string]any
		want   string
	}{
		{"POST", map[string]any{"from": "2015-05-20", "to": "2015-05-23"},
			"2015-05-20..2015-05-23: 2015-05-20 25417.00 1; 2015-05-20 25417.00 2; 2015-05-21 25417.00 1; 2015-05-21 25045.50 2; 2015-05-22 25045.50 1"},
		{"GET", map[string]any{"from": "150521", "to": "150521", "type": 2}, "2015-05-21..2015-05-21: 2015-05-21 25045.50 2"},
		{"POST", map[string]any{"from": "2015-05-21", "to": "2015-05-22", "type": "1"}, "2015-05-21..2015-05-22: 2015-05-21 25417.00 1; 2015-05-22 25045.50 1"},
		{"GET", nil, "2015-05-22..2015-05-22: 2015-05-22 25045.50 1"},
	} {
		if got := get(c.method, c.params); got != c.want {
			t.Errorf("%v:\n got %s\nwant %s", c.params, got, c.want)
		}
	}
	if r := h.report("POST", "/report/balance", map[string]any{"from": "2013-01-01", "to": "2015-05-21"}); r.Code != 400 {
		t.Errorf("range too long: %d", r.Code)
	}
}

func TestCreditControl(t *testing.T) {
	h := newHarness(t, nil)
	var e Entry
	h.control("/_sim/credit", Credit{Account: vecAccount, Amount: "123.45", Name: "Aarhus Kommune", Text: "Refusion"}, &e)
	if e.Minor != 12345 || e.Balance != 2541700+12345 || e.Amount != "123.45" || e.Sequence != 1 || e.Kind != EntryCredit {
		t.Errorf("credit entry %+v", e)
	}
	for _, bad := range []Credit{
		{Account: vecAccount, Amount: "1.234", Name: "x"},
		{Account: vecAccount, Amount: "-5", Name: "x"},
		{Account: vecAccount, Amount: "0", Name: "x"},
		{Account: vecAccount, Amount: "5"},
		{Account: "00000000000000", Amount: "5", Name: "x"},
	} {
		b, _ := json.Marshal(bad)
		if r := h.do("POST", "/_sim/credit", "", b); r.Code != 400 {
			t.Errorf("%+v: %d", bad, r.Code)
		}
	}
}

func TestStatementConfigErrors(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"negative every":   func(c *Config) { c.Credits.Every = -time.Hour },
		"max below min":    func(c *Config) { c.Credits = Credits{Every: time.Hour, MinMinor: 500, MaxMinor: 100} },
		"negative overlap": func(c *Config) { c.OverlapEntries = -1 },
	} {
		cfg := testConfig(&fakeClock{t: vecTime})
		mod(&cfg)
		if _, err := New(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
