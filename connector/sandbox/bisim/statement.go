package bisim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// GET/POST /report/account (§3.4) and /report/balance (§3.5).

// Report error codes (the real service's are unknown, §3.6).
const (
	CodeReportDate  = "DATE"       // from/to malformed
	CodeReportRange = "DATE_RANGE" // from later than to, or too long
	CodeReportType  = "TYPE"       // balance type not 1, 2 or 3
)

// flexBool reads true/false or the strings "true"/"false" (the docs say
// newOnly "true"; C1 sends a JSON boolean).
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	s := strings.Trim(strings.TrimSpace(string(data)), `"`)
	switch strings.ToLower(s) {
	case "true", "1":
		*b = true
	case "false", "0", "", "null":
		*b = false
	default:
		return fmt.Errorf("newOnly %s is not a boolean", data)
	}
	return nil
}

// flexText reads a string or a number as text (balance type 1|2|3 may come
// either way).
type flexText string

func (t *flexText) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*t = flexText(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(data, &n); err != nil {
		return fmt.Errorf("type must be a string or a number")
	}
	*t = flexText(n.String())
	return nil
}

// reportRequest is the query of both report endpoints.
type reportRequest struct {
	RequestID string   `json:"requestId"`
	Type      flexText `json:"type"`
	From      string   `json:"from"`
	To        string   `json:"to"`
	NewOnly   flexBool `json:"newOnly"`
	Options   string   `json:"options"` // values unknown (§3.4): accepted and ignored
}

// readReportRequest reads the query string (GET) or the JSON body (POST).
func readReportRequest(r *http.Request, body []byte, berr error) (reportRequest, error) {
	var q reportRequest
	if r.Method == http.MethodGet {
		v := r.URL.Query()
		q.RequestID, q.Type, q.From, q.To, q.Options = v.Get("requestId"), flexText(v.Get("type")), v.Get("from"), v.Get("to"), v.Get("options")
		if s := v.Get("newOnly"); s != "" {
			if err := q.NewOnly.UnmarshalJSON([]byte(s)); err != nil {
				return q, err
			}
		}
		return q, nil
	}
	if berr != nil {
		return q, berr
	}
	if err := decodeStrictEnd(body, &q); err != nil {
		return q, fmt.Errorf("body is not {requestId, type, from, to, newOnly, options}: %w", err)
	}
	return q, nil
}

var errDate = errors.New("not a date")

