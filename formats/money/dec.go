package money

import (
	"fmt"
	"math"
)

// Dec is an exact signed decimal: Units × 10^-Scale. It exists for numbers that
// are not an amount in one currency, such as a pain.001 CtrlSum, which adds up
// amounts of any currency as plain decimals.
type Dec struct {
	Units uint64 // magnitude
	Scale int    // number of decimal places
	Neg   bool
}

// maxScale bounds the digits after the point; ISO 20022 allows 17.
const maxScale = 18

// ParseDec reads [+-]digits[.digits]. No exponent, no separators, no spaces.
func ParseDec(s string) (Dec, error) {
	var d Dec
	if s == "" {
		return d, fmt.Errorf("empty: %w", ErrSyntax)
	}
	i := 0
	switch s[0] {
	case '+':
		i++
	case '-':
		d.Neg = true
		i++
	}
	digits, point := 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if d.Units > (math.MaxUint64-9)/10 {
				return Dec{}, fmt.Errorf("%q: %w", s, ErrOverflow)
			}
			d.Units = d.Units*10 + uint64(c-'0')
			digits++
			if point {
				d.Scale++
				if d.Scale > maxScale {
					return Dec{}, fmt.Errorf("%q: %w", s, ErrPrecision)
				}
			}
		case c == '.' && !point:
			point = true
		default:
			return Dec{}, fmt.Errorf("%q: %w", s, ErrSyntax)
		}
	}
	if digits == 0 || (point && d.Scale == 0) {
		return Dec{}, fmt.Errorf("%q: %w", s, ErrSyntax)
	}
	if d.Units == 0 {
		d.Neg = false
	}
	return d, nil
}

// Dec is the amount as a decimal at its currency's scale.
func (a Amount) Dec() Dec {
	exp, _ := Exponent(a.Currency)
	d := Dec{Scale: exp}
	if a.Minor < 0 {
		d.Neg = true
		d.Units = uint64(-(a.Minor + 1)) + 1
	} else {
		d.Units = uint64(a.Minor)
	}
	return d
}

// rescale returns the value as an int64 count of 10^-exp units, failing if that
// would drop a non-zero or zero digit (ErrPrecision) or overflow.
func (d Dec) rescale(exp int) (int64, error) {
	if d.Scale > exp {
		return 0, ErrPrecision
	}
	if d.Units > math.MaxInt64 {
		return 0, ErrOverflow
	}
	v, ok := mulPow10(int64(d.Units), exp-d.Scale)
	if !ok {
		return 0, ErrOverflow
	}
	if d.Neg {
		v = -v
	}
	return v, nil
}

// Sum accumulates decimals of any scale exactly. The zero value is 0.
type Sum struct {
	units int64 // at scale
	scale int
	err   error
}

// Add adds d, widening the scale as needed. An overflow sticks: Err reports it.
func (s *Sum) Add(d Dec) {
	if s.err != nil {
		return
	}
	if d.Scale > s.scale {
		v, ok := mulPow10(s.units, d.Scale-s.scale)
		if !ok {
			s.err = ErrOverflow
			return
		}
		s.units, s.scale = v, d.Scale
	}
	v, err := d.rescale(s.scale)
	if err != nil {
		s.err = err
		return
	}
	t, ok := addInt64(s.units, v)
	if !ok {
		s.err = ErrOverflow
		return
	}
	s.units = t
}

// Err is the first overflow met, if any.
func (s *Sum) Err() error { return s.err }

// Equal reports whether the sum equals d exactly (1.5 equals 1.50).
func (s *Sum) Equal(d Dec) bool {
	if s.err != nil {
		return false
	}
	scale := max(s.scale, d.Scale)
	a, ok := mulPow10(s.units, scale-s.scale)
	if !ok {
		return false
	}
	b, err := d.rescale(scale)
	if err != nil {
		return false
	}
	return a == b
}

// String writes the sum as a plain decimal.
func (s *Sum) String() string { return FormatMinor(s.units, s.scale) }

// String writes d as a plain decimal.
func (d Dec) String() string {
	v := FormatMinor(int64(min(d.Units, math.MaxInt64)), d.Scale)
	if d.Neg {
		return "-" + v
	}
	return v
}
