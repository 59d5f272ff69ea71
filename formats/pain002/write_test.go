package pain002

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"erpconnector/formats"
	"erpconnector/formats/money"
	"erpconnector/formats/status"
	"erpconnector/formats/status/statustest"
	"erpconnector/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var versions = []struct {
	v      Version
	schema string
}{
	{V03, "pain.002.001.03.xsd"},
	{V10, "pain.002.001.10.xsd"},
}

// write writes r and checks the result against the official XSD.
func write(t *testing.T, r *status.Report, o Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteOptions(&buf, r, o); err != nil {
		t.Fatalf("WriteOptions(%+v): %v", o, err)
	}
	schema := "pain.002.001.03.xsd"
	if o.Version == V10 {
		schema = "pain.002.001.10.xsd"
	}
	testenv.ValidateXSD(t, schema, buf.Bytes())
	return buf.Bytes()
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
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got:\n%s", path, got)
	}
}

// TestGolden writes every scenario in both versions (and the external-code
// variant of .10), validates each with xmllint and compares with testdata/.
func TestGolden(t *testing.T) {
	for _, sc := range statustest.Scenarios() {
		for _, ver := range versions {
			t.Run(sc.Name+"/"+ver.v.String(), func(t *testing.T) {
				golden(t, sc.Name+"."+ver.v.String()+".xml", write(t, sc.Report, Options{Version: ver.v}))
			})
		}
	}
	for _, name := range []string{"received", "cancelled"} {
		t.Run(name+"/external-codes", func(t *testing.T) {
			r := statustest.Base(status.State(name))
			golden(t, name+".pain.002.001.10.external.xml", write(t, r, Options{Version: V10, ExternalCodes: true}))
		})
	}
}

// TestStateMapping checks the package doc's table, state by state, on the
// values an ERP reads.
func TestStateMapping(t *testing.T) {
	tests := []struct {
		state         status.State
		ext           bool
		grp, tx       string
		rsn           string // Rsn/Cd of each payment's first StsRsnInf ("" = none)
		text          string // AddtlInf of each payment, joined
		grpRsn, grpTx string
	}{
		{state: status.Received, grp: "RCVD", tx: "PDNG", text: TextReceived, grpTx: TextReceived},
		{state: status.Received, ext: true, grp: "RCVD", tx: "RCVD", text: TextReceived, grpTx: TextReceived},
		{state: status.Accepted, grp: "ACTC", tx: "ACTC"},
		{state: status.AwaitingAuthorisation, grp: "PDNG", tx: "PDNG", text: TextAwaiting, grpTx: TextAwaiting},
		{state: status.Pending, grp: "ACSP", tx: "ACSP"},
		{state: status.Booked, grp: "ACSC", tx: "ACSC"},
		{state: status.Cancelled, grp: "RJCT", tx: "RJCT", rsn: "DS02", grpRsn: "DS02"},
		{state: status.Cancelled, ext: true, grp: "RJCT", tx: "CANC", rsn: "DS02", grpRsn: "DS02"},
		{state: status.Unknown, grp: "PDNG", tx: "PDNG", text: TextUnknown, grpTx: TextUnknown},
		{state: status.Duplicate, grp: "RJCT", tx: "RJCT", rsn: "AM05", text: TextDuplicate, grpRsn: "AM05", grpTx: TextDuplicate},
		{state: status.Rejected, grp: "RJCT", tx: "RJCT"},
	}
	for _, tt := range tests {
		for _, ver := range versions {
			if tt.ext && ver.v != V10 {
				continue
			}
			t.Run(string(tt.state)+"/"+ver.v.String(), func(t *testing.T) {
				d := readBack(t, write(t, statustest.Base(tt.state), Options{Version: ver.v, ExternalCodes: tt.ext}))
				g := d.Rpt.Grp
				if g.GrpSts != tt.grp {
					t.Errorf("GrpSts = %q, want %q", g.GrpSts, tt.grp)
				}
				var gr rbRsn
				if len(g.StsRsnInf) > 0 {
					gr = g.StsRsnInf[0]
				}
				if gr.Cd != tt.grpRsn || gr.text() != tt.grpTx {
					t.Errorf("group StsRsnInf = %+v, want Cd %q text %q", g.StsRsnInf, tt.grpRsn, tt.grpTx)
				}
				for _, b := range d.Rpt.PmtInf {
					if b.PmtInfSts != tt.grp {
						t.Errorf("batch %s PmtInfSts = %q, want %q", b.OrgnlPmtInfId, b.PmtInfSts, tt.grp)
					}
				}
				txs := d.txs()
				if len(txs) != 3 {
					t.Fatalf("%d TxInfAndSts, want 3", len(txs))
				}
				for i, tx := range txs {
					if tx.TxSts != tt.tx {
						t.Errorf("payment %d TxSts = %q, want %q", i, tx.TxSts, tt.tx)
					}
					var r rbRsn
					if len(tx.StsRsnInf) > 0 {
						r = tx.StsRsnInf[0]
					}
					if r.Cd != tt.rsn || r.text() != tt.text {
						t.Errorf("payment %d StsRsnInf = %+v, want Cd %q text %q", i, tx.StsRsnInf, tt.rsn, tt.text)
					}
				}
				if n := len(g.NbOfTxsPerSts); n != 1 || g.NbOfTxsPerSts[0].DtldNbOfTxs != "3" || g.NbOfTxsPerSts[0].DtldSts != tt.tx {
					t.Errorf("NbOfTxsPerSts = %+v, want 3 × %s", g.NbOfTxsPerSts, tt.tx)
				}
			})
		}
	}
}

