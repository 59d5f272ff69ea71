package pain001

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

// FuzzReader feeds arbitrary bytes to the reader. Invariants: no panic; Next
// ends with io.EOF (there is no I/O error on a byte slice) and stays there;
// Index counts 0, 1, 2, … strictly increasing; every problem has a path or a
// line; every amount that was set is exact in a real currency; a document
// without problems yields complete payments; and reading is deterministic.
func FuzzReader(f *testing.F) {
	for _, glob := range []string{"testdata/golden/*.xml"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	var gen bytes.Buffer
	if err := writeDoc(&gen, 3); err != nil {
		f.Fatal(err)
	}
	f.Add(gen.Bytes())
	valid := minimal{}.String()
	for _, s := range []string{
		valid,
		minimal{ns: nsPrefix + V09, date: "<Dt>2026-03-03</Dt>"}.String(),
		minimal{grpNb: "2", pmtSum: "<CtrlSum>1</CtrlSum>"}.String(),
		minimal{tx: strings.Replace(okTx, "</CdtrAcct>", "</CdtrAcct><RmtInf><Ustrd>/VS/1/KS/2/SS/3 x</Ustrd><Strd><CdtrRefInf><Ref>VS:1</Ref></CdtrRefInf></Strd></RmtInf>", 1)}.String(),
		valid[:len(valid)/2],
		strings.Replace(valid, "UTF-8", "ISO-8859-2", 1),
		"\xEF\xBB\xBF" + valid,
		`<!DOCTYPE x [<!ENTITY a "b">]><Document/>`,
		`<p:Document xmlns:p="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><p:CstmrCdtTrfInitn/></p:Document>`,
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		first := fuzzRead(t, data)
		second := fuzzRead(t, data)
		if !reflect.DeepEqual(first, second) {
			t.Fatalf("two reads of the same input differ")
		}
	})
}

type fuzzResult struct {
	payments []formats.Payment
	problems []formats.Problem
	dropped  int
}

func fuzzRead(t *testing.T, data []byte) fuzzResult {
	r := NewReader(bytes.NewReader(data))
	var res fuzzResult
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v (a byte slice cannot fail to read)", err)
		}
		if p == nil {
			t.Fatal("nil payment without error")
		}
		if p.Index != len(res.payments) {
			t.Fatalf("Index %d after %d payments", p.Index, len(res.payments))
		}
		if p.Pos.Line <= 0 || p.Pos.Path == "" || p.Batch == nil {
			t.Fatalf("payment %d without position or batch: %+v", p.Index, p.Pos)
		}
		if !p.Amount.IsZero() {
			if _, ok := money.Exponent(p.Amount.Currency); !ok || p.Amount.Minor <= 0 {
				t.Fatalf("amount %+v", p.Amount)
			}
			back, err := money.Parse(p.Amount.Decimal(), p.Amount.Currency)
			if err != nil || back != p.Amount {
				t.Fatalf("amount %v does not round-trip: %v %v", p.Amount, back, err)
			}
		}
		res.payments = append(res.payments, *p)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next after EOF: %v", err)
	}
	res.problems = r.Problems().List()
	res.dropped = r.Problems().Dropped()
	for _, pr := range res.problems {
		if pr.Pos.Path == "" && pr.Pos.Line <= 0 {
			t.Fatalf("problem without position: %+v", pr)
		}
		if pr.Msg == "" {
			t.Fatalf("problem without message: %+v", pr)
		}
	}
	if r.Problems().Len() == 0 {
		if r.Version() != V03 && r.Version() != V09 {
			t.Fatalf("no problems but version %q", r.Version())
		}
		if len(res.payments) == 0 {
			t.Fatal("no problems and no payments")
		}
		for _, p := range res.payments {
			if p.EndToEndID == "" || p.Amount.Minor <= 0 || p.Batch.ID == "" || p.RequestedDate.IsZero() || p.DebtorAccount.IsZero() {
				t.Fatalf("payment %d incomplete in a file without problems: %+v", p.Index, p)
			}
		}
	}
	return res
}
