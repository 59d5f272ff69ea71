package csvpay

import (
	"errors"
	"fmt"
	"strings"

	"erpconnector/formats"
)

// errAccountForm is the common cause of every unreadable account cell.
var errAccountForm = errors.New(`not an IBAN, a Czech account "[prefix-]number/bank" or a Danish account "reg account"`)

// parseAccount reads the account forms of the package doc. bankCode is a
// separate Czech bank-code cell ("" when there is none). It checks shape
// only; check digits are formats/validate's business.
//
// country pins how a domestic number is read: "CZ" or "DK", or "" to tell
// them apart by form (a "/bank" or a bank code means Czech).
func parseAccount(s, bankCode, country string) (formats.Account, error) {
	s = strings.TrimSpace(s)
	if isIBANLike(s) {
		iban := strings.ToUpper(strings.Join(strings.Fields(s), ""))
		if len(iban) < 5 || len(iban) > 34 || !isAlnum(iban[4:]) || !isDigits(iban[2:4]) {
			return formats.Account{}, fmt.Errorf("%q is not an IBAN (two letters, two check digits, up to 30 letters or digits)", s)
		}
		if bankCode != "" && iban[:2] == "CZ" && len(iban) >= 8 && iban[4:8] != bankCode {
			return formats.Account{}, fmt.Errorf("bank code %s differs from the bank code %s in IBAN %s", bankCode, iban[4:8], iban)
		}
		return formats.Account{IBAN: iban}, nil
	}
	if country == "DK" && (bankCode != "" || strings.Contains(s, "/")) {
		return formats.Account{}, fmt.Errorf("%q: not an IBAN or a Danish account (account_country = \"DK\")", s)
	}
	if num, bank, ok := strings.Cut(s, "/"); ok || bankCode != "" {
		if !ok {
			num, bank = s, bankCode
		} else if bankCode != "" && bankCode != strings.TrimSpace(bank) {
			return formats.Account{}, fmt.Errorf("bank code %s differs from the bank code in %q", bankCode, s)
		}
		return parseCzech(s, strings.TrimSpace(num), strings.TrimSpace(bank))
	}
	if country == "CZ" {
		return formats.Account{}, fmt.Errorf("%q: not an IBAN or a Czech account \"[prefix-]number/bank\" (account_country = \"CZ\")", s)
	}
	if a, ok := parseDanish(s); ok {
		return a, nil
	}
	return formats.Account{}, fmt.Errorf("%q: %w", s, errAccountForm)
}

// isIBANLike is the "two letters + digits" test that decides the IBAN branch;
// anything starting so cannot be a Czech or Danish domestic number.
func isIBANLike(s string) bool {
	return len(s) >= 3 && isLetter(s[0]) && isLetter(s[1]) && (s[2] >= '0' && s[2] <= '9' || s[2] == ' ')
}

func parseCzech(orig, num, bank string) (formats.Account, error) {
	if len(bank) != 4 || !isDigits(bank) {
		return formats.Account{}, fmt.Errorf("%q: the Czech bank code must be 4 digits, not %q", orig, bank)
	}
	prefix, number, hasPrefix := strings.Cut(num, "-")
	if !hasPrefix {
		prefix, number = "", num
	}
	if hasPrefix && (prefix == "" || len(prefix) > 6 || !isDigits(prefix)) {
		return formats.Account{}, fmt.Errorf("%q: the Czech account prefix must be 1 to 6 digits", orig)
	}
	if number == "" || len(number) > 10 || !isDigits(number) {
		return formats.Account{}, fmt.Errorf("%q: the Czech account number must be 1 to 10 digits", orig)
	}
	number = strings.TrimLeft(number, "0")
	if number == "" {
		return formats.Account{}, fmt.Errorf("%q: the Czech account number is zero", orig)
	}
	if prefix = strings.TrimLeft(prefix, "0"); prefix != "" {
		number = prefix + "-" + number
	}
	return formats.Account{Number: number, BankCode: bank, Country: "CZ"}, nil
}

// parseDanish reads "rrrr aaaaaaaaaa", "rrrr-aaaaaaaaaa" (account up to 10
// digits, zero-padded) or the 14-digit BBAN.
func parseDanish(s string) (formats.Account, bool) {
	var reg, acc string
	if len(s) == 14 && isDigits(s) {
		reg, acc = s[:4], s[4:]
	} else {
		i := strings.IndexAny(s, " -")
		if i != 4 {
			return formats.Account{}, false
		}
		reg, acc = s[:4], strings.TrimLeft(s[5:], " ")
		if !isDigits(reg) || acc == "" || len(acc) > 10 || !isDigits(acc) {
			return formats.Account{}, false
		}
	}
	return formats.Account{Number: reg + strings.Repeat("0", 10-len(acc)) + acc, Country: "DK"}, true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return s != ""
}