// TestTransactionContent checks the values the ERP matches payments by.
func TestTransactionContent(t *testing.T) {
	for _, ver := range versions {
		t.Run(ver.v.String(), func(t *testing.T) {
			d := readBack(t, write(t, statustest.Base(status.Booked), Options{Version: ver.v}))
			g := d.Rpt.Grp
			if g.OrgnlMsgId != "ERP-MSG-2026-06-12-001" || g.OrgnlMsgNmId != "pain.001.001.03" ||
				g.OrgnlNbOfTxs != "3" || g.OrgnlCtrlSum != "13750.49" {
				t.Errorf("group info = %+v", g)
			}
			if d.Rpt.GrpHdr.MsgId != "STS-3f2a9c81d7e4-0001" || d.Rpt.GrpHdr.CreDtTm != "2026-06-12T10:00:00Z" {
				t.Errorf("GrpHdr = %+v", d.Rpt.GrpHdr)
			}
			if len(d.Rpt.PmtInf) != 2 {
				t.Fatalf("%d OrgnlPmtInfAndSts, want 2", len(d.Rpt.PmtInf))
			}
			a, b := d.Rpt.PmtInf[0], d.Rpt.PmtInf[1]
			if a.OrgnlPmtInfId != "PMT-2026-0612-A" || a.OrgnlNbOfTxs != "2" || a.OrgnlCtrlSum != "13499.99" ||
				b.OrgnlPmtInfId != "PMT-2026-0612-B" || b.OrgnlNbOfTxs != "1" || b.OrgnlCtrlSum != "250.50" {
				t.Errorf("batches = %+v / %+v", a, b)
			}
			want := []struct{ instr, e2e, amt, ccy, date, cdtr, iban, othr, ref string }{
				{"INV-1001", "E2E-1001", "12500.00", "CZK", "2026-06-15", "Dodavatel s.r.o.", "CZ6508000000192000145399", "", "KB000000001"},
				{"INV-1002", "NOTPROVIDED", "999.99", "CZK", "2026-06-15", "Žluťoučký kůň a.s.", "", "19-2000145399/0800", "KB000000002"},
				{"", "E2E-2001", "250.50", "EUR", "2026-06-16", "Müller GmbH", "DE89370400440532013000", "", "KB000000003"},
			}
			for i, tx := range d.txs() {
				w := want[i]
				got := [...]string{tx.OrgnlInstrId, tx.OrgnlEndToEndId, tx.Ref.Amt.Value, tx.Ref.Amt.Ccy, tx.date(),
					tx.creditor(), tx.Ref.IBAN, tx.Ref.OthrID, tx.AcctSvcrRef}
				exp := [...]string{w.instr, w.e2e, w.amt, w.ccy, w.date, w.cdtr, w.iban, w.othr, w.ref}
				if got != exp {
					t.Errorf("payment %d:\n got %q\nwant %q", i, got, exp)
				}
			}
		})
	}
}

