package pain001

import (
	"errors"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

// Bits for the elements of one CdtTrfTxInf.
const (
	tPmtID uint64 = 1 << iota
	tPmtTpInf
	tAmt
	tChrgBr
	tCdtrAgt
	tCdtr
	tCdtrAcct
	tRmtInf
	tUltmtDbtr
	tUltmtCdtr
	tInstrForDbtrAgt
	tPurp
	tTax
	tXchgRateInf
	tChqInstr
)

// readTx reads the current CdtTrfTxInf into a payment that starts as a copy of
// the block header. It returns nil only when the XML broke inside it.
func (r *Reader) readTx() *formats.Payment {
	s, b := &r.s, r.blk
	p := &formats.Payment{
		Index:         r.index,
		Pos:           s.pos(),
		Batch:         b.batch,
		RequestedDate: b.tmpl.RequestedDate,
		Debtor:        b.tmpl.Debtor,
		DebtorAccount: b.tmpl.DebtorAccount,
		DebtorAgent:   b.tmpl.DebtorAgent,
		ChargeBearer:  b.tmpl.ChargeBearer,
	}
	// Payments are handed out one by one and may be kept or changed by the
	// caller; they must not share the header's slice.
	if lines := b.tmpl.Debtor.AddressLines; lines != nil {
		p.Debtor.AddressLines = append([]string(nil), lines...)
	}
	d := s.depth()
	var seen uint64
	var tpi typeInfo
	var amt money.Dec
	amtOK := false
	for s.child(d) {
		name := s.name()
		switch name {
		case "PmtId":
			if r.once(&seen, tPmtID) {
				r.readPmtID(p)
			}
		case "PmtTpInf":
			if r.once(&seen, tPmtTpInf) {
				r.readTypeInfo(&tpi)
			}
		case "Amt":
			if r.once(&seen, tAmt) {
				amt, amtOK = r.readAmt(p)
			}
		case "ChrgBr":
			if r.once(&seen, tChrgBr) {
				r.readChargeBearer(&p.ChargeBearer)
			}
		case "CdtrAgt":
			if r.once(&seen, tCdtrAgt) {
				r.readAgent(&p.CreditorAgent)
			}
		case "Cdtr":
			if r.once(&seen, tCdtr) {
				r.readParty(&p.Creditor)
			}
		case "CdtrAcct":
			if r.once(&seen, tCdtrAcct) {
				r.readAccount(&p.CreditorAccount)
			}
		case "RmtInf":
			if r.once(&seen, tRmtInf) {
				r.readRemittance(&p.Remittance)
			}
		case "UltmtDbtr", "UltmtCdtr":
			// Parties named for information only; the money moves between
			// DbtrAcct and CdtrAcct all the same, and the model has no field.
			bit := tUltmtDbtr
			if name == "UltmtCdtr" {
				bit = tUltmtCdtr
			}
			r.once(&seen, bit)
		case "InstrForDbtrAgt":
			r.once(&seen, tInstrForDbtrAgt) // free text for our bank: no API field
		case "InstrForCdtrAgt", "RgltryRptg", "RltdRmtInf", "SplmtryData":
			// Notes to the creditor's bank, central-bank reporting codes,
			// where remittance advice was sent, bilateral extensions: none
			// of these changes who pays whom how much when.
		case "Purp":
			r.once(&seen, tPurp) // purpose code: informational for the creditor
		case "Tax":
			r.once(&seen, tTax) // tax remittance details: informational
		case "XchgRateInf":
			if r.once(&seen, tXchgRateInf) {
				r.refuse("an agreed exchange rate or FX contract changes the amount debited and cannot be passed to the bank")
			}
		case "ChqInstr":
			if r.once(&seen, tChqInstr) {
				r.refuse("cheque instructions; only credit transfers can be sent to the bank")
			}
		case "IntrmyAgt1", "IntrmyAgt2", "IntrmyAgt3", "IntrmyAgt1Acct", "IntrmyAgt2Acct", "IntrmyAgt3Acct":
			r.refuse("intermediary agents change the routing of the money and cannot be passed to the bank")
		case "CdtrAgtAcct":
			r.refuse("an account at the creditor's agent changes the routing of the money and cannot be passed to the bank")
		default:
			r.unexpected()
		}
	}
	if s.fatal {
		return nil // cut off inside: the transaction is incomplete
	}
	if seen&tPmtID == 0 {
		r.add(s.childPos("PmtId/EndToEndId"), "EndToEndId", "mandatory element missing")
	}
	if seen&tAmt == 0 {
		r.add(s.childPos("Amt"), "Amt", "mandatory element missing")
	}
	p.Priority = priority(b.tpi, tpi)
	b.count.add(amt, amtOK)
	r.grpCount.add(amt, amtOK)
	r.index++
	return p
}

// readPmtID reads PmtId.
func (r *Reader) readPmtID(p *formats.Payment) {
	s := &r.s
	d := s.depth()
	var instr, e2e, uetr bool
	for s.child(d) {
		switch name := s.name(); name {
		case "InstrId":
			if instr {
				r.duplicate()
				continue
			}
			instr = true
			if v := s.value(); r.checkText(name, v, 35) {
				p.InstructionID = v
			}
		case "EndToEndId":
			if e2e {
				r.duplicate()
				continue
			}
			e2e = true
			if v := s.value(); r.checkText(name, v, 35) {
				p.EndToEndID = v
			}
		case "UETR":
			if r.version != V09 {
				r.unexpected()
				continue
			}
			if uetr {
				r.duplicate()
			}
			uetr = true // a tracking ID the bank assigns itself on its side
		default:
			r.unexpected()
		}
	}
	if !e2e && !s.fatal {
		r.add(s.childPos("EndToEndId"), "EndToEndId", "mandatory element missing")
	}
}

// readAmt reads Amt. It returns the amount as a plain decimal, for CtrlSum,
// whenever the text is a valid ISO amount, even if the currency is not.
func (r *Reader) readAmt(p *formats.Payment) (money.Dec, bool) {
	s := &r.s
	d0 := s.depth()
	var dec money.Dec
	ok, n := false, 0
	for s.child(d0) {
		switch name := s.name(); name {
		case "InstdAmt":
			n++
			if n > 1 {
				r.add(s.pos(), name, "Amt holds one amount only")
				continue
			}
			dec, ok = r.readInstdAmt(p)
		case "EqvtAmt":
			n++
			r.refuse("EqvtAmt asks the bank to convert from another currency; give the amount to pay as InstdAmt")
		default:
			r.unexpected()
		}
	}
	if n == 0 && !s.fatal {
		r.add(s.childPos("InstdAmt"), "InstdAmt", "mandatory element missing")
	}
	return dec, ok
}

func (r *Reader) readInstdAmt(p *formats.Payment) (money.Dec, bool) {
	s := &r.s
	ccy, hasCcy := s.attr("Ccy")
	v := s.value()
	var pos formats.Pos // built on the first problem only
	if v == "" || !isPlainAmount(v) || !hasCcy || !validCurrencyCode(ccy) {
		pos = s.pos()
	}
	d, err := money.ParseDec(v)
	switch {
	case v == "":
		r.add(pos, "InstdAmt", "is empty")
		return d, false
	case err != nil || v[0] == '+':
		r.add(pos, "InstdAmt", "%q is not a decimal amount (digits and an optional '.')", v)
		return d, false
	case d.Neg:
		r.add(pos, "InstdAmt", "amount %q is negative", v)
		return d, false
	case d.Scale > 5:
		r.add(pos, "InstdAmt", "amount %q has %d decimal places; ISO 20022 allows at most 5", v, d.Scale)
		return d, false
	case digitCount(v) > 18:
		r.add(pos, "InstdAmt", "amount %q has more than 18 digits", v)
		return d, false
	}
	switch {
	case !hasCcy:
		r.add(pos, "Ccy", "InstdAmt has no Ccy attribute")
		return d, true
	case !validCurrencyCode(ccy):
		r.add(pos, "Ccy", "%q is not a currency code (three capital letters)", ccy)
		return d, true
	}
	a, err := money.Parse(v, ccy)
	if err != nil {
		pos = s.pos()
	}
	switch {
	case errors.Is(err, money.ErrCurrency):
		r.add(pos, "Ccy", "%q is not an ISO 4217 currency", ccy)
		if d.Scale > maxCurrencyDecimals {
			r.add(pos, "InstdAmt", "amount %q has %d decimal places; no ISO 4217 currency has more than %d", v, d.Scale, maxCurrencyDecimals)
		}
	case errors.Is(err, money.ErrNotPositive):
		r.add(pos, "InstdAmt", "amount %q must be greater than zero", v)
	case errors.Is(err, money.ErrPrecision):
		exp, _ := money.Exponent(ccy)
		r.add(pos, "InstdAmt", "amount %q has %d decimal places; %s allows %d", v, d.Scale, ccy, exp)
	case errors.Is(err, money.ErrOverflow):
		r.add(pos, "InstdAmt", "amount %q is too large", v)
	case err != nil:
		r.add(pos, "InstdAmt", "amount %q: %v", v, err)
	default:
		p.Amount = a
	}
	return d, true
}

// isPlainAmount reports an amount that needs no problem before the currency
// check: digits with at most one '.', at most 5 decimals and 18 digits.
func isPlainAmount(v string) bool {
	d, err := money.ParseDec(v)
	return err == nil && v[0] != '+' && !d.Neg && d.Scale <= 5 && digitCount(v) <= 18
}

// maxCurrencyDecimals is the largest ISO 4217 exponent (BHD, KWD, …).
const maxCurrencyDecimals = 3

// typeInfo is one PmtTpInf, at block or transaction level.
type typeInfo struct {
	prty             string
	hasPrty, hasSvc  bool
	svcInst, svcHigh bool
	hasLcl, lclInst  bool
}

// priority merges block and transaction PmtTpInf field by field (the
// transaction's wins where it says something) and maps it to the model:
// SvcLvl/Cd INST or LclInstrm/Cd INST (EPC SCT Inst) → instant; InstrPrty
// HIGH or SvcLvl/Cd URGP or SDVA (urgent, same-day value) → high; else normal.
// Mapping URGP/SDVA to high is an inference [INF] from the ISO code names.
func priority(blk, tx typeInfo) formats.Priority {
	t := blk
	if tx.hasPrty {
		t.prty = tx.prty
	}
	if tx.hasSvc {
		t.svcInst, t.svcHigh = tx.svcInst, tx.svcHigh
	}
	if tx.hasLcl {
		t.lclInst = tx.lclInst
	}
	switch {
	case t.svcInst || t.lclInst:
		return formats.PriorityInstant
	case t.prty == "HIGH" || t.svcHigh:
		return formats.PriorityHigh
	}
	return formats.PriorityNormal
}

func (r *Reader) readTypeInfo(t *typeInfo) {
	s := &r.s
	d := s.depth()
	var nSvc int
	var seenLcl, seenCtgy bool
	for s.child(d) {
		switch name := s.name(); name {
		case "InstrPrty":
			if t.hasPrty {
				r.duplicate()
				continue
			}
			t.hasPrty = true
			switch v := s.value(); v {
			case "HIGH", "NORM":
				t.prty = v
			default:
				r.add(s.pos(), name, "%q is not a priority (HIGH or NORM)", v)
			}
		case "SvcLvl":
			nSvc++
			if nSvc > 1 && r.version == V03 {
				r.duplicate()
				continue
			}
			t.hasSvc = true
			cd, _ := r.readCodeChoice()
			switch cd {
			case "INST":
				t.svcInst = true
			case "URGP", "SDVA":
				t.svcHigh = true
			}
		case "LclInstrm":
			if seenLcl {
				r.duplicate()
				continue
			}
			seenLcl, t.hasLcl = true, true
			cd, _ := r.readCodeChoice()
			t.lclInst = cd == "INST"
		case "CtgyPurp":
			// Category purpose (SALA, SUPP, …) steers the bank's processing
			// options, not the amount, parties or date; the APIs have no field.
			if seenCtgy {
				r.duplicate()
			}
			seenCtgy = true
		default:
			r.unexpected()
		}
	}
}

// readCodeChoice reads a Cd|Prtry choice.
func (r *Reader) readCodeChoice() (cd, prtry string) {
	s := &r.s
	d := s.depth()
	n := 0
	for s.child(d) {
		switch name := s.name(); name {
		case "Cd", "Prtry":
			n++
			if n > 1 {
				r.add(s.pos(), name, "holds either Cd or Prtry, once")
				continue
			}
			v := s.value()
			if name == "Cd" {
				if r.checkText(name, v, 35) {
					cd = v
				}
			} else if r.checkText(name, v, 35) {
				prtry = v
			}
		default:
			r.unexpected()
		}
	}
	return cd, prtry
}
