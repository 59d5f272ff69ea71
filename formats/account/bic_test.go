package account

import (
	"errors"
	"testing"
)

func TestValidateBIC(t *testing.T) {
	tests := []struct {
		bic           string
		strict, v2014 error // nil: valid
	}{
		{"KOMBCZPP", nil, nil},
		{"KOMBCZPPXXX", nil, nil},
		{"DABADKKK", nil, nil},
		{"GIBACZPX", nil, nil},
		{"DEUTDEFF500", nil, nil},
		{"NDEADKK2", nil, nil},       // location A-Z2-9 then digit
		{"KOMBCZ2A", nil, nil},       // location starting with a digit 2-9
		{"KOMBCZP0", nil, nil},       // '0' in position 8: test BIC, still valid syntax
		{"KOMBCZ1P", ErrFormat, nil}, // '1' not allowed at position 7 in the .03 form
		{"KOMBCZ0P", ErrFormat, nil},
		{"KOMBCZPO", ErrFormat, nil}, // letter O at position 8
		{"K0MBCZPP", ErrFormat, nil}, // digit in institution code: 2014 form only
		{"1234CZPP", ErrFormat, nil},
		{"KOMBC2PP", ErrFormat, ErrFormat}, // country must be letters
		{"kombczpp", ErrFormat, ErrFormat},
		{"KOMB CZPP", ErrLength, ErrLength},
		{"KOMBCZP ", ErrFormat, ErrFormat},
		{"ABCDEFGHIJ", ErrLength, ErrLength}, // the hbci4java sample
		{"KOMBCZ", ErrLength, ErrLength},
		{"KOMBCZPPXX", ErrLength, ErrLength},
		{"KOMBCZPPXXXX", ErrLength, ErrLength},
		{"KOMBCZPPX-X", ErrFormat, ErrFormat},
		{"", ErrLength, ErrLength},
	}
	for _, tt := range tests {
		check := func(name string, err, want error) {
			if (want == nil) != (err == nil) || !errors.Is(err, want) {
				t.Errorf("%s(%q) = %v, want %v", name, tt.bic, err, want)
			}
		}
		check("ValidateBIC", ValidateBIC(tt.bic), tt.strict)
		check("ValidateBIC2014", ValidateBIC2014(tt.bic), tt.v2014)
	}
}
