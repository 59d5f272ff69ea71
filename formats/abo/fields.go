package abo

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"erpconnector/formats"
)

// Field limits. Amounts: ČS documents 12 digits, ČSOB and Fio 14–15; the
// reader takes the widest so that no bank's valid file is refused here.
const (
	maxAmountDigits = 15
	maxSymbolDigits = 10 // VS and SS
	maxPrefixDigits = 6
	maxNumberDigits = 10
	maxMessageChars = 140 // 4×35 (ČSOB, A3); formats.Remittance promises ≤140
)

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func allZeros(s string) bool { return strings.Trim(s, "0") == "" }

// stripZeros removes leading zeros but keeps one digit.
func stripZeros(s string) string {
	t := strings.TrimLeft(s, "0")
	if t == "" && s != "" {
		return "0"
	}
	return t
}

// parseHalere reads an amount in haléře: digits only, at most 15, above zero.
// 15 digits always fit in int64.
func parseHalere(s string) (int64, error) {
	switch {
	case !isDigits(s):
		return 0, fmt.Errorf("%q is not a number of haléře (digits only, no decimal point)", s)
	case len(s) > maxAmountDigits:
		return 0, fmt.Errorf("%q has %d digits; at most %d are allowed", s, len(s), maxAmountDigits)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil { // unreachable for ≤15 digits; kept so a change of limit cannot go silent
		return 0, fmt.Errorf("%q: %v", s, err)
	}
	if v == 0 {
		return 0, fmt.Errorf("%q is zero; an amount must be greater than zero", s)
	}
	return v, nil
}

// parseSumHalere is parseHalere for a group total, which may be zero only
// for an empty group (reported separately).
func parseSumHalere(s string) (int64, error) {
	switch {
	case !isDigits(s):
		return 0, fmt.Errorf("%q is not a number of haléře (digits only, no decimal point)", s)
	case len(s) > maxAmountDigits:
		return 0, fmt.Errorf("%q has %d digits; at most %d are allowed", s, len(s), maxAmountDigits)
	}
	return strconv.ParseInt(s, 10, 64)
}

// pivotYear turns RR into a year: 00–79 → 2000–2079, 80–99 → 1980–1999. KPC
// dates are near "today", so the window covers every realistic file until
// 2079; a date in the 1980s will fail validation as being in the past.
func pivotYear(rr int) int {
	if rr < 80 {
		return 2000 + rr
	}
	return 1900 + rr
}

// parseDDMMRR reads a KPC date and rejects dates that do not exist.
func parseDDMMRR(s string) (formats.Date, error) {
	if len(s) != 6 || !isDigits(s) {
		return formats.Date{}, fmt.Errorf("%q is not a date in the form DDMMRR", s)
	}
	d := atoi(s[0:2])
	m := atoi(s[2:4])
	y := pivotYear(atoi(s[4:6]))
	return realDate(s, y, m, d, "DDMMRR")
}

// parseDueDate reads a group due date: DDMMRR, or the RRRRMMDD form that
// ČSOB also accepts. The 8-digit DDMMRRRR typo cannot slip through as
// RRRRMMDD: its "month" would be 19–20.
func parseDueDate(s string) (formats.Date, error) {
	if len(s) == 8 && isDigits(s) {
		return realDate(s, atoi(s[0:4]), atoi(s[4:6]), atoi(s[6:8]), "RRRRMMDD")
	}
	return parseDDMMRR(s)
}

func realDate(s string, y, m, d int, layout string) (formats.Date, error) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d || y == 0 {
		return formats.Date{}, fmt.Errorf("%q is not a real date (%s)", s, layout)
	}
	return formats.Date{Year: y, Month: time.Month(m), Day: d}, nil
}

// atoi reads a short string of digits already checked by isDigits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// parseBankCode reads a 4-digit bank code, or ČSOB's 6-digit form "000300",
// which is normalised to "0300".
func parseBankCode(s string) (string, error) {
	switch {
	case len(s) == 4 && isDigits(s):
		return s, nil
	case len(s) == 6 && isDigits(s) && s[:2] == "00":
		return s[2:], nil
	}
	return "", fmt.Errorf("%q is not a bank code (4 digits, or 6 digits starting with 00)", s)
}

