package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestConvertGolden runs `erpconnector convert` on one input of every reader
// and compares exit status, stdout (the exact bank requests) and stderr (every
// problem) with testdata/convert/*.golden.
func TestConvertGolden(t *testing.T) {
	root := filepath.Join("..", "..")
	cases := []struct {
		name string
		args []string
	}{
		{"pain001-03-dk-to-bankintegration", []string{"--to", "bankintegration", "--today", "2026-11-20", "testdata/samples/dk-payments.xml"}},
		{"pain001-09-cz-to-kb", []string{"--to", "kb", "--today", "2026-06-01", "testdata/convert/cz-payments.pain001.09.xml"}},
		{"kpc-to-kb", []string{"--to", "kb", "--today", "2026-06-01", "testdata/samples/kb-payments.kpc"}},
		{"kpc-to-bankintegration-rejected", []string{"--to", "bankintegration", "--today", "2026-06-01", "testdata/samples/kb-payments.kpc"}},
		{"csv-dk-to-bankintegration", []string{"--to", "bankintegration", "--today", "2026-11-20", "--config", "config.example.toml", "testdata/samples/dk-payments.csv"}},
		{"kb-json-passthrough", []string{"--to", "kb", "--today", "2026-06-01", "testdata/convert/kb-batch.json"}},
		{"bi-json-passthrough", []string{"--to", "bankintegration", "--today", "2015-04-01", "--config", "testdata/convert/bi.toml", "--route", "dk-json", "testdata/convert/bi-payment.json"}},
		{"pain001-every-problem", []string{"--to", "kb", "--today", "2026-06-01", "testdata/convert/bad.pain001.xml"}},
		{"past-date-rejected", []string{"--to", "kb", "--today", "2026-07-01", "testdata/samples/kb-payments.kpc"}},
		{"past-date-moved-to-today", []string{"--to", "kb", "--today", "2026-07-01", "--past-dates", "today", "testdata/samples/kb-payments.kpc"}},
		{"german-variant-rejected-by-name", []string{"--to", "kb", "--today", "2026-06-01", "testdata/convert/german.pain001.003.03.xml"}},
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(root); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runMain(append([]string{"convert"}, tc.args...), &stdout, &stderr)
			got := fmt.Sprintf("exit: %d\n--- stdout\n%s--- stderr\n%s", code, stdout.String(), stderr.String())
			golden := filepath.Join("testdata", "convert", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if got != string(want) {
				t.Errorf("convert %s differs from %s:\n%s", strings.Join(tc.args, " "), golden, lineDiff(string(want), got))
			}
		})
	}
}

// lineDiff shows the first lines that differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	n := 0
	for i := 0; i < max(len(w), len(g)) && n < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d\n  want: %s\n  got:  %s\n", i+1, wl, gl)
			n++
		}
	}
	return b.String()
}
