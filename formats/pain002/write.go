package pain002

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"erpconnector/formats"
	"erpconnector/formats/money"
	"erpconnector/formats/status"
)

// Version selects the pain.002 message version.
type Version int

const (
	V03 Version = iota // pain.002.001.03 (the default: what most ERPs import)
	V10                // pain.002.001.10
)

// Namespace is the root namespace URI of the version.
func (v Version) Namespace() string {
	switch v {
	case V03:
		return "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"
	case V10:
		return "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"
	}
	return ""
}

func (v Version) String() string {
	switch v {
	case V03:
		return "pain.002.001.03"
	case V10:
		return "pain.002.001.10"
	}
	return "pain.002 version " + strconv.Itoa(int(v))
}

// ErrVersion is returned for a Version that is neither V03 nor V10.
var ErrVersion = errors.New("unsupported pain.002 version")

// Options control what Write leaves to configuration.
type Options struct {
	Version Version
	// ExternalCodes (V10 only) writes the external-code-list TxSts values
	// RCVD for Received and CANC for Cancelled, where the default (and V03,
	// whose closed enum lacks them) writes PDNG and RJCT+DS02. Off by default
	// because whether an ERP's .10 import knows these codes is not documented
	// anywhere; the default codes mean the same thing in both versions.
	ExternalCodes bool
}

// Write writes r as a pain.002 customer payment status report of version v
// with the default Options.
func Write(w io.Writer, r *status.Report, v Version) error {
	return WriteOptions(w, r, Options{Version: v})
}

// WriteOptions writes r as a pain.002 customer payment status report. The
// document is streamed: memory does not grow with the number of payments
// (except when a batch's payments are not contiguous in r.Payments, which
// costs one int per payment to group them).
func WriteOptions(w io.Writer, r *status.Report, o Options) error {
	ns := o.Version.Namespace()
	if ns == "" {
		return fmt.Errorf("%w: %d", ErrVersion, int(o.Version))
	}
	if err := r.Validate(); err != nil {
		return err
	}
	d := &doc{x: newXW(w), r: r, v10: o.Version == V10}
	d.external = d.v10 && o.ExternalCodes
	d.write(ns)
	if err := d.x.Flush(); err != nil {
		return fmt.Errorf("writing %s status report: %w", o.Version, err)
	}
	return nil
}

type doc struct {
	x             *xw
	r             *status.Report
	v10, external bool
}

func (d *doc) write(ns string) {
	x, r := d.x, d.r
	x.Raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	x.Raw(`<Document xmlns="` + ns + `">` + "\n")
	x.Enter()
	x.Open("CstmrPmtStsRpt")

	x.Open("GrpHdr")
	x.Leaf("MsgId", r.MessageID)
	x.Leaf("CreDtTm", isoDateTime(r.Created))
	x.Close("GrpHdr")

	d.groupInfo()

	order := batchOrder(r.Payments)
	// at maps the k-th payment in batch order to its index in r.Payments.
	at := func(k int) int {
		if order == nil {
			return k
		}
		return order[k]
	}
	for start, n := 0, len(r.Payments); start < n; {
		end := start + 1
		for end < n && r.Payments[at(end)].BatchID == r.Payments[at(start)].BatchID {
			end++
		}
		d.batch(at, start, end)
		start = end
	}

	x.Close("CstmrPmtStsRpt")
	x.Close("Document")
}

