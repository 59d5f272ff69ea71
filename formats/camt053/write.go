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
	if err := d.x.flush(); err != nil {
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

	x.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	x.raw(`<Document xmlns="` + ns + `">` + "\n")
	x.depth++
	x.open("BkToCstmrStmt")

	x.open("GrpHdr")
	x.leaf("MsgId", id)
	x.leaf("CreDtTm", created)
	x.close("GrpHdr")

	x.open("Stmt")
	x.leaf("Id", id)
	if s.Sequence > 0 {
		x.leaf("ElctrncSeqNb", strconv.Itoa(s.Sequence))
	}
	x.leaf("CreDtTm", created)
	// The period is inclusive calendar days in the account's own time:
	// from the first instant of From to the last second of To, no zone.
	x.open("FrToDt")
	x.leaf("FrDtTm", s.From.String()+"T00:00:00")
	x.leaf("ToDtTm", s.To.String()+"T23:59:59")
	x.close("FrToDt")
	d.account()
	d.balance("OPBD", s.Opening, s.From)
	d.balance("CLBD", s.Closing, s.To)
	d.summary()
	for i := range s.Entries {
		d.entry(&s.Entries[i])
	}
	x.close("Stmt")

	x.close("BkToCstmrStmt")
	x.close("Document")
}

func (d *doc) account() {
	x, s := d.x, d.s
	x.open("Acct")
	d.accountID(s.Account)
	x.leaf("Ccy", s.Currency)
	if nm := text(s.Name, max70); nm != "" {
		x.leaf("Nm", nm)
	}
	if ow := text(s.Owner, max140); ow != "" {
		x.open("Ownr")
		x.leaf("Nm", ow)
		x.close("Ownr")
	}
	if s.BIC != "" || s.Account.BankCode != "" {
		x.open("Svcr")
		d.finInstn(s.BIC, s.Account.BankCode)
		x.close("Svcr")
	}
	x.close("Acct")
}

// accountID writes Id/IBAN, or Id/Othr/Id with the domestic number in its
// usual written form: "number/bankcode" for Czech accounts, the 14 digits
// for Danish ones (formats.Account.String).
func (d *doc) accountID(a formats.Account) {
	x := d.x
	x.open("Id")
	if a.IBAN != "" {
		x.leaf("IBAN", a.IBAN)
	} else {
		x.open("Othr")
		x.leaf("Id", a.String())
		x.close("Othr")
	}
	x.close("Id")
}

// finInstn writes FinInstnId with the BIC (BICFI in .08) and, when known,
// the domestic bank code as ClrSysMmbId/MmbId.
func (d *doc) finInstn(bic, bankCode string) {
	x := d.x
	x.open("FinInstnId")
	if bic != "" {
		if d.v08 {
			x.leaf("BICFI", bic)
		} else {
			x.leaf("BIC", bic)
		}
	}
	if bankCode != "" {
		x.open("ClrSysMmbId")
		x.leaf("MmbId", bankCode)
		x.close("ClrSysMmbId")
	}
	x.close("FinInstnId")
}

// balance writes one Bal. Its date is the balance's own, else the first or
// last day of the period.
func (d *doc) balance(code string, b statement.Balance, period formats.Date) {
	x := d.x
	date := b.Date
	if date.IsZero() {
		date = period
	}
	x.open("Bal")
	x.open("Tp")
	x.open("CdOrPrtry")
	x.leaf("Cd", code)
	x.close("CdOrPrtry")
	x.close("Tp")
	x.decimalLeaf("Amt", d.s.Currency, magnitude(b.Minor), d.exp)
	x.leaf("CdtDbtInd", direction(b.Minor < 0))
	x.open("Dt")
	x.dateLeaf("Dt", date)
	x.close("Dt")
	x.close("Bal")
}

