package bisim

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"erpconnector/connector/sandbox/simhttp"
)

// Server is the simulated api.bankintegration.dk. It implements http.Handler.
type Server struct {
	cfg Config
	c   compiled

	mu     sync.Mutex
	st     state
	faults simhttp.FaultQueue[*armedFault]
	reqs   simhttp.RequestLog // every bank request, for GET /_sim/requests
	// byKey indexes st.Payments by account+paymentId, oldest first, so that
	// duplicate and status look-ups stay O(1) with 100,000 payments.
	byKey map[string][]*payment
}

func paymentKey(account, paymentID string) string { return account + "\x00" + paymentID }

// reindexLocked rebuilds byKey from st.Payments.
func (s *Server) reindexLocked() {
	s.byKey = make(map[string][]*payment, len(s.st.Payments))
	for _, p := range s.st.Payments {
		k := paymentKey(p.Account, p.PaymentID)
		s.byKey[k] = append(s.byKey[k], p)
	}
}

// New validates the config and loads the persisted ledger when StatePath
// names an existing file.
func New(cfg Config) (*Server, error) {
	cfg.applyDefaults()
	c, err := compile(cfg)
	if err != nil {
		return nil, err
	}
	st, err := loadState(cfg.StatePath)
	if err != nil {
		return nil, err
	}
	srv := &Server{cfg: cfg, c: c, st: st}
	srv.reindexLocked()
	srv.anchorCreditsLocked()
	return srv, nil
}

// maxBody bounds a request body; the service's own limit is unknown.
const maxBody = 8 << 20

// ServeHTTP routes bank endpoints and the /_sim/ control API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.serveControl(w, r)
		return
	}
	f, _ := s.faults.Take(r.URL.Path)
	s.logRequest(r, f)
	if f != nil {
		if !s.applyFault(f, w, r) {
			return
		}
	}
	s.serveBank(w, r)
}

// logRequest records a bank request. Its key is the requestId of the
// Authorization header: for /payment the same on every resend of a request.
func (s *Server) logRequest(r *http.Request, f *armedFault) {
	h, _ := parseAuthorization(r.Header.Get("Authorization"))
	e := simhttp.Request{At: time.Now(), Method: r.Method, Path: r.URL.Path, Key: h.RequestID}
	if f != nil {
		e.Fault, e.Status, e.RetryAfter = f.Kind, f.Status, f.RetryAfter
	}
	s.reqs.Add(e)
}

// Requests returns the logged bank requests after sequence number after.
func (s *Server) Requests(after int64) []simhttp.Request { return s.reqs.Since(after) }

func (s *Server) serveBank(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/payment":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		s.handlePayment(w, r)
	case "/status":
		if r.Method != http.MethodPost && r.Method != http.MethodGet {
			methodNotAllowed(w, "GET, POST")
			return
		}
		s.handleStatus(w, r)
	case "/report/account", "/report/balance":
		if r.Method != http.MethodPost && r.Method != http.MethodGet {
			methodNotAllowed(w, "GET, POST")
			return
		}
		s.handleReport(w, r)
	case "/payment/cancel":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		s.handleCancel(w, r)
	default:
		writeJSON(w, http.StatusNotFound, errorBody{Errors: []APIError{{"NOT_FOUND", "no endpoint " + r.URL.Path}}})
	}
}

// nowLocked is the simulated clock: Config.Now plus the /_sim/clock offset.
func (s *Server) nowLocked() time.Time {
	return s.cfg.Now().UTC().Add(time.Duration(s.st.ClockOffset))
}

// Now is the simulated clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

// persistLocked writes the state when StatePath is set. A failure is
// returned so that the caller answers 5xx; the in-memory change stays, like a
// bank that committed but could not answer.
func (s *Server) persistLocked() error {
	if s.cfg.StatePath == "" {
		return nil
	}
	return saveState(s.cfg.StatePath, &s.st)
}

// errorBody is the simulator's request-level error body (§3.6: invented).
type errorBody struct {
	RequestID string     `json:"requestId"`
	Errors    []APIError `json:"errors"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

func badRequest(w http.ResponseWriter, reqID, code, format string, args ...any) {
	writeJSON(w, http.StatusBadRequest, errorBody{RequestID: reqID, Errors: []APIError{{code, fmt.Sprintf(format, args...)}}})
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{Errors: []APIError{{"METHOD", "method not allowed; use " + allow}}})
}

func serverError(w http.ResponseWriter, reqID string, err error) {
	log.Printf("bisim: %v", err)
	writeJSON(w, http.StatusInternalServerError, errorBody{RequestID: reqID, Errors: []APIError{{"INTERNAL", err.Error()}}})
}

// writeUnauthorized answers 401 with the reason phrase "Invalid Signature",
// which clients (C3) copy into their status. net/http can only write the
// standard phrase, so on HTTP/1.x the connection is hijacked and the
// response written by hand (then closed); where hijacking is impossible
// (HTTP/2, recorders) the standard "401 Unauthorized" is written and the
// phrase appears in the body only.
func writeUnauthorized(w http.ResponseWriter, reqID string, e *AuthError) {
	body, _ := json.Marshal(errorBody{RequestID: reqID, Errors: []APIError{{e.Code, invalidSignatureR + ": " + e.Text}}})
	if hj, ok := w.(http.Hijacker); ok {
		conn, rw, err := hj.Hijack()
		if err == nil {
			defer conn.Close()
			fmt.Fprintf(rw, "HTTP/1.1 401 %s\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\nDate: %s\r\n\r\n",
				invalidSignatureR, len(body), time.Now().UTC().Format(http.TimeFormat))
			rw.Write(body)
			rw.Flush()
			return
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	w.Write(body)
}

// readBody reads at most maxBody bytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return simhttp.ReadBody(w, r, maxBody)
}

// authenticate runs the header and identity checks common to all endpoints.
// It writes the 401 itself and reports false when the caller must stop.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (identity, bool) {
	h, aerr := parseAuthorization(r.Header.Get("Authorization"))
	if aerr != nil {
		writeUnauthorized(w, h.RequestID, aerr)
		return identity{}, false
	}
	id, aerr := s.identify(h, s.cfg.Now())
	if aerr != nil {
		writeUnauthorized(w, h.RequestID, aerr)
		return identity{}, false
	}
	return id, true
}