func TestRejectedFile(t *testing.T) {
	r := statustest.RejectedFile()
	for _, ver := range versions {
		d := readBack(t, write(t, r, Options{Version: ver.v}))
		g := d.Rpt.Grp
		if g.GrpSts != "RJCT" || g.OrgnlMsgNmId != "KPC" || g.OrgnlMsgId != "platby_červen.kpc" || g.OrgnlNbOfTxs != "" {
			t.Errorf("%s group = %+v", ver.v, g)
		}
		if len(g.StsRsnInf) != 1+len(r.Problems) {
			t.Fatalf("%s: %d StsRsnInf, want reason + %d problems", ver.v, len(g.StsRsnInf), len(r.Problems))
		}
		if g.StsRsnInf[0].Cd != "FF01" || g.StsRsnInf[0].text() != r.Reason.Text {
			t.Errorf("%s: file reason = %+v", ver.v, g.StsRsnInf[0])
		}
		for i, p := range r.Problems {
			if got := g.StsRsnInf[i+1]; got.Cd != "NARR" || got.text() != p {
				t.Errorf("%s: problem %d = %+v, want NARR %q", ver.v, i, got, p)
			}
		}
		if len(d.Rpt.PmtInf) != 0 {
			t.Errorf("%s: a file without payments has OrgnlPmtInfAndSts", ver.v)
		}
	}
}

func TestPartial(t *testing.T) {
	d := readBack(t, write(t, statustest.Mixed(), Options{Version: V03}))
	if d.Rpt.Grp.GrpSts != "PART" {
		t.Errorf("GrpSts = %q, want PART", d.Rpt.Grp.GrpSts)
	}
	// Batch A: booked + awaiting authorisation → the slower one; batch B: rejected.
	if a, b := d.Rpt.PmtInf[0].PmtInfSts, d.Rpt.PmtInf[1].PmtInfSts; a != "PDNG" || b != "RJCT" {
		t.Errorf("PmtInfSts = %q, %q; want PDNG, RJCT", a, b)
	}
	counts := map[string]string{}
	for _, c := range d.Rpt.Grp.NbOfTxsPerSts {
		counts[c.DtldSts] = c.DtldNbOfTxs
	}
	if len(counts) != 3 || counts["ACSC"] != "1" || counts["PDNG"] != "1" || counts["RJCT"] != "1" {
		t.Errorf("NbOfTxsPerSts = %v", counts)
	}
}

// TestEscaping reads back what was written from hostile input: the ERP must
// get exactly the cleaned text, never broken XML.
func TestEscaping(t *testing.T) {
	r := statustest.Escaping()
	r.Payments[1].Reason = status.Reason{Code: "x<&>", Text: "a]]>b <![CDATA[c]]> &amp; &#x0;"}
	for _, ver := range versions {
		d := readBack(t, write(t, r, Options{Version: ver.v}))
		g := d.Rpt.Grp
		if g.OrgnlMsgId != r.File.SHA256[:35] {
			t.Errorf("OrgnlMsgId = %q: a long file name without message ID must give the hash prefix", g.OrgnlMsgId)
		}
		txs := d.txs()
		checks := []struct{ name, got, want string }{
			{"OrgnlInstrId cut to 35", txs[0].OrgnlInstrId, "INV-1001/ABC-0123456789-0123456789-"},
			{"OrgnlEndToEndId", txs[0].OrgnlEndToEndId, `A&B<C>"D'E`},
			{"Cdtr", txs[0].creditor(), "Tom & Jerry <s.r.o.> Příliš žluťoučký kůň úpěl ďábelské ódy   \uFFFD"},
			{"AddtlInf", txs[0].StsRsnInf[0].text(), `line1  line2; "quoted", comma`},
			{"AcctSvcrRef", txs[0].AcctSvcrRef, "REF;with;semicolons"},
			{"Prtry", txs[1].StsRsnInf[0].Prtry, "x<&>"},
			{"CDATA-like text", txs[1].StsRsnInf[0].text(), "a]]>b <![CDATA[c]]> &amp; &#x0;"},
			{"no account", txs[1].Ref.IBAN + txs[1].Ref.OthrID, ""},
			{"no date", txs[2].date(), ""},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s %s = %q, want %q", ver.v, c.name, c.got, c.want)
			}
		}
	}
}

