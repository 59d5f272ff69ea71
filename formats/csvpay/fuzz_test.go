package csvpay

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

// fuzzMappings are the fixed mappings FuzzReader picks from: the two samples
// (8-bit encodings, header, footer marker, bank-code column, priority values)
// and a headerless UTF-8 one that maps every field by position.
func fuzzMappings(t testing.TB) []*Mapping {
	all := &Mapping{
		Thousands: ",", DateLayout: "D.M.YY", SkipFooterRows: 1,
		Columns: map[string]Column{},
	}
	for i, name := range fieldNames {
		all.Columns[name] = Column{Index: i + 1}
	}
	return []*Mapping{
		loadMapping(t, "testdata/danish-erp.toml"),
		loadMapping(t, "testdata/czech-erp.toml"),
		all,
	}
}

func addSeedFiles(f *testing.F, mappings int) {
	files, _ := filepath.Glob("testdata/*.csv")
	more, _ := filepath.Glob("testdata/cases/*.csv")
	for _, name := range append(files, more...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for m := range mappings {
			f.Add(data, uint8(m))
		}
	}
	// Rows for the all-fields mapping (index 2), one field order per column:
	// instruction_id, end_to_end_id, amount, currency, requested_date, debtor_account, debtor_name,
	// creditor_account, creditor_bank_code, creditor_bic, creditor_name, street, building, postcode,
	// town, country, message, own_text, vs, ks, ss, reference, fik, priority.
	for _, row := range []string{
		`I1,E1,"1,234.50",DKK,1.3.26,5301 0000245768,Me,DK8015510003456789,,DABADKKK,You,Vej,1,8000,Aarhus,DK,msg,own,,,,RF18539007547034,,HIGH`,
		`I2,E2,7,czk,31.12.26,19-2000145399/0100,Já,1234567899,0800,,Ty,,,,,cz,zpráva,,123,0308,456,,,norm`,
		`I3,,10.5,EUR,29.2.28,"DK50 0040 0440 1162 43",,,,,,,,,,,,,,,,,+71<000100017156728+85432109<,INST`,
		`I4,,0.001,JPY,1.13.26,1,2,3/4,0800,x,"a""b",,,,,DNK,"x` + "\n" + `y",,12A,12345,,RF,+73<1+8<,x`,
	} {
		f.Add([]byte(row+"\nTOTAL\n"), uint8(2))
	}
}

func FuzzReader(f *testing.F) {
	mappings := fuzzMappings(f)
	addSeedFiles(f, len(mappings))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		m := mappings[int(which)%len(mappings)]
		checkReader(t, data, m)
	})
}

// checkReader reads data to the end and asserts the reader's invariants.
func checkReader(t *testing.T, data []byte, m *Mapping) {
	r, err := NewReader(bytes.NewReader(data), m)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	var payments []*formats.Payment
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next returned %v for an in-memory file; only io.EOF is allowed", err)
		}
		if len(payments) > len(data) {
			t.Fatalf("more payments (%d) than bytes (%d)", len(payments), len(data))
		}
		if p.Index != len(payments) || p.Batch == nil || p.Batch.ID != "CSV" {
			t.Fatalf("payment %d: Index %d, Batch %+v", len(payments), p.Index, p.Batch)
		}
		if p.Pos.Line < 1 || len(payments) > 0 && p.Pos.Line <= payments[len(payments)-1].Pos.Line {
			t.Fatalf("payment %d at line %d after line %v", p.Index, p.Pos.Line, payments)
		}
		payments = append(payments, p)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next after io.EOF = %v", err)
	}
	ps := r.Problems()
	bad := map[int]bool{}
	for _, pr := range ps.List() {
		if pr.Pos.Line < 1 || pr.Msg == "" {
			t.Fatalf("problem without a line or message: %+v", pr)
		}
		bad[pr.Pos.Line] = true
	}
	if len(payments) == 0 && ps.Len() == 0 {
		t.Fatal("a file without payments must have a problem")
	}
	if ps.Dropped() > 0 {
		return // which lines the dropped problems were on is unknown
	}
	for _, p := range payments {
		if bad[p.Pos.Line] {
			continue
		}
		checkClean(t, p)
	}
}

