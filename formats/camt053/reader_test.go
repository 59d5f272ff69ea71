package camt053

// A small camt.053 reader, written for the tests only, that reads the
// fields genkgo/camt (a PHP camt reader written by others) exposes, from the
// elements genkgo reads them from. TestReaderMatchesGenkgo proves it against
// genkgo's own JSON dumps of its sample files; the read-back tests then use
// it on our output. It reads .02 and .08 alike (Sts text vs Sts/Cd, parties
// with or without Pty), as genkgo does.

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"

	"erpconnector/formats/money"
)

type xDocument struct {
	GrpHdr struct {
		MsgId   string `xml:"MsgId"`
		CreDtTm string `xml:"CreDtTm"`
	} `xml:"BkToCstmrStmt>GrpHdr"`
	Stmts []xStmt `xml:"BkToCstmrStmt>Stmt"`
}

type xStmt struct {
	Id           string `xml:"Id"`
	ElctrncSeqNb string `xml:"ElctrncSeqNb"`
	CreDtTm      string `xml:"CreDtTm"`
	FrDtTm       string `xml:"FrToDt>FrDtTm"`
	ToDtTm       string `xml:"FrToDt>ToDtTm"`
	Acct         struct {
		Id   xAcctID `xml:"Id"`
		Ccy  string  `xml:"Ccy"`
		Nm   string  `xml:"Nm"`
		Ownr string  `xml:"Ownr>Nm"`
		Svcr xFin    `xml:"Svcr>FinInstnId"`
	} `xml:"Acct"`
	Bal       []xBal `xml:"Bal"`
	TxsSummry struct {
		TtlNtries struct {
			NbOfNtries    string `xml:"NbOfNtries"`
			Sum           string `xml:"Sum"`
			TtlNetNtryAmt string `xml:"TtlNetNtryAmt"`
			CdtDbtInd     string `xml:"CdtDbtInd"`
			TtlNetNtry    struct {
				Amt       string `xml:"Amt"`
				CdtDbtInd string `xml:"CdtDbtInd"`
			} `xml:"TtlNetNtry"`
		} `xml:"TtlNtries"`
		TtlCdtNtries xNbSum `xml:"TtlCdtNtries"`
		TtlDbtNtries xNbSum `xml:"TtlDbtNtries"`
	} `xml:"TxsSummry"`
	Ntry []xNtry `xml:"Ntry"`
}

type xNbSum struct {
	NbOfNtries string `xml:"NbOfNtries"`
	Sum        string `xml:"Sum"`
}

type xAcctID struct {
	IBAN string `xml:"IBAN"`
	Othr string `xml:"Othr>Id"`
}

func (a xAcctID) String() string {
	if a.IBAN != "" {
		return a.IBAN
	}
	return a.Othr
}

type xFin struct {
	BIC   string `xml:"BIC"`
	BICFI string `xml:"BICFI"`
	MmbId string `xml:"ClrSysMmbId>MmbId"`
}

type xAmt struct {
	Ccy   string `xml:"Ccy,attr"`
	Value string `xml:",chardata"`
}

type xDate struct {
	Dt   string `xml:"Dt"`
	DtTm string `xml:"DtTm"`
}

type xBal struct {
	Cd        string `xml:"Tp>CdOrPrtry>Cd"`
	Amt       xAmt   `xml:"Amt"`
	CdtDbtInd string `xml:"CdtDbtInd"`
	Dt        xDate  `xml:"Dt"`
}

type xBkTxCd struct {
	Domn struct {
		Cd   string `xml:"Cd"`
		Fmly struct {
			Cd        string `xml:"Cd"`
			SubFmlyCd string `xml:"SubFmlyCd"`
		} `xml:"Fmly"`
	} `xml:"Domn"`
	Prtry struct {
		Cd   string `xml:"Cd"`
		Issr string `xml:"Issr"`
	} `xml:"Prtry"`
}

type xNtry struct {
	NtryRef   *string `xml:"NtryRef"`
	Amt       xAmt    `xml:"Amt"`
	CdtDbtInd string  `xml:"CdtDbtInd"`
	RvslInd   string  `xml:"RvslInd"`
	Sts       struct {
		Text string `xml:",chardata"`
		Cd   string `xml:"Cd"`
	} `xml:"Sts"`
	BookgDt      xDate     `xml:"BookgDt"`
	ValDt        xDate     `xml:"ValDt"`
	AcctSvcrRef  *string   `xml:"AcctSvcrRef"`
	BkTxCd       xBkTxCd   `xml:"BkTxCd"`
	TxDtls       []xTxDtls `xml:"NtryDtls>TxDtls"`
	AddtlNtryInf string    `xml:"AddtlNtryInf"`
}

