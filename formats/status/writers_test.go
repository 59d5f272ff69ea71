package status_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"erpconnector/formats/status"
	"erpconnector/formats/status/statustest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

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
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got:\n%s", path, got)
	}
}

func writeCSV(t *testing.T, r *status.Report, o status.CSVOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := status.WriteCSV(&buf, r, o); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	return buf.Bytes()
}

func writeJSON(t *testing.T, r *status.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := status.WriteJSON(&buf, r); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	if !json.Valid(buf.Bytes()) {
		t.Fatalf("WriteJSON wrote invalid JSON:\n%s", buf.Bytes())
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	for _, sc := range statustest.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			golden(t, sc.Name+".csv", writeCSV(t, sc.Report, status.CSVOptions{}))
			golden(t, sc.Name+".json", writeJSON(t, sc.Report))
		})
	}
}

func readCSV(t *testing.T, data []byte, delim rune) [][]string {
	t.Helper()
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = delim
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("reading back CSV: %v\n%s", err, data)
	}
	return rows
}

// col returns the named column of a row.
func col(row []string, name string) string {
	for i, h := range status.CSVHeader {
		if h == name {
			return row[i]
		}
	}
	panic("no column " + name)
}

func TestCSVRows(t *testing.T) {
	rows := readCSV(t, writeCSV(t, statustest.Mixed(), status.CSVOptions{}), ';')
	if strings.Join(rows[0], ";") != strings.Join(status.CSVHeader, ";") {
		t.Fatalf("header = %q", rows[0])
	}
	want := [][]string{ // index, amount, currency, date, state, reason_code, reason_text, bank_reference, updated
		{"0", "12500.00", "CZK", "2026-06-15", "booked", "", "", "KB000000001", "2026-06-12T12:05:30+02:00"},
		{"1", "999.99", "CZK", "2026-06-15", "awaiting-authorisation", "", "", "", "2026-06-12T12:05:30+02:00"},
		{"2", "250.50", "EUR", "2026-06-16", "rejected", "AM04", "insufficient funds", "KB000000003", "2026-06-12T12:05:30+02:00"},
	}
	if len(rows) != 1+len(want) {
		t.Fatalf("%d rows, want header + %d", len(rows), len(want))
	}
	for i, w := range want {
		row := rows[i+1]
		got := []string{col(row, "index"), col(row, "amount"), col(row, "currency"), col(row, "requested_date"),
			col(row, "state"), col(row, "reason_code"), col(row, "reason_text"), col(row, "bank_reference"), col(row, "updated")}
		if strings.Join(got, "|") != strings.Join(w, "|") {
			t.Errorf("row %d:\n got %q\nwant %q", i, got, w)
		}
		if col(row, "file") != "invoices-0612.xml" || len(row) != len(status.CSVHeader) {
			t.Errorf("row %d: %q", i, row)
		}
	}
}

// TestCSVFileRows: a rejected file without payments gets one row for the
// file and one per problem; a file with payments gets its problems after them.
func TestCSVFileRows(t *testing.T) {
	r := statustest.RejectedFile()
	rows := readCSV(t, writeCSV(t, r, status.CSVOptions{}), ';')
	texts := []string{r.Reason.Text}
	texts = append(texts, r.Problems...)
	if len(rows) != 1+len(texts) {
		t.Fatalf("%d rows, want header + %d", len(rows), len(texts))
	}
	for i, text := range texts {
		row := rows[i+1]
		if col(row, "index") != "" || col(row, "state") != "rejected" || col(row, "reason_code") != "FF01" ||
			col(row, "reason_text") != text || col(row, "file") != "platby_červen.kpc" {
			t.Errorf("row %d = %q", i, row)
		}
	}

	withPayments := statustest.Base(status.Rejected)
	withPayments.Problems = []string{"invoices-0612.xml:/Document/x: Amt: too many decimals"}
	rows = readCSV(t, writeCSV(t, withPayments, status.CSVOptions{}), ';')
	if len(rows) != 1+3+1 {
		t.Fatalf("%d rows, want header + 3 payments + 1 problem", len(rows))
	}
	if last := rows[4]; col(last, "index") != "" || col(last, "reason_text") != withPayments.Problems[0] {
		t.Errorf("problem row = %q", last)
	}

	// A received file with no payments yet still says so.
	empty := statustest.Base(status.Received)
	empty.Payments = nil
	rows = readCSV(t, writeCSV(t, empty, status.CSVOptions{}), ';')
	if len(rows) != 2 || col(rows[1], "state") != "received" {
		t.Errorf("rows = %q", rows)
	}
}

