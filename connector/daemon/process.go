package daemon

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	"erpconnector/connector/folder"
	"erpconnector/connector/store"
	"erpconnector/formats"
	"erpconnector/formats/input"
	"erpconnector/formats/plan"
	"erpconnector/formats/validate"
)

// processFile takes a file as far as it can go now. The caller holds the
// file's busy mark; processFile releases it.
func (d *Daemon) processFile(ctx context.Context, id string) {
	defer d.release(id)
	f, err := d.file(id)
	if err != nil {
		d.log.Error("file record unreadable", "file_id", id, "err", err)
		return
	}
	r := d.routes[f.Route]
	if r == nil {
		d.log.Error("file belongs to a route that is no longer configured; it waits until the route is back",
			"file_id", id, "route", f.Route)
		return
	}
	log := d.log.With("route", f.Route, "file_id", id, "file", f.Name)

	if f.State == store.FileClaimed {
		if err := d.planFile(f, r); err != nil {
			log.Error("cannot read the spooled file; will retry", "err", err)
			d.later(id, d.opts.Now().Add(10*time.Second))
			return
		}
		if f, err = d.file(id); err != nil {
			return
		}
		log.Info("file step", "state", f.State, "payments", f.Payments, "requests", len(f.Requests), "problems", len(f.Problems))
	}
	if !f.Moved {
		if err := d.moveInbox(f, r); err != nil {
			log.Error("cannot move the inbox file; will retry", "err", err)
			d.later(id, d.opts.Now().Add(5*time.Second))
		}
		if f, err = d.file(id); err != nil {
			return
		}
	}
	if f.State != store.FilePlanned {
		// Rejected or duplicate: tell the ERP, and that is all.
		if err := d.report(f, r); err != nil {
			log.Error("cannot write the status file; will retry", "err", err)
			d.later(id, d.opts.Now().Add(5*time.Second))
		}
		return
	}
	// A planned file goes to the bank first and the status file follows, so
	// that no status write delays a payment; if the bank cannot be reached
	// the first status file says "received".
	next := d.advance(ctx, f, r)
	if f, err = d.file(id); err != nil {
		return
	}
	if err := d.report(f, r); err != nil {
		log.Error("cannot write the status file; will retry", "err", err)
		next = d.opts.Now().Add(5 * time.Second)
	}
	if !next.IsZero() {
		d.later(id, next)
	}
}

func (d *Daemon) file(id string) (*store.File, error) {
	var f *store.File
	err := d.st.View(func(tx *store.Tx) error {
		var err error
		f, err = tx.File(id)
		return err
	})
	return f, err
}

// planFile parses, validates and encodes the spooled copy, and commits the
// outcome in one transaction: rejected with every problem, duplicate of an
// earlier file, or planned with every request and payment.
func (d *Daemon) planFile(f *store.File, r *route) error {
	commit, err := d.planCommit(f, r)
	if err != nil {
		return err
	}
	return d.st.Update(commit)
}

