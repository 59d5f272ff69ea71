package daemon

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"erpconnector/connector/store"
)

// ErrNothingToResolve is returned when no request of the given key or file
// has an unknown outcome.
var ErrNothingToResolve = errors.New("nothing to resolve: no request with an unknown outcome")

// Resolve records what a person found in internet banking about requests
// whose outcome is unknown: submitted (the bank has the batch) or not
// submitted (it does not: the connector sends the identical request again,
// with the same identifiers, so that a bank-side duplicate check still
// catches a mistake). target is a request key ("kb/1a2b…") or a file ID;
// who is recorded in the audit log. It returns the requests changed.
func Resolve(st *store.Store, target string, submitted bool, who string) ([]*store.Request, error) {
	var changed []*store.Request
	err := st.Update(func(tx *store.Tx) error {
		var keys []string
		if strings.HasPrefix(target, "F") && !strings.Contains(target, "/") {
			f, err := tx.File(target)
			if err != nil {
				return err
			}
			keys = f.Requests
		} else {
			keys = []string{target}
		}
		for _, k := range keys {
			q, err := tx.Request(k)
			if err != nil {
				return err
			}
			if q.State != store.ReqUnknown && q.State != store.ReqSubmitting {
				continue
			}
			state, pay, text := store.ReqPlanned, store.PayReceived, "confirmed not submitted by "+who+"; sent again with the same identifiers"
			if submitted {
				state, pay, text = store.ReqAccepted, store.PayAwaitingAuthorisation, "confirmed submitted by "+who+"; waits for signature in internet banking"
			}
			for _, idx := range q.Payments {
				p, err := tx.Payment(q.FileID, idx)
				if err != nil {
					return err
				}
				p.State, p.ReasonCode, p.ReasonText = pay, "", text
				if err := tx.PutPayment(p); err != nil {
					return err
				}
			}
			q.State, q.LastError, q.NextTry = state, "", time.Time{}
			if err := tx.PutRequest(q); err != nil {
				return err
			}
			if err := tx.Log(q.FileID, q.Key, "resolve", "%s", text); err != nil {
				return err
			}
			changed = append(changed, q)
		}
		if len(changed) == 0 {
			return fmt.Errorf("%s: %w", target, ErrNothingToResolve)
		}
		return nil
	})
	return changed, err
}

// Wake asks the running daemon to look at a file now (after an operator
// action through the admin API).
func (d *Daemon) Wake(fileID string) { d.later(fileID, time.Time{}) }
