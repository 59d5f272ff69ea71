package pain001

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"erpconnector/formats"
	"erpconnector/formats/money"
	"erpconnector/internal/testenv"
)

// minimal builds a small valid pain.001.001.03 whose parts a test can replace.
type minimal struct {
	ns, grpNb, grpSum, pmtNb, pmtSum, date, tx2 string
	tx                                          string
}

const okTx = `<CdtTrfTxInf><PmtId><EndToEndId>E1</EndToEndId></PmtId>` +
	`<Amt><InstdAmt Ccy="CZK">100.00</InstdAmt></Amt>` +
	`<CdtrAcct><Id><IBAN>CZ5508000000001234567899</IBAN></Id></CdtrAcct></CdtTrfTxInf>`

func (m minimal) String() string {
	def := func(v, d string) string {
		if v == "" {
			return d
		}
		return v
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="` + def(m.ns, "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03") + `">
<CstmrCdtTrfInitn>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-03-02T08:00:00</CreDtTm><NbOfTxs>` + def(m.grpNb, "1") + `</NbOfTxs>` + m.grpSum + `<InitgPty/></GrpHdr>
<PmtInf><PmtInfId>B1</PmtInfId><PmtMtd>TRF</PmtMtd>` + m.pmtNb + m.pmtSum + `
<ReqdExctnDt>` + def(m.date, "2026-03-03") + `</ReqdExctnDt>
<Dbtr><Nm>D</Nm></Dbtr><DbtrAcct><Id><IBAN>CZ6508000000192000145399</IBAN></Id></DbtrAcct>
<DbtrAgt><FinInstnId><BIC>GIBACZPX</BIC></FinInstnId></DbtrAgt>
` + def(m.tx, okTx) + m.tx2 + `
</PmtInf>
</CstmrCdtTrfInitn>
</Document>
`
}

func read(t *testing.T, doc string) (dump, []*formats.Payment) {
	t.Helper()
	return readAll(t, strings.NewReader(doc))
}

// TestMalformed asserts the exact problem for each kind of broken input.
func TestMalformed(t *testing.T) {
	valid := minimal{}.String()
	tests := []struct {
		name     string
		doc      string
		payments int
		want     []string // exact problems, in order
	}{
		{
			name: "truncated inside an element",
			doc:  valid[:strings.Index(valid, "<DbtrAgt>")+len("<DbtrAgt><FinInst")],
			want: []string{`line 8: /Document/CstmrCdtTrfInitn/PmtInf[1]/DbtrAgt: the XML is truncated (unexpected end of file)`},
		},
		{
			name: "truncated between elements",
			doc:  valid[:strings.Index(valid, "</PmtInf>")],
			want: []string{`line 10: /Document/CstmrCdtTrfInitn/PmtInf[1]: the file ends inside <PmtInf>: the XML is truncated (unexpected end of file)`},
			// The one complete transaction is still handed out.
			payments: 1,
		},
		{
			name:     "wrong group NbOfTxs",
			doc:      minimal{grpNb: "2"}.String(),
			payments: 1,
			want:     []string{`line 4: /Document/CstmrCdtTrfInitn/GrpHdr/NbOfTxs: NbOfTxs: says 2 but the file has 1 transactions (CdtTrfTxInf)`},
		},
		{
			name:     "wrong PmtInf NbOfTxs",
			doc:      minimal{pmtNb: "<NbOfTxs>3</NbOfTxs>"}.String(),
			payments: 1,
			want:     []string{`line 5: /Document/CstmrCdtTrfInitn/PmtInf[1]/NbOfTxs: NbOfTxs: says 3 but PmtInf[1] has 1 transactions (CdtTrfTxInf)`},
		},
		{
			name:     "wrong CtrlSum at both levels",
			doc:      minimal{grpSum: "<CtrlSum>100.01</CtrlSum>", pmtSum: "<CtrlSum>99.99</CtrlSum>"}.String(),
			payments: 1,
			want: []string{
				`line 5: /Document/CstmrCdtTrfInitn/PmtInf[1]/CtrlSum: CtrlSum: says 99.99 but the amounts of PmtInf[1] add up to 100.00`,
				`line 4: /Document/CstmrCdtTrfInitn/GrpHdr/CtrlSum: CtrlSum: says 100.01 but the amounts of the file add up to 100.00`,
			},
		},
		{
			name:     "CtrlSum equal at another scale",
			doc:      minimal{grpSum: "<CtrlSum>100</CtrlSum>", pmtSum: "<CtrlSum>100.000</CtrlSum>"}.String(),
			payments: 1,
		},
		{
			name:     "bad amount",
			doc:      minimal{tx: strings.Replace(okTx, "100.00", "1,000.00", 1)}.String(),
			payments: 1,
			want:     []string{`line 9: /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/Amt/InstdAmt: InstdAmt: "1,000.00" is not a decimal amount (digits and an optional '.')`},
		},
		{
			name:     "too many decimals for the currency",
			doc:      minimal{tx: strings.Replace(okTx, "100.00", "100.001", 1)}.String(),
			payments: 1,
			want:     []string{`line 9: /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/Amt/InstdAmt: InstdAmt: amount "100.001" has 3 decimal places; CZK allows 2`},
		},
		{
			name:     "zero amount",
			doc:      minimal{tx: strings.Replace(okTx, "100.00", "0.00", 1)}.String(),
			payments: 1,
			want:     []string{`line 9: /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/Amt/InstdAmt: InstdAmt: amount "0.00" must be greater than zero`},
		},
		{
			name:     "more than 5 decimals",
			doc:      minimal{tx: strings.Replace(okTx, "100.00", "1.123456", 1)}.String(),
			payments: 1,
			want:     []string{`line 9: /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/Amt/InstdAmt: InstdAmt: amount "1.123456" has 6 decimal places; ISO 20022 allows at most 5`},
		},
		{
			name:     "missing currency",
			doc:      minimal{tx: strings.Replace(okTx, ` Ccy="CZK"`, "", 1)}.String(),
			payments: 1,
			want:     []string{`line 9: /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/Amt/InstdAmt: Ccy: InstdAmt has no Ccy attribute`},
		},
		{
			name:     "missing EndToEndId",
			doc:      minimal{tx: strings.Replace(okTx, "<EndToEndId>E1</EndToEndId>", "<InstrId>I1</InstrId>", 1)}.String(),
			payments: 1,
			want:     []string{`line 9: /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/PmtId/EndToEndId: EndToEndId: mandatory element missing`},
		},
		{
			name:     "missing Amt",
			doc:      minimal{tx: strings.Replace(okTx, `<Amt><InstdAmt Ccy="CZK">100.00</InstdAmt></Amt>`, "", 1)}.String(),
			payments: 1,
			want:     []string{`line 9: /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/Amt: Amt: mandatory element missing`},
		},
		{
			name:     "bad date",
			doc:      minimal{date: "2026-02-29"}.String(),
			payments: 1,
			want:     []string{`line 6: /Document/CstmrCdtTrfInitn/PmtInf[1]/ReqdExctnDt: ReqdExctnDt: "2026-02-29" is not a date in the form YYYY-MM-DD`},
		},
		{
			name:     "EndToEndId too long",
			doc:      minimal{tx: strings.Replace(okTx, ">E1<", ">"+strings.Repeat("Ř", 36)+"<", 1)}.String(),
			payments: 1,
			want:     []string{`line 9: /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/PmtId/EndToEndId: EndToEndId: is 36 characters long, at most 35 allowed`},
		},
		{
			name: "DOCTYPE",
			doc:  strings.Replace(valid, "<Document", `<!DOCTYPE Document [<!ENTITY x "y">]><Document`, 1),
			want: []string{`line 2: : DTD not allowed: the file contains <!DOCTYPE Document [<!ENTITY x "y">]>; DOCTYPE and entity declarations are refused`},
		},
		{
			name: "unknown namespace",
			doc:  minimal{ns: "urn:example:payments"}.String(),
			want: []string{`line 2: /Document: xmlns: namespace urn:example:payments is not an ISO 20022 pain.001 namespace; export ISO pain.001.001.03 or .09`},
		},
		{
			name: "other ISO message",
			doc:  minimal{ns: "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}.String(),
			want: []string{`line 2: /Document: xmlns: namespace urn:iso:std:iso:20022:tech:xsd:pain.008.001.02 is pain.008.001.02, not a pain.001 credit transfer initiation; export ISO pain.001.001.03 or .09`},
		},
		{
			name: "German DK variant",
			doc:  minimal{ns: "urn:iso:std:iso:20022:tech:xsd:pain.001.003.03"}.String(),
			want: []string{`line 2: /Document: xmlns: namespace urn:iso:std:iso:20022:tech:xsd:pain.001.003.03 is the German DK variant pain.001.003.03, which is not supported; export ISO pain.001.001.03 or .09`},
		},
		{
			name: "urn:sepade",
			doc:  minimal{ns: "urn:sepade:xsd:pain.001.001.09"}.String(),
			want: []string{`line 2: /Document: xmlns: namespace urn:sepade:xsd:pain.001.001.09 is a German SEPA (urn:sepade) variant, which is not supported; export ISO pain.001.001.03 or .09`},
		},
		{
			name: "no namespace",
			doc:  strings.Replace(valid, ` xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"`, "", 1),
			want: []string{`line 2: /Document: xmlns: the root element Document has no namespace; expected xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03" or "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"`},
		},
		{
			name: "wrong root element",
			doc:  `<?xml version="1.0"?><BkToCstmrStmt xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>`,
			want: []string{`line 1: /BkToCstmrStmt: the root element is <BkToCstmrStmt>, not <Document>: this is not an ISO 20022 pain.001 file`},
		},
		{
			name: "empty file",
			doc:  "",
			want: []string{`line 1: : the file has no root element: it is empty or not XML`},
		},
		{
			name: "mismatched end tag",
			doc:  strings.Replace(valid, "</Dbtr>", "</Cdtr>", 1),
			want: []string{`line 7: /Document/CstmrCdtTrfInitn/PmtInf[1]/Dbtr: element <Dbtr> is closed by </Cdtr>: the XML is malformed`},
		},
		{
			name:     "content after the root",
			doc:      valid + "<Document/>",
			payments: 1,
			want:     []string{`line 13: /Document: a second root element <Document> after </Document>`},
		},
		{
			name:     "cheque and conversion refused",
			doc:      strings.Replace(minimal{tx: strings.Replace(okTx, `<InstdAmt Ccy="CZK">100.00</InstdAmt>`, `<EqvtAmt><Amt Ccy="EUR">4</Amt><CcyOfTrf>CZK</CcyOfTrf></EqvtAmt>`, 1)}.String(), "<PmtMtd>TRF", "<PmtMtd>CHK", 1),
			payments: 1,
			want: []string{
				`line 5: /Document/CstmrCdtTrfInitn/PmtInf[1]/PmtMtd: PmtMtd: is not supported: PmtMtd CHK orders cheques; only credit transfers (TRF) can be sent to the bank`,
				`line 9: /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/Amt/EqvtAmt: EqvtAmt: is not supported: EqvtAmt asks the bank to convert from another currency; give the amount to pay as InstdAmt`,
			},
		},
		{
			name: "missing header elements",
			doc:  strings.Replace(strings.Replace(valid, "<PmtInfId>B1</PmtInfId>", "", 1), "<Dbtr><Nm>D</Nm></Dbtr>", "", 1),
			want: []string{
				`line 5: /Document/CstmrCdtTrfInitn/PmtInf[1]/PmtInfId: PmtInfId: mandatory element missing`,
				`line 5: /Document/CstmrCdtTrfInitn/PmtInf[1]/Dbtr: Dbtr: mandatory element missing`,
			},
			payments: 1,
		},
		{
			name:     "misspelt element",
			doc:      minimal{tx: strings.Replace(okTx, "<CdtrAcct>", "<CdtrAcc><Id><IBAN>CZ5508000000001234567899</IBAN></Id></CdtrAcc><CdtrAcct>", 1)}.String(),
			payments: 1,
			want:     []string{`line 9: /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/CdtrAcc: CdtrAcc: unexpected element in <CdtTrfTxInf>; it is not part of pain.001.001.03 here`},
		},
		{
			name:     "duplicate amount",
			doc:      minimal{tx: strings.Replace(okTx, "</Amt>", `</Amt><Amt><InstdAmt Ccy="CZK">5.00</InstdAmt></Amt>`, 1)}.String(),
			payments: 1,
			want:     []string{`line 9: /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/Amt: Amt: occurs more than once; only one is allowed`},
		},
		{
			name:     ".09 date in a .03 file",
			doc:      minimal{date: "<Dt>2026-03-03</Dt>"}.String(),
			payments: 1,
			want:     []string{`line 6: /Document/CstmrCdtTrfInitn/PmtInf[1]/ReqdExctnDt/Dt: Dt: unexpected element inside <ReqdExctnDt>, which holds a value: in pain.001.001.03 ReqdExctnDt holds the date itself, not Dt/DtTm (that is .09)`},
		},
		{
			name:     ".03 date in a .09 file",
			doc:      strings.Replace(minimal{ns: nsPrefix + V09}.String(), "<BIC>GIBACZPX</BIC>", "<BICFI>GIBACZPX</BICFI>", 1),
			payments: 1,
			want: []string{
				`line 6: /Document/CstmrCdtTrfInitn/PmtInf[1]/ReqdExctnDt: ReqdExctnDt: unexpected text "2026-03-03": this element holds only other elements`,
				`line 6: /Document/CstmrCdtTrfInitn/PmtInf[1]/ReqdExctnDt/Dt: ReqdExctnDt: mandatory Dt or DtTm missing: in pain.001.001.09 the date goes in ReqdExctnDt/Dt`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ps := read(t, tc.doc)
			if len(ps) != tc.payments {
				t.Errorf("payments = %d, want %d", len(ps), tc.payments)
			}
			if strings.Join(got.Problems, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("problems:\n got %q\nwant %q", got.Problems, tc.want)
			}
		})
	}
}

