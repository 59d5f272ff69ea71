package abo

import (
	"testing"

	"erpconnector/formats"
)

func TestParseEncoding(t *testing.T) {
	tests := []struct {
		in   string
		want Encoding
		ok   bool
	}{
		{"", Windows1250, true},
		{"windows-1250", Windows1250, true},
		{"CP1250", Windows1250, true},
		{"cp852", CP852, true},
		{"IBM852", CP852, true},
		{"ibm-852", CP852, true},
		{"utf-8", UTF8, true},
		{"UTF8", UTF8, true},
		{"iso-8859-2", 0, false},
		{"latin1", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseEncoding(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseEncoding(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if tt.ok {
			back, err := ParseEncoding(got.String())
			if err != nil || back != got {
				t.Errorf("ParseEncoding(%v.String()) = %v, %v", got, back, err)
			}
		}
	}
}

func TestParseAccount(t *testing.T) {
	tests := []struct {
		in, number, bank string
		ok               bool
	}{
		{"000019-2000145399", "19-2000145399", "", true},
		{"19-2000145399", "19-2000145399", "", true},
		{"000000-1234567899", "1234567899", "", true},
		{"0000001234567899", "1234567899", "", true},
		{"1234567899", "1234567899", "", true},
		{"0001234567899", "1234567899", "", true}, // 13 digits: prefix 000
		{"190000000019", "19-19", "", true},       // ČSOB's unprefixed form
		{"0000190000000019", "19-19", "", true},   // and its 16-digit form
		{"19-19", "19-19", "", true},
		{"123-123", "123-123", "", true},
		{"6352242/0300", "6352242", "0300", true},
		{"6352242/000300", "6352242", "0300", true},
		{"34278-0727558021/0100", "34278-727558021", "0100", true},
		{"0-0", "0", "", true}, // all zeros: the mod-11 check in formats/validate rejects it
		{"", "", "", false},
		{"-123", "", "", false},
		{"19-", "", "", false},
		{"1-2-3", "", "", false},
		{"1234567-1", "", "", false},
		{"1-12345678901", "", "", false},
		{"12345678901234567", "", "", false},
		{"123/01", "", "", false},
		{"123/", "", "", false},
		{"12 3", "", "", false},
		{"１２３", "", "", false}, // full-width digits are not digits
	}
	for _, tt := range tests {
		a, err := parseAccount(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("parseAccount(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && (a.number != tt.number || a.bank != tt.bank) {
			t.Errorf("parseAccount(%q) = %q/%q, want %q/%q", tt.in, a.number, a.bank, tt.number, tt.bank)
		}
	}
}

func TestParseBankKS(t *testing.T) {
	tests := []struct {
		in, bank, ks string
		ok           bool
	}{
		{"08000308", "0800", "0308", true},
		{"03000000", "0300", "", true},
		{"0100", "0100", "", true},
		{"0003000558", "0300", "0558", true}, // ČSOB 6-digit bank code
		{"003000558", "", "", false},         // 9 digits: ambiguous
		{"1003000558", "", "", false},
		{"0300055", "", "", false},
		{"030005581", "", "", false},
		{"0300 558", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		bank, ks, err := parseBankKS(tt.in)
		if (err == nil) != tt.ok || bank != tt.bank || ks != tt.ks {
			t.Errorf("parseBankKS(%q) = %q, %q, %v; want %q, %q, ok=%v", tt.in, bank, ks, err, tt.bank, tt.ks, tt.ok)
		}
	}
}

func TestParseDueDate(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"160626", "2026-06-16"},
		{"010100", "2000-01-01"},
		{"311279", "2079-12-31"}, // last year of the pivot window
		{"010180", "1980-01-01"}, // first year after it
		{"290224", "2024-02-29"},
		{"20260703", "2026-07-03"}, // ČSOB RRRRMMDD
		{"290223", ""},
		{"310226", ""},
		{"001226", ""},
		{"161326", ""},
		{"03072026", ""}, // DDMMRRRR is not accepted
		{"1606", ""},
		{"16062", ""},
		{"16O626", ""},
		{"00000000", ""},
	}
	for _, tt := range tests {
		d, err := parseDueDate(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("parseDueDate(%q) = %v, want an error", tt.in, d)
			}
			continue
		}
		if err != nil || d.String() != tt.want {
			t.Errorf("parseDueDate(%q) = %v, %v; want %s", tt.in, d, err, tt.want)
		}
	}
}

func TestSymbols(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"0", "", true},
		{"0000000000", "", true},
		{"0002026001", "0002026001", true}, // leading zeros kept (formats.Remittance)
		{"1234567890", "1234567890", true},
		{"12345678901", "", false},
		{"12a", "", false},
		{"-1", "", false},
	}
	for _, tt := range tests {
		got, err := parseSymbol(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseSymbol(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestDataTypePriority(t *testing.T) {
	for dt, want := range map[string]formats.Priority{
		"1501": formats.PriorityNormal,
		"1503": formats.PriorityHigh,
		"1504": formats.PriorityInstant,
	} {
		ps, probs := readAll(t, stringsReader(kpc(uhl, "1 "+dt+" 001000 0100", grp, itm1, itm2, end3, end5)), Options{})
		if probs.Len() != 0 || len(ps) != 2 {
			t.Fatalf("%s: %d payments, problems %v", dt, len(ps), probs.List())
		}
		for _, p := range ps {
			if p.Priority != want {
				t.Errorf("data type %s: priority %v, want %v", dt, p.Priority, want)
			}
		}
	}
}
