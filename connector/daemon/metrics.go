package daemon

import (
	"sync"
	"time"
)

// metrics counts what the admin endpoint reports. Kept deliberately small:
// counters and summed latencies per bank call kind.
type metrics struct {
	mu    sync.Mutex
	calls map[string]*callStats
}

type callStats struct {
	Count, Errors int64
	Seconds       float64 // summed latency; a metric, never money
}

func (m *metrics) bankCall(kind string, d time.Duration, err error) {
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