// TestOmissions: what cannot be written exactly is left out, and the rest of
// the document stays valid.
func TestOmissions(t *testing.T) {
	r := statustest.Base(status.Pending)
	r.Payments[0].Amount = money.Amount{Minor: 1234567890123456789, Currency: "CZK"} // 19 digits
	r.Payments[1].Amount = money.Amount{}                                            // unreadable
	r.Payments[1].CreditorAccount = strings.Repeat("1", 35)
	r.Payments[2].BankReference = "BANKREF-" + strings.Repeat("9", 40)
	r.Payments[2].RequestedDate = formats.Date{Year: 2026, Month: 2, Day: 30}
	for _, ver := range versions {
		d := readBack(t, write(t, r, Options{Version: ver.v}))
		txs := d.txs()
		if d.Rpt.Grp.OrgnlCtrlSum != "" || d.Rpt.PmtInf[0].OrgnlCtrlSum != "" {
			t.Errorf("%s: CtrlSum written although amounts are unknown", ver.v)
		}
		if d.Rpt.PmtInf[1].OrgnlCtrlSum != "250.50" {
			t.Errorf("%s: batch B CtrlSum = %q", ver.v, d.Rpt.PmtInf[1].OrgnlCtrlSum)
		}
		if txs[0].Ref.Amt.Value != "" || txs[1].Ref.Amt.Value != "" {
			t.Errorf("%s: amounts written: %q %q", ver.v, txs[0].Ref.Amt.Value, txs[1].Ref.Amt.Value)
		}
		if txs[1].Ref.OthrID != "" {
			t.Errorf("%s: 35-character account written as %q", ver.v, txs[1].Ref.OthrID)
		}
		if txs[2].AcctSvcrRef != "" || txs[2].StsRsnInf[0].text() != TextBankRefLong+r.Payments[2].BankReference {
			t.Errorf("%s: long bank reference: AcctSvcrRef %q, StsRsnInf %+v", ver.v, txs[2].AcctSvcrRef, txs[2].StsRsnInf)
		}
		if txs[2].date() != "" {
			t.Errorf("%s: impossible date written: %q", ver.v, txs[2].date())
		}
	}
}

// TestCtrlSumExact adds amounts of different scales without rounding.
func TestCtrlSumExact(t *testing.T) {
	r := statustest.Base(status.Accepted)
	r.Payments[0].Amount = money.Amount{Minor: 10, Currency: "EUR"}   // 0.10
	r.Payments[1].Amount = money.Amount{Minor: 20, Currency: "EUR"}   // 0.20
	r.Payments[2].Amount = money.Amount{Minor: 1001, Currency: "BHD"} // 1.001
	d := readBack(t, write(t, r, Options{Version: V03}))
	if got := d.Rpt.Grp.OrgnlCtrlSum; got != "1.301" {
		t.Errorf("OrgnlCtrlSum = %q, want 1.301", got)
	}
	if got := d.Rpt.PmtInf[0].OrgnlCtrlSum; got != "0.30" {
		t.Errorf("batch CtrlSum = %q, want 0.30", got)
	}
}

