package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"erpconnector/connector/bank"
	bi "erpconnector/connector/bank/bankintegration"
	"erpconnector/connector/store"
	"erpconnector/formats/bijson"
)

// advance moves each of a planned file's requests one step and returns when
// the file next has work, or the zero time when it has none left.
//
// The exactly-once rules:
//   - the intent to send (state submitting) is committed before the request
//     leaves, and the answer is committed before anything else happens;
//   - a request found in state submitting after a restart, or whose answer
//     was lost (timeout, dropped connection, 5xx), is *unknown*: it is never
//     resent blindly; the bank is asked (/status with the payment IDs) and
//     only payments the bank reports as not found are sent again, with the
//     same IDs;
//   - a request that provably never left (connection refused, 429) is retried
//     with backoff.
func (d *Daemon) advance(ctx context.Context, f *store.File, r *route) time.Time {
	var next time.Time
	soon := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	allFinal := true
	for _, key := range f.Requests {
		if ctx.Err() != nil {
			return d.opts.Now()
		}
		req, err := d.request(key)
		if err != nil {
			d.log.Error("request record unreadable", "request", key, "err", err)
			soon(d.opts.Now().Add(time.Minute))
			allFinal = false
			continue
		}
		now := d.opts.Now()
		if req.NextTry.After(now) {
			soon(req.NextTry)
			allFinal = false
			continue
		}
		if until, ok := r.bank.paused(now); ok {
			soon(until) // the bank's Retry-After holds back every call
			allFinal = false
			continue
		}
		if r.bank.kb != nil {
			d.kbStep(ctx, r, req)
		} else {
			switch req.State {
			case store.ReqSubmitting:
				// Only a crash leaves a request here: we cannot know whether it arrived.
				d.markUnknown(req, "the connector stopped while sending; asking the bank what it received")
				fallthrough
			case store.ReqUnknown:
				d.settle(ctx, r, req)
			case store.ReqPlanned:
				d.submit(ctx, r, req)
			case store.ReqAccepted:
				d.poll(ctx, r, req)
			}
		}
		if req, err = d.request(key); err == nil {
			switch {
			case req.State == store.ReqRejected:
			case req.State == store.ReqAccepted && d.requestFinal(req):
			default:
				allFinal = false
				soon(notBefore(req.NextTry, d.opts.Now()))
			}
		}
	}
	if allFinal {
		d.finish(f)
		return time.Time{}
	}
	if next.IsZero() {
		next = d.opts.Now().Add(r.bank.cfg.PollEvery.Duration)
	}
	return next
}

func (d *Daemon) request(key string) (*store.Request, error) {
	var q *store.Request
	err := d.st.View(func(tx *store.Tx) error {
		var err error
		q, err = tx.Request(key)
		return err
	})
	return q, err
}

func (d *Daemon) requestFinal(q *store.Request) bool {
	final := true
	d.st.View(func(tx *store.Tx) error {
		for _, idx := range q.Payments {
			p, err := tx.Payment(q.FileID, idx)
			if err != nil || !p.State.Final() {
				final = false
				return nil
			}
		}
		return nil
	})
	return final
}

// backoff is 2s, 4s, 8s … up to 5 minutes.
func backoff(attempt int) time.Duration {
	d := 2 * time.Second
	for i := 1; i < attempt && d < 5*time.Minute; i++ {
		d *= 2
	}
	return min(d, 5*time.Minute)
}

func (d *Daemon) markUnknown(q *store.Request, why string) {
	d.st.Update(func(tx *store.Tx) error {
		q.State, q.LastError = store.ReqUnknown, why
		if err := tx.PutRequest(q); err != nil {
			return err
		}
		return tx.Log(q.FileID, q.Key, "unknown", "%s", why)
	})
}

