package store

import (
	"time"
)

// FileState is where a file is in the pipeline.
type FileState string

const (
	FileClaimed   FileState = "claimed"   // spooled and recorded; inbox file not yet moved
	FilePlanned   FileState = "planned"   // parsed, validated, requests and payments stored
	FileRejected  FileState = "rejected"  // had problems; nothing sent
	FileDuplicate FileState = "duplicate" // same content as an earlier file; nothing sent
	FileDone      FileState = "done"      // every payment reached a final state
)

// Terminal reports whether nothing more will happen to the file on its own.
func (s FileState) Terminal() bool {
	return s == FileRejected || s == FileDuplicate || s == FileDone
}

// File is one file taken from an inbox.
type File struct {
	ID       string    `json:"id"` // "F000001": claim order, for humans and the CLI
	Route    string    `json:"route"`
	Name     string    `json:"name"`   // base name in the inbox
	Inbox    string    `json:"inbox"`  // full path it was taken from
	SHA256   string    `json:"sha256"` // hex of the content
	Size     int64     `json:"size"`
	ModTime  time.Time `json:"mod_time"`
	Spool    string    `json:"spool"` // path of the durable copy
	State    FileState `json:"state"`
	Kind     string    `json:"kind,omitempty"` // pain.001, KPC, CSV, KB-JSON, BI-JSON
	MsgID    string    `json:"msg_id,omitempty"`
	Received time.Time `json:"received"`
	Updated  time.Time `json:"updated"`

	// Moved is set once the inbox file went to archive/ or error/.
	Moved        bool     `json:"moved,omitempty"`
	MovedTo      string   `json:"moved_to,omitempty"`
	Problems     []string `json:"problems,omitempty"` // rendered "FILE:LINE: field: problem"
	MoreProblems int      `json:"more_problems,omitempty"`
	DuplicateOf  string   `json:"duplicate_of,omitempty"` // ID of the first file with this content

	Requests []string `json:"requests,omitempty"` // request keys, in send order
	Payments int      `json:"payments"`
	Totals   []string `json:"totals,omitempty"` // "12999.50 CZK"

	// StatusSeq counts status files written; StatusKey is what the last one
	// said, so an unchanged state writes nothing.
	StatusSeq int    `json:"status_seq,omitempty"`
	StatusKey string `json:"status_key,omitempty"`
	// StatusDone is set once the status file of the file's terminal state is
	// written; until then the file stays active, so a crash between reaching
	// that state and writing its status file cannot leave the ERP untold.
	StatusDone bool   `json:"status_done,omitempty"`
	LastError  string `json:"last_error,omitempty"`
}

// RequestState is where a bank request is.
type RequestState string

const (
	ReqPlanned    RequestState = "planned"    // stored, not sent (or proven not received: resend with the same IDs)
	ReqSubmitting RequestState = "submitting" // write-ahead: about to be sent; a crash here is an unknown outcome
	ReqAccepted   RequestState = "accepted"   // the bank took it
	ReqRejected   RequestState = "rejected"   // the bank refused it as a whole
	ReqUnknown    RequestState = "unknown"    // sent, answer lost: settle by asking the bank, never by resending
)

// Request is one bank call of a file.
type Request struct {
	Key     string            `json:"key"` // bank + "/" + ID
	Bank    string            `json:"bank"`
	Kind    string            `json:"kind"` // kb | bankintegration
	ID      string            `json:"id"`   // x-exchange-identification or requestId
	FileID  string            `json:"file_id"`
	Seq     int               `json:"seq"` // position in the file's requests
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    []byte            `json:"body"`
	// Payments are the file payment indexes in body order; PaymentIDs the IDs
	// the bank knows them by, in the same order.
	Payments   []int    `json:"payments"`
	PaymentIDs []string `json:"payment_ids"`
	// DebtorAccount is the BankIntegration header account.
	DebtorAccount string `json:"debtor_account,omitempty"`
	// Sign is what the bank's request signature is computed from at send
	// time (BankIntegration: the per-transaction hash inputs), as JSON.
	Sign []byte `json:"sign,omitempty"`

	State     RequestState `json:"state"`
	Attempts  int          `json:"attempts"`
	NextTry   time.Time    `json:"next_try,omitempty"`
	LastError string       `json:"last_error,omitempty"`
	BankRef   string       `json:"bank_ref,omitempty"`
	Updated   time.Time    `json:"updated"`
}

// PaymentState follows design.md: accepted → awaiting-authorisation → pending → booked | rejected | cancelled.
type PaymentState string

const (
	PayReceived              PaymentState = "received"
	PayAccepted              PaymentState = "accepted"
	PayAwaitingAuthorisation PaymentState = "awaiting-authorisation"
	PayPending               PaymentState = "pending"
	PayBooked                PaymentState = "booked"
	PayRejected              PaymentState = "rejected"
	PayCancelled             PaymentState = "cancelled"
	PayUnknown               PaymentState = "unknown"
)

// Final reports whether the payment's state can no longer change on its own.
func (s PaymentState) Final() bool {
	return s == PayBooked || s == PayRejected || s == PayCancelled
}

// Payment is one payment of a planned file.
type Payment struct {
	FileID        string       `json:"file_id"`
	Index         int          `json:"index"`
	BatchID       string       `json:"batch_id,omitempty"`
	RequestKey    string       `json:"request_key"`
	PaymentID     string       `json:"payment_id"` // the ID the bank knows it by
	InstructionID string       `json:"instruction_id,omitempty"`
	EndToEndID    string       `json:"end_to_end_id,omitempty"`
	Minor         int64        `json:"minor"`
	Currency      string       `json:"currency"`
	Date          string       `json:"date"` // requested execution date
	Creditor      string       `json:"creditor,omitempty"`
	CreditorAcct  string       `json:"creditor_account,omitempty"`
	State         PaymentState `json:"state"`
	ReasonCode    string       `json:"reason_code,omitempty"`
	ReasonText    string       `json:"reason_text,omitempty"`
	BankRef       string       `json:"bank_ref,omitempty"`
	BankEndToEnd  string       `json:"bank_end_to_end,omitempty"` // the bank's own end-to-end ID (BankIntegration endToEndId)
	BankStatus    int          `json:"bank_status,omitempty"`     // raw BankIntegration status value
	Updated       time.Time    `json:"updated"`
}

// Event is one line of the audit log.
type Event struct {
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	FileID  string    `json:"file_id,omitempty"`
	Request string    `json:"request,omitempty"`
	Kind    string    `json:"kind"`
	Msg     string    `json:"msg"`
}
