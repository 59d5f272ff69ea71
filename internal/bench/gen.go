package bench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

// The debtor and creditor are sandbox accounts, so that every generated
// payment is accepted by the simulator.
const (
	debtorBBAN   = "52470021527478"
	debtorIBAN   = "DK8152470021527478"
	debtorCode   = "sandbox-5247" // the simulator's integration code for debtorBBAN
	creditorBBAN = "80790000820049"
	creditorIBAN = "DK2280790000820049"
)

// minorOf is payment i's amount in øre: every file has distinct amounts, and
// the file's total has a closed form (see totalMinor).
func minorOf(i int) int64 { return int64(1000 + i) }

// totalMinor is the sum of minorOf(0..n-1).
func totalMinor(n int) int64 { return int64(n)*1000 + int64(n)*int64(n-1)/2 }

// executionDate is a week ahead: never in the past, never too far ahead.
func executionDate() formats.Date { return formats.DateOf(time.Now().AddDate(0, 0, 7)) }

// payment is payment i of file f, as the bare client sends it and as the
// generated pain.001 describes it.
func (b *bench) payment(f, i int, date formats.Date) *formats.Payment {
	id := fmt.Sprintf("B%s-%d-%d", b.runID, f, i)
	return &formats.Payment{
		Index: i, InstructionID: id,
		Amount:          money.Amount{Minor: minorOf(i), Currency: "DKK"},
		RequestedDate:   date,
		DebtorAccount:   formats.Account{Number: debtorBBAN, Country: "DK"},
		Creditor:        formats.Party{Name: "Leverandoer ApS"},
		CreditorAccount: formats.Account{Number: creditorBBAN, Country: "DK"},
		Remittance:      formats.Remittance{Unstructured: fmt.Sprintf("Faktura %d-%d", f, i)},
	}
}

// writePain001 writes file f as a pain.001.001.03 document of n payments,
// one at a time, so that a 100,000-payment file never sits in memory.
func (b *bench) writePain001(w io.Writer, f, n int, date formats.Date) error {
	if n < 1 {
		return fmt.Errorf("bench: a pain.001 file needs at least one payment, not %d", n)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	ctrl := money.Amount{Minor: totalMinor(n), Currency: "DKK"}
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn>
<GrpHdr><MsgId>BENCH-%s-%d</MsgId><CreDtTm>2026-01-01T00:00:00</CreDtTm><NbOfTxs>%d</NbOfTxs><CtrlSum>%s</CtrlSum><InitgPty><Nm>Bench</Nm></InitgPty></GrpHdr>
<PmtInf><PmtInfId>P%d</PmtInfId><PmtMtd>TRF</PmtMtd><ReqdExctnDt>%s</ReqdExctnDt><Dbtr><Nm>Bench ApS</Nm></Dbtr>
<DbtrAcct><Id><IBAN>%s</IBAN></Id></DbtrAcct><DbtrAgt><FinInstnId><BIC>DABADKKK</BIC></FinInstnId></DbtrAgt>
`, b.runID, f, n, ctrl.Decimal(), f, date, debtorIBAN)
	for i := 0; i < n; i++ {
		p := b.payment(f, i, date)
		fmt.Fprintf(bw, `<CdtTrfTxInf><PmtId><InstrId>%s</InstrId><EndToEndId>%s</EndToEndId></PmtId><Amt><InstdAmt Ccy="DKK">%s</InstdAmt></Amt><Cdtr><Nm>%s</Nm></Cdtr><CdtrAcct><Id><IBAN>%s</IBAN></Id></CdtrAcct><RmtInf><Ustrd>%s</Ustrd></RmtInf></CdtTrfTxInf>
`, p.InstructionID, p.InstructionID, p.Amount.Decimal(), p.Creditor.Name, creditorIBAN, p.Remittance.Unstructured)
	}
	bw.WriteString("</PmtInf></CstmrCdtTrfInitn></Document>\n")
	return bw.Flush()
}

// writeFile writes file f of n payments to path and returns its size.
func (b *bench) writeFile(path string, f, n int) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	out, err := os.Create(path)
	if err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	werr := b.writePain001(out, f, n, executionDate())
	cerr := out.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return 0, fmt.Errorf("bench: writing %s: %w", path, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	return st.Size(), nil
}

// drop writes file f of n payments beside the inbox and renames it in: a
// complete file appears at once, as a careful ERP delivers it. It returns
// the moment of the rename and the file's size.
func (b *bench) drop(inbox, name string, f, n int) (time.Time, int64, error) {
	tmp := filepath.Join(filepath.Dir(inbox), "."+name)
	size, err := b.writeFile(tmp, f, n)
	if err != nil {
		return time.Time{}, 0, err
	}
	if err := os.Rename(tmp, filepath.Join(inbox, name)); err != nil {
		return time.Time{}, 0, fmt.Errorf("bench: %w", err)
	}
	return time.Now(), size, nil
}