// TestInterleavedBatches: payments of a batch that are not adjacent still
// end up in one OrgnlPmtInfAndSts, batches in order of first appearance.
func TestInterleavedBatches(t *testing.T) {
	r := statustest.Base(status.Booked)
	p := r.Payments
	r.Payments = []status.Payment{p[0], p[2], p[1]} // A, B, A
	d := readBack(t, write(t, r, Options{Version: V10}))
	var got []string
	for _, b := range d.Rpt.PmtInf {
		ids := b.OrgnlPmtInfId + ":"
		for _, tx := range b.Tx {
			ids += " " + tx.OrgnlEndToEndId
		}
		got = append(got, ids)
	}
	want := []string{"PMT-2026-0612-A: E2E-1001 NOTPROVIDED", "PMT-2026-0612-B: E2E-2001"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("batches = %q, want %q", got, want)
	}
}

func TestEmptyIDs(t *testing.T) {
	r := statustest.Base(status.Received)
	r.File = status.FileRef{}
	for i := range r.Payments {
		r.Payments[i].BatchID = ""
	}
	d := readBack(t, write(t, r, Options{Version: V03}))
	if g := d.Rpt.Grp; g.OrgnlMsgId != "NOTPROVIDED" || g.OrgnlMsgNmId != "UNKNOWN" {
		t.Errorf("OrgnlMsgId %q, OrgnlMsgNmId %q", g.OrgnlMsgId, g.OrgnlMsgNmId)
	}
	if len(d.Rpt.PmtInf) != 1 || d.Rpt.PmtInf[0].OrgnlPmtInfId != "NOTPROVIDED" {
		t.Errorf("batches = %+v", d.Rpt.PmtInf)
	}
}

func TestErrors(t *testing.T) {
	good := statustest.Base(status.Booked)
	tests := []struct {
		name string
		r    *status.Report
		v    Version
		want error
	}{
		{"bad version", good, Version(7), ErrVersion},
		{"nil report", nil, V03, status.ErrInvalidReport},
		{"no message ID", func() *status.Report { r := statustest.Base(status.Booked); r.MessageID = ""; return r }(), V03, status.ErrInvalidReport},
		{"message ID too long", func() *status.Report {
			r := statustest.Base(status.Booked)
			r.MessageID = strings.Repeat("M", 36)
			return r
		}(), V10, status.ErrInvalidReport},
		{"no time", func() *status.Report { r := statustest.Base(status.Booked); r.Created = time.Time{}; return r }(), V03, status.ErrInvalidReport},
		{"partial payment", func() *status.Report {
			r := statustest.Base(status.Booked)
			r.Payments[1].State = status.Partial
			return r
		}(), V03, status.ErrInvalidReport},
		{"bogus payment state", func() *status.Report { r := statustest.Base(status.Booked); r.Payments[0].State = "done"; return r }(), V03, status.ErrInvalidReport},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		err := Write(&buf, tt.r, tt.v)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: %d bytes written before the error", tt.name, buf.Len())
		}
	}
}

type failWriter struct{ n int }

var errDisk = errors.New("disk full")

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, errDisk
	}
	return len(p), nil
}

// TestWriteError: an I/O error is reported, not swallowed, even when it
// happens in the middle of a large document.
func TestWriteError(t *testing.T) {
	r := bigReport(2000)
	if err := Write(&failWriter{n: 100 << 10}, r, V03); !errors.Is(err, errDisk) {
		t.Errorf("err = %v, want %v", err, errDisk)
	}
}

// TestDuplicate: every transaction of a duplicate file says AM05 and names
// the first file, so the ERP user sees why wherever they look.
func TestDuplicate(t *testing.T) {
	r := statustest.DuplicateFile()
	for _, ver := range versions {
		d := readBack(t, write(t, r, Options{Version: ver.v}))
		for i, tx := range append(d.txs(), rbTx{TxSts: d.Rpt.Grp.GrpSts, StsRsnInf: d.Rpt.Grp.StsRsnInf}) {
			if tx.TxSts != "RJCT" || len(tx.StsRsnInf) != 1 || tx.StsRsnInf[0].Cd != "AM05" ||
				tx.StsRsnInf[0].text() != "duplicate of invoices-0612.xml received 2026-06-12T08:15:00Z" {
				t.Errorf("%s: element %d: %s %+v", ver.v, i, tx.TxSts, tx.StsRsnInf)
			}
		}
	}
}
