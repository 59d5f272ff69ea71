package bisim

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"erpconnector/formats/money"
)

// The API writes every amount with exactly two decimals (the hash payload's
// "0.00" format), so the simulator works in hundredths of the currency unit
// ("cents") on the wire and converts to the currency's ISO minor unit only for
// the ledger. No float is involved anywhere.

var (
	errAmountSyntax   = errors.New("not a number")
	errAmountRange    = errors.New("out of range")
	errAmountDecimals = errors.New("more than 2 decimals")
)

// wireAmount is an amount as the client sent it, read exactly.
type wireAmount struct {
	Cents   int64 // magnitude in hundredths, rounded half away from zero when not exact
	Neg     bool
	Exact   bool // no digit (not even a zero) beyond the second decimal
	Present bool
	// Numeric is set when the text is a number (perhaps with too many decimals).
	Numeric bool
	Raw     string // the text as sent (number literal or string content)
}

// parseWireAmount reads a JSON number or a JSON string holding a number, as
// both occur in the field (the docs show 154.0, C2 sends "154.00"). A JSON
// exponent is accepted because a serialiser of a double may produce one.
func parseWireAmount(raw []byte) (wireAmount, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return wireAmount{}, nil
	}
	if s[0] == '"' {
		u, err := strconv.Unquote(s)
		if err != nil {
			return wireAmount{Present: true, Raw: s}, fmt.Errorf("amount %s: %w", s, errAmountSyntax)
		}
		s = u
	}
	a, err := parseDecimalText(s)
	a.Present, a.Raw = true, s
	a.Numeric = err == nil || errors.Is(err, errAmountDecimals)
	if err != nil {
		return a, fmt.Errorf("amount %q: %w", s, err)
	}
	return a, nil
}

// parseDecimalText accepts the JSON number grammar: -?int(.frac)?([eE][+-]?exp)?
func parseDecimalText(s string) (wireAmount, error) {
	var a wireAmount
	i := 0
	if i < len(s) && s[i] == '-' {
		a.Neg = true
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart := s[start:i]
	if intPart == "" || (len(intPart) > 1 && intPart[0] == '0') {
		return a, errAmountSyntax
	}
	frac := ""
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		frac = s[fs:i]
		if frac == "" {
			return a, errAmountSyntax
		}
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		es := i
		for i < len(s) && isDigit(s[i]) {
			if exp > 10000 {
				return a, errAmountRange
			}
			exp = exp*10 + int(s[i]-'0')
			i++
		}
		if i == es {
			return a, errAmountSyntax
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(s) {
		return a, errAmountSyntax
	}
	// value = digits × 10^e; cents = digits × 10^(e+2)
	digits := strings.TrimLeft(intPart+frac, "0")
	e := exp - len(frac) + 2
	a.Exact = e >= 0
	if e < 0 && digits != "" {
		// Keep the digits that survive the shift, round on the first dropped one.
		drop := -e
		var kept string
		var first byte = '0'
		if drop <= len(digits) {
			kept = digits[:len(digits)-drop]
			first = digits[len(digits)-drop]
		}
		c, ok := digitsToInt(kept, 0)
		if !ok {
			return a, errAmountRange
		}
		if first >= '5' {
			if c == math.MaxInt64 {
				return a, errAmountRange
			}
			c++
		}
		a.Cents, a.Exact = c, false
	} else if digits != "" {
		c, ok := digitsToInt(digits, e)
		if !ok {
			return a, errAmountRange
		}
		a.Cents = c
	}
	if !a.Exact {
		// Report the fact; Cents holds the rounded value the client most
		// likely hashed (.NET "0.00" rounds half away from zero).
		return a, errAmountDecimals
	}
	return a, nil
}

// digitsToInt is digits × 10^zeros without overflow.
func digitsToInt(digits string, zeros int) (int64, bool) {
	var v int64
	for i := 0; i < len(digits); i++ {
		d := int64(digits[i] - '0')
		if v > (math.MaxInt64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	for ; zeros > 0; zeros-- {
		if v == 0 {
			return 0, true
		}
		if v > math.MaxInt64/10 {
			return 0, false
		}
		v *= 10
	}
	return v, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// hashText is the amount as it enters the HMAC payload: two decimals, '.'
// separator, no grouping. For an amount that could not be read at all the raw
// text is used, so the signature of such a request is still checkable.
func (a wireAmount) hashText() string {
	if !a.Present {
		return ""
	}
	if !a.Numeric {
		return a.Raw
	}
	s := formatCents(a.Cents)
	if a.Neg && a.Cents != 0 {
		s = "-" + s
	}
	return s
}

// formatCents writes a non-negative number of hundredths as "123.45".
func formatCents(c int64) string {
	s := strconv.FormatInt(c, 10)
	for len(s) < 3 {
		s = "0" + s
	}
	return s[:len(s)-2] + "." + s[len(s)-2:]
}

// centsToMinor converts hundredths to the currency's ISO minor unit.
func centsToMinor(cents int64, currency string) (int64, error) {
	exp, ok := money.Exponent(currency)
	if !ok {
		return 0, fmt.Errorf("currency %q: unknown", currency)
	}
	switch {
	case exp == 2:
		return cents, nil
	case exp < 2:
		div := int64(math.Pow10(2 - exp))
		if cents%div != 0 {
			return 0, fmt.Errorf("%s has %d decimals: %w", currency, exp, errAmountDecimals)
		}
		return cents / div, nil
	default:
		mul := int64(math.Pow10(exp - 2))
		if cents > math.MaxInt64/mul {
			return 0, errAmountRange
		}
		return cents * mul, nil
	}
}

// minorToCents is the inverse of centsToMinor for amounts that came through it.
func minorToCents(minor int64, currency string) int64 {
	exp, ok := money.Exponent(currency)
	if !ok || exp == 2 {
		return minor
	}
	if exp < 2 {
		return minor * int64(math.Pow10(2-exp))
	}
	return minor / int64(math.Pow10(exp-2))
}
