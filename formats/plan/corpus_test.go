package plan

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"erpconnector/formats"
	"erpconnector/formats/bijson"
	"erpconnector/formats/input"
	"erpconnector/formats/kbjson"
	"erpconnector/formats/money"
	"erpconnector/formats/validate"
	"erpconnector/internal/testenv"
)

var (
	reNbOfTxs = regexp.MustCompile(`<GrpHdr>[\s\S]*?<NbOfTxs>(\d+)</NbOfTxs>`)
	reAmount  = regexp.MustCompile(`<InstdAmt Ccy="([A-Z]{3})">([0-9.]+)</InstdAmt>`)
	reDebtor  = regexp.MustCompile(`(<DbtrAcct>\s*<Id>\s*<IBAN>)[A-Z0-9]+(</IBAN>)`)
	reDbtrBIC = regexp.MustCompile(`(<DbtrAgt>\s*<FinInstnId>\s*<BIC(?:FI)?>)[A-Z0-9]+(</BIC(?:FI)?>)`)
)

func planFile(t *testing.T, content []byte, opts Options) *Result {
	t.Helper()
	rd, _, err := input.Open(input.Auto, bytes.NewReader(content), input.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(rd, Source{SHA256: sha256.Sum256(content), Name: "corpus.xml"}, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func corpusOptions(bank Bank) Options {
	o := Options{Bank: bank, Validate: validate.Rules{Today: formats.Date{Year: 2000, Month: 1, Day: 1}}}
	o.BI = bijson.DefaultOptions("corpus")
	// The samples pay German creditors: KB's default (Czech creditors only)
	// would refuse them; the switch says foreign creditors are fine.
	o.KB = kbjson.Options{AllowForeignCreditor: true}
	return o
}

// requestTotals adds up the amounts in the planned request bodies, as the
// bank would read them, per currency.
func requestTotals(t *testing.T, res *Result) (int, map[string]money.Amount) {
	t.Helper()
	n := 0
	totals := map[string]money.Amount{}
	for _, r := range res.Requests {
		n += len(r.Payments)
		rd, _, err := input.Open(input.JSON, bytes.NewReader(r.Body), input.Options{BIDebtor: formats.Account{Number: "52470021527478", Country: "DK"}})
		if err != nil {
			t.Fatal(err)
		}
		for {
			p, err := rd.Next()
			if err != nil {
				break
			}
			s, err := money.Add(money.Amount{Currency: p.Amount.Currency, Minor: totals[p.Amount.Currency].Minor}, p.Amount)
			if err != nil {
				t.Fatal(err)
			}
			totals[p.Amount.Currency] = s
		}
	}
	return n, totals
}

// TestCorpusConvertsWhereAccountsAllow reads every pain.001 sample written by
// others. ISO-namespace files must convert to both banks once their debtor is
// an account the bank can debit, with the payment count and the total per
// currency equal to the file's own; as they are (German debtors), each bank
// must refuse them for that reason and no other. National variants are
// rejected by name.
func TestCorpusConvertsWhereAccountsAllow(t *testing.T) {
	dir := testenv.Shared(t, "corpora", "pain001")
	files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	if len(files) == 0 {
		testenv.Missing(t, "no pain.001 samples in %s", dir)
	}
	for _, f := range files {
		name := filepath.Base(f)
		content, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			switch {
			case strings.Contains(name, "german-variant"), strings.Contains(name, "swiss-variant"):
				res := planFile(t, content, corpusOptions(KB))
				if len(res.Requests) != 0 || res.Problems.Len() == 0 || !strings.Contains(res.Problems.List()[0].Msg, "variant") {
					t.Fatalf("national variant not rejected by name: %v", res.Problems.List())
				}
				return
			case name == "iso-sample.pain.001.001.09.xml":
				// A generated sample with made-up currencies: rejected with reasons.
				res := planFile(t, content, corpusOptions(BankIntegration))
				if len(res.Requests) != 0 || res.Problems.Len() == 0 {
					t.Fatal("the garbage sample was not rejected")
				}
				return
			}
			m := reNbOfTxs.FindSubmatch(content)
			if m == nil {
				t.Fatal("no GrpHdr/NbOfTxs")
			}
			wantCount := 0
			for _, c := range m[1] {
				wantCount = wantCount*10 + int(c-'0')
			}
			wantTotals := map[string]money.Amount{}
			for _, a := range reAmount.FindAllSubmatch(content, -1) {
				amt, err := money.Parse(string(a[2]), string(a[1]))
				if err != nil {
					t.Fatal(err)
				}
				wantTotals[amt.Currency], _ = money.Add(money.Amount{Currency: amt.Currency, Minor: wantTotals[amt.Currency].Minor}, amt)
			}

			for _, tc := range []struct {
				bank   Bank
				debtor string // an account this bank can debit
				bic    string // and its bank
				reason string // why the original cannot go to this bank
			}{
				{BankIntegration, "DK8152470021527478", "DABADKKK", "debtor"},
				{KB, "CZ0801000000192000145399", "KOMBCZPP", "debtor"},
			} {
				orig := planFile(t, content, corpusOptions(tc.bank))
				if len(orig.Requests) != 0 {
					t.Errorf("%s: a German debtor was accepted", tc.bank)
				}
				if orig.Problems.Len() == 0 || !strings.Contains(strings.ToLower(orig.Problems.List()[0].Field), tc.reason) {
					t.Errorf("%s: first problem is not the debtor: %v", tc.bank, orig.Problems.List())
				}

				swapped := reDebtor.ReplaceAll(content, []byte("${1}"+tc.debtor+"${2}"))
				swapped = reDbtrBIC.ReplaceAll(swapped, []byte("${1}"+tc.bic+"${2}"))
				res := planFile(t, swapped, corpusOptions(tc.bank))
				if tc.bank == KB && bytes.Contains(content, []byte("<Cd>SCOR</Cd>")) {
					// KB's structured references are VS/KS/SS only: a SCOR
					// reference must be refused, never silently dropped.
					ps := res.Problems.List()
					if len(res.Requests) != 0 || len(ps) == 0 || ps[0].Field != "remittanceInformation.structured" {
						t.Errorf("kb: the SCOR reference was not refused: %v", ps)
					}
					continue
				}
				if res.Problems.Len() > 0 {
					t.Fatalf("%s with debtor %s: %v", tc.bank, tc.debtor, res.Problems.List())
				}
				if res.Count != wantCount {
					t.Errorf("%s: read %d payments, the file says %d", tc.bank, res.Count, wantCount)
				}
				n, totals := requestTotals(t, res)
				if n != wantCount {
					t.Errorf("%s: requests carry %d payments, want %d", tc.bank, n, wantCount)
				}
				for ccy, want := range wantTotals {
					if totals[ccy] != want {
						t.Errorf("%s: requests total %s, the file %s", tc.bank, totals[ccy], want)
					}
				}
			}
		})
	}
}
