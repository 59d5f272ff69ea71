// Package admin is the daemon's local HTTP endpoint: /healthz, the status
// page, Prometheus /metrics, and the JSON API that `erpconnector status`,
// `retry` and `resolve` use so that the CLI never has to open the store while
// the daemon holds it.
package admin

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"erpconnector/connector/store"
)

// FileStatus is one file as the CLI and the status page show it.
type FileStatus struct {
	store.File
	PaymentStates map[string]int  `json:"payment_states,omitempty"`
	Requests      []RequestStatus `json:"request_states,omitempty"`
	Payments      []store.Payment `json:"payment_list,omitempty"`
}

// RequestStatus is a bank request's state.
type RequestStatus struct {
	Key       string             `json:"key"`
	State     store.RequestState `json:"state"`
	Attempts  int                `json:"attempts"`
	LastError string             `json:"last_error,omitempty"`
	NextTry   time.Time          `json:"next_try,omitempty"`
}

// Status is the daemon's state.
type Status struct {
	Source     string            `json:"source"` // "daemon" or "store"
	Time       time.Time         `json:"time"`
	Files      []FileStatus      `json:"files"`
	Statements []json.RawMessage `json:"statements,omitempty"` // one cursor per [[statement]] block
	Banks      []BankHealth      `json:"banks,omitempty"`
	Routes     []Route           `json:"routes,omitempty"`
}

// Route is one configured [[route]] as the status page shows it.
type Route struct {
	Name   string `json:"name"`
	Inbox  string `json:"inbox,omitempty"`
	Bank   string `json:"bank,omitempty"`
	Format string `json:"format,omitempty"`
}

// BankHealth is a bank credential's state, without any secret.
type BankHealth struct {
	Bank          string    `json:"bank"`
	Authorized    bool      `json:"authorized"`
	NeedsReauth   bool      `json:"needs_reauthorization"`
	Reason        string    `json:"reason,omitempty"`
	RefreshExpiry time.Time `json:"refresh_expiry,omitempty"`
	ExpiresSoon   bool      `json:"expires_soon,omitempty"`
}

// Snapshot reads the newest files (limit) from the store, with their payment
// and request states; withPayments adds every payment (for one file views).
func Snapshot(st *store.Store, limit int, withPayments bool) (*Status, error) {
	s := &Status{Time: time.Now().UTC()}
	err := st.View(func(tx *store.Tx) error {
		var files []*store.File
		if err := tx.RecentFiles(func(f *store.File) bool {
			files = append(files, f)
			return len(files) < limit
		}); err != nil {
			return err
		}
		for _, f := range files {
			fs := FileStatus{File: *f, PaymentStates: map[string]int{}}
			if err := tx.Payments(f.ID, func(p *store.Payment) error {
				fs.PaymentStates[string(p.State)]++
				if withPayments {
					fs.Payments = append(fs.Payments, *p)
				}
				return nil
			}); err != nil {
				return err
			}
			for _, k := range f.Requests {
				if q, err := tx.Request(k); err == nil {
					fs.Requests = append(fs.Requests, RequestStatus{Key: k, State: q.State, Attempts: q.Attempts, LastError: q.LastError, NextTry: q.NextTry})
				}
			}
			s.Files = append(s.Files, fs)
		}
		return tx.KVPrefix("stmt/", func(k string, v []byte) error {
			if strings.HasSuffix(k, "/cursor") {
				s.Statements = append(s.Statements, append(json.RawMessage(nil), v...))
			}
			return nil
		})
	})
	sort.SliceStable(s.Files, func(i, j int) bool { return s.Files[i].ID > s.Files[j].ID })
	return s, err
}

