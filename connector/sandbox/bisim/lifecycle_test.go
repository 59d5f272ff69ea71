package bisim

import (
	"encoding/json"
	"reflect"
	"testing"
)

func statuses(as []answer) []int {
	var out []int
	for _, a := range as {
		out = append(out, a.Status)
	}
	return out
}

func TestLifecycleOverTheClock(t *testing.T) {
	h := newHarness(t, nil)
	h.pay([]tx{goodTx("NOW"), with(goodTx("LATER"), "paymentDate", "2015-05-26")}, nil)
	steps := []struct {
		advance string
		want    []int
	}{
		{"", []int{StatusCreated, StatusCreated}},
		{"1999ms", []int{StatusCreated, StatusCreated}},
		{"1ms", []int{StatusPending, StatusPending}},
		{"2s", []int{StatusAccepted, StatusAccepted}},
		{"2s", []int{StatusSucceeded, StatusAccepted}},   // LATER waits for its execution date
		{"96h", []int{StatusSucceeded, StatusAccepted}},  // Monday 25th, 10:45 UTC
		{"12h", []int{StatusSucceeded, StatusSucceeded}}, // Tuesday 26th has begun in Copenhagen
	}
	for i, s := range steps {
		if s.advance != "" {
			h.advance(s.advance)
		}
		if got := statuses(h.status("NOW", "LATER")); !reflect.DeepEqual(got, s.want) {
			t.Fatalf("step %d (+%s): %v, want %v", i, s.advance, got, s.want)
		}
	}
	a := h.statusOf("NOW")
	if a.Info == nil || a.Info.Transacted == nil || a.Info.Transacted.Amount != "154.00" || a.Info.Text != "Faktura NOW" {
		t.Errorf("succeeded answer lacks transacted/text: %+v", a.Info)
	}
	l := h.srv.Ledger()
	now := l.Find(vecAccount, "NOW")[0]
	later := l.Find(vecAccount, "LATER")[0]
	if now.BookedAt == nil || !now.BookedAt.Equal(vecTime.Add(6e9)) {
		t.Errorf("NOW booked at %v", now.BookedAt)
	}
	// Local midnight of 2015-05-26 (CEST) is 22:00 UTC the day before.
	if later.BookedAt == nil || later.BookedAt.UTC().Format("2006-01-02T15:04:05") != "2015-05-25T22:00:00" {
		t.Errorf("LATER booked at %v", later.BookedAt)
	}
}

func TestApprovalFlow(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.ApprovalRequired = true })
	h.pay([]tx{goodTx("A1"), goodTx("A2"), goodTx("A3")}, nil)
	h.advance("4s")
	if got := statuses(h.status("A1", "A2", "A3")); !reflect.DeepEqual(got, []int{512, 512, 512}) {
		t.Fatalf("before approval: %v", got)
	}
	h.advance("1h") // waiting does not time out
	var res ControlResult
	h.control("/_sim/approve", map[string]any{"paymentIds": []string{"A1", "NOPE"}}, &res)
	if !reflect.DeepEqual(res.Done, []string{"A1"}) || !reflect.DeepEqual(res.NotFound, []string{"NOPE"}) {
		t.Errorf("approve result %+v", res)
	}
	if got := statuses(h.status("A1", "A2")); !reflect.DeepEqual(got, []int{StatusAccepted, StatusWaiting}) {
		t.Fatalf("after approving A1: %v", got)
	}
	h.control("/_sim/approve", map[string]any{}, &res) // all waiting
	if !reflect.DeepEqual(res.Done, []string{"A2", "A3"}) {
		t.Errorf("approve all: %+v", res)
	}
	h.advance("2s")
	if got := statuses(h.status("A1", "A2", "A3")); !reflect.DeepEqual(got, []int{8, 8, 8}) {
		t.Fatalf("after approval + step: %v", got)
	}
	h.control("/_sim/approve", map[string]any{"paymentIds": []string{"A1"}}, &res)
	if len(res.Done) != 0 || !reflect.DeepEqual(res.Refused, []string{"A1"}) {
		t.Errorf("approving a succeeded payment: %+v", res)
	}
}