type xParty struct {
	Nm      string   `xml:"Nm"`
	Pty     *xParty  `xml:"Pty"` // .08 wraps the party
	Ctry    string   `xml:"PstlAdr>Ctry"`
	AdrLine []string `xml:"PstlAdr>AdrLine"`
	StrtNm  string   `xml:"PstlAdr>StrtNm"`
	TwnNm   string   `xml:"PstlAdr>TwnNm"`
}

func (p *xParty) party() *xParty {
	if p != nil && p.Pty != nil {
		return p.Pty
	}
	return p
}

type xTxDtls struct {
	Refs struct {
		AcctSvcrRef string `xml:"AcctSvcrRef"`
		InstrId     string `xml:"InstrId"`
		EndToEndId  string `xml:"EndToEndId"`
	} `xml:"Refs"`
	Amt       *xAmt  `xml:"Amt"`
	CdtDbtInd string `xml:"CdtDbtInd"`
	RltdPties struct {
		Dbtr     *xParty  `xml:"Dbtr"`
		DbtrAcct *xAcctID `xml:"DbtrAcct>Id"`
		Cdtr     *xParty  `xml:"Cdtr"`
		CdtrAcct *xAcctID `xml:"CdtrAcct>Id"`
	} `xml:"RltdPties"`
	RltdAgts struct {
		DbtrAgt *xFin `xml:"DbtrAgt>FinInstnId"`
		CdtrAgt *xFin `xml:"CdtrAgt>FinInstnId"`
	} `xml:"RltdAgts"`
	RmtInf struct {
		Ustrd []string `xml:"Ustrd"`
		Strd  []struct {
			Cd    string `xml:"CdtrRefInf>Tp>CdOrPrtry>Cd"`
			Prtry string `xml:"CdtrRefInf>Tp>CdOrPrtry>Prtry"`
			Issr  string `xml:"CdtrRefInf>Tp>Issr"`
			Ref   string `xml:"CdtrRefInf>Ref"`
		} `xml:"Strd"`
	} `xml:"RmtInf"`
}

// readDoc decodes a whole document strictly: encoding/xml rejects anything
// not well-formed, including characters XML 1.0 cannot carry.
func readDoc(doc []byte) (*xDocument, error) {
	var d xDocument
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.Strict = true
	if err := dec.Decode(&d); err != nil {
		return nil, err
	}
	return &d, nil
}

// The genkgo view: the fields of genkgo's DTOs, as its JSON dumps show them.

type gBalance struct{ Type, Amount, Currency, Date string }

type gRecord struct {
	ID, Created, ElectronicSequenceNumber, Account string
	Balances                                       []gBalance
}

type gParty struct{ Type, Name, Account string }

type gEntry struct {
	Amount, Currency, CreditDebit, Status string
	BookingDate, ValueDate                string
	Reference, AccountServicerReference   string // NtryRef, Ntry/AcctSvcrRef
	AdditionalInfo                        string
	Reversal                              bool
	Domain, Family, SubFamily             string
	ProprietaryCode, ProprietaryIssuer    string
	EndToEndID, InstructionID, TxAcctRef  string
	Parties                               []gParty // sorted: Creditor before Debtor, as genkgo lists them
	Message                               string   // Ustrd, else the first creditor reference
	CreditorRefCode, CreditorRef          string
}

var balanceTypes = map[string]string{
	"OPBD": "opening", "CLBD": "closing", "OPAV": "opening_available", "CLAV": "closing_available",
	"ITBD": "interim_booked", "ITAV": "interim_available", "FWAV": "forward_available", "PRCD": "previously_closed_booked",
	"XPCD": "expected", "INFO": "information",
}

// minorOf reads an ISO amount as signed minor units of its currency, the
// way genkgo's Money holds it ("18.150" EUR is 1815). Digits past the
// currency's exponent must be zeros.
func minorOf(value, ccy string, debit bool) (string, error) {
	exp, ok := money.Exponent(ccy)
	if !ok {
		return "", fmt.Errorf("unknown currency %q", ccy)
	}
	d, err := money.ParseDec(strings.TrimSpace(value))
	if err != nil {
		return "", err
	}
	if d.Neg {
		return "", fmt.Errorf("negative amount %q", value)
	}
	u := d.Units
	for s := d.Scale; s > exp; s-- {
		if u%10 != 0 {
			return "", fmt.Errorf("%q has more decimals than %s", value, ccy)
		}
		u /= 10
	}
	for s := d.Scale; s < exp; s++ {
		u *= 10
	}
	v := strconv.FormatUint(u, 10)
	if debit && u != 0 {
		v = "-" + v
	}
	return v, nil
}