// TestValidMinimal guards the fixture the malformed cases are built from.
func TestValidMinimal(t *testing.T) {
	doc := minimal{}.String()
	got, ps := read(t, doc)
	if len(got.Problems) != 0 || len(ps) != 1 {
		t.Fatalf("problems %q, %d payments", got.Problems, len(ps))
	}
	testenv.ValidateXSD(t, "pain.001.001.03.xsd", []byte(doc))
	p := ps[0]
	if p.Amount != (money.Amount{Minor: 10000, Currency: "CZK"}) || p.EndToEndID != "E1" || p.Batch.ID != "B1" || p.Batch.MessageID != "M1" {
		t.Fatalf("payment = %+v", p)
	}
}

// TestCorpus reads every public sample in ../shared/corpora/pain001.
func TestCorpus(t *testing.T) {
	dir := testenv.Shared(t, "corpora", "pain001")
	files, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files in %s: %v", dir, err)
	}
	refused := map[string]string{
		"php-sepa-xml.pain.001.003.03.german-variant.xml":   "is the German DK variant pain.001.003.03, which is not supported",
		"sepa_king.pain.001.001.03.ch.02.swiss-variant.xml": "is the Swiss SIX variant pain.001.001.03.ch.02, which is not supported",
	}
	for _, f := range files {
		base := filepath.Base(f)
		t.Run(base, func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, ps := readAll(t, bytes.NewReader(in))
			if why, ok := refused[base]; ok {
				if len(ps) != 0 || len(got.Problems) != 1 || !strings.Contains(got.Problems[0], why) {
					t.Fatalf("want refusal %q; got %d payments, problems %q", why, len(ps), got.Problems)
				}
				return
			}
			if base == "iso-sample.pain.001.001.09.xml" {
				checkISOSample09(t, got, ps)
				return
			}
			if len(got.Problems) != 0 {
				t.Fatalf("problems: %q", got.Problems)
			}
			wantN, wantSum := declaredTotals(t, in)
			if int64(len(ps)) != wantN {
				t.Errorf("%d payments, file says NbOfTxs %d", len(ps), wantN)
			}
			var sum money.Sum
			for _, p := range ps {
				sum.Add(p.Amount.Dec())
			}
			if wantSum != nil && !sum.Equal(*wantSum) {
				t.Errorf("amounts add up to %s, file says CtrlSum %s", sum.String(), wantSum.String())
			}
			if got.Version != V03 && got.Version != V09 {
				t.Errorf("version %q", got.Version)
			}
		})
	}
}

