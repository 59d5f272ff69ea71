package bisim

import "time"

// Payment status values (bit flags in the API).
const (
	StatusCreated    = 1
	StatusPending    = 2
	StatusAccepted   = 4
	StatusSucceeded  = 8
	StatusRejected   = 16
	StatusFailed     = 32
	StatusNotFound   = 64
	StatusWarning    = 128
	StatusCancelling = 256
	StatusWaiting    = 512
)

// StatusName is the API's name of a status value.
func StatusName(s int) string {
	switch s {
	case StatusCreated:
		return "Created"
	case StatusPending:
		return "Pending"
	case StatusAccepted:
		return "Accepted"
	case StatusSucceeded:
		return "Succeeded"
	case StatusRejected:
		return "Rejected"
	case StatusFailed:
		return "Failed"
	case StatusNotFound:
		return "NotFound"
	case StatusWarning:
		return "Warning"
	case StatusCancelling:
		return "Cancelling"
	case StatusWaiting:
		return "Waiting"
	}
	return "Unknown"
}

func final(s int) bool {
	return s == StatusSucceeded || s == StatusRejected || s == StatusFailed || s == StatusNotFound
}

// APIError is an entry of an answer's errors array.
type APIError struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// phase is a computed status with the instant it began.
type phase struct {
	Status int
	Since  time.Time
	Errors []APIError
}

// never is "not scheduled": far enough in the future to compare safely.
var never = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// statusAt evaluates the payment's lifecycle at t from stored timestamps, so
// that no goroutine has to advance anything: the clock drives it.
func (p *payment) statusAt(t time.Time, cancelledStatus int) phase {
	if p.Failed {
		return phase{StatusFailed, p.ReceivedAt, p.Errors}
	}
	if p.RejectedAt != nil && !t.Before(*p.RejectedAt) {
		return phase{StatusRejected, *p.RejectedAt, []APIError{{p.RejectCode, p.RejectText}}}
	}
	if p.CancelledAt != nil && !t.Before(*p.CancelledAt) {
		done := p.CancelledAt.Add(p.step())
		if t.Before(done) {
			return phase{StatusCancelling, *p.CancelledAt, nil}
		}
		ph := phase{Status: cancelledStatus, Since: done}
		if cancelledStatus != StatusSucceeded {
			ph.Errors = []APIError{{"DS02", "Order cancelled"}}
		}
		return ph
	}
	return p.natural(t)
}

// natural is the undisturbed progression 1 → 2 → (512) → 4 → 8.
func (p *payment) natural(t time.Time) phase {
	pending := p.PendingAt
	if t.Before(pending) {
		return phase{Status: StatusCreated, Since: p.ReceivedAt}
	}
	accepted := pending.Add(p.step())
	if p.NeedsApproval {
		waiting := accepted
		accepted = never
		if p.ApprovedAt != nil {
			accepted = later(waiting, *p.ApprovedAt)
		}
		if t.Before(waiting) {
			return phase{Status: StatusPending, Since: pending}
		}
		if t.Before(accepted) {
			return phase{Status: StatusWaiting, Since: waiting}
		}
	} else if t.Before(accepted) {
		return phase{Status: StatusPending, Since: pending}
	}
	succeeded := p.succeededAt(accepted)
	if t.Before(succeeded) {
		return phase{Status: StatusAccepted, Since: accepted}
	}
	return phase{Status: StatusSucceeded, Since: succeeded}
}

// succeededAt: one step after acceptance, but not before the execution date
// begins in Copenhagen, so a forward-dated payment waits as 4 Accepted.
func (p *payment) succeededAt(accepted time.Time) time.Time {
	if accepted.Equal(never) {
		return never
	}
	at := accepted.Add(p.step())
	if d, err := time.Parse(dateLayout, p.PaymentDate); err == nil {
		at = later(at, dayStart(d))
	}
	return at
}

func (p *payment) step() time.Duration { return time.Duration(p.StepNs) }

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
