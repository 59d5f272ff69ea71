package mt940

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"erpconnector/formats"
	"erpconnector/formats/money"
	"erpconnector/formats/statement"
)

func write(t *testing.T, s *statement.Statement, o Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, s, o); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    *statement.Statement
		o    Options
	}{
		{"dk.sta", dkStatement(), Options{}},
		{"dk_iban.sta", dkStatement(), Options{Account: AccountIBAN}},
		{"cz.sta", czStatement(), Options{Dialect: CZ}},
		{"cz_as_dk.sta", czStatement(), Options{Dialect: DK}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := write(t, tc.s, tc.o)
			golden(t, tc.name, []byte(out))
			assertRoundTrip(t, tc.s, out)
		})
	}
}

// assertRoundTrip reads out back and compares every amount and balance.
func assertRoundTrip(t *testing.T, s *statement.Statement, out string) *parsed {
	t.Helper()
	exp, _ := money.Exponent(s.Currency)
	p, err := parse(out, exp)
	if err != nil {
		t.Fatalf("reading back: %v\n%s", err, out)
	}
	if p.Opening.Minor != s.Opening.Minor || p.Closing.Minor != s.Closing.Minor || p.Available != p.Closing {
		t.Errorf("balances read back %+v/%+v/%+v, want %d/%d", p.Opening, p.Closing, p.Available, s.Opening.Minor, s.Closing.Minor)
	}
	if p.Opening.Ccy != s.Currency || p.Closing.Ccy != s.Currency {
		t.Errorf("currency read back %s/%s, want %s", p.Opening.Ccy, p.Closing.Ccy, s.Currency)
	}
	if len(p.Entries) != len(s.Entries) {
		t.Fatalf("read back %d entries, want %d", len(p.Entries), len(s.Entries))
	}
	sum := p.Opening.Minor
	for i, e := range p.Entries {
		if e.Minor != s.Entries[i].Minor {
			t.Errorf("entry %d: read back %d, want %d", i, e.Minor, s.Entries[i].Minor)
		}
		sum += e.Minor
	}
	if sum != p.Closing.Minor {
		t.Errorf("opening + entries read back = %d, closing %d", sum, p.Closing.Minor)
	}
	return p
}

func TestFieldsDK(t *testing.T) {
	s := dkStatement()
	p := assertRoundTrip(t, s, write(t, s, Options{}))
	if p.Ref != "DK-5247-2024-117" || p.Account != "00400440116243" || p.Seq != "00117/001" {
		t.Errorf("header = %q %q %q", p.Ref, p.Account, p.Seq)
	}
	if p.Opening.Date != "240425" || p.Closing.Date != "240429" {
		t.Errorf("balance dates %s %s", p.Opening.Date, p.Closing.Date)
	}
	want := []pentry{
		{Value: "240426", Booking: "0426", Mark: "C", Code: "TRF", CustRef: "INV-2024-0042", Bank: "5247260424A1", Supp: "Overfoersel",
			Info: []string{"AEroe Koebmandshandel + Soen", "Faktura 42", "Tak for handlen - paa gensyn", "INV-2024-0042"}},
		{Value: "240430", Booking: "0429", Mark: "D", Code: "CHG", CustRef: "NONREF", Bank: "BI-0002", Supp: "Gebyr", Info: []string{"Gebyr"}},
		{Value: "240429", Booking: "0429", Mark: "D", Code: "DDT", CustRef: "NONREF", Bank: "BI-0003", Supp: "Betalingsservice",
			Info: []string{"Noergaard AAkande", "A-VERY-LONG-END-TO-END-ID-0001", "+71 000000001234567 +12345678"}},
		{Value: "240429", Booking: "0429", Mark: "RD", Code: "TRF", CustRef: "NONREF", Bank: "BI-0004", Supp: "Tilbagefoert",
			Info: []string{"Noergaard AAkande"}},
	}
	for i, w := range want {
		g := p.Entries[i]
		g.Minor = 0
		if strings.Join(g.Info, "|") != strings.Join(w.Info, "|") {
			t.Errorf("entry %d :86: = %q, want %q", i, g.Info, w.Info)
		}
		g.Info, w.Info = nil, nil
		if g.Value != w.Value || g.Booking != w.Booking || g.Mark != w.Mark || g.Code != w.Code || g.CustRef != w.CustRef || g.Bank != w.Bank || g.Supp != w.Supp {
			t.Errorf("entry %d :61: = %+v, want %+v", i, g, w)
		}
	}
}

