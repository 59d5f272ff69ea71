package bisim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// The control API under /_sim/ is not part of BankIntegration. It lets tests
// and operators steer the simulator. Every method also has a Go form.

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	type route struct {
		method string
		h      func(http.ResponseWriter, *http.Request)
	}
	routes := map[string]route{
		"/_sim/ledger":    {http.MethodGet, s.ctlLedger},
		"/_sim/stats":     {http.MethodGet, s.ctlStats},
		"/_sim/approve":   {http.MethodPost, s.ctlApprove},
		"/_sim/reject":    {http.MethodPost, s.ctlReject},
		"/_sim/fault":     {http.MethodPost, s.ctlFault},
		"/_sim/clock":     {http.MethodPost, s.ctlClock},
		"/_sim/reset":     {http.MethodPost, s.ctlReset},
		"/_sim/credit":    {http.MethodPost, s.ctlCredit},
		"/_sim/redeliver": {http.MethodPost, s.ctlRedeliver},
		"/_sim/entries":   {http.MethodGet, s.ctlEntries},
		"/_sim/requests":  {http.MethodGet, s.ctlRequests},
	}
	rt, ok := routes[r.URL.Path]
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

func (s *Server) ctlLedger(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Ledger())
}

// Stats is a cheap summary of the ledger for load tests, where the full
// ledger of 100,000 payments would be too large to poll.
type Stats struct {
	Payments   int       `json:"payments"`   // records created
	Receptions int       `json:"receptions"` // transactions received, duplicates included
	Duplicates int       `json:"duplicates"` // receptions beyond the first per account+paymentId
	First      time.Time `json:"first"`      // earliest reception
	Last       time.Time `json:"last"`       // latest reception
}

// Stats summarises the ledger.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st Stats
	st.Payments = len(s.st.Payments)
	for _, recs := range s.byKey {
		n := 0
		for _, p := range recs {
			n += len(p.Receptions)
		}
		st.Receptions += n
		st.Duplicates += n - 1
	}
	for _, p := range s.st.Payments {
		for _, r := range p.Receptions {
			if st.First.IsZero() || r.At.Before(st.First) {
				st.First = r.At
			}
			if r.At.After(st.Last) {
				st.Last = r.At
			}
		}
	}
	return st
}

// ctlRequests lists the logged bank requests; ?after=SEQ returns only newer ones.
func (s *Server) ctlRequests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("after")
	after, err := strconv.ParseInt(q, 10, 64)
	if err != nil && q != "" {
		writeJSON(w, http.StatusBadRequest, ctlError{"after: want a sequence number"})
		return
	}
	writeJSON(w, http.StatusOK, s.Requests(after))
}

func (s *Server) ctlStats(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Stats())
}

// Selection names payments for approve/reject. Account narrows the match
// when paymentIds repeat across accounts.
type Selection struct {
	Account    string   `json:"account,omitempty"`
	PaymentIDs []string `json:"paymentIds,omitempty"`
}

// ControlResult lists what an approve or reject did.
type ControlResult struct {
	Done     []string `json:"done"`     // paymentIds changed
	NotFound []string `json:"notFound"` // no such payment
	Refused  []string `json:"refused"`  // not in a state that allows it
}

func (s *Server) ctlApprove(w http.ResponseWriter, r *http.Request) {
	var sel Selection
	if !readControl(w, r, &sel) {
		return
	}
	res, err := s.Approve(sel)
	ctlAnswer(w, res, err)
}

func (s *Server) ctlReject(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Selection
		Code string `json:"code"`
		Text string `json:"text"`
	}
	if !readControl(w, r, &req) {
		return
	}
	res, err := s.Reject(req.Selection, req.Code, req.Text)
	ctlAnswer(w, res, err)
}

func ctlAnswer(w http.ResponseWriter, res ControlResult, err error) {
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, ctlError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, res)
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

func (s *Server) ctlReset(w http.ResponseWriter, r *http.Request) {
	if err := s.Reset(); err != nil {
		writeJSON(w, http.StatusInternalServerError, ctlError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"reset": true})
}

// selectLocked resolves a selection; with no IDs every payment matches.
func (s *Server) selectLocked(sel Selection) (found []*payment, notFound []string) {
	match := func(p *payment) bool { return sel.Account == "" || p.Account == sel.Account }
	if len(sel.PaymentIDs) == 0 {
		for _, p := range s.st.Payments {
			if match(p) {
				found = append(found, p)
			}
		}
		return found, nil
	}
	for _, id := range sel.PaymentIDs {
		hit := false
		for _, p := range s.st.Payments {
			if p.PaymentID == id && match(p) && !p.Failed {
				found = append(found, p)
				hit = true
			}
		}
		if !hit {
			notFound = append(notFound, id)
		}
	}
	return found, notFound
}

// Approve releases payments waiting for approval (512), or ones that will
// wait once they get there. With no paymentIds every such payment is approved.
func (s *Server) Approve(sel Selection) (ControlResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	found, nf := s.selectLocked(sel)
	res := ControlResult{Done: []string{}, NotFound: nonNil(nf), Refused: []string{}}
	for _, p := range found {
		st := p.statusAt(now, s.cfg.CancelledStatus).Status
		if !p.NeedsApproval || p.ApprovedAt != nil || final(st) || st == StatusCancelling {
			if len(sel.PaymentIDs) > 0 {
				res.Refused = append(res.Refused, p.PaymentID)
			}
			continue
		}
		t := now
		p.ApprovedAt = &t
		res.Done = append(res.Done, p.PaymentID)
	}
	if len(res.Done) == 0 {
		return res, nil
	}
	return res, s.persistLocked()
}

// Reject turns payments that are not final into 16 Rejected with an ISO
// reason code (default AC03). PaymentIDs are required.
func (s *Server) Reject(sel Selection, code, text string) (ControlResult, error) {
	if len(sel.PaymentIDs) == 0 {
		return ControlResult{}, fmt.Errorf("bisim: reject needs paymentIds")
	}
	if code == "" {
		code = CodeDefaultRejected
	}
	if text == "" {
		text = "Rejected by the bank (simulated)"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	found, nf := s.selectLocked(sel)
	res := ControlResult{Done: []string{}, NotFound: nonNil(nf), Refused: []string{}}
	for _, p := range found {
		if final(p.statusAt(now, s.cfg.CancelledStatus).Status) {
			res.Refused = append(res.Refused, p.PaymentID)
			continue
		}
		t := now
		p.RejectedAt, p.RejectCode, p.RejectText = &t, code, text
		res.Done = append(res.Done, p.PaymentID)
	}
	if len(res.Done) == 0 {
		return res, nil
	}
	return res, s.persistLocked()
}

// AdvanceClock moves the simulated clock forward (never back, so that the
// recorded history stays in order) and returns the new simulated now.
func (s *Server) AdvanceClock(d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, fmt.Errorf("bisim: the clock only moves forward (advance %s)", d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.ClockOffset += int64(d)
	return s.nowLocked(), s.persistLocked()
}

// Reset forgets every payment, the clock offset and all armed faults.
func (s *Server) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st = newState()
	s.reindexLocked()
	s.anchorCreditsLocked()
	s.faults.Clear()
	return s.persistLocked()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
