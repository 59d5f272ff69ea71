package kb

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// StatusPath is the batch status call of the Czech Open Banking Standard:
// GET /my/batchpayments/{transactionIdentification}/status. KB documents
// none for BATCHDA (spec §5.5: do not build around it); kbsim offers it, and
// a bank that follows COBS may. Configure it per bank, off by default.
const StatusPath = "/my/batchpayments/%s/status"

// ItemStatus is one payment of a batch in a status answer. Status is the
// item's state as the bank names it (kbsim: awaiting-signature, scheduled,
// booked, rejected, rejected-at-import, cancelled). COBS's own answer
// carries per-payment transactionIdentification and signInfo instead;
// both shapes are read.
type ItemStatus struct {
	InstructionIdentification string
	TransactionIdentification string
	Status                    string
	RejectCode                string
	BookingDate               string
	SignInfo                  SignInfo
}

// BatchStatus is the answer of the status call.
type BatchStatus struct {
	TransactionIdentification string
	InstructionStatus         string
	SignInfo                  SignInfo // the batch's; COBS puts it on each payment, copied up when all agree
	Payments                  []ItemStatus
	CorrelationID             string
	Raw                       []byte
}

// BatchStatus asks for the state of an imported batch. It is a GET: unlike
// Submit, calling it again is always safe, so every failure is simply an
// error (with the same classes as Submit for the daemon's logs); 404
// TRANSACTION_MISSING is a *RejectedError.
func (c *Client) BatchStatus(ctx context.Context, transactionID string) (*BatchStatus, error) {
	if transactionID == "" || strings.ContainsAny(transactionID, "/?#") {
		return nil, fmt.Errorf("%w: transactionIdentification %q", ErrInvalidSent, transactionID)
	}
	a, err := c.call(ctx, call{method: http.MethodGet, path: fmt.Sprintf(StatusPath, url.PathEscape(transactionID))})
	if err != nil {
		return nil, err
	}
	if a.status < 200 || a.status > 299 {
		_, err := judge(a, Sent{})
		return nil, err
	}
	if a.readErr != nil {
		return nil, fmt.Errorf("kb: batch status %s: reading the answer: %w", transactionID, a.readErr)
	}
	st, err := parseBatchStatus(a.body, transactionID)
	if err != nil {
		return nil, fmt.Errorf("kb: batch status %s (x-correlation-id %s): %w", transactionID, a.correlationID, err)
	}
	st.CorrelationID = a.correlationID
	return st, nil
}

// wireSignInfo reads both spellings COBS uses (signId, signID): with two
// tags encoding/json prefers the exact match.
type wireSignInfo struct {
	State      string `json:"state"`
	SignID     string `json:"signId"`
	SignIDCOBS string `json:"signID"`
}

func (w *wireSignInfo) info() SignInfo {
	if w == nil {
		return SignInfo{}
	}
	return SignInfo{State: w.State, SignID: first(w.SignID, w.SignIDCOBS)}
}

// parseBatchStatus reads and checks a status answer: it must be about the
// batch asked for, and every sign state one we know.
func parseBatchStatus(body []byte, want string) (*BatchStatus, error) {
	if _, err := topLevel(body); err != nil { // one object, no duplicate keys, no trailing data
		return nil, fmt.Errorf("the answer is not a JSON object: %w", err)
	}
	var w struct {
		TransactionIdentification string        `json:"transactionIdentification"`
		InstructionStatus         string        `json:"instructionStatus"`
		SignInfo                  *wireSignInfo `json:"signInfo"`
		Payments                  []struct {
			InstructionIdentification string        `json:"instructionIdentification"`
			TransactionIdentification string        `json:"transactionIdentification"`
			Status                    string        `json:"status"`
			RejectCode                string        `json:"rejectCode"`
			BookingDate               string        `json:"bookingDate"`
			SignInfo                  *wireSignInfo `json:"signInfo"`
		} `json:"payments"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("the answer is not a batch status: %w", err)
	}
	if w.TransactionIdentification != "" && w.TransactionIdentification != want {
		return nil, fmt.Errorf("the answer is about batch %q", w.TransactionIdentification)
	}
	st := &BatchStatus{TransactionIdentification: want, InstructionStatus: w.InstructionStatus, SignInfo: w.SignInfo.info(), Raw: body}
	same := len(w.Payments) > 0
	for _, p := range w.Payments {
		it := ItemStatus{InstructionIdentification: p.InstructionIdentification, TransactionIdentification: p.TransactionIdentification,
			Status: p.Status, RejectCode: p.RejectCode, BookingDate: p.BookingDate, SignInfo: p.SignInfo.info()}
		st.Payments = append(st.Payments, it)
		same = same && it.SignInfo.State != "" && it.SignInfo.State == st.Payments[0].SignInfo.State
	}
	if st.SignInfo.State == "" && same {
		st.SignInfo = st.Payments[0].SignInfo
	}
	states := []string{st.SignInfo.State}
	for _, p := range st.Payments {
		states = append(states, p.SignInfo.State)
	}
	for _, s := range states {
		switch s {
		case "", SignOpen, SignClose, SignReject, SignNone:
		default:
			return nil, fmt.Errorf("unknown signInfo.state %q", s)
		}
	}
	return st, nil
}
