// Package admin is the daemon's local HTTP endpoint: /healthz, and the JSON
// API that `erpconnector status` reads so that the CLI never has to open the
// store while the daemon holds it.
package admin

import (
	"encoding/json"
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

// Actions are the operator actions the running daemon performs for the API.
type Actions struct {
	// Resolve settles unknown outcomes (see daemon.Resolve) and wakes the files.
	Resolve func(target string, submitted bool, who string) ([]string, error)
	// Health reports each bank credential's state.
	Health func() []BankHealth
}

// Handler serves the admin API for a running daemon. State-changing calls
// are POSTs with a JSON body and Content-Type application/json, which a
// cross-site form cannot send; the address is loopback (config requires it
// for now).
func Handler(st *store.Store, act Actions) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/resolve", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/json" || act.Resolve == nil {
			http.Error(w, "JSON body required", http.StatusUnsupportedMediaType)
			return
		}
		var in struct {
			Target    string `json:"target"`
			Submitted bool   `json:"submitted"`
			Who       string `json:"who"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil || in.Target == "" {
			http.Error(w, "bad request: want {target, submitted, who}", http.StatusBadRequest)
			return
		}
		keys, err := act.Resolve(in.Target, in.Submitted, in.Who)
		if err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"resolved": keys})
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("ok\n"))
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
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s)
	})
	return mux
}