// summary writes TxsSummry. Sum is the total of the entries' magnitudes,
// the net is credits minus debits (= closing − opening) with its direction.
func (d *doc) summary() {
	x, t := d.x, d.t
	net, netDebit := t.credit-t.debit, false
	if t.debit > t.credit {
		net, netDebit = t.debit-t.credit, true
	}
	x.open("TxsSummry")
	x.open("TtlNtries")
	x.leaf("NbOfNtries", strconv.Itoa(t.nCredit+t.nDebit))
	x.decimalLeaf("Sum", "", t.credit+t.debit, d.exp)
	if d.v08 {
		x.open("TtlNetNtry")
		x.decimalLeaf("Amt", "", net, d.exp)
		x.leaf("CdtDbtInd", direction(netDebit))
		x.close("TtlNetNtry")
	} else {
		x.decimalLeaf("TtlNetNtryAmt", "", net, d.exp)
		x.leaf("CdtDbtInd", direction(netDebit))
	}
	x.close("TtlNtries")
	x.open("TtlCdtNtries")
	x.leaf("NbOfNtries", strconv.Itoa(t.nCredit))
	x.decimalLeaf("Sum", "", t.credit, d.exp)
	x.close("TtlCdtNtries")
	x.open("TtlDbtNtries")
	x.leaf("NbOfNtries", strconv.Itoa(t.nDebit))
	x.decimalLeaf("Sum", "", t.debit, d.exp)
	x.close("TtlDbtNtries")
	x.close("TxsSummry")
}

func (d *doc) entry(e *statement.Entry) {
	x := d.x
	debit := e.Debit()
	x.open("Ntry")
	if e.ID != "" {
		x.leaf("NtryRef", e.ID)
	}
	x.decimalLeaf("Amt", e.Currency, magnitude(e.Minor), d.exp)
	x.leaf("CdtDbtInd", direction(debit))
	if e.Reversal {
		x.leaf("RvslInd", "true")
	}
	if d.v08 {
		x.open("Sts")
		x.leaf("Cd", "BOOK")
		x.close("Sts")
	} else {
		x.leaf("Sts", "BOOK")
	}
	if !e.BookingDate.IsZero() {
		x.open("BookgDt")
		x.dateLeaf("Dt", e.BookingDate)
		x.close("BookgDt")
	}
	if !e.ValueDate.IsZero() {
		x.open("ValDt")
		x.dateLeaf("Dt", e.ValueDate)
		x.close("ValDt")
	}
	if e.BankReference != "" {
		x.leaf("AcctSvcrRef", e.BankReference)
	}
	d.txCode(e.TxCode)
	d.details(e, debit)
	if info := text(e.Text, max500); info != "" {
		x.leaf("AddtlNtryInf", info)
	}
	x.close("Ntry")
}