func TestCSVOptions(t *testing.T) {
	r := statustest.Base(status.Booked)
	tests := []struct {
		name  string
		opts  status.CSVOptions
		delim rune
		check func(t *testing.T, data []byte, rows [][]string)
	}{
		{"defaults", status.CSVOptions{}, ';', func(t *testing.T, data []byte, rows [][]string) {
			if bytes.Contains(data, []byte("\r")) || bytes.HasPrefix(data, []byte("\uFEFF")) {
				t.Error("default must be LF without BOM")
			}
			if col(rows[1], "amount") != "12500.00" {
				t.Errorf("amount %q", col(rows[1], "amount"))
			}
		}},
		{"decimal comma", status.CSVOptions{DecimalComma: true}, ';', func(t *testing.T, data []byte, rows [][]string) {
			if col(rows[1], "amount") != "12500,00" || col(rows[3], "amount") != "250,50" {
				t.Errorf("amounts %q %q", col(rows[1], "amount"), col(rows[3], "amount"))
			}
		}},
		{"comma delimiter", status.CSVOptions{Delimiter: ','}, ',', func(t *testing.T, data []byte, rows [][]string) {
			if !bytes.HasPrefix(data, []byte("file,batch,index,")) || col(rows[2], "amount") != "999.99" {
				t.Errorf("got %s", data)
			}
		}},
		{"tab, CRLF, BOM", status.CSVOptions{Delimiter: '\t', CRLF: true, BOM: true}, '\t', func(t *testing.T, data []byte, rows [][]string) {
			if !bytes.HasPrefix(data, []byte("\uFEFFfile\tbatch")) || bytes.Count(data, []byte("\r\n")) != 4 {
				t.Errorf("got %q", data)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := writeCSV(t, r, tt.opts)
			rows := readCSV(t, bytes.TrimPrefix(data, []byte("\uFEFF")), tt.delim)
			if len(rows) != 4 {
				t.Fatalf("%d rows", len(rows))
			}
			tt.check(t, data, rows)
		})
	}
	for _, bad := range []status.CSVOptions{{Delimiter: ',', DecimalComma: true}, {Delimiter: '"'}, {Delimiter: '\n'}} {
		var buf bytes.Buffer
		if err := status.WriteCSV(&buf, r, bad); err == nil {
			t.Errorf("WriteCSV(%+v) accepted", bad)
		}
	}
}

// TestCSVEscaping: hostile text comes back exactly as cleaned, on one line.
func TestCSVEscaping(t *testing.T) {
	r := statustest.Escaping()
	data := writeCSV(t, r, status.CSVOptions{})
	if n := bytes.Count(data, []byte("\n")); n != 4 {
		t.Errorf("%d lines, want 4: a field broke a line\n%s", n, data)
	}
	rows := readCSV(t, data, ';')
	row := rows[1]
	checks := map[string]string{
		"file":           `export_plateb_<&>_"červen"_2026-06-12_final_v2.csv`,
		"instruction_id": "INV-1001/ABC-0123456789-0123456789-XYZ", // CSV has no length limit: kept whole
		"end_to_end_id":  `A&B<C>"D'E`,
		"creditor_name":  "Tom & Jerry <s.r.o.> Příliš žluťoučký kůň úpěl ďábelské ódy   \uFFFD",
		"reason_text":    `line1  line2; "quoted", comma`,
		"bank_reference": "REF;with;semicolons",
	}
	for name, want := range checks {
		if got := col(row, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if got := col(rows[3], "requested_date"); got != "" {
		t.Errorf("zero date written as %q", got)
	}
}

// TestJSONSchema decodes the JSON with numbers kept as json.Number and checks
// the documented fields, including that amounts are exact.
func TestJSONSchema(t *testing.T) {
	r := statustest.RejectedPayments()
	r.Problems = []string{"a.xml:1: x: <&>"}
	dec := json.NewDecoder(bytes.NewReader(writeJSON(t, r)))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var got struct {
		Schema    string `json:"schema"`
		MessageID string `json:"message_id"`
		Created   string `json:"created"`
		File      struct {
			Name              string `json:"name"`
			SHA256            string `json:"sha256"`
			OriginalMessageID string `json:"original_message_id"`
			OriginalFormat    string `json:"original_format"`
		} `json:"file"`
		State        string            `json:"state"`
		Reason       map[string]string `json:"reason"`
		Problems     []string          `json:"problems"`
		PaymentCount json.Number       `json:"payment_count"`
		StateCounts  map[string]int    `json:"state_counts"`
		Payments     []map[string]any  `json:"payments"`
	}
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Schema != status.JSONSchema || got.MessageID != r.MessageID || got.Created != "2026-06-12T10:00:00Z" ||
		got.State != "rejected" || got.PaymentCount != "4" || got.StateCounts["rejected"] != 4 ||
		len(got.Problems) != 1 || got.Problems[0] != "a.xml:1: x: <&>" || got.File.OriginalMessageID != "ERP-MSG-2026-06-12-001" ||
		got.File.OriginalFormat != "pain.001.001.03" || got.File.SHA256 != r.File.SHA256 {
		t.Errorf("head = %+v", got)
	}
	wantKeys := []string{"index", "batch_id", "instruction_id", "end_to_end_id", "amount", "amount_minor", "currency",
		"requested_date", "creditor_name", "creditor_account", "state", "reason", "bank_reference", "updated"}
	for i, p := range got.Payments {
		if len(p) != len(wantKeys) {
			t.Errorf("payment %d has %d fields, want %d", i, len(p), len(wantKeys))
		}
		for _, k := range wantKeys {
			if _, ok := p[k]; !ok {
				t.Errorf("payment %d lacks %q", i, k)
			}
		}
	}
	p0 := got.Payments[0]
	if p0["amount"] != "12500.00" || p0["amount_minor"] != json.Number("1250000") || p0["currency"] != "CZK" {
		t.Errorf("payment 0 amount = %v / %v %v", p0["amount"], p0["amount_minor"], p0["currency"])
	}
	if rs := p0["reason"].(map[string]any); rs["code"] != "AC03" || rs["text"] != "Invalid creditor account number" {
		t.Errorf("payment 0 reason = %v", rs)
	}
	p3 := got.Payments[3]
	if p3["amount"] != nil || p3["amount_minor"] != nil || p3["requested_date"] != "" {
		t.Errorf("unknown amount written as %v / %v", p3["amount"], p3["amount_minor"])
	}
}

func TestJSONEmpty(t *testing.T) {
	var got map[string]any
	if err := json.Unmarshal(writeJSON(t, statustest.RejectedFile()), &got); err != nil {
		t.Fatal(err)
	}
	if ps, ok := got["payments"].([]any); !ok || len(ps) != 0 {
		t.Errorf("payments = %#v, want []", got["payments"])
	}
	if sc, ok := got["state_counts"].(map[string]any); !ok || len(sc) != 0 {
		t.Errorf("state_counts = %#v, want {}", got["state_counts"])
	}
}

// TestDuplicateReason: duplicate payments of a duplicate file carry the
// file's reason, which names the first file.
func TestDuplicateReason(t *testing.T) {
	r := statustest.DuplicateFile()
	rows := readCSV(t, writeCSV(t, r, status.CSVOptions{}), ';')
	for _, row := range rows[1:] {
		if col(row, "state") != "duplicate" || col(row, "reason_text") != r.Reason.Text {
			t.Errorf("row = %q", row)
		}
	}
	var got struct {
		Payments []struct{ Reason struct{ Text string } }
	}
	if err := json.Unmarshal(writeJSON(t, r), &got); err != nil {
		t.Fatal(err)
	}
	for i, p := range got.Payments {
		if p.Reason.Text != r.Reason.Text {
			t.Errorf("JSON payment %d reason = %q", i, p.Reason.Text)
		}
	}
}

func TestWriterErrors(t *testing.T) {
	bad := []*status.Report{
		nil,
		func() *status.Report { r := statustest.Base(status.Booked); r.MessageID = ""; return r }(),
		func() *status.Report { r := statustest.Base(status.Booked); r.MessageID = "a\nb"; return r }(),
		func() *status.Report { r := statustest.Base(status.Booked); r.Created = time.Time{}; return r }(),
		func() *status.Report { r := statustest.Base(status.Booked); r.State = "finished"; return r }(),
		func() *status.Report {
			r := statustest.Base(status.Booked)
			r.Payments[2].State = status.Partial
			return r
		}(),
	}
	for i, r := range bad {
		var buf bytes.Buffer
		if err := status.WriteCSV(&buf, r, status.CSVOptions{}); !errors.Is(err, status.ErrInvalidReport) || buf.Len() != 0 {
			t.Errorf("report %d: WriteCSV err = %v, %d bytes", i, err, buf.Len())
		}
		if err := status.WriteJSON(&buf, r); !errors.Is(err, status.ErrInvalidReport) || buf.Len() != 0 {
			t.Errorf("report %d: WriteJSON err = %v, %d bytes", i, err, buf.Len())
		}
	}
	errDisk := errors.New("disk full")
	for _, write := range []func() error{
		func() error {
			return status.WriteCSV(failWriter{errDisk}, statustest.Base(status.Booked), status.CSVOptions{})
		},
		func() error { return status.WriteJSON(failWriter{errDisk}, statustest.Base(status.Booked)) },
	} {
		if err := write(); !errors.Is(err, errDisk) {
			t.Errorf("err = %v, want %v", err, errDisk)
		}
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }
