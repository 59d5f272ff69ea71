package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"erpconnector/connector/fsutil"
	"erpconnector/connector/store"
	"erpconnector/formats"
	"erpconnector/formats/money"
	"erpconnector/formats/pain002"
	"erpconnector/formats/status"
)

// report writes status files for f when what they would say has changed
// since the last ones. Each status file is written under a temporary name,
// fsynced and renamed; the store records it only after the rename, so a crash
// in between writes the same file again (same name, same content) on restart.
func (d *Daemon) report(f *store.File, r *route) error {
	rep, err := d.buildReport(f)
	if err != nil {
		return err
	}
	key := statusKey(rep)
	if key == f.StatusKey {
		if f.State.Terminal() && !f.StatusDone {
			return d.markStatusDone(f)
		}
		return nil
	}
	state := rep.FileState()
	final := f.State.Terminal() || allFinal(rep)
	if r.cfg.StatusFiles == "final" && !final {
		return nil
	}
	seq := f.StatusSeq + 1
	rep.MessageID = fmt.Sprintf("EC%s%s%03d", f.ID[1:], prefix(f.SHA256, 12), seq%1000)
	base := fmt.Sprintf("%s.%s.%03d.%s", statusStem(f.Name), f.ID, seq, state)
	if r.cfg.StatusFiles == "final" {
		base = fmt.Sprintf("%s.%s.%s", statusStem(f.Name), f.ID, state)
	}
	var written []string
	for _, kind := range r.cfg.Status {
		name, write := statusWriter(kind, r.cfg.Pain002Version)
		// Folder operations bound themselves (an SFTP server that stops
		// answering loses its connection), so no context is needed here.
		a, err := r.outbox.Create(context.Background(), base+name)
		if err != nil {
			d.unwrite(r, written)
			return err
		}
		if err := write(a, rep); err != nil {
			a.Abort()
			d.unwrite(r, written)
			return fmt.Errorf("%s status file: %w", kind, err)
		}
		hook("mid-status-write") // written, not yet in place
		if err := a.Close(); err != nil {
			d.unwrite(r, written)
			return err
		}
		written = append(written, base+name)
		hook("after-status-write")
	}
	if err := d.st.Update(func(tx *store.Tx) error {
		cur, err := tx.File(f.ID)
		if err != nil {
			return err
		}
		cur.StatusSeq, cur.StatusKey = seq, key
		cur.StatusDone = cur.State.Terminal()
		if err := tx.PutFile(cur); err != nil {
			return err
		}
		return tx.Log(f.ID, "", "status", "status file %s (%s)", base, state)
	}); err != nil {
		return err
	}
	f.StatusSeq, f.StatusKey = seq, key
	f.StatusDone = f.State.Terminal()
	d.log.Info("status file written", "route", r.cfg.Name, "file_id", f.ID, "file", f.Name, "state", state, "name", base)
	return nil
}

// unwrite removes the status files of a set that could not be completed (a
// full disk after the pain.002 was written): the retry may carry another
// state in its names, and the ERP must not see a partial set beside it.
func (d *Daemon) unwrite(r *route, names []string) {
	for _, n := range names {
		rm := []string{n}
		if srv := sftpServer(r.outbox); srv != nil && srv.NoRename {
			rm = []string{n + srv.UploadMarker, n} // the marker first: it announces the file
		}
		for _, x := range rm {
			if err := r.outbox.Remove(context.Background(), x); err != nil && !errors.Is(err, fs.ErrNotExist) {
				d.log.Warn("cannot remove a status file of an incomplete set", "route", r.cfg.Name, "name", x, "err", err)
			}
		}
	}
}

func statusWriter(kind, painVersion string) (string, func(io.Writer, *status.Report) error) {
	switch kind {
	case "csv":
		return ".csv", func(w io.Writer, r *status.Report) error { return status.WriteCSV(w, r, status.CSVOptions{}) }
	case "json":
		return ".json", status.WriteJSON
	}
	v := pain002.V03
	if painVersion == "10" {
		v = pain002.V10
	}
	return ".pain002.xml", func(w io.Writer, r *status.Report) error { return pain002.Write(w, r, v) }
}