func TestFieldsCZ(t *testing.T) {
	s := czStatement()
	p := assertRoundTrip(t, s, write(t, s, Options{Dialect: CZ}))
	if p.Account != "19-2000145399/0800" || p.Seq != "00009/001" {
		t.Errorf(":25: %q :28C: %q", p.Account, p.Seq)
	}
	// The ID is longer than 16: shortened with a hash so it stays distinct.
	if len(p.Ref) != 16 || !strings.HasPrefix(p.Ref, "KB-19-20") {
		t.Errorf(":20: %q", p.Ref)
	}
	if p.Opening.Minor != -50000 || !strings.Contains(write(t, s, Options{Dialect: CZ}), ":60F:D240929CZK500,00\r\n") {
		t.Errorf("debit opening balance not written as D: %+v", p.Opening)
	}
	e := p.Entries[0]
	want := []string{
		"VS:1446556401 KS:0308 SS:7815392681", "EREF:E2E-77", "NAME:Zlutoucky kun a.s.", "ACCT:7770227/0100",
		"MSG:Uhrada faktury 2024/118 za dodavku zbozi, dekujeme za",
		"spolupraci a tesime se na dalsi objednavky",
	}
	if strings.Join(e.Info, "|") != strings.Join(want, "|") {
		t.Errorf(":86: =\n%q\nwant\n%q", e.Info, want)
	}
	e = p.Entries[1]
	if e.Bank != "KB/REF/99" || e.CustRef != "NONREF" {
		t.Errorf("references %q // %q", e.CustRef, e.Bank)
	}
	if got := strings.Join(e.Info, "|"); got != "VS:42|NAME:CEZ, a. s.|ACCT:1234567899/0800" {
		t.Errorf(":86: = %q", got)
	}
}

func TestOtherIDs(t *testing.T) {
	a, b := czStatement(), czStatement()
	b.ID = a.ID + "x"
	if ra, rb := reference(a.ID), reference(b.ID); ra == rb || len(ra) != 16 || len(rb) != 16 {
		t.Errorf("long IDs %q and %q give :20: %q and %q", a.ID, b.ID, ra, rb)
	}
	for id, want := range map[string]string{"": "NONREF", "/a//b/": "a/b", "ÆØÅ 1": "AEOEAA1", "1234567890123456": "1234567890123456"} {
		if got := reference(id); got != want {
			t.Errorf("reference(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestAmounts(t *testing.T) {
	for _, tc := range []struct {
		minor int64
		exp   int
		want  string
		err   error
	}{
		{1, 2, "0,01", nil},
		{-1250, 2, "12,50", nil},
		{100, 0, "100,", nil},
		{1250, 3, "1,250", nil},
		{99999999999999, 2, "999999999999,99", nil},
		{100000000000000, 2, "", ErrAmount}, // 16 characters with the comma
		{math.MaxInt64, 2, "", ErrAmount},
		{math.MinInt64, 2, "", ErrAmount},
		{99999999999999, 0, "99999999999999,", nil},
	} {
		got, err := amount(tc.minor, tc.exp)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("amount(%d, %d) = %q, %v; want %q, %v", tc.minor, tc.exp, got, err, tc.want, tc.err)
		}
	}
}

func TestErrors(t *testing.T) {
	big := dkStatement()
	big.Entries[0].Minor += 100000000000000
	big.Closing.Minor += 100000000000000
	unbalanced := dkStatement()
	unbalanced.Closing.Minor++
	noAcct := dkStatement()
	noAcct.Account = formats.Account{}
	noDate := dkStatement()
	noDate.Entries[1].ValueDate, noDate.Entries[1].BookingDate = formats.Date{}, formats.Date{}
	badSeq := dkStatement()
	badSeq.Sequence = -1
	for _, tc := range []struct {
		name string
		s    *statement.Statement
		o    Options
		err  error
	}{
		{"amount over 15 characters", big, Options{}, ErrAmount},
		{"unbalanced", unbalanced, Options{}, statement.ErrUnbalanced},
		{"no account", noAcct, Options{}, ErrStatement},
		{"entry without dates", noDate, Options{}, ErrStatement},
		{"negative sequence", badSeq, Options{}, ErrStatement},
		{"bad type code", dkStatement(), Options{TypeCode: func(statement.Entry) string { return "xx" }}, ErrStatement},
		{"unknown dialect", dkStatement(), Options{Dialect: 7}, ErrStatement},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Write(&bytes.Buffer{}, tc.s, tc.o)
			if !errors.Is(err, tc.err) {
				t.Errorf("Write = %v, want %v", err, tc.err)
			}
		})
	}
}

