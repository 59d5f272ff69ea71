package plan

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	"erpconnector/formats"
	"erpconnector/formats/input"
)

// FuzzPipeline runs what the daemon runs on a dropped file: format detection,
// the reader, validation and the bank encoder, for either bank. Whatever the
// bytes: no panic; requests only for a file without a single problem; every
// problem says something; and money is conserved exactly: the payments in
// the request bodies, read back as the bank reads them, are as many and add
// up to the same totals per currency as the file; planning is deterministic.
func FuzzPipeline(f *testing.F) {
	for _, p := range []string{"../../testdata/samples/*", "../../testdata/convert/*.xml", "../../testdata/convert/*.json"} {
		files, _ := filepath.Glob(p)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b, true)
				f.Add(b, false)
			}
		}
	}
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><Document>&a;</Document>`), false)
	f.Add([]byte("UHL1"), true)
	f.Add([]byte(`{"transactions":[]}`), false)
	f.Fuzz(func(t *testing.T, data []byte, kb bool) {
		opts := corpusOptions(BankIntegration)
		if kb {
			opts = corpusOptions(KB)
		}
		res := fuzzPlan(t, data, opts)
		if res == nil {
			return // format not recognised: the daemon rejects the file by name
		}
		for _, p := range res.Problems.List() {
			if p.Msg == "" || p.Pos.Line < 0 {
				t.Fatalf("problem without a message or with a negative line: %#v", p)
			}
		}
		if len(res.Requests) == 0 {
			return
		}
		if res.Problems.Len() != 0 {
			t.Fatalf("%d requests planned for a file with problems: %v", len(res.Requests), res.Problems.List())
		}
		n, totals := requestTotals(t, res)
		if n != res.Count {
			t.Fatalf("requests carry %d payments, the file has %d", n, res.Count)
		}
		for ccy, want := range res.Totals {
			if got := totals[ccy]; got != want {
				t.Fatalf("total %s: requests %s, file %s", ccy, got.Decimal(), want.Decimal())
			}
		}
		if len(totals) != len(res.Totals) {
			t.Fatalf("currencies differ: requests %v, file %v", totals, res.Totals)
		}
		again := fuzzPlan(t, data, opts)
		if len(again.Requests) != len(res.Requests) {
			t.Fatal("planning the same bytes twice gave different requests")
		}
		for i := range res.Requests {
			if res.Requests[i].ID != again.Requests[i].ID || !bytes.Equal(res.Requests[i].Body, again.Requests[i].Body) {
				t.Fatalf("request %d differs between two plans of the same bytes", i)
			}
		}
	})
}

// fuzzPlan is planFile without failing on an unrecognised format.
func fuzzPlan(t *testing.T, data []byte, opts Options) *Result {
	t.Helper()
	rd, _, err := input.Open(input.Auto, bytes.NewReader(data), input.Options{BIDebtor: formats.Account{Number: "52470021527478", Country: "DK"}})
	if err != nil {
		return nil
	}
	res, err := Run(rd, Source{SHA256: sha256.Sum256(data), Name: "fuzz"}, opts, nil)
	if err != nil {
		t.Fatalf("Run on an in-memory file: %v", err)
	}
	for ccy, a := range res.Totals {
		if a.Minor <= 0 || a.Currency != ccy {
			t.Fatalf("total %q is %+v: amounts are positive, so totals are too", ccy, a)
		}
	}
	return res
}
