// Package daemon is the pipeline: discover → claim → parse → plan → submit →
// track → report → archive. Every step starts from what the store says and
// ends by committing what it did, so a restart (or a crash at any point)
// resumes each file where it stopped. The rules that keep a payment from
// being sent twice live in submit.go.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"erpconnector/connector/admin"
	"erpconnector/connector/config"
	"erpconnector/connector/folder"
	"erpconnector/connector/store"
	"erpconnector/formats/input"
	"erpconnector/formats/plan"
)

// Options tune the daemon beyond the config file (tests and benchmarks).
type Options struct {
	Workers         int           // files processed in parallel; default 4
	ShutdownTimeout time.Duration // how long in-flight bank calls may finish on stop; default 20s
	Now             func() time.Time
	Tick            time.Duration // scheduler granularity; default 250ms
}

// Daemon runs every route of one configuration.
type Daemon struct {
	cfg   *config.Config
	opts  Options
	st    *store.Store
	spool store.Spool
	log   *slog.Logger

	routes map[string]*route
	banks  map[string]*bankConn
	stmts  []*stmtBlock
	closer []func(context.Context) error

	metrics metrics

	jobs chan job
	mu   sync.Mutex
	busy map[string]bool      // file IDs or route/name claims being worked on
	due  map[string]time.Time // file ID -> next time it has work (submit retry, settle, poll)
	sftp map[string]*folder.SFTPConn
}

type job struct {
	fileID string
	r      *route
	entry  folder.Entry
	// claimed: the file is already in the route's processing folder (it
	// was renamed there before a crash or a lost connection), not in the inbox.
	claimed bool
	// held: the file is in the route's held folder (read from a read-once
	// server before a crash), not on the server.
	held bool
}

type route struct {
	cfg    *config.Route
	inbox  folder.Folder // where the ERP puts files
	outbox folder.Folder
	// work is where a taken file is read from and moved from: the inbox
	// itself for local folders; on an SFTP server that allows renames,
	// <inbox>/processing, into which a file is renamed first so that no
	// other reader and no second pass can take it.
	work    folder.Folder
	archive folder.Folder
	errDir  folder.Folder
	remote  *folder.SFTPServer // nil for a local inbox
	// held keeps what was read from a read-once server until the claim is
	// recorded: the server has forgotten the file by then (nil otherwise).
	held *folder.Local
	// tempsRemoved: leftovers of interrupted writes were cleaned this run.
	tempsRemoved, tempsWarned bool
	settler                   folder.Settler
	bank                      *bankConn
	planOpts                  plan.Options
	inOpts                    input.Options
	format                    input.Format
}

// New opens the store, starts in-process sandboxes for banks with
// url = "sandbox", and prepares every route. Close releases it all.
func New(cfg *config.Config, log *slog.Logger, opts Options) (*Daemon, error) {
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 20 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Tick <= 0 {
		opts.Tick = 250 * time.Millisecond
	}
	st, err := store.Open(cfg.Store.Path)
	if err != nil {
		return nil, err
	}
	st.Now = opts.Now
	d := &Daemon{
		cfg: cfg, opts: opts, st: st, spool: store.SpoolFor(cfg.Store.Path), log: log,
		routes: map[string]*route{}, banks: map[string]*bankConn{},
		jobs: make(chan job, 1024), busy: map[string]bool{}, due: map[string]time.Time{},
	}
	d.metrics.prom = admin.NewMetrics(st, d.queueDepth)
	d.metrics.prom.Registry().MustRegister(sftpCollector{d})
	for i := range cfg.Banks {
		b, err := d.connectBank(&cfg.Banks[i])
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("bank %s: %w", cfg.Banks[i].Name, err)
		}
		d.banks[b.cfg.Name] = b
	}
	for i := range cfg.Statements {
		b, err := d.newStatementBlock(&cfg.Statements[i])
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("statement %s/%s: %w", cfg.Statements[i].Bank, cfg.Statements[i].Account, err)
		}
		d.stmts = append(d.stmts, b)
	}
	for i := range cfg.Routes {
		r, err := d.newRoute(&cfg.Routes[i])
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("route %s: %w", cfg.Routes[i].Name, err)
		}
		d.routes[r.cfg.Name] = r
	}
	return d, nil
}

// Store gives read access for the admin API.
func (d *Daemon) Store() *store.Store { return d.st }

