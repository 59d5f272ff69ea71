package kb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"erpconnector/connector/bank"
	"erpconnector/connector/sandbox/kbsim"
	"erpconnector/formats"
	"erpconnector/formats/statement"
)

func simADAA(t *testing.T, sim *kbsim.Running, client, secret string) *ADAA {
	toks := newSimTokens(t, sim, client, secret)
	return (&Client{Tokens: toks}).ADAA(sim.URL+"/adaa/v2", kbsim.DefaultADAAAPIKey)
}

// bookSpec submits the §8 batch, signs it and lets it book (12500.00 and
// 499.50 CZK debits on 2026-06-16).
func bookSpec(t *testing.T, sim *kbsim.Running) {
	t.Helper()
	toks := newSimTokens(t, sim, simClient, simSecret)
	r, err := (&Client{BaseURL: sim.URL, Tokens: toks}).Submit(context.Background(), SentFrom(specRequest(t, "stmt.kpc", "")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Server.Sign(r.TransactionIdentification); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Server.AdvanceClock(time.Minute); err != nil {
		t.Fatal(err)
	}
}

var d16 = formats.Date{Year: 2026, Month: 6, Day: 16}

func TestADAATransactionsFromSimulator(t *testing.T) {
	sim := startSim(t, func(c *kbsim.Config) {
		c.Clients[0].Accounts[0].OpeningBalance = 5000000 // 50,000.00
		c.Clients[1].Accounts[0].OpeningBalance = 5000000
		c.Credits = kbsim.Credits{Every: 3 * time.Hour, Seed: 5}
	})
	bookSpec(t, sim)
	if _, err := sim.Server.InjectCredit(kbsim.Credit{IBAN: debtorIBAN, Amount: "1000.01", Name: "Pekárna U Dvořáků",
		FromIBAN: "CZ5508000000001234567899", Message: "Faktura 55", VS: "55", KS: "0308", EndToEndID: "E2E-55"}); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Server.AdvanceClock(7 * time.Hour); err != nil { // two invented credits
		t.Fatal(err)
	}
	a := simADAA(t, sim, adaaOnly, "adaa-secret")
	a.PageSize = 2 // three pages: paging must be followed
	ctx := context.Background()
	es, err := a.Transactions(ctx, debtorIBAN, d16, d16)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 5 {
		t.Fatalf("%d entries: %+v", len(es), es)
	}
	want0 := statement.Entry{ID: es[0].ID, BookingDate: d16, ValueDate: d16, Minor: -1250000, Currency: "CZK",
		BankReference: es[0].ID, Counterparty: formats.Party{Name: "Dodavatel s.r.o."},
		CounterpartyAccount: formats.Account{IBAN: "CZ5508000000001234567899", Number: "1234567899", BankCode: "0800", Country: "CZ"},
		Remittance:          formats.Remittance{Unstructured: "Faktura 2026001", VS: "2026001", KS: "308"},
		Text:                "INV2026001", TxCode: statement.TxCode{Domain: "PMNT", Family: "ICDT", SubFamily: "DMCT"}}
	if fmt.Sprintf("%+v", es[0]) != fmt.Sprintf("%+v", want0) {
		t.Errorf("debit:\n got %+v\nwant %+v", es[0], want0)
	}
	c := es[2]
	if c.Minor != 100001 || c.Counterparty.Name != "Pekárna U Dvořáků" || c.EndToEndID != "E2E-55" || c.Remittance.VS != "55" ||
		c.Remittance.KS != "0308" || c.Remittance.Unstructured != "Faktura 55" || c.TxCode.Family != "RCDT" {
		t.Errorf("credit %+v", c)
	}
	ids := map[string]bool{}
	sum := int64(5000000)
	for _, e := range es {
		if ids[e.ID] {
			t.Errorf("duplicate id %s", e.ID)
		}
		ids[e.ID] = true
		sum += e.Minor
	}
	// Balances: opening of the day and the current booked balance frame the entries exactly.
	bs, err := a.Balances(ctx, debtorIBAN)
	if err != nil {
		t.Fatal(err)
	}
	open, ok1 := FindBalance(bs, BalancePreviouslyClosed)
	cur, ok2 := FindBalance(bs, BalanceClosingBooked)
	st := statement.Statement{ID: "t", Currency: "CZK", Opening: statement.Balance{Minor: open.Minor}, Closing: statement.Balance{Minor: cur.Minor}, Entries: es}
	if !ok1 || !ok2 || open.Minor != 5000000 || cur.Minor != sum || st.Check() != nil {
		t.Errorf("balances %+v (sum %d): %v", bs, sum, st.Check())
	}
	// Another day: nothing.
	if es, err := a.Transactions(ctx, debtorIBAN, formats.Date{Year: 2026, Month: 6, Day: 17}, formats.Date{Year: 2026, Month: 6, Day: 18}); err != nil || len(es) != 0 {
		t.Errorf("next days: %v %v", err, es)
	}
}

func TestADAAErrors(t *testing.T) {
	sim := startSim(t, func(c *kbsim.Config) { c.DownloadLimit = true })
	ctx := context.Background()
	a := simADAA(t, sim, adaaOnly, "adaa-secret")
	if _, err := a.Transactions(ctx, debtorIBAN, d16, d16); err != nil {
		t.Fatal(err)
	}
	_, err := a.Transactions(ctx, debtorIBAN, d16, d16)
	var se *StatusError
	if !errors.Is(err, bank.ErrNotSent) || !errors.As(err, &se) || se.Status != 429 || se.RetryAfter != 61*time.Minute {
		t.Errorf("61-minute rule: %v", err)
	}
	if _, err := a.Transactions(ctx, "CZ9701000000002198370339", d16, d16); !errors.Is(err, ErrUnknownAccount) {
		t.Errorf("unconsented account: %v", err)
	}
	if _, err := a.Transactions(ctx, debtorIBAN, d16, formats.Date{Year: 2026, Month: 6, Day: 15}); !errors.Is(err, ErrInvalidSent) {
		t.Errorf("from after to: %v", err)
	}
	wrongKey := simADAA(t, sim, adaaOnly, "adaa-secret")
	wrongKey.APIKey = kbsim.DefaultOAuthAPIKey
	if _, err := wrongKey.Accounts(ctx); !errors.Is(err, bank.ErrAuth) {
		t.Errorf("another API's key: %v", err)
	}
	// A BATCHDA-only token (no adaa scope) is refused: 403.
	sim2 := startSim(t, func(c *kbsim.Config) { c.Clients[0].Scopes = []string{kbsim.ScopeBPISP} })
	if _, err := simADAA(t, sim2, simClient, simSecret).Accounts(ctx); !errors.Is(err, bank.ErrAuth) {
		t.Errorf("no adaa scope: %v", err)
	}
}

const pageBody = `{"content":[
{"lastUpdated":"2026-06-16T06:00:10.000Z","accountType":"KB","entryReference":"KB-1","iban":"CZ0801000000192000145399",
 "creditDebitIndicator":"DEBIT","transactionType":"FEE","amount":{"value":1.5e1,"currency":"CZK"},"bookingDate":"2026-06-16",
 "status":"BOOK","counterParty":{},"references":{}},
{"entryReference":"KB-2","creditDebitIndicator":"CREDIT","transactionType":"SEPA","amount":{"value":100.10,"currency":"CZK"},
 "bookingDate":"2026-06-16","valueDate":"2026-06-17","status":"PDNG","counterParty":{"iban":"DE89370400440532013000"},"references":{}},
{"entryReference":"KB-3","creditDebitIndicator":"CREDIT","transactionType":"SEPA","amount":{"value":100.100,"currency":"CZK"},
 "bookingDate":"2026-06-16","valueDate":"2026-06-17","reversalIndicator":true,"counterParty":{"iban":"DE89370400440532013000","bankBic":"COBADEFFXXX"},"references":{"receiver":"Storno"}}],
"totalPages":1,"pageNumber":0,"pageSize":100,"numberOfElements":3,"first":true,"last":true,"empty":false}`

func TestParseTransactionPage(t *testing.T) {
	p, err := ParseTransactionPage([]byte(pageBody), "CZK")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Entries) != 2 || p.Skipped != 1 || !p.Last {
		t.Fatalf("%+v", p)
	}
	fee, sepa := p.Entries[0], p.Entries[1]
	if fee.Minor != -1500 || fee.TxCode != (statement.TxCode{Domain: "ACMT", Family: "MDOP", SubFamily: "CHRG"}) || fee.Text != "FEE" {
		t.Errorf("fee %+v", fee)
	}
	if sepa.Minor != 10010 || !sepa.Reversal || sepa.ValueDate != (formats.Date{Year: 2026, Month: 6, Day: 17}) ||
		sepa.CounterpartyAccount.IBAN != "DE89370400440532013000" || sepa.CounterpartyBIC != "COBADEFFXXX" || sepa.TxCode.SubFamily != "ESCT" {
		t.Errorf("sepa %+v", sepa)
	}
	for name, bad := range map[string]string{
		"inexact":         strings.Replace(pageBody, "1.5e1", "1.505", 1),
		"negative":        strings.Replace(pageBody, "1.5e1", "-15", 1),
		"zero":            strings.Replace(pageBody, "1.5e1", "0", 1),
		"other currency":  strings.Replace(pageBody, `"value":1.5e1,"currency":"CZK"`, `"value":1.5e1,"currency":"EUR"`, 1),
		"no indicator":    strings.Replace(pageBody, `"creditDebitIndicator":"DEBIT",`, ``, 1),
		"no reference":    strings.Replace(pageBody, `"entryReference":"KB-1",`, ``, 1),
		"bad date":        strings.Replace(pageBody, `"bookingDate":"2026-06-16",`+"\n "+`"status":"BOOK"`, `"bookingDate":"16.6.2026","status":"BOOK"`, 1),
		"no page number":  strings.Replace(pageBody, `"pageNumber":0,`, ``, 1),
		"trailing data":   pageBody + "[]",
		"not JSON":        "<html>",
		"no content":      `{"totalPages":0,"pageNumber":0,"last":true}`,
		"amount overflow": strings.Replace(pageBody, "1.5e1", "92233720368547758.08", 1),
	} {
		if _, err := ParseTransactionPage([]byte(bad), "CZK"); !errors.Is(err, ErrBadAnswer) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParseBalances(t *testing.T) {
	body := `[{"type":"PREVIOUSLY_CLOSED_BOOK","creditDebitIndicator":"DEBIT","amount":{"value":12.30,"currency":"CZK"},"validAt":"2026-06-15T22:00:00.000Z"},
{"type":"CLOSING_BOOKED","creditDebitIndicator":"CREDIT","amount":{"value":1e3,"currency":"CZK"},"validAt":"2026-06-16T10:00:00.000Z"}]`
	bs, err := ParseBalances([]byte(body), "CZK")
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 || bs[0].Minor != -1230 || bs[1].Minor != 100000 || !bs[0].ValidAt.Equal(time.Date(2026, 6, 15, 22, 0, 0, 0, time.UTC)) {
		t.Errorf("%+v", bs)
	}
	for name, bad := range map[string]string{
		"type twice":    strings.Replace(body, "CLOSING_BOOKED", "PREVIOUSLY_CLOSED_BOOK", 1),
		"unknown type":  strings.Replace(body, "CLOSING_BOOKED", "INTERIM", 1),
		"negative":      strings.Replace(body, "12.30", "-12.30", 1),
		"inexact":       strings.Replace(body, "12.30", "12.301", 1),
		"bad validAt":   strings.Replace(body, "2026-06-15T22:00:00.000Z", "yesterday", 1),
		"currency":      strings.Replace(body, `"value":12.30,"currency":"CZK"`, `"value":12.30,"currency":"EUR"`, 1),
		"no indicator":  strings.Replace(body, `"creditDebitIndicator":"DEBIT",`, ``, 1),
		"not an array":  `{}`,
		"trailing data": body + "1",
	} {
		if _, err := ParseBalances([]byte(bad), "CZK"); !errors.Is(err, ErrBadAnswer) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
