package daemon

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"erpconnector/connector/bank"
	"erpconnector/connector/bank/kb"
	"erpconnector/connector/bank/oauth"
	"erpconnector/connector/store"
	"erpconnector/formats/money"
)

// kbConn is a KB bank: the BATCHDA client and its token source.
type kbConn struct {
	client      *kb.Client
	tokens      *oauth.Source
	batchStatus string // "none" or "cobs"
}

// never is how far away "no automatic retry" is scheduled: a KB batch whose
// outcome is unknown waits for a person (`erpconnector resolve`).
const never = 100 * 365 * 24 * time.Hour

// kbStep moves one KB request. KB BATCHDA has no documented way to ask what
// it received, so the rules are stricter than BankIntegration's: once a batch
// may have left, it is never sent again by the connector. An unknown outcome
// is reported as "unknown — check internet banking" and waits for
// `erpconnector resolve`.
func (d *Daemon) kbStep(ctx context.Context, r *route, q *store.Request) {
	switch q.State {
	case store.ReqSubmitting:
		d.kbUnknown(q, "the connector stopped while sending this batch")
	case store.ReqPlanned:
		d.kbSubmit(ctx, r, q)
	case store.ReqAccepted:
		// A batch settled by `resolve --submitted` has no batch ID to ask
		// about: like batch_status = "none", statements show its bookings.
		if r.bank.kb.batchStatus == "cobs" && q.BankRef != "" {
			d.kbPoll(ctx, r, q)
		} else {
			// Nothing to ask: the state changes when statements show bookings.
			d.st.Update(func(tx *store.Tx) error {
				q.NextTry = d.opts.Now().Add(never)
				return tx.PutRequest(q)
			})
		}
	}
}

// kbUnknown marks a batch and its payments unknown, for a person to settle.
func (d *Daemon) kbUnknown(q *store.Request, why string) {
	text := why + " — check internet banking, then run: erpconnector resolve " + q.Key + " --submitted|--not-submitted"
	d.st.Update(func(tx *store.Tx) error {
		q.State, q.LastError, q.NextTry = store.ReqUnknown, text, d.opts.Now().Add(never)
		if err := d.setPayments(tx, q, store.PayUnknown, "", "outcome unknown: "+why+" — check internet banking"); err != nil {
			return err
		}
		if err := tx.PutRequest(q); err != nil {
			return err
		}
		return tx.Log(q.FileID, q.Key, "unknown", "%s", text)
	})
	d.log.Warn("KB batch outcome unknown; it will not be sent again until resolved", "file_id", q.FileID, "request", q.Key, "reason", why, "state", "unknown")
}

func (d *Daemon) setPayments(tx *store.Tx, q *store.Request, st store.PaymentState, code, text string) error {
	for _, idx := range q.Payments {
		p, err := tx.Payment(q.FileID, idx)
		if err != nil {
			return err
		}
		p.State, p.ReasonCode, p.ReasonText = st, code, text
		if err := tx.PutPayment(p); err != nil {
			return err
		}
	}
	return nil
}

