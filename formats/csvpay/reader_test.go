package csvpay

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"erpconnector/formats"
)

// TestStreaming proves that a payment is returned as soon as its row is
// complete, before the rest of the file exists.
func TestStreaming(t *testing.T) {
	m := valid()
	pr, pw := io.Pipe()
	r, err := NewReader(pr, &m)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.WriteString(pw, "1551 0003456789,10.00\n1551 0003456789,20.00\n") }()
	type result struct {
		p   *formats.Payment
		err error
	}
	got := make(chan result, 1)
	go func() { p, err := r.Next(); got <- result{p, err} }()
	select {
	case res := <-got:
		if res.err != nil || res.p.Amount.Minor != 1000 {
			t.Fatalf("first Next = %+v, %v", res.p, res.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Next waited for the end of the file")
	}
	go func() { _, _ = io.WriteString(pw, "1551 0003456789,30.00\n"); pw.Close() }()
	var minors []int64
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		minors = append(minors, p.Amount.Minor)
	}
	if fmt.Sprint(minors) != "[2000 3000]" || r.Problems().Len() != 0 {
		t.Errorf("rest = %v, problems %v", minors, r.Problems().List())
	}
}

type failingReader struct{ data string }

var errDisk = errors.New("disk on fire")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.data == "" {
		return 0, errDisk
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestIOError: an I/O error is returned as an error, not a problem, and wraps the cause.
func TestIOError(t *testing.T) {
	for _, enc := range []string{"utf-8", "windows-1252"} {
		m := valid()
		m.Encoding = enc
		r, err := NewReader(&failingReader{data: "1551 0003456789,10.00\n1551 0003456789,2"}, &m)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		for {
			_, err = r.Next()
			if err != nil {
				break
			}
			n++
		}
		if !errors.Is(err, errDisk) || n != 1 {
			t.Errorf("%s: after %d payments err = %v, want %v after 1", enc, n, err, errDisk)
		}
		if _, err := r.Next(); err != io.EOF {
			t.Errorf("%s: Next after the error = %v, want io.EOF", enc, err)
		}
	}
}

// TestFooter: several footer rows are held back and checked against the marker.
func TestFooter(t *testing.T) {
	m := valid()
	m.Delimiter = ";"
	m.Decimal = ","
	m.SkipFooterRows = 2
	m.FooterMarker = "I alt"
	tests := []struct {
		in       string
		payments int
		problems []string
	}{
		{"1551 0003456789;1\n1551 0003456789;2\n1551 0003456789;3\ni ALT;6\nI alt DKK;6\n", 3, nil},
		{"1551 0003456789;1\n\n1551 0003456789;2\n\nI alt;3\n;;\n;I alt;3\n", 2, nil},
		{"1551 0003456789;1\n1551 0003456789;2\nI alt;3\n", 1,
			[]string{`f.csv:2: row: should be the footer starting with "I alt" (skip_footer_rows = 2) but starts with "1551 0003456789"; it was not read as a payment`}},
		{"I alt;3\nI alt;3\n", 0, []string{"f.csv:2: the file has no payment rows"}},
		{"I alt;3\n", 0, []string{"f.csv:1: the file has no payment rows"}},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			d := readAll(t, []byte(tt.in), &m)
			if len(d.Payments) != tt.payments || strings.Join(d.Problems, "\n") != strings.Join(tt.problems, "\n") {
				t.Errorf("%d payments, problems %q; want %d, %q", len(d.Payments), d.Problems, tt.payments, tt.problems)
			}
		})
	}
}

// TestLines: Pos.Line is the file line where the row starts, counting
// skipped lines, blank lines and quoted line breaks.
func TestLines(t *testing.T) {
	m := valid()
	m.SkipRows = 2
	m.Header = true
	m.RaggedRows = true
	m.Columns = map[string]Column{"creditor_account": {Name: "to"}, "amount": {Name: "amt"}, "message": {Index: 3}}
	in := "title\n\"broken, title\n" + // skipped lines need not be valid CSV
		"to,amt,msg\n" + // line 3
		"1551 0003456789,1.00,\"two\r\nlines\"\n" + // line 4-5
		"\n" +
		"1551 0003456789,2.00,x,extra\n" + // line 7
		"1551 0003456789,-3\n" // line 8
	d := readAll(t, []byte(in), &m)
	var lines []int
	for _, p := range d.Payments {
		lines = append(lines, p.Line)
	}
	want := []string{
		"f.csv:4: message (column 3): contains the control character U+000A (a line break inside a quoted value?)",
		`f.csv:8: row: has 2 columns; no value for message (column 3)`,
		`f.csv:8: amount (column amt): "-3": must be greater than zero`,
	}
	if fmt.Sprint(lines) != "[4 7 8]" || strings.Join(d.Problems, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines %v problems\n%s", lines, strings.Join(d.Problems, "\n"))
	}
}

