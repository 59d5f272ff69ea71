package admin

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetrics(t *testing.T) {
	st := newStore(t)
	m := NewMetrics(st, func() int { return 4 })
	m.ObserveBankCall("kb", "submit", 300*time.Millisecond, nil)
	m.ObserveBankCall("kb", "submit", 2*time.Second, errors.New("HTTP 503"))
	m.ObserveBankCall("bi", "status", 20*time.Millisecond, nil)
	m.ObserveError("spool")

	want := `
# HELP erpconnector_bank_call_errors_total Bank API calls that failed, by bank and call kind.
# TYPE erpconnector_bank_call_errors_total counter
erpconnector_bank_call_errors_total{bank="kb",kind="submit"} 1
# HELP erpconnector_bank_calls_total Bank API calls made, by bank and call kind.
# TYPE erpconnector_bank_calls_total counter
erpconnector_bank_calls_total{bank="bi",kind="status"} 1
erpconnector_bank_calls_total{bank="kb",kind="submit"} 2
# HELP erpconnector_errors_total Errors the daemon logged, by where they happened.
# TYPE erpconnector_errors_total counter
erpconnector_errors_total{kind="spool"} 1
# HELP erpconnector_files Files in the store, by state.
# TYPE erpconnector_files gauge
erpconnector_files{state="claimed"} 0
erpconnector_files{state="done"} 0
erpconnector_files{state="duplicate"} 0
erpconnector_files{state="planned"} 2
erpconnector_files{state="rejected"} 1
# HELP erpconnector_payments Payments in the store, by state.
# TYPE erpconnector_payments gauge
erpconnector_payments{state="accepted"} 0
erpconnector_payments{state="awaiting-authorisation"} 1
erpconnector_payments{state="booked"} 1
erpconnector_payments{state="cancelled"} 0
erpconnector_payments{state="pending"} 0
erpconnector_payments{state="received"} 0
erpconnector_payments{state="rejected"} 0
erpconnector_payments{state="unknown"} 1
# HELP erpconnector_queue_depth Files with work due in the daemon's queue.
# TYPE erpconnector_queue_depth gauge
erpconnector_queue_depth 4
# HELP erpconnector_requests Bank requests of stored files, by state (unknown = needs resolve).
# TYPE erpconnector_requests gauge
erpconnector_requests{state="accepted"} 1
erpconnector_requests{state="planned"} 0
erpconnector_requests{state="rejected"} 0
erpconnector_requests{state="submitting"} 0
erpconnector_requests{state="unknown"} 1
# HELP erpconnector_statement_entries_written_total Statement entries written, by statement block.
# TYPE erpconnector_statement_entries_written_total counter
erpconnector_statement_entries_written_total{account="CZ6501000000001234567890",bank="kb"} 42
# HELP erpconnector_statement_failing 1 when a statement block's last run failed.
# TYPE erpconnector_statement_failing gauge
erpconnector_statement_failing{account="CZ6501000000001234567890",bank="kb"} 1
`
	names := []string{"erpconnector_bank_call_errors_total", "erpconnector_bank_calls_total", "erpconnector_errors_total",
		"erpconnector_files", "erpconnector_payments", "erpconnector_queue_depth", "erpconnector_requests",
		"erpconnector_statement_entries_written_total", "erpconnector_statement_failing"}
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), names...); err != nil {
		t.Fatal(err)
	}
	// Latency lands in the right buckets: 0.3 s and 2 s for kb/submit.
	h, err := testutil.GatherAndCount(m.Registry(), "erpconnector_bank_call_duration_seconds")
	if err != nil || h != 2 {
		t.Fatalf("histogram series = %d, %v", h, err)
	}
	mfs, _ := m.Registry().Gather()
	for _, mf := range mfs {
		if mf.GetName() != "erpconnector_bank_call_duration_seconds" {
			continue
		}
		for _, mt := range mf.GetMetric() {
			if mt.GetLabel()[0].GetValue() != "kb" {
				continue
			}
			hs := mt.GetHistogram()
			if hs.GetSampleCount() != 2 || hs.GetSampleSum() != 2.3 {
				t.Errorf("kb/submit histogram count %d sum %v", hs.GetSampleCount(), hs.GetSampleSum())
			}
			for _, b := range hs.GetBucket() {
				want := uint64(0)
				if b.GetUpperBound() >= 0.5 {
					want = 1
				}
				if b.GetUpperBound() >= 2.5 {
					want = 2
				}
				if b.GetCumulativeCount() != want {
					t.Errorf("bucket le=%v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
				}
			}
		}
	}

}

func TestMetricsEndpoint(t *testing.T) {
	st := newStore(t)
	srv := httptest.NewServer(Handler(st, Actions{}))
	defer srv.Close()
	scrape := func() string {
		resp, err := http.Get(srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("/metrics: %d %s", resp.StatusCode, b)
		}
		return string(b)
	}
	if s := scrape(); !strings.Contains(s, `erpconnector_files{state="rejected"} 1`) || !strings.Contains(s, "go_goroutines") {
		t.Fatalf("scrape lacks files or Go metrics:\n%s", s)
	}
	setState(t, st, "F000002", "planned")
	if s := scrape(); !strings.Contains(s, `erpconnector_files{state="rejected"} 0`) || !strings.Contains(s, `erpconnector_files{state="planned"} 3`) {
		t.Fatalf("scrape does not follow the store:\n%s", s)
	}
	// A nil *Metrics (daemon without metrics) must be safe to call.
	var nm *Metrics
	nm.ObserveBankCall("kb", "submit", time.Second, nil)
	nm.ObserveError("x")
}