// parseBankKS splits the BANKKS token: bank code (4) immediately followed by
// the KS (4). Also accepted: the bank code alone (4 digits, no KS, as the
// spec's parser rule allows) and ČSOB's 6-digit bank code "000300" + KS
// (10 digits). Nine digits are refused: "030005581" could be a 5-digit KS as
// well as ČS's right-aligned 8–10-digit reading, and guessing would send the
// money to bank 3000. KS "0000" means none.
func parseBankKS(s string) (bank, ks string, err error) {
	if !isDigits(s) {
		return "", "", fmt.Errorf("%q is not the bank code followed by the KS (8 digits, e.g. 03000558)", s)
	}
	switch {
	case len(s) == 4:
		return s, "", nil
	case len(s) == 10 && s[:2] != "00":
		return "", "", fmt.Errorf("%q has 10 digits but does not start with 00: only ČSOB's 6-digit bank code (000300) followed by the 4-digit KS has 10", s)
	case len(s) == 8 || len(s) == 10:
		bank, ks = s[len(s)-8:len(s)-4], s[len(s)-4:]
		if ks == "0000" {
			ks = ""
		}
		return bank, ks, nil
	}
	return "", "", fmt.Errorf("%q has %d digits; expected the 4-digit bank code followed by the 4-digit KS (8 digits, e.g. 03000558)", s, len(s))
}

// parseSymbol reads a VS or SS: digits, at most 10; all zeros means none.
// Leading zeros are kept, as formats.Remittance asks.
func parseSymbol(s string) (string, error) {
	switch {
	case !isDigits(s):
		return "", fmt.Errorf("%q is not a symbol (digits only)", s)
	case len(s) > maxSymbolDigits:
		return "", fmt.Errorf("%q has %d digits; at most %d are allowed", s, len(s), maxSymbolDigits)
	case allZeros(s):
		return "", nil
	}
	return s, nil
}

// account is a Czech account token split into its parts.
type account struct {
	number string // canonical "prefix-number" without leading zeros
	bank   string // from an optional "/bank" suffix, else empty
}

// parseAccount reads "[prefix-]number[/bank]", digits only. Without a dash,
// up to 10 digits are the number and 11–16 digits are prefix+number with the
// number in the last 10 (ČSOB accepts "190000000019" and "0000190000000019").
// The mod-11 checksum is formats/validate's job, not the reader's.
func parseAccount(s string) (account, error) {
	var a account
	body := s
	if i := strings.IndexByte(s, '/'); i >= 0 {
		bank, err := parseBankCode(s[i+1:])
		if err != nil {
			return a, fmt.Errorf("%q: bank code after '/': %v", s, err)
		}
		a.bank, body = bank, s[:i]
	}
	var prefix, number string
	if i := strings.IndexByte(body, '-'); i >= 0 {
		prefix, number = body[:i], body[i+1:]
		if !isDigits(prefix) || !isDigits(number) {
			return a, fmt.Errorf("%q is not an account number ([prefix-]number, digits only)", s)
		}
		if len(prefix) > maxPrefixDigits {
			return a, fmt.Errorf("%q: the prefix has %d digits; at most %d are allowed", s, len(prefix), maxPrefixDigits)
		}
		if len(number) > maxNumberDigits {
			return a, fmt.Errorf("%q: the number has %d digits; at most %d are allowed", s, len(number), maxNumberDigits)
		}
	} else {
		if !isDigits(body) {
			return a, fmt.Errorf("%q is not an account number ([prefix-]number, digits only)", s)
		}
		if len(body) > maxPrefixDigits+maxNumberDigits {
			return a, fmt.Errorf("%q has %d digits; at most 16 (6 prefix + 10 number) are allowed", s, len(body))
		}
		if len(body) > maxNumberDigits {
			prefix, number = body[:len(body)-maxNumberDigits], body[len(body)-maxNumberDigits:]
		} else {
			number = body
		}
	}
	number = stripZeros(number)
	if prefix == "" || allZeros(prefix) {
		a.number = number
	} else {
		a.number = stripZeros(prefix) + "-" + number
	}
	return a, nil
}

// czAccount builds the canonical model account.
func czAccount(number, bank string) formats.Account {
	return formats.Account{Number: number, BankCode: bank, Country: "CZ"}
}
