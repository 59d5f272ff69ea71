package gpc

import (
	"fmt"
	"strings"

	"erpconnector/formats"
	"erpconnector/formats/account"
)

// internalOrder lists, for each position of the internal format, the
// position in the standard form P1…P6 C1…C10 it comes from (0-based), per
// abo-kpc-gpc.md §7.3: C10 C8 C9 C6 C1 C2 C3 C4 C5 C7 P1 P2 P3 P4 P5 P6.
var internalOrder = [16]int{15, 13, 14, 11, 6, 7, 8, 9, 10, 12, 0, 1, 2, 3, 4, 5}

// InternalAccount converts a 16-digit account in standard form (6-digit
// prefix + 10-digit number) to the internal format some banks use.
func InternalAccount(standard string) (string, error) {
	if err := check16(standard); err != nil {
		return "", err
	}
	var b [16]byte
	for i, from := range internalOrder {
		b[i] = standard[from]
	}
	return string(b[:]), nil
}

// StandardAccount converts a 16-digit account in internal format back to
// standard form; it is the inverse of InternalAccount.
func StandardAccount(internal string) (string, error) {
	if err := check16(internal); err != nil {
		return "", err
	}
	var b [16]byte
	for i, from := range internalOrder {
		b[from] = internal[i]
	}
	return string(b[:]), nil
}

func check16(s string) error {
	if len(s) != 16 || strings.Trim(s, "0123456789") != "" {
		return fmt.Errorf("%w: account field %q is not 16 digits", ErrAccount, s)
	}
	return nil
}

// czParts returns the zero-padded 16-digit standard form and the bank code
// of a Czech account given by CZ IBAN or by number. ok is false when a is not
// a Czech account. A failed mod-11 check does not make it non-Czech: the
// bank reported these digits and the statement must show them.
func czParts(a formats.Account) (std, bank string, ok bool) {
	if strings.HasPrefix(a.IBAN, "CZ") {
		p, n, b, err := account.CZFromIBAN(a.IBAN)
		if err == nil {
			return pad(p, 6) + pad(n, 10), b, true
		}
		if len(a.IBAN) == 24 && strings.Trim(a.IBAN[4:], "0123456789") == "" {
			return a.IBAN[8:24], a.IBAN[4:8], true
		}
	}
	if a.Number == "" || (a.Country != "" && a.Country != "CZ") {
		return "", "", false
	}
	p, n, b, err := account.ParseCZ(a.Number)
	if n == "" && err != nil {
		return "", "", false
	}
	if b == "" {
		b = a.BankCode
	}
	if account.ValidateCZBankCode(b) != nil {
		b = ""
	}
	return pad(p, 6) + pad(n, 10), b, true
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat("0", n-len(s)) + s
}
