package kbsim

import (
	"net/url"
	"strconv"
	"testing"
	"time"
)

// FuzzADAAQuery feeds arbitrary query strings to the history endpoint's
// parameter handling over a ledger of invented credits. Never a panic; a
// refusal names the parameter; an accepted page is consistent: at most
// size elements, numberOfElements = len(content), page number echoed,
// every element booked within the requested dates.
func FuzzADAAQuery(f *testing.F) {
	for _, q := range []string{"", "page=0&size=100", "page=3&size=7", "fromDate=2026-06-17&toDate=2026-06-17",
		"fromDateTime=2026-06-16T10:00:00.000Z&toDateTime=2026-06-16T12:00:00Z", "size=0", "page=-1",
		"fromDate=2026-06-18&toDate=2026-06-17", "page=99999999999", "size=1&page=2147483647"} {
		f.Add(q)
	}
	clock := &fakeClock{t: testStart}
	cfg := testConfig(clock)
	cfg.Credits = Credits{Every: time.Hour, Seed: 3}
	s, err := New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	s.st.ClockOffset = int64(40 * time.Hour)
	acct := cfg.Clients[0].Accounts[0]
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p, aerr := s.transactionPage(acct, q)
		if aerr != nil {
			if aerr.AdditionalInfo == nil || aerr.AdditionalInfo.ParameterName == "" {
				t.Fatalf("refusal without a parameter: %+v", aerr)
			}
			return
		}
		if len(p.Content) > p.PageSize || p.NumberOfElements != len(p.Content) || p.PageSize < 1 || p.PageSize > maxPageSize {
			t.Fatalf("inconsistent page %+v", p)
		}
		if n, err := strconv.Atoi(q.Get("page")); err == nil && n != p.PageNumber {
			t.Fatalf("page %d answered as %d", n, p.PageNumber)
		}
		from, to := q.Get("fromDate"), q.Get("toDate")
		for _, tx := range p.Content {
			if (from != "" && tx.BookingDate < from) || (to != "" && tx.BookingDate > to) {
				t.Fatalf("booking date %s outside %s..%s", tx.BookingDate, from, to)
			}
		}
	})
}
