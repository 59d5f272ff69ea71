package bisim

import (
	"fmt"
	"strings"
)

// Error codes in answers. ISO 20022 status reason codes where one fits, so
// that a client can carry them into a pain.002 unchanged; the real service's
// codes are unknown.
const (
	CodeDuplicate       = "DUPL" // paymentId already used for this account
	CodeInvalidAmount   = "AM12"
	CodeCurrency        = "AM03"
	CodeAccount         = "AC01"
	CodeDate            = "DT01"
	CodeCreditor        = "RR03"
	CodeType            = "AG03" // payment type not supported
	CodeField           = "FF01" // other malformed field (paymentId, urgency)
	CodeCancelRefused   = "CNCL" // cancel not possible in the current status (invented)
	CodeCancelled       = "DS02"
	CodeDefaultRejected = "AC03"
)

// fiKinds maps transaction type to the FI card type ("kortart") it carries.
var fiKinds = map[int]string{3: "01", 4: "04", 5: "15", 6: "71", 7: "73", 8: "75"}

// checkCreditorAccount validates the recipient account for the type (§3.1).
// Type 0 (absent; the docs' example omits it) is inferred from the shape.
func (s *Server) checkCreditorAccount(typ int, acct string) *APIError {
	if acct == "" {
		return &APIError{CodeAccount, "account is required"}
	}
	switch {
	case typ == 0:
		switch {
		case isBBAN(acct):
			return nil
		case strings.HasPrefix(acct, "+") && len(acct) >= 4:
			return s.checkFI(acct, acct[1:3])
		case looksIBAN(acct):
			return checkIBAN(acct)
		}
		return &APIError{CodeAccount, fmt.Sprintf("account %q is neither a 14-digit BBAN, an IBAN nor an FI string", acct)}
	case typ == 1:
		if !isBBAN(acct) {
			return &APIError{CodeAccount, fmt.Sprintf("type 1 needs a 14-digit BBAN (reg. no. + account no.), got %q", acct)}
		}
		return nil
	case typ == 11:
		if looksIBAN(acct) {
			return checkIBAN(acct)
		}
		if len(acct) > 34 || !alnum(acct) {
			return &APIError{CodeAccount, fmt.Sprintf("type 11 needs an IBAN or a foreign account number (letters and digits, at most 34), got %q", acct)}
		}
		return nil
	}
	if kind, ok := fiKinds[typ]; ok {
		return s.checkFI(acct, kind)
	}
	if s.cfg.AllowUnknownTypes && typ > 0 {
		return nil
	}
	return &APIError{CodeType, fmt.Sprintf("type %d is not supported", typ)}
}

// checkFI validates "+KK<reference+creditor<". FI 01 and 73 carry no
// reference, and C2 sends them with or without the closing '<'.
func (s *Server) checkFI(acct, kind string) *APIError {
	bad := func(why string) *APIError {
		return &APIError{CodeAccount, fmt.Sprintf("FI string %q for card +%s: %s", acct, kind, why)}
	}
	prefix := "+" + kind + "<"
	if !strings.HasPrefix(acct, prefix) {
		return bad("must start with " + prefix)
	}
	rest := acct[len(prefix):]
	noRef := kind == "01" || kind == "73"
	if strings.HasSuffix(rest, "<") {
		rest = rest[:len(rest)-1]
	} else if !noRef {
		return bad("must end with '<'")
	}
	ref, cred, ok := strings.Cut(rest, "+")
	if !ok || strings.Contains(cred, "+") {
		return bad("want reference+creditor")
	}
	var refLen int
	switch kind {
	case "01", "73":
		refLen = 0
	case "71":
		refLen = 15
	default: // 04, 15, 75
		refLen = 16
	}
	if len(ref) != refLen || (refLen > 0 && !allDigits(ref)) {
		if refLen == 0 {
			return bad("takes no payment reference")
		}
		return bad(fmt.Sprintf("payment reference must be %d digits", refLen))
	}
	credLens := map[string][2]int{"01": {7, 8}, "04": {7, 8}, "15": {7, 8}, "71": {8, 8}, "73": {8, 8}, "75": {8, 8}}[kind]
	if !allDigits(cred) || len(cred) < credLens[0] || len(cred) > credLens[1] {
		return bad(fmt.Sprintf("creditor number must be %d digits", credLens[1]))
	}
	if (kind == "71" || kind == "04") && !s.cfg.LenientFI && !luhnValid(ref) {
		return bad("payment reference check digit is wrong")
	}
	return nil
}

// luhnValid checks the FIK71/FIK04 modulus-10 check digit (the last digit):
// weights 2,1,2,… from the right of the payload, products' digits summed.
func luhnValid(ref string) bool {
	sum := 0
	w := 2
	for i := len(ref) - 2; i >= 0; i-- {
		p := int(ref[i]-'0') * w
		sum += p/10 + p%10
		w = 3 - w
	}
	return (10-sum%10)%10 == int(ref[len(ref)-1]-'0')
}

func looksIBAN(s string) bool {
	return len(s) >= 4 && isUpper(s[0]) && isUpper(s[1]) && isDigit(s[2]) && isDigit(s[3])
}

// checkIBAN: upper-case letters and digits, 15–34 long, ISO 7064 mod 97 = 1.
func checkIBAN(s string) *APIError {
	if len(s) < 15 || len(s) > 34 || !alnumUpper(s) {
		return &APIError{CodeAccount, fmt.Sprintf("IBAN %q is malformed (compact, upper case, 15-34 characters)", s)}
	}
	r := s[4:] + s[:4]
	rem := 0
	for i := 0; i < len(r); i++ {
		c := r[i]
		if isDigit(c) {
			rem = (rem*10 + int(c-'0')) % 97
		} else {
			rem = (rem*100 + int(c-'A') + 10) % 97
		}
	}
	if rem != 1 {
		return &APIError{CodeAccount, fmt.Sprintf("IBAN %q has a wrong check digit", s)}
	}
	return nil
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func alnumUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && !isUpper(s[i]) {
			return false
		}
	}
	return true
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && !isUpper(c) && !(c >= 'a' && c <= 'z') {
			return false
		}
	}
	return s != ""
}