func (d *Daemon) submit(ctx context.Context, r *route, q *store.Request) {
	log := d.log.With("route", r.cfg.Name, "file_id", q.FileID, "request", q.Key)
	// Write-ahead: from here on a crash means "unknown", never "not sent".
	if err := d.st.Update(func(tx *store.Tx) error {
		q.State = store.ReqSubmitting
		q.Attempts++
		if err := tx.PutRequest(q); err != nil {
			return err
		}
		return tx.Log(q.FileID, q.Key, "submitting", "attempt %d, %d payment(s)", q.Attempts, len(q.Payments))
	}); err != nil {
		log.Error("cannot record the intent to submit; not sending", "err", err)
		return
	}
	log.Debug("submitting", "attempt", q.Attempts, "payments", len(q.Payments))
	hook("after-intent")
	var hash []bijson.HashInput
	if err := json.Unmarshal(q.Sign, &hash); err != nil {
		log.Error("stored request cannot be signed", "err", err)
		return
	}
	start := time.Now()
	resp, err := r.bank.bi.Submit(ctx, q.DebtorAccount, q.ID, q.Body, hash)
	hook("after-bank-call")
	d.metrics.bankCall(q.Bank, "payment", time.Since(start), err)
	now := d.opts.Now()
	switch {
	case err == nil:
		d.applyAnswers(q, resp.Answers, store.ReqAccepted, "accepted by the bank")
		log.Info("request accepted", "state", "accepted", "payments", len(q.Payments))
	case errors.Is(err, bank.ErrNotSent):
		d.retryLater(q, store.ReqPlanned, r.bank.after(now, backoff(q.Attempts), err), err)
		log.Warn("bank not reached; will retry", "err", err, "attempt", q.Attempts)
	case errors.Is(err, bank.ErrAuth):
		d.retryLater(q, store.ReqPlanned, now.Add(max(backoff(q.Attempts), time.Minute)), err)
		log.Error("bank refused our credentials; fix the configuration (nothing was sent)", "err", err)
	case errors.Is(err, bank.ErrOutcomeUnknown):
		// Give the bank a moment to finish what it may be doing, then ask.
		d.retryLater(q, store.ReqUnknown, r.bank.after(now, backoff(1), err), err)
		log.Warn("outcome unknown; will ask the bank before anything is resent", "err", err)
	default:
		var he *bank.HTTPError
		if errors.As(err, &he) && he.Rejected() {
			d.rejectRequest(q, "NARR", fmt.Sprintf("the bank rejected the request: %v", he))
			log.Warn("request rejected by the bank", "state", "rejected", "err", err)
			return
		}
		d.retryLater(q, store.ReqUnknown, r.bank.after(now, backoff(q.Attempts), err), err)
		log.Warn("unexpected failure; treating the outcome as unknown", "err", err)
	}
}

func (d *Daemon) retryLater(q *store.Request, state store.RequestState, at time.Time, cause error) {
	d.st.Update(func(tx *store.Tx) error {
		q.State, q.NextTry, q.LastError = state, at, cause.Error()
		if err := tx.PutRequest(q); err != nil {
			return err
		}
		return tx.Log(q.FileID, q.Key, string(state), "%v", cause)
	})
}

func (d *Daemon) rejectRequest(q *store.Request, code, text string) {
	d.st.Update(func(tx *store.Tx) error {
		q.State, q.LastError = store.ReqRejected, text
		for _, idx := range q.Payments {
			p, err := tx.Payment(q.FileID, idx)
			if err != nil {
				return err
			}
			p.State, p.ReasonCode, p.ReasonText = store.PayRejected, code, text
			if err := tx.PutPayment(p); err != nil {
				return err
			}
		}
		if err := tx.PutRequest(q); err != nil {
			return err
		}
		return tx.Log(q.FileID, q.Key, "rejected", "%s", text)
	})
}

