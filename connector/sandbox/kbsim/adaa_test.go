package kbsim

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"erpconnector/formats/money"
)

func TestADAATransactions(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.login(testClient, testSecret, "").AccessToken
	a := h.accept(tok, "AD-1", specBody)
	h.accept(tok, "AD-2", strings.ReplaceAll(specBody, "2026-06-16", "2026-06-19")) // never signed
	h.srv.Sign(a)
	h.advance(time.Minute)
	tok = h.login(testClient, testSecret, "").AccessToken
	hd := map[string]string{"Authorization": "Bearer " + tok, "apiKey": DefaultADAAAPIKey, "x-correlation-id": testCorrID}
	r := h.do("GET", "/adaa/v2/accounts/"+debtorIBAN+"/transactions?size=1&page=1", hd, nil)
	if r.Code != 200 {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	var p TransactionPage
	json.Unmarshal(r.Body, &p)
	want := Transaction{
		LastUpdated: "2026-06-16T06:00:10.000Z", AccountType: "KB", EntryReference: p.Content[0].EntryReference,
		IBAN: debtorIBAN, CreditDebitIndicator: "DEBIT", TransactionType: "DOMESTIC",
		Amount: TxAmount{"499.50", "CZK"}, BookingDate: "2026-06-16", ValueDate: "2026-06-16", Instructed: TxAmount{"499.50", "CZK"},
		Status: "BOOK", CounterParty: CounterParty{IBAN: "CZ6203000000001000000005", AccountNo: "1000000005", BankCode: "0300"},
		References:                       TxReferences{AccountServicer: p.Content[0].EntryReference, Variable: "20260042", Specific: "1234", Receiver: "Najem cerven"},
		AdditionalTransactionInformation: "RENT202606",
	}
	if p.TotalPages != 2 || p.NumberOfElements != 1 || !p.Last || p.First || len(p.Content) != 1 || !reflect.DeepEqual(p.Content[0], want) {
		t.Errorf("page %+v\nwant item %+v", p, want)
	}
	if r := h.do("GET", "/adaa/v2/accounts/"+debtorIBAN+"/transactions?fromDate=2026-06-17", hd, nil); !strings.Contains(string(r.Body), `"empty":true`) {
		t.Errorf("date filter: %s", r.Body)
	}
	if r := h.do("GET", "/adaa/v2/accounts/"+creditorIBAN+"/transactions", hd, nil); r.Code != 403 {
		t.Errorf("foreign account: %d", r.Code)
	}
	if r := h.do("GET", "/adaa/v2/accounts/"+debtorIBAN+"/transactions?size=0", hd, nil); r.Code != 400 {
		t.Errorf("size 0: %d", r.Code)
	}
	hd["apiKey"] = DefaultOAuthAPIKey
	if r := h.do("GET", "/adaa/v2/accounts/"+debtorIBAN+"/transactions", hd, nil); r.Code != 401 {
		t.Errorf("OAuth2 key on ADAA: %d", r.Code)
	}
}

func (h *harness) adaa(tok, path string) result {
	h.t.Helper()
	return h.do("GET", path, map[string]string{"Authorization": "Bearer " + tok, "apiKey": DefaultADAAAPIKey, "x-correlation-id": testCorrID}, nil)
}

func pageOf(t *testing.T, r result) TransactionPage {
	t.Helper()
	if r.Code != 200 {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	var p TransactionPage
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestADAAAccountsAndAccountID(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.login(adaaClient, "adaa-secret", "").AccessToken
	r := h.adaa(tok, "/adaa/v2/accounts")
	var accts []ADAAAccount
	if r.Code != 200 || json.Unmarshal(r.Body, &accts) != nil || len(accts) != 1 {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	if accts[0].IBAN != debtorIBAN || accts[0].AccountID != "Q1owODAxMDAwMDAwMTkyMDAwMTQ1Mzk5OkNaSw" || accts[0].Currency != "CZK" {
		t.Errorf("%+v", accts[0])
	}
	for _, id := range []string{accts[0].AccountID, debtorIBAN} {
		if r := h.adaa(tok, "/adaa/v2/accounts/"+id+"/transactions?page=0"); r.Code != 200 {
			t.Errorf("%s: %d", id, r.Code)
		}
	}
	if r := h.adaa(tok, "/adaa/v2/accounts/"+AccountID(debtor2IBAN, "CZK")+"/balances"); r.Code != 403 {
		t.Errorf("account of another client: %d", r.Code)
	}
	if r := h.adaa(tok, "/adaa/v2/accounts/"+debtorIBAN+"/other"); r.Code != 404 {
		t.Errorf("unknown resource: %d", r.Code)
	}
}

func TestADAAStatementWithCredits(t *testing.T) {
	mod := func(c *Config) {
		c.Credits = Credits{Every: 5 * time.Hour, Seed: 9}
		c.Clients[0].Accounts[0].OpeningBalance = 100000000 // 1,000,000.00 CZK
		c.Clients[1].Accounts[0].OpeningBalance = 100000000
	}
	run := func() (TransactionPage, []AccountBalance, Transaction) {
		h := newHarness(t, mod)
		tok := h.login(testClient, testSecret, "").AccessToken
		a := h.accept(tok, "ST-1", specBody) // 12500.00 + 499.50 on 2026-06-16
		h.srv.Sign(a)
		h.advance(time.Minute)
		var injected Transaction
		if code := h.control("POST", "/_sim/credit", Credit{IBAN: debtorIBAN, Amount: "1234.56", Name: "Jana Procházková",
			FromIBAN: creditorIBAN, Message: "Vratka", VS: "777", EndToEndID: "E2E-1"}, &injected); code != 200 {
			t.Fatalf("credit: %d", code)
		}
		h.advance(11 * time.Hour) // two invented credits at +5h and +10h
		tok = h.login(adaaClient, "adaa-secret", "").AccessToken
		p := pageOf(t, h.adaa(tok, "/adaa/v2/accounts/"+debtorIBAN+"/transactions?page=0&size=100"))
		var bals []AccountBalance
		json.Unmarshal(h.adaa(tok, "/adaa/v2/accounts/"+debtorIBAN+"/balances").Body, &bals)
		return p, bals, injected
	}
	p, bals, injected := run()
	p2, _, _ := run()
	if len(p.Content) != 5 || p.TotalPages != 1 || !p.First || !p.Last {
		t.Fatalf("page %+v", p)
	}
	if !reflect.DeepEqual(p.Content[3:], p2.Content[3:]) {
		t.Errorf("invented credits differ between runs:\n%+v\n%+v", p.Content[3:], p2.Content[3:])
	}
	kinds := ""
	sum := int64(100000000)
	for _, tx := range p.Content {
		kinds += tx.CreditDebitIndicator[:1]
		m, err := money.Parse(tx.Amount.Value.String(), "CZK")
		if err != nil {
			t.Fatal(err)
		}
		if tx.CreditDebitIndicator == "DEBIT" {
			sum -= m.Minor
		} else {
			sum += m.Minor
		}
		if tx.EntryReference == "" || tx.References.AccountServicer != tx.EntryReference || tx.BookingDate == "" {
			t.Errorf("entry %+v", tx)
		}
	}
	if kinds != "DDCCC" {
		t.Errorf("order %s", kinds)
	}
	inj := p.Content[2]
	if !reflect.DeepEqual(inj, injected) || inj.Amount.Value != "1234.56" || inj.CounterParty.Name != "Jana Procházková" ||
		inj.CounterParty.AccountNo != "1234567899" || inj.CounterParty.BankCode != "0800" || inj.References.Variable != "777" ||
		inj.References.Receiver != "Vratka" || inj.References.EndToEndIdentification != "E2E-1" {
		t.Errorf("injected %+v", inj)
	}
	// Balances: nothing booked before today (2026-06-16 in Prague), current = opening + movements.
	exp := money.FormatMinor(sum, 2)
	if len(bals) != 3 || bals[0].Type != "PREVIOUSLY_CLOSED_BOOK" || bals[0].Amount.Value != "1000000.00" ||
		bals[1].Type != "CLOSING_BOOKED" || bals[1].Amount.Value.String() != exp || bals[1].CreditDebitIndicator != "CREDIT" ||
		bals[2].Amount.Value.String() != exp {
		t.Errorf("balances %+v, want current %s", bals, exp)
	}
}

func TestADAAFiltersPagingAndErrors(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Credits = Credits{Every: time.Hour, Seed: 1} })
	h.advance(30 * time.Hour) // credits hourly from 08:00 on the 16th
	tok := h.login(adaaClient, "adaa-secret", "").AccessToken
	base := "/adaa/v2/accounts/" + debtorIBAN + "/transactions"
	all := pageOf(t, h.adaa(tok, base))
	if len(all.Content) != 30 || all.PageSize != 100 {
		t.Fatalf("%d entries, size %d", len(all.Content), all.PageSize)
	}
	day17 := pageOf(t, h.adaa(tok, base+"?fromDate=2026-06-17&toDate=2026-06-17"))
	for _, tx := range day17.Content {
		if tx.BookingDate != "2026-06-17" {
			t.Errorf("booking date %s outside the day", tx.BookingDate)
		}
	}
	if len(day17.Content) != 15 { // 22:00 UTC on the 16th is midnight in Prague
		t.Errorf("%d entries on the 17th", len(day17.Content))
	}
	dt := pageOf(t, h.adaa(tok, base+"?fromDateTime=2026-06-16T10:00:00.000Z&toDateTime=2026-06-16T12:00:00.000Z"))
	if len(dt.Content) != 3 {
		t.Errorf("date-time window: %d", len(dt.Content))
	}
	var got []Transaction
	for page := 0; ; page++ {
		p := pageOf(t, h.adaa(tok, base+"?size=7&page="+strconv.Itoa(page)))
		got = append(got, p.Content...)
		if p.TotalPages != 5 || p.PageNumber != page {
			t.Fatalf("page %d: %+v", page, p)
		}
		if p.Last {
			break
		}
	}
	if !reflect.DeepEqual(got, all.Content) {
		t.Errorf("pages do not add up to the whole")
	}
	for _, q := range []string{"?size=101", "?page=-1", "?fromDate=2026-06-18&toDate=2026-06-17", "?fromDate=16.6.2026", "?toDateTime=yesterday"} {
		if r := h.adaa(tok, base+q); r.Code != 400 {
			t.Errorf("%s: %d", q, r.Code)
		}
	}
}

func TestADAADownloadLimit(t *testing.T) {
	for _, on := range []bool{false, true} {
		h := newHarness(t, func(c *Config) { c.DownloadLimit = on })
		tok := h.login(adaaClient, "adaa-secret", "").AccessToken
		base := "/adaa/v2/accounts/" + debtorIBAN + "/transactions?page=0"
		h.adaa(tok, base)
		r := h.adaa(tok, base)
		if !on {
			if r.Code != 200 {
				t.Errorf("limit off: %d", r.Code)
			}
			continue
		}
		if r.Code != 429 || !strings.Contains(string(r.Body), "1 download per 61 minutes") || r.Header.Get("Retry-After") != "3660" {
			t.Errorf("repeat within 61 min: %d %s %v", r.Code, r.Body, r.Header)
		}
		if r := h.adaa(tok, base+"&size=5"); r.Code != 200 {
			t.Errorf("another query: %d", r.Code)
		}
		h.control("POST", "/_sim/credit", Credit{IBAN: debtorIBAN, Amount: "1", Name: "X"}, nil)
		if r := h.adaa(tok, base); r.Code != 200 {
			t.Errorf("changed data: %d", r.Code)
		}
		h.advance(61 * time.Minute)
		tok = h.login(adaaClient, "adaa-secret", "").AccessToken // the old one expired
		if r := h.adaa(tok, base); r.Code != 200 {
			t.Errorf("after 61 minutes: %d", r.Code)
		}
	}
}

func TestADAAConfigErrors(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"opening differs":  func(c *Config) { c.Clients[0].Accounts[0].OpeningBalance = 1 },
		"negative credits": func(c *Config) { c.Credits.Every = -time.Hour },
		"max below min":    func(c *Config) { c.Credits = Credits{Every: time.Hour, MinMinor: 500, MaxMinor: 100} },
	} {
		cfg := testConfig(&fakeClock{t: testStart})
		mod(&cfg)
		if _, err := New(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