func TestReject(t *testing.T) {
	h := newHarness(t, nil)
	h.pay([]tx{goodTx("R1"), goodTx("R2")}, nil)
	h.advance("2s")
	var res ControlResult
	h.control("/_sim/reject", map[string]any{"paymentIds": []string{"R1"}, "code": "AC04", "text": "Closed account"}, &res)
	if !reflect.DeepEqual(res.Done, []string{"R1"}) {
		t.Fatalf("reject: %+v", res)
	}
	a := h.statusOf("R1")
	if a.Status != StatusRejected || !reflect.DeepEqual(a.Errors, []APIError{{"AC04", "Closed account"}}) {
		t.Errorf("rejected answer: %+v", a)
	}
	h.advance("10s")
	if a := h.statusOf("R1"); a.Status != StatusRejected {
		t.Errorf("rejection is final, got %d", a.Status)
	}
	h.control("/_sim/reject", map[string]any{"paymentIds": []string{"R2"}}, &res)
	if !reflect.DeepEqual(res.Refused, []string{"R2"}) {
		t.Errorf("rejecting a succeeded payment: %+v", res)
	}
	if a := h.statusOf("R2"); a.Status != StatusSucceeded {
		t.Errorf("R2: %+v", a)
	}
	r := h.do("POST", "/_sim/reject", "", []byte(`{"paymentIds":["R2"],"colour":"x"}`))
	if r.Code != 400 {
		t.Errorf("unknown control field: %s", r.Status)
	}
}

func TestCancel(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.ApprovalRequired = true })
	h.pay([]tx{goodTx("C1"), goodTx("C2"), goodTx("C3")}, nil)

	// 1 Created: not yet at the bank, so not cancellable.
	a := h.cancel("C1")[0]
	if a.Status != StatusCreated || len(a.Errors) != 1 || a.Errors[0].Code != CodeCancelRefused {
		t.Fatalf("cancel in 1: %+v", a)
	}
	h.advance("2s") // all 2 Pending
	if got := statuses(h.cancel("C1", "UNKNOWN")); !reflect.DeepEqual(got, []int{StatusCancelling, StatusNotFound}) {
		t.Fatalf("cancel in 2: %v", got)
	}
	if got := statuses(h.cancel("C1")); !reflect.DeepEqual(got, []int{StatusCancelling}) {
		t.Fatalf("repeated cancel: %v", got)
	}
	h.advance("2s") // C1 resolved; C2, C3 in 512 Waiting
	c1 := h.statusOf("C1")
	if c1.Status != StatusRejected || !reflect.DeepEqual(c1.Errors, []APIError{{"DS02", "Order cancelled"}}) {
		t.Fatalf("cancelled C1 resolves to: %+v", c1)
	}
	if got := statuses(h.cancel("C2")); !reflect.DeepEqual(got, []int{StatusCancelling}) {
		t.Fatalf("cancel in 512: %v", got)
	}
	h.control("/_sim/approve", map[string]any{}, nil)
	h.advance("2s")
	if got := statuses(h.status("C2", "C3")); !reflect.DeepEqual(got, []int{StatusRejected, StatusSucceeded}) {
		t.Fatalf("after approve: %v", got)
	}
	a = h.cancel("C3")[0]
	if a.Status != StatusSucceeded || len(a.Errors) != 1 || a.Errors[0].Code != CodeCancelRefused {
		t.Fatalf("cancel in 8: %+v", a)
	}

	// Another account's payment is not found from this account.
	other := h.sig
	other.account, other.code = otherAccount, "Other"
	h.payRaw(other, "R-O", []tx{goodTx("C9")}, nil)
	h.advance("2s")
	if got := statuses(h.cancel("C9")); !reflect.DeepEqual(got, []int{StatusNotFound}) {
		t.Errorf("foreign payment: %v", got)
	}

	// The cancel body needs payment IDs.
	b, _ := json.Marshal(map[string]any{"requestId": "RC"})
	if r := h.do("POST", "/payment/cancel", h.sig.simple(h.clock.Now(), "RC"), b); r.Code != 400 {
		t.Errorf("cancel without IDs: %s", r.Status)
	}
}

