package money

import (
	"errors"
	"math"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in, ccy string
		minor   int64
		err     error
	}{
		{"12500.00", "CZK", 1250000, nil},
		{"12500", "CZK", 1250000, nil},
		{"12500.5", "CZK", 1250050, nil},
		{"0.01", "EUR", 1, nil},
		{"+7", "DKK", 700, nil},
		{"1000", "JPY", 1000, nil},
		{"1.250", "BHD", 1250, nil},
		{"1.5", "JPY", 0, ErrPrecision},
		{"1.230", "EUR", 0, ErrPrecision},
		{"0.001", "EUR", 0, ErrPrecision},
		{"0", "EUR", 0, ErrNotPositive},
		{"0.00", "EUR", 0, ErrNotPositive},
		{"-5.00", "EUR", 0, ErrNotPositive},
		{"92233720368547758.07", "EUR", math.MaxInt64, nil},
		{"92233720368547758.08", "EUR", 0, ErrOverflow},
		{"99999999999999999999999", "EUR", 0, ErrOverflow},
		{"1,50", "EUR", 0, ErrSyntax},
		{"1.", "EUR", 0, ErrSyntax},
		{".5", "EUR", 50, nil}, // ".5" is a valid xs:decimal
		{"", "EUR", 0, ErrSyntax},
		{" 1", "EUR", 0, ErrSyntax},
		{"1e3", "EUR", 0, ErrSyntax},
		{"1.00", "XXX", 0, ErrCurrency},
		{"1.00", "eur", 0, ErrCurrency},
	}
	for _, tt := range tests {
		a, err := Parse(tt.in, tt.ccy)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("Parse(%q, %s) error = %v, want %v", tt.in, tt.ccy, err, tt.err)
			}
			continue
		}
		if err != nil || a.Minor != tt.minor || a.Currency != tt.ccy {
			t.Errorf("Parse(%q, %s) = %+v, %v; want %d", tt.in, tt.ccy, a, err, tt.minor)
		}
	}
}

func TestDecimal(t *testing.T) {
	tests := []struct {
		a    Amount
		want string
	}{
		{Amount{1250000, "CZK"}, "12500.00"},
		{Amount{5, "EUR"}, "0.05"},
		{Amount{1000, "JPY"}, "1000"},
		{Amount{1250, "BHD"}, "1.250"},
		{Amount{-150, "DKK"}, "-1.50"},
		{Amount{math.MinInt64, "EUR"}, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := tt.a.Decimal(); got != tt.want {
			t.Errorf("%+v.Decimal() = %q, want %q", tt.a, got, tt.want)
		}
	}
}

func TestAdd(t *testing.T) {
	if s, err := Add(Amount{150, "CZK"}, Amount{50, "CZK"}); err != nil || s.Minor != 200 {
		t.Errorf("Add = %+v, %v", s, err)
	}
	if _, err := Add(Amount{1, "CZK"}, Amount{1, "EUR"}); !errors.Is(err, ErrMixedCurrency) {
		t.Errorf("mixed currencies: %v", err)
	}
	if _, err := Add(Amount{math.MaxInt64, "CZK"}, Amount{1, "CZK"}); !errors.Is(err, ErrOverflow) {
		t.Errorf("overflow: %v", err)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, thousands, want string }{
		{"1.234,50", ".", "1234.50"},
		{"1 234,50", " \u00a0", "1234.50"},
		{"1\u00a0234,50", " \u00a0", "1234.50"},
		{" 12,5 ", "", "12.5"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in, ',', tt.thousands); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSum(t *testing.T) {
	var s Sum
	for _, v := range []string{"6543.14", "112.72", "0.001", "10"} {
		d, err := ParseDec(v)
		if err != nil {
			t.Fatal(err)
		}
		s.Add(d)
	}
	for _, want := range []string{"6665.861", "6665.8610"} {
		d, _ := ParseDec(want)
		if !s.Equal(d) {
			t.Errorf("sum %s != %s", s.String(), want)
		}
	}
	d, _ := ParseDec("6665.86")
	if s.Equal(d) {
		t.Errorf("sum %s must not equal 6665.86", s.String())
	}
	var big Sum
	huge, _ := ParseDec("9223372036854775807")
	big.Add(huge)
	big.Add(huge)
	if big.Err() == nil {
		t.Error("overflow not reported")
	}
}

// FuzzParse checks that whatever Parse accepts is written back as the same
// number, so no input can be silently rounded.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"12500.00", "0.01", "1.5", "92233720368547758.07", "1.", "-1", "007.10", "1e5"} {
		f.Add(s, "EUR")
		f.Add(s, "JPY")
		f.Add(s, "BHD")
	}
	f.Fuzz(func(t *testing.T, s, ccy string) {
		a, err := Parse(s, ccy)
		if err != nil {
			return
		}
		if a.Minor <= 0 {
			t.Fatalf("Parse(%q) accepted non-positive %d", s, a.Minor)
		}
		back, err := Parse(a.Decimal(), ccy)
		if err != nil || back != a {
			t.Fatalf("round trip %q -> %s -> %+v, %v", s, a.Decimal(), back, err)
		}
		d, err := ParseDec(s)
		if err != nil {
			t.Fatalf("Parse accepted %q but ParseDec did not: %v", s, err)
		}
		var sum Sum
		sum.Add(d)
		if !sum.Equal(a.Dec()) {
			t.Fatalf("decimal %q != amount %s", s, a.Decimal())
		}
	})
}
