package bijson

import (
	"reflect"
	"strings"
	"testing"
)

func TestCutWords(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"Faktura 2025-0012 og 2025-0013 samt kreditnota", 20, "Faktura 2025-0012 og"},
		{"Faktura 2025-0012 og 2025-0013 samt kreditnota", 19, "Faktura 2025-0012"},
		{"Fakturanummer2025001200", 10, "Fakturanum"},
		{"Øre på én æble", 6, "Øre på"},
		{"kort", 10, "kort"},
	}
	for _, tt := range tests {
		if got := cutWords(tt.in, tt.width); got != tt.want {
			t.Errorf("cutWords(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  []string
	}{
		{"a b c", 3, []string{"a b", "c"}},
		{"  a   b  ", 10, []string{"a b"}},
		{"abcdefgh ij", 3, []string{"abc", "def", "gh", "ij"}},
		{"æøåæøå æ", 3, []string{"æøå", "æøå", "æ"}},
		{"", 3, nil},
	}
	for _, tt := range tests {
		if got := wrap(tt.in, tt.width); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
		for _, l := range wrap(tt.in, tt.width) {
			if runes(l) > tt.width {
				t.Errorf("wrap(%q): line %q too long", tt.in, l)
			}
		}
	}
	if got := cut(strings.Repeat("å", 7), 3); !reflect.DeepEqual(got, []string{"ååå", "ååå", "å"}) {
		t.Errorf("cut = %q", got)
	}
}
