package abo

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"erpconnector/formats"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// dump is the JSON form of a read file that the goldens hold. Amounts are
// written by money.Amount.String, from the integer.
type dump struct {
	Payments []dumpPayment `json:"payments"`
	Problems []string      `json:"problems"`
	Dropped  int           `json:"dropped,omitempty"`
}

type dumpPayment struct {
	Index           int    `json:"index"`
	Line            int    `json:"line"`
	Batch           string `json:"batch"`
	BatchLine       int    `json:"batchLine"`
	Amount          string `json:"amount"`
	RequestedDate   string `json:"requestedDate"`
	Priority        string `json:"priority"`
	DebtorAccount   string `json:"debtorAccount"`
	DebtorCountry   string `json:"debtorCountry"`
	DebtorAgent     string `json:"debtorAgent"`
	CreditorAccount string `json:"creditorAccount"`
	CreditorCountry string `json:"creditorCountry"`
	CreditorAgent   string `json:"creditorAgent"`
	CreditorName    string `json:"creditorName,omitempty"`
	VS              string `json:"vs,omitempty"`
	KS              string `json:"ks,omitempty"`
	SS              string `json:"ss,omitempty"`
	Message         string `json:"message,omitempty"`
}

// readAll reads a whole file through the streaming API.
func readAll(t testing.TB, r io.Reader, opts Options) ([]*formats.Payment, *formats.Problems) {
	t.Helper()
	rd := NewReader(r, opts)
	var ps []*formats.Payment
	for {
		p, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		ps = append(ps, p)
	}
	return ps, rd.Problems()
}

func makeDump(name string, ps []*formats.Payment, probs *formats.Problems) dump {
	d := dump{Payments: []dumpPayment{}, Problems: []string{}, Dropped: probs.Dropped()}
	for _, p := range ps {
		dp := dumpPayment{
			Index: p.Index, Line: p.Pos.Line,
			Amount:          p.Amount.String(),
			RequestedDate:   p.RequestedDate.String(),
			Priority:        p.Priority.String(),
			DebtorAccount:   p.DebtorAccount.String(),
			DebtorCountry:   p.DebtorAccount.Country,
			DebtorAgent:     p.DebtorAgent.BankCode,
			CreditorAccount: p.CreditorAccount.String(),
			CreditorCountry: p.CreditorAccount.Country,
			CreditorAgent:   p.CreditorAgent.BankCode,
			CreditorName:    p.Creditor.Name,
			VS:              p.Remittance.VS,
			KS:              p.Remittance.KS,
			SS:              p.Remittance.SS,
			Message:         p.Remittance.Unstructured,
		}
		if p.Batch != nil {
			dp.Batch, dp.BatchLine = p.Batch.ID, p.Batch.Pos.Line
		}
		d.Payments = append(d.Payments, dp)
	}
	for _, pr := range probs.List() {
		d.Problems = append(d.Problems, pr.Format(name))
	}
	return d
}

// goldenInputs lists every input in testdata/ with the options it is read
// with; TestGolden fails on an input that is not listed.
var goldenInputs = []struct {
	file string
	enc  Encoding
	// clean inputs must read without a single problem
	clean bool
}{
	{"kb_bulk_padded.kpc", Windows1250, true},       // spec §6.1, byte for byte
	{"kb_data_unpadded.kpc", Windows1250, true},     // spec §6.2 items, unpadded header fields
	{"csob_single_example.kpc", Windows1250, false}, // spec §6.3 as ČSOB prints it: its group sum is wrong
	{"csob_single_fixed.kpc", Windows1250, true},    // §6.3 with the group sum corrected
	{"win1250_diacritics.kpc", Windows1250, true},   // Czech letters and an en dash in windows-1250
	{"cp852_diacritics.kpc", CP852, true},           // the same text in CP852
	{"utf8_bom_diacritics.kpc", UTF8, true},         // the same text in UTF-8 with a BOM
	{"utf8_read_as_1250.kpc", Windows1250, false},   // UTF-8 bytes in a windows-1250 folder
	{"win1250_read_as_utf8.kpc", UTF8, false},       // windows-1250 bytes in a utf-8 folder
	{"lf_multi_groups.kpc", Windows1250, true},      // LF only, no final newline, 3 groups, 2 accounting files
}

func TestGolden(t *testing.T) {
	listed := map[string]bool{}
	for _, in := range goldenInputs {
		listed[in.file] = true
		t.Run(in.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", in.file))
			if err != nil {
				t.Fatal(err)
			}
			ps, probs := readAll(t, bytes.NewReader(raw), Options{Encoding: in.enc})
			got, err := json.MarshalIndent(makeDump(in.file, ps, probs), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", strings.TrimSuffix(in.file, ".kpc")+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file %s (run go test -update after checking the change):\n%s", in.file, golden, got)
			}
			if in.clean && probs.Len() != 0 {
				t.Errorf("%s must read without problems, got %v", in.file, probs.List())
			}
			if !in.clean && probs.Len() == 0 {
				t.Errorf("%s must have problems", in.file)
			}
		})
	}
	ents, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".kpc") && !listed[e.Name()] {
			t.Errorf("testdata/%s is not in goldenInputs", e.Name())
		}
	}
}
