package csvpay

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"erpconnector/formats/money"
)

// amountFormat is how a mapping writes numbers.
type amountFormat struct {
	decimal   rune
	thousands string // as configured, plus the no-break spaces when it has a space
}

func newAmountFormat(decimal rune, thousands string) amountFormat {
	if strings.ContainsRune(thousands, ' ') {
		thousands += "\u00a0\u202f"
	}
	return amountFormat{decimal: decimal, thousands: thousands}
}

// parse reads a locale-formatted amount exactly: separators are checked for
// position ("1.23,50" is not a number), then money.Normalize and money.Parse
// do the arithmetic without floats.
func (f amountFormat) parse(s, currency string) (money.Amount, error) {
	s = strings.TrimSpace(s)
	if err := f.checkGroups(s); err != nil {
		return money.Amount{}, err
	}
	a, err := money.Parse(money.Normalize(s, f.decimal, f.thousands), currency)
	if err == nil {
		return a, nil
	}
	exp, _ := money.Exponent(currency)
	switch {
	case errors.Is(err, money.ErrNotPositive):
		return money.Amount{}, fmt.Errorf("%q: must be greater than zero", s)
	case errors.Is(err, money.ErrPrecision):
		return money.Amount{}, fmt.Errorf("%q: more decimal places than %s has (%d)", s, currency, exp)
	case errors.Is(err, money.ErrOverflow):
		return money.Amount{}, fmt.Errorf("%q: too large", s)
	case errors.Is(err, money.ErrCurrency):
		return money.Amount{}, fmt.Errorf("%q: unknown currency %q", s, currency)
	}
	return money.Amount{}, f.syntaxError(s)
}

func (f amountFormat) syntaxError(s string) error {
	if f.thousands == "" {
		return fmt.Errorf("%q is not an amount (decimal separator %q, no thousands separator)", s, f.decimal)
	}
	return fmt.Errorf("%q is not an amount (decimal separator %q, thousands separator %q)", s, f.decimal, strings.TrimRight(f.thousands, "\u00a0\u202f"))
}

// checkGroups accepts thousands separators only between groups of three
// digits in the integer part, so that a misconfigured or mistyped amount is a
// problem instead of a different number.
func (f amountFormat) checkGroups(s string) error {
	if f.thousands == "" {
		return nil
	}
	intPart := s
	if i := strings.IndexRune(s, f.decimal); i >= 0 {
		intPart = s[:i]
		if strings.ContainsAny(s[i+utf8.RuneLen(f.decimal):], f.thousands) {
			return f.syntaxError(s)
		}
	}
	intPart = strings.TrimLeft(intPart, "+-")
	group, groups := 0, 0
	for _, r := range intPart {
		if strings.ContainsRune(f.thousands, r) {
			if group == 0 || groups > 0 && group != 3 || groups == 0 && group > 3 {
				return f.syntaxError(s)
			}
			group, groups = 0, groups+1
			continue
		}
		group++
	}
	if groups > 0 && group != 3 {
		return f.syntaxError(s)
	}
	return nil
}
