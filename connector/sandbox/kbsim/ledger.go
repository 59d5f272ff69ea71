package kbsim

import (
	"errors"
	"fmt"
	"time"

	"erpconnector/formats/money"
)

// signInfo states.
const (
	SignOpen   = "OPEN"   // waiting for the user's signature
	SignClose  = "CLOSE"  // signed
	SignReject = "REJECT" // refused or deleted by the user
)

// Batch states as MojeBanka Business names them (kb-batchda.md §5.5).
const (
	BatchForSignature = "ST" // imported, for authorisation
	BatchWaiting      = "AU" // signed, waiting for processing
	BatchProcessed    = "PR" // handed to the core system; items book on their dates
	BatchDeleted      = "DL" // rejected/deleted before processing
)

// Item states.
const (
	ItemRejectedAtImport  = "rejected-at-import" // failed validation in a partially accepted batch
	ItemAwaitingSignature = "awaiting-signature"
	ItemScheduled         = "scheduled" // signed; waits for processing or its execution date
	ItemBooked            = "booked"
	ItemRejected          = "rejected"  // refused by the bank in processing (control API)
	ItemCancelled         = "cancelled" // the batch was rejected
)

// DefaultItemRejectCode is the ISO reason for /_sim/reject of items without
// a code: AM04 insufficient funds, the usual cause.
const DefaultItemRejectCode = "AM04"

// Control errors callers may branch on.
var (
	ErrNotFound = errors.New("kbsim: not found")
	ErrState    = errors.New("kbsim: not allowed in the current state")
)

// Ledger is a snapshot of everything the bank side received.
type Ledger struct {
	Now        time.Time     `json:"now"` // the simulated clock when taken
	Batches    []LedgerBatch `json:"batches"`
	Receptions []Reception   `json:"receptions"` // every BATCHDA request with a usable exchange ID
}

// LedgerBatch is one accepted batch with its computed state.
type LedgerBatch struct {
	TransactionIdentification string       `json:"transactionIdentification"`
	SignID                    string       `json:"signId"`
	SignState                 string       `json:"signState"` // OPEN, CLOSE, REJECT
	State                     string       `json:"state"`     // ST, AU, PR, DL
	InstructionStatus         string       `json:"instructionStatus"`
	ClientID                  string       `json:"clientId"`
	ExchangeIdentification    string       `json:"exchangeIdentification"`
	InstructionName           string       `json:"instructionName,omitempty"`
	BatchProcessingMode       string       `json:"batchProcessingMode"`
	CorrelationID             string       `json:"correlationId"`
	BatchDigest               string       `json:"batchDigest"`
	DebtorIBAN                string       `json:"debtorIban"`
	Currency                  string       `json:"currency"`
	Received                  int          `json:"received"` // requests with this client+exchange ID, duplicates included
	ReceivedAt                time.Time    `json:"receivedAt"`
	SignedAt                  *time.Time   `json:"signedAt,omitempty"`
	ProcessAt                 *time.Time   `json:"processAt,omitempty"`
	RejectedAt                *time.Time   `json:"rejectedAt,omitempty"`
	DebitCount                int          `json:"debitCount"`
	RejectedDebitCount        int          `json:"rejectedDebitCount"`
	TotalDebitMinor           int64        `json:"totalDebitMinor"` // accepted items, minor units
	TotalDebit                string       `json:"totalDebit"`      // written from TotalDebitMinor
	Items                     []LedgerItem `json:"items"`
}

// LedgerItem is one payment of a batch.
type LedgerItem struct {
	Index                     int        `json:"index"`
	InstructionIdentification string     `json:"instructionIdentification"`
	EndToEndIdentification    string     `json:"endToEndIdentification,omitempty"`
	State                     string     `json:"state"`
	AmountMinor               int64      `json:"amountMinor"`
	Amount                    string     `json:"amount"` // written from AmountMinor
	Currency                  string     `json:"currency"`
	RequestedExecutionDate    string     `json:"requestedExecutionDate,omitempty"`
	DebtorIBAN                string     `json:"debtorIban"`
	CreditorIBAN              string     `json:"creditorIban"`
	CreditorName              string     `json:"creditorName,omitempty"`
	References                []string   `json:"references,omitempty"`
	Unstructured              string     `json:"unstructured,omitempty"`
	EntryReference            string     `json:"entryReference"`
	BookedAt                  *time.Time `json:"bookedAt,omitempty"`
	BookingDate               string     `json:"bookingDate,omitempty"` // Prague date of BookedAt
	RejectCode                string     `json:"rejectCode,omitempty"`
	Errors                    []APIError `json:"errors,omitempty"` // import errors
}

