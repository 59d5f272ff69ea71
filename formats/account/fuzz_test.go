package account

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// oneKind fails unless err wraps exactly one sentinel and has a message.
func oneKind(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	n := 0
	for _, k := range []error{ErrFormat, ErrChecksum, ErrCountry, ErrLength} {
		if errors.Is(err, k) {
			n++
		}
	}
	if n != 1 || err.Error() == "" {
		t.Fatalf("%s: error %q wraps %d sentinels, want 1", what, err, n)
	}
}

func FuzzIBAN(f *testing.F) {
	for _, c := range ibanCountries {
		f.Add(c.example)
	}
	for _, s := range []string{"cz65 0800 0000 1920 0014 5399", "LT007180000000000000", "DE00370400440532013000", "AA110011123Z5678", "", "CZ", "XX00", "ÄÖ12"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeIBAN(s)
		if NormalizeIBAN(n) != n {
			t.Fatalf("NormalizeIBAN not idempotent: %q -> %q -> %q", s, n, NormalizeIBAN(n))
		}
		err := ValidateIBAN(n)
		oneKind(t, "ValidateIBAN("+n+")", err)
		if err != nil {
			return
		}
		cc := n[:2]
		if again := makeIBAN(cc, n[4:]); again != n {
			t.Fatalf("valid IBAN %s but recomputed check digits give %s", n, again)
		}
		b := []byte(n)
		for i := 2; i < len(b); i++ {
			if !isDigit(b[i]) {
				continue
			}
			orig := b[i]
			b[i] = '0' + (orig-'0'+1+byte(i)%9)%10 // some other digit
			if ValidateIBAN(string(b)) == nil {
				t.Fatalf("%s valid, and still valid with digit %d changed: %s", n, i+1, b)
			}
			b[i] = orig
		}
		for i := 2; i+1 < len(b); i++ {
			if b[i] != b[i+1] && isDigit(b[i]) && isDigit(b[i+1]) {
				b[i], b[i+1] = b[i+1], b[i]
				if ValidateIBAN(string(b)) == nil {
					t.Fatalf("%s valid, and still valid with digits %d,%d swapped", n, i+1, i+2)
				}
				b[i], b[i+1] = b[i+1], b[i]
			}
		}
		switch cc {
		case "CZ":
			p, num, bank, err := CZFromIBAN(n)
			if err != nil {
				t.Fatalf("CZFromIBAN(%s): %v", n, err)
			}
			if back, err := CZIBAN(p, num, bank); err != nil || back != n {
				t.Fatalf("CZIBAN(CZFromIBAN(%s)) = %s, %v", n, back, err)
			}
		case "DK", "FO", "GL":
			bban, err := DKFromIBAN(n)
			if err != nil {
				oneKind(t, "DKFromIBAN", err)
				if !errors.Is(err, ErrFormat) { // all-zero reg./account no. is the only extra rule
					t.Fatalf("DKFromIBAN(%s): %v", n, err)
				}
				return
			}
			if cc == "DK" {
				if back, err := DKIBAN(bban); err != nil || back != n {
					t.Fatalf("DKIBAN(DKFromIBAN(%s)) = %s, %v", n, back, err)
				}
			}
		}
	})
}

func FuzzCZ(f *testing.F) {
	for _, s := range []string{"19-2000145399/0100", "19-2000145399", "000019-2000145399", "2000145399/0100", "34278-0727558021/0100",
		"4278-727558021/0100", "1234567890", "123-123", "-19", "19-", "/0100", "0-0/0000", " 6352242 ", "19-2000145399/01000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, n, bank, err := ParseCZ(s)
		oneKind(t, "ParseCZ", err)
		if err != nil {
			if errors.Is(err, ErrChecksum) {
				if n == "" || ValidateCZ(p, n) == nil {
					t.Fatalf("ParseCZ(%q): checksum error %v but parts %q %q validate", s, err, p, n)
				}
			}
			return
		}
		if strings.HasPrefix(p, "0") || strings.HasPrefix(n, "0") || n == "" {
			t.Fatalf("ParseCZ(%q) = %q, %q: leading zeros or empty number", s, p, n)
		}
		if err := ValidateCZ(p, n); err != nil {
			t.Fatalf("ParseCZ(%q) ok but ValidateCZ: %v", s, err)
		}
		canon := FormatCZ(p, n)
		if p2, n2, b2, err := ParseCZ(canon); err != nil || p2 != p || n2 != n || b2 != "" {
			t.Fatalf("ParseCZ(FormatCZ) round trip %q -> %q: %q %q %q %v", s, canon, p2, n2, b2, err)
		}
		if bank == "" {
			bank = "0800"
		}
		iban, err := CZIBAN(p, n, bank)
		if err != nil {
			t.Fatalf("CZIBAN(%q, %q, %q): %v", p, n, bank, err)
		}
		if err := ValidateIBAN(iban); err != nil {
			t.Fatalf("CZIBAN produced invalid %s: %v", iban, err)
		}
		if p2, n2, b2, err := CZFromIBAN(iban); err != nil || p2 != p || n2 != n || b2 != bank {
			t.Fatalf("CZFromIBAN(%s) = %q %q %q %v, want %q %q %q", iban, p2, n2, b2, err, p, n, bank)
		}
	})
}