func (d *doc) groupInfo() {
	x, r := d.x, d.r
	x.Open("OrgnlGrpInfAndSts")
	x.Leaf("OrgnlMsgId", OriginalMessageID(r.File))
	x.Leaf("OrgnlMsgNmId", OriginalMessageNameID(r.File))
	if n := len(r.Payments); n > 0 {
		x.Leaf("OrgnlNbOfTxs", strconv.Itoa(n))
		if sum, ok := ctrlSum(len(r.Payments), func(k int) *status.Payment { return &r.Payments[k] }); ok {
			x.Leaf("OrgnlCtrlSum", sum)
		}
	}
	st := r.FileState()
	x.Leaf("GrpSts", groupStatus(st))
	d.reasons(st, r.Reason, "")
	for _, p := range r.Problems {
		if p = status.Clean(p); p == "" {
			continue
		}
		x.Open("StsRsnInf")
		d.rsn(CodeNarrative)
		splitText(p, max105, func(s string) { x.Leaf("AddtlInf", s) })
		x.Close("StsRsnInf")
	}
	if len(r.Payments) > 0 {
		var counts [8]int
		for i := range r.Payments {
			counts[slices.Index(txCodes, txStatus(r.Payments[i].State, d.external))]++
		}
		for i, c := range txCodes {
			if counts[i] == 0 {
				continue
			}
			x.Open("NbOfTxsPerSts")
			x.Leaf("DtldNbOfTxs", strconv.Itoa(counts[i]))
			x.Leaf("DtldSts", c)
			x.Close("NbOfTxsPerSts")
		}
	}
	x.Close("OrgnlGrpInfAndSts")
}

// batch writes one OrgnlPmtInfAndSts for the payments at(start) … at(end-1).
func (d *doc) batch(at func(int) int, start, end int) {
	x, ps := d.x, d.r.Payments
	x.Open("OrgnlPmtInfAndSts")
	id := cleanMax(ps[at(start)].BatchID, max35)
	if id == "" {
		id = notProvided
	}
	x.Leaf("OrgnlPmtInfId", id)
	x.Leaf("OrgnlNbOfTxs", strconv.Itoa(end-start))
	if sum, ok := ctrlSum(end-start, func(k int) *status.Payment { return &ps[at(start+k)] }); ok {
		x.Leaf("OrgnlCtrlSum", sum)
	}
	var s status.Summary
	for k := start; k < end; k++ {
		s.Add(ps[at(k)].State)
	}
	x.Leaf("PmtInfSts", groupStatus(s.State()))
	for k := start; k < end; k++ {
		d.tx(&ps[at(k)], d.r.PaymentReason(at(k)))
	}
	x.Close("OrgnlPmtInfAndSts")
}

func (d *doc) tx(p *status.Payment, reason status.Reason) {
	x := d.x
	x.Open("TxInfAndSts")
	if id := cleanMax(p.InstructionID, max35); id != "" {
		x.Leaf("OrgnlInstrId", id)
	}
	e2e := cleanMax(p.EndToEndID, max35)
	if e2e == "" {
		e2e = notProvided
	}
	x.Leaf("OrgnlEndToEndId", e2e)
	x.Leaf("TxSts", txStatus(p.State, d.external))
	ref := status.Clean(p.BankReference)
	longRef := ""
	if utf8.RuneCountInString(ref) > max35 {
		// Never cut a bank's reference: it is what support will ask for.
		longRef, ref = ref, ""
	}
	d.reasons(p.State, reason, longRef)
	if ref != "" {
		x.Leaf("AcctSvcrRef", ref)
	}
	d.txRef(p)
	x.Close("TxInfAndSts")
}

// txRef writes OrgnlTxRef with what the ERP needs to recognise the payment:
// amount, requested execution date, creditor name and account.
func (d *doc) txRef(p *status.Payment) {
	x := d.x
	dec := ""
	if status.KnownAmount(p.Amount) {
		if dec = p.Amount.Decimal(); !decimalFits(dec) {
			dec = ""
		}
	}
	amt := dec != ""
	date := status.ValidDate(p.RequestedDate)
	name := cleanMax(p.CreditorName, max140)
	acct := status.Clean(p.CreditorAccount)
	iban := isIBAN(acct)
	if !iban && utf8.RuneCountInString(acct) > max34 {
		acct = "" // a cut account number would name another account
	}
	if !amt && !date && name == "" && acct == "" {
		return
	}
	x.Open("OrgnlTxRef")
	if amt {
		x.Open("Amt")
		x.amount("InstdAmt", p.Amount.Currency, dec)
		x.Close("Amt")
	}
	if date {
		if d.v10 {
			x.Open("ReqdExctnDt")
			x.Leaf("Dt", isoDate(p.RequestedDate))
			x.Close("ReqdExctnDt")
		} else {
			x.Leaf("ReqdExctnDt", isoDate(p.RequestedDate))
		}
	}
	if name != "" {
		x.Open("Cdtr")
		if d.v10 {
			x.Open("Pty")
			x.Leaf("Nm", name)
			x.Close("Pty")
		} else {
			x.Leaf("Nm", name)
		}
		x.Close("Cdtr")
	}
	if acct != "" {
		x.Open("CdtrAcct")
		x.Open("Id")
		if iban {
			x.Leaf("IBAN", acct)
		} else {
			x.Open("Othr")
			x.Leaf("Id", acct)
			x.Close("Othr")
		}
		x.Close("Id")
		x.Close("CdtrAcct")
	}
	x.Close("OrgnlTxRef")
}