// Batch returns the batch with the given transactionIdentification.
func (l Ledger) Batch(id string) (LedgerBatch, bool) {
	for _, b := range l.Batches {
		if b.TransactionIdentification == id {
			return b, true
		}
	}
	return LedgerBatch{}, false
}

// Received is how many BATCHDA requests carried the exchange ID (from any
// client), whatever they were answered: the number a "sent exactly once"
// test asserts.
func (l Ledger) Received(exchangeID string) int {
	n := 0
	for _, r := range l.Receptions {
		if r.ExchangeID == exchangeID {
			n++
		}
	}
	return n
}

// Accepted returns the batches accepted under the exchange ID.
func (l Ledger) Accepted(exchangeID string) []LedgerBatch {
	var out []LedgerBatch
	for _, b := range l.Batches {
		if b.ExchangeIdentification == exchangeID {
			out = append(out, b)
		}
	}
	return out
}

// Ledger returns a snapshot at the simulated now.
func (s *Server) Ledger() Ledger {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	l := Ledger{Now: now, Batches: make([]LedgerBatch, 0, len(s.st.Batches)), Receptions: append([]Reception{}, s.st.Receptions...)}
	for _, b := range s.st.Batches {
		l.Batches = append(l.Batches, s.snapshotLocked(b, now))
	}
	return l
}

// Batch returns one batch at the simulated now.
func (s *Server) Batch(id string) (LedgerBatch, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.findLocked(id); b != nil {
		return s.snapshotLocked(b, s.nowLocked()), true
	}
	return LedgerBatch{}, false
}

func (s *Server) findLocked(id string) *batch {
	for _, b := range s.st.Batches {
		if b.ID == id {
			return b
		}
	}
	return nil
}

func (b *batch) state(now time.Time) (sign, st string) {
	switch {
	case b.RejectedAt != nil:
		return SignReject, BatchDeleted
	case b.SignedAt == nil:
		return SignOpen, BatchForSignature
	case now.Before(*b.ProcessAt):
		return SignClose, BatchWaiting
	default:
		return SignClose, BatchProcessed
	}
}

// bookAt is when a signed item books: when the batch is processed, but not
// before its execution date begins in Prague.
func (b *batch) bookAt(it *item) time.Time {
	at := *b.ProcessAt
	if d, ok := dayStart(it.ExecDate); ok && d.After(at) {
		at = d
	}
	return at
}

// itemState computes an item's state and, when booked, its booking time.
func (b *batch) itemState(it *item, now time.Time) (string, *time.Time) {
	switch {
	case len(it.ImportErrors) > 0:
		return ItemRejectedAtImport, nil
	case b.RejectedAt != nil:
		return ItemCancelled, nil
	case b.SignedAt == nil:
		return ItemAwaitingSignature, nil
	case it.RejectedAt != nil:
		return ItemRejected, nil
	}
	at := b.bookAt(it)
	if now.Before(at) {
		return ItemScheduled, nil
	}
	return ItemBooked, &at
}