// declaredTotals takes GrpHdr NbOfTxs and CtrlSum (or the PmtInf CtrlSum sum
// when the group has none) straight from the text, independent of the reader.
func declaredTotals(t *testing.T, doc []byte) (int64, *money.Dec) {
	t.Helper()
	s := string(doc)
	between := func(s, a, b string) string {
		i := strings.Index(s, a)
		if i < 0 {
			return ""
		}
		s = s[i+len(a):]
		return s[:strings.Index(s, b)]
	}
	grp := between(s, "<GrpHdr>", "</GrpHdr>")
	n, err := parseCount(between(grp, "<NbOfTxs>", "</NbOfTxs>"))
	if err != nil {
		t.Fatal(err)
	}
	var sums []string
	if v := between(grp, "<CtrlSum>", "</CtrlSum>"); v != "" {
		sums = []string{v}
	} else {
		for _, blk := range strings.Split(s, "<PmtInf>")[1:] {
			if v := between(blk, "<CtrlSum>", "</CtrlSum>"); v != "" {
				sums = append(sums, v)
			}
		}
	}
	if len(sums) == 0 {
		return n, nil
	}
	var total money.Sum
	for _, v := range sums {
		d, err := money.ParseDec(v)
		if err != nil {
			t.Fatal(err)
		}
		total.Add(d)
	}
	d, err := money.ParseDec(total.String())
	if err != nil {
		t.Fatal(err)
	}
	return n, &d
}

