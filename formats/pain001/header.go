package pain001

import (
	"strconv"

	"erpconnector/formats"
)

// block is the PmtInf being read: its header is the template every
// transaction of the block starts from.
type block struct {
	batch      *formats.Batch
	seen       uint64
	count      counter
	txN        int
	headerDone bool
	tmpl       formats.Payment
	tpi        typeInfo
}

// Bits for elements that may occur once.
const (
	bMsgID uint64 = 1 << iota
	bCreDtTm
	bNbOfTxs
	bCtrlSum
	bPmtInfID
	bPmtMtd
	bBtchBookg
	bPmtTpInf
	bReqdExctnDt
	bPoolgAdjstmntDt
	bDbtr
	bDbtrAcct
	bDbtrAgt
	bDbtrAgtAcct
	bInstrForDbtrAgt
	bUltmtDbtr
	bChrgBr
	bChrgsAcct
	bChrgsAcctAgt
	bInitgPty
	bFwdgAgt
)

func (r *Reader) readGrpHdr() {
	s := &r.s
	d := s.depth()
	var seen uint64
	for s.child(d) {
		switch s.name() {
		case "MsgId":
			if r.once(&seen, bMsgID) {
				v := s.value()
				if r.checkText("MsgId", v, 35) {
					r.msgID = v
				}
			}
		case "CreDtTm":
			if r.once(&seen, bCreDtTm) {
				if v := s.value(); v == "" {
					r.add(s.pos(), "CreDtTm", "is empty")
				} else if _, err := parseISODateTime(v); err != nil {
					r.add(s.pos(), "CreDtTm", "%v", err)
				}
			}
		case "NbOfTxs":
			if r.once(&seen, bNbOfTxs) {
				r.readCount(&r.grpCount)
			}
		case "CtrlSum":
			if r.once(&seen, bCtrlSum) {
				r.readCtrlSum(&r.grpCount)
			}
		case "InitgPty":
			r.once(&seen, bInitgPty) // who built the file: no effect on the payments
		case "Authstn", "FwdgAgt":
			// Authorisation codes and a forwarding agent concern the channel
			// to the bank, which is the bank API here, not the file.
		default:
			r.unexpected()
		}
	}
	for _, m := range []struct {
		bit  uint64
		name string
	}{{bMsgID, "MsgId"}, {bCreDtTm, "CreDtTm"}, {bNbOfTxs, "NbOfTxs"}} {
		if seen&m.bit == 0 {
			r.add(s.childPos(m.name), m.name, "mandatory element missing")
		}
	}
}

func (r *Reader) startBlock() {
	r.blk = &block{batch: &formats.Batch{MessageID: r.msgID, Pos: r.s.pos()}}
}

// nextInBlock reads the current PmtInf up to its next transaction and returns
// it, or returns nil once the PmtInf has ended (r.blk is then nil).
func (r *Reader) nextInBlock() *formats.Payment {
	s, b := &r.s, r.blk
	for s.child(depthPmtInf) {
		name := s.name()
		if name == "CdtTrfTxInf" {
			if !b.headerDone {
				r.finishHeader(s.parentPos())
			}
			b.txN++
			s.setIndex(b.txN)
			if p := r.readTx(); p != nil {
				return p
			}
			continue
		}
		if b.headerDone {
			// The transactions already returned were built from the header
			// as it was; a later header element cannot apply to them.
			r.add(s.pos(), name, "comes after a CdtTrfTxInf; the PmtInf header elements must come before the first transaction")
			continue
		}
		r.readHeaderElement(name)
	}
	if !s.fatal {
		pos := s.pos()
		if !b.headerDone {
			r.finishHeader(pos)
		}
		if b.txN == 0 {
			r.add(s.childPos("CdtTrfTxInf"), "CdtTrfTxInf", "mandatory element missing: the PmtInf has no transactions")
		}
		r.checkCounter(&b.count, "PmtInf["+strconv.Itoa(r.nPmtInf)+"]")
	}
	r.blk = nil
	return nil
}

// finishHeader runs when the first transaction starts: the header is then
// complete and its mandatory elements must have been seen.
func (r *Reader) finishHeader(pmtInf formats.Pos) {
	b := r.blk
	b.headerDone = true
	for _, m := range []struct {
		bit  uint64
		name string
	}{
		{bPmtInfID, "PmtInfId"}, {bPmtMtd, "PmtMtd"}, {bReqdExctnDt, "ReqdExctnDt"},
		{bDbtr, "Dbtr"}, {bDbtrAcct, "DbtrAcct"}, {bDbtrAgt, "DbtrAgt"},
	} {
		if b.seen&m.bit == 0 {
			r.add(formats.Pos{Line: pmtInf.Line, Path: pmtInf.Path + "/" + m.name}, m.name, "mandatory element missing")
		}
	}
}

