package bisim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// idList accepts a JSON array of strings, a single string, or null: C2/C3
// send "paymentId" as an array in POST bodies, the docs name "paymentIds".
type idList []string

func (l *idList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		if one != "" {
			*l = idList{one}
		}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("payment IDs must be a string or an array of strings")
	}
	*l = many
	return nil
}

// idsRequest is the /status and /payment/cancel request.
type idsRequest struct {
	RequestID  string `json:"requestId"`
	PaymentIDs idList `json:"paymentIds"`
	PaymentID  idList `json:"paymentId"`
}

// ids merges both keys, drops empties and repeats, keeps order.
func (q idsRequest) ids() []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range append(append([]string(nil), q.PaymentIDs...), q.PaymentID...) {
		id = strings.TrimSpace(id)
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// readIDsRequest reads a POST body or, for GET, the query string
// (requestId, paymentId / paymentIds, comma-separated or repeated).
func readIDsRequest(r *http.Request, body []byte, berr error) (idsRequest, error) {
	var q idsRequest
	if r.Method == http.MethodGet {
		v := r.URL.Query()
		q.RequestID = v.Get("requestId")
		for _, key := range []string{"paymentIds", "paymentId"} {
			for _, s := range v[key] {
				q.PaymentIDs = append(q.PaymentIDs, strings.Split(s, ",")...)
			}
		}
		return q, nil
	}
	if berr != nil {
		return q, berr
	}
	if err := decodeStrictEnd(body, &q); err != nil {
		return q, fmt.Errorf("body is not {requestId, paymentIds}: %w", err)
	}
	return q, nil
}

// authenticateIDs runs the single-hash (id == requestId) signature check
// used by every endpoint except /payment.
func (s *Server) authenticateIDs(w http.ResponseWriter, r *http.Request) (identity, idsRequest, bool) {
	body, berr := readBody(w, r) // before any answer; see handlePayment
	id, ok := s.authenticate(w, r)
	if !ok {
		return id, idsRequest{}, false
	}
	q, err := readIDsRequest(r, body, berr)
	if err != nil {
		badRequest(w, id.hdr.RequestID, "FORMAT", "%v", err)
		return id, q, false
	}
	if q.RequestID == "" {
		badRequest(w, id.hdr.RequestID, "REQUEST_ID", "requestId is required")
		return id, q, false
	}
	if aerr := id.verify(q.RequestID, []signed{{ID: q.RequestID}}); aerr != nil {
		writeUnauthorized(w, q.RequestID, aerr)
		return id, q, false
	}
	return id, q, true
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	id, q, ok := s.authenticateIDs(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	now := s.nowLocked()
	answers := s.statusLocked(id.hdr.Account, q.ids(), now)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, paymentResponse{Account: id.hdr.Account, RequestID: q.RequestID,
		Time: copenhagen(now).Format(wireTimeLayout), Answers: answers})
}

// statusLocked answers each requested ID with its latest record of the
// account (64 NotFound otherwise). Without IDs, whose behaviour is unknown,
// every record of the account is returned.
func (s *Server) statusLocked(account string, ids []string, now time.Time) []answer {
	answers := []answer{}
	if len(ids) == 0 {
		for _, p := range s.st.Payments {
			if p.Account == account {
				answers = append(answers, s.answerFor(p, now))
			}
		}
		return answers
	}
	for _, pid := range ids {
		if p := s.latestLocked(account, pid); p != nil {
			answers = append(answers, s.answerFor(p, now))
		} else {
			answers = append(answers, answer{PaymentID: pid, Status: StatusNotFound})
		}
	}
	return answers
}

// latestLocked is the newest record of account+paymentID, preferring one that
// did not fail validation (a corrected resend supersedes a failed attempt).
func (s *Server) latestLocked(account, paymentID string) *payment {
	if p := s.activeLocked(account, paymentID); p != nil {
		return p
	}
	if recs := s.byKey[paymentKey(account, paymentID)]; len(recs) > 0 {
		return recs[len(recs)-1]
	}
	return nil
}

// cancellable: sent to the bank and not completed (§4.6).
func cancellable(status int) bool {
	switch status {
	case StatusPending, StatusAccepted, StatusWarning, StatusWaiting:
		return true
	}
	return false
}

func (s *Server) handleCancel(w http.ResponseWriter, r *http.Request) {
	id, q, ok := s.authenticateIDs(w, r)
	if !ok {
		return
	}
	ids := q.ids()
	if len(ids) == 0 {
		badRequest(w, q.RequestID, "PAYMENT_IDS", "paymentIds is required")
		return
	}
	s.mu.Lock()
	now := s.nowLocked()
	answers := make([]answer, 0, len(ids))
	changed := false
	for _, pid := range ids {
		p := s.latestLocked(id.hdr.Account, pid)
		if p == nil {
			answers = append(answers, answer{PaymentID: pid, Status: StatusNotFound})
			continue
		}
		ph := p.statusAt(now, s.cfg.CancelledStatus)
		switch {
		case ph.Status == StatusCancelling:
			// Repeated cancel: same answer, nothing changes.
		case cancellable(ph.Status):
			t := now
			p.CancelledAt = &t
			changed = true
		default:
			a := s.answerFor(p, now)
			a.Errors = append(a.Errors, APIError{CodeCancelRefused,
				fmt.Sprintf("payment in status %d %s cannot be cancelled", ph.Status, StatusName(ph.Status))})
			answers = append(answers, a)
			continue
		}
		answers = append(answers, s.answerFor(p, now))
	}
	var perr error
	if changed {
		perr = s.persistLocked()
	}
	s.mu.Unlock()
	if perr != nil {
		serverError(w, q.RequestID, perr)
		return
	}
	writeJSON(w, http.StatusOK, paymentResponse{Account: id.hdr.Account, RequestID: q.RequestID,
		Time: copenhagen(now).Format(wireTimeLayout), Answers: answers})
}
