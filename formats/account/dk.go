package account

import "strings"

// Danish domestic accounts: reg. no. (4 digits) + account no. (up to 10
// digits, left zero-padded to 10) form the 14-digit BBAN. There is no
// universal national check digit (mod-11 schemes are bank-specific and fail
// on many real accounts), so only the structure is checked.

// DKBBAN joins a reg. no. (exactly 4 digits) and an account no. (1 to 10
// digits, zero-padded to 10) into the 14-digit BBAN. An all-zero reg. no. or
// account no. is rejected (ErrFormat): no bank has either.
func DKBBAN(reg, acct string) (string, error) {
	if len(reg) != 4 {
		return "", errf(ErrLength, "Danish reg. no. %q must be exactly 4 digits", reg)
	}
	if !allDigits(reg) {
		return "", errf(ErrFormat, "Danish reg. no. %q must be digits", reg)
	}
	if len(acct) == 0 || len(acct) > 10 {
		return "", errf(ErrLength, "Danish account no. %q must have 1 to 10 digits", acct)
	}
	if !allDigits(acct) {
		return "", errf(ErrFormat, "Danish account no. %q must be digits", acct)
	}
	if trimZeros(reg) == "" {
		return "", errf(ErrFormat, "Danish reg. no. %q is all zeros", reg)
	}
	if trimZeros(acct) == "" {
		return "", errf(ErrFormat, "Danish account no. %q is all zeros", acct)
	}
	return reg + padZeros(acct, 10), nil
}

// ParseDK reads a Danish account as "5247 0021527478", "5247-21527478" or
// "52470021527478" and returns the 14-digit BBAN. With a separator (one
// hyphen, or white space, or both) the account no. may be shorter than 10
// digits and is padded. Without one exactly 14 digits are required: a
// shorter run of digits might be an account no. without its reg. no., and
// guessing the split would send money to a different account.
func ParseDK(s string) (bban string, err error) {
	s = strings.TrimFunc(s, isSpaceRune)
	i := strings.IndexFunc(s, func(r rune) bool { return r == '-' || isSpaceRune(r) })
	if i < 0 {
		if len(s) != 14 {
			if allDigits(s) {
				return "", errf(ErrLength, "Danish account %q: without a separator it must be 14 digits (reg. no. 4 + account no. 10)", s)
			}
			return "", errf(ErrFormat, "Danish account %q: expected reg. no. and account no. as digits", s)
		}
		return DKBBAN(s[:4], s[4:])
	}
	reg := s[:i]
	rest := strings.TrimFunc(s[i:], isSpaceRune)
	if strings.HasPrefix(rest, "-") {
		rest = strings.TrimFunc(rest[1:], isSpaceRune)
	}
	bban, err = DKBBAN(reg, rest)
	if err != nil {
		return "", errf(kindOf(err), "Danish account %q: %v", s, err)
	}
	return bban, nil
}

// DKIBAN builds the IBAN "DK" + check digits + BBAN from a 14-digit BBAN
// (as returned by DKBBAN or ParseDK).
func DKIBAN(bban string) (string, error) {
	if len(bban) != 14 {
		return "", errf(ErrLength, "Danish BBAN %q must be 14 digits", bban)
	}
	if _, err := DKBBAN(bban[:4], bban[4:]); err != nil {
		return "", err
	}
	return makeIBAN("DK", bban), nil
}

// DKFromIBAN validates a normalised Danish, Faroese or Greenlandic IBAN (they
// share the structure) and returns the 14-digit BBAN. A valid IBAN of another
// country is ErrCountry.
func DKFromIBAN(iban string) (bban string, err error) {
	if err := ValidateIBAN(iban); err != nil {
		return "", err
	}
	switch IBANCountry(iban) {
	case "DK", "FO", "GL":
		bban = iban[4:]
		if _, err := DKBBAN(bban[:4], bban[4:]); err != nil {
			return "", errf(kindOf(err), "IBAN %q: %v", iban, err)
		}
		return bban, nil
	}
	return "", errf(ErrCountry, "IBAN %q is not a Danish (DK, FO, GL) IBAN", iban)
}