// Close stops sandboxes and closes the store.
func (d *Daemon) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, c := range d.closer {
		c(ctx)
	}
	for _, r := range d.routes {
		r.inbox.Close()
	}
	d.mu.Lock()
	for _, c := range d.sftp {
		c.Close()
	}
	d.mu.Unlock()
	return d.st.Close()
}

// Run works until ctx is cancelled, then lets in-flight work finish within
// the shutdown timeout. Whatever is still unfinished is resumed by the next
// start, from the store.
func (d *Daemon) Run(ctx context.Context) error {
	work, stopWork := context.WithCancel(context.Background())
	defer stopWork()

	var wg sync.WaitGroup
	for range d.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.worker(ctx, work)
		}()
	}
	// Resume first: files claimed before a stop finish moving before the
	// inboxes are scanned, so an unmoved inbox file is never taken twice.
	if err := d.resume(); err != nil {
		return err
	}
	for _, r := range d.routes {
		wg.Add(1)
		go func(r *route) {
			defer wg.Done()
			d.watch(ctx, r)
		}(r)
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		d.schedule(ctx)
	}()
	go func() {
		defer wg.Done()
		d.runStatements(ctx)
	}()
	d.log.Info("erpconnector running", "routes", len(d.routes), "store", d.st.Path())
	<-ctx.Done()
	d.log.Info("stopping: finishing in-flight work", "timeout", d.opts.ShutdownTimeout)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d.opts.ShutdownTimeout):
		stopWork() // abort bank calls; their outcome is settled on the next start
		<-done
	}
	d.log.Info("stopped")
	return nil
}

func (d *Daemon) worker(ctx, work context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-d.jobs:
			d.safely(j, func() {
				if j.fileID != "" {
					d.processFile(work, j.fileID)
				} else {
					d.claim(work, j)
				}
			})
		}
	}
}

// safely runs one job; a panic (a bug) is logged with its stack and the file
// is tried again much later instead of taking every route down with it. The
// store is never left half-written: each step commits in one transaction.
func (d *Daemon) safely(j job, fn func()) {
	defer func() {
		if v := recover(); v != nil {
			key := j.fileID
			if key == "" && j.r != nil {
				key = "claim:" + j.r.cfg.Name + "/" + j.entry.Name
			}
			d.log.Error("internal error while processing; the file waits and is tried again in 10 minutes",
				"job", key, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			d.release(key)
			if j.fileID != "" {
				d.later(j.fileID, d.opts.Now().Add(10*time.Minute))
			}
		}
	}()
	fn()
}

// enqueue hands a file to the workers unless one already has it.
func (d *Daemon) enqueue(fileID string) {
	d.mu.Lock()
	if d.busy[fileID] {
		d.mu.Unlock()
		return
	}
	d.busy[fileID] = true
	delete(d.due, fileID)
	d.mu.Unlock()
	d.jobs <- job{fileID: fileID}
}

func (d *Daemon) release(key string) {
	d.mu.Lock()
	delete(d.busy, key)
	d.mu.Unlock()
}

// later asks for fileID to be processed again at t.
func (d *Daemon) later(fileID string, t time.Time) {
	d.mu.Lock()
	if cur, ok := d.due[fileID]; !ok || t.Before(cur) {
		d.due[fileID] = t
	}
	d.mu.Unlock()
}

// schedule enqueues files whose next step is due.
func (d *Daemon) schedule(ctx context.Context) {
	t := time.NewTicker(d.opts.Tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := d.opts.Now()
		var ready []string
		d.mu.Lock()
		for id, at := range d.due {
			if !at.After(now) && !d.busy[id] {
				ready = append(ready, id)
			}
		}
		d.mu.Unlock()
		for _, id := range ready {
			select {
			case <-ctx.Done():
				return
			default:
				d.enqueue(id)
			}
		}
	}
}

// resume picks up every file with work left.
func (d *Daemon) resume() error {
	var ids []string
	if err := d.st.View(func(tx *store.Tx) error {
		ids = tx.ActiveFiles()
		return nil
	}); err != nil {
		return err
	}
	if len(ids) > 0 {
		d.log.Info("resuming files from the store", "files", len(ids))
	}
	for _, id := range ids {
		d.later(id, time.Time{})
	}
	return nil
}

// httpClient is shared by bank clients; it never follows redirects (a bank
// API that redirects a POST is misconfigured, and following could resend).
func httpClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return errors.New("redirect refused")
		},
	}
}
