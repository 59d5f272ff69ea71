package status_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"erpconnector/formats/money"
	"erpconnector/formats/status"
	"erpconnector/formats/status/statustest"
)

// FuzzWriters feeds fuzzed texts, IDs and amounts to WriteCSV and WriteJSON
// and reads both back: every value must come back exactly as Clean made it,
// amounts exactly, one line per row; Clean itself must be idempotent and
// leave no control character or invalid UTF-8.
func FuzzWriters(f *testing.F) {
	f.Add("invoices.xml", "B1", "I1", "E1", "Dodavatel s.r.o.", "AC03", "Invalid account", "p", int64(1250000), "CZK", rune(0), false, uint8(4))
	f.Add("a;b\"c\n.csv", "", "=cmd|' /C calc'!A0", "A&B<C>", "Tom\t&\x00Jerry\xff", "KB-ERR", "line1\r\nline2", "", int64(0), "", ',', false, uint8(0))
	f.Add("Ž", " ", "  lead", "trail  ", "\u0085\u2028\uFFFE", "", "\"", "x\ry", int64(-1), "JPY", '\t', true, uint8(8))
	f.Add("f", "b", "i", "e", "c", "c", "t", "p", int64(9223372036854775807), "BHD", '|', true, uint8(2))

	f.Fuzz(func(t *testing.T, name, batch, instr, e2e, cdtr, code, text, problem string, minor int64, ccy string,
		delim rune, decimalComma bool, stateIdx uint8) {
		for _, s := range []string{name, batch, instr, e2e, cdtr, code, text, problem} {
			c := status.Clean(s)
			if !utf8.ValidString(c) || status.Clean(c) != c {
				t.Fatalf("Clean(%q) = %q: not valid or not idempotent", s, c)
			}
			for _, r := range c {
				if r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0xFFFE || r == 0xFFFF {
					t.Fatalf("Clean(%q) kept %U", s, r)
				}
			}
		}

		r := statustest.Base(status.Booked)
		r.File.Name = name
		r.Problems = []string{problem}
		p := &r.Payments[0]
		p.BatchID, p.InstructionID, p.EndToEndID, p.CreditorName = batch, instr, e2e, cdtr
		p.Reason = status.Reason{Code: code, Text: text}
		p.Amount = money.Amount{Minor: minor, Currency: ccy}
		p.State = status.States[int(stateIdx)%len(status.States)]
		r.State = status.Summarise(r.Payments)

		// CSV
		opts := status.CSVOptions{Delimiter: delim, DecimalComma: decimalComma}
		var buf bytes.Buffer
		if err := status.WriteCSV(&buf, r, opts); err != nil {
			// Only options may be refused: the report itself is valid.
			if d := opts.Delimiter; d != 0 && d != ';' && !(d == ',' && decimalComma) &&
				d != '"' && d != '\r' && d != '\n' && utf8.ValidRune(d) && d != utf8.RuneError {
				t.Fatalf("WriteCSV(%+v): %v", opts, err)
			}
		} else {
			d := delim
			if d == 0 {
				d = ';'
			}
			rows := readCSV(t, buf.Bytes(), d)
			if len(rows) != 1+3+1 {
				t.Fatalf("%d rows read back, want 5\n%q", len(rows), buf.Bytes())
			}
			if lines := bytes.Count(buf.Bytes(), []byte("\n")); lines != 5 {
				t.Fatalf("%d lines for 5 rows: a field broke a line\n%q", lines, buf.Bytes())
			}
			row := rows[1]
			for col, want := range map[string]string{"file": name, "batch": batch, "instruction_id": instr,
				"end_to_end_id": e2e, "creditor_name": cdtr, "reason_code": code, "reason_text": text} {
				if got := colOf(row, col); got != status.Clean(want) {
					t.Fatalf("CSV %s = %q, want %q", col, got, status.Clean(want))
				}
			}
			if got := colOf(rows[4], "reason_text"); got != status.Clean(problem) {
				t.Fatalf("CSV problem row = %q, want %q", got, status.Clean(problem))
			}
			amt := colOf(row, "amount")
			if status.KnownAmount(p.Amount) {
				back, err := money.Parse(strings.Replace(amt, ",", ".", 1), colOf(row, "currency"))
				if err != nil || back != p.Amount {
					t.Fatalf("CSV amount %q reads back as %v, %v; want %v", amt, back, err, p.Amount)
				}
			} else if amt != "" {
				t.Fatalf("unknown amount written as %q", amt)
			}
		}

		// JSON
		buf.Reset()
		if err := status.WriteJSON(&buf, r); err != nil {
			t.Fatalf("WriteJSON: %v", err)
		}
		dec := json.NewDecoder(&buf)
		dec.UseNumber()
		var got struct {
			File     struct{ Name string }
			Problems []string
			Payments []struct {
				BatchID       string       `json:"batch_id"`
				InstructionID string       `json:"instruction_id"`
				EndToEndID    string       `json:"end_to_end_id"`
				CreditorName  string       `json:"creditor_name"`
				Amount        *string      `json:"amount"`
				AmountMinor   *json.Number `json:"amount_minor"`
				Currency      string
				Reason        struct{ Code, Text string }
			}
		}
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("reading back JSON: %v", err)
		}
		jp := got.Payments[0]
		for what, pair := range map[string][2]string{
			"name": {got.File.Name, name}, "batch": {jp.BatchID, batch}, "instr": {jp.InstructionID, instr},
			"e2e": {jp.EndToEndID, e2e}, "cdtr": {jp.CreditorName, cdtr}, "code": {jp.Reason.Code, code},
			"text": {jp.Reason.Text, text}, "problem": {got.Problems[0], problem},
		} {
			if pair[0] != status.Clean(pair[1]) {
				t.Fatalf("JSON %s = %q, want %q", what, pair[0], status.Clean(pair[1]))
			}
		}
		if status.KnownAmount(p.Amount) {
			if jp.Amount == nil || jp.AmountMinor == nil || string(*jp.AmountMinor) != strconv.FormatInt(minor, 10) {
				t.Fatalf("JSON amount %v / %v, want minor %d", jp.Amount, jp.AmountMinor, minor)
			}
			if back, err := money.Parse(*jp.Amount, jp.Currency); err != nil || back != p.Amount {
				t.Fatalf("JSON amount %q reads back as %v, %v", *jp.Amount, back, err)
			}
		} else if jp.Amount != nil || jp.AmountMinor != nil {
			t.Fatalf("unknown amount written as %v / %v", *jp.Amount, jp.AmountMinor)
		}
	})
}

func colOf(row []string, name string) string {
	for i, h := range status.CSVHeader {
		if h == name {
			return row[i]
		}
	}
	panic("no column " + name)
}