func (s *Server) snapshotLocked(b *batch, now time.Time) LedgerBatch {
	sign, st := b.state(now)
	exp, _ := money.Exponent(b.Currency)
	lb := LedgerBatch{
		TransactionIdentification: b.ID, SignID: b.SignID, SignState: sign, State: st, InstructionStatus: b.Status,
		ClientID: b.ClientID, ExchangeIdentification: b.ExchangeID, InstructionName: b.InstructionName,
		BatchProcessingMode: b.Mode, CorrelationID: b.CorrelationID, BatchDigest: b.Digest,
		DebtorIBAN: b.DebtorIBAN, Currency: b.Currency, ReceivedAt: b.ReceivedAt,
		SignedAt: copyTime(b.SignedAt), ProcessAt: copyTime(b.ProcessAt), RejectedAt: copyTime(b.RejectedAt),
		DebitCount: len(b.Items), Items: make([]LedgerItem, 0, len(b.Items)),
	}
	for _, r := range s.st.Receptions {
		if r.ClientID == b.ClientID && r.ExchangeID == b.ExchangeID {
			lb.Received++
		}
	}
	for _, it := range b.Items {
		ist, booked := b.itemState(it, now)
		iexp, _ := money.Exponent(it.Currency)
		li := LedgerItem{
			Index: it.Index, InstructionIdentification: it.InstructionID, EndToEndIdentification: it.EndToEndID,
			State: ist, AmountMinor: it.AmountMinor, Amount: money.FormatMinor(it.AmountMinor, iexp), Currency: it.Currency,
			RequestedExecutionDate: it.ExecDate, DebtorIBAN: it.DebtorIBAN, CreditorIBAN: it.CreditorIBAN,
			CreditorName: it.CreditorName, References: append([]string(nil), it.References...), Unstructured: it.Unstructured,
			EntryReference: it.EntryRef, BookedAt: booked, RejectCode: it.RejectCode,
			Errors: append([]APIError(nil), it.ImportErrors...),
		}
		if booked != nil {
			li.BookingDate = pragueDate(*booked)
		}
		if ist == ItemRejectedAtImport {
			lb.RejectedDebitCount++
		} else {
			lb.TotalDebitMinor += it.AmountMinor
		}
		lb.Items = append(lb.Items, li)
	}
	lb.TotalDebit = money.FormatMinor(lb.TotalDebitMinor, exp)
	return lb
}

// Sign is the user signing the batch in internet banking: signInfo CLOSE,
// batch AU; the bank processes it ProcessAfter later (PR) and books each
// item on its execution date.
func (s *Server) Sign(id string) (LedgerBatch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.findLocked(id)
	if b == nil {
		return LedgerBatch{}, fmt.Errorf("%w: batch %q", ErrNotFound, id)
	}
	now := s.nowLocked()
	if _, st := b.state(now); st != BatchForSignature {
		return s.snapshotLocked(b, now), fmt.Errorf("%w: batch %s is %s, only ST can be signed", ErrState, id, st)
	}
	signed, process := now, now.Add(s.cfg.ProcessAfter)
	b.SignedAt, b.ProcessAt = &signed, &process
	return s.snapshotLocked(b, now), s.persistLocked()
}

// Reject with no items is the user refusing or deleting the batch before it
// is processed (signInfo REJECT, batch DL). With items (instruction
// identifications) it is the bank refusing those payments in processing
// (e.g. AM04 insufficient funds); they must not be booked yet.
func (s *Server) Reject(id string, items []string, code string) (LedgerBatch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.findLocked(id)
	if b == nil {
		return LedgerBatch{}, fmt.Errorf("%w: batch %q", ErrNotFound, id)
	}
	now := s.nowLocked()
	_, st := b.state(now)
	if len(items) == 0 {
		if st != BatchForSignature && st != BatchWaiting {
			return s.snapshotLocked(b, now), fmt.Errorf("%w: batch %s is %s; only ST or AU can be rejected", ErrState, id, st)
		}
		t := now
		b.RejectedAt = &t
		return s.snapshotLocked(b, now), s.persistLocked()
	}
	if code == "" {
		code = DefaultItemRejectCode
	}
	var picked []*item
	for _, want := range items {
		var hit *item
		for _, it := range b.Items {
			if it.InstructionID == want {
				hit = it
				break
			}
		}
		if hit == nil {
			return s.snapshotLocked(b, now), fmt.Errorf("%w: batch %s has no payment %q", ErrNotFound, id, want)
		}
		if ist, _ := b.itemState(hit, now); ist != ItemAwaitingSignature && ist != ItemScheduled {
			return s.snapshotLocked(b, now), fmt.Errorf("%w: payment %q is %s", ErrState, want, ist)
		}
		picked = append(picked, hit)
	}
	for _, it := range picked {
		t := now
		it.RejectedAt, it.RejectCode = &t, code
	}
	return s.snapshotLocked(b, now), s.persistLocked()
}

func copyTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}
