package abo

import (
	"bytes"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"erpconnector/formats"
)

// fuzzSeeds are hand-picked edge cases beyond the testdata files.
var fuzzSeeds = []string{
	kpc(uhl, acc, grp, itm1, itm2, end3, end5),
	kpc(uhl, acc, grp, itm1, itm2, end5),
	kpc(uhl, acc, grp, itm1, itm2, end3),
	kpc(uhl, acc, "2 19-2000145399 1299950 310226", itm1, itm2, end3, end5),
	kpc(uhl, acc, grp, "1234567899 1250000 12345678901 08000308 0 AV:x NP:y", itm2, end3, end5),
	kpc(uhl, "1 1502 001000 0100", grp, itm1, itm2, end3, end5),
	kpc("UHL1", "1 1501 000000 0300", "2 15003 010118", "19-19 123 5001 1234567890 03000558 9999 AV:a|b", "19-19 123-123 10002 1234567890 0003000558 8888 AV:ahoj! NP:Hynek", "3+", "5+"),
	kpc(uhl, acc, "2 19-2000145399 999999999999999 160626", "1234567899 999999999999999 1 08000308", end3, end5),
	"UHL1\n1 1501 000000 0300\n2 1 010118\nNP:x\n3+\n5+",
	"\xEF\xBB\xBFUHL1\r\n",
	"\xFF\xFE",
	"UHL1\r\n\x00\x81\xC5\x99\r\n",
	"",
}

func FuzzReader(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.kpc"))
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for enc := range uint8(3) {
			f.Add(raw, enc)
		}
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, encByte uint8) {
		opts := Options{Encoding: Encoding(encByte % 3)}
		ps, probs := readAll(t, bytes.NewReader(data), opts)
		checkInvariants(t, data, ps, probs)

		// Streaming must not depend on how the bytes arrive.
		ps2, probs2 := readAll(t, iotest.OneByteReader(bytes.NewReader(data)), opts)
		if !reflect.DeepEqual(comparable(ps), comparable(ps2)) || !reflect.DeepEqual(probs.List(), probs2.List()) {
			t.Fatal("reading one byte at a time gives a different result")
		}
		// CRLF and LF are the same file (short inputs: CRs must not push a
		// line over the length limit).
		if len(data) < maxLineBytes/2 && !bytes.ContainsRune(data, '\r') {
			crlf := bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
			ps3, probs3 := readAll(t, bytes.NewReader(crlf), opts)
			if !reflect.DeepEqual(comparable(ps), comparable(ps3)) || !reflect.DeepEqual(probs.List(), probs3.List()) {
				t.Fatalf("CRLF gives a different result:\n%v\n%v", probs.List(), probs3.List())
			}
		}
		// Plain ASCII reads the same in every encoding.
		if isASCII(data) {
			for e := range Encoding(3) {
				ps4, probs4 := readAll(t, bytes.NewReader(data), Options{Encoding: e})
				if !reflect.DeepEqual(comparable(ps), comparable(ps4)) || !reflect.DeepEqual(probs.List(), probs4.List()) {
					t.Fatalf("ASCII input reads differently as %v", e)
				}
			}
		}
	})
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func checkInvariants(t *testing.T, data []byte, ps []*formats.Payment, probs *formats.Problems) {
	t.Helper()
	lines := bytes.Count(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		lines++
	}
	lines = max(lines, 1)
	problemAt := map[int]map[string]bool{}
	fields := map[string]bool{}
	for _, p := range probs.List() {
		if p.Pos.Line < 1 || p.Pos.Line > lines {
			t.Fatalf("problem line %d outside 1..%d: %v", p.Pos.Line, lines, p)
		}
		if p.Field == "" || p.Msg == "" {
			t.Fatalf("problem without field or message: %+v", p)
		}
		if problemAt[p.Pos.Line] == nil {
			problemAt[p.Pos.Line] = map[string]bool{}
		}
		problemAt[p.Pos.Line][p.Field] = true
		fields[p.Field] = true
	}
	var total int64
	overflow := false
	prevLine, prevBatch := 0, 0
	for i, p := range ps {
		if p.Index != i {
			t.Fatalf("payment %d has Index %d", i, p.Index)
		}
		if p.Pos.Line <= prevLine || p.Pos.Line > lines {
			t.Fatalf("payment %d at line %d after line %d (file has %d)", i, p.Pos.Line, prevLine, lines)
		}
		prevLine = p.Pos.Line
		if p.Batch == nil || p.Batch.Pos.Line >= p.Pos.Line || !strings.HasPrefix(p.Batch.ID, "G") {
			t.Fatalf("payment %d: bad batch %+v", i, p.Batch)
		}
		n, err := strconv.Atoi(p.Batch.ID[1:])
		if err != nil || n < prevBatch {
			t.Fatalf("payment %d: batch %q out of order", i, p.Batch.ID)
		}
		prevBatch = n
		switch {
		case p.Amount.Minor > 0 && p.Amount.Currency == "CZK":
			if total > math.MaxInt64-p.Amount.Minor {
				overflow = true
			} else {
				total += p.Amount.Minor
			}
		case p.Amount.IsZero():
			if !problemAt[p.Pos.Line]["amount"] && !problemAt[p.Pos.Line]["item"] {
				t.Fatalf("payment at line %d has no amount and no amount problem", p.Pos.Line)
			}
		default:
			t.Fatalf("payment at line %d: amount %+v", p.Pos.Line, p.Amount)
		}
		if probs.Len() == 0 {
			// A clean file gives complete payments.
			if p.Amount.Minor <= 0 || p.RequestedDate.IsZero() || p.DebtorAccount.Number == "" ||
				p.DebtorAccount.BankCode == "" || p.CreditorAccount.Number == "" || p.CreditorAccount.BankCode == "" ||
				p.CreditorAccount.Country != "CZ" || p.DebtorAccount.Country != "CZ" {
				t.Fatalf("clean file, incomplete payment: %+v", p)
			}
			if len(p.Remittance.VS) > 10 || len(p.Remittance.SS) > 10 || (p.Remittance.KS != "" && len(p.Remittance.KS) != 4) {
				t.Fatalf("clean file, bad symbols: %+v", p.Remittance)
			}
		}
	}
	if overflow && !fields["total"] {
		t.Fatal("amounts overflow int64 but no total problem was reported")
	}
}

// The reader must stop: a file of n lines gives at most n payments, and Next
// keeps returning io.EOF.
func TestFuzzSeedsTerminate(t *testing.T) {
	for _, s := range fuzzSeeds {
		rd := NewReader(strings.NewReader(s), Options{})
		for i := 0; ; i++ {
			_, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil || i > strings.Count(s, "\n")+1 {
				t.Fatalf("%q: %v after %d payments", s, err, i)
			}
		}
	}
}
