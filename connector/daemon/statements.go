package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"erpconnector/connector/config"
	"erpconnector/connector/folder"
	"erpconnector/connector/store"
	"erpconnector/formats"
	"erpconnector/formats/camt053"
	"erpconnector/formats/gpc"
	"erpconnector/formats/mt940"
	"erpconnector/formats/statement"
	"erpconnector/formats/stmtcsv"
)

// stmtSource fetches what a bank booked on one account in a date range.
type stmtSource interface {
	Fetch(ctx context.Context, account string, from, to formats.Date) (*stmtFetch, error)
}

// stmtFetch is one answer of a statement source.
type stmtFetch struct {
	Account  formats.Account
	Currency string
	Owner    string
	Name     string
	BIC      string
	Entries  []statement.Entry
	// Opening is the balance before the first day of the range, when the
	// bank reports one; the first run starts from it.
	Opening *int64
}

// stmtBlock is one [[statement]] block.
type stmtBlock struct {
	cfg          *config.Statement
	outbox       folder.Folder
	tempsRemoved bool
	key          string // store key prefix: "stmt/<bank>/<account>"
	bank         *bankConn
	src          stmtSource
}

// StmtCursor is what the store keeps per statement block (shown by status).
type StmtCursor struct {
	Bank      string    `json:"bank"`
	Account   string    `json:"account"`
	Seq       int       `json:"seq"`      // statements written
	Closing   int64     `json:"closing"`  // balance after the last statement, minor units
	Currency  string    `json:"currency"` // of the account
	LastTo    string    `json:"last_to"`  // last day covered (YYYY-MM-DD)
	Written   int       `json:"written"`  // entries written in all
	LastRun   time.Time `json:"last_run"`
	NextRun   time.Time `json:"next_run"`
	LastError string    `json:"last_error,omitempty"`
	Pending   *stmtRun  `json:"pending,omitempty"` // entries stored, files not yet all written
}

// stmtRun is one statement: its entries are in the store before its files
// are written, and the cursor moves only once every file is durable.
type stmtRun struct {
	Seq      int               `json:"seq"`
	From     string            `json:"from"`
	To       string            `json:"to"`
	Created  time.Time         `json:"created"`
	Opening  int64             `json:"opening"`
	Closing  int64             `json:"closing"`
	Account  formats.Account   `json:"account"`
	Currency string            `json:"currency"`
	Owner    string            `json:"owner,omitempty"`
	Name     string            `json:"name,omitempty"`
	BIC      string            `json:"bic,omitempty"`
	Entries  []statement.Entry `json:"entries"`
}

// overlap is how far back each run looks again: entries the bank books late
// for an earlier day are caught, and the entry ID keeps them from appearing
// twice.
const overlap = 3 * 24 * time.Hour

func (d *Daemon) loadCursor(b *stmtBlock) (*StmtCursor, error) {
	var c *StmtCursor
	err := d.st.View(func(tx *store.Tx) error {
		var err error
		c, err = cursorTx(tx, b)
		return err
	})
	return c, err
}

