package status

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// JSONSchema is the value of the "schema" field; it changes only when a field
// changes meaning or disappears (adding fields keeps it).
const JSONSchema = "erpconnector.status/1"

// WriteJSON writes r as a JSON status file. The schema (every field is always
// present; strings are "" when unknown unless noted):
//
//	{
//	  "schema": "erpconnector.status/1",
//	  "message_id": "…",                 // this report's ID
//	  "created": "2026-06-12T10:00:00Z", // RFC 3339
//	  "file": {"name": "…", "sha256": "…", "original_message_id": "…", "original_format": "…"},
//	  "state": "partial",                // file-level State (see Summarise)
//	  "reason": {"code": "AM05", "text": "…"},
//	  "problems": ["FILE:LINE: field: problem", …],   // [] when none
//	  "payment_count": 2,
//	  "state_counts": {"booked": 1, "rejected": 1},   // payments per state, only states that occur
//	  "payments": [
//	    {"index": 0, "batch_id": "…", "instruction_id": "…", "end_to_end_id": "…",
//	     "amount": "12500.00",     // exact decimal string, null when the file's amount could not be read
//	     "amount_minor": 1250000,  // integer minor units, null likewise
//	     "currency": "CZK",
//	     "requested_date": "2026-06-15",
//	     "creditor_name": "…", "creditor_account": "…",
//	     "state": "booked", "reason": {"code": "", "text": ""},
//	     "bank_reference": "…", "updated": "2026-06-15T06:00:00Z"}
//	  ]
//	}
//
// Amounts never pass through a float: "amount" is written from the integer and
// "amount_minor" is the integer itself. Payments are written one per line as
// they are encoded, so memory does not grow with the number of payments.
func WriteJSON(w io.Writer, r *Report) error {
	if err := r.Validate(); err != nil {
		return err
	}
	problems := make([]string, len(r.Problems))
	for i, p := range r.Problems {
		problems[i] = Clean(p)
	}
	counts := map[State]int{}
	for i := range r.Payments {
		counts[r.Payments[i].State]++
	}
	head := jsonHead{
		Schema:    JSONSchema,
		MessageID: r.MessageID,
		Created:   rfc3339(r.Created),
		File: jsonFile{
			Name:              Clean(r.File.Name),
			SHA256:            Clean(r.File.SHA256),
			OriginalMessageID: Clean(r.File.OriginalMessageID),
			OriginalFormat:    Clean(r.File.OriginalFormat),
		},
		State:        r.FileState(),
		Reason:       jsonReasonOf(r.Reason),
		Problems:     problems,
		PaymentCount: len(r.Payments),
		StateCounts:  counts,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(head); err != nil {
		return fmt.Errorf("writing JSON status: %w", err)
	}
	// The head is a complete object; reopen it to stream the payments in.
	headBytes, ok := bytes.CutSuffix(buf.Bytes(), []byte("\n}\n"))
	if !ok {
		return fmt.Errorf("writing JSON status: unexpected encoder output")
	}
	bw := bufio.NewWriter(w)
	bw.Write(headBytes)
	if len(r.Payments) == 0 {
		bw.WriteString(",\n  \"payments\": []\n}\n")
		return flushJSON(bw)
	}
	bw.WriteString(",\n  \"payments\": [\n")
	enc.SetIndent("", "")
	for i := range r.Payments {
		buf.Reset()
		if err := enc.Encode(jsonPaymentOf(&r.Payments[i], r.PaymentReason(i))); err != nil {
			return fmt.Errorf("writing JSON status for payment %d: %w", r.Payments[i].Index, err)
		}
		bw.WriteString("    ")
		bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		if i < len(r.Payments)-1 {
			bw.WriteByte(',')
		}
		if _, err := bw.WriteString("\n"); err != nil {
			return fmt.Errorf("writing JSON status: %w", err) // stop early on a dead writer
		}
	}
	bw.WriteString("  ]\n}\n")
	return flushJSON(bw)
}

func flushJSON(bw *bufio.Writer) error {
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing JSON status: %w", err)
	}
	return nil
}

type jsonHead struct {
	Schema       string        `json:"schema"`
	MessageID    string        `json:"message_id"`
	Created      string        `json:"created"`
	File         jsonFile      `json:"file"`
	State        State         `json:"state"`
	Reason       jsonReason    `json:"reason"`
	Problems     []string      `json:"problems"`
	PaymentCount int           `json:"payment_count"`
	StateCounts  map[State]int `json:"state_counts"`
}

type jsonFile struct {
	Name              string `json:"name"`
	SHA256            string `json:"sha256"`
	OriginalMessageID string `json:"original_message_id"`
	OriginalFormat    string `json:"original_format"`
}

type jsonReason struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

func jsonReasonOf(r Reason) jsonReason { return jsonReason{Code: Clean(r.Code), Text: Clean(r.Text)} }

type jsonPayment struct {
	Index           int        `json:"index"`
	BatchID         string     `json:"batch_id"`
	InstructionID   string     `json:"instruction_id"`
	EndToEndID      string     `json:"end_to_end_id"`
	Amount          *string    `json:"amount"`
	AmountMinor     *int64     `json:"amount_minor"`
	Currency        string     `json:"currency"`
	RequestedDate   string     `json:"requested_date"`
	CreditorName    string     `json:"creditor_name"`
	CreditorAccount string     `json:"creditor_account"`
	State           State      `json:"state"`
	Reason          jsonReason `json:"reason"`
	BankReference   string     `json:"bank_reference"`
	Updated         string     `json:"updated"`
}

func jsonPaymentOf(p *Payment, reason Reason) jsonPayment {
	j := jsonPayment{
		Index:           p.Index,
		BatchID:         Clean(p.BatchID),
		InstructionID:   Clean(p.InstructionID),
		EndToEndID:      Clean(p.EndToEndID),
		Currency:        Clean(p.Amount.Currency),
		CreditorName:    Clean(p.CreditorName),
		CreditorAccount: Clean(p.CreditorAccount),
		State:           p.State,
		Reason:          jsonReasonOf(reason),
		BankReference:   Clean(p.BankReference),
		Updated:         rfc3339(p.Updated),
	}
	if KnownAmount(p.Amount) {
		dec, minor := p.Amount.Decimal(), p.Amount.Minor
		j.Amount, j.AmountMinor = &dec, &minor
	}
	if ValidDate(p.RequestedDate) {
		j.RequestedDate = p.RequestedDate.String()
	}
	return j
}
