package bisim

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"erpconnector/connector/sandbox/simhttp"
)

// Fault kinds for ArmFault and POST /_sim/fault.
const (
	FaultStatus           = "status"                      // answer Status without processing
	FaultDelay            = simhttp.FaultDelay            // wait Delay, then process normally
	FaultDropBeforeCommit = simhttp.FaultDropBeforeCommit // close the connection without processing
	FaultDropAfterCommit  = simhttp.FaultDropAfterCommit  // process and store, then close without a response
	FaultSlowBody         = simhttp.FaultSlowBody         // process and store, then trickle the answer's body over Delay
	// FaultInvalidSignature answers 401 "Invalid Signature" without
	// processing, as the bank does when it refuses the Authorization header
	// (bankintegration.md §1.2): what a client sees when the integration code
	// was changed in the net bank, or its clock is off.
	FaultInvalidSignature = "invalid-signature"
)

// Fault is armed for the next Count bank requests whose path equals Path
// (empty: any bank endpoint). Faults fire in the order they were armed.
type Fault struct {
	Path   string `json:"path,omitempty"`
	Kind   string `json:"kind"`
	Status int    `json:"status,omitempty"` // for "status"; default 503
	// RetryAfter is the Retry-After header (seconds) of a "status" fault;
	// default 30 for 429, none otherwise. BankIntegration documents no rate
	// limit (bankintegration.md §1.2 refers to RFC 2616 codes): the header
	// is there to test clients that must honour it if the bank ever sends it.
	RetryAfter int    `json:"retryAfter,omitempty"`
	Delay      string `json:"delay,omitempty"` // for "delay" and "slow-body", a Go duration such as "2s"
	Count      int    `json:"count,omitempty"` // default 1
}

type armedFault struct {
	Fault
	delay time.Duration
}

// ArmFault arms a fault (the Go form of POST /_sim/fault).
func (s *Server) ArmFault(f Fault) error {
	a := &armedFault{Fault: f}
	if f.Count < 0 || f.RetryAfter < 0 {
		return fmt.Errorf("bisim: fault count %d / retryAfter %d", f.Count, f.RetryAfter)
	}
	switch f.Kind {
	case FaultStatus:
		if a.Status == 0 {
			a.Status = http.StatusServiceUnavailable
		}
		if a.Status < 100 || a.Status > 599 {
			return fmt.Errorf("bisim: fault status %d", f.Status)
		}
		if a.Status == http.StatusTooManyRequests && a.RetryAfter == 0 {
			a.RetryAfter = 30
		}
	case FaultDelay, FaultSlowBody:
		d, err := time.ParseDuration(f.Delay)
		if err != nil || d < 0 {
			return fmt.Errorf("bisim: fault delay %q: want a duration such as \"2s\"", f.Delay)
		}
		a.delay = d
	case FaultDropBeforeCommit, FaultDropAfterCommit, FaultInvalidSignature:
	default:
		return fmt.Errorf("bisim: unknown fault kind %q", f.Kind)
	}
	s.faults.Add(f.Path, f.Count, a)
	return nil
}

// applyFault acts out a fault. It reports whether normal processing should
// follow (only after a delay).
func (s *Server) applyFault(f *armedFault, w http.ResponseWriter, r *http.Request) bool {
	switch f.Kind {
	case FaultStatus:
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		writeJSON(w, f.Status, errorBody{Errors: []APIError{{"SIMULATED", fmt.Sprintf("injected fault: status %d", f.Status)}}})
		return false
	case FaultInvalidSignature:
		h, _ := parseAuthorization(r.Header.Get("Authorization"))
		writeUnauthorized(w, h.RequestID, authErr(AuthHash, "injected fault: the signature is refused"))
		return false
	}
	proceed, _ := simhttp.ActTransportFault(f.Kind, f.delay, maxBody, w, r, s.serveBank)
	return proceed
}
