package daemon

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

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

var (
	descSFTPConnected = prometheus.NewDesc("erpconnector_sftp_connected",
		"1 while the connection to the SFTP server is open.", []string{"server"}, nil)
	descSFTPDials = prometheus.NewDesc("erpconnector_sftp_dials_total",
		"Connections opened to the SFTP server (more than one means it was lost and re-dialled).", []string{"server"}, nil)
)

// sftpCollector reports each SFTP server's connection at scrape time.
type sftpCollector struct{ d *Daemon }

func (c sftpCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descSFTPConnected
	ch <- descSFTPDials
}

func (c sftpCollector) Collect(ch chan<- prometheus.Metric) {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	for _, conn := range c.d.sftp {
		up := 0.0
		if conn.Connected() {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(descSFTPConnected, prometheus.GaugeValue, up, conn.String())
		ch <- prometheus.MustNewConstMetric(descSFTPDials, prometheus.CounterValue, float64(conn.Dials()), conn.String())
	}
}
