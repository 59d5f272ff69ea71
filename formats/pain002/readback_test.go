package pain002

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

// The read-back model: encoding/xml matches local names, so one set of
// structs reads both versions; the .10-only nesting has its own fields.
type rbDoc struct {
	XMLName xml.Name `xml:"Document"`
	Rpt     struct {
		GrpHdr struct {
			MsgId   string
			CreDtTm string
		}
		Grp struct {
			OrgnlMsgId    string
			OrgnlMsgNmId  string
			OrgnlNbOfTxs  string
			OrgnlCtrlSum  string
			GrpSts        string
			StsRsnInf     []rbRsn
			NbOfTxsPerSts []struct {
				DtldNbOfTxs string
				DtldSts     string
			}
		} `xml:"OrgnlGrpInfAndSts"`
		PmtInf []struct {
			OrgnlPmtInfId string
			OrgnlNbOfTxs  string
			OrgnlCtrlSum  string
			PmtInfSts     string
			Tx            []rbTx `xml:"TxInfAndSts"`
		} `xml:"OrgnlPmtInfAndSts"`
	} `xml:"CstmrPmtStsRpt"`
}

type rbRsn struct {
	Cd       string   `xml:"Rsn>Cd"`
	Prtry    string   `xml:"Rsn>Prtry"`
	AddtlInf []string `xml:"AddtlInf"`
}

// text is the reason's AddtlInf lines joined as the writer split them.
func (r rbRsn) text() string { return strings.Join(r.AddtlInf, "") }

type rbTx struct {
	OrgnlInstrId    string
	OrgnlEndToEndId string
	TxSts           string
	StsRsnInf       []rbRsn
	AcctSvcrRef     string
	Ref             struct {
		Amt struct {
			Value string `xml:",chardata"`
			Ccy   string `xml:"Ccy,attr"`
		} `xml:"Amt>InstdAmt"`
		ReqdExctnDt struct {
			Value string `xml:",chardata"`
			Dt    string
		}
		Cdtr struct {
			Nm    string
			PtyNm string `xml:"Pty>Nm"`
		}
		IBAN   string `xml:"CdtrAcct>Id>IBAN"`
		OthrID string `xml:"CdtrAcct>Id>Othr>Id"`
	} `xml:"OrgnlTxRef"`
}

func (t rbTx) date() string {
	if t.Ref.ReqdExctnDt.Dt != "" {
		return t.Ref.ReqdExctnDt.Dt
	}
	return strings.TrimSpace(t.Ref.ReqdExctnDt.Value)
}

func (t rbTx) creditor() string {
	if t.Ref.Cdtr.PtyNm != "" {
		return t.Ref.Cdtr.PtyNm
	}
	return t.Ref.Cdtr.Nm
}

func readBack(t testing.TB, doc []byte) rbDoc {
	t.Helper()
	var d rbDoc
	dec := xml.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("reading back the written document: %v\n%s", err, doc)
	}
	return d
}

// txs flattens the transactions in document order.
func (d rbDoc) txs() []rbTx {
	var out []rbTx
	for _, b := range d.Rpt.PmtInf {
		out = append(out, b.Tx...)
	}
	return out
}
