package csvpay

import (
	"fmt"
	"strings"

	"erpconnector/formats"
)

// fikShape is what each card type carries (iso20022.md §5.2): the payment
// ID's length range (0 = none) and the creditor (giro) number's length range.
var fikShape = map[string]struct{ idMin, idMax, credMin, credMax int }{
	"01": {0, 0, 7, 8},
	"04": {16, 16, 7, 8},
	"15": {1, 16, 7, 8}, // reference length of +15 is not documented [UNK]
	"71": {15, 15, 8, 8},
	"73": {0, 0, 8, 8},
	"75": {16, 16, 8, 8},
}

// parseFIK reads the OCR line "+71<000000001234567+12345678<" (or
// "+73<+12345678<" for card types without a payment ID). The check digit is
// left to formats/validate.
func parseFIK(s string) (*formats.FIK, error) {
	s = strings.TrimSpace(s)
	bad := func(why string) error {
		return fmt.Errorf("%q is not a FIK line like +71<000000001234567+12345678< (%s)", s, why)
	}
	if len(s) < 5 || s[0] != '+' || s[3] != '<' || s[len(s)-1] != '<' {
		return nil, bad("form")
	}
	typ := s[1:3]
	shape, ok := fikShape[typ]
	if !ok {
		return nil, bad("card type +" + typ + " is not 01, 04, 15, 71, 73 or 75")
	}
	id, cred, ok := strings.Cut(s[4:len(s)-1], "+")
	if !ok {
		return nil, bad("no creditor number")
	}
	if id != "" && !isDigits(id) || len(id) < shape.idMin || len(id) > shape.idMax {
		if shape.idMax == 0 {
			return nil, bad("card type +" + typ + " has no payment ID")
		}
		if shape.idMin == shape.idMax {
			return nil, bad(fmt.Sprintf("card type +%s needs a %d-digit payment ID", typ, shape.idMin))
		}
		return nil, bad(fmt.Sprintf("card type +%s needs a payment ID of %d to %d digits", typ, shape.idMin, shape.idMax))
	}
	if !isDigits(cred) || len(cred) < shape.credMin || len(cred) > shape.credMax {
		if shape.credMin == shape.credMax {
			return nil, bad(fmt.Sprintf("the creditor number must be %d digits", shape.credMin))
		}
		return nil, bad(fmt.Sprintf("the creditor number must be %d to %d digits", shape.credMin, shape.credMax))
	}
	return &formats.FIK{Type: typ, PaymentID: id, Creditor: cred}, nil
}
