package admin

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"erpconnector/connector/store"
)

// Metrics is the daemon's Prometheus registry. File, payment and statement
// figures are read from the store at scrape time, so they are right after a
// restart; bank calls and errors are counted as they happen.
type Metrics struct {
	reg         *prometheus.Registry
	bankCalls   *prometheus.CounterVec
	bankErrors  *prometheus.CounterVec
	bankLatency *prometheus.HistogramVec
	errors      *prometheus.CounterVec
}

// NewMetrics builds the registry over st (nil: no store metrics).
// queueDepth, when not nil, is called at scrape time for the number of files
// with work due (the daemon's queue).
func NewMetrics(st *store.Store, queueDepth func() int) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		bankCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "erpconnector_bank_calls_total", Help: "Bank API calls made, by bank and call kind.",
		}, []string{"bank", "kind"}),
		bankErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "erpconnector_bank_call_errors_total", Help: "Bank API calls that failed, by bank and call kind.",
		}, []string{"bank", "kind"}),
		bankLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "erpconnector_bank_call_duration_seconds",
			Help:    "Bank API call latency, by bank and call kind.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"bank", "kind"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "erpconnector_errors_total", Help: "Errors the daemon logged, by where they happened.",
		}, []string{"kind"}),
	}
	m.reg.MustRegister(m.bankCalls, m.bankErrors, m.bankLatency, m.errors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if st != nil {
		m.reg.MustRegister(storeCollector{st})
	}
	if queueDepth != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "erpconnector_queue_depth", Help: "Files with work due in the daemon's queue.",
		}, func() float64 { return float64(queueDepth()) }))
	}
	return m
}

// ObserveBankCall records one bank API call; err != nil counts it as failed.
func (m *Metrics) ObserveBankCall(bank, kind string, d time.Duration, err error) {
	if m == nil {
		return
	}
	m.bankCalls.WithLabelValues(bank, kind).Inc()
	m.bankLatency.WithLabelValues(bank, kind).Observe(d.Seconds())
	if err != nil {
		m.bankErrors.WithLabelValues(bank, kind).Inc()
	}
}

// ObserveError counts an error of a kind ("claim", "spool", "status-file", ...).
func (m *Metrics) ObserveError(kind string) {
	if m == nil {
		return
	}
	m.errors.WithLabelValues(kind).Inc()
}

// Registry is for tests and for adding the daemon's own collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

var (
	descFiles = prometheus.NewDesc("erpconnector_files",
		"Files in the store, by state.", []string{"state"}, nil)
	descPayments = prometheus.NewDesc("erpconnector_payments",
		"Payments in the store, by state.", []string{"state"}, nil)
	descRequests = prometheus.NewDesc("erpconnector_requests",
		"Bank requests of stored files, by state (unknown = needs resolve).", []string{"state"}, nil)
	descStmtEntries = prometheus.NewDesc("erpconnector_statement_entries_written_total",
		"Statement entries written, by statement block.", []string{"bank", "account"}, nil)
	descStmtErr = prometheus.NewDesc("erpconnector_statement_failing",
		"1 when a statement block's last run failed.", []string{"bank", "account"}, nil)
)

// storeCollector reads the store at scrape time. Every known state is
// reported, zero included, so that alerts on e.g. unknown requests see 0
// rather than a missing series.
type storeCollector struct{ st *store.Store }

func (storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descFiles
	ch <- descPayments
	ch <- descRequests
	ch <- descStmtEntries
	ch <- descStmtErr
}

func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	files := map[string]int{}
	for _, s := range []store.FileState{store.FileClaimed, store.FilePlanned, store.FileRejected, store.FileDuplicate, store.FileDone} {
		files[string(s)] = 0
	}
	pays := map[string]int{}
	for _, s := range []store.PaymentState{store.PayReceived, store.PayAccepted, store.PayAwaitingAuthorisation,
		store.PayPending, store.PayBooked, store.PayRejected, store.PayCancelled, store.PayUnknown} {
		pays[string(s)] = 0
	}
	reqs := map[string]int{}
	for _, s := range []store.RequestState{store.ReqPlanned, store.ReqSubmitting, store.ReqAccepted, store.ReqRejected, store.ReqUnknown} {
		reqs[string(s)] = 0
	}
	var cursors []stmtCursor
	err := c.st.View(func(tx *store.Tx) error {
		var all []*store.File
		if err := tx.RecentFiles(func(f *store.File) bool { all = append(all, f); return true }); err != nil {
			return err
		}
		for _, f := range all {
			files[string(f.State)]++
			if err := tx.Payments(f.ID, func(p *store.Payment) error { pays[string(p.State)]++; return nil }); err != nil {
				return err
			}
			for _, k := range f.Requests {
				if q, err := tx.Request(k); err == nil {
					reqs[string(q.State)]++
				}
			}
		}
		return tx.KVPrefix("stmt/", func(k string, v []byte) error {
			var sc stmtCursor
			if strings.HasSuffix(k, "/cursor") && json.Unmarshal(v, &sc) == nil {
				cursors = append(cursors, sc)
			}
			return nil
		})
	})
	if err != nil {
		ch <- prometheus.NewInvalidMetric(descFiles, err)
		return
	}
	for s, n := range files {
		ch <- prometheus.MustNewConstMetric(descFiles, prometheus.GaugeValue, float64(n), s)
	}
	for s, n := range pays {
		ch <- prometheus.MustNewConstMetric(descPayments, prometheus.GaugeValue, float64(n), s)
	}
	for s, n := range reqs {
		ch <- prometheus.MustNewConstMetric(descRequests, prometheus.GaugeValue, float64(n), s)
	}
	for _, sc := range cursors {
		ch <- prometheus.MustNewConstMetric(descStmtEntries, prometheus.CounterValue, float64(sc.Written), sc.Bank, sc.Account)
		failing := 0.0
		if sc.LastError != "" {
			failing = 1
		}
		ch <- prometheus.MustNewConstMetric(descStmtErr, prometheus.GaugeValue, failing, sc.Bank, sc.Account)
	}
}

// stmtCursor is the part of daemon.StmtCursor the metrics need (the admin
// package cannot import the daemon, which imports it).
type stmtCursor struct {
	Bank      string `json:"bank"`
	Account   string `json:"account"`
	Written   int    `json:"written"`
	LastError string `json:"last_error"`
}
