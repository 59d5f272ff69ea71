package pain002

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"erpconnector/formats"
	"erpconnector/formats/money"
	"erpconnector/formats/status"
	"erpconnector/formats/status/statustest"
)

// cut is the first n characters of the cleaned s, computed independently of
// the writer's own helpers.
func cut(s string, n int) string {
	r := []rune(status.Clean(s))
	return string(r[:min(n, len(r))])
}

var fuzzCurrencies = []string{"CZK", "EUR", "JPY", "BHD", "DKK", "", "XXX", "czk"}

// wantTxSts is the mapping table of the package doc, restated.
var wantTxSts = map[status.State][2]string{ // default, external codes
	status.Received: {"PDNG", "RCVD"}, status.Accepted: {"ACTC", "ACTC"},
	status.AwaitingAuthorisation: {"PDNG", "PDNG"}, status.Pending: {"ACSP", "ACSP"},
	status.Booked: {"ACSC", "ACSC"}, status.Rejected: {"RJCT", "RJCT"}, status.Cancelled: {"RJCT", "CANC"},
	status.Duplicate: {"RJCT", "RJCT"}, status.Unknown: {"PDNG", "PDNG"},
}

var enum03 = "ACTC RJCT PDNG ACCP ACSP ACSC ACWC"

// FuzzWriter writes reports built from fuzzed IDs, texts and amounts and
// reads them back with encoding/xml: the document must be well-formed, keep
// every ISO length limit and carry exactly the cleaned values.
func FuzzWriter(f *testing.F) {
	f.Add("STS-1", "MSG-1", "a.xml", "pain.001.001.03", "B1", "I1", "E1", "Dodavatel s.r.o.", "CZ6508000000192000145399",
		"AC03", "Invalid account", "a.xml:3: IBAN: bad", "KB1", uint8(5), int64(1250000), uint8(0), false, false)
	f.Add("STS-2", "", "platby_<&>\"červen\".kpc", "KPC", "", "", "", "Tom & Jerry <s.r.o.>\x00\x7f\u0085\xff", "19-2000145399/0800",
		"KB-ERR-4711", strings.Repeat("dlouhý text ", 40), "", strings.Repeat("R", 36), uint8(7), int64(1), uint8(3), true, true)
	f.Add("S", strings.Repeat("M", 40), strings.Repeat("n", 36), "", "   ", "\r\n", "a]]>b", "", "",
		"", "\t", "\x00", "", uint8(0), int64(-5), uint8(6), true, false)
	f.Add("STS-3", "Ž", "", "CSV", strings.Repeat("b", 40), strings.Repeat("i", 36), "NOTPROVIDED", strings.Repeat("ů", 150), strings.Repeat("1", 35),
		"x<&>", "&amp; &#x0; <![CDATA[", "ř", "ref", uint8(8), int64(9223372036854775807), uint8(2), false, false)
	f.Add("STS-4", "\uFFFE\uFFFF", "\U0010FFFF", "\xed\xa0\x80", "B", "I", "E", "C", "DK5000400440116243",
		"", "", "p", "", uint8(4), int64(100), uint8(4), true, true)

	f.Fuzz(func(t *testing.T, msgID, origID, name, format, batch, instr, e2e, cdtr, acct, code, text, problem, bankRef string,
		stateIdx uint8, minor int64, ccyIdx uint8, v10, ext bool) {
		r := statustest.Base(status.Received)
		r.MessageID = msgID
		r.File = status.FileRef{Name: name, SHA256: strings.Repeat("0f", 32), OriginalMessageID: origID, OriginalFormat: format}
		st := status.States[int(stateIdx)%len(status.States)]
		p := &r.Payments[0]
		*p = status.Payment{Index: 0, BatchID: batch, InstructionID: instr, EndToEndID: e2e,
			Amount:        money.Amount{Minor: minor, Currency: fuzzCurrencies[int(ccyIdx)%len(fuzzCurrencies)]},
			RequestedDate: formats.Date{Year: 2026, Month: 6, Day: 15}, CreditorName: cdtr, CreditorAccount: acct,
			State: st, Reason: status.Reason{Code: code, Text: text}, BankReference: bankRef}
		r.Problems = []string{problem}
		r.State = status.Summarise(r.Payments)
		v := V03
		if v10 {
			v = V10
		}

		var buf bytes.Buffer
		err := WriteOptions(&buf, r, Options{Version: v, ExternalCodes: ext})
		validID := msgID != "" && utf8.RuneCountInString(msgID) <= 35 && status.Clean(msgID) == msgID
		if !validID {
			if !errors.Is(err, status.ErrInvalidReport) || buf.Len() != 0 {
				t.Fatalf("message ID %q: err %v, %d bytes written", msgID, err, buf.Len())
			}
			return
		}
		if err != nil {
			t.Fatalf("Write: %v", err)
		}
		doc := buf.Bytes()
		if !utf8.Valid(doc) {
			t.Fatalf("output is not UTF-8")
		}
		d := readBack(t, doc)

		check := func(what, got, want string) {
			t.Helper()
			if got != want {
				t.Fatalf("%s = %q, want %q\n%s", what, got, want, doc)
			}
		}
		check("MsgId", d.Rpt.GrpHdr.MsgId, msgID)
		wantOrig := cut(origID, 35)
		if wantOrig == "" {
			if n := status.Clean(name); n != "" && utf8.RuneCountInString(n) <= 35 {
				wantOrig = n
			} else {
				wantOrig = strings.Repeat("0f", 32)[:35]
			}
		}
		check("OrgnlMsgId", d.Rpt.Grp.OrgnlMsgId, wantOrig)
		wantFmt := cut(format, 35)
		if wantFmt == "" {
			wantFmt = "UNKNOWN"
		}
		check("OrgnlMsgNmId", d.Rpt.Grp.OrgnlMsgNmId, wantFmt)

		// Find the fuzzed payment: its batch comes first unless it shares
		// the fixed payments' batch ID.
		var tx rbTx
		found := 0
		for _, b := range d.Rpt.PmtInf {
			if n := utf8.RuneCountInString(b.OrgnlPmtInfId); n < 1 || n > 35 {
				t.Fatalf("OrgnlPmtInfId %q has %d characters", b.OrgnlPmtInfId, n)
			}
			for _, x := range b.Tx {
				found++
				if found == 1 {
					tx = x
				}
			}
		}
		if found != 3 {
			t.Fatalf("%d transactions read back, want 3", found)
		}
		wantBatch := cut(batch, 35)
		if wantBatch == "" {
			wantBatch = "NOTPROVIDED"
		}
		check("OrgnlPmtInfId", d.Rpt.PmtInf[0].OrgnlPmtInfId, wantBatch)
		check("OrgnlInstrId", tx.OrgnlInstrId, cut(instr, 35))
		wantE2E := cut(e2e, 35)
		if wantE2E == "" {
			wantE2E = "NOTPROVIDED"
		}
		check("OrgnlEndToEndId", tx.OrgnlEndToEndId, wantE2E)
		codes := wantTxSts[st]
		wantSts := codes[0]
		if ext && v10 {
			wantSts = codes[1]
		}
		check("TxSts", tx.TxSts, wantSts)
		for _, x := range d.txs() {
			if !v10 && !strings.Contains(enum03, x.TxSts) {
				t.Fatalf("TxSts %q outside the .03 enum", x.TxSts)
			}
		}
		check("Cdtr/Nm", tx.creditor(), cut(cdtr, 140))

		// Amount: written exactly, or not at all.
		if status.KnownAmount(p.Amount) && decimalFits(p.Amount.Decimal()) {
			check("InstdAmt/@Ccy", tx.Ref.Amt.Ccy, p.Amount.Currency)
			back, err := money.Parse(tx.Ref.Amt.Value, tx.Ref.Amt.Ccy)
			if err != nil || back != p.Amount {
				t.Fatalf("InstdAmt %q reads back as %v, %v; want %v", tx.Ref.Amt.Value, back, err, p.Amount)
			}
		} else {
			check("InstdAmt (unknown amount)", tx.Ref.Amt.Value, "")
		}

		// Reasons: every AddtlInf is 1–105 characters and together they
		// carry the fixed text, the cleaned reason text and a long reference.
		var all []rbRsn
		all = append(all, d.Rpt.Grp.StsRsnInf...)
		for _, x := range d.txs() {
			all = append(all, x.StsRsnInf...)
		}
		for _, rs := range all {
			for _, a := range rs.AddtlInf {
				if n := utf8.RuneCountInString(a); n < 1 || n > 105 {
					t.Fatalf("AddtlInf of %d characters: %q", n, a)
				}
			}
			if rs.Cd != "" && !isISOCode(rs.Cd) || utf8.RuneCountInString(rs.Prtry) > 35 {
				t.Fatalf("Rsn %+v", rs)
			}
		}
		ref := status.Clean(bankRef)
		wantText := fixedText(st, p.Reason) + status.Clean(text)
		if utf8.RuneCountInString(ref) > 35 {
			wantText += TextBankRefLong + ref
			check("AcctSvcrRef", tx.AcctSvcrRef, "")
		} else {
			check("AcctSvcrRef", tx.AcctSvcrRef, ref)
		}
		gotText := ""
		if len(tx.StsRsnInf) > 0 {
			gotText = tx.StsRsnInf[0].text()
			if c := status.Clean(code); c != "" {
				if isISOCode(c) {
					check("Rsn/Cd", tx.StsRsnInf[0].Cd, c)
				} else {
					check("Rsn/Prtry", tx.StsRsnInf[0].Prtry, cut(code, 35))
				}
			}
		}
		check("AddtlInf", gotText, wantText)
	})
}
