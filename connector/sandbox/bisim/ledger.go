package bisim

import "time"

// Ledger is a snapshot of every payment the simulator received.
type Ledger struct {
	Now      time.Time       `json:"now"` // the simulated clock when taken
	Payments []LedgerPayment `json:"payments"`
}

// LedgerPayment is one payment record with its current, computed status.
// Booked payments (Status 8, BookedAt set) are what statements will report.
type LedgerPayment struct {
	Seq        int64       `json:"seq"`
	Account    string      `json:"account"` // debtor BBAN from the Authorization header
	PaymentID  string      `json:"paymentId"`
	TransID    string      `json:"transId"`
	EndToEndID string      `json:"endToEndId"`
	Received   int         `json:"received"`   // times this account+paymentId arrived for this record
	RequestIDs []string    `json:"requestIds"` // of every reception, in order
	Receptions []Reception `json:"receptions"`

	Status      int        `json:"status"`
	StatusName  string     `json:"statusName"`
	StatusSince time.Time  `json:"statusSince"`
	BookedAt    *time.Time `json:"bookedAt,omitempty"` // when it reached 8 Succeeded
	Errors      []APIError `json:"errors,omitempty"`

	AmountMinor     int64      `json:"amountMinor"` // ISO minor units of Currency
	Currency        string     `json:"currency"`
	Amount          string     `json:"amount"` // two decimals, written from AmountMinor
	Type            int        `json:"type,omitempty"`
	Urgency         int        `json:"urgency,omitempty"`
	CreditorAccount string     `json:"creditorAccount"`
	CreditorName    string     `json:"creditorName,omitempty"`
	Text            string     `json:"text,omitempty"`
	CreditorText    string     `json:"creditorText,omitempty"`
	CreditorMessage []string   `json:"creditorMessage,omitempty"`
	RequestedDate   string     `json:"requestedDate"`
	PaymentDate     string     `json:"paymentDate"` // execution date after any move to a bank day
	ReceivedAt      time.Time  `json:"receivedAt"`
	NeedsApproval   bool       `json:"needsApproval,omitempty"`
	ApprovedAt      *time.Time `json:"approvedAt,omitempty"`
}

// Find returns the records of account+paymentID in reception order.
func (l Ledger) Find(account, paymentID string) []LedgerPayment {
	var out []LedgerPayment
	for _, p := range l.Payments {
		if p.Account == account && p.PaymentID == paymentID {
			out = append(out, p)
		}
	}
	return out
}

// Received is how many times a transaction with account+paymentID arrived,
// including refused duplicates and failed attempts.
func (l Ledger) Received(account, paymentID string) int {
	n := 0
	for _, p := range l.Find(account, paymentID) {
		n += p.Received
	}
	return n
}

// Ledger returns a snapshot at the simulated now.
func (s *Server) Ledger() Ledger {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	l := Ledger{Now: now, Payments: make([]LedgerPayment, 0, len(s.st.Payments))}
	for _, p := range s.st.Payments {
		l.Payments = append(l.Payments, s.snapshot(p, now))
	}
	return l
}

func (s *Server) snapshot(p *payment, now time.Time) LedgerPayment {
	ph := p.statusAt(now, s.cfg.CancelledStatus)
	lp := LedgerPayment{
		Seq: p.Seq, Account: p.Account, PaymentID: p.PaymentID, TransID: p.TransID, EndToEndID: p.EndToEndID,
		Received: len(p.Receptions), Receptions: append([]Reception(nil), p.Receptions...),
		Status: ph.Status, StatusName: StatusName(ph.Status), StatusSince: ph.Since,
		Errors:      append([]APIError(nil), ph.Errors...),
		AmountMinor: p.AmountMinor, Currency: p.Currency, Amount: p.amountDecimal(),
		Type: p.Type, Urgency: p.Urgency, CreditorAccount: p.CreditorAccount, CreditorName: p.CreditorName,
		Text: p.Text, CreditorText: p.CreditorText, CreditorMessage: append([]string(nil), p.CreditorMessage...),
		RequestedDate: p.RequestedDate, PaymentDate: p.PaymentDate, ReceivedAt: p.ReceivedAt,
		NeedsApproval: p.NeedsApproval, ApprovedAt: copyTime(p.ApprovedAt),
	}
	for _, r := range p.Receptions {
		lp.RequestIDs = append(lp.RequestIDs, r.RequestID)
	}
	if ph.Status == StatusSucceeded {
		at := ph.Since
		lp.BookedAt = &at
	}
	return lp
}

// amountDecimal is the amount with two decimals, or the text as sent when the
// payment failed before its amount could be read.
func (p *payment) amountDecimal() string {
	if p.Failed && p.AmountMinor == 0 {
		return p.AmountText
	}
	return formatCents(minorToCents(p.AmountMinor, p.Currency))
}

func copyTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}
