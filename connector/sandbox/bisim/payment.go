package bisim

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"erpconnector/formats/money"
)

type paymentRequest struct {
	RequestID    string            `json:"requestId"`
	Transactions []json.RawMessage `json:"transactions"`
	Options      requestOptions    `json:"options"`
}

type requestOptions struct {
	WaitForBankResponse bool `json:"waitForBankResponse"`
	CheckPaymentStatus  bool `json:"checkPaymentStatus"`
	MoveToNextBankDate  bool `json:"moveToNextBankDate"`
	UseIban             bool `json:"useIban"`
	SkipDuplicateCheck  bool `json:"skipDuplicateCheck"`
}

// txWire is a transaction as sent. Unknown members are ignored: the full
// schema is not public and real clients send more than is listed.
type txWire struct {
	PaymentID       string          `json:"paymentId"`
	PaymentDate     string          `json:"paymentDate"`
	Urgency         json.Number     `json:"urgency"`
	Amount          json.RawMessage `json:"amount"`
	Type            json.Number     `json:"type"`
	Currency        string          `json:"currency"`
	Account         string          `json:"account"`
	Text            string          `json:"text"`
	CreditorText    string          `json:"creditorText"`
	CreditorMessage []string        `json:"creditorMessage"`
	Creditor        json.RawMessage `json:"creditor"`

	amount    wireAmount
	amountErr error
	creditor  creditorWire
}

type creditorWire struct {
	Name       string `json:"name"`
	StreetName string `json:"streetName"`
	StreetNbr  string `json:"streetNbr"`
	PostalCode string `json:"postalCode"`
	City       string `json:"city"`
	Country    string `json:"country"`
	BIC        string `json:"bic"`
}

// decodePaymentRequest parses the body. Errors here are whole-request (400):
// not JSON, wrong member types, no transactions.
func decodePaymentRequest(body []byte) (paymentRequest, []txWire, error) {
	var req paymentRequest
	if err := decodeStrictEnd(body, &req); err != nil {
		return req, nil, err
	}
	txs := make([]txWire, len(req.Transactions))
	for i, raw := range req.Transactions {
		if err := decodeStrictEnd(raw, &txs[i]); err != nil {
			return req, nil, fmt.Errorf("transactions[%d]: %w", i, err)
		}
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			return req, nil, fmt.Errorf("transactions[%d]: null", i)
		}
		tx := &txs[i]
		tx.amount, tx.amountErr = parseWireAmount(tx.Amount)
		if len(tx.Creditor) > 0 && !bytes.Equal(bytes.TrimSpace(tx.Creditor), []byte("null")) {
			if err := json.Unmarshal(tx.Creditor, &tx.creditor); err != nil {
				return req, nil, fmt.Errorf("transactions[%d].creditor: %w", i, err)
			}
		}
	}
	return req, txs, nil
}

