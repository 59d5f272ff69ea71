package account

import (
	"errors"
	"strings"
)

// Czech domestic account numbers: "[prefix-]number[/bank]" with a prefix of
// at most 6 digits, a number of 2 to 10 digits and a 4-digit bank code. Both
// prefix and number carry a mod-11 check (ČNB decree 169/2011 Sb.).

var (
	czPrefixWeights = [6]int{10, 5, 8, 4, 2, 1}
	czNumberWeights = [10]int{6, 3, 7, 9, 10, 5, 8, 4, 2, 1}
)

// ParseCZ reads a Czech account number in the forms "19-2000145399/0100",
// "19-2000145399", "000019-2000145399", "2000145399/0100" and "2000145399"
// (surrounding white space is ignored, nothing inside is). It returns the
// prefix and number without leading zeros (prefix "" when there is none or it
// is all zeros) and the bank code ("" when absent).
//
// It validates everything it can: syntax (ErrFormat / ErrLength), the bank
// code when present (ValidateCZBankCode) and the mod-11 checks (ValidateCZ).
// When only a check fails the parts are still returned with the error, so a
// caller can show the canonical form next to the problem.
func ParseCZ(s string) (prefix, number, bank string, err error) {
	s = strings.TrimFunc(s, isSpaceRune)
	orig := s
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s, bank = s[:i], s[i+1:]
		if err := ValidateCZBankCode(bank); err != nil {
			return "", "", "", errf(kindOf(err), "Czech account %q: %v", orig, err)
		}
	}
	if i := strings.IndexByte(s, '-'); i >= 0 {
		prefix, number = s[:i], s[i+1:]
		if prefix == "" {
			return "", "", "", errf(ErrFormat, "Czech account %q: empty prefix before '-'", orig)
		}
	} else {
		number = s
	}
	if !allDigits(prefix) || !allDigits(number) {
		return "", "", "", errf(ErrFormat, "Czech account %q: expected [prefix-]number[/bank] with digits only", orig)
	}
	if len(prefix) > 6 {
		return "", "", "", errf(ErrLength, "Czech account %q: prefix has %d digits; at most 6", orig, len(prefix))
	}
	if len(number) < 2 || len(number) > 10 {
		return "", "", "", errf(ErrLength, "Czech account %q: number has %d digits; 2 to 10 allowed", orig, len(number))
	}
	prefix, number = trimZeros(prefix), trimZeros(number)
	if err := ValidateCZ(prefix, number); err != nil {
		return prefix, number, bank, errf(kindOf(err), "Czech account %q: %v", orig, err)
	}
	return prefix, number, bank, nil
}

// ValidateCZ checks the two parts of a Czech account, each with or without
// leading zeros: digits only, prefix ≤6 and number ≤10 digits, the number not
// all zeros, and both mod-11 checks.
func ValidateCZ(prefix, number string) error {
	if !allDigits(prefix) || !allDigits(number) {
		return errf(ErrFormat, "Czech account prefix %q and number %q must be digits", prefix, number)
	}
	if len(prefix) > 6 {
		return errf(ErrLength, "Czech account prefix %q has more than 6 digits", prefix)
	}
	if len(number) > 10 {
		return errf(ErrLength, "Czech account number %q has more than 10 digits", number)
	}
	if trimZeros(number) == "" {
		return errf(ErrFormat, "Czech account number is missing or all zeros")
	}
	if weighted(prefix, czPrefixWeights[:])%11 != 0 {
		return errf(ErrChecksum, "Czech account prefix %s fails the mod-11 check", trimZeros(prefix))
	}
	if weighted(number, czNumberWeights[:])%11 != 0 {
		return errf(ErrChecksum, "Czech account number %s fails the mod-11 check", trimZeros(number))
	}
	return nil
}

// weighted is Σ digit×weight with digits right-aligned to the weights, which
// is the same as zero-padding on the left. len(digits) ≤ len(w).
func weighted(digits string, w []int) int {
	sum := 0
	off := len(w) - len(digits)
	for i := 0; i < len(digits); i++ {
		sum += int(digits[i]-'0') * w[off+i]
	}
	return sum
}

// ValidateCZBankCode checks that code is exactly 4 digits. It deliberately
// does not check a list of banks: the ČNB list changes, and an outdated list
// would reject payments to a new bank.
func ValidateCZBankCode(code string) error {
	if len(code) != 4 {
		return errf(ErrLength, "Czech bank code %q must be exactly 4 digits", code)
	}
	if !allDigits(code) {
		return errf(ErrFormat, "Czech bank code %q must be 4 digits", code)
	}
	return nil
}

// CZIBAN builds the IBAN CZkk + bank(4) + prefix(6) + number(10) after
// validating the parts (ValidateCZ, ValidateCZBankCode).
func CZIBAN(prefix, number, bank string) (string, error) {
	if err := ValidateCZBankCode(bank); err != nil {
		return "", err
	}
	if err := ValidateCZ(prefix, number); err != nil {
		return "", err
	}
	return makeIBAN("CZ", bank+padZeros(prefix, 6)+padZeros(number, 10)), nil
}

// CZFromIBAN validates a normalised Czech IBAN (ValidateIBAN, which includes
// the mod-11 checks) and returns its parts as ParseCZ does. A valid IBAN of
// another country is ErrCountry.
func CZFromIBAN(iban string) (prefix, number, bank string, err error) {
	if IBANCountry(iban) != "CZ" {
		if err := ValidateIBAN(iban); err != nil {
			return "", "", "", err
		}
		return "", "", "", errf(ErrCountry, "IBAN %q is not a Czech (CZ) IBAN", iban)
	}
	if err := ValidateIBAN(iban); err != nil {
		return "", "", "", err
	}
	return trimZeros(iban[8:14]), trimZeros(iban[14:24]), iban[4:8], nil
}

// FormatCZ is the canonical form: "19-2000145399", or "1234567899" when the
// prefix is empty or zero. Leading zeros are dropped from both parts. It does
// not validate; an all-zero or empty number is written as "0".
func FormatCZ(prefix, number string) string {
	p, n := trimZeros(prefix), trimZeros(number)
	if n == "" {
		n = "0"
	}
	if p == "" {
		return n
	}
	return p + "-" + n
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func trimZeros(s string) string { return strings.TrimLeft(s, "0") }

func padZeros(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat("0", n-len(s)) + s
}

func isSpaceRune(r rune) bool {
	return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\u00a0' || r == '\u202f' || r == '\ufeff'
}

// kindOf returns the sentinel an error of this package wraps.
func kindOf(err error) error {
	for _, k := range []error{ErrFormat, ErrChecksum, ErrCountry, ErrLength} {
		if errors.Is(err, k) {
			return k
		}
	}
	return ErrFormat
}