// Actions are the operator actions the running daemon performs for the API,
// and what the endpoint needs to know about how it is reached. Every field is
// optional: a missing action answers 501.
type Actions struct {
	// Resolve settles unknown outcomes (see daemon.Resolve) and wakes the files.
	Resolve func(target string, submitted bool, who string) ([]string, error)
	// Retry processes a rejected file again (the operator fixed the cause).
	Retry func(fileID string) error
	// Cancel asks the bank to cancel payments (target "FILE-ID[/INDEX]").
	Cancel func(target, who string) ([]string, error)
	// Reload asks the daemon to re-read its configuration.
	Reload func() error
	// Health reports each bank credential's state.
	Health func() []BankHealth
	// Routes lists the configured routes for the page.
	Routes func() []Route
	// Metrics is what /metrics exposes; nil serves the store-derived metrics
	// only (files, payments, statement entries).
	Metrics *Metrics
	// AdminToken (config admin.token) is the bearer token actions need when
	// the endpoint is reached on a non-loopback address; when set it is
	// required on every address.
	AdminToken string
}

// Handler serves the admin endpoint for a running daemon. See guard.go for
// how state-changing requests are protected.
func Handler(st *store.Store, act Actions) http.Handler {
	g := newGuard(act.AdminToken)
	if act.Metrics == nil {
		act.Metrics = NewMetrics(st, nil)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /metrics", act.Metrics.Handler())
	mux.Handle("GET /{$}", pageHandler(g))
	mux.HandleFunc("GET /api/token", func(w http.ResponseWriter, r *http.Request) {
		// Readable only same-origin (no CORS headers), like the page itself.
		writeJSON(w, http.StatusOK, map[string]string{"token": g.csrf})
	})
	mux.HandleFunc("GET /api/status", func(w http.ResponseWriter, r *http.Request) {
		limit := 50
		if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 && n <= 10000 {
			limit = n
		}
		s, err := Snapshot(st, limit, r.URL.Query().Get("payments") == "1")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		s.Source = "daemon"
		if act.Health != nil {
			s.Banks = act.Health()
		}
		if act.Routes != nil {
			s.Routes = act.Routes()
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, s)
	})
	mux.Handle("POST /api/resolve", g.action(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Target    string `json:"target"`
			Submitted *bool  `json:"submitted"`
			Who       string `json:"who"`
		}
		if err := decodeBody(w, r, &in); err != nil || in.Target == "" || in.Submitted == nil {
			http.Error(w, "bad request: want {target, submitted, who}", http.StatusBadRequest)
			return
		}
		if act.Resolve == nil {
			http.Error(w, "resolve is not available", http.StatusNotImplemented)
			return
		}
		keys, err := act.Resolve(in.Target, *in.Submitted, in.Who)
		if err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"resolved": keys})
	}))
	mux.Handle("POST /api/retry", g.action(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			File string `json:"file"`
		}
		if err := decodeBody(w, r, &in); err != nil || in.File == "" {
			http.Error(w, "bad request: want {file}", http.StatusBadRequest)
			return
		}
		if act.Retry == nil {
			http.Error(w, "retry is not available", http.StatusNotImplemented)
			return
		}
		if err := act.Retry(in.File); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"retried": in.File})
	}))
	mux.Handle("POST /api/cancel", g.action(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Target string `json:"target"`
			Who    string `json:"who"`
		}
		if err := decodeBody(w, r, &in); err != nil || in.Target == "" {
			http.Error(w, "bad request: want {target, who}", http.StatusBadRequest)
			return
		}
		if act.Cancel == nil {
			http.Error(w, "cancel is not available", http.StatusNotImplemented)
			return
		}
		ids, err := act.Cancel(in.Target, in.Who)
		if err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"cancel_requested": ids})
	}))
	mux.Handle("POST /api/reload", g.action(func(w http.ResponseWriter, r *http.Request) {
		var in struct{}
		if err := decodeBody(w, r, &in); err != nil {
			http.Error(w, "bad request: want {}", http.StatusBadRequest)
			return
		}
		if act.Reload == nil {
			http.Error(w, "reload is not available", http.StatusNotImplemented)
			return
		}
		if err := act.Reload(); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"reload": "requested; see the log for the outcome"})
	}))
	return g.hostCheck(mux)
}

// decodeBody reads one JSON object, small, with no unknown fields and
// nothing after it: an action is never guessed from a sloppy body.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
