package account

import (
	"errors"
	"testing"

	"erpconnector/formats"
)

// Vectors from Microsoft's TestFIK.Codeunit.al (iso20022.md §5.2).
func TestFIKCheckDigitVectors(t *testing.T) {
	generated := map[string]byte{
		"10": '9', "20": '8', "30": '7', "40": '6', "50": '5', "60": '4', "70": '3', "80": '2', "90": '1',
		"00": '0', "23": '2', "67": '9', "05": '9', "11111111111111": '9', "22222222222222": '8',
	}
	for in, want := range generated {
		got, err := FIKCheckDigit(in, "71")
		if err != nil || got != want {
			t.Errorf("FIKCheckDigit(%q, 71) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, tt := range []struct {
		digits, kind string
		want         error
	}{
		{"000000000000010", "71", ErrLength}, // 15 digits in: already has a check digit
		{"1234567890123456", "04", ErrLength},
		{"12a", "71", ErrFormat},
		{"", "71", ErrFormat},
		{"-1", "71", ErrFormat},
		{"123", "75", ErrFormat}, // no known algorithm
		{"123", "01", ErrFormat},
	} {
		if got, err := FIKCheckDigit(tt.digits, tt.kind); !errors.Is(err, tt.want) || got != 0 {
			t.Errorf("FIKCheckDigit(%q, %s) = %q, %v; want %v", tt.digits, tt.kind, got, err, tt.want)
		}
	}
	// Left zero-padding does not change the check digit.
	a, _ := FIKCheckDigit("1234", "04")
	b, _ := FIKCheckDigit("000000000001234", "04")
	if a != b {
		t.Errorf("padding changed the FIK04 check digit: %c vs %c", a, b)
	}
}

func TestValidateFIK(t *testing.T) {
	tests := []struct {
		fik  formats.FIK
		want error
	}{
		{formats.FIK{Type: "71", PaymentID: "000100017156728", Creditor: "85000001"}, nil},
		{formats.FIK{Type: "71", PaymentID: "000100017156723", Creditor: "85000001"}, ErrChecksum},
		{formats.FIK{Type: "04", PaymentID: "2150263480000023", Creditor: "1234567"}, nil},
		{formats.FIK{Type: "04", PaymentID: "2150263480000025", Creditor: "1234567"}, ErrChecksum},
		{formats.FIK{Type: "04", PaymentID: "2150263480000023", Creditor: "81234567"}, nil},
		{formats.FIK{Type: "73", Creditor: "87654321"}, nil},
		{formats.FIK{Type: "73", PaymentID: "1", Creditor: "87654321"}, ErrFormat},
		{formats.FIK{Type: "01", Creditor: "1234567"}, nil},
		{formats.FIK{Type: "01", PaymentID: "000100017156728", Creditor: "1234567"}, ErrFormat},
		{formats.FIK{Type: "75", PaymentID: "1234567890123456", Creditor: "81234567"}, nil},
		{formats.FIK{Type: "75", PaymentID: "123456789012345", Creditor: "81234567"}, ErrLength},
		{formats.FIK{Type: "15", PaymentID: "1234567890123456", Creditor: "12345678"}, nil},
		{formats.FIK{Type: "15", PaymentID: "", Creditor: "12345678"}, ErrLength},
		{formats.FIK{Type: "71", PaymentID: "00100017156728", Creditor: "85000001"}, ErrLength}, // 14 digits
		{formats.FIK{Type: "71", PaymentID: "0001000171567280", Creditor: "85000001"}, ErrLength},
		{formats.FIK{Type: "71", PaymentID: "00010001715672X", Creditor: "85000001"}, ErrFormat},
		{formats.FIK{Type: "71", PaymentID: "000100017156728", Creditor: "12345678"}, ErrFormat}, // must start with 8
		{formats.FIK{Type: "71", PaymentID: "000100017156728", Creditor: "8500001"}, ErrLength},
		{formats.FIK{Type: "73", Creditor: "8765432a"}, ErrFormat},
		{formats.FIK{Type: "01", Creditor: "123456"}, ErrLength},
		{formats.FIK{Type: "01", Creditor: "123456789"}, ErrLength},
		{formats.FIK{Type: "01", Creditor: "0000000"}, ErrFormat},
		{formats.FIK{Type: "72", Creditor: "87654321"}, ErrFormat},
		{formats.FIK{}, ErrFormat},
	}
	for _, tt := range tests {
		err := ValidateFIK(tt.fik)
		if (tt.want == nil) != (err == nil) || !errors.Is(err, tt.want) {
			t.Errorf("ValidateFIK(%s) = %v, want %v", tt.fik, err, tt.want)
		}
	}
}

func TestParseFIK(t *testing.T) {
	tests := []struct {
		in   string
		want formats.FIK
		err  error
	}{
		{"+71<000100017156728+85000001<", formats.FIK{Type: "71", PaymentID: "000100017156728", Creditor: "85000001"}, nil},
		{" +71< 000100017156728 +85000001< ", formats.FIK{Type: "71", PaymentID: "000100017156728", Creditor: "85000001"}, nil},
		{"+71<000100017156728+85000001", formats.FIK{Type: "71", PaymentID: "000100017156728", Creditor: "85000001"}, nil},
		{"+73<+87654321<", formats.FIK{Type: "73", Creditor: "87654321"}, nil},
		{"+01<+1234567<", formats.FIK{Type: "01", Creditor: "1234567"}, nil},
		{"+04<2150263480000023+1234567<", formats.FIK{Type: "04", PaymentID: "2150263480000023", Creditor: "1234567"}, nil},
		{"+75<1234567890123456+81234567<", formats.FIK{Type: "75", PaymentID: "1234567890123456", Creditor: "81234567"}, nil},
		// right shape, wrong content: the parts come back with the error
		{"+71<000100017156723+85000001<", formats.FIK{Type: "71", PaymentID: "000100017156723", Creditor: "85000001"}, ErrChecksum},
		{"+71<000000001234567+12345678<", formats.FIK{Type: "71", PaymentID: "000000001234567", Creditor: "12345678"}, ErrFormat},
		{"FIK71 000100017156728 85000001", formats.FIK{}, ErrFormat},
		{"71<000100017156728+85000001<", formats.FIK{}, ErrFormat},
		{"+71000100017156728+85000001<", formats.FIK{}, ErrFormat},
		{"+71<000100017156728<85000001<", formats.FIK{}, ErrFormat},
		{"+71<000100017156728+85000001<<", formats.FIK{}, ErrFormat},
		{"+71<0001+00017156728+85000001<", formats.FIK{}, ErrFormat},
		{"+7", formats.FIK{}, ErrFormat},
		{"", formats.FIK{}, ErrFormat},
	}
	for _, tt := range tests {
		got, err := ParseFIK(tt.in)
		if got != tt.want || (tt.err == nil) != (err == nil) || !errors.Is(err, tt.err) {
			t.Errorf("ParseFIK(%q) = %+v, %v; want %+v, %v", tt.in, got, err, tt.want, tt.err)
		}
		if err == nil {
			if back, err := ParseFIK(got.String()); err != nil || back != got {
				t.Errorf("ParseFIK(%q.String()) = %+v, %v", got, back, err)
			}
		}
	}
}
