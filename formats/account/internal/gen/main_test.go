package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"erpconnector/internal/testenv"
)

// TestTableUpToDate regenerates the table from the shared registry and
// compares it with the committed iban_table.go.
func TestTableUpToDate(t *testing.T) {
	rows, err := read(testenv.Shared(t, "corpora", "iban", "php-iban.registry.txt"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := render(rows)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "iban_table.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("iban_table.go is stale: run go generate ./formats/account")
	}
}

func TestStructureParsing(t *testing.T) {
	tests := []struct {
		swift, regex string
		want         []segment
	}{
		{"4!n6!n10!n", `^(\d{4})(\d{6})(\d{10})$`, []segment{{4, 'n'}, {6, 'n'}, {10, 'n'}}},
		{"4!a14!c", `^([A-Z]{4})([A-Za-z0-9]{14})$`, []segment{{4, 'a'}, {14, 'c'}}},
	}
	for _, tt := range tests {
		for name, parse := range map[string]func(string) ([]segment, error){"swift": parseSWIFT, "regex": parseRegex} {
			in := tt.swift
			if name == "regex" {
				in = tt.regex
			}
			got, err := parse(in)
			if err != nil || len(got) != len(tt.want) {
				t.Fatalf("%s(%q) = %v, %v", name, in, got, err)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("%s(%q)[%d] = %v, want %v", name, in, i, got[i], tt.want[i])
				}
			}
		}
	}
	if _, err := parseSWIFT("3!n 14!n"); err == nil {
		t.Error("a space in the SWIFT notation must be an error (the regex is used instead)")
	}
}
