package bisim

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"erpconnector/formats/money"
)

// The statement ledger. Entries are materialised once — when a statement,
// balance or credit call first sees that a payment reached 8 Succeeded or an
// invented credit's time has come — and are never changed afterwards: their
// id, sequence and running balance stay stable across calls and restarts.
// Materialising everything up to "now" before appending anything keeps the
// entries in booking order, because the simulated clock only moves forward.

// Kinds of entries.
const (
	EntryPayment = "payment" // a booked outgoing payment (negative)
	EntryCredit  = "credit"  // an incoming payment: invented or injected (positive)
)

// entry is one booked movement of an account.
type entry struct {
	ID       string    `json:"id"`
	Sequence int64     `json:"sequence"` // per account, from 1
	Kind     string    `json:"kind"`
	BookedAt time.Time `json:"bookedAt"`
	Booking  string    `json:"booking"` // Copenhagen date yyyy-MM-dd
	Value    string    `json:"value"`
	Minor    int64     `json:"minor"`   // signed, account currency minor units
	Balance  int64     `json:"balance"` // after this entry

	Text       string `json:"text,omitempty"`
	EndToEndID string `json:"endToEndId,omitempty"`
	PaymentID  string `json:"paymentId,omitempty"` // our payment (debits)
	TransID    string `json:"transId,omitempty"`
	Reference  string `json:"reference,omitempty"` // bank's primary reference
	// The other party: creditor of a debit, debtor of a credit.
	PartyName    string `json:"partyName,omitempty"`
	PartyAccount string `json:"partyAccount,omitempty"`
	PartyText    string `json:"partyText,omitempty"`    // creditorText (debit) / the payer's text to us (credit)
	PartyMessage string `json:"partyMessage,omitempty"` // creditorMessage lines joined by "\n"
	Domain       string `json:"domain"`
	Family       string `json:"family"`
	SubFamily    string `json:"subFamily"`
	TypeText     string `json:"type,omitempty"` // bank's transaction type text (C4: CAP, BGS)
}

// acctLedger is the statement state of one account.
type acctLedger struct {
	Entries []*entry `json:"entries"`
	// Cursors is the last sequence delivered by newOnly, per ERP (the spec
	// says per account; per ERP is our reading so that two ERPs linked to one
	// account each get every entry).
	Cursors    map[string]int64 `json:"cursors,omitempty"`
	CreditSlot int64            `json:"creditSlot,omitempty"` // last invented-credit slot booked
	Redeliver  int              `json:"redeliver,omitempty"`  // armed once: repeat this many delivered entries
}

func (l *acctLedger) balance(opening int64) int64 {
	if n := len(l.Entries); n > 0 {
		return l.Entries[n-1].Balance
	}
	return opening
}

func (s *Server) ledgerLocked(account string) *acctLedger {
	if s.st.Ledgers == nil {
		s.st.Ledgers = map[string]*acctLedger{}
	}
	l := s.st.Ledgers[account]
	if l == nil {
		l = &acctLedger{}
		s.st.Ledgers[account] = l
	}
	return l
}

// pending is an event waiting to become an entry.
type pending struct {
	at      time.Time
	order   int64 // payment Seq, or the credit slot
	account string
	e       entry
}

// maxSlotsPerCall bounds how many invented credits one call may book per
// account, so that a clock moved years ahead cannot stall the simulator.
const maxSlotsPerCall = 100000