// TestManyProblems: a broken file of many rows keeps MaxProblems and counts the rest.
func TestManyProblems(t *testing.T) {
	m := valid()
	var b strings.Builder
	for range formats.MaxProblems + 10 {
		b.WriteString("1551 0003456789,-1\n")
	}
	d := readAll(t, []byte(b.String()), &m)
	if len(d.Payments) != formats.MaxProblems+10 || len(d.Problems) != formats.MaxProblems || d.Dropped != 10 {
		t.Errorf("%d payments, %d problems, %d dropped", len(d.Payments), len(d.Problems), d.Dropped)
	}
}

func TestPriorityValues(t *testing.T) {
	m := valid()
	m.Columns["priority"] = Column{Index: 3}
	m.PriorityValues = map[string]string{"J": "HIGH", "n": "NORM", "Straks": "INST"}
	d := readAll(t, []byte("1551 0003456789,1,j\n1551 0003456789,1,N\n1551 0003456789,1,STRAKS\n1551 0003456789,1,\n1551 0003456789,1,HIGH\n"), &m)
	var got []string
	for _, p := range d.Payments {
		got = append(got, p.Priority)
	}
	wantProblems := `f.csv:5: priority (column 3): "HIGH" is not one of the priority_values (J, Straks, n)`
	if fmt.Sprint(got) != "[HIGH NORM INST NORM NORM]" || strings.Join(d.Problems, "\n") != wantProblems {
		t.Errorf("priorities %v, problems %q", got, d.Problems)
	}
}

// TestSampleFiles checks what the lead relies on when pointing users at the
// samples: they read without problems, and their IBANs, FIK lines and Czech
// accounts carry correct check digits (computed here independently).
func TestSampleFiles(t *testing.T) {
	for _, name := range []string{"danish-erp", "czech-erp"} {
		m := loadMapping(t, "testdata/"+name+".toml")
		data, err := os.ReadFile("testdata/" + name + ".csv")
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewReader(strings.NewReader(string(data)), m)
		if err != nil {
			t.Fatal(err)
		}
		var n, fiks, ibans, domestic int
		for {
			p, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
			for _, a := range []formats.Account{p.DebtorAccount, p.CreditorAccount} {
				switch {
				case a.IBAN != "":
					ibans++
					if !mod97(a.IBAN) {
						t.Errorf("%s line %d: IBAN %s fails mod 97", name, p.Pos.Line, a.IBAN)
					}
				case a.Country == "CZ":
					domestic++
					if !czechMod11(a.Number) {
						t.Errorf("%s line %d: account %s fails mod 11", name, p.Pos.Line, a.Number)
					}
				case a.Country == "DK":
					domestic++
				}
			}
			if f := p.Remittance.FIK; f != nil {
				fiks++
				if f.Type == "71" && !fik71(f.PaymentID) {
					t.Errorf("%s line %d: FIK71 payment ID %s has a wrong check digit", name, p.Pos.Line, f.PaymentID)
				}
				if f.Creditor[0] != '8' {
					t.Errorf("%s line %d: FIK creditor %s does not start with 8", name, p.Pos.Line, f.Creditor)
				}
			}
		}
		if r.Problems().Len() != 0 {
			t.Errorf("%s: problems %v", name, r.Problems().List())
		}
		if n < 5 || ibans == 0 || domestic == 0 || (name == "danish-erp" && fiks < 2) {
			t.Errorf("%s: %d payments, %d IBANs, %d domestic, %d FIK: the sample should show every kind", name, n, ibans, domestic, fiks)
		}
	}
}

