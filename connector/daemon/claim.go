package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"erpconnector/connector/folder"
	"erpconnector/connector/fsutil"
	"erpconnector/connector/store"
)

// watch lists r's inbox at start, on every event hint and at every sweep
// interval, and hands settled files to the workers. Events are hints only:
// shares deliver none and overflows lose some, so the sweep is the truth.
func (d *Daemon) watch(ctx context.Context, r *route) {
	if r.held != nil {
		// A download from a read-once server cut by a crash: the server has
		// (probably) forgotten the file, and these bytes may be incomplete.
		// Kept for a person, never taken.
		partial, _ := filepath.Glob(filepath.Join(r.held.Dir, fsutil.TempPrefix+"*"))
		for _, p := range partial {
			d.log.Error("an interrupted download from a read-once server was found; the file may be incomplete and was not taken: check it and ask the sender for the file again",
				"route", r.cfg.Name, "partial", p)
		}
	}
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
	if !r.tempsRemoved {
		// A write interrupted by a crash leaves its temporary file behind;
		// it is ours, incomplete, and rewritten from the store. Done once
		// per start, when the folders can first be reached.
		r.tempsRemoved = true
		for _, f := range []folder.Folder{r.outbox, r.errDir} {
			if err := f.RemoveTemps(ctx); err != nil {
				r.tempsRemoved = false
				level := slog.LevelDebug
				if !r.tempsWarned { // once: the listing's own error repeats every poll
					level, r.tempsWarned = slog.LevelWarn, true
				}
				d.log.Log(ctx, level, "cannot remove temporary files yet", "route", r.cfg.Name, "folder", f.String(), "err", err)
			}
		}
	}
	entries, err := r.inbox.List(ctx)
	if err != nil {
		d.log.Error("inbox cannot be listed", "route", r.cfg.Name, "inbox", r.inbox.String(), "err", err)
		return false
	}
	ready := r.settler.Ready(entries, d.opts.Now())
	jobs := make([]job, 0, len(ready))
	for _, e := range ready {
		jobs = append(jobs, job{r: r, entry: e})
	}
	if r.work != r.inbox {
		// Files renamed into processing whose claim was never recorded (a
		// crash or a lost connection right after the rename) are complete:
		// they settled before they were renamed.
		claimed, err := r.work.List(ctx)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			d.log.Error("processing folder cannot be listed", "route", r.cfg.Name, "folder", r.work.String(), "err", err)
		}
		for _, e := range claimed {
			jobs = append(jobs, job{r: r, entry: e, claimed: true})
		}
	}
	if r.held != nil {
		held, err := r.held.List(ctx)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			d.log.Error("held folder cannot be listed", "route", r.cfg.Name, "folder", r.held.Dir, "err", err)
		}
		for _, e := range held {
			jobs = append(jobs, job{r: r, entry: e, claimed: true, held: true})
		}
	}
	for _, j := range jobs {
		key := "claim:" + r.cfg.Name + "/" + j.entry.Name
		d.mu.Lock()
		if d.busy[key] {
			d.mu.Unlock()
			continue
		}
		d.busy[key] = true
		d.mu.Unlock()
		select {
		case d.jobs <- j:
		case <-ctx.Done():
			return false
		}
	}
	return r.settler.Pending() > len(ready)
}