// checkISOSample09 pins the problems of the ISO "sample instance", a schema
// valid file full of placeholder values.
func checkISOSample09(t *testing.T, got dump, ps []*formats.Payment) {
	t.Helper()
	want := []string{
		`line 14: /Document/CstmrCdtTrfInitn/PmtInf[1]/PmtMtd: PmtMtd: is not supported: PmtMtd CHK orders cheques; only credit transfers (TRF) can be sent to the bank`,
		`line 32: /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/Amt/InstdAmt: Ccy: "JLU" is not an ISO 4217 currency`,
		`line 32: /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/Amt/InstdAmt: InstdAmt: amount "7866240.23491" has 5 decimal places; no ISO 4217 currency has more than 3`,
		`line 38: /Document/CstmrCdtTrfInitn/PmtInf[2]/PmtMtd: PmtMtd: is not supported: PmtMtd CHK orders cheques; only credit transfers (TRF) can be sent to the bank`,
		`line 58: /Document/CstmrCdtTrfInitn/PmtInf[2]/CdtTrfTxInf[1]/Amt/InstdAmt: Ccy: "YSH" is not an ISO 4217 currency`,
		`line 58: /Document/CstmrCdtTrfInitn/PmtInf[2]/CdtTrfTxInf[1]/Amt/InstdAmt: InstdAmt: amount "7304360.23491" has 5 decimal places; no ISO 4217 currency has more than 3`,
		`line 9: /Document/CstmrCdtTrfInitn/GrpHdr/NbOfTxs: NbOfTxs: says 9 but the file has 2 transactions (CdtTrfTxInf)`,
	}
	if strings.Join(got.Problems, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n got %q\nwant %q", got.Problems, want)
	}
	if len(ps) != 2 || ps[0].Batch == ps[1].Batch || ps[0].RequestedDate.String() != "1997-09-26" || ps[1].RequestedDate.String() != "1981-12-04" {
		t.Errorf("payments: %+v", got.Payments)
	}
	for _, p := range ps {
		if !p.Amount.IsZero() {
			t.Errorf("payment %d has amount %v from an unknown currency", p.Index, p.Amount)
		}
	}
}

