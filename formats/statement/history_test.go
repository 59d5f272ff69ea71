package statement_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"erpconnector/formats"
	"erpconnector/formats/camt053"
	"erpconnector/formats/gpc"
	"erpconnector/formats/mt940"
	"erpconnector/formats/statement"
	"erpconnector/formats/stmtcsv"
	"erpconnector/internal/testenv"
)

// history generates days of booked entries (credits and debits) on one
// account, split into one statement per day that chain: each opens at the
// previous closing balance.
func history(seed uint64, acct formats.Account, ccy string, days, perDay int) []*statement.Statement {
	r := rand.New(rand.NewPCG(seed, 7))
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var out []*statement.Statement
	balance := int64(r.IntN(1_000_000)) - 200_000
	n := 0
	for d := 0; d < days; d++ {
		day := formats.DateOf(start.AddDate(0, 0, d))
		st := &statement.Statement{ID: fmt.Sprintf("H-%s-%03d", ccy, d+1), Sequence: d + 1, Created: start.AddDate(0, 0, d+1),
			Account: acct, Currency: ccy, Owner: "Firma s.r.o.", From: day, To: day,
			Opening: statement.Balance{Minor: balance, Date: day}}
		for i := 0; i < perDay; i++ {
			n++
			amt := int64(1 + r.IntN(5_000_000))
			if r.IntN(3) > 0 {
				amt = -amt
			}
			e := statement.Entry{ID: fmt.Sprintf("E%s%06d", ccy, n), BookingDate: day, ValueDate: day, Minor: amt, Currency: ccy,
				EndToEndID: fmt.Sprintf("E2E%d", n), BankReference: fmt.Sprintf("R%08d", n),
				Counterparty:        formats.Party{Name: []string{"Dodavatel a.s.", "Kunde ApS", "Ærø Ost & Co", "Nájemce"}[r.IntN(4)]},
				CounterpartyAccount: formats.Account{Number: "1234567899", BankCode: "0800", Country: "CZ"},
				Remittance:          formats.Remittance{Unstructured: "Faktura " + strconv.Itoa(n), VS: strconv.Itoa(n)},
				Text:                "Platba"}
			balance += amt
			st.Entries = append(st.Entries, e)
		}
		st.Closing = statement.Balance{Minor: balance, Date: day}
		out = append(out, st)
	}
	return out
}

var (
	reBal = regexp.MustCompile(`(?m)^:6([02])F:([CD])\d{6}[A-Z]{3}(\d+),(\d*)`)
	re61  = regexp.MustCompile(`(?m)^:61:\d{6}(?:\d{4})?(RC|RD|C|D)(\d+),(\d*)`)
)

func mtAmount(sign, units, frac string, exp int) int64 {
	for len(frac) < exp {
		frac += "0"
	}
	v, _ := strconv.ParseInt(units+frac, 10, 64)
	if sign == "D" || sign == "RC" {
		v = -v
	}
	return v
}

// TestGeneratedHistories writes hundreds of entries over several days in
// several currencies in every format, and checks each file: camt.053 valid
// against both official schemas, MT940 and GPC balances that reconcile and
// chain, GPC records of exactly 128 bytes, CSV rows for every entry.
func TestGeneratedHistories(t *testing.T) {
	accounts := []struct {
		acct formats.Account
		ccy  string
	}{
		{formats.Account{IBAN: "CZ0801000000192000145399", Number: "19-2000145399", BankCode: "0100", Country: "CZ"}, "CZK"},
		{formats.Account{IBAN: "DK8152470021527478", Number: "52470021527478", Country: "DK"}, "DKK"},
		{formats.Account{IBAN: "CZ9701000000002198370339", Number: "2198370339", BankCode: "0100", Country: "CZ"}, "EUR"},
	}
	for i, a := range accounts {
		sts := history(uint64(i+1), a.acct, a.ccy, 6, 50)
		var prevClosing *int64
		total := 0
		for _, st := range sts {
			if err := st.Check(); err != nil {
				t.Fatal(err)
			}
			total += len(st.Entries)
			for _, v := range []camt053.Version{camt053.V02, camt053.V08} {
				var b bytes.Buffer
				if err := camt053.Write(&b, st, v); err != nil {
					t.Fatalf("%s camt053 %v: %v", st.ID, v, err)
				}
				testenv.ValidateXSD(t, map[camt053.Version]string{camt053.V02: "camt.053.001.02.xsd", camt053.V08: "camt.053.001.08.xsd"}[v], b.Bytes())
			}
			var mt bytes.Buffer
			if err := mt940.Write(&mt, st, mt940.Options{}); err != nil {
				t.Fatal(err)
			}
			var open, close, sum int64
			for _, m := range reBal.FindAllStringSubmatch(mt.String(), -1) {
				v := mtAmount(m[2], m[3], m[4], 2)
				if m[1] == "0" {
					open = v
				} else {
					close = v
				}
			}
			for _, m := range re61.FindAllStringSubmatch(mt.String(), -1) {
				sum += mtAmount(m[1], m[2], m[3], 2)
			}
			if open != st.Opening.Minor || close != st.Closing.Minor || open+sum != close {
				t.Errorf("%s MT940: opening %d + entries %d, closing %d; want %d → %d", st.ID, open, sum, close, st.Opening.Minor, st.Closing.Minor)
			}
			if prevClosing != nil && *prevClosing != open {
				t.Errorf("%s opens at %d after a closing of %d", st.ID, open, *prevClosing)
			}
			c := close
			prevClosing = &c
			for _, line := range strings.Split(mt.String(), "\r\n") {
				if len(line) > 65 {
					t.Errorf("%s MT940 line over 65: %q", st.ID, line)
				}
			}
			if a.ccy == "CZK" {
				var g bytes.Buffer
				if err := gpc.Write(&g, st, gpc.Options{}); err != nil {
					t.Fatal(err)
				}
				recs := bytes.Split(bytes.TrimSuffix(g.Bytes(), []byte("\r\n")), []byte("\r\n"))
				if len(recs) != len(st.Entries)+1 {
					t.Errorf("%s GPC: %d records for %d entries", st.ID, len(recs), len(st.Entries))
				}
				for _, r := range recs {
					if len(r) != 128 {
						t.Fatalf("%s GPC record of %d bytes", st.ID, len(r))
					}
				}
			}
			var c2 bytes.Buffer
			if err := stmtcsv.Write(&c2, st, stmtcsv.Options{Header: true}); err != nil {
				t.Fatal(err)
			}
			if rows := strings.Count(c2.String(), "\n"); rows != len(st.Entries)+1 {
				t.Errorf("%s CSV: %d rows for %d entries", st.ID, rows, len(st.Entries))
			}
		}
		if total < 300 {
			t.Fatalf("history too small: %d entries", total)
		}
	}
}