func mod97(iban string) bool {
	s := iban[4:] + iban[:4]
	var digits strings.Builder
	for _, c := range s {
		if c >= 'A' && c <= 'Z' {
			digits.WriteString(fmt.Sprint(int(c-'A') + 10))
		} else {
			digits.WriteRune(c)
		}
	}
	n, ok := new(big.Int).SetString(digits.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

func czechMod11(number string) bool {
	prefix, num, ok := strings.Cut(number, "-")
	if !ok {
		prefix, num = "", number
	}
	sum := func(s string, weights []int) int {
		s = strings.Repeat("0", len(weights)-len(s)) + s
		t := 0
		for i, w := range weights {
			t += int(s[i]-'0') * w
		}
		return t
	}
	return sum(prefix, []int{10, 5, 8, 4, 2, 1})%11 == 0 && sum(num, []int{6, 3, 7, 9, 10, 5, 8, 4, 2, 1})%11 == 0
}

// fik71 checks the check digit as Microsoft's FIKManagement computes it (iso20022.md §5.2).
func fik71(id string) bool {
	if len(id) != 15 {
		return false
	}
	sum := 0
	for i := range 14 {
		p := int(id[i]-'0') * (1 + i%2) // weights 1,2,1,2,…
		if p >= 10 {
			p = 1 + p%10
		}
		sum += p
	}
	return int(id[14]-'0') == (10-sum%10)%10
}

func TestCheckDigitHelpers(t *testing.T) {
	// The spec's own vectors, so the helpers above are known to be right.
	if !fik71("000100017156728") || fik71("000100017156723") {
		t.Error("fik71 disagrees with the FIKManagement test vectors")
	}
	for invoice, check := range map[string]byte{"10": '9', "20": '8', "67": '9', "05": '9', "11111111111111": '9', "22222222222222": '8'} {
		if id := strings.Repeat("0", 14-len(invoice)) + invoice + string(check); !fik71(id) {
			t.Errorf("fik71(%s) false; FIKManagement generates check digit %c for %s", id, check, invoice)
		}
	}
	if !mod97("DK5000400440116243") || mod97("DK5100400440116243") {
		t.Error("mod97 wrong")
	}
	if !czechMod11("19-2000145399") || czechMod11("1234567890") {
		t.Error("czechMod11 wrong")
	}
}

// TestEveryField maps every field by position and checks where each lands.
func TestEveryField(t *testing.T) {
	m := fuzzMappings(t)[2]
	in := `I1,E1,"1,234.50",dkk,1.3.26,5301 0000245768,Me,DK8015510003456789,,dabadkkk,You,Vej,1,8000,Aarhus,dk,msg,own,,,,RF18539007547034,,HIGH
I2,E2,7,CZK,31.12.26,19-2000145399/0100,Já,1234567899,0800,,Ty,,,,,CZ,zpráva,,0123,0308,456,INV 1,,norm
I3,,10.5,EUR,29.2.28,DK50 0040 0440 1162 43,,,,,,,,,,,,,,,,,+71<000100017156728+85432109<,INST
TOTAL
`
	d := readAll(t, []byte(in), m)
	if len(d.Problems) > 0 || len(d.Payments) != 3 {
		t.Fatalf("problems %q, %d payments", d.Problems, len(d.Payments))
	}
	got, _ := json.Marshal(d.Payments)
	want := `[{"index":0,"line":1,"batch":"CSV","instruction_id":"I1","end_to_end_id":"E1","amount":"1234.50 DKK","minor":123450,"requested_date":"2026-03-01","priority":"HIGH","debtor_name":"Me","debtor_account":{"number":"53010000245768","country":"DK"},"creditor":{"name":"You","street":"Vej","building":"1","postcode":"8000","town":"Aarhus","country":"DK"},"creditor_account":{"iban":"DK8015510003456789"},"creditor_bic":"DABADKKK","remittance":{"unstructured":"msg","reference":"RF18539007547034","reference_type":"RF"},"own_text":"own"},` +
		`{"index":1,"line":2,"batch":"CSV","instruction_id":"I2","end_to_end_id":"E2","amount":"7.00 CZK","minor":700,"requested_date":"2026-12-31","priority":"NORM","debtor_name":"Já","debtor_account":{"number":"19-2000145399","bank_code":"0100","country":"CZ"},"creditor":{"name":"Ty","country":"CZ"},"creditor_account":{"number":"1234567899","bank_code":"0800","country":"CZ"},"remittance":{"unstructured":"zpráva","vs":"0123","ks":"0308","ss":"456","reference":"INV 1"}},` +
		`{"index":2,"line":3,"batch":"CSV","instruction_id":"I3","amount":"10.50 EUR","minor":1050,"requested_date":"2028-02-29","priority":"INST","debtor_account":{"iban":"DK5000400440116243"},"creditor":{},"remittance":{"fik":{"Type":"71","PaymentID":"000100017156728","Creditor":"85432109"}}}]`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
