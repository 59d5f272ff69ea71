package account

import (
	"strings"
	"unicode"
)

//go:generate go run ./internal/gen -registry ../../../shared/corpora/iban/php-iban.registry.txt -o iban_table.go

type bbanSegment struct {
	n     int
	class byte // 'n' digit, 'a' letter A-Z, 'c' letter or digit
}

type ibanCountry struct {
	name     string
	length   int
	bban     []bbanSegment
	sepa     bool
	official bool // published by SWIFT; false for formats only seen in national use
	example  string
}

// NormalizeIBAN removes every kind of white space (space, tab, NBSP, thin
// spaces, line breaks — what copy and paste brings in) and upper-cases ASCII
// letters. It does not validate: "cz65 0800 …" becomes "CZ650800…", and
// anything else is left for ValidateIBAN to reject.
func NormalizeIBAN(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' || r == '\u2007' || r == '\u200b' || r == '\ufeff':
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// IBANCountry returns the first two characters of iban: its country code
// when iban is well formed. It returns "" when iban is shorter than two.
func IBANCountry(iban string) string {
	if len(iban) < 2 {
		return ""
	}
	return iban[:2]
}

// IBANIsSEPA reports whether the country of iban (or a bare country code)
// belongs to the SEPA scheme according to the registry.
func IBANIsSEPA(iban string) bool {
	c, ok := ibanCountries[IBANCountry(iban)]
	return ok && c.sepa
}

// ValidateIBAN checks a normalised IBAN (upper case, no spaces; see
// NormalizeIBAN): country known to the IBAN registry (ErrCountry), the
// country's length (ErrLength), the country's BBAN structure (ErrFormat),
// check digits 02..98 and ISO 7064 mod 97-10 (ErrChecksum). For Czech IBANs
// the national mod-11 account checksum is checked as well (ErrChecksum),
// because a CZ IBAN that passes mod-97 but not mod-11 is a typing error that
// was given a fresh IBAN check, not an account.
//
// Registry rows that SWIFT does not publish officially (e.g. DZ, AO) are
// accepted: the registry lists them because banks use them. Whether a bank
// accepts a given country is the bank encoder's concern.
func ValidateIBAN(iban string) error {
	if iban == "" {
		return errf(ErrFormat, "IBAN is empty")
	}
	for i := 0; i < len(iban); i++ {
		c := iban[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			if c == ' ' || c >= 'a' && c <= 'z' {
				return errf(ErrFormat, "IBAN %q is not normalised: spaces or lower-case letters", iban)
			}
			return errf(ErrFormat, "IBAN %q contains %q; only A-Z and 0-9 are allowed", iban, rune(iban[i]))
		}
	}
	if len(iban) < 4 || !isUpper(iban[0]) || !isUpper(iban[1]) || !isDigit(iban[2]) || !isDigit(iban[3]) {
		return errf(ErrFormat, "IBAN %q must start with a 2-letter country code and 2 check digits", iban)
	}
	cc := iban[:2]
	c, ok := ibanCountries[cc]
	if !ok {
		return errf(ErrCountry, "IBAN %q: country %s does not use IBANs (not in the IBAN registry)", iban, cc)
	}
	if len(iban) != c.length {
		return errf(ErrLength, "IBAN %q has %d characters; %s IBANs have %d", iban, len(iban), cc, c.length)
	}
	pos := 4
	for _, s := range c.bban {
		for _, ch := range []byte(iban[pos : pos+s.n]) {
			if !segmentAllows(s.class, ch) {
				return errf(ErrFormat, "IBAN %q: character %d (%q) must be %s for %s", iban, pos+1, ch, className(s.class), cc)
			}
			pos++
		}
	}
	if ck := iban[2:4]; ck == "00" || ck == "01" || ck == "99" {
		return errf(ErrChecksum, "IBAN %q: check digits %s are never valid (02..98)", iban, ck)
	}
	if mod97(iban[4:]+iban[:4]) != 1 {
		return errf(ErrChecksum, "IBAN %q: check digits do not match (mod 97)", iban)
	}
	if cc == "CZ" {
		// BBAN: bank(4) prefix(6) number(10); the structure check made them digits.
		if err := ValidateCZ(iban[8:14], iban[14:24]); err != nil {
			return errf(ErrChecksum, "IBAN %q: the Czech account inside it is invalid: %v", iban, err)
		}
	}
	return nil
}

func segmentAllows(class, c byte) bool {
	switch class {
	case 'n':
		return isDigit(c)
	case 'a':
		return isUpper(c)
	default:
		return isDigit(c) || isUpper(c)
	}
}

func className(class byte) string {
	switch class {
	case 'n':
		return "a digit"
	case 'a':
		return "a letter"
	}
	return "a letter or digit"
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// mod97 computes the ISO 7064 MOD 97-10 remainder of s with letters expanded
// to 10..35, digit by digit so that no big integers are needed. s must hold
// only 0-9 and A-Z.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigit(c) {
			r = (r*10 + int(c-'0')) % 97
		} else {
			r = (r*100 + int(c-'A') + 10) % 97
		}
	}
	return r
}

// makeIBAN builds the IBAN of country cc and bban with fresh check digits.
// bban must hold only 0-9 and A-Z.
func makeIBAN(cc, bban string) string {
	ck := 98 - mod97(bban+cc+"00")
	return cc + string([]byte{byte('0' + ck/10), byte('0' + ck%10)}) + bban
}
