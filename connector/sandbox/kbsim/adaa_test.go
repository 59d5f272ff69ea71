package kbsim

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
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
		References:                       TxReferences{Variable: "20260042", Specific: "1234", Receiver: "Najem cerven"},
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
