package bisim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"erpconnector/connector/fsutil"
)

// stateVersion guards the persisted format; a file of another version is
// refused rather than half-read, since losing a ledger hides duplicates.
const stateVersion = 1

// state is everything the simulator must keep across restarts.
type state struct {
	Version     int        `json:"version"`
	ClockOffset int64      `json:"clockOffsetNs"` // added to Config.Now by /_sim/clock
	NextTransID int64      `json:"nextTransId"`
	NextSeq     int64      `json:"nextSeq"`
	Payments    []*payment `json:"payments"`

	// Statement ledger (entries.go). Absent in files written before it
	// existed, which then load with an empty ledger.
	Ledgers     map[string]*acctLedger `json:"ledgers,omitempty"`
	NextEntryID int64                  `json:"nextEntryId,omitempty"`
	CreditsFrom *time.Time             `json:"creditsFrom,omitempty"` // anchor of invented credits
}

func newState() state {
	return state{Version: stateVersion, NextTransID: 254000001, NextSeq: 1}
}

// payment is one transaction that created a record: accepted for processing
// or failed validation. Later transactions that reuse its paymentId and are
// refused as duplicates are kept as further Receptions on it.
type payment struct {
	Seq        int64  `json:"seq"`
	Account    string `json:"account"`
	PaymentID  string `json:"paymentId"`
	TransID    string `json:"transId"`
	EndToEndID string `json:"endToEndId"`

	Type            int             `json:"type,omitempty"`
	Urgency         int             `json:"urgency,omitempty"`
	CreditorAccount string          `json:"creditorAccount"`
	Creditor        json.RawMessage `json:"creditor,omitempty"`
	CreditorName    string          `json:"creditorName,omitempty"`
	Text            string          `json:"text,omitempty"`
	CreditorText    string          `json:"creditorText,omitempty"`
	CreditorMessage []string        `json:"creditorMessage,omitempty"`
	Currency        string          `json:"currency"`
	AmountMinor     int64           `json:"amountMinor"`
	AmountText      string          `json:"amountText"` // as sent, for failed amounts
	RequestedDate   string          `json:"requestedDate"`
	PaymentDate     string          `json:"paymentDate"` // after moveToNextBankDate

	ReceivedAt    time.Time  `json:"receivedAt"`
	PendingAt     time.Time  `json:"pendingAt"`
	StepNs        int64      `json:"stepNs"`
	NeedsApproval bool       `json:"needsApproval,omitempty"`
	ApprovedAt    *time.Time `json:"approvedAt,omitempty"`
	RejectedAt    *time.Time `json:"rejectedAt,omitempty"`
	RejectCode    string     `json:"rejectCode,omitempty"`
	RejectText    string     `json:"rejectText,omitempty"`
	CancelledAt   *time.Time `json:"cancelledAt,omitempty"`
	Failed        bool       `json:"failed,omitempty"`
	Booked        bool       `json:"booked,omitempty"` // on the statement ledger (or skipped: other currency)
	Errors        []APIError `json:"errors,omitempty"`

	Receptions []Reception `json:"receptions"`
}

// Reception is one arrival of a transaction with a given account+paymentId.
type Reception struct {
	RequestID string    `json:"requestId"`
	TransID   string    `json:"transId"`
	At        time.Time `json:"at"`
	Status    int       `json:"status"`          // the status answered to this reception
	Error     string    `json:"error,omitempty"` // e.g. DUPL for a refused duplicate
}

// load reads the persisted state, if any.
func loadState(path string) (state, error) {
	st := newState()
	if path == "" {
		return st, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("bisim: read state: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var got state
	if err := dec.Decode(&got); err != nil {
		return st, fmt.Errorf("bisim: state %s is corrupt: %w", path, err)
	}
	if got.Version != stateVersion {
		return st, fmt.Errorf("bisim: state %s has version %d, want %d", path, got.Version, stateVersion)
	}
	return got, nil
}

// saveState writes the state atomically (temp file, fsync, rename, fsync of
// the folder), the same way the connector writes its own files.
func saveState(path string, st *state) error {
	data, err := json.MarshalIndent(st, "", " ")
	if err != nil {
		return fmt.Errorf("bisim: encode state: %w", err)
	}
	if err := fsutil.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("bisim: save state: %w", err)
	}
	return nil
}
