package bankintegration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"erpconnector/formats"
	"erpconnector/formats/bijson"
	"erpconnector/formats/money"
	"erpconnector/formats/statement"
)

// Account statement (POST /report/account, spec §3.4) and balances (POST
// /report/balance, §3.5). Both are signed like /status: one hash object
// with id = requestId. Decisions:
//
//   - POST with a JSON body (C1's form); type "Simple"; from/to as
//     yyyy-MM-dd, left out when zero (the bank's default is today, UTC) and
//     when newOnly (the bank ignores them then).
//   - Amounts are read from the JSON number text, exponents applied by
//     moving the point, and must be exact in the account currency's minor
//     unit: "25417.0" and "154.000" are fine, "0.005" DKK is refused. Never
//     a float.
//   - Entries come in booking order with the running balance after each;
//     the client checks previous balance + amount = balance for every
//     entry, and derives the opening balance (first balance − first
//     amount) and the closing one (last balance). Without entries, or when
//     an entry has no balance, the balances are unknown (BalancesKnown
//     false): ask Balance for them.
//   - The same entry id twice in one answer with identical content is
//     dropped (counted in Repeated); with different content the answer is
//     refused. Across answers the caller de-duplicates by Entry.ID.
//   - newOnly moves the bank's delivered cursor when the bank processes the
//     request. An error that wraps bank.ErrOutcomeUnknown therefore may
//     have consumed entries: fetch the period again with from/to.
//   - Debit (negative) entries take the counterparty from creditor /
//     creditorAccount / creditorBic, credits from debtor / debtorAccount /
//     debtorBic. The remittance is creditorMessage, else creditorText (the
//     text for the payee), plus ocrReference as a structured reference.
//     debtorsPaymentId becomes InstructionID, primaryReference
//     BankReference.

// ErrBadAnswer wraps a 2xx answer that is not a statement or balance we can
// use exactly: malformed JSON, an inexact amount, balances that do not add
// up, an answer about another account or request.
var ErrBadAnswer = errors.New("bankintegration: unusable report answer")

// StatementResult is one /report/account answer.
type StatementResult struct {
	RequestID string
	// Statement has Account, Currency, Name, Owner, BIC, From, To, Created
	// and Entries filled; Opening and Closing only when BalancesKnown. ID
	// and Sequence are the caller's.
	Statement     statement.Statement
	BalancesKnown bool
	// Sequences and Balances are the bank's sequence number and running
	// balance (minor units) of each entry, parallel to Statement.Entries
	// (0 where the bank gave none).
	Sequences []int64
	Balances  []int64
	Repeated  int // identical repeats of an entry dropped from this answer
	Raw       []byte
}

// Statement fetches the entries of the debtor account booked from..to
// (inclusive; zero dates mean the bank's default, today), or with newOnly
// the entries not yet delivered.
func (c *Client) Statement(ctx context.Context, debtor string, from, to formats.Date, newOnly bool) (*StatementResult, error) {
	body := map[string]any{"type": "Simple"}
	if newOnly {
		body["newOnly"] = true
	} else {
		addRange(body, from, to)
	}
	raw, reqID, err := c.report(ctx, "/report/account", debtor, body)
	if err != nil {
		return nil, err
	}
	res, err := ParseStatement(raw)
	if err != nil {
		return nil, fmt.Errorf("/report/account: %w", err)
	}
	if err := checkEcho(res.RequestID, reqID, res.Statement.Account.Number, debtor); err != nil {
		return nil, fmt.Errorf("/report/account: %w", err)
	}
	return res, nil
}

func addRange(body map[string]any, from, to formats.Date) {
	if !from.IsZero() {
		body["from"] = from.String()
	}
	if !to.IsZero() {
		body["to"] = to.String()
	}
}

func checkEcho(gotReq, wantReq, gotAcct, wantAcct string) error {
	if gotReq != wantReq {
		return fmt.Errorf("%w: answer is for requestId %q, not %q", ErrBadAnswer, gotReq, wantReq)
	}
	if gotAcct != wantAcct {
		return fmt.Errorf("%w: answer is for account %q, not %q", ErrBadAnswer, gotAcct, wantAcct)
	}
	return nil
}

