package pain001

import (
	"strings"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

// readParty reads Dbtr or Cdtr (PartyIdentification32 / 135).
func (r *Reader) readParty(p *formats.Party) {
	s := &r.s
	d := s.depth()
	var nm, adr bool
	for s.child(d) {
		switch name := s.name(); name {
		case "Nm":
			if nm {
				r.duplicate()
				continue
			}
			nm = true
			if v := s.value(); r.checkText(name, v, 140) {
				p.Name = v
			}
		case "PstlAdr":
			if adr {
				r.duplicate()
				continue
			}
			adr = true
			r.readAddress(p)
		case "Id", "CtryOfRes", "CtctDtls":
			// Organisation/person IDs, residence and contact details identify
			// the party further but do not move money; the model has no field.
		default:
			r.unexpected()
		}
	}
}

// readAddress reads PstlAdr (PostalAddress6 / 24).
func (r *Reader) readAddress(p *formats.Party) {
	s := &r.s
	d := s.depth()
	var seen uint64
	field := func(bit uint64, maxLen int, out *string) {
		if !r.once(&seen, bit) {
			return
		}
		if v := s.value(); r.checkText(s.name(), v, maxLen) {
			*out = v
		}
	}
	nLines := 0
	for s.child(d) {
		switch name := s.name(); name {
		case "StrtNm":
			field(1, 70, &p.Street)
		case "BldgNb":
			field(2, 16, &p.BuildingNo)
		case "PstCd":
			field(4, 16, &p.PostCode)
		case "TwnNm":
			field(8, 35, &p.Town)
		case "Ctry":
			if !r.once(&seen, 16) {
				continue
			}
			if v := s.value(); validCountry(v) {
				p.Country = v
			} else {
				r.add(s.pos(), name, "%q is not a country code (two capital letters)", v)
			}
		case "AdrLine":
			nLines++
			s.setIndex(nLines)
			if nLines > 7 {
				r.add(s.pos(), name, "more than 7 address lines")
				continue
			}
			if v := s.value(); r.checkText(name, v, 70) {
				p.AddressLines = append(p.AddressLines, v)
			}
		case "AdrTp", "Dept", "SubDept", "CtrySubDvsn", "BldgNm", "Flr", "PstBx", "Room", "TwnLctnNm", "DstrctNm":
			// Address details the model has no field for; the bank APIs
			// take street, number, post code, town and country.
		default:
			r.unexpected()
		}
	}
}

// readAccount reads DbtrAcct or CdtrAcct (CashAccount16 / 38).
func (r *Reader) readAccount(a *formats.Account) {
	s := &r.s
	d := s.depth()
	var id, ccy bool
	for s.child(d) {
		switch name := s.name(); name {
		case "Id":
			if id {
				r.duplicate()
				continue
			}
			id = true
			r.readAccountID(a)
		case "Ccy":
			if ccy {
				r.duplicate()
				continue
			}
			ccy = true
			v := s.value()
			if _, ok := money.Exponent(v); !ok {
				r.add(s.pos(), name, "%q is not an ISO 4217 currency", v)
				continue
			}
			a.Currency = v
		case "Tp", "Nm", "Prxy":
			// Account type, name and proxy describe the account that Id
			// already identifies.
		default:
			r.unexpected()
		}
	}
	if !id && !s.fatal {
		r.add(s.childPos("Id"), "Id", "mandatory element missing: the account needs IBAN or Othr/Id")
	}
}

// readAccountID reads the IBAN|Othr choice. A domestic number is kept as
// written, except that a Czech-style "number/bankcode" (four digits after the
// last slash) is split into Number and BankCode. Validation decides the rest.
func (r *Reader) readAccountID(a *formats.Account) {
	s := &r.s
	d := s.depth()
	n := 0
	for s.child(d) {
		name := s.name()
		switch name {
		case "IBAN", "Othr":
			n++
			if n > 1 {
				r.add(s.pos(), name, "the account Id holds either IBAN or Othr, once")
				continue
			}
		}
		switch name {
		case "IBAN":
			v := s.value()
			iban, ok := normalizeIBAN(v)
			if !ok {
				r.add(s.pos(), name, "%q is not an IBAN (two letters, two check digits, up to 30 letters or digits)", v)
				continue
			}
			a.IBAN = iban
		case "Othr":
			r.readOtherAccount(a)
		default:
			r.unexpected()
		}
	}
	if n == 0 && !s.fatal {
		r.add(s.childPos("IBAN"), "IBAN", "mandatory element missing: the account Id holds IBAN or Othr/Id")
	}
}

func (r *Reader) readOtherAccount(a *formats.Account) {
	s := &r.s
	d := s.depth()
	var id bool
	for s.child(d) {
		switch name := s.name(); name {
		case "Id":
			if id {
				r.duplicate()
				continue
			}
			id = true
			v := s.value()
			if !r.checkText(name, v, 34) {
				continue
			}
			a.Number = v
			if i := strings.LastIndexByte(v, '/'); i > 0 && len(v)-i-1 == 4 && allDigits(v[i+1:]) {
				a.Number, a.BankCode = v[:i], v[i+1:]
			}
		case "SchmeNm", "Issr":
			// The scheme ("BBAN") and issuer name the kind of number; the
			// number itself is what the bank needs.
		default:
			r.unexpected()
		}
	}
	if !id && !s.fatal {
		r.add(s.childPos("Id"), "Id", "mandatory element missing")
	}
}

// readAgent reads DbtrAgt or CdtrAgt (BranchAndFinancialInstitutionId. 4 / 6).
func (r *Reader) readAgent(a *formats.Agent) {
	s := &r.s
	d := s.depth()
	var fin bool
	for s.child(d) {
		switch name := s.name(); name {
		case "FinInstnId":
			if fin {
				r.duplicate()
				continue
			}
			fin = true
			r.readFinInstn(a)
		case "BrnchId":
			// A branch of the bank the BIC or clearing code identifies: the
			// account is at the bank, not at the branch, for our banks.
		default:
			r.unexpected()
		}
	}
	if !fin && !s.fatal {
		r.add(s.childPos("FinInstnId"), "FinInstnId", "mandatory element missing")
	}
}

// readFinInstn reads FinInstnId: BIC (.03) or BICFI (.09), the clearing
// member ID (CZ bank code, DK reg. no.), the name, and Othr/Id as a bank
// code where no clearing member ID is given.
func (r *Reader) readFinInstn(a *formats.Agent) {
	s := &r.s
	d := s.depth()
	bicName := "BIC"
	if r.version == V09 {
		bicName = "BICFI"
	}
	var seen uint64
	var othr string
	for s.child(d) {
		switch name := s.name(); name {
		case bicName:
			if !r.once(&seen, 1) {
				continue
			}
			v := s.value()
			if !validBIC(r.version, v) {
				r.add(s.pos(), name, "%q is not a BIC (8 or 11 capital letters and digits)", v)
				continue
			}
			a.BIC = v
		case "ClrSysMmbId":
			if r.once(&seen, 2) {
				r.readClearing(a)
			}
		case "Nm":
			if r.once(&seen, 4) {
				if v := s.value(); r.checkText(name, v, 140) {
					a.Name = v
				}
			}
		case "Othr":
			if r.once(&seen, 8) {
				othr = r.readGenericID()
			}
		case "PstlAdr", "LEI":
			// The bank's address and LEI add nothing once BIC or code is known.
		default:
			r.unexpected()
		}
	}
	if othr != "" {
		switch a.BankCode {
		case "":
			a.BankCode = othr
		case othr:
		default:
			r.add(s.childPos("Othr/Id"), "Othr", "bank code %q differs from ClrSysMmbId/MmbId %q", othr, a.BankCode)
		}
	}
}

func (r *Reader) readClearing(a *formats.Agent) {
	s := &r.s
	d := s.depth()
	var mmb bool
	for s.child(d) {
		switch name := s.name(); name {
		case "MmbId":
			if mmb {
				r.duplicate()
				continue
			}
			mmb = true
			if v := s.value(); r.checkText(name, v, 35) {
				a.BankCode = v
			}
		case "ClrSysId":
			// The clearing system (CZCNB, DKNBK) is implied by the country.
		default:
			r.unexpected()
		}
	}
	if !mmb && !s.fatal {
		r.add(s.childPos("MmbId"), "MmbId", "mandatory element missing")
	}
}

// readGenericID reads a GenericFinancialIdentification (Id, SchmeNm, Issr).
func (r *Reader) readGenericID() string {
	s := &r.s
	d := s.depth()
	var id string
	var seen bool
	for s.child(d) {
		switch name := s.name(); name {
		case "Id":
			if seen {
				r.duplicate()
				continue
			}
			seen = true
			if v := s.value(); r.checkText(name, v, 35) {
				id = v
			}
		case "SchmeNm", "Issr":
		default:
			r.unexpected()
		}
	}
	if !seen && !s.fatal {
		r.add(s.childPos("Id"), "Id", "mandatory element missing")
	}
	return id
}