// decodeStrictEnd decodes one JSON value with numbers kept as text and
// refuses trailing data.
func decodeStrictEnd(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// signedFor is what the client must have hashed for a transaction.
func (tx *txWire) signed() signed {
	pd := strings.ReplaceAll(tx.PaymentDate, "-", "")
	if len(tx.PaymentDate) >= 10 {
		if d, err := time.Parse(dateLayout, tx.PaymentDate[:10]); err == nil {
			pd = d.Format("20060102")
		}
	}
	return signed{ID: tx.PaymentID, Currency: tx.Currency, PayDate: pd, Amount: tx.amount.hashText(), CredAcc: tx.Account}
}

// paymentResponse is the /payment, /status and /payment/cancel body.
type paymentResponse struct {
	Account   string   `json:"account"`
	RequestID string   `json:"requestId"`
	Time      string   `json:"time"`
	Answers   []answer `json:"answers"`
}

type answer struct {
	TransID    string      `json:"transId,omitempty"`
	PaymentID  string      `json:"paymentId"`
	EndToEndID string      `json:"endToEndId,omitempty"`
	Status     int         `json:"status"`
	Info       *answerInfo `json:"info,omitempty"`
	Errors     []APIError  `json:"errors,omitempty"`
}

type answerInfo struct {
	Text       string     `json:"text"`
	Instructed *moneyWire `json:"instructed,omitempty"`
	Transacted *moneyWire `json:"transacted,omitempty"`
}

// moneyWire writes the amount as a JSON number with two decimals, built from
// the integer (json.Number is emitted verbatim).
type moneyWire struct {
	Amount   json.Number `json:"amount"`
	Currency string      `json:"currency"`
}

func (s *Server) handlePayment(w http.ResponseWriter, r *http.Request) {
	// The body is read before anything is answered: closing a connection
	// with unread request data makes TCP reset it, and the client would
	// lose the 401.
	body, berr := readBody(w, r)
	id, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	if berr != nil {
		badRequest(w, id.hdr.RequestID, "FORMAT", "read body: %v", berr)
		return
	}
	req, txs, err := decodePaymentRequest(body)
	if err != nil {
		badRequest(w, id.hdr.RequestID, "FORMAT", "payment request is not valid JSON of the expected shape: %v", err)
		return
	}
	if req.RequestID == "" {
		badRequest(w, id.hdr.RequestID, "REQUEST_ID", "requestId is required")
		return
	}
	if len(txs) == 0 {
		badRequest(w, req.RequestID, "NO_TRANSACTIONS", "transactions must hold at least one payment")
		return
	}
	want := make([]signed, len(txs))
	for i := range txs {
		want[i] = txs[i].signed()
	}
	if aerr := id.verify(req.RequestID, want); aerr != nil {
		writeUnauthorized(w, req.RequestID, aerr)
		return
	}

	s.mu.Lock()
	now := s.nowLocked()
	answers := s.acceptLocked(id, req, txs, now)
	perr := s.persistLocked()
	s.mu.Unlock()
	if perr != nil {
		serverError(w, req.RequestID, perr)
		return
	}
	writeJSON(w, http.StatusOK, paymentResponse{Account: id.hdr.Account, RequestID: req.RequestID,
		Time: copenhagen(now).Format(wireTimeLayout), Answers: answers})
}

// acceptLocked validates, de-duplicates and records every transaction of one
// authenticated request; all of them share one transId.
func (s *Server) acceptLocked(id identity, req paymentRequest, txs []txWire, now time.Time) []answer {
	transID := strconv.FormatInt(s.st.NextTransID, 10)
	s.st.NextTransID++
	answers := make([]answer, 0, len(txs))
	for i := range txs {
		tx := &txs[i]
		p, errs := s.validate(tx, req.Options, now)
		if !req.Options.SkipDuplicateCheck && tx.PaymentID != "" {
			if orig := s.activeLocked(id.hdr.Account, tx.PaymentID); orig != nil {
				dup := APIError{CodeDuplicate, fmt.Sprintf("paymentId %q was already received for account %s in request %q (transId %s)",
					tx.PaymentID, orig.Account, orig.Receptions[0].RequestID, orig.TransID)}
				orig.Receptions = append(orig.Receptions, Reception{RequestID: req.RequestID, TransID: transID, At: now,
					Status: StatusFailed, Error: CodeDuplicate})
				answers = append(answers, answer{TransID: transID, PaymentID: tx.PaymentID, Status: StatusFailed,
					Errors: append([]APIError{dup}, errs...)})
				continue
			}
		}
		p.Seq = s.st.NextSeq
		s.st.NextSeq++
		p.Account, p.TransID, p.EndToEndID = id.hdr.Account, transID, newEndToEndID()
		p.ReceivedAt, p.StepNs = now, int64(s.cfg.StepAfter)
		p.PendingAt = now.Add(s.cfg.StepAfter)
		if req.Options.WaitForBankResponse {
			// The request waited for the bank, so the payment is already there.
			p.PendingAt = now
		}
		p.NeedsApproval = s.cfg.ApprovalRequired
		if len(errs) > 0 {
			p.Failed, p.Errors = true, errs
		}
		st := p.statusAt(now, s.cfg.CancelledStatus).Status
		p.Receptions = []Reception{{RequestID: req.RequestID, TransID: transID, At: now, Status: st}}
		s.st.Payments = append(s.st.Payments, p)
		k := paymentKey(p.Account, p.PaymentID)
		s.byKey[k] = append(s.byKey[k], p)
		answers = append(answers, s.answerFor(p, now))
	}
	return answers
}

// activeLocked is the latest record of account+paymentID that did not fail
// validation: a failed attempt does not block a corrected resend.
func (s *Server) activeLocked(account, paymentID string) *payment {
	recs := s.byKey[paymentKey(account, paymentID)]
	for i := len(recs) - 1; i >= 0; i-- {
		p := recs[i]
		if !p.Failed {
			return p
		}
	}
	return nil
}

// validate checks one transaction (§4.2) and fills the record. All problems
// are reported, in a fixed order.
func (s *Server) validate(tx *txWire, opt requestOptions, now time.Time) (*payment, []APIError) {
	var errs []APIError
	add := func(code, format string, args ...any) {
		errs = append(errs, APIError{code, fmt.Sprintf(format, args...)})
	}
	p := &payment{PaymentID: tx.PaymentID, CreditorAccount: tx.Account, Text: tx.Text, CreditorText: tx.CreditorText,
		CreditorMessage: tx.CreditorMessage, Currency: tx.Currency, AmountText: tx.amount.Raw,
		RequestedDate: tx.PaymentDate, CreditorName: tx.creditor.Name}
	if len(tx.Creditor) > 0 {
		p.Creditor = append(json.RawMessage(nil), tx.Creditor...)
	}

	if tx.PaymentID == "" {
		add(CodeField, "paymentId is required")
	}

	a := tx.amount
	amountOK := false
	switch {
	case !a.Present:
		add(CodeInvalidAmount, "amount is required")
	case errors.Is(tx.amountErr, errAmountDecimals):
		add(CodeInvalidAmount, "amount %s has more than 2 decimals", a.Raw)
	case errors.Is(tx.amountErr, errAmountRange):
		add(CodeInvalidAmount, "amount %s is out of range", a.Raw)
	case tx.amountErr != nil:
		add(CodeInvalidAmount, "amount %q is not a number", a.Raw)
	case a.Neg || a.Cents == 0:
		add(CodeInvalidAmount, "amount %s must be greater than zero", a.Raw)
	default:
		amountOK = true
	}

	if _, known := money.Exponent(tx.Currency); tx.Currency == "" {
		add(CodeCurrency, "currency is required")
	} else if !known {
		add(CodeCurrency, "currency %q is not an ISO 4217 code", tx.Currency)
	} else if amountOK {
		minor, err := centsToMinor(a.Cents, tx.Currency)
		if err != nil {
			add(CodeInvalidAmount, "amount %s: %v", a.Raw, err)
		} else {
			p.AmountMinor = minor
		}
	}

	p.PaymentDate = tx.PaymentDate
	if tx.PaymentDate == "" {
		add(CodeDate, "paymentDate is required")
	} else if d, err := time.Parse(dateLayout, tx.PaymentDate); err != nil {
		add(CodeDate, "paymentDate %q is not yyyy-MM-dd", tx.PaymentDate)
	} else {
		today := localDate(now)
		past, holiday := d.Before(today), !s.bankDay(d)
		switch {
		case (past || holiday) && opt.MoveToNextBankDate:
			p.PaymentDate = s.nextBankDay(later(d, today)).Format(dateLayout)
		case past:
			add(CodeDate, "paymentDate %s is in the past (bank date is %s)", tx.PaymentDate, today.Format(dateLayout))
		case holiday:
			add(CodeDate, "paymentDate %s is not a bank day", tx.PaymentDate)
		}
	}

	typ := 0
	if tx.Type != "" {
		t, err := strconv.Atoi(tx.Type.String())
		if err != nil || t < 0 {
			add(CodeType, "type %s is not a payment type", tx.Type)
			typ = -1
		} else {
			typ = t
		}
	}
	p.Type = max(typ, 0)
	if typ >= 0 {
		if e := s.checkCreditorAccount(typ, tx.Account); e != nil {
			errs = append(errs, *e)
		}
	}

	if tx.Urgency != "" {
		u, err := strconv.Atoi(tx.Urgency.String())
		if err != nil || u < 0 {
			add(CodeField, "urgency %s is not a non-negative integer", tx.Urgency)
		}
		p.Urgency = max(u, 0)
	}

	if strings.TrimSpace(tx.creditor.Name) == "" {
		add(CodeCreditor, "creditor.name is required")
	}
	return p, errs
}

// answerFor is the answer shape shared by /payment, /status and cancel.
func (s *Server) answerFor(p *payment, now time.Time) answer {
	ph := p.statusAt(now, s.cfg.CancelledStatus)
	a := answer{TransID: p.TransID, PaymentID: p.PaymentID, EndToEndID: p.EndToEndID, Status: ph.Status,
		Errors: append([]APIError(nil), ph.Errors...)}
	if !p.Failed || p.AmountMinor > 0 {
		cents := minorToCents(p.AmountMinor, p.Currency)
		a.Info = &answerInfo{Text: p.Text}
		if cents > 0 {
			a.Info.Instructed = &moneyWire{json.Number(formatCents(cents)), p.Currency}
			if ph.Status == StatusSucceeded {
				if acct, ok := s.c.accounts[p.Account]; ok && acct.Currency == p.Currency {
					a.Info.Transacted = &moneyWire{json.Number(formatCents(cents)), p.Currency}
				}
			}
		}
	}
	return a
}

// newEndToEndID is a GUID in "N" format, upper case: 32 hex characters.
func newEndToEndID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("bisim: crypto/rand: " + err.Error())
	}
	return strings.ToUpper(hex.EncodeToString(b[:]))
}
