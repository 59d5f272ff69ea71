package mt940

import (
	"strings"

	"erpconnector/formats/statement"
)

// TypeCode is the default SWIFT transaction type code (the 3 characters after
// "N" in :61:) for an entry. It maps the ISO 20022 bank transaction code
// first, then, when there is none, a few words of the bank's booking text,
// and falls back to TRF (so the line reads NTRF):
//
//	sub-family CHRG                         CHG  charges
//	sub-family COMM, COMI                   COM  commission
//	sub-family INTR, family INTR            INT  interest
//	sub-family STDO                         STO  standing order
//	sub-family SALA                         SAL  salary
//	family RDDT, IDDT (direct debits)       DDT
//	family RCHQ, ICHQ (cheques)             CHK
//	family CCRD, MCRD, POSD (cards)         MSC
//	domain FORX                             FEX  foreign exchange
//	family RCDT, ICDT, RRCT, IRCT, others   TRF
//	text gebyr, poplatek, fee, charge       CHG
//	text rente, úrok, interest              INT
//
// Options.TypeCode replaces this mapping.
func TypeCode(e statement.Entry) string {
	c := e.TxCode
	switch strings.ToUpper(c.SubFamily) {
	case "CHRG":
		return "CHG"
	case "COMM", "COMI":
		return "COM"
	case "INTR":
		return "INT"
	case "STDO":
		return "STO"
	case "SALA":
		return "SAL"
	}
	switch strings.ToUpper(c.Family) {
	case "RDDT", "IDDT":
		return "DDT"
	case "RCHQ", "ICHQ":
		return "CHK"
	case "CCRD", "MCRD", "POSD":
		return "MSC"
	case "INTR":
		return "INT"
	}
	if strings.EqualFold(c.Domain, "FORX") {
		return "FEX"
	}
	if c == (statement.TxCode{}) {
		t := strings.ToLower(e.Text)
		for _, w := range []string{"gebyr", "poplatek", "fee", "charge"} {
			if strings.Contains(t, w) {
				return "CHG"
			}
		}
		for _, w := range []string{"rente", "úrok", "urok", "interest"} {
			if strings.Contains(t, w) {
				return "INT"
			}
		}
	}
	return "TRF"
}

// validCode reports whether c is three upper-case letters or digits.
func validCode(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if !(c[i] >= 'A' && c[i] <= 'Z' || c[i] >= '0' && c[i] <= '9') {
			return false
		}
	}
	return true
}
