package account

import (
	"strings"

	"erpconnector/formats"
)

// FIK ("Fælles Indbetalingskort") card types and their rules:
//
//	type  payment ID                         creditor
//	01    none                               giro account, 7 or 8 digits
//	04    16 digits, check digit (mod 10)    giro account, 7 or 8 digits
//	15    16 digits, length only [UNK]       giro account, 7 or 8 digits
//	71    15 digits, check digit (mod 10)    8 digits, first digit 8
//	73    none                               8 digits, first digit 8
//	75    16 digits, length only [UNK]       8 digits, first digit 8
//
// The check digits of 71 and 04 follow Microsoft's FIKManagement (Business
// Central DK). For 75 and 15 no public algorithm is known, so only the
// length is checked; a typing error in those IDs is caught by the bank, not
// here. Giro accounts of 01/04/15 are taken as given (7 or 8 digits) because
// the old giro numbers are not zero-padded consistently.

type fikRule struct {
	idLen int // 0: the card carries no payment ID
	check bool
	giro  bool // creditor is a 7/8-digit giro account, not an 8xxxxxxx creditor no.
}

var fikRules = map[string]fikRule{
	"01": {giro: true},
	"04": {idLen: 16, check: true, giro: true},
	"15": {idLen: 16, giro: true},
	"71": {idLen: 15, check: true},
	"73": {},
	"75": {idLen: 16},
}

// FIK check-digit weights, applied left to right on the ID zero-padded to
// its full length minus the check digit.
var fikWeights = map[string]string{
	"71": "12121212121212",
	"04": "212121212121212",
}

// ParseFIK reads an OCR code line: "+71<000000001234567+12345678<",
// "+73<+12345678<", "+01<+1234567<". White space anywhere is ignored (lines
// are often printed and typed in groups), and the final "<" may be missing.
// Other wordings ("FIK71 …", "71 …") are not accepted: guessing which digits
// are the payment ID and which the creditor is how money goes astray.
//
// The result is validated with ValidateFIK; when the line has the right shape
// but fails validation, the parsed FIK is returned along with the error.
func ParseFIK(s string) (formats.FIK, error) {
	var b strings.Builder
	for _, r := range s {
		if !isSpaceRune(r) {
			b.WriteRune(r)
		}
	}
	line := b.String()
	if !strings.HasPrefix(line, "+") || len(line) < 4 || line[3] != '<' {
		return formats.FIK{}, errf(ErrFormat, "FIK %q: expected +KK<payment ID+creditor<", s)
	}
	f := formats.FIK{Type: line[1:3]}
	body := strings.TrimSuffix(line[4:], "<")
	id, cred, ok := strings.Cut(body, "+")
	if !ok || strings.ContainsAny(cred, "+<") || strings.Contains(id, "<") {
		return formats.FIK{}, errf(ErrFormat, "FIK %q: expected +KK<payment ID+creditor<", s)
	}
	f.PaymentID, f.Creditor = id, cred
	if err := ValidateFIK(f); err != nil {
		return f, err
	}
	return f, nil
}

// ValidateFIK checks the card type, the creditor and the payment ID against
// the table above.
func ValidateFIK(f formats.FIK) error {
	rule, ok := fikRules[f.Type]
	if !ok {
		return errf(ErrFormat, "FIK card type %q is not one of 01, 04, 15, 71, 73, 75", f.Type)
	}
	if !allDigits(f.Creditor) {
		return errf(ErrFormat, "FIK +%s creditor %q must be digits", f.Type, f.Creditor)
	}
	if rule.giro {
		if len(f.Creditor) < 7 || len(f.Creditor) > 8 {
			return errf(ErrLength, "FIK +%s giro account %q must have 7 or 8 digits", f.Type, f.Creditor)
		}
		if trimZeros(f.Creditor) == "" {
			return errf(ErrFormat, "FIK +%s giro account is all zeros", f.Type)
		}
	} else {
		if len(f.Creditor) != 8 {
			return errf(ErrLength, "FIK +%s creditor number %q must have 8 digits", f.Type, f.Creditor)
		}
		if f.Creditor[0] != '8' {
			return errf(ErrFormat, "FIK +%s creditor number %q must start with 8", f.Type, f.Creditor)
		}
	}
	if rule.idLen == 0 {
		if f.PaymentID != "" {
			return errf(ErrFormat, "FIK +%s carries no payment ID, got %q", f.Type, f.PaymentID)
		}
		return nil
	}
	if !allDigits(f.PaymentID) {
		return errf(ErrFormat, "FIK +%s payment ID %q must be digits", f.Type, f.PaymentID)
	}
	if len(f.PaymentID) != rule.idLen {
		return errf(ErrLength, "FIK +%s payment ID %q must have %d digits", f.Type, f.PaymentID, rule.idLen)
	}
	if rule.check {
		n := len(f.PaymentID) - 1
		want, err := FIKCheckDigit(f.PaymentID[:n], f.Type)
		if err != nil {
			return err
		}
		if f.PaymentID[n] != want {
			return errf(ErrChecksum, "FIK +%s payment ID %s: check digit is %c, expected %c", f.Type, f.PaymentID, f.PaymentID[n], want)
		}
	}
	return nil
}

// FIKCheckDigit computes the check digit of a FIK payment ID without its
// check digit, for kind "71" (at most 14 digits) or "04" (at most 15), as
// Microsoft's FIKManagement does: zero-pad on the left, multiply digit-wise by
// the weights, replace each product ≥ 10 by its digit sum, and take
// (10 − sum mod 10) mod 10. The result is the ASCII digit '0'..'9', so that
// id + string(c) is the full payment ID.
//
// Empty, non-digit or too long input is an error (ErrFormat / ErrLength); so
// is a kind without a known algorithm (ErrFormat).
func FIKCheckDigit(digits string, kind string) (byte, error) {
	w, ok := fikWeights[kind]
	if !ok {
		return 0, errf(ErrFormat, "FIK +%s has no known check-digit algorithm (only 71 and 04)", kind)
	}
	if digits == "" || !allDigits(digits) {
		return 0, errf(ErrFormat, "FIK +%s payment ID %q must be digits", kind, digits)
	}
	if len(digits) > len(w) {
		return 0, errf(ErrLength, "FIK +%s payment ID without check digit %q has more than %d digits", kind, digits, len(w))
	}
	sum := 0
	off := len(w) - len(digits)
	for i := 0; i < len(digits); i++ {
		p := int(digits[i]-'0') * int(w[off+i]-'0')
		if p >= 10 {
			p = 1 + p%10
		}
		sum += p
	}
	return byte('0' + (10-sum%10)%10), nil
}
