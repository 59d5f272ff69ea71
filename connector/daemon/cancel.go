package daemon

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"erpconnector/connector/store"
)

// ErrCannotCancel is returned when nothing of the target can be cancelled.
var ErrCannotCancel = errors.New("nothing to cancel")

// Cancel asks BankIntegration to cancel the payments of a file (or one
// payment, "FILE-ID/INDEX") that are not final yet. The bank decides: its
// answers are recorded as usual and later polls show the outcome. KB has no
// cancellation through the API: a KB batch is deleted in internet banking.
func (d *Daemon) Cancel(ctx context.Context, target, who string) ([]string, error) {
	fileID, only, _ := strings.Cut(target, "/")
	f, err := d.file(fileID)
	if err != nil {
		return nil, err
	}
	var done []string
	for _, key := range f.Requests {
		q, err := d.request(key)
		if err != nil {
			return done, err
		}
		bc := d.banks[q.Bank]
		if bc == nil || bc.bi == nil {
			return done, fmt.Errorf("%s: %w: KB batches are deleted in internet banking", key, ErrCannotCancel)
		}
		if q.State != store.ReqAccepted {
			continue
		}
		var ids []string
		d.st.View(func(tx *store.Tx) error {
			for i, idx := range q.Payments {
				if only != "" && fmt.Sprint(idx) != only {
					continue
				}
				if p, err := tx.Payment(q.FileID, idx); err == nil && !p.State.Final() {
					ids = append(ids, q.PaymentIDs[i])
				}
			}
			return nil
		})
		if len(ids) == 0 {
			continue
		}
		resp, err := bc.bi.Cancel(ctx, q.DebtorAccount, ids)
		if err != nil {
			return done, fmt.Errorf("%s: %w", key, err)
		}
		d.applyAnswers(q, resp.Answers, store.ReqAccepted, "")
		d.st.Update(func(tx *store.Tx) error {
			return tx.Log(q.FileID, q.Key, "cancel", "cancellation of %s requested by %s", strings.Join(ids, ", "), who)
		})
		done = append(done, ids...)
	}
	if len(done) == 0 {
		return nil, fmt.Errorf("%s: %w: no payment is at the bank and not yet final", target, ErrCannotCancel)
	}
	d.Wake(fileID)
	return done, nil
}