// TestSharedBatch checks that payments of one PmtInf share one *Batch and
// that several PmtInf become several batches.
func TestSharedBatch(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "golden", "cz-03-symbols.xml"))
	if err != nil {
		t.Fatal(err)
	}
	_, ps := readAll(t, bytes.NewReader(in))
	if len(ps) != 4 {
		t.Fatalf("%d payments", len(ps))
	}
	if ps[0].Batch != ps[1].Batch || ps[1].Batch != ps[2].Batch || ps[2].Batch == ps[3].Batch {
		t.Fatal("batch pointers are not shared per PmtInf")
	}
	if ps[3].Batch.ID != "DOM-2" || ps[3].Batch.MessageID != "ERP-2026-0042" || ps[3].Batch.Pos.Path != "/Document/CstmrCdtTrfInitn/PmtInf[2]" {
		t.Fatalf("batch = %+v", ps[3].Batch)
	}
}

// TestEncodings covers declared encodings, BOMs and bytes that do not decode.
func TestEncodings(t *testing.T) {
	utf8Doc := minimal{tx: strings.Replace(okTx, "E1", "Příliš", 1)}.String()
	decl := func(enc string) string {
		return strings.Replace(utf8Doc, `encoding="UTF-8"`, `encoding="`+enc+`"`, 1)
	}
	latin2 := strings.Replace(decl("ISO-8859-2"), "Příliš", "P\xf8\xedli\xb9", 1)
	cp1250 := strings.Replace(decl("windows-1250"), "Příliš", "P\xf8\xedli\x9a", 1)
	latin1 := strings.Replace(decl("ISO-8859-1"), "Příliš", "Caf\xe9\x80", 1) // 0x80 is a C1 control in Latin-1, € in windows-1252
	tests := []struct {
		name, doc, e2e, problem string
	}{
		{name: "UTF-8", doc: utf8Doc, e2e: "Příliš"},
		{name: "UTF-8 with BOM", doc: "\xEF\xBB\xBF" + utf8Doc, e2e: "Příliš"},
		{name: "utf8 label", doc: decl("utf8"), e2e: "Příliš"},
		{name: "ISO-8859-2", doc: latin2, e2e: "Příliš"},
		{name: "windows-1250", doc: cp1250, e2e: "Příliš"},
		{name: "ISO-8859-1 is Latin-1, not windows-1252", doc: latin1, e2e: "Café\u0080"},
		{
			name:    "invalid UTF-8",
			doc:     strings.Replace(utf8Doc, "Příliš", "P\xf8\xedli\xb9", 1),
			problem: `line 9: /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/PmtId/EndToEndId: XML syntax error: invalid UTF-8`,
		},
		{
			name:    "invalid UTF-8 under a utf8 label",
			doc:     strings.Replace(decl("utf8"), "Příliš", "P\xf8\xedli\xb9", 1),
			problem: `line 9: /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/PmtId/EndToEndId: XML syntax error: invalid UTF-8`,
		},
		{
			name:    "unknown encoding",
			doc:     decl("x-klingon"),
			problem: `line 1: : encoding: encoding "x-klingon" is not a known character encoding`,
		},
		{
			name:    "UTF-16 declared",
			doc:     decl("UTF-16"),
			problem: `line 1: : encoding: encoding "UTF-16" is a multi-byte encoding this reader does not accept; export as UTF-8`,
		},
		{
			name:    "UTF-16 BOM",
			doc:     "\xFF\xFE<\x00?\x00",
			problem: `line 1: : encoding: the file is UTF-16 (byte order mark); export it as UTF-8`,
		},
		{
			name:    "undefined windows-1250 byte",
			doc:     strings.Replace(decl("windows-1250"), "Příliš", "P\x98", 1),
			problem: `line 9: /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/PmtId/EndToEndId: EndToEndId: contains a byte that is not a character in the declared encoding windows-1250`,
			e2e:     "P\uFFFD",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ps := read(t, tc.doc)
			if tc.problem == "" {
				if len(got.Problems) != 0 {
					t.Fatalf("problems: %q", got.Problems)
				}
			} else if len(got.Problems) != 1 || got.Problems[0] != tc.problem {
				t.Fatalf("problems:\n got %q\nwant %q", got.Problems, tc.problem)
			}
			if tc.e2e != "" && (len(ps) != 1 || ps[0].EndToEndID != tc.e2e) {
				t.Fatalf("payments %+v, want EndToEndId %q", got.Payments, tc.e2e)
			}
		})
	}
}