// report signs and posts one report request with a fresh requestId.
func (c *Client) report(ctx context.Context, path, debtor string, body map[string]any) ([]byte, string, error) {
	cr, err := c.creds(debtor)
	if err != nil {
		return nil, "", err
	}
	reqID := newRequestID()
	body["requestId"] = reqID
	auth, err := bijson.RequestAuthorization(cr, reqID, c.now())
	if err != nil {
		return nil, "", err
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, "", err
	}
	raw, err := c.doRaw(ctx, path, auth, b)
	return raw, reqID, err
}

// Wire shapes. Unknown members are ignored: the full entry schema is not
// public (§3.4) and the bank may send more.
type wireReport struct {
	Account   string      `json:"account"`
	RequestID string      `json:"requestId"`
	Created   string      `json:"created"`
	Currency  string      `json:"currency"`
	Name      string      `json:"name"`
	BIC       string      `json:"bic"`
	Owner     *wireParty  `json:"owner"`
	From      string      `json:"from"`
	To        string      `json:"to"`
	Entries   []wireEntry `json:"entries"`
}

type wireParty struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type wireEntry struct {
	ID       string `json:"id"`
	Sequence *int64 `json:"sequence"`
	Date     *struct {
		Booking string `json:"booking"`
		Value   string `json:"value"`
	} `json:"date"`
	Amount           json.Number `json:"amount"`
	Balance          json.Number `json:"balance"`
	Text             string      `json:"text"`
	Type             string      `json:"type"`
	PrimaryReference string      `json:"primaryReference"`
	EndToEndID       string      `json:"endToEndId"`
	OCRReference     string      `json:"ocrReference"`
	OCRType          string      `json:"ocrType"`
	DebtorsPaymentID string      `json:"debtorsPaymentId"`
	DebtorText       string      `json:"debtorText"`
	DebtorMessage    string      `json:"debtorMessage"`
	DebtorBIC        string      `json:"debtorBic"`
	DebtorAccount    string      `json:"debtorAccount"`
	CreditorText     string      `json:"creditorText"`
	CreditorMessage  string      `json:"creditorMessage"`
	CreditorBIC      string      `json:"creditorBic"`
	CreditorAccount  string      `json:"creditorAccount"`
	Debtor           *wireParty  `json:"debtor"`
	Creditor         *wireParty  `json:"creditor"`
	TransactionCodes *struct {
		Domain    string `json:"domain"`
		Family    string `json:"family"`
		SubFamily string `json:"subFamily"`
	} `json:"transactionCodes"`
}

