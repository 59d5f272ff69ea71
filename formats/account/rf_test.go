package account

import (
	"errors"
	"testing"
)

func TestValidateCreditorReference(t *testing.T) {
	tests := []struct {
		ref  string
		want error
	}{
		{"RF18539007547034", nil}, // ISO 11649 example
		{"RF712348231", nil},
		{"RF18000000000539007547034", nil}, // 25 characters, zeros fill
		{"RF19539007547034", ErrChecksum},
		{"RF18539007547043", ErrChecksum},
		{"RF00539007547034", ErrChecksum},
		{"RF18 5390 0754 7034", ErrFormat},
		{"rf18539007547034", ErrFormat},
		{"XX18539007547034", ErrFormat},
		{"RF1", ErrLength},
		{"RF18" + "0000000000000000000000", ErrLength},
	}
	for _, tt := range tests {
		err := ValidateCreditorReference(tt.ref)
		if (tt.want == nil) != (err == nil) || !errors.Is(err, tt.want) {
			t.Errorf("ValidateCreditorReference(%q) = %v, want %v", tt.ref, err, tt.want)
		}
	}
}
