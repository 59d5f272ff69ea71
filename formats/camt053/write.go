package camt053

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"erpconnector/formats"
	"erpconnector/formats/money"
	"erpconnector/formats/statement"
)

// Write writes s as a camt.053 bank-to-customer statement of version v with
// the default Options.
func Write(w io.Writer, s *statement.Statement, v Version) error {
	return WriteOptions(w, s, Options{Version: v})
}

// WriteOptions writes s as a camt.053 statement: one GrpHdr and one Stmt.
// It calls s.Check first, then checks every value the schema constrains;
// on any error nothing has been written. The document is streamed: memory
// does not grow with the number of entries.
func WriteOptions(w io.Writer, s *statement.Statement, o Options) error {
	ns := o.Version.Namespace()
	if ns == "" {
		return fmt.Errorf("%w: %d", ErrVersion, int(o.Version))
	}
	if err := s.Check(); err != nil {
		return fmt.Errorf("camt.053: %w", err)
	}
	d := &doc{s: s, o: o, v08: o.Version == V08, unknown: o.UnknownTxCode}
	if d.unknown.Code == "" {
		d.unknown = DefaultUnknownTxCode
	}
	d.exp, _ = money.Exponent(s.Currency) // Check proved the currency known
	if err := d.check(); err != nil {
		return err
	}
	d.x = newXW(w)
	d.write(ns)
	if err := d.x.Flush(); err != nil {
		return fmt.Errorf("writing %s statement %s: %w", o.Version, messageID(s), err)
	}
	return nil
}

type doc struct {
	x       *xw
	s       *statement.Statement
	o       Options
	v08     bool
	exp     int
	unknown ProprietaryCode
	t       totals
}

func (d *doc) write(ns string) {
	x, s := d.x, d.s
	id := messageID(s)
	created := isoDateTime(s.Created)

	x.Raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	x.Raw(`<Document xmlns="` + ns + `">` + "\n")
	x.Enter()
	x.Open("BkToCstmrStmt")

	x.Open("GrpHdr")
	x.Leaf("MsgId", id)
	x.Leaf("CreDtTm", created)
	x.Close("GrpHdr")

	x.Open("Stmt")
	x.Leaf("Id", id)
	if s.Sequence > 0 {
		x.Leaf("ElctrncSeqNb", strconv.Itoa(s.Sequence))
	}
	x.Leaf("CreDtTm", created)
	// The period is inclusive calendar days in the account's own time:
	// from the first instant of From to the last second of To, no zone.
	x.Open("FrToDt")
	x.Leaf("FrDtTm", s.From.String()+"T00:00:00")
	x.Leaf("ToDtTm", s.To.String()+"T23:59:59")
	x.Close("FrToDt")
	d.account()
	d.balance("OPBD", s.Opening, s.From)
	d.balance("CLBD", s.Closing, s.To)
	d.summary()
	for i := range s.Entries {
		d.entry(&s.Entries[i])
	}
	x.Close("Stmt")

	x.Close("BkToCstmrStmt")
	x.Close("Document")
}

func (d *doc) account() {
	x, s := d.x, d.s
	x.Open("Acct")
	d.accountID(s.Account)
	x.Leaf("Ccy", s.Currency)
	if nm := text(s.Name, max70); nm != "" {
		x.Leaf("Nm", nm)
	}
	if ow := text(s.Owner, max140); ow != "" {
		x.Open("Ownr")
		x.Leaf("Nm", ow)
		x.Close("Ownr")
	}
	if s.BIC != "" || s.Account.BankCode != "" {
		x.Open("Svcr")
		d.finInstn(s.BIC, s.Account.BankCode)
		x.Close("Svcr")
	}
	x.Close("Acct")
}

// accountID writes Id/IBAN, or Id/Othr/Id with the domestic number in its
// usual written form: "number/bankcode" for Czech accounts, the 14 digits
// for Danish ones (formats.Account.String).
func (d *doc) accountID(a formats.Account) {
	x := d.x
	x.Open("Id")
	if a.IBAN != "" {
		x.Leaf("IBAN", a.IBAN)
	} else {
		x.Open("Othr")
		x.Leaf("Id", a.String())
		x.Close("Othr")
	}
	x.Close("Id")
}