func (d *Daemon) kbSubmit(ctx context.Context, r *route, q *store.Request) {
	log := d.log.With("route", r.cfg.Name, "file_id", q.FileID, "request", q.Key)
	var total money.Amount
	err := d.st.View(func(tx *store.Tx) error {
		for _, idx := range q.Payments {
			p, err := tx.Payment(q.FileID, idx)
			if err != nil {
				return err
			}
			if total, err = money.Add(money.Amount{Minor: total.Minor, Currency: p.Currency}, money.Amount{Minor: p.Minor, Currency: p.Currency}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		log.Error("stored batch unreadable; not sending", "err", err)
		return
	}
	if err := d.st.Update(func(tx *store.Tx) error {
		q.State = store.ReqSubmitting
		q.Attempts++
		if err := tx.PutRequest(q); err != nil {
			return err
		}
		return tx.Log(q.FileID, q.Key, "submitting", "attempt %d, %d payment(s), %s", q.Attempts, len(q.Payments), total)
	}); err != nil {
		log.Error("cannot record the intent to submit; not sending", "err", err)
		return
	}
	log.Debug("submitting", "attempt", q.Attempts, "payments", len(q.Payments))
	hook("after-intent")
	start := time.Now()
	resp, err := r.bank.kb.client.Submit(ctx, kb.Sent{Headers: q.Headers, Body: q.Body, Count: len(q.Payments), Total: total})
	hook("after-bank-call")
	d.metrics.bankCall(q.Bank, "batchPayments", time.Since(start), err)
	now := d.opts.Now()
	var rejected *kb.RejectedError
	var mismatch *kb.MismatchError
	switch {
	case err == nil:
		d.kbAccepted(q, resp)
		log.Info("batch imported by KB", "state", "accepted", "batch", resp.TransactionIdentification, "sign", resp.SignInfo.State, "status", resp.InstructionStatus)
	case errors.As(err, &mismatch):
		d.st.Update(func(tx *store.Tx) error {
			q.BankRef = mismatch.Response.TransactionIdentification
			return tx.PutRequest(q)
		})
		d.kbUnknown(q, "KB imported the batch as "+mismatch.Response.TransactionIdentification+" but its answer does not match what was sent ("+mismatch.Why+")")
	case errors.As(err, &rejected):
		d.kbRejected(q, rejected)
		log.Warn("batch refused by KB", "state", "rejected", "err", err)
	case errors.Is(err, oauth.ErrReauthorize), errors.Is(err, bank.ErrAuth):
		d.retryLater(q, store.ReqPlanned, now.Add(max(backoff(q.Attempts), 5*time.Minute)), fmt.Errorf("re-authorisation needed: %w", err))
		log.Error("KB refused our authorisation; run `erpconnector kb authorize` (nothing was sent)", "err", err, "state", "re-authorisation needed")
	case errors.Is(err, bank.ErrNotSent):
		d.retryLater(q, store.ReqPlanned, r.bank.after(now, backoff(q.Attempts), err), err)
		log.Warn("KB not reached; will retry (nothing was sent)", "err", err, "attempt", q.Attempts)
	case errors.Is(err, bank.ErrOutcomeUnknown):
		d.kbUnknown(q, err.Error())
	default:
		d.kbUnknown(q, err.Error())
	}
}

// kbAccepted records an imported batch. KB's answer has counts, not which
// items it refused: a partial import leaves every payment "unknown" with the
// counts, for a person to check.
func (d *Daemon) kbAccepted(q *store.Request, resp *kb.Response) {
	rejected := resp.RejectedTransactionDebitCount + resp.RejectedTransactionCreditCount
	d.st.Update(func(tx *store.Tx) error {
		q.State, q.BankRef, q.LastError = store.ReqAccepted, resp.TransactionIdentification, ""
		q.NextTry = d.opts.Now().Add(d.pollEvery(q.Bank))
		var err error
		switch {
		case resp.InstructionStatus == "ACWC" || rejected > 0:
			err = d.setPayments(tx, q, store.PayUnknown, "ACWC", fmt.Sprintf("KB imported batch %s only partly (%d of %d refused; KB does not say which) — check internet banking",
				resp.TransactionIdentification, rejected, len(q.Payments)))
		case resp.SignInfo.State == "CLOSE":
			err = d.setPayments(tx, q, store.PayPending, "", "signed in internet banking (batch "+resp.TransactionIdentification+")")
		default:
			err = d.setPayments(tx, q, store.PayAwaitingAuthorisation, "", "batch "+resp.TransactionIdentification+" waits for signature in internet banking")
		}
		if err != nil {
			return err
		}
		for _, idx := range q.Payments {
			p, err := tx.Payment(q.FileID, idx)
			if err != nil {
				return err
			}
			p.BankRef = resp.TransactionIdentification
			if err := tx.PutPayment(p); err != nil {
				return err
			}
		}
		if err := tx.PutRequest(q); err != nil {
			return err
		}
		return tx.Log(q.FileID, q.Key, "accepted", "KB batch %s, %s, signature %s, correlation %s", resp.TransactionIdentification, resp.InstructionStatus, resp.SignInfo.State, resp.CorrelationID)
	})
}

var kbScopeIndex = regexp.MustCompile(`batchPaymentDataCollectionRequest\[(\d+)\]`)

// kbRejected marks a refused batch: each payment gets the errors KB scoped
// to its item, or the batch's errors when none is scoped.
func (d *Daemon) kbRejected(q *store.Request, e *kb.RejectedError) {
	perItem := map[int]kb.Problem{}
	var general []kb.Problem
	for _, p := range e.Problems {
		if m := kbScopeIndex.FindStringSubmatch(p.Scope); m != nil {
			if i, err := strconv.Atoi(m[1]); err == nil && i < len(q.Payments) {
				if _, dup := perItem[i]; !dup {
					perItem[i] = p
				}
				continue
			}
		}
		general = append(general, p)
	}
	d.st.Update(func(tx *store.Tx) error {
		q.State, q.LastError = store.ReqRejected, e.Error()
		for i, idx := range q.Payments {
			p, err := tx.Payment(q.FileID, idx)
			if err != nil {
				return err
			}
			pr, ok := perItem[i]
			switch {
			case ok:
				p.ReasonCode, p.ReasonText = pr.Code, pr.String()
			case len(general) > 0:
				p.ReasonCode, p.ReasonText = general[0].Code, "KB refused the whole batch: "+general[0].String()
			default:
				p.ReasonCode, p.ReasonText = "NARR", "KB refused the batch because of other items in it"
			}
			p.State = store.PayRejected
			if err := tx.PutPayment(p); err != nil {
				return err
			}
		}
		if err := tx.PutRequest(q); err != nil {
			return err
		}
		return tx.Log(q.FileID, q.Key, "rejected", "%v", e)
	})
}

// kbPoll follows an imported batch through signature and booking where the
// bank offers a batch status (batch_status = "cobs").
func (d *Daemon) kbPoll(ctx context.Context, r *route, q *store.Request) {
	start := time.Now()
	st, err := r.bank.kb.client.BatchStatus(ctx, q.BankRef)
	d.metrics.bankCall(q.Bank, "batchStatus", time.Since(start), err)
	if err != nil {
		d.st.Update(func(tx *store.Tx) error {
			q.NextTry, q.LastError = r.bank.after(d.opts.Now(), d.pollEvery(q.Bank), err), "batch status: "+err.Error()
			return tx.PutRequest(q)
		})
		d.log.Warn("KB batch status failed; will retry", "request", q.Key, "err", err)
		return
	}
	items := map[string]kb.ItemStatus{}
	for _, it := range st.Payments {
		items[it.InstructionIdentification] = it
	}
	d.st.Update(func(tx *store.Tx) error {
		for i, idx := range q.Payments {
			p, err := tx.Payment(q.FileID, idx)
			if err != nil {
				return err
			}
			it, ok := items[q.PaymentIDs[i]]
			if !ok {
				continue
			}
			state, code, text := kbItemState(st.SignInfo.State, it)
			if state == p.State && code == p.ReasonCode && text == p.ReasonText {
				continue
			}
			p.State, p.ReasonCode, p.ReasonText = state, code, text
			if err := tx.PutPayment(p); err != nil {
				return err
			}
			if err := tx.Log(q.FileID, q.Key, "payment", "%s: %s %s", p.PaymentID, state, code); err != nil {
				return err
			}
		}
		q.NextTry, q.LastError = d.opts.Now().Add(d.pollEvery(q.Bank)), ""
		return tx.PutRequest(q)
	})
}

func kbItemState(sign string, it kb.ItemStatus) (store.PaymentState, string, string) {
	switch it.Status {
	case "booked":
		return store.PayBooked, "", "booked " + it.BookingDate
	case "rejected", "rejected-at-import":
		code := it.RejectCode
		if code == "" {
			code = "NARR"
		}
		return store.PayRejected, code, "rejected by KB"
	case "cancelled":
		return store.PayCancelled, "DS02", "the batch was rejected or deleted in internet banking"
	case "scheduled":
		return store.PayPending, "", "signed; waits for processing or its execution date"
	}
	if sign == "CLOSE" {
		return store.PayPending, "", "signed in internet banking"
	}
	return store.PayAwaitingAuthorisation, "", "waits for signature in internet banking"
}
