package account

import (
	"errors"
	"testing"
)

func TestParseDK(t *testing.T) {
	tests := []struct {
		in, bban string
		want     error
	}{
		{"5247 0021527478", "52470021527478", nil},
		{"5247-21527478", "52470021527478", nil},
		{"52470021527478", "52470021527478", nil},
		{"5247 - 21527478", "52470021527478", nil},
		{"5247\u00a021527478", "52470021527478", nil},
		{" 0040 0440116243 ", "00400440116243", nil},
		{"6471 1000206", "64710001000206", nil},
		{"5247 1", "52470000000001", nil},
		{"524721527478", "", ErrLength},    // no separator: refuse to guess the split
		{"0021527478", "", ErrLength},      // account no. without reg. no.
		{"524700215274789", "", ErrLength}, // 15 digits
		{"5247 00215274789", "", ErrLength},
		{"524 0021527478", "", ErrLength},
		{"52470 021527478", "", ErrLength},
		{"5247 ", "", ErrLength},
		{"5247--21527478", "", ErrFormat},
		{"5247 2152 7478", "", ErrFormat},
		{"52A7 0021527478", "", ErrFormat},
		{"0000 0021527478", "", ErrFormat},
		{"5247 0000000000", "", ErrFormat},
		{"DK5000400440116243", "", ErrFormat},
		{"", "", ErrLength},
	}
	for _, tt := range tests {
		got, err := ParseDK(tt.in)
		if got != tt.bban || (tt.want == nil) != (err == nil) || !errors.Is(err, tt.want) {
			t.Errorf("ParseDK(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.bban, tt.want)
		}
	}
}

func TestDKBBANAndIBAN(t *testing.T) {
	// registry examples: 0040 0440116243 <-> DK5000400440116243
	bban, err := DKBBAN("0040", "440116243")
	if err != nil || bban != "00400440116243" {
		t.Fatalf("DKBBAN = %q, %v", bban, err)
	}
	iban, err := DKIBAN(bban)
	if err != nil || iban != "DK5000400440116243" {
		t.Fatalf("DKIBAN = %q, %v", iban, err)
	}
	for _, iban := range []string{"DK5000400440116243", "FO2000400440116243", "GL2000400440116243"} {
		if got, err := DKFromIBAN(iban); err != nil || got != "00400440116243" {
			t.Errorf("DKFromIBAN(%s) = %q, %v", iban, got, err)
		}
	}
	for iban, want := range map[string]error{
		"CZ6508000000192000145399":       ErrCountry,
		"DK5000400440116244":             ErrChecksum,
		"DK500040044011624":              ErrLength,
		makeIBAN("DK", "00000440116243"): ErrFormat, // reg. no. 0000
	} {
		if _, err := DKFromIBAN(iban); !errors.Is(err, want) {
			t.Errorf("DKFromIBAN(%q) = %v, want %v", iban, err, want)
		}
	}
	for _, bad := range []string{"", "0040044011624", "004004401162430", "0040044011624X", "00000000000000"} {
		if got, err := DKIBAN(bad); err == nil {
			t.Errorf("DKIBAN(%q) = %q, want error", bad, got)
		}
	}
	for _, tt := range []struct {
		reg, acct string
		want      error
	}{{"004", "1", ErrLength}, {"00400", "1", ErrLength}, {"0040", "", ErrLength}, {"0040", "12345678901", ErrLength}, {"0040", "12a", ErrFormat}, {"O040", "1", ErrFormat}} {
		if _, err := DKBBAN(tt.reg, tt.acct); !errors.Is(err, tt.want) {
			t.Errorf("DKBBAN(%q, %q) = %v, want %v", tt.reg, tt.acct, err, tt.want)
		}
	}
}
