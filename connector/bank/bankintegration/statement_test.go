package bankintegration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"erpconnector/connector/bank"
	"erpconnector/connector/sandbox/bisim"
	"erpconnector/formats"
	"erpconnector/formats/bijson"
	"erpconnector/formats/statement"
)

const (
	apiKey  = "0f8fad5b-d9cb-469f-a165-70867728950e"
	code    = "TestKode123"
	account = "52470021527478"
	erp     = "MyERP"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

var day = time.Date(2015, 5, 21, 10, 45, 23, 0, time.UTC) // a Thursday

type sim struct {
	t   *testing.T
	srv *bisim.Server
	c   *Client
	n   int
}

func newSim(t *testing.T, mod func(*bisim.Config)) *sim {
	t.Helper()
	clk := &clock{t: day}
	cfg := bisim.Config{
		ERPs: map[string]string{erp: apiKey},
		Accounts: []bisim.Account{{BBAN: account, IntegrationCode: code, Currency: "DKK", Name: "Driftkonto",
			OpeningBalance: 2541700, Owner: "Bennys Pølsebar", BIC: "DABADKKK"}},
		Now: clk.Now,
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := bisim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return &sim{t: t, srv: s, c: &Client{BaseURL: hs.URL, ERP: erp, APIKey: apiKey, Codes: map[string]string{account: code}, Now: clk.Now}}
}

// pay submits one payment through the client and lets it book.
func (s *sim) pay(amount, text string) {
	s.t.Helper()
	s.n++
	id := fmt.Sprintf("PAY_%02d", s.n)
	reqID := fmt.Sprintf("REQ_%02d", s.n)
	body, _ := json.Marshal(map[string]any{"requestId": reqID, "transactions": []any{map[string]any{
		"paymentId": id, "paymentDate": "2015-05-21", "amount": amount, "currency": "DKK", "account": "80790000820049",
		"type": 1, "text": text, "creditorText": "Faktura " + id, "creditor": map[string]any{"name": "BankIntegration ApS"}}}})
	h := []bijson.HashInput{{PaymentID: id, Currency: "DKK", PaymentDate: "20150521", Amount: amount, CreditorAccount: "80790000820049"}}
	r, err := s.c.Submit(context.Background(), account, reqID, body, h)
	if err != nil || len(r.Answers) != 1 || r.Answers[0].Status != StatusCreated {
		s.t.Fatalf("submit: %v %+v", err, r)
	}
	if _, err := s.srv.AdvanceClock(10 * time.Second); err != nil {
		s.t.Fatal(err)
	}
}

func (s *sim) credit(amount, name, text string) {
	s.t.Helper()
	if _, err := s.srv.InjectCredit(bisim.Credit{Account: account, Amount: amount, Name: name, Text: text, FromAccount: "30000001234567"}); err != nil {
		s.t.Fatal(err)
	}
}

var d21 = formats.Date{Year: 2015, Month: 5, Day: 21}

func TestStatementFromSimulator(t *testing.T) {
	s := newSim(t, nil)
	s.pay("154.00", "Leverandør 1")
	s.credit("1000.05", "Hansen & Søn ApS", "Faktura 2015-77")
	s.pay("217.50", "Leverandør 2")
	led := s.srv.Ledger()

	res, err := s.c.Statement(context.Background(), account, d21, d21, false)
	if err != nil {
		t.Fatal(err)
	}
	st := res.Statement
	if st.Account.Number != account || st.Currency != "DKK" || st.Name != "Driftkonto" || st.Owner != "Bennys Pølsebar" ||
		st.BIC != "DABADKKK" || st.From != d21 || st.To != d21 || st.Created.IsZero() {
		t.Errorf("header %+v", st)
	}
	if !res.BalancesKnown || st.Opening.Minor != 2541700 || st.Closing.Minor != 2541700-15400+100005-21750 {
		t.Errorf("balances %v %+v %+v", res.BalancesKnown, st.Opening, st.Closing)
	}
	if err := st.Check(); err != nil {
		t.Error(err)
	}
	if len(st.Entries) != 3 {
		t.Fatalf("%d entries", len(st.Entries))
	}
	want := []statement.Entry{
		{ID: st.Entries[0].ID, BookingDate: d21, ValueDate: d21, Minor: -15400, Currency: "DKK",
			EndToEndID: led.Find(account, "PAY_01")[0].EndToEndID, BankReference: st.Entries[0].BankReference, InstructionID: "PAY_01",
			Counterparty: formats.Party{Name: "BankIntegration ApS"}, CounterpartyAccount: formats.Account{Number: "80790000820049", Country: "DK"},
			Remittance: formats.Remittance{Unstructured: "Faktura PAY_01"}, Text: "Leverandør 1",
			TxCode: statement.TxCode{Domain: "PMNT", Family: "ICDT", SubFamily: "DMCT"}},
		{ID: st.Entries[1].ID, BookingDate: d21, ValueDate: d21, Minor: 100005, Currency: "DKK", BankReference: st.Entries[1].BankReference,
			Counterparty: formats.Party{Name: "Hansen & Søn ApS"}, CounterpartyAccount: formats.Account{Number: "30000001234567", Country: "DK"},
			Remittance: formats.Remittance{Unstructured: "Faktura 2015-77"}, Text: "Indbetaling Hansen & Søn ApS",
			TxCode: statement.TxCode{Domain: "PMNT", Family: "RCDT", SubFamily: "DMCT"}},
	}
	for i, w := range want {
		if g := st.Entries[i]; fmt.Sprintf("%+v", g) != fmt.Sprintf("%+v", w) {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	if res.Sequences[2] != 3 || res.Balances[2] != st.Closing.Minor {
		t.Errorf("sequences %v balances %v", res.Sequences, res.Balances)
	}
	// Another day: nothing, and the balances are unknown from the statement alone.
	next := formats.Date{Year: 2015, Month: 5, Day: 22}
	if res, err := s.c.Statement(context.Background(), account, next, next, false); err != nil || len(res.Statement.Entries) != 0 || res.BalancesKnown {
		t.Errorf("empty day: %v %+v", err, res)
	}
}

func TestStatementNewOnlyAndRedelivery(t *testing.T) {
	s := newSim(t, nil)
	s.pay("154.00", "a")
	s.pay("10.00", "b")
	ctx := context.Background()
	first, err := s.c.Statement(ctx, account, formats.Date{}, formats.Date{}, true)
	if err != nil || len(first.Statement.Entries) != 2 {
		t.Fatalf("first: %v %+v", err, first)
	}
	if again, err := s.c.Statement(ctx, account, formats.Date{}, formats.Date{}, true); err != nil || len(again.Statement.Entries) != 0 {
		t.Fatalf("second newOnly: %v %+v", err, again)
	}
	s.credit("5.00", "Skov Elektrik ApS", "x")
	if err := s.srv.Redeliver(account, 1); err != nil {
		t.Fatal(err)
	}
	third, err := s.c.Statement(ctx, account, formats.Date{}, formats.Date{}, true)
	if err != nil || len(third.Statement.Entries) != 2 {
		t.Fatalf("redelivered: %v %+v", err, third)
	}
	// The repeated entry is the same entry (same id, amount, balance):
	// de-duplication by ID keeps one.
	if third.Statement.Entries[0].ID != first.Statement.Entries[1].ID || third.Balances[0] != first.Balances[1] ||
		third.Statement.Opening.Minor != first.Statement.Entries[0].Minor+2541700 {
		t.Errorf("redelivery: first %v / third %v", first.Statement.Entries, third.Statement.Entries)
	}
	seen := map[string]bool{}
	total := int64(2541700)
	for _, r := range []*StatementResult{first, third} {
		for _, e := range r.Statement.Entries {
			if !seen[e.ID] {
				seen[e.ID] = true
				total += e.Minor
			}
		}
	}
	if total != third.Statement.Closing.Minor || len(seen) != 3 {
		t.Errorf("after de-duplication: %d entries, total %d, closing %d", len(seen), total, third.Statement.Closing.Minor)
	}
}

func TestStatementErrors(t *testing.T) {
	s := newSim(t, nil)
	ctx := context.Background()
	_, err := s.c.Statement(ctx, account, formats.Date{Year: 2015, Month: 5, Day: 22}, d21, false)
	var he *bank.HTTPError
	if !errors.As(err, &he) || he.Status != 400 || !he.Rejected() || !strings.Contains(he.Body, "DATE_RANGE") {
		t.Errorf("from > to: %v", err)
	}
	bad := *s.c
	bad.Codes = map[string]string{account: "wrong"}
	if _, err := bad.Statement(ctx, account, d21, d21, false); !errors.Is(err, bank.ErrAuth) {
		t.Errorf("wrong integration code: %v", err)
	}
	if _, err := bad.Balance(ctx, account, d21, d21); !errors.Is(err, bank.ErrAuth) {
		t.Errorf("balance, wrong integration code: %v", err)
	}
	if _, err := s.c.Statement(ctx, "99999999999999", d21, d21, false); !errors.Is(err, bank.ErrAuth) {
		t.Errorf("unconfigured account: %v", err)
	}
	if err := s.srv.ArmFault(bisim.Fault{Path: "/report/account", Kind: bisim.FaultStatus, Status: 503}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.c.Statement(ctx, account, d21, d21, true); !errors.Is(err, bank.ErrOutcomeUnknown) {
		t.Errorf("503: %v", err)
	}
}

func TestBalanceFromSimulator(t *testing.T) {
	s := newSim(t, nil)
	s.pay("154.00", "a")
	if _, err := s.srv.AdvanceClock(24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	s.credit("0.05", "Aarhus Kommune", "y")
	d22 := formats.Date{Year: 2015, Month: 5, Day: 22}
	b, err := s.c.Balance(context.Background(), account, d21, d22)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got statement.Balance, ok bool, want int64, wantOK bool) {
		t.Helper()
		if ok != wantOK || (ok && got.Minor != want) {
			t.Errorf("%s: %v %d, want %v %d", name, ok, got.Minor, wantOK, want)
		}
	}
	o21, ok := b.Opening(d21)
	check("open 21", o21, ok, 2541700, true)
	c21, ok := b.Closing(d21)
	check("close 21", c21, ok, 2526300, true)
	o22, ok := b.Opening(d22)
	check("open 22", o22, ok, 2526300, true)
	c22, ok := b.Closing(d22)
	check("close 22 (today)", c22, ok, 0, false)
	if b.Currency != "DKK" || b.From != d21 || b.To != d22 || len(b.Balances) != 3 {
		t.Errorf("%+v", b)
	}
}

func TestExactMinor(t *testing.T) {
	for _, c := range []struct {
		lit  string
		exp  int
		want int64
		err  bool
	}{
		{"154.00", 2, 15400, false},
		{"-217.5", 2, -21750, false},
		{"25417.0", 2, 2541700, false},
		{"154.000", 2, 15400, false},
		{"1.5e3", 2, 150000, false},
		{"15E-1", 2, 150, false},
		{"-0.01", 2, -1, false},
		{"0", 2, 0, false},
		{"100", 0, 100, false},
		{"1.005", 2, 0, true},
		{"0.30000000000000004", 2, 0, true},
		{"1e-3", 2, 0, true},
		{"92233720368547758.07", 2, 9223372036854775807, false},
		{"92233720368547758.08", 2, 0, true},
		{"1e40", 2, 0, true},
		{"1e999", 2, 0, true},
		{"01", 2, 0, true},
		{".5", 2, 0, true},
		{"5.", 2, 0, true},
		{"1.2.3", 2, 0, true},
		{"", 2, 0, true},
		{"-", 2, 0, true},
		{"1e", 2, 0, true},
	} {
		got, err := ExactMinor(c.lit, c.exp)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("ExactMinor(%q, %d) = %d, %v", c.lit, c.exp, got, err)
		}
	}
}

const statementBody = `{"account":"52470021527478","requestId":"REQ_01","created":"2015-05-21T12:45:23+02:00","currency":"DKK",
"name":"Driftkonto","bic":"DABADKKK","owner":{"id":"12457889","name":"Bennys Pølsebar"},"from":"2015-05-20T00:00:00","to":"2015-05-21T00:00:00",
"entries":[
{"id":"0000954427","sequence":1,"date":{"booking":"2015-05-20T00:00:00","value":"2015-05-20T00:00:00"},"amount":2584.75,"balance":28001.75,
 "text":"Indbetaling","debtor":{"name":"Kunde A/S"},"debtorAccount":"DK5000400440116243","ocrReference":"000000001234567","ocrType":"71",
 "transactionCodes":{"domain":"PMNT","family":"RCDT","subFamily":"DMCT"}},
{"id":"0000954428","sequence":2,"date":{"booking":"2015-05-21T00:00:00"},"amount":-1.5E3,"balance":26501.75,"text":"Overførsel",
 "creditor":{"name":"Lev ApS"},"creditorAccount":"80790000820049","creditorMessage":"Faktura 9","endToEndId":"E2E","debtorsPaymentId":"PAY_9"}]}`

func TestParseStatement(t *testing.T) {
	res, err := ParseStatement([]byte(statementBody))
	if err != nil {
		t.Fatal(err)
	}
	st := res.Statement
	if st.Opening.Minor != 2541700 || st.Closing.Minor != 2650175 || st.Opening.Date != (formats.Date{Year: 2015, Month: 5, Day: 20}) || st.Closing.Date != d21 {
		t.Errorf("balances %+v %+v", st.Opening, st.Closing)
	}
	e0, e1 := st.Entries[0], st.Entries[1]
	if e0.Minor != 258475 || e0.Counterparty.Name != "Kunde A/S" || e0.CounterpartyAccount.IBAN != "DK5000400440116243" ||
		e0.Remittance.Reference != "000000001234567" || e0.Remittance.ReferenceType != "FIK71" {
		t.Errorf("credit %+v", e0)
	}
	if e1.Minor != -150000 || e1.ValueDate != d21 || e1.InstructionID != "PAY_9" || e1.EndToEndID != "E2E" || e1.Remittance.Unstructured != "Faktura 9" {
		t.Errorf("debit %+v", e1)
	}
	for _, c := range []struct{ name, from, to string }{
		{"balance chain broken", `"balance":26501.75`, `"balance":26501.76`},
		{"inexact amount", `"amount":2584.75`, `"amount":2584.755`},
		{"no id", `"id":"0000954428",`, ``},
		{"no booking date", `"date":{"booking":"2015-05-21T00:00:00"},`, ``},
		{"zero amount", `"amount":-1.5E3,"balance":26501.75`, `"amount":0,"balance":28001.75`},
		{"unknown currency", `"currency":"DKK"`, `"currency":"XYZ"`},
		{"trailing data", `"subFamily":"DMCT"}},`, `"subFamily":"DMCT"}},`},
		{"bad date", `"from":"2015-05-20T00:00:00"`, `"from":"2015-13-20T00:00:00"`},
		{"same id, other content", `"id":"0000954428"`, `"id":"0000954427"`},
	} {
		body := strings.Replace(statementBody, c.from, c.to, 1)
		if c.name == "trailing data" {
			body += "{}"
		}
		if _, err := ParseStatement([]byte(body)); !errors.Is(err, ErrBadAnswer) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// An identical repeat is dropped and counted.
	i := strings.Index(statementBody, `{"id":"0000954428"`)
	rep := statementBody[:len(statementBody)-2] + "," + statementBody[i:len(statementBody)-2] + "]}"
	if res, err := ParseStatement([]byte(rep)); err != nil || res.Repeated != 1 || len(res.Statement.Entries) != 2 {
		t.Errorf("identical repeat: %v %+v", err, res)
	}
	// Without balances the statement's balances are unknown, not invented.
	nob := strings.NewReplacer(`,"balance":28001.75`, ``, `,"balance":26501.75`, ``).Replace(statementBody)
	if res, err := ParseStatement([]byte(nob)); err != nil || res.BalancesKnown || res.Statement.Opening.Minor != 0 {
		t.Errorf("no balances: %v %+v", err, res)
	}
}

func TestParseBalance(t *testing.T) {
	body := `{"account":"52470021527478","requestId":"REQ_01","created":"2015-05-21T12:45:23+02:00","currency":"DKK","name":"Driftkonto",
"bic":"DABADKKK","from":"2015-05-20","to":"2015-05-21","entries":[{"date":"2015-05-20","amount":25417.0,"type":1},
{"date":"2015-05-20","amount":28001.75,"type":2},{"date":"2015-05-21","amount":-28001.75,"type":1}]}`
	b, err := ParseBalance([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []DayBalance{{formats.Date{Year: 2015, Month: 5, Day: 20}, 1, 2541700}, {formats.Date{Year: 2015, Month: 5, Day: 20}, 2, 2800175}, {d21, 1, -2800175}}
	if fmt.Sprint(b.Balances) != fmt.Sprint(want) {
		t.Errorf("got %v", b.Balances)
	}
	for name, bad := range map[string]string{
		"type 3":       strings.Replace(body, `"type":1}]`, `"type":3}]`, 1),
		"out of order": strings.Replace(body, `"2015-05-21","amount":-28001.75`, `"2015-05-19","amount":-28001.75`, 1),
		"inexact":      strings.Replace(body, "28001.75,", "28001.755,", 1),
		"no date":      strings.Replace(body, `"date":"2015-05-21",`, ``, 1),
	} {
		if _, err := ParseBalance([]byte(bad)); !errors.Is(err, ErrBadAnswer) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