// materializeLocked books every payment that reached 8 Succeeded and every
// invented credit due by now. It reports whether the state changed.
func (s *Server) materializeLocked(now time.Time) (bool, error) {
	var evs []pending
	changed := false
	for _, p := range s.st.Payments {
		if p.Booked || p.Failed {
			continue
		}
		ph := p.statusAt(now, s.cfg.CancelledStatus)
		if ph.Status != StatusSucceeded {
			continue
		}
		p.Booked, changed = true, true
		acct, ok := s.c.accounts[p.Account]
		if !ok || acct.Currency != p.Currency {
			// The simulator has no exchange rates: a payment in another
			// currency than the account's is not booked on the statement.
			continue
		}
		evs = append(evs, pending{at: ph.Since, order: p.Seq, account: p.Account, e: debitEntry(p, ph.Since)})
	}
	if cr := s.cfg.Credits; cr.Every > 0 && s.st.CreditsFrom != nil {
		for _, bban := range s.accountOrder() {
			l := s.ledgerLocked(bban)
			acct := s.c.accounts[bban]
			for n := 0; n < maxSlotsPerCall; n++ {
				k := l.CreditSlot + 1
				at := s.st.CreditsFrom.Add(time.Duration(k) * cr.Every)
				if at.After(now) {
					break
				}
				l.CreditSlot, changed = k, true
				evs = append(evs, pending{at: at, order: k, account: bban, e: inventedCredit(cr, acct, k, at)})
			}
		}
	}
	sort.SliceStable(evs, func(i, j int) bool {
		if !evs[i].at.Equal(evs[j].at) {
			return evs[i].at.Before(evs[j].at)
		}
		if evs[i].e.Kind != evs[j].e.Kind {
			return evs[i].e.Kind == EntryPayment
		}
		return evs[i].order < evs[j].order
	})
	for i := range evs {
		if err := s.appendLocked(evs[i].account, evs[i].e); err != nil {
			return changed, err
		}
	}
	return changed, nil
}

// appendLocked assigns id, sequence and running balance and appends.
func (s *Server) appendLocked(account string, e entry) error {
	acct := s.c.accounts[account]
	l := s.ledgerLocked(account)
	bal := l.balance(acct.OpeningBalance)
	next := bal + e.Minor
	if (e.Minor > 0 && next < bal) || (e.Minor < 0 && next > bal) {
		return fmt.Errorf("bisim: account %s: balance overflows", account)
	}
	if s.st.NextEntryID == 0 {
		s.st.NextEntryID = 954400001
	}
	e.ID = fmt.Sprintf("%010d", s.st.NextEntryID)
	s.st.NextEntryID++
	e.Sequence = int64(len(l.Entries)) + 1
	e.Balance = next
	l.Entries = append(l.Entries, &e)
	return nil
}

// accountOrder is the configured accounts in a fixed order.
func (s *Server) accountOrder() []string {
	out := make([]string, 0, len(s.cfg.Accounts))
	for _, a := range s.cfg.Accounts {
		out = append(out, a.BBAN)
	}
	return out
}