// applyAnswers records the bank's per-payment answers and sets the request's
// state, all in one transaction.
func (d *Daemon) applyAnswers(q *store.Request, answers []bi.Answer, state store.RequestState, note string) {
	pos := make(map[string]int, len(q.PaymentIDs))
	for i, id := range q.PaymentIDs {
		pos[id] = i
	}
	pollAt := d.opts.Now().Add(d.pollEvery(q.Bank))
	d.st.Update(func(tx *store.Tx) error {
		for _, a := range answers {
			i, ok := pos[a.PaymentID]
			if !ok {
				continue
			}
			p, err := tx.Payment(q.FileID, q.Payments[i])
			if err != nil {
				return err
			}
			if a.EndToEndID != "" && p.BankEndToEnd != a.EndToEndID {
				p.BankEndToEnd = a.EndToEndID
				if err := tx.PutRef(q.Bank, a.EndToEndID, q.FileID, p.Index); err != nil {
					return err
				}
				if err := tx.PutPayment(p); err != nil {
					return err
				}
			}
			if updatePayment(p, a) {
				if err := tx.PutPayment(p); err != nil {
					return err
				}
				if err := tx.Log(q.FileID, q.Key, "payment", "%s: %s (%s %s)", p.PaymentID, p.State, p.ReasonCode, p.ReasonText); err != nil {
					return err
				}
			}
		}
		if state == store.ReqAccepted {
			// Payments the answer did not mention are at least accepted.
			for _, idx := range q.Payments {
				p, err := tx.Payment(q.FileID, idx)
				if err != nil {
					return err
				}
				if p.State == store.PayReceived || p.State == store.PayUnknown {
					p.State = store.PayAccepted
					if err := tx.PutPayment(p); err != nil {
						return err
					}
				}
			}
		}
		prev := q.State
		q.State, q.LastError, q.NextTry = state, "", pollAt
		if err := tx.PutRequest(q); err != nil {
			return err
		}
		if prev != state {
			return tx.Log(q.FileID, q.Key, string(state), "%s", note)
		}
		return nil
	})
}

// updatePayment maps a BankIntegration answer onto a payment; it reports
// whether anything changed.
func updatePayment(p *store.Payment, a bi.Answer) bool {
	old := *p
	p.BankStatus = a.Status
	if a.TransID != "" {
		p.BankRef = a.TransID
	}
	p.ReasonCode, p.ReasonText = "", ""
	switch a.Status {
	case bi.StatusCreated:
		p.State = store.PayAccepted
	case bi.StatusPending, bi.StatusAccepted:
		p.State = store.PayPending
	case bi.StatusWaiting:
		p.State = store.PayAwaitingAuthorisation
		p.ReasonText = "awaiting approval in the net bank"
	case bi.StatusSucceeded:
		p.State = store.PayBooked
	case bi.StatusRejected, bi.StatusFailed:
		p.State = store.PayRejected
		p.ReasonCode, p.ReasonText = firstMsg(a.Errors, "NARR", "rejected by the bank (status "+strconv.Itoa(a.Status)+")")
		if p.ReasonCode == "DS02" { // "order cancelled": the end of a cancellation
			p.State = store.PayCancelled
		}
	case bi.StatusWarning:
		p.State = store.PayPending
		p.ReasonCode, p.ReasonText = firstMsg(a.Warnings, "", "the bank reports a problem that may still resolve (e.g. insufficient funds)")
	case bi.StatusCancelling:
		p.State = store.PayPending
		p.ReasonText = "cancellation requested"
	case bi.StatusNotFound:
		// Not expected for an accepted payment; keep what we know.
		*p = old
		return false
	default:
		p.State = store.PayPending
		p.ReasonText = "bank status " + strconv.Itoa(a.Status)
	}
	return p.State != old.State || p.ReasonCode != old.ReasonCode || p.ReasonText != old.ReasonText || p.BankRef != old.BankRef
}

func firstMsg(ms []bi.Msg, defCode, defText string) (string, string) {
	if len(ms) == 0 {
		return defCode, defText
	}
	code := ms[0].Code
	if code == "" {
		code = defCode
	}
	return code, ms[0].Text
}

