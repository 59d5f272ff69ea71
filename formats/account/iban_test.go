package account

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"erpconnector/internal/testenv"
)

// registryExamples reads iban_example of every row of the shared registry.
func registryExamples(t *testing.T) map[string]string {
	t.Helper()
	path := testenv.Shared(t, "corpora", "iban", "php-iban.registry.txt")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	col := -1
	for i, h := range strings.Split(sc.Text(), "|") {
		if h == "iban_example" {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("%s: no iban_example column", filepath.Base(path))
	}
	ex := map[string]string{}
	for sc.Scan() {
		if f := strings.Split(sc.Text(), "|"); len(f) > col {
			ex[f[0]] = f[col]
		}
	}
	if len(ex) < 100 {
		t.Fatalf("only %d registry rows read", len(ex))
	}
	return ex
}

func TestRegistryExamplesValidate(t *testing.T) {
	ex := registryExamples(t)
	for cc, iban := range ex {
		err := ValidateIBAN(iban)
		if cc == "AA" { // "IIBAN (Internet)": deliberately left out of the table
			if !errors.Is(err, ErrCountry) {
				t.Errorf("AA example %s: got %v, want ErrCountry", iban, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s example %s: %v", cc, iban, err)
		}
		if _, ok := ibanCountries[cc]; !ok {
			t.Errorf("%s is in the registry but not in the generated table: run go generate", cc)
		}
	}
	if len(ibanCountries) != len(ex)-1 {
		t.Errorf("table has %d countries, registry %d (minus AA): regenerate", len(ibanCountries), len(ex))
	}
}

// TestExamplesDetectTypos: for every registry example (kept in the table, so
// this runs without ../shared) every substitution of a digit by another digit
// or a letter by another letter, and every transposition of two different
// adjacent characters, is rejected. (A digit replaced by a letter is not
// always caught: the letter counts as two digits in mod-97; likewise swapping
// a letter and a digit, e.g. "1B" and "B1" in RO49AAAA1B31….)
func TestExamplesDetectTypos(t *testing.T) {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for cc, c := range ibanCountries {
		if err := ValidateIBAN(c.example); err != nil {
			t.Errorf("%s example %s: %v", cc, c.example, err)
			continue
		}
		b := []byte(c.example)
		for i := range b {
			orig := b[i]
			for _, r := range []byte(alphabet) {
				if r == orig || isDigit(r) != isDigit(orig) {
					continue
				}
				b[i] = r
				if ValidateIBAN(string(b)) == nil {
					t.Errorf("%s: %s with position %d changed to %c still valid", cc, c.example, i+1, r)
				}
			}
			b[i] = orig
		}
		for i := 0; i+1 < len(b); i++ {
			if b[i] == b[i+1] || isDigit(b[i]) != isDigit(b[i+1]) {
				continue
			}
			b[i], b[i+1] = b[i+1], b[i]
			if ValidateIBAN(string(b)) == nil {
				t.Errorf("%s: %s with positions %d,%d swapped still valid: %s", cc, c.example, i+1, i+2, b)
			}
			b[i], b[i+1] = b[i+1], b[i]
		}
	}
}

func TestValidateIBAN(t *testing.T) {
	tests := []struct {
		iban string
		want error // nil: valid
	}{
		{"CZ6508000000192000145399", nil},
		{"CZ0801000000192000145399", nil},
		{"CZ5508000000001234567899", nil},
		{"CZ6203000000001000000005", nil},
		{"DK5000400440116243", nil},
		{"FO2000400440116243", nil},
		{"GL2000400440116243", nil},
		{"DE89370400440532013000", nil},
		{"GB29NWBK60161331926819", nil},
		// schema-valid but check digits 00 (moov-io sample file)
		{"LT007180000000000000", ErrChecksum},
		{"LT007400000000000000", ErrChecksum},
		{"DE00370400440532013000", ErrChecksum},
		{"DE01370400440532013000", ErrChecksum},
		{"DE99370400440532013000", ErrChecksum},
		{"DE88370400440532013000", ErrChecksum},
		// mod-97 recomputed for a CZ account that fails mod-11 (1234567890)
		{makeIBAN("CZ", "0100"+"000000"+"1234567890"), ErrChecksum},
		{makeIBAN("CZ", "0100"+"004278"+"0727558021"), ErrChecksum},
		{"", ErrFormat},
		{"CZ65 0800 0000 1920 0014 5399", ErrFormat},
		{"cz6508000000192000145399", ErrFormat},
		{"CZ65-0800000019200014539", ErrFormat},
		{"CZ6508000000192000145399\u00a0", ErrFormat},
		{"6508000000192000145399", ErrFormat},
		{"C", ErrFormat},
		{"CZAB08000000192000145399", ErrFormat},
		{"XX6508000000192000145399", ErrCountry},
		{"US6508000000192000145399", ErrCountry},
		{"AA110011123Z5678", ErrCountry},
		{"CZ650800000019200014539", ErrLength},
		{"CZ65080000001920001453999", ErrLength},
		{"DE8937040044053201300", ErrLength},
		{makeIBAN("DE", "37040044053201300A"), ErrFormat}, // letter where the BBAN has digits
		{makeIBAN("GB", "NWBK6016133192681A"), ErrFormat},
		{makeIBAN("GB", "NW1K60161331926819"), ErrFormat}, // digit where letters are required
	}
	for _, tt := range tests {
		err := ValidateIBAN(tt.iban)
		if tt.want == nil {
			if err != nil {
				t.Errorf("ValidateIBAN(%q) = %v, want valid", tt.iban, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) {
			t.Errorf("ValidateIBAN(%q) = %v, want %v", tt.iban, err, tt.want)
		}
		if err != nil && !strings.Contains(err.Error(), "IBAN") {
			t.Errorf("ValidateIBAN(%q) message %q does not say what was checked", tt.iban, err)
		}
	}
}

func TestNormalizeIBAN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"cz65 0800 0000 1920 0014 5399", "CZ6508000000192000145399"},
		{"CZ65\u00a00800\u00a00000\u202f1920 0014\t5399\r\n", "CZ6508000000192000145399"},
		{"\ufeffdk50 0040 0440 1162 43", "DK5000400440116243"},
		{"DE89-3704", "DE89-3704"}, // hyphens are kept for ValidateIBAN to reject
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeIBAN(tt.in); got != tt.want {
			t.Errorf("NormalizeIBAN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if err := ValidateIBAN(NormalizeIBAN("cz65 0800 0000 1920 0014 5399")); err != nil {
		t.Errorf("normalised printed IBAN: %v", err)
	}
}

func TestIBANCountryAndSEPA(t *testing.T) {
	if got := IBANCountry("CZ6508000000192000145399"); got != "CZ" {
		t.Errorf("IBANCountry = %q", got)
	}
	if got := IBANCountry("C"); got != "" {
		t.Errorf("IBANCountry(short) = %q", got)
	}
	for iban, want := range map[string]bool{"CZ65": true, "DK50": true, "DE89": true, "FO20": false, "BR97": false, "XX00": false} {
		if got := IBANIsSEPA(iban); got != want {
			t.Errorf("IBANIsSEPA(%s) = %v, want %v", iban, got, want)
		}
	}
}
