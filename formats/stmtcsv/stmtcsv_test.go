package stmtcsv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"erpconnector/formats"
	"erpconnector/formats/statement"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func day(y int, m time.Month, d int) formats.Date { return formats.Date{Year: y, Month: m, Day: d} }

func sample() *statement.Statement {
	return &statement.Statement{
		ID: "S1", Sequence: 1, Currency: "CZK",
		Account: formats.Account{Number: "19-2000145399", BankCode: "0800"},
		From:    day(2024, 9, 30), To: day(2024, 9, 30),
		Opening: statement.Balance{Minor: -50000},
		Closing: statement.Balance{Minor: -50000 + 12345600 - 123456 - 1},
		Entries: []statement.Entry{
			{
				ID: "1001", BookingDate: day(2024, 9, 30), ValueDate: day(2024, 9, 29), Minor: 12345600, Currency: "CZK",
				EndToEndID: "E2E-77", BankReference: "KB/REF/1", Text: "Příchozí platba",
				Counterparty:        formats.Party{Name: "Žluťoučký kůň; a \"syn\""},
				CounterpartyAccount: formats.Account{Number: "7770227", BankCode: "0100"},
				Remittance:          formats.Remittance{Unstructured: "Faktura 118\nděkujeme", VS: "1446556401", KS: "0308", SS: "7815392681"},
			},
			{
				ID: "1002", BookingDate: day(2024, 9, 30), Minor: -123456, Currency: "CZK",
				Counterparty:        formats.Party{Name: "ČEZ, a. s."},
				CounterpartyAccount: formats.Account{IBAN: "CZ5508000000001234567899"},
				Remittance:          formats.Remittance{VS: "0042"},
			},
			{ID: "1003", BookingDate: day(2024, 9, 30), ValueDate: day(2024, 9, 30), Minor: -1, Currency: "CZK", Text: "Poplatek"},
		},
	}
}

func write(t *testing.T, s *statement.Statement, o Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, s, o); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return b.String()
}

// read parses the output as a strict CSV reader would.
func read(t testing.TB, out string, delim rune) [][]string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff")))
	r.Comma = delim
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("reading back: %v\n%s", err, out)
	}
	return recs
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"default.csv", Options{Header: true}},
		{"comma_decimal_custom.csv", Options{Header: true, DecimalComma: true, DateLayout: "02.01.2006",
			Columns: []string{"entry_id", "booking_date", "amount", "balance_after", "vs", "message"}}},
		{"tab_noheader_bom.csv", Options{Delimiter: '\t', BOM: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.name, []byte(write(t, sample(), tc.o)))
		})
	}
}

func TestDefaultRows(t *testing.T) {
	out := write(t, sample(), Options{Header: true})
	if !strings.HasSuffix(out, "\r\n") || strings.Count(out, "\r\n") != 4 || strings.Count(out, "\n") != 4 {
		t.Errorf("want 4 CRLF-terminated lines:\n%q", out)
	}
	recs := read(t, out, ';')
	if strings.Join(recs[0], ",") != strings.Join(Columns, ",") {
		t.Errorf("header %q", recs[0])
	}
	want := [][]string{
		{"2024-09-30", "2024-09-29", "123456.00", "CZK", "Žluťoučký kůň; a \"syn\"", "7770227/0100", "Faktura 118 děkujeme",
			"1446556401", "0308", "7815392681", "E2E-77", "KB/REF/1", "1001", "Příchozí platba", "122956.00"},
		{"2024-09-30", "", "-1234.56", "CZK", "ČEZ, a. s.", "CZ5508000000001234567899", "", "0042", "", "", "", "", "1002", "", "121721.44"},
		{"2024-09-30", "2024-09-30", "-0.01", "CZK", "", "", "", "", "", "", "", "", "1003", "Poplatek", "121721.43"},
	}
	for i, w := range want {
		if strings.Join(recs[i+1], "|") != strings.Join(w, "|") {
			t.Errorf("row %d:\n got %q\nwant %q", i+1, recs[i+1], w)
		}
	}
}

func TestOptions(t *testing.T) {
	s := sample()
	out := write(t, s, Options{DecimalComma: true, DateLayout: "02.01.2006", Columns: []string{"amount", "booking_date", "balance_after"}})
	recs := read(t, out, ';')
	if len(recs) != 3 || strings.Join(recs[1], "|") != "-1234,56|30.09.2024|121721,44" {
		t.Errorf("rows %q", recs)
	}
	out = write(t, s, Options{Delimiter: ',', Columns: []string{"counterparty_name", "amount"}})
	if recs := read(t, out, ','); recs[1][0] != "ČEZ, a. s." || !strings.Contains(out, "\"ČEZ, a. s.\",-1234.56\r\n") {
		t.Errorf("comma delimiter: %q", out)
	}
	if out := write(t, s, Options{BOM: true}); !strings.HasPrefix(out, "\ufeff2024-09-30;") {
		t.Errorf("BOM: %q", out[:10])
	}
	jpy := sample()
	jpy.Currency = "JPY"
	for i := range jpy.Entries {
		jpy.Entries[i].Currency = "JPY"
	}
	if recs := read(t, write(t, jpy, Options{Columns: []string{"amount", "balance_after"}}), ';'); recs[1][0] != "-123456" || recs[1][1] != "12172144" {
		t.Errorf("JPY rows %q", recs)
	}
	empty := sample()
	empty.Entries, empty.Closing.Minor = nil, empty.Opening.Minor
	if out := write(t, empty, Options{Header: true, Columns: []string{"amount"}}); out != "amount\r\n" {
		t.Errorf("empty statement: %q", out)
	}
}

func TestErrors(t *testing.T) {
	unbalanced := sample()
	unbalanced.Closing.Minor++
	for _, tc := range []struct {
		name string
		s    *statement.Statement
		o    Options
		err  error
	}{
		{"unknown column", sample(), Options{Columns: []string{"amount", "iban"}}, ErrColumn},
		{"duplicate column", sample(), Options{Columns: []string{"amount", "amount"}}, ErrOptions},
		{"quote delimiter", sample(), Options{Delimiter: '"'}, ErrOptions},
		{"newline delimiter", sample(), Options{Delimiter: '\n'}, ErrOptions},
		{"comma with decimal comma", sample(), Options{Delimiter: ',', DecimalComma: true}, ErrOptions},
		{"unbalanced", unbalanced, Options{}, statement.ErrUnbalanced},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, tc.s, tc.o); !errors.Is(err, tc.err) {
				t.Errorf("Write = %v, want %v", err, tc.err)
			}
			if b.Len() != 0 {
				t.Errorf("wrote %q before failing", b.String())
			}
		})
	}
}

// parseMinor reads a signed decimal written with exactly exp decimals, the
// way an importer would: sign, digits, separator, exp digits.
func parseMinor(t testing.TB, s string, exp int, comma bool) int64 {
	t.Helper()
	sep := "."
	if comma {
		sep = ","
	}
	neg := strings.HasPrefix(s, "-")
	u := strings.TrimPrefix(s, "-")
	if exp > 0 {
		i := strings.Index(u, sep)
		if i < 1 || len(u)-i-1 != exp {
			t.Fatalf("amount %q: want %d decimals after %q", s, exp, sep)
		}
		u = u[:i] + u[i+1:]
	}
	v, err := strconv.ParseUint(u, 10, 64)
	if err != nil || v > 1<<63 || (!neg && v == 1<<63) {
		t.Fatalf("amount %q: %v", s, err)
	}
	if neg {
		return int64(-v) // two's complement: exact for 1<<63 too
	}
	return int64(v)
}
