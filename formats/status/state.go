package status

// State is where a file or a payment stands, as the ERP is told. The values
// are the words written into CSV and JSON status files, so they never change.
type State string

// The states. Payments move Received → Accepted → AwaitingAuthorisation →
// Pending → Booked, or end in Rejected, Cancelled or Duplicate; Unknown waits
// for a person (`erpconnector resolve`).
const (
	Received              State = "received"               // file accepted by the connector, not yet at the bank
	Rejected              State = "rejected"               // by us (validation) or by the bank
	Duplicate             State = "duplicate"              // same content as an earlier file: not sent again
	Accepted              State = "accepted"               // the bank took it
	AwaitingAuthorisation State = "awaiting-authorisation" // waits for a person to sign in internet banking
	Pending               State = "pending"                // in processing at the bank
	Booked                State = "booked"                 // executed
	Cancelled             State = "cancelled"              // withdrawn (by a person in internet banking, or by the bank)
	Unknown               State = "unknown"                // outcome unknown — check internet banking

	// Partial is a file-level state only, never a payment's: some payments
	// failed (rejected, cancelled, duplicate) while others did not.
	Partial State = "partial"
)

// States lists every payment state in lifecycle order (Partial excluded).
var States = []State{Received, Accepted, AwaitingAuthorisation, Pending, Booked, Rejected, Cancelled, Duplicate, Unknown}

// ValidPayment reports whether s is a state a payment can have.
func (s State) ValidPayment() bool {
	switch s {
	case Received, Accepted, AwaitingAuthorisation, Pending, Booked, Rejected, Cancelled, Duplicate, Unknown:
		return true
	}
	return false
}

// ValidFile reports whether s is a state a file can have: any payment state,
// or Partial.
func (s State) ValidFile() bool { return s == Partial || s.ValidPayment() }

// Failed reports whether s is a final state in which the payment was not and
// will not be executed.
func (s State) Failed() bool { return s == Rejected || s == Cancelled || s == Duplicate }

// progress orders the non-failed states along the lifecycle.
func (s State) progress() int {
	switch s {
	case Received:
		return 0
	case Accepted:
		return 1
	case AwaitingAuthorisation:
		return 2
	case Pending:
		return 3
	case Booked:
		return 4
	}
	return -1
}

// Summarise derives the file-level state from the payments' states. The rule,
// first match wins:
//
//  1. no payments → Received (nothing is known beyond the file itself);
//  2. any payment Unknown, or in a state that is not a valid payment state →
//     Unknown: a person must look before the ERP assumes anything;
//  3. every payment in the same state → that state;
//  4. some payments failed (Rejected, Cancelled, Duplicate) and some did not →
//     Partial;
//  5. all failed, in different ways → Rejected;
//  6. otherwise (all alive, at different stages) → the least advanced stage in
//     the order Received < Accepted < AwaitingAuthorisation < Pending < Booked:
//     a file is only as far along as its slowest payment, so "3 booked, 1
//     awaiting authorisation" is AwaitingAuthorisation — someone must still sign.
func Summarise(ps []Payment) State {
	var s Summary
	for i := range ps {
		s.Add(ps[i].State)
	}
	return s.State()
}

// Summary applies the Summarise rule incrementally, for callers that walk
// payments without holding them in one slice. The zero value is empty.
type Summary struct {
	n, failed, alive int
	first, least     State
	same, unknown    bool
}

// Add counts one payment state.
func (s *Summary) Add(st State) {
	if s.n == 0 {
		s.first, s.same, s.least = st, true, Booked
	}
	s.n++
	if st != s.first {
		s.same = false
	}
	switch {
	case st == Unknown || !st.ValidPayment():
		s.unknown = true
	case st.Failed():
		s.failed++
	default:
		s.alive++
		if st.progress() < s.least.progress() {
			s.least = st
		}
	}
}

// State is the file-level state of the states added so far.
func (s *Summary) State() State {
	switch {
	case s.n == 0:
		return Received
	case s.unknown:
		return Unknown
	case s.same:
		return s.first
	case s.failed > 0 && s.alive > 0:
		return Partial
	case s.failed > 0:
		return Rejected
	}
	return s.least
}
