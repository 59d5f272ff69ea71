package gpc

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"erpconnector/formats"
	"erpconnector/formats/statement"

	"golang.org/x/text/encoding/charmap"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func day(y int, m time.Month, d int) formats.Date { return formats.Date{Year: y, Month: m, Day: d} }

// czStatement has a credit with all symbols, a debit to a foreign IBAN, both
// kinds of reversal, and Czech and Danish letters.
func czStatement() *statement.Statement {
	return &statement.Statement{
		ID: "KB-2600113745-2024-09-30", Sequence: 273,
		Account:  formats.Account{Number: "2600113745", BankCode: "2010", Country: "CZ"},
		Currency: "CZK", Owner: "Řeznictví Šťastný s.r.o. a synové",
		From: day(2024, 9, 30), To: day(2024, 9, 30),
		Opening: statement.Balance{Minor: 31317477, Date: day(2024, 9, 29)},
		Closing: statement.Balance{Minor: 31317477 + 12345600 - 123456 - 5000 + 123456 - 70000},
		Entries: []statement.Entry{
			{
				ID: "16659818503", BookingDate: day(2024, 9, 30), ValueDate: day(2024, 9, 29),
				Minor: 12345600, Currency: "CZK",
				Counterparty:        formats.Party{Name: "Žluťoučký kůň a.s."},
				CounterpartyAccount: formats.Account{Number: "19-2000145399", BankCode: "0800", Country: "CZ"},
				Remittance:          formats.Remittance{VS: "1446556401", KS: "0308", SS: "7815392681"},
			},
			{
				ID: "16659818504", BookingDate: day(2024, 9, 30), ValueDate: day(2024, 9, 30),
				Minor: -123456, Currency: "CZK",
				Counterparty:        formats.Party{Name: "ČEZ"},
				CounterpartyAccount: formats.Account{Number: "7770227", BankCode: "0100", Country: "CZ"},
				Remittance:          formats.Remittance{VS: "42", KS: "308"},
			},
			{
				ID: "BI-77", BankReference: "990001", BookingDate: day(2024, 9, 30), ValueDate: day(2024, 9, 30),
				Minor: -5000, Currency: "CZK",
				Counterparty:        formats.Party{Name: "Søren Ærø Åkjær ApS"},
				CounterpartyAccount: formats.Account{IBAN: "DK5000400440116243"},
			},
			{ // the bank gives the 123,456 debit back
				ID: "16659818505", BookingDate: day(2024, 9, 30), ValueDate: day(2024, 9, 30),
				Minor: 123456, Currency: "CZK", Reversal: true,
				Counterparty:        formats.Party{Name: "ČEZ"},
				CounterpartyAccount: formats.Account{IBAN: "CZ3401000000000007770227"},
			},
			{ // and takes 700,00 of a credit back
				ID: "x", BookingDate: day(2024, 9, 30),
				Minor: -70000, Currency: "CZK", Reversal: true,
				Counterparty: formats.Party{Name: "Müller € Straße\n2"},
			},
		},
	}
}

// field is one fixed-width field of a record, 1-based as the spec tables.
type field struct {
	pos, len int
	v        string
}

// record builds a record from a spec field table, checking that the table
// covers 1..128 with no gap or overlap and every value has its width.
func record(t *testing.T, fs []field) string {
	t.Helper()
	var b strings.Builder
	for _, f := range fs {
		if f.pos != b.Len()+1 {
			t.Fatalf("field at %d follows position %d", f.pos, b.Len())
		}
		if len(f.v) != f.len {
			t.Fatalf("field at %d: %q is not %d wide", f.pos, f.v, f.len)
		}
		b.WriteString(f.v)
	}
	if b.Len() != RecordLen {
		t.Fatalf("record has %d characters", b.Len())
	}
	return b.String()
}

// header074 and item075 are what a position-based importer reads back.
type header074 struct {
	Account, Name, OldDate  string
	Old, New, Debit, Credit int64
	DebitSign, CreditSign   byte
	Seq                     int
	PostDate, Filler        string
}

