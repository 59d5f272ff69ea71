package kbsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The control API under /_sim/ is not part of KB. It stands in for the user
// in internet banking and lets tests steer the simulator. Every call also has
// a Go method.

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	type route struct {
		method string
		h      func(http.ResponseWriter, *http.Request)
	}
	routes := map[string]route{
		"/_sim/ledger":         {http.MethodGet, s.ctlLedger},
		"/_sim/sign":           {http.MethodPost, s.ctlSign},
		"/_sim/reject":         {http.MethodPost, s.ctlReject},
		"/_sim/fault":          {http.MethodPost, s.ctlFault},
		"/_sim/clock":          {http.MethodPost, s.ctlClock},
		"/_sim/reset":          {http.MethodPost, s.ctlReset},
		"/_sim/expire-refresh": {http.MethodPost, s.ctlExpireRefresh},
		"/_sim/authorize":      {http.MethodPost, s.ctlAuthorize},
		"/_sim/credit":         {http.MethodPost, s.ctlCredit},
		"/_sim/requests":       {http.MethodGet, s.ctlRequests},
	}
	rt, ok := routes[r.URL.Path]
	if id, isBatch := strings.CutPrefix(r.URL.Path, "/_sim/batch/"); isBatch {
		rt, ok = route{http.MethodGet, func(w http.ResponseWriter, r *http.Request) { s.ctlBatch(w, id) }}, true
	}
	if !ok {
		writeJSON(w, http.StatusNotFound, ctlError{"no control endpoint " + r.URL.Path})
		return
	}
	if r.Method != rt.method {
		w.Header().Set("Allow", rt.method)
		writeJSON(w, http.StatusMethodNotAllowed, ctlError{"use " + rt.method})
		return
	}
	rt.h(w, r)
}

type ctlError struct {
	Error string `json:"error"`
}

// readControl decodes a control body strictly; an empty body is an empty object.
func readControl(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := readBody(w, r)
	if err == nil && len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(v)
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, ctlError{err.Error()})
		return false
	}
	return true
}

// ctlAnswer maps the control errors to statuses: 404 unknown, 409 wrong
// state, 400 otherwise.
func ctlAnswer(w http.ResponseWriter, v any, err error) {
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, v)
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrUnknownClient):
		writeJSON(w, http.StatusNotFound, ctlError{err.Error()})
	case errors.Is(err, ErrState):
		writeJSON(w, http.StatusConflict, ctlError{err.Error()})
	case errors.Is(err, ErrRedirectURI), errors.Is(err, ErrScope):
		writeJSON(w, http.StatusBadRequest, ctlError{err.Error()})
	default:
		writeJSON(w, http.StatusInternalServerError, ctlError{err.Error()})
	}
}

func (s *Server) ctlLedger(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Ledger())
}

// ctlRequests lists the logged API requests; ?after=SEQ returns only newer ones.
func (s *Server) ctlRequests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("after")
	after, err := strconv.ParseInt(q, 10, 64)
	if err != nil && q != "" {
		writeJSON(w, http.StatusBadRequest, ctlError{"after: want a sequence number"})
		return
	}
	writeJSON(w, http.StatusOK, s.Requests(after))
}

func (s *Server) ctlBatch(w http.ResponseWriter, id string) {
	b, ok := s.Batch(id)
	if !ok {
		writeJSON(w, http.StatusNotFound, ctlError{fmt.Sprintf("no batch %q", id)})
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) ctlSign(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Batch string `json:"batch"`
	}
	if !readControl(w, r, &req) {
		return
	}
	b, err := s.Sign(req.Batch)
	ctlAnswer(w, b, err)
}

func (s *Server) ctlReject(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Batch string   `json:"batch"`
		Items []string `json:"items"`
		Code  string   `json:"code"`
	}
	if !readControl(w, r, &req) {
		return
	}
	b, err := s.Reject(req.Batch, req.Items, req.Code)
	ctlAnswer(w, b, err)
}

func (s *Server) ctlFault(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if !readControl(w, r, &f) {
		return
	}
	if err := s.ArmFault(f); err != nil {
		writeJSON(w, http.StatusBadRequest, ctlError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, f)
}

func (s *Server) ctlClock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Advance string `json:"advance"`
	}
	if !readControl(w, r, &req) {
		return
	}
	d, err := time.ParseDuration(req.Advance)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, ctlError{fmt.Sprintf("advance %q: want a duration such as \"10m\"", req.Advance)})
		return
	}
	now, err := s.AdvanceClock(d)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, ctlError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"now": now.Format(time.RFC3339Nano)})
}

func (s *Server) ctlReset(w http.ResponseWriter, _ *http.Request) {
	ctlAnswer(w, map[string]bool{"reset": true}, s.Reset())
}

func (s *Server) ctlExpireRefresh(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ClientID string `json:"client_id"`
	}
	if !readControl(w, r, &req) {
		return
	}
	n, err := s.ExpireRefresh(req.ClientID)
	ctlAnswer(w, map[string]int{"revoked": n}, err)
}

func (s *Server) ctlAuthorize(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ClientID    string `json:"client_id"`
		RedirectURI string `json:"redirect_uri"`
		Scope       string `json:"scope"`
	}
	if !readControl(w, r, &req) {
		return
	}
	code, err := s.Authorize(req.ClientID, req.RedirectURI, req.Scope)
	ctlAnswer(w, map[string]string{"code": code}, err)
}

// AdvanceClock moves the simulated clock forward (never back, so that the
// recorded history stays in order) and returns the new simulated now.
func (s *Server) AdvanceClock(d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, fmt.Errorf("kbsim: the clock only moves forward (advance %s)", d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.ClockOffset += int64(d)
	return s.nowLocked(), s.persistLocked()
}

// Reset forgets every batch and reception, the clock offset, the armed
// faults and the rate-limit windows. Issued tokens and codes survive (the
// user's consent is not the ledger); use ExpireRefresh to withdraw it.
func (s *Server) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	fresh := newState()
	fresh.Secret, fresh.Codes, fresh.Tokens = s.st.Secret, s.st.Codes, s.st.Tokens
	s.st = fresh
	s.faults.Clear()
	s.mints = map[string][]time.Time{}
	s.downloads = map[string]download{}
	s.anchorCreditsLocked()
	return s.persistLocked()
}

func (s *Server) ctlCredit(w http.ResponseWriter, r *http.Request) {
	var c Credit
	if !readControl(w, r, &c) {
		return
	}
	tx, err := s.InjectCredit(c)
	if err != nil && !errors.Is(err, ErrNotFound) {
		writeJSON(w, http.StatusBadRequest, ctlError{err.Error()})
		return
	}
	ctlAnswer(w, tx, err)
}