// planCommit does the work of planning outside any transaction and returns
// the function that records the outcome; f.ID must be set when it runs.
func (d *Daemon) planCommit(f *store.File, r *route) (func(*store.Tx) error, error) {
	duplicate := func(tx *store.Tx, owner string) error {
		f.State, f.DuplicateOf = store.FileDuplicate, owner
		if err := tx.PutFile(f); err != nil {
			return err
		}
		return tx.Log(f.ID, "", "duplicate", "same content as %s: not sent again", owner)
	}
	if owner, dup := d.hashOwner(f.SHA256); dup && owner != f.ID {
		return func(tx *store.Tx) error { return duplicate(tx, owner) }, nil
	}
	sum, err := hex.DecodeString(f.SHA256)
	if err != nil || len(sum) != 32 {
		return nil, fmt.Errorf("bad content hash %q", f.SHA256)
	}
	src := plan.Source{Name: f.Name}
	copy(src.SHA256[:], sum)
	spool, err := os.Open(f.Spool)
	if err != nil {
		return nil, err
	}
	defer spool.Close()

	opts := r.planOpts
	opts.Validate.Today = formats.DateOf(d.opts.Now())
	var payments []store.Payment
	var res *plan.Result
	var msgID string
	rd, kind, openErr := input.Open(r.format, spool, r.inOpts)
	if openErr == nil {
		res, err = plan.Run(rd, src, opts, func(p *formats.Payment) error {
			if msgID == "" && p.Batch != nil {
				msgID = p.Batch.MessageID
			}
			payments = append(payments, store.Payment{
				FileID: f.ID, Index: p.Index, BatchID: batchID(p), InstructionID: p.InstructionID,
				EndToEndID: p.EndToEndID, Minor: p.Amount.Minor, Currency: p.Amount.Currency,
				Date: p.RequestedDate.String(), Creditor: p.Creditor.Name, CreditorAcct: p.CreditorAccount.String(),
				State: store.PayReceived,
			})
			return nil
		})
		if err != nil {
			return nil, err
		}
		if v, ok := rd.(interface{ Version() string }); ok && v.Version() != "" {
			kind = v.Version()
		}
	}
	return func(tx *store.Tx) error {
		f.Kind, f.MsgID = kind, msgID
		if openErr != nil {
			f.State = store.FileRejected
			f.Problems = []string{f.Name + ": " + openErr.Error()}
			if err := tx.PutFile(f); err != nil {
				return err
			}
			return tx.Log(f.ID, "", "rejected", "%v", openErr)
		}
		if res.Problems.Len() > 0 {
			f.State = store.FileRejected
			for _, p := range res.Problems.List() {
				f.Problems = append(f.Problems, p.Format(f.Name))
			}
			f.MoreProblems = res.Problems.Dropped()
			if err := tx.PutFile(f); err != nil {
				return err
			}
			return tx.Log(f.ID, "", "rejected", "%d problem(s), first: %s", res.Problems.Len(), f.Problems[0])
		}
		// A second file with the same content may have been planned since
		// the check above (two workers): the store decides, atomically.
		if owner, dup := tx.HashOwner(f.SHA256); dup && owner != f.ID {
			return duplicate(tx, owner)
		}
		byIndex := make(map[int]*store.Payment, len(payments))
		for i := range payments {
			payments[i].FileID = f.ID
			byIndex[payments[i].Index] = &payments[i]
		}
		for seq, q := range res.Requests {
			rec := &store.Request{
				Key: r.bank.cfg.Name + "/" + q.ID, Bank: r.bank.cfg.Name, Kind: r.bank.cfg.Kind, ID: q.ID,
				FileID: f.ID, Seq: seq, Method: q.Method, Path: q.Path, Headers: q.Headers, Body: q.Body,
				Payments: q.Payments, State: store.ReqPlanned,
			}
			if q.BI != nil {
				rec.DebtorAccount = q.BI.DebtorAccount
				sign, err := json.Marshal(q.BI.Hash)
				if err != nil {
					return err
				}
				rec.Sign = sign
				for _, h := range q.BI.Hash {
					rec.PaymentIDs = append(rec.PaymentIDs, h.PaymentID)
				}
			} else {
				ids, err := kbPaymentIDs(q.Body)
				if err != nil {
					return err
				}
				rec.PaymentIDs = ids
			}
			if len(rec.PaymentIDs) != len(rec.Payments) {
				return fmt.Errorf("request %s: %d payment IDs for %d payments", rec.Key, len(rec.PaymentIDs), len(rec.Payments))
			}
			if _, err := tx.Request(rec.Key); err == nil {
				return fmt.Errorf("request %s exists already: refusing to plan it twice", rec.Key)
			}
			for i, idx := range rec.Payments {
				p := byIndex[idx]
				if p == nil {
					return fmt.Errorf("request %s names payment %d that was not read", rec.Key, idx)
				}
				p.RequestKey, p.PaymentID = rec.Key, rec.PaymentIDs[i]
			}
			if err := tx.PutRequest(rec); err != nil {
				return err
			}
			f.Requests = append(f.Requests, rec.Key)
		}
		for i := range payments {
			p := &payments[i]
			if err := tx.PutPayment(p); err != nil {
				return err
			}
			// Statements name a payment by these; the index lets a booked
			// entry find its payment (matchBooked).
			for _, ref := range []string{p.PaymentID, p.EndToEndID} {
				if err := tx.PutRef(r.bank.cfg.Name, ref, f.ID, p.Index); err != nil {
					return err
				}
			}
		}
		f.State = store.FilePlanned
		f.Payments = len(payments)
		for _, t := range res.TotalList() {
			f.Totals = append(f.Totals, t.String())
		}
		if err := tx.SetHashOwner(f.SHA256, f.ID); err != nil {
			return err
		}
		if err := tx.PutFile(f); err != nil {
			return err
		}
		return tx.Log(f.ID, "", "planned", "%d payment(s) in %d request(s), %s", len(payments), len(res.Requests), strings.Join(f.Totals, ", "))
	}, nil
}

func batchID(p *formats.Payment) string {
	if p.Batch != nil {
		return p.Batch.ID
	}
	return ""
}

func (d *Daemon) hashOwner(sha string) (string, bool) {
	var owner string
	var ok bool
	d.st.View(func(tx *store.Tx) error {
		owner, ok = tx.HashOwner(sha)
		return nil
	})
	return owner, ok
}