// buildReport assembles the status report of a file from the store.
func (d *Daemon) buildReport(f *store.File) (*status.Report, error) {
	rep := &status.Report{
		MessageID: "pending",
		Created:   d.opts.Now().UTC(),
		File:      status.FileRef{Name: f.Name, SHA256: f.SHA256, OriginalMessageID: f.MsgID, OriginalFormat: f.Kind},
	}
	switch f.State {
	case store.FileClaimed:
		rep.State = status.Received
	case store.FileRejected:
		rep.State = status.Rejected
		rep.Problems = f.Problems
		if f.MoreProblems > 0 {
			rep.Problems = append(rep.Problems[:len(rep.Problems):len(rep.Problems)], fmt.Sprintf("... and %d more problems", f.MoreProblems))
		}
		rep.Reason = status.Reason{Code: "NARR", Text: fmt.Sprintf("%d problem(s) in the file; nothing was sent", len(f.Problems)+f.MoreProblems)}
	case store.FileDuplicate:
		rep.State = status.Duplicate
		rep.Reason = status.Reason{Code: "AM05", Text: d.duplicateText(f)}
	}
	err := d.st.View(func(tx *store.Tx) error {
		return tx.Payments(f.ID, func(p *store.Payment) error {
			sp := status.Payment{
				Index: p.Index, BatchID: p.BatchID, InstructionID: p.InstructionID, EndToEndID: p.EndToEndID,
				Amount: money.Amount{Minor: p.Minor, Currency: p.Currency}, CreditorName: p.Creditor,
				CreditorAccount: p.CreditorAcct, State: status.State(p.State),
				Reason: status.Reason{Code: p.ReasonCode, Text: p.ReasonText}, BankReference: p.BankRef, Updated: p.Updated,
			}
			if dt, err := formats.ParseDate("2006-01-02", p.Date); err == nil {
				sp.RequestedDate = dt
			}
			rep.Payments = append(rep.Payments, sp)
			return nil
		})
	})
	return rep, err
}

func (d *Daemon) duplicateText(f *store.File) string {
	first, err := d.file(f.DuplicateOf)
	if err != nil {
		return "duplicate of file " + f.DuplicateOf + ": not sent again"
	}
	return fmt.Sprintf("duplicate of %s (file %s, received %s): not sent again", first.Name, first.ID, first.Received.Format("2006-01-02T15:04:05Z07:00"))
}

// statusKey fingerprints what a status file says, so that an unchanged state
// does not produce another file.
func statusKey(r *status.Report) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%s|%d\n", r.FileState(), r.Reason.Code, r.Reason.Text, len(r.Problems))
	for _, p := range r.Payments {
		fmt.Fprintf(h, "%d|%s|%s|%s|%s\n", p.Index, p.State, p.Reason.Code, p.Reason.Text, p.BankReference)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func allFinal(r *status.Report) bool {
	if len(r.Payments) == 0 {
		return false
	}
	for _, p := range r.Payments {
		if !store.PaymentState(p.State).Final() {
			return false
		}
	}
	return true
}

// markStatusDone records that the terminal state's status file exists.
func (d *Daemon) markStatusDone(f *store.File) error {
	return d.st.Update(func(tx *store.Tx) error {
		cur, err := tx.File(f.ID)
		if err != nil {
			return err
		}
		cur.StatusDone = true
		f.StatusDone = true
		return tx.PutFile(cur)
	})
}

// prefix is the first n bytes of s, or s when shorter.
func prefix(s string, n int) string { return s[:min(n, len(s))] }

// maxStatusStem keeps status file names (stem + ".F000001.001.accepted" +
// ".pain002.xml") well inside the 255 bytes file systems allow.
const maxStatusStem = 150

// statusStem is the inbox name's stem for status file names; a very long
// one is cut, with a hash of the full name so that two long names that
// share a beginning still give different status files.
func statusStem(name string) string {
	s := stem(name)
	if len(s) <= maxStatusStem {
		return s
	}
	h := sha256.Sum256([]byte(name))
	return fsutil.Shorten(s, maxStatusStem-9) + "~" + hex.EncodeToString(h[:4])
}
