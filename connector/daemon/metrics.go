package daemon

import (
	"time"

	"erpconnector/connector/admin"
)

// metrics forwards what the daemon measures to the admin endpoint's
// Prometheus registry.
type metrics struct {
	prom *admin.Metrics
}

func (m *metrics) bankCall(bank, kind string, d time.Duration, err error) {
	m.prom.ObserveBankCall(bank, kind, d, err)
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
