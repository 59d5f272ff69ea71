package kb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"erpconnector/connector/sandbox/kbsim"
)

// TestSimBatchStatus follows an imported batch through signature and
// booking with kbsim's COBS-style status call.
func TestSimBatchStatus(t *testing.T) {
	sim := startSim(t, nil)
	toks := newSimTokens(t, sim, simClient, simSecret)
	c := &Client{BaseURL: sim.URL, Tokens: toks}
	r, err := c.Submit(context.Background(), SentFrom(specRequest(t, "status.kpc", "")))
	if err != nil {
		t.Fatal(err)
	}
	summary := func(st *BatchStatus) string {
		parts := []string{st.TransactionIdentification, st.SignInfo.State}
		for _, p := range st.Payments {
			parts = append(parts, p.InstructionIdentification+"="+p.Status+p.BookingDate)
		}
		return strings.Join(parts, " ")
	}
	st, err := c.BatchStatus(context.Background(), r.TransactionIdentification)
	if err != nil {
		t.Fatal(err)
	}
	want := r.TransactionIdentification + " OPEN INV2026001=awaiting-signature RENT202606=awaiting-signature"
	if got := summary(st); got != want || st.CorrelationID == "" || st.CorrelationID == r.CorrelationID {
		t.Errorf("before signing: %s (correlation %s), want %s", got, st.CorrelationID, want)
	}
	simControl(t, sim, "/_sim/sign", map[string]string{"batch": r.TransactionIdentification}, nil)
	// Past processing (10 s) and past the access token's 180 s, so the
	// status call also goes through the 401 → refresh → resend path.
	simControl(t, sim, "/_sim/clock", map[string]string{"advance": "181s"}, nil)
	if st, err = c.BatchStatus(context.Background(), r.TransactionIdentification); err != nil {
		t.Fatal(err)
	}
	want = r.TransactionIdentification + " CLOSE INV2026001=booked2026-06-16 RENT202606=booked2026-06-16"
	if got := summary(st); got != want || toks.refreshes != 1 {
		t.Errorf("after signing: %s after %d refreshes, want %s after 1", got, toks.refreshes, want)
	}
	_, err = c.BatchStatus(context.Background(), "ZZZZZZZZZZ")
	var rej *RejectedError
	if !errors.As(err, &rej) || rej.Status != 404 || len(rej.Problems) != 1 || rej.Problems[0].Code != "TRANSACTION_MISSING" {
		t.Errorf("unknown batch: %v, want 404 TRANSACTION_MISSING", err)
	}
	if _, err := c.BatchStatus(context.Background(), "../x"); !errors.Is(err, ErrInvalidSent) {
		t.Errorf("path characters in the ID: %v", err)
	}
	if l := ledger(t, sim); len(l.Batches) != 1 {
		t.Errorf("status calls changed the ledger: %d batches", len(l.Batches))
	}
}

func TestParseBatchStatus(t *testing.T) {
	for _, tc := range []struct{ name, body, want, err string }{
		{name: "kbsim shape", body: `{"transactionIdentification":"B1","instructionStatus":"ACTC","signInfo":{"state":"OPEN","signId":"S"},"payments":[{"instructionIdentification":"I1","status":"awaiting-signature"}]}`,
			want: "B1 ACTC OPEN/S I1:awaiting-signature"},
		{name: "COBS shape", body: `{"instructionStatus":"ACSP","payments":[{"transactionIdentification":"P1","signInfo":{"state":"CLOSE","signID":"X"}},{"transactionIdentification":"P2","signInfo":{"state":"CLOSE","signID":"X"}}]}`,
			want: "B1 ACSP CLOSE/X :"},
		{name: "COBS shape, states differ", body: `{"payments":[{"signInfo":{"state":"CLOSE"}},{"signInfo":{"state":"OPEN"}}]}`,
			want: "B1  / :"},
		{name: "another batch", body: `{"transactionIdentification":"B2"}`, err: `about batch "B2"`},
		{name: "unknown sign state", body: `{"signInfo":{"state":"MAYBE"}}`, err: `unknown signInfo.state "MAYBE"`},
		{name: "unknown item sign state", body: `{"payments":[{"signInfo":{"state":"MAYBE"}}]}`, err: `unknown signInfo.state "MAYBE"`},
		{name: "duplicate key", body: `{"signInfo":{},"signInfo":{}}`, err: "appears twice"},
		{name: "not JSON", body: `<html/>`, err: "not a JSON object"},
		{name: "payments not an array", body: `{"payments":{}}`, err: "not a batch status"},
	} {
		st, err := parseBatchStatus([]byte(tc.body), "B1")
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v, want %q", tc.name, err, tc.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		default:
			got := st.TransactionIdentification + " " + st.InstructionStatus + " " + st.SignInfo.State + "/" + st.SignInfo.SignID
			if len(st.Payments) > 0 {
				got += " " + st.Payments[0].InstructionIdentification + ":" + st.Payments[0].Status
			}
			if got != tc.want {
				t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
			}
		}
	}
}

func TestStatusPathMatchesKbsim(t *testing.T) {
	if got, want := fmt.Sprintf(StatusPath, "B1"), kbsim.PathBatchStatusPrefix+"B1/status"; got != want {
		t.Errorf("StatusPath gives %s, kbsim serves %s", got, want)
	}
}

// FuzzParseBatchStatus: never panics; an accepted answer is about the batch
// asked for and carries only known sign states.
func FuzzParseBatchStatus(f *testing.F) {
	for _, s := range []string{
		`{"transactionIdentification":"B1","instructionStatus":"ACTC","signInfo":{"state":"OPEN","signId":"S"},"payments":[{"instructionIdentification":"I1","status":"booked","bookingDate":"2026-06-16"}]}`,
		`{"instructionStatus":"ACSP","payments":[{"transactionIdentification":"P1","signInfo":{"state":"CLOSE","signID":"X"}}]}`,
		`{"transactionIdentification":"B2"}`, `{"signInfo":{"state":"MAYBE"}}`, `{}`, `[]`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		st, err := parseBatchStatus(body, "B1")
		if err != nil {
			return
		}
		if st.TransactionIdentification != "B1" || string(st.Raw) != string(body) {
			t.Fatalf("accepted %+v", st)
		}
		known := func(s string) bool {
			return s == "" || s == SignOpen || s == SignClose || s == SignReject || s == SignNone
		}
		if !known(st.SignInfo.State) {
			t.Fatalf("accepted sign state %q", st.SignInfo.State)
		}
		for _, p := range st.Payments {
			if !known(p.SignInfo.State) {
				t.Fatalf("accepted item sign state %q", p.SignInfo.State)
			}
		}
	})
}