// claim takes one settled inbox file: on an SFTP server it first renames it
// into the processing folder; it copies the bytes into the spool (fsynced),
// checks the file did not change meanwhile, and records the claim. Only then
// may the file be moved to the archive (processFile does that).
func (d *Daemon) claim(ctx context.Context, j job) {
	r, e := j.r, j.entry
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
	if !j.claimed && r.cfg.ReadyMarker != "" {
		if _, err := r.inbox.Stat(ctx, e.Name+r.cfg.ReadyMarker); err != nil {
			return // marker gone meanwhile
		}
	}
	if !j.claimed && r.work != r.inbox {
		if !d.claimRemote(ctx, r, e, log) {
			r.settler.Forget(e.Name)
			return
		}
	}
	src := r.work
	if j.held {
		src = r.held
	} else if r.held != nil {
		if !d.hold(ctx, r, e, log) {
			r.settler.Forget(e.Name)
			return
		}
		hook("after-hold")
		src = r.held
	}
	limit := int64(r.cfg.MaxFileSize)
	f, err := src.Open(ctx, e.Name)
	if err != nil {
		// On Windows a writer still holding the file makes the exclusive open
		// fail: not an error, the file is simply not complete yet.
		log.Debug("inbox file not ready", "err", err)
		r.settler.Forget(e.Name)
		return
	}
	var sha, spoolPath string
	var size int64
	tooLarge := limit > 0 && e.Size > limit
	if tooLarge {
		// Not kept, but still identified by its content in the status file.
		h := sha256.New()
		size, err = io.Copy(h, f)
		sha = hex.EncodeToString(h.Sum(nil))
	} else {
		sha, size, spoolPath, err = d.spool.Put(f, limit)
	}
	f.Close()
	if err != nil && !errors.Is(err, store.ErrTooLarge) {
		log.Error("cannot copy the file into the spool; will retry", "err", err)
		r.settler.Forget(e.Name)
		return
	}
	// The bytes we spooled must be the file the ERP finished writing. A
	// read-once server has deleted it by now: the size must do.
	changed := err != nil || size != e.Size
	if r.remote == nil || !r.remote.ReadOnce {
		fi, err := r.work.Stat(ctx, e.Name)
		changed = changed || err != nil || fi.Size != e.Size || !fi.ModTime.Equal(e.ModTime)
	}
	if changed {
		log.Info("file changed while being read; waiting for it to settle again", "listed_bytes", e.Size, "read_bytes", size)
		r.settler.Forget(e.Name)
		return
	}

	rec := &store.File{
		Route: r.cfg.Name, Name: e.Name, Inbox: folder.Location(r.work, e.Name),
		SHA256: sha, Size: e.Size, ModTime: e.ModTime, Spool: spoolPath, State: store.FileClaimed,
	}
	// Plan before recording the claim, so that claim and plan commit in one
	// transaction (one fsync pair fewer per file). Planning reads only the
	// spooled copy and changes nothing until commit runs.
	var commit func(*store.Tx) error
	if tooLarge {
		rec.State = store.FileRejected
		rec.Problems = []string{fmt.Sprintf("%s: the file is %d bytes, more than max_file_size (%d bytes)", e.Name, e.Size, limit)}
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
	if r.held != nil {
		if err := r.held.Remove(ctx, e.Name); err != nil {
			log.Warn("cannot remove the held copy (it is stored; the next scan finds it claimed)", "err", err)
		}
	}
	log.Info("file claimed", "file_id", id, "bytes", e.Size, "state", rec.State, "payments", rec.Payments, "problems", len(rec.Problems))
	// Go straight on with this file in this worker: no queue in between.
	d.mu.Lock()
	d.busy[id] = true
	d.mu.Unlock()
	d.processFile(ctx, id)
}

// hold copies a file from a read-once server into the route's held folder,
// complete and fsynced, before anything else: the server deletes the file as
// it is read, so from then on our copy is the only one, and a crash before
// the claim is recorded must not lose it. A held file of the same name not
// yet claimed goes first.
func (d *Daemon) hold(ctx context.Context, r *route, e folder.Entry, log *slog.Logger) bool {
	if _, err := r.held.Stat(ctx, e.Name); err == nil {
		log.Info("a held copy of the same name is not claimed yet; this one waits on the server")
		return false
	}
	in, err := r.work.Open(ctx, e.Name)
	if err != nil {
		log.Warn("cannot open the file on the read-once server; will retry", "err", err)
		return false
	}
	defer in.Close()
	w, err := r.held.Create(ctx, e.Name)
	if err != nil {
		log.Error("cannot create the held copy; will retry", "folder", r.held.Dir, "err", err)
		return false
	}
	n, err := io.Copy(w, in)
	if err == nil && n != e.Size {
		err = fmt.Errorf("read %d bytes, the listing said %d", n, e.Size)
	}
	if err != nil {
		w.Abort()
		// The server may have forgotten the file already: say so loudly.
		log.Error("reading from the read-once server failed; if the server has deleted the file, ask for it again", "err", err)
		return false
	}
	if err := w.Close(); err != nil {
		log.Error("cannot store the held copy; if the server has deleted the file, ask for it again", "err", err)
		return false
	}
	return true
}

// claimRemote renames a settled file on an SFTP server into the processing
// folder, so that it is ours before a byte is read. It never replaces a file
// already there (one of the same name still being worked on): the new one
// waits in the inbox. A lost connection may have done the rename or not; the
// next scan finds the file in one folder or the other.
func (d *Daemon) claimRemote(ctx context.Context, r *route, e folder.Entry, log *slog.Logger) bool {
	if _, err := r.work.Stat(ctx, e.Name); err == nil {
		log.Info("a file of the same name is still being processed; this one waits in the inbox")
		return false
	} else if !errors.Is(err, fs.ErrNotExist) {
		log.Warn("cannot look into the processing folder; will retry", "err", err)
		return false
	}
	if err := r.inbox.MoveTo(ctx, e.Name, r.work, e.Name); err != nil {
		log.Warn("cannot move the file into the processing folder; will retry", "folder", r.work.String(), "err", err)
		return false
	}
	if r.cfg.ReadyMarker != "" {
		if err := r.inbox.Remove(ctx, e.Name+r.cfg.ReadyMarker); err != nil && !errors.Is(err, fs.ErrNotExist) {
			log.Warn("cannot remove the ready marker", "err", err)
		}
	}
	return true
}

// stem is a name without its extension, for status file names.
func stem(name string) string {
	if ext := filepath.Ext(name); ext != "" && ext != name {
		return strings.TrimSuffix(name, ext)
	}
	return name
}