func debitEntry(p *payment, at time.Time) entry {
	day := localDate(at).Format(dateLayout)
	e := entry{Kind: EntryPayment, BookedAt: at, Booking: day, Value: day, Minor: -p.AmountMinor,
		Text: p.Text, EndToEndID: p.EndToEndID, PaymentID: p.PaymentID, TransID: p.TransID, Reference: p.TransID,
		PartyName: p.CreditorName, PartyAccount: p.CreditorAccount, PartyText: p.CreditorText,
		PartyMessage: strings.Join(p.CreditorMessage, "\n"),
		Domain:       "PMNT", Family: "ICDT", SubFamily: "DMCT", TypeText: "BGS"}
	if e.Text == "" {
		e.Text = firstNonEmpty(p.CreditorText, p.CreditorName, "Overførsel")
	}
	return e
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// Credits configures the incoming payments the simulator invents: one per
// account every Every of simulated time, counted from when the simulator
// (or its state file) was first created. The content is a pure function of
// Seed, the account and the slot number, so two runs agree.
type Credits struct {
	Every time.Duration // 0: no invented credits (the default)
	Seed  uint64
	// MinMinor and MaxMinor bound the amount in minor units of the account
	// currency; defaults 100.00 and 25,000.00 (×100).
	MinMinor, MaxMinor int64
}

var creditPayers = []string{
	"Nordisk Byggemarked A/S", "Hansen & Søn ApS", "Aarhus Kommune", "Fjordkøl I/S", "Skov Elektrik ApS",
	"Jensen Revision A/S", "Bager Mølleren", "Vestjysk VVS ApS", "Dansk Maskinhandel A/S", "Østergaard Transport",
	"Kastrup Kontorforsyning ApS", "Lykke Catering", "Thomsen Tømrerfirma", "Sønderborg Trælast A/S",
}

var creditTexts = []string{"Faktura %d", "Betaling faktura %d", "Ordre %d", "Acontobetaling %d", "Kreditnota %d retur"}

// inventedCredit is slot k's credit for the account: deterministic.
func inventedCredit(cr Credits, acct *Account, k int64, at time.Time) entry {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", acct.BBAN, k)
	rng := rand.New(rand.NewPCG(cr.Seed, h.Sum64()))
	lo, hi := cr.MinMinor, cr.MaxMinor
	if lo <= 0 {
		lo = 10000
	}
	if hi < lo {
		hi = max(lo, 2500000)
	}
	amount := lo + rng.Int64N(hi-lo+1)
	if exp, _ := money.Exponent(acct.Currency); exp < 2 {
		// Wire amounts are hundredths; keep whole units of such currencies.
		amount -= amount % 100
		if amount <= 0 {
			amount = 100
		}
		amount = centsToMinorFloor(amount, acct.Currency)
	}
	payer := creditPayers[rng.IntN(len(creditPayers))]
	invoice := 20000 + rng.IntN(80000)
	text := fmt.Sprintf(creditTexts[rng.IntN(len(creditTexts))], invoice)
	from := fmt.Sprintf("%04d%010d", 1000+rng.IntN(9000), rng.Int64N(1e10))
	day := localDate(at).Format(dateLayout)
	return entry{Kind: EntryCredit, BookedAt: at, Booking: day, Value: day, Minor: amount,
		Text: "Indbetaling " + payer, EndToEndID: fmt.Sprintf("%016X%016X", h.Sum64(), cr.Seed^uint64(k)),
		Reference: "IN" + strconv.FormatInt(k, 10), PartyName: payer, PartyAccount: from, PartyText: text,
		Domain: "PMNT", Family: "RCDT", SubFamily: "DMCT", TypeText: "OVF"}
}

// centsToMinorFloor converts hundredths to minor units of a currency with
// fewer than two decimals, dropping what cannot be represented.
func centsToMinorFloor(cents int64, ccy string) int64 {
	exp, _ := money.Exponent(ccy)
	div := int64(1)
	for i := exp; i < 2; i++ {
		div *= 10
	}
	return cents / div
}

// Credit is an incoming payment injected through the control API.
type Credit struct {
	Account     string `json:"account"` // 14-digit BBAN
	Amount      string `json:"amount"`  // positive decimal, at most 2 decimals ("123.45")
	Name        string `json:"name"`    // the payer
	Text        string `json:"text"`    // the payer's text to us
	FromAccount string `json:"fromAccount,omitempty"`
	EndToEndID  string `json:"endToEndId,omitempty"`
}

// InjectCredit books an incoming payment now. It returns the new entry.
func (s *Server) InjectCredit(c Credit) (Entry, error) {
	acct, ok := s.c.accounts[c.Account]
	if !ok {
		return Entry{}, fmt.Errorf("bisim: credit: unknown account %q", c.Account)
	}
	amt, err := money.Parse(c.Amount, acct.Currency)
	if err != nil {
		return Entry{}, fmt.Errorf("bisim: credit: amount: %w", err)
	}
	if minorToCents(amt.Minor, acct.Currency) == 0 || mustCentsToMinor(minorToCents(amt.Minor, acct.Currency), acct.Currency) != amt.Minor {
		return Entry{}, fmt.Errorf("bisim: credit: amount %s has more than 2 decimals", c.Amount)
	}
	if strings.TrimSpace(c.Name) == "" {
		return Entry{}, fmt.Errorf("bisim: credit: name is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	if _, err := s.materializeLocked(now); err != nil {
		return Entry{}, err
	}
	day := localDate(now).Format(dateLayout)
	e := entry{Kind: EntryCredit, BookedAt: now, Booking: day, Value: day, Minor: amt.Minor,
		Text: "Indbetaling " + c.Name, EndToEndID: c.EndToEndID, PartyName: c.Name, PartyAccount: c.FromAccount,
		PartyText: c.Text, Reference: "SIM" + strconv.FormatInt(s.st.NextEntryID, 10),
		Domain: "PMNT", Family: "RCDT", SubFamily: "DMCT", TypeText: "OVF"}
	if err := s.appendLocked(c.Account, e); err != nil {
		return Entry{}, err
	}
	l := s.st.Ledgers[c.Account]
	out := exportEntry(l.Entries[len(l.Entries)-1], acct.Currency)
	return out, s.persistLocked()
}

func mustCentsToMinor(c int64, ccy string) int64 {
	m, err := centsToMinor(c, ccy)
	if err != nil {
		return -1
	}
	return m
}

// Redeliver makes the next newOnly statement of the account (for every ERP)
// start n entries before the cursor, so that entries already delivered come
// again: what a bank does when its cursor moved late. It tests that the
// client de-duplicates by entry id.
func (s *Server) Redeliver(account string, n int) error {
	if _, ok := s.c.accounts[account]; !ok {
		return fmt.Errorf("bisim: redeliver: unknown account %q", account)
	}
	if n < 0 {
		return fmt.Errorf("bisim: redeliver: count %d", n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ledgerLocked(account).Redeliver = n
	return s.persistLocked()
}

// Entry is a statement entry as the simulator booked it (for tests and the
// control API).
type Entry struct {
	ID          string    `json:"id"`
	Sequence    int64     `json:"sequence"`
	Kind        string    `json:"kind"`
	BookedAt    time.Time `json:"bookedAt"`
	BookingDate string    `json:"bookingDate"`
	Minor       int64     `json:"minor"`
	Balance     int64     `json:"balance"`
	Amount      string    `json:"amount"` // signed, two decimals, from Minor
	Currency    string    `json:"currency"`
	EndToEndID  string    `json:"endToEndId,omitempty"`
	PaymentID   string    `json:"paymentId,omitempty"`
	PartyName   string    `json:"partyName,omitempty"`
	PartyText   string    `json:"partyText,omitempty"`
	Text        string    `json:"text,omitempty"`
}

func exportEntry(e *entry, ccy string) Entry {
	return Entry{ID: e.ID, Sequence: e.Sequence, Kind: e.Kind, BookedAt: e.BookedAt, BookingDate: e.Booking,
		Minor: e.Minor, Balance: e.Balance, Amount: wireSigned(e.Minor, ccy), Currency: ccy,
		EndToEndID: e.EndToEndID, PaymentID: e.PaymentID, PartyName: e.PartyName, PartyText: e.PartyText, Text: e.Text}
}

// Entries books what is due and returns the account's entries in order.
func (s *Server) Entries(account string) ([]Entry, error) {
	acct, ok := s.c.accounts[account]
	if !ok {
		return nil, fmt.Errorf("bisim: unknown account %q", account)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	changed, err := s.materializeLocked(s.nowLocked())
	if err != nil {
		return nil, err
	}
	out := []Entry{}
	for _, e := range s.ledgerLocked(account).Entries {
		out = append(out, exportEntry(e, acct.Currency))
	}
	if changed {
		return out, s.persistLocked()
	}
	return out, nil
}

// wireSigned writes signed minor units as the API's two-decimal number.
func wireSigned(minor int64, ccy string) string {
	neg := minor < 0
	if neg {
		minor = -minor
	}
	s := formatCents(minorToCents(minor, ccy))
	if neg {
		return "-" + s
	}
	return s
}