// finInstn writes FinInstnId with the BIC (BICFI in .08) and, when known,
// the domestic bank code as ClrSysMmbId/MmbId.
func (d *doc) finInstn(bic, bankCode string) {
	x := d.x
	x.Open("FinInstnId")
	if bic != "" {
		if d.v08 {
			x.Leaf("BICFI", bic)
		} else {
			x.Leaf("BIC", bic)
		}
	}
	if bankCode != "" {
		x.Open("ClrSysMmbId")
		x.Leaf("MmbId", bankCode)
		x.Close("ClrSysMmbId")
	}
	x.Close("FinInstnId")
}

// balance writes one Bal. Its date is the balance's own, else the first or
// last day of the period.
func (d *doc) balance(code string, b statement.Balance, period formats.Date) {
	x := d.x
	date := b.Date
	if date.IsZero() {
		date = period
	}
	x.Open("Bal")
	x.Open("Tp")
	x.Open("CdOrPrtry")
	x.Leaf("Cd", code)
	x.Close("CdOrPrtry")
	x.Close("Tp")
	x.decimalLeaf("Amt", d.s.Currency, magnitude(b.Minor), d.exp)
	x.Leaf("CdtDbtInd", direction(b.Minor < 0))
	x.Open("Dt")
	x.dateLeaf("Dt", date)
	x.Close("Dt")
	x.Close("Bal")
}

// summary writes TxsSummry. Sum is the total of the entries' magnitudes,
// the net is credits minus debits (= closing − opening) with its direction.
func (d *doc) summary() {
	x, t := d.x, d.t
	net, netDebit := t.credit-t.debit, false
	if t.debit > t.credit {
		net, netDebit = t.debit-t.credit, true
	}
	x.Open("TxsSummry")
	x.Open("TtlNtries")
	x.Leaf("NbOfNtries", strconv.Itoa(t.nCredit+t.nDebit))
	x.decimalLeaf("Sum", "", t.credit+t.debit, d.exp)
	if d.v08 {
		x.Open("TtlNetNtry")
		x.decimalLeaf("Amt", "", net, d.exp)
		x.Leaf("CdtDbtInd", direction(netDebit))
		x.Close("TtlNetNtry")
	} else {
		x.decimalLeaf("TtlNetNtryAmt", "", net, d.exp)
		x.Leaf("CdtDbtInd", direction(netDebit))
	}
	x.Close("TtlNtries")
	x.Open("TtlCdtNtries")
	x.Leaf("NbOfNtries", strconv.Itoa(t.nCredit))
	x.decimalLeaf("Sum", "", t.credit, d.exp)
	x.Close("TtlCdtNtries")
	x.Open("TtlDbtNtries")
	x.Leaf("NbOfNtries", strconv.Itoa(t.nDebit))
	x.decimalLeaf("Sum", "", t.debit, d.exp)
	x.Close("TtlDbtNtries")
	x.Close("TxsSummry")
}

func (d *doc) entry(e *statement.Entry) {
	x := d.x
	debit := e.Debit()
	x.Open("Ntry")
	if e.ID != "" {
		x.Leaf("NtryRef", e.ID)
	}
	x.decimalLeaf("Amt", e.Currency, magnitude(e.Minor), d.exp)
	x.Leaf("CdtDbtInd", direction(debit))
	if e.Reversal {
		x.Leaf("RvslInd", "true")
	}
	if d.v08 {
		x.Open("Sts")
		x.Leaf("Cd", "BOOK")
		x.Close("Sts")
	} else {
		x.Leaf("Sts", "BOOK")
	}
	if !e.BookingDate.IsZero() {
		x.Open("BookgDt")
		x.dateLeaf("Dt", e.BookingDate)
		x.Close("BookgDt")
	}
	if !e.ValueDate.IsZero() {
		x.Open("ValDt")
		x.dateLeaf("Dt", e.ValueDate)
		x.Close("ValDt")
	}
	if e.BankReference != "" {
		x.Leaf("AcctSvcrRef", e.BankReference)
	}
	d.txCode(e.TxCode)
	d.details(e, debit)
	if info := text(e.Text, max500); info != "" {
		x.Leaf("AddtlNtryInf", info)
	}
	x.Close("Ntry")
}