func TestTypeCodeOption(t *testing.T) {
	s := dkStatement()
	out := write(t, s, Options{TypeCode: func(e statement.Entry) string {
		if e.Minor > 0 {
			return "MSC"
		}
		return ""
	}})
	p := assertRoundTrip(t, s, out)
	if p.Entries[0].Code != "MSC" || p.Entries[1].Code != "CHG" {
		t.Errorf("codes %s %s", p.Entries[0].Code, p.Entries[1].Code)
	}
}

func TestTypeCode(t *testing.T) {
	for _, tc := range []struct {
		code statement.TxCode
		text string
		want string
	}{
		{tx("PMNT", "RCDT", "DMCT"), "", "TRF"},
		{tx("PMNT", "ICDT", "STDO"), "", "STO"},
		{tx("PMNT", "RCDT", "SALA"), "", "SAL"},
		{tx("PMNT", "IDDT", "ESDD"), "", "DDT"},
		{tx("PMNT", "CCRD", "POSD"), "", "MSC"},
		{tx("PMNT", "MCOP", "CHRG"), "", "CHG"},
		{tx("ACMT", "MDOP", "INTR"), "", "INT"},
		{tx("FORX", "SPOT", "OTHR"), "", "FEX"},
		{tx("PMNT", "RCHQ", "CCHQ"), "", "CHK"},
		{statement.TxCode{}, "Poplatek za vedení účtu", "CHG"},
		{statement.TxCode{}, "Rentetilskrivning", "INT"},
		{statement.TxCode{}, "Úrok", "INT"},
		{statement.TxCode{}, "Overførsel", "TRF"},
		{tx("PMNT", "RCDT", "DMCT"), "Gebyr", "TRF"}, // the code wins over the text
	} {
		if got := TypeCode(statement.Entry{TxCode: tc.code, Text: tc.text}); got != tc.want {
			t.Errorf("TypeCode(%v, %q) = %s, want %s", tc.code, tc.text, got, tc.want)
		}
	}
}

