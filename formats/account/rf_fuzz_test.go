package account

import (
	"errors"
	"fmt"
	"testing"
)

// FuzzCreditorReference: ValidateCreditorReference never panics, accepts only
// "RF" + two check digits + 1..21 of A-Z0-9 whose mod 97 is 1, and accepts
// every such reference when its check digits are computed the ISO 11649 way
// (98 - mod97(body + "RF00")); a refusal is one of the package's error kinds.
func FuzzCreditorReference(f *testing.F) {
	for _, s := range []string{"RF18539007547034", "RF712348231", "RF18 5390 0754 7034", "rf18539007547034",
		"RF00", "RF0012345", "RF99ABC", "RF18539007547035", "RF1853900754703412345678901", "", "RF\xff\xfe1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateCreditorReference(s)
		if err != nil {
			if !errors.Is(err, ErrLength) && !errors.Is(err, ErrFormat) && !errors.Is(err, ErrChecksum) {
				t.Fatalf("%q: error of no known kind: %v", s, err)
			}
		} else {
			if len(s) < 5 || len(s) > 25 || s[:2] != "RF" || mod97(s[4:]+s[:4]) != 1 {
				t.Fatalf("%q accepted", s)
			}
			for i := 2; i < len(s); i++ {
				if !isDigit(s[i]) && (i < 4 || !isUpper(s[i])) {
					t.Fatalf("%q accepted with %q at %d", s, s[i], i)
				}
			}
		}
		// The body the fuzzer gave, with proper check digits, is accepted.
		body := s
		if len(body) > 21 {
			body = body[:21]
		}
		for i := 0; i < len(body); i++ {
			if !isDigit(body[i]) && !isUpper(body[i]) {
				return
			}
		}
		if body == "" {
			return
		}
		ref := fmt.Sprintf("RF%02d%s", 98-mod97(body+"RF00"), body)
		if err := ValidateCreditorReference(ref); err != nil {
			t.Fatalf("%q (check digits computed) refused: %v", ref, err)
		}
	})
}
