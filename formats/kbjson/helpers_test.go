package kbjson

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n got: %s\nwant: %s", name, got, want)
	}
}

// dumpRequests renders requests as the golden request files hold them: the
// request line, headers sorted, the bookkeeping fields, and the exact body.
func dumpRequests(reqs []Request) []byte {
	var b bytes.Buffer
	for i, r := range reqs {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s %s\n", r.Method, r.Path)
		keys := make([]string, 0, len(r.Headers))
		for k := range r.Headers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s: %s\n", k, r.Headers[k])
		}
		fmt.Fprintf(&b, "# debtor=%s currency=%s count=%d total=%s payments=%v\n\n", r.DebtorIBAN, r.Currency, r.Count, r.Total, r.Payments)
		b.Write(r.Body)
		b.WriteString("\n")
	}
	return b.Bytes()
}

func testSource(name string) Source {
	return Source{SHA256: sha256.Sum256([]byte("file:" + name)), Name: name}
}

func mustAmount(t testing.TB, s, ccy string) money.Amount {
	t.Helper()
	a, err := money.Parse(s, ccy)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// specPayments is the model equivalent of the KPC example (abo-kpc-gpc.md
// §6.1) and the BATCHDA example (kb-batchda.md §8), as a KPC reader delivers
// it: domestic numbers with bank codes, symbols with their leading zeros.
func specPayments(t testing.TB) []*formats.Payment {
	batch := &formats.Batch{ID: "G1", Pos: formats.Pos{Line: 3}}
	date := formats.Date{Year: 2026, Month: 6, Day: 16}
	debtor := formats.Account{Number: "19-2000145399", BankCode: "0100", Country: "CZ"}
	return []*formats.Payment{{
		Index: 0, Pos: formats.Pos{Line: 4}, Batch: batch,
		InstructionID:   "INV2026001",
		Amount:          mustAmount(t, "12500.00", "CZK"),
		RequestedDate:   date,
		DebtorAccount:   debtor,
		CreditorAccount: formats.Account{Number: "1234567899", BankCode: "0800", Country: "CZ"},
		Creditor:        formats.Party{Name: "Dodavatel s.r.o."},
		Remittance:      formats.Remittance{Unstructured: "Faktura 2026001", VS: "0002026001", KS: "0308", SS: "0000000000"},
	}, {
		Index: 1, Pos: formats.Pos{Line: 5}, Batch: batch,
		InstructionID:   "RENT202606",
		Amount:          mustAmount(t, "499.50", "CZK"),
		RequestedDate:   date,
		DebtorAccount:   debtor,
		CreditorAccount: formats.Account{Number: "1000000005", BankCode: "0300", Country: "CZ"},
		Remittance:      formats.Remittance{Unstructured: "Najem cerven", VS: "0020260042", KS: "0000", SS: "0000001234"},
	}}
}

// valid is a payment that passes every KB rule; tests change one thing.
func valid(t testing.TB) *formats.Payment {
	return specPayments(t)[0]
}

func encodeAll(t testing.TB, src Source, opts Options, ps []*formats.Payment) []Request {
	t.Helper()
	e := NewEncoder(src, opts)
	for _, p := range ps {
		if probs := e.Add(p); len(probs) > 0 {
			t.Fatalf("payment %d: unexpected problems %v", p.Index, probs)
		}
	}
	return e.Requests()
}

func problemStrings(ps []formats.Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = strings.TrimPrefix(p.String(), ":")
	}
	return out
}