func TestToX(t *testing.T) {
	for in, want := range map[string]string{
		"Smørrebrød på Ærø":       "Smoerrebroed paa AEroe",
		"ěščřžýáíéůú ĚŠČŘŽÝÁÍÉŮÚ": "escrzyaieuu ESCRZYAIEUU",
		"Müller & Söhne GmbH":     "Mueller + Soehne GmbH",
		"a_b \"c\" [d] {e} <f>":   "a-b 'c' (d) (e) (f)",
		"100 € ; 5% #1 @x !":      "100 EUR . 5. .1 .x .",
		"line1\nline2\ttab":       "line1 line2 tab",
		"Łódź Straße":             "Lodz Strasse",
		"日本":                      "..",
		"plain /-?:().,'+ ASCII":  "plain /-?:().,'+ ASCII",
	} {
		if got := toX(in); got != want {
			t.Errorf("toX(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLongInformationIsCutNotReferences(t *testing.T) {
	s := dkStatement()
	s.Entries[0].Remittance.Unstructured = strings.Repeat("word ", 200)
	s.Entries[0].Counterparty.Name = strings.Repeat("N", 80)
	p := assertRoundTrip(t, s, write(t, s, Options{}))
	info := p.Entries[0].Info
	if len(info) != 6 || info[len(info)-1] != "INV-2024-0042" {
		t.Errorf(":86: lost the end-to-end ID or has %d lines: %q", len(info), info)
	}
	// CZ: all fixed lines stay, the message gets the one line left.
	c := czStatement()
	c.Entries[0].Remittance.Unstructured = strings.Repeat("slovo ", 100)
	c.Entries[0].Remittance.Reference = "RF18539007547034"
	p = assertRoundTrip(t, c, write(t, c, Options{Dialect: CZ}))
	info = p.Entries[0].Info
	if len(info) != 6 || info[1] != "EREF:E2E-77" || info[2] != "REF:RF18539007547034" || !strings.HasPrefix(info[5], "MSG:slovo") {
		t.Errorf("CZ :86: = %q", info)
	}
}

func TestContinuationLinesAreSafe(t *testing.T) {
	s := dkStatement()
	s.Entries[0].Remittance.Unstructured = "-1 line that starts with a dash\n:20:fake tag"
	s.Entries[0].Text = "-minus"
	out := write(t, s, Options{})
	p := assertRoundTrip(t, s, out)
	if got := p.Entries[0].Info; got[1] != ".1 line that starts with a dash" || got[2] != ".20:fake tag" {
		t.Errorf(":86: = %q", got)
	}
	if p.Entries[0].Supp != ".minus" {
		t.Errorf("supplementary = %q", p.Entries[0].Supp)
	}
}

func TestLongLineKeepsWithin65(t *testing.T) {
	s := dkStatement()
	s.Entries = s.Entries[:1]
	s.Opening.Minor = 0
	// A 15-character amount, a reversal and two 16-character references
	// make the longest possible :61: line; the bank reference is cut.
	s.Entries[0].Minor = 99999999999999
	s.Entries[0].Reversal = true
	s.Entries[0].EndToEndID = "ABCDEFGHIJKLMNOP"
	s.Entries[0].BankReference = "QRSTUVWXYZ012345"
	s.Closing.Minor = s.Opening.Minor
	for _, e := range s.Entries {
		s.Closing.Minor += e.Minor
	}
	out := write(t, s, Options{})
	p := assertRoundTrip(t, s, out)
	if e := p.Entries[0]; e.CustRef != "ABCDEFGHIJKLMNOP" || e.Bank != "QRSTUVWXYZ01" || e.Mark != "RD" {
		t.Errorf(":61: %+v", e)
	}
}

func TestJPYAndBHD(t *testing.T) {
	for ccy, want := range map[string]string{"JPY": ":60F:C240425JPY1234567,", "BHD": ":60F:C240425BHD1234,567"} {
		s := dkStatement()
		s.Currency = ccy
		for i := range s.Entries {
			s.Entries[i].Currency = ccy
		}
		out := write(t, s, Options{})
		if !strings.Contains(out, want+"\r\n") {
			t.Errorf("%s: no %q in\n%s", ccy, want, out)
		}
		assertRoundTrip(t, s, out)
	}
}

func TestEmptyStatement(t *testing.T) {
	s := dkStatement()
	s.Entries = nil
	s.Closing.Minor = s.Opening.Minor
	out := write(t, s, Options{})
	if strings.Contains(out, ":61:") || !strings.HasSuffix(out, ":62F:C240429DKK12345,67\r\n:64:C240429DKK12345,67\r\n-\r\n") {
		t.Errorf("empty statement:\n%s", out)
	}
	assertRoundTrip(t, s, out)
}

func tx(domain, family, sub string) statement.TxCode {
	return statement.TxCode{Domain: domain, Family: family, SubFamily: sub}
}