// settle finds out what the bank has of an unknown request: payments it has
// are recorded; if it has none, the identical request is sent again; if it
// has some, the rest go out as a new request with the same payment IDs.
func (d *Daemon) settle(ctx context.Context, r *route, q *store.Request) {
	log := d.log.With("route", r.cfg.Name, "file_id", q.FileID, "request", q.Key)
	start := time.Now()
	resp, err := r.bank.bi.Status(ctx, q.DebtorAccount, q.PaymentIDs)
	d.metrics.bankCall(q.Bank, "status", time.Since(start), err)
	if err != nil {
		d.retryLater(q, store.ReqUnknown, r.bank.after(d.opts.Now(), backoff(q.Attempts+1), err), fmt.Errorf("asking the bank: %w", err))
		log.Warn("cannot ask the bank yet; the request stays unknown", "err", err)
		return
	}
	found := map[string]bool{}
	for _, a := range resp.Answers {
		if a.Status != bi.StatusNotFound && slices.Contains(q.PaymentIDs, a.PaymentID) {
			found[a.PaymentID] = true
		}
	}
	switch {
	case len(found) == 0:
		d.retryLater(q, store.ReqPlanned, time.Time{}, errors.New("the bank has none of its payments: sending the same request again"))
		log.Info("bank has not received the request; resending it unchanged", "state", "planned")
	case len(found) == len(q.PaymentIDs):
		d.applyAnswers(q, resp.Answers, store.ReqAccepted, "the bank has every payment")
		log.Info("bank has every payment of the request", "state", "accepted")
	default:
		if err := d.splitMissing(q, found, resp.Answers); err != nil {
			log.Error("cannot split the request; it stays unknown", "err", err)
			return
		}
		log.Info("bank has part of the request; the rest is sent again with the same IDs", "found", len(found), "missing", len(q.PaymentIDs)-len(found))
	}
}

// splitMissing turns an unknown request that the bank has only partly into
// an accepted request of what it has and a new planned request of the rest,
// with the same payment IDs, in one transaction.
func (d *Daemon) splitMissing(q *store.Request, found map[string]bool, answers []bi.Answer) error {
	var body struct {
		RequestID    string            `json:"requestId"`
		Transactions []json.RawMessage `json:"transactions"`
		Options      json.RawMessage   `json:"options,omitempty"`
	}
	if err := json.Unmarshal(q.Body, &body); err != nil {
		return err
	}
	var hash []bijson.HashInput
	if err := json.Unmarshal(q.Sign, &hash); err != nil {
		return err
	}
	if len(body.Transactions) != len(q.PaymentIDs) || len(hash) != len(q.PaymentIDs) {
		return errors.New("stored request is inconsistent")
	}
	rest := &store.Request{
		Key: q.Key + "-R" + strconv.Itoa(q.Attempts), Bank: q.Bank, Kind: q.Kind, FileID: q.FileID, Seq: q.Seq,
		Method: q.Method, Path: q.Path, Headers: q.Headers, DebtorAccount: q.DebtorAccount, State: store.ReqPlanned,
	}
	rest.ID = q.ID + "-R" + strconv.Itoa(q.Attempts)
	var keepTx []json.RawMessage
	var keepHash []bijson.HashInput
	var keepPay []int
	var keepIDs []string
	var restTx []json.RawMessage
	var restHash []bijson.HashInput
	for i, id := range q.PaymentIDs {
		if found[id] {
			keepTx, keepHash = append(keepTx, body.Transactions[i]), append(keepHash, hash[i])
			keepPay, keepIDs = append(keepPay, q.Payments[i]), append(keepIDs, id)
		} else {
			restTx, restHash = append(restTx, body.Transactions[i]), append(restHash, hash[i])
			rest.Payments, rest.PaymentIDs = append(rest.Payments, q.Payments[i]), append(rest.PaymentIDs, id)
		}
	}
	var err error
	if rest.Body, err = biBody(rest.ID, restTx, body.Options); err != nil {
		return err
	}
	if rest.Sign, err = json.Marshal(restHash); err != nil {
		return err
	}
	if q.Body, err = biBody(body.RequestID, keepTx, body.Options); err != nil {
		return err
	}
	if q.Sign, err = json.Marshal(keepHash); err != nil {
		return err
	}
	q.Payments, q.PaymentIDs = keepPay, keepIDs
	err = d.st.Update(func(tx *store.Tx) error {
		f, err := tx.File(q.FileID)
		if err != nil {
			return err
		}
		i := slices.Index(f.Requests, q.Key)
		f.Requests = slices.Insert(f.Requests, i+1, rest.Key)
		for _, idx := range rest.Payments {
			p, err := tx.Payment(q.FileID, idx)
			if err != nil {
				return err
			}
			p.RequestKey = rest.Key
			if err := tx.PutPayment(p); err != nil {
				return err
			}
		}
		if err := tx.PutRequest(rest); err != nil {
			return err
		}
		if err := tx.PutFile(f); err != nil {
			return err
		}
		return tx.Log(q.FileID, q.Key, "split", "the bank has %d payment(s); %d go out again as %s", len(keepIDs), len(rest.PaymentIDs), rest.Key)
	})
	if err != nil {
		return err
	}
	d.applyAnswers(q, answers, store.ReqAccepted, "the bank has these payments")
	return nil
}