// decodeOne decodes exactly one JSON value, numbers as text.
func decodeOne(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// ParseStatement reads a /report/account answer exactly.
func ParseStatement(body []byte) (*StatementResult, error) {
	var w wireReport
	if err := decodeOne(body, &w); err != nil {
		return nil, fmt.Errorf("%w: not a statement: %v", ErrBadAnswer, err)
	}
	exp, ok := money.Exponent(w.Currency)
	if !ok {
		return nil, fmt.Errorf("%w: currency %q", ErrBadAnswer, w.Currency)
	}
	if w.Account == "" {
		return nil, fmt.Errorf("%w: account missing", ErrBadAnswer)
	}
	res := &StatementResult{RequestID: w.RequestID, Raw: body, BalancesKnown: len(w.Entries) > 0}
	st := &res.Statement
	st.Account = formats.Account{Number: w.Account, Country: "DK", Currency: w.Currency}
	st.Currency, st.Name, st.BIC = w.Currency, w.Name, w.BIC
	if w.Owner != nil {
		st.Owner = w.Owner.Name
	}
	if w.Created != "" {
		t, err := parseCreated(w.Created)
		if err != nil {
			return nil, fmt.Errorf("%w: created %q", ErrBadAnswer, w.Created)
		}
		st.Created = t
	}
	var err error
	if st.From, err = datePart(w.From); err != nil {
		return nil, fmt.Errorf("%w: from: %v", ErrBadAnswer, err)
	}
	if st.To, err = datePart(w.To); err != nil {
		return nil, fmt.Errorf("%w: to: %v", ErrBadAnswer, err)
	}
	seen := map[string]int{} // id → index in w.Entries
	for i := range w.Entries {
		we := &w.Entries[i]
		if j, dup := seen[we.ID]; dup && we.ID != "" {
			if !sameEntry(&w.Entries[j], we) {
				return nil, fmt.Errorf("%w: entry %q appears twice with different content", ErrBadAnswer, we.ID)
			}
			res.Repeated++
			continue
		}
		seen[we.ID] = i
		e, bal, hasBal, err := mapEntry(we, w.Currency, exp)
		if err != nil {
			return nil, fmt.Errorf("%w: entries[%d]: %v", ErrBadAnswer, i, err)
		}
		var seq int64
		if we.Sequence != nil {
			seq = *we.Sequence
		}
		res.BalancesKnown = res.BalancesKnown && hasBal
		st.Entries = append(st.Entries, e)
		res.Sequences = append(res.Sequences, seq)
		res.Balances = append(res.Balances, bal)
	}
	if res.BalancesKnown {
		if err := chain(res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func sameEntry(a, b *wireEntry) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// chain checks the running balances and sets opening and closing.
func chain(res *StatementResult) error {
	st := &res.Statement
	first := st.Entries[0]
	open, ok := addMinor(res.Balances[0], -first.Minor)
	if !ok {
		return fmt.Errorf("%w: opening balance overflows", ErrBadAnswer)
	}
	bal := open
	for i, e := range st.Entries {
		next, ok := addMinor(bal, e.Minor)
		if !ok || next != res.Balances[i] {
			exp, _ := money.Exponent(st.Currency)
			return fmt.Errorf("%w: entry %q: balance %s + amount %s is not the stated balance %s", ErrBadAnswer, e.ID,
				money.FormatMinor(bal, exp), money.FormatMinor(e.Minor, exp), money.FormatMinor(res.Balances[i], exp))
		}
		bal = next
	}
	st.Opening = statement.Balance{Minor: open, Date: st.From}
	st.Closing = statement.Balance{Minor: bal, Date: st.To}
	if st.From.IsZero() {
		st.Opening.Date = first.BookingDate
	}
	if st.To.IsZero() {
		st.Closing.Date = st.Entries[len(st.Entries)-1].BookingDate
	}
	if err := st.Check(); err != nil {
		return fmt.Errorf("%w: %v", ErrBadAnswer, err)
	}
	return nil
}

func addMinor(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

func mapEntry(we *wireEntry, ccy string, exp int) (statement.Entry, int64, bool, error) {
	e := statement.Entry{ID: we.ID, Currency: ccy, EndToEndID: we.EndToEndID, BankReference: we.PrimaryReference,
		InstructionID: we.DebtorsPaymentID, Text: we.Text}
	if strings.TrimSpace(we.ID) == "" {
		return e, 0, false, errors.New("id missing")
	}
	if we.Date == nil || we.Date.Booking == "" {
		return e, 0, false, fmt.Errorf("%s: date.booking missing", we.ID)
	}
	var err error
	if e.BookingDate, err = datePart(we.Date.Booking); err != nil {
		return e, 0, false, fmt.Errorf("%s: date.booking: %v", we.ID, err)
	}
	e.ValueDate = e.BookingDate
	if we.Date.Value != "" {
		if e.ValueDate, err = datePart(we.Date.Value); err != nil {
			return e, 0, false, fmt.Errorf("%s: date.value: %v", we.ID, err)
		}
	}
	if we.Amount == "" {
		return e, 0, false, fmt.Errorf("%s: amount missing", we.ID)
	}
	if e.Minor, err = ExactMinor(string(we.Amount), exp); err != nil {
		return e, 0, false, fmt.Errorf("%s: amount: %v", we.ID, err)
	}
	if e.Minor == 0 {
		return e, 0, false, fmt.Errorf("%s: amount is zero", we.ID)
	}
	var bal int64
	hasBal := we.Balance != ""
	if hasBal {
		if bal, err = ExactMinor(string(we.Balance), exp); err != nil {
			return e, 0, false, fmt.Errorf("%s: balance: %v", we.ID, err)
		}
	}
	party, acct, bic := we.Creditor, we.CreditorAccount, we.CreditorBIC
	if e.Minor > 0 {
		party, acct, bic = we.Debtor, we.DebtorAccount, we.DebtorBIC
	}
	if party != nil {
		e.Counterparty.Name = party.Name
	}
	if e.Counterparty.Name == "" && e.Minor > 0 {
		e.Counterparty.Name = we.DebtorText
	}
	e.CounterpartyAccount = counterpartyAccount(acct)
	e.CounterpartyBIC = bic
	e.Remittance.Unstructured = we.CreditorMessage
	if e.Remittance.Unstructured == "" {
		e.Remittance.Unstructured = we.CreditorText
	}
	if we.OCRReference != "" {
		e.Remittance.Reference, e.Remittance.ReferenceType = we.OCRReference, "FIK"+we.OCRType
	}
	if tc := we.TransactionCodes; tc != nil {
		e.TxCode = statement.TxCode{Domain: tc.Domain, Family: tc.Family, SubFamily: tc.SubFamily}
	}
	return e, bal, hasBal, nil
}

// counterpartyAccount: a 14-digit number is a Danish BBAN, two letters and
// digits an IBAN, anything else is kept as given.
func counterpartyAccount(s string) formats.Account {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return formats.Account{}
	case len(s) == 14 && digitsOnly(s):
		return formats.Account{Number: s, Country: "DK"}
	case len(s) > 4 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && digitsOnly(s[2:4]):
		return formats.Account{IBAN: strings.ReplaceAll(s, " ", "")}
	}
	return formats.Account{Number: s}
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// datePart reads "yyyy-MM-dd" optionally followed by "T…" (the statement's
// "2015-05-21T00:00:00"). Empty gives the zero date.
func datePart(s string) (formats.Date, error) {
	if s == "" {
		return formats.Date{}, nil
	}
	if len(s) > 10 && s[10] == 'T' {
		s = s[:10]
	}
	return formats.ParseDate("2006-01-02", s)
}

func parseCreated(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("not a time")
}

// maxExponent bounds a JSON number's exponent: an amount needs no more.
const maxExponent = 40

// ExactMinor converts a JSON number literal to minor units with exp
// decimals, exactly: digits past exp must be zeros, the value must fit in
// int64. Exponents are applied by moving the point in the digit string.
func ExactMinor(lit string, exp int) (int64, error) {
	s := lit
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	mant, e10 := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		es := strings.TrimPrefix(s[i+1:], "+")
		eneg := strings.HasPrefix(es, "-")
		es = strings.TrimPrefix(es, "-")
		if es == "" || len(es) > 3 || !digitsOnly(es) {
			return 0, fmt.Errorf("%q: bad exponent", lit)
		}
		for j := 0; j < len(es); j++ {
			e10 = e10*10 + int(es[j]-'0')
		}
		if eneg {
			e10 = -e10
		}
		if e10 > maxExponent || e10 < -maxExponent {
			return 0, fmt.Errorf("%q: exponent out of range", lit)
		}
	}
	ip, fp, hasPoint := strings.Cut(mant, ".")
	if !digitsOnly(ip) || (hasPoint && !digitsOnly(fp)) || (len(ip) > 1 && ip[0] == '0') {
		return 0, fmt.Errorf("%q is not a JSON number", lit)
	}
	digits := ip + fp
	// value = digits × 10^(e10 − len(fp)); minor = digits × 10^(e10 − len(fp) + exp)
	shift := e10 - len(fp) + exp
	if shift < 0 {
		cut := -shift
		if cut > len(digits) {
			digits = strings.Repeat("0", cut-len(digits)) + digits
		}
		if strings.TrimLeft(digits[len(digits)-cut:], "0") != "" {
			return 0, fmt.Errorf("%q has more than %d decimals", lit, exp)
		}
		digits, shift = digits[:len(digits)-cut], 0
	}
	var v int64
	for j := 0; j < len(digits); j++ {
		d := int64(digits[j] - '0')
		if v > (math.MaxInt64-d)/10 {
			return 0, fmt.Errorf("%q: out of range", lit)
		}
		v = v*10 + d
	}
	for ; shift > 0 && v != 0; shift-- {
		if v > math.MaxInt64/10 {
			return 0, fmt.Errorf("%q: out of range", lit)
		}
		v *= 10
	}
	if neg {
		v = -v
	}
	return v, nil
}

// Balance types of /report/balance.
const (
	BalanceOpening = 1 // the day's opening balance
	BalanceClosing = 2 // end of day
)

// DayBalance is one line of a balance answer.
type DayBalance struct {
	Date  formats.Date
	Type  int   // BalanceOpening or BalanceClosing
	Minor int64 // signed, account currency minor units
}

// BalanceResult is one /report/balance answer.
type BalanceResult struct {
	RequestID string
	Account   string
	Currency  string
	From, To  formats.Date
	Balances  []DayBalance // by date, opening before closing
	Raw       []byte
}

// Opening is the opening balance of the day, if the answer has it.
func (b *BalanceResult) Opening(d formats.Date) (statement.Balance, bool) {
	return b.find(d, BalanceOpening)
}

// Closing is the closing balance of the day, if the answer has it (today's
// is normally absent until the day ends).
func (b *BalanceResult) Closing(d formats.Date) (statement.Balance, bool) {
	return b.find(d, BalanceClosing)
}

func (b *BalanceResult) find(d formats.Date, typ int) (statement.Balance, bool) {
	for _, x := range b.Balances {
		if x.Date == d && x.Type == typ {
			return statement.Balance{Minor: x.Minor, Date: d}, true
		}
	}
	return statement.Balance{}, false
}

// Balance asks for the opening and closing balances of every day from..to
// (type 3; zero dates: the bank's default, today).
func (c *Client) Balance(ctx context.Context, debtor string, from, to formats.Date) (*BalanceResult, error) {
	body := map[string]any{"type": 3}
	addRange(body, from, to)
	raw, reqID, err := c.report(ctx, "/report/balance", debtor, body)
	if err != nil {
		return nil, err
	}
	res, err := ParseBalance(raw)
	if err != nil {
		return nil, fmt.Errorf("/report/balance: %w", err)
	}
	if err := checkEcho(res.RequestID, reqID, res.Account, debtor); err != nil {
		return nil, fmt.Errorf("/report/balance: %w", err)
	}
	return res, nil
}

// ParseBalance reads a /report/balance answer exactly. A day may carry each
// type once; lines must be in date order.
func ParseBalance(body []byte) (*BalanceResult, error) {
	var w struct {
		Account   string `json:"account"`
		RequestID string `json:"requestId"`
		Currency  string `json:"currency"`
		From      string `json:"from"`
		To        string `json:"to"`
		Entries   []struct {
			Date   string      `json:"date"`
			Amount json.Number `json:"amount"`
			Type   json.Number `json:"type"`
		} `json:"entries"`
	}
	if err := decodeOne(body, &w); err != nil {
		return nil, fmt.Errorf("%w: not a balance answer: %v", ErrBadAnswer, err)
	}
	exp, ok := money.Exponent(w.Currency)
	if !ok {
		return nil, fmt.Errorf("%w: currency %q", ErrBadAnswer, w.Currency)
	}
	res := &BalanceResult{RequestID: w.RequestID, Account: w.Account, Currency: w.Currency, Raw: body}
	var err error
	if res.From, err = datePart(w.From); err != nil {
		return nil, fmt.Errorf("%w: from: %v", ErrBadAnswer, err)
	}
	if res.To, err = datePart(w.To); err != nil {
		return nil, fmt.Errorf("%w: to: %v", ErrBadAnswer, err)
	}
	for i, x := range w.Entries {
		d, err := datePart(x.Date)
		if err != nil || d.IsZero() {
			return nil, fmt.Errorf("%w: entries[%d]: date %q", ErrBadAnswer, i, x.Date)
		}
		var typ int
		switch x.Type {
		case "1":
			typ = BalanceOpening
		case "2":
			typ = BalanceClosing
		default:
			return nil, fmt.Errorf("%w: entries[%d]: type %q is not 1 or 2", ErrBadAnswer, i, x.Type)
		}
		if x.Amount == "" {
			return nil, fmt.Errorf("%w: entries[%d]: amount missing", ErrBadAnswer, i)
		}
		m, err := ExactMinor(string(x.Amount), exp)
		if err != nil {
			return nil, fmt.Errorf("%w: entries[%d]: %v", ErrBadAnswer, i, err)
		}
		if n := len(res.Balances); n > 0 {
			p := res.Balances[n-1]
			if d.Before(p.Date) || (d == p.Date && typ <= p.Type) {
				return nil, fmt.Errorf("%w: entries[%d]: %s type %d out of order", ErrBadAnswer, i, d, typ)
			}
		}
		res.Balances = append(res.Balances, DayBalance{Date: d, Type: typ, Minor: m})
	}
	return res, nil
}