// txCode writes BkTxCd: the ISO domain/family/sub-family when known, else
// the configured proprietary code, so that the mandatory element is never
// an empty shell that some readers reject.
func (d *doc) txCode(c statement.TxCode) {
	x := d.x
	x.open("BkTxCd")
	if c != (statement.TxCode{}) {
		x.open("Domn")
		x.leaf("Cd", c.Domain)
		x.open("Fmly")
		x.leaf("Cd", c.Family)
		x.leaf("SubFmlyCd", c.SubFamily)
		x.close("Fmly")
		x.close("Domn")
	} else {
		x.open("Prtry")
		x.leaf("Cd", d.unknown.Code)
		if d.unknown.Issuer != "" {
			x.leaf("Issr", d.unknown.Issuer)
		}
		x.close("Prtry")
	}
	x.close("BkTxCd")
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
	x.open("NtryDtls")
	x.open("TxDtls")
	if hasRefs {
		x.open("Refs")
		if e.BankReference != "" {
			x.leaf("AcctSvcrRef", e.BankReference)
		}
		if e.InstructionID != "" {
			x.leaf("InstrId", e.InstructionID)
		}
		if e.EndToEndID != "" {
			x.leaf("EndToEndId", e.EndToEndID)
		}
		x.close("Refs")
	}
	if d.v08 {
		x.decimalLeaf("Amt", e.Currency, magnitude(e.Minor), d.exp)
		x.leaf("CdtDbtInd", direction(debit))
	}
	// The counterparty is the payer of money in and the payee of money out.
	partyTag, acctTag, agentTag := "Cdtr", "CdtrAcct", "CdtrAgt"
	if !debit {
		partyTag, acctTag, agentTag = "Dbtr", "DbtrAcct", "DbtrAgt"
	}
	if hasParty || !e.CounterpartyAccount.IsZero() {
		x.open("RltdPties")
		if hasParty {
			x.open(partyTag)
			if d.v08 {
				x.open("Pty")
			}
			if name != "" {
				x.leaf("Nm", name)
			}
			d.address(e.Counterparty)
			if d.v08 {
				x.close("Pty")
			}
			x.close(partyTag)
		}
		if !e.CounterpartyAccount.IsZero() {
			x.open(acctTag)
			d.accountID(e.CounterpartyAccount)
			x.close(acctTag)
		}
		x.close("RltdPties")
	}
	if hasAgent {
		x.open("RltdAgts")
		x.open(agentTag)
		d.finInstn(e.CounterpartyBIC, e.CounterpartyAccount.BankCode)
		x.close(agentTag)
		x.close("RltdAgts")
	}
	if hasRmt {
		d.remittance(e.Remittance, ustrd)
	}
	x.close("TxDtls")
	x.close("NtryDtls")
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
	x.open("PstlAdr")
	for _, f := range []struct {
		tag, v string
		n      int
	}{{"StrtNm", p.Street, max70}, {"BldgNb", p.BuildingNo, max16}, {"PstCd", p.PostCode, max16}, {"TwnNm", p.Town, max35}} {
		if v := text(f.v, f.n); v != "" {
			x.leaf(f.tag, v)
		}
	}
	if p.Country != "" {
		x.leaf("Ctry", p.Country)
	}
	n := 0
	for _, l := range p.AddressLines {
		if v := text(l, max70); v != "" && n < maxAddressLines {
			x.leaf("AdrLine", v)
			n++
		}
	}
	x.close("PstlAdr")
}

// remittance writes RmtInf: the free text as Ustrd (split into 140-character
// pieces, so none is lost), then one Strd per structured reference: the
// creditor reference, the FIK, and the Czech symbols VS, KS, SS in that order.
func (d *doc) remittance(r formats.Remittance, ustrd string) {
	x := d.x
	x.open("RmtInf")
	splitText(ustrd, max140, func(s string) { x.leaf("Ustrd", s) })
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
	x.close("RmtInf")
}

// creditorRef writes one Strd/CdtrRefInf; a type is written when cd or
// prtry is given. A prefix (a symbol's "VS:") goes before ref, saving the
// concatenation on the per-entry path.
func (d *doc) creditorRef(cd, prtry, issuer, ref string) {
	d.prefixedRef(cd, prtry, issuer, "", ref)
}

func (d *doc) prefixedRef(cd, prtry, issuer, prefix, ref string) {
	x := d.x
	x.open("Strd")
	x.open("CdtrRefInf")
	if cd != "" || prtry != "" {
		x.open("Tp")
		x.open("CdOrPrtry")
		if cd != "" {
			x.leaf("Cd", cd)
		} else {
			x.leaf("Prtry", prtry)
		}
		x.close("CdOrPrtry")
		if issuer != "" {
			x.leaf("Issr", issuer)
		}
		x.close("Tp")
	}
	x.indent()
	x.raw("<Ref>")
	x.raw(prefix) // "VS:" etc., plain ASCII
	x.text(ref)
	x.raw("</Ref>\n")
	x.close("CdtrRefInf")
	x.close("Strd")
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
