package pain002

import (
	"strings"
	"testing"
	"unicode/utf8"

	"erpconnector/formats/status"
)

func TestSplitText(t *testing.T) {
	long := strings.Repeat("slovo ", 30) // 180 characters, spaces every 6
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"short", "krátký text", []string{"krátký text"}},
		{"exactly 105", strings.Repeat("é", 105), []string{strings.Repeat("é", 105)}},
		{"106 without spaces", strings.Repeat("ž", 106), []string{strings.Repeat("ž", 105), "ž"}},
		{"words kept whole", long, []string{long[:102], long[102:]}},
		{"space too early is ignored", "a " + strings.Repeat("b", 110), []string{"a " + strings.Repeat("b", 103), "bbbbbbb"}},
	}
	for _, tt := range tests {
		var got []string
		splitText(tt.in, max105, func(s string) { got = append(got, s) })
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
		for _, g := range got {
			if n := utf8.RuneCountInString(g); n == 0 || n > max105 {
				t.Errorf("%s: piece of %d characters", tt.name, n)
			}
		}
	}
}

func TestOriginalMessageID(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	tests := []struct {
		f    status.FileRef
		want string
	}{
		{status.FileRef{OriginalMessageID: "MSG-1", Name: "a.xml", SHA256: hash}, "MSG-1"},
		{status.FileRef{OriginalMessageID: strings.Repeat("M", 40)}, strings.Repeat("M", 35)},
		{status.FileRef{Name: "platby.kpc", SHA256: hash}, "platby.kpc"},
		{status.FileRef{Name: strings.Repeat("č", 35), SHA256: hash}, strings.Repeat("č", 35)},
		{status.FileRef{Name: strings.Repeat("č", 36), SHA256: hash}, hash[:35]},
		{status.FileRef{Name: "tab\there.csv"}, "tab here.csv"},
		{status.FileRef{}, "NOTPROVIDED"},
	}
	for _, tt := range tests {
		if got := OriginalMessageID(tt.f); got != tt.want {
			t.Errorf("OriginalMessageID(%+v) = %q, want %q", tt.f, got, tt.want)
		}
	}
	if got := OriginalMessageNameID(status.FileRef{OriginalFormat: "KPC"}); got != "KPC" {
		t.Errorf("OriginalMessageNameID(KPC) = %q", got)
	}
	if got := OriginalMessageNameID(status.FileRef{}); got != "UNKNOWN" {
		t.Errorf("OriginalMessageNameID() = %q", got)
	}
}

func TestIsIBAN(t *testing.T) {
	for s, want := range map[string]bool{
		"CZ6508000000192000145399":       true,
		"DK5000400440116243":             true,
		"GB29nwbk60161331926819":         true, // the XSD pattern allows lower case in the BBAN
		"cz6508000000192000145399":       false,
		"CZ65":                           false,
		"19-2000145399/0800":             false,
		"CZ65 0800 0000 1920":            false,
		"CZ65" + strings.Repeat("1", 31): false,
	} {
		if got := isIBAN(s); got != want {
			t.Errorf("isIBAN(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestDecimalFits(t *testing.T) {
	for s, want := range map[string]bool{
		"0.01":                  true,
		"12500.00":              true,
		"9999999999999999.99":   true, // 18 digits
		"99999999999999999.99":  false,
		"0000000000000000001.5": true,
	} {
		if got := decimalFits(s); got != want {
			t.Errorf("decimalFits(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestIsISOCode(t *testing.T) {
	for s, want := range map[string]bool{"AC03": true, "NARR": true, "X": true, "ac03": false, "AC031": false, "": false, "A-1": false} {
		if got := isISOCode(s); got != want {
			t.Errorf("isISOCode(%q) = %v, want %v", s, got, want)
		}
	}
}
