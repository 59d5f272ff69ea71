package account

import (
	"errors"
	"testing"
)

func TestValidateCZVectors(t *testing.T) {
	// abo-kpc-gpc.md §8
	valid := []struct{ prefix, number string }{
		{"19", "2000145399"}, {"", "2198370339"}, {"", "6352242"}, {"", "7770227"}, {"", "2600113745"},
		{"", "2101135843"}, {"123", "123"}, {"19", "19"}, {"", "1234567899"}, {"", "1000000005"},
		{"34278", "0727558021"}, {"000019", "2000145399"}, {"0", "19"},
	}
	for _, v := range valid {
		if err := ValidateCZ(v.prefix, v.number); err != nil {
			t.Errorf("ValidateCZ(%q, %q) = %v, want valid", v.prefix, v.number, err)
		}
	}
	invalid := []struct {
		prefix, number string
		want           error
	}{
		{"", "1234567890", ErrChecksum},
		{"4278", "727558021", ErrChecksum},
		{"4278", "0727558021", ErrChecksum}, // the prefix alone is wrong
		{"18", "2000145399", ErrChecksum},
		{"19", "2000145398", ErrChecksum},
		{"", "0000000000", ErrFormat},
		{"", "", ErrFormat},
		{"19", "", ErrFormat},
		{"1234567", "19", ErrLength},
		{"", "12345678901", ErrLength},
		{"", "20001 5399", ErrFormat},
		{"1a", "19", ErrFormat},
	}
	for _, v := range invalid {
		if err := ValidateCZ(v.prefix, v.number); !errors.Is(err, v.want) {
			t.Errorf("ValidateCZ(%q, %q) = %v, want %v", v.prefix, v.number, err, v.want)
		}
	}
}

func TestParseCZ(t *testing.T) {
	tests := []struct {
		in                     string
		prefix, number, bank   string
		want                   error
		partsReturnedWithError bool
	}{
		{in: "19-2000145399/0100", prefix: "19", number: "2000145399", bank: "0100"},
		{in: "19-2000145399", prefix: "19", number: "2000145399"},
		{in: "000019-2000145399", prefix: "19", number: "2000145399"},
		{in: "2000145399/0100", number: "2000145399", bank: "0100"},
		{in: "  0001234567899/0800 ", want: ErrLength}, // 13 digits: not a number, even with zeros
		{in: " 0006352242/0800\t", number: "6352242", bank: "0800"},
		{in: "0000001234567899", want: ErrLength}, // ABO's 16-digit internal form is the ABO reader's job
		{in: "000000-1234567899", number: "1234567899"},
		{in: "34278-0727558021/0100", prefix: "34278", number: "727558021", bank: "0100"},
		{in: "123-123/2010", prefix: "123", number: "123", bank: "2010"},
		{in: "4278-727558021/0100", prefix: "4278", number: "727558021", bank: "0100", want: ErrChecksum, partsReturnedWithError: true},
		{in: "1234567890/0100", number: "1234567890", bank: "0100", want: ErrChecksum, partsReturnedWithError: true},
		{in: "19-2000145399/100", want: ErrLength},
		{in: "19-2000145399/01000", want: ErrLength},
		{in: "19-2000145399/01a0", want: ErrFormat},
		{in: "19-2000145399/", want: ErrLength},
		{in: "-2000145399", want: ErrFormat},
		{in: "1234567-19", want: ErrLength},
		{in: "19-12345678901", want: ErrLength},
		{in: "5", want: ErrLength},
		{in: "", want: ErrLength},
		{in: "19 2000145399", want: ErrFormat},
		{in: "19-2000-145399", want: ErrFormat},
		{in: "CZ6508000000192000145399", want: ErrFormat},
		{in: "00", want: ErrFormat},
	}
	for _, tt := range tests {
		p, n, b, err := ParseCZ(tt.in)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("ParseCZ(%q) error = %v, want %v", tt.in, err, tt.want)
			continue
		}
		if err != nil && !tt.partsReturnedWithError {
			if p != "" || n != "" || b != "" {
				t.Errorf("ParseCZ(%q) returned parts %q %q %q with a syntax error", tt.in, p, n, b)
			}
			continue
		}
		if p != tt.prefix || n != tt.number || b != tt.bank {
			t.Errorf("ParseCZ(%q) = %q, %q, %q; want %q, %q, %q", tt.in, p, n, b, tt.prefix, tt.number, tt.bank)
		}
	}
}

