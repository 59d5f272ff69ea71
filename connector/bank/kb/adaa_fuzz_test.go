package kb

import (
	"errors"
	"testing"

	"erpconnector/formats/money"
)

// FuzzParseTransactionPage: never a panic; a refusal is ErrBadAnswer; every
// accepted entry has an id, a booking date, a non-zero amount in the
// account currency, and its magnitude written back with money.FormatMinor
// reads back exactly.
func FuzzParseTransactionPage(f *testing.F) {
	f.Add(pageBody, "CZK")
	f.Add(`{"content":[],"totalPages":0,"pageNumber":0,"last":true}`, "CZK")
	f.Add(`{"content":[{"entryReference":"a","creditDebitIndicator":"CREDIT","amount":{"value":1E-2,"currency":"EUR"},"bookingDate":"2026-02-28"}],"totalPages":1,"pageNumber":0,"last":true}`, "EUR")
	f.Add(`{"content":[{"entryReference":"a","creditDebitIndicator":"DEBIT","amount":{"value":100,"currency":"JPY"},"bookingDate":"2026-02-29"}],"totalPages":1,"pageNumber":0,"last":true}`, "JPY")
	f.Fuzz(func(t *testing.T, body, ccy string) {
		p, err := ParseTransactionPage([]byte(body), ccy)
		if err != nil {
			if !errors.Is(err, ErrBadAnswer) {
				t.Fatalf("error without ErrBadAnswer: %v", err)
			}
			return
		}
		exp, _ := money.Exponent(ccy)
		for _, e := range p.Entries {
			if e.ID == "" || e.BookingDate.IsZero() || e.Minor == 0 || e.Currency != ccy {
				t.Fatalf("bad entry %+v", e)
			}
			if back, err := exactMinor(money.FormatMinor(e.Amount().Minor, exp), exp); err != nil || back != e.Amount().Minor {
				t.Fatalf("amount %d does not round-trip: %d %v", e.Minor, back, err)
			}
		}
	})
}

// FuzzParseBalances: never a panic; a refusal is ErrBadAnswer; accepted
// balances have known, distinct types.
func FuzzParseBalances(f *testing.F) {
	f.Add(`[{"type":"PREVIOUSLY_CLOSED_BOOK","creditDebitIndicator":"DEBIT","amount":{"value":12.30,"currency":"CZK"},"validAt":"2026-06-15T22:00:00.000Z"}]`, "CZK")
	f.Add(`[{"type":"CLOSING_BOOKED","creditDebitIndicator":"CREDIT","amount":{"value":1e3,"currency":"CZK"},"validAt":"2026-06-16T10:00:00Z"},{"type":"CLOSING_AVAILABLE","creditDebitIndicator":"CREDIT","amount":{"value":0,"currency":"CZK"},"validAt":"2026-06-16T10:00:00+02:00"}]`, "CZK")
	f.Add(`[]`, "EUR")
	f.Fuzz(func(t *testing.T, body, ccy string) {
		bs, err := ParseBalances([]byte(body), ccy)
		if err != nil {
			if !errors.Is(err, ErrBadAnswer) {
				t.Fatalf("error without ErrBadAnswer: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, b := range bs {
			switch b.Type {
			case BalancePreviouslyClosed, BalanceClosingBooked, BalanceClosingAvailable:
			default:
				t.Fatalf("type %q", b.Type)
			}
			if seen[b.Type] {
				t.Fatalf("type %s twice", b.Type)
			}
			seen[b.Type] = true
		}
	})
}