// TestHostile checks that bounded resources are enforced with a clear problem.
func TestHostile(t *testing.T) {
	deep := strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100)
	huge := strings.Repeat("x", MaxTokenBytes+10)
	tests := []struct {
		name, doc, problem string
	}{
		{
			name:    "deep nesting",
			doc:     minimal{tx: "<CdtTrfTxInf><Purp>" + deep + "</Purp></CdtTrfTxInf>"}.String(),
			problem: "elements nested deeper than 64 levels; this is not a payment file",
		},
		{
			name:    "huge text",
			doc:     minimal{tx: strings.Replace(okTx, ">E1<", ">"+huge+"<", 1)}.String(),
			problem: "a single XML token (text, tag or comment) is longer than 1048576 bytes; refusing to read further",
		},
		{
			name:    "huge comment",
			doc:     strings.Replace(minimal{}.String(), "<PmtInf>", "<!--"+huge+"--><PmtInf>", 1),
			problem: "a single XML token (text, tag or comment) is longer than 1048576 bytes; refusing to read further",
		},
		{
			name:    "entity reference",
			doc:     minimal{tx: strings.Replace(okTx, ">E1<", ">&xxe;<", 1)}.String(),
			problem: "XML syntax error: invalid character entity &xxe;",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ps := read(t, tc.doc)
			if len(ps) != 0 {
				t.Errorf("%d payments from a broken file", len(ps))
			}
			if len(got.Problems) != 1 || !strings.HasSuffix(got.Problems[0], tc.problem) {
				t.Fatalf("problems %q, want one ending %q", got.Problems, tc.problem)
			}
		})
	}
}

