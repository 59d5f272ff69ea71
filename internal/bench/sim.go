package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"erpconnector/connector/sandbox"
	"erpconnector/connector/sandbox/bisim"
)

var simHTTP = &http.Client{Timeout: 30 * time.Second}

// startSim starts `erpconnector sandbox` on a free loopback port. Payments
// stay put for an hour per lifecycle step, so the daemon's status polling
// finds nothing to report while it is being measured.
func (b *bench) startSim(ctx context.Context) (stop func() error, err error) {
	dir := filepath.Join(b.work, "sim")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	lw := newLineWriter("http://")
	p, err := b.start("sandbox", dir, lw, nil, "sandbox", "--listen", "127.0.0.1:0", "--step", "1h")
	if err != nil {
		return nil, err
	}
	url, err := lw.wait(ctx, p, 30*time.Second)
	if err != nil {
		p.stop()
		return nil, err
	}
	b.simURL = strings.TrimRight(url, "/")
	return p.stop, nil
}

// simCall does one request to the simulator's control API and decodes the
// answer into out (when not nil).
func (b *bench) simCall(ctx context.Context, method, path string, out any) error {
	var body *strings.Reader
	if method == http.MethodPost {
		body = strings.NewReader("{}")
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequestWithContext(ctx, method, b.simURL+path, body)
	if err != nil {
		return fmt.Errorf("bench: simulator %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := simHTTP.Do(req)
	if err != nil {
		return fmt.Errorf("bench: simulator %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("bench: simulator %s: %s", path, resp.Status)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("bench: simulator %s: %w", path, err)
	}
	return nil
}

func (b *bench) resetSim(ctx context.Context) error {
	return b.simCall(ctx, http.MethodPost, "/_sim/reset", nil)
}

func (b *bench) simStats(ctx context.Context) (bisim.Stats, error) {
	var s bisim.Stats
	err := b.simCall(ctx, http.MethodGet, "/_sim/stats", &s)
	return s, err
}

func (b *bench) simLedger(ctx context.Context) (bisim.Ledger, error) {
	var l bisim.Ledger
	err := b.simCall(ctx, http.MethodGet, "/_sim/ledger", &l)
	return l, err
}

// waitPayments polls the simulator until n payments have arrived. The daemon
// exiting, ctx ending or the timeout passing is an error: a figure from an
// incomplete run would be wrong.
func (b *bench) waitPayments(ctx context.Context, d *proc, n int, timeout time.Duration) (bisim.Stats, error) {
	deadline := time.Now().Add(timeout)
	for {
		s, err := b.simStats(ctx)
		if err != nil {
			return s, err
		}
		if s.Payments >= n {
			return s, nil
		}
		if err := d.exited(); err != nil {
			return s, err
		}
		if time.Now().After(deadline) {
			return s, fmt.Errorf("bench: timed out after %s: %d of %d payments at the bank%s", timeout, s.Payments, n, d.logTail())
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return s, err
		}
	}
}

// daemon is one running `erpconnector run` with its inboxes.
type daemon struct {
	*proc
	inbox []string
}

// startDaemon writes a configuration with the given number of routes, all
// to the simulator, and starts the daemon on it.
func (b *bench) startDaemon(ctx context.Context, name string, routes int, settle string) (*daemon, error) {
	dir := filepath.Join(b.work, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	var cfg strings.Builder
	fmt.Fprintf(&cfg, `[store]
path = "store.db"
[admin]
listen = "off"
[log]
level = "warn"
[[bank]]
name = "dk"
kind = "bankintegration"
url = %q
erp = %q
api_key = "env:BENCH_BI_KEY"
poll_every = "1h"
  [[bank.account]]
  number = %q
  integration_code = "env:BENCH_BI_CODE"
`, b.simURL, sandbox.BIERP, debtorBBAN)
	var inboxes []string
	for i := 0; i < routes; i++ {
		fmt.Fprintf(&cfg, `[[route]]
name = "r%d"
inbox = "in%d"
outbox = "out%d"
bank = "dk"
settle = %q
sweep = "30s"
`, i, i, i, settle)
		in := filepath.Join(dir, fmt.Sprintf("in%d", i))
		if err := os.MkdirAll(in, 0o750); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		inboxes = append(inboxes, in)
	}
	cfgPath := filepath.Join(dir, "erpconnector.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	p, err := b.start("daemon", dir, nil, []string{"BENCH_BI_KEY=" + sandbox.BIAPIKey, "BENCH_BI_CODE=" + debtorCode},
		"run", "--config", cfgPath)
	if err != nil {
		return nil, err
	}
	// Give it time to open the store and watch the inboxes, so that the
	// figures measure work, not start-up.
	if err := sleep(ctx, 500*time.Millisecond); err != nil {
		p.stop()
		return nil, err
	}
	if err := p.exited(); err != nil {
		return nil, err
	}
	return &daemon{proc: p, inbox: inboxes}, nil
}
