// Package money holds exact monetary amounts: int64 minor units plus an ISO 4217
// currency whose exponent fixes where the decimal point is. There is no float
// anywhere in this package, and no function rounds: a value that cannot be held
// exactly is an error.
package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Amount is an exact amount of money in the currency's minor unit
// (haléře for CZK, øre for DKK, cents for EUR, yen for JPY).
type Amount struct {
	Minor    int64
	Currency string // ISO 4217 alpha-3, upper case
}

// Errors callers branch on. Each returned error wraps one of these.
var (
	ErrSyntax        = errors.New("not a decimal number")
	ErrPrecision     = errors.New("more decimal places than the currency allows")
	ErrNotPositive   = errors.New("amount must be greater than zero")
	ErrOverflow      = errors.New("amount too large")
	ErrCurrency      = errors.New("unknown currency")
	ErrMixedCurrency = errors.New("currencies differ")
)

// Parse reads a plain decimal ("12500", "12500.5", "0.01") in the given
// currency. It accepts an optional leading '+', a '.' decimal point and no
// other characters: callers that read decimal commas or thousands separators
// normalise first (see Normalize). Zero and negative values are errors, as is
// any digit past the currency's exponent, even a zero: "1.230" EUR is rejected
// because a file that says it is ambiguous about what it meant.
func Parse(s, currency string) (Amount, error) {
	exp, ok := Exponent(currency)
	if !ok {
		return Amount{}, fmt.Errorf("%q: %w", currency, ErrCurrency)
	}
	d, err := ParseDec(s)
	if err != nil {
		return Amount{}, err
	}
	if d.Neg || d.Units == 0 {
		return Amount{}, fmt.Errorf("%q: %w", s, ErrNotPositive)
	}
	minor, err := d.rescale(exp)
	if err != nil {
		if errors.Is(err, ErrPrecision) {
			return Amount{}, fmt.Errorf("%q in %s (%d decimal places): %w", s, currency, exp, ErrPrecision)
		}
		return Amount{}, fmt.Errorf("%q: %w", s, err)
	}
	return Amount{Minor: minor, Currency: currency}, nil
}

// FromMinor builds an amount from minor units, checking the currency.
func FromMinor(minor int64, currency string) (Amount, error) {
	if _, ok := Exponent(currency); !ok {
		return Amount{}, fmt.Errorf("%q: %w", currency, ErrCurrency)
	}
	return Amount{Minor: minor, Currency: currency}, nil
}

// Decimal writes the amount with exactly the currency's number of decimal
// places and a '.' separator: 12500.00, 1000 (JPY), 1.250 (BHD). It is written
// from the integer, never through a float.
func (a Amount) Decimal() string {
	exp, _ := Exponent(a.Currency)
	return FormatMinor(a.Minor, exp)
}

// String is "12500.00 CZK".
func (a Amount) String() string { return a.Decimal() + " " + a.Currency }

// IsZero reports whether a is the zero Amount (no currency, no value).
func (a Amount) IsZero() bool { return a.Minor == 0 && a.Currency == "" }

// Add returns a+b. Currencies must match and the sum must fit in int64.
func Add(a, b Amount) (Amount, error) {
	if a.Currency != b.Currency {
		return Amount{}, fmt.Errorf("%s + %s: %w", a.Currency, b.Currency, ErrMixedCurrency)
	}
	s, ok := addInt64(a.Minor, b.Minor)
	if !ok {
		return Amount{}, ErrOverflow
	}
	return Amount{Minor: s, Currency: a.Currency}, nil
}

// FormatMinor writes minor units with exp decimal places and a '.' separator.
func FormatMinor(minor int64, exp int) string {
	neg := minor < 0
	var u uint64
	if neg {
		u = uint64(-(minor + 1)) + 1 // safe for MinInt64
	} else {
		u = uint64(minor)
	}
	digits := strconv.FormatUint(u, 10)
	if exp > 0 {
		if len(digits) <= exp {
			digits = strings.Repeat("0", exp-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-exp] + "." + digits[len(digits)-exp:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// Normalize turns a locale-formatted number into the plain form Parse reads:
// it removes the given thousands separators (spaces, non-breaking spaces, '.'
// or '\”), and replaces a decimal comma with a point. It does not guess: the
// caller says which character is the decimal separator.
func Normalize(s string, decimalSep rune, thousandsSeps string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == decimalSep:
			b.WriteByte('.')
		case strings.ContainsRune(thousandsSeps, r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func addInt64(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

func mulPow10(v int64, n int) (int64, bool) {
	for ; n > 0; n-- {
		if v > math.MaxInt64/10 || v < math.MinInt64/10 {
			return 0, false
		}
		v *= 10
	}
	return v, true
}