func TestCancelledStatusConfigurable(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.CancelledStatus = StatusFailed })
	h.pay([]tx{goodTx("X")}, map[string]any{"waitForBankResponse": true})
	h.cancel("X")
	h.advance("2s")
	if a := h.statusOf("X"); a.Status != StatusFailed || a.Errors[0].Code != "DS02" {
		t.Errorf("%+v", a)
	}
	if _, err := New(Config{CancelledStatus: 3}); err == nil {
		t.Error("CancelledStatus 3 accepted")
	}
}

func TestStatusRequestForms(t *testing.T) {
	h := newHarness(t, nil)
	h.pay([]tx{goodTx("S1"), goodTx("S2")}, nil)
	other := h.sig
	other.account, other.code = otherAccount, "Other"
	h.payRaw(other, "R-O", []tx{goodTx("S3")}, nil)
	now := h.clock.Now()

	post := func(body string) []answer {
		t.Helper()
		var q struct {
			RequestID string `json:"requestId"`
		}
		json.Unmarshal([]byte(body), &q)
		r := h.do("POST", "/status", h.sig.simple(now, q.RequestID), []byte(body))
		if r.Code != 200 {
			t.Fatalf("%s: %s %s", body, r.Status, r.Body)
		}
		return decodeResp(t, r).Answers
	}
	get := func(query, reqID string) []answer {
		t.Helper()
		r := h.do("GET", "/status?"+query, h.sig.simple(now, reqID), nil)
		if r.Code != 200 {
			t.Fatalf("%s: %s %s", query, r.Status, r.Body)
		}
		return decodeResp(t, r).Answers
	}
	ids := func(as []answer) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.PaymentID+":"+StatusName(a.Status))
		}
		return out
	}
	cases := []struct {
		name string
		got  []answer
		want []string
	}{
		{"POST paymentIds", post(`{"requestId":"Q1","paymentIds":["S1","S2"]}`), []string{"S1:Created", "S2:Created"}},
		{"POST paymentId array", post(`{"requestId":"Q2","paymentId":["S2"]}`), []string{"S2:Created"}},
		{"POST paymentId string", post(`{"requestId":"Q3","paymentId":"S1"}`), []string{"S1:Created"}},
		{"POST unknown and foreign", post(`{"requestId":"Q4","paymentIds":["NOPE","S3"]}`), []string{"NOPE:NotFound", "S3:NotFound"}},
		{"POST without IDs lists the account", post(`{"requestId":"Q5"}`), []string{"S1:Created", "S2:Created"}},
		{"GET comma-separated", get("requestId=Q6&paymentIds=S2,S1", "Q6"), []string{"S2:Created", "S1:Created"}},
		{"GET paymentId repeated", get("requestId=Q7&paymentId=S1&paymentId=NOPE", "Q7"), []string{"S1:Created", "NOPE:NotFound"}},
		{"GET repeated IDs answered once", get("requestId=Q8&paymentId=S1,S1", "Q8"), []string{"S1:Created"}},
	}
	for _, c := range cases {
		if got := ids(c.got); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if a := post(`{"requestId":"Q9","paymentIds":["NOPE"]}`)[0]; a.TransID != "" || a.EndToEndID != "" || a.Info != nil {
		t.Errorf("not-found answer carries data: %+v", a)
	}
	if r := h.do("POST", "/status", h.sig.simple(now, "Q10"), []byte(`{"requestId":"Q10","paymentIds":[1]}`)); r.Code != 400 {
		t.Errorf("numeric payment ID: %s", r.Status)
	}
}