// TestOptions covers the configurable Czech conventions.
func TestOptions(t *testing.T) {
	tx := strings.Replace(okTx, "</CdtrAcct>", "</CdtrAcct><RmtInf><Ustrd>/VS/123/KS/0308 faktura</Ustrd><Ustrd>duben</Ustrd></RmtInf>", 1)
	doc := minimal{tx: tx}.String()
	empty := ""
	tests := []struct {
		name     string
		opts     Options
		text, vs string
	}{
		{"default", Options{}, "faktura duben", "123"},
		{"symbols kept as text", Options{IgnoreUstrdSymbols: true}, "/VS/123/KS/0308 faktura duben", ""},
		{"joined without a space", Options{UstrdSeparator: &empty}, "fakturaduben", "123"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReaderOptions(strings.NewReader(doc), tc.opts)
			p, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Next(); err != io.EOF {
				t.Fatalf("second Next: %v", err)
			}
			if r.Problems().Len() != 0 {
				t.Fatalf("problems %v", r.Problems().List())
			}
			if p.Remittance.Unstructured != tc.text || p.Remittance.VS != tc.vs {
				t.Fatalf("remittance %+v", p.Remittance)
			}
		})
	}
}

// TestUstrdSymbols covers the Ustrd symbol run on its own.
func TestUstrdSymbols(t *testing.T) {
	tests := []struct {
		in, rest, vs, ks, ss, problem string
	}{
		{in: "/VS/7418529630/SS/1234567890", vs: "7418529630", ss: "1234567890"},
		{in: "/VS/1/KS/0308/SS/2 text", rest: "text", vs: "1", ks: "0308", ss: "2"},
		{in: "/VS/1 /SS/2", vs: "1", ss: "2"},
		{in: "/VS/123/Faktura", rest: "/Faktura", vs: "123"},
		{in: "/VS/ABC", rest: "/VS/ABC"},
		{in: "/RF/123", rest: "/RF/123"},
		{in: "Faktura /VS/1", rest: "Faktura /VS/1"},
		{in: "/VS/12345678901", problem: `VS: symbol "12345678901" has 11 digits, at most 10 allowed`},
		{in: "/KS/12345", problem: `KS: symbol "12345" has 5 digits, at most 4 allowed`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			r := NewReader(nil)
			var rm formats.Remittance
			rest := r.ustrdSymbols(&rm, tc.in)
			if tc.problem != "" {
				if l := r.Problems().List(); len(l) != 1 || l[0].Field+": "+l[0].Msg != tc.problem {
					t.Fatalf("problems %v, want %q", l, tc.problem)
				}
				return
			}
			if rest != tc.rest || rm.VS != tc.vs || rm.KS != tc.ks || rm.SS != tc.ss || r.Problems().Len() != 0 {
				t.Fatalf("rest %q, %+v, problems %v", rest, rm, r.Problems().List())
			}
		})
	}
}

// errReader fails after its data, like a broken network share.
type errReader struct {
	data []byte
	err  error
}

func (e *errReader) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

// TestIOError: a failing reader is an error from Next, not a problem.
func TestIOError(t *testing.T) {
	boom := errors.New("share disconnected")
	doc := minimal{}.String()
	r := NewReader(&errReader{data: []byte(doc[:len(doc)/2]), err: boom})
	for {
		_, err := r.Next()
		if err == nil {
			continue
		}
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want %v", err, boom)
		}
		break
	}
	if r.Problems().Len() != 0 {
		t.Fatalf("I/O error reported as problem: %v", r.Problems().List())
	}
}
