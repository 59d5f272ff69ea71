package pain001

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
)

// genBlock is how many transactions each generated PmtInf holds.
const genBlock = 1000

// writeDoc writes a valid pain.001.001.03 with n payments in PmtInf blocks of
// genBlock, and returns the sum of the amounts in haléře. Amounts cycle so
// that every block's CtrlSum can be written before its transactions.
func writeDoc(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	amount := func(i int) int64 { return int64(i%997+1)*100 + int64(i%100) } // 1.00 … 997.99 CZK
	var total int64
	for i := 0; i < n; i++ {
		total += amount(i)
	}
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">
<CstmrCdtTrfInitn>
<GrpHdr><MsgId>GEN-%d</MsgId><CreDtTm>2026-03-02T08:00:00</CreDtTm><NbOfTxs>%d</NbOfTxs><CtrlSum>%s</CtrlSum><InitgPty><Nm>Generator</Nm></InitgPty></GrpHdr>
`, n, n, minorString(total))
	for start, blk := 0, 1; start < n; start, blk = start+genBlock, blk+1 {
		end := min(start+genBlock, n)
		var sum int64
		for i := start; i < end; i++ {
			sum += amount(i)
		}
		fmt.Fprintf(bw, `<PmtInf><PmtInfId>B%d</PmtInfId><PmtMtd>TRF</PmtMtd><NbOfTxs>%d</NbOfTxs><CtrlSum>%s</CtrlSum>
<ReqdExctnDt>2026-03-03</ReqdExctnDt><Dbtr><Nm>Strojírny Brno a.s.</Nm></Dbtr>
<DbtrAcct><Id><IBAN>CZ6508000000192000145399</IBAN></Id></DbtrAcct><DbtrAgt><FinInstnId><BIC>GIBACZPX</BIC></FinInstnId></DbtrAgt>
`, blk, end-start, minorString(sum))
		for i := start; i < end; i++ {
			fmt.Fprintf(bw, `<CdtTrfTxInf><PmtId><InstrId>I%d</InstrId><EndToEndId>E2E-%d</EndToEndId></PmtId>
<Amt><InstdAmt Ccy="CZK">%s</InstdAmt></Amt>
<CdtrAgt><FinInstnId><ClrSysMmbId><MmbId>0100</MmbId></ClrSysMmbId></FinInstnId></CdtrAgt>
<Cdtr><Nm>Dodavatel %d s.r.o.</Nm><PstlAdr><StrtNm>Dlouhá</StrtNm><BldgNb>%d</BldgNb><PstCd>110 00</PstCd><TwnNm>Praha</TwnNm><Ctry>CZ</Ctry></PstlAdr></Cdtr>
<CdtrAcct><Id><Othr><Id>19-2000145399</Id></Othr></Id></CdtrAcct>
<RmtInf><Ustrd>/VS/%d/KS/0308 Faktura %d</Ustrd></RmtInf></CdtTrfTxInf>
`, i, i, minorString(amount(i)), i, i%200+1, 2026000000+i, i)
		}
		bw.WriteString("</PmtInf>\n")
	}
	bw.WriteString("</CstmrCdtTrfInitn>\n</Document>\n")
	return bw.Flush()
}

func minorString(v int64) string {
	s := strconv.FormatInt(v, 10)
	for len(s) < 3 {
		s = "0" + s
	}
	return s[:len(s)-2] + "." + s[len(s)-2:]
}

// genReader streams a generated document without holding it in memory.
func genReader(n int) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeDoc(pw, n)) }()
	return pr
}

// newRawDecoder is a bare decoder over the same input layer the reader uses.
func newRawDecoder(r *input) *xml.Decoder {
	d := xml.NewDecoder(r)
	d.Strict = true
	return d
}