type item075 struct {
	Account, Counter, Doc string
	Amount                int64
	Code                  byte
	VS, KSField, SS       string
	Value, Detail         string
	Change                byte
	DataType, Due         string
}

// readBack splits a GPC file into records and reads them by position.
func readBack(data []byte) (*header074, []item075, error) {
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		return nil, nil, fmt.Errorf("file does not end in CRLF")
	}
	recs := strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n")
	num := func(r string, pos, n int) (int64, error) {
		v, err := strconv.ParseInt(r[pos-1:pos-1+n], 10, 64)
		if err != nil || len(strings.Trim(r[pos-1:pos-1+n], "0123456789")) != 0 {
			return 0, fmt.Errorf("position %d: %q is not a number", pos, r[pos-1:pos-1+n])
		}
		return v, nil
	}
	var h *header074
	var items []item075
	for i, r := range recs {
		if len(r) != RecordLen {
			return nil, nil, fmt.Errorf("record %d has %d bytes", i+1, len(r))
		}
		for j := 0; j < len(r); j++ {
			if r[j] < 0x20 || r[j] == 0x7f {
				return nil, nil, fmt.Errorf("record %d: control byte %#x at %d", i+1, r[j], j+1)
			}
		}
		if d, err := charmap.Windows1250.NewDecoder().String(r); err != nil || strings.ContainsRune(d, '\ufffd') {
			return nil, nil, fmt.Errorf("record %d is not valid Windows-1250", i+1)
		}
		sgn := func(v int64, c byte) (int64, error) {
			switch c {
			case '-':
				return -v, nil
			case '+', '0':
				return v, nil
			}
			return 0, fmt.Errorf("record %d: sign %q", i+1, c)
		}
		switch r[:3] {
		case "074":
			if i != 0 {
				return nil, nil, fmt.Errorf("074 at record %d", i+1)
			}
			h = &header074{Account: r[3:19], Name: r[19:39], OldDate: r[39:45], DebitSign: r[89], CreditSign: r[104], PostDate: r[108:114], Filler: r[114:]}
			var err error
			vals := []*int64{&h.Old, &h.New, &h.Debit, &h.Credit}
			for k, pos := range []int{46, 61, 76, 91} {
				v, e := num(r, pos, 14)
				if e != nil {
					return nil, nil, e
				}
				if *vals[k], err = sgn(v, r[pos+13]); err != nil {
					return nil, nil, err
				}
			}
			seq, e := num(r, 106, 3)
			if e != nil {
				return nil, nil, e
			}
			h.Seq = int(seq)
		case "075":
			if h == nil {
				return nil, nil, fmt.Errorf("075 before 074")
			}
			amt, err := num(r, 49, 12)
			if err != nil {
				return nil, nil, err
			}
			for _, p := range [][2]int{{4, 16}, {20, 16}, {36, 13}, {62, 10}, {72, 10}, {82, 10}, {92, 6}, {119, 4}, {123, 6}} {
				if _, err := num(r, p[0], p[1]); err != nil {
					return nil, nil, err
				}
			}
			items = append(items, item075{Account: r[3:19], Counter: r[19:35], Doc: r[35:48], Amount: amt, Code: r[60],
				VS: r[61:71], KSField: r[71:81], SS: r[81:91], Value: r[91:97], Detail: r[97:117], Change: r[117],
				DataType: r[118:122], Due: r[122:128]})
		default:
			return nil, nil, fmt.Errorf("record %d: type %q", i+1, r[:3])
		}
	}
	if h == nil {
		return nil, nil, fmt.Errorf("no 074")
	}
	return h, items, nil
}

// signedAmount is the balance effect of an item under the given codes.
func signedAmount(it item075, rc ReversalCodes) (int64, error) {
	rd, rcr := byte('3'), byte('4')
	if rc == Reversals45 {
		rd, rcr = '4', '5'
	}
	switch it.Code {
	case '1', rcr:
		return -it.Amount, nil
	case '2', rd:
		return it.Amount, nil
	}
	return 0, fmt.Errorf("posting code %q", it.Code)
}

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
		t.Errorf("%s differs from the golden file:\n--- got ---\n%q\n--- want ---\n%q", name, got, want)
	}
}
