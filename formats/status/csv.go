package status

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// CSVOptions shapes the CSV status file for the ERP that imports it.
type CSVOptions struct {
	// Delimiter separates fields; 0 means ';' (what Czech and Danish Excel
	// and most ERP importers expect).
	Delimiter rune
	// DecimalComma writes amounts as "12500,00" instead of "12500.00". It
	// cannot be combined with a ',' delimiter.
	DecimalComma bool
	// CRLF ends lines with "\r\n" instead of "\n".
	CRLF bool
	// BOM starts the file with a UTF-8 byte order mark, which Excel needs to
	// show diacritics and which some ERP importers choke on; off by default.
	BOM bool
}

// ErrCSVOptions is returned for options that would make an ambiguous file.
var ErrCSVOptions = errors.New("invalid CSV options")

// CSVHeader is the header row, in column order.
var CSVHeader = []string{
	"file", "batch", "index", "instruction_id", "end_to_end_id", "amount", "currency", "requested_date",
	"creditor_name", "creditor_account", "state", "reason_code", "reason_text", "bank_reference", "updated",
}

// WriteCSV writes r as a CSV status file: the header row (CSVHeader), then one
// row per payment in report order, then one row per file-level problem.
//
// Payment rows: index is the payment's 0-based position in the file; amount
// is written from the integer with the currency's decimal places (empty with
// the currency when the file's amount could not be read); requested_date is
// 2006-01-02; updated is RFC 3339 (empty when unknown).
//
// File-level rows have an empty index, batch and payment fields, the file
// state in "state", and the file's Reason.Code in "reason_code":
//   - one row per entry of r.Problems, with the problem in reason_text;
//   - when the file has no payments, first one row for the file itself with
//     r.Reason.Text, so that every status file has at least one data row that
//     says what happened to the file (a rejected or duplicate file with no
//     readable payment gets its reason row and then its problem rows).
//
// Every field is passed through Clean, so no field contains a line break.
func WriteCSV(w io.Writer, r *Report, opts CSVOptions) error {
	if err := r.Validate(); err != nil {
		return err
	}
	delim := opts.Delimiter
	if delim == 0 {
		delim = ';'
	}
	if opts.DecimalComma && delim == ',' {
		return fmt.Errorf("%w: decimal comma with ',' delimiter", ErrCSVOptions)
	}
	bw := bufio.NewWriter(w)
	if opts.BOM {
		bw.WriteString("\uFEFF")
	}
	cw := csv.NewWriter(bw)
	cw.Comma = delim
	cw.UseCRLF = opts.CRLF
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("writing CSV status header: %w", err) // also an invalid delimiter
	}
	file := Clean(r.File.Name)
	row := make([]string, len(CSVHeader))
	for i := range r.Payments {
		p := &r.Payments[i]
		reason := r.PaymentReason(i)
		amount, currency := "", Clean(p.Amount.Currency)
		if KnownAmount(p.Amount) {
			amount = p.Amount.Decimal()
			if opts.DecimalComma {
				amount = strings.Replace(amount, ".", ",", 1)
			}
		}
		date := ""
		if ValidDate(p.RequestedDate) {
			date = p.RequestedDate.String()
		}
		row = append(row[:0],
			file, Clean(p.BatchID), strconv.Itoa(p.Index), Clean(p.InstructionID), Clean(p.EndToEndID),
			amount, currency, date, Clean(p.CreditorName), Clean(p.CreditorAccount),
			string(p.State), Clean(reason.Code), Clean(reason.Text), Clean(p.BankReference), rfc3339(p.Updated))
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("writing CSV status row for payment %d: %w", p.Index, err)
		}
	}
	state, code := string(r.FileState()), Clean(r.Reason.Code)
	fileRow := func(text string) error {
		row = append(row[:0], file, "", "", "", "", "", "", "", "", "", state, code, Clean(text), "", "")
		return cw.Write(row)
	}
	if len(r.Payments) == 0 {
		if err := fileRow(r.Reason.Text); err != nil {
			return fmt.Errorf("writing CSV status file row: %w", err)
		}
	}
	for _, pr := range r.Problems {
		if err := fileRow(pr); err != nil {
			return fmt.Errorf("writing CSV status problem row: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing CSV status: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing CSV status: %w", err)
	}
	return nil
}

// rfc3339 writes t in RFC 3339 with its own offset, or "" for the zero time.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}
