package kbsim

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"erpconnector/connector/sandbox/simhttp"
)

// Fault kinds for ArmFault and POST /_sim/fault.
const (
	FaultStatus           = "status"                      // answer Status (JSON error) without processing
	FaultDelay            = simhttp.FaultDelay            // wait Delay, then process normally
	FaultDropBeforeCommit = simhttp.FaultDropBeforeCommit // close the connection without processing
	FaultDropAfterCommit  = simhttp.FaultDropAfterCommit  // process and store, then close without a response
	FaultGatewayXML       = "gateway-xml"                 // the WSO2 gateway's XML fault (kb-batchda.md §6 item 4), nothing processed
	FaultSlowBody         = simhttp.FaultSlowBody         // process and store, then trickle the answer's body over Delay
)

// Fault is armed for the next Count requests whose path equals Path (empty:
// any KB endpoint; never the control API). Faults fire in the order armed.
type Fault struct {
	Path       string `json:"path,omitempty"`
	Kind       string `json:"kind"`
	Status     int    `json:"status,omitempty"`     // "status": default 503; "gateway-xml": default 504
	RetryAfter int    `json:"retryAfter,omitempty"` // seconds for Retry-After on 429/503; default 30 for 429
	Delay      string `json:"delay,omitempty"`      // "delay", "slow-body": a Go duration such as "2s"
	Count      int    `json:"count,omitempty"`      // default 1
}

type armedFault struct {
	Fault
	delay time.Duration
}

// ArmFault arms a fault (the Go form of POST /_sim/fault).
func (s *Server) ArmFault(f Fault) error {
	a := &armedFault{Fault: f}
	if f.Count < 0 || f.RetryAfter < 0 {
		return fmt.Errorf("kbsim: fault count %d / retryAfter %d", f.Count, f.RetryAfter)
	}
	switch f.Kind {
	case FaultStatus, FaultGatewayXML:
		if a.Status == 0 {
			a.Status = http.StatusServiceUnavailable
			if f.Kind == FaultGatewayXML {
				a.Status = http.StatusGatewayTimeout
			}
		}
		if a.Status < 400 || a.Status > 599 {
			return fmt.Errorf("kbsim: fault status %d: want 400..599", f.Status)
		}
		if a.Status == http.StatusTooManyRequests && a.RetryAfter == 0 {
			a.RetryAfter = 30
		}
	case FaultDelay, FaultSlowBody:
		d, err := time.ParseDuration(f.Delay)
		if err != nil || d < 0 {
			return fmt.Errorf("kbsim: fault delay %q: want a duration such as \"2s\"", f.Delay)
		}
		a.delay = d
	case FaultDropBeforeCommit, FaultDropAfterCommit:
	default:
		return fmt.Errorf("kbsim: unknown fault kind %q", f.Kind)
	}
	s.faults.Add(f.Path, f.Count, a)
	return nil
}

// gatewayFault is the WSO2 API Manager fault KB's gateway answers when the
// back end times out (komercka/adaa-client test resource).
const gatewayFault = `<am:fault xmlns:am="http://wso2.org/apimanager">
    <am:code>101504</am:code>
    <am:type>Status report</am:type>
    <am:message>Runtime Error</am:message>
    <am:description>Send timeout</am:description>
</am:fault>
`

// applyFault acts out a fault. It reports whether normal processing should
// follow (only after a delay).
func (s *Server) applyFault(f *armedFault, w http.ResponseWriter, r *http.Request) bool {
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	switch f.Kind {
	case FaultStatus:
		writeJSON(w, f.Status, errorBody{Errors: []APIError{{Error: statusCode(f.Status),
			Message: fmt.Sprintf("injected fault: HTTP %d", f.Status)}}})
		return false
	case FaultGatewayXML:
		w.Header().Set("Content-Type", "application/xml; charset=UTF-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(gatewayFault)))
		w.WriteHeader(f.Status)
		io.WriteString(w, gatewayFault)
		return false
	}
	proceed, _ := simhttp.ActTransportFault(f.Kind, f.delay, maxBody, w, r, s.serveBank)
	return proceed
}

// statusCode is the COBS-style code of an injected status.
func statusCode(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "TOO_MANY_REQUESTS"
	case http.StatusServiceUnavailable:
		return "SERVICE_UNAVAILABLE"
	case http.StatusUnauthorized:
		return "UNAUTHORISED"
	case http.StatusForbidden:
		return "FORBIDDEN"
	}
	if status >= 500 {
		return "INTERNAL_ERROR"
	}
	return "FIELD_INVALID"
}
