package bankintegration

import (
	"errors"
	"math/big"
	"testing"

	"erpconnector/formats/money"
)

// FuzzExactMinor: never a panic; an accepted literal equals the result
// exactly (checked with big.Rat), and the result written back with
// money.FormatMinor is accepted again as the same value.
func FuzzExactMinor(f *testing.F) {
	for _, s := range []string{"154.00", "-217.5", "25417.0", "1.5e3", "15E-1", "1.005", "0.30000000000000004",
		"92233720368547758.07", "92233720368547758.08", "1e40", "-0", "0e5", "1E+2", "00", "-"} {
		f.Add(s, uint8(2))
	}
	f.Add("1000", uint8(0))
	f.Add("1.234", uint8(3))
	f.Fuzz(func(t *testing.T, lit string, e uint8) {
		exp := int(e % 4)
		v, err := ExactMinor(lit, exp)
		if err != nil {
			return
		}
		r, ok := new(big.Rat).SetString(lit)
		if !ok {
			t.Fatalf("accepted %q, which is not a number", lit)
		}
		scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exp)), nil)))
		if !scaled.IsInt() || scaled.Num().Cmp(big.NewInt(v)) != 0 {
			t.Fatalf("ExactMinor(%q, %d) = %d, exact value %s", lit, exp, v, scaled.FloatString(4))
		}
		back, err := ExactMinor(money.FormatMinor(v, exp), exp)
		if err != nil || back != v {
			t.Fatalf("round trip of %d: %d, %v", v, back, err)
		}
	})
}

// FuzzParseStatement: never a panic; a refusal is ErrBadAnswer; an accepted
// statement has entries with an id, a non-zero amount in the statement
// currency and a booking date, and when its balances are known they
// reconcile exactly (statement.Check) and match the running balances.
func FuzzParseStatement(f *testing.F) {
	f.Add(statementBody)
	f.Add(`{"account":"1","currency":"DKK","entries":[]}`)
	f.Add(`{"account":"1","currency":"DKK","entries":[{"id":"a","date":{"booking":"2015-05-20"},"amount":"1.00","balance":1}]}`)
	f.Add(`{"account":"1","currency":"JPY","entries":[{"id":"a","date":{"booking":"2015-05-20"},"amount":-5e2,"balance":-500}]}`)
	f.Add(`{"account":"1","currency":"DKK","entries":[{"id":"a","date":{"booking":"2015-05-20"},"amount":1},{"id":"a","date":{"booking":"2015-05-20"},"amount":1}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		res, err := ParseStatement([]byte(body))
		if err != nil {
			if !errors.Is(err, ErrBadAnswer) {
				t.Fatalf("error without ErrBadAnswer: %v", err)
			}
			return
		}
		st := res.Statement
		if len(res.Sequences) != len(st.Entries) || len(res.Balances) != len(st.Entries) {
			t.Fatal("parallel slices differ in length")
		}
		for _, e := range st.Entries {
			if e.ID == "" || e.Minor == 0 || e.Currency != st.Currency || e.BookingDate.IsZero() {
				t.Fatalf("bad entry %+v", e)
			}
		}
		if res.BalancesKnown {
			if err := st.Check(); err != nil {
				t.Fatalf("accepted but does not reconcile: %v", err)
			}
			if st.Closing.Minor != res.Balances[len(res.Balances)-1] {
				t.Fatal("closing is not the last running balance")
			}
		}
	})
}

// FuzzParseBalance: never a panic; accepted lines are in date order with
// opening before closing, each type 1 or 2.
func FuzzParseBalance(f *testing.F) {
	f.Add(`{"account":"1","currency":"DKK","from":"2015-05-20","to":"2015-05-21","entries":[{"date":"2015-05-20","amount":25417.0,"type":1},{"date":"2015-05-20","amount":28001.75,"type":2},{"date":"2015-05-21","amount":28001.75,"type":1}]}`)
	f.Add(`{"account":"1","currency":"DKK","entries":[{"date":"2015-05-20","amount":1,"type":2},{"date":"2015-05-20","amount":1,"type":1}]}`)
	f.Add(`{"currency":"EUR","entries":[{"date":"2015-05-20T00:00:00","amount":"-1.5e1","type":"1"}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		res, err := ParseBalance([]byte(body))
		if err != nil {
			if !errors.Is(err, ErrBadAnswer) {
				t.Fatalf("error without ErrBadAnswer: %v", err)
			}
			return
		}
		for i, b := range res.Balances {
			if b.Type != BalanceOpening && b.Type != BalanceClosing {
				t.Fatalf("type %d", b.Type)
			}
			if i > 0 {
				p := res.Balances[i-1]
				if b.Date.Before(p.Date) || (b.Date == p.Date && b.Type <= p.Type) {
					t.Fatalf("out of order at %d", i)
				}
			}
		}
	})
}
