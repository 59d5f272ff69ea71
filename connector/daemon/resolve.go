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

// ErrNotRetryable is returned by Retry for a file that is not rejected.
var ErrNotRetryable = errors.New("only a rejected file can be retried")

// Retry runs a rejected file through parsing, validation and planning again,
// from its spooled copy, with the configuration in force now (a corrected CSV
// mapping, another past-date policy). Content that was planned meanwhile is
// still a duplicate and is not sent twice.
func Retry(st *store.Store, fileID, who string) error {
	return st.Update(func(tx *store.Tx) error {
		f, err := tx.File(fileID)
		if err != nil {
			return err
		}
		if f.State != store.FileRejected {
			return fmt.Errorf("%s is %s: %w", fileID, f.State, ErrNotRetryable)
		}
		if f.Spool == "" {
			return fmt.Errorf("%s was not kept (it was larger than max_file_size): drop the file into the inbox again", fileID)
		}
		f.State, f.Problems, f.MoreProblems, f.StatusKey = store.FileClaimed, nil, 0, ""
		if err := tx.PutFile(f); err != nil {
			return err
		}
		return tx.Log(fileID, "", "retry", "retried by %s", who)
	})
}
