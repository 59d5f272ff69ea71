package csvpay

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

	"github.com/BurntSushi/toml"

	"erpconnector/formats"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// mappingFile is the shape of a config file's CSV part: [csv.NAME] tables.
type mappingFile struct {
	CSV map[string]*Mapping `toml:"csv"`
}

// loadMapping decodes the single [csv.NAME] table of a TOML file the way the
// config loader does, failing on keys the struct tags do not know.
func loadMapping(t testing.TB, path string) *Mapping {
	t.Helper()
	var mf mappingFile
	md, err := toml.DecodeFile(path, &mf)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Fatalf("%s: unknown keys %v", path, u)
	}
	if len(mf.CSV) != 1 {
		t.Fatalf("%s: want one [csv.NAME] table, have %d", path, len(mf.CSV))
	}
	for _, m := range mf.CSV {
		if errs := m.Check(); len(errs) > 0 {
			t.Fatalf("%s: mapping problems: %v", path, errs)
		}
		return m
	}
	panic("unreachable")
}

// dumpPayment is a Payment flattened for golden JSON; amounts are written from
// the integer, never through a float.
type dumpPayment struct {
	Index         int            `json:"index"`
	Line          int            `json:"line"`
	Batch         string         `json:"batch"`
	InstructionID string         `json:"instruction_id,omitempty"`
	EndToEndID    string         `json:"end_to_end_id,omitempty"`
	Amount        string         `json:"amount"`
	Minor         int64          `json:"minor"`
	RequestedDate string         `json:"requested_date,omitempty"`
	Priority      string         `json:"priority"`
	DebtorName    string         `json:"debtor_name,omitempty"`
	DebtorAccount *dumpAccount   `json:"debtor_account,omitempty"`
	Creditor      dumpParty      `json:"creditor"`
	CreditorAcct  *dumpAccount   `json:"creditor_account,omitempty"`
	CreditorBIC   string         `json:"creditor_bic,omitempty"`
	Remittance    dumpRemittance `json:"remittance"`
	OwnText       string         `json:"own_text,omitempty"`
}

type dumpParty struct {
	Name       string `json:"name,omitempty"`
	Street     string `json:"street,omitempty"`
	BuildingNo string `json:"building,omitempty"`
	PostCode   string `json:"postcode,omitempty"`
	Town       string `json:"town,omitempty"`
	Country    string `json:"country,omitempty"`
}

type dumpAccount struct {
	IBAN     string `json:"iban,omitempty"`
	Number   string `json:"number,omitempty"`
	BankCode string `json:"bank_code,omitempty"`
	Country  string `json:"country,omitempty"`
}

type dumpRemittance struct {
	Unstructured  string       `json:"unstructured,omitempty"`
	VS            string       `json:"vs,omitempty"`
	KS            string       `json:"ks,omitempty"`
	SS            string       `json:"ss,omitempty"`
	Reference     string       `json:"reference,omitempty"`
	ReferenceType string       `json:"reference_type,omitempty"`
	FIK           *formats.FIK `json:"fik,omitempty"`
}

type dump struct {
	Payments []dumpPayment `json:"payments"`
	Problems []string      `json:"problems"`
	Dropped  int           `json:"dropped_problems,omitempty"`
}

func account(a formats.Account) *dumpAccount {
	if a.IsZero() {
		return nil
	}
	return &dumpAccount{IBAN: a.IBAN, Number: a.Number, BankCode: a.BankCode, Country: a.Country}
}

// readAll reads a whole file, checking the PaymentReader contract on the way.
func readAll(t testing.TB, data []byte, m *Mapping) dump {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), m)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	d := dump{Payments: []dumpPayment{}, Problems: []string{}}
	var batch *formats.Batch
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if batch == nil {
			batch = p.Batch
		} else if p.Batch != batch {
			t.Fatalf("payment %d has another Batch pointer", p.Index)
		}
		if p.Index != len(d.Payments) {
			t.Fatalf("payment Index %d, want %d", p.Index, len(d.Payments))
		}
		d.Payments = append(d.Payments, dumpPayment{
			Index: p.Index, Line: p.Pos.Line, Batch: p.Batch.ID,
			InstructionID: p.InstructionID, EndToEndID: p.EndToEndID,
			Amount: p.Amount.String(), Minor: p.Amount.Minor,
			RequestedDate: p.RequestedDate.String(), Priority: p.Priority.String(),
			DebtorName: p.Debtor.Name, DebtorAccount: account(p.DebtorAccount),
			Creditor: dumpParty{
				Name: p.Creditor.Name, Street: p.Creditor.Street, BuildingNo: p.Creditor.BuildingNo,
				PostCode: p.Creditor.PostCode, Town: p.Creditor.Town, Country: p.Creditor.Country,
			},
			CreditorAcct: account(p.CreditorAccount), CreditorBIC: p.CreditorAgent.BIC,
			Remittance: dumpRemittance{
				Unstructured: p.Remittance.Unstructured, VS: p.Remittance.VS, KS: p.Remittance.KS,
				SS: p.Remittance.SS, Reference: p.Remittance.Reference,
				ReferenceType: p.Remittance.ReferenceType, FIK: p.Remittance.FIK,
			},
			OwnText: p.OwnText,
		})
	}
	if p, err := r.Next(); p != nil || !errors.Is(err, io.EOF) {
		t.Fatalf("Next after EOF = %v, %v; want nil, io.EOF", p, err)
	}
	for _, p := range r.Problems().List() {
		d.Problems = append(d.Problems, p.Format("f.csv"))
	}
	d.Dropped = r.Problems().Dropped()
	return d
}

// TestGolden reads every testdata/<name>.csv (and testdata/cases/<name>.csv)
// with the mapping in the .toml of the same name and compares payments and
// problems with testdata/golden/<name>.json. Run with -update to rewrite.
func TestGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/*.csv")
	cases, _ := filepath.Glob("testdata/cases/*.csv")
	inputs = append(inputs, cases...)
	if len(inputs) < 10 {
		t.Fatalf("only %d golden inputs found", len(inputs))
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".csv")
		t.Run(name, func(t *testing.T) {
			m := loadMapping(t, strings.TrimSuffix(in, ".csv")+".toml")
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(readAll(t, data, m), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", in, golden, got)
			}
		})
	}
}