// kbPaymentIDs reads instructionIdentification of every item of a KB body.
func kbPaymentIDs(body []byte) ([]string, error) {
	var b struct {
		Items []struct {
			PaymentIdentification struct {
				InstructionIdentification string `json:"instructionIdentification"`
			} `json:"paymentIdentification"`
		} `json:"batchPaymentDataCollectionRequest"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, err
	}
	ids := make([]string, len(b.Items))
	for i, it := range b.Items {
		ids[i] = it.PaymentIdentification.InstructionIdentification
	}
	return ids, nil
}

// moveInbox moves the taken file to archive/YYYY-MM/ or, for a rejected
// file, to the error folder with a report beside it. It moves only the file
// it claimed: if the ERP has meanwhile written a new file under the same name,
// that one is left for the scanner. Where the folders are not on one server
// (or the server refuses renames) the archive copy is written from the
// spooled bytes and the original removed.
func (d *Daemon) moveInbox(f *store.File, r *route) error {
	ctx := context.Background() // folder operations bound themselves
	var dest, note string
	var e folder.Entry
	var err error
	if r.remote != nil && r.remote.ReadOnce {
		err = fs.ErrNotExist // the server deleted it when it was read
	} else {
		e, err = r.work.Stat(ctx, f.Name)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		note = "inbox file already gone"
	case err != nil:
		return err
	case e.Size != f.Size || !e.ModTime.Equal(f.ModTime):
		note = "a different file now has this name; left in the inbox"
	default:
		dst := r.archive
		name := path.Join(f.Received.Format("2006-01"), f.Name)
		if f.State == store.FileRejected {
			dst, name = r.errDir, f.Name
		}
		if dest, err = folder.FreeName(ctx, dst, name); err != nil {
			return err
		}
		if f.State == store.FileRejected {
			if err := folder.WriteFile(ctx, dst, dest+".error.txt", errorReport(f)); err != nil {
				return err
			}
		}
		err = r.work.MoveTo(ctx, f.Name, dst, dest)
		if errors.Is(err, folder.ErrCrossFolder) {
			err = d.copyThenRemove(ctx, f, r, dst, dest)
		}
		if err != nil {
			return err
		}
		dest = folder.Location(dst, dest)
		note = "moved to " + dest
	}
	if r.cfg.ReadyMarker != "" && r.work == r.inbox {
		if err := r.inbox.Remove(ctx, f.Name+r.cfg.ReadyMarker); err != nil && !errors.Is(err, fs.ErrNotExist) {
			d.log.Warn("cannot remove the ready marker", "route", r.cfg.Name, "file", f.Name, "err", err)
		}
	}
	return d.st.Update(func(tx *store.Tx) error {
		f.Moved, f.MovedTo = true, dest
		if err := tx.DeleteClaim(f.Route, f.Name); err != nil {
			return err
		}
		if err := tx.PutFile(f); err != nil {
			return err
		}
		return tx.Log(f.ID, "", "moved", "%s", note)
	})
}

// copyThenRemove archives a file the server cannot rename: the archive copy
// comes from the spool (the bytes we took), then the original is removed.
// An oversized file was not spooled; it is only removed.
func (d *Daemon) copyThenRemove(ctx context.Context, f *store.File, r *route, dst folder.Folder, dest string) error {
	if f.Spool != "" {
		src, err := os.Open(f.Spool)
		if err != nil {
			return err
		}
		defer src.Close()
		w, err := dst.Create(ctx, dest)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, src); err != nil {
			w.Abort()
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
	return r.work.Remove(ctx, f.Name)
}

// errorReport is the <name>.error.txt beside a rejected file.
func errorReport(f *store.File) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s was rejected by erpconnector: nothing was sent to the bank.\n", f.Name)
	fmt.Fprintf(&b, "File ID %s, route %s, received %s, sha256 %s.\n\n", f.ID, f.Route, f.Received.Format(time.RFC3339), f.SHA256)
	fmt.Fprintf(&b, "%d problem(s):\n", len(f.Problems)+f.MoreProblems)
	for _, p := range f.Problems {
		b.WriteString(p)
		b.WriteByte('\n')
	}
	if f.MoreProblems > 0 {
		fmt.Fprintf(&b, "... and %d more problems not listed.\n", f.MoreProblems)
	}
	b.WriteString("\nFix the export and drop the corrected file into the inbox again.\n")
	return []byte(b.String())
}

// planOptions builds the route's planning options from its bank and route blocks.
func planOptions(r *route) {
	r.planOpts.Validate = validate.Rules{PastDates: validate.RejectPast}
	if r.cfg.PastDates == "today" {
		r.planOpts.Validate.PastDates = validate.MoveToToday
	}
}