// checkClean asserts what a payment without problems guarantees.
func checkClean(t *testing.T, p *formats.Payment) {
	t.Helper()
	a := p.Amount
	if a.Minor <= 0 {
		t.Fatalf("line %d: amount %d without a problem", p.Pos.Line, a.Minor)
	}
	if back, err := money.Parse(a.Decimal(), a.Currency); err != nil || back != a {
		t.Fatalf("line %d: amount %v does not round-trip: %v, %v", p.Pos.Line, a, back, err)
	}
	if p.DebtorAccount.IsZero() {
		t.Fatalf("line %d: no debtor account and no problem", p.Pos.Line)
	}
	if p.CreditorAccount.IsZero() == (p.Remittance.FIK == nil) {
		t.Fatalf("line %d: want exactly one of creditor account %+v and FIK %+v", p.Pos.Line, p.CreditorAccount, p.Remittance.FIK)
	}
	for _, acc := range []formats.Account{p.DebtorAccount, p.CreditorAccount} {
		if acc.IsZero() {
			continue
		}
		back, err := parseAccount(acc.String(), "", "")
		if err != nil || back != acc {
			t.Fatalf("line %d: account %+v does not round-trip: %+v, %v", p.Pos.Line, acc, back, err)
		}
		if acc.Country == "DK" && (len(acc.Number) != 14 || !isDigits(acc.Number)) {
			t.Fatalf("line %d: DK account %q is not 14 digits", p.Pos.Line, acc.Number)
		}
	}
	if f := p.Remittance.FIK; f != nil {
		if back, err := parseFIK(f.String()); err != nil || *back != *f {
			t.Fatalf("line %d: FIK %+v does not round-trip: %v", p.Pos.Line, f, err)
		}
	}
	if d := p.RequestedDate; !d.IsZero() && formatsDateOf(d) != d {
		t.Fatalf("line %d: date %v does not exist", p.Pos.Line, d)
	}
	for _, s := range []string{p.InstructionID, p.EndToEndID, p.Creditor.Name, p.Remittance.Unstructured, p.OwnText, p.Remittance.Reference} {
		if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 || s != strings.TrimSpace(s) {
			t.Fatalf("line %d: text %q is not clean", p.Pos.Line, s)
		}
	}
}

func formatsDateOf(d formats.Date) formats.Date { return formats.DateOf(d.Time()) }

// FuzzMapping decodes arbitrary TOML as a mapping: Check and NewReader must
// agree, every error must name its key, and an accepted mapping must read.
func FuzzMapping(f *testing.F) {
	for _, name := range []string{"testdata/danish-erp.toml", "testdata/czech-erp.toml", "testdata/cases/positional.toml", "testdata/cases/bad-rows.toml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add("[csv.x]\ndelimiter=\"\\t\"\ncurrency=\"EUR\"\ndebtor_account=\"1551 1\"\n[csv.x.columns]\namount=1\nfik=2\nrequested_date=3\n")
	f.Add("[csv.x]\ndate_layout=\"D.M.YY\"\ndecimal=\",\"\nthousands=\". \"\n[csv.x.columns]\namount=0\nfoo=\"x\"\n")
	const sample = "to;amount;date\n+71<000000001234567+81234567<;1,00;1.1.26\n1551 0003456789;1.234,50;31.12.2026\n"
	f.Fuzz(func(t *testing.T, doc string) {
		var mf mappingFile
		if _, err := toml.Decode(doc, &mf); err != nil {
			return
		}
		for _, m := range mf.CSV {
			if m == nil {
				continue
			}
			errs := m.Check()
			for _, err := range errs {
				me, ok := err.(*MappingError)
				if !ok || me.Key == "" || me.Msg == "" {
					t.Fatalf("error %v does not name its key", err)
				}
			}
			r, err := NewReader(strings.NewReader(sample), m)
			if (err != nil) != (len(errs) > 0) {
				t.Fatalf("Check %v but NewReader %v", errs, err)
			}
			if err != nil {
				continue
			}
			checkReader(t, []byte(sample), m)
			_ = r
		}
	})
}

// FuzzAmount: an accepted amount keeps every digit the file wrote, in order,
// and nothing else; it round-trips through the locale's own notation.
func FuzzAmount(f *testing.F) {
	for _, s := range []string{"1.234,50", "1 234,50", "0,01", "+7", "12.345.678,90", "1\u00a0234,5", "-1", "1,005", "1.23,5", "00012,30"} {
		f.Add(s, true, ". ")
		f.Add(s, false, ",")
	}
	f.Fuzz(func(t *testing.T, s string, comma bool, thousands string) {
		m := valid()
		m.Thousands = thousands
		if comma {
			m.Decimal = ","
		}
		if len(m.Check()) > 0 {
			return
		}
		dec, _ := decimalRune(m.Decimal)
		af := newAmountFormat(dec, thousands)
		a, err := af.parse(s, "DKK")
		if err != nil {
			if a != (money.Amount{}) {
				t.Fatalf("error %v with amount %v", err, a)
			}
			return
		}
		if a.Minor <= 0 || a.Currency != "DKK" {
			t.Fatalf("%q -> %v", s, a)
		}
		in := strings.TrimLeft(digitsOf(s), "0")
		out := strings.TrimLeft(digitsOf(a.Decimal()), "0")
		if !strings.HasPrefix(out, in) || strings.Trim(out[len(in):], "0") != "" {
			t.Fatalf("%q read as %s: digits %q became %q", s, a.Decimal(), in, out)
		}
		local := strings.Replace(a.Decimal(), ".", string(dec), 1)
		if back, err := af.parse(local, "DKK"); err != nil || back != a {
			t.Fatalf("%q -> %v; %q -> %v, %v", s, a, local, back, err)
		}
	})
}

func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