// reasons writes the StsRsnInf of a state: Rsn (the reason's code, or the
// state's default) and AddtlInf lines (the state's fixed text, the reason's
// text and an over-long bank reference), each cut to Max105Text.
func (d *doc) reasons(st status.State, r status.Reason, longRef string) {
	x := d.x
	code := reasonCode(st, r)
	fixed := fixedText(st, r)
	text := status.Clean(r.Text)
	if code == CodeNarrative && r.Code == "" && text == "" && longRef == "" {
		code = "" // NARR with no narrative says nothing
	}
	if code == "" && fixed == "" && text == "" && longRef == "" {
		return
	}
	x.Open("StsRsnInf")
	if code != "" {
		d.rsn(code)
	}
	for _, s := range [...]string{fixed, text} {
		splitText(s, max105, func(s string) { x.Leaf("AddtlInf", s) })
	}
	if longRef != "" {
		splitText(TextBankRefLong+longRef, max105, func(s string) { x.Leaf("AddtlInf", s) })
	}
	x.Close("StsRsnInf")
}

// rsn writes Rsn/Cd for an ISO-shaped code, else Rsn/Prtry (a bank's own
// code such as "KB-ERR-4711" is kept, not forced into the ISO list).
func (d *doc) rsn(code string) {
	x := d.x
	x.Open("Rsn")
	if isISOCode(code) {
		x.Leaf("Cd", code)
	} else {
		x.Leaf("Prtry", cleanMax(code, max35))
	}
	x.Close("Rsn")
}

// ctrlSum is the exact decimal sum of n payments' amounts across currencies,
// as ISO's CtrlSum adds them. It is omitted (ok false) when any amount is
// unknown — a sum of the readable ones would not be the file's — or when the
// sum does not fit DecimalNumber.
func ctrlSum(n int, at func(int) *status.Payment) (string, bool) {
	var s money.Sum
	for k := 0; k < n; k++ {
		a := at(k).Amount
		if !status.KnownAmount(a) {
			return "", false
		}
		s.Add(a.Dec())
	}
	if s.Err() != nil {
		return "", false
	}
	out := s.String()
	return out, decimalFits(out)
}

// batchOrder returns nil when every batch's payments are contiguous (the
// normal case: readers emit them in file order), else the payment indexes
// grouped by batch in order of each batch's first payment.
func batchOrder(ps []status.Payment) []int {
	rank := map[string]int{}
	contiguous := true
	for i := range ps {
		id := ps[i].BatchID
		if _, seen := rank[id]; !seen {
			rank[id] = len(rank)
		} else if i > 0 && ps[i-1].BatchID != id {
			contiguous = false
		}
	}
	if contiguous {
		return nil
	}
	order := make([]int, len(ps))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rank[ps[a].BatchID] - rank[ps[b].BatchID] })
	return order
}

// isoDate is d as xs:date; d is valid (status.ValidDate). Unlike
// formats.Date.String it does not go through fmt, which matters at 100k rows.
func isoDate(d formats.Date) string {
	var b [10]byte
	put := func(at, v, n int) {
		for i := at + n - 1; i >= at; i-- {
			b[i] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, d.Year, 4)
	b[4] = '-'
	put(5, int(d.Month), 2)
	b[7] = '-'
	put(8, d.Day, 2)
	return string(b[:])
}

// isoDateTime writes xs:dateTime with seconds and the time's own offset.
func isoDateTime(t time.Time) string { return t.Format("2006-01-02T15:04:05Z07:00") }