func (r *Reader) readHeaderElement(name string) {
	s, b := &r.s, r.blk
	switch name {
	case "PmtInfId":
		if r.once(&b.seen, bPmtInfID) {
			v := s.value()
			if r.checkText(name, v, 35) {
				b.batch.ID = v
			}
		}
	case "PmtMtd":
		if r.once(&b.seen, bPmtMtd) {
			switch v := s.value(); v {
			case "TRF":
			case "CHK":
				r.refuse("PmtMtd CHK orders cheques; only credit transfers (TRF) can be sent to the bank")
			case "TRA":
				r.refuse("PmtMtd TRA (transfer advice) is not offered by the bank APIs; use TRF")
			default:
				r.add(s.pos(), name, "%q is not a payment method (TRF, CHK or TRA)", v)
			}
		}
	case "BtchBookg":
		// Booking the block as one statement line or many changes how the
		// debit shows on the statement, not what is paid.
		r.once(&b.seen, bBtchBookg)
	case "NbOfTxs":
		if r.once(&b.seen, bNbOfTxs) {
			r.readCount(&b.count)
		}
	case "CtrlSum":
		if r.once(&b.seen, bCtrlSum) {
			r.readCtrlSum(&b.count)
		}
	case "PmtTpInf":
		if r.once(&b.seen, bPmtTpInf) {
			r.readTypeInfo(&b.tpi)
		}
	case "ReqdExctnDt":
		if r.once(&b.seen, bReqdExctnDt) {
			r.readExecutionDate(&b.tmpl.RequestedDate)
		}
	case "Dbtr":
		if r.once(&b.seen, bDbtr) {
			r.readParty(&b.tmpl.Debtor)
		}
	case "DbtrAcct":
		if r.once(&b.seen, bDbtrAcct) {
			r.readAccount(&b.tmpl.DebtorAccount)
		}
	case "DbtrAgt":
		if r.once(&b.seen, bDbtrAgt) {
			r.readAgent(&b.tmpl.DebtorAgent)
		}
	case "ChrgBr":
		if r.once(&b.seen, bChrgBr) {
			r.readChargeBearer(&b.tmpl.ChargeBearer)
		}
	case "UltmtDbtr":
		// The party on whose behalf the debtor pays is information for the
		// creditor; the model has no field for it and the money moves the same.
		r.once(&b.seen, bUltmtDbtr)
	case "InstrForDbtrAgt":
		// Free text for the debtor's bank; the bank APIs take no such text.
		r.once(&b.seen, bInstrForDbtrAgt)
	case "PoolgAdjstmntDt":
		if r.once(&b.seen, bPoolgAdjstmntDt) {
			r.refuse("a cash-pooling adjustment date changes the value date and cannot be passed to the bank")
		}
	case "DbtrAgtAcct":
		if r.once(&b.seen, bDbtrAgtAcct) {
			r.refuse("an account of the debtor's agent changes which account is debited and cannot be passed to the bank")
		}
	case "ChrgsAcct":
		if r.once(&b.seen, bChrgsAcct) {
			r.refuse("a separate account for charges cannot be passed to the bank; charges would be taken from DbtrAcct")
		}
	case "ChrgsAcctAgt":
		if r.once(&b.seen, bChrgsAcctAgt) {
			r.refuse("a separate charges account agent cannot be passed to the bank")
		}
	default:
		r.unexpected()
	}
}

// readExecutionDate reads ReqdExctnDt: a plain xs:date in .03, the choice
// Dt|DtTm in .09 (the classic migration bug). A DtTm contributes its calendar
// date as written, without moving between time zones.
func (r *Reader) readExecutionDate(out *formats.Date) {
	s := &r.s
	if r.version == V03 {
		v := s.value()
		if v == "" {
			if !s.hadChild {
				r.add(s.pos(), "ReqdExctnDt", "is empty")
			}
			return
		}
		d, err := parseISODate(v)
		if err != nil {
			r.add(s.pos(), "ReqdExctnDt", "%v", err)
			return
		}
		*out = d
		return
	}
	d0 := s.depth()
	n := 0
	for s.child(d0) {
		name := s.name()
		switch name {
		case "Dt", "DtTm":
			n++
			if n > 1 {
				r.add(s.pos(), name, "ReqdExctnDt holds either Dt or DtTm, once")
				continue
			}
			v := s.value()
			parse := parseISODate
			if name == "DtTm" {
				parse = parseISODateTime
			}
			d, err := parse(v)
			if err != nil {
				r.add(s.pos(), name, "%v", err)
				continue
			}
			*out = d
		default:
			r.unexpected()
		}
	}
	if n == 0 && !s.fatal {
		r.add(s.childPos("Dt"), "ReqdExctnDt", "mandatory Dt or DtTm missing: in pain.001.001.09 the date goes in ReqdExctnDt/Dt")
	}
}

// readChargeBearer reads a ChargeBearerType1Code.
func (r *Reader) readChargeBearer(out *string) {
	s := &r.s
	switch v := s.value(); v {
	case "DEBT", "CRED", "SHAR", "SLEV":
		*out = v
	default:
		r.add(s.pos(), "ChrgBr", "%q is not a charge bearer code (DEBT, CRED, SHAR or SLEV)", v)
	}
}
