package account

import "testing"

func BenchmarkValidateIBAN(b *testing.B) {
	for b.Loop() {
		if err := ValidateIBAN("CZ6508000000192000145399"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCZ(b *testing.B) {
	for b.Loop() {
		if _, _, _, err := ParseCZ("19-2000145399/0800"); err != nil {
			b.Fatal(err)
		}
	}
}