func FuzzDK(f *testing.F) {
	for _, s := range []string{"5247 0021527478", "5247-21527478", "52470021527478", "0040 0440116243", "5247 - 1", "524721527478", "0000 1", "5247--1", " 5247\u00a01 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		bban, err := ParseDK(s)
		oneKind(t, "ParseDK", err)
		if err != nil {
			return
		}
		if len(bban) != 14 || !allDigits(bban) {
			t.Fatalf("ParseDK(%q) = %q: not 14 digits", s, bban)
		}
		for _, form := range []string{bban, bban[:4] + " " + bban[4:], bban[:4] + "-" + trimZeros(bban[4:])} {
			if again, err := ParseDK(form); err != nil || again != bban {
				t.Fatalf("ParseDK(%q) = %q, %v; want %q", form, again, err, bban)
			}
		}
		iban, err := DKIBAN(bban)
		if err != nil {
			t.Fatalf("DKIBAN(%s): %v", bban, err)
		}
		if back, err := DKFromIBAN(iban); err != nil || back != bban {
			t.Fatalf("DKFromIBAN(DKIBAN(%s)) = %s, %v", bban, back, err)
		}
	})
}

func FuzzFIK(f *testing.F) {
	for _, s := range []string{"+71<000100017156728+85000001<", "+71<000100017156723+85000001<", "+73<+87654321<", "+01<+1234567<",
		"+04<2150263480000023+1234567<", "+75<1234567890123456+81234567<", "+15<1234567890123456+12345678<", "+71< 0001 0001 7156 728 +85000001", "+7", "+71<<"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fik, err := ParseFIK(s)
		oneKind(t, "ParseFIK", err)
		if err != nil {
			return
		}
		if err := ValidateFIK(fik); err != nil {
			t.Fatalf("ParseFIK(%q) ok but ValidateFIK: %v", s, err)
		}
		if back, err := ParseFIK(fik.String()); err != nil || back != fik {
			t.Fatalf("ParseFIK(%q) round trip: %+v, %v", fik.String(), back, err)
		}
		if _, ok := fikWeights[fik.Type]; ok {
			id := []byte(fik.PaymentID)
			last := len(id) - 1
			id[last] = '0' + (id[last]-'0'+1)%10
			bad := fik
			bad.PaymentID = string(id)
			if err := ValidateFIK(bad); !errors.Is(err, ErrChecksum) {
				t.Fatalf("FIK %s with a wrong check digit: %v", bad, err)
			}
		}
	})
}

var (
	bic03RE   = regexp.MustCompile(`^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$`)
	bic2014RE = regexp.MustCompile(`^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$`)
)

// FuzzBIC compares both validators with the XSD patterns they implement.
func FuzzBIC(f *testing.F) {
	for _, s := range []string{"KOMBCZPP", "KOMBCZPPXXX", "K0MBCZPP", "KOMBCZPO", "KOMBCZ1P", "ABCDEFGHIJ", "kombczpp", "", "KOMBCZPP\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err03, err14 := ValidateBIC(s), ValidateBIC2014(s)
		oneKind(t, "ValidateBIC", err03)
		oneKind(t, "ValidateBIC2014", err14)
		if (err03 == nil) != bic03RE.MatchString(s) {
			t.Fatalf("ValidateBIC(%q) = %v, XSD pattern says %v", s, err03, bic03RE.MatchString(s))
		}
		if (err14 == nil) != bic2014RE.MatchString(s) {
			t.Fatalf("ValidateBIC2014(%q) = %v, XSD pattern says %v", s, err14, bic2014RE.MatchString(s))
		}
	})
}