// parseReportDate reads yyyy-MM-dd or yyMMdd (§3.4); empty is today.
func parseReportDate(s string, today time.Time) (time.Time, error) {
	switch len(s) {
	case 0:
		return today, nil
	case 10:
		if t, err := time.Parse(dateLayout, s); err == nil {
			return t, nil
		}
	case 6:
		if allDigits(s) {
			if t, err := time.Parse("060102", s); err == nil {
				return t, nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("%q: %w (want yyyy-MM-dd or yyMMdd)", s, errDate)
}

// dateRange resolves from/to: inclusive, default today in UTC (§3.4 says
// the dates are UTC), from ≤ to.
func dateRange(q reportRequest, now time.Time) (from, to time.Time, code string, err error) {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if from, err = parseReportDate(q.From, today); err != nil {
		return from, to, CodeReportDate, fmt.Errorf("from %w", err)
	}
	if to, err = parseReportDate(q.To, today); err != nil {
		return from, to, CodeReportDate, fmt.Errorf("to %w", err)
	}
	if from.After(to) {
		return from, to, CodeReportRange, fmt.Errorf("From date cannot be later than to date (%s > %s)",
			from.Format(dateLayout), to.Format(dateLayout))
	}
	return from, to, "", nil
}

func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	body, berr := readBody(w, r) // before any answer; see handlePayment
	id, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	q, err := readReportRequest(r, body, berr)
	if err != nil {
		badRequest(w, id.hdr.RequestID, "FORMAT", "%v", err)
		return
	}
	if q.RequestID == "" {
		badRequest(w, id.hdr.RequestID, "REQUEST_ID", "requestId is required")
		return
	}
	if aerr := id.verify(q.RequestID, []signed{{ID: q.RequestID}}); aerr != nil {
		writeUnauthorized(w, q.RequestID, aerr)
		return
	}
	s.mu.Lock()
	now := s.nowLocked()
	from, to, code, err := dateRange(q, now)
	if err != nil && bool(q.NewOnly) && r.URL.Path == "/report/account" {
		err = nil // newOnly ignores from/to (§3.4)
	}
	if err != nil {
		s.mu.Unlock()
		badRequest(w, q.RequestID, code, "%v", err)
		return
	}
	changed, merr := s.materializeLocked(now)
	var status int
	var out any
	if merr == nil {
		if r.URL.Path == "/report/account" {
			var moved bool
			out, moved = s.accountReportLocked(id, q, from, to, now)
			changed = changed || moved
			status = http.StatusOK
		} else {
			out, status, code, err = s.balanceReportLocked(id, q, from, to, now)
		}
	}
	var perr error
	if changed {
		perr = s.persistLocked()
	}
	s.mu.Unlock()
	switch {
	case merr != nil:
		serverError(w, q.RequestID, merr)
	case perr != nil:
		serverError(w, q.RequestID, perr)
	case err != nil:
		badRequest(w, q.RequestID, code, "%v", err)
	default:
		writeJSON(w, status, out)
	}
}

// Wire shapes (§3.4). Amounts are json.Number written from integers.

type reportHeader struct {
	Account   string     `json:"account"`
	RequestID string     `json:"requestId"`
	Created   string     `json:"created"`
	Currency  string     `json:"currency"`
	Name      string     `json:"name,omitempty"`
	BIC       string     `json:"bic,omitempty"`
	Owner     *wireOwner `json:"owner,omitempty"`
	From      string     `json:"from"`
	To        string     `json:"to"`
}

type wireOwner struct {
	Name string `json:"name"`
}

type accountReport struct {
	reportHeader
	Entries []wireEntry `json:"entries"`
}

type wireDate struct {
	Booking string `json:"booking"`
	Value   string `json:"value"`
}

type wireParty struct {
	Name string `json:"name,omitempty"`
}

type wireTxCodes struct {
	Domain    string `json:"domain"`
	Family    string `json:"family"`
	SubFamily string `json:"subFamily"`
}

type wireEntry struct {
	ID               string       `json:"id"`
	Sequence         int64        `json:"sequence"`
	Date             wireDate     `json:"date"`
	Amount           json.Number  `json:"amount"`
	Balance          json.Number  `json:"balance"`
	Text             string       `json:"text,omitempty"`
	Type             string       `json:"type,omitempty"`
	PrimaryReference string       `json:"primaryReference,omitempty"`
	EndToEndID       string       `json:"endToEndId,omitempty"`
	DebtorsPaymentID string       `json:"debtorsPaymentId,omitempty"`
	DebtorText       string       `json:"debtorText,omitempty"`
	DebtorAccount    string       `json:"debtorAccount,omitempty"`
	CreditorText     string       `json:"creditorText,omitempty"`
	CreditorMessage  string       `json:"creditorMessage,omitempty"`
	CreditorAccount  string       `json:"creditorAccount,omitempty"`
	Debtor           *wireParty   `json:"debtor,omitempty"`
	Creditor         *wireParty   `json:"creditor,omitempty"`
	TransactionCodes wireTxCodes  `json:"transactionCodes"`
	Amounts          *wireAmounts `json:"amounts,omitempty"`
}

// wireAmounts is the "Full" type's addition; its real content is unknown
// (§3.4), so this shape is invented: the booked and instructed amounts.
type wireAmounts struct {
	Booked     moneyWire `json:"booked"`
	Instructed moneyWire `json:"instructed"`
}

func (s *Server) header(id identity, reqID string, now time.Time, from, to string) reportHeader {
	a := id.account
	h := reportHeader{Account: a.BBAN, RequestID: reqID, Created: copenhagen(now).Format(wireTimeLayout),
		Currency: a.Currency, Name: a.Name, BIC: a.BIC, From: from, To: to}
	if a.Owner != "" {
		h.Owner = &wireOwner{Name: a.Owner}
	}
	return h
}

// accountReportLocked selects the entries and, for newOnly, moves the
// delivered cursor (reported as moved).
func (s *Server) accountReportLocked(id identity, q reportRequest, from, to, now time.Time) (accountReport, bool) {
	a := id.account
	l := s.ledgerLocked(a.BBAN)
	full := strings.EqualFold(string(q.Type), "Full")
	var sel []*entry
	moved := false
	if q.NewOnly {
		if l.Cursors == nil {
			l.Cursors = map[string]int64{}
		}
		cur := l.Cursors[id.hdr.ServiceProvider]
		start := cur - int64(s.cfg.OverlapEntries+l.Redeliver)
		if l.Redeliver > 0 {
			l.Redeliver, moved = 0, true
		}
		for _, e := range l.Entries {
			if e.Sequence > start {
				sel = append(sel, e)
			}
		}
		if n := len(l.Entries); n > 0 && l.Entries[n-1].Sequence > cur {
			l.Cursors[id.hdr.ServiceProvider], moved = l.Entries[n-1].Sequence, true
		}
		// from/to are ignored; the answer states the booking dates covered.
		from, to = now, now
		if len(sel) > 0 {
			from, _ = time.Parse(dateLayout, sel[0].Booking)
			to, _ = time.Parse(dateLayout, sel[len(sel)-1].Booking)
		} else {
			from = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
			to = from
		}
	} else {
		lo, hi := from.Format(dateLayout), to.Format(dateLayout)
		for _, e := range l.Entries {
			if e.Booking >= lo && e.Booking <= hi {
				sel = append(sel, e)
			}
		}
	}
	out := accountReport{reportHeader: s.header(id, q.RequestID, now, from.Format(authTimeLayout), to.Format(authTimeLayout)),
		Entries: make([]wireEntry, 0, len(sel))}
	for _, e := range sel {
		out.Entries = append(out.Entries, toWire(e, a.Currency, full))
	}
	return out, moved
}

func toWire(e *entry, ccy string, full bool) wireEntry {
	w := wireEntry{ID: e.ID, Sequence: e.Sequence,
		Date:   wireDate{Booking: e.Booking + "T00:00:00", Value: e.Value + "T00:00:00"},
		Amount: json.Number(wireSigned(e.Minor, ccy)), Balance: json.Number(wireSigned(e.Balance, ccy)),
		Text: e.Text, Type: e.TypeText, PrimaryReference: e.Reference, EndToEndID: e.EndToEndID,
		TransactionCodes: wireTxCodes{e.Domain, e.Family, e.SubFamily}}
	if e.Kind == EntryPayment {
		w.DebtorsPaymentID = e.PaymentID
		w.CreditorText, w.CreditorMessage, w.CreditorAccount = e.PartyText, e.PartyMessage, e.PartyAccount
		if e.PartyName != "" {
			w.Creditor = &wireParty{Name: e.PartyName}
		}
	} else {
		// The payer's text to us is what we, the creditor, read.
		w.CreditorText, w.CreditorMessage = e.PartyText, e.PartyMessage
		w.DebtorAccount = e.PartyAccount
		if e.PartyName != "" {
			w.Debtor = &wireParty{Name: e.PartyName}
			w.DebtorText = e.PartyName
		}
	}
	if full {
		mag := e.Minor
		if mag < 0 {
			mag = -mag
		}
		m := moneyWire{json.Number(wireSigned(mag, ccy)), ccy}
		w.Amounts = &wireAmounts{Booked: m, Instructed: m}
	}
	return w
}

// Balance types (§3.5).
const (
	BalanceOpening = 1
	BalanceClosing = 2
	BalanceBoth    = 3
)

type balanceReport struct {
	reportHeader
	Entries []balanceLine `json:"entries"`
}

type balanceLine struct {
	Date   string      `json:"date"`
	Amount json.Number `json:"amount"`
	Type   int         `json:"type"`
}

// balanceReportLocked lists, per day of the range, the opening balance
// (before the day's first entry) and the closing one (after its last),
// leaving out days after the bank date and today's closing (the day has
// not ended; §4.8 [INF]).
func (s *Server) balanceReportLocked(id identity, q reportRequest, from, to, now time.Time) (balanceReport, int, string, error) {
	typ := BalanceBoth
	if t := strings.TrimSpace(string(q.Type)); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < BalanceOpening || n > BalanceBoth {
			return balanceReport{}, 0, CodeReportType, fmt.Errorf("type %q must be 1 (opening), 2 (closing) or 3 (both)", t)
		}
		typ = n
	}
	if days := int(to.Sub(from).Hours()/24) + 1; days > s.cfg.MaxReportDays {
		return balanceReport{}, 0, CodeReportRange, fmt.Errorf("%d days requested; at most %d", days, s.cfg.MaxReportDays)
	}
	a := id.account
	l := s.ledgerLocked(a.BBAN)
	bankToday := localDate(now)
	out := balanceReport{reportHeader: s.header(id, q.RequestID, now, from.Format(dateLayout), to.Format(dateLayout)),
		Entries: []balanceLine{}}
	i, bal := 0, a.OpeningBalance
	for d := from; !d.After(to) && !d.After(bankToday); d = d.AddDate(0, 0, 1) {
		day := d.Format(dateLayout)
		for i < len(l.Entries) && l.Entries[i].Booking < day {
			bal = l.Entries[i].Balance
			i++
		}
		if typ&BalanceOpening != 0 {
			out.Entries = append(out.Entries, balanceLine{day, json.Number(wireSigned(bal, a.Currency)), BalanceOpening})
		}
		closing := bal
		for j := i; j < len(l.Entries) && l.Entries[j].Booking == day; j++ {
			closing = l.Entries[j].Balance
		}
		if typ&BalanceClosing != 0 && d.Before(bankToday) {
			out.Entries = append(out.Entries, balanceLine{day, json.Number(wireSigned(closing, a.Currency)), BalanceClosing})
		}
	}
	return out, http.StatusOK, "", nil
}

// anchorCreditsLocked starts the invented-credit schedule at the current
// simulated time unless the state already has one.
func (s *Server) anchorCreditsLocked() {
	if s.cfg.Credits.Every > 0 && s.st.CreditsFrom == nil {
		t := s.nowLocked()
		s.st.CreditsFrom = &t
	}
}

func (s *Server) ctlCredit(w http.ResponseWriter, r *http.Request) {
	var c Credit
	if !readControl(w, r, &c) {
		return
	}
	e, err := s.InjectCredit(c)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, ctlError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (s *Server) ctlRedeliver(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account string `json:"account"`
		Count   int    `json:"count"`
	}
	if !readControl(w, r, &req) {
		return
	}
	if req.Count == 0 {
		req.Count = 1
	}
	if err := s.Redeliver(req.Account, req.Count); err != nil {
		writeJSON(w, http.StatusBadRequest, ctlError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, req)
}

func (s *Server) ctlEntries(w http.ResponseWriter, r *http.Request) {
	es, err := s.Entries(r.URL.Query().Get("account"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, ctlError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, es)
}