// biBody writes a /payment body in the encoder's field order.
func biBody(requestID string, txs []json.RawMessage, options json.RawMessage) ([]byte, error) {
	var b bytes.Buffer
	id, err := json.Marshal(requestID)
	if err != nil {
		return nil, err
	}
	b.WriteString(`{"requestId":`)
	b.Write(id)
	b.WriteString(`,"transactions":[`)
	for i, t := range txs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(t)
	}
	b.WriteByte(']')
	if len(options) > 0 {
		b.WriteString(`,"options":`)
		b.Write(options)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// poll asks the bank about an accepted request's payments that are not final.
func (d *Daemon) poll(ctx context.Context, r *route, q *store.Request) {
	var open []string
	d.st.View(func(tx *store.Tx) error {
		for i, idx := range q.Payments {
			if p, err := tx.Payment(q.FileID, idx); err == nil && !p.State.Final() {
				open = append(open, q.PaymentIDs[i])
			}
		}
		return nil
	})
	if len(open) == 0 {
		return
	}
	start := time.Now()
	resp, err := r.bank.bi.Status(ctx, q.DebtorAccount, open)
	d.metrics.bankCall(q.Bank, "status", time.Since(start), err)
	if err != nil {
		d.st.Update(func(tx *store.Tx) error {
			q.NextTry, q.LastError = r.bank.after(d.opts.Now(), r.bank.cfg.PollEvery.Duration, err), "status poll: "+err.Error()
			return tx.PutRequest(q)
		})
		d.log.Warn("status poll failed; will retry", "request", q.Key, "err", err)
		return
	}
	d.applyAnswers(q, resp.Answers, store.ReqAccepted, "")
}

// finish marks a file done once every payment is final.
func (d *Daemon) finish(f *store.File) {
	d.st.Update(func(tx *store.Tx) error {
		cur, err := tx.File(f.ID)
		if err != nil || cur.State != store.FilePlanned {
			return err
		}
		cur.State = store.FileDone
		if err := tx.PutFile(cur); err != nil {
			return err
		}
		return tx.Log(f.ID, "", "done", "every payment reached a final state")
	})
	d.log.Info("file step", "route", f.Route, "file_id", f.ID, "file", f.Name, "state", "done")
}

// notBefore is the later of t and floor.
func notBefore(t, floor time.Time) time.Time {
	if t.Before(floor) {
		return floor
	}
	return t
}