// gDate is genkgo's date rendering: the instant in UTC, "+00:00".
func gDate(d xDate) (string, error) {
	switch {
	case d.Dt != "":
		t, err := time.Parse("2006-01-02", d.Dt)
		if err != nil {
			return "", err
		}
		return t.Format("2006-01-02T15:04:05+00:00"), nil
	case d.DtTm != "":
		t, err := time.Parse(time.RFC3339, d.DtTm)
		if err != nil {
			return "", err
		}
		return t.UTC().Format("2006-01-02T15:04:05+00:00"), nil
	}
	return "", nil
}

func project(s *xStmt) (gRecord, []gEntry, error) {
	r := gRecord{ID: s.Id, ElectronicSequenceNumber: s.ElctrncSeqNb, Account: s.Acct.Id.String()}
	if s.CreDtTm != "" {
		c, err := gDate(xDate{DtTm: s.CreDtTm})
		if err != nil {
			return r, nil, err
		}
		r.Created = c
	}
	for _, b := range s.Bal {
		amt, err := minorOf(b.Amt.Value, b.Amt.Ccy, b.CdtDbtInd == "DBIT")
		if err != nil {
			return r, nil, fmt.Errorf("balance %s: %w", b.Cd, err)
		}
		dt, err := gDate(b.Dt)
		if err != nil {
			return r, nil, err
		}
		r.Balances = append(r.Balances, gBalance{Type: balanceTypes[b.Cd], Amount: amt, Currency: b.Amt.Ccy, Date: dt})
	}
	var es []gEntry
	for i, n := range s.Ntry {
		e, err := projectEntry(&n)
		if err != nil {
			return r, nil, fmt.Errorf("entry %d: %w", i, err)
		}
		es = append(es, e)
	}
	return r, es, nil
}

func projectEntry(n *xNtry) (gEntry, error) {
	var e gEntry
	var err error
	if e.Amount, err = minorOf(n.Amt.Value, n.Amt.Ccy, n.CdtDbtInd == "DBIT"); err != nil {
		return e, err
	}
	e.Currency, e.CreditDebit = n.Amt.Ccy, n.CdtDbtInd
	e.Status = strings.TrimSpace(n.Sts.Text)
	if n.Sts.Cd != "" {
		e.Status = n.Sts.Cd
	}
	if e.BookingDate, err = gDate(n.BookgDt); err != nil {
		return e, err
	}
	if e.ValueDate, err = gDate(n.ValDt); err != nil {
		return e, err
	}
	if n.NtryRef != nil {
		e.Reference = *n.NtryRef
	}
	if n.AcctSvcrRef != nil {
		e.AccountServicerReference = *n.AcctSvcrRef
	}
	e.AdditionalInfo = n.AddtlNtryInf
	e.Reversal = n.RvslInd == "true" || n.RvslInd == "1"
	e.Domain, e.Family, e.SubFamily = n.BkTxCd.Domn.Cd, n.BkTxCd.Domn.Fmly.Cd, n.BkTxCd.Domn.Fmly.SubFmlyCd
	e.ProprietaryCode, e.ProprietaryIssuer = n.BkTxCd.Prtry.Cd, n.BkTxCd.Prtry.Issr
	if len(n.TxDtls) == 0 {
		return e, nil
	}
	tx := &n.TxDtls[0]
	e.EndToEndID, e.InstructionID, e.TxAcctRef = tx.Refs.EndToEndId, tx.Refs.InstrId, tx.Refs.AcctSvcrRef
	rp := &tx.RltdPties
	if p := rp.Cdtr.party(); p != nil || rp.CdtrAcct != nil {
		e.Parties = append(e.Parties, gParty{Type: "Creditor", Name: nameOf(p), Account: acctOf(rp.CdtrAcct)})
	}
	if p := rp.Dbtr.party(); p != nil || rp.DbtrAcct != nil {
		e.Parties = append(e.Parties, gParty{Type: "Debtor", Name: nameOf(p), Account: acctOf(rp.DbtrAcct)})
	}
	if len(tx.RmtInf.Strd) > 0 {
		s := tx.RmtInf.Strd[0]
		e.CreditorRefCode, e.CreditorRef = s.Cd, s.Ref
		if s.Cd == "" {
			e.CreditorRefCode = s.Prtry
		}
	}
	switch {
	case len(tx.RmtInf.Ustrd) > 0:
		e.Message = strings.Join(tx.RmtInf.Ustrd, "")
	case len(tx.RmtInf.Strd) > 0:
		e.Message = tx.RmtInf.Strd[0].Ref
	}
	return e, nil
}

func nameOf(p *xParty) string {
	if p == nil {
		return ""
	}
	return p.Nm
}

func acctOf(a *xAcctID) string {
	if a == nil {
		return ""
	}
	return a.String()
}
