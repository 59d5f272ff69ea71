package kbsim

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"erpconnector/connector/sandbox/simhttp"
)

// Server is the simulated KB API gateway, OAuth server and BATCHDA back end.
// It implements http.Handler.
type Server struct {
	cfg Config
	c   compiled

	mu     sync.Mutex
	st     state
	faults simhttp.FaultQueue[*armedFault]
	reqs   simhttp.RequestLog     // every API request, for GET /_sim/requests
	mints  map[string][]time.Time // client → token mint times in the last minute (not persisted)
	// downloads is the ADAA 61-minute rule's memory (not persisted).
	downloads map[string]download
}

// New validates the config and loads the persisted state when StatePath
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
	srv := &Server{cfg: cfg, c: c, st: st, mints: map[string][]time.Time{}, downloads: map[string]download{}}
	srv.anchorCreditsLocked()
	return srv, nil
}

// maxBody bounds a request body; KB's own limit is unknown (S9 sends ≤2 MiB).
const maxBody = 8 << 20

// Paths of the KB endpoints (kb-batchda.md §10.1).
const (
	PathBatchPayments = "/directapi/batchda/v3/batchPayments"
	PathSSOLogin      = "/autfe/ssologin"
	PathSandboxLogin  = "/sandbox/oauth2-authorization-ui/v3/"
	adaaPrefix        = "/adaa/v2/accounts/"
)

var tokenPaths = map[string]bool{
	"/oauth2/v2/access_token": true, "/oauth2/v3/access_token": true,
	"/sandbox/oauth2/v2/access_token": true, "/sandbox/oauth2/v3/access_token": true,
}

// ServeHTTP routes the KB endpoints and the /_sim/ control API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.serveControl(w, r)
		return
	}
	f, _ := s.faults.Take(r.URL.Path)
	e := simhttp.Request{At: time.Now(), Method: r.Method, Path: r.URL.Path, Key: r.Header.Get(HeaderExchangeID)}
	if f != nil {
		e.Fault, e.Status, e.RetryAfter = f.Kind, f.Status, f.RetryAfter
	}
	s.reqs.Add(e)
	if f != nil {
		if !s.applyFault(f, w, r) {
			return
		}
	}
	s.serveBank(w, r)
}

// Requests returns the logged API requests after sequence number after.
func (s *Server) Requests(after int64) []simhttp.Request { return s.reqs.Since(after) }

func (s *Server) serveBank(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == PathSSOLogin || p == PathSandboxLogin:
		// A browser endpoint: no gateway headers (a browser cannot send them).
		if r.Method != http.MethodGet {
			methodNotAllowed(w, http.MethodGet)
			return
		}
		s.handleLogin(w, r)
	case tokenPaths[p]:
		if !s.gateway(w, r, http.MethodPost, s.cfg.OAuthAPIKey) {
			return
		}
		s.handleToken(w, r)
	case p == PathBatchPayments:
		// BATCHDA authorises by the token alone; an apiKey is accepted and ignored.
		if !s.gateway(w, r, http.MethodPost, "") {
			return
		}
		s.handleBatch(w, r)
	case strings.HasPrefix(p, PathBatchStatusPrefix) && strings.HasSuffix(p, "/status"):
		if !s.gateway(w, r, http.MethodGet, "") {
			return
		}
		s.handleBatchStatus(w, r)
	case p == adaaAccounts || strings.HasPrefix(p, adaaPrefix):
		if !s.gateway(w, r, http.MethodGet, s.cfg.ADAAAPIKey) {
			return
		}
		s.handleADAA(w, r)
	default:
		writeJSON(w, http.StatusNotFound, errorBody{Errors: []APIError{{Code: "NOT_FOUND", Message: "no endpoint " + p}}})
	}
}

// correlationRE is the ADAA OpenAPI pattern (optional braces around a UUID).
var correlationRE = regexp.MustCompile(`^(\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?)$`)

// gateway applies the rules common to KB's API endpoints (§10.2 items 1–3):
// method, x-correlation-id (required, UUID, echoed) and the per-API apiKey
// (wantKey empty: not required). It writes the error and reports false when
// the caller must stop.
func (s *Server) gateway(w http.ResponseWriter, r *http.Request, method, wantKey string) bool {
	cid, present := r.Header["X-Correlation-Id"]
	switch {
	case !present || len(cid) == 0:
		writeJSON(w, http.StatusBadRequest, errorBody{Errors: []APIError{{
			Message:        "Required String parameter 'x-correlation-id' is not present",
			AdditionalInfo: &AdditionalInfo{ParameterName: "x-correlation-id"},
		}}})
		return false
	case !correlationRE.MatchString(cid[0]):
		writeJSON(w, http.StatusBadRequest, errorBody{Errors: []APIError{{
			Code: "INVALID_HEADER_VALUE", Message: "x-correlation-id must be a UUID",
			AdditionalInfo: &AdditionalInfo{ParameterName: "x-correlation-id", RejectedValue: cid[0]},
		}}})
		return false
	}
	w.Header().Set("x-correlation-id", cid[0])
	if r.Method != method {
		methodNotAllowed(w, method)
		return false
	}
	if wantKey != "" {
		got := r.Header.Get("apiKey")
		if got == "" {
			writeJSON(w, http.StatusUnauthorized, errorBody{Errors: []APIError{{Code: "UNAUTHORISED", Message: "Missing apiKey header"}}})
			return false
		}
		if got != wantKey {
			writeJSON(w, http.StatusUnauthorized, errorBody{Errors: []APIError{{Code: "UNAUTHORISED", Message: "Invalid apiKey for this API"}}})
			return false
		}
	}
	return true
}

// anchorCreditsLocked starts the invented-credit schedule at the simulated
// now unless the state already has one.
func (s *Server) anchorCreditsLocked() {
	if s.cfg.Credits.Every > 0 && s.st.CreditsFrom == nil {
		t := s.nowLocked()
		s.st.CreditsFrom = &t
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

// persistLocked writes the state when StatePath is set. On failure the
// in-memory change stays, like a bank that committed but could not answer.
func (s *Server) persistLocked() error {
	if s.cfg.StatePath == "" {
		return nil
	}
	return saveState(s.cfg.StatePath, &s.st)
}

// APIError is one entry of KB's "errors" array. BATCHDA (COBS style) fills
// Error, Scope and Message; the gateway (ADAA style) fills Code, Message and
// AdditionalInfo.
type APIError struct {
	Error          string          `json:"error,omitempty"`
	Code           string          `json:"code,omitempty"`
	Scope          string          `json:"scope,omitempty"`
	Message        string          `json:"message,omitempty"`
	AdditionalInfo *AdditionalInfo `json:"additionalInfo,omitempty"`
}

// AdditionalInfo names the offending parameter (ADAA error envelope).
type AdditionalInfo struct {
	ParameterName string `json:"parameterName,omitempty"`
	RejectedValue string `json:"rejectedValue,omitempty"`
}

// errorBody is KB's error envelope.
type errorBody struct {
	Errors []APIError `json:"errors"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{Errors: []APIError{{Code: "METHOD_NOT_ALLOWED", Message: "use " + allow}}})
}

func serverError(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusInternalServerError, errorBody{Errors: []APIError{{Error: "INTERNAL_ERROR", Message: err.Error()}}})
}

// readBody reads at most maxBody bytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return simhttp.ReadBody(w, r, maxBody)
}