func TestCZIBAN(t *testing.T) {
	tests := []struct {
		prefix, number, bank, iban string
	}{
		{"19", "2000145399", "0800", "CZ6508000000192000145399"},
		{"19", "2000145399", "0100", "CZ0801000000192000145399"},
		{"", "1234567899", "0800", "CZ5508000000001234567899"},
		{"", "1000000005", "0300", "CZ6203000000001000000005"},
		{"000019", "2000145399", "0800", "CZ6508000000192000145399"},
		{"", "0006352242", "0800", makeIBAN("CZ", "0800"+"000000"+"0006352242")},
	}
	for _, tt := range tests {
		got, err := CZIBAN(tt.prefix, tt.number, tt.bank)
		if err != nil || got != tt.iban {
			t.Errorf("CZIBAN(%q, %q, %q) = %q, %v; want %q", tt.prefix, tt.number, tt.bank, got, err, tt.iban)
		}
		p, n, b, err := CZFromIBAN(tt.iban)
		if err != nil || p != trimZeros(tt.prefix) || n != trimZeros(tt.number) || b != tt.bank {
			t.Errorf("CZFromIBAN(%q) = %q, %q, %q, %v", tt.iban, p, n, b, err)
		}
	}
	bad := []struct {
		prefix, number, bank string
		want                 error
	}{
		{"", "1234567890", "0800", ErrChecksum},
		{"", "1234567899", "080", ErrLength},
		{"", "1234567899", "08x0", ErrFormat},
		{"", "0", "0800", ErrFormat},
		{"", "0001234567899", "0800", ErrLength},
	}
	for _, tt := range bad {
		if got, err := CZIBAN(tt.prefix, tt.number, tt.bank); !errors.Is(err, tt.want) || got != "" {
			t.Errorf("CZIBAN(%q, %q, %q) = %q, %v; want %v", tt.prefix, tt.number, tt.bank, got, err, tt.want)
		}
	}
	for iban, want := range map[string]error{
		"DK5000400440116243":       ErrCountry,
		"CZ6508000000192000145398": ErrChecksum,
		"CZ650800000019200014539":  ErrLength,
		"SK3112000000198742637541": ErrCountry,
	} {
		if _, _, _, err := CZFromIBAN(iban); !errors.Is(err, want) {
			t.Errorf("CZFromIBAN(%q) = %v, want %v", iban, err, want)
		}
	}
}

func TestValidateCZBankCode(t *testing.T) {
	for code, want := range map[string]error{
		"0100": nil, "0800": nil, "2010": nil, "9999": nil, "0000": nil,
		"": ErrLength, "100": ErrLength, "01000": ErrLength, "01O0": ErrFormat, "01 0": ErrFormat,
	} {
		err := ValidateCZBankCode(code)
		if (want == nil) != (err == nil) || !errors.Is(err, want) {
			t.Errorf("ValidateCZBankCode(%q) = %v, want %v", code, err, want)
		}
	}
}

func TestFormatCZ(t *testing.T) {
	tests := []struct{ prefix, number, want string }{
		{"19", "2000145399", "19-2000145399"},
		{"000019", "2000145399", "19-2000145399"},
		{"", "0001234567899", "1234567899"},
		{"000000", "1234567899", "1234567899"},
		{"", "", "0"},
	}
	for _, tt := range tests {
		if got := FormatCZ(tt.prefix, tt.number); got != tt.want {
			t.Errorf("FormatCZ(%q, %q) = %q, want %q", tt.prefix, tt.number, got, tt.want)
		}
	}
}
