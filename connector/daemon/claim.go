package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"erpconnector/connector/folder"
	"erpconnector/connector/store"
)

// watch lists r's inbox at start, on every event hint and at every sweep
// interval, and hands settled files to the workers. Events are hints only:
// shares deliver none and overflows lose some, so the sweep is the truth.
func (d *Daemon) watch(ctx context.Context, r *route) {
	hints := r.inbox.Changes()
	sweep := time.NewTicker(r.cfg.Sweep.Duration)
	defer sweep.Stop()
	// While files are settling, look again soon rather than at the next sweep.
	recheck := time.NewTimer(0)
	defer recheck.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-hints:
		case <-sweep.C:
		case <-recheck.C:
		}
		pending := d.scan(ctx, r)
		if pending {
			next := r.cfg.Settle.Duration / 4
			next = max(next, 50*time.Millisecond)
			next = min(next, time.Second)
			recheck.Reset(next)
		}
	}
}

// scan lists the inbox once; it reports whether files are still settling.
func (d *Daemon) scan(ctx context.Context, r *route) bool {
	entries, err := r.inbox.List(ctx)
	if err != nil {
		d.log.Error("inbox cannot be listed", "route", r.cfg.Name, "inbox", r.inbox.Dir, "err", err)
		return false
	}
	ready := r.settler.Ready(entries, d.opts.Now())
	for _, e := range ready {
		key := "claim:" + r.cfg.Name + "/" + e.Name
		d.mu.Lock()
		if d.busy[key] {
			d.mu.Unlock()
			continue
		}
		d.busy[key] = true
		d.mu.Unlock()
		select {
		case d.jobs <- job{r: r, entry: e}:
		case <-ctx.Done():
			return false
		}
	}
	return r.settler.Pending() > len(ready)
}

// claim takes one settled inbox file: it copies the bytes into the spool
// (fsynced), checks the file did not change meanwhile, and records the claim.
// Only then may the inbox file be moved (processFile does that).
func (d *Daemon) claim(ctx context.Context, r *route, e folder.Entry) {
	key := "claim:" + r.cfg.Name + "/" + e.Name
	defer d.release(key)
	log := d.log.With("route", r.cfg.Name, "file", e.Name)

	// Claimed before a crash but not moved: finish that file instead.
	var prior string
	d.st.View(func(tx *store.Tx) error {
		prior, _ = tx.Claim(r.cfg.Name, e.Name)
		return nil
	})
	if prior != "" {
		d.later(prior, time.Time{})
		return
	}
	if r.cfg.ReadyMarker != "" {
		if _, err := os.Stat(filepath.Join(r.inbox.Dir, e.Name+r.cfg.ReadyMarker)); err != nil {
			return // marker gone meanwhile
		}
	}

	f, err := r.inbox.Open(ctx, e.Name)
	if err != nil {
		// On Windows a writer still holding the file makes the exclusive open
		// fail: not an error, the file is simply not complete yet.
		log.Debug("inbox file not ready", "err", err)
		r.settler.Forget(e.Name)
		return
	}
	sha, size, spoolPath, err := d.spool.Put(f, int64(r.cfg.MaxFileSize))
	f.Close()
	tooLarge := errors.Is(err, store.ErrTooLarge)
	if err != nil && !tooLarge {
		log.Error("cannot copy the file into the spool; will retry", "err", err)
		r.settler.Forget(e.Name)
		return
	}
	// The bytes we spooled must be the file the ERP finished writing.
	fi, err := os.Lstat(filepath.Join(r.inbox.Dir, e.Name))
	if err != nil || fi.Size() != e.Size || !fi.ModTime().Equal(e.ModTime) || (!tooLarge && size != e.Size) {
		log.Info("file changed while being read; waiting for it to settle again")
		r.settler.Forget(e.Name)
		return
	}

	rec := &store.File{
		Route: r.cfg.Name, Name: e.Name, Inbox: filepath.Join(r.inbox.Dir, e.Name),
		SHA256: sha, Size: e.Size, ModTime: e.ModTime, Spool: spoolPath, State: store.FileClaimed,
	}
	// Plan before recording the claim, so that claim and plan commit in one
	// transaction (one fsync pair fewer per file). Planning reads only the
	// spooled copy and changes nothing until commit runs.
	var commit func(*store.Tx) error
	if tooLarge {
		// Not kept, but still identified by its content in the status file.
		if rec.SHA256, err = hashFile(filepath.Join(r.inbox.Dir, e.Name)); err != nil {
			log.Error("cannot read the oversized file; will retry", "err", err)
			r.settler.Forget(e.Name)
			return
		}
		rec.State, rec.Spool = store.FileRejected, ""
		rec.Problems = []string{fmt.Sprintf("%s: the file is %d bytes, more than max_file_size (%d bytes)", e.Name, fi.Size(), int64(r.cfg.MaxFileSize))}
		commit = func(tx *store.Tx) error { return tx.PutFile(rec) }
	} else if commit, err = d.planCommit(rec, r); err != nil {
		log.Error("cannot read the spooled copy; will retry", "err", err)
		r.settler.Forget(e.Name)
		return
	}
	var id string
	err = d.st.Update(func(tx *store.Tx) error {
		var err error
		if id, err = tx.NewFileID(); err != nil {
			return err
		}
		rec.ID = id
		if err := tx.SetClaim(r.cfg.Name, e.Name, id); err != nil {
			return err
		}
		if err := tx.Log(id, "", "claimed", "%s from route %s (%d bytes, sha256 %s)", e.Name, r.cfg.Name, e.Size, sha); err != nil {
			return err
		}
		return commit(tx)
	})
	if err != nil {
		log.Error("cannot record the claim; will retry", "err", err)
		r.settler.Forget(e.Name)
		return
	}
	hook("after-claim")
	r.settler.Forget(e.Name)
	log.Info("file claimed", "file_id", id, "bytes", e.Size, "state", rec.State, "payments", rec.Payments, "problems", len(rec.Problems))
	// Go straight on with this file in this worker: no queue in between.
	d.mu.Lock()
	d.busy[id] = true
	d.mu.Unlock()
	d.processFile(ctx, id)
}

// stem is a name without its extension, for status file names.
func stem(name string) string {
	if ext := filepath.Ext(name); ext != "" && ext != name {
		return strings.TrimSuffix(name, ext)
	}
	return name
}

// hashFile is the hex SHA-256 of a file's content.
func hashFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
