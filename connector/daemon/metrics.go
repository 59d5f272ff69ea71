package daemon

import (
	"sync"
	"time"

	"erpconnector/connector/admin"
)

// metrics counts what the admin endpoint reports. Kept deliberately small:
// counters and summed latencies per bank call kind.
type metrics struct {
	mu    sync.Mutex
	calls map[string]*callStats
	prom  *admin.Metrics // what /metrics exposes
}

type callStats struct {
	Count, Errors int64
	Seconds       float64 // summed latency; a metric, never money
}

func (m *metrics) bankCall(bank, kind string, d time.Duration, err error) {
	m.prom.ObserveBankCall(bank, kind, d, err)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.calls == nil {
		m.calls = map[string]*callStats{}
	}
	c := m.calls[kind]
	if c == nil {
		c = &callStats{}
		m.calls[kind] = c
	}
	c.Count++
	c.Seconds += d.Seconds()
	if err != nil {
		c.Errors++
	}
}

// BankCalls returns a snapshot of bank call statistics by kind.
func (d *Daemon) BankCalls() map[string]callStats {
	d.metrics.mu.Lock()
	defer d.metrics.mu.Unlock()
	out := make(map[string]callStats, len(d.metrics.calls))
	for k, v := range d.metrics.calls {
		out[k] = *v
	}
	return out
}

// Metrics is what the admin endpoint's /metrics serves for this daemon.
func (d *Daemon) Metrics() *admin.Metrics { return d.metrics.prom }

// queueDepth is the number of files waiting for a worker or for their next step.
func (d *Daemon) queueDepth() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.jobs) + len(d.due)
}

// RoutesInfo lists the routes for the status page.
func (d *Daemon) RoutesInfo() []admin.Route {
	out := make([]admin.Route, 0, len(d.routes))
	for _, r := range d.cfg.Routes {
		out = append(out, admin.Route{Name: r.Name, Inbox: r.Inbox, Bank: r.Bank, Format: r.Format})
	}
	return out
}