// txCode writes BkTxCd: the ISO domain/family/sub-family when known, else
// the configured proprietary code, so that the mandatory element is never
// an empty shell that some readers reject.
func (d *doc) txCode(c statement.TxCode) {
	x := d.x
	x.Open("BkTxCd")
	if c != (statement.TxCode{}) {
		x.Open("Domn")
		x.Leaf("Cd", c.Domain)
		x.Open("Fmly")
		x.Leaf("Cd", c.Family)
		x.Leaf("SubFmlyCd", c.SubFamily)
		x.Close("Fmly")
		x.Close("Domn")
	} else {
		x.Open("Prtry")
		x.Leaf("Cd", d.unknown.Code)
		if d.unknown.Issuer != "" {
			x.Leaf("Issr", d.unknown.Issuer)
		}
		x.Close("Prtry")
	}
	x.Close("BkTxCd")
}

// details writes NtryDtls/TxDtls when the entry has references, a
// counterparty or remittance information to carry.
func (d *doc) details(e *statement.Entry, debit bool) {
	x := d.x
	name := text(e.Counterparty.Name, max140)
	hasParty := name != "" || hasAddress(e.Counterparty)
	hasRefs := e.BankReference != "" || e.InstructionID != "" || e.EndToEndID != ""
	hasAgent := e.CounterpartyBIC != "" || e.CounterpartyAccount.BankCode != ""
	r := &e.Remittance
	ustrd := remittanceText(r.Unstructured)
	hasRmt := ustrd != "" || e.Remittance.Reference != "" || e.Remittance.FIK != nil || r.VS != "" || r.KS != "" || r.SS != ""
	if !hasParty && !hasRefs && !hasAgent && !hasRmt && e.CounterpartyAccount.IsZero() {
		return
	}
	x.Open("NtryDtls")
	x.Open("TxDtls")
	if hasRefs {
		x.Open("Refs")
		if e.BankReference != "" {
			x.Leaf("AcctSvcrRef", e.BankReference)
		}
		if e.InstructionID != "" {
			x.Leaf("InstrId", e.InstructionID)
		}
		if e.EndToEndID != "" {
			x.Leaf("EndToEndId", e.EndToEndID)
		}
		x.Close("Refs")
	}
	if d.v08 {
		x.decimalLeaf("Amt", e.Currency, magnitude(e.Minor), d.exp)
		x.Leaf("CdtDbtInd", direction(debit))
	}
	// The counterparty is the payer of money in and the payee of money out.
	partyTag, acctTag, agentTag := "Cdtr", "CdtrAcct", "CdtrAgt"
	if !debit {
		partyTag, acctTag, agentTag = "Dbtr", "DbtrAcct", "DbtrAgt"
	}
	if hasParty || !e.CounterpartyAccount.IsZero() {
		x.Open("RltdPties")
		if hasParty {
			x.Open(partyTag)
			if d.v08 {
				x.Open("Pty")
			}
			if name != "" {
				x.Leaf("Nm", name)
			}
			d.address(e.Counterparty)
			if d.v08 {
				x.Close("Pty")
			}
			x.Close(partyTag)
		}
		if !e.CounterpartyAccount.IsZero() {
			x.Open(acctTag)
			d.accountID(e.CounterpartyAccount)
			x.Close(acctTag)
		}
		x.Close("RltdPties")
	}
	if hasAgent {
		x.Open("RltdAgts")
		x.Open(agentTag)
		d.finInstn(e.CounterpartyBIC, e.CounterpartyAccount.BankCode)
		x.Close(agentTag)
		x.Close("RltdAgts")
	}
	if hasRmt {
		d.remittance(e.Remittance, ustrd)
	}
	x.Close("TxDtls")
	x.Close("NtryDtls")
}

// maxAddressLines is what PostalAddress allows; further lines are dropped.
const maxAddressLines = 7

func hasAddress(p formats.Party) bool {
	if text(p.Street, max70) != "" || text(p.BuildingNo, max16) != "" || text(p.PostCode, max16) != "" ||
		text(p.Town, max35) != "" || p.Country != "" {
		return true
	}
	for _, l := range p.AddressLines {
		if text(l, max70) != "" {
			return true
		}
	}
	return false
}