// cursorTx reads the cursor inside a transaction (bbolt must not open a
// read transaction inside a write one in the same goroutine).
func cursorTx(tx *store.Tx, b *stmtBlock) (*StmtCursor, error) {
	c := &StmtCursor{Bank: b.cfg.Bank, Account: b.cfg.Account}
	if v := tx.GetKV(b.key + "/cursor"); v != nil {
		if err := json.Unmarshal(v, c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func putCursor(tx *store.Tx, b *stmtBlock, c *StmtCursor) error {
	v, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return tx.PutKV(b.key+"/cursor", v)
}

// runStatements pulls each block at start (catching up after downtime) and
// then on its schedule.
func (d *Daemon) runStatements(ctx context.Context) {
	if len(d.stmts) == 0 {
		return
	}
	next := make([]time.Time, len(d.stmts))
	for {
		now := d.opts.Now()
		wait := time.Hour
		for i, b := range d.stmts {
			if !next[i].After(now) {
				if !b.tempsRemoved {
					// Leftovers of a write a crash interrupted.
					b.tempsRemoved = b.outbox.RemoveTemps(ctx) == nil
				}
				d.statementRun(ctx, b)
				next[i] = nextRun(b.cfg, d.opts.Now())
				d.st.Update(func(tx *store.Tx) error {
					c, err := cursorTx(tx, b)
					if err != nil {
						return err
					}
					c.NextRun = next[i]
					return putCursor(tx, b, c)
				})
			}
			wait = min(wait, next[i].Sub(d.opts.Now()))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(max(wait, 100*time.Millisecond)):
		}
	}
}

// nextRun is the next time a block is due after now.
func nextRun(c *config.Statement, now time.Time) time.Time {
	if len(c.Times) == 0 {
		return now.Add(c.Every.Duration)
	}
	var best time.Time
	for _, t := range c.Times {
		hm, err := time.Parse("15:04", t)
		if err != nil {
			continue
		}
		at := time.Date(now.Year(), now.Month(), now.Day(), hm.Hour(), hm.Minute(), 0, 0, now.Location())
		if !at.After(now) {
			at = at.AddDate(0, 0, 1)
		}
		if best.IsZero() || at.Before(best) {
			best = at
		}
	}
	return best
}

// statementRun does one pull of one block, logging instead of failing: a
// failed pull is simply tried again at the next run, from the same cursor.
func (d *Daemon) statementRun(ctx context.Context, b *stmtBlock) {
	log := d.log.With("statement", b.key)
	if until, ok := b.bank.paused(d.opts.Now()); ok {
		log.Info("the bank asked us to wait (Retry-After); statement run skipped", "until", until)
		return
	}
	err := d.statementPull(ctx, b)
	if err != nil {
		b.bank.after(d.opts.Now(), 0, err) // a Retry-After pauses the other calls too
	}
	d.st.Update(func(tx *store.Tx) error {
		c, lerr := cursorTx(tx, b)
		if lerr != nil {
			return lerr
		}
		c.LastRun = d.opts.Now()
		c.LastError = ""
		if err != nil {
			c.LastError = err.Error()
		}
		return putCursor(tx, b, c)
	})
	if err != nil {
		log.Error("statement pull failed; will try again at the next run", "err", err)
	}
}

func (d *Daemon) statementPull(ctx context.Context, b *stmtBlock) error {
	c, err := d.loadCursor(b)
	if err != nil {
		return err
	}
	if c.Pending != nil {
		// A crash came between storing entries and writing the files.
		if err := d.finishRun(b, c.Pending); err != nil {
			return err
		}
		if c, err = d.loadCursor(b); err != nil {
			return err
		}
	}
	now := d.opts.Now()
	to := formats.DateOf(now)
	first := c.LastTo == ""
	from := formats.DateOf(now.Add(-b.cfg.Backfill.Duration))
	if !first {
		last, err := formats.ParseDate("2006-01-02", c.LastTo)
		if err != nil {
			return fmt.Errorf("cursor: %w", err)
		}
		from = formats.DateOf(last.Time().Add(-overlap))
	}
	f, err := b.src.Fetch(ctx, b.cfg.Account, from, to)
	if err != nil {
		return err
	}
	run := &stmtRun{Seq: c.Seq + 1, From: from.String(), To: to.String(), Created: now.UTC(), Account: f.Account,
		Currency: f.Currency, Owner: f.Owner, Name: f.Name, BIC: f.BIC, Opening: c.Closing}
	if first && f.Opening != nil {
		run.Opening = *f.Opening
	}
	var matched []string
	err = d.st.Update(func(tx *store.Tx) error {
		seen := map[string]bool{}
		for _, e := range f.Entries {
			if e.ID == "" || seen[e.ID] || tx.HasEntry(b.key, e.ID) {
				continue // delivered before: never twice in the files
			}
			seen[e.ID] = true
			if e.Currency == "" {
				e.Currency = f.Currency
			}
			run.Entries = append(run.Entries, e)
			run.Closing += e.Minor
		}
		if len(run.Entries) == 0 && !b.cfg.EmptyFiles {
			c.LastTo = to.String()
			return putCursor(tx, b, c)
		}
		if len(run.Entries) == 0 {
			run.Closing = run.Opening
		} else {
			run.Closing += run.Opening
		}
		for _, e := range run.Entries {
			if err := tx.PutEntry(b.key, e.ID, e); err != nil {
				return err
			}
			if id, err := d.matchBooked(tx, b.bank.cfg.Name, e); err != nil {
				return err
			} else if id != "" {
				matched = append(matched, id)
			}
		}
		c.Pending = run
		c.Currency = f.Currency
		return putCursor(tx, b, c)
	})
	if err != nil {
		return err
	}
	for _, id := range matched {
		d.later(id, time.Time{})
	}
	if c.Pending == nil {
		return nil
	}
	hook("after-statement-entries")
	return d.finishRun(b, run)
}

// matchBooked marks the submitted payment an entry pays, if any, as booked.
// The match is by reference (end-to-end ID, or the ID the bank knows the
// payment by) and must agree on amount and currency; amounts alone are never
// used to guess.
func (d *Daemon) matchBooked(tx *store.Tx, bankName string, e statement.Entry) (string, error) {
	if e.Minor >= 0 {
		return "", nil
	}
	for _, ref := range []string{e.EndToEndID, e.InstructionID} {
		if ref == "" {
			continue
		}
		fileID, idx, ok := tx.Ref(bankName, ref)
		if !ok {
			continue
		}
		p, err := tx.Payment(fileID, idx)
		if err != nil {
			return "", err
		}
		if p.Minor != -e.Minor || p.Currency != e.Currency || p.State.Final() {
			continue
		}
		p.State, p.ReasonCode, p.ReasonText = store.PayBooked, "", "booked "+e.BookingDate.String()+" (statement entry "+e.ID+")"
		if err := tx.PutPayment(p); err != nil {
			return "", err
		}
		return fileID, tx.Log(fileID, p.RequestKey, "booked", "%s booked %s per statement entry %s", p.PaymentID, e.BookingDate, e.ID)
	}
	return "", nil
}

// finishRun writes a run's files (the same names and bytes however often it
// is repeated) and then moves the cursor.
func (d *Daemon) finishRun(b *stmtBlock, run *stmtRun) error {
	st := run.statement(b)
	if err := st.Check(); err != nil {
		return err
	}
	for _, format := range b.cfg.Formats {
		ext, write, err := stmtWriter(format, b.cfg)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := write(&buf, st); err != nil {
			return fmt.Errorf("%s statement: %w", format, err)
		}
		name := fmt.Sprintf("%s.%05d.%s%s", accountLabel(run.Account, b.cfg.Account), run.Seq,
			strings.ReplaceAll(run.To, "-", ""), ext)
		if err := folder.WriteFile(context.Background(), b.outbox, name, buf.Bytes()); err != nil {
			return err
		}
		hook("after-statement-file")
	}
	err := d.st.Update(func(tx *store.Tx) error {
		c, err := cursorTx(tx, b)
		if err != nil {
			return err
		}
		c.Seq, c.Closing, c.LastTo, c.Pending = run.Seq, run.Closing, run.To, nil
		c.Written += len(run.Entries)
		return putCursor(tx, b, c)
	})
	if err == nil {
		d.log.Info("statement written", "statement", b.key, "seq", run.Seq, "entries", len(run.Entries), "formats", strings.Join(b.cfg.Formats, ","))
	}
	return err
}

func (r *stmtRun) statement(b *stmtBlock) *statement.Statement {
	from, _ := formats.ParseDate("2006-01-02", r.From)
	to, _ := formats.ParseDate("2006-01-02", r.To)
	return &statement.Statement{
		ID: fmt.Sprintf("%s-%05d", accountLabel(r.Account, b.cfg.Account), r.Seq), Sequence: r.Seq, Created: r.Created,
		Account: r.Account, Currency: r.Currency, Owner: r.Owner, Name: r.Name, BIC: r.BIC, From: from, To: to,
		Opening: statement.Balance{Minor: r.Opening, Date: from}, Closing: statement.Balance{Minor: r.Closing, Date: to},
		Entries: r.Entries,
	}
}

// accountLabel names statement files: the IBAN, else the configured account.
func accountLabel(a formats.Account, configured string) string {
	s := a.IBAN
	if s == "" {
		s = configured
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' {
			return r
		}
		return '-'
	}, s)
}

// stmtWriter returns a format's file extension and writer.
func stmtWriter(format string, c *config.Statement) (string, func(io.Writer, *statement.Statement) error, error) {
	switch format {
	case "camt.053", "camt.053.001.02":
		return ".camt053.xml", func(w io.Writer, s *statement.Statement) error { return camt053.Write(w, s, camt053.V02) }, nil
	case "camt.053.001.08":
		return ".camt053.xml", func(w io.Writer, s *statement.Statement) error { return camt053.Write(w, s, camt053.V08) }, nil
	case "mt940":
		o := mt940.Options{}
		if c.MT940Dialect == "cz" {
			o.Dialect = mt940.CZ
		}
		return ".sta", func(w io.Writer, s *statement.Statement) error { return mt940.Write(w, s, o) }, nil
	case "gpc":
		o := gpc.Options{InternalAccountFormat: c.GPCInternal}
		if c.GPCReversals == "45" {
			o.ReversalCodes = gpc.Reversals45
		}
		return ".gpc", func(w io.Writer, s *statement.Statement) error { return gpc.Write(w, s, o) }, nil
	case "csv":
		o := stmtcsv.Options{Delimiter: []rune(c.CSVDelimiter)[0], DecimalComma: c.CSVDecimal == ",", Header: true}
		return ".csv", func(w io.Writer, s *statement.Statement) error { return stmtcsv.Write(w, s, o) }, nil
	}
	return "", nil, fmt.Errorf("unknown statement format %q", format)
}