func (d *doc) address(p formats.Party) {
	if !hasAddress(p) {
		return
	}
	x := d.x
	x.Open("PstlAdr")
	for _, f := range []struct {
		tag, v string
		n      int
	}{{"StrtNm", p.Street, max70}, {"BldgNb", p.BuildingNo, max16}, {"PstCd", p.PostCode, max16}, {"TwnNm", p.Town, max35}} {
		if v := text(f.v, f.n); v != "" {
			x.Leaf(f.tag, v)
		}
	}
	if p.Country != "" {
		x.Leaf("Ctry", p.Country)
	}
	n := 0
	for _, l := range p.AddressLines {
		if v := text(l, max70); v != "" && n < maxAddressLines {
			x.Leaf("AdrLine", v)
			n++
		}
	}
	x.Close("PstlAdr")
}

// remittance writes RmtInf: the free text as Ustrd (split into 140-character
// pieces, so none is lost), then one Strd per structured reference: the
// creditor reference, the FIK, and the Czech symbols VS, KS, SS in that order.
func (d *doc) remittance(r formats.Remittance, ustrd string) {
	x := d.x
	x.Open("RmtInf")
	splitText(ustrd, max140, func(s string) { x.Leaf("Ustrd", s) })
	if r.Reference != "" {
		switch t := r.ReferenceType; {
		case t == "RF" || t == "SCOR" || (t == "" && strings.HasPrefix(r.Reference, "RF")):
			// ISO 11649, as EPC asks: Cd SCOR, Issr ISO.
			d.creditorRef("SCOR", "", "ISO", r.Reference)
		case t == "":
			d.creditorRef("", "", "", r.Reference)
		default:
			d.creditorRef("", t, "", r.Reference)
		}
	}
	if r.FIK != nil {
		d.creditorRef("", "FIK", "", r.FIK.String())
	}
	syms, n := symbols(r)
	for _, s := range syms[:n] {
		if d.o.Symbols == SymbolsTyped {
			d.creditorRef("", s.kind, "", s.value)
		} else {
			d.prefixedRef("", "", "", s.prefix, s.value)
		}
	}
	x.Close("RmtInf")
}

// creditorRef writes one Strd/CdtrRefInf; a type is written when cd or
// prtry is given. A prefix (a symbol's "VS:") goes before ref, saving the
// concatenation on the per-entry path.
func (d *doc) creditorRef(cd, prtry, issuer, ref string) {
	d.prefixedRef(cd, prtry, issuer, "", ref)
}

func (d *doc) prefixedRef(cd, prtry, issuer, prefix, ref string) {
	x := d.x
	x.Open("Strd")
	x.Open("CdtrRefInf")
	if cd != "" || prtry != "" {
		x.Open("Tp")
		x.Open("CdOrPrtry")
		if cd != "" {
			x.Leaf("Cd", cd)
		} else {
			x.Leaf("Prtry", prtry)
		}
		x.Close("CdOrPrtry")
		if issuer != "" {
			x.Leaf("Issr", issuer)
		}
		x.Close("Tp")
	}
	x.Indent()
	x.Raw("<Ref>")
	x.Raw(prefix) // "VS:" etc., plain ASCII
	x.Text(ref)
	x.Raw("</Ref>\n")
	x.Close("CdtrRefInf")
	x.Close("Strd")
}

type symbol struct{ kind, prefix, value string }

// symbols lists the Czech payment symbols that are set, in VS, KS, SS order,
// with leading zeros as the bank gave them.
// The array keeps the per-entry path free of allocations.
func symbols(r formats.Remittance) (out [3]symbol, n int) {
	for _, s := range [3]symbol{{"VS", "VS:", r.VS}, {"KS", "KS:", r.KS}, {"SS", "SS:", r.SS}} {
		if s.value != "" {
			out[n] = s
			n++
		}
	}
	return out, n
}

// symbolRoom is how many characters of a symbol fit Ref (Max35Text) in
// the given style.
func symbolRoom(style SymbolStyle) int {
	if style == SymbolsTyped {
		return max35
	}
	return max35 - len("VS:")
}

func direction(debit bool) string {
	if debit {
		return "DBIT"
	}
	return "CRDT"
}
